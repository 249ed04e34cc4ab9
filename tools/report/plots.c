/* plots.c — gnuplot data and scripts for every plot of the report, and the
 * PNGs (see report.h).  Each plot: DIR/report/plots/NAME.dat (data blocks
 * separated by two blank lines, one per curve), plots/NAME.gp (the script,
 * run from DIR/report), NAME.png.  A plot whose input is missing or whose
 * gnuplot run fails becomes a note in index.html. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"
#include "report.h"
#include "util.h"

static const char *const variants[] = { "float", "quantized", "firmware" };
#define NVAR 3
static const char *const var_title[NVAR] = { "float", "quantized (QI)", "firmware emulation" };
static const char *const var_style[NVAR] = {
    "lw 2 lc rgb '#1f77b4'", "lw 2 lc rgb '#d62728'", "lw 2 dt 2 lc rgb 'black'"
};

static int variant_index(const char *s) {
    for (int v = 0; v < NVAR; v++)
        if (!strcmp(s, variants[v])) return v;
    return -1;
}

/* ---------------------------------------------------------------- gnuplot */

/* 1 when `gnuplot -e CMD` succeeds (its output discarded). */
static int gnuplot_accepts(const char *cmd) {
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        aedl_child_setup(parent, "gnuplot");
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execlp("gnuplot", "gnuplot", "-e", cmd, (char *)NULL);
        _exit(127);
    }
    aedl_child_started(pid);
    return aedl_child_wait(pid) == 0;
}

void rep_detect_gnuplot(rep *R) {
    R->have_gnuplot = gnuplot_accepts("set terminal png");
    R->pngcairo = R->have_gnuplot && gnuplot_accepts("set terminal pngcairo");
    if (!R->have_gnuplot)
        rep_note(R, "gnuplot is not installed (Debian: gnuplot-nox): no plots; the data and "
                    "scripts are in report/plots/");
}

/* A single-quoted gnuplot string of s ('' inside). */
void rep_gp_str(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if (*s != '\n') fputc(*s, f);
    }
    fputc('\'', f);
}

/* The line style and title of sample s of a plot over the samples: 0, the test
   split's background, thick and black; then one colour per signal. */
static void gp_sample_style(FILE *f, int s, const char *title) {
    static const char *const col[] = { "#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#d62728", "#8c564b",
                                       "#e377c2", "#17becf" };
    if (s == 0) fprintf(f, "lw 3 lc rgb 'black' t ");
    else fprintf(f, "lw 2 lc rgb '%s' t ", col[(s - 1) % 8]);
    rep_gp_str(f, title);
}

/* Opens plots/NAME.gp with the terminal set; output goes to NAME.png.tmp
   (renamed over NAME.png once gnuplot succeeded). */
int rep_gp_open(rep *R, aedl_atomic *a, const char *name, int w, int h) {
    char rel[512];
    snprintf(rel, sizeof rel, "plots/%s.gp", name);
    char *p = rep_path(R->rdir, rel);
    int rc = aedl_atomic_open(a, p, "w");
    if (rc != 0) aedl_warn("cannot write %s: %s", p, strerror(errno));
    free(p);
    if (rc != 0) return -1;
    fprintf(a->f, "# %s.png -- run from %s: gnuplot plots/%s.gp\n", name, R->rdir, name);
    if (R->pngcairo) fprintf(a->f, "set terminal pngcairo size %d,%d noenhanced font 'Sans,10'\n", w, h);
    else fprintf(a->f, "set terminal png size %d,%d noenhanced\n", w, h);
    fprintf(a->f, "set output '%s.png.tmp'\nset grid\nset key noautotitle opaque\nset format y '%%g'\n", name);
    return 0;
}

/* Runs gnuplot on plots/NAME.gp in DIR/report; 1 when NAME.png was drawn. */
int rep_gp_run(rep *R, const char *name) {
    if (!R->have_gnuplot) return 0;
    char rel[512], png[512], tmp[512], log[512];
    snprintf(rel, sizeof rel, "plots/%s.gp", name);
    snprintf(png, sizeof png, "%s.png", name);
    snprintf(tmp, sizeof tmp, "%s.png.tmp", name);
    snprintf(log, sizeof log, "plots/%s.log", name);
    char *ptmp = rep_path(R->rdir, tmp), *ppng = rep_path(R->rdir, png), *plog = rep_path(R->rdir, log);
    aedl_tmp_register(ptmp);            /* gnuplot's output: removed if we are stopped */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) { aedl_tmp_forget(ptmp); free(ptmp); free(ppng); free(plog); return 0; }
    if (pid == 0) {
        aedl_child_setup(parent, "gnuplot");
        if (chdir(R->rdir) != 0) _exit(126);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execlp("gnuplot", "gnuplot", rel, (char *)NULL);
        _exit(127);
    }
    aedl_child_started(pid);
    struct stat sb;
    int ok = aedl_child_wait(pid) == 0 && stat(ptmp, &sb) == 0 && sb.st_size > 0 &&
             aedl_rename_over(ptmp, ppng) == 0;
    if (ok) unlink(plog);
    else {
        aedl_tmp_remove(ptmp);
        const char *base = strrchr(R->rdir, '/') ? strrchr(R->rdir, '/') + 1 : R->rdir;
        rep_note(R, "gnuplot failed on %s/%s (see %s/%s)", base, rel, base, log);
    }
    free(ptmp); free(ppng); free(plog);
    return ok;
}

