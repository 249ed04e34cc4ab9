# compiler/ — build/aedlc.  Fragments add `AEDLC_SRCS += compiler/x.c` (main.c is
# separate so tests can link the rest).
AEDLC_SRCS += compiler/arena.c
AEDLC_OBJS := $(AEDLC_SRCS:%.c=$(BUILD)/%.o) $(AEDLC_GEN_OBJS)
