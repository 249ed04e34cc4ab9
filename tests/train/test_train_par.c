/* test_train_par.c — the data-parallel training step's kernels (train_par.h).
 *
 * - The team runs every thread once per step; the row split covers the batch.
 * - Fused batchnorm + activation + quantizer, one thread: forward equal bit for
 *   bit to the unfused layers (nn.h, train_quant.h); backward equal to them
 *   within float rounding, for every epilogue (none, relu, leaky; no
 *   quantizer, rnd_conv, rnd).
 * - The same with 2 and 3 threads (rows split): close to one thread, and bit
 *   for bit the same on a second run (deterministic for a thread count).
 * - The row losses summed over a split equal aedl_mse_loss / aedl_masked_mse_loss.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "nn.h"
#include "quant.h"
#include "rng.h"
#include "train_par.h"
#include "train_quant.h"

enum { B = 203, C = 37 };      /* odd sizes: uneven splits, a partial channel chunk */
static const float EPS = 1e-3f, ALPHA = 0.3f;

static aedl_rng rng;
static double unif(double lo, double hi) { return lo + (hi - lo) * aedl_rng_uniform(&rng); }

static float x[B * C], gam[C], bet[C], da[B * C];

/* ---------------------------------------------------------------- team */

typedef struct { int hits[AEDL_MAX_THREADS]; int sum; } count_ctx;
static void count_fn(void *arg, int tid) { ((count_ctx *)arg)->hits[tid]++; }

static void check_team(void) {
    for (int nt = 1; nt <= 4; nt++) {
        aedl_team *t = aedl_team_new(nt);
        count_ctx c;
        memset(&c, 0, sizeof c);
        for (int k = 0; k < 100; k++) aedl_team_run(t, count_fn, &c);
        int bad = 0;
        for (int i = 0; i < nt; i++) bad += c.hits[i] != 100;
        CHECK(bad == 0 && aedl_team_size(t) == nt, "par/team-runs", "%d threads: %d threads not run 100 times",
              nt, bad);
        aedl_team_free(t);
        int next = 0, gaps = 0;
        for (int tid = 0; tid < nt; tid++) {
            int lo, n;
            aedl_par_rows(B, nt, tid, &lo, &n);
            gaps += lo != next || n < B / nt || n > B / nt + 1;
            next = lo + n;
        }
        CHECK(gaps == 0 && next == B, "par/rows", "%d threads: split of %d rows is wrong", nt, B);
    }
}

/* ---------------------------------------------------------------- batchnorm */

typedef struct {
    int nt;
    const aedl_epi *epi;
    float *out, *stats, *dx, *dg, *db;
    double *part;
    float *grads[AEDL_MAX_THREADS];   /* (2C) each: dgamma, dbeta */
    aedl_team *team;
} bn_ctx;

static void bn_fn(void *arg, int tid) {
    bn_ctx *c = arg;
    aedl_par p = { .tid = tid, .nt = c->nt, .B = B, .team = c->team, .grads = c->grads[tid] };
    aedl_par_rows(B, c->nt, tid, &p.lo, &p.n);
    float *st = c->stats + (size_t)tid * AEDL_BN_STATS(C);
    aedl_bn_train_forward(&p, c->out + (size_t)p.lo * C, st, c->part, x + (size_t)p.lo * C, gam, bet, C,
                          EPS, c->epi);
    aedl_par_sync(&p);
    aedl_bn_train_backward(&p, c->dx + (size_t)p.lo * C, p.grads, p.grads + C, c->part,
                           da + (size_t)p.lo * C, x + (size_t)p.lo * C, st, gam, bet, C, EPS, c->epi);
}

/* Runs the fused kernels with nt threads: out (B, C), dx (B, C), dg, db (C), mean, var (C). */
static void run_fused(int nt, const aedl_epi *epi, float *out, float *dx, float *dg, float *db,
                      float *mean, float *var) {
    static float stats[AEDL_MAX_THREADS * 3 * C], grads[AEDL_MAX_THREADS][2 * C];
    static double part[AEDL_BN_PART(C)];
    bn_ctx c = { .nt = nt, .epi = epi, .out = out, .stats = stats, .dx = dx, .part = part,
                 .team = nt > 1 ? aedl_team_new(nt) : NULL };
    memset(grads, 0, sizeof grads);
    for (int t = 0; t < nt; t++) c.grads[t] = grads[t];
    memset(dx, 0, sizeof(float) * B * C);
    aedl_team_run(c.team, bn_fn, &c);
    aedl_team_free(c.team);
    for (int j = 0; j < C; j++) {
        dg[j] = db[j] = 0;
        for (int t = 0; t < nt; t++) { dg[j] += grads[t][j]; db[j] += grads[t][C + j]; }
    }
    memcpy(mean, stats, sizeof(float) * C);
    memcpy(var, stats + C, sizeof(float) * C);
}

