/* scan.c — aedl-report --scan DIR: the results of a scan (aedlc scan, docs/scan.md).
 *
 * Reads DIR/scan/points.tsv (point, folder, the value of each axis) and, per
 * point, FOLDER/scan_status, eval/summary.json, report/precision.json and,
 * when synthesised, rtl/resources.json; writes DIR/scan/results.csv and
 * results.json (one row per point), DIR/scan/index.html with the plots (the
 * firmware AUC against each axis, the TPR at the FPR against EBOPs with the
 * Pareto front and the chosen point), and prints the table.
 *
 * The chosen point: the one with the fewest EBOPs among those whose firmware
 * AUC, averaged over the signals, is at least 99% of the best point's.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "proc.h"
#include "report.h"
#include "util.h"

typedef struct {
    int index;
    char *folder;              /* relative to DIR */
    char **vals;               /* per axis, as written */
    char status[16];           /* ok, failed, not run */
    double secs;               /* the point's wall time (compile, train, evaluate, firmware) */
    double train_secs;         /* the epochs' seconds of its history.csv */
    char *error;
    json *summary, *precision, *resources;
} spoint;

typedef struct {
    const char *dir;
    char **axes; int naxes;
    spoint *pts; int npts;
    char **signals; int nsig;
    double fpr;                /* the first tpr_at_fpr of the summaries, NAN: none */
    int chosen;                /* index into pts, -1 */
} scan;

static const char *const variants[] = { "float", "quantized", "firmware" };