int rep_dat_open(rep *R, aedl_atomic *a, const char *name) {
    char rel[512];
    snprintf(rel, sizeof rel, "plots/%s.dat", name);
    char *p = rep_path(R->rdir, rel);
    int rc = aedl_atomic_open(a, p, "w");
    if (rc != 0) aedl_warn("cannot write %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

/* Commits both files; 0 when they were written. */
int rep_commit2(aedl_atomic *dat, aedl_atomic *gp) {
    int a = aedl_atomic_commit(dat), b = aedl_atomic_commit(gp);
    return a || b ? -1 : 0;
}

/* ---------------------------------------------------------------- CSV */

/* Opens DIR/REL and checks its header starts with `header`; NULL (with a note) otherwise. */
static FILE *csv_open(rep *R, const char *rel, const char *header, int quiet_missing) {
    char *p = rep_path(R->dir, rel);
    FILE *f = fopen(p, "r");
    if (!f) {
        if (!quiet_missing) rep_note(R, "no %s: %s", rel, strerror(errno));
        free(p);
        return NULL;
    }
    char line[4096];
    if (!fgets(line, sizeof line, f) || strncmp(line, header, strlen(header)) != 0) {
        rep_note(R, "%s does not start with the header '%s'", rel, header);
        fclose(f);
        f = NULL;
    }
    free(p);
    return f;
}

/* One histogram row: model, key (sample or feature), lo, hi, count. */
typedef struct { int var; char key[128]; double lo, hi; long count; } hrow;

static hrow *read_hist(rep *R, const char *rel, const char *header, long *n, int quiet_missing) {
    FILE *f = csv_open(R, rel, header, quiet_missing);
    *n = 0;
    if (!f) return NULL;
    long cap = 256;
    hrow *rows = xmalloc((size_t)cap * sizeof *rows);
    char line[4096];
    long lineno = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *fl[8];
        if (rep_csv_split(line, fl, 8) != 5) {
            rep_note(R, "%s line %ld: expected 5 fields", rel, lineno);
            continue;
        }
        int v = variant_index(fl[0]);
        if (v < 0) continue;
        if (*n == cap) { cap *= 2; rows = xrealloc(rows, (size_t)cap * sizeof *rows); }
        hrow *h = &rows[(*n)++];
        h->var = v;
        snprintf(h->key, sizeof h->key, "%s", fl[1]);
        h->lo = strtod(fl[2], NULL);
        h->hi = strtod(fl[3], NULL);
        h->count = strtol(fl[4], NULL, 10);
    }
    fclose(f);
    return rows;
}

/* ---------------------------------------------------------------- loss */

static void plot_loss(rep *R) {
    FILE *f = csv_open(R, "history.csv", "epoch,loss,val_loss,lr", 0);
    if (!f) return;
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, "loss") != 0) { fclose(f); return; }
    fprintf(dat.f, "# epoch loss val_loss lr  (from history.csv)\n");
    char line[4096];
    int n = 0, prune_start = 0, prune_final = 0;
    double sp_max = 0;
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        int nf = rep_csv_split(line, fl, 8);
        if (nf < 4) continue;
        fprintf(dat.f, "%s %s %s %s\n", fl[0], fl[1], fl[2], fl[3]);
        n++;
        /* the sparsity column: where pruning starts, and the first epoch at the final sparsity */
        double sp = nf >= 5 ? strtod(fl[4], NULL) : 0;
        if (sp > 0 && !prune_start) prune_start = atoi(fl[0]);
        if (sp > sp_max + 1e-9) { sp_max = sp; prune_final = atoi(fl[0]); }
    }
    fclose(f);
    int restored = (int)json_num(json_get(R->summary, "restored_epoch"), 0);
    if (n == 0) {
        aedl_atomic_abort(&dat);
        rep_note(R, "history.csv has no epoch");
        return;
    }
    if (rep_gp_open(R, &gp, "loss", 800, 500) != 0) { aedl_atomic_abort(&dat); return; }
    fprintf(gp.f, "set title ");
    char t[256];
    snprintf(t, sizeof t, "%s: loss per epoch", R->model);
    rep_gp_str(gp.f, t);
    char marks[1024] = "";
    size_t u = 0;
    /* a vertical line at epoch e with a label beside it (left of the line in the right half) */
