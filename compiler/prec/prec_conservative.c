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
 * The rules of the kinds are in rules.c (prec_cons_KIND); this pass applies
 * them in graph order, then the float-part rule, the quantizer and the mode.
 *
 * Results go to prec->cons; the firmware's types (prec->t) are these too
 * when the target asks for `conservative`, or for `bit_exact` before weights
 * exist.  `precision = fixed<...>` gives that type to every accumulator and
 * unquantized result instead (hls4ml's default behaviour; not guaranteed).
 */
#include <stdlib.h>
#include "prec_common.h"
#include "util.h"

static int frac(aedl_fixed t) { return t.width - t.integer; }

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
        PrecCons k = {.p = p, .c = c, .q = q, .x = x, .def = def, .mode = mode, .v = x, .terms = 1};
        kind_of(n->op)->prec_cons(n, &k);   /* rules.c */
        aedl_fixed v = k.v;                /* the value before the quantizer */
        char *why = k.why;
        if (p->fallback_on) {   /* a float part (not guaranteed): prec_float.c's rule on the rule's type */
            prec_float_sum_types(p, t, v.integer, v.is_signed, frac(v), k.terms);
            c->accum = p->fallback_acc; c->has_accum = true; v = p->fallback;
            char *a = why, *b = tstr(p->fallback_acc), *d = tstr_full(p->fallback);
            why = prec_strf("%s; float part: accumulator %s, result %s%s (see note)", a, b, d, p->fallback_obs ? " (observed)" : "");
            free(a); free(b); free(d);
        }
        c->result = c->has_quant ? c->quant : p->fallback_on ? v : prec_plain(v);
        if (k.result_as_is) c->result = v;
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
            if (k.result_as_is) f.result = c->result;
            else if (k.identity) f.result = f.input;
            else if (!f.has_quant) f.result = prec_plain(def);
            if (k.fixed_accum_input) f.accum = f.input;
            p->t = f;
            if (!k.fixed_exact && (f.has_accum || !f.has_quant)) p->guaranteed = false;
            if (!p->guaranteed) prec_note(p, "precision = fixed default type: may round or overflow");
        } else {
            p->t = *c;
            p->t.input = n->ninputs ? n->inputs[0]->prec->t.result : c->input;
        }
    }
}
