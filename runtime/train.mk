# runtime/train.mk — the generic training driver that every generated
# MODEL_train links (train.h): loop, checkpoints, weights file, evaluation.
RT_SRCS += runtime/train.c runtime/train_io.c runtime/train_home.c runtime/ckpt.c runtime/evalrun.c
RT_SRCS += runtime/train_quant.c
# The fast quantizers are plain loops that GCC vectorizes at -O3 only (and, for
# the selects of rnd, only when it may ignore FP exception flags: values unchanged).
$(BUILD)/runtime/train_quant.o: OPT = -O3 -fno-trapping-math
# The data-parallel step's fused kernels (train_par.h): same flags as the quantizers.
RT_SRCS += runtime/train_par.c
$(BUILD)/runtime/train_par.o: OPT = -O3 -fno-trapping-math
# The layers' elementwise loops (nn.h) vectorize at -O3 only; no change of
# values (no fast-math, and -std=c11 keeps contractions off).
$(BUILD)/lib/layers.o: OPT = -O3
# Adam's loop vectorizes with sqrtf inline (no errno: sqrt of a sum of squares).
$(BUILD)/runtime/optim.o: OPT = -O3 -fno-math-errno