/* The unfused reference: nn.h batchnorm, then the activation, then the quantizer. */
static void run_ref(const aedl_epi *epi, float *out, float *dx, float *dg, float *db, float *mean,
                    float *var) {
    static float y[B * C], a[B * C], dy[B * C], dacts[B * C];
    static uint8_t in[B * C];
    aedl_batchnorm_forward_train(y, mean, var, x, gam, bet, B, C, EPS);
    long n = (long)B * C;
    if (epi->act == AEDL_EPI_RELU && epi->q) aedl_tq_relu_f32(epi->q, y, out, n, in);
    else {
        if (epi->act == AEDL_EPI_RELU) aedl_relu_forward(a, y, n);
        else if (epi->act == AEDL_EPI_LEAKY) aedl_leaky_relu_forward(a, y, n, ALPHA);
        else memcpy(a, y, sizeof a);
        if (epi->q) aedl_tq_f32(epi->q, a, out, n, in);
        else memcpy(out, a, sizeof a);
    }
    /* backward */
    memset(dacts, 0, sizeof dacts);
    memset(dy, 0, sizeof dy);
    if (epi->q) aedl_tq_backward(dacts, in, da, n);
    else memcpy(dacts, da, sizeof dacts);
    if (epi->act == AEDL_EPI_RELU && epi->q) memcpy(dy, dacts, sizeof dy);   /* relu included */
    else if (epi->act == AEDL_EPI_RELU) aedl_relu_backward(dy, y, dacts, n);
    else if (epi->act == AEDL_EPI_LEAKY) aedl_leaky_relu_backward(dy, y, dacts, n, ALPHA);
    else memcpy(dy, dacts, sizeof dy);
    memset(dx, 0, sizeof(float) * B * C);
    memset(dg, 0, sizeof(float) * C);
    memset(db, 0, sizeof(float) * C);
    aedl_batchnorm_backward(dx, dg, db, dy, x, mean, var, gam, B, C, EPS);
}

/* max |a - b| / (1 + |b|) */
static double err(const float *a, const float *b, long n) {
    double e = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i]));
        if (!(d <= e)) e = d;
    }
    return e;
}

/* Quantized outputs may differ by one step where the float inputs differ in the
   last bit near a rounding edge (more threads: statistics summed differently). */
static long steps_off(const float *a, const float *b, long n, double step) {
    long k = 0;
    for (long i = 0; i < n; i++) k += fabs((double)a[i] - b[i]) > 1e-5 && fabs(fabs((double)a[i] - b[i]) - step) > 1e-6;
    return k;
}

