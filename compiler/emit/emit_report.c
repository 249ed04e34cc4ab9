/* emit_report.c — DIR/report/: the precision-inference report.
 *
 *   precision.txt   a table to read in a terminal, then the reasons per layer
 *   precision.json  the same data for tools
 *   precision.html  the same data for a browser (self-contained)
 *
 * Per layer: the input, weight, bias, accumulator and result types, why each
 * width is what it is, the guaranteed and observed ranges, non-zero weights,
 * multipliers, EBOPs, and the conservative inference beside it.  Every file
 * is written atomically.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "prec_common.h"
#include "util.h"

static const char *mode_name(IrPrecMode m) {
    return m == PREC_BIT_EXACT ? "bit_exact" : m == PREC_CONSERVATIVE ? "conservative" : "fixed";
}

static const char *ty(aedl_fixed t, bool has, char *buf, int n) {
    if (!has || t.width <= 0) return "-";
    return prec_type_str(t, buf, n);
}

static long total_weights(const IrNode *n) {
    return n->op == OP_DENSE ? ir_shape_size(&n->inputs[0]->shape) * n->units : 0;
}

typedef struct {
    double ebops, cons_ebops;
    long nonzero, weights, multipliers;
    int acc_bits, cons_acc_bits, not_guaranteed;
} Totals;

/* The train block's score, and the layers in the firmware (plan_used_nodes: with
   score = mu2 the encoder only): the totals count those. */
static IrLoss report_score;
static const bool *report_used;

static Totals totals(const IrModel *m) {
    Totals t = {0};
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if (report_used && !report_used[n->id]) continue;
        const IrPrec *p = n->prec;
        t.ebops += p->t.ebops;
        t.cons_ebops += p->cons.ebops;
        t.nonzero += p->nonzero;
        t.weights += total_weights(n);
        t.multipliers += p->multipliers;
        if (p->t.has_accum && n->op != OP_RELU && n->op != OP_LINEAR) t.acc_bits += p->t.accum.width;
        if (p->cons.has_accum && n->op != OP_RELU && n->op != OP_LINEAR) t.cons_acc_bits += p->cons.accum.width;
        t.not_guaranteed += !p->guaranteed;
    }
    return t;
}

static bool have_weights(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) if (!prec_has_params(m->nodes[i])) return false;
    return true;
}

/* ---- the RTL's resources (make -C DIR/rtl synth: DIR/rtl/resources.json) --------------------- */

/* DIR, for the optional rtl/resources.json beside report/ */
static const char *report_dir;
static const aedl_fw_plan *report_plan;   /* for the hardware inputs' stage, or NULL */

typedef struct { char name[64]; long lut, ff, dsp; } RtlLayer;
typedef struct { int n; RtlLayer l[256]; long lut, ff, dsp, carry; bool have; } RtlRes;

/* resources.json as stat2json.awk (emit_rtl.c) writes it: one layer per line, then the total. */
static RtlRes rtl_resources(void) {
    RtlRes r = {0};
    if (!report_dir) return r;
    char *path = prec_strf("%s/rtl/resources.json", report_dir);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) return r;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        RtlLayer L;
        long carry;
        if (r.n < 256 && sscanf(line, " {\"name\": \"%63[^\"]\", \"module\": \"%*[^\"]\", \"lut\": %ld, \"ff\": %ld, \"dsp\": %ld",
                                L.name, &L.lut, &L.ff, &L.dsp) == 4)
            r.l[r.n++] = L;
        else if (sscanf(line, " \"total\": {\"lut\": %ld, \"ff\": %ld, \"dsp\": %ld, \"carry\": %ld", &r.lut, &r.ff, &r.dsp, &carry) == 4) {
            r.carry = carry;
            r.have = true;
        }
    }
    fclose(f);
    return r;
}

static const RtlLayer *rtl_layer(const RtlRes *r, const char *name) {
    for (int i = 0; i < r->n; i++) if (!strcmp(r->l[i].name, name)) return &r->l[i];
    return NULL;
}

