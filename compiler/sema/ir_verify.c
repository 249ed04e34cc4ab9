/* ir_verify.c — the invariants every pass relies on.  main.c runs this
 * between passes (as QBE does); a violation is a bug in the compiler, never
 * in the input, so it is an internal error (ICE), not a diagnostic.
 *
 * Checked:
 *  - names unique per kind (program) and per model (nodes); none empty
 *  - node ids equal their index; every input is an earlier node of the model
 *  - arity (after shapes.c): input 0, concat/add 2+, others exactly 1
 *  - inputs have a declared shape; other nodes either all have shapes (after
 *    shapes.c) or none (before); a shape has rank 1..IR_MAX_RANK, dims >= 1
 *  - a dense's last axis is its units; add's inputs equal its shape
 *  - quantizer and fixed types: width 1..64, integer -64..64, modes in range;
 *    quantized_bits/relu types match the spec's mapping
 *  - pruning: sparsities in [0, 1), begin >= 0, frequency >= 1, begin < end (polynomial)
 *  - every model has outputs among its nodes; train's model and data set
 *  - data fractions in [0, 1) with sum < 1; target numbers positive
 */
#include <string.h>
#include "ir.h"
#include "kinds.h"
#include "strmap.h"

static void check_type(const aedl_fixed *t) {
    ASSERT_IR(t->width >= 1 && t->width <= 64);
    ASSERT_IR(t->integer >= -64 && t->integer <= 64);
    ASSERT_IR((unsigned)t->rnd <= AEDL_RND_CONV);
    ASSERT_IR((unsigned)t->ovf <= AEDL_SAT_SYM);
}

static void check_quant(const IrQuant *q) {
    if (!q) return;
    check_type(&q->type);
    ASSERT_IR(q->alpha == 1.0);
    if (q->kind == Q_BITS) {
        ASSERT_IR(q->type.width == q->bits);
        ASSERT_IR(q->type.rnd == AEDL_RND_CONV);
        ASSERT_IR(q->type.is_signed == (q->keep_negative != 0));
        ASSERT_IR(q->type.integer == q->integer + (q->keep_negative ? 1 : 0));
        ASSERT_IR(q->type.ovf == (q->keep_negative && q->symmetric ? AEDL_SAT_SYM : AEDL_SAT));
    } else if (q->kind == Q_RELU) {
        bool sl = q->slope != 0;
        ASSERT_IR(q->type.width == q->bits && q->type.integer == q->integer + sl);
        ASSERT_IR(q->type.is_signed == sl && q->type.rnd == AEDL_RND_CONV && q->type.ovf == AEDL_SAT);
    }
}

static void check_pruning(const IrPruning *p) {
    if (!p) return;
    ASSERT_IR(p->final >= 0 && p->final < 1);
    ASSERT_IR(p->begin >= 0 && p->frequency >= 1);
    if (p->kind == PRUNE_POLYNOMIAL) {
        ASSERT_IR(p->initial >= 0 && p->initial < 1);
        ASSERT_IR(p->begin < p->end && p->power > 0);
    }
}

static void check_shape(const IrShape *s) {
    ASSERT_IR(s->rank >= 1 && s->rank <= IR_MAX_RANK);
    for (int i = 0; i < s->rank; i++) ASSERT_IR(s->dims[i] >= 1);
}

