# tests/fixed — exact fixed-point arithmetic: runtime/fixed.c (C) and runtime/hls (C++).
TEST_BINS += $(BUILD)/tests/fixed/test_fixed
