/* prec_exact.c — pass c: `precision = bit_exact`, interval arithmetic on the
 * trained, quantized, pruned weights.
 *
 * Every value is tracked per element as an exact range [lo, hi] * 2^e with
 * __int128 mantissas (no floating point).  For a dense neuron
 *   y_j = b_j + sum_i w_ij x_i,   x_i in [lo_i, hi_i]:
 *   min y_j = b_j + sum_i min(w_ij lo_i, w_ij hi_i),  max y_j likewise,
 * on the finest step of its terms.  The weight type is the smallest holding
 * the layer's quantized values on their coarsest common step (trailing zero
 * bits dropped), so the product step is exact too.  The accumulator type is
 * the smallest holding the union of the neurons' ranges on that step: it
 * never rounds and never overflows (it wraps, so partial sums may leave its
 * range: two's complement addition is modular and the final sum is exact).
 * Only the model's own quantizers round and saturate, as in training; their
 * image of [lo, hi] is [q(lo), q(hi)] (rounding and saturation are monotone),
 * and the result type is the smallest holding that image, so the cast into
 * it is lossless.
 *
 * The rules of the kinds are in rules.c (prec_exact_KIND); this file walks
 * the graph and holds what they share: the result and accumulator types
 * from ranges, with their reasons.
 */
#include <stdlib.h>
#include <string.h>
#include "kinds.h"
#include "prec_common.h"
#include "util.h"


void prec_vals_init(PrecVals *v, int n, int e) {
    v->n = n; v->e = e;
    v->lo = xcalloc(n ? n : 1, sizeof(i128));
    v->hi = xcalloc(n ? n : 1, sizeof(i128));
}
void prec_vals_free(PrecVals *v) { free(v->lo); free(v->hi); v->lo = v->hi = NULL; }

void prec_vals_union(const PrecVals *v, i128 *lo, i128 *hi) {
    *lo = v->n ? v->lo[0] : 0; *hi = v->n ? v->hi[0] : 0;
    for (int k = 1; k < v->n; k++) { if (v->lo[k] < *lo) *lo = v->lo[k]; if (v->hi[k] > *hi) *hi = v->hi[k]; }
}

/* An IrRange holds int64 mantissas: a wider range is coarsened (lo rounded
   down, hi up, so it still contains the exact one). */
IrRange prec_to_range(i128 lo, i128 hi, int e) {
    while (lo < INT64_MIN || lo > INT64_MAX || hi < INT64_MIN || hi > INT64_MAX) {
        lo >>= 1;                         /* arithmetic shift: floor */
        hi = (hi >> 1) + (hi & 1);        /* ceiling */
        e++;
    }
    return (IrRange){(int64_t)lo, (int64_t)hi, e};
}

/* Signed integer bits I so that [lo, hi] * 2^e fits fixed<., I> (any width). */
static int signed_int_bits(i128 lo, i128 hi, int e) {
    i128 mag = lo < 0 ? -lo - 1 : 0;
    if (hi > mag) mag = hi;
    int w = 1;
    while (mag > 0) { w++; mag >>= 1; }
    return w + e;
}

char *prec_rstr(i128 lo, i128 hi, int e) {
    char b[160];
    return prec_strf("%s", prec_range_str(prec_to_range(lo, hi, e), b, sizeof b));
}
char *prec_tstr(aedl_fixed t) { char b[96]; return prec_strf("%s", prec_type_str(t, b, sizeof b)); }

/* The smallest type for [lo, hi] * 2^e.  Beyond 64 bits an unquantized sum is
   marked exact_too_wide (prec_run makes it a float part and runs the passes
   again); anything else is an error at the node. */
