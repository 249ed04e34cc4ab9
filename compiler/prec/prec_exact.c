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
 */
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "nn.h"
#include "prec_common.h"
#include "util.h"

typedef struct {
    PrecVals *v;            /* per node, by id */
    bool ovf;
    int errors;
    const IrTarget *t;
    bool too_wide;          /* a node was marked exact_too_wide: stop, prec_run promotes it */
} Ex;

static void vals_init(PrecVals *v, int n, int e) {
    v->n = n; v->e = e;
    v->lo = xcalloc(n ? n : 1, sizeof(i128));
    v->hi = xcalloc(n ? n : 1, sizeof(i128));
}
static void vals_free(PrecVals *v) { free(v->lo); free(v->hi); v->lo = v->hi = NULL; }

static void vals_union(const PrecVals *v, i128 *lo, i128 *hi) {
    *lo = v->n ? v->lo[0] : 0; *hi = v->n ? v->hi[0] : 0;
    for (int k = 1; k < v->n; k++) { if (v->lo[k] < *lo) *lo = v->lo[k]; if (v->hi[k] > *hi) *hi = v->hi[k]; }
}

/* An IrRange holds int64 mantissas: a wider range is coarsened (lo rounded
   down, hi up, so it still contains the exact one). */
static IrRange to_range(i128 lo, i128 hi, int e) {
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

static void full_range(PrecVals *out, int n, aedl_fixed t);

static char *rstr(i128 lo, i128 hi, int e) {
    char b[160];
    return prec_strf("%s", prec_range_str(to_range(lo, hi, e), b, sizeof b));
}
static char *tstr(aedl_fixed t) { char b[96]; return prec_strf("%s", prec_type_str(t, b, sizeof b)); }

/* The smallest type for [lo, hi] * 2^e.  Beyond 64 bits an unquantized sum is
   marked exact_too_wide (prec_run makes it a float part and runs the passes
   again); anything else is an error at the node. */
static aedl_fixed need_type(Ex *x, IrNode *n, const char *what, i128 lo, i128 hi, int e) {
    aedl_fixed t = prec_type_for(lo, hi, e);
    IrPrec *p = n->prec;
    if (t.width == 0 && !x->ovf && prec_is_sum(n) && !p->t.has_quant && !p->fallback_on) {
        p->exact_too_wide = true;
        x->too_wide = true;
        return (aedl_fixed){64, 64 + e, true, AEDL_TRN, AEDL_WRAP};
    }
    if (t.width == 0 && !x->ovf) {
        char *r = rstr(lo, hi, e);
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
static aedl_fixed tighten(int64_t *v, long n, int *e) {
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

static bool is_pow2(int64_t m) {
    uint64_t a = m < 0 ? (uint64_t)(-(m + 1)) + 1 : (uint64_t)m;
    return a && !(a & (a - 1));
}

/* Applies the node's quantizer (if any) to per-element ranges v at exponent
   e, and sets the result type.  out receives the output ranges. */
static void finish(Ex *x, IrNode *n, IrPrec *p, const PrecVals *v, PrecVals *out) {
    i128 lo, hi;
    if (p->fallback_on) {
        /* float part: the result saturates, so the next layers see at most its range */
        aedl_fixed f = p->fallback;
        full_range(out, v->n, f);
        p->t.result = f;
        p->range = to_range(out->lo[0], out->hi[0], out->e);
        p->has_range = true;
        char *b = tstr(f);
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
        vals_init(out, v->n, prec_exp(q));
        for (int k = 0; k < v->n; k++) prec_cast_range(v->lo[k], v->hi[k], v->e, q, &out->lo[k], &out->hi[k]);
        vals_union(out, &lo, &hi);
        p->t.result = need_type(x, n, "the result", lo, hi, out->e);
        char *a = tstr(q), *b = rstr(lo, hi, out->e), *c = tstr(p->t.result);
        free(p->why_result);
        p->why_result = prec_strf("quantizer %s%s%s rounds and saturates as in training; its outputs %s fit %s",
                                  n->quant && n->quant->name ? n->quant->name : "", n->quant && n->quant->name ? " = " : "",
                                  a, b, c);
        free(a); free(b); free(c);
    } else {
        vals_init(out, v->n, v->e);
        memcpy(out->lo, v->lo, sizeof(i128) * v->n);
        memcpy(out->hi, v->hi, sizeof(i128) * v->n);
        vals_union(out, &lo, &hi);
        p->t.result = need_type(x, n, "the result", lo, hi, out->e);
        char *b = rstr(lo, hi, out->e);
        free(p->why_result);
        p->why_result = prec_strf("no quantizer: the exact values %s", b);
        free(b);
    }
    p->range = to_range(lo, hi, out->e);
    p->has_range = true;
}

/* Sets the accumulator type from v (terms: additions per value); takes
   `what` (allocated). */
static void set_acc(Ex *x, IrNode *n, IrPrec *p, const PrecVals *v, int terms, char *what) {
    i128 lo, hi;
    vals_union(v, &lo, &hi);
    if (p->fallback_on) {   /* float part: prec_float.c's rule on the exact worst case */
        prec_float_sum_types(p, x->t, signed_int_bits(lo, hi, v->e), true, -v->e, terms);
        p->t.accum = p->fallback_acc;
        p->t.has_accum = true;
        p->acc_range = to_range(lo, hi, v->e);
        char *r = rstr(lo, hi, v->e), *a = tstr(p->fallback_acc);
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
    p->t.accum = need_type(x, n, "the accumulator", lo, hi, v->e);
    p->t.has_accum = true;
    p->acc_range = to_range(lo, hi, v->e);
    char *r = rstr(lo, hi, v->e);
    free(p->why_accum);
    p->why_accum = prec_strf("%s: exact range %s", what, r);
    free(r); free(what);
    if (p->t.accum.width > 53)
        prec_note(p, "accumulator of %d bits: a double holds only 53, so QI in double may round", p->t.accum.width);
}

static const PrecVals *in_vals(Ex *x, const IrNode *n, int k) { return &x->v[n->inputs[k]->id]; }

/* ---- dense (with a folded batchnorm when prec->folded_bn) ---------------------------- */

static void dense(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    const PrecVals *in = in_vals(x, n, 0);
    const IrParams *pr = n->params;
    int n_in = pr->n_in, U = pr->units;
    long N = (long)n_in * U;
    aedl_fixed wq = p->cons.weight, bq = p->cons.bias;   /* the quantizer's (or pass e's) types */
    int64_t *w = prec_quant_kernel(pr, wq);
    int ew = prec_exp(wq);
    if (p->fallback_on && !n->bias_q && pr->bias && !p->folded_bn) {
        /* a float part's float bias: on the products' step, so the accumulator stays exact */
        int64_t *w0 = xmalloc(sizeof(int64_t) * (N ? N : 1));
        memcpy(w0, w, sizeof(int64_t) * N);
        int e0 = ew;
        tighten(w0, N, &e0);
        free(w0);
        bq = prec_float_on_step(prec_float_param_type(pr->bias, U, x->t), -(e0 + in->e));
    }
    int64_t *b = p->t.has_bias ? prec_quant_bias(pr, bq) : NULL;
    int eb = prec_exp(bq);
    IrNode *bn = NULL;
    if (p->folded_bn) {
        prec_consumers(m, n, &bn);
        int64_t *s, *h;
        aedl_fixed P = prec_bn_param_type();
        int ep = prec_exp(P);
        prec_bn_params(bn, P, &s, &h);
        /* w' = w * s_j at ew + ep; b' = b_j * s_j + h_j at min(eb + ep, ep) */
        for (long k = 0; k < N; k++) w[k] = (int64_t)prec_mul(w[k], s[k % U], &x->ovf);
        int64_t *nb = xmalloc(sizeof(int64_t) * U);
        int e2 = b ? (eb + ep < ep ? eb + ep : ep) : ep;
        for (int j = 0; j < U; j++) {
            i128 t = prec_shl(h[j], ep - e2, &x->ovf);
            if (b) t = prec_add(t, prec_shl(prec_mul(b[j], s[j], &x->ovf), eb + ep - e2, &x->ovf), &x->ovf);
            if (t > INT64_MAX || t < INT64_MIN) x->ovf = true;
            nb[j] = (int64_t)t;
        }
        free(b); free(s); free(h);
        b = nb; ew += ep; eb = e2;
        p->t.quant = bn->prec->t.quant;
        p->t.has_quant = bn->prec->t.has_quant;
        p->t.has_bias = true;
        prec_note(p, "batchnorm '%s' folded in: weights w*scale, bias b*scale + shift (exact products)", bn->name);
    }
    /* tighten the weight and bias types to the values */
    int ew0 = ew, eb0 = eb;
    p->t.weight = tighten(w, N, &ew);
    long nz = 0, mult = 0;
    for (long k = 0; k < N; k++) if (w[k]) { nz++; mult += !is_pow2(w[k]); }
    int pe = ew + in->e;
    bool bias_zero = true;
    if (b) for (int j = 0; j < U; j++) bias_zero &= b[j] == 0;
    if (b) {
        if (bias_zero) { eb = pe; p->t.bias = (aedl_fixed){1, 1 + pe, false, AEDL_TRN, AEDL_WRAP}; }
        else p->t.bias = tighten(b, U, &eb);
    }
    int ea = b && eb < pe ? eb : pe;

    /* per neuron: [b_j + sum min(w lo, w hi), b_j + sum max(w lo, w hi)] at ea */
    PrecVals acc;
    vals_init(&acc, U, ea);
    int widest = -1, wbits = -1;
    for (int j = 0; j < U; j++) {
        i128 lo = 0, hi = 0;
        for (int i = 0; i < n_in; i++) {
            int64_t wk = w[(long)i * U + j];
            if (!wk) continue;
            i128 a = prec_mul(wk, in->lo[i], &x->ovf), c = prec_mul(wk, in->hi[i], &x->ovf);
            lo = prec_add(lo, a < c ? a : c, &x->ovf);
            hi = prec_add(hi, a < c ? c : a, &x->ovf);
        }
        lo = prec_shl(lo, pe - ea, &x->ovf);
        hi = prec_shl(hi, pe - ea, &x->ovf);
        if (b) {
            i128 bj = prec_shl(b[j], eb - ea, &x->ovf);
            lo = prec_add(lo, bj, &x->ovf); hi = prec_add(hi, bj, &x->ovf);
        }
        acc.lo[j] = lo; acc.hi[j] = hi;
        aedl_fixed tj = prec_type_for(lo, hi, ea);
        int bits = tj.width ? tj.width : 999;
        if (bits > wbits) { wbits = bits; widest = j; }
    }
    p->n_in = n_in; p->n_out = U;
    free(p->wm); free(p->bm);
    p->wm = w; p->bm = b;
    p->nonzero = nz; p->multipliers = mult;
    p->t.ebops = (double)nz * prec_mag_bits(p->t.input) * prec_mag_bits(p->t.weight);
    set_acc(x, n, p, &acc, n_in + (b != NULL), prec_strf("%d neurons, union", U));
    if (widest >= 0) {
        p->widest_neuron = widest;
        p->widest_range = to_range(acc.lo[widest], acc.hi[widest], ea);
        char *r = rstr(acc.lo[widest], acc.hi[widest], ea);
        char *old = p->why_accum;
        if (wbits == 999) p->why_accum = prec_strf("%s; widest neuron %d: %s, more than 64 bits", old, widest, r);
        else p->why_accum = prec_strf("%s; widest neuron %d: %s, %d bits", old, widest, r, wbits);
        free(old); free(r);
    }
    /* reasons for the parameter types */
    i128 lo = 0, hi = 0;
    for (long k = 0; k < N; k++) { if (w[k] < lo) lo = w[k]; if (w[k] > hi) hi = w[k]; }
    char *a = tstr(wq), *r = rstr(lo, hi, ew), *c = tstr(p->t.weight);
    free(p->why_weight);
    p->why_weight = prec_strf("%s%s%s%s; the %ld non-zero values %s fit %s", p->folded_bn ? "folded: " : "",
                              n->weight_q ? "quantizer " : "float weights rounded to ", a,
                              p->folded_bn ? " x scale fixed<16,6>" : "", nz, r, c);
    free(a); free(r); free(c);
    (void)ew0;
    if (b) {
        lo = hi = 0;
        for (int j = 0; j < U; j++) { if (b[j] < lo) lo = b[j]; if (b[j] > hi) hi = b[j]; }
        a = tstr(bq); r = rstr(lo, hi, eb); c = tstr(p->t.bias);
        free(p->why_bias);
        p->why_bias = prec_strf("%s%s%s; values %s fit %s", p->folded_bn ? "folded: b*scale + shift from " : "",
                                n->bias_q ? "quantizer " : "", a, r, c);
        free(a); free(r); free(c);
    }
    (void)eb0;
    finish(x, n, p, &acc, out);
    vals_free(&acc);
}

/* ---- batchnorm as scale and shift ---------------------------------------------------- */

static void batchnorm(Ex *x, IrNode *n, IrPrec *p, PrecVals *out) {
    const PrecVals *in = in_vals(x, n, 0);
    int C = n->params->units;
    if (p->folded_away) {
        /* identity: the dense before computes scale and shift */
        IrPrec *d = n->inputs[0]->prec;
        vals_init(out, in->n, in->e);
        memcpy(out->lo, in->lo, sizeof(i128) * in->n);
        memcpy(out->hi, in->hi, sizeof(i128) * in->n);
        p->t.result = d->t.result;
        p->t.has_weight = p->t.has_bias = p->t.has_accum = p->t.has_quant = false;
        p->t.ebops = 0;
        p->multipliers = 0;
        free(p->wm); free(p->bm); p->wm = p->bm = NULL;
        p->range = d->range; p->has_range = true;
        free(p->why_result);
        p->why_result = prec_strf("folded into '%s': identity in firmware", n->inputs[0]->name);
        return;
    }
    aedl_fixed P = prec_bn_param_type();
    int64_t *s, *h;
    prec_bn_params(n, P, &s, &h);
    int es = prec_exp(P), eh = prec_exp(P);
    p->t.weight = tighten(s, C, &es);
    p->t.bias = tighten(h, C, &eh);
    p->t.has_weight = p->t.has_bias = true;
    int pe = es + in->e, ea = pe < eh ? pe : eh;
    PrecVals acc;
    vals_init(&acc, C, ea);
    long mult = 0;
    for (int j = 0; j < C; j++) {
        i128 a = prec_mul(s[j], in->lo[j], &x->ovf), c = prec_mul(s[j], in->hi[j], &x->ovf);
        i128 hj = prec_shl(h[j], eh - ea, &x->ovf);
        acc.lo[j] = prec_add(prec_shl(a < c ? a : c, pe - ea, &x->ovf), hj, &x->ovf);
        acc.hi[j] = prec_add(prec_shl(a < c ? c : a, pe - ea, &x->ovf), hj, &x->ovf);
        mult += s[j] && !is_pow2(s[j]);
    }
    p->n_in = p->n_out = C;
    free(p->wm); free(p->bm);
    p->wm = s; p->bm = h;
    p->multipliers = mult;
    p->t.ebops = (double)C * prec_mag_bits(p->t.input) * prec_mag_bits(p->t.weight);
    char *a = tstr(p->t.weight), *b = tstr(p->t.bias);
    free(p->why_weight); free(p->why_bias);
    p->why_weight = prec_strf("scale = gamma/sqrt(var+eps) quantized to fixed<16,6,rnd_conv,sat>; values fit %s", a);
    p->why_bias = prec_strf("shift = beta - mean*scale quantized to fixed<16,6,rnd_conv,sat>; values fit %s", b);
    free(a); free(b);
    set_acc(x, n, p, &acc, 2, prec_strf("x*scale + shift per channel, union"));
    finish(x, n, p, &acc, out);
    vals_free(&acc);
}

/* ---- the rest -------------------------------------------------------------------------- */

static void elementwise(Ex *x, IrNode *n, IrPrec *p, PrecVals *out) {
    const PrecVals *in = in_vals(x, n, 0);
    PrecVals v;
    switch (n->op) {
    case OP_RELU: case OP_LINEAR:
        vals_init(&v, in->n, in->e);
        for (int k = 0; k < in->n; k++) {
            v.lo[k] = in->lo[k]; v.hi[k] = in->hi[k];
            if (n->op == OP_RELU) { if (v.lo[k] < 0) v.lo[k] = 0; if (v.hi[k] < 0) v.hi[k] = 0; }
        }
        p->t.accum = prec_plain(p->t.input);     /* computed in the input's type */
        p->t.has_accum = true;
        { i128 lo, hi; vals_union(&v, &lo, &hi); p->acc_range = to_range(lo, hi, in->e); }
        free(p->why_accum);
        p->why_accum = prec_strf("%s in the input's type", n->op == OP_RELU ? "max(x, 0)" : "x");
        break;
    case OP_LEAKY_RELU: {
        int64_t am; bool exact;
        int ea0 = 0;
        aedl_fixed at = prec_alpha_type(n->alpha, &am, &exact);
        ea0 = prec_exp(at);
        p->t.weight = at; p->t.has_weight = true;
        int me = ea0 < 0 ? in->e + ea0 : in->e;
        vals_init(&v, in->n, me);
        for (int k = 0; k < in->n; k++) {
            i128 pl = in->lo[k] > 0 ? in->lo[k] : 0, ph = in->hi[k] > 0 ? in->hi[k] : 0;
            i128 nl = in->lo[k] < 0 ? in->lo[k] : 0, nh = in->hi[k] < 0 ? in->hi[k] : 0;
            pl = prec_shl(pl, in->e - me, &x->ovf); ph = prec_shl(ph, in->e - me, &x->ovf);
            nl = prec_shl(prec_mul(am, nl, &x->ovf), in->e + ea0 - me, &x->ovf);
            nh = prec_shl(prec_mul(am, nh, &x->ovf), in->e + ea0 - me, &x->ovf);
            /* x >= 0 gives [pl, ph]; x < 0 gives [alpha*lo, alpha*min(hi, 0)] */
            bool has_neg = in->lo[k] < 0, has_pos = in->hi[k] >= 0;
            i128 lo = has_neg ? nl : pl, hi = has_pos ? ph : nh;
            v.lo[k] = lo; v.hi[k] = hi;
        }
        free(p->wm); p->wm = xmalloc(sizeof(int64_t)); p->wm[0] = am;
        p->n_in = p->n_out = in->n;
        p->multipliers = am && !is_pow2(am) ? 1 : 0;
        set_acc(x, n, p, &v, 1, prec_strf("x >= 0 ? x : alpha*x, alpha = %.12g", prec_val(am, ea0)));
        break;
    }
    case OP_CLIP: {
        /* min(max(x, lo), hi), exact: at the finer of the input's and the bounds' steps */
        int64_t bl, bh; int be;
        prec_clip_bounds(n, &bl, &bh, &be);
        p->t.weight = prec_type_for(bl, bh, be); p->t.has_weight = true;
        int me = 0;
        for (int k = 0; k < in->n; k++) {
            i128 lo, hi;
            prec_clip_range(n, in->lo[k], in->hi[k], in->e, &lo, &hi, &me);
            if (k == 0) vals_init(&v, in->n, me);
            v.lo[k] = lo; v.hi[k] = hi;
        }
        set_acc(x, n, p, &v, 1, prec_strf("min(max(x, %.17g), %.17g)", prec_val(bl, be), prec_val(bh, be)));
        break;
    }
    default:   /* dropout */
        vals_init(&v, in->n, in->e);
        memcpy(v.lo, in->lo, sizeof(i128) * in->n);
        memcpy(v.hi, in->hi, sizeof(i128) * in->n);
        break;
    }
    if (n->op == OP_DROPOUT) {
        *out = v;
        p->t.result = p->t.input;
        p->t.has_accum = false;
        i128 lo, hi; vals_union(out, &lo, &hi);
        p->range = to_range(lo, hi, out->e); p->has_range = true;
        free(p->why_result); p->why_result = prec_strf("dropout: identity in inference");
        return;
    }
    finish(x, n, p, &v, out);
    vals_free(&v);
}

static void add_concat(Ex *x, IrNode *n, IrPrec *p, PrecVals *out) {
    int e = in_vals(x, n, 0)->e;
    for (int k = 1; k < n->ninputs; k++) if (in_vals(x, n, k)->e < e) e = in_vals(x, n, k)->e;
    PrecVals v;
    if (n->op == OP_ADD) {
        int N = in_vals(x, n, 0)->n;
        vals_init(&v, N, e);
        for (int k = 0; k < n->ninputs; k++) {
            const PrecVals *a = in_vals(x, n, k);
            for (int j = 0; j < N; j++) {
                v.lo[j] = prec_add(v.lo[j], prec_shl(a->lo[j], a->e - e, &x->ovf), &x->ovf);
                v.hi[j] = prec_add(v.hi[j], prec_shl(a->hi[j], a->e - e, &x->ovf), &x->ovf);
            }
        }
        set_acc(x, n, p, &v, n->ninputs, prec_strf("sum of %d inputs", n->ninputs));
        finish(x, n, p, &v, out);
        vals_free(&v);
        return;
    }
    int N = 0;
    for (int k = 0; k < n->ninputs; k++) N += in_vals(x, n, k)->n;
    vals_init(out, N, e);
    int j = 0;
    for (int k = 0; k < n->ninputs; k++) {
        const PrecVals *a = in_vals(x, n, k);
        for (int i = 0; i < a->n; i++, j++) {
            out->lo[j] = prec_shl(a->lo[i], a->e - e, &x->ovf);
            out->hi[j] = prec_shl(a->hi[i], a->e - e, &x->ovf);
        }
    }
    i128 lo, hi;
    vals_union(out, &lo, &hi);
    p->t.result = need_type(x, n, "the result", lo, hi, e);
    p->t.has_accum = false;
    p->range = to_range(lo, hi, e); p->has_range = true;
    char *r = rstr(lo, hi, e);
    free(p->why_result);
    p->why_result = prec_strf("the inputs side by side: %s", r);
    free(r);
}

static void full_range(PrecVals *out, int n, aedl_fixed t) {
    vals_init(out, n, prec_exp(t));
    i128 lo, hi;
    prec_type_range(t, &lo, &hi);
    for (int k = 0; k < n; k++) { out->lo[k] = lo; out->hi[k] = hi; }
}

static void exact_input(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    full_range(out, (int)ir_shape_size(&n->shape), p->t.result);
    p->range = to_range(out->lo[0], out->hi[0], out->e); p->has_range = true;
    free(p->why_result);
    p->why_result = prec_strf("%s", n->has_type ? "the declared input type" : "no declared type (see note)");
}

static void exact_batchnorm(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) { (void)m; batchnorm(x, n, p, out); }
static void exact_elementwise(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) { (void)m; elementwise(x, n, p, out); }
static void exact_add_concat(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) { (void)m; add_concat(x, n, p, out); }

/* sigmoid, tanh: the table's values (lib/nn.h). */
static void exact_table(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    int size = (int)ir_shape_size(&n->shape);
    int64_t tab[AEDL_ACT_TABLE], lo = INT64_MAX, hi = INT64_MIN;
    aedl_fw_table(n->op == OP_TANH ? FW_TANH : FW_SIGMOID, p->t.result, tab);
    for (int k = 0; k < AEDL_ACT_TABLE; k++) { if (tab[k] < lo) lo = tab[k]; if (tab[k] > hi) hi = tab[k]; }
    vals_init(out, size, prec_exp(p->t.result));
    for (int k = 0; k < size; k++) { out->lo[k] = lo; out->hi[k] = hi; }
    p->t.has_accum = false;
    p->range = to_range(lo, hi, out->e); p->has_range = true;
    free(p->why_result);
    char *r = rstr(lo, hi, out->e), *ty = tstr(p->t.result);
    p->why_result = prec_strf("a table of %d values in %s, %s (see note)", AEDL_ACT_TABLE, ty, r);
    free(r); free(ty);
}

static void exact_softmax(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    full_range(out, (int)ir_shape_size(&n->shape), p->t.result);
    p->t.has_accum = false;
    p->range = to_range(out->lo[0], out->hi[0], out->e); p->has_range = true;
    free(p->why_result);
    p->why_result = prec_strf("softmax in floating point (see note)");
}

/* The exact rule of each kind: the value ranges of its outputs from its inputs'. */
typedef void ExactRule(Ex *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out);
static ExactRule *const EXACT_RULES[IR_NOPS] = {
    [OP_INPUT] = exact_input, [OP_DENSE] = dense, [OP_BATCHNORM] = exact_batchnorm,
    [OP_RELU] = exact_elementwise, [OP_LEAKY_RELU] = exact_elementwise, [OP_LINEAR] = exact_elementwise,
    [OP_DROPOUT] = exact_elementwise, [OP_CLIP] = exact_elementwise, [OP_ADD] = exact_add_concat, [OP_CONCAT] = exact_add_concat,
    [OP_SIGMOID] = exact_table, [OP_TANH] = exact_table, [OP_SOFTMAX] = exact_softmax,
};

void prec_bit_exact(IrModel *m, const IrTarget *t) {
    if (t && t->precision != PREC_BIT_EXACT) return;
    for (int i = 0; i < m->nnodes; i++)
        if (!prec_has_params(m->nodes[i])) {
            return;   /* no weights: the conservative types stay (the report says so) */
        }
    Ex x = {xcalloc(m->nnodes ? m->nnodes : 1, sizeof(PrecVals)), false, 0, t, false};
    for (int i = 0; i < m->nnodes && !x.errors && !x.too_wide; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        PrecVals *out = &x.v[n->id];
        p->t.input = n->ninputs ? n->inputs[0]->prec->t.result : p->t.result;
        free(p->inputs);
        p->ninputs = n->ninputs;
        p->inputs = xcalloc(n->ninputs ? n->ninputs : 1, sizeof(aedl_fixed));
        for (int k = 0; k < n->ninputs; k++) p->inputs[k] = n->inputs[k]->prec->t.result;
        if (!EXACT_RULES[n->op]) aedl_fatal("internal error: no exact precision rule for %s", ir_op_name(n->op));
        EXACT_RULES[n->op](&x, m, n, p, out);
        if (x.ovf) {
            diag_error(n->loc, "exact ranges of layer '%s' exceed 120 bits: the quantized model is too wide to analyse",
                       n->name);
            x.errors++;
        }
    }
    for (int i = 0; i < m->nnodes; i++) vals_free(&x.v[i]);
    free(x.v);
}
