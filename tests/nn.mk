# tests/nn.mk — tests of the numeric runtime (layers, quantizers, pruning,
# optimizer and callbacks, metrics).
TEST_BINS += $(BUILD)/tests/nn/test_grad
TEST_BINS += $(BUILD)/tests/nn/test_quant
TEST_BINS += $(BUILD)/tests/nn/test_train
TEST_BINS += $(BUILD)/tests/nn/test_metrics
# Speed of the quantizer, a QAT training step and the double-precision inference.
PROGRAMS   += $(BUILD)/tests/nn/bench_nn
BENCH_CMDS += '$(BUILD)/tests/nn/bench_nn'