static void rtl_txt(FILE *f, const IrModel *m, double ebops) {
    RtlRes r = rtl_resources();
    if (!r.have) return;
    fprintf(f, "RTL (rtl/resources.json; yosys estimates, not vendor place-and-route figures): %ld LUT, %ld FF, %ld DSP, "
               "%ld carry cells; LUT / EBOPs %.3f\n", r.lut, r.ff, r.dsp, r.carry, ebops > 0 ? (double)r.lut / ebops : 0.0);
    for (int i = 0; i < m->nnodes; i++) {
        const RtlLayer *L = rtl_layer(&r, m->nodes[i]->name);
        if (!L) continue;
        double e = m->nodes[i]->prec->t.ebops;
        fprintf(f, "  %-14s %7ld LUT %7ld FF %4ld DSP", L->name, L->lut, L->ff, L->dsp);
        if (e > 0) fprintf(f, "   LUT / EBOPs %.3f", (double)L->lut / e);
        fputc('\n', f);
    }
}

static void rtl_html(FILE *f, double ebops) {
    RtlRes r = rtl_resources();
    if (!r.have) return;
    fprintf(f, "<p>RTL (<code>rtl/resources.json</code>): %ld LUT, %ld FF, %ld DSP, %ld carry cells; LUT / EBOPs %.3f. "
               "These are yosys estimates, not vendor place-and-route figures.</p>\n",
            r.lut, r.ff, r.dsp, r.carry, ebops > 0 ? (double)r.lut / ebops : 0.0);
}

/* ---- text ------------------------------------------------------------------------- */

/* output = score: the score step's types and why (plan_score_types). */

static void write_score_txt(FILE *f, const IrModel *m, const IrTarget *tg) {
    if (!tg || tg->output != TARGET_OUT_SCORE || m->noutputs != 1) return;
    const IrNode *smp = plan_sample_node(m);
    if (report_score == LOSS_MU2 && smp) {
        PlanScore st;
        char err[256], a[64];
        const IrNode *mu = smp->inputs[0];
        fprintf(f, "\nthe anomaly score mu2 (the target's output = score): the sum of the squared means '%s' of the\n"
                   "sample layer '%s'; the firmware is the layers the means depend on (exact, by construction)\n",
                mu->name, smp->name);
        if (!plan_mu2_types(mu->prec->t.result, (int)ir_shape_size(&mu->shape), &st, err, sizeof err)) {
            fprintf(f, "  error:          %s\n", err);
            return;
        }
        fprintf(f, "  score_square_t: %-24s %s\n", prec_type_str(st.square, a, sizeof a), st.why_diff);
        fprintf(f, "  score_t:        %-24s %s\n", prec_type_str(st.sum, a, sizeof a), st.why_sum);
        fprintf(f, "  not in the firmware:");
        for (int i = 0; i < m->nnodes; i++)
            if (report_used && !report_used[m->nodes[i]->id]) fprintf(f, " %s", m->nodes[i]->name);
        fprintf(f, "\n  the trigger fires when score > threshold\n");
        return;
    }
    const IrNode *in = NULL, *out = m->outputs[0];
    for (int i = 0; i < m->nnodes; i++) if (m->nodes[i]->op == OP_INPUT) in = m->nodes[i];
    if (!in || ir_shape_size(&in->shape) != ir_shape_size(&out->shape)) return;
    PlanScore st;
    char err[256], a[64], b[64];
    fprintf(f, "\nthe anomaly score (the target's output = score; exact, by construction)\n");
    if (!plan_score_types(out->prec->t.result, in->prec->t.result, (int)ir_shape_size(&out->shape), true, &st, err,
                          sizeof err)) {
        fprintf(f, "  error:        %s\n", err);
        return;
    }
    fprintf(f, "  score_diff_t: %-24s %s\n", prec_type_str(st.diff, a, sizeof a), st.why_diff);
    fprintf(f, "  score_t:      %-24s %s\n", prec_type_str(st.sum, a, sizeof a), st.why_sum);
    fprintf(f, "  masked_mse:   count %s (%s), result_t %s (the sum and the count)\n", prec_type_str(st.count, a, sizeof a),
            st.why_count, prec_type_str(st.result, b, sizeof b));
    fprintf(f, "  MSE = score / %d (the same ordering); the trigger fires when score > threshold, masked when "
               "sum > threshold * count\n", st.n);
    const aedl_fw_plan *p = report_plan;
    const aedl_fw_layer *sc = p && p->outputs[0] >= 0 ? &p->layers[p->outputs[0]] : NULL;
    if (sc && sc->op == FW_MASKED_SCORE) {
        aedl_fixed xt = sc->inputs[1] < 0 ? p->in_t : p->layers[sc->inputs[1]].res_t;
        fprintf(f, "  padding:      the model input of a raw 0 (an absent object; training's masked_mse skips it) after\n"
                   "                the preprocessing and the input type; the mask skips a feature equal to it:\n");
        if (!sc->has_w) fprintf(f, "                0 for every feature\n");
        for (int j = 0; sc->has_w && j < sc->n_in; j++) {
            char v[80];
            fprintf(f, "                %-4d %s\n", j, aedl_fixed_decimal(sc->w[j], aedl_fw_exp(xt), v, (int)sizeof v));
        }
    }
}

