# runtime/ — libaedlrt.a: what the training executable, the firmware emulator and
# the compiler link.  Fragments add `RT_SRCS += runtime/x.c`.
RT_SRCS += lib/util.c lib/proc.c

RT_OBJS := $(RT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libaedlrt.a: $(RT_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^
PROGRAMS += $(BUILD)/libaedlrt.a

# A test program tests/X/test_Y.c links with the runtime: build/tests/X/test_Y.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a $(LDLIBS)
