/* plan.c — the firmware plan for the runtime emulator (lib/emu.h), from
 * the IR, its precision results and the quantized parameters.
 *
 * One plan layer per firmware layer: dropout and a folded batchnorm are the
 * identity and get none (their readers read the layer before).  The integer
 * parameters are those of the precision passes (bit_exact), or the weights
 * quantized to the chosen types (conservative, fixed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "nn.h"
#include "kinds.h"
#include "prec_common.h"
#include "util.h"

static int64_t *dup64(const int64_t *v, long n) {
    if (!v) return NULL;
    int64_t *d = xmalloc(sizeof(int64_t) * (n ? n : 1));
    memcpy(d, v, sizeof(int64_t) * n);
    return d;
}

/* The plan step of each kind (the entries' `plan` hooks, kinds.h): the
   firmware op and its integer parameters, from the types already in the
   layer (a->w_t, a->res_t, ...); false with a message in err. */

bool plan_dense(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    const IrPrec *pr = n->prec;
    const IrPrecTypes *t = &pr->t;
    a->op = FW_DENSE;
    a->n_in = (int)ir_shape_size(&n->inputs[0]->shape);
    a->has_w = true;
    a->has_b = t->has_bias;
    if (pr->wm) {
        a->w = dup64(pr->wm, (long)a->n_in * a->n_out);
        a->b = t->has_bias ? dup64(pr->bm, a->n_out) : NULL;
    } else {
        a->w = prec_quant_kernel(n->params, t->weight);
        a->b = t->has_bias ? prec_quant_bias(n->params, t->bias) : NULL;
    }
    if (a->has_b && !a->b) { snprintf(err, errn, "layer '%s': bias values missing", n->name); return false; }
    return true;
}

bool plan_batchnorm(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)err; (void)errn;
    const IrPrec *pr = n->prec;
    a->op = FW_BATCHNORM;
    a->has_w = a->has_b = true;
    if (pr->wm && pr->bm) { a->w = dup64(pr->wm, a->n_out); a->b = dup64(pr->bm, a->n_out); }
    else prec_bn_params(n, pr->t.weight, &a->w, &a->b);
    return true;
}

bool plan_leaky_relu(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)err; (void)errn;
    a->op = FW_LEAKY_RELU;
    a->has_w = true;
    int64_t am; bool ex;
    prec_alpha_type(n->alpha, &am, &ex);
    a->w = xmalloc(sizeof(int64_t));
    a->w[0] = am;
    return true;
}

/* The bounds in their type (prec_clip_bounds). */
bool plan_clip(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)err; (void)errn;
    a->op = FW_CLIP;
    a->has_w = true;
    a->w = xmalloc(sizeof(int64_t) * 2);
    int be;
    prec_clip_bounds(n, &a->w[0], &a->w[1], &be);
    return true;
}

/* sigmoid, tanh: the lookup table (lib/nn.h). */
bool plan_table(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)err; (void)errn;
    a->op = n->op == OP_TANH ? FW_TANH : FW_SIGMOID;
    a->has_w = true;
    a->w_t = a->res_t;
    a->w = xmalloc(sizeof(int64_t) * AEDL_ACT_TABLE);
    aedl_fw_table(a->op, a->res_t, a->w);
    return true;
}

/* bound: w holds tanh's table in w_t (the table type), then each feature's
   IrBoundMode; b each feature's k in b_t (0 for the others). */
bool plan_bound(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)err; (void)errn;
    a->op = FW_BOUND;
    a->has_w = a->has_b = true;
    a->w = xmalloc(sizeof(int64_t) * (AEDL_ACT_TABLE + (size_t)a->n_out));
    a->b = xmalloc(sizeof(int64_t) * (size_t)a->n_out);
    aedl_fw_table(FW_TANH, a->w_t, a->w);
    int e;
    a->b_t = prec_bound_ks(n, a->b, a->w + AEDL_ACT_TABLE, &e);
    return true;
}

#define PLAN_OP(kind, fw)                                                      \
    bool plan_##kind(const IrNode *n, aedl_fw_layer *a, char *err, int errn) { \
        (void)n; (void)err; (void)errn;                                        \
        a->op = fw;                                                            \
        return true;                                                           \
    }
PLAN_OP(relu, FW_RELU)
PLAN_OP(linear, FW_LINEAR)
PLAN_OP(add, FW_ADD)
PLAN_OP(concat, FW_CONCAT)
PLAN_OP(softmax, FW_SOFTMAX)
PLAN_OP(abs, FW_ABS)