static int split_tabs(char *line, char **f, int max) {
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

static json *load(const char *dir, const char *folder, const char *rel) {
    size_t n = strlen(dir) + strlen(folder) + strlen(rel) + 3;
    char *p = xmalloc(n), err[1024];
    snprintf(p, n, "%s/%s/%s", dir, folder, rel);
    struct stat sb;
    json *j = stat(p, &sb) == 0 ? json_parse_file(p, err, sizeof err) : NULL;
    free(p);
    return j;
}

static void read_status(scan *S, spoint *P) {
    size_t n = strlen(S->dir) + strlen(P->folder) + 16;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s/scan_status", S->dir, P->folder);
    FILE *f = fopen(p, "r");
    free(p);
    snprintf(P->status, sizeof P->status, "not run");
    P->secs = NAN;
    if (!f) return;
    char line[2048];
    if (fgets(line, sizeof line, f)) {
        int st;
        double secs;
        if (sscanf(line, "ok %lf", &secs) == 1) { snprintf(P->status, sizeof P->status, "ok"); P->secs = secs; }
        else if (sscanf(line, "failed %d %lf", &st, &secs) == 2) {
            snprintf(P->status, sizeof P->status, "failed");
            P->secs = secs;
            if (fgets(line, sizeof line, f) && fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = 0;
                P->error = xstrdup(line);
            }
        }
    }
    fclose(f);
}

/* The sum of history.csv's seconds column: the training time of a point. */
static double train_seconds(const char *dir, const char *folder) {
    size_t n = strlen(dir) + strlen(folder) + 16;
    char *p = xmalloc(n), line[4096];
    snprintf(p, n, "%s/%s/history.csv", dir, folder);
    FILE *f = fopen(p, "r");
    free(p);
    if (!f) return NAN;
    int col = -1;
    double sum = NAN;
    if (fgets(line, sizeof line, f)) {
        char *fields[64];
        int nf = rep_csv_split(line, fields, 64);
        for (int i = 0; i < nf; i++) if (!strcmp(fields[i], "seconds")) col = i;
    }
    while (col >= 0 && fgets(line, sizeof line, f)) {
        char *fields[64];
        if (rep_csv_split(line, fields, 64) > col) sum = (isnan(sum) ? 0 : sum) + strtod(fields[col], NULL);
    }
    fclose(f);
    return sum;
}

static void add_signal(scan *S, const char *name) {
    for (int i = 0; i < S->nsig; i++) if (!strcmp(S->signals[i], name)) return;
    S->signals = xrealloc(S->signals, (size_t)(S->nsig + 1) * sizeof *S->signals);
    S->signals[S->nsig++] = xstrdup(name);
}

static int load_scan(scan *S, const char *dir) {
    memset(S, 0, sizeof *S);
    S->dir = dir;
    S->fpr = NAN;
    S->chosen = -1;
    size_t n = strlen(dir) + 32;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/scan/points.tsv", dir);
    FILE *f = fopen(p, "r");
    if (!f) {
        fprintf(stderr, "aedl-report: error: %s: %s (not a scan folder: aedlc scan writes it)\n", p, strerror(errno));
        free(p);
        return -1;
    }
    char line[8192], *fields[256];
    int nf = fgets(line, sizeof line, f) ? split_tabs(line, fields, 256) : 0;
    if (nf < 2 || strcmp(fields[0], "point") || strcmp(fields[1], "folder")) {
        fprintf(stderr, "aedl-report: error: %s: not a list of scan points (header point, folder, axes...)\n", p);
        fclose(f);
        free(p);
        return -1;
    }
    S->naxes = nf - 2;
    S->axes = xcalloc((size_t)S->naxes + 1, sizeof *S->axes);
    for (int a = 0; a < S->naxes; a++) S->axes[a] = xstrdup(fields[a + 2]);
    while (fgets(line, sizeof line, f)) {
        int k = split_tabs(line, fields, 256);
        if (k != nf) continue;
        S->pts = xrealloc(S->pts, (size_t)(S->npts + 1) * sizeof *S->pts);
        spoint *P = &S->pts[S->npts++];
        memset(P, 0, sizeof *P);
        P->index = atoi(fields[0]);
        P->folder = xstrdup(fields[1]);
        P->vals = xcalloc((size_t)S->naxes + 1, sizeof *P->vals);
        for (int a = 0; a < S->naxes; a++) P->vals[a] = xstrdup(fields[a + 2]);
        read_status(S, P);
        P->train_secs = train_seconds(dir, P->folder);
        P->summary = load(dir, P->folder, "eval/summary.json");
        P->precision = load(dir, P->folder, "report/precision.json");
        P->resources = load(dir, P->folder, "rtl/resources.json");
        const json *sig = json_get(P->summary, "signals");
        for (int i = 0; sig && sig->kind == JSON_OBJ && i < sig->n; i++) {
            add_signal(S, sig->keys[i]);
            if (isnan(S->fpr))
                S->fpr = json_num(json_get(json_at(json_get(json_get(sig->items[i], "firmware"), "tpr_at_fpr"), 0), "fpr"), NAN);
        }
    }
    fclose(f);
    free(p);
    return 0;
}

static void free_scan(scan *S) {
    for (int i = 0; i < S->npts; i++) {
        spoint *P = &S->pts[i];
        for (int a = 0; a < S->naxes; a++) free(P->vals[a]);
        free(P->vals); free(P->folder); free(P->error);
        json_free(P->summary); json_free(P->precision); json_free(P->resources);
    }
    for (int a = 0; a < S->naxes; a++) free(S->axes[a]);
    for (int i = 0; i < S->nsig; i++) free(S->signals[i]);
    free(S->pts); free(S->axes); free(S->signals);
}

static double auc(const spoint *P, const char *sig, const char *var) {
    return json_num(json_path(P->summary, "signals", sig, var, "auc", NULL), NAN);
}

static double tpr(const spoint *P, const char *sig, const char *var) {
    return json_num(json_get(json_at(json_path(P->summary, "signals", sig, var, "tpr_at_fpr", NULL), 0), "tpr"), NAN);
}

static double ebops(const spoint *P) { return json_num(json_path(P->precision, "totals", "ebops", NULL), NAN); }
static double ebops_of(const spoint *P) { return ebops(P); }
static double nonzero(const spoint *P) { return json_num(json_path(P->precision, "totals", "nonzero", NULL), NAN); }
static double lut(const spoint *P) { return json_num(json_path(P->resources, "total", "lut", NULL), NAN); }
static double dsp(const spoint *P) { return json_num(json_path(P->resources, "total", "dsp", NULL), NAN); }

static double mean_auc(const scan *S, const spoint *P) {
    double s = 0;
    for (int i = 0; i < S->nsig; i++) s += auc(P, S->signals[i], "firmware");
    return S->nsig ? s / S->nsig : NAN;
}

static void choose(scan *S) {
    double best = -1;
    for (int i = 0; i < S->npts; i++) {
        double a = mean_auc(S, &S->pts[i]);
        if (isfinite(a) && a > best) best = a;
    }
    double fewest = INFINITY;
    for (int i = 0; i < S->npts; i++) {
        double a = mean_auc(S, &S->pts[i]), e = ebops(&S->pts[i]);
        if (isfinite(a) && isfinite(e) && a >= 0.99 * best && e < fewest) { fewest = e; S->chosen = i; }
    }
}

static void csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.6g", v);
    else fputs(",", f);
}

