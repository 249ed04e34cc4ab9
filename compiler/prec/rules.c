/* rules.c — the precision rules of every layer kind, one function per kind
 * and pass (the entries' prec_* hooks, kinds.def); the passes' drivers walk
 * the graph and keep the reasons and fixpoints (prec_quant.c, prec_float.c,
 * prec_conservative.c, prec_exact.c; docs/precision.md has the rules as
 * text).  Also the constants the passes, the plan and the emitters share:
 * leaky_relu's alpha and clip's bounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "kinds.h"
#include "nn.h"
#include "prec_common.h"
#include "util.h"

/* ---- constants shared by the passes, the plan and the emitters ------------------------- */

aedl_fixed prec_alpha_type(double alpha, int64_t *m, bool *exact) {
    aedl_fixed pt = prec_bn_param_type();
    i128 q = aedl_fixed_from_double(pt, alpha);
    *exact = aedl_fixed_exact(pt, alpha);
    int e = prec_exp(pt);
    if (q == 0) { *m = 0; return (aedl_fixed){1, 1 + e, false, AEDL_TRN, AEDL_WRAP}; }
    int tz = prec_tz(q);
    q >>= tz; e += tz;
    *m = (int64_t)q;
    return prec_type_for(q < 0 ? q : 0, q > 0 ? q : 0, e);
}

#define CLIP_STEP_EXP (-10)

double prec_clip_value(double b) { return ldexp(nearbyint(ldexp(b, -CLIP_STEP_EXP)), CLIP_STEP_EXP); }

void prec_clip_bounds(const IrNode *n, int64_t *lo, int64_t *hi, int *e) {
    i128 l = (i128)nearbyint(ldexp(n->lo, -CLIP_STEP_EXP)), h = (i128)nearbyint(ldexp(n->hi, -CLIP_STEP_EXP));
    int tz = l == 0 ? prec_tz(h) : h == 0 ? prec_tz(l) : prec_tz(l) < prec_tz(h) ? prec_tz(l) : prec_tz(h);
    *lo = (int64_t)(l / ((i128)1 << tz)); *hi = (int64_t)(h / ((i128)1 << tz));
    *e = CLIP_STEP_EXP + tz;
}

void prec_clip_range(const IrNode *n, i128 xl, i128 xh, int xe, i128 *lo, i128 *hi, int *e) {
    int64_t bl, bh; int be;
    prec_clip_bounds(n, &bl, &bh, &be);
    int me = xe < be ? xe : be;
    i128 cl = bl * ((i128)1 << (be - me)), ch = bh * ((i128)1 << (be - me));
    xl *= (i128)1 << (xe - me); xh *= (i128)1 << (xe - me);
    *lo = xl < cl ? cl : xl > ch ? ch : xl;
    *hi = xh < cl ? cl : xh > ch ? ch : xh;
    *e = me;
}

double prec_bound_value(double k) { return prec_clip_value(k); }

aedl_fixed prec_bound_ks(const IrNode *n, int64_t *ks, int64_t *modes, int *e) {
    int size = (int)ir_shape_size(&n->shape);
    for (int j = 0; j < size; j++) {
        double k;
        modes[j] = ir_bound_mode(n, j, &k);
        ks[j] = modes[j] == BOUND_TANH ? (int64_t)nearbyint(ldexp(k, -CLIP_STEP_EXP)) : 0;
    }
    *e = CLIP_STEP_EXP;
    aedl_fixed t = prec_tighten(ks, size, e);
    return t.width ? t : (aedl_fixed){1, 1 + *e, false, AEDL_TRN, AEDL_WRAP};
}

/* bound's value ranges per feature from the input's [xl, xh] * 2^xe: x,
   max(x, 0), or k * [table's lo, hi] at the table's exponent te plus k's ke;
   at exponent *e, the finer of the input's and the products'. */
static void bound_ranges(const int64_t *ks, const int64_t *modes, int size, const i128 *xl, const i128 *xh, int xe,
                         i128 tl, i128 th, int te, int ke, i128 *lo, i128 *hi, int *e, bool *ovf) {
    bool any_tanh = false;
    for (int j = 0; j < size; j++) any_tanh |= modes[j] == BOUND_TANH;
    int pe = te + ke, me = any_tanh && pe < xe ? pe : xe;
    for (int j = 0; j < size; j++) {
        if (modes[j] == BOUND_TANH) {
            lo[j] = prec_shl(prec_mul(ks[j], tl, ovf), pe - me, ovf);
            hi[j] = prec_shl(prec_mul(ks[j], th, ovf), pe - me, ovf);
        } else {
            lo[j] = prec_shl(xl[j], xe - me, ovf); hi[j] = prec_shl(xh[j], xe - me, ovf);
            if (modes[j] == BOUND_RELU) { if (lo[j] < 0) lo[j] = 0; if (hi[j] < 0) hi[j] = 0; }
        }
    }
    *e = me;
}