/* dropout: the identity in inference, no plan layer (plan_build skips it). */
bool plan_train_only(const IrNode *n, aedl_fw_layer *a, char *err, int errn) {
    (void)a;
    snprintf(err, errn, "layer '%s': %s has no firmware form", n->name, ir_op_name(n->op));
    return false;
}

static int bitlen(unsigned __int128 v) { int b = 0; while (v) { b++; v >>= 1; } return b; }

/* The score step's types from the reconstruction's type r and the input's
   type x (n features each): every value exact (docs/precision.md, "The score
   in firmware").  The differences at the finer step 2^e of the two, the
   squares and their sum at 2^(2e), unsigned, wide enough for the largest sum
   (n times the largest square of the types' ranges); the count holds 0..n;
   result_t holds the sum and, masked, the count too. */
bool plan_score_types(aedl_fixed r, aedl_fixed x, int n, bool masked, PlanScore *st, char *err, int errn) {
    memset(st, 0, sizeof *st);
    st->n = n;
    st->masked = masked;
    int er = aedl_fw_exp(r), ex = aedl_fw_exp(x), e = er < ex ? er : ex;
    if (er - e > 60 || ex - e > 60 || r.width > 64 || x.width > 64) {
        snprintf(err, errn, "the score: the steps of the reconstruction and the input differ by more than 2^60");
        return false;
    }
    __int128 sr = (__int128)1 << (er - e), sx = (__int128)1 << (ex - e);
    __int128 rmin = (__int128)aedl_fixed_mant_min(r) * sr, rmax = (__int128)aedl_fixed_mant_max(r) * sr;
    __int128 xmin = (__int128)aedl_fixed_mant_min(x) * sx, xmax = (__int128)aedl_fixed_mant_max(x) * sx;
    __int128 dmax = rmax - xmin > xmax - rmin ? rmax - xmin : xmax - rmin;   /* the largest |r - x| */
    int db = bitlen((unsigned __int128)dmax);
    if (2 * db + bitlen((unsigned)n) > 63) {
        snprintf(err, errn, "the score needs %d bits (the reconstruction's and the input's types give differences of "
                 "%d bits); the firmware's types hold at most 63: narrow the output or input type",
                 2 * db + bitlen((unsigned)n), db);
        return false;
    }
    unsigned __int128 sq = (unsigned __int128)dmax * (unsigned __int128)dmax;
    st->diff = (aedl_fixed){db + 1, db + 1 + e, true, AEDL_TRN, AEDL_WRAP};
    int sb = bitlen(sq);
    st->square = (aedl_fixed){sb, sb + 2 * e, false, AEDL_TRN, AEDL_WRAP};
    int ub = bitlen(sq * (unsigned)n);
    st->sum = (aedl_fixed){ub, ub + 2 * e, false, AEDL_TRN, AEDL_WRAP};
    int cb = bitlen((unsigned)n);
    st->count = (aedl_fixed){cb, cb, false, AEDL_TRN, AEDL_WRAP};
    st->result = st->sum;
    if (masked) {   /* one type for both: the finer step, the larger integer part */
        int lo = 2 * e < 0 ? 2 * e : 0, hi = st->sum.integer > cb ? st->sum.integer : cb;
        st->result = (aedl_fixed){hi - lo, hi, false, AEDL_TRN, AEDL_WRAP};
        if (st->result.width > 63) {
            snprintf(err, errn, "the masked score's result type (the sum and the count) needs %d bits; at most 63",
                     st->result.width);
            return false;
        }
    }
    char t1[64], t2[64];
    snprintf(st->why_diff, sizeof st->why_diff,
             "exact: holds every reconstruction - input (%s - %s), at the finer step of the two",
             prec_type_str(r, t1, sizeof t1), prec_type_str(x, t2, sizeof t2));
    snprintf(st->why_sum, sizeof st->why_sum,
             "exact: holds %d times the largest square of score_diff_t (%d features), unsigned", n, n);
    snprintf(st->why_count, sizeof st->why_count, "exact: 0..%d, the features whose quantized input is not the padding", n);
    return true;
}

/* The mu2 step's types from the means' type m (n values): every square and
   the sum exact, at the step 2^(2e) of m's step 2^e, unsigned, wide enough for
   n times the largest square of m's range. */
