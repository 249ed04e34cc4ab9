/* emit_train.c — `aedlc FILE --emit train`: the training program.
 *
 * Writes DIR/train/MODEL_model.c and DIR/train/Makefile, then runs make to
 * build DIR/train/MODEL_train.  The generated file holds only what is specific
 * to the model (llm.c style):
 *
 *   - the quantizer types of the file, as aedl_fixed constants;
 *   - the layout of the driver's blocks as structs of named float arrays:
 *     MODEL_params (LAYER_kernel, LAYER_bias, ...; gradients, Adam moments
 *     and masks have the same layout) and MODEL_buffers (moving statistics);
 *   - a model struct: the blocks, activations and their gradients with a
 *     shape comment each, the double buffers of QI;
 *   - per layer MODEL_LAYER_forward / _backward / _exact over lib/nn.h and
 *     runtime/quant.h, each with a comment naming its .aedl source line (an
 *     activation fused into the batchnorm before it has none: the batchnorm's
 *     functions compute it);
 *   - per layer MODEL_LAYER_lanes and MODEL_forward_lanes: the float model
 *     (AEDL_MODE_FLOAT) with events in vector lanes (runtime/lanes.h), when
 *     every layer has that form;
 *   - MODEL_forward_rows, MODEL_backward_rows, MODEL_infer_exact; a tensor
 *     table (names, offsets in the blocks by offsetof, shapes, init, pruning)
 *     for weights I/O and pruning;
 *   - the data and train blocks as an aedl_train_cfg, and main() calling the
 *     generic driver runtime/train.c.
 */
#define _XOPEN_SOURCE 700   /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "emit_train.h"
#include "kinds.h"
#include "emu.h"
#include "nn.h"
#include "prec_common.h"
#include "proc.h"
#include "home.h"
#include "ir.h"
#include "src.h"
#include "lanes.h"
#include "train_par.h"
#include "train_quant.h"
#include "util.h"

#define TS 64     /* generated identifiers are short: layer names + a suffix */

/* ---------------------------------------------------------------- helpers */

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The path of `target` relative to the folder `base` (both made absolute and
   resolved; "." for base itself), so that the generated files name no folder
   of the machine they were made on.  Falls back to `target` as given when
   either cannot be resolved.  Caller frees. */
static char *relative_to(const char *base, const char *target) {
    char *b = realpath(base, NULL), *t = realpath(target, NULL);
    if (!b || !t) { free(b); free(t); return xstrdup(target); }
    if (!strcmp(b, "/")) b[0] = 0;
    size_t i = 0, common = 0;
    for (; b[i] && b[i] == t[i]; i++)
        if (b[i] == '/') common = i;
    if (!b[i] && (!t[i] || t[i] == '/')) common = i;     /* base is a prefix of target */
    else if (!t[i] && b[i] == '/') common = i;           /* target is a prefix of base */
    size_t ups = 0;
    for (const char *q = b + common; *q; q++)
        if (*q == '/') ups++;
    const char *rest = t + common + (t[common] == '/');
    size_t n = ups * 3 + strlen(rest) + 2;
    char *out = xmalloc(n), *w = out;
    for (size_t k = 0; k < ups; k++) { memcpy(w, "../", 3); w += 3; }
    snprintf(w, n - (size_t)(w - out), "%s", rest);
    size_t len = strlen(out);
    if (len > 1 && out[len - 1] == '/') out[len - 1] = 0;
    if (!out[0]) snprintf(out, n, ".");
    free(b); free(t);
    return out;
}

static const char *const RND_ENUM[] = {
    "AEDL_TRN", "AEDL_TRN_ZERO", "AEDL_RND", "AEDL_RND_ZERO", "AEDL_RND_INF", "AEDL_RND_MIN_INF",
    "AEDL_RND_CONV"
};
static const char *const OVF_ENUM[] = { "AEDL_WRAP", "AEDL_SAT", "AEDL_SAT_ZERO", "AEDL_SAT_SYM" };
static const char *const RND_NAME[] = { "trn", "trn_zero", "rnd", "rnd_zero", "rnd_inf", "rnd_min_inf",
                                        "rnd_conv" };
static const char *const OVF_NAME[] = { "wrap", "sat", "sat_zero", "sat_sym" };

static void put_fixed_init(FILE *o, const aedl_fixed *t) {
    fprintf(o, "{ .width = %d, .integer = %d, .is_signed = %s, .rnd = %s, .ovf = %s }", t->width,
            t->integer, t->is_signed ? "true" : "false", RND_ENUM[t->rnd], OVF_ENUM[t->ovf]);
}

static void put_fixed_text(FILE *o, const aedl_fixed *t) {
    fprintf(o, "%s<%d,%d,%s,%s>", t->is_signed ? "fixed" : "ufixed", t->width, t->integer,
            RND_NAME[t->rnd], OVF_NAME[t->ovf]);
}

/* The shortest %g that reads back as the same double (0.2, not 0.20000000000000001). */
static const char *num(double x) {
    static char ring[8][40];
    static int k;
    char *b = ring[k++ & 7];
    for (int p = 1; p <= 17; p++) {
        snprintf(b, 40, "%.*g", p, x);
        if (strtod(b, NULL) == x) break;
    }
    return b;
}

/* A C string literal. */
static void put_cstr(FILE *o, const char *s) {
    if (!s) { fputs("NULL", o); return; }
    fputc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(o, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(o, "\\%03o", c);
        else fputc(c, o);
    }
    fputc('"', o);
}

/* The statement as written (one line, no comment terminators). */
static void stmt_text(const IrNode *n, char *buf, size_t len) {
    buf[0] = 0;
    const SrcFile *f = n->loc.file >= 0 ? src_file(n->loc.file) : NULL;
    if (!f || n->loc.end <= n->loc.start || n->loc.end > f->len) {
        snprintf(buf, len, "%s", ir_op_name(n->op));
        return;
    }
    size_t k = 0;
    int space = 0;
    for (uint32_t i = n->loc.start; i < n->loc.end && k + 4 < len; i++) {
        char c = f->text[i];
        if (c == '#') {                   /* a comment inside a continued statement */
            while (i < n->loc.end && f->text[i] != '\n') i++;
            space = 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { space = 1; continue; }
        if (space && k) buf[k++] = ' ';
        space = 0;
        if (c == '/' && k && buf[k - 1] == '*') buf[k++] = ' ';
        buf[k++] = c;
    }
    buf[k] = 0;
}

static void put_origin(FILE *o, const IrNode *n, const char *indent) {
    char txt[512];
    stmt_text(n, txt, sizeof txt);
    /* "dense enc1(32, ...)" -> "dense(32, ...)": the name is printed first */
    size_t kl = strcspn(txt, " ("), nl = strlen(n->name);
    if (txt[kl] == ' ' && !strncmp(txt + kl + 1, n->name, nl) &&
        (txt[kl + 1 + nl] == '(' || txt[kl + 1 + nl] == '[' || txt[kl + 1 + nl] == 0 ||
         txt[kl + 1 + nl] == ' '))
        memmove(txt + kl, txt + kl + 1 + nl, strlen(txt + kl + 1 + nl) + 1);
    int line = n->line;
    if (line <= 0 && n->loc.file >= 0) {
        int col;
        src_linecol(n->loc.file, n->loc.start, &line, &col);
    }
    fprintf(o, "%s/* %s: %s \xe2\x80\x94 %s:%d */\n", indent, n->name, txt,
            base_name(n->file ? n->file : "?"), line);
}

static long node_size(const IrNode *n) { return ir_shape_size(&n->shape); }
static int last_dim(const IrNode *n) {
    return n->shape.rank ? n->shape.dims[n->shape.rank - 1] : 1;
}

static bool model_quantized(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if ((n->op == OP_DENSE && (n->weight_q || n->bias_q)) || n->quant) return true;
    }
    return false;
}

static bool has_quant(const IrNode *n) {
    return n->quant && ir_op_is(n->op, IR_K_QUANT);
}

/* The training pass's fused quantizers (train_par.h) take the fast types only. */
static bool fast_quant(const IrQuant *q) {
    aedl_tq t;
    aedl_tq_init(&t, &q->type);
    return t.fast != 0;
}

/* The activation that a training batchnorm computes in its own pass
   (aedl_bn_train_forward's epilogue), or NULL: bn has no quantizer of its own,
   its only reader is a relu or leaky_relu (whose quantizer, if any, is fast),
   and it is not the model's output. */
static const IrNode *fused_act(const IrModel *m, const IrNode *bn) {
    if (bn->op != OP_BATCHNORM || has_quant(bn)) return NULL;
    const IrNode *a = NULL;
    int readers = 0;
    for (int i = 0; i < m->nnodes; i++)
        for (int j = 0; j < m->nodes[i]->ninputs; j++)
            if (m->nodes[i]->inputs[j] == bn) { a = m->nodes[i]; readers++; }
    for (int i = 0; i < m->noutputs; i++)
        if (m->outputs[i] == bn) return NULL;
    if (readers != 1 || (a->op != OP_RELU && a->op != OP_LEAKY_RELU) || a->ninputs != 1) return NULL;
    if (has_quant(a) && !fast_quant(a->quant)) return NULL;
    return a;
}

/* The batchnorm that computes activation a in training, or NULL. */
static const IrNode *fused_into(const IrModel *m, const IrNode *a) {
    if ((a->op != OP_RELU && a->op != OP_LEAKY_RELU) || a->ninputs != 1) return NULL;
    return fused_act(m, a->inputs[0]) == a ? a->inputs[0] : NULL;
}

/* ---------------------------------------------------------------- the quantizer table */

typedef struct {
    const IrQuant *q;
    char id[TS * 2];
} QEntry;

typedef struct Gen {
    FILE *o;
    const IrProgram *p;
    const IrModel *m;
    const IrTrain *t;
    const char *M;            /* model name: the prefix of every generated name */
    QEntry *qs; int nq;
    bool quantized;
    const IrNode *in, *out;
    bool out_direct;          /* nothing reads the output: its backward reads the driver's dout in place */
    bool *grad;               /* per node (m->nodes order): its output gradient is needed, i.e. it or a
                                 layer before it has parameters; the others have no backward */
    const IrTarget *target;   /* or NULL */
    bool lanes;               /* the float model's forward runs in event lanes (lanes_ok) */
} Gen;

static bool needs_grad(const Gen *g, const IrNode *n) {
    for (int i = 0; i < g->m->nnodes; i++)
        if (g->m->nodes[i] == n) return g->grad[i];
    return false;
}

static void find_grads(Gen *g) {
    const IrModel *m = g->m;
    g->grad = xcalloc((size_t)m->nnodes + 1, sizeof *g->grad);
    for (int i = 0; i < m->nnodes; i++) {   /* in order: inputs come first */
        const IrNode *n = m->nodes[i];
        bool need = ir_op_is(n->op, IR_K_PARAMS);
        for (int j = 0; j < n->ninputs; j++) need |= needs_grad(g, n->inputs[j]);
        g->grad[i] = need;
    }
}

static const char *qid(Gen *g, const IrQuant *q, const IrNode *n, const char *slot) {
    for (int i = 0; i < g->nq; i++)
        if (g->qs[i].q == q) return g->qs[i].id;
    QEntry *e = &g->qs[g->nq++];
    e->q = q;
    if (q->name) snprintf(e->id, sizeof e->id, "%s_q_%s", g->M, q->name);
    else snprintf(e->id, sizeof e->id, "%s_q_%s_%s", g->M, n->name, slot);
    return e->id;
}

static void put_quant_desc(FILE *o, const IrQuant *q) {
    switch (q->kind) {
    case Q_FIXED: put_fixed_text(o, &q->type); break;
    case Q_BITS:
        fprintf(o, "quantized_bits(%d, %d, %d%s)", q->bits, q->integer, q->symmetric,
                q->keep_negative ? "" : ", keep_negative=0");
        break;
    case Q_RELU:
        fprintf(o, "quantized_relu(%d, %d", q->bits, q->integer);
        if (q->slope != 0) fprintf(o, ", negative_slope=%.17g", q->slope);
        fputc(')', o);
        break;
    case Q_VALUE: ir_put_qv(o, q); break;
    }
}

/* quantized_bits(alpha="auto" / "auto_po2"): a map of the whole tensor (qvalue.h). */
static bool is_auto(const IrQuant *q) { return q && q->kind == Q_VALUE && q->qv.kind == AEDL_QV_BITS_AUTO; }

/* binary / ternary / quantized_po2: the map before the type (qvalue.h). */
static void put_qv_init(FILE *o, const char *id, const aedl_qv *v) {
    fprintf(o, "static const aedl_qv %s_qv = { %d, %.17g, %d, (float)%.9g, %d, %d, %.17g, %d, %d, %d, %d };\n", id,
            (int)v->kind, v->alpha, v->use_01, (double)v->threshold, v->min_exp, v->max_exp, v->max_value, v->log2_floor,
            v->bits, v->integer, v->auto_po2);
}

static void gen_quantizers(Gen *g) {
    FILE *o = g->o;
    const IrModel *m = g->m;
    fprintf(o, "/* ---- quantizers: the exact fixed-point type of each (QKeras semantics, "
               "docs/semantics.md) ---- */\n");
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrQuant *qs[3] = { NULL, NULL, NULL };
        const char *slots[3] = { "weight", "bias", "quant" };
        if (n->op == OP_DENSE) { qs[0] = n->weight_q; qs[1] = n->bias_q; }
        if (has_quant(n)) qs[2] = n->quant;
        for (int k = 0; k < 3; k++) {
            if (!qs[k]) continue;
            int before = g->nq;
            const char *id = qid(g, qs[k], n, slots[k]);
            if (g->nq == before) continue;
            fprintf(o, "static const aedl_fixed %s = ", id);
            put_fixed_init(o, &qs[k]->type);
            fprintf(o, ";\n    /* ");
            if (qs[k]->name) fprintf(o, "quantizer %s = ", qs[k]->name);
            put_quant_desc(o, qs[k]);
            fprintf(o, " == ");
            put_fixed_text(o, &qs[k]->type);
            int line = 0, col;
            if (qs[k]->loc.file >= 0) src_linecol(qs[k]->loc.file, qs[k]->loc.start, &line, &col);
            if (line > 0) fprintf(o, " \xe2\x80\x94 %s:%d", base_name(src_file(qs[k]->loc.file)->path), line);
            fprintf(o, " */\n");
            if (qs[k]->kind == Q_VALUE) put_qv_init(o, id, &qs[k]->qv);
        }
    }
    if (g->in->has_type) {
        fprintf(o, "static const aedl_fixed %s_t_%s = ", g->M, g->in->name);
        put_fixed_init(o, &g->in->in_type);
        fprintf(o, ";\n    /* input %s : ", g->in->name);
        put_fixed_text(o, &g->in->in_type);
        fprintf(o, " */\n");
    }
    if (g->quantized) {
        aedl_fixed bn = { 16, 6, true, AEDL_RND_CONV, AEDL_SAT };
        bool any_bn = false;
        for (int i = 0; i < m->nnodes; i++) any_bn |= m->nodes[i]->op == OP_BATCHNORM;
        if (any_bn) {
            fprintf(o, "static const aedl_fixed %s_t_bn_param = ", g->M);
            put_fixed_init(o, &bn);
            fprintf(o, ";\n    /* batchnorm scale and shift in inference of a quantized model */\n");
        }
    }
    fprintf(o, "\n");
}

/* ---------------------------------------------------------------- tensors */

