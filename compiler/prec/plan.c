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

aedl_fw_plan *plan_build(const IrModel *m, char *err, int errn) {
    int *map = xmalloc(sizeof(int) * (m->nnodes ? m->nnodes : 1));
    int nl = 0, ninputs = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (!n->prec) { snprintf(err, errn, "no precision for layer '%s'", n->name); free(map); return NULL; }
        if (!prec_has_params(n)) {
            snprintf(err, errn, "layer '%s' has no weights: the firmware plan needs trained weights (--weights)", n->name);
            free(map); return NULL;
        }
        if (n->op == OP_INPUT) ninputs++;
        else if (!ir_op_is(n->op, IR_K_TRAIN_ONLY) && !n->prec->folded_away) nl++;
    }
    if (ninputs != 1) {
        snprintf(err, errn, "model '%s' has %d inputs: the emulator runs models with one input", m->name, ninputs);
        free(map); return NULL;
    }
    aedl_fw_plan *p = aedl_fw_plan_new(nl);
    snprintf(p->model, sizeof p->model, "%s", m->name);
    int l = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *pr = n->prec;
        const IrPrecTypes *t = &pr->t;
        if (n->op == OP_INPUT) {
            map[i] = -1;
            p->d_in = (int)ir_shape_size(&n->shape);
            p->in_t = t->result;
            continue;
        }
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
    for (int k = 0; k < m->noutputs; k++) {
        p->outputs[k] = map[m->outputs[k]->id];
        p->d_out += (int)ir_shape_size(&m->outputs[k]->shape);
    }
    free(map);
    if (aedl_fw_prepare(p, err, errn)) { aedl_fw_plan_free(p); return NULL; }
    return p;
fail:
    free(map);
    aedl_fw_plan_free(p);
    return NULL;
}
