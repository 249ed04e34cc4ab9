# compiler/front.mk — the syntax half of the front end (lexer, parser, source
# manager, import loading) and the aedlc driver.  flex and bison write into
# $(BUILD)/, never into the source tree.

$(BUILD)/lexer.c $(BUILD)/lexer.h &: compiler/front/lexer.l | $(DEPS_OK)
	@mkdir -p $(BUILD)
	flex --outfile=$(BUILD)/lexer.c --header-file=$(BUILD)/lexer.h $<

$(BUILD)/parser.c $(BUILD)/parser.h &: compiler/front/parser.y | $(DEPS_OK)
	@mkdir -p $(BUILD)
	bison -Wall -Werror --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

# flex's output uses a few functions only under some options.
$(BUILD)/lexer.o: $(BUILD)/lexer.c $(BUILD)/parser.h
	$(CC) $(CFLAGS) -Wno-unused-function -MMD -MP -c $< -o $@

$(BUILD)/parser.o: $(BUILD)/parser.c $(BUILD)/lexer.h
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

AEDLC_GEN_OBJS := $(BUILD)/lexer.o $(BUILD)/parser.o
AEDLC_SRCS += compiler/front/src.c compiler/front/load.c compiler/front/strmap.c
PROGRAMS += $(BUILD)/aedlc

# Where aedlc's own files are (home.c): the source tree is compiled in, so an
# aedlc in any build folder finds the stdlib and runtime.
AEDLC_SRCS += compiler/home.c
$(BUILD)/compiler/home.o: CFLAGS += -DAEDL_SRCDIR='"$(CURDIR)"'