typedef struct {
    const IrNode *n;
    const char *name;         /* kernel, bias, gamma, ... */
    bool trainable;
    long size;
    int rank, d0, d1;
    const char *init;
    int fan_in, fan_out;
    int prune;                /* index into the prune table or -1 */
} Tensor;

typedef struct {
    Tensor *t; int nt;
    long nparams, nbuffers;
    const IrPruning **pr; int npr;
} Tensors;

static int prune_index(Tensors *ts, const IrPruning *p) {
    for (int i = 0; i < ts->npr; i++)
        if (ts->pr[i] == p) return i;
    ts->pr[ts->npr] = p;
    return ts->npr++;
}

static void add_tensor(Tensors *ts, const IrNode *n, const char *name, bool trainable, long size,
                       int rank, int d0, int d1, const char *init, int fan_in, int fan_out, int prune) {
    Tensor *t = &ts->t[ts->nt++];
    t->n = n; t->name = name; t->trainable = trainable; t->size = size;
    t->rank = rank; t->d0 = d0; t->d1 = d1; t->init = init;
    t->fan_in = fan_in; t->fan_out = fan_out; t->prune = prune;
    if (trainable) ts->nparams += size;
    else ts->nbuffers += size;
}

static void collect_tensors(const IrModel *m, Tensors *ts) {
    ts->t = xcalloc((size_t)m->nnodes * 4 + 1, sizeof *ts->t);
    ts->pr = xcalloc((size_t)m->nnodes + 1, sizeof *ts->pr);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (n->op == OP_DENSE) {
            int nin = last_dim(n->inputs[0]);
            const char *init = n->init == INIT_HE_UNIFORM ? "AEDL_INIT_HE_UNIFORM"
                             : n->init == INIT_GLOROT_UNIFORM ? "AEDL_INIT_GLOROT_UNIFORM"
                                                              : "AEDL_INIT_ZEROS";
            add_tensor(ts, n, "kernel", true, (long)nin * n->units, 2, nin, n->units, init, nin,
                       n->units, n->prune ? prune_index(ts, n->prune) : -1);
            if (n->use_bias)
                add_tensor(ts, n, "bias", true, n->units, 1, n->units, 0, "AEDL_INIT_ZEROS", 0, 0, -1);
        } else if (n->op == OP_BATCHNORM) {
            int c = last_dim(n);
            add_tensor(ts, n, "gamma", true, c, 1, c, 0, "AEDL_INIT_ONES", 0, 0, -1);
            add_tensor(ts, n, "beta", true, c, 1, c, 0, "AEDL_INIT_ZEROS", 0, 0, -1);
            add_tensor(ts, n, "moving_mean", false, c, 1, c, 0, "AEDL_INIT_ZEROS", 0, 0, -1);
            add_tensor(ts, n, "moving_variance", false, c, 1, c, 0, "AEDL_INIT_ONES", 0, 0, -1);
        }
    }
}

/* ---------------------------------------------------------------- buffers */

/* Every buffer of the model struct: its field name, element type, and size
   per event (per_event) or in total (fixed). */
typedef enum { G_ACT, G_DACT, G_MASK, G_EXACT, G_FIX, G_FIX64 } BufGroup;

typedef struct {
    char field[TS * 2];
    BufGroup group;
    long count;               /* per event (ACT, DACT, MASK, EXACT) or total (FIX, FIX64) */
    char shape[96];
    const char *what;
} Buf;

typedef struct { Buf *b; int n, cap; } Bufs;

static void add_buf(Bufs *bs, BufGroup grp, long count, const char *shape, const char *what,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_buf(Bufs *bs, BufGroup grp, long count, const char *shape, const char *what,
                    const char *fmt, ...) {
    if (bs->n == bs->cap) {
        bs->cap = bs->cap ? bs->cap * 2 : 64;
        bs->b = xrealloc(bs->b, (size_t)bs->cap * sizeof *bs->b);
    }
    Buf *b = &bs->b[bs->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->field, sizeof b->field, fmt, ap);
    va_end(ap);
    b->group = grp; b->count = count; b->what = what;
    snprintf(b->shape, sizeof b->shape, "%s", shape);
}

static void shape_str(const IrNode *n, bool batch, char *buf, size_t len) {
    size_t k = (size_t)snprintf(buf, len, "(%s", batch ? "B" : "");
    for (int i = 0; i < n->shape.rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%d", (batch || i) ? ", " : "", n->shape.dims[i]);
    if (k < len) snprintf(buf + k, len - k, ")");
}

/* The latent layer: the first of the narrowest layers between the input and the output,
   followed along the elementwise layers after it (its activation); NULL when no layer is
   narrower than the output. */
static const IrNode *latent_node(const IrModel *m, const IrNode *out) {
    for (int i = 0; i < m->nnodes; i++)   /* a VAE: the means */
        if (m->nodes[i]->op == OP_SAMPLE) return m->nodes[i]->inputs[0];
    const IrNode *best = NULL;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (n->op == OP_INPUT || n == out) continue;
        if (!best || node_size(n) < node_size(best)) best = n;
    }
    if (!best || node_size(best) >= node_size(out)) return NULL;
    for (bool more = true; more;) {
        more = false;
        for (int i = 0; i < m->nnodes; i++) {
            const IrNode *n = m->nodes[i];
            if (n != out && n->ninputs == 1 && n->inputs[0] == best && node_size(n) == node_size(best) &&
                n->op != OP_DENSE) {
                best = n;
                more = true;
                break;
            }
        }
    }
    return best;
}

static const IrNode *sample_node(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++)
        if (m->nodes[i]->op == OP_SAMPLE) return m->nodes[i];
    return NULL;
}

static void collect_bufs(Gen *g, Bufs *bs) {
    const IrModel *m = g->m;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        long S = node_size(n);
        char sh[96], vs[64];
        shape_str(n, true, sh, sizeof sh);
        add_buf(bs, G_ACT, S, sh, n->op == OP_INPUT ? "the input as the model sees it" : "output",
                "%s_out", n->name);
        add_buf(bs, G_EXACT, S, sh, "QI output (double)", "%s_x", n->name);
        if (needs_grad(g, n) && !(n == g->out && g->out_direct) && !fused_act(m, n))
            add_buf(bs, G_DACT, S, sh, "d loss / d output", "%s_dout", n->name);
        bool q = has_quant(n);
        if (q && ((n->op == OP_BATCHNORM && !fast_quant(n->quant)) ||
                  (n->op == OP_LEAKY_RELU && !fused_into(m, n)))) {
            add_buf(bs, G_ACT, S, sh, "before the quantizer", "%s_pre", n->name);
            if (needs_grad(g, n)) add_buf(bs, G_DACT, S, sh, "d loss / d pre", "%s_dpre", n->name);
        }
        if (q && !fused_into(m, n) && !(n->op == OP_BATCHNORM && fast_quant(n->quant)))
            add_buf(bs, G_MASK, S, sh, "1 where the quantizer passes the gradient", "%s_qin", n->name);
        if (g->lanes && !fused_act(m, n)) {   /* a fused batchnorm writes its activation's */
            snprintf(vs, sizeof vs, "(%ld, AEDL_LANES)", S);
            add_buf(bs, G_FIX, S * AEDL_LANES, vs, "the float model in lanes: a block's values", "%s_ln", n->name);
        }
        if (n->op == OP_DROPOUT) add_buf(bs, G_ACT, S, sh, "dropout mask: 0 or 1/(1-rate)", "%s_mask", n->name);
        if (n->op == OP_SAMPLE) add_buf(bs, G_ACT, S, sh, "the N(0, 1) draws of training", "%s_eps", n->name);
        if (n->op == OP_DENSE) {
            int nin = last_dim(n->inputs[0]);
            snprintf(vs, sizeof vs, "(%d, %d)", nin, n->units);
            if (n->weight_q) {
                add_buf(bs, G_FIX, (long)nin * n->units, vs, "kernel as used: quantized", "%s_kq", n->name);
                add_buf(bs, G_FIX, -(long)nin * n->units, vs, "1 where kernel is inside the quantizer's range",
                        "%s_kin", n->name);
            }
            add_buf(bs, G_FIX64, (long)nin * n->units, vs, "QI kernel: quantized, double", "%s_kx", n->name);
            if (n->use_bias) {
                snprintf(vs, sizeof vs, "(%d)", n->units);
                if (n->bias_q) {
                    add_buf(bs, G_FIX, n->units, vs, "bias as used: quantized", "%s_bq", n->name);
                    add_buf(bs, G_FIX, -(long)n->units, vs, "1 where bias is inside the quantizer's range",
                            "%s_bin", n->name);
                }
                add_buf(bs, G_FIX64, n->units, vs, "QI bias: quantized, double", "%s_bx", n->name);
            }
        }
        if (n->op == OP_BATCHNORM) {
            int c = last_dim(n);
            snprintf(vs, sizeof vs, "(%d)", c);
            char ps[64];
            snprintf(ps, sizeof ps, "(%d threads, 3 * %d)", AEDL_MAX_THREADS, c);
            add_buf(bs, G_FIX, AEDL_MAX_THREADS * AEDL_BN_STATS(c), ps,
                    "each thread's copy of the batch mean, variance, scale", "%s_stats", n->name);
            add_buf(bs, G_FIX64, AEDL_BN_PART(c), "", "the threads' partial sums (train_par.h)",
                    "%s_part", n->name);
            add_buf(bs, G_FIX, c, vs, "inference scale", "%s_scale", n->name);
            add_buf(bs, G_FIX, c, vs, "inference shift", "%s_shift", n->name);
            add_buf(bs, G_FIX64, c, vs, "QI scale (quantized in a quantized model)", "%s_scalex", n->name);
            add_buf(bs, G_FIX64, c, vs, "QI shift", "%s_shiftx", n->name);
        }
    }
}

/* ---------------------------------------------------------------- code per layer */

/* Rows of a (B, S) buffer that this thread works on: "m->NAME_SUFFIX + (size_t)p->lo * S". */
static const char *rows(const char *name, const char *suffix, long S) {
    static char ring[16][TS * 4];
    static int k;
    char *b = ring[k++ & 15];
    snprintf(b, TS * 4, "m->%s_%s + (size_t)p->lo * %ld", name, suffix, S);
    return b;
}

/* A float constant in C: 0.3f, 1.0f (never "1f"). */
static const char *fnum(double x) {
    static char ring[4][48];
    static int k;
    char *b = ring[k++ & 3];
    snprintf(b, 40, "%.9g", x);
    if (!strpbrk(b, ".eEn")) strcat(b, ".0");
    strcat(b, "f");
    return b;
}

/* The epilogue a training batchnorm runs (aedl_epi), as a C initializer, or
   NULL when it runs none of its own. */
static bool bn_epi(Gen *g, const IrNode *n, char *buf, size_t len) {
    const IrNode *a = fused_act(g->m, n);
    if (a) {
        char q[TS * 3] = "NULL";
        if (has_quant(a)) snprintf(q, sizeof q, "&m->tq_%s", qid(g, a->quant, a, "quant"));
        snprintf(buf, len, "{ %s, %s, %s }", a->op == OP_RELU ? "AEDL_EPI_RELU" : "AEDL_EPI_LEAKY",
                 fnum(a->op == OP_LEAKY_RELU ? prec_alpha_value(a->alpha) : 0.0), q);
        return true;
    }
    if (has_quant(n) && fast_quant(n->quant)) {
        snprintf(buf, len, "{ AEDL_EPI_NONE, 0.0f, &m->tq_%s }", qid(g, n->quant, n, "quant"));
        return true;
    }
    return false;
}

/* The gradient rows of input j, or NULL when no gradient is needed there
   (the model input, a layer with nothing trainable up to it). */
static const char *din(const Gen *g, const IrNode *n, int j) {
    const IrNode *s = n->inputs[j];
    if (!needs_grad(g, s)) return "NULL";
    return rows(s->name, "dout", node_size(s));
}

/* ---------------------------------------------------------------- the layers' functions */

/* One layer's generated function, as the kinds' training hooks (kinds.h) see
   it: the stream, the model's and the layer's names, its first input's, their
   sizes per event, the input's gradient rows (backward), and what the body used. */
typedef struct TrainSite {
    FILE *o;
    const char *M, *N, *I;
    long S, Sin;
    const char *d0;
    bool uses_mode, uses_x, uses_dy;
} TrainSite;

void train_forward_input(Gen *g, const IrNode *n, TrainSite *s) {
    (void)n;
    FILE *o = s->o;
    const char *M = s->M;
    const char *N = s->N;
    long S = s->S;
    s->uses_mode = g->in->has_type;
    if (g->in->has_type) {
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) memcpy(%s, x, sizeof(float) * (size_t)p->n * %ld);\n", rows(N, "out", S), S);
        fprintf(o, "    else aedl_tq_f32(&m->tq_%s_t_%s, x, %s, (long)p->n * %ld, NULL);\n", M, N, rows(N, "out", S), S);
    } else {
        fprintf(o, "    memcpy(%s, x, sizeof(float) * (size_t)p->n * %ld);\n", rows(N, "out", S), S);
    }
}

void train_forward_dense(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    int nin = last_dim(n->inputs[0]);
    long rows_per = Sin / nin;
    fprintf(o, "    aedl_dense_forward(%s, %s, m->%s_k, m->%s_b, p->n * %ld, %d, %d);\n", rows(N, "out", S),
            rows(I, "out", Sin), N, N, rows_per, nin, n->units);
}

void train_forward_batchnorm(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    int c = last_dim(n);
    long rows_per = S / c;
    bool q = has_quant(n);
    char epi[TS * 4];
    bool has_epi = bn_epi(g, n, epi, sizeof epi);
    const IrNode *a = fused_act(g->m, n);
    const char *dst = a ? rows(a->name, "out", S) : rows(N, q && !has_epi ? "pre" : "out", S);
    s->uses_mode = true;
    if (has_epi) fprintf(o, "    aedl_epi epi = %s;%s\n", epi, a ? "   /* the activation after it, fused */" : "");
    fprintf(o, "    if (mode == AEDL_MODE_TRAIN) {\n");
    fprintf(o, "        float *stats = m->%s_stats + (size_t)p->tid * %ld;\n", N, AEDL_BN_STATS(c));
    fprintf(o, "        aedl_bn_train_forward(p, %s, stats, m->%s_part, %s, m->params->%s_gamma, m->params->%s_beta, %d, %.9gf, %s);\n",
            dst, N, rows(I, "out", Sin), N, N, c, n->epsilon, has_epi ? "&epi" : "NULL");
    fprintf(o, "        if (p->tid == 0)\n");
    fprintf(o, "            aedl_batchnorm_update_moving(m->buffers->%s_moving_mean, m->buffers->%s_moving_variance, stats, stats + %d, %d, %.9gf);\n",
            N, N, c, c, n->momentum);
    if (q && !has_epi)
        fprintf(o, "        aedl_tq_f32(&m->tq_%s, %s, %s, (long)p->n * %ld, %s);\n", qid(g, n->quant, n, "quant"),
                rows(N, "pre", S), rows(N, "out", S), S, rows(N, "qin", S));
    fprintf(o, "        return;\n    }\n");
    if (has_epi) {
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) epi.q = NULL;\n");
        fprintf(o, "    aedl_bn_infer_forward(%s, %s, m->%s_scale, m->%s_shift, p->n * %ld, %d, &epi);\n",
                a ? rows(a->name, "out", S) : rows(N, "out", S), rows(I, "out", Sin), N, N, rows_per, c);
    } else {
        fprintf(o, "    aedl_batchnorm_forward_infer(%s, %s, m->%s_scale, m->%s_shift, p->n * %ld, %d);\n",
                rows(N, "out", S), rows(I, "out", Sin), N, N, rows_per, c);
        if (q)
            fprintf(o, "    if (mode != AEDL_MODE_FLOAT) aedl_tq_f32(&m->tq_%s, %s, %s, (long)p->n * %ld, NULL);\n",
                    qid(g, n->quant, n, "quant"), rows(N, "out", S), rows(N, "out", S), S);
    }
}

