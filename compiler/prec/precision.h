/* precision.h — fixed-point precision inference: the types of the firmware.
 *
 * After the passes ran, every node of the model has node->prec (struct IrPrec):
 * the types the HLS project and the firmware emulator use, the quantized
 * parameters as integer mantissas, why each width is what it is, and the
 * conservative (bit-widths-only) inference beside it for the report.
 *
 * How a node computes in firmware (the HLS code generator and lib/emu.c
 * both follow this; docs/precision.md has the details and worked examples):
 *
 *   dense      acc_j = (accum)bias_j; for i = 0..n_in-1 with w_ij != 0:
 *                acc_j += x_i * w_ij        (full-precision product, then accum)
 *              v_j = acc_j
 *   batchnorm  v_j = (accum)(x_j * scale_j + shift_j)   (unless folded: identity)
 *   relu       v_j = max(x_j, 0)            (in the input type: accum = input)
 *   leaky_relu v_j = x_j >= 0 ? x_j : alpha * x_j       (alpha: weight type, wm[0])
 *   linear, dropout  v_j = x_j
 *   add        v = (accum)(x_a + x_b + ...)
 *   concat     v = the inputs one after the other, each cast to result
 *   sigmoid, tanh, softmax  computed in double, cast to result: not guaranteed
 * then   out_j = (result)(quant)v_j  when has_quant (the model's quantizer, which
 *                                     rounds and saturates exactly as in training)
 *        out_j = (result)v_j         otherwise.
 * In bit_exact mode the accumulator holds the exact range on the exact step, so
 * "(accum)" never rounds and never overflows, and result is lossless from
 * quant (or accum): only the model's own quantizers round or saturate.
 * The accumulator uses AP_TRN/AP_WRAP: partial sums may leave its range, but
 * two's complement addition is modular, so the final sum is exact.
 */
#ifndef AEDL_PRECISION_H
#define AEDL_PRECISION_H

#include <stdbool.h>
#include <stdint.h>
#include "ir.h"
#include "fixed.h"

/* An exact range of dyadic values: [lo * 2^exp, hi * 2^exp]. */
typedef struct {
    int64_t lo, hi;
    int exp;
} IrRange;

/* Types found by one inference (the firmware's, or the conservative one). */
typedef struct {
    aedl_fixed input;       /* the node's (first) input */
    aedl_fixed weight;      /* dense: kernel; batchnorm: scale; leaky_relu: alpha */
    aedl_fixed bias;        /* dense: bias; batchnorm: shift */
    aedl_fixed accum;       /* dense, batchnorm, add, relu, leaky_relu: the value v above */
    aedl_fixed quant;       /* the model's quantizer on the output (has_quant) */
    aedl_fixed result;      /* the node's output as stored and passed on */
    bool has_weight, has_bias, has_accum, has_quant;
    double ebops;           /* sum over non-zero weights of bits(input) x bits(weight), signs excluded */
} IrPrecTypes;

typedef struct IrPrec {
    IrPrecMode mode;        /* the inference that chose `t` (bit_exact, conservative, fixed) */
    IrPrecTypes q;          /* what the model fixes (passes a and e): its quantizers, the input
                               type, float parameters' and tables' types; passes b and c start
                               from these on every run, never from an earlier run's `t` */
    IrPrecTypes t;          /* the firmware's types */
    IrPrecTypes cons;       /* the conservative inference, for the report */
    aedl_fixed *inputs; int ninputs;   /* every input's type (add, concat; = t.input otherwise) */

    /* Quantized parameters as integer mantissas (bit_exact and weights loaded;
       NULL otherwise). */
    int n_in, n_out;        /* dense: kernel (n_in, n_out); batchnorm: n_in = n_out = n */
    int64_t *wm;            /* dense: (n_in, n_out) kernel in t.weight, Keras layout, 0 = pruned;
                               batchnorm: scale (n); leaky_relu: alpha (1) */
    int64_t *bm;            /* dense: bias (n_out) in t.bias (NULL: no bias); batchnorm: shift (n) */
    bool folded_bn;         /* dense: the following batchnorm is folded into wm/bm */
    bool folded_away;       /* batchnorm: folded into the preceding dense; identity in firmware */

    /* Ranges. */
    bool has_range;         /* range is a guarantee (exact analysis) */
    IrRange range;          /* the output's guaranteed range */
    IrRange acc_range;      /* the accumulator's guaranteed range (union over neurons) */
    int widest_neuron;      /* dense: the neuron whose accumulator needs the most bits; -1 */
    IrRange widest_range;   /* its exact range */
    bool has_observed;      /* an observed range was supplied (float parts) */
    double obs_lo, obs_hi;
    bool guaranteed;        /* output equals the quantized model's exactly */

    /* Counts. */
    long nonzero;           /* non-zero weights (dense) */
    long multipliers;       /* non-zero weights that are not +-2^k (those are shifts), + batchnorm scales */

    /* Why each width is what it is ("range [-37.25, 12.5] on step 2^-10"). */
    char *why_weight, *why_bias, *why_accum, *why_result;
    char *note;             /* anything else the report should say (folding, not guaranteed) */
    char *cons_why;         /* the conservative rule that gave cons.accum / cons.result */
    bool alpha_exact;       /* leaky_relu: alpha is a multiple of its type's step (exact) */
    bool fallback_on;       /* an unquantized sum of a float part (not guaranteed): */
    aedl_fixed fallback;    /*   its result type (prec_float.c: observed range, else worst case) */
    aedl_fixed fallback_acc;/*   its accumulator type (worst-case integer bits, rounded fraction) */
    bool fallback_obs;      /*   fallback's integer bits come from the observed range */
    bool fallback_capped;   /*   a type was capped at 64 bits: may overflow */
    bool exact_too_wide;    /* bit_exact: an exact type would need > 64 bits (prec_float_promote) */
} IrPrec;

