# tests/nn.mk — tests of the numeric runtime (layers, quantizers, pruning,
# optimizer and callbacks, metrics).
TEST_BINS += $(BUILD)/tests/nn/test_grad
TEST_BINS += $(BUILD)/tests/nn/test_quant
TEST_BINS += $(BUILD)/tests/nn/test_train
TEST_BINS += $(BUILD)/tests/nn/test_metrics
