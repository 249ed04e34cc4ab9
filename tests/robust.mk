# tests/robust.mk — robustness across the components (issue 8): bad inputs of
# every kind, unwritable output folders, damaged data and weights files,
# emitting twice into a folder with the user's own files, and the replay of
# every input the fuzzer ever found crashing (tests/fuzz/regress/).
PROGRAMS     += $(BUILD)/tests/robust/h5edit
TEST_SCRIPTS += tests/robust/inputs.sh tests/robust/outdir.sh tests/robust/data.sh \
                tests/robust/fuzz_regress.sh tests/robust/interrupt.sh tests/robust/messages.sh \
                tests/robust/data_hostile.sh tests/robust/procs.sh

# `make fuzz-prec` (part of `make fuzz`): libFuzzer over the front end, precision
# inference, the firmware plan and the emulator (tests/fuzz/fuzz_prec.c), all
# built with clang's ASan+UBSan; FUZZ_TIME seconds (tests/front.mk, default 60),
# seeded like fuzz-front.  Crashes are saved as $(BUILD)/fuzz-prec/crash-*; a
# crash's minimised input belongs in tests/fuzz/regress/ (replayed by `make test`).
FUZZ_PREC_DIR := $(BUILD)/fuzz-prec
.PHONY: fuzz-prec
fuzz: fuzz-prec
fuzz-prec: $(FUZZ_PREC_DIR)/fuzz_prec
	@mkdir -p $(FUZZ_PREC_DIR)/corpus
	cd $(FUZZ_PREC_DIR) && ./fuzz_prec -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	  -close_fd_mask=3 -max_len=8192 -dict=$(CURDIR)/tests/fuzz/aedl.dict corpus \
	  $(addprefix $(CURDIR)/,examples stdlib tests/parse tests/errors tests/fuzz/multi tests/fuzz/regress)
$(FUZZ_PREC_DIR)/fuzz_prec: tests/fuzz/fuzz_prec.c tests/fuzz/front_run.h compiler/front/lexer.l compiler/front/parser.y \
                            $(AEDLC_SRCS) $(RT_SRCS) | $(DEPS_OK)
	@mkdir -p $(FUZZ_PREC_DIR)/gen
	flex --outfile=$(FUZZ_PREC_DIR)/gen/lexer.c --header-file=$(FUZZ_PREC_DIR)/gen/lexer.h compiler/front/lexer.l
	bison --defines=$(FUZZ_PREC_DIR)/gen/parser.h -o $(FUZZ_PREC_DIR)/gen/parser.c compiler/front/parser.y
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(INCLUDES) -Itests/fuzz -I$(FUZZ_PREC_DIR)/gen \
	  $(HDF5_CFLAGS) $(BLAS_CFLAGS) -DAEDL_VERSION='"$(VERSION)"' tests/fuzz/fuzz_prec.c \
	  $(AEDLC_SRCS) $(RT_SRCS) $(FUZZ_PREC_DIR)/gen/lexer.c $(FUZZ_PREC_DIR)/gen/parser.c \
	  -o $@ $(HDF5_LIBS) $(BLAS_LIBS) -lm

# The front end against hostile inputs (deep import chains, 100,000
# declarations and layers, imports that are not regular files, -o /), and in
# `make bench` the same big inputs timed.
TEST_SCRIPTS += tests/robust/front_hostile.sh
BENCH_CMDS   += 'sh tests/robust/bench_front.sh'

# `make fuzz-data` (part of `make fuzz`): libFuzzer over the CSV data reader
# (tests/fuzz/fuzz_data.c): each input is loaded as a training source, split
# and scaled, built with clang's ASan+UBSan; FUZZ_TIME seconds, seeded with
# tests/fuzz/csv/.  Crashes are saved as $(BUILD)/fuzz-data/crash-*.
FUZZ_DATA_DIR := $(BUILD)/fuzz-data
.PHONY: fuzz-data
fuzz: fuzz-data
fuzz-data: $(FUZZ_DATA_DIR)/fuzz_data
	@mkdir -p $(FUZZ_DATA_DIR)/corpus
	cd $(FUZZ_DATA_DIR) && ./fuzz_data -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	  -max_len=8192 -dict=$(CURDIR)/tests/fuzz/csv.dict corpus $(CURDIR)/tests/fuzz/csv
$(FUZZ_DATA_DIR)/fuzz_data: tests/fuzz/fuzz_data.c $(RT_SRCS) | $(DEPS_OK)
	@mkdir -p $(FUZZ_DATA_DIR)
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Ilib -Iruntime $(HDF5_CFLAGS) $(BLAS_CFLAGS) tests/fuzz/fuzz_data.c \
	  $(RT_SRCS) -o $@ $(HDF5_LIBS) $(BLAS_LIBS) -lm -lpthread
