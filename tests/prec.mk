# tests/prec.mk — precision inference, the firmware plan and the emulator (issue 5).
# These tests link the compiler's objects (all but main.o) besides the runtime.
PREC_TESTS := $(BUILD)/tests/prec/test_prec $(BUILD)/tests/prec/bench_emu
PREC_LINK  := $(AEDLC_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/compiler/front/arena.o $(AEDLC_GEN_OBJS)
TEST_BINS  += $(BUILD)/tests/prec/test_prec
PROGRAMS   += $(BUILD)/tests/prec/bench_emu $(BUILD)/tests/prec/gen_weights $(BUILD)/tests/prec/plan_layer
TEST_SCRIPTS += tests/prec/run_cli.sh
BENCH_CMDS += '$(BUILD)/tests/prec/bench_emu 2000000'

$(PREC_TESTS): $(BUILD)/tests/prec/%: tests/prec/%.c $(PREC_LINK) $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(PREC_LINK) $(BUILD)/libaedlrt.a $(LDLIBS)