/* The tanh table's smallest and largest entries (mantissas of its type). */
static void table_extremes(aedl_fixed tt, i128 *lo, i128 *hi) {
    int64_t tab[AEDL_ACT_TABLE];
    aedl_fw_table(FW_TANH, tt, tab);
    *lo = tab[0]; *hi = tab[0];
    for (int k = 1; k < AEDL_ACT_TABLE; k++) { if (tab[k] < *lo) *lo = tab[k]; if (tab[k] > *hi) *hi = tab[k]; }
}

double prec_alpha_value(double alpha) {
    aedl_fixed pt = prec_bn_param_type();
    return prec_val(aedl_fixed_from_double(pt, alpha), prec_exp(pt));
}

/* ---- pass a: the types the model's quantizers fix (prec_quant.c) ------------------------ */

void prec_quant_none(IrNode *n, IrPrec *p) { (void)n; (void)p; }

void prec_quant_input(IrNode *n, IrPrec *p) {
    if (n->has_type) p->q.result = n->in_type;
}

void prec_quant_dense(IrNode *n, IrPrec *p) {
    IrPrecTypes *s = &p->q;
    if (n->weight_q) { s->weight = n->weight_q->type; s->has_weight = true; }
    if (n->use_bias && n->bias_q) { s->bias = n->bias_q->type; s->has_bias = true; }
}

void prec_quant_batchnorm(IrNode *n, IrPrec *p) {
    (void)n;
    IrPrecTypes *s = &p->q;
    s->weight = s->bias = prec_bn_param_type();
    s->has_weight = s->has_bias = true;
}

void prec_quant_leaky_relu(IrNode *n, IrPrec *p) {
    int64_t am;
    p->q.weight = prec_alpha_type(n->alpha, &am, &p->alpha_exact);
    p->q.has_weight = true;
}

/* ---- pass e: the float parts (prec_float.c) ---------------------------------------------- */

void prec_float_none(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)n; (void)p; (void)t; (void)o;
}

void prec_float_input(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    aedl_fixed def = prec_default_type(t);
    char b[96];
    if (n->has_type) return;
    p->q.result = o ? prec_from_observed(o->lo, o->hi, def) : def;
    p->guaranteed = false;
    prec_note(p, "no input type: %s %s; training sees the float input: not guaranteed",
              prec_type_str(p->q.result, b, sizeof b),
              o ? "from the observed range (one more integer bit)" : "(the default type)");
}

void prec_float_dense(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)o;
    aedl_fixed def = prec_default_type(t);
    char b[96];
    const char *rule = t && t->precision == PREC_FIXED ? "the target's default type"
                                                       : "default width, integer bits of the largest |w|";
    if (!n->weight_q) {
        p->q.weight = n->params ? prec_float_param_type(n->params->kernel, (long)n->params->n_in * n->params->units, t)
                                : (aedl_fixed){def.width, def.integer, true, AEDL_RND_CONV, AEDL_SAT};
        p->q.has_weight = true;
        p->guaranteed = false;
        prec_note(p, "float weights rounded to %s (%s%s): not guaranteed", prec_type_str(p->q.weight, b, sizeof b),
                  rule, n->params ? "" : "; no weights yet");
    }
    if (n->use_bias && !n->bias_q) {
        p->q.bias = n->params && n->params->bias ? prec_float_param_type(n->params->bias, n->params->units, t)
                                                 : (aedl_fixed){def.width, def.integer, true, AEDL_RND_CONV, AEDL_SAT};
        p->q.has_bias = true;
        p->guaranteed = false;
        prec_note(p, "float bias rounded to %s (%s): not guaranteed", prec_type_str(p->q.bias, b, sizeof b), rule);
    }
}

/* sigmoid, tanh: a lookup table, the same in training's QI: exact. */
void prec_float_table(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)o;
    char b[96];
    p->q.result = prec_act_table_type(n->op, t);
    p->q.has_accum = false;
    prec_note(p, "%s by a table of %d entries over [%d, %d) (as hls4ml): entry floor(x * %d) + %d, clamped, "
              "holds %s((i - %d) / %d) rounded to %s", ir_op_name(n->op), AEDL_ACT_TABLE,
              n->op == OP_TANH ? -4 : -8, n->op == OP_TANH ? 4 : 8, n->op == OP_TANH ? 128 : 64,
              AEDL_ACT_TABLE / 2, ir_op_name(n->op), AEDL_ACT_TABLE / 2, n->op == OP_TANH ? 128 : 64,
              prec_type_str(p->q.result, b, sizeof b));
}

