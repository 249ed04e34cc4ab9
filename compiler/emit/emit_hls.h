/* emit_hls.h — `aedlc FILE --emit hls [-o DIR] [--weights W.h5]` (emit_hls*.c):
 * writes DIR/hls/, an HLS project laid out as hls4ml users know it
 * (docs/hls.md), whose C simulation (`make csim`, plain g++) equals the
 * firmware emulator (lib/emu.h) bit for bit.
 */
#ifndef AEDL_EMIT_HLS_H
#define AEDL_EMIT_HLS_H
#include <stdbool.h>
#include "ir.h"

struct aedl_fw_plan;

typedef struct {
    const char *outdir;        /* -o DIR: the project goes to DIR/hls */
    const char *weights;       /* --weights FILE.h5 (named in hls_config.json), or NULL */
    struct aedl_fw_plan *plan; /* the firmware plan (compiler/plan.c), or NULL: plan_err says why */
    const char *plan_err;
    bool zero_weights;         /* the plan holds zero weights: no trained weights were given */
    const char *ap_dir;        /* folder holding ap_fixed.h and ap_int.h; NULL: found next to aedlc */
    int tb_events;             /* pseudo-random testbench events; <= 0: 200 */
    bool quiet;                /* no note on stderr when weights are missing */
    bool weights_later;        /* --emit train too: the flow writes hls/ again after training, so
                                  conservative types too wide for hls/ now are a warning, not an error */
} EmitHlsOptions;

/* Writes the project of model m for target t (the file's, or ir_target_default's)
   from the finished IR (precision inference ran) and the plan.  Runs no pass.
   Returns 0, or -1 after reporting (diagnostics with the .aedl location, or
   "aedlc: error: ..."). */
int emit_hls(const IrProgram *p, IrModel *m, const IrTarget *t, const EmitHlsOptions *o);

/* The firmware checks that need no weights, run before anything is written when
   hls is emitted (hls_now) or when the training program will write hls/ after
   training (--emit train, for a quantized model or one with a target block):
   the target's and names' limits, an input type and the weight and bias types
   of at most 53 bits, and, with precision conservative or fixed<...> (types the
   weights do not change), every stored type.  Diagnostics at the .aedl
   locations; returns how many. */
int emit_hls_check(const IrModel *m, const IrTarget *t, bool hls_now);

/* hls4ml's rule for a dense layer's reuse factor (its _validate_reuse_factor):
   rf divides n_in*n_out, and either rf < n_in with ceil(n_in*n_out/rf) a
   multiple of n_out, or rf a multiple of n_in. */
bool hls_reuse_factor_valid(long n_in, long n_out, long rf);

#endif
