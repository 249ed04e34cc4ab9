# compiler/ — build/aedlc.  Sources are listed one per line.
AEDLC_SRCS := compiler/arena.c

AEDLC_GEN  := $(BUILD)/lexer.c $(BUILD)/parser.c
AEDLC_OBJS  = $(AEDLC_SRCS:%.c=$(BUILD)/%.o)