/* relu, leaky_relu, linear: the function, then the quantizer (if any). */
static void act_forward(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    s->uses_mode = has_quant(n);
    char train_mask[TS * 6];
    snprintf(train_mask, sizeof train_mask, "mode == AEDL_MODE_TRAIN ? %s : NULL", rows(N, "qin", S));
    char fl[TS * 6];
    if (n->op == OP_RELU)
        snprintf(fl, sizeof fl, "aedl_relu_forward(%s, %s, (long)p->n * %ld)", rows(N, "out", S), rows(I, "out", Sin), S);
    else if (n->op == OP_LEAKY_RELU)
        snprintf(fl, sizeof fl, "aedl_leaky_relu_forward(%s, %s, (long)p->n * %ld, %.9gf)", rows(N, has_quant(n) ? "pre" : "out", S),
                 rows(I, "out", Sin), S, prec_alpha_value(n->alpha));
    else
        snprintf(fl, sizeof fl, "aedl_linear_forward(%s, %s, (long)p->n * %ld)", rows(N, "out", S), rows(I, "out", Sin), S);
    if (!has_quant(n)) { fprintf(o, "    %s;\n", fl); return; }
    const char *qn = qid(g, n->quant, n, "quant");
    if (n->op == OP_RELU) {
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) %s;\n", fl);
        fprintf(o, "    else aedl_tq_relu_f32(&m->tq_%s, %s, %s, (long)p->n * %ld, %s);\n",
                qn, rows(I, "out", Sin), rows(N, "out", S), S, train_mask);
    } else if (n->op == OP_LEAKY_RELU) {
        fprintf(o, "    %s;\n", fl);
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) memcpy(%s, %s, sizeof(float) * (size_t)p->n * %ld);\n",
                rows(N, "out", S), rows(N, "pre", S), S);
        fprintf(o, "    else aedl_tq_f32(&m->tq_%s, %s, %s, (long)p->n * %ld, %s);\n",
                qn, rows(N, "pre", S), rows(N, "out", S), S, train_mask);
    } else {
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) %s;\n", fl);
        fprintf(o, "    else aedl_tq_f32(&m->tq_%s, %s, %s, (long)p->n * %ld, %s);\n",
                qn, rows(I, "out", Sin), rows(N, "out", S), S, train_mask);
    }
}

void train_forward_relu(Gen *g, const IrNode *n, TrainSite *s) { act_forward(g, n, s); }
void train_forward_leaky_relu(Gen *g, const IrNode *n, TrainSite *s) { act_forward(g, n, s); }
void train_forward_linear(Gen *g, const IrNode *n, TrainSite *s) { act_forward(g, n, s); }

void train_forward_clip(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    fprintf(o, "    aedl_clip_forward(%s, %s, (long)p->n * %ld, %s, %s);\n", rows(N, "out", S), rows(I, "out", Sin), S,
            fnum(prec_clip_value(n->lo)), fnum(prec_clip_value(n->hi)));
}

/* bound: each feature's mode and k (on the 2^-10 step, as the firmware's), as
   static arrays of the generated function. */
static void bound_arrays(const IrNode *n, const char *N, FILE *o, long S, bool f64) {
    fprintf(o, "    static const int %s_mode[%ld] = {", N, S);
    for (long j = 0; j < S; j++) {
        double k;
        fprintf(o, "%s%d", j ? (j % 24 ? ", " : ",\n        ") : "", (int)ir_bound_mode(n, (int)j, &k));
    }
    fprintf(o, "};   /* 0 x, 1 max(x, 0), 2 k * tanh(x) */\n    static const %s %s_k[%ld] = {", f64 ? "double" : "float",
            N, S);
    for (long j = 0; j < S; j++) {
        double k;
        IrBoundMode md = ir_bound_mode(n, (int)j, &k);
        fprintf(o, "%s%s", j ? (j % 8 ? ", " : ",\n        ") : "", md == BOUND_TANH ? (f64 ? num(prec_bound_value(k)) : fnum(prec_bound_value(k))) : "0");
    }
    fprintf(o, "};\n");
}

void train_forward_bound(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    bound_arrays(n, s->N, s->o, s->S, false);
    fprintf(s->o, "    aedl_bound_forward(%s, %s, (long)p->n, %ld, %s_mode, %s_k);\n", rows(s->N, "out", s->S),
            rows(s->I, "out", s->Sin), s->S, s->N, s->N);
}

/* The kind's runtime function (rt_forward) on every element. */
void train_forward_unary(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    fprintf(s->o, "    %s(%s, %s, (long)p->n * %ld);\n", kind_of(n->op)->rt_forward, rows(s->N, "out", s->S),
            rows(s->I, "out", s->Sin), s->S);
}

void train_forward_softmax(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    fprintf(o, "    aedl_softmax_forward(%s, %s, p->n * %ld, %d);\n", rows(N, "out", S), rows(I, "out", Sin),
            S / last_dim(n), last_dim(n));
}

void train_forward_dropout(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g; (void)n;
    FILE *o = s->o;
    const char *M = s->M;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    s->uses_mode = true;
    fprintf(o, "    if (mode == AEDL_MODE_TRAIN) {   /* the mask was drawn by %s_prepare */\n", M);
    fprintf(o, "        float *o = %s;\n", rows(N, "out", S));
    fprintf(o, "        const float *i = %s, *k = %s;\n", rows(I, "out", Sin), rows(N, "mask", S));
    fprintf(o, "        for (long e = 0; e < (long)p->n * %ld; e++) o[e] = i[e] * k[e];\n", S);
    fprintf(o, "    } else {\n");
    fprintf(o, "        aedl_linear_forward(%s, %s, (long)p->n * %ld);\n    }\n", rows(N, "out", S), rows(I, "out", Sin), S);
}

/* sample: z = mu + exp(logvar / 2) * eps in training (eps drawn by prepare), z = mu otherwise. */
void train_forward_sample(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const IrNode *lv = n->inputs[1];
    s->uses_mode = true;
    fprintf(o, "    if (mode == AEDL_MODE_TRAIN)   /* eps was drawn by %s_prepare */\n", g->M);
    fprintf(o, "        aedl_sample_forward(%s, %s, %s, %s, (long)p->n * %ld);\n", rows(s->N, "out", s->S),
            rows(s->I, "out", s->Sin), rows(lv->name, "out", s->S), rows(s->N, "eps", s->S), s->S);
    fprintf(o, "    else\n        aedl_linear_forward(%s, %s, (long)p->n * %ld);   /* z = mu */\n", rows(s->N, "out", s->S),
            rows(s->I, "out", s->Sin), s->S);
}

/* The KL term's weight in the loss: beta of loss = vae(...), else 0. */
static double kl_beta(const Gen *g) { return g->t && g->t->vae ? g->t->beta : 0.0; }

void train_backward_sample(Gen *g, const IrNode *n, TrainSite *s) {
    const IrNode *lv = n->inputs[1];
    fprintf(s->o, "    /* the reparameterisation's gradient, and the KL term's (beta = %s, over the batch of p->B) */\n",
            num(kl_beta(g)));
    fprintf(s->o, "    aedl_sample_backward(%s, %s, dy, %s, %s, %s, (long)p->n * %ld, %s / (float)p->B);\n", s->d0,
            din(g, n, 1), rows(s->I, "out", s->Sin), rows(lv->name, "out", s->S), rows(s->N, "eps", s->S), s->S,
            fnum(kl_beta(g)));
}

void train_forward_concat(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    fprintf(o, "    const float *ins[%d] = {", n->ninputs);
    for (int j = 0; j < n->ninputs; j++)
        fprintf(o, "%s %s", j ? "," : "", rows(n->inputs[j]->name, "out", node_size(n->inputs[j])));
    fprintf(o, " };\n    static const int widths[%d] = {", n->ninputs);
    for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s %d", j ? "," : "", last_dim(n->inputs[j]));
    fprintf(o, " };\n    aedl_concat_forward(%s, ins, widths, %d, p->n * %ld);\n", rows(N, "out", S), n->ninputs,
            S / last_dim(n));
}

void train_forward_add(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    fprintf(o, "    const float *ins[%d] = {", n->ninputs);
    for (int j = 0; j < n->ninputs; j++)
        fprintf(o, "%s %s", j ? "," : "", rows(n->inputs[j]->name, "out", node_size(n->inputs[j])));
    fprintf(o, " };\n    aedl_add_forward(%s, ins, %d, (long)p->n * %ld);\n", rows(N, "out", S), n->ninputs, S);
}

/* The input: no backward (gen_backward_layer returns before). */
void train_backward_none(Gen *g, const IrNode *n, TrainSite *s) { (void)g; (void)n; (void)s; }

void train_backward_dense(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *M = s->M;
    const char *N = s->N;
    long Sin = s->Sin;
    const char *I = s->I;
    const char *d0 = s->d0;
    int nin = last_dim(n->inputs[0]);
    long rows_per = Sin / nin;
    char db[TS * 2] = "NULL";
    if (n->use_bias) snprintf(db, sizeof db, "grad->%s_bias", N);
    fprintf(o, "    %s_params *grad = (%s_params *)p->grads;\n", M, M);
    fprintf(o, "    aedl_dense_backward(%s, grad->%s_kernel, %s, dy, %s, m->%s_k, p->n * %ld, %d, %d);\n",
            d0, N, db, rows(I, "out", Sin), N, rows_per, nin, n->units);
}

void train_backward_batchnorm(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *M = s->M;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    const char *d0 = s->d0;
    int c = last_dim(n);
    char epi[TS * 4];
    bool has_epi = bn_epi(g, n, epi, sizeof epi);
    const IrNode *a = fused_act(g->m, n);
    const char *da = "dy";
    if (a) { da = rows(a->name, "dout", S); s->uses_dy = false; }
    else if (has_quant(n) && !has_epi) {
        fprintf(o, "    aedl_zero(%s, (long)p->n * %ld);\n", rows(N, "dpre", S), S);
        fprintf(o, "    aedl_tq_backward(%s, %s, dy, (long)p->n * %ld);\n", rows(N, "dpre", S), rows(N, "qin", S), S);
        da = rows(N, "dpre", S);
    }
    if (has_epi) fprintf(o, "    const aedl_epi epi = %s;\n", epi);
    fprintf(o, "    %s_params *grad = (%s_params *)p->grads;\n", M, M);
    fprintf(o, "    aedl_bn_train_backward(p, %s, grad->%s_gamma, grad->%s_beta, m->%s_part, %s, %s, m->%s_stats + (size_t)p->tid * %ld, m->params->%s_gamma, m->params->%s_beta, %d, %.9gf, %s);\n",
            d0, N, N, N, da, rows(I, "out", Sin), N, AEDL_BN_STATS(c), N, N, c, n->epsilon,
            has_epi ? "&epi" : "NULL");
}

void train_backward_relu(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    const char *d0 = s->d0;
    if (has_quant(n))
        fprintf(o, "    aedl_tq_backward(%s, %s, dy, (long)p->n * %ld);   /* relu included */\n", d0, rows(N, "qin", S), S);
    else
        fprintf(o, "    aedl_relu_backward(%s, %s, dy, (long)p->n * %ld);\n", d0, rows(I, "out", Sin), S);
}

void train_backward_leaky_relu(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    const char *d0 = s->d0;
    if (has_quant(n)) {
        fprintf(o, "    aedl_zero(%s, (long)p->n * %ld);\n", rows(N, "dpre", S), S);
        fprintf(o, "    aedl_tq_backward(%s, %s, dy, (long)p->n * %ld);\n", rows(N, "dpre", S), rows(N, "qin", S), S);
        fprintf(o, "    aedl_leaky_relu_backward(%s, %s, %s, (long)p->n * %ld, %.9gf);\n", d0, rows(I, "out", Sin),
                rows(N, "dpre", S), S, prec_alpha_value(n->alpha));
    } else {
        fprintf(o, "    aedl_leaky_relu_backward(%s, %s, dy, (long)p->n * %ld, %.9gf);\n", d0, rows(I, "out", Sin), S, prec_alpha_value(n->alpha));
    }
}

void train_backward_clip(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    long S = s->S;
    long Sin = s->Sin;
    const char *I = s->I;
    const char *d0 = s->d0;
    if (n->straight)
        fprintf(o, "    aedl_linear_backward(%s, dy, (long)p->n * %ld);\n", d0, S);
    else
        fprintf(o, "    aedl_clip_backward(%s, %s, dy, (long)p->n * %ld, %s, %s);\n", d0, rows(I, "out", Sin), S,
                fnum(prec_clip_value(n->lo)), fnum(prec_clip_value(n->hi)));
}

void train_backward_bound(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    bound_arrays(n, s->N, s->o, s->S, false);
    fprintf(s->o, "    aedl_bound_backward(%s, %s, dy, (long)p->n, %ld, %s_mode, %s_k);\n", s->d0,
            rows(s->I, "out", s->Sin), s->S, s->N, s->N);
}

/* The kind's runtime function (rt_backward) from its input (train_backward_unary)
   or its output (train_backward_unary_out). */
void train_backward_unary(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    fprintf(s->o, "    %s(%s, %s, dy, (long)p->n * %ld);\n", kind_of(n->op)->rt_backward, s->d0,
            rows(s->I, "out", s->Sin), s->S);
}

void train_backward_unary_out(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    fprintf(s->o, "    %s(%s, %s, dy, (long)p->n * %ld);\n", kind_of(n->op)->rt_backward, s->d0,
            rows(s->N, "out", s->S), s->S);
}

void train_backward_softmax(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *d0 = s->d0;
    fprintf(o, "    aedl_softmax_backward(%s, %s, dy, p->n * %ld, %d);\n", d0, rows(N, "out", S), S / last_dim(n), last_dim(n));
}

void train_backward_linear(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *d0 = s->d0;
    if (has_quant(n))
        fprintf(o, "    aedl_tq_backward(%s, %s, dy, (long)p->n * %ld);\n", d0, rows(N, "qin", S), S);
    else
        fprintf(o, "    aedl_linear_backward(%s, dy, (long)p->n * %ld);\n", d0, S);
}

void train_backward_dropout(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g; (void)n;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *d0 = s->d0;
    fprintf(o, "    aedl_dropout_backward(%s, %s, dy, (long)p->n * %ld);\n", d0, rows(N, "mask", S), S);
}

/* concat, add: a gradient per input. */
void train_backward_many(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    long S = s->S;
    fprintf(o, "    float *const dins[%d] = {", n->ninputs);
    for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s %s", j ? "," : "", din(g, n, j));
    fprintf(o, " };\n");
    if (n->op == OP_ADD) {
        fprintf(o, "    aedl_add_backward(dins, dy, %d, (long)p->n * %ld);\n", n->ninputs, S);
    } else {
        fprintf(o, "    static const int widths[%d] = {", n->ninputs);
        for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s %d", j ? "," : "", last_dim(n->inputs[j]));
        fprintf(o, " };\n    aedl_concat_backward(dins, dy, widths, %d, p->n * %ld);\n", n->ninputs, S / last_dim(n));
    }
}