/* bound: its tanh by the table of tanh (exact, as tanh's), times k on the 2^-10 step. */
void prec_float_bound(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)o;
    char b[96];
    bool any = false;
    for (int i = 0; i < n->nbounds; i++) any |= n->bounds[i].mode == BOUND_TANH;
    if (!any) return;
    prec_note(p, "k * tanh(x) with tanh by its table of %d entries over [-4, 4) in %s (as the tanh layer's) and k "
              "on the 2^-10 step, as in training: exact", AEDL_ACT_TABLE,
              prec_type_str(prec_act_table_type(OP_TANH, t), b, sizeof b));
}

void prec_float_softmax(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)n;
    aedl_fixed def = prec_default_type(t);
    char b[96];
    if (o) p->q.result = prec_from_observed(o->lo, o->hi, def);
    else p->q.result = (aedl_fixed){def.width, 1, false, AEDL_RND, AEDL_SAT};
    p->q.has_accum = false;
    p->guaranteed = false;
    prec_note(p, "softmax in floating point, rounded to %s: not guaranteed", prec_type_str(p->q.result, b, sizeof b));
}

/* alpha: training uses the fixed constant too (prec_alpha_value). */
void prec_float_leaky_relu(IrNode *n, IrPrec *p, const IrTarget *t, const IrObserved *o) {
    (void)t; (void)o;
    if (!p->alpha_exact)
        prec_note(p, "alpha %g is used as %.10g, its value on the 2^-10 step, in training and firmware",
                  n->alpha, prec_alpha_value(n->alpha));
}

/* ---- pass b: width rules from bit widths alone (prec_conservative.c) --------------------- */

static aedl_fixed mk(int w, int i, bool s) { return (aedl_fixed){w, i, s, AEDL_TRN, AEDL_WRAP}; }
static int frac(aedl_fixed t) { return t.width - t.integer; }

static aedl_fixed mul_rule(aedl_fixed a, aedl_fixed b) {
    return mk(a.width + b.width, a.integer + b.integer, a.is_signed || b.is_signed);
}
static aedl_fixed add_rule(aedl_fixed a, aedl_fixed b) {
    bool s = a.is_signed || b.is_signed;
    int i = a.integer + (b.is_signed && !a.is_signed);
    int ib = b.integer + (a.is_signed && !b.is_signed);
    int I = (i > ib ? i : ib) + 1;
    int F = frac(a) > frac(b) ? frac(a) : frac(b);
    return mk(I + F, I, s);
}
static aedl_fixed union_rule(aedl_fixed a, aedl_fixed b) {
    bool s = a.is_signed || b.is_signed;
    int i = a.integer + (s && !a.is_signed);
    int ib = b.integer + (s && !b.is_signed);
    int I = i > ib ? i : ib;
    int F = frac(a) > frac(b) ? frac(a) : frac(b);
    return mk(I + F, I, s);
}
static int ceil_log2(long n) { int c = 0; while ((1L << c) < n) c++; return c; }

static long count_nonzero(const IrNode *n, aedl_fixed wt) {
    const IrParams *p = n->params;
    long total = (long)p->n_in * p->units, nz = 0;
    for (long k = 0; k < total; k++)
        nz += aedl_fixed_from_double(wt, weights_kernel(p, k)) != 0;
    return nz;
}

static char *cons_tstr(aedl_fixed t) { char b[96]; return prec_strf("%s", prec_type_str(prec_plain(t), b, sizeof b)); }

void prec_cons_input(const IrNode *n, PrecCons *k) {
    k->v = k->q->result.width ? k->q->result : k->def;      /* pass a (declared) or e (float input) */
    k->why = prec_strf(n->has_type ? "the declared input type" : "no input type (see note)");
    k->result_as_is = k->fixed_exact = true;
}

