/* evalrun.c — after training: the firmware is aedlc's step (it drives the run,
 * `aedlc run`: we ask it through a pipe to write DIR/firmware.plan, hls/ and
 * report/ with the trained weights), then we evaluate three versions of the
 * model on the test split and every signal:
 *
 *   float      the trained (latent) weights, no quantizer anywhere (float32);
 *   quantized  QI: the generated exact inference in double (docs/semantics.md);
 *   firmware   the emulator (emu.h) running DIR/firmware.plan; with the target's
 *              output = score the plan outputs the score (fw_score_chunk: compared
 *              with the quantized model's, bit for bit, and the trigger threshold);
 *
 * and write eval/summary.json, eval/roc_SIGNAL.csv, eval/residuals.csv, and the
 * firmware testbench vectors hls/tb_data/tb_{input_features,output_predictions}.dat.
 *
 * For the plots (build/aedl-report): eval/scores_hist.csv (score
 * histograms) and eval/residuals_hist.csv; then DIR/report/index.html and its
 * PNGs by running aedl-report from aedlc's folder, when it is there.
 *
 * A model with float (unquantized) parts has a firmware that is not
 * guaranteed (the plan's layers say so).  Its types come from the value
 * ranges on the training data: the plan is evaluated in double on the
 * training split (observe_ranges: the firmware's parameters and the model's
 * quantizers, no other rounding, i.e. the float model with its parameters
 * as the firmware holds them), each layer's min and max go to
 * eval/observed_ranges.csv, and aedlc is asked again, with --observed.  The
 * firmware column is then compared with the float model: the largest and
 * the mean |firmware - float| per output on the test split (summary.json,
 * "error_vs_float").
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cblas.h>
#include "emu.h"
#include "metrics.h"
#include "nn.h"
#include "proc.h"
#include "train_int.h"
#include "util.h"

enum { V_FLOAT, V_QI, V_FW, NV };
static const char *const vname[NV] = { "float", "quantized", "firmware" };

typedef struct {
    aedl_run *r;
    aedl_fw_plan *plan;         /* NULL: no firmware column */
    char fw_note[8192];         /* why there is no firmware column */
    int regen_failed;
    int hls_written;
    /* scores (float, for metrics.h): [variant][table]; table 0 = test, 1.. = signals */
    float **score[NV];
    /* QI vs firmware on the test split */
    long fw_equal, fw_compared;
    double fw_max_diff;
    int fw_guaranteed;          /* every plan layer exact by construction */
    char observed_path[4200];   /* eval/observed_ranges.csv when used, else "" */
    /* firmware vs the float model on the test split, per output (n_out) */
    double *err_max, *err_sum;
    long err_events;
    long in_saturated;          /* test events with an input outside the plan's input type */
    double err_max_in_range;    /* max |fw - float| over the other test events */
    long pin_sat[64];           /* per pinned result type (def->pinned): QI values outside it on the test split */
    long pin_events;            /* test events they were counted on */
    aedl_residual_stat *res[NV];    /* (n_out) each, when residuals are asked for */
    long *rhist[NV];            /* (n_out, RES_BINS + 2) residual histograms */
    /* compression (residuals asked for): sums for the correlation of the float model's
       latent values (L) with its inputs (n_in) on the test split */
    double *lc_l, *lc_l2, *lc_x, *lc_x2, *lc_lx;   /* (L), (L), (n_in), (n_in), (L, n_in) */
    long lc_n;
    /* the quantized model's score per output feature: sum of (out - in)^2 (masked: where
       the input is not padding) and the count, per table: (ntab, n_out) each */
    double *fsum;
    long *fcnt;
    /* the plan outputs the anomaly score (target output = score): per table and event the
       firmware's sum (a mantissa of fs_sum_t) and count (1 without a mask) */
    const aedl_fw_layer *fs;    /* the plan's score layer, or NULL */
    int fs_masked;
    /* masked: on the test split, the features where the firmware's mask (quantized input
       != the padding z_j) and training's (raw value != 0) differ: counted by the firmware
       only, by training only, and the events with any */
    long mask_fw_only, mask_train_only, mask_events;
    int mask_known;             /* the data's mask was there to compare with */
    int fs_mu2;                 /* the score is mu2 (a VAE's encoder): fs reads the means */
    /* a VAE (def->n_z > 0): the scores reco (the reconstruction's mse or masked_mse), kl
       and mu2 of the float model and QI: vs[k][v][table][event] (v < V_FW) */
    float **vs[3][V_FW];
    double **mu;                /* a VAE: QI's means per table, (n, n_z) */
    aedl_fixed fs_sum_t, fs_rec_t;
    int64_t **fs_sum; int **fs_cnt;
} evalctx;

/* The model input's type: the hardware inputs' scaling's result when the plan starts with it
   (the plan's input is then the hardware values). */
static aedl_fixed model_in_t(const aedl_fw_plan *p) {
    return p->nlayers > 0 && p->layers[0].op == FW_HW_INPUT ? p->layers[0].res_t : p->in_t;
}

/* Residual histograms: RES_BINS bins on [-RES_RANGE, RES_RANGE], then one
   underflow and one overflow bin per feature. */
#define RES_BINS 100
#define RES_RANGE 1.0

/* ---------------------------------------------------------------- regeneration */

/* aedlc's warnings in its output `out`: each "...: warning: ..." line with the
   lines that belong to it (the source line and caret, indented, and its
   "note:" lines) is printed to stderr as aedlc wrote it (print; not with
   --quiet, whose final summary counts them), once per run,
   and its warning line is kept for summary.json. */
static int line_has(const char *line, size_t len, const char *pat) {
    size_t n = strlen(pat);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(line + i, pat, n)) return 1;
    return 0;
}

static void take_warnings(evalctx *E, const char *out, int print) {
    const char *line = out;
    while (*line) {
        size_t len = strcspn(line, "\n");
        if (!line_has(line, len, ": warning: ")) { line += len + (line[len] == '\n'); continue; }
        const char *end = line + len + (line[len] == '\n');
        while (*end) {
            size_t l = strcspn(end, "\n");
            if (!(end[0] == ' ' || line_has(end, l, ": note: "))) break;
            end += l + (end[l] == '\n');
        }
        if (aedl_add_warning(&E->r->warn, "%.*s", (int)len, line) && print && !E->r->opt.quiet)
            fprintf(stderr, "%.*s%s", (int)(end - line), line, end[-1] == '\n' ? "" : "\n");
        line = end;
    }
}

/* ---------------------------------------------------------------- observed ranges */

#define CHUNK_OBS 1024

/* The plan evaluated in double on the training split: per layer the min and
   max of v (before the quantizer and the result cast; the quantizer is then
   applied, as in firmware), and of the raw input (row "input").  Writes
   `path` (layer,min,max).  Returns 0, or -1 after printing why. */