bool plan_mu2_types(aedl_fixed m, int n, PlanScore *st, char *err, int errn) {
    memset(st, 0, sizeof *st);
    st->n = n;
    int e = aedl_fw_exp(m);
    if (m.width > 62) { snprintf(err, errn, "score = mu2: the means' type has %d bits; at most 62", m.width); return false; }
    __int128 lo = (__int128)aedl_fixed_mant_min(m), hi = (__int128)aedl_fixed_mant_max(m);
    __int128 mx = -lo > hi ? -lo : hi;
    unsigned __int128 sq = (unsigned __int128)mx * (unsigned __int128)mx;
    int sb = bitlen(sq), ub = bitlen(sq * (unsigned)n);
    if (ub > 63) {
        snprintf(err, errn, "score = mu2 needs %d bits (the means' type has %d); the firmware's types hold at most 63: "
                 "narrow the means' quantizer", ub, m.width);
        return false;
    }
    st->square = (aedl_fixed){sb, sb + 2 * e, false, AEDL_TRN, AEDL_WRAP};
    st->diff = st->square;
    st->sum = st->result = (aedl_fixed){ub, ub + 2 * e, false, AEDL_TRN, AEDL_WRAP};
    char t1[64];
    snprintf(st->why_diff, sizeof st->why_diff, "exact: holds the square of every mean (%s)", prec_type_str(m, t1, sizeof t1));
    snprintf(st->why_sum, sizeof st->why_sum, "exact: holds %d times the largest square of the means' type, unsigned", n);
    return true;
}

/* Appends a step that reduces n values to one (score, count, mu2), exact by
   construction: each element's term in elem_t (w_t, b_t and q_t), the sum in acc_t,
   the value in res_t; inputs in0 and in1 (-2: none).  Returns its index (p->layers
   has room). */
static int plan_push_reduce(aedl_fw_plan *p, aedl_fw_op op, const char *name, int in0, int in1, int n,
                            aedl_fixed elem_t, aedl_fixed acc_t, aedl_fixed res_t) {
    int l = p->nlayers++;
    aedl_fw_layer *a = &p->layers[l];
    memset(a, 0, sizeof *a);
    a->op = op;
    snprintf(a->name, sizeof a->name, "%s", name);
    a->ninputs = in1 == -2 ? 1 : 2;
    a->inputs[0] = in0;
    a->inputs[1] = in1 == -2 ? 0 : in1;
    a->n_in = n; a->n_out = 1;
    a->w_t = a->b_t = a->q_t = elem_t;
    a->acc_t = acc_t; a->res_t = res_t;
    a->guaranteed = true;
    return l;
}

/* score = mu2: the sum of the squared means after the layers the means depend on. */
static bool plan_add_mu2(aedl_fw_plan *p, int mu, char *err, int errn) {
    PlanScore st;
    aedl_fixed mt = mu < 0 ? p->in_t : p->layers[mu].res_t;
    int n = mu < 0 ? p->d_in : p->layers[mu].n_out;
    if (!plan_mu2_types(mt, n, &st, err, errn)) return false;
    p->outputs[0] = plan_push_reduce(p, FW_MU2, "mu2", mu, -2, n, st.square, st.sum, st.result);
    p->noutputs = 1;
    p->d_out = 1;
    return true;
}

/* The masked score's padding z_j (n): what the firmware's input holds for a raw 0 of
   feature j, the value training's mask (raw value != 0) skips.  A raw 0 preprocessed
   (tg->pad_value: the data pipeline's own float arithmetic on 0, NULL for none) and cast
   to the model input's type as the firmware's input is; with hardware inputs (layer 0)
   the raw 0, or for a feature not declared its preprocessed value, through that layer's
   step.  Mantissas of the score's input type.  false: every z_j is 0. */
static bool plan_pad(const aedl_fw_plan *p, const IrTarget *tg, int64_t *z) {
    bool hw = p->nlayers > 0 && p->layers[0].op == FW_HW_INPUT, any = false;
    const float *pv = tg ? tg->pad_value : NULL;
    for (int j = 0; j < p->d_in; j++) {
        double v = pv ? (double)pv[j] : 0.0;
        if (hw) z[j] = aedl_fw_hwin_value(&p->layers[0], j, tg->hw_types[j].width ? 0.0 : v);
        else z[j] = aedl_fw_from_double(v, p->in_t);
        any |= z[j] != 0;
    }
    return any;
}

/* The score layers after the model's layers (p->layers has room): the
   model's one output against the model's input. */
