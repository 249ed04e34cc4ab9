# aedlc — top-level build.  One fragment per folder adds its sources, programs
# and tests (lib/lib.mk, runtime/runtime.mk, compiler/compiler.mk,
# tools/tools.mk, tests/tests.mk); this file holds the shared rules.
#
#   make            build/aedlc, build/aedl-gen, build/aedl-report, build/libaedlrt.a
#   make test       every test, then again under ASan+UBSan; ends "N passed, N failed"
#   make demo       generated data -> compile -> train -> evaluate -> firmware -> csim
#   make bench      benchmarks (speed and memory); never part of `make test`
#   make install PREFIX=/usr/local

PREFIX   ?= /usr/local
BUILD    ?= build
VERSION  := 0.1.0
SAN      ?=
export BUILD SAN

CC       ?= gcc
CXX      ?= g++
OPT      ?= -O2

# The Debian packages we need and the flags they give.  $(BUILD)/config.mk is
# made by installing what is missing (.ci/deps) and only then asking pkg-config
# (.ci/config); make reads it, and when it had to be made, starts again with it.
# So no flag is computed before its package is there (tests/deps_flags.sh).
.DEFAULT_GOAL := all
DEPS_SCRIPT ?= .ci/deps
DEPS_OK  := $(BUILD)/config.mk
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
include $(DEPS_OK)
endif
$(DEPS_OK): .ci/deps .ci/config
	@mkdir -p $(BUILD)
	@sh $(DEPS_SCRIPT)
	@sh .ci/config > $@.tmp && mv $@.tmp $@

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT      := -O1
# A sanitizer report exits with 86, never with the 1 that tests expect of a
# rejected input, so no report can hide behind an expected error.
export ASAN_OPTIONS  ?= exitcode=86:detect_leaks=1
export LSAN_OPTIONS  ?= exitcode=86
export UBSAN_OPTIONS ?= halt_on_error=1:exitcode=86:print_stacktrace=1
endif

# Each folder of headers: the compiler's four stages, the shared library, the runtime.
INCLUDES := -Icompiler -Icompiler/front -Icompiler/sema -Icompiler/prec -Icompiler/emit -Icompiler/import -Ilib -Iruntime

CFLAGS   ?=
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g $(OPT) $(SANFLAGS) \
            $(INCLUDES) -I$(BUILD) $(HDF5_CFLAGS) $(BLAS_CFLAGS) $(JANSSON_CFLAGS) \
            -DAEDL_VERSION='"$(VERSION)"'
CXXFLAGS += -std=c++14 -Wall -Wextra -Werror -g $(OPT) $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
# The ROOT reader's decompressors (runtime/root_zip.c).
ROOT_LIBS = $(ZLIB_LIBS) $(LZMA_LIBS) $(LZ4_LIBS) $(ZSTD_LIBS) $(XXHASH_LIBS)
LDLIBS   += $(HDF5_LIBS) $(BLAS_LIBS) $(JANSSON_LIBS) $(ROOT_LIBS) -lm

# Filled by the fragments.
PROGRAMS     :=
TEST_BINS    :=
TEST_SCRIPTS :=
BENCH_CMDS   :=
BENCH_BINS   :=
CLEAN_EXTRA  :=

.PHONY: all test test-one test-bins bench demo data install clean deps fuzz programs
all: $(DEPS_OK) programs