/* hardware_inputs: the scaling stage's types and why (aedl_fw_hwin_build), per feature its
   hardware type and constants. */
static void write_hw_txt(FILE *f, const IrTarget *tg) {
    const aedl_fw_plan *p = report_plan;
    if (!tg || !tg->hw_types) return;
    fprintf(f, "\nthe hardware inputs (the target's hardware_inputs): the firmware takes the raw values and scales them\n");
    if (!p || p->nlayers == 0 || p->layers[0].op != FW_HW_INPUT) {
        fprintf(f, "  (no firmware plan: give --weights)\n");
        return;
    }
    const aedl_fw_layer *a = &p->layers[0];
    char t1[64], t2[64];
    fprintf(f, "  not folded: the scaling is a stage of its own (hw_input) before the first layer (aedlc does not fold "
               "it: the cast to the model input's type rounds, so the first layer's input is not x * k + c itself)\n"
               "  exact: every product and sum, then the cast to the model input's type %s (guaranteed)\n",
            prec_type_str(a->res_t, t1, sizeof t1));
    fprintf(f, "  input_t:      %-24s holds every hardware type exactly (the top function's x)\n",
            prec_type_str(p->in_t, t1, sizeof t1));
    fprintf(f, "  hw_k_t:       %-24s the factors k = 1 / (divisor * std), rounded at step 2^%d so that |k - k_q| |x| "
               "<= 2^%d\n", prec_type_str(a->w_t, t1, sizeof t1), aedl_fw_exp(a->w_t), aedl_fw_exp(a->res_t) - 2);
    fprintf(f, "  hw_c_t:       %-24s the offsets c = -(offset / divisor + mean) / std, rounded at step 2^%d\n",
            prec_type_str(a->b_t, t1, sizeof t1), aedl_fw_exp(a->b_t));
    fprintf(f, "  hw_accum_t:   %-24s exact: holds every x * k + c of the hardware types\n",
            prec_type_str(a->acc_t, t1, sizeof t1));
    for (int j = 0; j < a->n_out; j++) {
        char k[80], c[80];
        fprintf(f, "  feature %-4d %-24s %s * %s + %s\n", j, prec_type_str(aedl_fw_hwin_type(a, j), t2, sizeof t2),
                tg->hw_types[j].width ? "x" : "x (not declared: arrives scaled)",
                aedl_fixed_decimal(a->w[j], aedl_fw_exp(a->w_t), k, sizeof k), aedl_fixed_decimal(a->b[j], aedl_fw_exp(a->b_t), c, sizeof c));
    }
}

