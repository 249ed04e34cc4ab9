# tests/ — test programs (TEST_BINS) and scripts (TEST_SCRIPTS), run by `make test`.