static void csv_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const scan *S) {
    size_t n = strlen(S->dir) + 32;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/scan/results.csv", S->dir);
    aedl_atomic a;
    if (aedl_atomic_open(&a, p, "w") != 0) {
        fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
        free(p);
        return -1;
    }
    FILE *f = a.f;
    fprintf(f, "point");
    for (int x = 0; x < S->naxes; x++) fprintf(f, ",%s", S->axes[x]);
    fprintf(f, ",status,seconds,train_seconds,epochs");
    for (int i = 0; i < S->nsig; i++)
        for (int v = 0; v < 3; v++) fprintf(f, ",auc_%s_%s,tpr_%s_%s", variants[v], S->signals[i], variants[v], S->signals[i]);
    fprintf(f, ",firmware_equal,firmware_events,ebops,nonzero_weights,lut,dsp,error\n");
    for (int k = 0; k < S->npts; k++) {
        const spoint *P = &S->pts[k];
        fprintf(f, "%d", P->index);
        for (int x = 0; x < S->naxes; x++) { fputc(',', f); csv_str(f, P->vals[x]); }
        fprintf(f, ",%s", P->status);
        csv_num(f, P->secs);
        csv_num(f, P->train_secs);
        csv_num(f, json_num(json_get(P->summary, "epochs"), NAN));
        for (int i = 0; i < S->nsig; i++)
            for (int v = 0; v < 3; v++) {
                csv_num(f, auc(P, S->signals[i], variants[v]));
                csv_num(f, tpr(P, S->signals[i], variants[v]));
            }
        csv_num(f, json_num(json_path(P->summary, "firmware", "equal_to_quantized", NULL), NAN));
        csv_num(f, json_num(json_path(P->summary, "firmware", "test_events", NULL), NAN));
        csv_num(f, ebops(P));
        csv_num(f, nonzero(P));
        csv_num(f, lut(P));
        csv_num(f, dsp(P));
        fputc(',', f);
        if (P->error) csv_str(f, P->error);
        fputc('\n', f);
    }
    int rc = aedl_atomic_commit(&a);
    if (rc) fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
    free(p);
    return rc;
}