static void write_txt(FILE *f, const IrModel *m, const IrTarget *tg, const char *weights) {
    IrPrecMode mode = m->nnodes ? m->nodes[0]->prec->mode : PREC_CONSERVATIVE;
    bool w = have_weights(m);
    fprintf(f, "aedlc precision report: model %s, target %s, precision = %s\n", m->name,
            tg ? tg->name : "(none)", mode_name(mode));
    fprintf(f, "weights: %s\n", weights ? weights : "none (the conservative inference; give --weights for bit_exact)");
    if (mode == PREC_BIT_EXACT && !w) fprintf(f, "note: without weights the firmware types are the conservative ones\n");
    fprintf(f, "\n%-14s %-10s %-24s %-28s %-28s %-16s %-26s %11s %6s %9s | %-16s %-26s %9s\n",
            "layer", "op", "input", "weight", "bias", "accumulator", "result", "nonzero", "mult", "EBOPs",
            "cons. accum", "cons. result", "cons.EBOPs");
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        char a[96], b[96], c[96], d[96], e[96], g[96], h[96], nz[32];
        char mu[32];
        if (n->op == OP_DENSE && w) snprintf(nz, sizeof nz, "%ld/%ld", p->nonzero, total_weights(n));
        else snprintf(nz, sizeof nz, "-");
        if (w && (n->op == OP_DENSE || n->op == OP_BATCHNORM || n->op == OP_LEAKY_RELU)) snprintf(mu, sizeof mu, "%ld", p->multipliers);
        else snprintf(mu, sizeof mu, "-");
        fprintf(f, "%-14s %-10s %-24s %-28s %-28s %-16s %-26s %11s %6s %9.0f | %-16s %-26s %9.0f%s\n",
                n->name, ir_op_name(n->op), n->op == OP_INPUT ? "-" : ty(p->t.input, true, a, sizeof a),
                ty(p->t.weight, p->t.has_weight, b, sizeof b), ty(p->t.bias, p->t.has_bias, c, sizeof c),
                ty(p->t.accum, p->t.has_accum, d, sizeof d), ty(p->t.result, true, e, sizeof e), nz,
                mu, p->t.ebops, ty(p->cons.accum, p->cons.has_accum, g, sizeof g),
                ty(p->cons.result, true, h, sizeof h), p->cons.ebops, p->guaranteed ? "" : "  (not guaranteed)");
    }
    Totals t = totals(m);
    fprintf(f, "\ntotals: EBOPs %.0f (conservative %.0f", t.ebops, t.cons_ebops);
    if (t.cons_ebops > 0) fprintf(f, ", %.1f%% saved", 100.0 * (1.0 - t.ebops / t.cons_ebops));
    fprintf(f, "); accumulator bits %d (conservative %d)", t.acc_bits, t.cons_acc_bits);
    if (w) fprintf(f, "; non-zero weights %ld of %ld; multipliers %ld", t.nonzero, t.weights, t.multipliers);
    else fprintf(f, "; EBOPs estimated from the pruning targets");
    fputc('\n', f);
    if (t.not_guaranteed) fprintf(f, "guarantee: %d layer(s) NOT guaranteed to equal the trained quantized model (see notes)\n", t.not_guaranteed);
    else fprintf(f, "guarantee: every layer computes exactly what the trained quantized model computes\n");
    int nfloat = 0, nobs = 0;
    for (int i = 0; i < m->nnodes; i++) { nfloat += m->nodes[i]->prec->fallback_on; nobs += m->nodes[i]->prec->has_observed; }
    if (nfloat)
        fprintf(f, "float parts: %d unquantized sum(s) with rounded types (docs/precision.md, \"Float parts\"); "
                   "result types from %s; the training program writes the largest |firmware - float| it observes "
                   "on the test split to eval/summary.json (error_vs_float)\n", nfloat,
                nobs ? "the observed ranges (--observed), one more integer bit" : "the worst-case ranges (no --observed)");
    fprintf(f, "EBOPs: sum over non-zero weights of bits(input) x bits(weight), sign bits excluded\n");
    rtl_txt(f, m, t.ebops);

    fprintf(f, "\nwhy, per layer\n");
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        char r[192];
        fprintf(f, "\n%s (%s%s%d)\n", n->name, ir_op_name(n->op), n->line ? ", line " : "", n->line);
        if (p->why_weight) fprintf(f, "  weight:       %s\n", p->why_weight);
        if (p->why_bias) fprintf(f, "  bias:         %s\n", p->why_bias);
        if (p->why_accum) fprintf(f, "  accumulator:  %s\n", p->why_accum);
        if (p->why_result) fprintf(f, "  result:       %s\n", p->why_result);
        if (p->has_range) fprintf(f, "  %s %s\n", p->guaranteed ? "guaranteed:  " : "range:       ",
                                  prec_range_str(p->range, r, sizeof r));
        if (p->has_observed) fprintf(f, "  observed:     [%.9g, %.9g]\n", p->obs_lo, p->obs_hi);
        if (p->cons_why) fprintf(f, "  conservative: %s\n", p->cons_why);
        if (p->note) fprintf(f, "  note:         %s\n", p->note);
        if (!p->guaranteed) fprintf(f, "  NOT guaranteed\n");
    }
    write_score_txt(f, m, tg);
    write_hw_txt(f, tg);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void jstr(FILE *f, const char *s) {
    if (!s) { fputs("null", f); return; }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}
