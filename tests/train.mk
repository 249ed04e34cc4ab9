# tests/train.mk — the training program (aedlc --emit train + runtime/train.c).
TEST_BINS += $(BUILD)/tests/train/test_train_quant $(BUILD)/tests/train/test_train_par
TEST_SCRIPTS += tests/train/train.sh tests/train/resume.sh tests/train/firmware.sh tests/train/trust.sh
BENCH_CMDS += 'sh tests/train/bench.sh'
