# runtime/fixed.c — exact ap_fixed arithmetic (C); runtime/hls/ — the C++ ap_fixed.h/ap_int.h
# copied into generated firmware projects.
RT_SRCS += runtime/fixed.c