static int observe_ranges(evalctx *E, const aedl_fw_plan *p, const char *path) {
    aedl_run *r = E->r;
    const aedl_table *t = &r->data.tr;
    int L = p->nlayers, B = CHUNK_OBS;
    double **val = xcalloc((size_t)L, sizeof(double *));      /* (B, n_out) per layer */
    double **wd = xcalloc((size_t)L, sizeof(double *)), **bd = xcalloc((size_t)L, sizeof(double *));
    double *lo = xmalloc(sizeof(double) * (size_t)(L + 1)), *hi = xmalloc(sizeof(double) * (size_t)(L + 1));
    double *xin = xmalloc(sizeof(double) * (size_t)B * (size_t)p->d_in);
    for (int l = 0; l <= L; l++) { lo[l] = INFINITY; hi[l] = -INFINITY; }
    for (int l = 0; l < L; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        val[l] = xmalloc(sizeof(double) * (size_t)B * (size_t)(a->n_out ? a->n_out : 1));
        long nw = aedl_fw_weight_count(a);
        if (a->has_w && a->w) {
            wd[l] = xmalloc(sizeof(double) * (size_t)(nw ? nw : 1));
            for (long k = 0; k < nw; k++) wd[l][k] = ldexp((double)a->w[k], aedl_fw_exp(a->w_t));
        }
        if (a->has_b && a->b) {
            bd[l] = xmalloc(sizeof(double) * (size_t)(a->n_out ? a->n_out : 1));
            for (int k = 0; k < a->n_out; k++) bd[l][k] = ldexp((double)a->b[k], aedl_fw_exp(a->b_t));
        }
    }
    for (size_t i0 = 0; i0 < t->n; i0 += (size_t)B) {
        int nb = (int)(t->n - i0 < (size_t)B ? t->n - i0 : (size_t)B);
        for (long k = 0; k < (long)nb * p->d_in; k++) {
            double x = t->x[i0 * t->d + (size_t)k];   /* t->d == d_in (checked by the caller) */
            xin[k] = x;
            if (x < lo[L]) lo[L] = x;
            if (x > hi[L]) hi[L] = x;
        }
        for (int l = 0; l < L; l++) {
            const aedl_fw_layer *a = &p->layers[l];
            if (a->op == FW_SCORE || a->op == FW_MASKED_SCORE || a->op == FW_COUNT || a->op == FW_MU2) continue;   /* exact types */
            int n = a->n_out, ni = a->inputs[0] < 0 ? p->d_in : p->layers[a->inputs[0]].n_out;
            const double *x = a->inputs[0] < 0 ? xin : val[a->inputs[0]];
            double *y = val[l];
            switch (a->op) {
            case FW_DENSE:
                for (int e = 0; e < nb; e++)
                    for (int j = 0; j < n; j++) y[(size_t)e * n + j] = bd[l] ? bd[l][j] : 0.0;
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, n, ni, 1.0, x, ni, wd[l], n, 1.0, y, n);
                break;
            case FW_BATCHNORM:
                for (int e = 0; e < nb; e++)
                    for (int j = 0; j < n; j++) y[(size_t)e * n + j] = x[(size_t)e * n + j] * wd[l][j] + bd[l][j];
                break;
            default:   /* the element-wise ops */
                for (long k = 0; k < (long)nb * n; k++) y[k] = aedl_fw_float_value(a->op, wd[l], x[k]);
                break;
            case FW_BOUND:   /* per feature: x, max(x, 0) or k * tanh(x) */
                for (int e = 0; e < nb; e++)
                    for (int j = 0; j < n; j++) {
                        double v = x[(size_t)e * n + j];
                        int64_t mode = a->w[AEDL_ACT_TABLE + j];
                        y[(size_t)e * n + j] = mode == 2 ? bd[l][j] * tanh(v) : mode == 1 && v < 0 ? 0.0 : v;
                    }
                break;
            case FW_SOFTMAX:
                for (int e = 0; e < nb; e++) {
                    const double *xe = x + (size_t)e * n;
                    double mx = -INFINITY, sum = 0;
                    for (int j = 0; j < n; j++) if (xe[j] > mx) mx = xe[j];
                    for (int j = 0; j < n; j++) sum += exp(xe[j] - mx);
                    for (int j = 0; j < n; j++) y[(size_t)e * n + j] = exp(xe[j] - mx) / sum;
                }
                break;
            case FW_ADD:
                memset(y, 0, sizeof(double) * (size_t)nb * n);
                for (int k = 0; k < a->ninputs; k++) {
                    const double *xk = a->inputs[k] < 0 ? xin : val[a->inputs[k]];
                    for (long q = 0; q < (long)nb * n; q++) y[q] += xk[q];
                }
                break;
            case FW_CONCAT: {
                int off = 0;
                for (int k = 0; k < a->ninputs; k++) {
                    int nk = a->inputs[k] < 0 ? p->d_in : p->layers[a->inputs[k]].n_out;
                    const double *xk = a->inputs[k] < 0 ? xin : val[a->inputs[k]];
                    for (int e = 0; e < nb; e++)
                        memcpy(y + (size_t)e * n + off, xk + (size_t)e * nk, sizeof(double) * (size_t)nk);
                    off += nk;
                }
                break;
            }
            }
            for (long k = 0; k < (long)nb * n; k++) {
                if (y[k] < lo[l]) lo[l] = y[k];
                if (y[k] > hi[l]) hi[l] = y[k];
                if (a->has_quant) y[k] = ldexp((double)aedl_fw_from_double(y[k], a->q_t), aedl_fw_exp(a->q_t));
            }
        }
    }
    aedl_atomic f;
    int rc = 0;
    if (aedl_atomic_open(&f, path, "w") != 0) {
        fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, path, strerror(errno));
        rc = -1;
    } else {
        fprintf(f.f, "layer,min,max\n");
        if (lo[L] <= hi[L] && isfinite(lo[L]) && isfinite(hi[L])) fprintf(f.f, "input,%.9g,%.9g\n", lo[L], hi[L]);
        for (int l = 0; l < L; l++)   /* hw_input: the model's input, the row "input" */
            if (lo[l] <= hi[l] && isfinite(lo[l]) && isfinite(hi[l]) && p->layers[l].op != FW_HW_INPUT)
                fprintf(f.f, "%s,%.9g,%.9g\n", p->layers[l].name, lo[l], hi[l]);
        if (aedl_atomic_commit(&f) != 0) {
            fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, path, strerror(errno));
            rc = -1;
        }
    }
    for (int l = 0; l < L; l++) { free(val[l]); free(wd[l]); free(bd[l]); }
    free(val); free(wd); free(bd); free(lo); free(hi); free(xin);
    return rc;
}

/* After the first firmware: a plan with float parts gets its types from the
   observed ranges (aedlc --observed).  Returns 1 when they were written (aedlc
   is then asked again). */
static int regenerate_observed(evalctx *E) {
    aedl_run *r = E->r;
    char plan_path[4096], err[1024], dir[4200];
    snprintf(plan_path, sizeof plan_path, "%s/firmware.plan", r->opt.outdir);
    aedl_fw_plan *p = aedl_fw_plan_read(plan_path, err, (int)sizeof err);
    if (!p) return 0;                                /* reported by the caller's read */
    int exact = 1;
    for (int l = 0; l < p->nlayers; l++) exact &= p->layers[l].guaranteed;
    E->fw_guaranteed = exact;
    int ran = 0;
    if (!exact && p->d_in == r->def->n_in && r->data.tr.d == (size_t)p->d_in && r->data.tr.n > 0) {
        snprintf(dir, sizeof dir, "%s/eval", r->opt.outdir);
        snprintf(E->observed_path, sizeof E->observed_path, "%s/eval/observed_ranges.csv", r->opt.outdir);
        double t0 = aedl_now();
        if (aedl_mkdirs(dir) != 0 || observe_ranges(E, p, E->observed_path) != 0) E->observed_path[0] = 0;
        else {
            aedl_say(r, "firmware: float parts: observed ranges of %zu training events in %s (%.2f s)\n",
                     r->data.tr.n, E->observed_path, aedl_now() - t0);
            ran = 1;
        }
    }
    aedl_fw_plan_free(p);
    return ran;
}

/* Under `aedlc run` (AEDL_DRIVER_FD="R,W" in the environment: the pipe ends to
   read from and write to aedlc): the firmware is aedlc's step, not ours.  We
   ask for it with the line "firmware OBSERVED" (OBSERVED: eval/observed_ranges.csv
   or empty) and read "STATUS LENGTH" and aedlc's messages.  Returns the status,
   -1 when not driven or the driver is gone. */
static int ask_driver(evalctx *E, char **out) {
    const char *env = getenv("AEDL_DRIVER_FD");
    int rfd, wfd;
    *out = xstrdup("");
    if (!env || sscanf(env, "%d,%d", &rfd, &wfd) != 2) return -1;
    aedl_say(E->r, "firmware: aedlc writes firmware.plan, hls/ and report/ with %s%s%s\n", E->r->opt.weights_path,
             E->observed_path[0] ? " and " : "", E->observed_path);
    char line[4400];
    int n = snprintf(line, sizeof line, "firmware %s\n", E->observed_path);
    if (write(wfd, line, (size_t)n) != n) return -1;
    size_t len = 0;
    int k = 0, st;
    char c;
    while (k < (int)sizeof line - 1 && read(rfd, &c, 1) == 1 && c != '\n') line[k++] = c;
    line[k] = 0;
    if (sscanf(line, "%d %zu", &st, &len) != 2 || len > (1u << 28)) return -1;
    char *buf = xmalloc(len + 1);
    size_t got = 0;
    while (got < len) {
        ssize_t m = read(rfd, buf + got, len - got);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) break;
        got += (size_t)m;
    }
    buf[got] = 0;
    free(*out);
    *out = buf;
    return got == len ? st : -1;
}

static void regenerate(evalctx *E) {
    aedl_run *r = E->r;
    char *out = NULL;
    if (!getenv("AEDL_DRIVER_FD")) {
        snprintf(E->fw_note, sizeof E->fw_note, "no firmware: aedlc makes it when it drives the run "
                 "(aedlc run FILE.aedl -o DIR)");
        aedl_say(r, "firmware: skipped: started without aedlc run, which makes the firmware\n");
        return;
    }
    int st = ask_driver(E, &out);
    take_warnings(E, out, st == 0);
    if (st == 0 && regenerate_observed(E)) {
        free(out);
        st = ask_driver(E, &out);
        take_warnings(E, out, st == 0);
    }
    if (st == 0) E->hls_written = 1;
    if (st != 0) {
        fprintf(stderr, "%s: error: regenerating the firmware with aedlc failed (status %d):\n%s",
                aedl_progname, st, out);
        snprintf(E->fw_note, sizeof E->fw_note, "aedlc failed (status %d) regenerating the firmware", st);
        E->regen_failed = 1;
        free(out);
        return;
    }
    free(out);
    char plan_path[4096], err[1024];
    snprintf(plan_path, sizeof plan_path, "%s/firmware.plan", r->opt.outdir);
    E->plan = aedl_fw_plan_read(plan_path, err, (int)sizeof err);
    if (E->plan && aedl_fw_prepare(E->plan, err, (int)sizeof err) != 0) {
        aedl_fw_plan_free(E->plan);
        E->plan = NULL;
    }
    if (!E->plan) {
        snprintf(E->fw_note, sizeof E->fw_note, "cannot use %s: %s", plan_path, err);
        fprintf(stderr, "%s: error: %s\n", aedl_progname, E->fw_note);
        E->regen_failed = 1;
        return;
    }
    E->fw_guaranteed = 1;
    for (int l = 0; l < E->plan->nlayers; l++) E->fw_guaranteed &= E->plan->layers[l].guaranteed;
    const aedl_fw_layer *so = &E->plan->layers[E->plan->outputs[0]];
    if (E->plan->outputs[0] >= 0 && (so->op == FW_SCORE || so->op == FW_MASKED_SCORE || so->op == FW_MU2)) {
        E->fs = so;
        E->fs_masked = so->op == FW_MASKED_SCORE;
        E->fs_mu2 = so->op == FW_MU2;
        E->fs_sum_t = so->acc_t;
        E->fs_rec_t = so->inputs[0] < 0 ? E->plan->in_t : E->plan->layers[so->inputs[0]].res_t;
    }
    /* a plan of another model: no firmware evaluation, and why */
    const aedl_model_def *d = r->def;
    E->fw_note[0] = 0;
    if (E->fs_mu2 && (E->plan->d_in != d->n_in || so->n_in != d->n_z))
        snprintf(E->fw_note, sizeof E->fw_note, "%s scores %d inputs with %d means, the model has %d and %d",
                 plan_path, E->plan->d_in, so->n_in, d->n_in, d->n_z);
    else if (E->fs && !E->fs_mu2 && (E->plan->d_in != d->n_in || so->n_in != d->n_out))
        snprintf(E->fw_note, sizeof E->fw_note, "%s scores %d inputs against %d outputs, the model has %d and %d",
                 plan_path, E->plan->d_in, so->n_in, d->n_in, d->n_out);
    else if (!E->fs && (E->plan->d_in != d->n_in || E->plan->d_out != d->n_out))
        snprintf(E->fw_note, sizeof E->fw_note, "%s has %d inputs and %d outputs, the model %d and %d",
                 plan_path, E->plan->d_in, E->plan->d_out, d->n_in, d->n_out);
    if (E->fw_note[0]) {
        fprintf(stderr, "%s: error: %s\n", aedl_progname, E->fw_note);
        aedl_fw_plan_free(E->plan);
        E->plan = NULL;
        E->fs = NULL;
        E->regen_failed = 1;
    }
}

