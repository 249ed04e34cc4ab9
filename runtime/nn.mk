# runtime/nn.mk — the numeric runtime of the training executable: layers,
# losses, initialisers (layers.c), quantizers, pruning, Adam + callbacks, metrics.
RT_SRCS += lib/layers.c runtime/quant.c runtime/prune.c runtime/optim.c runtime/metrics.c