void train_qi_input(Gen *g, const IrNode *n, TrainSite *s) {
    (void)n;
    FILE *o = s->o;
    const char *M = s->M;
    const char *N = s->N;
    long S = s->S;
    s->uses_x = true;
    if (g->in->has_type)
        fprintf(o, "    aedl_quantize_f64(&%s_t_%s, x, m->%s_x, (long)B * %ld, NULL);\n", M, N, N, S);
    else
        fprintf(o, "    memcpy(m->%s_x, x, sizeof(double) * (size_t)B * %ld);\n", N, S);
}

void train_qi_dense(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    const char *inp = s->I;
    int nin = last_dim(n->inputs[0]);
    fprintf(o, "    aedl_dense_forward_f64(m->%s_x, m->%s_x, m->%s_kx, %s%s%s, B * %ld, %d, %d);\n", N, inp, N,
            n->use_bias ? "m->" : "NULL", n->use_bias ? N : "", n->use_bias ? "_bx" : "",
            node_size(n->inputs[0]) / nin, nin, n->units);
}

void train_qi_batchnorm(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    fprintf(o, "    aedl_batchnorm_forward_infer_f64(m->%s_x, m->%s_x, m->%s_scalex, m->%s_shiftx, B * %ld, %d);\n",
            N, inp, N, N, S / last_dim(n), last_dim(n));
    if (has_quant(n))
        fprintf(o, "    aedl_quantize_f64(&%s, m->%s_x, m->%s_x, (long)B * %ld, NULL);\n", qid(g, n->quant, n, "quant"), N, N, S);
}

void train_qi_relu(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    if (has_quant(n))
        fprintf(o, "    aedl_quantize_relu_f64(&%s, m->%s_x, m->%s_x, (long)B * %ld, NULL);\n", qid(g, n->quant, n, "quant"), inp, N, S);
    else
        fprintf(o, "    aedl_relu_forward_f64(m->%s_x, m->%s_x, (long)B * %ld);\n", N, inp, S);
}

void train_qi_leaky_relu(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    fprintf(o, "    aedl_leaky_relu_forward_f64(m->%s_x, m->%s_x, (long)B * %ld, %s);\n", N, inp, S, num(prec_alpha_value(n->alpha)));
    if (has_quant(n))
        fprintf(o, "    aedl_quantize_f64(&%s, m->%s_x, m->%s_x, (long)B * %ld, NULL);\n", qid(g, n->quant, n, "quant"), N, N, S);
}

void train_qi_clip(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    fprintf(o, "    aedl_clip_forward_f64(m->%s_x, m->%s_x, (long)B * %ld, %s, ", N, inp, S, num(prec_clip_value(n->lo)));
    fprintf(o, "%s);\n", num(prec_clip_value(n->hi)));
}

void train_qi_table(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    /* the firmware's table (lib/nn.h), exact */
    aedl_fixed rt = prec_act_table_type(n->op, g->target);
    aedl_fw_op op = n->op == OP_TANH ? FW_TANH : FW_SIGMOID;
    int64_t tab[AEDL_ACT_TABLE];
    aedl_fw_table(op, rt, tab);
    char tb[96];
    fprintf(o, "    /* %s by its table: entry floor(x * %d) + %d, clamped; %s values */\n", ir_op_name(n->op),
            1 << aedl_fw_table_shift(op), AEDL_ACT_TABLE / 2, prec_type_str(rt, tb, sizeof tb));
    fprintf(o, "    static const double %s_table[%d] = {", N, AEDL_ACT_TABLE);
    for (int k = 0; k < AEDL_ACT_TABLE; k++)
        fprintf(o, "%s%.17g%s", k % 6 ? " " : "\n        ", prec_val(tab[k], prec_exp(rt)), k + 1 < AEDL_ACT_TABLE ? "," : "");
    fprintf(o, "\n    };\n");
    fprintf(o, "    aedl_act_table_f64(m->%s_x, m->%s_x, (long)B * %ld, %s_table, %d);\n", N, inp, S, N,
            aedl_fw_table_shift(op));
}

/* bound: tanh by the firmware's table (as train_qi_table), times k; exact. */
void train_qi_bound(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    aedl_fixed rt = prec_act_table_type(OP_TANH, g->target);
    int64_t tab[AEDL_ACT_TABLE];
    aedl_fw_table(FW_TANH, rt, tab);
    char tb[96];
    bound_arrays(n, s->N, o, s->S, true);
    fprintf(o, "    /* tanh by its table: entry floor(x * %d) + %d, clamped; %s values */\n",
            1 << AEDL_ACT_SHIFT_TANH, AEDL_ACT_TABLE / 2, prec_type_str(rt, tb, sizeof tb));
    fprintf(o, "    static const double %s_table[%d] = {", s->N, AEDL_ACT_TABLE);
    for (int k = 0; k < AEDL_ACT_TABLE; k++)
        fprintf(o, "%s%.17g%s", k % 6 ? " " : "\n        ", prec_val(tab[k], prec_exp(rt)), k + 1 < AEDL_ACT_TABLE ? "," : "");
    fprintf(o, "\n    };\n");
    fprintf(o, "    aedl_bound_forward_f64(m->%s_x, m->%s_x, (long)B, %ld, %s_mode, %s_k, %s_table);\n", s->N, s->I, s->S,
            s->N, s->N, s->N);
}

void train_qi_softmax(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    fprintf(o, "    aedl_softmax_forward_f64(m->%s_x, m->%s_x, B * %ld, %d);\n", N, inp, S / last_dim(n), last_dim(n));
}

/* The pinned result layers (IrNode.pinned), in model order: n's index, or their number (n NULL). */
static int pin_index(const IrModel *m, const IrNode *n) {
    int k = 0;
    for (int i = 0; i < m->nnodes; i++) {
        if (m->nodes[i] == n) return k;
        k += m->nodes[i]->pinned;
    }
    return k;
}

void train_qi_linear(Gen *g, const IrNode *n, TrainSite *s) {
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    if (n->pinned)
        fprintf(o, "    m->pin_sat[%d] += aedl_count_outside_f64(&%s, m->%s_x, (long)B * %ld);   /* the pinned type saturates */\n",
                pin_index(g->m, n), qid(g, n->quant, n, "quant"), inp, S);
    if (has_quant(n))
        fprintf(o, "    aedl_quantize_f64(&%s, m->%s_x, m->%s_x, (long)B * %ld, NULL);\n", qid(g, n->quant, n, "quant"), inp, N, S);
    else
        fprintf(o, "    aedl_linear_forward_f64(m->%s_x, m->%s_x, (long)B * %ld);\n", N, inp, S);
}

/* The kind's runtime function (rt_forward_f64) on every element. */
void train_qi_unary(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    fprintf(s->o, "    %s(m->%s_x, m->%s_x, (long)B * %ld);\n", kind_of(n->op)->rt_forward_f64, s->N, s->I, s->S);
}

void train_qi_dropout(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g; (void)n;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    const char *inp = s->I;
    fprintf(o, "    aedl_linear_forward_f64(m->%s_x, m->%s_x, (long)B * %ld);   /* identity in inference */\n", N, inp, S);
}

/* concat, add. */
void train_qi_many(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    const char *N = s->N;
    long S = s->S;
    fprintf(o, "    const double *ins[%d] = {", n->ninputs);
    for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s m->%s_x", j ? "," : "", n->inputs[j]->name);
    fprintf(o, " };\n");
    if (n->op == OP_ADD) {
        fprintf(o, "    aedl_add_forward_f64(m->%s_x, ins, %d, (long)B * %ld);\n", N, n->ninputs, S);
    } else {
        fprintf(o, "    static const int widths[%d] = {", n->ninputs);
        for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s %d", j ? "," : "", last_dim(n->inputs[j]));
        fprintf(o, " };\n    aedl_concat_forward_f64(m->%s_x, ins, widths, %d, B * %ld);\n", N, n->ninputs,
                S / last_dim(n));
    }
}

/* ---- the float model in event lanes (runtime/lanes.h): MODE_FLOAT's forward on a block of
   AEDL_LANES events, each layer's values as rows m->NAME_ln (features x lanes).  The same float
   operations as the rows' forward without quantizers; element-wise layers call the same
   functions on the rows. */

/* A kind without a lanes form (a model with one keeps its row-major float forward). */
void train_lanes_none(Gen *g, const IrNode *n, TrainSite *s) { (void)g; (void)n; (void)s; }

void train_lanes_dense(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g; (void)n;
    fprintf(s->o, "    aedl_lanes_dense_forward(m->%s_ln, m->%s_ln, &m->%s_lp);\n", s->N, s->I, s->N);
}

void train_lanes_batchnorm(Gen *g, const IrNode *n, TrainSite *s) {
    const IrNode *a = fused_act(g->m, n);
    if (a) {
        fprintf(s->o, "    const aedl_epi epi = { %s, %s, NULL };   /* the activation after it, fused */\n",
                a->op == OP_RELU ? "AEDL_EPI_RELU" : "AEDL_EPI_LEAKY",
                fnum(a->op == OP_LEAKY_RELU ? prec_alpha_value(a->alpha) : 0.0));
    }
    fprintf(s->o, "    aedl_bn_infer_lanes(m->%s_ln, m->%s_ln, m->%s_scale, m->%s_shift, %ld, %s);\n", a ? a->name : s->N,
            s->I, s->N, s->N, s->S, a ? "&epi" : "NULL");
}

/* relu, leaky_relu, linear (their quantizers are not in the float model), and the kinds
   whose forward is their runtime function on every element. */
void train_lanes_act(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    long v = s->S * AEDL_LANES;
    if (n->op == OP_LEAKY_RELU)
        fprintf(s->o, "    aedl_leaky_relu_forward(m->%s_ln, m->%s_ln, %ld, %s);\n", s->N, s->I, v,
                fnum(prec_alpha_value(n->alpha)));
    else if (n->op == OP_DROPOUT)
        fprintf(s->o, "    aedl_linear_forward(m->%s_ln, m->%s_ln, %ld);   /* identity in inference */\n", s->N, s->I, v);
    else
        fprintf(s->o, "    %s(m->%s_ln, m->%s_ln, %ld);\n", kind_of(n->op)->rt_forward, s->N, s->I, v);
}

void train_lanes_clip(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    fprintf(s->o, "    aedl_clip_forward(m->%s_ln, m->%s_ln, %ld, %s, %s);\n", s->N, s->I, s->S * AEDL_LANES,
            fnum(prec_clip_value(n->lo)), fnum(prec_clip_value(n->hi)));
}

/* bound: feature j's rule on row j. */
void train_lanes_bound(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    bound_arrays(n, s->N, s->o, s->S, false);
    fprintf(s->o, "    for (int j = 0; j < %ld; j++)\n", s->S);
    fprintf(s->o, "        aedl_bound_forward(m->%s_ln + j * AEDL_LANES, m->%s_ln + j * AEDL_LANES, AEDL_LANES, 1, %s_mode + j, %s_k + j);\n",
            s->N, s->I, s->N, s->N);
}

/* concat: the inputs' rows one after the other; add: element-wise. */
void train_lanes_many(Gen *g, const IrNode *n, TrainSite *s) {
    (void)g;
    FILE *o = s->o;
    if (n->op == OP_ADD) {
        fprintf(o, "    const float *ins[%d] = {", n->ninputs);
        for (int j = 0; j < n->ninputs; j++) fprintf(o, "%s m->%s_ln", j ? "," : "", n->inputs[j]->name);
        fprintf(o, " };\n    aedl_add_forward(m->%s_ln, ins, %d, %ld);\n", s->N, n->ninputs, s->S * AEDL_LANES);
        return;
    }
    long row = 0;
    for (int j = 0; j < n->ninputs; j++) {
        long w = node_size(n->inputs[j]);
        fprintf(o, "    memcpy(m->%s_ln + %ld * AEDL_LANES, m->%s_ln, sizeof(float) * %ld * AEDL_LANES);\n", s->N, row,
                n->inputs[j]->name, w);
        row += w;
    }
}

/* Whether every layer has a lanes form and one value per feature (no axis but the last). */
static bool lanes_ok(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (node_size(n) != last_dim(n)) return false;
        if (n->op != OP_INPUT && kind_of(n->op)->train_lanes == train_lanes_none) return false;
    }
    return true;
}

static void gen_lanes_layer(Gen *g, const IrNode *n) {
    FILE *o = g->o;
    const char *M = g->M, *N = n->name;
    if (n->op == OP_INPUT || fused_into(g->m, n)) return;
    put_origin(o, n, "");
    fprintf(o, "static void %s_%s_lanes(%s_model *m) {\n", M, N, M);
    TrainSite s = {.o = o, .M = M, .N = N, .I = n->inputs[0]->name, .S = node_size(n), .Sin = node_size(n->inputs[0])};
    kind_of(n->op)->train_lanes(g, n, &s);
    fprintf(o, "}\n\n");
}

static void gen_forward_layer(Gen *g, const IrNode *n) {
    FILE *o = g->o;
    const char *M = g->M, *N = n->name;
    long S = node_size(n);
    long Sin = n->ninputs ? node_size(n->inputs[0]) : S;
    const char *I = n->ninputs ? n->inputs[0]->name : NULL;
    if (fused_into(g->m, n)) return;   /* computed by the batchnorm before it, in every mode */
    put_origin(o, n, "");
    fprintf(o, "static void %s_%s_forward(%s_model *m, const aedl_par *p, const float *x, aedl_mode mode) {\n",
            M, N, M);
    TrainSite s = {.o = o, .M = M, .N = N, .I = I, .S = S, .Sin = Sin, .uses_x = n->op == OP_INPUT};
    kind_of(n->op)->train_forward(g, n, &s);
    bool uses_mode = s.uses_mode, uses_x = s.uses_x;
    if (!uses_mode) fprintf(o, "    (void)mode;\n");
    if (!uses_x) fprintf(o, "    (void)x;\n");
    fprintf(o, "}\n\n");
}


/* dy: this layer's output gradient, on this thread's rows.  Parameter
   gradients go to the thread's block p->grads (a quantized weight's to the
   same place: M_finish masks them after the threads' blocks are summed). */
static void gen_backward_layer(Gen *g, const IrNode *n) {
    FILE *o = g->o;
    const char *M = g->M, *N = n->name;
    long S = node_size(n);
    /* a fused activation: in its batchnorm's backward; nothing to train up to here: none */
    if (!needs_grad(g, n) || fused_into(g->m, n)) return;
    const char *d0 = din(g, n, 0);
    const char *I = n->inputs[0]->name;
    long Sin = node_size(n->inputs[0]);
    put_origin(o, n, "");
    fprintf(o, "static void %s_%s_backward(%s_model *m, const aedl_par *p, const float *dy) {\n", M, N, M);
    TrainSite s = {.o = o, .M = M, .N = N, .I = I, .S = S, .Sin = Sin, .d0 = d0, .uses_dy = true};
    kind_of(n->op)->train_backward(g, n, &s);
    bool uses_dy = s.uses_dy;
    if (!uses_dy) fprintf(o, "    (void)dy;\n");
    fprintf(o, "}\n\n");
}

static void gen_exact_layer(Gen *g, const IrNode *n) {
    FILE *o = g->o;
    const char *M = g->M, *N = n->name;
    long S = node_size(n);
    const char *inp = n->ninputs ? n->inputs[0]->name : NULL;
    put_origin(o, n, "");
    fprintf(o, "static void %s_%s_exact(%s_model *m, const double *x, int B) {\n", M, N, M);
    TrainSite s = {.o = o, .M = M, .N = N, .I = inp, .S = S};
    kind_of(n->op)->train_qi(g, n, &s);
    bool uses_x = s.uses_x;
    if (!uses_x) fprintf(o, "    (void)x;\n");
    fprintf(o, "}\n\n");
}

