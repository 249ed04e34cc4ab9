/* prec_common.h — what the precision passes share (prec_common.c): exact
 * dyadic ranges in __int128, the smallest type for a range, quantized
 * parameters, and text for the report; what the kinds' rules (rules.c) read
 * and set.  Internal to compiler/prec/, the emitters and emit_report.c.
 */
#ifndef AEDL_PREC_COMMON_H
#define AEDL_PREC_COMMON_H

#include <stdbool.h>
#include "precision.h"
#include "kinds.h"
#include "weights.h"

typedef __int128 i128;

/* Exact per-element ranges of a node's output: [lo[k], hi[k]] * 2^e. */
typedef struct PrecVals {
    int n;
    i128 *lo, *hi;
    int e;
} PrecVals;

/* The node's IrPrec, allocated (zeroed) on first use. */
IrPrec *prec_get(IrNode *n);
/* printf into fresh memory. */
char *prec_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Appends to *note ("; " between parts). */
void prec_note(IrPrec *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The target's default type (fixed<16,6> without a target). */
/* t, or the target of a file without a target block (ir_target_default) when NULL. */
const IrTarget *prec_target(const IrTarget *t);
aedl_fixed prec_default_type(const IrTarget *t);
/* A type with modes AEDL_TRN / AEDL_WRAP (storage and accumulators). */
aedl_fixed prec_plain(aedl_fixed t);
/* Magnitude bits: W minus the sign bit. */
int prec_mag_bits(aedl_fixed t);
/* The step exponent I - W. */
static inline int prec_exp(aedl_fixed t) { return t.integer - t.width; }

/* The smallest type (TRN, WRAP) holding [lo, hi] * 2^e; width 0 when wider than 64
   (63 unsigned: the emulator holds mantissas in int64). */
aedl_fixed prec_type_for(i128 lo, i128 hi, int e);
/* m * 2^k for k >= 0; sets *ovf when it leaves +-2^120. */
i128 prec_shl(i128 m, int k, bool *ovf);
i128 prec_mul(i128 a, i128 b, bool *ovf);
i128 prec_add(i128 a, i128 b, bool *ovf);
/* Trailing zero bits of m != 0 (0 for m == 0). */
int prec_tz(i128 m);
/* The range of the results of a conversion into t, as mantissas (fixed.h). */
void prec_type_range(aedl_fixed t, i128 *lo, i128 *hi);
/* m * 2^e cast to t (t's rounding and overflow): a mantissa of t. */
i128 prec_cast(i128 m, int e, aedl_fixed t);
/* The quantizer's image of [lo, hi] * 2^e: rounding and saturation are
   monotone; a wrapping type that overflows gives its full range. */
void prec_cast_range(i128 lo, i128 hi, int e, aedl_fixed t, i128 *qlo, i128 *qhi);

/* Every value of `vals` as a double would be exact (for QI in double). */
double prec_val(i128 m, int e);

/* Quantized parameters in type t: kernel*mask (n_in*units), bias (units);
   batchnorm scale and shift (n) as the runtime defines them
   (aedl_batchnorm_fold_f64), then quantized to t. */
int64_t *prec_quant_kernel(const IrParams *p, aedl_fixed t);
int64_t *prec_quant_bias(const IrParams *p, aedl_fixed t);
void prec_bn_params(const IrNode *bn, aedl_fixed t, int64_t **scale, int64_t **shift);
/* leaky_relu alpha: its type (the batchnorm parameter type's step, trimmed)
   and mantissa; *exact when alpha is a multiple of that step. */
aedl_fixed prec_alpha_type(double alpha, int64_t *m, bool *exact);
/* The value of alpha in that type: the leaky_relu slope training, quantized
   inference and firmware all use (0.3 -> 0.2998046875), so that the firmware
   equals the quantized model whatever alpha is written. */
double prec_alpha_value(double alpha);
/* clip: lo and hi are used on the 2^-10 step (rounded to nearest, as
   leaky_relu's alpha) in training, quantized inference and firmware alike:
   their mantissas at exponent *e (common trailing zeros dropped), and the
   value of a bound there. */
void prec_clip_bounds(const IrNode *n, int64_t *lo, int64_t *hi, int *e);
double prec_clip_value(double b);
/* The range of clip's output for inputs in [xl, xh] at exponent xe: [*lo, *hi]
   at exponent *e, the finer of xe and the bounds'. */
void prec_clip_range(const IrNode *n, i128 xl, i128 xh, int xe, i128 *lo, i128 *hi, int *e);
/* bound: k of a tanh rule is used on the 2^-10 step (rounded to nearest, as
   clip's bounds) by training, quantized inference and firmware alike; its
   value there.  prec_bound_ks: feature j's factor as a mantissa (0 for relu
   and unbounded features) at exponent *e (common trailing zeros dropped),
   modes[j] its IrBoundMode; returns the factors' type. */
double prec_bound_value(double k);
aedl_fixed prec_bound_ks(const IrNode *n, int64_t *ks, int64_t *modes, int *e);
/* sigmoid / tanh: the type of their lookup table and result (lib/nn.h):
   sigmoid ufixed<W_D, 0, rnd, sat>, tanh fixed<W_D, 1, rnd, sat>, W_D the
   target's default width. */
aedl_fixed prec_act_table_type(IrOp op, const IrTarget *t);

/* ---- what the rules of the kinds (rules.c) share with the passes' drivers ---- */

/* Pass b (prec_conservative.c): a width rule reads the node's slots c (pass
   a's types copied from q), x (the first input's type), the default type and
   the mode; it sets c's weight, bias and accum, v (the value before the
   quantizer) and why (allocated), and says how the driver treats the kind. */
typedef struct PrecCons {
    IrPrec *p;
    IrPrecTypes *c;
    const IrPrecTypes *q;
    aedl_fixed x, def;
    IrPrecMode mode;
    aedl_fixed v;
    char *why;
    int terms;                  /* additions per value, for a float part's types (1 unless set) */
    bool result_as_is;          /* the result is v itself, not its plain type (input, tables, softmax) */
    bool identity;              /* precision = fixed: the result is the input (dropout) */
    bool fixed_accum_input;     /* precision = fixed: computed in the input's type (relu, linear) */
    bool fixed_exact;           /* precision = fixed: still exact (no default type on the way) */
} PrecCons;

/* Pass c (prec_exact.c): its state and the helpers the exact rules use. */
typedef struct PrecEx {
    PrecVals *v;            /* per node, by id */
    bool ovf;
    int errors;
    const IrTarget *t;
    bool too_wide;          /* a node was marked exact_too_wide: stop, prec_run promotes it */
} PrecEx;
void prec_vals_init(PrecVals *v, int n, int e);
void prec_vals_free(PrecVals *v);
void prec_vals_union(const PrecVals *v, i128 *lo, i128 *hi);
/* The exact values of the node's input k. */
const PrecVals *prec_in_vals(PrecEx *x, const IrNode *n, int k);
/* Every value of t, n times. */
void prec_full_range(PrecVals *out, int n, aedl_fixed t);
/* An IrRange (int64 mantissas) holding [lo, hi] * 2^e. */
IrRange prec_to_range(i128 lo, i128 hi, int e);
/* Text of a range and of a type, allocated. */
char *prec_rstr(i128 lo, i128 hi, int e);
char *prec_tstr(aedl_fixed t);
/* The smallest type of [lo, hi] * 2^e for `what` of node n (an error, or a
   float part, when wider than 64 bits). */
aedl_fixed prec_need_type(PrecEx *x, IrNode *n, const char *what, i128 lo, i128 hi, int e);
/* v[0..n) at exponent *e: the common trailing zeros dropped, the smallest type. */
aedl_fixed prec_tighten(int64_t *v, long n, int *e);
bool prec_is_pow2(int64_t m);
/* The accumulator type from the ranges v (terms additions; what: allocated, taken). */
void prec_set_acc(PrecEx *x, IrNode *n, IrPrec *p, const PrecVals *v, int terms, char *what);
/* The quantizer (if any) on v, the result type and out. */
void prec_finish(PrecEx *x, IrNode *n, IrPrec *p, const PrecVals *v, PrecVals *out);

/* Pass e (prec_float.c): the observed range's type, one more integer bit,
   def's fraction bits, rnd, sat. */
aedl_fixed prec_from_observed(double lo, double hi, aedl_fixed def);

/* dense, batchnorm, add, leaky_relu: the layers that sum (their exact types grow). */
bool prec_is_sum(const IrNode *n);
/* Nodes that read node n (its consumers) and how many. */
int prec_consumers(const IrModel *m, const IrNode *n, IrNode **first);
/* Whether the node's parameters are loaded (dense, batchnorm) or not needed. */
bool prec_has_params(const IrNode *n);

#endif
