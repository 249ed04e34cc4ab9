# tests/ — `make test` runs TEST_BINS and TEST_SCRIPTS (tests/run.sh), `make
# bench` runs BENCH_CMDS, `make fuzz` the libFuzzer targets.  Sections in the
# order the suite runs them.

# A test program tests/X/test_Y.c links with the runtime: build/tests/X/test_Y.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a $(LDLIBS)

# Test programs that link the compiler's objects (all but main.o) besides the runtime.
TESTS_AEDLC_LINK = $(CC) $(CFLAGS) -Itests -MMD -MP $< -o $@ $(LDFLAGS) $(AEDLC_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS)

# ---- data: the generator and the loader (tests/data/); in `make bench`
# generator and loader throughput, loader peak memory.
TEST_BINS += $(BUILD)/tests/data/test_gen $(BUILD)/tests/data/test_data $(BUILD)/tests/data/test_root
# ROOT files through the language: examples/cms_opendata.aedl trains on the shared
# NanoAOD slice, --write-data, data-block and file errors.
TEST_SCRIPTS += tests/data/root_flow.sh
bench: $(BUILD)/tests/data/bench_data
BENCH_CMDS += '$(BUILD)/tests/data/bench_data'
# The ROOT reader per compression: 1M events x the selection (events/s, MB/s, peak memory).
bench: $(BUILD)/tests/data/bench_root
BENCH_CMDS += '$(BUILD)/tests/data/bench_root'
# The emulator's speed with calls of 65536 events (input and output stream
# through memory); the prec section runs the default (4096 per call, as evalrun).
BENCH_CMDS += '$(BUILD)/tests/prec/bench_emu 2000000 65536'

# ---- report: a small run's index.html opened in headless Chromium (every image loads).
TEST_SCRIPTS += tests/report/index.sh

# ---- fixed: exact fixed-point arithmetic, lib/fixed.c (C) and lib/hls (C++).
TEST_BINS += $(BUILD)/tests/fixed/test_fixed $(BUILD)/tests/fixed/test_ap_fixed \
             $(BUILD)/tests/fixed/test_ap_fixed_cxx11
# The C++ test compares lib/hls/ap_fixed.h with lib/fixed.c; built as C++14
# (the project's CXXFLAGS) and once more as C++11, the oldest standard the header supports.
FIXED_CXX_DEPS := tests/fixed/test_ap_fixed.cpp tests/fixed/table.h lib/hls/ap_fixed.h \
                  lib/hls/ap_int.h lib/fixed.h $(BUILD)/libaedlrt.a