/* ---------------------------------------------------------------- scoring */

/* Residuals are relative to the physical values: undo the preprocessing
   (aedl_scaler_invert) on a copy of the input and of the output (B, F). */
/* hist (F, RES_BINS + 2) += the relative residuals (out - in) / in, in != 0. */
static void residual_hist_add(long *hist, const float *out, const float *in, int B, int F) {
    for (long e = 0; e < B; e++)
        for (int f = 0; f < F; f++) {
            size_t k = (size_t)e * (size_t)F + (size_t)f;
            if (in[k] == 0.0f) continue;
            double v = ((double)out[k] - (double)in[k]) / (double)in[k];
            long *h = hist + (size_t)f * (RES_BINS + 2);
            if (!(v >= -RES_RANGE)) h[RES_BINS]++;          /* underflow (and NaN) */
            else if (v >= RES_RANGE) h[RES_BINS + 1]++;     /* overflow */
            else {
                int b = (int)((v + RES_RANGE) / (2 * RES_RANGE) * RES_BINS);
                h[b < RES_BINS ? b : RES_BINS - 1]++;
            }
        }
}

static void residuals_add(aedl_run *r, aedl_residual_stat *st, long *hist, const float *out,
                          const float *x, int B, int F, float *tin, float *tout) {
    if (!r->data.have_scaler || (size_t)F != r->data.scaler.d) {
        aedl_residual_stats_add(st, out, x, B, F);
        residual_hist_add(hist, out, x, B, F);
        return;
    }
    for (long e = 0; e < B; e++)
        for (int f = 0; f < F; f++) {
            size_t k = (size_t)e * (size_t)F + (size_t)f;
            tin[k] = aedl_scaler_invert(&r->data.scaler, (size_t)f, x[k]);
            tout[k] = aedl_scaler_invert(&r->data.scaler, (size_t)f, out[k]);
        }
    aedl_residual_stats_add(st, tout, tin, B, F);
    residual_hist_add(hist, tout, tin, B, F);
}

#define CHUNK 4096

static void latent_corr_add(evalctx *E, const float *lat, const float *x, int B) {
    const aedl_model_def *d = E->r->def;
    int L = d->n_latent, N = d->n_in;
    for (int e = 0; e < B; e++) {
        const float *l = lat + (size_t)e * L, *xi = x + (size_t)e * N;
        for (int k = 0; k < N; k++) { E->lc_x[k] += xi[k]; E->lc_x2[k] += (double)xi[k] * xi[k]; }
        for (int a = 0; a < L; a++) {
            E->lc_l[a] += l[a];
            E->lc_l2[a] += (double)l[a] * l[a];
            for (int k = 0; k < N; k++) E->lc_lx[(size_t)a * N + k] += (double)l[a] * xi[k];
        }
    }
    E->lc_n += B;
}

/* A file of eval/ being written (atomic): DIR/eval/NAME. */
typedef struct { aedl_atomic a; char path[4200]; } evalfile;

/* Opens DIR/eval/name and writes the header line (if any); NULL after a message. */
static FILE *eval_open(const aedl_run *r, evalfile *ef, const char *name, const char *header) {
    snprintf(ef->path, sizeof ef->path, "%s/eval/%s", r->opt.outdir, name);
    if (aedl_atomic_open(&ef->a, ef->path, "w") != 0) {
        fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, ef->path, strerror(errno));
        return NULL;
    }
    if (header) fprintf(ef->a.f, "%s\n", header);
    return ef->a.f;
}

/* Puts it in place: 0, or 1 after a message. */
static int eval_commit(evalfile *ef) {
    if (aedl_atomic_commit(&ef->a) == 0) return 0;
    fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, ef->path, strerror(errno));
    return 1;
}

/* eval/score_features.csv: per sample (the test split's background, each signal) and
   output feature, the mean squared error of the quantized model: what each feature
   adds to the anomaly score. */
static int write_score_features(evalctx *E) {
    aedl_run *r = E->r;
    int F = r->def->n_out, ntab = 1 + r->cfg->nsignals;
    if (F != r->def->n_in) return 0;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "score_features.csv", "sample,feature,name,mean_squared_error");
    if (!csv) return 1;
    for (int t = 0; t < ntab; t++)
        for (int f = 0; f < F; f++) {
            long c = E->fcnt[(size_t)t * F + f];
            fprintf(csv, "%s,%d,%s,", t ? r->cfg->signals[t - 1].name : "background", f,
                    r->data.names ? r->data.names[f] : "");
            if (c) fprintf(csv, "%.9g", E->fsum[(size_t)t * F + f] / (double)c);
            fputc('\n', csv);
        }
    return eval_commit(&ef);
}

/* eval/latent_corr.csv: the Pearson correlation of each latent value with each input
   feature on the test split (float model); empty cells where one is constant. */
static int write_latent_corr(evalctx *E) {
    aedl_run *r = E->r;
    const aedl_model_def *d = r->def;
    if (!E->lc_l || E->lc_n < 2) return 0;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "latent_corr.csv", "latent,feature,name,r");
    if (!csv) return 1;
    int L = d->n_latent, N = d->n_in;
    double n = (double)E->lc_n;
    for (int l = 0; l < L; l++)
        for (int k = 0; k < N; k++) {
            double cov = E->lc_lx[(size_t)l * N + k] / n - E->lc_l[l] / n * (E->lc_x[k] / n);
            double vl = E->lc_l2[l] / n - (E->lc_l[l] / n) * (E->lc_l[l] / n);
            double vx = E->lc_x2[k] / n - (E->lc_x[k] / n) * (E->lc_x[k] / n);
            fprintf(csv, "%s_%d,%d,%s,", d->latent_name, l, k, r->data.names ? r->data.names[k] : "");
            if (vl > 0 && vx > 0) fprintf(csv, "%.6f", cov / sqrt(vl * vx));
            fputc('\n', csv);
        }
    return eval_commit(&ef);
}

/* The firmware's score (output = score) of B events from row i of table ti:
   kept for the threshold, the firmware column's score (the MSE: sum / F, or
   sum / count masked), and on the test split compared with the quantized
   model's score computed here in integers: sum (y - (in_t)x)^2 at the finer
   step, masked over the features whose quantized input is not the padding z_j
   (the firmware's rule, the plan's constants), and that mask compared with
   training's, mk (raw value != 0; NULL when not loaded). */
/* score = mu2: the firmware's sum of the squared means, compared on the test split
   with the quantized model's computed here in integers from its means muq (B, Z). */
static void fw_mu2_chunk(evalctx *E, int ti, size_t i, int B, const double *muq, const double *yf, int is_test) {
    int Z = E->r->def->n_z, em = aedl_fw_exp(E->fs_rec_t), es = aedl_fw_exp(E->fs_sum_t);
    for (int e = 0; e < B; e++) {
        double s = yf[(size_t)e * E->plan->d_out];
        int64_t sm = (int64_t)ldexp(s, -es);
        E->fs_sum[ti][i + e] = sm;
        E->fs_cnt[ti][i + e] = 1;
        E->score[V_FW][ti][i + e] = (float)s;
        if (!is_test) continue;
        __int128 sum = 0;
        int exact = 1;
        for (int j = 0; j < Z; j++) {
            double mv = ldexp(muq[(size_t)e * Z + j], -em);
            if (!(mv == floor(mv) && fabs(mv) < 0x1p62)) { exact = 0; break; }
            sum += (__int128)(int64_t)mv * (int64_t)mv;
        }
        int same = exact && 2 * em >= es && sum * ((__int128)1 << (2 * em - es)) == (__int128)sm;
        E->fw_equal += same;
        if (!same) {
            double q = 0;
            for (int j = 0; j < Z; j++) q += muq[(size_t)e * Z + j] * muq[(size_t)e * Z + j];
            double df = fabs(q - s);
            if (!(df <= E->fw_max_diff)) E->fw_max_diff = df;
        }
    }
    if (is_test) E->fw_compared += B;
}

static void fw_score_chunk(evalctx *E, int ti, size_t i, int B, const float *x, const uint8_t *mk, const double *yq,
                           const double *yf, int is_test) {
    const aedl_fw_plan *p = E->plan;
    int F = E->r->def->n_out, nin = E->r->def->n_in, d = p->d_out;
    aedl_fixed xt = model_in_t(p);
    int er = aedl_fw_exp(E->fs_rec_t), ex = aedl_fw_exp(xt), me = er < ex ? er : ex;
    const int64_t *pad = E->fs_masked && E->fs->has_w ? E->fs->w : NULL;
    if (is_test && E->fs_masked && mk) E->mask_known = 1;
    for (int e = 0; e < B; e++) {
        double s = yf[(size_t)e * d], c = E->fs_masked ? yf[(size_t)e * d + 1] : 1;
        int64_t sm = (int64_t)ldexp(s, -2 * me);
        E->fs_sum[ti][i + e] = sm;
        E->fs_cnt[ti][i + e] = (int)c;
        E->score[V_FW][ti][i + e] = (float)(E->fs_masked ? (c > 0 ? s / c : 0.0) : s / F);
        if (!is_test) continue;
        __int128 sum = 0;
        double sumd = 0;   /* the same in double: the difference when the outputs are off the type's step */
        int cnt = 0, exact = 1, differs = 0;
        for (int f = 0; f < F; f++) {
            double yo = yq[(size_t)e * F + f], yv = ldexp(yo, -er);
            int64_t xm = aedl_fw_from_double((double)x[(size_t)e * nin + f], xt);
            int fw_counts = xm != (pad ? pad[f] : 0);
            if (E->fs_masked && mk && fw_counts != (mk[(size_t)e * nin + f] != 0)) {
                differs = 1;
                if (fw_counts) E->mask_fw_only++; else E->mask_train_only++;
            }
            if (E->fs_masked && !fw_counts) continue;
            double ddd = yo - ldexp((double)xm, ex);
            sumd += ddd * ddd;
            cnt++;
            if (!(yv == floor(yv) && fabs(yv) < 0x1p62)) { exact = 0; continue; }
            __int128 dd = (__int128)(int64_t)yv * ((__int128)1 << (er - me)) - (__int128)xm * ((__int128)1 << (ex - me));
            sum += dd * dd;
        }
        E->mask_events += differs;
        int same = exact && sum == (__int128)sm && (!E->fs_masked || cnt == (int)c);
        E->fw_equal += same;
        if (!same) {
            double df = fabs((exact ? ldexp((double)sum, 2 * me) : sumd) - s);
            if (!(df <= E->fw_max_diff)) E->fw_max_diff = df;
        }
    }
    if (is_test) E->fw_compared += B;
}