/* Whether the model has def.float_score: a lanes form, and an output of the input's size. */
static bool has_float_score(const Gen *g) { return g->lanes && node_size(g->out) == node_size(g->in); }

/* The head of a loop over the blocks of B events at x: each block into the lanes, through the layers. */
static void put_lanes_blocks(const Gen *g) {
    long Sin = node_size(g->in);
    fprintf(g->o, "    for (int b = 0; b < B; b += AEDL_LANES) {\n");
    fprintf(g->o, "        int nb = B - b < AEDL_LANES ? B - b : AEDL_LANES;\n");
    fprintf(g->o, "        aedl_lanes_in(m->%s_ln, x + (size_t)b * %ld, nb, %ld);\n", g->in->name, Sin, Sin);
    fprintf(g->o, "        %s_lanes_block(m);\n", g->M);
}

/* The float model in lanes: each layer's function, then MODEL_forward_lanes running them on
   every block and writing the output's and the latent layer's rows back. */
static void gen_lanes(Gen *g) {
    FILE *o = g->o;
    const char *M = g->M;
    fprintf(o, "/* ---- layers: the float model in event lanes (lanes.h), AEDL_LANES events at a time ---- */\n\n");
    for (int i = 0; i < g->m->nnodes; i++) gen_lanes_layer(g, g->m->nodes[i]);
    const IrNode *lat = latent_node(g->m, g->out);
    long Sin = node_size(g->in), Sout = node_size(g->out);
    fprintf(o, "/* The layers on the block in %s_ln. */\n", g->in->name);
    fprintf(o, "static void %s_lanes_block(%s_model *m) {\n", M, M);
    for (int i = 0; i < g->m->nnodes; i++) {
        const IrNode *n = g->m->nodes[i];
        if (n->op == OP_INPUT) continue;
        if (fused_into(g->m, n)) fprintf(o, "    /* %s: in %s_%s_lanes */\n", n->name, M, n->inputs[0]->name);
        else fprintf(o, "    %s_%s_lanes(m);\n", M, n->name);
    }
    fprintf(o, "}\n\n");
    fprintf(o, "/* MODE_FLOAT's forward: x (B, %ld) -> %s_out (B, %ld)%s%s%s. */\n", Sin, g->out->name, Sout,
            lat ? " and the latent values " : "", lat ? lat->name : "", lat ? "_out" : "");
    fprintf(o, "static void %s_forward_lanes(%s_model *m, const float *x, int B) {\n", M, M);
    put_lanes_blocks(g);
    fprintf(o, "        aedl_lanes_out(m->%s_out + (size_t)b * %ld, m->%s_ln, nb, %ld);\n", g->out->name, Sout, g->out->name, Sout);
    if (lat)
        fprintf(o, "        aedl_lanes_out(m->%s_out + (size_t)b * %ld, m->%s_ln, nb, %ld);\n", lat->name, node_size(lat),
                lat->name, node_size(lat));
    fprintf(o, "    }\n}\n\n");
}

/* The float model's score (def.float_score) over the lanes: after MODEL_prepare. */
static void gen_float_score(Gen *g) {
    FILE *o = g->o;
    const char *M = g->M;
    const IrNode *lat = latent_node(g->m, g->out);
    long Sin = node_size(g->in);
    if (!has_float_score(g)) return;
    fprintf(o, "/* The float model's score: the MSE of %s against the input (masked where mask is 0), and the\n"
               "   latent values%s%s, on any number of events (def.float_score). */\n", g->out->name, lat ? " " : "",
            lat ? lat->name : "");
    fprintf(o, "static void %s_float_score(void *mp, const float *x, const uint8_t *mask, int B, float *score, float *latent) {\n", M);
    fprintf(o, "    %s_model *m = mp;\n    %s_prepare(m, B, AEDL_MODE_FLOAT, NULL);\n", M, M);
    put_lanes_blocks(g);
    fprintf(o, "        aedl_lanes_mse(score + b, m->%s_ln, m->%s_ln, mask ? mask + (size_t)b * %ld : NULL, nb, %ld);\n",
            g->out->name, g->in->name, Sin, Sin);
    if (lat)
        fprintf(o, "        if (latent) aedl_lanes_out(latent + (size_t)b * %ld, m->%s_ln, nb, %ld);\n", node_size(lat), lat->name,
                node_size(lat));
    else fprintf(o, "        (void)latent;\n");
    fprintf(o, "    }\n}\n\n");
}

/* ---------------------------------------------------------------- the file */

/* The layout of one block: the parameters (trainable: the params block,
   whose gradients, Adam moments and masks have the same layout) or the
   buffers, as a struct of named float arrays. */
static void gen_block(Gen *g, const Tensors *ts, bool trainable, long total) {
    FILE *o = g->o;
    const char *M = g->M, *kind = trainable ? "params" : "buffers";
    if (!total) return;
    fprintf(o, "typedef struct {\n");
    const IrNode *layer = NULL;
    for (int i = 0; i < ts->nt; i++) {
        const Tensor *t = &ts->t[i];
        if (t->trainable != trainable) continue;
        if (t->n != layer) fprintf(o, "    /* %s (%s) */\n", t->n->name, ir_op_name(t->n->op));
        layer = t->n;
        if (t->rank == 2) fprintf(o, "    float %s_%s[%d * %d];\n", t->n->name, t->name, t->d0, t->d1);
        else fprintf(o, "    float %s_%s[%d];\n", t->n->name, t->name, t->d0);
    }
    fprintf(o, "} %s_%s;\n", M, kind);
    fprintf(o, "_Static_assert(sizeof(%s_%s) == %ld * sizeof(float), \"%s_%s: floats only, no padding\");\n", M, kind,
            total, M, kind);
    fprintf(o, "#define %s_%s_AT(f) (offsetof(%s_%s, f) / sizeof(float))   /* f's offset in the block */\n\n",
            M, trainable ? "PARAM" : "BUFFER", M, kind);
}

static void gen_struct(Gen *g, const Tensors *ts, const Bufs *bs) {
    FILE *o = g->o;
    const char *M = g->M;
    fprintf(o, "/* ---- the driver's blocks: trainable parameters (%s_params; their gradients, Adam\n"
               "   moments and pruning masks have the same layout) and buffers (%s_buffers) ---- */\n", M, M);
    gen_block(g, ts, true, ts->nparams);
    gen_block(g, ts, false, ts->nbuffers);
    if (!ts->nparams && !ts->nbuffers) fprintf(o, "/* (none in this model) */\n\n");
    fprintf(o, "/* ---- the model: its blocks, activations, QI buffers ---- */\n");
    fprintf(o, "typedef struct {\n    int B;                        /* batch capacity */\n");
    if (ts->nparams) fprintf(o, "    %s_params *params;\n", M);
    if (ts->nbuffers) fprintf(o, "    %s_buffers *buffers;\n", M);
    fprintf(o, "    float *acts, *dacts;          /* (B, %s_ACTS), (B, %s_DACTS): one allocation each */\n", M, M);
    fprintf(o, "    uint8_t *qmask;               /* (B, %s_QMASK) */\n", M);
    fprintf(o, "    double *xacts;                /* (B, %s_XACTS) */\n", M);
    fprintf(o, "    float *fixed;                 /* (%s_FIXED) */\n", M);
    fprintf(o, "    double *fixed64;              /* (%s_FIXED64) */\n", M);
    if (pin_index(g->m, NULL))
        fprintf(o, "    long pin_sat[%d];             /* QI values outside each pinned type (def.pinned) */\n", pin_index(g->m, NULL));
    fprintf(o, "    /* the quantizers of the training forward pass (train_quant.h: fast, == quant.h) */\n");
    for (int i = 0; i < g->nq; i++) fprintf(o, "    aedl_tq tq_%s;\n", g->qs[i].id);
    if (g->in->has_type) fprintf(o, "    aedl_tq tq_%s_t_%s;\n", M, g->in->name);
    fprintf(o, "\n    /* activations */\n");
    for (int i = 0; i < bs->n; i++) {
        const Buf *b = &bs->b[i];
        const char *ty = b->group == G_EXACT || b->group == G_FIX64 ? "double"
                       : b->group == G_MASK || (b->group == G_FIX && b->count < 0) ? "uint8_t" : "float";
        fprintf(o, "    %s *%s;   /* %s %s */\n", ty, b->field, b->shape, b->what);
    }
    for (int i = 0; i < g->m->nnodes; i++)
        if (g->m->nodes[i]->op == OP_DENSE)
            fprintf(o, "    const float *%s_k, *%s_b;   /* the kernel and bias (or NULL) as used: set by prepare */\n",
                    g->m->nodes[i]->name, g->m->nodes[i]->name);
    for (int i = 0; g->lanes && i < g->m->nnodes; i++)
        if (g->m->nodes[i]->op == OP_DENSE)
            fprintf(o, "    aedl_lanes_dense %s_lp;   /* the float kernel's non-zero weights (lanes.h): set by prepare */\n",
                    g->m->nodes[i]->name);
    fprintf(o, "} %s_model;\n\n", M);

    long acts = 0, dacts = 0, qmask = 0, xacts = 0, fixed = 0, fixed64 = 0, fixed8 = 0;
    for (int i = 0; i < bs->n; i++) {
        const Buf *b = &bs->b[i];
        switch (b->group) {
        case G_ACT: acts += b->count; break;
        case G_DACT: dacts += b->count; break;
        case G_MASK: qmask += b->count; break;
        case G_EXACT: xacts += b->count; break;
        case G_FIX: if (b->count >= 0) fixed += b->count; else fixed8 += -b->count; break;
        case G_FIX64: fixed64 += b->count; break;
        }
    }
    fprintf(o, "enum {   /* sizes: per event (ACTS ... XACTS) and in total */\n");
    fprintf(o, "    %s_ACTS = %ld, %s_DACTS = %ld, %s_QMASK = %ld, %s_XACTS = %ld,\n", M, acts, M, dacts, M, qmask, M, xacts);
    fprintf(o, "    %s_FIXED = %ld, %s_FIXED8 = %ld, %s_FIXED64 = %ld\n};\n\n", M, fixed, M, fixed8, M, fixed64);

    /* create / destroy */
    fprintf(o, "static void *%s_create(int B, float *params, float *buffers) {\n", M);
    fprintf(o, "    %s_model *m = xcalloc(1, sizeof *m);\n", M);
    fprintf(o, "    size_t b = (size_t)B;\n");
    fprintf(o, "    m->B = B;\n");
    if (ts->nparams) fprintf(o, "    m->params = (%s_params *)params;\n", M);
    else fprintf(o, "    (void)params;\n");
    if (ts->nbuffers) fprintf(o, "    m->buffers = (%s_buffers *)buffers;\n", M);
    else fprintf(o, "    (void)buffers;\n");
    for (int i = 0; i < g->nq; i++) fprintf(o, "    aedl_tq_init(&m->tq_%s, &%s);\n", g->qs[i].id, g->qs[i].id);
    if (g->in->has_type) fprintf(o, "    aedl_tq_init(&m->tq_%s_t_%s, &%s_t_%s);\n", M, g->in->name, M, g->in->name);
    fprintf(o, "    float *a = m->acts = xcalloc(b * %s_ACTS + 1, sizeof(float));\n", M);
    fprintf(o, "    float *d = m->dacts = xcalloc(b * %s_DACTS + 1, sizeof(float));\n", M);
    fprintf(o, "    uint8_t *q = m->qmask = xcalloc(b * %s_QMASK + %s_FIXED8 + 1, 1);\n", M, M);
    fprintf(o, "    double *x = m->xacts = xcalloc(b * %s_XACTS + 1, sizeof(double));\n", M);
    fprintf(o, "    float *f = m->fixed = xcalloc(%s_FIXED + 1, sizeof(float));\n", M);
    fprintf(o, "    double *f64 = m->fixed64 = xcalloc(%s_FIXED64 + 1, sizeof(double));\n", M);
    for (int i = 0; i < bs->n; i++) {
        const Buf *b = &bs->b[i];
        switch (b->group) {
        case G_ACT: fprintf(o, "    m->%s = a; a += b * %ld;\n", b->field, b->count); break;
        case G_DACT: fprintf(o, "    m->%s = d; d += b * %ld;\n", b->field, b->count); break;
        case G_MASK: fprintf(o, "    m->%s = q; q += b * %ld;\n", b->field, b->count); break;
        case G_EXACT: fprintf(o, "    m->%s = x; x += b * %ld;\n", b->field, b->count); break;
        case G_FIX:
            if (b->count >= 0) fprintf(o, "    m->%s = f; f += %ld;\n", b->field, b->count);
            else fprintf(o, "    m->%s = q; q += %ld;\n", b->field, -b->count);
            break;
        case G_FIX64: fprintf(o, "    m->%s = f64; f64 += %ld;\n", b->field, b->count); break;
        }
    }
    fprintf(o, "    (void)a; (void)d; (void)q; (void)x; (void)f; (void)f64;\n");
    fprintf(o, "    return m;\n}\n\n");
    fprintf(o, "static void %s_destroy(void *p) {\n    %s_model *m = p;\n", M, M);
    fprintf(o, "    free(m->acts); free(m->dacts); free(m->qmask); free(m->xacts); free(m->fixed); free(m->fixed64);\n");
    for (int i = 0; g->lanes && i < g->m->nnodes; i++)
        if (g->m->nodes[i]->op == OP_DENSE) fprintf(o, "    aedl_lanes_dense_free(&m->%s_lp);\n", g->m->nodes[i]->name);
    fprintf(o, "    free(m);\n}\n\n");
}

