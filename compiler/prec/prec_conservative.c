/* prec_conservative.c — pass b: width rules from bit widths alone.
 *
 * Usable before any training: only the types of the inputs, the quantizers
 * and the layer sizes.  Every rule gives a type that holds every value the
 * operation can produce from any values of its input types, so nothing rounds
 * or overflows (docs/precision.md has the worked examples):
 *
 *   dense      product  <Wx+Ww, Ix+Iw>, signed if either is;
 *              sum of n products: c = ceil(log2 n), <W+c, I+c>  (hls4ml);
 *              + bias:  I = max(I + (sb && !s), Ib + (s && !sb)) + 1,
 *                       W = I + max(F, Fb)                        (hls4ml)
 *   batchnorm  x * scale + shift with the parameter type P: product, then the bias rule
 *   relu       a signed <W,I> input gives ufixed<W-1,I-1>; the quantizer's type when quantized
 *   leaky_relu the union of x and alpha * x (union: F = max F, I = max I, +1 for an
 *              unsigned part in a signed union)
 *   linear, dropout  the input's type (the quantizer's when quantized)
 *   clip       the input's range clamped to [lo, hi] (lo, hi on the 2^-10 step)
 *   add        the bias rule applied input after input
 *   concat     the union of the inputs
 *   sigmoid, tanh            their table type (pass e); softmax the default (not guaranteed)
 *   an unquantized sum of a float part: prec_float_sum_types() on the rule's type
 *              (worst-case integer bits, rounded fraction; not guaranteed)
 *
 * Results go to prec->cons; the firmware's types (prec->t) are these too
 * when the target asks for `conservative`, or for `bit_exact` before weights
 * exist.  `precision = fixed<...>` gives that type to every accumulator and
 * unquantized result instead (hls4ml's default behaviour; not guaranteed).
 */
#include <math.h>
#include <stdlib.h>
#include "prec_common.h"
#include "util.h"

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

static char *tstr(aedl_fixed t) { char b[96]; return prec_strf("%s", prec_type_str(prec_plain(t), b, sizeof b)); }
static char *tstr_full(aedl_fixed t) { char b[96]; return prec_strf("%s", prec_type_str(t, b, sizeof b)); }

