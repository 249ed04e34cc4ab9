# compiler/ — build/aedlc.  main.c is the driver (home.c finds the stdlib and
# the runtime); the stages, in pipeline order:
#   front/  lexer, parser, source manager, import loading (files -> AST)
#   sema/   name resolution and checks (AST -> IR), shapes, IR dump and verifier
#   prec/   weights, the precision passes, the firmware plan
#   emit/   the training program, the HLS project, the precision report
#   import/ `aedlc import`: Keras / QKeras models into .aedl and weights files
# flex and bison write into $(BUILD)/, never into the source tree.

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
# Every source but main.c, so that tests and fuzzers link the rest.
AEDLC_SRCS := compiler/home.c compiler/scan_run.c \
              compiler/front/src.c compiler/front/load.c compiler/front/strmap.c compiler/front/arena.c \
              compiler/sema/kinds.c compiler/sema/resolve.c compiler/sema/scan.c compiler/sema/prep.c compiler/sema/shapes.c compiler/sema/ir_dump.c compiler/sema/ir_verify.c \
              compiler/prec/weights.c compiler/prec/prec_common.c compiler/prec/prec_quant.c \
              compiler/prec/prec_float.c compiler/prec/prec_conservative.c compiler/prec/prec_exact.c \
              compiler/prec/prec_batchnorm.c compiler/prec/prec_run.c compiler/prec/rules.c compiler/prec/plan.c \
              compiler/emit/emit_train.c compiler/emit/emit_hls.c compiler/emit/emit_hls_fw.c compiler/emit/emit_rtl.c \
              compiler/emit/emit_report.c compiler/emit/emit_keras.c compiler/import/keras.c
AEDLC_OBJS := $(AEDLC_SRCS:%.c=$(BUILD)/%.o) $(AEDLC_GEN_OBJS)

# Where aedlc's own files are (home.c): the source tree is compiled in, so an
# aedlc in any build folder finds the stdlib and runtime.
$(BUILD)/compiler/home.o: CFLAGS += -DAEDL_SRCDIR='"$(CURDIR)"'

$(BUILD)/aedlc: $(BUILD)/compiler/main.o $(AEDLC_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
PROGRAMS += $(BUILD)/aedlc
