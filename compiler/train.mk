# compiler/train.mk — `aedlc --emit train`: the training-program emitter.
AEDLC_SRCS += compiler/emit/emit_train.c