static void gen_model_functions(Gen *g) {
    FILE *o = g->o;
    const char *M = g->M;
    const IrModel *m = g->m;
    const char *out = g->out->name;
    long Sout = node_size(g->out);
    fprintf(o, "/* ---- the whole model ---- */\n\n");
    /* prepare */
    fprintf(o, "/* Once per batch of B events, before the rows: the weights as used (quantized\n"
               "   unless MODE_FLOAT), batchnorm scale and shift (inference), dropout masks. */\n");
    fprintf(o, "static void %s_prepare(void *mp, int B, aedl_mode mode, aedl_rng *rng) {\n", M);
    fprintf(o, "    %s_model *m = mp;\n", M);
    bool uses_rng = false, uses_B = false;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const char *N = n->name;
        if (n->op == OP_DENSE) {
            long ks = (long)last_dim(n->inputs[0]) * n->units;
            fprintf(o, "    m->%s_k = m->params->%s_kernel;\n", N, N);
            fprintf(o, "    m->%s_b = %s%s%s;\n", N, n->use_bias ? "m->params->" : "NULL", n->use_bias ? N : "", n->use_bias ? "_bias" : "");
            if (n->weight_q) {
                fprintf(o, "    if (mode != AEDL_MODE_FLOAT) {\n");
                if (is_auto(n->weight_q))
                    fprintf(o, "        aedl_qv_auto_f32(&%s_qv, m->params->%s_kernel, m->%s_kq, %ld, %d, mode == AEDL_MODE_TRAIN ? m->%s_kin : NULL);\n",
                            qid(g, n->weight_q, n, "weight"), N, N, ks, n->units, N);
                else if (n->weight_q->kind == Q_VALUE)
                    fprintf(o, "        aedl_qv_f32(&%s_qv, m->params->%s_kernel, m->%s_kq, %ld, mode == AEDL_MODE_TRAIN ? m->%s_kin : NULL);\n",
                            qid(g, n->weight_q, n, "weight"), N, N, ks, N);
                else
                fprintf(o, "        aedl_tq_f32(&m->tq_%s, m->params->%s_kernel, m->%s_kq, %ld, mode == AEDL_MODE_TRAIN ? m->%s_kin : NULL);\n",
                        qid(g, n->weight_q, n, "weight"), N, N, ks, N);
                fprintf(o, "        m->%s_k = m->%s_kq;\n    }\n", N, N);
            }
            if (n->use_bias && n->bias_q) {
                fprintf(o, "    if (mode != AEDL_MODE_FLOAT) {\n");
                if (is_auto(n->bias_q))
                    fprintf(o, "        aedl_qv_auto_f32(&%s_qv, m->params->%s_bias, m->%s_bq, %d, 1, mode == AEDL_MODE_TRAIN ? m->%s_bin : NULL);\n",
                            qid(g, n->bias_q, n, "bias"), N, N, n->units, N);
                else if (n->bias_q->kind == Q_VALUE)
                    fprintf(o, "        aedl_qv_f32(&%s_qv, m->params->%s_bias, m->%s_bq, %d, mode == AEDL_MODE_TRAIN ? m->%s_bin : NULL);\n",
                            qid(g, n->bias_q, n, "bias"), N, N, n->units, N);
                else
                fprintf(o, "        aedl_tq_f32(&m->tq_%s, m->params->%s_bias, m->%s_bq, %d, mode == AEDL_MODE_TRAIN ? m->%s_bin : NULL);\n",
                        qid(g, n->bias_q, n, "bias"), N, N, n->units, N);
                fprintf(o, "        m->%s_b = m->%s_bq;\n    }\n", N, N);
            }
            if (g->lanes)
                fprintf(o, "    if (mode == AEDL_MODE_FLOAT) aedl_lanes_dense_pack(&m->%s_lp, m->%s_k, m->%s_b, %d, %d);\n", N, N,
                        N, last_dim(n->inputs[0]), n->units);
        } else if (n->op == OP_BATCHNORM) {
            int c = last_dim(n);
            fprintf(o, "    if (mode != AEDL_MODE_TRAIN) {\n");
            fprintf(o, "        aedl_batchnorm_fold(m->%s_scale, m->%s_shift, m->params->%s_gamma, m->params->%s_beta, m->buffers->%s_moving_mean, m->buffers->%s_moving_variance, %d, %.9gf);\n",
                    N, N, N, N, N, N, c, n->epsilon);
            if (g->quantized) {
                fprintf(o, "        if (mode == AEDL_MODE_EVAL) {   /* quantized model: scale and shift quantized in inference */\n");
                fprintf(o, "            aedl_quantize_f32(&%s_t_bn_param, m->%s_scale, m->%s_scale, %d, NULL);\n", M, N, N, c);
                fprintf(o, "            aedl_quantize_f32(&%s_t_bn_param, m->%s_shift, m->%s_shift, %d, NULL);\n", M, N, N, c);
                fprintf(o, "        }\n");
            }
            fprintf(o, "    }\n");
        } else if (n->op == OP_SAMPLE) {
            uses_rng = uses_B = true;
            fprintf(o, "    if (mode == AEDL_MODE_TRAIN) aedl_normal_draw(m->%s_eps, (long)B * %ld, rng);\n", N, node_size(n));
        } else if (n->op == OP_DROPOUT) {
            uses_rng = uses_B = true;
            fprintf(o, "    if (mode == AEDL_MODE_TRAIN) aedl_dropout_draw(m->%s_mask, (long)B * %ld, %.9gf, rng);\n", N,
                    node_size(n), n->rate);
        }
    }
    if (!uses_rng) fprintf(o, "    (void)rng;\n");
    if (!uses_B) fprintf(o, "    (void)B;\n");
    fprintf(o, "    (void)m; (void)mode;\n}\n\n");
    /* forward rows */
    fprintf(o, "/* This thread's rows x (p->n, %ld) -> the output buffer's rows.  MODE_TRAIN:\n"
               "   quantizers with straight-through masks, batch statistics (the team's), dropout;\n"
               "   MODE_EVAL: moving statistics; MODE_FLOAT: no quantizer at all. */\n", node_size(g->in));
    fprintf(o, "static void %s_forward_rows(void *mp, const aedl_par *p, const float *x, aedl_mode mode) {\n", M);
    fprintf(o, "    %s_model *m = mp;\n", M);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (fused_into(m, n)) fprintf(o, "    /* %s: in %s_%s_forward */\n", n->name, M, n->inputs[0]->name);
        else fprintf(o, "    %s_%s_forward(m, p, x, mode);\n", M, n->name);
    }
    fprintf(o, "}\n\n");
    fprintf(o, "static const float *%s_output(void *mp) { return ((%s_model *)mp)->%s_out; }\n\n", M, M, out);
    const IrNode *lat = latent_node(m, g->out);
    if (lat) {
        fprintf(o, "/* The latent values: %s, the narrowest layer (for aedlc predict). */\n", lat->name);
        fprintf(o, "static const float *%s_latent_values(void *mp) { return ((%s_model *)mp)->%s_out; }\n", M, M, lat->name);
        fprintf(o, "static const double *%s_latent_values_qi(void *mp) { return ((%s_model *)mp)->%s_x; }\n\n", M, M,
                lat->name);
    }
    const IrNode *smp = sample_node(m);
    if (smp) {
        const char *mu = smp->inputs[0]->name, *lv = smp->inputs[1]->name;
        fprintf(o, "/* The sample layer %s's inputs: the means %s and the log-variances %s. */\n", smp->name, mu, lv);
        fprintf(o, "static const float *%s_z_mu(void *mp) { return ((%s_model *)mp)->%s_out; }\n", M, M, mu);
        fprintf(o, "static const float *%s_z_logvar(void *mp) { return ((%s_model *)mp)->%s_out; }\n", M, M, lv);
        fprintf(o, "static const double *%s_z_mu_qi(void *mp) { return ((%s_model *)mp)->%s_x; }\n", M, M, mu);
        fprintf(o, "static const double *%s_z_logvar_qi(void *mp) { return ((%s_model *)mp)->%s_x; }\n\n", M, M, lv);
    }
    /* backward rows */
    fprintf(o, "/* After a MODE_TRAIN forward: dout (B, %ld), the whole batch's d loss / d output;\n"
               "   p->grads (zero before) += this thread's part of d loss / d params. */\n", Sout);
    fprintf(o, "static void %s_backward_rows(void *mp, const aedl_par *p, const float *dout) {\n", M);
    fprintf(o, "    %s_model *m = mp;\n", M);
    for (int i = 0; i < m->nnodes; i++) {   /* backward functions accumulate (+=) */
        const IrNode *n = m->nodes[i];
        if (needs_grad(g, n) && n != g->out && !fused_act(m, n))   /* a fused batchnorm reads its activation's */
            fprintf(o, "    aedl_zero(%s, (long)p->n * %ld);\n", rows(n->name, "dout", node_size(n)), node_size(n));
    }
    if (!g->out_direct && needs_grad(g, g->out))   /* other layers read the output: their gradients add to the loss's */
        fprintf(o, "    memcpy(%s, dout + (size_t)p->lo * %ld, sizeof(float) * (size_t)p->n * %ld);\n",
                rows(out, "dout", Sout), Sout, Sout);
    for (int i = m->nnodes - 1; i >= 0; i--) {
        const IrNode *n = m->nodes[i];
        if (!needs_grad(g, n)) continue;
        if (fused_into(m, n)) fprintf(o, "    /* %s: in %s_%s_backward */\n", n->name, M, n->inputs[0]->name);
        else if (n == g->out && g->out_direct)
            fprintf(o, "    %s_%s_backward(m, p, dout + (size_t)p->lo * %ld);\n", M, n->name, Sout);
        else if (fused_act(m, n))
            fprintf(o, "    %s_%s_backward(m, p, NULL);\n", M, n->name);
        else fprintf(o, "    %s_%s_backward(m, p, %s);\n", M, n->name, rows(n->name, "dout", node_size(n)));
    }
    bool any = false;
    for (int i = 0; i < m->nnodes; i++) any |= needs_grad(g, m->nodes[i]);
    if (!any) fprintf(o, "    (void)m; (void)p;   /* nothing to train */\n");
    if (!needs_grad(g, g->out)) fprintf(o, "    (void)dout;\n");
    fprintf(o, "}\n\n");
    /* finish */
    fprintf(o, "/* Once per step, on the summed gradients: straight through the weight quantizers\n"
               "   (zero where a weight is outside its quantizer's range). */\n");
    fprintf(o, "static void %s_finish(void *mp, float *grads) {\n", M);
    bool any_ste = false;
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (n->op != OP_DENSE || !(n->weight_q || (n->use_bias && n->bias_q))) continue;
        if (!any_ste) fprintf(o, "    %s_model *m = mp;\n    %s_params *grad = (%s_params *)grads;\n", M, M, M);
        any_ste = true;
        if (n->weight_q)
            fprintf(o, "    aedl_ste_mask(grad->%s_kernel, m->%s_kin, %ld);\n", n->name, n->name,
                    (long)last_dim(n->inputs[0]) * n->units);
        if (n->use_bias && n->bias_q)
            fprintf(o, "    aedl_ste_mask(grad->%s_bias, m->%s_bin, %d);\n", n->name, n->name, n->units);
    }
    if (!any_ste) fprintf(o, "    (void)mp; (void)grads;\n");
    fprintf(o, "}\n\n");
    /* the one-thread interface */
    fprintf(o, "/* One thread, the whole batch: x (B, %ld) -> (B, %ld). */\n", node_size(g->in), Sout);
    fprintf(o, "static const float *%s_forward(void *mp, const float *x, int B, aedl_mode mode, aedl_rng *rng) {\n", M);
    fprintf(o, "    %s_model *m = mp;\n", M);
    fprintf(o, "    aedl_par p = { .tid = 0, .nt = 1, .lo = 0, .n = B, .B = B, .grads = NULL, .team = NULL };\n");
    fprintf(o, "    %s_prepare(m, B, mode, rng);\n", M);
    if (g->lanes) {
        fprintf(o, "    if (mode == AEDL_MODE_FLOAT) {   /* the float model: events in lanes */\n");
        fprintf(o, "        %s_forward_lanes(m, x, B);\n        return m->%s_out;\n    }\n", M, out);
    }
    fprintf(o, "    %s_forward_rows(m, &p, x, mode);\n    return m->%s_out;\n}\n\n", M, out);
    gen_float_score(g);
    /* exact */
    fprintf(o, "/* QI: quantize the weights once (masked weights are exactly zero already). */\n");
    fprintf(o, "static void %s_exact_prepare(void *p) {\n    %s_model *m = p;\n", M, M);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const char *N = n->name;
        if (n->op == OP_DENSE) {
            long ks = (long)last_dim(n->inputs[0]) * n->units;
            fprintf(o, "    aedl_f32_to_f64(m->%s_kx, m->params->%s_kernel, %ld);\n", N, N, ks);
            if (is_auto(n->weight_q))     /* exact values; the firmware's type is made from them */
                fprintf(o, "    aedl_qv_auto_f64(&%s_qv, m->%s_kx, m->%s_kx, %ld, %d);\n", qid(g, n->weight_q, n, "weight"), N, N, ks,
                        n->units);
            else if (n->weight_q && n->weight_q->kind == Q_VALUE)
                fprintf(o, "    aedl_qv_f64(&%s_qv, m->%s_kx, m->%s_kx, %ld);\n", qid(g, n->weight_q, n, "weight"), N, N, ks);
            if (n->weight_q && !is_auto(n->weight_q))
                fprintf(o, "    aedl_quantize_f64(&%s, m->%s_kx, m->%s_kx, %ld, NULL);\n", qid(g, n->weight_q, n, "weight"), N, N, ks);
            if (n->use_bias) {
                fprintf(o, "    aedl_f32_to_f64(m->%s_bx, m->params->%s_bias, %d);\n", N, N, n->units);
                if (is_auto(n->bias_q))
                    fprintf(o, "    aedl_qv_auto_f64(&%s_qv, m->%s_bx, m->%s_bx, %d, 1);\n", qid(g, n->bias_q, n, "bias"), N, N, n->units);
                else if (n->bias_q && n->bias_q->kind == Q_VALUE)
                    fprintf(o, "    aedl_qv_f64(&%s_qv, m->%s_bx, m->%s_bx, %d);\n", qid(g, n->bias_q, n, "bias"), N, N, n->units);
                if (n->bias_q && !is_auto(n->bias_q))
                    fprintf(o, "    aedl_quantize_f64(&%s, m->%s_bx, m->%s_bx, %d, NULL);\n", qid(g, n->bias_q, n, "bias"), N, N, n->units);
            }
        } else if (n->op == OP_BATCHNORM) {
            int c = last_dim(n);
            fprintf(o, "    aedl_batchnorm_fold_f64(m->%s_scalex, m->%s_shiftx, m->params->%s_gamma, m->params->%s_beta, m->buffers->%s_moving_mean, m->buffers->%s_moving_variance, %d, %.9gf);\n",
                    N, N, N, N, N, N, c, n->epsilon);
            if (g->quantized) {
                fprintf(o, "    aedl_quantize_f64(&%s_t_bn_param, m->%s_scalex, m->%s_scalex, %d, NULL);\n", M, N, N, c);
                fprintf(o, "    aedl_quantize_f64(&%s_t_bn_param, m->%s_shiftx, m->%s_shiftx, %d, NULL);\n", M, N, N, c);
            }
        }
    }
    fprintf(o, "    (void)m;\n}\n\n");
    fprintf(o, "/* QI on B events: x (B, %ld) double -> y (B, %ld) double, exact. */\n", node_size(g->in), Sout);
    fprintf(o, "static void %s_infer_exact(void *p, const double *x, double *y, int B) {\n", M);
    fprintf(o, "    %s_model *m = p;\n", M);
    for (int i = 0; i < m->nnodes; i++) fprintf(o, "    %s_%s_exact(m, x, B);\n", M, m->nodes[i]->name);
    fprintf(o, "    memcpy(y, m->%s_x, sizeof(double) * (size_t)B * %ld);\n}\n\n", out, Sout);
}