$(BUILD)/tests/fixed/test_ap_fixed: $(FIXED_CXX_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Ilib -Ilib/hls -Itests $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a -lm
$(BUILD)/tests/fixed/test_ap_fixed_cxx11: $(FIXED_CXX_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -std=c++11 -DFIXED_TEST_QUICK -Ilib -Ilib/hls -Itests $< -o $@ $(LDFLAGS) $(BUILD)/libaedlrt.a -lm
# `make bench`: C-simulation speed of the header, optimized and at -O0.
FIXED_BENCH := $(BUILD)/tests/fixed/bench_ap_fixed $(BUILD)/tests/fixed/bench_ap_fixed_O0
bench: $(FIXED_BENCH)
BENCH_CMDS += '$(BUILD)/tests/fixed/bench_ap_fixed' '$(BUILD)/tests/fixed/bench_ap_fixed_O0'
$(BUILD)/tests/fixed/bench_ap_fixed: tests/fixed/bench_ap_fixed.cpp lib/hls/ap_fixed.h lib/hls/ap_int.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Ilib/hls $< -o $@ $(LDFLAGS)
$(BUILD)/tests/fixed/bench_ap_fixed_O0: tests/fixed/bench_ap_fixed.cpp lib/hls/ap_fixed.h lib/hls/ap_int.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -O0 -Ilib/hls $< -o $@ $(LDFLAGS)

# ---- a float model (examples/ae_baseline.aedl) gets a firmware: observed
# ranges, error against the float model, C simulation bit for bit.
TEST_SCRIPTS += tests/prec/float_fw.sh

# ---- front end: golden tests of aedlc (IR dumps, diagnostics, command line; the
# generated training program and HLS project of two small models, tests/emit),
# a quick deterministic mutation pass, the AST the parser builds (ast.h's
# contract with resolve.c).
TEST_SCRIPTS += tests/golden.sh tests/emit/emit.sh
TEST_BINS += $(BUILD)/tests/fuzz/test_mutate
$(BUILD)/tests/fuzz/test_mutate: tests/fuzz/test_mutate.c tests/fuzz/front_run.h $(BUILD)/aedlc
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -Itests/fuzz -MMD -MP $< -o $@ $(LDFLAGS) $(AEDLC_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS)

# `make fuzz-front` (part of `make fuzz`): libFuzzer over the front end (clang),
# seeded with every .aedl file of the repository; FUZZ_TIME seconds (default
# 60).  Crashes are saved as $(BUILD)/fuzz/crash-*.
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

TEST_BINS += $(BUILD)/tests/front/test_ast
$(BUILD)/tests/front/test_ast: tests/front/test_ast.c $(BUILD)/aedlc
	@mkdir -p $(dir $@)
	$(TESTS_AEDLC_LINK)

# ---- HLS: the project writer (aedlc --emit hls): goldens, every example and
# random models compiled and C-simulated bit for bit.  hls_tool writes random
# weights files and random models for the scripts.
PROGRAMS += $(BUILD)/tests/hls/hls_tool
$(BUILD)/tests/hls/hls_tool: tests/hls/hls_tool.c $(AEDLC_OBJS) $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(TESTS_AEDLC_LINK)
TEST_SCRIPTS += tests/hls/hls.sh tests/hls/train_csim.sh tests/hls/limits.sh

# ---- import: Keras / QKeras models (aedlc import) on the shared test models.
# keras_eval is the float forward pass of an imported model (lib/nn.h).
PROGRAMS += $(BUILD)/tests/import/keras_eval
$(BUILD)/tests/import/keras_eval: tests/import/keras_eval.c $(AEDLC_OBJS) $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(TESTS_AEDLC_LINK)
TEST_SCRIPTS += tests/import/keras.sh tests/import/roundtrip.sh tests/import/qvalue.sh tests/import/qrelu_slope.sh tests/import/qbits_auto.sh
BENCH_CMDS   += 'sh tests/hls/bench.sh'

# ---- install: `make install` into a temporary prefix, then the installed aedlc
# used from elsewhere; the package flags computed only after the packages are installed.
TEST_SCRIPTS += tests/install.sh tests/deps_flags.sh

# ---- nn: the numeric runtime (layers, quantizers, pruning, optimizer and
# callbacks, metrics, the float model in event lanes); in `make bench` the speed of the quantizer, a QAT
# training step and the double-precision inference.
TEST_BINS += $(BUILD)/tests/nn/test_grad $(BUILD)/tests/nn/test_quant \
             $(BUILD)/tests/nn/test_train $(BUILD)/tests/nn/test_metrics $(BUILD)/tests/nn/test_lanes
PROGRAMS   += $(BUILD)/tests/nn/bench_nn
BENCH_CMDS += '$(BUILD)/tests/nn/bench_nn'

# ---- prec: precision inference, the firmware plan and the emulator.
PREC_TESTS := $(BUILD)/tests/prec/test_prec $(BUILD)/tests/prec/bench_emu
TEST_BINS  += $(BUILD)/tests/prec/test_prec
PROGRAMS   += $(BUILD)/tests/prec/bench_emu $(BUILD)/tests/prec/gen_weights $(BUILD)/tests/prec/plan_layer
TEST_SCRIPTS += tests/prec/run_cli.sh
BENCH_CMDS += '$(BUILD)/tests/prec/bench_emu 2000000'
$(PREC_TESTS): $(BUILD)/tests/prec/%: tests/prec/%.c $(AEDLC_OBJS) $(BUILD)/libaedlrt.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(TESTS_AEDLC_LINK)

# ---- robust: bad inputs of every kind, unwritable output folders, damaged
# data and weights files, emitting twice into a folder with the user's own
# files, and the replay of every input the fuzzer ever found crashing
# (tests/fuzz/regress/).
PROGRAMS     += $(BUILD)/tests/robust/h5edit
TEST_SCRIPTS += tests/robust/inputs.sh tests/robust/outdir.sh tests/robust/data.sh \
                tests/robust/fuzz_regress.sh tests/robust/interrupt.sh tests/robust/messages.sh \
                tests/robust/data_hostile.sh tests/robust/procs.sh

# `make fuzz-prec` (part of `make fuzz`): libFuzzer over the front end, precision
# inference, the firmware plan and the emulator (tests/fuzz/fuzz_prec.c), all
# built with clang's ASan+UBSan; FUZZ_TIME seconds, seeded like fuzz-front.
# Crashes are saved as $(BUILD)/fuzz-prec/crash-*; a crash's minimised input
# belongs in tests/fuzz/regress/ (replayed by `make test`).
FUZZ_PREC_DIR := $(BUILD)/fuzz-prec
.PHONY: fuzz-prec
fuzz: fuzz-prec
fuzz-prec: $(FUZZ_PREC_DIR)/fuzz_prec
	@mkdir -p $(FUZZ_PREC_DIR)/corpus
	cd $(FUZZ_PREC_DIR) && ./fuzz_prec -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	  -close_fd_mask=3 -max_len=8192 -dict=$(CURDIR)/tests/fuzz/aedl.dict corpus \
	  $(addprefix $(CURDIR)/,examples stdlib tests/parse tests/errors tests/fuzz/multi tests/fuzz/regress)
$(FUZZ_PREC_DIR)/fuzz_prec: tests/fuzz/fuzz_prec.c tests/fuzz/front_run.h compiler/front/lexer.l compiler/front/parser.y \
                            $(AEDLC_SRCS) $(LIB_SRCS) $(RT_SRCS) | $(DEPS_OK)
	@mkdir -p $(FUZZ_PREC_DIR)/gen
	flex --outfile=$(FUZZ_PREC_DIR)/gen/lexer.c --header-file=$(FUZZ_PREC_DIR)/gen/lexer.h compiler/front/lexer.l
	bison --defines=$(FUZZ_PREC_DIR)/gen/parser.h -o $(FUZZ_PREC_DIR)/gen/parser.c compiler/front/parser.y
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(INCLUDES) -Itests/fuzz -I$(FUZZ_PREC_DIR)/gen \
	  $(HDF5_CFLAGS) $(BLAS_CFLAGS) -DAEDL_VERSION='"$(VERSION)"' tests/fuzz/fuzz_prec.c \
	  $(AEDLC_SRCS) $(LIB_SRCS) $(RT_SRCS) $(FUZZ_PREC_DIR)/gen/lexer.c $(FUZZ_PREC_DIR)/gen/parser.c \
	  -o $@ $(HDF5_LIBS) $(BLAS_LIBS) $(JANSSON_LIBS) $(ROOT_LIBS) -lm

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
$(FUZZ_DATA_DIR)/fuzz_data: tests/fuzz/fuzz_data.c $(LIB_SRCS) $(RT_SRCS) | $(DEPS_OK)
	@mkdir -p $(FUZZ_DATA_DIR)
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Ilib -Iruntime $(HDF5_CFLAGS) $(BLAS_CFLAGS) tests/fuzz/fuzz_data.c \
	  $(LIB_SRCS) $(RT_SRCS) -o $@ $(HDF5_LIBS) $(BLAS_LIBS) $(ROOT_LIBS) -lm -lpthread

# `make fuzz-root` (part of `make fuzz`): libFuzzer over the ROOT reader and the
# object selection (tests/fuzz/fuzz_root.c), built with clang's ASan+UBSan;
# FUZZ_TIME seconds, seeded with the six shared HZZ files.  Crashes are saved as
# $(BUILD)/fuzz-root/crash-*.
FUZZ_ROOT_DIR := $(BUILD)/fuzz-root
.PHONY: fuzz-root
fuzz: fuzz-root
fuzz-root: $(FUZZ_ROOT_DIR)/fuzz_root
	@mkdir -p $(FUZZ_ROOT_DIR)/corpus $(FUZZ_ROOT_DIR)/seed
	cp -f ../shared/testdata/root/uproot-HZZ*.root $(FUZZ_ROOT_DIR)/seed/
	cd $(FUZZ_ROOT_DIR) && ./fuzz_root -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	  -max_len=800000 corpus seed
$(FUZZ_ROOT_DIR)/fuzz_root: tests/fuzz/fuzz_root.c $(LIB_SRCS) $(RT_SRCS) | $(DEPS_OK)
	@mkdir -p $(FUZZ_ROOT_DIR)
	clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Ilib -Iruntime $(HDF5_CFLAGS) $(BLAS_CFLAGS) tests/fuzz/fuzz_root.c \
	  $(LIB_SRCS) $(RT_SRCS) -o $@ $(HDF5_LIBS) $(BLAS_LIBS) $(ROOT_LIBS) -lm -lpthread

# ---- sema: every ```aedl block of docs/language.md and every example and
# stdlib file compile (the goldens of tests/parse and tests/errors/sem_* run
# in tests/golden.sh).
TEST_SCRIPTS += tests/docs_examples.sh tests/examples.sh

# ---- train: the training program (aedlc --emit train + runtime/train.c).
TEST_BINS += $(BUILD)/tests/train/test_train_quant $(BUILD)/tests/train/test_train_par
TEST_SCRIPTS += tests/train/train.sh tests/train/resume.sh tests/train/firmware.sh tests/train/trust.sh \
                tests/train/prep.sh tests/train/predict.sh tests/train/score.sh tests/train/hwin.sh \
                tests/train/vae.sh
# examples/ae_nmi.aedl trained shortly: the masked score in firmware against the quantized model.
TEST_SCRIPTS += tests/train/nmi.sh
BENCH_CMDS += 'sh tests/train/bench.sh' 'sh tests/train/bench_predict.sh'

# ---- scans (aedlc scan): here, and on a single-node Slurm the test starts and
# stops itself (munged, slurmctld, slurmd); in `make bench`, a 12-point scan
# against the same trainings one after another.
TEST_SCRIPTS += tests/scan/scan.sh tests/scan/slurm.sh
BENCH_CMDS   += 'sh tests/scan/bench.sh'

# ---- RTL: the Verilog writer (aedlc --emit rtl): goldens, Icarus Verilog
# simulation of every example and random models bit for bit, Verilator lint,
# yosys on a small model; make bench synthesises the seed AE.
TEST_SCRIPTS += tests/rtl/rtl.sh
BENCH_CMDS   += 'sh tests/rtl/bench.sh'
