/* ir_dump.c — the IR as canonical text that looks like the language.
 *
 * Stable from run to run (no pointers, no absolute paths: sources print the
 * path as written), every default filled in, numbers in the shortest form that
 * reads back to the same double.  Quantizers show their exact fixed type in a
 * comment; layers show their inputs (`<-`) and output shape (`# [32]`).
 * After precision inference (aedlc --dump-after=precision), each layer is
 * followed by its firmware types and the reason of each width (# lines).
 * docs/ir.md describes the format; the .ir files of tests/parse and
 * tests/dump are goldens of it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ir.h"
#include "kinds.h"
#include "precision.h"

static const char *const RND[] = {"trn", "trn_zero", "rnd", "rnd_zero", "rnd_inf", "rnd_min_inf", "rnd_conv"};
static const char *const OVF[] = {"wrap", "sat", "sat_zero", "sat_sym"};

/* Shortest %g that reads back to X, with the exponent as the language writes it (1e-7). */
static void put_num(FILE *o, double x) {
    char buf[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *d = e + 1;
        if (*d == '+') memmove(d, d + 1, strlen(d));
        else if (*d == '-') d++;
        while (d[0] == '0' && d[1]) memmove(d, d + 1, strlen(d));
    }
    fputs(buf, o);
}

static void put_str(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

static void put_type(FILE *o, const aedl_fixed *t) {
    fprintf(o, "%s<%d, %d, %s, %s>", t->is_signed ? "fixed" : "ufixed", t->width, t->integer,
            (unsigned)t->rnd < 7 ? RND[t->rnd] : "?", (unsigned)t->ovf < 4 ? OVF[t->ovf] : "?");
}

static void put_shape(FILE *o, const IrShape *s) {
    fputc('[', o);
    for (int i = 0; i < s->rank; i++) fprintf(o, "%s%d", i ? ", " : "", s->dims[i]);
    if (s->rank == 0) fputc('?', o);
    fputc(']', o);
}

void ir_put_qv(FILE *o, const IrQuant *q) {
    const aedl_qv *v = &q->qv;
    if (v->kind == AEDL_QV_BINARY) fprintf(o, "binary(use_01=%d, alpha=%.17g)", v->use_01, v->alpha);
    else if (v->kind == AEDL_QV_TERNARY) {
        char t[32];
        for (int prec = 6; prec <= 9; prec++) {      /* the shortest that is the same float */
            snprintf(t, sizeof t, "%.*g", prec, (double)v->threshold);
            if (strtof(t, NULL) == v->threshold) break;
        }
        fprintf(o, "ternary(alpha=%.17g, threshold=%s)", v->alpha, t);
    }
    else if (v->kind == AEDL_QV_BITS_AUTO)
        fprintf(o, "quantized_bits(%d, %d, alpha=\"%s\")", v->bits, v->integer, v->auto_po2 ? "auto_po2" : "auto");
    else {
        fprintf(o, "quantized_po2(%d", q->bits);
        if (v->max_value > 0) fprintf(o, ", max_value=%.17g", v->max_value);
        fprintf(o, "%s)", v->log2_floor ? ", log2_rounding=floor" : "");
    }
}

/* The quantizer as written: its name, or the inline call / type. */
static void put_quant_value(FILE *o, const IrQuant *q) {
    if (q->name) { fputs(q->name, o); return; }
    switch (q->kind) {
    case Q_FIXED: put_type(o, &q->type); break;
    case Q_BITS:
        fprintf(o, "quantized_bits(%d, %d, %d", q->bits, q->integer, q->symmetric);
        if (!q->keep_negative) fputs(", keep_negative=0", o);
        fputc(')', o);
        break;
    case Q_RELU:
        fprintf(o, "quantized_relu(%d, %d", q->bits, q->integer);
        if (q->slope != 0) fprintf(o, ", negative_slope=%.17g", q->slope);
        fputc(')', o);
        break;
    case Q_VALUE: ir_put_qv(o, q); break;
    }
}

/* The definition of a quantizer (after `=`), with the named one's own form. */
static void put_quant_def(FILE *o, const IrQuant *q) {
    IrQuant anon = *q;
    anon.name = NULL;
    put_quant_value(o, &anon);
}

static void put_pruning_def(FILE *o, const IrPruning *p) {
    if (p->kind == PRUNE_POLYNOMIAL) {
        fputs("polynomial_decay(initial=", o); put_num(o, p->initial);
        fputs(", final=", o); put_num(o, p->final);
        fprintf(o, ", begin=%ld, end=%ld, power=", p->begin, p->end);
        put_num(o, p->power);
        fprintf(o, ", frequency=%ld)", p->frequency);
    } else {
        fputs("constant_sparsity(target=", o); put_num(o, p->final);
        fprintf(o, ", begin=%ld, end=%ld, frequency=%ld)", p->begin, p->end, p->frequency);
    }
}

static void put_pruning_value(FILE *o, const IrPruning *p) {
    if (!p) fputs("none", o);
    else if (p->name) fputs(p->name, o);
    else put_pruning_def(o, p);
}

/* Inline quantizers other than plain types get their type in the comment. */
static void note_inline(FILE *o, const char *what, const IrQuant *q) {
    if (q && !q->name && q->kind != Q_FIXED) {
        fprintf(o, "; %s ", what);
        put_type(o, &q->type);
    }
}

/* The kind's arguments, from its Param list (resolve.c): "(64, weight=q8, ...)",
   quantizers only when given, nothing when nothing is printed. */
static void put_args(FILE *o, const IrNode *n) {
    int np, printed = 0;
    const ArgField *fs;
    const Param *ps = kind_params(n->op, &np, &fs);
    for (int k = 0; k < np; k++) {
        const Param *p = &ps[k];
        const char *f = (const char *)n + fs[k].off;
        if (p->kind == T_QUANT && !*(IrQuant *const *)f) continue;
        fputs(printed++ ? ", " : "(", o);
        if (!fs[k].positional) fprintf(o, "%s=", p->name);
        switch (p->kind) {
        case T_INT: fprintf(o, "%d", *(const int *)f); break;
        case T_NUM: put_num(o, *(const double *)f); break;
        case T_BOOL: fputs(*(const bool *)f ? "true" : "false", o); break;
        case T_ENUM: {   /* the choice's name: "a|b|c" */
            const char *c = p->choices;
            for (int e = *(const int *)f; e > 0 && strchr(c, '|'); e--) c = strchr(c, '|') + 1;
            fprintf(o, "%.*s", (int)strcspn(c, "|"), c);
            break;
        }
        case T_QUANT: put_quant_value(o, *(IrQuant *const *)f); break;
        case T_PRUNE: put_pruning_value(o, *(IrPruning *const *)f); break;
        case T_BOUNDS:
            fputc('[', o);
            for (int i = 0; i < n->nbounds; i++) {
                const IrBoundRule *r = &n->bounds[i];
                fprintf(o, "%s%s(", i ? ", " : "", r->mode == BOUND_TANH ? "tanh" : "relu");
                if (r->mode == BOUND_TANH) { put_num(o, r->k); fputs(", ", o); }
                if (r->list) {
                    fputc('[', o);
                    for (int t = 0; t < r->nlist; t++) fprintf(o, "%s%d", t ? ", " : "", r->list[t]);
                    fputc(']', o);
                } else if (r->hi < 0) fprintf(o, "[%d:]", r->lo);
                else fprintf(o, "[%d:%d]", r->lo, r->hi);
                if (r->every != 1) fprintf(o, ", every=%d", r->every);
                fputc(')', o);
            }
            fputc(']', o);
            break;
        default: fputs("?", o); break;
        }
    }
    if (printed) fputc(')', o);
}

static void dump_node(FILE *o, const IrNode *n) {
    fprintf(o, "  %s %s", ir_op_name(n->op), n->name);
    if (n->op == OP_INPUT) {
        for (int i = 0; i < n->shape.rank; i++) fprintf(o, "%s%d", i ? ", " : "[", n->shape.dims[i]);
        if (n->shape.rank) fputc(']', o);
        if (n->has_type) { fputs(" : ", o); put_type(o, &n->in_type); }
    } else {
        put_args(o, n);
    }
    for (int i = 0; i < n->ninputs; i++) fprintf(o, "%s%s", i ? ", " : " <- ", n->inputs[i]->name);
    fputs("  # ", o);
    put_shape(o, &n->shape);
    note_inline(o, "weight", n->weight_q);
    note_inline(o, "bias", n->bias_q);
    note_inline(o, "quant", n->quant);
    fputc('\n', o);
}

static const char *mode_name(IrPrecMode m) {
    return m == PREC_BIT_EXACT ? "bit_exact" : m == PREC_CONSERVATIVE ? "conservative" : "fixed";
}

static void put_range(FILE *o, IrRange r) {
    char b[192];
    fputs(prec_range_str(r, b, sizeof b), o);
}

/* The precision results of node n: its types, then why each width is what it is. */
static void dump_prec(FILE *o, const IrNode *n) {
    const IrPrec *p = n->prec;
    const IrPrecTypes *t = &p->t;
    const struct { bool on; const char *slot; aedl_fixed ty; } slot[] = {
        { n->op != OP_INPUT, "input", t->input }, { t->has_weight, "weight", t->weight },
        { t->has_bias, "bias", t->bias }, { t->has_accum, "accum", t->accum },
        { t->has_quant, "quant", t->quant }, { true, "result", t->result },
    };
    fprintf(o, "    # precision %s%s:", mode_name(p->mode), p->guaranteed ? "" : ", NOT guaranteed");
    const char *sep = " ";
    for (size_t k = 0; k < sizeof slot / sizeof slot[0]; k++) {
        if (!slot[k].on) continue;
        fprintf(o, "%s%s ", sep, slot[k].slot);
        put_type(o, &slot[k].ty);
        sep = ", ";
    }
    fputc('\n', o);
    const struct { const char *what, *why; } why[] = {
        { "weight", p->why_weight }, { "bias", p->why_bias }, { "accum", p->why_accum },
        { "result", p->why_result }, { "conservative", p->cons_why }, { "note", p->note },
    };
    for (size_t k = 0; k < sizeof why / sizeof why[0]; k++)
        if (why[k].why) fprintf(o, "    #   %s: %s\n", why[k].what, why[k].why);
    if (p->has_range) { fputs(p->guaranteed ? "    #   guaranteed range: " : "    #   range: ", o); put_range(o, p->range); fputc('\n', o); }
    if (p->has_observed) {
        fputs("    #   observed: [", o); put_num(o, p->obs_lo); fputs(", ", o); put_num(o, p->obs_hi); fputs("]\n", o);
    }
}

static void dump_model(FILE *o, const IrModel *m) {
    fprintf(o, "model %s {\n  prune = ", m->name);
    put_pruning_value(o, m->default_prune);
    fputc('\n', o);
    for (int i = 0; i < m->nnodes; i++) {
        dump_node(o, m->nodes[i]);
        if (m->nodes[i]->prec) dump_prec(o, m->nodes[i]);
    }
    fputs("  output ", o);
    for (int i = 0; i < m->noutputs; i++) fprintf(o, "%s%s", i ? ", " : "", m->outputs[i]->name);
    fputs("\n}\n", o);
}

static void put_source(FILE *o, const IrSource *s) {
    fputs(s->kind == SRC_HDF5 ? "hdf5(" : s->kind == SRC_ROOT ? "root(" : "csv(", o);
    if (s->nfiles > 1) fputc('[', o);
    for (int i = 0; i < (s->nfiles ? s->nfiles : 1); i++) {
        if (i) fputs(", ", o);
        put_str(o, s->nfiles ? s->written_files[i] : s->written_path ? s->written_path : "");
    }
    if (s->nfiles > 1) fputc(']', o);
    if (s->kind == SRC_HDF5 && s->dataset) { fputs(", ", o); put_str(o, s->dataset); }
    if (s->kind == SRC_ROOT) { fputs(", tree = ", o); put_str(o, s->tree); }
    fputc(')', o);
}

static void dump_selection(FILE *o, const IrData *d) {
    if (d->nobjects) {
        fputs("  objects = [", o);
        for (int i = 0; i < d->nobjects; i++) {
            const IrObjects *b = &d->objects[i];
            fprintf(o, "%s%s(%d, [", i ? ", " : "", b->kind, b->n);
            for (int v = 0; v < b->nvars; v++) fprintf(o, "%s%s", v ? ", " : "", b->vars[v]);
            fputs("]", o);
            if (b->sort_by) fprintf(o, ", sort = %s", b->sort_by);
            fputs(", pad = ", o);
            put_num(o, b->pad);
            fputs(")", o);
        }
        fputs("]\n", o);
    }
    if (d->nscalars) {
        fputs("  scalars = [", o);
        for (int i = 0; i < d->nscalars; i++) fprintf(o, "%s%s", i ? ", " : "", d->scalars[i]);
        fputs("]\n", o);
    }
    if (d->ncuts) {
        fputs("  cut = [", o);
        for (int i = 0; i < d->ncuts; i++) {
            fprintf(o, "%s%s(%d", i ? ", " : "", d->cuts[i].kind, d->cuts[i].min);
            if (d->cuts[i].var) { fprintf(o, ", %s, above = ", d->cuts[i].var); put_num(o, d->cuts[i].above); }
            fputs(")", o);
        }
        fputs("]\n", o);
    }
}

static void put_selector(FILE *o, const IrPrep *p) {
    bool ident = p->var && (isalpha((unsigned char)p->var[0]) || p->var[0] == '_');
    for (const char *c = p->var; ident && *c; c++) ident = isalnum((unsigned char)*c) || *c == '_';
    if (p->var) fprintf(o, ident ? "%s" : "\"%s\"", p->var);
    if (p->var && p->nindex) fputc('(', o);
    else if (!p->var && p->nindex != 1) fputc('[', o);
    for (int i = 0; i < p->nindex; i++) fprintf(o, "%s%d", i ? ", " : "", p->index[i]);
    if (p->var && p->nindex) fputc(')', o);
    else if (!p->var && p->nindex != 1) fputc(']', o);
}

/* The rules of one kind: signed and standard as one list of selectors; the transforms
   (log10 and affine, kept in order) as calls. */
static void dump_prep(FILE *o, const IrData *d, IrPrepOp op, const char *open, const char *close) {
    int n = 0;
    for (int i = 0; i < d->nprep; i++) {
        const IrPrep *p = &d->prep[i];
        bool tr = op == PREP_LOG10;
        if (tr ? !(p->op == PREP_LOG10 || p->op == PREP_AFFINE) : p->op != op) continue;
        fputs(n++ ? ", " : open, o);
        if (tr) fputs(p->op == PREP_LOG10 ? "log10(" : "affine(", o);
        put_selector(o, p);
        if (tr && p->op == PREP_AFFINE) {
            fputs(", ", o); put_num(o, p->a);
            fputs(", ", o); put_num(o, p->b);
        }
        if (tr) fputc(')', o);
    }
    if (n) fputs(close ? close : "]\n", o);
}

static void dump_data(FILE *o, const IrData *d) {
    fprintf(o, "data %s {\n  train = ", d->name);
    put_source(o, &d->train);
    fputc('\n', o);
    for (int i = 0; i < d->nsignals; i++) {
        fprintf(o, "  signal %s = ", d->signals[i].name);
        put_source(o, &d->signals[i].src);
        fputc('\n', o);
    }
    dump_selection(o, d);
    if (d->has_features) {
        fputs("  features = [", o);
        for (int i = 0; i < d->nfeatures; i++) fprintf(o, "%s%d", i ? ", " : "", d->features[i]);
        fputs("]\n", o);
    } else
        fputs("  # features: all\n", o);
    fprintf(o, "  flatten = %s\n", d->flatten ? "true" : "false");
    if (d->limit < 0) fputs("  # limit: all events\n", o);
    else fprintf(o, "  limit = %ld\n", d->limit);
    fputs("  validation = ", o); put_num(o, d->validation);
    fputs("\n  test = ", o); put_num(o, d->test);
    fputc('\n', o);
    if (d->nnames) {
        fputs("  names = [", o);
        for (int i = 0; i < d->nnames; i++) fprintf(o, "%s\"%s\"", i ? ", " : "", d->names[i]);
        fputs("]\n", o);
    }
    dump_prep(o, d, PREP_SIGNED, "  signed = [", "]\n");
    dump_prep(o, d, PREP_LOG10, "  transform = [", NULL);
    if (d->scale == SCALE_STANDARD && !d->standard_all)
        dump_prep(o, d, PREP_STANDARD, "  scale = standard(", ")\n");
    else
        fprintf(o, "  scale = %s\n", d->scale == SCALE_STANDARD ? "standard" : "none");
    fprintf(o, "  seed = %ld\n}\n", d->seed);
}

static const char *monitor_name(IrMonitor m) { return m == MON_LOSS ? "loss" : "val_loss"; }
static const char *loss_name(IrLoss l) {
    return l == LOSS_MASKED_MSE ? "masked_mse" : l == LOSS_KL ? "kl" : l == LOSS_MU2 ? "mu2" : "mse";
}

static void dump_train(FILE *o, const IrTrain *t) {
    fputs("train ", o);
    if (t->name) fprintf(o, "%s ", t->name);
    fprintf(o, "{\n  model = %s\n  data = %s\n  loss = ", t->model ? t->model->name : "?",
            t->data ? t->data->name : "?");
    if (t->vae) {
        fprintf(o, "vae(reco=%s, beta=", loss_name(t->loss));
        put_num(o, t->beta);
        fputs(", reco_weight=", o);
        put_num(o, t->reco_weight);
        fputs(")\n", o);
    } else
        fprintf(o, "%s\n", loss_name(t->loss));
    fputs("  optimizer = adam(lr=", o); put_num(o, t->adam.lr);
    fputs(", beta1=", o); put_num(o, t->adam.beta1);
    fputs(", beta2=", o); put_num(o, t->adam.beta2);
    fputs(", epsilon=", o); put_num(o, t->adam.epsilon);
    fprintf(o, ")\n  epochs = %d\n  batch = %d\n", t->epochs, t->batch);
    int ncb = t->reduce_lr.on + t->early_stop.on + t->terminate_on_nan, k = 0;
    fputs(ncb ? "  callbacks = [\n" : "  callbacks = []\n", o);
    if (t->reduce_lr.on) {
        const IrReduceLr *c = &t->reduce_lr;
        fprintf(o, "    reduce_lr_on_plateau(monitor=%s, factor=", monitor_name(c->monitor));
        put_num(o, c->factor);
        fprintf(o, ", patience=%d, min_delta=", c->patience);
        put_num(o, c->min_delta);
        fprintf(o, ", cooldown=%d, min_lr=", c->cooldown);
        put_num(o, c->min_lr);
        fprintf(o, ")%s\n", ++k < ncb ? "," : "");
    }
    if (t->early_stop.on) {
        const IrEarlyStop *c = &t->early_stop;
        fprintf(o, "    early_stopping(monitor=%s, patience=%d, min_delta=", monitor_name(c->monitor), c->patience);
        put_num(o, c->min_delta);
        fprintf(o, ", restore_best=%s)%s\n", c->restore_best ? "true" : "false", ++k < ncb ? "," : "");
    }
    if (t->terminate_on_nan) fprintf(o, "    terminate_on_nan%s\n", ++k < ncb ? "," : "");
    if (ncb) fputs("  ]\n", o);
    fprintf(o, "  score = %s\n  metrics = [", loss_name(t->score));
    const char *sep = "";
    if (t->roc) { fputs("roc", o); sep = ", "; }
    if (t->auc) { fprintf(o, "%sauc", sep); sep = ", "; }
    for (int i = 0; i < t->ntpr_at_fpr; i++) {
        fprintf(o, "%stpr_at_fpr(", sep);
        put_num(o, t->tpr_at_fpr[i]);
        fputc(')', o);
        sep = ", ";
    }
    if (t->residuals) fprintf(o, "%sresiduals", sep);
    fputs("]\n}\n", o);
}

static void dump_target(FILE *o, const IrTarget *g) {
    fprintf(o, "target %s {\n  backend = %s\n  part = ", g->name, g->backend == BACKEND_VIVADO ? "vivado" : "vitis");
    put_str(o, g->part ? g->part : "");
    fputs("\n  clock_period = ", o);
    put_num(o, g->clock_period);
    fprintf(o, "\n  io = %s\n  strategy = %s\n  reuse_factor = %d\n  precision = ",
            g->io == IO_STREAM ? "stream" : "parallel", g->strategy == STRATEGY_RESOURCE ? "resource" : "latency",
            g->reuse_factor);
    if (g->precision == PREC_FIXED) put_type(o, &g->default_type);
    else fputs(g->precision == PREC_CONSERVATIVE ? "conservative" : "bit_exact", o);
    if (g->dsp_multipliers) fputs("\n  multipliers = dsp", o);
    fputs("\n}\n", o);
}

void ir_dump(FILE *o, const IrProgram *p) {
    fputs("# aedlc IR\n", o);
    if (p->nquants) fputc('\n', o);
    for (int i = 0; i < p->nquants; i++) {
        const IrQuant *q = p->quants[i];
        fprintf(o, "quantizer %s = ", q->name);
        put_quant_def(o, q);
        fputs("  # ", o);
        put_type(o, &q->type);
        fputc('\n', o);
    }
    if (p->nprunings) fputc('\n', o);
    for (int i = 0; i < p->nprunings; i++) {
        fprintf(o, "pruning %s = ", p->prunings[i]->name);
        put_pruning_def(o, p->prunings[i]);
        fputc('\n', o);
    }
    for (int i = 0; i < p->nmodels; i++) { fputc('\n', o); dump_model(o, p->models[i]); }
    for (int i = 0; i < p->ndatas; i++) { fputc('\n', o); dump_data(o, p->datas[i]); }
    for (int i = 0; i < p->ntrains; i++) { fputc('\n', o); dump_train(o, p->trains[i]); }
    for (int i = 0; i < p->ntargets; i++) { fputc('\n', o); dump_target(o, p->targets[i]); }
}
