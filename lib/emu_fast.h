/* emu_fast.h — the emulator's fast path (internal to emu.c; see emu_fast.c).
 *
 * Every value of the plan is held as a double equal to its exact fixed-point
 * value (mantissa * 2^exp).  emu_fast_prepare proves from the types and the
 * integer parameters that every value, product, partial sum and rounding step
 * is exact in a double; a plan it cannot prove (or with an operation it does
 * not do: a dense accumulator that is not summed modularly) gets NULL and runs
 * on the integer reference path.
 */
#ifndef AEDL_EMU_FAST_H
#define AEDL_EMU_FAST_H

#include "emu.h"

typedef struct emu_fast emu_fast;

/* The prepared fast form of a plan that aedl_fw_prepare accepted, or NULL. */
emu_fast *emu_fast_prepare(const aedl_fw_plan *p);
void emu_fast_free(emu_fast *f);

/* Events [lo, hi) of the input (float `in` (n, d_in) or mantissas `min`)
   into output k's outs[k] (row stride ostride[k]; outs NULL: none) and/or mout
   mantissas (n, d_out); one thread's share. */
void emu_fast_run(const emu_fast *f, const aedl_fw_plan *p, const float *in, const int64_t *min,
                  double *const *outs, const long *ostride, int64_t *mout, long lo, long hi);

/* Whether mantissas min (n, d_in) all lie in the input type's range (the fast
   path's premise; out-of-range mantissas go to the reference path). */
bool emu_fast_inputs_ok(const aedl_fw_plan *p, const int64_t *min, long n);

/* The fast path rounds ties to even with nearbyint: it needs the default
   floating-point rounding mode (otherwise the reference path runs). */
bool emu_fast_env_ok(void);

#endif