aedl_fixed prec_need_type(PrecEx *x, IrNode *n, const char *what, i128 lo, i128 hi, int e) {
    aedl_fixed t = prec_type_for(lo, hi, e);
    IrPrec *p = n->prec;
    if (t.width == 0 && !x->ovf && prec_is_sum(n) && !p->t.has_quant && !p->fallback_on) {
        p->exact_too_wide = true;
        x->too_wide = true;
        return (aedl_fixed){64, 64 + e, true, AEDL_TRN, AEDL_WRAP};
    }
    if (t.width == 0 && !x->ovf) {
        char *r = prec_rstr(lo, hi, e);
        diag_error(n->loc, "%s of layer '%s' needs more than 64 bits: exact range %s", what, n->name, r);
        if (x->errors == 0)     /* once: the same advice for every layer that follows */
            diag_note_brief(n->loc, "every unquantized layer before it adds fraction bits; a quantizer on an "
                                    "earlier output (quant=... on a batchnorm, relu, leaky_relu or linear) bounds them");
        free(r);
        x->errors++;
        t = (aedl_fixed){64, 64 + e, true, AEDL_TRN, AEDL_WRAP};
    }
    return t;
}

/* Mantissas v[0..n) at exponent e: drop the common trailing zeros (e grows),
   then the smallest type holding them.  Returns the type; v rewritten. */
aedl_fixed prec_tighten(int64_t *v, long n, int *e) {
    int tz = 64;
    i128 lo = 0, hi = 0;
    for (long k = 0; k < n; k++)
        if (v[k]) { int z = prec_tz(v[k]); if (z < tz) tz = z; }
    if (tz == 64) tz = 0;
    for (long k = 0; k < n; k++) {
        v[k] >>= tz;      /* exact: every value is a multiple of 2^tz */
        if (v[k] < lo) lo = v[k];
        if (v[k] > hi) hi = v[k];
    }
    *e += tz;
    return prec_type_for(lo, hi, *e);
}

bool prec_is_pow2(int64_t m) {
    uint64_t a = m < 0 ? (uint64_t)(-(m + 1)) + 1 : (uint64_t)m;
    return a && !(a & (a - 1));
}

/* Applies the node's quantizer (if any) to per-element ranges v at exponent
   e, and sets the result type.  out receives the output ranges. */
void prec_finish(PrecEx *x, IrNode *n, IrPrec *p, const PrecVals *v, PrecVals *out) {
    i128 lo, hi;
    if (p->fallback_on) {
        /* float part: the result saturates, so the next layers see at most its range */
        aedl_fixed f = p->fallback;
        prec_full_range(out, v->n, f);
        p->t.result = f;
        p->range = prec_to_range(out->lo[0], out->hi[0], out->e);
        p->has_range = true;
        char *b = prec_tstr(f);
        free(p->why_result);
        if (p->fallback_obs)
            p->why_result = prec_strf("float part (not guaranteed): the observed range [%.9g, %.9g] with one more "
                                      "integer bit (at most the worst case), the default fraction bits: %s", p->obs_lo,
                                      p->obs_hi, b);
        else
            p->why_result = prec_strf("float part (not guaranteed): the worst-case range (no observed range), "
                                      "the default fraction bits: %s", b);
        free(b);
        return;
    }
    if (p->t.has_quant) {
        aedl_fixed q = p->t.quant;
        prec_vals_init(out, v->n, prec_exp(q));
        for (int k = 0; k < v->n; k++) prec_cast_range(v->lo[k], v->hi[k], v->e, q, &out->lo[k], &out->hi[k]);
        prec_vals_union(out, &lo, &hi);
        p->t.result = n->pinned ? q : prec_need_type(x, n, "the result", lo, hi, out->e);
        char *a = prec_tstr(q), *b = prec_rstr(lo, hi, out->e), *c = prec_tstr(p->t.result);
        free(p->why_result);
        if (n->pinned)
            p->why_result = prec_strf("pinned to %s: rounds and saturates as in training; its outputs %s", a, b);
        else
            p->why_result = prec_strf("quantizer %s%s%s rounds and saturates as in training; its outputs %s fit %s",
                                      n->quant && n->quant->name ? n->quant->name : "", n->quant && n->quant->name ? " = " : "",
                                      a, b, c);
        free(a); free(b); free(c);
    } else {
        prec_vals_init(out, v->n, v->e);
        memcpy(out->lo, v->lo, sizeof(i128) * v->n);
        memcpy(out->hi, v->hi, sizeof(i128) * v->n);
        prec_vals_union(out, &lo, &hi);
        p->t.result = prec_need_type(x, n, "the result", lo, hi, out->e);
        char *b = prec_rstr(lo, hi, out->e);
        free(p->why_result);
        p->why_result = prec_strf("no quantizer: the exact values %s", b);
        free(b);
    }
    p->range = prec_to_range(lo, hi, out->e);
    p->has_range = true;
}