static void jtype(FILE *f, const char *key, aedl_fixed t, bool has, bool last) {
    char b[96];
    fprintf(f, "\"%s\": ", key);
    if (!has || t.width <= 0) fputs("null", f);
    else jstr(f, prec_type_str(t, b, sizeof b));
    if (!last) fputs(", ", f);
}
static void jnum(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.17g", v); else fputs("null", f);
}
static void jrange(FILE *f, IrRange r) {
    fputs("{\"lo\": ", f); jnum(f, ldexp((double)r.lo, r.exp));
    fputs(", \"hi\": ", f); jnum(f, ldexp((double)r.hi, r.exp));
    fprintf(f, ", \"step_exp\": %d}", r.exp);
}
static void jtypes(FILE *f, const IrPrecTypes *t, bool input) {
    fputc('{', f);
    jtype(f, "input", t->input, input, false);
    jtype(f, "weight", t->weight, t->has_weight, false);
    jtype(f, "bias", t->bias, t->has_bias, false);
    jtype(f, "accumulator", t->accum, t->has_accum, false);
    jtype(f, "quantizer", t->quant, t->has_quant, false);
    jtype(f, "result", t->result, true, false);
    fputs("\"ebops\": ", f); jnum(f, t->ebops);
    fputc('}', f);
}

