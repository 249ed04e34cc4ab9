/* prec_float.c — pass e: the unquantized (float) parts of a model.
 *
 * What training computes in floating point cannot be matched exactly by
 * fixed-point firmware; these parts get types by the rules below and are
 * marked "not guaranteed" (docs/precision.md, "Float parts").  D is the
 * target's default type (fixed<16,6> unless `precision = fixed<W,I>`), FD its
 * fraction bits.
 *
 *   - float weights (a dense without a weight quantizer), and biases likewise:
 *     with `precision = fixed<W,I>` that type (hls4ml's behaviour); otherwise a
 *     per-layer fixed<W_D, I> with I = the integer bits of the layer's largest
 *     |w| (floor(log2 max|w|) + 2), rnd_conv, sat: D's width, the most
 *     fraction bits the values allow;
 *   - an input without a declared type: the observed range's type (below),
 *     else D;
 *   - softmax: ufixed<W_D,1> (rnd, sat), or the observed range's type
 *     (sigmoid and tanh are tables, exact: prec_act_table_type);
 *   - an unquantized sum (dense, batchnorm, add, leaky_relu) downstream of a
 *     float part (prec_float_sum_types):
 *       accumulator  integer bits of the worst case (the exact range of the
 *                    firmware's own arithmetic with weights, the conservative
 *                    rule without), the terms' exact step: it never rounds
 *                    (a float bias is rounded to the products' step first);
 *                    AP_TRN, AP_WRAP.  Wider than 64 bits: 64, the terms
 *                    truncated (at least FD + ceil(log2 terms) fraction bits,
 *                    one more integer bit), integer bits capped last ("may
 *                    overflow");
 *       result       fixed<I + FD, I, rnd, sat>, I from the observed range
 *                    (--observed) with one more integer bit as margin (x2),
 *                    but never more than the worst case; without an observed
 *                    range the worst case itself (never overflows); at most
 *                    2 W_D (and 64) bits: a capped result saturates.
 *     A saturating result bounds what the next layers see, so their
 *     worst-case ranges stay finite.
 * The per-kind parts are in rules.c (prec_float_KIND).
 * Everything after a float part keeps exact types for the firmware's own
 * arithmetic where it can, but its values may differ from training's, so it
 * is not guaranteed either (prec_run.c propagates the flag).
 */
#include <math.h>
#include <string.h>
#include "nn.h"
#include "kinds.h"
#include "prec_common.h"

static const IrObserved *find_obs(const IrNode *n, const IrObserved *obs, int nobs) {
    for (int k = 0; k < nobs; k++)
        if (obs[k].layer && (strcmp(obs[k].layer, n->name) == 0 ||
                             (n->op == OP_INPUT && strcmp(obs[k].layer, "input") == 0)))
            return &obs[k];
    return NULL;
}

static int frac_bits(aedl_fixed t) { return t.width - t.integer; }

/* Signed integer bits I so that every |x| <= mx fits fixed<., I> (x < 2^(I-1)). */
static int int_bits_for(double mx) {
    if (!(mx > 0)) return 1;
    int I = (int)floor(log2(mx)) + 2;
    while (I > -60 && ldexp(1.0, I - 2) > mx) I--;     /* guard against log2 rounding */
    while (I < 200 && ldexp(1.0, I - 1) <= mx) I++;
    return I;
}

/* The observed range's type: one more integer bit (x2), FD fraction bits, rnd, sat. */
aedl_fixed prec_from_observed(double lo, double hi, aedl_fixed def) {
    double mx = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
    int F = frac_bits(def);
    int I = int_bits_for(mx) + 1;
    if (I > 64 - F) I = 64 - F;
    if (I + F < 2) F = 2 - I;
    return (aedl_fixed){I + F, I, true, AEDL_RND, AEDL_SAT};
}

/* Float parameters: the default type with `precision = fixed<...>`, else the
   default width with the integer bits of the largest |value|. */
static aedl_fixed for_values(const float *v, long n, aedl_fixed def, const IrTarget *t) {
    if (t && t->precision == PREC_FIXED) return (aedl_fixed){def.width, def.integer, true, AEDL_RND_CONV, AEDL_SAT};
    double mx = 0;
    for (long k = 0; k < n; k++) if (fabs((double)v[k]) > mx) mx = fabs((double)v[k]);
    return (aedl_fixed){def.width, int_bits_for(mx), true, AEDL_RND_CONV, AEDL_SAT};
}

aedl_fixed prec_float_param_type(const float *v, long n, const IrTarget *t) {
    return for_values(v, n, prec_default_type(t), t);
}

aedl_fixed prec_float_on_step(aedl_fixed b, int frac) {
    if (b.width - b.integer <= frac) return b;
    b.width = b.integer + frac;
    if (b.width < 2) { b.width = 2; b.integer = 2 - frac; }
    return b;
}

