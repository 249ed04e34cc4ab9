/* prec_float.c — pass e: the unquantized (float) parts of a model.
 *
 * What training computes in floating point cannot be matched exactly by
 * fixed-point firmware; these parts get types from what is known and are
 * marked "not guaranteed":
 *   - an input without a declared type: from the observed range (one more
 *     integer bit as margin, the default type's fraction bits), else the
 *     target's default type;
 *   - a dense without a weight (or bias) quantizer: the default width, with
 *     the integer bits the trained values need (rounded to nearest even,
 *     saturating), else the default type;
 *   - sigmoid / softmax: ufixed<W,1>, tanh: fixed<W,2> (W the default width,
 *     rnd, sat), or from the observed range.
 * Everything after such a part keeps exact types for the firmware's own
 * arithmetic (bit_exact still holds the firmware's ranges), but its values
 * may differ from training's, so it is not guaranteed either (prec_run.c
 * propagates the flag).
 */
#include <math.h>
#include <string.h>
#include "prec_common.h"

static const IrObserved *find_obs(const IrNode *n, const IrObserved *obs, int nobs) {
    for (int k = 0; k < nobs; k++)
        if (obs[k].layer && strcmp(obs[k].layer, n->name) == 0) return &obs[k];
    return NULL;
}

/* Integer bits so that |x| <= mx fits a signed type, plus `margin`. */
static int int_bits_for(double mx, int margin) {
    int i = 1;
    while (i < 60 && ldexp(1.0, i - 1) <= mx) i++;
    return i + margin;
}

static aedl_fixed from_observed(const IrObserved *o, aedl_fixed def) {
    double mx = fabs(o->lo) > fabs(o->hi) ? fabs(o->lo) : fabs(o->hi);
    int F = def.width - def.integer;
    bool s = o->lo < 0;
    int I = int_bits_for(mx, 1) - (s ? 0 : 1);
    if (I + F > 64) F = 64 - I;
    return (aedl_fixed){I + F, I, s, AEDL_RND, AEDL_SAT};
}

static aedl_fixed for_values(const float *v, long n, aedl_fixed def) {
    double mx = 0;
    for (long k = 0; k < n; k++) if (fabs((double)v[k]) > mx) mx = fabs((double)v[k]);
    int I = int_bits_for(mx, 0);
    return (aedl_fixed){def.width, I, true, AEDL_RND_CONV, AEDL_SAT};
}

void prec_float(IrModel *m, const IrTarget *t, const IrObserved *obs, int nobs) {
    aedl_fixed def = prec_default_type(t);
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        const IrObserved *o = find_obs(n, obs, nobs);
        char b[96];
        switch (n->op) {
        case OP_INPUT:
            if (n->has_type) break;
            p->t.result = o ? from_observed(o, def) : def;
            p->guaranteed = false;
            prec_note(p, "no input type: %s %s; training sees the float input: not guaranteed",
                      prec_type_str(p->t.result, b, sizeof b), o ? "from the observed range" : "(default)");
            break;
        case OP_DENSE:
            if (!n->weight_q) {
                p->t.weight = n->params ? for_values(n->params->kernel, (long)n->params->n_in * n->params->units, def) : def;
                p->t.has_weight = true;
                p->guaranteed = false;
                prec_note(p, "float weights rounded to %s: not guaranteed", prec_type_str(p->t.weight, b, sizeof b));
            }
            if (n->use_bias && !n->bias_q) {
                p->t.bias = n->params && n->params->bias ? for_values(n->params->bias, n->params->units, def) : def;
                p->t.has_bias = true;
                p->guaranteed = false;
                prec_note(p, "float bias rounded to %s: not guaranteed", prec_type_str(p->t.bias, b, sizeof b));
            }
            break;
        case OP_SIGMOID: case OP_TANH: case OP_SOFTMAX:
            if (o) p->t.result = from_observed(o, def);
            else p->t.result = (aedl_fixed){def.width, n->op == OP_TANH ? 2 : 1, n->op == OP_TANH,
                                            AEDL_RND, AEDL_SAT};
            p->t.has_accum = false;
            p->guaranteed = false;
            prec_note(p, "%s in floating point, rounded to %s: not guaranteed", ir_op_name(n->op),
                      prec_type_str(p->t.result, b, sizeof b));
            break;
        case OP_LEAKY_RELU:
            if (!p->alpha_exact) {
                p->guaranteed = false;
                prec_note(p, "alpha %g is not a multiple of 2^-10 (training multiplies by it in floating point): "
                          "not guaranteed; use e.g. 0.25 or 0.3125", n->alpha);
            }
            break;
        default:
            break;
        }
        if (o) { p->has_observed = true; p->obs_lo = o->lo; p->obs_hi = o->hi; }
        /* downstream of a float part nothing is guaranteed; an unquantized sum there
           gets the observed or the default type instead of ever-growing widths */
        for (int k = 0; k < n->ninputs; k++) p->guaranteed &= n->inputs[k]->prec->guaranteed;
        bool sums = n->op == OP_DENSE || n->op == OP_BATCHNORM || n->op == OP_ADD || n->op == OP_LEAKY_RELU;
        if (!p->guaranteed && sums && !p->t.has_quant) {
            p->fallback_on = true;
            p->fallback = o ? from_observed(o, def) : def;
            prec_note(p, "not guaranteed: accumulator and result %s %s", prec_type_str(p->fallback, b, sizeof b),
                      o ? "from the observed range" : "(the default type)");
        }
    }
}
