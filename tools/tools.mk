# tools/ — two programs beside aedlc, each in its own folder, linking lib/:
#   gen/     build/aedl-gen, toy ADC2021-format events (docs/data.md)
#   report/  build/aedl-report, the plots and index.html of a training run
GEN_SRCS := tools/gen/main.c tools/gen/kin.c tools/gen/physics.c \
            tools/gen/detector.c tools/gen/output.c
GEN_OBJS := $(GEN_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/aedl-gen: $(GEN_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) $(GEN_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS) -o $@

REPORT_SRCS := tools/report/main.c tools/report/json.c tools/report/plots.c \
               tools/report/html.c tools/report/weights_read.c tools/report/scan.c
REPORT_OBJS := $(REPORT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/aedl-report: $(REPORT_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) $(REPORT_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS) -o $@

PROGRAMS += $(BUILD)/aedl-gen $(BUILD)/aedl-report

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