#define MARK(e, y, dash, color, ...) do { \
        char lab_[128]; \
        snprintf(lab_, sizeof lab_, __VA_ARGS__); \
        int right_ = 2 * (e) > n; \
        u += (size_t)snprintf(marks + u, sizeof marks - u, "set arrow from %d, graph 0 to %d, graph 1 nohead %s " \
                              "lc rgb '%s'\nset label '%s' at %d, graph %s %s offset %s,0 tc rgb '%s'\n", (e), (e), \
                              dash, color, lab_, (e), y, right_ ? "right" : "left", right_ ? "-0.5" : "0.5", color); \
    } while (0)
    if (restored > 0) MARK(restored, "0.6", "lw 2", "#2ca02c", "restored: epoch %d", restored);
    if (prune_start > 0) MARK(prune_start, "0.5", "dt 2", "#9467bd", "pruning starts");
    if (prune_final > 0 && prune_final != prune_start)
        MARK(prune_final, "0.4", "dt 2", "#9467bd", "final sparsity %.2f", sp_max);
#undef MARK
    if (u >= sizeof marks) marks[0] = 0;
    fprintf(gp.f, "\n%s", marks);
    fprintf(gp.f, "set xlabel 'epoch'\nset ylabel 'loss'\nset y2label 'learning rate'\n"
                  "set logscale y2\nset y2tics\nset ytics nomirror\nset key top right\n"
                  "set xrange [0.5:%d.5]\n%s"
                  "plot 'plots/loss.dat' u 1:2 w lp lw 2 pt 7 ps 0.6 lc rgb '#1f77b4' t 'training', \\\n"
                  "     '' u 1:3 w lp lw 2 pt 5 ps 0.6 lc rgb '#d62728' t 'validation', \\\n"
                  "     '' u 1:4 axes x1y2 w steps dt 3 lc rgb 'gray40' t 'learning rate (right axis)'\n",
            n, n <= 20 ? "set xtics 1\n" : "");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Training", "loss.png",
                 "Training and validation loss per epoch; the learning rate (dotted, right axis) "
                 "shows ReduceLROnPlateau steps.  Green: the epoch whose weights early stopping restored; "
                 "purple, dashed: where pruning starts and the first epoch at its final sparsity.",
                 rep_gp_run(R, "loss"));
}

/* ---------------------------------------------------------------- ROC */

/* The score threshold at the first FPR target per variant (scores plot). */
typedef struct { double thr[NVAR]; double fpr; } thresholds;

