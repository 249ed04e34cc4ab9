# runtime/emu.mk — the firmware emulator (issue 5): the integer reference path
# (emu.c) and the exact-double fast path (emu_fast.c).
RT_SRCS += lib/emu.c lib/emu_fast.c
# The emulator's loops run over blocks of events; GCC's -O2 cost model
# ("very cheap") vectorizes only loops with a known trip count.
$(BUILD)/lib/emu.o $(BUILD)/lib/emu_fast.o: CFLAGS += -fvect-cost-model=dynamic
# The fast path's rounding loops (floor, compare-and-select) vectorize only when
# GCC may assume no floating-point traps; neither flag changes a result.
$(BUILD)/lib/emu_fast.o: CFLAGS += -fno-trapping-math -fno-math-errno
# The emulator's speed with calls of 65536 events (input and output stream
# through memory); tests/prec.mk runs the default (4096 per call, as evalrun).
BENCH_CMDS += '$(BUILD)/tests/prec/bench_emu 2000000 65536'