static void check_bn(void) {
    for (int i = 0; i < B * C; i++) { x[i] = (float)unif(-3, 5); da[i] = (float)unif(-1, 1); }
    for (int j = 0; j < C; j++) { gam[j] = (float)unif(0.5, 2); bet[j] = (float)unif(-0.5, 0.5); }
    /* a quantizer the activations hit inside and outside its range */
    aedl_fixed tconv = aedl_qkeras_bits(8, 1, 0, 1), tup = tconv;
    tup.rnd = AEDL_RND;
    aedl_tq qconv, qup;
    aedl_tq_init(&qconv, &tconv);
    aedl_tq_init(&qup, &tup);
    double step = 1.0 / 64;   /* 2^(I - W) of fixed<8, 2> */
    static const char *const actn[] = { "none", "relu", "leaky" };
    static const char *const qn[] = { "float", "rnd_conv", "rnd" };
    static float o1[B * C], x1[B * C], o2[B * C], x2[B * C], o3[B * C], x3[B * C];
    float g1[C], b1[C], m1[C], v1[C], g2[C], b2[C], m2[C], v2[C], g3[C], b3[C], m3[C], v3[C];
    for (int act = 0; act < 3; act++)
        for (int q = 0; q < 3; q++) {
            aedl_epi e = { (aedl_epi_act)act, ALPHA, q == 0 ? NULL : q == 1 ? &qconv : &qup };
            char name[64];
            snprintf(name, sizeof name, "par/bn-%s-%s", actn[act], qn[q]);
            run_ref(&e, o1, x1, g1, b1, m1, v1);
            run_fused(1, &e, o2, x2, g2, b2, m2, v2);
            CHECK(memcmp(o1, o2, sizeof o1) == 0 && memcmp(m1, m2, sizeof m1) == 0 &&
                  memcmp(v1, v2, sizeof v1) == 0, name, "1 thread: forward differs from the unfused layers");
            double ed = err(x2, x1, (long)B * C), eg = err(g2, g1, C), eb = err(b2, b1, C);
            CHECK(ed < 1e-5 && eg < 1e-5 && eb < 1e-5, name,
                  "1 thread: backward error dx %.3g dgamma %.3g dbeta %.3g", ed, eg, eb);
            for (int nt = 2; nt <= 3; nt++) {
                snprintf(name, sizeof name, "par/bn-%s-%s-%dthreads", actn[act], qn[q], nt);
                run_fused(nt, &e, o3, x3, g3, b3, m3, v3);
                double em = err(m3, m1, C), ev = err(v3, v1, C);
                long off = q ? steps_off(o3, o1, (long)B * C, step) : 0;
                double eo = q ? 0 : err(o3, o1, (long)B * C);
                /* a quantizer edge crossed flips a gradient: compare where both agree */
                double edx = q ? 0 : err(x3, x1, (long)B * C), egg = q ? 0 : err(g3, g1, C);
                CHECK(em < 1e-6 && ev < 1e-6 && off == 0 && eo < 1e-5 && edx < 1e-5 && egg < 1e-5, name,
                      "mean %.3g var %.3g, %ld outputs off, out %.3g dx %.3g dgamma %.3g", em, ev, off, eo,
                      edx, egg);
                run_fused(nt, &e, o2, x2, g2, b2, m2, v2);
                CHECK(memcmp(o2, o3, sizeof o2) == 0 && memcmp(x2, x3, sizeof x2) == 0 &&
                      memcmp(g2, g3, sizeof g2) == 0 && memcmp(b2, b3, sizeof b2) == 0,
                      name, "a second run with %d threads differs", nt);
            }
        }
}

/* ---------------------------------------------------------------- losses */

static void check_losses(void) {
    enum { F = 19 };
    static float out[B * F], tg[B * F], d1[B * F], d2[B * F];
    static uint8_t mk[B * F];
    for (int i = 0; i < B * F; i++) {
        out[i] = (float)unif(-2, 2); tg[i] = (float)unif(-2, 2); mk[i] = unif(0, 1) < 0.7;
    }
    for (int f = 0; f < F; f++) mk[5 * F + f] = 0;   /* an event with nothing counted */
    for (int nt = 1; nt <= 3; nt++) {
        double s = 0, sm = 0;
        for (int t = 0; t < nt; t++) {
            int lo, n;
            aedl_par_rows(B, nt, t, &lo, &n);
            s += aedl_mse_rows(d2 + lo * F, out + lo * F, tg + lo * F, n, F, B);
        }
        double L = aedl_mse_loss(d1, out, tg, B, F);
        CHECK(fabs(s / ((double)B * F) - L) <= 1e-12 * L && memcmp(d1, d2, sizeof d1) == 0, "par/mse-rows",
              "%d threads: loss %.17g vs %.17g, or dout differs", nt, s / ((double)B * F), L);
        for (int t = 0; t < nt; t++) {
            int lo, n;
            aedl_par_rows(B, nt, t, &lo, &n);
            sm += aedl_masked_mse_rows(d2 + lo * F, out + lo * F, tg + lo * F, mk + lo * F, n, F, B);
        }
        double LM = aedl_masked_mse_loss(d1, out, tg, mk, B, F);
        CHECK(fabs(sm / B - LM) <= 1e-12 * LM && memcmp(d1, d2, sizeof d1) == 0, "par/masked-mse-rows",
              "%d threads: loss %.17g vs %.17g, or dout differs", nt, sm / B, LM);
    }
    /* dropout: the drawn mask is aedl_dropout_forward's */
    static float m1[B * F], m2[B * F], o1[B * F];
    aedl_rng r1, r2;
    aedl_rng_seed(&r1, 5);
    aedl_rng_seed(&r2, 5);
    aedl_dropout_forward(o1, m1, out, (long)B * F, 0.4f, &r1);
    aedl_dropout_draw(m2, (long)B * F, 0.4f, &r2);
    CHECK(memcmp(m1, m2, sizeof m1) == 0 && aedl_rng_uniform(&r1) == aedl_rng_uniform(&r2), "par/dropout-draw",
          "the mask or the rng state differs from aedl_dropout_forward");
}

int main(void) {
    aedl_rng_seed(&rng, 11);
    check_team();
    check_bn();
    check_losses();
    return check_exit();
}
