# compiler/ — build/aedlc.  Fragments add `AEDLC_SRCS += compiler/x.c` (main.c is
# separate so tests can link the rest).
AEDLC_SRCS += compiler/front/arena.c
AEDLC_OBJS := $(AEDLC_SRCS:%.c=$(BUILD)/%.o) $(AEDLC_GEN_OBJS)

# build/aedlc: linked here, after every fragment, so that it sees the whole
# AEDLC_OBJS (main.c belongs to compiler/front.mk).
$(BUILD)/aedlc: $(BUILD)/compiler/main.o $(AEDLC_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