static void plot_roc(rep *R, thresholds *T) {
    for (int v = 0; v < NVAR; v++) T->thr[v] = NAN;
    T->fpr = NAN;
    const json *sig = json_get(R->summary, "signals");
    if (!json_len(sig)) return;             /* no signal (compression): no ROC */
    double nb = json_num(json_get(R->summary, "test_events"), 0);
    double xmin = nb > 0 ? pow(10, floor(log10(1.0 / nb))) : 1e-6;
    for (int s = 0; s < sig->n; s++) {
        const char *name = sig->keys[s];
        const json *S = sig->items[s];
        char rel[512], pname[300];
        snprintf(rel, sizeof rel, "eval/roc_%s.csv", name);
        snprintf(pname, sizeof pname, "roc_%s", name);
        FILE *f = csv_open(R, rel, "model,threshold,fpr,tpr", 0);
        if (!f) continue;
        /* first FPR target of this signal */
        const json *t0 = json_at(json_get(json_get(S, "float"), "tpr_at_fpr"), 0);
        double target = json_num(json_get(t0, "fpr"), NAN);
        if (s == 0) T->fpr = target;
        aedl_atomic dat, gp;
        if (rep_dat_open(R, &dat, pname) != 0) { fclose(f); continue; }
        int cur = -1, block = 0, nblocks = 0, blk_of[NVAR] = { -1, -1, -1 };
        double tmin = 1;                    /* smallest positive TPR: the y range */
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            char *fl[8];
            if (rep_csv_split(line, fl, 8) != 4) continue;
            int v = variant_index(fl[0]);
            if (v < 0) continue;
            double thr = strtod(fl[1], NULL), fpr = strtod(fl[2], NULL), tpr = strtod(fl[3], NULL);
            if (v != cur) {
                if (cur >= 0) fprintf(dat.f, "\n\n");
                fprintf(dat.f, "# %s: fpr tpr threshold\n", variants[v]);
                cur = v;
                blk_of[v] = block = nblocks++;
            }
            (void)block;
            if (s == 0 && fpr <= target) T->thr[v] = thr;
            if (fpr > 0 && tpr > 0) {
                fprintf(dat.f, "%.9g %.9g %.9g\n", fpr, tpr, thr);
                if (tpr < tmin) tmin = tpr;
            }
        }
        fclose(f);
        if (nblocks == 0) {
            aedl_atomic_abort(&dat);
            rep_note(R, "%s has no ROC point", rel);
            continue;
        }
        if (rep_gp_open(R, &gp, pname, 640, 520) != 0) { aedl_atomic_abort(&dat); continue; }
        char t[512];
        snprintf(t, sizeof t, "%s: ROC, background vs %s", R->model, name);
        fprintf(gp.f, "set title ");
        rep_gp_str(gp.f, t);
        fprintf(gp.f, "\nset logscale xy\nset format x '%%.0e'\nset format y '%%g'\n"
                      "set xlabel 'false positive rate (background)'\n"
                      "set ylabel 'true positive rate (signal)'\n"
                      "set xrange [%g:1]\nset yrange [%g:1.2]\nset key bottom right\n", xmin,
                fmax(xmin, pow(10, floor(log10(tmin)))));
        const json *tl = json_get(json_get(S, "float"), "tpr_at_fpr");
        for (int k = 0; k < json_len(tl); k++) {
            double fpr = json_num(json_get(json_at(tl, k), "fpr"), NAN);
            if (!(fpr > 0)) continue;
            fprintf(gp.f, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 1.5 lc rgb 'dark-green'\n"
                          "set label 'FPR %g' at %g, graph 0.96 right offset -0.5,0 tc rgb 'dark-green'\n",
                    fpr, fpr, fpr, fpr);
        }
        fprintf(gp.f, "plot x w l dt 3 lw 1.5 lc rgb 'gray50' t 'random'");
        for (int v = 0; v < NVAR; v++) {
            if (blk_of[v] < 0) continue;
            const json *V = json_get(S, variants[v]);
            char tt[256], b1[32], b2[32];
            double auc = json_num(json_get(V, "auc"), NAN);
            double tpr = json_num(json_get(json_at(json_get(V, "tpr_at_fpr"), 0), "tpr"), NAN);
            snprintf(tt, sizeof tt, "%s: AUC %s, TPR %s", var_title[v], rep_fmt(b1, sizeof b1, "%.3f", auc),
                     rep_fmt(b2, sizeof b2, "%.3g", tpr));
            fprintf(gp.f, ", \\\n     'plots/%s.dat' index %d u 1:2 w l %s t ", pname, blk_of[v], var_style[v]);
            rep_gp_str(gp.f, tt);
        }
        fprintf(gp.f, "\n");
        if (rep_commit2(&dat, &gp) != 0) continue;
        char cap[1024];
        snprintf(cap, sizeof cap, "ROC of background against <b>%s</b> (log-log), float model, quantized "
                 "model and firmware emulation; the dashed vertical line marks the trigger's FPR.", name);
        char png[320];
        snprintf(png, sizeof png, "%s.png", pname);
        rep_add_plot(R, "ROC curves", png, cap, rep_gp_run(R, pname));
    }
}

/* ---------------------------------------------------------------- scores */

static void plot_scores(rep *R, const thresholds *T) {
    long n;
    hrow *h = read_hist(R, "eval/scores_hist.csv", "model,sample,lo,hi,count", &n, 0);
    if (!h) return;
    for (int v = 0; v < NVAR; v++) {
        char pname[64];
        snprintf(pname, sizeof pname, "scores_%s", variants[v]);
        aedl_atomic dat, gp;
        int nblocks = 0;
        char keys[32][128];
        for (long i = 0; i < n; ) {
            if (h[i].var != v) { i++; continue; }
            long j = i;
            double tot = 0;
            while (j < n && h[j].var == v && !strcmp(h[j].key, h[i].key)) tot += (double)h[j++].count;
            if (nblocks < 32) {
                if (nblocks == 0 && rep_dat_open(R, &dat, pname) != 0) break;
                if (nblocks) fprintf(dat.f, "\n\n");
                fprintf(dat.f, "# %s %s: score (bin centre, log) fraction of events (%.0f events)\n",
                        variants[v], h[i].key, tot);
                for (long k = i; k < j; k++)
                    fprintf(dat.f, "%.9g %.9g\n", sqrt(h[k].lo * h[k].hi), tot > 0 ? (double)h[k].count / tot : 0.0);
                snprintf(keys[nblocks++], sizeof keys[0], "%s", h[i].key);
            }
            i = j;
        }
        if (nblocks == 0) continue;
        if (rep_gp_open(R, &gp, pname, 800, 520) != 0) { aedl_atomic_abort(&dat); continue; }
        char t[256];
        snprintf(t, sizeof t, "%s: anomaly score, %s model", R->model, var_title[v]);
        fprintf(gp.f, "set title ");
        rep_gp_str(gp.f, t);
        const char *sname = json_str(json_get(R->summary, "score"), "mse");
        fprintf(gp.f, "\nset logscale xy\nset xlabel 'anomaly score (per-event %s)'\n",
                !strcmp(sname, "mu2") ? "sum of the squared means" : !strcmp(sname, "kl") ? "KL term"
                : !strcmp(sname, "masked_mse") ? "masked MSE" : "MSE");
        fprintf(gp.f, "set ylabel 'fraction of events per bin'\nset key top right\n"
                      "set format x '%%g'\nset yrange [*:1]\n");
        if (isfinite(T->thr[v]) && T->thr[v] > 0)
            fprintf(gp.f, "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 lw 1.5 lc rgb 'dark-green'\n"
                          "set label 'threshold at FPR %g' at %.9g, graph 0.04 right offset -0.5,0 tc rgb 'dark-green'\n",
                    T->thr[v], T->thr[v], T->fpr, T->thr[v]);
        fprintf(gp.f, "plot ");
        for (int b = 0; b < nblocks; b++) {
            fprintf(gp.f, "%s'plots/%s.dat' index %d u 1:2 w histeps ", b ? ", \\\n     " : "", pname, b);
            gp_sample_style(gp.f, b, keys[b]);
        }
        fprintf(gp.f, "\n");
        if (rep_commit2(&dat, &gp) != 0) continue;
        char cap[512], png[96];
        snprintf(cap, sizeof cap, "Anomaly score of the test split's background (black) and of each "
                 "signal, %s model; log-spaced bins, each curve normalised to 1.", var_title[v]);
        snprintf(png, sizeof png, "%s.png", pname);
        rep_add_plot(R, "Anomaly scores", png, cap, rep_gp_run(R, pname));
    }
    free(h);
}