void prec_conservative(IrModel *m, const IrTarget *t) {
    aedl_fixed def = prec_default_type(t);
    IrPrecMode mode = prec_target(t)->precision;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        IrPrecTypes *c = &p->cons;
        const IrPrecTypes *q = &p->q;      /* passes a and e: what the model fixes */
        aedl_fixed x = n->ninputs ? n->inputs[0]->prec->cons.result : def;
        c->input = x;
        c->weight = q->weight; c->bias = q->bias; c->quant = q->quant;
        c->has_weight = q->has_weight; c->has_bias = q->has_bias; c->has_quant = q->has_quant;
        aedl_fixed v = x;                  /* the value before the quantizer */
        char *why = NULL;
        switch (n->op) {
        case OP_INPUT:
            v = q->result.width ? q->result : def;      /* pass a (declared) or e (float input) */
            why = prec_strf(n->has_type ? "the declared input type" : "no input type (see note)");
            break;
        case OP_DENSE: {
            if (!c->has_weight) { c->weight = def; c->has_weight = true; }
            bool bias = n->use_bias;
            if (bias && !c->has_bias) { c->bias = def; c->has_bias = true; }
            long nin = ir_shape_size(&n->inputs[0]->shape);
            aedl_fixed prod = mul_rule(x, c->weight);
            if (bias && !n->bias_q && p->fallback_on && mode != PREC_FIXED)   /* on the products' step */
                c->bias = prec_float_on_step(c->bias, frac(prod));
            int cl = ceil_log2(nin);
            aedl_fixed sum = mk(prod.width + cl, prod.integer + cl, prod.is_signed);
            c->accum = bias ? add_rule(sum, c->bias) : sum;
            c->has_accum = true;
            v = c->accum;
            char *a = tstr(prod), *b = tstr(sum), *d = tstr(c->accum);
            why = bias ? prec_strf("product %s; %ld inputs: +%d bits -> %s; + bias -> %s", a, nin, cl, b, d)
                       : prec_strf("product %s; %ld inputs: +%d bits -> %s (no bias)", a, nin, cl, b);
            free(a); free(b); free(d);
            long nz = n->params ? count_nonzero(n, c->weight)
                                : lround((double)nin * n->units * (n->prune ? 1.0 - n->prune->final : 1.0));
            c->ebops = (double)nz * prec_mag_bits(x) * prec_mag_bits(c->weight);
            break;
        }
        case OP_BATCHNORM: {
            aedl_fixed prod = mul_rule(x, c->weight);
            c->accum = add_rule(prod, c->bias);
            c->has_accum = true;
            v = c->accum;
            char *a = tstr(prod), *d = tstr(c->accum);
            why = prec_strf("x * scale %s; + shift -> %s", a, d);
            free(a); free(d);
            c->ebops = (double)ir_shape_size(&n->shape) * prec_mag_bits(x) * prec_mag_bits(c->weight);
            break;
        }
        case OP_RELU:
            c->accum = x; c->has_accum = true;
            v = x.is_signed && x.width >= 2 ? mk(x.width - 1, x.integer - 1, false) : x;
            why = prec_strf("relu of a %s input", x.is_signed ? "signed" : "unsigned");
            break;
        case OP_LEAKY_RELU: {
            aedl_fixed neg = mul_rule(x, c->weight);
            c->accum = union_rule(x, neg); c->has_accum = true;
            v = c->accum;
            why = prec_strf("union of x and alpha * x");
            break;
        }
        case OP_LINEAR: case OP_DROPOUT:
            c->accum = x; c->has_accum = n->op == OP_LINEAR;
            v = x;
            why = prec_strf("the input's type");
            break;
        case OP_CLIP: {
            int64_t bl, bh; int be, e;
            prec_clip_bounds(n, &bl, &bh, &be);
            c->weight = prec_type_for(bl, bh, be); c->has_weight = true;
            i128 tl, th, lo, hi;
            prec_type_range(x, &tl, &th);
            prec_clip_range(n, tl, th, prec_exp(x), &lo, &hi, &e);
            c->accum = prec_type_for(lo, hi, e); c->has_accum = true;
            if (!c->accum.width) c->accum = x;
            v = c->accum;
            why = prec_strf("the input's range clamped to [%.17g, %.17g]", prec_val(bl, be), prec_val(bh, be));
            break;
        }
        case OP_ADD: {
            aedl_fixed s = x;
            for (int k = 1; k < n->ninputs; k++) s = add_rule(s, n->inputs[k]->prec->cons.result);
            c->accum = s; c->has_accum = true;
            v = s;
            why = prec_strf("sum of %d inputs: one more integer bit per addition", n->ninputs);
            break;
        }
        case OP_CONCAT: {
            aedl_fixed s = x;
            for (int k = 1; k < n->ninputs; k++) s = union_rule(s, n->inputs[k]->prec->cons.result);
            v = s;
            why = prec_strf("union of the inputs' types");
            break;
        }
        case OP_SIGMOID: case OP_TANH: case OP_SOFTMAX:
            v = q->result.width ? q->result : def;      /* pass e */
            why = prec_strf(n->op == OP_SOFTMAX ? "computed in floating point (see note)" : "a lookup table (see note)");
            break;
        }
        if (p->fallback_on) {   /* a float part (not guaranteed): prec_float.c's rule on the rule's type */
            int terms = n->op == OP_DENSE ? (int)ir_shape_size(&n->inputs[0]->shape) + n->use_bias
                      : n->op == OP_BATCHNORM ? 2 : n->op == OP_ADD ? n->ninputs : 1;
            prec_float_sum_types(p, t, v.integer, v.is_signed, frac(v), terms);
            c->accum = p->fallback_acc; c->has_accum = true; v = p->fallback;
            char *a = why, *b = tstr(p->fallback_acc), *d = tstr_full(p->fallback);
            why = prec_strf("%s; float part: accumulator %s, result %s%s (see note)", a, b, d, p->fallback_obs ? " (observed)" : "");
            free(a); free(b); free(d);
        }
        c->result = c->has_quant ? c->quant : p->fallback_on ? v : prec_plain(v);
        if (n->op == OP_INPUT || n->op == OP_SIGMOID || n->op == OP_TANH || n->op == OP_SOFTMAX) c->result = v;
        if (c->has_quant) { char *a = why; why = prec_strf("%s; then the quantizer", a); free(a); }
        free(p->cons_why);
        p->cons_why = why;
        if (c->has_accum) c->accum = prec_plain(c->accum);

        /* The firmware's types, unless bit_exact analysis will set them. */
        p->t.input = x;   /* replaced when the inputs' t.result are known (below) */
        if (mode == PREC_FIXED) {
            IrPrecTypes f = *c;
            f.input = n->ninputs ? n->inputs[0]->prec->t.result : def;
            if (f.has_accum) f.accum = prec_plain(def);
            if (n->op == OP_INPUT || n->op == OP_SIGMOID || n->op == OP_TANH || n->op == OP_SOFTMAX)
                f.result = c->result;
            else if (n->op == OP_DROPOUT) f.result = f.input;
            else if (!f.has_quant) f.result = prec_plain(def);
            if (n->op == OP_RELU || n->op == OP_LINEAR) f.accum = f.input;
            p->t = f;
            if (n->op != OP_INPUT && n->op != OP_DROPOUT && (f.has_accum || !f.has_quant) &&
                n->op != OP_RELU && n->op != OP_LINEAR && n->op != OP_CLIP)
                p->guaranteed = false;
            if (!p->guaranteed) prec_note(p, "precision = fixed default type: may round or overflow");
        } else {
            p->t = *c;
            p->t.input = n->ninputs ? n->inputs[0]->prec->t.result : c->input;
        }
    }
}
