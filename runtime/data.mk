# runtime/data.mk — the data loader (libaedlrt), the shared RNG, and the
# ADC2021-format event generator build/aedl-gen; `make data`; data benchmarks.
RT_SRCS += runtime/rng.c runtime/data.c runtime/data_h5.c runtime/data_csv.c runtime/data_scale.c
