/* shapes.c — output shapes through each model's graph.
 *
 * Shapes exclude the batch axis.  An input's shape is the declared one (set
 * by resolve.c); every other node's is worked out here, in node order:
 *   dense            the last axis becomes `units`
 *   batchnorm, relu, leaky_relu, sigmoid, tanh, softmax, linear, dropout
 *                    the shape is kept (one input)
 *   concat           joins the last axis; every other axis must match (2+ inputs)
 *   add              all inputs have the same shape (2+ inputs)
 *   bound            the shape is kept; every feature a rule names exists
 *                    (1-D), and no feature is named twice
 * A mismatch is an error naming both layers and both shapes; a node whose
 * input already failed is skipped silently (no cascades).
 */
#include <stdio.h>
#include <string.h>
#include "arena.h"
#include "kinds.h"
#include "passes.h"

static const char *shape_text(const IrShape *s) {
    char buf[16 * IR_MAX_RANK + 4];
    size_t o = 0;
    buf[o++] = '[';
    for (int i = 0; i < s->rank; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%d", i ? ", " : "", s->dims[i]);
    snprintf(buf + o, sizeof buf - o, "]");
    return arena_strdup(buf);
}

static bool same_shape(const IrShape *a, const IrShape *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

/* Number of inputs a node takes: exactly one, or at least two (IR_K_MANY_INPUTS). */
static bool arity_ok(const IrNode *n) {
    if (n->op == OP_INPUT) return n->ninputs == 0;
    return ir_op_is(n->op, IR_K_MANY_INPUTS) ? n->ninputs >= 2 : n->ninputs == 1;
}

/* The shape rules (the entries' `shape` hooks, kinds.h): S starts as the
   first input's shape; a rule changes it, or reports and returns false. */
bool shape_keep(const IrNode *n, IrShape *s) {
    (void)n; (void)s;
    return true;
}

/* The features rule r names, in order: calls f(j, ctx) for each; size: the
   output's (the end of an open slice). */
static void bound_each(const IrBoundRule *r, int size, void (*f)(int, void *), void *ctx) {
    if (r->list) { for (int i = 0; i < r->nlist; i++) f(r->list[i], ctx); return; }
    for (int j = r->lo; j < (r->hi < 0 ? size : r->hi); j += r->every) f(j, ctx);
}

IrBoundMode ir_bound_mode(const IrNode *n, int j, double *k) {
    for (int i = 0; i < n->nbounds; i++) {
        const IrBoundRule *r = &n->bounds[i];
        bool hit = false;
        if (r->list) { for (int t = 0; t < r->nlist; t++) hit |= r->list[t] == j; }
        else hit = j >= r->lo && (r->hi < 0 || j < r->hi) && (j - r->lo) % r->every == 0;
        if (hit) { *k = r->k; return r->mode; }
    }
    *k = 0;
    return BOUND_NONE;
}

typedef struct { int size, max; int *by; int rule; bool dup; int dup_j, dup_rule; } BoundSeen;
static void bound_mark(int j, void *ctx) {
    BoundSeen *b = ctx;
    if (j > b->max) b->max = j;
    if (j >= b->size) return;
    if (b->by[j] >= 0 && !b->dup) { b->dup = true; b->dup_j = j; b->dup_rule = b->by[j]; }
    b->by[j] = b->rule;
}

/* bound: per feature of a 1-D output; each feature named at most once. */
bool shape_bound(const IrNode *n, IrShape *s) {
    if (s->rank != 1) {
        diag_error(n->loc, "bound '%s' needs a 1-D input, but '%s' is %s", n->name, n->inputs[0]->name, shape_text(s));
        return false;
    }
    int size = s->dims[0];
    BoundSeen b = {size, -1, arena_alloc(sizeof(int) * (size_t)size), 0, false, 0, 0};
    for (int j = 0; j < size; j++) b.by[j] = -1;
    for (int i = 0; i < n->nbounds; i++) {
        const IrBoundRule *r = &n->bounds[i];
        b.rule = i; b.max = -1;
        bound_each(r, size, bound_mark, &b);
        if (b.max >= size) {
            diag_error(r->loc, "bound '%s': the rule names feature %d, but '%s' has %d features (0..%d)", n->name,
                       b.max, n->inputs[0]->name, size, size - 1);
            return false;
        }
        if (b.max < 0) {
            diag_error(r->loc, "bound '%s': the rule names no feature of '%s' (%d features)", n->name,
                       n->inputs[0]->name, size);
            return false;
        }
        if (b.dup) {
            diag_error(r->loc, "bound '%s': feature %d is named by two rules", n->name, b.dup_j);
            diag_note(n->bounds[b.dup_rule].loc, "first named here");
            return false;
        }
    }
    return true;
}

bool shape_dense(const IrNode *n, IrShape *s) {
    const IrNode *a = n->inputs[0];
    /* One axis only: the firmware and the emulator compute a dense layer as
       one matrix-vector product, so the whole pipeline does. */
    if (a->shape.rank != 1) {
        diag_error(n->loc, "dense '%s' needs a 1-D input, but '%s' is %s: flatten the data "
                   "(`flatten = true` in the data block) and declare the input 1-D",
                   n->name, a->name, shape_text(&a->shape));
        return false;
    }
    s->dims[s->rank - 1] = n->units;
    return true;
}

bool shape_concat(const IrNode *n, IrShape *s) {
    const IrNode *a = n->inputs[0];
    long last = 0;
    for (int i = 0; i < n->ninputs; i++) {
        const IrNode *b = n->inputs[i];
        bool ok = b->shape.rank == a->shape.rank;
        for (int k = 0; ok && k < a->shape.rank - 1; k++) ok = b->shape.dims[k] == a->shape.dims[k];
        if (!ok) {
            diag_error(n->loc, "concat '%s': cannot join '%s' %s and '%s' %s: all axes but the last must match",
                       n->name, a->name, shape_text(&a->shape), b->name, shape_text(&b->shape));
            return false;
        }
        last += b->shape.dims[b->shape.rank - 1];
    }
    if (last > 1000000) {
        diag_error(n->loc, "concat '%s' is too wide (%ld)", n->name, last);
        return false;
    }
    s->dims[s->rank - 1] = (int)last;
    return true;
}

bool shape_add(const IrNode *n, IrShape *s) {
    (void)s;
    const IrNode *a = n->inputs[0];
    for (int i = 1; i < n->ninputs; i++) {
        const IrNode *b = n->inputs[i];
        if (!same_shape(&a->shape, &b->shape)) {
            diag_error(n->loc, "add '%s': cannot add '%s' %s and '%s' %s: the shapes differ", n->name,
                       a->name, shape_text(&a->shape), b->name, shape_text(&b->shape));
            return false;
        }
    }
    return true;
}

/* sample z <- mu, logvar: two inputs of one shape, the output's. */
bool shape_sample(const IrNode *n, IrShape *s) {
    (void)s;
    if (n->ninputs != 2) {
        diag_error(n->loc, "sample '%s' takes two inputs, the mean and the log-variance (`sample %s <- mu, logvar`), got %d",
                   n->name, n->name, n->ninputs);
        return false;
    }
    const IrNode *a = n->inputs[0], *b = n->inputs[1];
    if (!same_shape(&a->shape, &b->shape)) {
        diag_error(n->loc, "sample '%s': the mean '%s' %s and the log-variance '%s' %s differ in shape", n->name,
                   a->name, shape_text(&a->shape), b->name, shape_text(&b->shape));
        return false;
    }
    return true;
}

/* Sets N's shape; false (after reporting) when it cannot be worked out. */
static bool node_shape(IrNode *n) {
    if (n->op == OP_INPUT) return n->shape.rank > 0;
    if (!arity_ok(n)) {
        if (ir_op_is(n->op, IR_K_MANY_INPUTS))
            diag_error(n->loc, "%s '%s' needs at least two inputs (`%s %s <- a, b`), got %d", ir_op_name(n->op),
                       n->name, ir_op_name(n->op), n->name, n->ninputs);
        else
            diag_error(n->loc, "%s '%s' takes one input, got %d", ir_op_name(n->op), n->name, n->ninputs);
        return false;
    }
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i]->shape.rank == 0) return false;   /* already reported */
    IrShape s = n->inputs[0]->shape;
    if (!kind_of(n->op)->shape(n, &s)) return false;
    n->shape = s;
    return true;
}

void infer_shapes(IrProgram *p) {
    for (int m = 0; m < p->nmodels; m++) {
        IrModel *model = p->models[m];
        for (int i = 0; i < model->nnodes; i++) node_shape(model->nodes[i]);
    }
    for (int t = 0; t < p->ntrains; t++) {
        const IrTrain *tr = p->trains[t];
        if (!tr->model || !tr->data || tr->model->nnodes == 0 || tr->model->nodes[0]->op != OP_INPUT) continue;
        prep_check(tr->data, ir_shape_size(&tr->model->nodes[0]->shape));
    }
    /* a target's hardware inputs, against the model of the only train block (the driver checks
       them again against the model and target it is given) */
    if (p->ntrains == 1 && p->trains[0]->model && p->trains[0]->model->nnodes &&
        p->trains[0]->model->nodes[0]->op == OP_INPUT)
        for (int t = 0; t < p->ntargets; t++)
            prep_hw_check(p->targets[t], p->trains[0]->data, ir_shape_size(&p->trains[0]->model->nodes[0]->shape));
}

long ir_shape_size(const IrShape *s) {
    long n = 1;
    for (int i = 0; i < s->rank; i++) n *= s->dims[i];
    return n;
}