static void json_s(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static void json_n(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.9g", v);
    else fputs("null", f);
}

static int write_json(const scan *S) {
    size_t n = strlen(S->dir) + 32;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/scan/results.json", S->dir);
    aedl_atomic a;
    if (aedl_atomic_open(&a, p, "w") != 0) {
        fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
        free(p);
        return -1;
    }
    FILE *f = a.f;
    fprintf(f, "{\n  \"axes\": [");
    for (int x = 0; x < S->naxes; x++) { fputs(x ? ", " : "", f); json_s(f, S->axes[x]); }
    fprintf(f, "],\n  \"fpr\": ");
    json_n(f, S->fpr);
    fprintf(f, ",\n  \"chosen\": %d,\n  \"points\": [\n", S->chosen >= 0 ? S->pts[S->chosen].index : -1);
    for (int k = 0; k < S->npts; k++) {
        const spoint *P = &S->pts[k];
        fprintf(f, "    { \"point\": %d, \"folder\": ", P->index);
        json_s(f, P->folder);
        fprintf(f, ", \"values\": {");
        for (int x = 0; x < S->naxes; x++) {
            fputs(x ? ", " : " ", f);
            json_s(f, S->axes[x]);
            fputs(": ", f);
            json_s(f, P->vals[x]);
        }
        fprintf(f, " }, \"status\": \"%s\", \"seconds\": ", P->status);
        json_n(f, P->secs);
        fprintf(f, ", \"train_seconds\": ");
        json_n(f, P->train_secs);
        fprintf(f, ", \"epochs\": ");
        json_n(f, json_num(json_get(P->summary, "epochs"), NAN));
        fprintf(f, ",\n      \"signals\": {");
        for (int i = 0; i < S->nsig; i++) {
            fprintf(f, "%s", i ? ", " : " ");
            json_s(f, S->signals[i]);
            fprintf(f, ": {");
            for (int v = 0; v < 3; v++) {
                fprintf(f, "%s\"%s\": { \"auc\": ", v ? ", " : " ", variants[v]);
                json_n(f, auc(P, S->signals[i], variants[v]));
                fprintf(f, ", \"tpr\": ");
                json_n(f, tpr(P, S->signals[i], variants[v]));
                fprintf(f, " }");
            }
            fprintf(f, " }");
        }
        fprintf(f, " },\n      \"firmware_equal\": ");
        json_n(f, json_num(json_path(P->summary, "firmware", "equal_to_quantized", NULL), NAN));
        fprintf(f, ", \"firmware_events\": ");
        json_n(f, json_num(json_path(P->summary, "firmware", "test_events", NULL), NAN));
        fprintf(f, ", \"ebops\": ");
        json_n(f, ebops(P));
        fprintf(f, ", \"nonzero_weights\": ");
        json_n(f, nonzero(P));
        fprintf(f, ", \"lut\": ");
        json_n(f, lut(P));
        fprintf(f, ", \"dsp\": ");
        json_n(f, dsp(P));
        fprintf(f, ", \"error\": ");
        if (P->error) json_s(f, P->error);
        else fputs("null", f);
        fprintf(f, " }%s\n", k + 1 < S->npts ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    int rc = aedl_atomic_commit(&a);
    if (rc) fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
    free(p);
    return rc;
}

static void print_table(const scan *S) {
    char b1[32], b2[32];
    printf("scan results (%s/scan/results.csv): firmware AUC per signal", S->dir);
    if (isfinite(S->fpr)) printf(", TPR at FPR %g", S->fpr);
    printf("\n%5s", "point");
    for (int x = 0; x < S->naxes; x++) printf(" %12s", S->axes[x]);
    printf(" %7s", "status");
    for (int i = 0; i < S->nsig; i++) printf(" | %-16.16s", S->signals[i]);
    printf(" | %9s %8s %7s\n", "EBOPs", "non-zero", "seconds");
    for (int k = 0; k < S->npts; k++) {
        const spoint *P = &S->pts[k];
        printf("%5d", P->index);
        for (int x = 0; x < S->naxes; x++) printf(" %12s", P->vals[x]);
        printf(" %7s", P->status);
        for (int i = 0; i < S->nsig; i++)
            printf(" | %7s %8s", rep_fmt(b1, sizeof b1, "%.4f", auc(P, S->signals[i], "firmware")),
                   rep_fmt(b2, sizeof b2, "%.2e", tpr(P, S->signals[i], "firmware")));
        printf(" | %9s %8s", rep_fmt(b1, sizeof b1, "%.0f", ebops(P)), rep_fmt(b2, sizeof b2, "%.0f", nonzero(P)));
        printf(" %7s%s\n", rep_fmt(b1, sizeof b1, "%.1f", P->secs), k == S->chosen ? "  <- chosen" : "");
        if (P->error) printf("      error: %s\n", P->error);
    }
    if (S->chosen >= 0)
        printf("chosen: point %d, the fewest EBOPs with a mean firmware AUC within 1%% of the best\n",
               S->pts[S->chosen].index);
    fflush(stdout);
}

static int any_tpr(const scan *S) {
    for (int k = 0; k < S->npts; k++)
        for (int i = 0; i < S->nsig; i++) if (isfinite(tpr(&S->pts[k], S->signals[i], "firmware"))) return 1;
    return 0;
}

static int any_lut(const scan *S) {
    for (int k = 0; k < S->npts; k++) if (isfinite(lut(&S->pts[k]))) return 1;
    return 0;
}

/* 1 when axis X has more than one value. */
static int varies(const scan *S, int x) {
    for (int k = 1; k < S->npts; k++) if (strcmp(S->pts[k].vals[x], S->pts[0].vals[x])) return 1;
    return 0;
}

/* 1 when every value of axis X is a number. */
static int numeric_axis(const scan *S, int x) {
    for (int k = 0; k < S->npts; k++) {
        char *end;
        strtod(S->pts[k].vals[x], &end);
        if (end == S->pts[k].vals[x] || *end) return 0;
    }
    return S->npts > 0;
}

/* The values of the other axes that vary, as "a=1 b=2" (caller frees): the
   series of an axis' plot. */
static char *rest_label(const scan *S, int k, int x) {
    char buf[512] = "";
    size_t n = 0;
    for (int a = 0; a < S->naxes; a++) {
        if (a == x) continue;
        int varies = 0;
        for (int q = 0; q < S->npts; q++) varies |= strcmp(S->pts[q].vals[a], S->pts[0].vals[a]) != 0;
        if (varies && n < sizeof buf)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s=%s", n ? " " : "", S->axes[a], S->pts[k].vals[a]);
    }
    return xstrdup(buf);
}

/* AUC (firmware) against axis X: one line per signal (colour) and per value of
   the other axes that vary (dash), the points in the axis' order. */
static double metric(const spoint *P, const char *sig, int use_tpr) {
    return use_tpr ? tpr(P, sig, "firmware") : auc(P, sig, "firmware");
}

static int plot_axis(rep *R, const scan *S, int x, int use_tpr, char *name, size_t nlen) {
    snprintf(name, nlen, "%s_vs_axis%d", use_tpr ? "tpr" : "auc", x);
    /* the distinct values of the other axes, in the order of the points */
    char **rest = xcalloc((size_t)S->npts + 1, sizeof *rest);
    int nrest = 0;
    for (int k = 0; k < S->npts; k++) {
        char *l = rest_label(S, k, x);
        int found = 0;
        for (int r = 0; r < nrest; r++) found |= !strcmp(rest[r], l);
        if (found) free(l);
        else rest[nrest++] = l;
    }
    int *order = xcalloc((size_t)S->npts + 1, sizeof *order);
    for (int k = 0; k < S->npts; k++) order[k] = k;
    for (int a = 1; a < S->npts; a++)
        for (int b = a; b > 0 && strtod(S->pts[order[b]].vals[x], NULL) < strtod(S->pts[order[b - 1]].vals[x], NULL); b--) {
            int t = order[b]; order[b] = order[b - 1]; order[b - 1] = t;
        }
    aedl_atomic dat, gp;
    int ok = rep_dat_open(R, &dat, name) == 0;
    for (int i = 0; ok && i < S->nsig; i++)
        for (int r = 0; r < nrest; r++) {
            fprintf(dat.f, "# %s %s\n", S->signals[i], rest[r]);
            for (int q = 0; q < S->npts; q++) {
                const spoint *P = &S->pts[order[q]];
                char *l = rest_label(S, order[q], x);
                double a = metric(P, S->signals[i], use_tpr);
                if (!strcmp(l, rest[r]) && isfinite(a)) fprintf(dat.f, "%s %.6g\n", P->vals[x], a);
                free(l);
            }
            fprintf(dat.f, "\n\n");
        }
    if (ok && rep_gp_open(R, &gp, name, 760, 480) != 0) { aedl_atomic_abort(&dat); ok = 0; }
    if (ok) {
        char t[256];
        if (use_tpr) snprintf(t, sizeof t, "firmware TPR at FPR %g against %s", S->fpr, S->axes[x]);
        else snprintf(t, sizeof t, "firmware AUC against %s", S->axes[x]);
        fprintf(gp.f, "set title ");
        rep_gp_str(gp.f, t);
        fprintf(gp.f, "\nset xlabel ");
        rep_gp_str(gp.f, S->axes[x]);
        fprintf(gp.f, "\nset ylabel '%s (firmware)'\nset key below\nplot ", use_tpr ? "TPR" : "AUC");
        for (int i = 0; i < S->nsig; i++)
            for (int r = 0; r < nrest; r++) {
                char tt[640];
                /* a few lines: each named; many: one entry per signal (a line per value of the others) */
                if (nrest <= 4) snprintf(tt, sizeof tt, "%s%s%s", S->signals[i], rest[r][0] ? ", " : "", rest[r]);
                else snprintf(tt, sizeof tt, "%s (%d lines: the other axes' values)", S->signals[i], nrest);
                fprintf(gp.f, "%s'plots/%s.dat' index %d using 1:2 with linespoints pt 7 lc %d dt %d ",
                        i || r ? ", " : "", name, i * nrest + r, i + 1, r % 5 + 1);
                if (nrest <= 4 || r == 0) { fprintf(gp.f, "title "); rep_gp_str(gp.f, tt); }
                else fprintf(gp.f, "notitle");
            }
        if (!S->nsig) fprintf(gp.f, "0 title 'no results'");
        fprintf(gp.f, "\n");
        ok = rep_commit2(&dat, &gp) == 0;
    }
    for (int r = 0; r < nrest; r++) free(rest[r]);
    free(rest);
    free(order);
    return ok ? rep_gp_run(R, name) : 0;
}

/* The y of the Pareto plot: the TPR at the FPR, or the AUC when no point has a
   TPR (too few background events in the test split for that FPR). */
static double pareto_y(const spoint *P, const char *sig, int use_tpr) {
    return use_tpr ? tpr(P, sig, "firmware") : auc(P, sig, "firmware");
}

/* TPR at the FPR (or AUC) against a cost (EBOPs, or LUTs when synthesised) per
   signal, the Pareto front, the chosen point. */
static int plot_pareto(rep *R, const scan *S, int by_lut) {
    const char *name = by_lut ? "pareto_lut" : "pareto";
    double (*ebops)(const spoint *) = by_lut ? lut : ebops_of;
    int use_tpr = 0, any = 0;
    for (int k = 0; k < S->npts; k++)
        for (int i = 0; i < S->nsig; i++) use_tpr |= isfinite(tpr(&S->pts[k], S->signals[i], "firmware"));
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, name) != 0) return 0;
    for (int i = 0; i < S->nsig; i++) {
        fprintf(dat.f, "# %s: ebops y point\n", S->signals[i]);
        int *order = xcalloc((size_t)S->npts + 1, sizeof *order), n = 0;
        for (int k = 0; k < S->npts; k++) {
            double e = ebops(&S->pts[k]), y = pareto_y(&S->pts[k], S->signals[i], use_tpr);
            if (!isfinite(e) || !isfinite(y)) continue;
            fprintf(dat.f, "%.6g %.6g %d\n", e, y, S->pts[k].index);
            order[n++] = k;
            any = 1;
        }
        fprintf(dat.f, "\n\n");
        /* the front: the points no other point beats on both (fewer EBOPs, higher y) */
        fprintf(dat.f, "# %s: Pareto front\n", S->signals[i]);
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && ebops(&S->pts[order[b]]) < ebops(&S->pts[order[b - 1]]); b--) {
                int t = order[b]; order[b] = order[b - 1]; order[b - 1] = t;
            }
        double best = -INFINITY;
        for (int a = 0; a < n; a++) {
            double y = pareto_y(&S->pts[order[a]], S->signals[i], use_tpr);
            if (y > best) { fprintf(dat.f, "%.6g %.6g\n", ebops(&S->pts[order[a]]), y); best = y; }
        }
        free(order);
        fprintf(dat.f, "\n\n");
    }
    fprintf(dat.f, "# chosen point\n");
    if (S->chosen >= 0)
        for (int i = 0; i < S->nsig; i++)
            fprintf(dat.f, "%.6g %.6g\n", ebops(&S->pts[S->chosen]), pareto_y(&S->pts[S->chosen], S->signals[i], use_tpr));
    if (!any) {
        aedl_atomic_abort(&dat);
        if (!by_lut) rep_note(R, "no point has both EBOPs and a firmware AUC: no Pareto plot");
        return 0;
    }
    if (rep_gp_open(R, &gp, name, 720, 460) != 0) { aedl_atomic_abort(&dat); return 0; }
    fprintf(gp.f, "set title ");
    char t[160];
    const char *cost = by_lut ? "LUTs (yosys)" : "EBOPs";
    if (use_tpr) snprintf(t, sizeof t, "TPR at FPR %g (firmware) against %s: points, Pareto front, chosen", S->fpr, cost);
    else snprintf(t, sizeof t, "AUC (firmware; no TPR at FPR %g: too few background events) against %s", S->fpr, cost);
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nset xlabel '%s'\nset ylabel '%s'\nset key bottom right\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\nplot ",
            cost, use_tpr ? "TPR" : "AUC");
    for (int i = 0; i < S->nsig; i++) {
        fprintf(gp.f, "'plots/%s.dat' index %d using 1:2 with points pt 7 lc %d title ", name, 2 * i, i + 1);
        rep_gp_str(gp.f, S->signals[i]);
        fprintf(gp.f, ", 'plots/%s.dat' index %d using 1:2 with steps lc %d dt 2 notitle, ", name, 2 * i + 1, i + 1);
    }
    fprintf(gp.f, "'plots/%s.dat' index %d using 1:2 with points pt 6 ps 3 lc rgb 'black' title 'chosen'\n", name,
            2 * S->nsig);
    if (rep_commit2(&dat, &gp) != 0) return 0;
    return rep_gp_run(R, name);
}