static const char *score_name(aedl_loss_kind k) {
    return k == AEDL_LOSS_MASKED_MSE ? "masked_mse" : k == AEDL_LOSS_KL ? "kl" : k == AEDL_LOSS_MU2 ? "mu2" : "mse";
}

/* The reconstruction score of a VAE (and of any model): score unless that is kl or mu2, else the loss's. */
static aedl_loss_kind reco_kind(const aedl_train_cfg *c) {
    return c->score == AEDL_LOSS_MSE || c->score == AEDL_LOSS_MASKED_MSE ? c->score : c->loss;
}

/* A VAE: variant v's three scores of B events from row i of table ti (its reconstruction
   score already in E->score[v]), then the primary one (the train block's score) into E->score[v]. */
static void vae_scores(evalctx *E, int ti, size_t i, int B, int v, const double *mu, const double *lv) {
    int Z = E->r->def->n_z;
    double *kl = xmalloc(sizeof(double) * (size_t)(B ? B : 1)), *m2 = xmalloc(sizeof(double) * (size_t)(B ? B : 1));
    aedl_kl_per_event_f64(kl, mu, lv, B, Z);
    aedl_mu2_per_event_f64(m2, mu, B, Z);
    aedl_loss_kind sk = E->r->cfg->score;
    for (int e = 0; e < B; e++) {
        E->vs[0][v][ti][i + e] = E->score[v][ti][i + e];
        E->vs[1][v][ti][i + e] = (float)kl[e];
        E->vs[2][v][ti][i + e] = (float)m2[e];
        if (sk == AEDL_LOSS_KL) E->score[v][ti][i + e] = (float)kl[e];
        if (sk == AEDL_LOSS_MU2) E->score[v][ti][i + e] = (float)m2[e];
    }
    free(kl); free(m2);
}

/* Scores of table t with all variants; when t is the test split, compares QI
   with the firmware and fills the residual statistics. */
static void score_table(evalctx *E, const aedl_table *t, int ti, int is_test) {
    const aedl_model_def *pd = E->r->def;
    long pin0[64];
    int npin = pd->npinned < 64 ? pd->npinned : 64;
    for (int k = 0; k < npin; k++) pin0[k] = pd->pinned_saturated(E->r->blk.model)[k];
    aedl_run *r = E->r;
    const aedl_model_def *d = r->def;
    int F = d->n_out, nin = d->n_in, Z = d->n_z;
    int masked = reco_kind(r->cfg) == AEDL_LOSS_MASKED_MSE;
    size_t n = t->n;
    for (int v = 0; v < NV; v++) E->score[v][ti] = xmalloc((n ? n : 1) * sizeof(float));
    for (int k = 0; Z && k < 3; k++)
        for (int v = 0; v < V_FW; v++) E->vs[k][v][ti] = xmalloc((n ? n : 1) * sizeof(float));
    if (Z) E->mu[ti] = xmalloc((n ? n : 1) * (size_t)Z * sizeof(double));
    /* a VAE: the chunk's means and log-variances, float (f) and QI (q) */
    double *muf = Z ? xmalloc((size_t)CHUNK * (size_t)Z * sizeof(double)) : NULL;
    double *lvf = Z ? xmalloc((size_t)CHUNK * (size_t)Z * sizeof(double)) : NULL;
    double *muq = Z ? xmalloc((size_t)CHUNK * (size_t)Z * sizeof(double)) : NULL;
    double *lvq = Z ? xmalloc((size_t)CHUNK * (size_t)Z * sizeof(double)) : NULL;
    if (E->fs) {
        E->fs_sum[ti] = xmalloc((n ? n : 1) * sizeof(int64_t));
        E->fs_cnt[ti] = xmalloc((n ? n : 1) * sizeof(int));
    }
    double *xd = xmalloc((size_t)CHUNK * (size_t)nin * sizeof(double));
    double *yq = xmalloc((size_t)CHUNK * (size_t)F * sizeof(double));
    double *yf = xmalloc((size_t)CHUNK * (size_t)(F > 2 ? F : 2) * sizeof(double));
    double *sd = xmalloc((size_t)CHUNK * sizeof(double));
    float *yfl = xmalloc((size_t)CHUNK * (size_t)F * sizeof(float));
    float *yflt = xmalloc((size_t)CHUNK * (size_t)F * sizeof(float));   /* the float outputs, kept */
    float *tin = xmalloc((size_t)CHUNK * (size_t)F * sizeof(float));
    float *tout = xmalloc((size_t)CHUNK * (size_t)F * sizeof(float));
    for (size_t i = 0; i < n; i += CHUNK) {
        int B = (int)(n - i < CHUNK ? n - i : CHUNK);
        const float *x = t->x + i * t->d;
        const uint8_t *mk = masked ? t->mask + i * t->d : NULL;
        /* float model, in batches the model was allocated for */
        for (int b = 0; b < B; b += r->opt.batch) {
            int bb = B - b < r->opt.batch ? B - b : r->opt.batch;
            const float *out = d->forward(r->blk.model, x + (size_t)b * nin, bb, AEDL_MODE_FLOAT, &r->st.rng);
            memcpy(yfl + (size_t)b * F, out, (size_t)bb * F * sizeof(float));
            if (is_test && E->lc_l) latent_corr_add(E, d->latent(r->blk.model), x + (size_t)b * nin, bb);
            for (long k = 0; Z && k < (long)bb * Z; k++) {
                muf[(size_t)b * Z + k] = d->z_mu(r->blk.model)[k];
                lvf[(size_t)b * Z + k] = d->z_logvar(r->blk.model)[k];
            }
        }
        memcpy(yflt, yfl, (size_t)B * F * sizeof(float));
        if (masked) aedl_masked_mse_per_event(E->score[V_FLOAT][ti] + i, yfl, x, mk, B, F);
        else aedl_mse_per_event(E->score[V_FLOAT][ti] + i, yfl, x, B, F);
        if (Z) vae_scores(E, ti, i, B, V_FLOAT, muf, lvf);
        if (is_test && E->res[V_FLOAT]) residuals_add(r, E->res[V_FLOAT], E->rhist[V_FLOAT], yfl, x, B, F, tin, tout);
        /* QI and firmware */
        aedl_f32_to_f64(xd, x, (long)B * nin);
        for (int b = 0; b < B; b += r->opt.batch) {
            int bb = B - b < r->opt.batch ? B - b : r->opt.batch;
            d->exact(r->blk.model, xd + (size_t)b * nin, yq + (size_t)b * F, bb);
            if (Z) {
                memcpy(E->mu[ti] + (i + (size_t)b) * Z, d->z_mu_exact(r->blk.model), sizeof(double) * (size_t)bb * Z);
                memcpy(muq + (size_t)b * Z, d->z_mu_exact(r->blk.model), sizeof(double) * (size_t)bb * Z);
                memcpy(lvq + (size_t)b * Z, d->z_logvar_exact(r->blk.model), sizeof(double) * (size_t)bb * Z);
            }
        }
        if (F == nin) {
            double *fs = E->fsum + (size_t)ti * F;
            long *fc = E->fcnt + (size_t)ti * F;
            for (int e = 0; e < B; e++)
                for (int f = 0; f < F; f++) {
                    size_t k = (size_t)e * F + f;
                    if (mk && !mk[k]) continue;
                    double dd = yq[k] - xd[k];
                    fs[f] += dd * dd;
                    fc[f]++;
                }
        }
        for (int pass = 0; pass < 2; pass++) {
            int v = pass ? V_FW : V_QI;
            double *y = pass ? yf : yq;
            if (pass) {
                if (!E->plan) { for (int e = 0; e < B; e++) E->score[V_FW][ti][i + e] = NAN; break; }
                aedl_fw_run(E->plan, t->xhw ? t->xhw + i * t->d : x, yf, B);
                if (E->fs_mu2) { fw_mu2_chunk(E, ti, i, B, muq, yf, is_test); break; }
                if (E->fs) { fw_score_chunk(E, ti, i, B, x, t->mask ? t->mask + i * t->d : NULL, yq, yf, is_test); break; }
            }
            if (masked) aedl_masked_mse_per_event_f64(sd, y, xd, mk, B, F);
            else aedl_mse_per_event_f64(sd, y, xd, B, F);
            for (int e = 0; e < B; e++) E->score[v][ti][i + e] = (float)sd[e];
            if (Z && !pass) vae_scores(E, ti, i, B, V_QI, muq, lvq);
            if (is_test && E->res[v]) {
                for (long k = 0; k < (long)B * F; k++) yfl[k] = (float)y[k];
                residuals_add(r, E->res[v], E->rhist[v], yfl, x, B, F, tin, tout);
            }
        }
        if (is_test && E->plan && !E->fs) {
            for (int e = 0; e < B; e++) {
                int same = 1;
                for (int f = 0; f < F; f++) {
                    double a = yq[(size_t)e * F + f], b = yf[(size_t)e * F + f];
                    if (a != b) {
                        same = 0;
                        double df = fabs(a - b);
                        if (!(df <= E->fw_max_diff)) E->fw_max_diff = df;
                    }
                }
                E->fw_equal += same;
            }
            double tlo = aedl_fixed_min(model_in_t(E->plan)), thi = aedl_fixed_max(model_in_t(E->plan));
            for (int e = 0; e < B; e++) {
                int out = 0;     /* an input the firmware (and QI) saturate, the float model does not */
                for (int k = 0; k < nin && !out; k++) out = !(x[(size_t)e * nin + k] >= tlo && x[(size_t)e * nin + k] <= thi);
                E->in_saturated += out;
                for (int f = 0; f < F; f++) {   /* firmware vs the float model */
                    double d = fabs(yf[(size_t)e * F + f] - (double)yflt[(size_t)e * F + f]);
                    if (!(d <= E->err_max[f])) E->err_max[f] = d;
                    if (!out && !(d <= E->err_max_in_range)) E->err_max_in_range = d;
                    E->err_sum[f] += d;
                }
            }
            E->fw_compared += B;
            E->err_events += B;
        }
    }
    if (is_test) {
        for (int k = 0; k < npin; k++) E->pin_sat[k] += pd->pinned_saturated(r->blk.model)[k] - pin0[k];
        E->pin_events += (long)n;
    }
    free(xd); free(yq); free(yf); free(sd); free(yfl); free(yflt); free(tin); free(tout);
    free(muf); free(lvf); free(muq); free(lvq);
}

