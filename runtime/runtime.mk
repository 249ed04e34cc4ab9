# runtime/ — the training runtime every generated MODEL_train links (train.h):
# the data loader, quantizers, pruning, Adam + callbacks, metrics, the training
# loop, checkpoints, weights file and evaluation.  build/libaedlrt.a holds it
# with lib/; the compiler links the archive too (the HDF5 reader for weights
# files, the training quantizers' parameters).
RT_SRCS := runtime/data.c runtime/data_h5.c runtime/data_csv.c runtime/data_scale.c runtime/data_prep.c \
           runtime/root_file.c runtime/root_tree.c runtime/root_zip.c runtime/data_sel.c runtime/data_sel_out.c \
           runtime/quant.c runtime/prune.c runtime/optim.c runtime/metrics.c \
           runtime/train.c runtime/train_io.c runtime/h5mem.c runtime/train_home.c runtime/ckpt.c runtime/evalrun.c runtime/predict.c \
           runtime/train_quant.c runtime/train_par.c runtime/lanes.c

# The fast quantizers are plain loops that GCC vectorizes at -O3 only (and, for
# the selects of rnd, only when it may ignore FP exception flags: values unchanged).
$(BUILD)/runtime/train_quant.o: OPT = -O3 -fno-trapping-math
# The same for the double quantizers' fast path (quant.c).
$(BUILD)/runtime/quant.o: OPT = -O3 -fno-trapping-math
# The data-parallel step's fused kernels (train_par.h): same flags as the quantizers.
$(BUILD)/runtime/train_par.o: OPT = -O3 -fno-trapping-math
# The float model in lanes (lanes.h): the transposes and the FMA kernel.
$(BUILD)/runtime/lanes.o: OPT = -O3
# Adam's loop vectorizes with sqrtf inline (no errno: sqrt of a sum of squares).
$(BUILD)/runtime/optim.o: OPT = -O3 -fno-math-errno

RT_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(RT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libaedlrt.a: $(RT_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^
PROGRAMS += $(BUILD)/libaedlrt.a
