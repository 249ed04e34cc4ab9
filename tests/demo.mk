# tests/demo.mk — `make demo` (examples/demo.sh) and build/aedl-report, the plots
# and index.html of a training run (tools/report/, issue 7); the test that opens
# index.html in headless Chromium (tests/report/).
REPORT_SRCS := tools/report/main.c tools/report/json.c tools/report/plots.c \
               tools/report/html.c tools/report/weights_read.c
REPORT_OBJS := $(REPORT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/aedl-report: $(REPORT_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) $(REPORT_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS) -o $@
PROGRAMS += $(BUILD)/aedl-report

# `make demo`: the whole flow in about 10 minutes on 2 cores (examples/demo.sh
# says what each step does; DEMO_EPOCHS_FLOAT, DEMO_EPOCHS_QAT, DEMO_EPOCHS_JETS,
# DEMO_THREADS, DATA_EVENTS, SIGNAL_EVENTS change its size).
demo:
	@MAKE="$(MAKE)" BUILD="$(BUILD)" DEMO_EPOCHS_FLOAT="$(DEMO_EPOCHS_FLOAT)" \
	  DEMO_EPOCHS_QAT="$(DEMO_EPOCHS_QAT)" DEMO_EPOCHS_JETS="$(DEMO_EPOCHS_JETS)" \
	  DEMO_THREADS="$(DEMO_THREADS)" DATA_EVENTS="$(DATA_EVENTS)" SIGNAL_EVENTS="$(SIGNAL_EVENTS)" \
	  sh examples/demo.sh

# The report of a small run opened in headless Chromium (every image loads).
TEST_SCRIPTS += tests/report/index.sh
