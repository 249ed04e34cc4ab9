# runtime/data.mk — the data loader (libaedlrt), the shared RNG, and the
# ADC2021-format event generator build/aedl-gen; `make data`; data benchmarks.
RT_SRCS += lib/rng.c runtime/data.c runtime/data_h5.c runtime/data_csv.c runtime/data_scale.c

# aedl-gen: toy ADC2021-format events (tools/gen/, see docs/data.md).
GEN_SRCS := tools/gen/main.c tools/gen/kin.c tools/gen/physics.c \
            tools/gen/detector.c tools/gen/output.c
GEN_OBJS := $(GEN_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/aedl-gen: $(GEN_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) $(GEN_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS) -o $@
PROGRAMS += $(BUILD)/aedl-gen

# `make data`: the demo set in data/ (background DATA_EVENTS events, each signal
# SIGNAL_EVENTS, jets.h5/jets.csv).  Regenerated when aedl-gen or the sizes change.
DATA_EVENTS   ?= 1000000
SIGNAL_EVENTS ?= 100000
DATA_SEED     ?= 1
DATA_STAMP    := data/.aedl-gen-$(DATA_EVENTS)-$(SIGNAL_EVENTS)-$(DATA_SEED)
data: $(DATA_STAMP)
$(DATA_STAMP): $(BUILD)/aedl-gen
	$(BUILD)/aedl-gen --all data --events $(DATA_EVENTS) --signal-events $(SIGNAL_EVENTS) --seed $(DATA_SEED)
	@rm -f data/.aedl-gen-*
	@touch $@

# `make bench`: generator and loader throughput, loader peak memory.
bench: $(BUILD)/tests/data/bench_data
BENCH_CMDS += '$(BUILD)/tests/data/bench_data'