# The fragments, in this order: each may use the lists of those before it
# (LIB_SRCS, RT_SRCS, AEDLC_SRCS, AEDLC_OBJS) and adds to PROGRAMS, TEST_BINS,
# TEST_SCRIPTS, BENCH_CMDS.  Any other .mk of these folders is read after them.
FRAGMENTS := lib/lib.mk runtime/runtime.mk compiler/compiler.mk tools/tools.mk tests/tests.mk
include $(FRAGMENTS)
include $(filter-out $(FRAGMENTS),$(sort $(wildcard lib/*.mk runtime/*.mk compiler/*.mk tools/*.mk tests/*.mk)))

programs: $(PROGRAMS)

deps:
	@sh $(DEPS_SCRIPT)

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# `make test`: the suite, then the same suite built with ASan+UBSan in build/san.
# Builds run with JOBS parallel jobs (the machine's cores).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test:
	@$(MAKE) --no-print-directory -j$(JOBS) test-bins
	@sh tests/run.sh --label plain $(TEST_BINS) $(TEST_SCRIPTS) > $(BUILD)/test-plain.log 2>&1; \
	  grep -v '^\[plain\] PASS' $(BUILD)/test-plain.log; \
	  echo "== the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (build/san)"; \
	  { $(MAKE) --no-print-directory -j$(JOBS) BUILD=build/san SAN=1 test-bins && \
	    $(MAKE) --no-print-directory BUILD=build/san SAN=1 test-one; } > $(BUILD)/test-san.log 2>&1; \
	  grep -v '^\[san\] PASS' $(BUILD)/test-san.log | grep -Ev '^(make|gcc|g\+\+|cc|c\+\+|clang|flex|bison|ar|mkdir|rm) ' | tail -n 80; \
	  sh tests/total.sh $(BUILD)/test-plain.log $(BUILD)/test-san.log

test-bins: all $(TEST_BINS)

# One pass of the suite in $(BUILD) (used for the sanitizer pass).
test-one: test-bins
	@sh tests/run.sh --label $(if $(SAN),san,plain) $(TEST_BINS) $(TEST_SCRIPTS)

# Benchmarks: speed and memory, never part of `make test`.  Fragments add the
# programs to BENCH_BINS and the commands to BENCH_CMDS.
bench:
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BENCH_BINS)
	@set -e; for c in $(BENCH_CMDS); do echo "== $$c"; sh -c "$$c"; done

# `make demo`: the whole flow in about 10 minutes on 2 cores (examples/demo.sh
# says what each step does; DEMO_EPOCHS_FLOAT, DEMO_EPOCHS_QAT, DEMO_EPOCHS_JETS,
# DEMO_EPOCHS_NMI, DEMO_EPOCHS_VAE, DEMO_THREADS, DATA_EVENTS, SIGNAL_EVENTS change its size).
demo:
	@MAKE="$(MAKE)" BUILD="$(BUILD)" DEMO_EPOCHS_FLOAT="$(DEMO_EPOCHS_FLOAT)" \
	  DEMO_EPOCHS_QAT="$(DEMO_EPOCHS_QAT)" DEMO_EPOCHS_JETS="$(DEMO_EPOCHS_JETS)" \
	  DEMO_EPOCHS_NMI="$(DEMO_EPOCHS_NMI)" DEMO_EPOCHS_VAE="$(DEMO_EPOCHS_VAE)" \
	  DEMO_THREADS="$(DEMO_THREADS)" DATA_EVENTS="$(DATA_EVENTS)" SIGNAL_EVENTS="$(SIGNAL_EVENTS)" \
	  sh examples/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/aedl/stdlib/std \
	           $(DESTDIR)$(PREFIX)/share/aedl/runtime $(DESTDIR)$(PREFIX)/share/aedl/lib/hls \
	           $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(BUILD)/aedlc $(BUILD)/aedl-report $(BUILD)/aedl-gen $(DESTDIR)$(PREFIX)/bin/
	install -m 644 stdlib/*.aedl $(DESTDIR)$(PREFIX)/share/aedl/stdlib/std/
	install -m 644 runtime/*.h $(DESTDIR)$(PREFIX)/share/aedl/runtime/
	install -m 644 $(BUILD)/libaedlrt.a $(DESTDIR)$(PREFIX)/share/aedl/runtime/
	install -m 644 lib/*.h $(DESTDIR)$(PREFIX)/share/aedl/lib/
	install -m 644 lib/hls/*.h $(DESTDIR)$(PREFIX)/share/aedl/lib/hls/

clean:
	rm -rf build out $(CLEAN_EXTRA)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