/* ---------------------------------------------------------------- weights */

#define WBINS 50

static void plot_weights(rep *R) {
    if (R->nlayers == 0) return;
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, "weights") != 0) return;
    for (int l = 0; l < R->nlayers; l++) {
        const rep_layer *L = &R->layers[l];
        long n = (long)L->n_in * L->units;
        double lo = INFINITY, hi = -INFINITY;
        for (long k = 0; k < n; k++) {
            if (L->kernel[k] == 0.0f || (L->mask && L->mask[k] == 0.0f) || !isfinite(L->kernel[k])) continue;
            if (L->kernel[k] < lo) lo = L->kernel[k];
            if (L->kernel[k] > hi) hi = L->kernel[k];
        }
        if (!(lo < hi)) { lo = (lo <= hi ? lo : 0) - 0.5; hi = lo + 1; }
        /* the range holds 0, so that the zeros (pruned or exactly 0) get the bar at 0 */
        if (lo > 0) lo = 0;
        if (hi < 0) hi = 0;
        double w = (hi - lo) / WBINS;
        long c[WBINS] = { 0 };
        for (long k = 0; k < n; k++) {
            if (L->kernel[k] == 0.0f || (L->mask && L->mask[k] == 0.0f) || !isfinite(L->kernel[k])) continue;
            int b = (int)((L->kernel[k] - lo) / w);
            c[b < 0 ? 0 : b >= WBINS ? WBINS - 1 : b]++;
        }
        fprintf(dat.f, "%s# %s (%d x %d): bin centre, non-zero weights\n", l ? "\n\n" : "", L->name,
                L->n_in, L->units);
        for (int b = 0; b < WBINS; b++) fprintf(dat.f, "%.9g %ld\n", lo + (b + 0.5) * w, c[b]);
        fprintf(dat.f, "\n\n# %s: the zeros (pruned or exactly 0), one bar at 0 of the bins' width\n0 %ld %.9g\n",
                L->name, L->zeros, w);
    }
    int cols = R->nlayers < 3 ? R->nlayers : 3, rows = (R->nlayers + cols - 1) / cols;
    if (rep_gp_open(R, &gp, "weights", 360 * cols, 290 * rows + 40) != 0) { aedl_atomic_abort(&dat); return; }
    char t[256];
    snprintf(t, sizeof t, "%s: dense kernels (blue: non-zero values; red bar at 0: the zeros, pruned or exactly 0)",
             R->model);
    fprintf(gp.f, "set multiplot layout %d,%d title ", rows, cols);
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nset style fill solid 0.6 border -1\nset xlabel 'weight'\nset ylabel 'weights per bin'\n"
                  "set logscale y\nset yrange [0.7:*]\n");
    for (int l = 0; l < R->nlayers; l++) {
        const rep_layer *L = &R->layers[l];
        long n = (long)L->n_in * L->units;
        char tt[256];
        snprintf(tt, sizeof tt, "%s (%d x %d): %.1f%% zeros", L->name, L->n_in, L->units,
                 100.0 * (double)L->zeros / (double)n);
        fprintf(gp.f, "set title ");
        rep_gp_str(gp.f, tt);
        fprintf(gp.f, "\nplot 'plots/weights.dat' index %d u 1:2 w boxes lc rgb '#1f77b4', "
                      "'' index %d u 1:($2 > 0 ? $2 : NaN):3 w boxes lc rgb '#d62728'\n", 2 * l, 2 * l + 1);
    }
    fprintf(gp.f, "unset multiplot\n");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Weights", "weights.png",
                 "Stored (latent) kernel values per dense layer on a log scale; the red bar at 0 counts the "
                 "zeros (pruned or exactly 0), the title gives their share.  The firmware uses the weights "
                 "quantized (table below).",
                 rep_gp_run(R, "weights"));
}

