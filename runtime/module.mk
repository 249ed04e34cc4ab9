# runtime/ — libaedlrt.a: what the training executable and the firmware emulator link.
# Each component adds its sources to RT_SRCS (one line per file, to keep merges clean).
RT_SRCS := runtime/util.c

RT_OBJS  = $(RT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libaedlrt.a: $(RT_OBJS)
	@mkdir -p $(dir $@)
	ar rcs $@ $^
PROGRAMS += $(BUILD)/libaedlrt.a
