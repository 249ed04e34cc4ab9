/* metrics.c — ROC, AUC, TPR at FPR, residuals (see metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include "util.h"

static int descending(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

/* Copies scores into a new array sorted by decreasing value, NaN as +inf. */
static double *sorted_desc(const float *x, long n) {
    double *v = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    for (long i = 0; i < n; i++) v[i] = isnan(x[i]) ? INFINITY : x[i];
    qsort(v, (size_t)n, sizeof *v, descending);
    return v;
}

long aedl_roc(aedl_roc_point *pts, const float *bkg, long n_bkg, const float *sig, long n_sig) {
    double *b = sorted_desc(bkg, n_bkg), *s = sorted_desc(sig, n_sig);
    double fb = n_bkg > 0 ? 1.0 / n_bkg : 0.0, fs = n_sig > 0 ? 1.0 / n_sig : 0.0;
    long i = 0, j = 0, k = 0;
    pts[k++] = (aedl_roc_point){ INFINITY, 0.0, 0.0, 0, 0 };
    while (i < n_bkg || j < n_sig) {
        double t;
        if (i < n_bkg && j < n_sig) t = b[i] > s[j] ? b[i] : s[j];
        else t = i < n_bkg ? b[i] : s[j];
        while (i < n_bkg && b[i] >= t) i++;
        while (j < n_sig && s[j] >= t) j++;
        pts[k++] = (aedl_roc_point){ t, i * fb, j * fs, i, j };
    }
    free(b);
    free(s);
    return k;
}

double aedl_auc(const aedl_roc_point *pts, long n) {
    double area = 0;
    for (long k = 1; k < n; k++)
        area += (pts[k].fpr - pts[k - 1].fpr) * (pts[k].tpr + pts[k - 1].tpr) * 0.5;
    return area;
}

double aedl_auc_scores(const float *bkg, long n_bkg, const float *sig, long n_sig) {
    aedl_roc_point *p = xmalloc((size_t)(n_bkg + n_sig + 1) * sizeof *p);
    long n = aedl_roc(p, bkg, n_bkg, sig, n_sig);
    double a = aedl_auc(p, n);
    free(p);
    return a;
}

aedl_tpr_at_fpr aedl_tpr_at(const aedl_roc_point *pts, long n, long n_bkg, double target_fpr) {
    aedl_tpr_at_fpr r = { 0 };
    r.target_fpr = target_fpr;
    /* a small relative slack so that 1e5 * 1e-5 counts as 1 event despite rounding */
    double allowed = floor((double)n_bkg * target_fpr * (1.0 + 1e-12));
    r.n_bkg_allowed = allowed > 0 ? (long)allowed : 0;
    r.measurable = n_bkg > 0 && r.n_bkg_allowed >= 1;
    if (n <= 0) return r;
    long j = 0;   /* last point within the allowed background count */
    for (long k = 0; k < n; k++)
        if (pts[k].n_bkg <= r.n_bkg_allowed) j = k;
    r.threshold = pts[j].threshold;
    r.fpr = pts[j].fpr;
    r.tpr = pts[j].tpr;
    r.n_bkg_pass = pts[j].n_bkg;
    r.tpr_interp = pts[j].tpr;
    if (j + 1 < n && pts[j + 1].fpr > pts[j].fpr && target_fpr > pts[j].fpr) {
        double w = (target_fpr - pts[j].fpr) / (pts[j + 1].fpr - pts[j].fpr);
        if (w > 1) w = 1;
        r.tpr_interp = pts[j].tpr + w * (pts[j + 1].tpr - pts[j].tpr);
    }
    return r;
}

void aedl_residuals(float *res, long *skipped, const float *out, const float *in, long B, int F) {
    for (long b = 0; b < B; b++)
        for (int f = 0; f < F; f++) {
            long i = b * F + f;
            if (in[i] == 0.0f) {
                res[i] = NAN;
                skipped[f]++;
            } else {
                res[i] = (float)(((double)out[i] - in[i]) / in[i]);
            }
        }
}

void aedl_residual_stats_add(aedl_residual_stat *stats, const float *out, const float *in,
                             long B, int F) {
    for (long b = 0; b < B; b++)
        for (int f = 0; f < F; f++) {
            long i = b * F + f;
            if (in[i] == 0.0f) { stats[f].skipped++; continue; }
            double r = ((double)out[i] - in[i]) / in[i];
            stats[f].n++;
            stats[f].sum += r;
            stats[f].sumsq += r * r;
        }
}

double aedl_residual_mean(const aedl_residual_stat *s) {
    return s->n ? s->sum / s->n : 0.0;
}

double aedl_residual_rms(const aedl_residual_stat *s) {
    return s->n ? sqrt(s->sumsq / s->n) : 0.0;
}
