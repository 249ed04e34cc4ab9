# lib/ — the code the compiler, the runtime and the tools all link: exact
# fixed-point arithmetic (fixed.c; lib/hls/ holds the same rules in C++ for the
# firmware projects), the firmware emulator (emu.c: the integer reference path,
# emu_fast.c: the exact-double fast path), the layers' arithmetic (layers.c,
# nn.h), the shared RNG, process handling and utilities.  Archived with the
# runtime into libaedlrt.a (runtime/runtime.mk).
LIB_SRCS := lib/util.c lib/proc.c lib/rng.c lib/fixed.c lib/emu.c lib/emu_fast.c lib/layers.c lib/qvalue.c

# The emulator's loops run over blocks of events; GCC's -O2 cost model
# ("very cheap") vectorizes only loops with a known trip count.
$(BUILD)/lib/emu.o $(BUILD)/lib/emu_fast.o: CFLAGS += -fvect-cost-model=dynamic
# The fast path's rounding loops (floor, compare-and-select) vectorize only when
# GCC may assume no floating-point traps; neither flag changes a result.
$(BUILD)/lib/emu_fast.o: CFLAGS += -fno-trapping-math -fno-math-errno
# The layers' elementwise loops (nn.h) vectorize at -O3 only; no change of
# values (no fast-math, and -std=c11 keeps contractions off).
$(BUILD)/lib/layers.o: OPT = -O3