/* ---------------------------------------------------------------- testbench */

static void write_tb(evalctx *E) {
    aedl_run *r = E->r;
    if (!E->plan || !E->hls_written) return;
    char dir[4096], pin[4200], pout[4200];
    snprintf(dir, sizeof dir, "%s/hls/tb_data", r->opt.outdir);
    if (aedl_mkdirs(dir) != 0) {
        fprintf(stderr, "%s: error: cannot create %s: %s\n", aedl_progname, dir, strerror(errno));
        E->regen_failed = 1;
        return;
    }
    snprintf(pin, sizeof pin, "%s/tb_input_features.dat", dir);
    snprintf(pout, sizeof pout, "%s/tb_output_predictions.dat", dir);
    size_t n = r->data.te.n < 1000 ? r->data.te.n : 1000;
    int nin = r->def->n_in, F = E->plan->d_out;
    double *y = xmalloc((n ? n : 1) * (size_t)F * sizeof(double));
    const float *xin = r->data.te.xhw ? r->data.te.xhw : r->data.te.x;   /* the hardware inputs, when declared */
    aedl_fw_run(E->plan, xin, y, (long)n);
    aedl_atomic a, b;
    int oa = aedl_atomic_open(&a, pin, "w"), ob = oa == 0 ? aedl_atomic_open(&b, pout, "w") : -1;
    if (oa != 0 || ob != 0) {
        fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, oa ? pin : pout, strerror(errno));
        if (oa == 0) aedl_atomic_abort(&a);
        E->regen_failed = 1;
        free(y);
        return;
    }
    for (size_t e = 0; e < n; e++) {
        for (int k = 0; k < nin; k++)
            fprintf(a.f, "%s%.17g", k ? " " : "", (double)xin[e * r->data.te.d + (size_t)k]);
        fputc('\n', a.f);
        for (int k = 0; k < F; k++) fprintf(b.f, "%s%.17g", k ? " " : "", y[e * (size_t)F + (size_t)k]);
        fputc('\n', b.f);
    }
    int ca = aedl_atomic_commit(&a), ea = errno, cb = aedl_atomic_commit(&b);
    if (ca != 0 || cb != 0) {
        fprintf(stderr, "%s: error: cannot write the testbench vectors %s: %s\n", aedl_progname,
                ca ? pin : pout, strerror(ca ? ea : errno));
        E->regen_failed = 1;
    } else {
        aedl_say(r, "firmware: testbench vectors (%zu events) in %s\n", n, dir);
    }
    free(y);
}

/* ---------------------------------------------------------------- output files */

static void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.9g", v);
    else fprintf(f, "null");
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* Keeps a few hundred ROC points: the first and last, and every point whose
   log10(fpr) or tpr moved by a visible step since the last kept one. */
static void write_roc_points(FILE *f, const char *model, const aedl_roc_point *p, long n) {
    double lf = -1e9, lt = -1;
    for (long i = 0; i < n; i++) {
        double l = p[i].fpr > 0 ? log10(p[i].fpr) : -99;
        if (i == 0 || i == n - 1 || fabs(l - lf) >= 0.01 || fabs(p[i].tpr - lt) >= 0.002) {
            fprintf(f, "%s,%.9g,%.9g,%.9g\n", model, p[i].threshold, p[i].fpr, p[i].tpr);
            lf = l; lt = p[i].tpr;
        }
    }
}

static void write_metrics(evalctx *E, FILE *j, int si, const char *indent) {
    aedl_run *r = E->r;
    const aedl_train_cfg *c = r->cfg;
    long nb = (long)r->data.te.n, ns = (long)r->data.sig[si].n;
    aedl_roc_point *pts = xmalloc((size_t)(nb + ns + 1) * sizeof *pts);
    FILE *rocf = NULL;
    aedl_atomic ra;
    char rp[4200];
    if (c->roc) {
        snprintf(rp, sizeof rp, "%s/eval/roc_%s.csv", r->opt.outdir, c->signals[si].name);
        if (aedl_atomic_open(&ra, rp, "w") == 0) {
            rocf = ra.f;
            fprintf(rocf, "model,threshold,fpr,tpr\n");
        } else {
            fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, rp, strerror(errno));
        }
    }
    fprintf(j, "%s\"events\": %ld,\n", indent, ns);
    for (int v = 0; v < NV; v++) {
        fprintf(j, "%s\"%s\": ", indent, vname[v]);
        if (v == V_FW && !E->plan) {
            fprintf(j, "null%s\n", v + 1 < NV || r->def->n_z ? "," : "");
            continue;
        }
        long np = aedl_roc(pts, E->score[v][0], nb, E->score[v][1 + si], ns);
        if (rocf) write_roc_points(rocf, vname[v], pts, np);
        fprintf(j, "{ \"auc\": ");
        json_num(j, aedl_auc(pts, np));
        fprintf(j, ", \"tpr_at_fpr\": [");
        for (int k = 0; k < c->nfprs; k++) {
            aedl_tpr_at_fpr t = aedl_tpr_at(pts, np, nb, c->fprs[k]);
            fprintf(j, "%s\n%s  { \"fpr\": %.9g, \"tpr\": ", k ? "," : "", indent, c->fprs[k]);
            if (t.measurable) {
                json_num(j, t.tpr);
                fprintf(j, ", \"background_events\": %ld, \"achieved_fpr\": ", t.n_bkg_allowed);
                json_num(j, t.fpr);
                if (t.n_bkg_allowed < 10)
                    fprintf(j, ", \"note\": \"rests on only %ld background event(s): large "
                            "statistical uncertainty\"", t.n_bkg_allowed);
                fprintf(j, " }");
            } else {
                fprintf(j, "null, \"background_events\": 0, \"reason\": \"the test split has %ld "
                        "background events; an FPR of %g needs at least %.0f\" }",
                        nb, c->fprs[k], ceil(1.0 / c->fprs[k]));
            }
        }
        fprintf(j, "%s] }%s\n", c->nfprs ? "\n    " : "", v + 1 < NV || r->def->n_z ? "," : "");
        if (v == V_FLOAT || v == V_QI)
            aedl_say(r, "  %-10s %-9s AUC %.4f\n", c->signals[si].name, vname[v], aedl_auc(pts, np));
    }
    if (r->def->n_z) {   /* a VAE: every score of the float model and QI */
        static const char *const sn[3] = { NULL, "kl", "mu2" };
        fprintf(j, "%s\"scores\": {", indent);
        for (int k = 0; k < 3; k++) {
            const char *name = k ? sn[k] : reco_kind(c) == AEDL_LOSS_MASKED_MSE ? "masked_mse" : "mse";
            fprintf(j, "%s\n%s  \"%s\": {", k ? "," : "", indent, name);
            for (int v = 0; v < V_FW; v++) {
                long np = aedl_roc(pts, E->vs[k][v][0], nb, E->vs[k][v][1 + si], ns);
                fprintf(j, "%s \"%s\": { \"auc\": ", v ? "," : "", vname[v]);
                json_num(j, aedl_auc(pts, np));
                fprintf(j, ", \"tpr_at_fpr\": [");
                for (int q = 0; q < c->nfprs; q++) {
                    aedl_tpr_at_fpr t = aedl_tpr_at(pts, np, nb, c->fprs[q]);
                    fprintf(j, "%s{ \"fpr\": %.9g, \"tpr\": ", q ? ", " : "", c->fprs[q]);
                    json_num(j, t.measurable ? t.tpr : NAN);
                    fprintf(j, " }");
                }
                fprintf(j, "] }");
                if (strcmp(name, score_name(c->score)) != 0)   /* the train block's score: printed above */
                    aedl_say(r, "  %-10s %-9s AUC %.4f  (score %s)\n", c->signals[si].name, vname[v], aedl_auc(pts, np), name);
            }
            fprintf(j, " }");
        }
        fprintf(j, "\n%s}\n", indent);
    }
    if (rocf && aedl_atomic_commit(&ra) != 0)
        fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, rp, strerror(errno));
    free(pts);
}

static double mean_of(const float *s, size_t n) {
    double a = 0;
    for (size_t i = 0; i < n; i++) a += s[i];
    return n ? a / (double)n : NAN;
}

/* The firmware score's trigger threshold for FPR = trigger_rate / bunch_rate:
   the smallest t, a value of the score's type (mantissa T), with at most
   floor(FPR * N) background test events firing (sum > t * count; count = 1
   without a mask), i.e. T = ceil(sum / count) of the (k+1)-th largest ratio;
   then the fraction of each signal's events that fire. */
