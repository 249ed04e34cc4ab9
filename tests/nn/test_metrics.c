/* test_metrics.c — ROC, AUC (hand-made cases and a brute-force Mann-Whitney
 * cross-check with ties), TPR at FPR with its measurability flag, residuals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "metrics.h"
#include "rng.h"

static double auc_of(const float *b, long nb, const float *s, long ns) {
    return aedl_auc_scores(b, nb, s, ns);
}

/* P(sig > bkg) + P(sig == bkg) / 2 by counting pairs. */
static double mann_whitney(const float *b, long nb, const float *s, long ns) {
    double u = 0;
    for (long i = 0; i < ns; i++)
        for (long j = 0; j < nb; j++) u += s[i] > b[j] ? 1.0 : s[i] == b[j] ? 0.5 : 0.0;
    return u / ((double)nb * ns);
}

static void roc_auc(void) {
    float b[3] = { 0.1f, 0.3f, 0.2f }, s[2] = { 0.6f, 0.5f };
    aedl_roc_point p[6];
    long n = aedl_roc(p, b, 3, s, 2);
    int ok = n == 6 && isinf(p[0].threshold) && p[0].fpr == 0 && p[0].tpr == 0 &&
             p[1].threshold == 0.6f && p[1].tpr == 0.5 && p[2].tpr == 1 && p[2].fpr == 0 &&
             p[3].threshold == 0.3f && fabs(p[3].fpr - 1.0 / 3) < 1e-15 && p[5].fpr == 1 &&
             p[5].tpr == 1 && p[5].n_bkg == 3 && p[5].n_sig == 2;
    CHECK(ok, "metrics/roc_points", "%ld points; p[1] = (%g, %g, %g)", n, p[1].threshold,
          p[1].fpr, p[1].tpr);
    CHECK(auc_of(b, 3, s, 2) == 1.0, "metrics/auc_1", "got %g", auc_of(b, 3, s, 2));
    CHECK(auc_of(s, 2, b, 3) == 0.0, "metrics/auc_0", "got %g", auc_of(s, 2, b, 3));

    float e1[2] = { 1, 1 }, e2[3] = { 1, 1, 1 };
    n = aedl_roc(p, e1, 2, e2, 3);
    CHECK(n == 2 && auc_of(e1, 2, e2, 3) == 0.5, "metrics/auc_0.5_all_tied",
          "%ld points, auc %g", n, auc_of(e1, 2, e2, 3));

    /* ties across classes: pairs (0.9,0.1) (0.9,0.5) (0.5,0.1) win, (0.5,0.5) half: 3.5 / 4 */
    float tb[2] = { 0.1f, 0.5f }, ts[2] = { 0.5f, 0.9f };
    CHECK(auc_of(tb, 2, ts, 2) == 0.875, "metrics/auc_ties", "got %g", auc_of(tb, 2, ts, 2));

    /* random scores on a coarse grid (many ties), against Mann-Whitney */
    enum { NB = 700, NS = 300 };
    static float rb[NB], rs[NS];
    aedl_rng r;
    aedl_rng_seed(&r, 11);
    for (int i = 0; i < NB; i++) rb[i] = (float)aedl_rng_below(&r, 40);
    for (int i = 0; i < NS; i++) rs[i] = (float)(aedl_rng_below(&r, 40) + 5);
    double a = auc_of(rb, NB, rs, NS), mw = mann_whitney(rb, NB, rs, NS);
    CHECK(fabs(a - mw) < 1e-12, "metrics/auc_mann_whitney", "trapezoid %.15g, pairs %.15g", a, mw);

    /* NaN scores count as most anomalous */
    float nb[2] = { 0.1f, 0.2f }, ns[1] = { NAN };
    CHECK(auc_of(nb, 2, ns, 1) == 1.0, "metrics/auc_nan_score", "got %g", auc_of(nb, 2, ns, 1));
}

