/* html.c — DIR/report/index.html: the run's numbers, the plots, the weights
 * and precision tables, links to precision.html/.txt.  One self-contained
 * file next to the PNGs (relative links: it can be copied with them).  A small
 * script marks on <body data-images-loaded="OK/ALL"> how many images loaded
 * (tests/report/index.sh reads it in headless Chromium). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "report.h"
#include "util.h"

void rep_html_esc(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void num(FILE *f, const char *fmt, double v) {
    char b[64];
    fputs(rep_fmt(b, sizeof b, fmt, v), f);
}

static int exists(const char *dir, const char *rel) {
    char *p = rep_path(dir, rel);
    struct stat sb;
    int ok = stat(p, &sb) == 0;
    free(p);
    return ok;
}

static const char *const variants[] = { "float", "quantized", "firmware" };

/* The score in firmware (target output = score): the threshold at the trigger
   rate, as a value of the score's firmware type and its bit pattern, and the
   TPR of each signal at it (summary.json firmware.score_output). */
static void trigger_row(const json *so, FILE *f) {
    if (!so) return;
    double T = json_num(json_get(so, "threshold"), NAN), bits = json_num(json_get(so, "threshold_bits"), NAN);
    fprintf(f, "<tr><th>trigger (score in firmware)</th><td>");
    rep_html_esc(f, json_str(json_get(so, "score"), "?"));
    char r1[32], r2[32];
    fprintf(f, " at %s of %s (FPR %g): ", rep_fmt_rate(r1, sizeof r1, json_num(json_get(so, "trigger_rate"), NAN)),
            rep_fmt_rate(r2, sizeof r2, json_num(json_get(so, "bunch_rate"), NAN)), json_num(json_get(so, "fpr"), NAN));
    if (!isfinite(T) || !isfinite(bits)) {
        fprintf(f, "no threshold (no background test events)</td></tr>\n");
        return;
    }
    fprintf(f, "fires when <code>");
    rep_html_esc(f, json_str(json_get(so, "decision"), "?"));
    fprintf(f, "</code> with threshold <b>%.17g</b> = <code>", T);
    rep_html_esc(f, json_str(json_get(so, "type"), "?"));
    fprintf(f, "</code> bits %.0f (0x%llx); %.0f of %.0f background test events fire.<br>TPR at it:",
            bits, (unsigned long long)bits, json_num(json_get(so, "background_fired"), NAN),
            json_num(json_get(so, "background_events"), NAN));
    const json *tpr = json_get(so, "tpr");
    for (int i = 0; i < json_len(tpr); i++) {
        fprintf(f, "%s ", i ? "," : "");
        rep_html_esc(f, tpr->keys[i]);
        fprintf(f, " <b>");
        num(f, "%.4g", json_num(tpr->items[i], NAN));
        fprintf(f, "</b>");
    }
    fprintf(f, " (the emulator over the whole test split and signal files)</td></tr>\n");
}

