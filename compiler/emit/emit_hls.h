/* emit_hls.h — `aedlc FILE --emit hls [-o DIR] [--weights W.h5]` (emit_hls*.c):
 * writes DIR/hls/, an HLS project laid out as hls4ml users know it
 * (docs/hls.md), whose C simulation (`make csim`, plain g++) equals the
 * firmware emulator (lib/emu.h) bit for bit.
 */
#ifndef AEDL_EMIT_HLS_H
#define AEDL_EMIT_HLS_H
#include <stdbool.h>
#include "ir.h"

typedef struct {
    const char *outdir;        /* -o DIR: the project goes to DIR/hls */
    const char *weights;       /* --weights FILE.h5, or NULL: zero weights (see docs/hls.md) */
    const char *ap_dir;        /* folder holding ap_fixed.h and ap_int.h; NULL: found next to aedlc */
    int tb_events;             /* pseudo-random testbench events; <= 0: 200 */
    bool quiet;                /* no note on stderr when weights are missing */
    bool weights_later;        /* --emit train too: its program writes hls/ again after training, so
                                  conservative types too wide for hls/ now are a warning, not an error */
} EmitHlsOptions;

/* Loads the weights (when given and not loaded yet), runs the precision
   passes (when not run yet) for target t (NULL: the defaults of a target
   block), and writes the project.  Returns 0, or -1 after reporting
   (diagnostics with the .aedl location, or "aedlc: error: ..."). */
int emit_hls(IrProgram *p, IrModel *m, const IrTarget *t, const EmitHlsOptions *o);

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
