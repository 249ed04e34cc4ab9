# tests/data.mk — the generator and the loader (tests/data/).
TEST_BINS += $(BUILD)/tests/data/test_gen
TEST_BINS += $(BUILD)/tests/data/test_data