static void write_json(FILE *f, const IrModel *m, const IrTarget *tg, const char *weights) {
    IrPrecMode mode = m->nnodes ? m->nodes[0]->prec->mode : PREC_CONSERVATIVE;
    fputs("{\n  \"model\": ", f); jstr(f, m->name);
    fputs(",\n  \"target\": ", f); jstr(f, tg ? tg->name : NULL);
    fputs(",\n  \"precision\": ", f); jstr(f, mode_name(mode));
    fputs(",\n  \"weights\": ", f); jstr(f, weights);
    fputs(",\n  \"layers\": [", f);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        fputs(i ? ",\n    {" : "\n    {", f);
        fputs("\"name\": ", f); jstr(f, n->name);
        fputs(", \"op\": ", f); jstr(f, ir_op_name(n->op));
        fprintf(f, ", \"line\": %d, \"guaranteed\": %s", n->line, p->guaranteed ? "true" : "false");
        fputs(",\n     \"types\": ", f); jtypes(f, &p->t, n->op != OP_INPUT);
        fputs(",\n     \"conservative\": ", f); jtypes(f, &p->cons, n->op != OP_INPUT);
        fputs(",\n     \"reasons\": {\"weight\": ", f); jstr(f, p->why_weight);
        fputs(", \"bias\": ", f); jstr(f, p->why_bias);
        fputs(", \"accumulator\": ", f); jstr(f, p->why_accum);
        fputs(", \"result\": ", f); jstr(f, p->why_result);
        fputs(", \"conservative\": ", f); jstr(f, p->cons_why);
        fputs(", \"note\": ", f); jstr(f, p->note);
        fputs("},\n     \"range\": ", f);
        if (p->has_range) jrange(f, p->range); else fputs("null", f);
        fputs(", \"observed\": ", f);
        if (p->has_observed) { fputs("{\"lo\": ", f); jnum(f, p->obs_lo); fputs(", \"hi\": ", f); jnum(f, p->obs_hi); fputc('}', f); }
        else fputs("null", f);
        fprintf(f, ", \"nonzero\": %ld, \"weights\": %ld, \"multipliers\": %ld", p->nonzero, total_weights(n), p->multipliers);
        fprintf(f, ", \"folded_batchnorm\": %s, \"folded_into_previous\": %s",
                p->folded_bn ? "true" : "false", p->folded_away ? "true" : "false");
        if (p->widest_neuron >= 0) { fprintf(f, ", \"widest_neuron\": {\"index\": %d, \"range\": ", p->widest_neuron); jrange(f, p->widest_range); fputc('}', f); }
        fputc('}', f);
    }
    Totals t = totals(m);
    fputs("\n  ],\n  \"totals\": {\"ebops\": ", f); jnum(f, t.ebops);
    fputs(", \"conservative_ebops\": ", f); jnum(f, t.cons_ebops);
    fprintf(f, ", \"accumulator_bits\": %d, \"conservative_accumulator_bits\": %d, \"nonzero\": %ld, \"weights\": %ld, "
               "\"multipliers\": %ld, \"not_guaranteed\": %d}\n}\n",
            t.acc_bits, t.cons_acc_bits, t.nonzero, t.weights, t.multipliers, t.not_guaranteed);
}

/* ---- HTML ------------------------------------------------------------------------------- */

static void hstr(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}
static void hcell(FILE *f, const char *s) { fputs("<td>", f); hstr(f, s); fputs("</td>", f); }

