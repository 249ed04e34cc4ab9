/* main.c — aedl-report: plots and index.html of a training run (report.h),
 * and two text summaries for `make demo`.
 *
 *   aedl-report [--quiet] DIR            DIR/report: PNGs, plots/, index.html
 *   aedl-report --summary DIR            epochs, firmware check, the trigger threshold
 *                                        (target output = score), sparsity, EBOPs
 *                                        (of a scan folder: its table)
 *   aedl-report --scan DIR               a scan's results.csv, results.json,
 *                                        index.html and table (scan.c)
 *   aedl-report --compare LABEL=DIR:VARIANT ...
 *                                        AUC and TPR at FPR per signal, one column
 *                                        per run and variant (float, quantized, firmware;
 *                                        trigger: the TPR at the score's threshold)
 *
 * Exit status: 0 done (missing inputs are notes in index.html), 1 when DIR is
 * not there or a file cannot be written, 2 usage errors.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "proc.h"
#include "report.h"
#include "util.h"

static const char usage_text[] =
    "usage: aedl-report [--quiet] DIR\n"
    "       aedl-report --summary DIR\n"
    "       aedl-report --scan DIR\n"
    "       aedl-report --compare LABEL=DIR:VARIANT [LABEL=DIR:VARIANT ...]\n"
    "\n"
    "DIR is a training run's output folder (-o DIR of the training executable).\n"
    "The first form draws the plots with gnuplot into DIR/report/*.png (data and\n"
    "scripts in DIR/report/plots/) and writes DIR/report/index.html.\n"
    "--summary prints the run's epochs, firmware check, the trigger threshold and TPR\n"
    "per signal (a firmware that outputs the score), sparsity per layer and EBOPs\n"
    "(for the output folder of aedlc scan: the table of its points).\n"
    "--scan gathers the points of aedlc scan's output folder DIR into\n"
    "DIR/scan/results.csv, results.json and index.html, and prints the table.\n"
    "--compare prints AUC and TPR at FPR per signal; VARIANT is float, quantized or\n"
    "firmware (the three evaluations of eval/summary.json), or trigger: the firmware's\n"
    "AUC and the TPR at the threshold of the score in firmware (target output = score)\n"
    "for the target's trigger rate.\n";

/* ---------------------------------------------------------------- helpers (report.h) */

