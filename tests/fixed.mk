# tests/fixed — exact fixed-point arithmetic: lib/fixed.c (C) and lib/hls (C++).
TEST_BINS += $(BUILD)/tests/fixed/test_fixed $(BUILD)/tests/fixed/test_ap_fixed \
             $(BUILD)/tests/fixed/test_ap_fixed_cxx11

# The C++ test compares lib/hls/ap_fixed.h with lib/fixed.c; built as C++14
# (the project's CXXFLAGS) and once more as C++11, the oldest standard the header supports.
FIXED_CXX_DEPS := tests/fixed/test_ap_fixed.cpp tests/fixed/table.h lib/hls/ap_fixed.h \
                  lib/hls/ap_int.h lib/fixed.h $(BUILD)/libaedlrt.a
$(BUILD)/tests/fixed/test_ap_fixed: $(FIXED_CXX_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Ilib -Ilib/hls -Itests $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a -lm
$(BUILD)/tests/fixed/test_ap_fixed_cxx11: $(FIXED_CXX_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -std=c++11 -DFIXED_TEST_QUICK -Ilib -Ilib/hls -Itests $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a -lm

# `make bench`: C-simulation speed of the header, optimized and at -O0.
FIXED_BENCH := $(BUILD)/tests/fixed/bench_ap_fixed $(BUILD)/tests/fixed/bench_ap_fixed_O0
bench: $(FIXED_BENCH)
BENCH_CMDS += '$(BUILD)/tests/fixed/bench_ap_fixed' '$(BUILD)/tests/fixed/bench_ap_fixed_O0'
$(BUILD)/tests/fixed/bench_ap_fixed: tests/fixed/bench_ap_fixed.cpp lib/hls/ap_fixed.h lib/hls/ap_int.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Ilib/hls $< -o $@ $(LDFLAGS)
$(BUILD)/tests/fixed/bench_ap_fixed_O0: tests/fixed/bench_ap_fixed.cpp lib/hls/ap_fixed.h lib/hls/ap_int.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -O0 -Ilib/hls $< -o $@ $(LDFLAGS)