static void gen_tables(Gen *g, const Tensors *ts) {
    FILE *o = g->o;
    const char *M = g->M;
    fprintf(o, "/* ---- tensors: the weights file's /layer/name, block offsets, shapes, init, pruning ---- */\n");
    if (ts->npr) {
        fprintf(o, "static const aedl_prune_schedule %s_prunes[%d] = {\n", M, ts->npr);
        for (int i = 0; i < ts->npr; i++) {
            const IrPruning *p = ts->pr[i];
            fprintf(o, "    { .kind = %s, .initial = %s, .final = %s, .begin = %ld, .end = %ld, .power = %s, .frequency = %ld },\n",
                    p->kind == PRUNE_CONSTANT ? "AEDL_PRUNE_CONSTANT" : "AEDL_PRUNE_POLYNOMIAL",
                    num(p->initial), num(p->final), p->begin, p->end, num(p->power), p->frequency);
        }
        fprintf(o, "};\nstatic const char *const %s_prune_names[%d] = {", M, ts->npr);
        for (int i = 0; i < ts->npr; i++) {
            fprintf(o, "%s ", i ? "," : "");
            put_cstr(o, ts->pr[i]->name ? ts->pr[i]->name : "(inline)");
        }
        fprintf(o, " };\n");
    }
    fprintf(o, "static const aedl_tensor %s_tensors[%d] = {\n", M, ts->nt ? ts->nt : 1);
    fprintf(o, "    /* layer, name, trainable, offset, size, rank, dims, init, fan_in, fan_out, prune */\n");
    for (int i = 0; i < ts->nt; i++) {
        const Tensor *t = &ts->t[i];
        fprintf(o, "    { \"%s\", \"%s\", %d, %s_%s_AT(%s_%s), %ld, %d, { %d, %d }, %s, %d, %d, %d },\n", t->n->name, t->name,
                t->trainable, M, t->trainable ? "PARAM" : "BUFFER", t->n->name, t->name, t->size, t->rank, t->d0, t->d1,
                t->init, t->fan_in, t->fan_out, t->prune);
    }
    if (!ts->nt) fprintf(o, "    { 0 }\n");
    fprintf(o, "};\n\n");
    int npin = pin_index(g->m, NULL);
    if (npin) {
        char tb[96];
        fprintf(o, "static const char *const %s_pinned[] = {", M);
        for (int i = 0, k = 0; i < g->m->nnodes; i++)
            if (g->m->nodes[i]->pinned) { fprintf(o, "%s", k++ ? ", " : " "); put_cstr(o, g->m->nodes[i]->name); }
        fprintf(o, " };\nstatic const char *const %s_pinned_types[] = {", M);
        for (int i = 0, k = 0; i < g->m->nnodes; i++)
            if (g->m->nodes[i]->pinned) {
                fprintf(o, "%s", k++ ? ", " : " ");
                put_cstr(o, prec_type_str(g->m->nodes[i]->quant->type, tb, sizeof tb));
            }
        fprintf(o, " };\nstatic const int %s_pinned_sizes[] = {", M);
        for (int i = 0, k = 0; i < g->m->nnodes; i++)
            if (g->m->nodes[i]->pinned) fprintf(o, "%s%ld", k++ ? ", " : " ", node_size(g->m->nodes[i]));
        fprintf(o, " };\nstatic long *%s_pinned_saturated(void *p) { return ((%s_model *)p)->pin_sat; }\n\n", M, M);
    }
    fprintf(o, "static const aedl_model_def %s_def = {\n", M);
    fprintf(o, "    .name = ");
    put_cstr(o, g->m->name);
    fprintf(o, ", .source = ");
    put_cstr(o, base_name(g->p->main_file));
    fprintf(o, ",\n    .n_in = %ld, .n_out = %ld, .nparams = %ld, .nbuffers = %ld,\n",
            node_size(g->in), node_size(g->out), ts->nparams, ts->nbuffers);
    fprintf(o, "    .tensors = %s_tensors, .ntensors = %d,\n", M, ts->nt);
    if (ts->npr) fprintf(o, "    .prunes = %s_prunes, .nprunes = %d, .prune_names = %s_prune_names,\n", M, ts->npr, M);
    fprintf(o, "    .quantized = %d,\n", g->quantized);
    fprintf(o, "    .create = %s_create, .destroy = %s_destroy, .forward = %s_forward,\n", M, M, M);
    if (has_float_score(g)) fprintf(o, "    .float_score = %s_float_score,\n", M);
    fprintf(o, "    .exact_prepare = %s_exact_prepare, .exact = %s_infer_exact,\n", M, M);
    if (npin)
        fprintf(o, "    .pinned = %s_pinned, .pinned_types = %s_pinned_types, .pinned_sizes = %s_pinned_sizes, .npinned = %d,\n"
                   "    .pinned_saturated = %s_pinned_saturated,\n", M, M, M, npin, M);
    fprintf(o, "    .prepare = %s_prepare, .forward_rows = %s_forward_rows, .output = %s_output,\n", M, M, M);
    fprintf(o, "    .backward_rows = %s_backward_rows, .finish = %s_finish,\n", M, M);
    const IrNode *lat = latent_node(g->m, g->out);
    if (lat)
        fprintf(o, "    .latent_name = \"%s\", .n_latent = %ld, .latent = %s_latent_values, .latent_exact = %s_latent_values_qi,\n",
                lat->name, node_size(lat), M, M);
    const IrNode *smp = sample_node(g->m);
    if (smp)
        fprintf(o, "    .sample_name = \"%s\", .n_z = %ld, .z_mu = %s_z_mu, .z_logvar = %s_z_logvar,\n"
                   "    .z_mu_exact = %s_z_mu_qi, .z_logvar_exact = %s_z_logvar_qi,\n",
                smp->name, node_size(smp), M, M, M, M);
    fprintf(o, "};\n\n");
}

/* `static const char *const M_NAME[n] = { "a", "b" };` */
static void put_strings(FILE *o, const char *M, const char *name, const char *const *v, int n) {
    fprintf(o, "static const char *const %s_%s[%d] = {", M, name, n);
    for (int i = 0; i < n; i++) {
        fprintf(o, "%s ", i ? "," : "");
        put_cstr(o, v[i]);
    }
    fprintf(o, " };\n");
}

/* The files of a source read through the object selection: M_TAG_files. */
static void put_files(FILE *o, const char *M, const char *tag, const IrSource *s) {
    if (!s->nfiles) return;
    char name[320];
    snprintf(name, sizeof name, "%s_files", tag);
    put_strings(o, M, name, (const char *const *)s->files, s->nfiles);
}

static void put_source(FILE *o, const char *M, const char *tag, const char *name, const IrSource *s) {
    fprintf(o, "{ .name = ");
    put_cstr(o, name);
    fprintf(o, ", .kind = %s, .path = ",
            s->kind == SRC_HDF5 ? "AEDL_SRC_HDF5" : s->kind == SRC_ROOT ? "AEDL_SRC_ROOT" : "AEDL_SRC_CSV");
    put_cstr(o, s->path);
    fprintf(o, ", .dataset = ");
    put_cstr(o, s->dataset);
    if (s->nfiles) {
        fprintf(o, ", .files = %s_%s_files, .nfiles = %d, .tree = ", M, tag, s->nfiles);
        put_cstr(o, s->tree);
    }
    fprintf(o, " }");
}

/* The data block's object selection (data_sel.h): M_objects, M_scalars, M_cuts, M_selection. */
static void put_selection(FILE *o, const char *M, const IrData *d) {
    for (int k = 0; k < d->nobjects; k++) {
        const IrObjects *b = &d->objects[k];
        char name[300];
        snprintf(name, sizeof name, "%s_vars", b->kind);
        put_strings(o, M, name, (const char *const *)b->vars, b->nvars);
    }
    if (d->nobjects) {
        fprintf(o, "static const aedl_objsel %s_objects[%d] = {\n", M, d->nobjects);
        for (int k = 0; k < d->nobjects; k++) {
            const IrObjects *b = &d->objects[k];
            int line = 0, col = 0;
            if (b->loc.file >= 0) src_linecol(b->loc.file, b->loc.start, &line, &col);
            fprintf(o, "    { .kind = ");
            put_cstr(o, b->kind);
            fprintf(o, ", .n = %d, .sort_by = ", b->n);
            put_cstr(o, b->sort_by);
            fprintf(o, ", .vars = %s_%s_vars, .nvars = %d, .pad = %s },   /* line %d */\n", M, b->kind, b->nvars,
                    num(b->pad), line);
        }
        fprintf(o, "};\n");
    }
    if (d->nscalars) put_strings(o, M, "scalars", (const char *const *)d->scalars, d->nscalars);
    if (d->ncuts) {
        fprintf(o, "static const aedl_evcut %s_cuts[%d] = {\n", M, d->ncuts);
        for (int i = 0; i < d->ncuts; i++) {
            fprintf(o, "    { .kind = ");
            put_cstr(o, d->cuts[i].kind);
            fprintf(o, ", .min = %d, .var = ", d->cuts[i].min);
            put_cstr(o, d->cuts[i].var);
            fprintf(o, ", .above = %s },\n", num(d->cuts[i].above));
        }
        fprintf(o, "};\n");
    }
    fprintf(o, "static const aedl_selection %s_selection = {", M);
    if (d->nobjects) fprintf(o, " .objs = %s_objects, .nobjs = %d,", M, d->nobjects);
    if (d->nscalars) fprintf(o, " .scalars = %s_scalars, .nscalars = %d,", M, d->nscalars);
    if (d->ncuts) fprintf(o, " .cuts = %s_cuts, .ncuts = %d,", M, d->ncuts);
    fprintf(o, " };\n");
}

static void gen_config(Gen *g, const EmitTrainOptions *opt, const char *file_rel) {
    FILE *o = g->o;
    const char *M = g->M;
    const IrTrain *t = g->t;
    const IrData *d = t->data;
    int line = 0, col;
    if (t->loc.file >= 0) src_linecol(t->loc.file, t->loc.start, &line, &col);
    fprintf(o, "/* ---- the data and train blocks (%s:%d), and how to regenerate the firmware ---- */\n",
            base_name(g->p->main_file), line);
    bool selection = d->nobjects || d->nscalars;
    if (selection) {
        put_selection(o, M, d);
        put_files(o, M, "train", &d->train);
        for (int i = 0; i < d->nsignals; i++) {
            char tag[300];
            snprintf(tag, sizeof tag, "signal_%s", d->signals[i].name);
            put_files(o, M, tag, &d->signals[i].src);
        }
    }
    if (d->nsignals) {
        fprintf(o, "static const aedl_source %s_signals[%d] = {\n", M, d->nsignals);
        for (int i = 0; i < d->nsignals; i++) {
            fprintf(o, "    ");
            char tag[300];
            snprintf(tag, sizeof tag, "signal_%s", d->signals[i].name);
            put_source(o, M, tag, d->signals[i].name, &d->signals[i].src);
            fprintf(o, ",\n");
        }
        fprintf(o, "};\n");
    }
    if (d->has_features && d->nfeatures) {
        fprintf(o, "static const int %s_features[%d] = {", M, d->nfeatures);
        for (int i = 0; i < d->nfeatures; i++) fprintf(o, "%s %d", i ? "," : "", d->features[i]);
        fprintf(o, " };\n");
    }
    if (d->nnames) put_strings(o, M, "names", (const char *const *)d->names, d->nnames);
    if (d->nprep) {
        static const char *const OPS[] = { "AEDL_PREP_LOG10", "AEDL_PREP_AFFINE", "AEDL_PREP_STANDARD", "AEDL_PREP_SIGNED" };
        for (int i = 0; i < d->nprep; i++) {
            const IrPrep *p = &d->prep[i];
            if (!p->nindex) continue;
            fprintf(o, "static const int %s_prep%d[%d] = {", M, i, p->nindex);
            for (int k = 0; k < p->nindex; k++) fprintf(o, "%s %d", k ? "," : "", p->index[k]);
            fprintf(o, " };\n");
        }
        fprintf(o, "static const aedl_prep_rule %s_prep[%d] = {\n", M, d->nprep);
        for (int i = 0; i < d->nprep; i++) {
            const IrPrep *p = &d->prep[i];
            int pl = 0, pc = 0;
            if (p->loc.file >= 0) src_linecol(p->loc.file, p->loc.start, &pl, &pc);
            fprintf(o, "    { .op = %s, .a = %s, .b = %s, .var = ", OPS[p->op], num(p->a), num(p->b));
            if (p->var) put_cstr(o, p->var);
            else fprintf(o, "NULL");
            if (p->nindex) fprintf(o, ", .index = %s_prep%d, .nindex = %d", M, i, p->nindex);
            fprintf(o, ", .where = \"%s:%d:%d\" },\n",
                    p->loc.file >= 0 ? base_name(src_file(p->loc.file)->path) : "?", pl, pc);
        }
        fprintf(o, "};\n");
    }
    const IrTarget *hg = opt->target && opt->target->hw_types ? opt->target : NULL;
    if (hg) {
        fprintf(o, "/* the target's hardware_inputs: per input feature its hardware type (width 0: not declared) */\n");
        fprintf(o, "static const aedl_fixed %s_hw[%ld] = {", M, hg->nhw_types);
        for (long i = 0; i < hg->nhw_types; i++) {
            aedl_fixed h = hg->hw_types[i];
            fprintf(o, "%s{%d, %d, %d, %d, %d}", i % 8 ? ", " : "\n    ", h.width, h.integer, h.is_signed, (int)h.rnd, (int)h.ovf);
        }
        fprintf(o, "\n};\n");
    }
    if (t->ntpr_at_fpr) {
        fprintf(o, "static const double %s_fprs[%d] = {", M, t->ntpr_at_fpr);
        for (int i = 0; i < t->ntpr_at_fpr; i++) fprintf(o, "%s %s", i ? "," : "", num(t->tpr_at_fpr[i]));
        fprintf(o, " };\n");
    }
    if (opt->ninclude) {
        fprintf(o, "static const char *const %s_includes[%d] = {", M, opt->ninclude);
        for (int i = 0; i < opt->ninclude; i++) {
            char *rp = relative_to(opt->outdir, opt->include_dirs[i]);
            fprintf(o, "%s ", i ? "," : "");
            put_cstr(o, rp);
            free(rp);
        }
        fprintf(o, " };\n");
    }
    fprintf(o, "static const aedl_train_cfg %s_cfg = {\n", M);
    fprintf(o, "    .data_name = ");
    put_cstr(o, d->name);
    fprintf(o, ",\n    .train = ");
    put_source(o, M, "train", "train", &d->train);
    fprintf(o, ",\n");
    if (selection) fprintf(o, "    .selection = &%s_selection,\n", M);
    if (d->nsignals) fprintf(o, "    .signals = %s_signals, .nsignals = %d,\n", M, d->nsignals);
    if (d->has_features && d->nfeatures) fprintf(o, "    .features = %s_features, .nfeatures = %d,\n", M, d->nfeatures);
    fprintf(o, "    .flatten = %d, .limit = %ld, .validation = %s, .test = %s, .standard_scale = %d, .data_seed = %ld,\n",
            d->flatten, d->limit, num(d->validation), num(d->test), d->scale == SCALE_STANDARD, d->seed);
    if (d->nprep) fprintf(o, "    .prep = %s_prep, .nprep = %d,\n", M, d->nprep);
    if (d->nnames) fprintf(o, "    .names = %s_names, .nnames = %d,\n", M, d->nnames);
    if (hg) {
        aedl_fixed it = g->in->prec->t.result;
        fprintf(o, "    .hw_types = %s_hw, .nhw = %ld, .hw_in_t = {%d, %d, %d, %d, %d},\n", M, hg->nhw_types, it.width,
                it.integer, it.is_signed, (int)it.rnd, (int)it.ovf);
    }
    static const char *const LOSS_ENUM[] = { "AEDL_LOSS_MSE", "AEDL_LOSS_MASKED_MSE", "AEDL_LOSS_KL", "AEDL_LOSS_MU2" };
    fprintf(o, "    .loss = %s, .score = %s,\n", LOSS_ENUM[t->loss], LOSS_ENUM[t->score]);
    if (t->vae) fprintf(o, "    .vae = 1, .beta = %s, .reco_weight = %s,\n", num(t->beta), num(t->reco_weight));
    fprintf(o, "    .lr = %s, .beta1 = %s, .beta2 = %s, .adam_eps = %s,\n", num(t->adam.lr), num(t->adam.beta1),
            num(t->adam.beta2), num(t->adam.epsilon));
    fprintf(o, "    .epochs = %d, .batch = %d,\n", t->epochs, t->batch);
    const IrReduceLr *rl = &t->reduce_lr;
    fprintf(o, "    .reduce_lr = %d, .rl_monitor = %s, .rl_factor = %s, .rl_min_delta = %s, .rl_min_lr = %s,\n",
            rl->on, rl->monitor == MON_LOSS ? "AEDL_MON_LOSS" : "AEDL_MON_VAL_LOSS", num(rl->factor), num(rl->min_delta),
            num(rl->min_lr));
    fprintf(o, "    .rl_patience = %d, .rl_cooldown = %d,\n", rl->patience, rl->cooldown);
    const IrEarlyStop *es = &t->early_stop;
    fprintf(o, "    .early_stop = %d, .es_monitor = %s, .es_min_delta = %s, .es_patience = %d, .es_restore_best = %d,\n",
            es->on, es->monitor == MON_LOSS ? "AEDL_MON_LOSS" : "AEDL_MON_VAL_LOSS", num(es->min_delta), es->patience,
            es->restore_best);
    fprintf(o, "    .terminate_on_nan = %d, .roc = %d, .auc = %d, .residuals = %d,\n", t->terminate_on_nan, t->roc,
            t->auc, t->residuals);
    if (t->ntpr_at_fpr) fprintf(o, "    .fprs = %s_fprs, .nfprs = %d,\n", M, t->ntpr_at_fpr);
    {
        IrTarget dt;
        ir_target_default(&dt);
        const IrTarget *g = opt->target ? opt->target : &dt;
        fprintf(o, "    .trigger_rate = %s, .bunch_rate = %s,\n", num(g->trigger_rate), num(g->bunch_rate));
    }
    fprintf(o, "    .aedlc = AEDL_AEDLC, .aedl_file = ");
    put_cstr(o, file_rel);
    fprintf(o, ",\n");
    if (opt->ninclude) fprintf(o, "    .include_dirs = %s_includes, .ninclude = %d,\n", M, opt->ninclude);
    fprintf(o, "    .model_name = ");
    put_cstr(o, g->m->name);
    fprintf(o, ", .target_name = ");
    put_cstr(o, opt->target_name);
    fprintf(o, ",\n    .outdir = \"..\", .aedl_version = ");
    put_cstr(o, AEDL_VERSION);
    fprintf(o, ",\n};\n\n");
    fprintf(o, "int main(int argc, char **argv) {\n    return aedl_train_main(&%s_def, &%s_cfg, argc, argv);\n}\n", M, M);
}

