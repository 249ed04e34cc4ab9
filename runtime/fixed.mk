# lib/fixed.c — exact ap_fixed arithmetic (C); lib/hls/ — the C++ ap_fixed.h/ap_int.h
# copied into generated firmware projects.
RT_SRCS += lib/fixed.c