/* An observed range for an unquantized part (by layer name; "input" also names
   the model's input), from training data (aedlc --observed FILE). */
typedef struct IrObserved {
    const char *layer;
    double lo, hi;
} IrObserved;

/* ---- the passes (compiler/prec/prec_*.c), in pipeline order -------------------------- */

/* a. Types the quantizers fix: weight/bias/quant slots, input types (prec_quant.c). */
void prec_quant(IrModel *m, const IrTarget *t);
/* b. Conservative width rules from bit widths alone (prec_conservative.c).
      Fills prec->cons everywhere, and prec->t when the target asks for it. */
void prec_conservative(IrModel *m, const IrTarget *t);
/* d. Batchnorm in inference: quantize scale/shift, decide folding (prec_batchnorm.c).
      Needs weights; no-op without them. */
void prec_batchnorm(IrModel *m, const IrTarget *t);
/* c. Exact interval analysis on the quantized, pruned weights (prec_exact.c).
      Needs weights (weights.h); without them the conservative types stay. */
void prec_bit_exact(IrModel *m, const IrTarget *t);
/* e. Unquantized (float) parts: types from observed ranges, "not guaranteed"
      (prec_float.c). obs may be NULL. */
void prec_float(IrModel *m, const IrTarget *t, const IrObserved *obs, int nobs);
/* After c: the unquantized sums marked exact_too_wide become float parts (their
   types by the float-part rules, "not guaranteed", a warning at the layer).
   Returns how many; the caller runs b and c again. */
int prec_float_promote(IrModel *m, const IrTarget *t);

/* The rule for the types of a float part's sum (prec_float.c, docs/precision.md):
   v holds every value of the sum exactly (worst case: conservative rule or exact
   range), exact_frac its exact fraction bits, terms the number of additions.
   Sets p->fallback (result, unless observed) and p->fallback_acc. */
void prec_float_sum_types(IrPrec *p, const IrTarget *t, int int_bits, bool is_signed, int exact_frac, int terms);
/* The type of float parameters (weights or biases of a dense without quantizer). */
aedl_fixed prec_float_param_type(const float *v, long n, const IrTarget *t);
/* A float bias rounded to at most `frac` fraction bits (the products' step),
   so that a float part's accumulator holds it exactly. */
aedl_fixed prec_float_on_step(aedl_fixed b, int frac);

/* All of them in order with ir_verify between (prec_run.c).  t may be NULL
   (the defaults of a target block: ir_target_default).  Returns the number of errors reported. */
int infer_precision(IrProgram *p, IrModel *m, const IrTarget *t,
                    const IrObserved *obs, int nobs);

/* The firmware plan for the runtime emulator (plan.c): needs the quantized
   parameters (weights loaded).  NULL and a message in err otherwise. */
struct aedl_fw_plan;
struct aedl_fw_plan *plan_build(const IrModel *m, char *err, int errn);
/* The same for target t (NULL: the defaults): with output = score, the score
   layers follow the model's (score: the train block's; mu2: only the layers the
   sample layer's mean depends on, then the sum of the squared means). */
struct aedl_fw_plan *plan_build_for(const IrModel *m, const IrTarget *t, IrLoss score, char *err, int errn);
/* The layers the firmware computes (used, m->nnodes by id), for target t and the train block's score. */
void plan_used_nodes(const IrModel *m, const IrTarget *t, IrLoss score, bool *used);
/* The model's sample layer, or NULL. */
const IrNode *plan_sample_node(const IrModel *m);
/* The score step's types (plan.c), with the reasons defines.h and the report give. */
typedef struct {
    int n;
    bool masked;
    aedl_fixed diff, square, sum, count, result;
    char why_diff[256], why_sum[256], why_count[128];
} PlanScore;
bool plan_score_types(aedl_fixed r, aedl_fixed x, int n, bool masked, PlanScore *st, char *err, int errn);
/* score = mu2: the squares' type (square, also in diff) and the sum's (sum, result) from the means' type m. */
bool plan_mu2_types(aedl_fixed m, int n, PlanScore *st, char *err, int errn);

/* DIR/report/precision.{txt,json,html} (emit_report.c), from the finished IR.
   Returns 0, or -1 after printing why. */
struct aedl_fw_plan;
/* score: the train block's (with output = score and score = mu2 the firmware is the encoder);
   plan: the firmware plan (its hardware inputs' stage is reported), or NULL. */
int emit_report(const IrModel *m, const IrTarget *t, IrLoss score, const char *dir, const char *weights_path,
                const struct aedl_fw_plan *plan);

/* Frees every node's prec (node->prec = NULL). */
void prec_free(IrModel *m);

/* The batchnorm parameter type of docs/semantics.md: fixed<16,6,rnd_conv,sat>. */
aedl_fixed prec_bn_param_type(void);
/* "fixed<21,8>" / "ufixed<8,0,rnd_conv,sat>" into buf; returns buf. */
char *prec_type_str(aedl_fixed t, char *buf, int n);
/* "[-37.25, 12.5] on step 2^-10" into buf; returns buf. */
char *prec_range_str(IrRange r, char *buf, int n);

#endif
