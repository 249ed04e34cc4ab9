# compiler/hls.mk — `aedlc --emit hls`: the HLS project writer (issue 6).
AEDLC_SRCS += compiler/emit/emit_hls.c compiler/emit/emit_hls_fw.c