static bool same_shape(const IrShape *a, const IrShape *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

static void check_model(const IrModel *m) {
    ASSERT_IR(m->name && m->name[0]);
    ASSERT_IR(m->nnodes >= 2 && m->nodes[0]->op == OP_INPUT);
    int with_shape = 0, layers = 0;
    StrMap names = {0};
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        ASSERT_IR(n && n->id == i && n->name && n->name[0]);
        ASSERT_IR(strmap_add(&names, n->name, i) < 0);
        for (int k = 0; k < n->ninputs; k++) {
            const IrNode *in = n->inputs[k];
            ASSERT_IR(in && in->id < i && m->nodes[in->id] == in);
        }
        if (n->op == OP_INPUT) {
            ASSERT_IR(n->ninputs == 0);
            check_shape(&n->shape);
            if (n->has_type) check_type(&n->in_type);
            continue;
        }
        layers++;
        if (n->shape.rank) {
            /* Arity is a user error found by shapes.c: checked once shapes are set. */
            ASSERT_IR(ir_op_is(n->op, IR_K_MANY_INPUTS) ? n->ninputs >= 2 : n->ninputs == 1);
            with_shape++;
            check_shape(&n->shape);
            const IrShape *s0 = &n->inputs[0]->shape;
            if (n->op == OP_DENSE) ASSERT_IR(n->shape.dims[n->shape.rank - 1] == n->units);
            else if (n->op == OP_ADD)
                for (int k = 0; k < n->ninputs; k++) ASSERT_IR(same_shape(&n->inputs[k]->shape, &n->shape));
            else if (n->op != OP_CONCAT) ASSERT_IR(same_shape(s0, &n->shape));
        }
        int np;   /* every argument in its range, their relations (resolve.c) */
        const ArgField *fs;
        const Param *ps = kind_params(n->op, &np, &fs);
        for (int k = 0; k < np; k++) {
            ASSERT_IR(kind_arg_ok(ps[k].kind, &fs[k], n));
            if (ps[k].kind == T_QUANT) check_quant(*(IrQuant *const *)((const char *)n + fs[k].off));
            if (ps[k].kind == T_PRUNE) check_pruning(*(IrPruning *const *)((const char *)n + fs[k].off));
        }
        ASSERT_IR(kind_of(n->op)->args(n, NULL));
        check_quant(n->quant);
        ASSERT_IR(!n->quant || ir_op_is(n->op, IR_K_QUANT));
        if (n->op != OP_DENSE) ASSERT_IR(!n->weight_q && !n->bias_q);
    }
    /* Shapes are set on every layer (after shapes.c) or on none (before). */
    ASSERT_IR(with_shape == 0 || with_shape == layers);
    ASSERT_IR(m->noutputs >= 1);
    for (int i = 0; i < m->noutputs; i++) {
        const IrNode *o = m->outputs[i];
        ASSERT_IR(o && o->id >= 0 && o->id < m->nnodes && m->nodes[o->id] == o);
    }
    check_pruning(m->default_prune);
}

#define UNIQUE(arr, n)                                                      \
    do {                                                                    \
        StrMap seen_ = {0};                                                 \
        for (int i_ = 0; i_ < (n); i_++) {                                  \
            ASSERT_IR((arr)[i_]);                                           \
            if ((arr)[i_]->name) ASSERT_IR(strmap_add(&seen_, (arr)[i_]->name, i_) < 0); \
        }                                                                   \
    } while (0)

void ir_verify(const IrProgram *p) {
    ASSERT_IR(p);
    UNIQUE(p->quants, p->nquants);
    UNIQUE(p->prunings, p->nprunings);
    UNIQUE(p->models, p->nmodels);
    UNIQUE(p->datas, p->ndatas);
    UNIQUE(p->trains, p->ntrains);
    UNIQUE(p->targets, p->ntargets);
    for (int i = 0; i < p->nquants; i++) {
        ASSERT_IR(p->quants[i]->name);
        check_quant(p->quants[i]);
    }
    for (int i = 0; i < p->nprunings; i++) {
        ASSERT_IR(p->prunings[i]->name);
        check_pruning(p->prunings[i]);
    }
    for (int i = 0; i < p->nmodels; i++) check_model(p->models[i]);
    for (int i = 0; i < p->ndatas; i++) {
        const IrData *d = p->datas[i];
        ASSERT_IR(d->train.path && d->train.path[0] == '/');
        ASSERT_IR(d->train.kind != SRC_HDF5 || d->train.dataset || d->nobjects || d->nscalars);
        ASSERT_IR(d->train.kind != SRC_ROOT || (d->train.tree && d->train.nfiles >= 1));
        for (int k = 0; k < d->nobjects; k++) ASSERT_IR(d->objects[k].n >= 1 && d->objects[k].nvars >= 1);
        for (int s = 0; s < d->nsignals; s++) ASSERT_IR(d->signals[s].name && d->signals[s].src.path[0] == '/');
        ASSERT_IR(d->validation >= 0 && d->test >= 0 && d->validation + d->test < 1);
        ASSERT_IR(!d->has_features || d->nfeatures >= 1);
        for (int f = 0; f < d->nfeatures; f++) ASSERT_IR(d->features[f] >= 0);
        ASSERT_IR(d->limit == -1 || d->limit >= 1);
    }
    for (int i = 0; i < p->ntrains; i++) {
        const IrTrain *t = p->trains[i];
        ASSERT_IR(t->model && t->data);
        ASSERT_IR(t->epochs >= 1 && t->batch >= 1 && t->adam.lr > 0);
        for (int k = 0; k < t->ntpr_at_fpr; k++) ASSERT_IR(t->tpr_at_fpr[k] > 0 && t->tpr_at_fpr[k] < 1);
    }
    for (int i = 0; i < p->ntargets; i++) {
        const IrTarget *g = p->targets[i];
        ASSERT_IR(g->part && g->clock_period > 0 && g->reuse_factor >= 1);
        check_type(&g->default_type);
    }
}
