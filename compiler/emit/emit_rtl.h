/* emit_rtl.h — `aedlc FILE --emit rtl [-o DIR] [--weights W.h5]` (emit_rtl.c):
 * writes DIR/rtl/, Verilog-2005 of the latency design computed from the
 * firmware plan (lib/emu.h), bit for bit what the emulator and the HLS C
 * simulation compute (docs/rtl.md).
 */
#ifndef AEDL_EMIT_RTL_H
#define AEDL_EMIT_RTL_H
#include <stdbool.h>
#include "ir.h"

struct aedl_fw_plan;

typedef struct {
    const char *outdir;        /* -o DIR: the design goes to DIR/rtl */
    struct aedl_fw_plan *plan; /* the firmware plan, or NULL: plan_err says why */
    const char *plan_err;
    bool zero_weights;         /* the plan holds zero weights: no trained weights were given */
    bool dsp;                  /* constant products as `x * C` (DSP blocks) instead of shift-add trees */
    int tb_events;             /* pseudo-random testbench events; <= 0: 200 */
} EmitRtlOptions;

/* Writes the design of model m for target t (the file's, or ir_target_default's)
   from the plan.  Runs no pass.  A layer the emitter cannot build (a float part,
   softmax, a table activation) is an error at its .aedl line, and nothing is
   written.  Returns 0, or -1 after reporting. */
int emit_rtl(const IrProgram *p, IrModel *m, const IrTarget *t, const EmitRtlOptions *o);

#endif