static void write_html(FILE *f, const IrModel *m, const IrTarget *tg, const char *weights) {
    IrPrecMode mode = m->nnodes ? m->nodes[0]->prec->mode : PREC_CONSERVATIVE;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>precision: ", f);
    hstr(f, m->name);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 6px;font-family:monospace;font-size:90%}"
          "th{background:#eee}.cons{color:#777}.bad{background:#fdd}</style></head><body>\n<h1>Precision report: ", f);
    hstr(f, m->name);
    fprintf(f, "</h1>\n<p>target %s, precision = <b>%s</b>, weights: ", tg ? tg->name : "(none)", mode_name(mode));
    hstr(f, weights ? weights : "none (conservative inference)");
    fputs("</p>\n<table><tr><th>layer</th><th>op</th><th>input</th><th>weight</th><th>bias</th><th>accumulator</th>"
          "<th>result</th><th>guaranteed range</th><th>non-zero</th><th>mult.</th><th>EBOPs</th>"
          "<th class=cons>cons. accumulator</th><th class=cons>cons. result</th><th class=cons>cons. EBOPs</th></tr>\n", f);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        char a[96], r[192], nz[48], num[48];
        fprintf(f, "<tr%s>", p->guaranteed ? "" : " class=bad");
        hcell(f, n->name); hcell(f, ir_op_name(n->op));
        hcell(f, n->op == OP_INPUT ? "-" : ty(p->t.input, true, a, sizeof a));
        hcell(f, ty(p->t.weight, p->t.has_weight, a, sizeof a));
        hcell(f, ty(p->t.bias, p->t.has_bias, a, sizeof a));
        hcell(f, ty(p->t.accum, p->t.has_accum, a, sizeof a));
        hcell(f, ty(p->t.result, true, a, sizeof a));
        hcell(f, p->has_range ? prec_range_str(p->range, r, sizeof r) : "-");
        if (n->op == OP_DENSE) snprintf(nz, sizeof nz, "%ld/%ld", p->nonzero, total_weights(n)); else snprintf(nz, sizeof nz, "-");
        hcell(f, nz);
        snprintf(num, sizeof num, "%ld", p->multipliers); hcell(f, num);
        snprintf(num, sizeof num, "%.0f", p->t.ebops); hcell(f, num);
        hcell(f, ty(p->cons.accum, p->cons.has_accum, a, sizeof a));
        hcell(f, ty(p->cons.result, true, a, sizeof a));
        snprintf(num, sizeof num, "%.0f", p->cons.ebops); hcell(f, num);
        fputs("</tr>\n", f);
    }
    Totals t = totals(m);
    fprintf(f, "</table>\n<p>Totals: EBOPs %.0f (conservative %.0f); accumulator bits %d (conservative %d); "
               "non-zero weights %ld of %ld; multipliers %ld. %s</p>\n",
            t.ebops, t.cons_ebops, t.acc_bits, t.cons_acc_bits, t.nonzero, t.weights, t.multipliers,
            t.not_guaranteed ? "Some layers are NOT guaranteed (marked)." : "Every layer is guaranteed exact.");
    rtl_html(f, t.ebops);
    fputs("<h2>Why</h2>\n<dl>\n", f);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        fputs("<dt><b>", f); hstr(f, n->name); fputs("</b> (", f); hstr(f, ir_op_name(n->op)); fputs(")</dt>\n", f);
        const char *lab[] = {"weight", "bias", "accumulator", "result", "conservative", "note"};
        const char *val[] = {p->why_weight, p->why_bias, p->why_accum, p->why_result, p->cons_why, p->note};
        for (int k = 0; k < 6; k++)
            if (val[k]) { fprintf(f, "<dd>%s: ", lab[k]); hstr(f, val[k]); fputs("</dd>\n", f); }
    }
    fputs("</dl>\n</body></html>\n", f);
}

/* ---- files ------------------------------------------------------------------------------- */

typedef void (*Writer)(FILE *, const IrModel *, const IrTarget *, const char *);

static int write_file(const char *dir, const char *name, Writer fn, const IrModel *m, const IrTarget *t,
                      const char *weights) {
    char *path = prec_strf("%s/%s", dir, name);
    aedl_atomic a;
    int rc = -1;
    if (aedl_atomic_open(&a, path, "w") == 0) {
        fn(a.f, m, t, weights);
        if (ferror(a.f)) aedl_atomic_abort(&a);
        else rc = aedl_atomic_commit(&a);
    }
    if (rc) fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}

int emit_report(const IrModel *m, const IrTarget *t, IrLoss score, const char *dir, const char *weights_path,
                const struct aedl_fw_plan *plan) {
    report_plan = plan;
    for (int i = 0; i < m->nnodes; i++)
        if (!m->nodes[i]->prec) { fprintf(stderr, "aedlc: error: the report needs precision inference first\n"); return -1; }
    report_dir = dir;
    report_score = score;
    bool *used = xcalloc((size_t)m->nnodes + 1, sizeof *used);
    plan_used_nodes(m, t, score, used);
    report_used = used;
    char *rdir = prec_strf("%s/report", dir);
    if (aedl_mkdirs(rdir)) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", rdir, strerror(errno));
        free(rdir);
        free(used);
        report_used = NULL;
        return -1;
    }
    int rc = write_file(rdir, "precision.txt", write_txt, m, t, weights_path);
    if (!rc) rc = write_file(rdir, "precision.json", write_json, m, t, weights_path);
    if (!rc) rc = write_file(rdir, "precision.html", write_html, m, t, weights_path);
    free(rdir);
    free(used);
    report_used = NULL;
    return rc;
}
