# compiler/hls.mk — `aedlc --emit hls`: the HLS project writer (issue 6).
AEDLC_SRCS += compiler/emit_hls.c compiler/emit_hls_fw.c
