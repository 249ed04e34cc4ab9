# tests/hls.mk — the HLS project writer (aedlc --emit hls, issue 6): goldens,
# every example and random models compiled and C-simulated bit for bit.
HLS_LINK := $(AEDLC_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/compiler/front/arena.o $(AEDLC_GEN_OBJS)

# hls_tool: random weights files and random models for the scripts.
PROGRAMS += $(BUILD)/tests/hls/hls_tool
$(BUILD)/tests/hls/hls_tool: tests/hls/hls_tool.c $(HLS_LINK) $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(HLS_LINK) $(BUILD)/libaedlrt.a $(LDLIBS)

TEST_SCRIPTS += tests/hls/hls.sh tests/hls/train_csim.sh tests/hls/limits.sh
BENCH_CMDS   += 'sh tests/hls/bench.sh'