static int write_index(rep *R, const scan *S, char plots[][64], const int *drawn, int nplots) {
    size_t n = strlen(S->dir) + 32;
    char *p = xmalloc(n), b[32];
    snprintf(p, n, "%s/scan/index.html", S->dir);
    aedl_atomic a;
    if (aedl_atomic_open(&a, p, "w") != 0) {
        fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
        free(p);
        return -1;
    }
    FILE *f = a.f;
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>scan</title>\n"
               "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
               "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}tr.chosen{background:#ffd}"
               ".note{color:#666}</style></head>\n<body>\n<h1>Scan</h1>\n");
    fprintf(f, "<p>%d point(s); the table is results.csv / results.json. The chosen point (highlighted): "
               "the fewest EBOPs among the points whose firmware AUC, averaged over the signals, is within "
               "1%% of the best.</p>\n", S->npts);
    for (int i = 0; i < nplots; i++) {
        if (drawn[i]) fprintf(f, "<p><img src=\"%s.png\" alt=\"%s\"></p>\n", plots[i], plots[i]);
        else fprintf(f, "<p class=\"note\">%s: not drawn (%s)</p>\n", plots[i],
                     R->have_gnuplot ? "see plots/" : "gnuplot is not installed");
    }
    fprintf(f, "<table>\n<tr><th>point</th>");
    for (int x = 0; x < S->naxes; x++) { fprintf(f, "<th>"); rep_html_esc(f, S->axes[x]); fprintf(f, "</th>"); }
    fprintf(f, "<th>status</th>");
    for (int i = 0; i < S->nsig; i++) {
        fprintf(f, "<th>AUC ");
        rep_html_esc(f, S->signals[i]);
        fprintf(f, "</th><th>TPR ");
        rep_html_esc(f, S->signals[i]);
        fprintf(f, "</th>");
    }
    fprintf(f, "<th>firmware == quantized</th><th>EBOPs</th><th>non-zero weights</th><th>LUT</th><th>seconds</th></tr>\n");
    for (int k = 0; k < S->npts; k++) {
        const spoint *P = &S->pts[k];
        fprintf(f, "<tr%s><td><a href=\"../%s/report/index.html\">%d</a></td>", k == S->chosen ? " class=\"chosen\"" : "",
                P->folder, P->index);
        for (int x = 0; x < S->naxes; x++) { fprintf(f, "<td>"); rep_html_esc(f, P->vals[x]); fprintf(f, "</td>"); }
        fprintf(f, "<td>%s", P->status);
        if (P->error) { fprintf(f, ": "); rep_html_esc(f, P->error); }
        fprintf(f, "</td>");
        for (int i = 0; i < S->nsig; i++)
            fprintf(f, "<td>%s</td><td>%s</td>", rep_fmt(b, sizeof b, "%.4f", auc(P, S->signals[i], "firmware")),
                    rep_fmt(b + 16, 16, "%.2e", tpr(P, S->signals[i], "firmware")));
        fprintf(f, "<td>%s of ", rep_fmt(b, sizeof b, "%.0f", json_num(json_path(P->summary, "firmware", "equal_to_quantized", NULL), NAN)));
        fprintf(f, "%s</td>", rep_fmt(b, sizeof b, "%.0f", json_num(json_path(P->summary, "firmware", "test_events", NULL), NAN)));
        fprintf(f, "<td>%s</td>", rep_fmt(b, sizeof b, "%.0f", ebops(P)));
        fprintf(f, "<td>%s</td>", rep_fmt(b, sizeof b, "%.0f", nonzero(P)));
        fprintf(f, "<td>%s</td>", rep_fmt(b, sizeof b, "%.0f", lut(P)));
        fprintf(f, "<td>%s</td></tr>\n", rep_fmt(b, sizeof b, "%.1f", P->secs));
    }
    fprintf(f, "</table>\n</body></html>\n");
    int rc = aedl_atomic_commit(&a);
    if (rc) fprintf(stderr, "aedl-report: error: cannot write %s: %s\n", p, strerror(errno));
    free(p);
    return rc;
}

