# compiler/prec.mk — precision inference (issue 5): weights, the passes, the
# firmware plan, the report.
AEDLC_SRCS += compiler/weights.c compiler/prec_common.c compiler/prec_quant.c \
              compiler/prec_float.c compiler/prec_conservative.c compiler/prec_exact.c \
              compiler/prec_batchnorm.c compiler/prec_run.c compiler/plan.c \
              compiler/emit_report.c
