# tests/ — fragments add TEST_BINS and TEST_SCRIPTS.