static bool plan_add_score(aedl_fw_plan *p, bool masked, const IrTarget *tg, char *err, int errn) {
    if (p->noutputs != 1) {
        snprintf(err, errn, "output = score needs a model with one output (model '%s' has %d)", p->model, p->noutputs);
        return false;
    }
    int o = p->outputs[0];
    /* the model's input: the hardware inputs' scaling when the firmware takes them */
    int xi = p->nlayers > 0 && p->layers[0].op == FW_HW_INPUT ? 0 : -1;
    aedl_fixed xt = xi < 0 ? p->in_t : p->layers[0].res_t;
    aedl_fixed rt = o < 0 ? xt : p->layers[o].res_t;
    int n = o < 0 ? p->d_in : p->layers[o].n_out;
    if (n != p->d_in) {
        snprintf(err, errn, "output = score needs the model's output to have the input's size (%d), not %d", p->d_in, n);
        return false;
    }
    PlanScore st;
    if (!plan_score_types(rt, xt, n, masked, &st, err, errn)) return false;
    int l = plan_push_reduce(p, masked ? FW_MASKED_SCORE : FW_SCORE, "score", o, xi, n, st.diff, st.sum, st.result);
    p->outputs[0] = l;
    p->noutputs = 1;
    p->d_out = 1;
    if (!masked) return true;
    /* the padding z_j, compared with by both the score and the count (each its own copy) */
    int64_t *pad = xmalloc(sizeof(int64_t) * (size_t)n);
    bool any = plan_pad(p, tg, pad);
    int c = plan_push_reduce(p, FW_COUNT, "count", xi, -2, n, st.count, st.count, st.result);
    if (any) {
        p->layers[l].has_w = p->layers[c].has_w = true;
        p->layers[l].w = pad;
        p->layers[c].w = xmalloc(sizeof(int64_t) * (size_t)n);
        memcpy(p->layers[c].w, pad, sizeof(int64_t) * (size_t)n);
    } else {
        free(pad);
    }
    p->outputs[1] = c;
    p->noutputs = 2;
    p->d_out = 2;
    return true;
}

aedl_fw_plan *plan_build(const IrModel *m, char *err, int errn) { return plan_build_for(m, NULL, LOSS_MSE, err, errn); }

/* Layer 0 when the target declares hardware inputs: the fitted scaling in fixed point
   (aedl_fw_hwin_build); the plan's input is then the hardware values, in the type that
   holds every hardware type. */
static bool plan_hw_input(aedl_fw_plan *p, const IrTarget *tg, char *err, int errn) {
    if (tg->nhw_types != p->d_in) {
        snprintf(err, errn, "hardware_inputs: %ld features declared for an input of %d", tg->nhw_types, p->d_in);
        return false;
    }
    aedl_fw_layer *a = &p->layers[0];
    char why[512];
    if (aedl_fw_hwin_from_scaling(a, p->d_in, tg->hw_types, p->in_t, tg->hw_mean, tg->hw_std, tg->hw_offset,
                                  tg->hw_divisor, why, (int)sizeof why) != 0) {
        snprintf(err, errn, "hardware_inputs: %s", why);
        return false;
    }
    snprintf(a->name, sizeof a->name, "hw_input");
    a->ninputs = 1;
    a->inputs[0] = -1;
    aedl_fixed *h = xmalloc(sizeof *h * (size_t)p->d_in);
    for (int j = 0; j < p->d_in; j++) h[j] = aedl_fw_hwin_type(a, j);
    p->in_t = aedl_fw_hwin_container(p->d_in, h);
    free(h);
    return true;
}


const IrNode *plan_sample_node(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++)
        if (m->nodes[i]->op == OP_SAMPLE) return m->nodes[i];
    return NULL;
}

/* The layers the firmware computes: every layer, but with output = score and
   score = mu2 only those the sample layer's mean depends on (the encoder; a
   train-only layer stands for its first input).  used (m->nnodes). */
void plan_used_nodes(const IrModel *m, const IrTarget *t, IrLoss score, bool *used) {
    const IrNode *smp = plan_sample_node(m);
    if (!(t && t->output == TARGET_OUT_SCORE && score == LOSS_MU2 && smp)) {
        for (int i = 0; i < m->nnodes; i++) used[i] = true;
        return;
    }
    memset(used, 0, sizeof(bool) * (size_t)m->nnodes);
    used[smp->inputs[0]->id] = true;
    for (int i = m->nnodes - 1; i >= 0; i--) {
        const IrNode *n = m->nodes[i];
        if (!used[i]) continue;
        int k = ir_op_is(n->op, IR_K_TRAIN_ONLY) ? 1 : n->ninputs;
        for (int j = 0; j < k && j < n->ninputs; j++) used[n->inputs[j]->id] = true;
    }
}

