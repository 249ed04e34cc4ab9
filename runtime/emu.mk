# runtime/emu.mk — the firmware emulator (issue 5).
RT_SRCS += runtime/emu.c
