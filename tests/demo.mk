# tests/demo.mk — `make demo` (examples/demo.sh) and build/aedl-report, the plots
# and index.html of a training run (runtime/report/, issue 7); the test that opens
# index.html in headless Chromium (tests/report/).
REPORT_SRCS := runtime/report/main.c runtime/report/json.c runtime/report/plots.c \
               runtime/report/html.c runtime/report/weights_read.c
REPORT_OBJS := $(REPORT_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/aedl-report: $(REPORT_OBJS) $(BUILD)/libaedlrt.a
	$(CC) $(LDFLAGS) $(REPORT_OBJS) $(BUILD)/libaedlrt.a $(LDLIBS) -o $@
PROGRAMS += $(BUILD)/aedl-report