/* ---------------------------------------------------------------- checks */

static int check_model(const IrModel *m, const IrTrain *t, const IrNode **in, const IrNode **out) {
    int nin = 0;
    for (int i = 0; i < m->nnodes; i++)
        if (m->nodes[i]->op == OP_INPUT) { *in = m->nodes[i]; nin++; }
    if (nin != 1) {
        diag_error(m->loc, "the training executable needs exactly one input in model '%s' (it has %d)", m->name, nin);
        return 1;
    }
    if (m->noutputs != 1) {
        diag_error(m->loc, "the training executable needs exactly one output in model '%s' (it has %d)", m->name,
                   m->noutputs);
        return 1;
    }
    *out = m->outputs[0];
    if (node_size(*out) != node_size(*in)) {
        diag_error(t->loc, "train: model '%s' is trained as an autoencoder (loss between output and input), but its "
                   "output has %ld values and its input %ld", m->name, node_size(*out), node_size(*in));
        return 1;
    }
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j]->id >= n->id) {
                diag_error(n->loc, "layer '%s' uses a later layer; the graph must be in order", n->name);
                return 1;
            }
        if (strlen(n->name) > TS - 12) {
            diag_error(n->loc, "layer name '%s' is too long for the generated C (at most %d characters)", n->name, TS - 12);
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- Makefile and build */

/* The runtime's headers beside aedlc (home.h), and its library: next to aedlc
   in a build folder (build/libaedlrt.a, build/san/libaedlrt.a), else with the
   headers (installed: share/aedl/runtime/libaedlrt.a). */
static int find_runtime(const char *exe, char *lib, char *inc, size_t len) {
    char *h = aedl_home_find(exe, "runtime", "runtime", "train.h");
    if (!h) return -1;
    snprintf(inc, len, "%s", h);
    free(h);
    char *bin = aedl_exe_dir(exe);
    char *built = NULL;
    if (bin) {
        char a[PATH_MAX + 32];
        snprintf(a, sizeof a, "%s/libaedlrt.a", bin);
        if (access(a, R_OK) == 0) built = realpath(a, NULL);
        free(bin);
    }
    int n = built ? snprintf(lib, len, "%s", built) : snprintf(lib, len, "%s/libaedlrt.a", inc);
    free(built);
    if (n < 0 || (size_t)n >= len) return -1;
    return access(lib, R_OK) == 0 ? 0 : -1;
}

/* The file at path holds exactly text. */
static bool same_text(const char *path, const char *text) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = strlen(text), k = 0, r;
    char chunk[8192];
    bool same = true;
    while (same && (r = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (k + r > n || memcmp(chunk, text + k, r) != 0) same = false;
        k += r;
    }
    fclose(f);
    return same && k == n;
}

/* The Makefile names no folder of this machine: it finds the runtime from the
   aedlc it is given (AEDLC, default the one on PATH) as aedlc does (home.h):
   headers in BIN/../share/aedl/runtime (installed) or BIN/../runtime,
   BIN/../../runtime (build folders), with the shared headers in the
   folder beside it (lib/), the library beside aedlc or beside the headers.
   aedlc runs it with AEDLC, AEDL_INC and AEDL_LIB on the command line. */
static int write_makefile(const char *path, const char *M) {
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0) return -1;
    FILE *o = a.f;
    fprintf(o, "# Makefile for %s_train, generated by aedlc " AEDL_VERSION ".  `make` builds it;\n", M);
    fprintf(o, "# `make WERROR=1` treats warnings as errors; `make AEDLC=/path/to/aedlc` when\n");
    fprintf(o, "# aedlc is not on PATH (its runtime is found beside it).\n\n");
    fprintf(o, "AEDLC    ?= aedlc\n");
    fprintf(o, "AEDLC_EXE := $(abspath $(shell command -v '$(AEDLC)' 2>/dev/null))\n");
    fprintf(o, "AEDL_BIN := $(dir $(AEDLC_EXE))\n");
    fprintf(o, "AEDL_INC ?= $(patsubst %%/train.h,%%,$(firstword $(wildcard $(AEDL_BIN)../share/aedl/runtime/train.h \\\n"
               "            $(AEDL_BIN)../runtime/train.h $(AEDL_BIN)../../runtime/train.h)))\n");
    fprintf(o, "AEDL_LIB ?= $(firstword $(wildcard $(AEDL_BIN)libaedlrt.a $(AEDL_INC)/libaedlrt.a))\n");
    fprintf(o, "CC       ?= cc\n");
#if defined(__SANITIZE_ADDRESS__)
    fprintf(o, "SANFLAGS ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer\n");
#else
    fprintf(o, "SANFLAGS ?=\n");
#endif
    fprintf(o, "PKGS     := hdf5 openblas zlib liblzma liblz4 libzstd libxxhash\n");
    fprintf(o, "CFLAGS   ?= -O2 -g\n");
    fprintf(o, "override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra $(if $(WERROR),-Werror) \\\n");
    fprintf(o, "                   $(SANFLAGS) -I$(AEDL_INC) -I$(AEDL_INC)/../lib $(shell pkg-config --cflags $(PKGS))\n");
    fprintf(o, "LDLIBS   := $(AEDL_LIB) $(shell pkg-config --libs $(PKGS)) -lm -lpthread\n\n");
    fprintf(o, "%s_train: %s_model.c $(AEDL_LIB)\n", M, M);
    fprintf(o, "\t@test -n '$(AEDLC_EXE)' -a -n '$(AEDL_INC)' -a -n '$(AEDL_LIB)' || { echo \"%s_train: cannot find "
               "aedlc ('$(AEDLC)') or its runtime; run make AEDLC=/path/to/aedlc\" >&2; exit 1; }\n", M);
    fprintf(o, "\t$(CC) $(CFLAGS) -DAEDL_AEDLC='\"$(AEDLC_EXE)\"' -o $@ %s_model.c $(SANFLAGS) $(LDLIBS)\n\n", M);
    fprintf(o, "clean:\n\trm -f %s_train\n\n.PHONY: clean\n", M);
    return aedl_atomic_commit(&a);
}

static int run_make(const char *dir, const char *aedlc, const char *lib, const char *inc) {
    size_t n = strlen(aedlc) + strlen(lib) + strlen(inc) + 32;
    char *va = xmalloc(n), *vl = xmalloc(n), *vi = xmalloc(n);
    snprintf(va, n, "AEDLC=%s", aedlc);
    snprintf(vl, n, "AEDL_LIB=%s", lib);
    snprintf(vi, n, "AEDL_INC=%s", inc);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) { free(va); free(vl); free(vi); return -1; }
    if (pid == 0) {
        aedl_child_setup(parent, "make");
        /* not the job server of a make that runs aedlc (make -j2 test): its descriptors are not
           ours, and make would warn "jobserver unavailable" on the training program's stderr */
        unsetenv("MAKEFLAGS");
        unsetenv("MFLAGS");
        unsetenv("MAKELEVEL");
        execlp("make", "make", "--no-print-directory", "-s", "-C", dir, va, vl, vi, (char *)NULL);
        fprintf(stderr, "aedlc: error: cannot run make: %s\n", strerror(errno));
        _exit(127);
    }
    free(va); free(vl); free(vi);
    aedl_child_started(pid);
    return aedl_child_wait(pid);
}

/* ---------------------------------------------------------------- entry */

int emit_train(IrProgram *p, IrModel *m, const EmitTrainOptions *opt) {
    IrTrain *t = NULL;
    for (int i = 0; i < p->ntrains; i++)
        if (p->trains[i]->model == m) { t = p->trains[i]; break; }
    if (!t) {
        diag_error(m->loc, "--emit train: no train block uses model '%s'", m->name);
        return 1;
    }
    if (!t->data) {
        diag_error(t->loc, "--emit train: the train block names no data");
        return 1;
    }
    Gen g = { .p = p, .m = m, .t = t, .M = m->name, .target = opt->target };
    if (check_model(m, t, &g.in, &g.out)) return 1;
    if (opt->target && opt->target->hw_types && g.in->prec && g.in->prec->t.result.width > 24) {
        char tb[64];
        diag_error(opt->target->hw_loc, "hardware_inputs: the model input's type %s has more than 24 bits: the "
                   "training data are float32, which hold at most 24 exactly",
                   prec_type_str(g.in->prec->t.result, tb, sizeof tb));
        return 1;
    }
    g.quantized = model_quantized(m);
    g.out_direct = true;
    for (int i = 0; i < m->nnodes; i++)
        for (int j = 0; j < m->nodes[i]->ninputs; j++)
            if (m->nodes[i]->inputs[j] == g.out) g.out_direct = false;

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) { fprintf(stderr, "aedlc: error: cannot find the aedlc executable's path\n"); return 1; }
    exe[n] = 0;
    char lib[PATH_MAX + 256], inc[PATH_MAX + 256];
    if (find_runtime(exe, lib, inc, sizeof lib) != 0) {
        fprintf(stderr, "aedlc: error: cannot find the training runtime: neither %s/../runtime (build tree) nor "
                "%s/../share/aedl/runtime (installed) next to %s\n", exe, exe, exe);
        return 1;
    }
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/train", opt->outdir);
    if (aedl_mkdirs(dir) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    g.qs = xcalloc((size_t)m->nnodes * 3 + 1, sizeof *g.qs);
    find_grads(&g);
    char *file_rel = relative_to(opt->outdir, p->main_file);
    char cpath[PATH_MAX + 64], mpath[PATH_MAX + 64];
    snprintf(cpath, sizeof cpath, "%s/%s_model.c", dir, m->name);
    snprintf(mpath, sizeof mpath, "%s/Makefile", dir);

    char *text = NULL;
    size_t text_len = 0;
    g.o = open_memstream(&text, &text_len);
    if (!g.o) aedl_fatal("out of memory");
    Tensors ts = { 0 };
    collect_tensors(m, &ts);
    Bufs bs = { 0 };
    g.lanes = lanes_ok(m);
    collect_bufs(&g, &bs);

    FILE *o = g.o;
    fprintf(o, "/* %s_model.c \xe2\x80\x94 the training program of model '%s' of %s.\n", m->name, m->name, base_name(p->main_file));
    fprintf(o, " * Generated by aedlc " AEDL_VERSION " from %s (%s from the output folder, the\n", base_name(p->main_file),
            file_rel);
    fprintf(o, " * folder above this one); regenerate rather than edit: aedlc FILE --emit train -o DIR.\n");
    fprintf(o, " * The model-specific part (layers, tensors, settings); the generic driver is\n");
    fprintf(o, " * runtime/train.c (options, data, loop, checkpoints, evaluation).  Shapes: B = events. */\n");
    fprintf(o, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n");
    fprintf(o, "#include \"lanes.h\"\n#include \"nn.h\"\n#include \"quant.h\"\n#include \"train.h\"\n#include \"train_par.h\"\n#include \"train_quant.h\"\n#include \"util.h\"\n\n");
    fprintf(o, "/* The aedlc that regenerates the firmware after training: the Makefile sets it\n"
               "   (make AEDLC=...); the environment variable AEDLC overrides it at run time. */\n");
    fprintf(o, "#ifndef AEDL_AEDLC\n#define AEDL_AEDLC \"aedlc\"\n#endif\n\n");
    gen_quantizers(&g);
    gen_struct(&g, &ts, &bs);
    fprintf(o, "/* ---- layers: forward (float, training) ---- */\n\n");
    for (int i = 0; i < m->nnodes; i++) gen_forward_layer(&g, m->nodes[i]);
    fprintf(o, "/* ---- layers: backward (accumulate into the gradients) ---- */\n\n");
    for (int i = m->nnodes - 1; i >= 0; i--) gen_backward_layer(&g, m->nodes[i]);
    fprintf(o, "/* ---- layers: quantized inference in double (QI: docs/semantics.md) ---- */\n\n");
    for (int i = 0; i < m->nnodes; i++) gen_exact_layer(&g, m->nodes[i]);
    if (g.lanes) gen_lanes(&g);
    gen_model_functions(&g);
    gen_tables(&g, &ts);
    gen_config(&g, opt, file_rel);
    free(file_rel);
    free(ts.t); free(ts.pr); free(bs.b); free(g.qs); free(g.grad);
    fclose(g.o);
    /* "B * 1" reads better as "B" (rows of a layer whose input is (B, n)). */
    for (char *q = text; (q = strstr(q, "B * 1")) != NULL; q++)
        if (q[5] == ',' || q[5] == ')') memmove(q + 1, q + 5, strlen(q + 5) + 1);
    for (char *q = text; (q = strstr(q, "p->n * 1")) != NULL; q++)
        if (q[8] == ',' || q[8] == ')') memmove(q + 4, q + 8, strlen(q + 8) + 1);
    aedl_atomic a = {0};
    int wrote = same_text(cpath, text) || aedl_atomic_open(&a, cpath, "w") == 0;   /* same: make stays quiet */
    if (!wrote || (a.f && (fputs(text, a.f) < 0 || aedl_atomic_commit(&a) != 0))) {
        int e = errno;
        if (wrote && a.f) aedl_atomic_abort(&a);
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", cpath, strerror(e));
        free(text);
        return 1;
    }
    free(text);
    if (write_makefile(mpath, m->name) != 0) {
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", mpath, strerror(errno));
        return 1;
    }
    char *exe_abs = realpath(exe, NULL);
    int st = run_make(dir, exe_abs ? exe_abs : exe, lib, inc);
    free(exe_abs);
    if (st != 0) {
        fprintf(stderr, "aedlc: error: building %s/%s_train failed (make exited with %d); the messages above say why\n",
                dir, m->name, st);
        return 1;
    }
    return 0;
}