static void tpr_at_fpr(void) {
    /* 1000 background scores 0..999; signal 995.5, 990 (tied with a background),
       989.5, 500.  FPR 1e-2 allows 10 background events (990..999): threshold 989.5
       keeps 3 of 4 signals. */
    enum { N = 1000 };
    static float b[N];
    for (int i = 0; i < N; i++) b[i] = (float)i;
    float s[4] = { 995.5f, 990.0f, 989.5f, 500.0f };
    aedl_roc_point *p = malloc((N + 5) * sizeof *p);
    long n = aedl_roc(p, b, N, s, 4);
    aedl_tpr_at_fpr t = aedl_tpr_at(p, n, N, 1e-2);
    CHECK(t.measurable && t.n_bkg_allowed == 10 && t.n_bkg_pass == 10 && t.threshold == 989.5 &&
              t.tpr == 0.75 && t.fpr == 0.01 && t.tpr_interp == 0.75,
          "metrics/tpr_at_fpr", "measurable %d, allowed %ld, pass %ld, threshold %g, tpr %g, fpr %g",
          t.measurable, t.n_bkg_allowed, t.n_bkg_pass, t.threshold, t.tpr, t.fpr);

    t = aedl_tpr_at(p, n, N, 1e-4);
    CHECK(!t.measurable && t.n_bkg_allowed == 0 && t.n_bkg_pass == 0,
          "metrics/tpr_at_fpr_not_measurable", "measurable %d, allowed %ld", t.measurable,
          t.n_bkg_allowed);
    t = aedl_tpr_at(p, n, N, 1e-3);   /* exactly one background event: measurable */
    CHECK(t.measurable && t.n_bkg_allowed == 1 && t.n_bkg_pass == 1 && t.tpr == 0,
          "metrics/tpr_at_fpr_one_event", "measurable %d, allowed %ld, tpr %g", t.measurable,
          t.n_bkg_allowed, t.tpr);
    free(p);

    /* 1e5 background at FPR 1e-5 rests on exactly one event (no rounding loss) */
    aedl_roc_point q[1] = { { INFINITY, 0, 0, 0, 0 } };
    t = aedl_tpr_at(q, 1, 100000, 1e-5);
    CHECK(t.measurable && t.n_bkg_allowed == 1, "metrics/tpr_at_fpr_1e-5_of_1e5",
          "allowed %ld", t.n_bkg_allowed);

    /* interpolation across a tie segment: bkg {1,2,3,4}, sig {3, 0}: points
       (0,0) (.25,0) (.5,.5) ...; at FPR 0.3 the step value is 0, linear 0.1 */
    float bb[4] = { 1, 2, 3, 4 }, ss[2] = { 3, 0 };
    aedl_roc_point r[7];
    n = aedl_roc(r, bb, 4, ss, 2);
    t = aedl_tpr_at(r, n, 4, 0.3);
    CHECK(t.tpr == 0 && fabs(t.tpr_interp - 0.1) < 1e-12 && t.n_bkg_pass == 1,
          "metrics/tpr_interp", "tpr %g, interpolated %g", t.tpr, t.tpr_interp);
}

static void residuals(void) {
    float out[6] = { 1.1f, 0.0f, 3.0f, 0.9f, 5.0f, 1.0f }, in[6] = { 1, 0, 2, 1, 0, -2 };
    float res[6];
    long skipped[3] = { 0, 0, 0 };
    aedl_residuals(res, skipped, out, in, 2, 3);
    int ok = fabsf(res[0] - 0.1f) < 1e-6 && isnan(res[1]) && res[2] == 0.5f &&
             fabsf(res[3] + 0.1f) < 1e-6 && isnan(res[4]) && res[5] == -1.5f &&
             skipped[0] == 0 && skipped[1] == 2 && skipped[2] == 0;
    CHECK(ok, "metrics/residuals", "res %g %g %g %g %g %g, skipped %ld %ld %ld", res[0], res[1],
          res[2], res[3], res[4], res[5], skipped[0], skipped[1], skipped[2]);
    aedl_residual_stat st[3] = { { 0 } };
    aedl_residual_stats_add(st, out, in, 2, 3);
    CHECK(st[0].n == 2 && fabs(aedl_residual_mean(&st[0])) < 1e-6 &&
              fabs(aedl_residual_rms(&st[0]) - 0.1) < 1e-6 && st[1].n == 0 && st[1].skipped == 2 &&
              fabs(aedl_residual_mean(&st[2]) + 0.5) < 1e-12,
          "metrics/residual_stats", "n %ld mean %g rms %g", st[0].n, aedl_residual_mean(&st[0]),
          aedl_residual_rms(&st[0]));
}

int main(void) {
    roc_auc();
    tpr_at_fpr();
    residuals();
    return check_exit();
}