aedl_fw_plan *plan_build_for(const IrModel *m, const IrTarget *tg, IrLoss score_kind, char *err, int errn) {
    const IrTarget *t = tg;
    bool masked = score_kind == LOSS_MASKED_MSE;
    bool score = t && t->output == TARGET_OUT_SCORE;
    const IrNode *smp = plan_sample_node(m);
    if (score && score_kind == LOSS_KL) {
        snprintf(err, errn, "output = score: the firmware computes the score mse, masked_mse or mu2, not kl "
                 "(score = mu2 is the encoder's)");
        return NULL;
    }
    if (score && score_kind == LOSS_MU2 && !smp) {
        snprintf(err, errn, "score = mu2 needs a sample layer in model '%s'", m->name);
        return NULL;
    }
    bool mu2 = score && score_kind == LOSS_MU2;
    int *map = xmalloc(sizeof(int) * (m->nnodes ? m->nnodes : 1));
    bool *used = xmalloc(sizeof(bool) * (m->nnodes ? m->nnodes : 1));
    plan_used_nodes(m, t, score_kind, used);
    int nl = 0, ninputs = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (!n->prec) { snprintf(err, errn, "no precision for layer '%s'", n->name); free(map); free(used); return NULL; }
        if (!prec_has_params(n)) {
            snprintf(err, errn, "layer '%s' has no weights: the firmware plan needs trained weights (--weights)", n->name);
            free(map); free(used); return NULL;
        }
        if (n->op == OP_INPUT) ninputs++;
        else if (used[i] && !ir_op_is(n->op, IR_K_TRAIN_ONLY) && !n->prec->folded_away) nl++;
    }
    if (ninputs != 1) {
        snprintf(err, errn, "model '%s' has %d inputs: the emulator runs models with one input", m->name, ninputs);
        free(map); free(used); return NULL;
    }
    bool hw = t && t->hw_types;
    aedl_fw_plan *p = aedl_fw_plan_new(nl + (score ? 2 : 0) + hw);
    p->nlayers = nl + hw;
    snprintf(p->model, sizeof p->model, "%s", m->name);
    int l = hw;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *pr = n->prec;
        const IrPrecTypes *t = &pr->t;
        if (n->op == OP_INPUT) {
            map[i] = hw ? 0 : -1;
            p->d_in = (int)ir_shape_size(&n->shape);
            p->in_t = t->result;
            if (hw && !plan_hw_input(p, tg, err, errn)) goto fail;
            continue;
        }
        if (!used[i]) { map[i] = -2; continue; }   /* not in the firmware */
        if (ir_op_is(n->op, IR_K_TRAIN_ONLY) || pr->folded_away) { map[i] = map[n->inputs[0]->id]; continue; }
        if (n->ninputs > AEDL_FW_MAX_INPUTS) {
            snprintf(err, errn, "layer '%s': more than %d inputs", n->name, AEDL_FW_MAX_INPUTS);
            goto fail;
        }
        aedl_fw_layer *a = &p->layers[l];
        map[i] = l++;
        snprintf(a->name, sizeof a->name, "%s", n->name);
        a->ninputs = n->ninputs;
        for (int k = 0; k < n->ninputs; k++) a->inputs[k] = map[n->inputs[k]->id];
        a->n_out = (int)ir_shape_size(&n->shape);
        a->n_in = a->n_out;   /* dense: its plan step sets it */
        a->w_t = t->weight; a->b_t = t->bias; a->q_t = t->quant; a->res_t = t->result;
        a->acc_t = t->has_accum ? t->accum : t->result;
        a->has_quant = t->has_quant;
        a->guaranteed = pr->guaranteed;
        if (!kind_of(n->op)->plan(n, a, err, errn)) goto fail;
    }
    p->noutputs = m->noutputs;
    if (p->noutputs > AEDL_FW_MAX_INPUTS) { snprintf(err, errn, "too many outputs"); goto fail; }
    p->d_out = 0;
    int mu = smp ? map[smp->inputs[0]->id] : -2;
    for (int k = 0; !mu2 && k < m->noutputs; k++) {
        p->outputs[k] = map[m->outputs[k]->id];
        p->d_out += (int)ir_shape_size(&m->outputs[k]->shape);
    }
    free(map);
    free(used);
    if (mu2 && !plan_add_mu2(p, mu, err, errn)) { aedl_fw_plan_free(p); return NULL; }
    if (score && !mu2 && !plan_add_score(p, masked, tg, err, errn)) { aedl_fw_plan_free(p); return NULL; }
    if (aedl_fw_prepare(p, err, errn)) { aedl_fw_plan_free(p); return NULL; }
    return p;
fail:
    free(map);
    free(used);
    aedl_fw_plan_free(p);
    return NULL;
}