static void summary_table(rep *R, FILE *f) {
    const json *S = R->summary;
    if (!S) {
        fprintf(f, "<p class=\"note\">No eval/summary.json: the evaluation did not run.</p>\n");
        return;
    }
    fprintf(f, "<table class=\"kv\">\n<tr><th>source</th><td>");
    rep_html_esc(f, json_str(json_get(S, "source"), "?"));
    fprintf(f, "</td></tr>\n<tr><th>weights</th><td>");
    rep_html_esc(f, json_str(json_get(S, "weights"), "?"));
    fprintf(f, "</td></tr>\n<tr><th>epochs</th><td>%.0f", json_num(json_get(S, "epochs"), 0));
    const char *stop = json_str(json_get(S, "stopped"), NULL);
    if (stop) { fprintf(f, " (stopped: "); rep_html_esc(f, stop); fprintf(f, ")"); }
    fprintf(f, "</td></tr>\n<tr><th>test split</th><td>%.0f background events; score ",
            json_num(json_get(S, "test_events"), 0));
    rep_html_esc(f, json_str(json_get(S, "score"), "?"));
    fprintf(f, "</td></tr>\n<tr><th>firmware emulation</th><td>");
    const json *fw = json_get(S, "firmware");
    const json *fe = json_get(fw, "error_vs_float");
    if (json_num(json_get(fw, "available"), 0) && json_get(fw, "guaranteed") && !json_num(json_get(fw, "guaranteed"), 1)) {
        /* float parts: no guarantee; the error against the float model instead */
        fprintf(f, "<b>not guaranteed</b> (float parts: types from the observed ranges, see "
                   "<a href=\"precision.txt\">precision.txt</a>); against the float model on %.0f test events: "
                   "max |firmware - float| <b>%.4g</b>, mean %.4g",
                json_num(json_get(fw, "test_events"), 0), json_num(json_get(fe, "max"), NAN),
                json_num(json_get(fe, "mean"), NAN));
        double sat = json_num(json_get(fe, "test_events_input_saturated"), 0);
        if (sat > 0)
            fprintf(f, "; %.0f test event(s) have an input outside the input type (the firmware saturates it): "
                       "max on the others %.4g", sat, json_num(json_get(fe, "max_inputs_in_range"), NAN));
    } else if (json_num(json_get(fw, "available"), 0)) {
        double eq = json_num(json_get(fw, "equal_to_quantized"), 0), n = json_num(json_get(fw, "test_events"), 0);
        fprintf(f, "equals the quantized model on <b>%.0f of %.0f</b> test events%s", eq, n,
                eq == n ? " (bit for bit)" : " <span class=\"bad\">MISMATCH</span>");
    } else {
        fprintf(f, "not available: ");
        rep_html_esc(f, json_str(json_get(fw, "note"), "?"));
    }
    fprintf(f, "</td></tr>\n");
    trigger_row(json_get(fw, "score_output"), f);
    const json *tot = json_get(R->precision, "totals");
    if (tot) {
        fprintf(f, "<tr><th>EBOPs</th><td>%.0f (conservative widths: %.0f); %.0f of %.0f weights "
                   "non-zero, %.0f multipliers</td></tr>\n",
                json_num(json_get(tot, "ebops"), NAN), json_num(json_get(tot, "conservative_ebops"), NAN),
                json_num(json_get(tot, "nonzero"), NAN), json_num(json_get(tot, "weights"), NAN),
                json_num(json_get(tot, "multipliers"), NAN));
    }
    const json *rt = json_get(R->resources, "total");
    if (rt || R->design) {
        fprintf(f, "<tr><th>RTL</th><td>");
        if (rt) {
            double lut = json_num(json_get(rt, "lut"), NAN), eb = json_num(json_get(tot, "ebops"), NAN);
            fprintf(f, "%.0f LUT, %.0f FF, %.0f DSP, %.0f carry cells; LUT / EBOPs <b>%.3f</b> "
                       "(yosys estimates, not vendor place-and-route figures: <code>rtl/resources.json</code>); ",
                    lut, json_num(json_get(rt, "ff"), NAN), json_num(json_get(rt, "dsp"), NAN),
                    json_num(json_get(rt, "carry"), NAN), eb > 0 ? lut / eb : NAN);
        } else {
            fprintf(f, "no synthesis yet (<code>make -C rtl synth</code>); ");
        }
        if (R->design)
            fprintf(f, "latency %.0f cycles (%g ns at %g ns), initiation interval 1 (the emitter's delay model)",
                    json_num(json_get(R->design, "latency_cycles"), NAN), json_num(json_get(R->design, "latency_ns"), NAN),
                    json_num(json_get(R->design, "clock_period_ns"), NAN));
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n");

    const json *sig = json_get(S, "signals");
    if (!json_len(sig)) return;
    /* the FPR targets, from the first signal */
    const json *tl = json_get(json_get(sig->items[0], "float"), "tpr_at_fpr");
    int nf = json_len(tl);
    fprintf(f, "<table class=\"grid\">\n<tr><th rowspan=\"2\">signal</th><th rowspan=\"2\">events</th>");
    for (int v = 0; v < 3; v++) fprintf(f, "<th colspan=\"%d\">%s</th>", 1 + nf, variants[v]);
    fprintf(f, "</tr>\n<tr>");
    for (int v = 0; v < 3; v++) {
        fprintf(f, "<th>AUC</th>");
        for (int k = 0; k < nf; k++)
            fprintf(f, "<th>TPR at FPR %g</th>", json_num(json_get(json_at(tl, k), "fpr"), NAN));
    }
    fprintf(f, "</tr>\n");
    for (int s = 0; s < sig->n; s++) {
        fprintf(f, "<tr><td>");
        rep_html_esc(f, sig->keys[s]);
        fprintf(f, "</td><td>%.0f</td>", json_num(json_get(sig->items[s], "events"), 0));
        for (int v = 0; v < 3; v++) {
            const json *V = json_get(sig->items[s], variants[v]);
            fprintf(f, "<td>");
            num(f, "%.4f", json_num(json_get(V, "auc"), NAN));
            fprintf(f, "</td>");
            for (int k = 0; k < nf; k++) {
                const json *t = json_at(json_get(V, "tpr_at_fpr"), k);
                const char *why = json_str(json_get(t, "reason"), json_str(json_get(t, "note"), NULL));
                fprintf(f, "<td");
                if (why) { fprintf(f, " title=\""); rep_html_esc(f, why); fprintf(f, "\""); }
                fprintf(f, ">");
                num(f, "%.4g", json_num(json_get(t, "tpr"), NAN));
                if (why) fprintf(f, "*");
                fprintf(f, "</td>");
            }
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<p class=\"small\">* a note applies (hover): an FPR that rests on few "
               "background events, or one the test split cannot measure.</p>\n");
    const json *vae = json_get(S, "vae"), *names = json_get(vae, "scores");
    if (!json_len(names)) return;
    /* a VAE: every score of the float model and QI (the table above is the train block's score) */
    fprintf(f, "<p>A variational autoencoder (sample layer <code>");
    rep_html_esc(f, json_str(json_get(vae, "sample"), "?"));
    fprintf(f, "</code>, beta %g, reco_weight %g): every score, AUC and TPR per signal.</p>\n",
            json_num(json_get(vae, "beta"), NAN), json_num(json_get(vae, "reco_weight"), NAN));
    fprintf(f, "<table class=\"grid\">\n<tr><th rowspan=\"2\">signal</th><th rowspan=\"2\">score</th>");
    for (int v = 0; v < 2; v++) fprintf(f, "<th colspan=\"%d\">%s</th>", 1 + nf, variants[v]);
    fprintf(f, "</tr>\n<tr>");
    for (int v = 0; v < 2; v++) {
        fprintf(f, "<th>AUC</th>");
        for (int k = 0; k < nf; k++) fprintf(f, "<th>TPR at FPR %g</th>", json_num(json_get(json_at(tl, k), "fpr"), NAN));
    }
    fprintf(f, "</tr>\n");
    for (int s = 0; s < sig->n; s++)
        for (int k = 0; k < json_len(names); k++) {
            const char *sn = json_str(json_at(names, k), "?");
            const json *sc = json_get(json_get(sig->items[s], "scores"), sn);
            fprintf(f, "<tr><td>");
            rep_html_esc(f, sig->keys[s]);
            fprintf(f, "</td><td>");
            rep_html_esc(f, sn);
            fprintf(f, "</td>");
            for (int v = 0; v < 2; v++) {
                const json *V = json_get(sc, variants[v]);
                fprintf(f, "<td>");
                num(f, "%.4f", json_num(json_get(V, "auc"), NAN));
                fprintf(f, "</td>");
                for (int q = 0; q < nf; q++) {
                    fprintf(f, "<td>");
                    num(f, "%.4g", json_num(json_get(json_at(json_get(V, "tpr_at_fpr"), q), "tpr"), NAN));
                    fprintf(f, "</td>");
                }
            }
            fprintf(f, "</tr>\n");
        }
    fprintf(f, "</table>\n");
}

/* Dense layers: shape, zeros, and the precision report's types. */
static void weights_table(rep *R, FILE *f) {
    if (R->nlayers == 0) return;
    fprintf(f, "<table class=\"grid\">\n<tr><th>layer</th><th>kernel</th><th>zeros (pruned)</th>"
               "<th>non-zero after quantization</th><th>weight type</th><th>accumulator</th>"
               "<th>result</th><th>EBOPs</th>%s</tr>\n",
            R->resources ? "<th>LUT (yosys)</th><th>LUT / EBOPs</th>" : "");
    const json *layers = json_get(R->precision, "layers");
    const json *rl = json_get(R->resources, "layers");
    for (int l = 0; l < R->nlayers; l++) {
        const rep_layer *L = &R->layers[l];
        long n = (long)L->n_in * L->units;
        const json *P = NULL;
        for (int i = 0; i < json_len(layers); i++)
            if (!strcmp(json_str(json_get(json_at(layers, i), "name"), ""), L->name)) P = json_at(layers, i);
        fprintf(f, "<tr><td>");
        rep_html_esc(f, L->name);
        fprintf(f, "</td><td>%d x %d</td><td>%ld (%.1f%%)</td><td>", L->n_in, L->units, L->zeros,
                100.0 * (double)L->zeros / (double)n);
        if (P) fprintf(f, "%.0f of %.0f", json_num(json_get(P, "nonzero"), NAN), json_num(json_get(P, "weights"), NAN));
        fprintf(f, "</td>");
        const char *keys[] = { "weight", "accumulator", "result" };
        for (int k = 0; k < 3; k++) {
            fprintf(f, "<td><code>");
            rep_html_esc(f, json_str(json_path(P, "types", keys[k], NULL), ""));
            fprintf(f, "</code></td>");
        }
        fprintf(f, "<td>");
        if (P) num(f, "%.0f", json_num(json_path(P, "types", "ebops", NULL), NAN));
        fprintf(f, "</td>");
        if (R->resources) {
            const json *Q = NULL;
            for (int i = 0; i < json_len(rl); i++)
                if (!strcmp(json_str(json_get(json_at(rl, i), "name"), ""), L->name)) Q = json_at(rl, i);
            double lut = json_num(json_get(Q, "lut"), NAN), eb = json_num(json_path(P, "types", "ebops", NULL), NAN);
            fprintf(f, "<td>");
            num(f, "%.0f", lut);
            fprintf(f, "</td><td>");
            num(f, "%.3f", eb > 0 ? lut / eb : NAN);
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n");
    if (R->resources) fprintf(f, "<p class=\"small\">LUT: yosys estimates (synth_xilinx), not vendor place-and-route figures.</p>\n");
}

static void precision_section(rep *R, FILE *f) {
    fprintf(f, "<h2 id=\"precision\">Precision</h2>\n");
    if (!exists(R->rdir, "precision.txt")) {
        fprintf(f, "<p class=\"note\">No report/precision.txt (aedlc --emit report did not run).</p>\n");
        return;
    }
    fprintf(f, "<p>Every fixed-point width of the firmware and the reason for it: "
               "<a href=\"precision.html\">precision.html</a> (table), "
               "<a href=\"precision.txt\">precision.txt</a>, "
               "<a href=\"precision.json\">precision.json</a>.</p>\n<pre class=\"prec\">");
    char *p = rep_path(R->rdir, "precision.txt");
    FILE *in = fopen(p, "r");
    free(p);
    if (in) {
        char buf[4096];
        size_t total = 0;
        while (fgets(buf, sizeof buf, in) && total < (1u << 20)) { rep_html_esc(f, buf); total += strlen(buf); }
        fclose(in);
    }
    fprintf(f, "</pre>\n");
}

static void plots_section(rep *R, FILE *f, const char *section, const char *id) {
    int any = 0;
    for (int i = 0; i < R->nplots; i++) {
        rep_plot *P = &R->plots[i];
        if (strcmp(P->section, section) != 0) continue;
        if (!any) fprintf(f, "<h2 id=\"%s\">%s</h2>\n<div class=\"plots\">\n", id, section);
        any = 1;
        fprintf(f, "<figure>");
        if (P->drawn) {
            fprintf(f, "<a href=\"");
            rep_html_esc(f, P->png);
            fprintf(f, "\"><img src=\"");
            rep_html_esc(f, P->png);
            fprintf(f, "\" alt=\"");
            rep_html_esc(f, P->png);
            fprintf(f, "\"></a>");
        } else {
            fprintf(f, "<div class=\"missing\">");
            rep_html_esc(f, P->png);
            fprintf(f, " was not drawn (see the notes below)</div>");
        }
        fprintf(f, "<figcaption>%s</figcaption></figure>\n", P->caption);
    }
    if (any) fprintf(f, "</div>\n");
}

int rep_write_index(rep *R) {
    char *path = rep_path(R->rdir, "index.html");
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0) {
        fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, path, strerror(errno));
        free(path);
        return -1;
    }
    FILE *f = a.f;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    rep_html_esc(f, R->model);
    fprintf(f, " - aedlc report</title>\n<style>\n"
               "body { font-family: sans-serif; margin: 1.5em auto; max-width: 1300px; color: #222; }\n"
               "h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }\n"
               "table { border-collapse: collapse; margin: 0.6em 0; }\n"
               "table.grid td, table.grid th { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }\n"
               "table.grid td:first-child { text-align: left; }\n"
               "table.kv th { text-align: left; padding-right: 1em; vertical-align: top; }\n"
               ".plots { display: flex; flex-wrap: wrap; gap: 12px; }\n"
               "figure { margin: 0; max-width: 100%%; } figure img { max-width: 100%%; border: 1px solid #ddd; }\n"
               "figcaption { font-size: 0.9em; color: #444; max-width: 640px; }\n"
               ".missing { padding: 2em; background: #fee; border: 1px solid #c88; }\n"
               ".note, .bad { color: #a00; } .small { font-size: 0.85em; color: #555; }\n"
               "pre.prec { font-size: 0.8em; background: #f6f6f6; padding: 0.6em; overflow-x: auto; }\n"
               "nav a { margin-right: 1em; }\n</style>\n</head>\n<body>\n<h1>");
    rep_html_esc(f, R->model);
    fprintf(f, "</h1>\n<p class=\"small\">aedlc training report of <code>");
    rep_html_esc(f, R->dir);
    fprintf(f, "</code>; <span id=\"imgcheck\">images not checked (JavaScript off)</span></p>\n"
               "<nav><a href=\"#summary\">summary</a><a href=\"#training\">training</a>"
               "<a href=\"#scores\">scores</a><a href=\"#roc\">ROC</a><a href=\"#weights\">weights</a>"
               "<a href=\"#residuals\">residuals</a><a href=\"#precision\">precision</a>"
               "<a href=\"#files\">files</a></nav>\n<h2 id=\"summary\">Summary</h2>\n");
    summary_table(R, f);
    plots_section(R, f, "Training", "training");
    plots_section(R, f, "Anomaly scores", "scores");
    plots_section(R, f, "ROC curves", "roc");
    plots_section(R, f, "Weights", "weights");
    weights_table(R, f);
    plots_section(R, f, "Residuals", "residuals");
    precision_section(R, f);
    if (R->nnotes) {
        fprintf(f, "<h2 id=\"notes\">Notes</h2>\n<ul class=\"note\">\n");
        for (int i = 0; i < R->nnotes; i++) { fprintf(f, "<li>"); rep_html_esc(f, R->notes[i]); fprintf(f, "</li>\n"); }
        fprintf(f, "</ul>\n");
    }
    fprintf(f, "<h2 id=\"files\">Files</h2>\n<table class=\"kv\">\n");
    static const struct { const char *rel, *what; } files[] = {
        { "../history.csv", "loss, val_loss, learning rate, sparsity (all, per layer), seconds per epoch" },
        { "../eval/summary.json", "AUC, TPR at FPR, firmware check (float / quantized / firmware)" },
        { "../eval/scores_hist.csv", "score histograms" },
        { "../eval/residuals_hist.csv", "residual histograms" },
        { "../hls/", "the firmware project (make -C hls csim)" },
        { "precision.html", "precision report" },
        { "plots/", "gnuplot data (.dat) and scripts (.gp): cd report &amp;&amp; gnuplot plots/NAME.gp" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!exists(R->rdir, files[i].rel)) continue;
        fprintf(f, "<tr><th><a href=\"%s\">%s</a></th><td>%s</td></tr>\n", files[i].rel, files[i].rel,
                files[i].what);
    }
    fprintf(f, "</table>\n"
               "<script>\n"
               "window.addEventListener('load', function () {\n"
               "  var im = document.images, ok = 0;\n"
               "  for (var i = 0; i < im.length; i++)\n"
               "    if (im[i].complete && im[i].naturalWidth > 0) ok++;\n"
               "    else im[i].setAttribute('data-broken', '1');\n"
               "  document.body.setAttribute('data-images-loaded', ok + '/' + im.length);\n"
               "  document.getElementById('imgcheck').textContent = ok + ' of ' + im.length + ' images loaded';\n"
               "});\n</script>\n</body>\n</html>\n");
    int rc = aedl_atomic_commit(&a);
    if (rc != 0) fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, path, strerror(errno));
    free(path);
    return rc ? -1 : 0;
}