void prec_cons_dense(const IrNode *n, PrecCons *k) {
    IrPrecTypes *c = k->c;
    IrPrec *p = k->p;
    aedl_fixed x = k->x, def = k->def;
    if (!c->has_weight) { c->weight = def; c->has_weight = true; }
    bool bias = n->use_bias;
    if (bias && !c->has_bias) { c->bias = def; c->has_bias = true; }
    long nin = ir_shape_size(&n->inputs[0]->shape);
    aedl_fixed prod = mul_rule(x, c->weight);
    if (bias && !n->bias_q && p->fallback_on && k->mode != PREC_FIXED)   /* on the products' step */
        c->bias = prec_float_on_step(c->bias, frac(prod));
    int cl = ceil_log2(nin);
    aedl_fixed sum = mk(prod.width + cl, prod.integer + cl, prod.is_signed);
    c->accum = bias ? add_rule(sum, c->bias) : sum;
    c->has_accum = true;
    k->v = c->accum;
    char *a = cons_tstr(prod), *b = cons_tstr(sum), *d = cons_tstr(c->accum);
    k->why = bias ? prec_strf("product %s; %ld inputs: +%d bits -> %s; + bias -> %s", a, nin, cl, b, d)
                  : prec_strf("product %s; %ld inputs: +%d bits -> %s (no bias)", a, nin, cl, b);
    free(a); free(b); free(d);
    long nz = n->params ? count_nonzero(n, c->weight)
                        : lround((double)nin * n->units * (n->prune ? 1.0 - n->prune->final : 1.0));
    c->ebops = (double)nz * prec_mag_bits(x) * prec_mag_bits(c->weight);
    k->terms = (int)nin + n->use_bias;
}

void prec_cons_batchnorm(const IrNode *n, PrecCons *k) {
    IrPrecTypes *c = k->c;
    aedl_fixed x = k->x;
    aedl_fixed prod = mul_rule(x, c->weight);
    c->accum = add_rule(prod, c->bias);
    c->has_accum = true;
    k->v = c->accum;
    char *a = cons_tstr(prod), *d = cons_tstr(c->accum);
    k->why = prec_strf("x * scale %s; + shift -> %s", a, d);
    free(a); free(d);
    c->ebops = (double)ir_shape_size(&n->shape) * prec_mag_bits(x) * prec_mag_bits(c->weight);
    k->terms = 2;
}

void prec_cons_relu(const IrNode *n, PrecCons *k) {
    (void)n;
    aedl_fixed x = k->x;
    k->c->accum = x; k->c->has_accum = true;
    k->v = x.is_signed && x.width >= 2 ? mk(x.width - 1, x.integer - 1, false) : x;
    k->why = prec_strf("relu of a %s input", x.is_signed ? "signed" : "unsigned");
    k->fixed_accum_input = k->fixed_exact = true;
}

void prec_cons_leaky_relu(const IrNode *n, PrecCons *k) {
    (void)n;
    aedl_fixed neg = mul_rule(k->x, k->c->weight);
    k->c->accum = union_rule(k->x, neg); k->c->has_accum = true;
    k->v = k->c->accum;
    k->why = prec_strf("union of x and alpha * x");
}

void prec_cons_linear(const IrNode *n, PrecCons *k) {
    (void)n;
    k->c->accum = k->x; k->c->has_accum = true;
    k->v = k->x;
    k->why = prec_strf("the input's type");
    k->fixed_accum_input = k->fixed_exact = true;
}

void prec_cons_dropout(const IrNode *n, PrecCons *k) {
    (void)n;
    k->c->accum = k->x; k->c->has_accum = false;
    k->v = k->x;
    k->why = prec_strf("the input's type");
    k->identity = k->fixed_exact = true;
}

void prec_cons_clip(const IrNode *n, PrecCons *k) {
    IrPrecTypes *c = k->c;
    int64_t bl, bh; int be, e;
    prec_clip_bounds(n, &bl, &bh, &be);
    c->weight = prec_type_for(bl, bh, be); c->has_weight = true;
    i128 tl, th, lo, hi;
    prec_type_range(k->x, &tl, &th);
    prec_clip_range(n, tl, th, prec_exp(k->x), &lo, &hi, &e);
    c->accum = prec_type_for(lo, hi, e); c->has_accum = true;
    if (!c->accum.width) c->accum = k->x;
    k->v = c->accum;
    k->why = prec_strf("the input's range clamped to [%.17g, %.17g]", prec_val(bl, be), prec_val(bh, be));
    k->fixed_exact = true;
}

/* |x| over [lo, hi] at one exponent: [0 or the smaller magnitude, the larger]. */
static void abs_range(i128 lo, i128 hi, i128 *alo, i128 *ahi) {
    i128 a = lo < 0 ? -lo : lo, b = hi < 0 ? -hi : hi;
    *alo = lo <= 0 && hi >= 0 ? 0 : a < b ? a : b;
    *ahi = a > b ? a : b;
}

/* abs: the input's range folded at 0; |-2^(I-1)| = 2^(I-1) makes a signed
   <W, I> input an unsigned <W, I> result. */
void prec_cons_abs(const IrNode *n, PrecCons *k) {
    (void)n;
    i128 tl, th, lo, hi;
    prec_type_range(k->x, &tl, &th);
    abs_range(tl, th, &lo, &hi);
    k->c->accum = prec_type_for(lo, hi, prec_exp(k->x)); k->c->has_accum = true;
    if (!k->c->accum.width) k->c->accum = k->x;
    k->v = k->c->accum;
    k->why = prec_strf("|x| of a %s input", k->x.is_signed ? "signed" : "unsigned");
}

