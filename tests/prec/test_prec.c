/* test_prec.c — precision inference and the firmware emulator.
 *
 *   - the conservative rules' worked examples (domain.md);
 *   - exact ranges of a hand-computed dense;
 *   - the guarantee: thousands of random small quantized models (random
 *     quantizers and input types, weights, pruning masks, batchnorm, relu /
 *     leaky_relu / linear quantizers, add, concat, dropout); the emulator
 *     running the plan must equal, on every event, an exact evaluation of
 *     the quantized model written here with lib/fixed.c's exact values
 *     (independent of plan.c and emu.c), in bit_exact and in conservative
 *     mode; and bit_exact widths never exceed the conservative ones;
 *   - the plan's text form round-trips; emulator casts agree with fixed.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "src.h"
#include "check.h"
#include "emu.h"
#include "kinds.h"
#include "fixed.h"
#include "nn.h"
#include "precision.h"
#include "weights.h"

/* ---- a tiny random generator (independent of the runtime's) ------------------------- */
static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd64(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static int rnd(int n) { return (int)(rnd64() % (uint64_t)n); }
static double unif(double a, double b) { return a + (b - a) * (double)(rnd64() >> 11) / 9007199254740992.0; }

/* ---- hand-built IR ----------------------------------------------------------------- */
typedef struct {
    IrModel m;
    IrNode *nodes[32];
    IrNode *inputs_store[32][2];
    IrQuant quants[64]; int nq;
    IrNode *outs[1];
} Model;

static IrNode *add_node(Model *M, IrOp op, int size, IrNode *a, IrNode *b) {
    IrNode *n = calloc(1, sizeof *n);
    int id = M->m.nnodes;
    n->id = id; n->op = op; n->loc = NOLOC;
    static char names[64][32];
    snprintf(names[id], sizeof names[id], "%s_%d", ir_op_name(op), id);
    n->name = names[id];
    n->inputs = M->inputs_store[id];
    if (a) n->inputs[n->ninputs++] = a;
    if (b) n->inputs[n->ninputs++] = b;
    n->shape.rank = 1; n->shape.dims[0] = size;
    n->alpha = 0.3; n->epsilon = 1e-3; n->momentum = 0.99; n->use_bias = true;
    M->nodes[id] = n;
    M->m.nnodes++;
    M->m.nodes = M->nodes;
    return n;
}

static IrQuant *quant_type(Model *M, aedl_fixed t) {
    IrQuant *q = &M->quants[M->nq++];
    memset(q, 0, sizeof *q);
    q->kind = Q_FIXED; q->type = t; q->loc = NOLOC;
    return q;
}

static void model_free(Model *M) {
    prec_free(&M->m);
    weights_free_model(&M->m);
    for (int i = 0; i < M->m.nnodes; i++) free(M->nodes[i]);
    M->m.nnodes = 0;
}

static aedl_fixed fx(int w, int i, bool s, aedl_rounding r, aedl_overflow o) { return (aedl_fixed){w, i, s, r, o}; }

/* ---- the conservative worked examples --------------------------------------------- */
static void test_conservative_examples(void) {
    char buf[96];
    Model M = {0};
    M.m.name = "ex";
    IrTarget t = {0};
    t.precision = PREC_CONSERVATIVE; t.default_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
    IrNode *in = add_node(&M, OP_INPUT, 57, NULL, NULL);
    in->has_type = true; in->in_type = fx(8, 0, false, AEDL_TRN, AEDL_WRAP);
    IrNode *d = add_node(&M, OP_DENSE, 32, in, NULL);
    d->units = 32;
    d->weight_q = quant_type(&M, fx(6, 1, true, AEDL_RND_CONV, AEDL_SAT));
    d->bias_q = quant_type(&M, fx(6, 1, true, AEDL_RND_CONV, AEDL_SAT));
    M.outs[0] = d; M.m.outputs = M.outs; M.m.noutputs = 1;
    int e = infer_precision(NULL, &M.m, &t, NULL, 0);
    prec_type_str(d->prec->t.accum, buf, sizeof buf);
    CHECK(e == 0 && !strcmp(buf, "fixed<21,8>"), "conservative: ufixed<8,0> x fixed<6,1>, 57 inputs, bias fixed<6,1> -> fixed<21,8>",
          "got %s (%d errors)", buf, e);
    CHECK(d->prec->guaranteed, "conservative: quantized dense is guaranteed", "not guaranteed");
    model_free(&M);

    for (int bias = 0; bias < 2; bias++) {
        memset(&M, 0, sizeof M);
        M.m.name = "ex2";
        in = add_node(&M, OP_INPUT, 57, NULL, NULL);
        in->has_type = true; in->in_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
        d = add_node(&M, OP_DENSE, 16, in, NULL);
        d->units = 16; d->use_bias = bias;
        d->weight_q = quant_type(&M, fx(16, 6, true, AEDL_TRN, AEDL_WRAP));
        d->bias_q = quant_type(&M, fx(16, 6, true, AEDL_TRN, AEDL_WRAP));
        M.outs[0] = d; M.m.outputs = M.outs; M.m.noutputs = 1;
        infer_precision(NULL, &M.m, &t, NULL, 0);
        prec_type_str(d->prec->t.accum, buf, sizeof buf);
        const char *want = bias ? "fixed<39,19>" : "fixed<38,18>";
        CHECK(!strcmp(buf, want), bias ? "conservative: fixed<16,6> x fixed<16,6>, 57 inputs, bias fixed<16,6> -> fixed<39,19>"
                                       : "conservative: fixed<16,6> x fixed<16,6>, 57 inputs, no bias -> fixed<38,18>",
              "got %s, want %s", buf, want);
        model_free(&M);
    }
}

/* ---- a dense computed by hand ------------------------------------------------------- */
static void test_exact_by_hand(void) {
    Model M = {0};
    M.m.name = "hand";
    IrTarget t = {0};
    t.precision = PREC_BIT_EXACT; t.default_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
    IrNode *in = add_node(&M, OP_INPUT, 2, NULL, NULL);
    in->has_type = true; in->in_type = fx(4, 2, false, AEDL_TRN, AEDL_WRAP);   /* [0, 3.75] step 1/4 */
    IrNode *d = add_node(&M, OP_DENSE, 2, in, NULL);
    d->units = 2;
    d->weight_q = quant_type(&M, fx(8, 4, true, AEDL_RND_CONV, AEDL_SAT));       /* step 1/16 */
    d->bias_q = quant_type(&M, fx(8, 4, true, AEDL_RND_CONV, AEDL_SAT));
    IrParams *p = weights_new_dense(2, 2, true, true);
    /* neuron 0: 1.5*x0 - 0.5*x1 + 0.25; neuron 1: x0 pruned, -3*x1 */
    p->kernel[0] = 1.5f; p->kernel[1] = 3.0f; p->kernel[2] = -0.5f; p->kernel[3] = -3.0f;
    p->mask[0] = 1; p->mask[1] = 0; p->mask[2] = 1; p->mask[3] = 1;
    p->bias[0] = 0.25f; p->bias[1] = 0;
    d->params = p;
    M.outs[0] = d; M.m.outputs = M.outs; M.m.noutputs = 1;
    int e = infer_precision(NULL, &M.m, &t, NULL, 0);
    IrPrec *pr = d->prec;
    /* neuron 0: [0.25 - 0.5*3.75, 0.25 + 1.5*3.75] = [-1.625, 5.875] (7 bits on 1/8);
       neuron 1: [-11.25, 0] (8 bits); weights 1.5, -0.5, -3 = 3, -1, -6 halves -> fixed<4,3>;
       product step 1/8, bias step 1/4 -> acc step 1/8: [-11.25, 5.875] = [-90, 47]/8 -> fixed<8,5> */
    char a[96], w[96], r[96];
    prec_type_str(pr->t.accum, a, sizeof a);
    prec_type_str(pr->t.weight, w, sizeof w);
    prec_type_str(pr->t.result, r, sizeof r);
    CHECK(e == 0 && !strcmp(a, "fixed<8,5>"), "bit_exact: hand dense accumulator fixed<8,5>", "got %s", a);
    CHECK(!strcmp(w, "fixed<4,3>"), "bit_exact: hand dense weights on their coarsest step fixed<4,3>", "got %s", w);
    CHECK(!strcmp(r, a), "bit_exact: unquantized dense result = accumulator", "got %s", r);
    CHECK(pr->range.lo == -90 && pr->range.hi == 47 && pr->range.exp == -3,
          "bit_exact: hand dense exact range [-11.25, 5.875]", "got [%lld, %lld] 2^%d",
          (long long)pr->range.lo, (long long)pr->range.hi, pr->range.exp);
    CHECK(pr->nonzero == 3 && pr->multipliers == 2, "bit_exact: non-zero weights 3, multipliers 2 (1.5, -3; -0.5 is a shift)",
          "nonzero %ld multipliers %ld", pr->nonzero, pr->multipliers);
    CHECK(pr->widest_neuron == 1, "bit_exact: widest neuron is 1", "got %d", pr->widest_neuron);
    CHECK(pr->why_accum && strstr(pr->why_accum, "[-11.25, 5.875] on step 2^-3"), "bit_exact: reason names the exact range",
          "got '%s'", pr->why_accum ? pr->why_accum : "(null)");
    model_free(&M);
}

/* ---- random models -------------------------------------------------------------------- */

static aedl_fixed rand_quant_type(bool allow_unsigned, bool allow_wrap) {
    int k = rnd(3);
    int bits = 2 + rnd(8), integer = rnd(4);
    if (k == 0) return fx(bits, integer + 1, true, AEDL_RND_CONV, rnd(2) ? AEDL_SAT_SYM : AEDL_SAT);
    if (k == 1 && allow_unsigned) return fx(bits, integer, false, AEDL_RND_CONV, AEDL_SAT);
    aedl_overflow o = (aedl_overflow)rnd(4);
    if (!allow_wrap && o == AEDL_WRAP) o = AEDL_SAT;
    bool s = allow_unsigned ? rnd(3) != 0 : true;
    return fx(bits, rnd(7) - 2, s, (aedl_rounding)rnd(7), o);
}

static const double alphas[] = {0.25, 0.125, 0.375, 0.5, 0.3125, 0.0};

static void rand_params(IrNode *n, int n_in) {
    if (n->op == OP_DENSE) {
        IrParams *p = weights_new_dense(n_in, n->units, n->use_bias, true);
        double sc = unif(0.2, 3);
        for (long k = 0; k < (long)n_in * n->units; k++) {
            p->kernel[k] = (float)unif(-sc, sc);
            p->mask[k] = rnd(2) ? 1.0f : 0.0f;
        }
        if (n->use_bias) for (int j = 0; j < n->units; j++) p->bias[j] = (float)unif(-2, 2);
        n->params = p;
    } else {
        int C = (int)ir_shape_size(&n->shape);
        IrParams *p = weights_new_batchnorm(C);
        for (int j = 0; j < C; j++) {
            p->gamma[j] = (float)unif(-2, 2); p->beta[j] = (float)unif(-1, 1);
            p->moving_mean[j] = (float)unif(-1, 1); p->moving_variance[j] = (float)unif(0.05, 3);
        }
        n->params = p;
    }
}

static void rand_model(Model *M) {
    memset(M, 0, sizeof *M);
    M->m.name = "rand";
    IrNode *in = add_node(M, OP_INPUT, 1 + rnd(5), NULL, NULL);
    in->has_type = true;
    in->in_type = rand_quant_type(true, true);
    in->in_type.width = 2 + rnd(9);
    int nl = 1 + rnd(5);
    IrNode *last = in;
    for (int l = 0; l < nl; l++) {
        int size = (int)ir_shape_size(&last->shape);
        int r = rnd(100);
        IrNode *n;
        if (r < 35) {
            n = add_node(M, OP_DENSE, 1 + rnd(5), last, NULL);
            n->units = n->shape.dims[0];
            n->use_bias = rnd(4) != 0;
            n->weight_q = quant_type(M, rand_quant_type(false, true));
            if (n->use_bias) n->bias_q = quant_type(M, rand_quant_type(false, true));
            rand_params(n, size);
        } else if (r < 52) {
            n = add_node(M, OP_BATCHNORM, size, last, NULL);
            if (rnd(3)) n->quant = quant_type(M, rand_quant_type(true, true));
            rand_params(n, size);
        } else if (r < 57) {
            n = add_node(M, OP_RELU, size, last, NULL);
            if (rnd(4)) n->quant = quant_type(M, rand_quant_type(true, true));
        } else if (r < 60) {
            n = add_node(M, OP_ABS, size, last, NULL);
        } else if (r < 62) {     /* per feature x, relu or k * tanh, k on the 2^-10 step */
            n = add_node(M, OP_BOUND, size, last, NULL);
            static IrBoundRule rules[64][64];
            static int feats[64][64];
            static const double ks[] = {3.0, 2.1, 4.0, 3.14159265358979323846, 0.5, 1.0};
            for (int j = 0; j < size && j < 64; j++) {
                int mode = rnd(3);
                if (!mode) continue;
                IrBoundRule *b = &rules[n->id][n->nbounds++];
                memset(b, 0, sizeof *b);
                b->mode = mode == 1 ? BOUND_RELU : BOUND_TANH;
                b->k = ks[rnd(6)];
                feats[n->id][j] = j;
                b->list = &feats[n->id][j]; b->nlist = 1; b->every = 1;
            }
            n->bounds = rules[n->id];
        } else if (r < 67) {     /* used on the 2^-10 step: 0.3 is 0.2998046875 */
            n = add_node(M, OP_CLIP, size, last, NULL);
            static const double bounds[] = {-3, -1.5, -0.3, 0, 0.125, 0.7, 2.5};
            int k = rnd(6);
            n->lo = bounds[k];
            n->hi = bounds[k + 1 + rnd(6 - k)];
        } else if (r < 77) {
            n = add_node(M, OP_LEAKY_RELU, size, last, NULL);
            n->alpha = alphas[rnd(6)];
            if (rnd(4)) n->quant = quant_type(M, rand_quant_type(true, true));
        } else if (r < 85) {
            n = add_node(M, OP_LINEAR, size, last, NULL);
            n->quant = quant_type(M, rand_quant_type(true, true));
        } else if (r < 87) {
            n = add_node(M, OP_DROPOUT, size, last, NULL);
            n->rate = 0.5;
        } else if (r < 91) {
            n = add_node(M, rnd(2) ? OP_SIGMOID : OP_TANH, size, last, NULL);
        } else if (r < 95) {
            IrNode *other = NULL;
            for (int k = 0; k < M->m.nnodes - 1; k++)
                if (ir_shape_size(&M->nodes[k]->shape) == size && rnd(2)) other = M->nodes[k];
            if (!other) other = last;
            n = add_node(M, OP_ADD, size, last, other);
        } else {
            IrNode *other = M->nodes[rnd(M->m.nnodes)];
            n = add_node(M, OP_CONCAT, size + (int)ir_shape_size(&other->shape), last, other);
        }
        last = n;
    }
    M->outs[0] = last; M->m.outputs = M->outs; M->m.noutputs = 1;
}

/* The reference: the quantized model evaluated with exact fixed-point values
   (lib/fixed.c), straight from the IR and the float parameters. */
static aedl_fx tidy(aedl_fx v) {   /* the same value in the smallest type (keeps widths small) */
    int F = v.t.width - v.t.integer;
    aedl_fixed t = aedl_fixed_for_mant_range(v.m, v.m, F);
    return (aedl_fx){v.m, t};
}
static aedl_fx qcast(const IrNode *n, aedl_fx v) { return n->quant ? aedl_fx_cast(n->quant->type, v) : v; }

/* sigmoid / tanh as docs/semantics.md states them: entry floor(x * 2^shift) + 512 of
   1024, clamped; its value f((i - 512) / 2^shift) rounded to the table type rt. */
static aedl_fx ref_table(const IrNode *n, aedl_fx x, aedl_fixed rt) {
    int sh = n->op == OP_TANH ? 7 : 6;
    double i = floor(ldexp(aedl_fx_to_double(x), sh));      /* exact: x has at most 53 bits */
    if (i < -512) i = -512;
    if (i > 511) i = 511;
    double t = ldexp(i, -sh);
    return aedl_fx_from_double(rt, n->op == OP_TANH ? tanh(t) : 1.0 / (1.0 + exp(-t)));
}

/* bound's feature j as docs/language.md states it: x, max(x, 0) or k * tanh's
   table entry (ref_table, in table type tt), k on the 2^-10 step; exact. */
static aedl_fx ref_bound(const IrNode *n, int j, aedl_fx x, aedl_fixed tt) {
    double k;
    IrBoundMode md = ir_bound_mode(n, j, &k);
    if (md == BOUND_RELU) return x.m < 0 ? (aedl_fx){0, x.t} : x;
    if (md == BOUND_NONE) return x;
    IrNode t = *n;
    t.op = OP_TANH;
    aedl_fx e = ref_table(&t, x, tt);
    return tidy(aedl_fx_mul(e, aedl_fx_from_double(fx(22, 12, true, AEDL_RND_CONV, AEDL_SAT), k)));
}

/* The exact values of node `upto` (the model's output when NULL) as doubles, or
   as aedl_fx in fx_out when that is not NULL (nodes after `upto` are not evaluated). */
static void ref_eval_node(const Model *M, const float *in, const IrNode *upto, double *out, aedl_fx *fx_out) {
    aedl_fx *vals[32];
    if (!upto) upto = M->m.outputs[0];
    for (int i = 0; i <= upto->id; i++) {
        const IrNode *n = M->nodes[i];
        int size = (int)ir_shape_size(&n->shape);
        aedl_fx *v = vals[i] = calloc(size, sizeof(aedl_fx));
        aedl_fx *x = n->ninputs ? vals[n->inputs[0]->id] : NULL;
        switch (n->op) {
        case OP_INPUT:
            for (int k = 0; k < size; k++) v[k] = aedl_fx_from_double(n->in_type, (double)in[k]);
            break;
        case OP_DENSE: {
            const IrParams *p = n->params;
            for (int j = 0; j < n->units; j++) {
                aedl_fx acc = n->use_bias ? aedl_fx_from_double(n->bias_q->type, (double)p->bias[j])
                                          : (aedl_fx){0, fx(1, 1, false, AEDL_TRN, AEDL_WRAP)};
                for (int i2 = 0; i2 < p->n_in; i2++) {
                    long k = (long)i2 * n->units + j;
                    double wv = p->mask[k] == 0 ? 0.0 : (double)p->kernel[k];
                    aedl_fx w = aedl_fx_from_double(n->weight_q->type, wv);
                    acc = tidy(aedl_fx_add(acc, tidy(aedl_fx_mul(x[i2], w))));
                }
                v[j] = acc;
            }
            break;
        }
        case OP_BATCHNORM: {
            const IrParams *p = n->params;
            double *s = malloc(sizeof(double) * size), *h = malloc(sizeof(double) * size);
            aedl_batchnorm_fold_f64(s, h, p->gamma, p->beta, p->moving_mean, p->moving_variance, size, (float)n->epsilon);
            aedl_fixed P = fx(16, 6, true, AEDL_RND_CONV, AEDL_SAT);
            for (int j = 0; j < size; j++)
                v[j] = qcast(n, tidy(aedl_fx_add(tidy(aedl_fx_mul(x[j], aedl_fx_from_double(P, s[j]))),
                                                 aedl_fx_from_double(P, h[j]))));
            free(s); free(h);
            break;
        }
        case OP_RELU: case OP_LEAKY_RELU: case OP_LINEAR: case OP_DROPOUT:
            for (int j = 0; j < size; j++) {
                aedl_fx a = x[j];
                bool neg = a.m < 0;
                if (n->op == OP_RELU && neg) a = (aedl_fx){0, a.t};
                if (n->op == OP_LEAKY_RELU && neg)
                    a = tidy(aedl_fx_mul(a, aedl_fx_from_double(fx(16, 6, true, AEDL_RND_CONV, AEDL_SAT), n->alpha)));
                v[j] = n->op == OP_DROPOUT ? a : qcast(n, a);
            }
            break;
        case OP_ADD:
            for (int j = 0; j < size; j++) {
                aedl_fx a = x[j];
                for (int k = 1; k < n->ninputs; k++) a = tidy(aedl_fx_add(a, vals[n->inputs[k]->id][j]));
                v[j] = a;
            }
            break;
        case OP_ABS:
            for (int j = 0; j < size; j++) v[j] = x[j].m < 0 ? aedl_fx_neg(x[j]) : x[j];
            break;
        case OP_BOUND:
            for (int j = 0; j < size; j++) v[j] = ref_bound(n, j, x[j], fx(16, 1, true, AEDL_RND, AEDL_SAT));
            break;
        case OP_CLIP:
            for (int j = 0; j < size; j++) {   /* the bounds on the 2^-10 step (docs/language.md) */
                aedl_fixed bt = fx(16, 6, true, AEDL_RND_CONV, AEDL_SAT);
                aedl_fx lo = aedl_fx_from_double(bt, n->lo), hi = aedl_fx_from_double(bt, n->hi);
                double xv = aedl_fx_to_double(x[j]);
                v[j] = xv < aedl_fx_to_double(lo) ? lo : xv > aedl_fx_to_double(hi) ? hi : x[j];
            }
            break;
        case OP_SIGMOID: case OP_TANH:   /* the target's default width (16 in these tests) */
            for (int j = 0; j < size; j++)
                v[j] = ref_table(n, x[j], n->op == OP_TANH ? fx(16, 1, true, AEDL_RND, AEDL_SAT)
                                                           : fx(16, 0, false, AEDL_RND, AEDL_SAT));
            break;
        case OP_CONCAT: {
            int j = 0;
            for (int k = 0; k < n->ninputs; k++) {
                int s = (int)ir_shape_size(&n->inputs[k]->shape);
                for (int i2 = 0; i2 < s; i2++) v[j++] = vals[n->inputs[k]->id][i2];
            }
            break;
        }
        default:
            break;
        }
    }
    for (int k = 0; k < ir_shape_size(&upto->shape); k++) {
        if (out) out[k] = aedl_fx_to_double(vals[upto->id][k]);
        if (fx_out) fx_out[k] = vals[upto->id][k];
    }
    for (int i = 0; i <= upto->id; i++) free(vals[i]);
}
static void ref_eval(const Model *M, const float *in, double *out) { ref_eval_node(M, in, NULL, out, NULL); }

static void dump_model(const Model *M);

/* The HLS reference: the firmware's own arithmetic on the types precision
   inference chose (prec->t), one ap_fixed assignment after every addition as
   HLS does; for `precision = fixed<...>`, where the firmware rounds and wraps
   where the model does not. */
static void ref_hls(const Model *M, const float *in, double *out) {
    aedl_fx *vals[32];
    for (int i = 0; i < M->m.nnodes; i++) {
        const IrNode *n = M->nodes[i];
        const IrPrecTypes *t = &n->prec->t;
        int size = (int)ir_shape_size(&n->shape);
        aedl_fx *v = vals[i] = calloc(size, sizeof(aedl_fx));
        aedl_fx *x = n->ninputs ? vals[n->inputs[0]->id] : NULL;
        for (int j = 0; j < size; j++) {
            aedl_fx a = {0, fx(1, 1, false, AEDL_TRN, AEDL_WRAP)};
            switch (n->op) {
            case OP_INPUT: v[j] = aedl_fx_from_double(t->result, (double)in[j]); continue;
            case OP_DROPOUT: v[j] = x[j]; continue;
            case OP_CONCAT: {
                int k = 0, off = j;
                while (off >= ir_shape_size(&n->inputs[k]->shape)) off -= (int)ir_shape_size(&n->inputs[k++]->shape);
                v[j] = aedl_fx_cast(t->result, vals[n->inputs[k]->id][off]);
                continue;
            }
            case OP_DENSE: {
                const IrParams *p = n->params;
                a = aedl_fx_cast(t->accum, n->use_bias ? aedl_fx_from_double(t->bias, (double)p->bias[j]) : a);
                for (int i2 = 0; i2 < p->n_in; i2++) {
                    long k = (long)i2 * n->units + j;
                    aedl_fx w = aedl_fx_from_double(t->weight, p->mask[k] == 0 ? 0.0 : (double)p->kernel[k]);
                    if (w.m) a = aedl_fx_cast(t->accum, aedl_fx_add(a, aedl_fx_mul(x[i2], w)));
                }
                break;
            }
            case OP_BATCHNORM: {
                const IrParams *p = n->params;
                double sc, sh;
                aedl_batchnorm_fold_f64(&sc, &sh, p->gamma + j, p->beta + j, p->moving_mean + j, p->moving_variance + j, 1, (float)n->epsilon);
                a = aedl_fx_cast(t->accum, aedl_fx_add(aedl_fx_mul(x[j], aedl_fx_from_double(t->weight, sc)),
                                                       aedl_fx_from_double(t->weight, sh)));
                break;
            }
            case OP_RELU: case OP_LINEAR: case OP_LEAKY_RELU:
                a = x[j];
                if (a.m < 0 && n->op == OP_RELU) a.m = 0;
                if (a.m < 0 && n->op == OP_LEAKY_RELU)
                    a = aedl_fx_mul(a, aedl_fx_from_double(fx(16, 6, true, AEDL_RND_CONV, AEDL_SAT), n->alpha));
                a = aedl_fx_cast(t->accum, a);
                break;
            case OP_ADD:
                a = x[j];
                for (int k = 1; k < n->ninputs; k++) a = aedl_fx_add(a, vals[n->inputs[k]->id][j]);
                a = aedl_fx_cast(t->accum, a);
                break;
            case OP_ABS:   /* if (x < 0) v = -x; else v = x; in accum_t */
                a = aedl_fx_cast(t->accum, x[j].m < 0 ? aedl_fx_neg(x[j]) : x[j]);
                break;
            case OP_CLIP: {   /* v = x; if (x < lo) v = lo; if (x > hi) v = hi; in accum_t */
                aedl_fixed bt = t->weight;   /* bounds_t, which holds both rounded to the 2^-10 step */
                bt.rnd = AEDL_RND_CONV;
                aedl_fx lo = aedl_fx_from_double(bt, n->lo), hi = aedl_fx_from_double(bt, n->hi);
                double xv = aedl_fx_to_double(x[j]);
                a = xv < aedl_fx_to_double(lo) ? lo : xv > aedl_fx_to_double(hi) ? hi : x[j];
                a = aedl_fx_cast(t->accum, a);
                break;
            }
            case OP_SIGMOID: case OP_TANH: a = ref_table(n, x[j], t->result); break;
            case OP_BOUND:   /* v = k[j] * table[i]; else max(x, 0); else x; in accum_t */
                a = aedl_fx_cast(t->accum, ref_bound(n, j, x[j], t->weight));   /* table_t */
                break;
            default: break;
            }
            if (t->has_quant) a = aedl_fx_cast(t->quant, a);
            v[j] = aedl_fx_cast(t->result, a);
        }
    }
    const IrNode *o = M->m.outputs[0];
    for (int k = 0; k < ir_shape_size(&o->shape); k++) out[k] = aedl_fx_to_double(vals[o->id][k]);
    for (int i = 0; i < M->m.nnodes; i++) free(vals[i]);
}

static void test_fixed_mode(int nmodels) {
    int mismatches = 0, runs = 0, failed = 0, fast = 0;
    char first[512] = "";
    float in[64 * 8];
    double want[64 * 40], got[64 * 40];
    const aedl_fixed defs[] = { {16, 6, true, AEDL_TRN, AEDL_WRAP}, {12, 4, true, AEDL_RND, AEDL_SAT},
                                {10, 3, true, AEDL_RND_CONV, AEDL_SAT_SYM}, {8, 2, true, AEDL_TRN_ZERO, AEDL_SAT_ZERO} };
    for (int it = 0; it < nmodels; it++) {
        Model M;
        rand_model(&M);
        IrTarget t = {0};
        t.precision = PREC_FIXED;
        t.default_type = defs[rnd(4)];
        if (infer_precision(NULL, &M.m, &t, NULL, 0)) { failed++; model_free(&M); continue; }
        char err[256];
        aedl_fw_plan *p = plan_build(&M.m, err, sizeof err);
        if (!p) { failed++; if (!first[0]) snprintf(first, sizeof first, "plan: %s", err); model_free(&M); continue; }
        int d_in = (int)ir_shape_size(&M.nodes[0]->shape), d_out = (int)ir_shape_size(&M.m.outputs[0]->shape);
        int nev = 1 + rnd(64);
        double span = ldexp(1.0, M.nodes[0]->in_type.integer) * 1.5;
        for (int k = 0; k < nev * d_in; k++) in[k] = (float)unif(-span, span);
        for (int e = 0; e < nev; e++) ref_hls(&M, in + e * d_in, want + e * d_out);
        aedl_fw_run(p, in, got, nev);
        runs++;
        fast += aedl_fw_uses_fast(p);
        for (int k = 0; k < nev * d_out; k++)
            if (!(got[k] == want[k])) {
                if (!first[0]) snprintf(first, sizeof first, "model %d event %d output %d: emulator %.17g, HLS reference %.17g",
                                        it, k / d_out, k % d_out, got[k], want[k]);
                if (getenv("PREC_DEBUG")) dump_model(&M);
                mismatches++;
                break;
            }
        aedl_fw_plan_free(p);
        model_free(&M);
    }
    CHECK(failed == 0 && mismatches == 0 && runs == nmodels,
          "precision = fixed<...>: emulator == HLS reference (one cast after every addition) on random models",
          "%d failed, %d of %d differ; first: %s", failed, mismatches, runs, first);
    CHECK(fast > 0 && fast < runs, "precision = fixed<...>: both the fast path (wrapping accumulators) and the fallback "
          "(saturating ones, one cast per addition) run", "%d of %d on the fast path", fast, runs);
}

static int width_checks(const Model *M, char *why, int n) {
    for (int i = 0; i < M->m.nnodes; i++) {
        const IrNode *nd = M->nodes[i];
        const IrPrec *p = nd->prec;
        const IrPrecTypes *t = &p->t, *c = &p->cons;
        if (p->folded_away) continue;
        if (p->folded_bn) {   /* the folded dense does the batchnorm's work */
            IrNode *bn = NULL;
            for (int k = i + 1; k < M->m.nnodes; k++) if (M->nodes[k]->inputs[0] == nd && M->nodes[k]->op == OP_BATCHNORM) bn = M->nodes[k];
            c = &bn->prec->cons;
        } else if (t->has_weight && c->has_weight && t->weight.width > c->weight.width) {
            snprintf(why, n, "%s: weight %d bits > conservative %d", nd->name, t->weight.width, c->weight.width);
            return 0;
        }
        if (t->has_accum && c->has_accum && t->accum.width > c->accum.width) {
            snprintf(why, n, "%s: accumulator %d bits > conservative %d", nd->name, t->accum.width, c->accum.width);
            return 0;
        }
        if (t->result.width > c->result.width) {
            snprintf(why, n, "%s: result %d bits > conservative %d", nd->name, t->result.width, c->result.width);
            return 0;
        }
    }
    return 1;
}

static void dump_model(const Model *M) {
    char a[96], b[96], c[96], d[96], q[96];
    for (int i = 0; i < M->m.nnodes; i++) {
        const IrNode *n = M->nodes[i];
        const IrPrec *p = n->prec;
        fprintf(stderr, "  %-14s in=%d%s", n->name, n->ninputs ? n->inputs[0]->id : -1, n->ninputs > 1 ? "+" : "");
        if (n->quant) fprintf(stderr, " quant=%s", prec_type_str(n->quant->type, q, sizeof q));
        if (n->op == OP_INPUT) fprintf(stderr, " type=%s", prec_type_str(n->in_type, q, sizeof q));
        if (n->op == OP_CLIP) fprintf(stderr, " lo=%g hi=%g", n->lo, n->hi);
        if (n->weight_q) fprintf(stderr, " wq=%s", prec_type_str(n->weight_q->type, q, sizeof q));
        if (p) fprintf(stderr, " | w=%s acc=%s q=%s res=%s%s%s", prec_type_str(p->t.weight, a, sizeof a),
                       prec_type_str(p->t.accum, b, sizeof b), p->t.has_quant ? prec_type_str(p->t.quant, c, sizeof c) : "-",
                       prec_type_str(p->t.result, d, sizeof d), p->folded_bn ? " FOLDED" : "", p->folded_away ? " AWAY" : "");
        fprintf(stderr, "\n");
    }
}

static void test_random_models(int nmodels) {
    int mismatches = 0, wider = 0, folded = 0, errors = 0, modes_run = 0, plans_bad = 0, too_wide = 0;
    int fast_runs = 0, ref_mismatches = 0;
    char first[512] = "", firstw[512] = "", firstp[512] = "", firstr[512] = "";
    float in[64 * 8];
    double want[64 * 40], got[64 * 40];
    for (int it = 0; it < nmodels; it++) {
        Model M;
        rand_model(&M);
        int d_in = (int)ir_shape_size(&M.nodes[0]->shape);
        int d_out = (int)ir_shape_size(&M.m.outputs[0]->shape);
        int nev = 1 + rnd(64);
        aedl_fixed it_t = M.nodes[0]->in_type;
        double span = ldexp(1.0, it_t.integer) * 1.5;
        for (int k = 0; k < nev * d_in; k++) in[k] = (float)(rnd(8) == 0 ? 0.0 : unif(-span, span));
        for (int e = 0; e < nev; e++) ref_eval(&M, in + e * d_in, want + e * d_out);
        for (int mode = 0; mode < 2; mode++) {
            IrTarget t = {0};
            t.precision = mode == 0 ? PREC_BIT_EXACT : PREC_CONSERVATIVE;
            t.default_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
            prec_free(&M.m);
            if (infer_precision(NULL, &M.m, &t, NULL, 0)) { errors++; continue; }
            if (mode == 0) {
                for (int i = 0; i < M.m.nnodes; i++) folded += M.nodes[i]->prec->folded_bn;
                /* conservative types are in prec->cons: compare */
                if (!width_checks(&M, firstw[0] ? (char[512]){0} : firstw, 512)) wider++;
            }
            char err[256];
            aedl_fw_plan *p = plan_build(&M.m, err, sizeof err);
            if (!p) {
                /* conservative widths may pass 64 bits (the emulator's limit) in deep random models */
                bool wide = false;
                for (int i = 0; i < M.m.nnodes; i++)
                    wide |= M.nodes[i]->prec->t.accum.width > 64 || M.nodes[i]->prec->t.result.width > 64;
                if (mode == 1 && wide) { too_wide++; continue; }
                plans_bad++;
                if (!firstp[0]) snprintf(firstp, sizeof firstp, "%s", err);
                continue;
            }
            modes_run++;
            fast_runs += aedl_fw_uses_fast(p);
            aedl_fw_set_reference(p, true);          /* the integer reference path too */
            aedl_fw_run(p, in, got, nev);
            aedl_fw_set_reference(p, false);
            for (int k = 0; k < nev * d_out; k++)
                if (!(got[k] == want[k])) {
                    if (!firstr[0])
                        snprintf(firstr, sizeof firstr, "model %d (%s) event %d output %d: reference path %.17g, exact %.17g",
                                 it, mode ? "conservative" : "bit_exact", k / d_out, k % d_out, got[k], want[k]);
                    ref_mismatches++;
                    break;
                }
            aedl_fw_run(p, in, got, nev);
            for (int k = 0; k < nev * d_out; k++)
                if (!(got[k] == want[k])) {
                    if (!first[0])
                        snprintf(first, sizeof first, "model %d (%s, %s path) event %d output %d: emulator %.17g, exact %.17g",
                                 it, mode ? "conservative" : "bit_exact", aedl_fw_uses_fast(p) ? "fast" : "reference",
                                 k / d_out, k % d_out, got[k], want[k]);
                    if (getenv("PREC_DEBUG")) {
                        dump_model(&M);
                        fprintf(stderr, "  input:");
                        for (int i = 0; i < d_in; i++) fprintf(stderr, " %.9g", in[(k / d_out) * d_in + i]);
                        fprintf(stderr, "\n");
                    }
                    mismatches++;
                    break;
                }
            aedl_fw_plan_free(p);
        }
        model_free(&M);
    }
    CHECK(errors == 0 && plans_bad == 0, "random models: precision inference and plans succeed",
          "%d inference errors, %d plans failed: %s", errors, plans_bad, firstp);
    CHECK(mismatches == 0, "random models: emulator == exact quantized model on every event (bit_exact and conservative)",
          "%d of %d model/mode runs differ; first: %s", mismatches, modes_run, first);
    CHECK(ref_mismatches == 0, "random models: the emulator's integer reference path == exact quantized model on every event",
          "%d of %d model/mode runs differ; first: %s", ref_mismatches, modes_run, firstr);
    printf("# %d models, %d model/mode runs compared (%d on the fast path), %d conservative plans wider than 64 bits not run\n",
           nmodels, modes_run, fast_runs, too_wide);
    CHECK(fast_runs > modes_run / 2, "random models: most runs take the fast path (the reference path is compared on all)",
          "%d of %d runs on the fast path", fast_runs, modes_run);
    CHECK(modes_run > nmodels, "random models: most plans run", "only %d", modes_run);
    CHECK(wider == 0, "random models: bit_exact never wider than conservative", "%d models; first: %s", wider, firstw);
    CHECK(folded > 0, "random models: batchnorm folding happens", "no batchnorm was folded in %d models", nmodels);
}

/* ---- models with float parts ----------------------------------------------------------
 * Chains of quantized dense layers with unquantized leaky_relu, batchnorm and relu
 * between them (quantizers only on some relu and linear layers: a quantized sum whose
 * exact accumulator needs more than 64 bits is an error, not a float part): every unquantized layer adds fraction bits, so a later sum's exact type
 * often needs more than 64 bits and becomes a float part (prec_float_promote); some
 * models also have a dense with float weights.  Whatever happens later, every layer
 * before the first float part is exact (emulator == the exact quantized model), and
 * every quantized weight and bias in the plan is the trained one quantized. */

static void rand_float_model(Model *M) {
    memset(M, 0, sizeof *M);
    M->m.name = "rand_float";
    IrNode *in = add_node(M, OP_INPUT, 1 + rnd(5), NULL, NULL);
    in->has_type = true;
    in->in_type = fx(8 + rnd(9), 2 + rnd(5), true, AEDL_RND, AEDL_SAT);
    static const double slopes[] = {0.3, 0.1, 0.2, 0.25, 0.15};
    int nl = 5 + rnd(8), float_w = rnd(4) == 0 ? rnd(nl) : -1;
    IrNode *last = in;
    for (int l = 0; l < nl; l++) {
        int size = (int)ir_shape_size(&last->shape);
        int r = rnd(100);
        IrNode *n;
        if (r < 45 || l == float_w) {
            n = add_node(M, OP_DENSE, 1 + rnd(5), last, NULL);
            n->units = n->shape.dims[0];
            n->use_bias = rnd(4) != 0;
            if (l != float_w) {
                n->weight_q = quant_type(M, fx(6 + rnd(10), 1 + rnd(3), true, AEDL_RND_CONV, rnd(2) ? AEDL_SAT_SYM : AEDL_SAT));
                if (n->use_bias) n->bias_q = quant_type(M, fx(6 + rnd(10), 1 + rnd(3), true, AEDL_RND_CONV, AEDL_SAT_SYM));
            }
            rand_params(n, size);
            if (rnd(3) == 0)   /* biases of zero, as a layer trained from zero biases may have */
                for (int j = 0; j < n->units && n->use_bias; j++) n->params->bias[j] = 0.0f;
        } else if (r < 70) {
            n = add_node(M, OP_LEAKY_RELU, size, last, NULL);
            n->alpha = slopes[rnd(5)];
        } else if (r < 82) {
            n = add_node(M, OP_BATCHNORM, size, last, NULL);
            rand_params(n, size);
        } else if (r < 94) {
            n = add_node(M, OP_RELU, size, last, NULL);
            if (rnd(6) == 0) n->quant = quant_type(M, rand_quant_type(true, true));
        } else {
            n = add_node(M, OP_LINEAR, size, last, NULL);
            n->quant = quant_type(M, rand_quant_type(true, true));
        }
        last = n;
    }
    M->outs[0] = last; M->m.outputs = M->outs; M->m.noutputs = 1;
}

/* A copy of plan p whose output is layer l (aedl_fw_plan_free frees it). */
static aedl_fw_plan *plan_output(const aedl_fw_plan *p, int l) {
    aedl_fw_plan *q = aedl_fw_plan_new(p->nlayers);
    snprintf(q->model, sizeof q->model, "%s", p->model);
    q->d_in = p->d_in; q->in_t = p->in_t;
    for (int k = 0; k < p->nlayers; k++) {
        const aedl_fw_layer *a = &p->layers[k];
        aedl_fw_layer *b = &q->layers[k];
        *b = *a;
        long nw = a->op == FW_DENSE ? (long)a->n_in * a->n_out : a->op == FW_LEAKY_RELU ? 1
                : a->op == FW_SIGMOID || a->op == FW_TANH ? AEDL_ACT_TABLE : a->n_out;
        b->w = a->w ? malloc(sizeof(int64_t) * nw) : NULL;
        if (a->w) memcpy(b->w, a->w, sizeof(int64_t) * nw);
        b->b = a->b ? malloc(sizeof(int64_t) * a->n_out) : NULL;
        if (a->b) memcpy(b->b, a->b, sizeof(int64_t) * a->n_out);
    }
    q->noutputs = 1; q->outputs[0] = l; q->d_out = p->layers[l].n_out;
    return q;
}

static int plan_layer_of(const aedl_fw_plan *p, const char *name) {
    for (int l = 0; l < p->nlayers; l++) if (!strcmp(p->layers[l].name, name)) return l;
    return -1;
}

/* The node whose value a layer outputs (a dense with a folded batchnorm: the batchnorm). */
static const IrNode *layer_value_node(const Model *M, const IrNode *n) {
    if (!n->prec->folded_bn) return n;
    for (int k = n->id + 1; k < M->m.nnodes; k++)
        if (M->nodes[k]->op == OP_BATCHNORM && M->nodes[k]->inputs[0] == n) return M->nodes[k];
    return n;
}

/* Every quantized weight and bias of the plan equals the trained value quantized by
   the layer's quantizer.  Returns the number of values compared, -1 on a difference. */
static long plan_weights_are_quantized(const Model *M, const aedl_fw_plan *p, char *why, int nwhy) {
    long compared = 0;
    for (int i = 0; i < M->m.nnodes; i++) {
        const IrNode *n = M->nodes[i];
        if (n->op != OP_DENSE || n->prec->folded_bn) continue;
        int l = plan_layer_of(p, n->name);
        if (l < 0) { snprintf(why, nwhy, "%s: no plan layer", n->name); return -1; }
        const aedl_fw_layer *a = &p->layers[l];
        const IrParams *pr = n->params;
        if (n->weight_q)
            for (long k = 0; k < (long)pr->n_in * pr->units; k++, compared++) {
                aedl_fixed q = n->weight_q->type;
                aedl_mant want = aedl_fixed_from_double(q, pr->mask[k] == 0 ? 0.0 : (double)pr->kernel[k]);
                if (aedl_mant_cmp(a->w[k], aedl_fixed_frac(a->w_t), want, aedl_fixed_frac(q)) != 0) {
                    snprintf(why, nwhy, "%s: weight %ld is %.17g in the plan, the quantizer gives %.17g (float %.9g)", n->name, k,
                             aedl_fixed_to_double(a->w_t, a->w[k]), aedl_fixed_to_double(q, want), (double)pr->kernel[k]);
                    return -1;
                }
            }
        if (n->bias_q && n->use_bias)
            for (int j = 0; j < pr->units; j++, compared++) {
                aedl_fixed q = n->bias_q->type;
                aedl_mant want = aedl_fixed_from_double(q, (double)pr->bias[j]);
                if (!a->has_b || aedl_mant_cmp(a->b[j], aedl_fixed_frac(a->b_t), want, aedl_fixed_frac(q)) != 0) {
                    snprintf(why, nwhy, "%s: bias %d is %.17g in the plan, the quantizer gives %.17g (float %.9g)", n->name, j,
                             a->has_b ? aedl_fixed_to_double(a->b_t, a->b[j]) : 0.0, aedl_fixed_to_double(q, want),
                             (double)pr->bias[j]);
                    return -1;
                }
            }
    }
    return compared;
}

static void test_float_part_models(int nmodels) {
    int runs = 0, failed = 0, refused = 0, promoted = 0, with_float_w = 0, not_guaranteed = 0, differ = 0, wbad = 0, too_wide = 0;
    long layers_compared = 0, weights_compared = 0;
    char firstf[512] = "", firstg[512] = "", firstd[512] = "", firstw[700] = "";
    float in[64 * 8];
    int64_t got[64 * 8];
    aedl_fx want[8];
    for (int it = 0; it < nmodels; it++) {
        Model M;
        rand_float_model(&M);
        int d_in = (int)ir_shape_size(&M.nodes[0]->shape);
        int nev = 1 + rnd(64);
        double span = ldexp(1.0, M.nodes[0]->in_type.integer) * 1.5;
        for (int k = 0; k < nev * d_in; k++) in[k] = (float)(rnd(8) == 0 ? 0.0 : unif(-span, span));
        for (int mode = 0; mode < 2; mode++) {
            IrTarget t = {0};
            t.precision = mode == 0 ? PREC_BIT_EXACT : PREC_CONSERVATIVE;
            t.default_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
            prec_free(&M.m);
            fflush(stderr);
            int saved = dup(2), devnull = getenv("PREC_DEBUG") ? -1 : open("/dev/null", O_WRONLY);   /* the float-part warnings */
            if (devnull >= 0) dup2(devnull, 2);
            int errs = infer_precision(NULL, &M.m, &t, NULL, 0);
            fflush(stderr);
            if (saved >= 0) { dup2(saved, 2); close(saved); }
            if (devnull >= 0) close(devnull);
            diag_reset();
            if (errs) {
                failed++;
                if (!firstf[0]) snprintf(firstf, sizeof firstf, "model %d: %d precision errors", it, errs);
                continue;
            }
            /* the first float part: a float-part sum, or a dense with float weights */
            int first = M.m.nnodes;
            for (int i = 0; i < M.m.nnodes && first == M.m.nnodes; i++) {
                const IrNode *n = M.nodes[i];
                if (n->prec->fallback_on || (n->op == OP_DENSE && !n->weight_q)) first = i;
            }
            if (mode == 0 && first < M.m.nnodes) {
                if (M.nodes[first]->op == OP_DENSE && !M.nodes[first]->weight_q) with_float_w++;
                else if (M.nodes[first]->prec->note && strstr(M.nodes[first]->prec->note, "more than 64 bits")) promoted++;
            }
            char err[256];
            aedl_fw_plan *p = plan_build(&M.m, err, sizeof err);
            if (!p) {
                bool wide = false;      /* conservative widths may pass 64 bits (63 unsigned: the emulator's limit) */
                for (int i = 0; i < M.m.nnodes; i++) {
                    const IrPrecTypes *ty = &M.nodes[i]->prec->t;
                    wide |= ty->accum.width > (ty->accum.is_signed ? 64 : 63) || ty->result.width > (ty->result.is_signed ? 64 : 63);
                }
                if (mode == 1 && wide) { too_wide++; continue; }
                /* the emulator refuses some float parts' extreme steps: loudly, and only after
                   the first float part */
                const char *ln = strstr(err, "layer ");
                int at = -1;
                for (int i = 0; ln && i < M.m.nnodes; i++) {
                    size_t k = strlen(M.nodes[i]->name);
                    if (!strncmp(ln + 6, M.nodes[i]->name, k) && ln[6 + k] == ':') at = layer_value_node(&M, M.nodes[i])->id;
                }
                if (at >= first) { refused++; continue; }
                failed++;
                if (!firstf[0]) snprintf(firstf, sizeof firstf, "model %d: plan: %s", it, err);
                if (getenv("PREC_DEBUG")) { fprintf(stderr, "plan: %s\n", err); dump_model(&M); }
                continue;
            }
            runs++;
            char why[512];
            long wc = plan_weights_are_quantized(&M, p, why, sizeof why);
            if (wc < 0) {
                wbad++;
                if (!firstw[0]) snprintf(firstw, sizeof firstw, "model %d (%s): %s", it, mode ? "conservative" : "bit_exact", why);
                if (getenv("PREC_DEBUG")) dump_model(&M);
            } else weights_compared += wc;
            bool bad = false;
            for (int i = 1; i < first && !bad; i++) {
                const IrNode *n = M.nodes[i];
                if (!n->prec->guaranteed) {
                    not_guaranteed++; bad = true;
                    if (!firstg[0]) snprintf(firstg, sizeof firstg, "model %d: %s (before the first float part %s)", it,
                                             n->name, M.nodes[first < M.m.nnodes ? first : 0]->name);
                    break;
                }
                int l = plan_layer_of(p, n->name);
                const IrNode *v = layer_value_node(&M, n);
                if (l < 0 || v->id >= first) continue;    /* dropout, folded batchnorm: no layer of their own */
                aedl_fw_plan *q = plan_output(p, l);
                int d = q->d_out;
                aedl_fw_run_mantissa(q, in, got, nev);
                aedl_fixed rt = q->layers[l].res_t;
                aedl_fw_plan_free(q);
                layers_compared++;
                for (int e = 0; e < nev && !bad; e++) {
                    ref_eval_node(&M, in + e * d_in, v, NULL, want);
                    for (int k = 0; k < d; k++)
                        if (aedl_mant_cmp(got[e * d + k], aedl_fixed_frac(rt), want[k].m, aedl_fixed_frac(want[k].t)) != 0) {
                            if (!firstd[0])
                                snprintf(firstd, sizeof firstd, "model %d (%s) layer %s event %d element %d: emulator %.17g, exact %.17g",
                                         it, mode ? "conservative" : "bit_exact", n->name, e, k,
                                         aedl_fixed_to_double(rt, got[e * d + k]), aedl_fx_to_double(want[k]));
                            if (getenv("PREC_DEBUG")) dump_model(&M);
                            bad = true;
                            break;
                        }
                }
                if (bad) differ++;
            }
            aedl_fw_plan_free(p);
        }
        model_free(&M);
    }
    CHECK(failed == 0 && refused < nmodels / 50, "float-part models: precision inference and plans succeed (a few plans "
          "refused at a float part)", "%d failed, %d refused; first: %s", failed, refused, firstf);
    CHECK(not_guaranteed == 0, "float-part models: every layer before the first float part is guaranteed",
          "%d runs; first: %s", not_guaranteed, firstg);
    CHECK(differ == 0, "float-part models: every layer before the first float part == exact quantized model, every event",
          "%d runs differ; first: %s", differ, firstd);
    CHECK(wbad == 0, "float-part models: every quantized weight and bias in the plan == the trained value quantized",
          "%d runs differ; first: %s", wbad, firstw);
    printf("# %d float-part models: %d runs, %ld layers and %ld weights compared; first float part from > 64 bits exact "
           "in %d, a float-weight dense in %d; %d conservative plans wider than 64 bits not run; %d plans refused by the "
           "emulator at a float part\n", nmodels, runs, layers_compared, weights_compared, promoted, with_float_w, too_wide, refused);
    CHECK(promoted > nmodels / 5 && with_float_w > nmodels / 20 && layers_compared > nmodels,
          "float-part models: the generator makes both kinds of float part, with exact layers before them",
          "promoted %d, float weights %d, layers compared %ld of %d models", promoted, with_float_w, layers_compared, nmodels);
}

/* ---- emulator casts agree with fixed.c ------------------------------------------------ */
static void test_casts(void) {
    int bad = 0;
    char first[256] = "";
    for (int it = 0; it < 200000; it++) {
        aedl_fixed t = fx(1 + rnd(40), rnd(40) - 20, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        __int128 m = (__int128)(int64_t)rnd64() >> rnd(63);
        int e = rnd(60) - 40;
        int64_t a = aedl_fw_cast(m, e, t);
        __int128 b = aedl_fixed_quantize(t, m, -e);
        double d = unif(-1e3, 1e3) * (rnd(2) ? 1 : 1e-4);
        int64_t c = aedl_fw_from_double(d, t);
        __int128 c2 = aedl_fixed_from_double(t, d);
        if (a != b || c != c2) {
            if (!first[0]) snprintf(first, sizeof first, "type W=%d I=%d s=%d r=%d o=%d", t.width, t.integer, t.is_signed, t.rnd, t.ovf);
            bad++;
        }
    }
    CHECK(bad == 0, "emulator casts == fixed.c conversions (200000 random)", "%d differ; first %s", bad, first);
}

/* ---- the emulator's block casts (int32 and int64 lanes) == fixed.c ------------------- */
static void test_block_casts(void) {
    int bad = 0, runs = 0;
    char first[256] = "";
    for (int it = 0; it < 3000; it++) {
        bool wide = rnd(2);
        aedl_fixed a = fx(2 + rnd(wide ? 58 : 29), rnd(20) - 10, rnd(2), AEDL_TRN, AEDL_WRAP);
        aedl_fixed q = fx(1 + rnd(wide ? 60 : 30), a.integer + rnd(20) - 10, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        aedl_fw_plan *p = aedl_fw_plan_new(1);
        p->d_in = 8; p->in_t = a; p->noutputs = 1; p->outputs[0] = 0; p->d_out = 8;
        aedl_fw_layer *l = &p->layers[0];
        l->op = rnd(2) ? FW_LINEAR : FW_RELU;
        snprintf(l->name, sizeof l->name, "cast");
        l->ninputs = 1; l->inputs[0] = -1; l->n_in = l->n_out = 8;
        l->acc_t = a; l->q_t = q; l->has_quant = true; l->res_t = q;
        int64_t in[8 * 100];
        double got[8 * 100];
        for (int k = 0; k < 800; k++) {
            int64_t m = (int64_t)(rnd64() >> (64 - a.width));
            if (a.is_signed) m = (int64_t)((uint64_t)m << (64 - a.width)) >> (64 - a.width);
            in[k] = m;
        }
        char err[256];
        if (aedl_fw_prepare(p, err, sizeof err)) { bad++; snprintf(first, sizeof first, "prepare: %.200s", err); aedl_fw_plan_free(p); continue; }
        aedl_fw_run_from_mantissa(p, in, got, 100);
        runs++;
        for (int k = 0; k < 800; k++) {
            __int128 m = in[k];
            if (l->op == FW_RELU && m < 0) m = 0;
            double want = aedl_fixed_to_double(q, aedl_fixed_quantize(q, m, a.width - a.integer));
            if (!(got[k] == want)) {
                if (!first[0]) snprintf(first, sizeof first, "%s from <%d,%d,%d> to <%d,%d,%d,r%d,o%d>: m=%lld got %.17g want %.17g",
                                        l->op == FW_RELU ? "relu" : "linear", a.width, a.integer, a.is_signed, q.width, q.integer,
                                        q.is_signed, q.rnd, q.ovf, (long long)in[k], got[k], want);
                bad++;
                break;
            }
        }
        aedl_fw_plan_free(p);
    }
    CHECK(bad == 0 && runs == 3000, "emulator block casts (int32 and int64 lanes, every mode) == fixed.c", "%d bad; first %s", bad, first);
}

/* ---- the fast path (exact doubles) against the integer reference path ----------------- */

/* Random float inputs for in_t: in range, on and next to rounding ties,
   far out of range (saturation, wrap), zero, infinities and NaN. */
static float hard_input(aedl_fixed t) {
    double step = ldexp(1.0, t.integer - t.width), span = ldexp(1.0, t.integer);
    switch (rnd(10)) {
    case 0: return 0.0f;
    case 1: return (float)((rnd(1 << 12) - (1 << 11) + 0.5) * step);            /* a tie */
    case 2: return (float)((rnd(1 << 12) - (1 << 11) + 0.5) * step * (1 + 0x1p-20));
    case 3: return (float)(unif(-span, span) * ldexp(1.0, rnd(40)));             /* overflow */
    case 4: return rnd(2) ? 1e30f : -1e30f;
    case 5: return rnd(3) == 0 ? NAN : rnd(2) ? INFINITY : -INFINITY;
    case 6: return (float)(step * rnd(1 << 14) - span * 2);
    default: return (float)unif(-2 * span, 2 * span);
    }
}

/* Runs plan p on nev events both ways; returns 0 when mantissas and doubles agree. */
static int fast_vs_ref(aedl_fw_plan *p, const float *in, int nev, char *why, int n) {
    int d = p->d_out;
    int64_t *mf = malloc(sizeof(int64_t) * nev * d), *mr = malloc(sizeof(int64_t) * nev * d);
    double *df = malloc(sizeof(double) * nev * d), *dr = malloc(sizeof(double) * nev * d);
    aedl_fw_set_reference(p, false);
    aedl_fw_run_mantissa(p, in, mf, nev);
    aedl_fw_run_threads(p, in, df, nev, 2);
    aedl_fw_set_reference(p, true);
    aedl_fw_run_mantissa(p, in, mr, nev);
    aedl_fw_run_threads(p, in, dr, nev, 2);
    aedl_fw_set_reference(p, false);
    int bad = 0;
    for (int k = 0; k < nev * d && !bad; k++)
        if (mf[k] != mr[k] || memcmp(&df[k], &dr[k], sizeof(double)) != 0) {
            snprintf(why, n, "event %d output %d: fast %lld (%.17g), reference %lld (%.17g)", k / d, k % d,
                     (long long)mf[k], df[k], (long long)mr[k], dr[k]);
            bad = 1;
        }
    free(mf); free(mr); free(df); free(dr);
    return bad;
}

static void test_fast_vs_reference(int nmodels) {
    int runs = 0, fast = 0, bad = 0, exact_runs = 0, exact_fallback = 0, exact_bad = 0;
    char first[600] = "", firste[600] = "";
    enum { NEV = 300 };
    float *in = malloc(sizeof(float) * NEV * 8);
    double *want = malloc(sizeof(double) * NEV * 40), *got = malloc(sizeof(double) * NEV * 40);
    const aedl_fixed defs[] = { {16, 6, true, AEDL_TRN, AEDL_WRAP}, {12, 4, true, AEDL_RND, AEDL_SAT} };
    for (int it = 0; it < nmodels; it++) {
        Model M;
        rand_model(&M);
        int mode = rnd(3);
        if (rnd(3) == 0) {   /* wide: sums past the fast path's 52 bits (conservative: too wide is no plan, no error) */
            M.nodes[0]->in_type.width = 24 + rnd(24);
            mode = 1;
        }
        IrTarget t = {0};
        t.precision = mode == 0 ? PREC_BIT_EXACT : mode == 1 ? PREC_CONSERVATIVE : PREC_FIXED;
        t.default_type = mode == 2 ? defs[rnd(2)] : fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
        char err[256];
        aedl_fw_plan *p = infer_precision(NULL, &M.m, &t, NULL, 0) ? NULL : plan_build(&M.m, err, sizeof err);
        if (p) {
            int d_in = p->d_in, nev = 1 + rnd(NEV);
            for (int k = 0; k < nev * d_in; k++) in[k] = hard_input(p->in_t);
            runs++;
            fast += aedl_fw_uses_fast(p);
            char why[400];
            if (fast_vs_ref(p, in, nev, why, sizeof why)) {
                if (!bad++) snprintf(first, sizeof first, "model %d: %s", it, why);
                if (getenv("PREC_DEBUG")) dump_model(&M);
            }
            if (mode != 2) {   /* guaranteed types: the path aedl_fw_run takes == the exact model */
                double span = ldexp(1.0, p->in_t.integer) * 1.5;
                int d_out = p->d_out;
                for (int k = 0; k < nev * d_in; k++) in[k] = (float)unif(-span, span);
                for (int e = 0; e < nev; e++) ref_eval(&M, in + e * d_in, want + e * d_out);
                aedl_fw_run(p, in, got, nev);
                exact_runs++;
                exact_fallback += !aedl_fw_uses_fast(p);
                for (int k = 0; k < nev * d_out; k++)
                    if (!(got[k] == want[k])) {
                        if (!exact_bad++)
                            snprintf(firste, sizeof firste, "model %d (%s path) event %d output %d: emulator %.17g, exact %.17g",
                                     it, aedl_fw_uses_fast(p) ? "fast" : "reference", k / d_out, k % d_out, got[k], want[k]);
                        break;
                    }
            }
            aedl_fw_plan_free(p);
        }
        model_free(&M);
    }
    free(in); free(want); free(got);
    CHECK(exact_bad == 0 && exact_fallback > 0 && exact_fallback < exact_runs,
          "random models with wide inputs: the path aedl_fw_run chooses (fast or fallback) == exact quantized model",
          "%d of %d differ (%d on the fallback); first: %s", exact_bad, exact_runs, exact_fallback, firste);
    printf("# fast/reference comparison: %d runs, %d on the fast path; %d compared with the exact model, %d of them on the fallback\n",
           runs, fast, exact_runs, exact_fallback);
    CHECK(bad == 0 && runs > nmodels / 2, "fast path == reference path (mantissas and doubles) on random models, "
          "inputs with ties, overflow, inf, NaN", "%d of %d differ; first: %s", bad, runs, first);
    CHECK(fast > runs / 3 && fast < runs, "random models: both paths exercised by the fast/reference comparison",
          "%d of %d on the fast path", fast, runs);
}

/* Score plans: in_t -> linear (res_t, a random cast) -> score (masked or not,
   and the count; masked, half of them with padding values z_j, some 0), the
   types from plan_score_types; the fast path == the reference path == the plan
   read back from its file, and all == the score computed here in integers from
   the linear layer's outputs and the input's mantissas (masked: the features
   whose mantissa is not z_j). */
static void test_score_plans(void) {
    int bad = 0, runs = 0, fast = 0, padded = 0;
    char first[600] = "";
    enum { NEV = 150 };
    for (int it = 0; it < 400; it++) {
        int d = 1 + rnd(20);
        bool masked = rnd(2);
        aedl_fixed in_t = fx(4 + rnd(rnd(2) ? 14 : 28), rnd(8) - 2, true, (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        if (rnd(4) == 0) in_t.is_signed = false;
        aedl_fixed res_t = fx(2 + rnd(rnd(2) ? 16 : 28), rnd(8) - 2, rnd(3) != 0, (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        PlanScore st;
        char err[256];
        if (!plan_score_types(res_t, in_t, d, masked, &st, err, sizeof err)) continue;
        aedl_fw_plan *p = aedl_fw_plan_new(masked ? 3 : 2);
        p->d_in = d; p->in_t = in_t;
        aedl_fw_layer *a = &p->layers[0];
        a->op = FW_LINEAR; snprintf(a->name, sizeof a->name, "rec");
        a->ninputs = 1; a->inputs[0] = -1; a->n_in = a->n_out = d;
        a->acc_t = a->res_t = res_t; a->guaranteed = true;
        a = &p->layers[1];
        a->op = masked ? FW_MASKED_SCORE : FW_SCORE; snprintf(a->name, sizeof a->name, "score");
        a->ninputs = 2; a->inputs[0] = 0; a->inputs[1] = -1; a->n_in = d; a->n_out = 1;
        a->w_t = a->b_t = a->q_t = st.diff; a->acc_t = st.sum; a->res_t = st.result; a->guaranteed = true;
        p->noutputs = 1; p->outputs[0] = 1; p->d_out = 1;
        /* the padding: the cast of a float (so that inputs can equal it) */
        float *padf = calloc((size_t)d, sizeof(float));
        int64_t *z = calloc((size_t)d, sizeof(int64_t));
        bool pad = masked && rnd(2);
        for (int j = 0; pad && j < d; j++) {
            padf[j] = rnd(4) == 0 ? 0.0f : hard_input(in_t);
            z[j] = aedl_fw_from_double((double)padf[j], in_t);
        }
        if (pad) {
            a->has_w = true;
            a->w = malloc(sizeof(int64_t) * (size_t)d);
            memcpy(a->w, z, sizeof(int64_t) * (size_t)d);
        }
        if (masked) {
            a = &p->layers[2];
            a->op = FW_COUNT; snprintf(a->name, sizeof a->name, "count");
            a->ninputs = 1; a->inputs[0] = -1; a->n_in = d; a->n_out = 1;
            a->w_t = a->b_t = a->q_t = a->acc_t = st.count; a->res_t = st.result; a->guaranteed = true;
            if (pad) {
                a->has_w = true;
                a->w = malloc(sizeof(int64_t) * (size_t)d);
                memcpy(a->w, z, sizeof(int64_t) * (size_t)d);
            }
            p->noutputs = 2; p->outputs[1] = 2; p->d_out = 2;
        }
        if (aedl_fw_prepare(p, err, sizeof err) != 0) {
            if (!bad++) snprintf(first, sizeof first, "plan %d: %s", it, err);
            aedl_fw_plan_free(p);
            free(padf); free(z);
            continue;
        }
        runs++;
        padded += pad;
        fast += aedl_fw_uses_fast(p);
        int nev = 1 + rnd(NEV);
        float *in = malloc(sizeof(float) * nev * d);
        double *got = malloc(sizeof(double) * nev * 2), *again = malloc(sizeof(double) * nev * 2);
        for (int k = 0; k < nev * d; k++)
            in[k] = rnd(4) == 0 ? (rnd(2) ? padf[k % d] : 0.0f) : hard_input(in_t);
        char why[400];
        if (fast_vs_ref(p, in, nev, why, sizeof why) && !bad++) snprintf(first, sizeof first, "plan %d: %s", it, why);
        aedl_fw_run(p, in, got, nev);
        char path[] = "/tmp/aedl_scoreplan_XXXXXX";
        int fd = mkstemp(path);
        if (fd >= 0) close(fd);
        aedl_fw_plan *rb = fd >= 0 && aedl_fw_plan_write(p, path) == 0 ? aedl_fw_plan_read(path, err, sizeof err) : NULL;
        if (fd >= 0) remove(path);
        if (!rb) { if (!bad++) snprintf(first, sizeof first, "plan %d: the plan file: %s", it, err); }
        else {
            aedl_fw_run(rb, in, again, nev);
            if (memcmp(got, again, sizeof(double) * (size_t)nev * (size_t)p->d_out) != 0 && !bad++)
                snprintf(first, sizeof first, "plan %d: the plan read back computes otherwise", it);
            aedl_fw_plan_free(rb);
        }
        int er = res_t.integer - res_t.width, ex = in_t.integer - in_t.width, me = er < ex ? er : ex;
        for (int e = 0; e < nev; e++) {
            __int128 sum = 0;
            int cnt = 0;
            for (int j = 0; j < d; j++) {
                int64_t xm = aedl_fw_from_double((double)in[e * d + j], in_t);
                int64_t rm = aedl_fw_cast(xm, ex, res_t);
                if (masked && xm == z[j]) continue;
                __int128 dd = (__int128)rm * ((__int128)1 << (er - me)) - (__int128)xm * ((__int128)1 << (ex - me));
                sum += dd * dd;
                cnt++;
            }
            double want = ldexp((double)sum, 2 * me);
            if (got[e * p->d_out] != want || (masked && got[e * 2 + 1] != cnt)) {
                if (!bad++)
                    snprintf(first, sizeof first, "plan %d event %d: score %.17g count %g, expected %.17g and %d", it, e,
                             got[e * p->d_out], masked ? got[e * 2 + 1] : 0.0, want, cnt);
                break;
            }
        }
        free(in); free(got); free(again); free(padf); free(z);
        aedl_fw_plan_free(p);
    }
    CHECK(bad == 0 && runs > 100 && fast > 0 && fast < runs && padded > 30,
          "score plans (masked or not, with padding values or 0): fast path == reference path == the plan file read "
          "back == the exact sum of squared differences", "%d bad of %d (%d on the fast path, %d with padding); first: %s",
          bad, runs, fast, padded, first);
}

/* Hardware-input plans: one hw_input layer (aedl_fw_hwin_build) on random hardware types,
   input types and constants: the constants' rule (|k - k_q| 2^I <= 2^(e-2), |c - c_q| <=
   2^(e-3)), the plan file's round trip, and each output == (in_t)((H_j)x * k_q + c_q)
   computed here from the values (fixed.c's double conversion, the exact product and sum in
   128 bits). */
static void test_hw_input_plans(void) {
    int bad = 0, runs = 0;
    char first[600] = "";
    for (int it = 0; it < 300; it++) {
        int d = 1 + rnd(8);
        aedl_fixed hw[8];
        double k[8], c[8];
        for (int j = 0; j < d; j++) {
            hw[j] = fx(1 + rnd(24), rnd(16) - 3, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
            if (!hw[j].is_signed && hw[j].ovf == AEDL_SAT_SYM) hw[j].ovf = AEDL_SAT;
            k[j] = rnd(4) == 0 ? 1.0 : unif(-3, 3);
            c[j] = rnd(4) == 0 ? 0.0 : unif(-20, 20);
        }
        aedl_fixed in_t = fx(4 + rnd(20), rnd(8) - 1, true, (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        aedl_fw_plan *p = aedl_fw_plan_new(1);
        aedl_fw_layer *a = &p->layers[0];
        char err[512];
        if (aedl_fw_hwin_build(a, d, hw, in_t, k, c, err, sizeof err) != 0) { aedl_fw_plan_free(p); continue; }
        snprintf(a->name, sizeof a->name, "hw_input");
        a->ninputs = 1; a->inputs[0] = -1;
        p->d_in = d; p->in_t = aedl_fw_hwin_container(d, hw);
        p->noutputs = 1; p->outputs[0] = 0; p->d_out = d;
        if (aedl_fw_prepare(p, err, sizeof err) != 0) {
            if (!bad++) snprintf(first, sizeof first, "plan %d: %s", it, err);
            aedl_fw_plan_free(p);
            continue;
        }
        runs++;
        int e = aedl_fw_exp(in_t), ihw = -100;
        for (int j = 0; j < d; j++) if (hw[j].integer > ihw) ihw = hw[j].integer;
        for (int j = 0; j < d; j++) {
            double kq = ldexp((double)a->w[j], aedl_fw_exp(a->w_t)), cq = ldexp((double)a->b[j], aedl_fw_exp(a->b_t));
            if (!(ldexp(fabs(k[j] - kq), ihw) <= ldexp(1, e - 2) && fabs(c[j] - cq) <= ldexp(1, e - 3)) && !bad++)
                snprintf(first, sizeof first, "plan %d feature %d: k %.17g -> %.17g, c %.17g -> %.17g (input step 2^%d)",
                         it, j, k[j], kq, c[j], cq, e);
        }
        enum { NEV = 64 };
        int64_t in[NEV * 8];
        double got[NEV * 8], again[NEV * 8];
        aedl_fixed ct = p->in_t;
        for (int q = 0; q < NEV * d; q++) {
            int64_t lo = ct.is_signed ? -((int64_t)1 << (ct.width - 1)) : 0;
            in[q] = lo + (int64_t)(rnd64() % ((uint64_t)1 << ct.width));
        }
        aedl_fw_run_from_mantissa(p, in, got, NEV);
        char path[] = "/tmp/aedl_hwplan_XXXXXX";
        int fd = mkstemp(path);
        if (fd >= 0) close(fd);
        aedl_fw_plan *r = fd >= 0 && aedl_fw_plan_write(p, path) == 0 ? aedl_fw_plan_read(path, err, sizeof err) : NULL;
        remove(path);
        if (!r) { if (!bad++) snprintf(first, sizeof first, "plan %d: the plan file: %s", it, err); }
        else {
            aedl_fw_run_from_mantissa(r, in, again, NEV);
            if (memcmp(got, again, sizeof(double) * NEV * d) != 0 && !bad++)
                snprintf(first, sizeof first, "plan %d: the plan read back computes otherwise", it);
            aedl_fw_plan_free(r);
        }
        for (int q = 0; q < NEV * d; q++) {
            int j = q % d;
            double x = ldexp((double)in[q], aedl_fw_exp(ct));
            int64_t hm = (int64_t)aedl_fixed_from_double(hw[j], x);
            int ek = aedl_fw_exp(hw[j]) + aedl_fw_exp(a->w_t), ec = aedl_fw_exp(a->b_t), me = ek < ec ? ek : ec;
            __int128 v = (__int128)hm * a->w[j] * ((__int128)1 << (ek - me)) + (__int128)a->b[j] * ((__int128)1 << (ec - me));
            double want = ldexp((double)(int64_t)aedl_fixed_quantize(in_t, v, -me), e);
            if (got[q] != want) {
                if (!bad++)
                    snprintf(first, sizeof first, "plan %d event %d feature %d: x %.17g -> %.17g, expected %.17g", it,
                             q / d, j, x, got[q], want);
                break;
            }
        }
        aedl_fw_plan_free(p);
    }
    CHECK(bad == 0 && runs > 200, "hardware-input plans: the constants' rule, the plan file, and (in_t)((H)x * k + c) exact",
          "%d bad of %d; first: %s", bad, runs, first);
}

/* Single-layer plans: in_t -> (relu | linear) -> acc_t -> q_t -> res_t with
   every rounding and overflow mode, float inputs as above; fast == reference
   and every (rounding, overflow) pair of q_t runs on the fast path. */
static void test_fast_casts(void) {
    int bad = 0, runs = 0, seen[7][4] = {{0}};
    char first[600] = "";
    enum { NEV = 200, D = 6 };
    float in[NEV * D];
    for (int it = 0; it < 2000; it++) {
        aedl_fw_plan *p = aedl_fw_plan_new(1);
        bool wide = rnd(4) == 0;
        aedl_fixed a = fx(2 + rnd(wide ? 60 : 20), rnd(16) - 8, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        p->d_in = D; p->in_t = a; p->noutputs = 1; p->outputs[0] = 0; p->d_out = D;
        aedl_fw_layer *l = &p->layers[0];
        l->op = rnd(2) ? FW_LINEAR : FW_RELU;
        snprintf(l->name, sizeof l->name, "cast");
        l->ninputs = 1; l->inputs[0] = -1; l->n_in = l->n_out = D;
        l->acc_t = rnd(2) ? a : fx(a.width + rnd(4), a.integer + rnd(3), a.is_signed, (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        l->q_t = fx(1 + rnd(wide ? 62 : 24), a.integer + rnd(12) - 6, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        l->has_quant = true;
        l->res_t = rnd(2) ? l->q_t : fx(1 + rnd(24), l->q_t.integer + rnd(5) - 2, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        char err[256];
        if (aedl_fw_prepare(p, err, sizeof err)) { aedl_fw_plan_free(p); continue; }
        for (int k = 0; k < NEV * D; k++) in[k] = hard_input(a);
        runs++;
        if (aedl_fw_uses_fast(p)) seen[l->q_t.rnd][l->q_t.ovf]++;
        char why[400];
        if (fast_vs_ref(p, in, NEV, why, sizeof why) && !bad++)
            snprintf(first, sizeof first, "%s <%d,%d,%d,r%d,o%d> -> acc <%d,%d,%d,r%d,o%d> -> q <%d,%d,%d,r%d,o%d> -> res <%d,%d,%d,r%d,o%d>: %s",
                     l->op == FW_RELU ? "relu" : "linear", a.width, a.integer, a.is_signed, a.rnd, a.ovf,
                     l->acc_t.width, l->acc_t.integer, l->acc_t.is_signed, l->acc_t.rnd, l->acc_t.ovf,
                     l->q_t.width, l->q_t.integer, l->q_t.is_signed, l->q_t.rnd, l->q_t.ovf,
                     l->res_t.width, l->res_t.integer, l->res_t.is_signed, l->res_t.rnd, l->res_t.ovf, why);
        aedl_fw_plan_free(p);
    }
    int missing = 0;
    for (int r = 0; r < 7; r++) for (int o = 0; o < 4; o++) missing += seen[r][o] == 0;
    CHECK(bad == 0 && runs > 1500, "fast path casts == reference path (every rounding and overflow mode, ties, overflow, NaN)",
          "%d of %d differ; first: %s", bad, runs, first);
    CHECK(missing == 0, "fast path casts: every (rounding, overflow) pair runs on the fast path", "%d pairs never", missing);
}

/* Dense plans built directly: narrow ones (inputs <= 8 bits, weights <= 8 bits:
   the fast path's float kernel), wide ones (inputs of 25-28 bits: its double
   kernel), accumulators that wrap or not, sizes across the kernels' tiles;
   fast == reference. */
static void test_fast_dense(void) {
    int bad = 0, runs = 0, fast[2] = {0, 0};
    char first[600] = "";
    enum { NEV = 150 };
    float *in = malloc(sizeof(float) * NEV * 80);
    for (int it = 0; it < 400; it++) {
        bool wide = it % 2;
        int n_in = 1 + rnd(70), n_out = 1 + rnd(70);
        aedl_fw_plan *p = aedl_fw_plan_new(1);
        aedl_fixed a = wide ? fx(25 + rnd(4), rnd(10) - 2, true, (aedl_rounding)rnd(7), (aedl_overflow)rnd(4))
                            : fx(2 + rnd(7), rnd(6) - 2, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        p->d_in = n_in; p->in_t = a; p->noutputs = 1; p->outputs[0] = 0; p->d_out = n_out;
        aedl_fw_layer *l = &p->layers[0];
        l->op = FW_DENSE;
        snprintf(l->name, sizeof l->name, "dense");
        l->ninputs = 1; l->inputs[0] = -1; l->n_in = n_in; l->n_out = n_out;
        int ww = wide ? 2 + rnd(13) : 2 + rnd(7);
        l->w_t = fx(ww, rnd(4) - 1, true, AEDL_TRN, AEDL_WRAP);
        l->b_t = fx(2 + rnd(8), rnd(4), true, AEDL_TRN, AEDL_WRAP);
        l->has_w = true; l->has_b = rnd(4) != 0;
        int fr = (a.width - a.integer) + (l->w_t.width - l->w_t.integer);   /* product fraction bits */
        if (l->b_t.width - l->b_t.integer > fr) fr = l->b_t.width - l->b_t.integer;
        int bits = a.width + ww + 8;                                        /* never wraps ... */
        if (rnd(3) == 0) bits = 4 + rnd(bits - 4);                          /* ... or wraps */
        l->acc_t = fx(bits, bits - fr, true, AEDL_TRN, AEDL_WRAP);
        l->has_quant = rnd(2);
        l->q_t = fx(2 + rnd(12), rnd(8) - 2, rnd(2), (aedl_rounding)rnd(7), (aedl_overflow)rnd(4));
        l->res_t = l->has_quant ? l->q_t : l->acc_t;
        l->w = malloc(sizeof(int64_t) * n_in * n_out);
        l->b = malloc(sizeof(int64_t) * n_out);
        for (long k = 0; k < (long)n_in * n_out; k++)
            l->w[k] = rnd(3) == 0 ? 0 : (int64_t)rnd(1 << (ww - 1)) * (rnd(2) ? 1 : -1);
        for (int j = 0; j < n_out; j++) l->b[j] = (int64_t)rnd(1 << (l->b_t.width - 1)) * (rnd(2) ? 1 : -1);
        char err[256];
        if (aedl_fw_prepare(p, err, sizeof err)) {
            if (!bad++) snprintf(first, sizeof first, "prepare: %.200s", err);
            aedl_fw_plan_free(p);
            continue;
        }
        int nev = 1 + rnd(NEV);
        for (int k = 0; k < nev * n_in; k++) in[k] = hard_input(a);
        runs++;
        fast[wide] += aedl_fw_uses_fast(p);
        char why[400];
        if (fast_vs_ref(p, in, nev, why, sizeof why) && !bad++)
            snprintf(first, sizeof first, "%s dense %d -> %d, input <%d,%d>, weights %d bits, accumulator <%d,%d>: %s",
                     wide ? "wide" : "narrow", n_in, n_out, a.width, a.integer, ww, l->acc_t.width, l->acc_t.integer, why);
        aedl_fw_plan_free(p);
    }
    free(in);
    CHECK(bad == 0 && runs == 400, "fast path dense (float and double kernels, wrapping accumulators) == reference path",
          "%d of %d differ; first: %s", bad, runs, first);
    CHECK(fast[0] == 200 && fast[1] > 150, "fast path dense: narrow and wide plans run on the fast path",
          "narrow %d of 200, wide %d of 200", fast[0], fast[1]);
}

/* ---- plan text round trip ---------------------------------------------------------------- */
static void test_plan_file(void) {
    int ok = 0, tried = 0;
    for (int it = 0; it < 50; it++) {
        Model M;
        rand_model(&M);
        IrTarget t = {0};
        t.precision = PREC_BIT_EXACT; t.default_type = fx(16, 6, true, AEDL_TRN, AEDL_WRAP);
        if (infer_precision(NULL, &M.m, &t, NULL, 0)) { model_free(&M); continue; }
        char err[256];
        aedl_fw_plan *p = plan_build(&M.m, err, sizeof err);
        if (!p) { model_free(&M); continue; }
        tried++;
        char path[] = "/tmp/aedl_plan_XXXXXX";
        int fd = mkstemp(path);
        if (fd >= 0) close(fd);
        aedl_fw_plan *q = NULL;
        if (fd >= 0 && aedl_fw_plan_write(p, path) == 0) q = aedl_fw_plan_read(path, err, sizeof err);
        if (q) {
            int d_in = p->d_in, d_out = p->d_out;
            float in[16 * 8]; double a[16 * 40], b[16 * 40];
            for (int k = 0; k < 16 * d_in; k++) in[k] = (float)unif(-8, 8);
            aedl_fw_run(p, in, a, 16);
            aedl_fw_run(q, in, b, 16);
            ok += memcmp(a, b, sizeof(double) * 16 * d_out) == 0;
            aedl_fw_plan_free(q);
        }
        remove(path);
        aedl_fw_plan_free(p);
        model_free(&M);
    }
    CHECK(tried > 20 && ok == tried, "plan file: written and read back, same outputs", "%d of %d", ok, tried);
    char err[256];
    CHECK(aedl_fw_plan_read("/nonexistent/x.plan", err, sizeof err) == NULL && strstr(err, "/nonexistent/x.plan"),
          "plan file: a missing file is an error naming it", "err '%s'", err);
    FILE *f = fopen("/tmp/aedl_bad.plan", "w");
    if (f) { fputs("aedl_fw_plan 1\nmodel m\ninput 3\n  type 8 2 1 0 0\nlayers 1\nlayer dense d\n  inputs 1 -1\n  size 4 2\n", f); fclose(f); }
    CHECK(aedl_fw_plan_read("/tmp/aedl_bad.plan", err, sizeof err) == NULL && strstr(err, "malformed"),
          "plan file: a truncated plan is an error", "err '%s'", err);
    remove("/tmp/aedl_bad.plan");
}

/* Every kind's entry names every hook (kinds.h); OP_INPUT's drivers handle
   its arguments, shape, plan and lanes form. */
static void test_kind_table(void) {
    int missing = 0;
    char what[160] = "";
    for (int op = 0; op < IR_NOPS; op++) {
        const KindEntry *k = kind_of((IrOp)op);
        bool ok = k->name && k->prec_quant && k->prec_float && k->prec_cons && k->prec_exact && k->train_forward &&
                  k->train_backward && k->train_qi && k->hls;
        if (op != OP_INPUT) ok = ok && k->args && k->shape && k->plan && k->train_lanes;
        if (!ok) { missing++; snprintf(what, sizeof what, "%s", k->name ? k->name : "(unnamed op)"); }
    }
    CHECK(missing == 0, "kinds/every-hook", "%d kinds lack a hook, e.g. %s", missing, what);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3000;
    test_kind_table();
    test_conservative_examples();
    test_exact_by_hand();
    test_casts();
    test_block_casts();
    test_plan_file();
    test_random_models(n);
    test_float_part_models(n / 3);
    test_fixed_mode(n / 3);
    test_fast_vs_reference(n / 3);
    test_fast_casts();
    test_score_plans();
    test_hw_input_plans();
    test_fast_dense();
    return check_exit();
}
