# tests/front.mk — golden tests of aedlc: IR dumps, diagnostics, command line (tests/golden.sh).
TEST_SCRIPTS += tests/golden.sh

# A quick deterministic mutation pass over the front end (a few seconds).
TEST_BINS += $(BUILD)/tests/fuzz/test_mutate
$(BUILD)/tests/fuzz/test_mutate: tests/fuzz/test_mutate.c tests/fuzz/front_run.h $(BUILD)/aedlc
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -Itests/fuzz -MMD -MP $< -o $@ $(LDFLAGS) $(AEDLC_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS)

# `make fuzz`: libFuzzer over the front end (clang), seeded with every .aedl
# file of the repository; FUZZ_TIME seconds (default 60).  Crashes are saved
# as $(BUILD)/fuzz/crash-*.
FUZZ_TIME ?= 60
FUZZ_FLAGS := -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=undefined $(INCLUDES) -Itests/fuzz -I$(BUILD)/fuzz/gen \
              $(HDF5_CFLAGS) $(BLAS_CFLAGS) -DAEDL_VERSION='"$(VERSION)"'
.PHONY: fuzz-front
fuzz: fuzz-front
fuzz-front: $(BUILD)/aedlc
	@mkdir -p $(BUILD)/fuzz/gen $(BUILD)/fuzz/corpus
	flex --outfile=$(BUILD)/fuzz/gen/lexer.c --header-file=$(BUILD)/fuzz/gen/lexer.h compiler/front/lexer.l
	bison --defines=$(BUILD)/fuzz/gen/parser.h -o $(BUILD)/fuzz/gen/parser.c compiler/front/parser.y
	clang $(FUZZ_FLAGS) tests/fuzz/fuzz_front.c $(AEDLC_SRCS) $(BUILD)/fuzz/gen/lexer.c \
	  $(BUILD)/fuzz/gen/parser.c -o $(BUILD)/fuzz/fuzz_front $(BUILD)/libaedlrt.a $(LDLIBS)
	cd $(BUILD)/fuzz && ./fuzz_front -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 -print_funcs=0 -max_len=8192 -dict=$(CURDIR)/tests/fuzz/aedl.dict \
	  corpus $(addprefix $(CURDIR)/,examples stdlib tests/parse tests/errors tests/fuzz/multi $(wildcard tests/fuzz/regress))

# The AST the parser builds (ast.h's contract with resolve.c).
TEST_BINS += $(BUILD)/tests/front/test_ast
$(BUILD)/tests/front/test_ast: tests/front/test_ast.c $(BUILD)/aedlc
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(AEDLC_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS)
