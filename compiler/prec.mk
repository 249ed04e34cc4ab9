# compiler/prec.mk — precision inference (issue 5): weights, the passes, the
# firmware plan, the report.
AEDLC_SRCS += compiler/prec/weights.c compiler/prec/prec_common.c compiler/prec/prec_quant.c \
              compiler/prec/prec_float.c compiler/prec/prec_conservative.c compiler/prec/prec_exact.c \
              compiler/prec/prec_batchnorm.c compiler/prec/prec_run.c compiler/prec/plan.c \
              compiler/emit/emit_report.c