void prec_cons_add(const IrNode *n, PrecCons *k) {
    aedl_fixed s = k->x;
    for (int j = 1; j < n->ninputs; j++) s = add_rule(s, n->inputs[j]->prec->cons.result);
    k->c->accum = s; k->c->has_accum = true;
    k->v = s;
    k->why = prec_strf("sum of %d inputs: one more integer bit per addition", n->ninputs);
    k->terms = n->ninputs;
}

void prec_cons_concat(const IrNode *n, PrecCons *k) {
    aedl_fixed s = k->x;
    for (int j = 1; j < n->ninputs; j++) s = union_rule(s, n->inputs[j]->prec->cons.result);
    k->v = s;
    k->why = prec_strf("union of the inputs' types");
}

/* bound: the union of the input's range (relu: from 0) and k * the table's range. */
void prec_cons_bound(const IrNode *n, PrecCons *k) {
    int size = (int)ir_shape_size(&n->shape), ke;
    int64_t *ks = xmalloc(sizeof(int64_t) * (size_t)size), *modes = xmalloc(sizeof(int64_t) * (size_t)size);
    IrPrecTypes *c = k->c;
    c->bias = prec_bound_ks(n, ks, modes, &ke); c->has_bias = true;
    c->weight = (aedl_fixed){k->def.width, 1, true, AEDL_RND, AEDL_SAT}; c->has_weight = true;
    i128 tl, th, xl, xh, *l = xmalloc(sizeof(i128) * (size_t)size * 4), *h = l + size, *xls = l + 2 * size, *xhs = l + 3 * size;
    table_extremes(c->weight, &tl, &th);
    prec_type_range(k->x, &xl, &xh);
    for (int j = 0; j < size; j++) { xls[j] = xl; xhs[j] = xh; }
    int e;
    bool ovf = false;
    bound_ranges(ks, modes, size, xls, xhs, prec_exp(k->x), tl, th, prec_exp(c->weight), ke, l, h, &e, &ovf);
    i128 lo = l[0], hi = h[0];
    for (int j = 1; j < size; j++) { if (l[j] < lo) lo = l[j]; if (h[j] > hi) hi = h[j]; }
    c->accum = ovf ? (aedl_fixed){0} : prec_type_for(lo, hi, e); c->has_accum = true;
    if (!c->accum.width) c->accum = k->x;
    k->v = c->accum;
    k->why = prec_strf("the input's range (relu: from 0) and k * tanh's table range, per feature, united");
    free(ks); free(modes); free(l);
}

/* sigmoid, tanh: their table type (pass e). */
void prec_cons_table(const IrNode *n, PrecCons *k) {
    (void)n;
    k->v = k->q->result.width ? k->q->result : k->def;
    k->why = prec_strf("a lookup table (see note)");
    k->result_as_is = true;
}

void prec_cons_softmax(const IrNode *n, PrecCons *k) {
    (void)n;
    k->v = k->q->result.width ? k->q->result : k->def;      /* pass e */
    k->why = prec_strf("computed in floating point (see note)");
    k->result_as_is = true;
}

/* ---- pass c: exact ranges on the quantized weights (prec_exact.c) ---------------------------- */

/* ---- dense (with a folded batchnorm when prec->folded_bn) ---------------------------- */