/* ---------------------------------------------------------------- residuals */

/* The name of output k of nf: the input feature's name (summary.json "features": the data
   block's names, Particles_Names, the CSV header) when the outputs mirror the inputs. */
static const char *feature_name(rep *R, int k, int nf) {
    static char buf[160];
    const json *fs = json_get(R->summary, "features");
    const char *nm = json_len(fs) == nf ? json_str(json_at(fs, k), NULL) : NULL;
    if (nm && *nm) snprintf(buf, sizeof buf, "%s (output %d)", nm, k);
    else snprintf(buf, sizeof buf, "output %d", k);
    return buf;
}

#define MAX_RES_PANELS 12

static void plot_residuals(rep *R) {
    long n;
    hrow *h = read_hist(R, "eval/residuals_hist.csv", "model,feature,lo,hi,count", &n, 1);
    if (!h) return;
    int nf = 0;
    for (long i = 0; i < n; i++) {
        int k = atoi(h[i].key);
        if (k + 1 > nf) nf = k + 1;
    }
    int shown = nf < MAX_RES_PANELS ? nf : MAX_RES_PANELS;
    if (nf > shown) rep_note(R, "residuals: %d output features, the plot shows the first %d", nf, shown);
    aedl_atomic dat, gp;
    if (shown == 0 || rep_dat_open(R, &dat, "residuals") != 0) { free(h); return; }
    int blk[MAX_RES_PANELS][NVAR];
    long outside[MAX_RES_PANELS][NVAR];
    double total[MAX_RES_PANELS][NVAR];
    int nblocks = 0;
    for (int k = 0; k < shown; k++)
        for (int v = 0; v < NVAR; v++) {
            blk[k][v] = -1; outside[k][v] = 0; total[k][v] = 0;
            for (long i = 0; i < n; i++)
                if (h[i].var == v && atoi(h[i].key) == k) total[k][v] += (double)h[i].count;
            if (total[k][v] <= 0) continue;
            fprintf(dat.f, "%s# %s feature %d: residual (bin centre) fraction of entries\n",
                    nblocks ? "\n\n" : "", variants[v], k);
            for (long i = 0; i < n; i++) {
                if (h[i].var != v || atoi(h[i].key) != k) continue;
                if (!isfinite(h[i].lo) || !isfinite(h[i].hi)) { outside[k][v] += h[i].count; continue; }
                fprintf(dat.f, "%.9g %.9g\n", 0.5 * (h[i].lo + h[i].hi), (double)h[i].count / total[k][v]);
            }
            blk[k][v] = nblocks++;
        }
    free(h);
    int cols = shown < 2 ? shown : 2, rows = (shown + cols - 1) / cols;
    if (rep_gp_open(R, &gp, "residuals", 520 * cols, 320 * rows + 40) != 0) { aedl_atomic_abort(&dat); return; }
    char t[256];
    snprintf(t, sizeof t, "%s: relative residuals (out - in) / in of the test split", R->model);
    fprintf(gp.f, "set multiplot layout %d,%d title ", rows, cols);
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nset logscale y\nset xrange [-1:1]\nset xlabel '(out - in) / in'\n"
                  "set ylabel 'fraction per bin'\nset key top right\n");
    for (int k = 0; k < shown; k++) {
        char tt[256];
        long o = 0; double tot = 0;
        for (int v = 0; v < NVAR; v++) if (blk[k][v] >= 0) { o = outside[k][v]; tot = total[k][v]; break; }
        snprintf(tt, sizeof tt, "%s (outside [-1, 1]: %.2f%%)", feature_name(R, k, nf), tot > 0 ? 100.0 * (double)o / tot : 0.0);
        fprintf(gp.f, "set title ");
        rep_gp_str(gp.f, tt);
        fprintf(gp.f, "\nplot ");
        int first = 1;
        for (int v = 0; v < NVAR; v++) {
            if (blk[k][v] < 0) continue;
            fprintf(gp.f, "%s'plots/residuals.dat' index %d u 1:2 w histeps %s t ", first ? "" : ", ",
                    blk[k][v], var_style[v]);
            rep_gp_str(gp.f, var_title[v]);
            first = 0;
        }
        fprintf(gp.f, "\n");
    }
    fprintf(gp.f, "unset multiplot\n");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Residuals", "residuals.png",
                 "Relative residuals per output feature (physical units, test split), float model, "
                 "quantized model and firmware emulation.", rep_gp_run(R, "residuals"));
}

/* ---------------------------------------------------------------- all */

/* ---------------------------------------------------------------- score per feature */

#define MAX_SAMPLES 16
#define MAX_FEATURES 512

/* What each feature adds to the anomaly score (eval/score_features.csv): the quantized
   model's mean squared error per feature, one curve per sample, the x axis named after
   the features. */