static int cmp_ratio_desc(const void *a, const void *b) {
    const int64_t *x = a, *y = b;   /* (sum, count) pairs: x0/x1 vs y0/y1, counts >= 0 */
    __int128 l = (__int128)x[0] * (y[1] ? y[1] : 1) * (x[1] ? 1 : 0), r = (__int128)y[0] * (x[1] ? x[1] : 1) * (y[1] ? 1 : 0);
    if (!x[1] && !y[1]) return 0;
    if (!x[1]) return 1;            /* count 0: never fires, last */
    if (!y[1]) return -1;
    return l > r ? -1 : l < r ? 1 : 0;
}
static int64_t fw_threshold(const evalctx *E, double fpr, long *fired) {
    size_t n = E->r->data.te.n;
    long k = (long)floor(fpr * (double)n);
    *fired = 0;
    if (n == 0) return 0;
    if ((size_t)k >= n) return -1;
    int64_t *pr = xmalloc(n * 2 * sizeof(int64_t));
    for (size_t e = 0; e < n; e++) { pr[2 * e] = E->fs_sum[0][e]; pr[2 * e + 1] = E->fs_cnt[0][e]; }
    qsort(pr, n, 2 * sizeof(int64_t), cmp_ratio_desc);
    int64_t s = pr[2 * k], c = pr[2 * k + 1];
    int64_t T = c ? (s + c - 1) / c : 0;
    free(pr);
    for (size_t e = 0; e < n; e++) *fired += (__int128)E->fs_sum[0][e] > (__int128)T * E->fs_cnt[0][e];
    return T;
}
static long fw_fired(const evalctx *E, int ti, size_t n, int64_t T) {
    long f = 0;
    for (size_t e = 0; e < n; e++) f += (__int128)E->fs_sum[ti][e] > (__int128)T * E->fs_cnt[ti][e];
    return f;
}

static void write_fw_score(evalctx *E, FILE *j) {
    aedl_run *r = E->r;
    const aedl_train_cfg *c = r->cfg;
    double fpr = c->trigger_rate / c->bunch_rate;
    long fired;
    int64_t T = fw_threshold(E, fpr, &fired);
    int e = aedl_fw_exp(E->fs_sum_t);
    char ty[64];
    snprintf(ty, sizeof ty, "%sfixed<%d,%d>", E->fs_sum_t.is_signed ? "" : "u", E->fs_sum_t.width, E->fs_sum_t.integer);
    fprintf(j, ",\n    \"score_output\": { \"score\": \"%s\", \"type\": \"%s\", \"trigger_rate\": ",
            E->fs_mu2 ? "mu2" : E->fs_masked ? "masked_mse" : "mse", ty);
    json_num(j, c->trigger_rate);
    fprintf(j, ", \"bunch_rate\": ");
    json_num(j, c->bunch_rate);
    fprintf(j, ", \"fpr\": ");
    json_num(j, fpr);
    fprintf(j, ",\n      \"decision\": \"%s\", \"threshold\": ", E->fs_masked ? "sum > threshold * count" : "score > threshold");
    if (T >= 0) fprintf(j, "%.17g", ldexp((double)T, e)); else fprintf(j, "null");
    fprintf(j, ", \"threshold_bits\": ");
    if (T >= 0) fprintf(j, "%lld", (long long)T); else fprintf(j, "null");
    fprintf(j, ", \"background_events\": %zu, \"background_fired\": %ld,\n      \"tpr\": {", r->data.te.n, fired);
    for (int si = 0; si < c->nsignals; si++) {
        fprintf(j, "%s ", si ? "," : "");
        json_str(j, c->signals[si].name);
        fprintf(j, ": ");
        size_t ns = r->data.sig[si].n;
        if (T >= 0 && ns) json_num(j, (double)fw_fired(E, 1 + si, ns, T) / (double)ns); else fprintf(j, "null");
    }
    fprintf(j, " }");
    if (E->fs_masked) {
        /* the firmware's mask: input != padding z_j (a raw 0 preprocessed and cast); vs training's */
        const aedl_fw_layer *a = E->fs;
        int ex = aedl_fw_exp(model_in_t(E->plan));
        fprintf(j, ",\n      \"mask\": { \"rule\": \"quantized input != padding\", \"padding\": [");
        for (int f = 0; f < a->n_in; f++)
            fprintf(j, "%s%.17g", f ? ", " : "", a->has_w ? ldexp((double)a->w[f], ex) : 0.0);
        fprintf(j, "],\n        \"differs_from_training\": ");
        if (E->mask_known)
            fprintf(j, "{ \"test_events\": %ld, \"events\": %ld, \"features\": %ld, \"firmware_only\": %ld, "
                    "\"training_only\": %ld }", E->fw_compared, E->mask_events, E->mask_fw_only + E->mask_train_only,
                    E->mask_fw_only, E->mask_train_only);
        else fprintf(j, "null");
        fprintf(j, " }");
    }
    fprintf(j, " }");
    if (T >= 0) {
        aedl_say(r, "firmware score: threshold %.17g (%s, bits %lld) for %g Hz of %g Hz (FPR %.3g): %ld of %zu "
                 "background test events fire\n", ldexp((double)T, e), ty, (long long)T, c->trigger_rate, c->bunch_rate,
                 fpr, fired, r->data.te.n);
        for (int si = 0; si < c->nsignals; si++) {
            size_t ns = r->data.sig[si].n;
            aedl_say(r, "firmware score: TPR %s %.6g\n", c->signals[si].name,
                     ns ? (double)fw_fired(E, 1 + si, ns, T) / (double)ns : NAN);
        }
    }
}

/* "data": the training files and, with an object selection, what it keeps. */
static void json_data(FILE *j, const aedl_train_cfg *c) {
    const aedl_source *s = &c->train;
    fprintf(j, ",\n  \"data\": { \"name\": ");
    json_str(j, c->data_name);
    fprintf(j, ", \"kind\": \"%s\", \"files\": [",
            s->kind == AEDL_SRC_ROOT ? "root" : s->kind == AEDL_SRC_CSV ? "csv" : "hdf5");
    if (s->nfiles)
        for (int i = 0; i < s->nfiles; i++) { fprintf(j, "%s", i ? ", " : ""); json_str(j, s->files[i]); }
    else
        json_str(j, s->path);
    fprintf(j, "]");
    if (s->tree) { fprintf(j, ", \"tree\": "); json_str(j, s->tree); }
    if (s->dataset) { fprintf(j, ", \"dataset\": "); json_str(j, s->dataset); }
    const aedl_selection *sel = c->selection;
    if (sel) {
        fprintf(j, ", \"objects\": [");
        for (int k = 0; k < sel->nobjs; k++) {
            const aedl_objsel *o = &sel->objs[k];
            fprintf(j, "%s{ \"kind\": ", k ? ", " : "");
            json_str(j, o->kind);
            fprintf(j, ", \"n\": %d, \"variables\": [", o->n);
            for (int v = 0; v < o->nvars; v++) { fprintf(j, "%s", v ? ", " : ""); json_str(j, o->vars[v]); }
            fprintf(j, "], \"sort_by\": ");
            if (o->sort_by) json_str(j, o->sort_by); else fprintf(j, "null");
            fprintf(j, ", \"pad\": %.17g }", o->pad);
        }
        fprintf(j, "], \"scalars\": [");
        for (int i = 0; i < sel->nscalars; i++) { fprintf(j, "%s", i ? ", " : ""); json_str(j, sel->scalars[i]); }
        fprintf(j, "], \"cuts\": [");
        for (int i = 0; i < sel->ncuts; i++) {
            fprintf(j, "%s{ \"kind\": ", i ? ", " : "");
            json_str(j, sel->cuts[i].kind);
            fprintf(j, ", \"min\": %d, \"variable\": ", sel->cuts[i].min);
            if (sel->cuts[i].var) json_str(j, sel->cuts[i].var); else fprintf(j, "null");
            fprintf(j, ", \"above\": %.17g }", sel->cuts[i].above);
        }
        fprintf(j, "]");
    }
    fprintf(j, " }");
}