void prec_exact_dense(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    const PrecVals *in = prec_in_vals(x, n, 0);
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
        prec_tighten(w0, N, &e0);
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
    p->t.weight = prec_tighten(w, N, &ew);
    long nz = 0, mult = 0;
    for (long k = 0; k < N; k++) if (w[k]) { nz++; mult += !prec_is_pow2(w[k]); }
    int pe = ew + in->e;
    bool bias_zero = true;
    if (b) for (int j = 0; j < U; j++) bias_zero &= b[j] == 0;
    if (b) {
        if (bias_zero) { eb = pe; p->t.bias = (aedl_fixed){1, 1 + pe, false, AEDL_TRN, AEDL_WRAP}; }
        else p->t.bias = prec_tighten(b, U, &eb);
    }
    int ea = b && eb < pe ? eb : pe;

    /* per neuron: [b_j + sum min(w lo, w hi), b_j + sum max(w lo, w hi)] at ea */
    PrecVals acc;
    prec_vals_init(&acc, U, ea);
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
    prec_set_acc(x, n, p, &acc, n_in + (b != NULL), prec_strf("%d neurons, union", U));
    if (widest >= 0) {
        p->widest_neuron = widest;
        p->widest_range = prec_to_range(acc.lo[widest], acc.hi[widest], ea);
        char *r = prec_rstr(acc.lo[widest], acc.hi[widest], ea);
        char *old = p->why_accum;
        if (wbits == 999) p->why_accum = prec_strf("%s; widest neuron %d: %s, more than 64 bits", old, widest, r);
        else p->why_accum = prec_strf("%s; widest neuron %d: %s, %d bits", old, widest, r, wbits);
        free(old); free(r);
    }
    /* reasons for the parameter types */
    i128 lo = 0, hi = 0;
    for (long k = 0; k < N; k++) { if (w[k] < lo) lo = w[k]; if (w[k] > hi) hi = w[k]; }
    char *a = prec_tstr(wq), *r = prec_rstr(lo, hi, ew), *c = prec_tstr(p->t.weight);
    free(p->why_weight);
    p->why_weight = prec_strf("%s%s%s%s; the %ld non-zero values %s fit %s", p->folded_bn ? "folded: " : "",
                              n->weight_q ? "quantizer " : "float weights rounded to ", a,
                              p->folded_bn ? " x scale fixed<16,6>" : "", nz, r, c);
    free(a); free(r); free(c);
    (void)ew0;
    if (b) {
        lo = hi = 0;
        for (int j = 0; j < U; j++) { if (b[j] < lo) lo = b[j]; if (b[j] > hi) hi = b[j]; }
        a = prec_tstr(bq); r = prec_rstr(lo, hi, eb); c = prec_tstr(p->t.bias);
        free(p->why_bias);
        p->why_bias = prec_strf("%s%s%s; values %s fit %s", p->folded_bn ? "folded: b*scale + shift from " : "",
                                n->bias_q ? "quantizer " : "", a, r, c);
        free(a); free(r); free(c);
    }
    (void)eb0;
    prec_finish(x, n, p, &acc, out);
    prec_vals_free(&acc);
}

/* ---- batchnorm as scale and shift ---------------------------------------------------- */

void prec_exact_batchnorm(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    int C = n->params->units;
    if (p->folded_away) {
        /* identity: the dense before computes scale and shift */
        IrPrec *d = n->inputs[0]->prec;
        prec_vals_init(out, in->n, in->e);
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
    p->t.weight = prec_tighten(s, C, &es);
    p->t.bias = prec_tighten(h, C, &eh);
    p->t.has_weight = p->t.has_bias = true;
    int pe = es + in->e, ea = pe < eh ? pe : eh;
    PrecVals acc;
    prec_vals_init(&acc, C, ea);
    long mult = 0;
    for (int j = 0; j < C; j++) {
        i128 a = prec_mul(s[j], in->lo[j], &x->ovf), c = prec_mul(s[j], in->hi[j], &x->ovf);
        i128 hj = prec_shl(h[j], eh - ea, &x->ovf);
        acc.lo[j] = prec_add(prec_shl(a < c ? a : c, pe - ea, &x->ovf), hj, &x->ovf);
        acc.hi[j] = prec_add(prec_shl(a < c ? c : a, pe - ea, &x->ovf), hj, &x->ovf);
        mult += s[j] && !prec_is_pow2(s[j]);
    }
    p->n_in = p->n_out = C;
    free(p->wm); free(p->bm);
    p->wm = s; p->bm = h;
    p->multipliers = mult;
    p->t.ebops = (double)C * prec_mag_bits(p->t.input) * prec_mag_bits(p->t.weight);
    char *a = prec_tstr(p->t.weight), *b = prec_tstr(p->t.bias);
    free(p->why_weight); free(p->why_bias);
    p->why_weight = prec_strf("scale = gamma/sqrt(var+eps) quantized to fixed<16,6,rnd_conv,sat>; values fit %s", a);
    p->why_bias = prec_strf("shift = beta - mean*scale quantized to fixed<16,6,rnd_conv,sat>; values fit %s", b);
    free(a); free(b);
    prec_set_acc(x, n, p, &acc, 2, prec_strf("x*scale + shift per channel, union"));
    prec_finish(x, n, p, &acc, out);
    prec_vals_free(&acc);
}

void prec_exact_input(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    prec_full_range(out, (int)ir_shape_size(&n->shape), p->t.result);
    p->range = prec_to_range(out->lo[0], out->hi[0], out->e); p->has_range = true;
    free(p->why_result);
    p->why_result = prec_strf("%s", n->has_type ? "the declared input type" : "no declared type (see note)");
}


/* sigmoid, tanh: the table's values (lib/nn.h). */
void prec_exact_table(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    int size = (int)ir_shape_size(&n->shape);
    int64_t tab[AEDL_ACT_TABLE], lo = INT64_MAX, hi = INT64_MIN;
    aedl_fw_table(n->op == OP_TANH ? FW_TANH : FW_SIGMOID, p->t.result, tab);
    for (int k = 0; k < AEDL_ACT_TABLE; k++) { if (tab[k] < lo) lo = tab[k]; if (tab[k] > hi) hi = tab[k]; }
    prec_vals_init(out, size, prec_exp(p->t.result));
    for (int k = 0; k < size; k++) { out->lo[k] = lo; out->hi[k] = hi; }
    p->t.has_accum = false;
    p->range = prec_to_range(lo, hi, out->e); p->has_range = true;
    free(p->why_result);
    char *r = prec_rstr(lo, hi, out->e), *ty = prec_tstr(p->t.result);
    p->why_result = prec_strf("a table of %d values in %s, %s (see note)", AEDL_ACT_TABLE, ty, r);
    free(r); free(ty);
}

void prec_exact_softmax(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)x; (void)m;
    prec_full_range(out, (int)ir_shape_size(&n->shape), p->t.result);
    p->t.has_accum = false;
    p->range = prec_to_range(out->lo[0], out->hi[0], out->e); p->has_range = true;
    free(p->why_result);
    p->why_result = prec_strf("softmax in floating point (see note)");
}