int rep_scan(const char *dir, int summary_only) {
    scan S;
    if (load_scan(&S, dir) != 0) return 1;
    choose(&S);
    if (summary_only) {
        print_table(&S);
        free_scan(&S);
        return 0;
    }
    char err[4400];
    if (aedl_outdir_lock(dir, err, sizeof err) != 0) {
        fprintf(stderr, "aedl-report: error: %s\n", err);
        free_scan(&S);
        return 1;
    }
    int rc = write_csv(&S) | write_json(&S);
    rep R;
    memset(&R, 0, sizeof R);
    R.dir = dir;
    R.rdir = rep_path(dir, "scan");
    char *pd = rep_path(R.rdir, "plots");
    if (aedl_mkdirs(pd) != 0) {
        fprintf(stderr, "aedl-report: error: cannot create %s: %s\n", pd, strerror(errno));
        rc = 1;
    }
    free(pd);
    char plots[64][64];
    int drawn[64], np = 0;
    rep_detect_gnuplot(&R);
    for (int x = 0; x < S.naxes && np < 63 && !rc; x++)
        if (numeric_axis(&S, x) && varies(&S, x)) {
            drawn[np] = plot_axis(&R, &S, x, 0, plots[np], sizeof plots[np]);
            np++;
            if (any_tpr(&S) && np < 63) { drawn[np] = plot_axis(&R, &S, x, 1, plots[np], sizeof plots[np]); np++; }
        }
    if (!rc) { snprintf(plots[np], sizeof plots[np], "pareto"); drawn[np++] = plot_pareto(&R, &S, 0); }
    if (!rc && any_lut(&S) && np < 63) { snprintf(plots[np], sizeof plots[np], "pareto_lut"); drawn[np++] = plot_pareto(&R, &S, 1); }
    if (!rc) rc = write_index(&R, &S, plots, drawn, np);
    for (int i = 0; i < R.nnotes; i++) { fprintf(stderr, "aedl-report: note: %s\n", R.notes[i]); free(R.notes[i]); }
    free(R.notes);
    free(R.rdir);
    print_table(&S);
    free_scan(&S);
    return rc ? 1 : 0;
}
