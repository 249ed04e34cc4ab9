/* metrics.h — evaluation: ROC curve, AUC, TPR at a fixed FPR, residuals.
 *
 * Scores: larger = more anomalous.  An event is selected at threshold t when
 * score >= t.  NaN scores count as +inf (a broken reconstruction is anomalous).
 */
#ifndef AEDL_METRICS_H
#define AEDL_METRICS_H

#include <stdbool.h>

typedef struct {
    double threshold;   /* select score >= threshold */
    double fpr;         /* background fraction selected */
    double tpr;         /* signal fraction selected */
    long n_bkg;         /* background events selected */
    long n_sig;         /* signal events selected */
} aedl_roc_point;

/* ROC points, one per distinct score (ties of background and signal scores
   move together, giving a diagonal segment), preceded by (0, 0) at threshold
   +inf and ending at (1, 1); thresholds decreasing.  pts must hold
   n_bkg + n_sig + 1 points; returns the number written.  bkg (n_bkg),
   sig (n_sig); n_bkg, n_sig > 0 (otherwise the rates are 0). */
long aedl_roc(aedl_roc_point *pts, const float *bkg, long n_bkg, const float *sig, long n_sig);

/* Area under the ROC points (trapezoids over fpr; a tie segment counts half). */
double aedl_auc(const aedl_roc_point *pts, long n);
/* Convenience: ROC then AUC (allocates the points). */
double aedl_auc_scores(const float *bkg, long n_bkg, const float *sig, long n_sig);

typedef struct {
    double target_fpr;  /* requested */
    bool measurable;    /* false when n_bkg * target_fpr < 1: no background event to rest on */
    long n_bkg_allowed; /* floor(n_bkg * target_fpr): background events the FPR rests on */
    long n_bkg_pass;    /* background events selected at the chosen threshold (<= allowed) */
    double threshold;   /* the lowest ROC threshold with fpr <= target */
    double fpr;         /* achieved fpr at that threshold (<= target) */
    double tpr;         /* tpr at that threshold (conservative, no interpolation) */
    double tpr_interp;  /* tpr linearly interpolated in fpr at target_fpr (np.interp) */
} aedl_tpr_at_fpr;

/* TPR at a requested FPR from the ROC points of aedl_roc.  n_bkg: the
   background count behind them.  When not measurable, tpr and tpr_interp are
   still filled from the points but must not be reported as a measurement. */
aedl_tpr_at_fpr aedl_tpr_at(const aedl_roc_point *pts, long n, long n_bkg, double target_fpr);

/* Per-feature relative residuals (out - in) / in, for compression studies.
   res (B, F) written (NaN where in == 0); skipped (F) incremented per feature
   for every in == 0 element (those are left out); out, in (B, F). */
void aedl_residuals(float *res, long *skipped, const float *out, const float *in, long B, int F);

/* Running per-feature statistics of the residuals: count, mean, rms (sqrt of
   mean of squares) over the counted elements; skipped counts in == 0. */
typedef struct { long n, skipped; double sum, sumsq; } aedl_residual_stat;
/* stats (F) accumulate over a batch out, in (B, F). */
void aedl_residual_stats_add(aedl_residual_stat *stats, const float *out, const float *in,
                             long B, int F);
double aedl_residual_mean(const aedl_residual_stat *s);
double aedl_residual_rms(const aedl_residual_stat *s);

#endif