static void plot_score_features(rep *R) {
    FILE *f = csv_open(R, "eval/score_features.csv", "sample,feature,name,mean_squared_error", 1);
    if (!f) return;
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, "score_features") != 0) { fclose(f); return; }
    static char names[MAX_FEATURES][64];
    char samples[MAX_SAMPLES][96], line[4096];
    int ns = 0, nf = 0;
    fprintf(dat.f, "# feature index, mean squared error (quantized model), per sample (from eval/score_features.csv)\n");
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        if (rep_csv_split(line, fl, 8) < 4) continue;
        if (ns == 0 || strcmp(fl[0], samples[ns - 1]) != 0) {
            if (ns == MAX_SAMPLES) break;
            snprintf(samples[ns++], sizeof samples[0], "%s", fl[0]);
            fprintf(dat.f, "%s# %s\n", ns > 1 ? "\n\n" : "", fl[0]);
        }
        int k = atoi(fl[1]);
        if (k < 0 || k >= MAX_FEATURES) continue;
        snprintf(names[k], sizeof names[0], "%s", fl[2][0] ? fl[2] : fl[1]);
        if (k + 1 > nf) nf = k + 1;
        fprintf(dat.f, "%d %s\n", k, fl[3][0] ? fl[3] : "NaN");
    }
    fclose(f);
    int w = 160 + 16 * (nf < 40 ? 40 : nf);
    if (ns == 0 || nf == 0 || rep_gp_open(R, &gp, "score_features", w > 2400 ? 2400 : w, 520) != 0) {
        aedl_atomic_abort(&dat);
        return;
    }
    char t[256];
    snprintf(t, sizeof t, "%s: the anomaly score per feature (quantized model, mean squared error)", R->model);
    fprintf(gp.f, "set title ");
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nset logscale y\nset ylabel 'mean (out - in)^2'\nset key top right\nset xrange [-0.5:%d.5]\n"
                  "set xtics rotate by 90 right (", nf - 1);
    for (int k = 0; k < nf; k++) { fprintf(gp.f, "%s", k ? ", " : ""); rep_gp_str(gp.f, names[k]); fprintf(gp.f, " %d", k); }
    fprintf(gp.f, ")\nplot ");
    for (int s = 0; s < ns; s++) {
        fprintf(gp.f, "%s'plots/score_features.dat' index %d u 1:2 w lp pt 7 ps 0.5 ", s ? ", \\\n     " : "", s);
        gp_sample_style(gp.f, s, samples[s]);
    }
    fprintf(gp.f, "\n");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Anomaly scores", "score_features.png",
                 "What each input feature adds to the anomaly score: the quantized model's mean squared error "
                 "per feature, for the test split's background (black) and each signal; features named by the "
                 "data (names, Particles_Names with the object index, the CSV header).", rep_gp_run(R, "score_features"));
}

/* ---------------------------------------------------------------- latent correlation */

/* Compression: the correlation of each latent value with each input feature
   (eval/latent_corr.csv), as a heat map. */
static void plot_latent_corr(rep *R) {
    FILE *f = csv_open(R, "eval/latent_corr.csv", "latent,feature,name,r", 1);
    if (!f) return;
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, "latent_corr") != 0) { fclose(f); return; }
    fprintf(dat.f, "# latent index, feature index, r (from eval/latent_corr.csv)\n");
    char line[4096], lat[64][96], names[256][96], prev[96] = "";
    int nl = 0, nf = 0;
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        if (rep_csv_split(line, fl, 8) < 4) continue;
        if (strcmp(fl[0], prev) != 0) {
            if (nl == 64) break;
            snprintf(prev, sizeof prev, "%s", fl[0]);
            snprintf(lat[nl++], sizeof lat[0], "%s", fl[0]);
            if (nl > 1) fprintf(dat.f, "\n");
        }
        int k = atoi(fl[1]);
        if (k >= 0 && k < 256) {
            snprintf(names[k], sizeof names[0], "%s", fl[2][0] ? fl[2] : fl[1]);
            if (k + 1 > nf) nf = k + 1;
        }
        fprintf(dat.f, "%d %d %s\n", nl - 1, k, fl[3][0] && fl[3][0] != '\n' ? fl[3] : "NaN");
    }
    fclose(f);
    if (nl == 0 || nf == 0 || rep_gp_open(R, &gp, "latent_corr", 140 + 22 * (nf < 20 ? 20 : nf), 160 + 40 * nl) != 0) {
        aedl_atomic_abort(&dat);
        return;
    }
    char t[256];
    snprintf(t, sizeof t, "%s: correlation of the latent values with the inputs (test split, float model)", R->model);
    fprintf(gp.f, "set title ");
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nunset grid\nset cbrange [-1:1]\nset palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')\n"
                  "set cblabel 'Pearson r'\nset xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\nset xtics rotate by 90 right (",
            nf - 1, nl - 1);
    for (int k = 0; k < nf; k++) { fprintf(gp.f, "%s", k ? ", " : ""); rep_gp_str(gp.f, names[k]); fprintf(gp.f, " %d", k); }
    fprintf(gp.f, ")\nset ytics (");
    for (int l = 0; l < nl; l++) { fprintf(gp.f, "%s", l ? ", " : ""); rep_gp_str(gp.f, lat[l]); fprintf(gp.f, " %d", l); }
    fprintf(gp.f, ")\nplot 'plots/latent_corr.dat' u 2:1:3 w image\n");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Residuals", "latent_corr.png",
                 "Compression: the Pearson correlation of each latent value with each input feature on the test "
                 "split (float model): which inputs each latent number carries.", rep_gp_run(R, "latent_corr"));
}