static int write_summary(evalctx *E) {
    aedl_run *r = E->r;
    const aedl_train_cfg *c = r->cfg;
    evalfile ef;
    FILE *j = eval_open(r, &ef, "summary.json", NULL);
    if (!j) return 1;
    char path[4200];
    fprintf(j, "{\n  \"model\": ");
    json_str(j, r->def->name);
    fprintf(j, ",\n  \"source\": ");
    json_str(j, r->loc.aedl_file);
    fprintf(j, ",\n  \"weights\": ");
    json_str(j, r->opt.weights_path);
    json_data(j, c);
    fprintf(j, ",\n  \"epochs\": %d,\n  \"restored_epoch\": ", r->st.epoch);
    if (r->restored_epoch > 0) fprintf(j, "%d", r->restored_epoch);
    else fprintf(j, "null");
    fprintf(j, ",\n  \"features\": ");
    if (r->data.names) {
        fprintf(j, "[");
        for (size_t k = 0; k < r->data.all.d; k++) { fprintf(j, "%s", k ? ", " : ""); json_str(j, r->data.names[k]); }
        fprintf(j, "]");
    } else
        fprintf(j, "null");
    fprintf(j, ",\n  \"latent_layer\": ");
    if (r->def->latent) json_str(j, r->def->latent_name);
    else fprintf(j, "null");
    fprintf(j, ",\n  \"stopped\": ");
    if (r->st.stop_reason[0]) json_str(j, r->st.stop_reason);
    else fprintf(j, "null");
    fprintf(j, ",\n  \"warnings\": [");
    for (int w = 0; w < r->warn.n; w++) {
        fprintf(j, "%s\n    ", w ? "," : "");
        json_str(j, r->warn.list[w]);
    }
    fprintf(j, "%s]", r->warn.n ? "\n  " : "");
    fprintf(j, ",\n  \"score\": \"%s\",\n", score_name(c->score));
    if (r->def->n_z) {
        fprintf(j, "  \"vae\": { \"sample\": ");
        json_str(j, r->def->sample_name);
        fprintf(j, ", \"latent_size\": %d, \"beta\": ", r->def->n_z);
        json_num(j, c->vae ? c->beta : 0);
        fprintf(j, ", \"reco_weight\": ");
        json_num(j, c->vae ? c->reco_weight : 1);
        fprintf(j, ", \"scores\": [\"%s\", \"kl\", \"mu2\"] },\n", score_name(reco_kind(c)));
    }
    fprintf(j, "  \"test_events\": %zu,\n  \"background_mean_score\": { ", r->data.te.n);
    for (int v = 0; v < NV; v++) {
        fprintf(j, "%s\"%s\": ", v ? ", " : "", vname[v]);
        if (v == V_FW && !E->plan) fprintf(j, "null");
        else json_num(j, mean_of(E->score[v][0], r->data.te.n));
    }
    fprintf(j, " },\n  \"pinned\": [");
    for (int k = 0; k < r->def->npinned && k < 64; k++) {
        fprintf(j, "%s\n    { \"layer\": ", k ? "," : "");
        json_str(j, r->def->pinned[k]);
        fprintf(j, ", \"type\": ");
        json_str(j, r->def->pinned_types[k]);
        fprintf(j, ", \"test_values\": %ld, \"saturated\": %ld }", E->pin_events * r->def->pinned_sizes[k], E->pin_sat[k]);
    }
    fprintf(j, "%s],\n  \"firmware\": { \"available\": %s", r->def->npinned ? "\n  " : "", E->plan ? "true" : "false");
    if (E->plan) {
        fprintf(j, ", \"plan\": ");
        snprintf(path, sizeof path, "%s/firmware.plan", r->opt.outdir);
        json_str(j, path);
        fprintf(j, ", \"guaranteed\": %s", E->fw_guaranteed ? "true" : "false");
        if (!E->fw_guaranteed)
            fprintf(j, ", \"note\": \"float (unquantized) parts: the firmware is not guaranteed to equal the "
                       "quantized model; see error_vs_float and report/precision.txt\"");
        fprintf(j, ", \"observed_ranges\": ");
        if (E->observed_path[0]) json_str(j, E->observed_path);
        else fprintf(j, "null");
        fprintf(j, ", \"test_events\": %ld, \"equal_to_quantized\": %ld, \"max_abs_difference\": ",
                E->fw_compared, E->fw_equal);
        json_num(j, E->fw_max_diff);
        if (E->fs) write_fw_score(E, j);
        int F = r->def->n_out;
        double mx = 0, sum = 0;
        for (int f = 0; f < F; f++) { if (!(E->err_max[f] <= mx)) mx = E->err_max[f]; sum += E->err_sum[f]; }
        long cnt = E->err_events * (long)F;
        fprintf(j, ",\n    \"error_vs_float\": { \"max\": ");
        json_num(j, mx);
        fprintf(j, ", \"mean\": ");
        json_num(j, cnt ? sum / (double)cnt : NAN);
        fprintf(j, ", \"test_events_input_saturated\": %ld, \"max_inputs_in_range\": ", E->in_saturated);
        json_num(j, E->err_max_in_range);
        fprintf(j, ",\n      \"max_per_output\": [");
        for (int f = 0; f < F; f++) { fprintf(j, "%s", f ? ", " : ""); json_num(j, E->err_max[f]); }
        fprintf(j, "],\n      \"mean_per_output\": [");
        for (int f = 0; f < F; f++) {
            fprintf(j, "%s", f ? ", " : "");
            json_num(j, E->err_events ? E->err_sum[f] / (double)E->err_events : NAN);
        }
        fprintf(j, "] }");
    } else {
        fprintf(j, ", \"note\": ");
        json_str(j, E->fw_note);
    }
    fprintf(j, " },\n  \"signals\": {");
    for (int s = 0; s < c->nsignals; s++) {
        fprintf(j, "%s\n    ", s ? "," : "");
        json_str(j, c->signals[s].name);
        fprintf(j, ": {\n");
        write_metrics(E, j, s, "      ");
        fprintf(j, "    }");
    }
    fprintf(j, "%s}", c->nsignals ? "\n  " : "");
    if (E->res[V_FLOAT]) {
        fprintf(j, ",\n  \"residuals\": {");
        for (int v = 0; v < NV; v++) {
            fprintf(j, "%s\n    \"%s\": ", v ? "," : "", vname[v]);
            if (v == V_FW && (!E->plan || E->fs)) { fprintf(j, "null"); continue; }   /* fs: no reconstruction */
            fprintf(j, "{ \"mean\": [");
            for (int k = 0; k < r->def->n_out; k++) {
                fprintf(j, "%s", k ? ", " : "");
                json_num(j, aedl_residual_mean(&E->res[v][k]));
            }
            fprintf(j, "], \"rms\": [");
            for (int k = 0; k < r->def->n_out; k++) {
                fprintf(j, "%s", k ? ", " : "");
                json_num(j, aedl_residual_rms(&E->res[v][k]));
            }
            fprintf(j, "] }");
        }
        fprintf(j, "\n  }");
    }
    fprintf(j, "\n}\n");
    return eval_commit(&ef);
}

static int write_residuals_csv(evalctx *E) {
    aedl_run *r = E->r;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "residuals.csv", "model,feature,n,skipped,mean,rms");
    if (!csv) return 1;
    for (int v = 0; v < NV; v++) {
        if (v == V_FW && (!E->plan || E->fs)) continue;
        for (int k = 0; k < r->def->n_out; k++) {
            const aedl_residual_stat *s = &E->res[v][k];
            fprintf(csv, "%s,%d,%ld,%ld,%.9g,%.9g\n", vname[v], k, s->n, s->skipped,
                    aedl_residual_mean(s), aedl_residual_rms(s));
        }
    }
    return eval_commit(&ef);
}

/* ---------------------------------------------------------------- histograms */

#define SCORE_BINS 120

/* eval/scores_hist.csv: per variant and sample (background = the test split,
   then each signal) the events per bin of log10(score); the bins are shared
   by every row: SCORE_BINS equal steps in log10 between the smallest and the
   largest positive finite score.  Scores <= 0 count in the first bin, NaN
   and +inf in the last. */
static int write_scores_hist(evalctx *E) {
    aedl_run *r = E->r;
    const aedl_train_cfg *c = r->cfg;
    int ntab = 1 + c->nsignals;
    double lo = INFINITY, hi = -INFINITY;
    for (int v = 0; v < NV; v++)
        for (int t = 0; t < ntab; t++) {
            size_t n = t ? r->data.sig[t - 1].n : r->data.te.n;
            for (size_t i = 0; i < n; i++) {
                double s = E->score[v][t][i];
                if (s > 0 && isfinite(s)) { if (s < lo) lo = s; if (s > hi) hi = s; }
            }
        }
    if (!(lo <= hi)) return 0;                       /* no positive score at all */
    double l0 = log10(lo), l1 = log10(hi);
    if (l1 - l0 < 1e-6) { l0 -= 0.5; l1 += 0.5; }
    double step = (l1 - l0) / SCORE_BINS;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "scores_hist.csv", "model,sample,lo,hi,count");
    if (!csv) return 1;
    long h[SCORE_BINS];
    for (int v = 0; v < NV; v++) {
        if (v == V_FW && !E->plan) continue;
        for (int t = 0; t < ntab; t++) {
            size_t n = t ? r->data.sig[t - 1].n : r->data.te.n;
            memset(h, 0, sizeof h);
            for (size_t i = 0; i < n; i++) {
                double s = E->score[v][t][i];
                int b = s > 0 ? (int)floor((log10(s) - l0) / step) : 0;
                if (!(s <= hi) || b >= SCORE_BINS) b = SCORE_BINS - 1;   /* NaN, inf, hi itself */
                if (b < 0) b = 0;
                h[b]++;
            }
            for (int b = 0; b < SCORE_BINS; b++)
                fprintf(csv, "%s,%s,%.9g,%.9g,%ld\n", vname[v], t ? c->signals[t - 1].name : "background",
                        pow(10, l0 + b * step), pow(10, l0 + (b + 1) * step), h[b]);
        }
    }
    return eval_commit(&ef);
}

/* eval/latent_means_hist.csv (a VAE): per mean (the sample layer's first input,
   QI: the firmware's values) and sample (the test split's background, then each
   signal), the events per bin of LATENT_BINS equal bins from the smallest to the
   largest value over all samples. */
#define LATENT_BINS 60
static int write_latent_means(evalctx *E) {
    aedl_run *r = E->r;
    const aedl_train_cfg *c = r->cfg;
    int Z = r->def->n_z, ntab = 1 + c->nsignals;
    if (!Z) return 0;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "latent_means_hist.csv", "mean,sample,lo,hi,count");
    if (!csv) return 1;
    for (int j = 0; j < Z; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int t = 0; t < ntab; t++) {
            size_t n = t ? r->data.sig[t - 1].n : r->data.te.n;
            for (size_t i = 0; i < n; i++) {
                double v = E->mu[t][i * (size_t)Z + (size_t)j];
                if (isfinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
            }
        }
        if (!(lo <= hi)) continue;
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        double step = (hi - lo) / LATENT_BINS;
        long h[LATENT_BINS];
        for (int t = 0; t < ntab; t++) {
            size_t n = t ? r->data.sig[t - 1].n : r->data.te.n;
            memset(h, 0, sizeof h);
            for (size_t i = 0; i < n; i++) {
                double v = E->mu[t][i * (size_t)Z + (size_t)j];
                int b = (int)floor((v - lo) / step);
                if (!(b >= 0)) b = 0;
                if (b >= LATENT_BINS) b = LATENT_BINS - 1;
                h[b]++;
            }
            for (int b = 0; b < LATENT_BINS; b++)
                fprintf(csv, "%s_%d,%s,%.9g,%.9g,%ld\n", r->def->latent_name, j, t ? c->signals[t - 1].name : "background",
                        lo + b * step, lo + (b + 1) * step, h[b]);
        }
    }
    return eval_commit(&ef);
}

/* eval/residuals_hist.csv: per variant and output feature, the relative
   residuals of the test split in RES_BINS bins on [-RES_RANGE, RES_RANGE],
   plus the rows lo=-inf (below, and NaN) and hi=inf (at or above). */
