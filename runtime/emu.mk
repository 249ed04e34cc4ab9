# runtime/emu.mk — the firmware emulator (issue 5).
RT_SRCS += runtime/emu.c
# The emulator's loops run over blocks of 64 events; GCC's -O2 cost model
# ("very cheap") vectorizes only loops with a known trip count.
$(BUILD)/runtime/emu.o: CFLAGS += -fvect-cost-model=dynamic