/* relu, linear: computed in the input's type. */
static void relu_linear(IrNode *n, IrPrec *p, const PrecVals *in, PrecVals *v, bool relu) {
    prec_vals_init(v, in->n, in->e);
    for (int k = 0; k < in->n; k++) {
        v->lo[k] = in->lo[k]; v->hi[k] = in->hi[k];
        if (relu) { if (v->lo[k] < 0) v->lo[k] = 0; if (v->hi[k] < 0) v->hi[k] = 0; }
    }
    (void)n;
    p->t.accum = prec_plain(p->t.input);     /* computed in the input's type */
    p->t.has_accum = true;
    { i128 lo, hi; prec_vals_union(v, &lo, &hi); p->acc_range = prec_to_range(lo, hi, in->e); }
    free(p->why_accum);
    p->why_accum = prec_strf("%s in the input's type", relu ? "max(x, 0)" : "x");
}

void prec_exact_relu(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    PrecVals v;
    relu_linear(n, p, prec_in_vals(x, n, 0), &v, true);
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

void prec_exact_linear(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    PrecVals v;
    relu_linear(n, p, prec_in_vals(x, n, 0), &v, false);
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

void prec_exact_leaky_relu(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    PrecVals v;
    int64_t am; bool exact;
    int ea0 = 0;
    aedl_fixed at = prec_alpha_type(n->alpha, &am, &exact);
    ea0 = prec_exp(at);
    p->t.weight = at; p->t.has_weight = true;
    int me = ea0 < 0 ? in->e + ea0 : in->e;
    prec_vals_init(&v, in->n, me);
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
    p->multipliers = am && !prec_is_pow2(am) ? 1 : 0;
    prec_set_acc(x, n, p, &v, 1, prec_strf("x >= 0 ? x : alpha*x, alpha = %.12g", prec_val(am, ea0)));
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

/* min(max(x, lo), hi), exact: at the finer of the input's and the bounds' steps. */
void prec_exact_clip(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    PrecVals v;
    int64_t bl, bh; int be;
    prec_clip_bounds(n, &bl, &bh, &be);
    p->t.weight = prec_type_for(bl, bh, be); p->t.has_weight = true;
    int me = 0;
    for (int k = 0; k < in->n; k++) {
        i128 lo, hi;
        prec_clip_range(n, in->lo[k], in->hi[k], in->e, &lo, &hi, &me);
        if (k == 0) prec_vals_init(&v, in->n, me);
        v.lo[k] = lo; v.hi[k] = hi;
    }
    prec_set_acc(x, n, p, &v, 1, prec_strf("min(max(x, %.17g), %.17g)", prec_val(bl, be), prec_val(bh, be)));
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

/* bound: per feature x, max(x, 0) or k * table(x), exact at the finer step. */
void prec_exact_bound(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    int size = in->n, ke, me;
    int64_t *ks = xmalloc(sizeof(int64_t) * (size_t)size), *modes = xmalloc(sizeof(int64_t) * (size_t)size);
    p->t.bias = prec_bound_ks(n, ks, modes, &ke); p->t.has_bias = true;
    p->t.weight = prec_act_table_type(OP_TANH, x->t); p->t.has_weight = true;
    i128 tl, th;
    table_extremes(p->t.weight, &tl, &th);
    PrecVals v;
    i128 *l = xmalloc(sizeof(i128) * (size_t)size * 2), *h = l + size;
    bound_ranges(ks, modes, size, in->lo, in->hi, in->e, tl, th, prec_exp(p->t.weight), ke, l, h, &me, &x->ovf);
    prec_vals_init(&v, size, me);
    for (int j = 0; j < size; j++) { v.lo[j] = l[j]; v.hi[j] = h[j]; }
    free(p->why_weight); free(p->why_bias);
    char *tt = prec_tstr(p->t.weight), *kt = prec_tstr(p->t.bias);
    p->why_weight = prec_strf("tanh's table in %s, as the tanh layer's", tt);
    p->why_bias = prec_strf("the factors k on the 2^-10 step; values fit %s", kt);
    free(tt); free(kt);
    int nt = 0, nr = 0;
    for (int j = 0; j < size; j++) { nt += modes[j] == BOUND_TANH; nr += modes[j] == BOUND_RELU; }
    p->n_in = p->n_out = size;
    p->multipliers = 0;
    for (int j = 0; j < size; j++) p->multipliers += ks[j] && !prec_is_pow2(ks[j]);
    prec_set_acc(x, n, p, &v, 1, prec_strf("%d features k * tanh(x), %d max(x, 0), %d x", nt, nr, size - nt - nr));
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
    free(ks); free(modes); free(l);
}

/* |x|, exact at the input's step. */
void prec_exact_abs(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    PrecVals v;
    prec_vals_init(&v, in->n, in->e);
    for (int k = 0; k < in->n; k++) abs_range(in->lo[k], in->hi[k], &v.lo[k], &v.hi[k]);
    prec_set_acc(x, n, p, &v, 1, prec_strf("|x|"));
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

void prec_exact_dropout(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    const PrecVals *in = prec_in_vals(x, n, 0);
    prec_vals_init(out, in->n, in->e);
    memcpy(out->lo, in->lo, sizeof(i128) * in->n);
    memcpy(out->hi, in->hi, sizeof(i128) * in->n);
    p->t.result = p->t.input;
    p->t.has_accum = false;
    i128 lo, hi; prec_vals_union(out, &lo, &hi);
    p->range = prec_to_range(lo, hi, out->e); p->has_range = true;
    free(p->why_result);
    p->why_result = prec_strf(n->op == OP_SAMPLE ? "sample: its mean (the first input) in inference"
                                                 : "dropout: identity in inference");
}

/* The common step of the inputs (add, concat). */
static int finest_input_exp(PrecEx *x, const IrNode *n) {
    int e = prec_in_vals(x, n, 0)->e;
    for (int k = 1; k < n->ninputs; k++) if (prec_in_vals(x, n, k)->e < e) e = prec_in_vals(x, n, k)->e;
    return e;
}

void prec_exact_add(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    int e = finest_input_exp(x, n);
    PrecVals v;
    int N = prec_in_vals(x, n, 0)->n;
    prec_vals_init(&v, N, e);
    for (int k = 0; k < n->ninputs; k++) {
        const PrecVals *a = prec_in_vals(x, n, k);
        for (int j = 0; j < N; j++) {
            v.lo[j] = prec_add(v.lo[j], prec_shl(a->lo[j], a->e - e, &x->ovf), &x->ovf);
            v.hi[j] = prec_add(v.hi[j], prec_shl(a->hi[j], a->e - e, &x->ovf), &x->ovf);
        }
    }
    prec_set_acc(x, n, p, &v, n->ninputs, prec_strf("sum of %d inputs", n->ninputs));
    prec_finish(x, n, p, &v, out);
    prec_vals_free(&v);
}

void prec_exact_concat(PrecEx *x, IrModel *m, IrNode *n, IrPrec *p, PrecVals *out) {
    (void)m;
    int e = finest_input_exp(x, n);
    int N = 0;
    for (int k = 0; k < n->ninputs; k++) N += prec_in_vals(x, n, k)->n;
    prec_vals_init(out, N, e);
    int j = 0;
    for (int k = 0; k < n->ninputs; k++) {
        const PrecVals *a = prec_in_vals(x, n, k);
        for (int i = 0; i < a->n; i++, j++) {
            out->lo[j] = prec_shl(a->lo[i], a->e - e, &x->ovf);
            out->hi[j] = prec_shl(a->hi[i], a->e - e, &x->ovf);
        }
    }
    i128 lo, hi;
    prec_vals_union(out, &lo, &hi);
    p->t.result = prec_need_type(x, n, "the result", lo, hi, e);
    p->t.has_accum = false;
    p->range = prec_to_range(lo, hi, e); p->has_range = true;
    char *r = prec_rstr(lo, hi, e);
    free(p->why_result);
    p->why_result = prec_strf("the inputs side by side: %s", r);
    free(r);
}