static int write_residuals_hist(evalctx *E) {
    aedl_run *r = E->r;
    evalfile ef;
    FILE *csv = eval_open(r, &ef, "residuals_hist.csv", "model,feature,lo,hi,count");
    if (!csv) return 1;
    double w = 2 * RES_RANGE / RES_BINS;
    for (int v = 0; v < NV; v++) {
        if (v == V_FW && (!E->plan || E->fs)) continue;
        for (int k = 0; k < r->def->n_out; k++) {
            const long *h = E->rhist[v] + (size_t)k * (RES_BINS + 2);
            fprintf(csv, "%s,%d,-inf,%.9g,%ld\n", vname[v], k, -RES_RANGE, h[RES_BINS]);
            for (int b = 0; b < RES_BINS; b++)
                fprintf(csv, "%s,%d,%.9g,%.9g,%ld\n", vname[v], k, -RES_RANGE + b * w,
                        -RES_RANGE + (b + 1) * w, h[b]);
            fprintf(csv, "%s,%d,%.9g,inf,%ld\n", vname[v], k, RES_RANGE, h[RES_BINS + 1]);
        }
    }
    return eval_commit(&ef);
}

/* DIR/report/index.html and its plots: runs aedl-report from the
   folder of aedlc when it is there.  A failure is a warning: the results are
   all written by then.  AEDL_NO_REPORT=1 in the environment skips it (tests
   that train many times). */
static void run_report(evalctx *E) {
    aedl_run *r = E->r;
    const char *slash = strrchr(r->loc.aedlc, '/');
    const char *no = getenv("AEDL_NO_REPORT");
    if (!slash || (no && *no && strcmp(no, "0") != 0)) return;
    char tool[4200];
    snprintf(tool, sizeof tool, "%.*s/aedl-report", (int)(slash - r->loc.aedlc), r->loc.aedlc);
    if (access(tool, X_OK) != 0) {
        aedl_say(r, "report: no %s; plots and index.html skipped\n", tool);
        return;
    }
    const char *argv[] = { tool, "--quiet", r->opt.outdir, NULL };
    char *out = NULL;
    double t0 = aedl_now();
    size_t len;
    int st = aedl_run_capture((char *const *)argv, &out, &len);
    if (st != 0) fprintf(stderr, "%s: warning: %s failed (status %d):\n%s", aedl_progname, tool, st, out);
    else aedl_say(r, "report: %s/report/index.html (%.2f s)\n", r->opt.outdir, aedl_now() - t0);
    free(out);
}

/* ---------------------------------------------------------------- entry */

int aedl_evaluate(aedl_run *r) {
    evalctx E;
    memset(&E, 0, sizeof E);
    E.r = r;
    const aedl_train_cfg *c = r->cfg;
    double t0 = aedl_now();
    regenerate(&E);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/eval", r->opt.outdir);
    if (aedl_mkdirs(dir) != 0) aedl_fatal("cannot create %s: %s", dir, strerror(errno));
    r->def->exact_prepare(r->blk.model);
    int ntab = 1 + c->nsignals;
    for (int k = 0; r->def->n_z && k < 3; k++)
        for (int v = 0; v < V_FW; v++) E.vs[k][v] = xcalloc((size_t)ntab, sizeof(float *));
    if (r->def->n_z) E.mu = xcalloc((size_t)ntab, sizeof(double *));
    for (int v = 0; v < NV; v++) {
        E.score[v] = xcalloc((size_t)ntab, sizeof(float *));
        if (c->residuals) {
            E.res[v] = xcalloc((size_t)r->def->n_out, sizeof(aedl_residual_stat));
            E.rhist[v] = xcalloc((size_t)r->def->n_out * (RES_BINS + 2), sizeof(long));
        }
    }
    if (c->residuals && r->def->latent) {
        size_t L = (size_t)r->def->n_latent, N = (size_t)r->def->n_in;
        E.lc_l = xcalloc(L, sizeof(double)); E.lc_l2 = xcalloc(L, sizeof(double));
        E.lc_x = xcalloc(N, sizeof(double)); E.lc_x2 = xcalloc(N, sizeof(double));
        E.lc_lx = xcalloc(L * N, sizeof(double));
    }
    E.fs_sum = xcalloc((size_t)ntab, sizeof(int64_t *));
    E.fs_cnt = xcalloc((size_t)ntab, sizeof(int *));
    if (E.fs && c->residuals) { free(E.res[V_FW]); free(E.rhist[V_FW]); E.res[V_FW] = NULL; E.rhist[V_FW] = NULL; }
    E.fsum = xcalloc((size_t)ntab * (size_t)r->def->n_out, sizeof(double));
    E.fcnt = xcalloc((size_t)ntab * (size_t)r->def->n_out, sizeof(long));
    E.err_max = xcalloc((size_t)r->def->n_out, sizeof(double));
    E.err_sum = xcalloc((size_t)r->def->n_out, sizeof(double));
    score_table(&E, &r->data.te, 0, 1);
    for (int s = 0; s < c->nsignals; s++) score_table(&E, &r->data.sig[s], 1 + s, 0);
    double err_max = 0, err_sum = 0;
    for (int f = 0; f < r->def->n_out; f++) {
        if (!(E.err_max[f] <= err_max)) err_max = E.err_max[f];
        err_sum += E.err_sum[f];
    }
    double err_mean = E.err_events ? err_sum / ((double)E.err_events * r->def->n_out) : NAN;
    if (E.plan && E.fw_guaranteed)
        aedl_say(r, "firmware emulation equals the quantized model%s on %ld of %ld test events%s\n",
                 E.fs ? " (the score, bit for bit)" : "", E.fw_equal, E.fw_compared, E.fw_equal == E.fw_compared ? "" : "  <-- MISMATCH");
    else if (E.plan && E.fs)
        aedl_say(r, "firmware score (float parts: not guaranteed) equals the model's on %ld of %ld test events; "
                 "max |difference| %.6g\n", E.fw_equal, E.fw_compared, E.fw_max_diff);
    else if (E.plan)
        aedl_say(r, "firmware (float parts: not guaranteed) vs the float model on %ld test events: "
                 "max |fw - float| %.6g, mean %.6g; vs the quantized model (the input type applied): max %.6g%s\n",
                 E.err_events, err_max, err_mean, E.fw_max_diff,
                 E.in_saturated ? " (some test inputs lie outside the input type: the firmware saturates them)" : "");
    if (E.plan && E.fs_masked && E.mask_known) {
        long nf = E.mask_fw_only + E.mask_train_only;
        aedl_say(r, "firmware score: its mask (quantized input != padding) differs from training's (raw value != 0) "
                 "on %ld features of %ld of %ld test events\n", nf, E.mask_events, E.fw_compared);
        if (nf) {
            char msg[1024];
            snprintf(msg, sizeof msg, "the firmware's masked score counts other features than training's masked_mse: "
                     "on %ld of %ld test events, %ld features (%ld counted by the firmware only: a raw 0 whose "
                     "preprocessed value is not the padding; %ld by training only: a value != 0 that the input type "
                     "rounds to the padding); eval/summary.json firmware.score_output.mask",
                     E.mask_events, E.fw_compared, nf, E.mask_fw_only, E.mask_train_only);
            if (!r->opt.quiet) fprintf(stderr, "%s: warning: %s\n", aedl_progname, msg);
            aedl_add_warning(&r->warn, "%s", msg);
        }
    }
    for (int k = 0; k < r->def->npinned && k < 64; k++)
        aedl_say(r, "pinned %s of %s: %ld of %ld test values outside it (saturated)\n", r->def->pinned_types[k],
                 r->def->pinned[k], E.pin_sat[k], E.pin_events * r->def->pinned_sizes[k]);
    if (E.plan && E.in_saturated)
        aedl_say(r, "firmware: %ld of %ld test events have an input outside the input type (saturated in firmware); "
                 "max |fw - float| on the others %.6g\n", E.in_saturated, E.err_events, E.err_max_in_range);
    r->fw.equal = E.fw_equal;
    r->fw.compared = E.plan ? E.fw_compared : -1;
    r->fw.guaranteed = E.plan ? E.fw_guaranteed : 0;
    r->fw.err_max = err_max;
    r->fw.err_mean = err_mean;
    int bad = write_summary(&E);
    if (c->residuals) bad |= write_residuals_csv(&E) | write_residuals_hist(&E);
    bad |= write_scores_hist(&E) | write_latent_corr(&E) | write_score_features(&E) | write_latent_means(&E);
    for (int t = 0; E.mu && t < ntab; t++) free(E.mu[t]);
    free(E.mu);
    free(E.fsum); free(E.fcnt);
    for (int t = 0; t < ntab; t++) { if (E.fs_sum) free(E.fs_sum[t]); if (E.fs_cnt) free(E.fs_cnt[t]); }
    free(E.fs_sum); free(E.fs_cnt);
    free(E.lc_l); free(E.lc_l2); free(E.lc_x); free(E.lc_x2); free(E.lc_lx);
    write_tb(&E);
    aedl_say(r, "evaluation: %s/eval (%.2f s)\n", r->opt.outdir, aedl_now() - t0);
    for (int k = 0; k < 3; k++)
        for (int v = 0; v < V_FW; v++) {
            for (int t = 0; E.vs[k][v] && t < ntab; t++) free(E.vs[k][v][t]);
            free(E.vs[k][v]);
        }
    for (int v = 0; v < NV; v++) {
        for (int t = 0; t < ntab; t++) free(E.score[v][t]);
        free(E.score[v]);
        free(E.res[v]);
        free(E.rhist[v]);
    }
    if (E.plan) aedl_fw_plan_free(E.plan);
    free(E.err_max); free(E.err_sum);
    run_report(&E);
    if (E.regen_failed && !r->def->quantized) {
        /* a float model's firmware is a bonus (not guaranteed): its failure is reported, not fatal */
        fprintf(stderr, "%s: warning: the float model's firmware could not be made (see above); every "
                "other result is written\n", aedl_progname);
        E.regen_failed = 0;
    }
    return bad || E.regen_failed;
}