char *rep_path(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

void rep_note(rep *R, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    R->notes = xrealloc(R->notes, (size_t)(R->nnotes + 1) * sizeof *R->notes);
    R->notes[R->nnotes++] = xstrdup(buf);
}

void rep_add_plot(rep *R, const char *section, const char *png, const char *caption, int drawn) {
    R->plots = xrealloc(R->plots, (size_t)(R->nplots + 1) * sizeof *R->plots);
    rep_plot *P = &R->plots[R->nplots++];
    P->section = xstrdup(section);
    P->png = xstrdup(png);
    P->caption = xstrdup(caption);
    P->drawn = drawn;
}

int rep_csv_split(char *line, char **fields, int max) {
    line[strcspn(line, "\r\n")] = 0;
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

const char *rep_fmt(char *buf, size_t n, const char *fmt, double v) {
    if (!isfinite(v)) snprintf(buf, n, "n/a");
    else snprintf(buf, n, fmt, v);
    return buf;
}

const char *rep_fmt_rate(char *buf, size_t n, double hz) {
    if (!isfinite(hz)) snprintf(buf, n, "n/a");
    else if (hz >= 1e9) snprintf(buf, n, "%g GHz", hz / 1e9);
    else if (hz >= 1e6) snprintf(buf, n, "%g MHz", hz / 1e6);
    else if (hz >= 1e3) snprintf(buf, n, "%g kHz", hz / 1e3);
    else snprintf(buf, n, "%g Hz", hz);
    return buf;
}

static int is_dir(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static json *load_json(const char *dir, const char *rel, rep *R) {
    char *p = rep_path(dir, rel), err[1024];
    json *j = json_parse_file(p, err, sizeof err);
    if (!j && R) rep_note(R, "%s", err);
    free(p);
    return j;
}

/* Fills model, summary, precision, weights of R for DIR. */
static void load_run(rep *R, const char *dir) {
    R->dir = dir;
    R->rdir = rep_path(dir, "report");
    R->summary = load_json(dir, "eval/summary.json", R);
    R->precision = load_json(dir, "report/precision.json", R);
    R->resources = load_json(dir, "rtl/resources.json", NULL);    /* optional: no note */
    R->design = load_json(dir, "rtl/design.json", NULL);
    const char *m = json_str(json_get(R->summary, "model"), json_str(json_get(R->precision, "model"), NULL));
    if (!m) {
        const char *s = strrchr(dir, '/');
        m = s && s[1] ? s + 1 : dir;
    }
    R->model = xstrdup(m);
    const char *w = json_str(json_get(R->summary, "weights"), NULL);
    struct stat sb;
    if (w && stat(w, &sb) == 0) R->weights_path = xstrdup(w);
    else {
        size_t n = strlen(R->model) + 16;
        char *name = xmalloc(n);
        snprintf(name, n, "%s.weights.h5", R->model);
        R->weights_path = rep_path(dir, name);
        free(name);
        if (stat(R->weights_path, &sb) != 0) {
            rep_note(R, "no weights file %s: no weight histograms", R->weights_path);
            free(R->weights_path);
            R->weights_path = NULL;
        }
    }
    if (R->weights_path) {
        char err[1024];
        if (rep_read_weights(R, R->weights_path, err, sizeof err) != 0) rep_note(R, "%s", err);
    }
}

static void free_run(rep *R) {
    json_free(R->summary);
    json_free(R->precision);
    json_free(R->resources);
    json_free(R->design);
    for (int i = 0; i < R->nlayers; i++) {
        free(R->layers[i].name); free(R->layers[i].kernel); free(R->layers[i].mask);
    }
    free(R->layers);
    for (int i = 0; i < R->nplots; i++) {
        free(R->plots[i].section); free(R->plots[i].png); free(R->plots[i].caption);
    }
    free(R->plots);
    for (int i = 0; i < R->nnotes; i++) free(R->notes[i]);
    free(R->notes);
    free(R->model); free(R->weights_path); free(R->rdir);
}

/* ---------------------------------------------------------------- the report */

static int report(const char *dir, int quiet) {
    if (!is_dir(dir)) {
        fprintf(stderr, "aedl-report: error: %s is not a folder\n", dir);
        return 1;
    }
    char err[4400];
    if (aedl_outdir_lock(dir, err, sizeof err) != 0) {
        fprintf(stderr, "aedl-report: error: %s\n", err);
        return 1;
    }
    rep R;
    memset(&R, 0, sizeof R);
    R.quiet = quiet;
    load_run(&R, dir);
    char *pd = rep_path(R.rdir, "plots");
    if (aedl_mkdirs(pd) != 0) {
        fprintf(stderr, "aedl-report: error: cannot create %s: %s\n", pd, strerror(errno));
        free(pd);
        free_run(&R);
        return 1;
    }
    free(pd);
    rep_detect_gnuplot(&R);
    rep_plots(&R);
    int rc = rep_write_index(&R);
    if (!quiet) {
        int drawn = 0;
        for (int i = 0; i < R.nplots; i++) drawn += R.plots[i].drawn;
        printf("%s/index.html: %d plot(s)", R.rdir, drawn);
        for (int i = 0; i < R.nplots; i++) if (R.plots[i].drawn) printf(" %s", R.plots[i].png);
        printf("\n");
        fflush(stdout);
        for (int i = 0; i < R.nnotes; i++) fprintf(stderr, "aedl-report: note: %s\n", R.notes[i]);
    }
    free_run(&R);
    return rc ? 1 : 0;
}

/* ---------------------------------------------------------------- --summary */

static int summary(const char *dir) {
    if (!is_dir(dir)) {
        fprintf(stderr, "aedl-report: error: %s is not a folder\n", dir);
        return 1;
    }
    rep R;
    memset(&R, 0, sizeof R);
    load_run(&R, dir);
    const json *S = R.summary;
    printf("%s (%s): ", R.model, dir);
    if (S) {
        printf("%.0f epoch(s)", json_num(json_get(S, "epochs"), 0));
        const char *stop = json_str(json_get(S, "stopped"), NULL);
        if (stop) printf(" (%s)", stop);
        const json *fw = json_get(S, "firmware");
        if (json_num(json_get(fw, "available"), 0) && json_get(fw, "guaranteed") && !json_num(json_get(fw, "guaranteed"), 1))
            printf("; firmware not guaranteed (float parts): max |fw - float| %.4g, mean %.4g on %.0f test events",
                   json_num(json_get(json_get(fw, "error_vs_float"), "max"), NAN),
                   json_num(json_get(json_get(fw, "error_vs_float"), "mean"), NAN),
                   json_num(json_get(fw, "test_events"), 0));
        else if (json_num(json_get(fw, "available"), 0))
            printf("; firmware emulation == quantized model on %.0f of %.0f test events",
                   json_num(json_get(fw, "equal_to_quantized"), 0), json_num(json_get(fw, "test_events"), 0));
        else
            printf("; no firmware emulation (%s)", json_str(json_get(fw, "note"), "?"));
        const json *so = json_get(fw, "score_output");
        double T = json_num(json_get(so, "threshold"), NAN);
        if (so && isfinite(T)) {
            char r1[32], r2[32];
            printf("\n  trigger (%s in firmware) at %s of %s (FPR %g): fires when %s, threshold %.17g (%s, bits %.0f); "
                   "%.0f of %.0f background test events fire; TPR",
                   json_str(json_get(so, "score"), "?"),
                   rep_fmt_rate(r1, sizeof r1, json_num(json_get(so, "trigger_rate"), NAN)),
                   rep_fmt_rate(r2, sizeof r2, json_num(json_get(so, "bunch_rate"), NAN)),
                   json_num(json_get(so, "fpr"), NAN), json_str(json_get(so, "decision"), "?"), T,
                   json_str(json_get(so, "type"), "?"), json_num(json_get(so, "threshold_bits"), NAN),
                   json_num(json_get(so, "background_fired"), NAN), json_num(json_get(so, "background_events"), NAN));
            const json *tpr = json_get(so, "tpr");
            for (int i = 0; i < json_len(tpr); i++)
                printf("%s %s %.4g", i ? "," : "", tpr->keys[i], json_num(tpr->items[i], NAN));
        } else if (so) {
            printf("\n  trigger: no threshold (no background test events)");
        }
    } else {
        printf("no eval/summary.json");
    }
    printf("\n  sparsity:");
    for (int i = 0; i < R.nlayers; i++) {
        const rep_layer *L = &R.layers[i];
        printf("%s %s %.1f%%", i ? "," : "", L->name, 100.0 * (double)L->zeros / ((double)L->n_in * L->units));
    }
    if (!R.nlayers) printf(" (no weights file)");
    const json *tot = json_get(R.precision, "totals");
    if (tot)
        printf("\n  EBOPs %.0f (conservative widths: %.0f); %.0f of %.0f weights non-zero after "
               "quantization; %s precision",
               json_num(json_get(tot, "ebops"), NAN), json_num(json_get(tot, "conservative_ebops"), NAN),
               json_num(json_get(tot, "nonzero"), NAN), json_num(json_get(tot, "weights"), NAN),
               json_str(json_get(R.precision, "precision"), "?"));
    else
        printf("\n  no report/precision.json");
    const json *rt = json_get(R.resources, "total");
    if (rt) {
        double lut = json_num(json_get(rt, "lut"), NAN), eb = json_num(json_get(tot, "ebops"), NAN);
        printf("\n  RTL: %.0f LUT, %.0f FF, %.0f DSP; LUT / EBOPs %.3f (yosys estimates, not vendor place-and-route)",
               lut, json_num(json_get(rt, "ff"), NAN), json_num(json_get(rt, "dsp"), NAN), eb > 0 ? lut / eb : NAN);
    }
    if (R.design)
        printf("%s latency %.0f cycles (%g ns), initiation interval 1", rt ? ";" : "\n  RTL:",
               json_num(json_get(R.design, "latency_cycles"), NAN), json_num(json_get(R.design, "latency_ns"), NAN));
    printf("\n");
    free_run(&R);
    return 0;
}

/* ---------------------------------------------------------------- --compare */

typedef struct { char *label, *dir, *variant; json *s; } column;

static int compare(int n, char **args) {
    column *C = xcalloc((size_t)n, sizeof *C);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char *a = xstrdup(args[i]);
        char *eq = strchr(a, '='), *colon = strrchr(a, ':');
        if (!eq || !colon || colon < eq) {
            fprintf(stderr, "aedl-report: error: --compare wants LABEL=DIR:VARIANT, not '%s'\n", args[i]);
            free(a);
            rc = 2;
            break;
        }
        *eq = 0; *colon = 0;
        C[i].label = a; C[i].dir = eq + 1; C[i].variant = colon + 1;
        if (strcmp(C[i].variant, "float") && strcmp(C[i].variant, "quantized") && strcmp(C[i].variant, "firmware") &&
            strcmp(C[i].variant, "trigger")) {
            fprintf(stderr, "aedl-report: error: variant '%s' in '%s': float, quantized, firmware or trigger\n",
                    C[i].variant, args[i]);
            rc = 2;
            break;
        }
        char *p = rep_path(C[i].dir, "eval/summary.json"), err[1024];
        C[i].s = json_parse_file(p, err, sizeof err);
        free(p);
        if (!C[i].s) { fprintf(stderr, "aedl-report: error: %s\n", err); rc = 1; break; }
        if (!strcmp(C[i].variant, "trigger") && !json_get(json_get(C[i].s, "firmware"), "score_output")) {
            fprintf(stderr, "aedl-report: error: %s: no trigger threshold in its eval/summary.json (the firmware "
                            "outputs the score only with `output = score` in the target block)\n", C[i].dir);
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        const json *sig0 = json_get(C[0].s, "signals");
        const json *tl = json_get(json_get(json_len(sig0) ? sig0->items[0] : NULL, "float"), "tpr_at_fpr");
        double fpr = json_num(json_get(json_at(tl, 0), "fpr"), NAN);
        char fh[32];
        snprintf(fh, sizeof fh, "TPR@%g", fpr);
        printf("%-12s", "signal");
        for (int i = 0; i < n; i++) printf(" | %-20.20s", C[i].label);
        printf("\n%-12s", "");
        int triggers = 0;
        double tfpr = NAN;   /* the FPR of the first trigger column */
        for (int i = 0; i < n; i++) {
            const json *so = json_get(json_get(C[i].s, "firmware"), "score_output");
            char th[48], r[32];
            if (strcmp(C[i].variant, "trigger") == 0) {
                /* the TPR at the threshold of the score in firmware, set for the trigger rate */
                rep_fmt_rate(r, sizeof r, json_num(json_get(so, "trigger_rate"), NAN));
                char *sp = strchr(r, ' ');
                if (sp) memmove(sp, sp + 1, strlen(sp));
                snprintf(th, sizeof th, "TPR@%s", r);
                if (!triggers) tfpr = json_num(json_get(so, "fpr"), NAN);
                triggers = 1;
            }
            printf(" | %7s %12s", "AUC", strcmp(C[i].variant, "trigger") == 0 ? th : isfinite(fpr) ? fh : "");
        }
        printf("\n");
        int starred = 0;
        for (int s = 0; s < json_len(sig0); s++) {
            const char *name = sig0->keys[s];
            printf("%-12s", name);
            for (int i = 0; i < n; i++) {
                int trig = strcmp(C[i].variant, "trigger") == 0;
                const json *V = json_get(json_get(json_get(C[i].s, "signals"), name), trig ? "firmware" : C[i].variant);
                const json *t = json_at(json_get(V, "tpr_at_fpr"), 0);
                double tpr = json_num(json_get(t, "tpr"), NAN);
                double nb = json_num(json_get(t, "background_events"), 0);
                if (trig) {
                    const json *so = json_get(json_get(C[i].s, "firmware"), "score_output");
                    tpr = json_num(json_get(json_get(so, "tpr"), name), NAN);
                    nb = floor(json_num(json_get(so, "fpr"), NAN) * json_num(json_get(so, "background_events"), 0));
                }
                char a[32], b[32];
                int few = nb < 10 && isfinite(tpr);
                starred |= few;
                printf(" | %7s %11s%s", rep_fmt(a, sizeof a, "%.4f", json_num(json_get(V, "auc"), NAN)),
                       rep_fmt(b, sizeof b, "%.4f", tpr), few ? "*" : " ");
            }
            printf("\n");
        }
        if (starred && !triggers)
            printf("* the TPR at FPR %g rests on fewer than 10 background events of the test split: "
                   "large statistical uncertainty (a larger test split: more background events)\n", fpr);
        else if (starred)
            printf("* the TPR (at FPR %g, or %g for TPR@RATE) rests on fewer than 10 background events of the test "
                   "split: large statistical uncertainty (a larger test split: more background events)\n", fpr, tfpr);
        if (triggers)
            printf("TPR@RATE: the firmware's score against its threshold for that trigger rate "
                   "(eval/summary.json firmware.score_output; aedl-report --summary DIR)\n");
    }
    for (int i = 0; i < n; i++) { free(C[i].label); json_free(C[i].s); }
    free(C);
    return rc;
}

int main(int argc, char **argv) {
    aedl_progname = "aedl-report";
    aedl_die_on_signals(NULL);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "--summary")) {
        /* a scan's folder, or its scan/ folder (DIR/scan/points.tsv) */
        char *dir = xstrdup(argv[2]), *pts = rep_path(dir, "scan/points.tsv"), *here = rep_path(dir, "points.tsv");
        struct stat sb;
        int is_scan = stat(pts, &sb) == 0, in_scan = !is_scan && stat(here, &sb) == 0;
        if (in_scan) {
            size_t n = strlen(dir);
            while (n > 1 && dir[n - 1] == '/') dir[--n] = 0;
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) *slash = 0;
            else if (slash) dir[1] = 0;
            else strcpy(dir, ".");
        }
        int rc = is_scan || in_scan ? rep_scan(dir, 1) : summary(argv[2]);
        free(pts); free(here); free(dir);
        return rc;
    }
    if (argc == 3 && !strcmp(argv[1], "--scan")) return rep_scan(argv[2], 0);
    if (argc >= 3 && !strcmp(argv[1], "--compare")) return compare(argc - 2, argv + 2);
    if (argc == 2 && argv[1][0] != '-') return report(argv[1], 0);
    if (argc == 3 && !strcmp(argv[1], "--quiet") && argv[2][0] != '-') return report(argv[2], 1);
    fputs(usage_text, stderr);
    return 2;
}