/* Sets the accumulator type from v (terms: additions per value); takes
   `what` (allocated). */
void prec_set_acc(PrecEx *x, IrNode *n, IrPrec *p, const PrecVals *v, int terms, char *what) {
    i128 lo, hi;
    prec_vals_union(v, &lo, &hi);
    if (p->fallback_on) {   /* float part: prec_float.c's rule on the exact worst case */
        prec_float_sum_types(p, x->t, signed_int_bits(lo, hi, v->e), true, -v->e, terms);
        p->t.accum = p->fallback_acc;
        p->t.has_accum = true;
        p->acc_range = prec_to_range(lo, hi, v->e);
        char *r = prec_rstr(lo, hi, v->e), *a = prec_tstr(p->fallback_acc);
        free(p->why_accum);
        bool rounds = p->fallback_acc.width - p->fallback_acc.integer < -v->e;
        p->why_accum = prec_strf("%s: worst-case range %s; float part (not guaranteed): %s (%s)%s", what, r, a,
                                 rounds ? "wider than 64 bits exact: the terms truncated, one more integer bit"
                                        : "the worst case's integer bits on the terms' step: never rounds",
                                 p->fallback_capped ? "; capped at 64 bits: may overflow" : "");
        (void)terms;
        free(r); free(a); free(what);
        return;
    }
    p->t.accum = prec_need_type(x, n, "the accumulator", lo, hi, v->e);
    p->t.has_accum = true;
    p->acc_range = prec_to_range(lo, hi, v->e);
    char *r = prec_rstr(lo, hi, v->e);
    free(p->why_accum);
    p->why_accum = prec_strf("%s: exact range %s", what, r);
    free(r); free(what);
    if (p->t.accum.width > 53)
        prec_note(p, "accumulator of %d bits: a double holds only 53, so QI in double may round", p->t.accum.width);
}

const PrecVals *prec_in_vals(PrecEx *x, const IrNode *n, int k) { return &x->v[n->inputs[k]->id]; }

void prec_full_range(PrecVals *out, int n, aedl_fixed t) {
    prec_vals_init(out, n, prec_exp(t));
    i128 lo, hi;
    prec_type_range(t, &lo, &hi);
    for (int k = 0; k < n; k++) { out->lo[k] = lo; out->hi[k] = hi; }
}

void prec_bit_exact(IrModel *m, const IrTarget *t) {
    if (t && t->precision != PREC_BIT_EXACT) return;
    for (int i = 0; i < m->nnodes; i++)
        if (!prec_has_params(m->nodes[i])) {
            return;   /* no weights: the conservative types stay (the report says so) */
        }
    PrecEx x = {xcalloc(m->nnodes ? m->nnodes : 1, sizeof(PrecVals)), false, 0, t, false};
    for (int i = 0; i < m->nnodes && !x.errors && !x.too_wide; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        PrecVals *out = &x.v[n->id];
        p->t.input = n->ninputs ? n->inputs[0]->prec->t.result : p->t.result;
        free(p->inputs);
        p->ninputs = n->ninputs;
        p->inputs = xcalloc(n->ninputs ? n->ninputs : 1, sizeof(aedl_fixed));
        for (int k = 0; k < n->ninputs; k++) p->inputs[k] = n->inputs[k]->prec->t.result;
        kind_of(n->op)->prec_exact(&x, m, n, p, out);   /* rules.c */
        if (x.ovf) {
            diag_error(n->loc, "exact ranges of layer '%s' exceed 120 bits: the quantized model is too wide to analyse",
                       n->name);
            x.errors++;
        }
    }
    for (int i = 0; i < m->nnodes; i++) prec_vals_free(&x.v[i]);
    free(x.v);
}