static int ceil_log2(long n) { int c = 0; while ((1L << c) < n) c++; return c; }

void prec_float_sum_types(IrPrec *p, const IrTarget *t, int I, bool is_signed, int exact_frac, int terms) {
    aedl_fixed def = prec_default_type(t);
    int FD = frac_bits(def);
    if (!is_signed) I++;                      /* the signed type of an unsigned range */
    /* the accumulator: exact (the terms' step) when that fits 64 bits */
    int F = exact_frac, Ia = I;
    p->fallback_capped = false;
    if (Ia + F > 64) {                        /* round the terms: truncation lowers the sum */
        Ia = I + 1;                           /*   by < terms steps <= one step of FD */
        F = 64 - Ia;
        if (F < FD + ceil_log2(terms)) F = FD + ceil_log2(terms);
        if (F > exact_frac) F = exact_frac;
        if (Ia + F > 64) { Ia = 64 - F; p->fallback_capped = true; }
    }
    if (Ia + F < 1) F = 1 - Ia;
    p->fallback_acc = (aedl_fixed){Ia + F, Ia, true, AEDL_TRN, AEDL_WRAP};
    /* the result */
    int Ir = I;
    if (p->fallback_obs) {
        int Io = prec_from_observed(p->obs_lo, p->obs_hi, def).integer;
        if (Io < Ir) Ir = Io;
    }
    int Wmax = 2 * def.width < 64 ? 2 * def.width : 64;
    if (Ir > Wmax - FD) { Ir = Wmax - FD; p->fallback_capped = true; }
    int Fr = FD;
    if (Ir + Fr < 2) Fr = 2 - Ir;
    p->fallback = (aedl_fixed){Ir + Fr, Ir, true, AEDL_RND, AEDL_SAT};
    if (p->fallback_capped)
        prec_note(p, "a float part's worst case is capped (result %d bits, accumulator 64): may saturate or overflow", Wmax);
}

/* Marks an unquantized sum as a float part; its types come from passes b and c. */
static void float_part(IrPrec *p, aedl_fixed def) {
    p->fallback_on = true;
    p->fallback_obs = p->has_observed;
    p->fallback = p->fallback_acc = def;
}

void prec_float(IrModel *m, const IrTarget *t, const IrObserved *obs, int nobs) {
    aedl_fixed def = prec_default_type(t);
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        const IrObserved *o = find_obs(n, obs, nobs);
        if (o) { p->has_observed = true; p->obs_lo = o->lo; p->obs_hi = o->hi; }
        kind_of(n->op)->prec_float(n, p, t, o);   /* rules.c */
        /* downstream of a float part nothing is guaranteed; an unquantized sum there
           gets the float-part types (prec_float_sum_types, from the later passes)
           instead of exact widths that would grow layer after layer */
        for (int k = 0; k < n->ninputs; k++) p->guaranteed &= n->inputs[k]->prec->guaranteed;
        bool sums = prec_is_sum(n);
        if (!p->guaranteed && sums && !p->q.has_quant) {
            float_part(p, def);
            if (o)
                prec_note(p, "float part: result from the observed range [%.6g, %.6g] with one more integer bit "
                          "and %d fraction bits (rnd, sat), accumulator from the worst case", o->lo, o->hi,
                          frac_bits(def));
            else
                prec_note(p, "float part: result and accumulator from the worst case (no observed range), "
                          "%d fraction bits (rnd, sat)", frac_bits(def));
        }
    }
}

int prec_float_promote(IrModel *m, const IrTarget *t) {
    aedl_fixed def = prec_default_type(t);
    int n_promoted = 0;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        if (!p->exact_too_wide) continue;
        p->exact_too_wide = false;
        float_part(p, def);
        p->guaranteed = false;
        prec_note(p, "bit_exact would need more than 64 bits here (every unquantized layer before it adds fraction "
                  "bits): float-part rules instead, not guaranteed; a quantizer on an earlier output keeps it exact");
        diag_warning(n->loc, "layer '%s': its exact type needs more than 64 bits, so it gets the float-part rules "
                     "and the firmware is not guaranteed to equal the model", n->name);
        diag_note_brief(n->loc, "every unquantized layer before it adds fraction bits; a quantizer on an earlier "
                        "output (quant=... on a batchnorm, relu, leaky_relu or linear) bounds them");
        n_promoted++;
    }
    if (!n_promoted) return 0;
    /* downstream, as in prec_float: not guaranteed, and unquantized sums are float parts too */
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        for (int k = 0; k < n->ninputs; k++) p->guaranteed &= n->inputs[k]->prec->guaranteed;
        bool sums = prec_is_sum(n);
        if (!p->guaranteed && sums && !p->q.has_quant && !p->fallback_on) {
            float_part(p, def);
            prec_note(p, "float part (after a layer that exact types would make wider than 64 bits): result and "
                      "accumulator by the float-part rules");
        }
    }
    return n_promoted;
}