/* ---------------------------------------------------------------- latent means */

/* A VAE: the distribution of each mean (eval/latent_means_hist.csv, QI: the values
   the firmware's mu2 squares) for the background and each signal, a panel per mean. */
static void plot_latent_means(rep *R) {
    FILE *f = csv_open(R, "eval/latent_means_hist.csv", "mean,sample,lo,hi,count", 1);
    if (!f) return;
    aedl_atomic dat, gp;
    if (rep_dat_open(R, &dat, "latent_means") != 0) { fclose(f); return; }
    char line[4096], means[16][96], samples[32][96], pm[96] = "", ps[96] = "";
    int nm = 0, ns = 0, block = 0, fill = 0;
    long cnt[256];
    double lo[256], hi[256], tot = 0;
    for (;;) {
        char *fl[8];
        int got = fgets(line, sizeof line, f) != NULL;
        int nf = got ? rep_csv_split(line, fl, 8) : 0;
        if (got && nf != 5) continue;
        if (!got || strcmp(fl[0], pm) != 0 || strcmp(fl[1], ps) != 0) {   /* the block before ends */
            if (fill) {
                fprintf(dat.f, "%s# %s %s (%.0f events): bin centre, fraction of events\n", block ? "\n\n" : "", pm, ps, tot);
                for (int b = 0; b < fill; b++) fprintf(dat.f, "%.9g %.9g\n", (lo[b] + hi[b]) / 2, tot > 0 ? cnt[b] / tot : 0.0);
                block++;
            }
            if (!got) break;
            if (strcmp(fl[0], pm) != 0) {
                if (nm == 16) break;
                snprintf(means[nm++], sizeof means[0], "%s", fl[0]);
            }
            if (nm == 1) {
                if (ns == 32) break;
                snprintf(samples[ns++], sizeof samples[0], "%s", fl[1]);
            }
            snprintf(pm, sizeof pm, "%s", fl[0]);
            snprintf(ps, sizeof ps, "%s", fl[1]);
            fill = 0; tot = 0;
        }
        if (fill < 256) {
            lo[fill] = strtod(fl[2], NULL); hi[fill] = strtod(fl[3], NULL); cnt[fill] = strtol(fl[4], NULL, 10);
            tot += (double)cnt[fill++];
        }
    }
    fclose(f);
    if (nm == 0 || ns == 0 || block != nm * ns || rep_gp_open(R, &gp, "latent_means", 360 * nm + 80, 480) != 0) {
        aedl_atomic_abort(&dat);
        return;
    }
    fprintf(gp.f, "set multiplot layout 1,%d title ", nm);
    char t[256];
    snprintf(t, sizeof t, "%s: the latent means (quantized model: the firmware's values)", R->model);
    rep_gp_str(gp.f, t);
    fprintf(gp.f, "\nset logscale y\nset ylabel 'fraction of events per bin'\nset key top right\n");
    for (int m = 0; m < nm; m++) {
        fprintf(gp.f, "set xlabel ");
        rep_gp_str(gp.f, means[m]);
        fprintf(gp.f, "\nplot ");
        for (int k = 0; k < ns; k++) {
            fprintf(gp.f, "%s'plots/latent_means.dat' index %d u 1:2 w histeps ", k ? ", \\\n     " : "", m * ns + k);
            gp_sample_style(gp.f, k, m == 0 ? samples[k] : "");
        }
        fprintf(gp.f, "\n");
    }
    fprintf(gp.f, "unset multiplot\n");
    if (rep_commit2(&dat, &gp) != 0) return;
    rep_add_plot(R, "Anomaly scores", "latent_means.png",
                 "A variational autoencoder: each latent mean (the quantized model's, which the firmware's mu2 "
                 "squares and sums) for the test split's background (black) and each signal; each curve "
                 "normalised to 1.", rep_gp_run(R, "latent_means"));
}

void rep_plots(rep *R) {
    thresholds T;
    plot_loss(R);
    plot_roc(R, &T);
    plot_scores(R, &T);
    plot_score_features(R);
    plot_weights(R);
    plot_residuals(R);
    plot_latent_corr(R);
    plot_latent_means(R);
}
