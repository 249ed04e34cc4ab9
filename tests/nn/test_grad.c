/* test_grad.c — finite-difference gradient check of every layer and loss.
 *
 * For each layer a plain double-precision reference forward is written here
 * (independent of lib/layers.c).  With a random projection r of the
 * output, L = sum_i r_i y_i; the numerical gradient dL/dx of every element of
 * every input and parameter (central differences on the double reference) is
 * compared with the float backward given dout = r.  Gradients start at 0.25
 * (not 0) to check that backward accumulates.  The float forward is compared
 * with the reference too.  A failure names the worst element.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "nn.h"
#include "rng.h"

enum { B = 5, NI = 7, NU = 4, C = 6, MAXT = 4 };
#define GRAD_TOL 2e-3
#define FWD_TOL 2e-5
#define START 0.25f

typedef struct {
    const char *name;
    int nt;                 /* differentiable tensors (inputs, then parameters) */
    long sz[MAXT];
    long ny;                /* output size */
    void (*ref)(double *y, double *const *x);
    void (*f32)(float *y, float *const *g, float *const *x, const float *dy);
} gcase;

static aedl_rng rng;
static double unif(double lo, double hi) { return lo + (hi - lo) * aedl_rng_uniform(&rng); }

/* ---- fixed (non-differentiable) data shared by cases */
static float target_f[B * C];
static uint8_t mask_u8[B * C];
static float drop_mask[B * C];
static float sample_eps[B * C];
static const float ALPHA = 0.3f, EPS = 1e-3f, RATE = 0.4f, BETA = 0.7f;

/* ---- dense: x (B, NI), kernel (NI, NU), bias (NU) -> (B, NU) */
static void dense_ref(double *y, double *const *x) {
    for (int b = 0; b < B; b++)
        for (int j = 0; j < NU; j++) {
            double s = x[2][j];
            for (int i = 0; i < NI; i++) s += x[0][b * NI + i] * x[1][i * NU + j];
            y[b * NU + j] = s;
        }
}
static void dense_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_dense_forward(y, x[0], x[1], x[2], B, NI, NU);
    aedl_dense_backward(g[0], g[1], g[2], dy, x[0], x[1], B, NI, NU);
}

/* ---- batchnorm (training): x (B, C), gamma (C), beta (C) */
static void bn_ref(double *y, double *const *x) {
    for (int c = 0; c < C; c++) {
        double m = 0, v = 0;
        for (int b = 0; b < B; b++) m += x[0][b * C + c];
        m /= B;
        for (int b = 0; b < B; b++) v += (x[0][b * C + c] - m) * (x[0][b * C + c] - m);
        v /= B;
        for (int b = 0; b < B; b++)
            y[b * C + c] = x[1][c] * (x[0][b * C + c] - m) / sqrt(v + (double)EPS) + x[2][c];
    }
}
static void bn_f32(float *y, float *const *g, float *const *x, const float *dy) {
    float mean[C], var[C];
    aedl_batchnorm_forward_train(y, mean, var, x[0], x[1], x[2], B, C, EPS);
    aedl_batchnorm_backward(g[0], g[1], g[2], dy, x[0], mean, var, x[1], B, C, EPS);
}

/* ---- elementwise activations over (B, C) */
static void relu_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = x[0][i] > 0 ? x[0][i] : 0;
}
static void relu_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_relu_forward(y, x[0], B * C);
    aedl_relu_backward(g[0], x[0], dy, B * C);
}
static void leaky_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = x[0][i] > 0 ? x[0][i] : (double)ALPHA * x[0][i];
}
static void leaky_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_leaky_relu_forward(y, x[0], B * C, ALPHA);
    aedl_leaky_relu_backward(g[0], x[0], dy, B * C, ALPHA);
}
#define CLIP_LO -0.5f
#define CLIP_HI 0.75f
static void clip_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = fmin(fmax(x[0][i], (double)CLIP_LO), (double)CLIP_HI);
}
static void clip_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_clip_forward(y, x[0], B * C, CLIP_LO, CLIP_HI);
    aedl_clip_backward(g[0], x[0], dy, B * C, CLIP_LO, CLIP_HI);
}
/* bound: features by mode 0 (x), 1 (relu), 2 (k * tanh), cycling over C. */
static const int BOUND_MODE[C] = {0, 1, 2, 0, 1, 2};
static const float BOUND_K[C] = {0, 0, 3.0f, 0, 0, 3.1416015625f};
static void bound_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) {
        int j = i % C;
        y[i] = BOUND_MODE[j] == 2 ? BOUND_K[j] * tanh(x[0][i]) : BOUND_MODE[j] == 1 && x[0][i] < 0 ? 0 : x[0][i];
    }
}
static void bound_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_bound_forward(y, x[0], B, C, BOUND_MODE, BOUND_K);
    aedl_bound_backward(g[0], x[0], dy, B, C, BOUND_MODE, BOUND_K);
}
static void abs_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = fabs(x[0][i]);
}
static void abs_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_abs_forward(y, x[0], B * C);
    aedl_abs_backward(g[0], x[0], dy, B * C);
}
static void sigmoid_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = 1 / (1 + exp(-x[0][i]));
}
static void sigmoid_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_sigmoid_forward(y, x[0], B * C);
    aedl_sigmoid_backward(g[0], y, dy, B * C);
}
static void tanh_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = tanh(x[0][i]);
}
static void tanh_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_tanh_forward(y, x[0], B * C);
    aedl_tanh_backward(g[0], y, dy, B * C);
}
static void softmax_ref(double *y, double *const *x) {
    for (int b = 0; b < B; b++) {
        double s = 0;
        for (int c = 0; c < C; c++) s += exp(x[0][b * C + c]);
        for (int c = 0; c < C; c++) y[b * C + c] = exp(x[0][b * C + c]) / s;
    }
}
static void softmax_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_softmax_forward(y, x[0], B, C);
    aedl_softmax_backward(g[0], y, dy, B, C);
}
static void linear_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = x[0][i];
}
static void linear_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_linear_forward(y, x[0], B * C);
    aedl_linear_backward(g[0], dy, B * C);
}
/* dropout with the mask drawn from seed 7 (same draw in both) */
static void dropout_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = x[0][i] * drop_mask[i];
}
static void dropout_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_rng r;
    aedl_rng_seed(&r, 7);
    float mask[B * C];
    aedl_dropout_forward(y, mask, x[0], B * C, RATE, &r);
    aedl_dropout_backward(g[0], mask, dy, B * C);
}

/* ---- concat: a (B, 3), b (B, 2) -> (B, 5) */
static void concat_ref(double *y, double *const *x) {
    for (int b = 0; b < B; b++) {
        for (int c = 0; c < 3; c++) y[b * 5 + c] = x[0][b * 3 + c];
        for (int c = 0; c < 2; c++) y[b * 5 + 3 + c] = x[1][b * 2 + c];
    }
}
static void concat_f32(float *y, float *const *g, float *const *x, const float *dy) {
    const float *ins[2] = { x[0], x[1] };
    int w[2] = { 3, 2 };
    aedl_concat_forward(y, ins, w, 2, B);
    aedl_concat_backward(g, dy, w, 2, B);
}
/* ---- add of three (B, C) */
static void add_ref(double *y, double *const *x) {
    for (int i = 0; i < B * C; i++) y[i] = x[0][i] + x[1][i] + x[2][i];
}
static void add_f32(float *y, float *const *g, float *const *x, const float *dy) {
    const float *ins[3] = { x[0], x[1], x[2] };
    aedl_add_forward(y, ins, 3, B * C);
    aedl_add_backward(g, dy, 3, B * C);
}

/* ---- losses: out (B, C) against target_f; output one scalar */
static void mse_ref(double *y, double *const *x) {
    double s = 0;
    for (int i = 0; i < B * C; i++) s += (x[0][i] - target_f[i]) * (x[0][i] - target_f[i]);
    y[0] = s / (B * C);
}
static void mse_f32(float *y, float *const *g, float *const *x, const float *dy) {
    float d[B * C];
    y[0] = (float)aedl_mse_loss(d, x[0], target_f, B, C);
    for (int i = 0; i < B * C; i++) g[0][i] += dy[0] * d[i];
}
static void mmse_ref(double *y, double *const *x) {
    double loss = 0;
    for (int b = 0; b < B; b++) {
        double s = 0;
        int n = 0;
        for (int c = 0; c < C; c++)
            if (mask_u8[b * C + c]) {
                double d = x[0][b * C + c] - target_f[b * C + c];
                s += d * d;
                n++;
            }
        if (n) loss += s / n;
    }
    y[0] = loss / B;
}
static void mmse_f32(float *y, float *const *g, float *const *x, const float *dy) {
    float d[B * C];
    y[0] = (float)aedl_masked_mse_loss(d, x[0], target_f, mask_u8, B, C);
    for (int i = 0; i < B * C; i++) g[0][i] += dy[0] * d[i];
}

/* ---- sample + KL: mu (B, C), logvar (B, C) -> z (B, C) = mu + exp(logvar / 2) eps, then
   beta * the batch's mean KL = -1/2 sum (1 + logvar - mu^2 - exp(logvar)) per event */
static void sample_ref(double *y, double *const *x) {
    double kl = 0;
    for (int i = 0; i < B * C; i++) {
        y[i] = x[0][i] + exp(x[1][i] / 2) * sample_eps[i];
        kl += -0.5 * (1 + x[1][i] - x[0][i] * x[0][i] - exp(x[1][i]));
    }
    y[B * C] = BETA * kl / B;
}
static void sample_f32(float *y, float *const *g, float *const *x, const float *dy) {
    aedl_sample_forward(y, x[0], x[1], sample_eps, B * C);
    y[B * C] = (float)(BETA * aedl_kl_rows(NULL, x[0], x[1], B, C) / B);
    aedl_sample_backward(g[0], g[1], dy, x[0], x[1], sample_eps, B * C, dy[B * C] * BETA / B);
}

static const gcase cases[] = {
    { "dense", 3, { B * NI, NI * NU, NU }, B * NU, dense_ref, dense_f32 },
    { "batchnorm_train", 3, { B * C, C, C }, B * C, bn_ref, bn_f32 },
    { "relu", 1, { B * C }, B * C, relu_ref, relu_f32 },
    { "leaky_relu", 1, { B * C }, B * C, leaky_ref, leaky_f32 },
    { "clip", 1, { B * C }, B * C, clip_ref, clip_f32 },
    { "abs", 1, { B * C }, B * C, abs_ref, abs_f32 },
    { "bound", 1, { B * C }, B * C, bound_ref, bound_f32 },
    { "sigmoid", 1, { B * C }, B * C, sigmoid_ref, sigmoid_f32 },
    { "tanh", 1, { B * C }, B * C, tanh_ref, tanh_f32 },
    { "softmax", 1, { B * C }, B * C, softmax_ref, softmax_f32 },
    { "linear", 1, { B * C }, B * C, linear_ref, linear_f32 },
    { "dropout", 1, { B * C }, B * C, dropout_ref, dropout_f32 },
    { "concat", 2, { B * 3, B * 2 }, B * 5, concat_ref, concat_f32 },
    { "add", 3, { B * C, B * C, B * C }, B * C, add_ref, add_f32 },
    { "sample_kl", 2, { B * C, B * C }, B * C + 1, sample_ref, sample_f32 },
    { "mse", 1, { B * C }, 1, mse_ref, mse_f32 },
    { "masked_mse", 1, { B * C }, 1, mmse_ref, mmse_f32 },
};

static double ref_loss(const gcase *k, double *const *x, const double *r, double *y) {
    k->ref(y, x);
    double L = 0;
    for (long i = 0; i < k->ny; i++) L += r[i] * y[i];
    return L;
}

static void run_case(const gcase *k) {
    float *xf[MAXT], *gf[MAXT];
    double *xd[MAXT];
    for (int t = 0; t < k->nt; t++) {
        xf[t] = malloc(k->sz[t] * sizeof(float));
        gf[t] = malloc(k->sz[t] * sizeof(float));
        xd[t] = malloc(k->sz[t] * sizeof(double));
        for (long i = 0; i < k->sz[t]; i++) {
            /* values away from relu's kink at 0: |x| in [0.1, 1] */
            double v = unif(0.1, 1.0) * (aedl_rng_uniform(&rng) < 0.5 ? -1 : 1);
            xf[t][i] = (float)v;
            xd[t][i] = xf[t][i];
            gf[t][i] = START;
        }
    }
    float *yf = malloc(k->ny * sizeof(float)), *rf = malloc(k->ny * sizeof(float));
    double *yd = malloc(k->ny * sizeof(double)), *r = malloc(k->ny * sizeof(double));
    for (long i = 0; i < k->ny; i++) { rf[i] = (float)unif(-1, 1); r[i] = rf[i]; }

    k->f32(yf, gf, xf, rf);

    /* forward against the reference */
    k->ref(yd, xd);
    double worst_f = 0;
    long worst_fi = 0;
    for (long i = 0; i < k->ny; i++) {
        double e = fabs(yf[i] - yd[i]) / fmax(1.0, fabs(yd[i]));
        if (e > worst_f) { worst_f = e; worst_fi = i; }
    }
    char name[96];
    snprintf(name, sizeof name, "grad/%s/forward", k->name);
    CHECK(worst_f <= FWD_TOL, name, "output[%ld] = %.9g, reference %.9g (rel. error %.3g)",
          worst_fi, yf[worst_fi], yd[worst_fi], worst_f);

    /* every gradient element against central differences */
    double worst = 0;
    int wt = 0;
    long wi = 0;
    double wa = 0, wn = 0;
    for (int t = 0; t < k->nt; t++)
        for (long i = 0; i < k->sz[t]; i++) {
            double x0 = xd[t][i], h = 1e-6 * fmax(1.0, fabs(x0));
            xd[t][i] = x0 + h;
            double lp = ref_loss(k, xd, r, yd);
            xd[t][i] = x0 - h;
            double lm = ref_loss(k, xd, r, yd);
            xd[t][i] = x0;
            double num = (lp - lm) / (2 * h);
            double ana = (double)gf[t][i] - START;
            double e = fabs(ana - num) / fmax(1e-2, fabs(num));
            if (e > worst) { worst = e; wt = t; wi = i; wa = ana; wn = num; }
        }
    snprintf(name, sizeof name, "grad/%s/backward", k->name);
    CHECK(worst <= GRAD_TOL, name,
          "worst element: tensor %d index %ld: backward %.9g, finite difference %.9g "
          "(rel. error %.3g)", wt, wi, wa, wn, worst);

    for (int t = 0; t < k->nt; t++) { free(xf[t]); free(gf[t]); free(xd[t]); }
    free(yf); free(rf); free(yd); free(r);
}

/* Double-precision inference kernels against the references above. */
static void check_f64_kernels(void) {
    double x[B * NI], w[NI * NU], bias[NU], y[B * NU], yr[B * NU];
    for (int i = 0; i < B * NI; i++) x[i] = unif(-1, 1);
    for (int i = 0; i < NI * NU; i++) w[i] = unif(-1, 1);
    for (int i = 0; i < NU; i++) bias[i] = unif(-1, 1);
    aedl_dense_forward_f64(y, x, w, bias, B, NI, NU);
    double *xs[3] = { x, w, bias };
    dense_ref(yr, xs);
    double e = 0;
    for (int i = 0; i < B * NU; i++) e = fmax(e, fabs(y[i] - yr[i]));
    CHECK(e < 1e-12, "f64/dense", "max abs error %.3g", e);

    /* dense without bias (float and double) */
    float xf[B * NI], wf[NI * NU], yf[B * NU];
    for (int i = 0; i < B * NI; i++) xf[i] = (float)x[i];
    for (int i = 0; i < NI * NU; i++) wf[i] = (float)w[i];
    aedl_dense_forward(yf, xf, wf, NULL, B, NI, NU);
    double zero[NU] = { 0 };
    double xfd[B * NI], wfd[NI * NU];
    aedl_f32_to_f64(xfd, xf, B * NI);
    aedl_f32_to_f64(wfd, wf, NI * NU);
    double *xs2[3] = { xfd, wfd, zero };
    dense_ref(yr, xs2);
    e = 0;
    for (int i = 0; i < B * NU; i++) e = fmax(e, fabs(yf[i] - yr[i]));
    CHECK(e < 1e-5, "f32/dense_no_bias", "max abs error %.3g", e);

    /* batchnorm inference: fold + apply, float and double, against the formula */
    float g[C], be[C], mm[C], mv[C], sc[C], sh[C], xb[B * C], yb[B * C];
    double scd[C], shd[C], xbd[B * C], ybd[B * C];
    for (int c = 0; c < C; c++) {
        g[c] = (float)unif(0.5, 2); be[c] = (float)unif(-1, 1);
        mm[c] = (float)unif(-1, 1); mv[c] = (float)unif(0.1, 2);
    }
    for (int i = 0; i < B * C; i++) { xb[i] = (float)unif(-3, 3); xbd[i] = xb[i]; }
    aedl_batchnorm_fold(sc, sh, g, be, mm, mv, C, EPS);
    aedl_batchnorm_forward_infer(yb, xb, sc, sh, B, C);
    aedl_batchnorm_fold_f64(scd, shd, g, be, mm, mv, C, EPS);
    aedl_batchnorm_forward_infer_f64(ybd, xbd, scd, shd, B, C);
    double ef = 0, ed = 0;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            double ref = (double)g[c] * (xbd[b * C + c] - mm[c]) / sqrt((double)mv[c] + (double)EPS) + be[c];
            ef = fmax(ef, fabs(yb[b * C + c] - ref));
            ed = fmax(ed, fabs(ybd[b * C + c] - ref));
        }
    CHECK(ef < 1e-5, "f32/batchnorm_infer", "max abs error %.3g", ef);
    CHECK(ed < 1e-12, "f64/batchnorm_infer", "max abs error %.3g", ed);

    /* activations in double */
    double a[B * C], o[B * C], rr[B * C];
    for (int i = 0; i < B * C; i++) a[i] = unif(-2, 2);
    double *as[1] = { a };
    struct { const char *n; void (*ref)(double *, double *const *); int kind; } acts[] = {
        { "f64/relu", relu_ref, 0 }, { "f64/leaky_relu", leaky_ref, 1 },
        { "f64/sigmoid", sigmoid_ref, 2 }, { "f64/tanh", tanh_ref, 3 },
        { "f64/softmax", softmax_ref, 4 }, { "f64/linear", linear_ref, 5 }, { "f64/clip", clip_ref, 6 },
        { "f64/abs", abs_ref, 7 },
    };
    for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
        switch (acts[k].kind) {
        case 0: aedl_relu_forward_f64(o, a, B * C); break;
        case 1: aedl_leaky_relu_forward_f64(o, a, B * C, ALPHA); break;
        case 2: aedl_sigmoid_forward_f64(o, a, B * C); break;
        case 3: aedl_tanh_forward_f64(o, a, B * C); break;
        case 4: aedl_softmax_forward_f64(o, a, B, C); break;
        case 6: aedl_clip_forward_f64(o, a, B * C, CLIP_LO, CLIP_HI); break;
        case 7: aedl_abs_forward_f64(o, a, B * C); break;
        default: aedl_linear_forward_f64(o, a, B * C); break;
        }
        acts[k].ref(rr, as);
        e = 0;
        for (int i = 0; i < B * C; i++) e = fmax(e, fabs(o[i] - rr[i]));
        CHECK(e < 1e-13, acts[k].n, "max abs error %.3g", e);
    }

    /* bound in double: tanh by a table (here tanh's exact values at the entries) */
    {
        double tab[AEDL_ACT_TABLE], kd[C];
        for (int i = 0; i < AEDL_ACT_TABLE; i++) tab[i] = tanh(ldexp(i - AEDL_ACT_TABLE / 2, -AEDL_ACT_SHIFT_TANH));
        for (int j = 0; j < C; j++) kd[j] = BOUND_K[j];
        aedl_bound_forward_f64(o, a, B, C, BOUND_MODE, kd, tab);
        e = 0;
        for (int i = 0; i < B * C; i++) {
            int j = i % C;
            double t = floor(ldexp(a[i], AEDL_ACT_SHIFT_TANH));   /* entry floor(x * 128) + 512 */
            double r = BOUND_MODE[j] == 2 ? kd[j] * tanh(ldexp(t, -AEDL_ACT_SHIFT_TANH))
                     : BOUND_MODE[j] == 1 && a[i] < 0 ? 0 : a[i];
            e = fmax(e, fabs(o[i] - r));
        }
        CHECK(e == 0, "f64/bound", "max abs error %.3g", e);
    }

    /* concat and add in double */
    double p[B * 3], q[B * 2], cc[B * 5], ccr[B * 5];
    for (int i = 0; i < B * 3; i++) p[i] = unif(-1, 1);
    for (int i = 0; i < B * 2; i++) q[i] = unif(-1, 1);
    const double *cin[2] = { p, q };
    int wdt[2] = { 3, 2 };
    aedl_concat_forward_f64(cc, cin, wdt, 2, B);
    double *cs[2] = { p, q };
    concat_ref(ccr, cs);
    CHECK(memcmp(cc, ccr, sizeof cc) == 0, "f64/concat", "differs from the reference");
    const double *ain[3] = { a, a, o };
    double sum[B * C];
    aedl_add_forward_f64(sum, ain, 3, B * C);
    e = 0;
    for (int i = 0; i < B * C; i++) e = fmax(e, fabs(sum[i] - (a[i] + a[i] + o[i])));
    CHECK(e < 1e-14, "f64/add", "max abs error %.3g", e);

    /* per-event scores, float and double, plain and masked */
    float of[B * C], sf[B], smf[B];
    double od[B * C], td[B * C], sd[B], smd[B];
    for (int i = 0; i < B * C; i++) { of[i] = (float)unif(-1, 1); od[i] = of[i]; td[i] = target_f[i]; }
    aedl_mse_per_event(sf, of, target_f, B, C);
    aedl_mse_per_event_f64(sd, od, td, B, C);
    aedl_masked_mse_per_event(smf, of, target_f, mask_u8, B, C);
    aedl_masked_mse_per_event_f64(smd, od, td, mask_u8, B, C);
    double es = 0, em = 0;
    for (int b = 0; b < B; b++) {
        double s = 0, sm = 0;
        int n = 0;
        for (int c = 0; c < C; c++) {
            double d = od[b * C + c] - td[b * C + c];
            s += d * d;
            if (mask_u8[b * C + c]) { sm += d * d; n++; }
        }
        s /= C;
        sm = n ? sm / n : 0;
        es = fmax(es, fmax(fabs(sf[b] - s) / s, fabs(sd[b] - s) / s));
        em = fmax(em, fmax(fabs(smf[b] - sm), fabs(smd[b] - sm)));
    }
    CHECK(es < 1e-6, "score/mse_per_event", "max rel error %.3g", es);
    CHECK(em < 1e-6, "score/masked_mse_per_event", "max abs error %.3g", em);

    /* the same, bit for bit, with each event's sum in feature order: 21 events (the
       kernels take 8 at a time), 57 features; event 3 has nothing counted, a NaN
       where the mask is 0 does not count */
    enum { NE = 21, NF = 57 };
    static float xo[NE * NF], xt[NE * NF], s1[NE], s2[NE];
    static double yo[NE * NF], yt[NE * NF], s3[NE], s4[NE];
    static uint8_t mk[NE * NF];
    for (int i = 0; i < NE * NF; i++) {
        xo[i] = (float)unif(-3, 3); xt[i] = (float)unif(-3, 3); yo[i] = unif(-3, 3); yt[i] = unif(-3, 3);
        mk[i] = (i / NF == 3) ? 0 : unif(0, 1) < 0.6;
    }
    xo[5 * NF + 7] = NAN; yo[5 * NF + 7] = NAN; mk[5 * NF + 7] = 0;
    aedl_mse_per_event(s1, xo, xt, NE, NF);
    aedl_masked_mse_per_event(s2, xo, xt, mk, NE, NF);
    aedl_mse_per_event_f64(s3, yo, yt, NE, NF);
    aedl_masked_mse_per_event_f64(s4, yo, yt, mk, NE, NF);
    int bad = 0;
    for (int b = 0; b < NE; b++) {
        double a = 0, am = 0, c = 0, cm = 0;
        int n = 0;
        for (int f = 0; f < NF; f++) {
            int k = b * NF + f;
            double d = (double)xo[k] - xt[k], g = yo[k] - yt[k];
            a += d * d;
            c += g * g;
            if (mk[k]) { am += d * d; cm += g * g; n++; }
        }
        float w1 = (float)(a / NF), w2 = n ? (float)(am / n) : 0.0f;
        double w3 = c / NF, w4 = n ? cm / n : 0.0;
        if (b == 5) { w1 = s1[b]; w3 = s3[b]; }   /* a NaN, counted in the plain scores */
        bad += memcmp(&s1[b], &w1, sizeof w1) != 0 || memcmp(&s2[b], &w2, sizeof w2) != 0 ||
               memcmp(&s3[b], &w3, sizeof w3) != 0 || memcmp(&s4[b], &w4, sizeof w4) != 0;
    }
    CHECK(!bad && isnan(s1[5]) && isnan(s3[5]) && s2[3] == 0 && s4[3] == 0, "score/per_event_in_order",
          "%d of %d events differ from the sum in feature order", bad, NE);
}

/* Dropout statistics and inits: shapes of the distributions, determinism. */
static void check_dropout_and_init(void) {
    enum { N = 20000 };
    static float x[N], y[N], m[N], w[N], w2[N];
    for (int i = 0; i < N; i++) x[i] = 1.0f;
    aedl_rng r;
    aedl_rng_seed(&r, 1);
    aedl_dropout_forward(y, m, x, N, RATE, &r);
    long kept = 0, bad = 0;
    for (int i = 0; i < N; i++) {
        if (m[i] != 0.0f) { kept++; if (m[i] != 1.0f / (1.0f - RATE)) bad++; }
        if (y[i] != x[i] * m[i]) bad++;
    }
    double frac = (double)kept / N;
    CHECK(bad == 0 && fabs(frac - (1 - RATE)) < 0.02, "dropout/statistics",
          "kept fraction %.4f (want %.2f), %ld bad values", frac, 1 - RATE, bad);

    aedl_rng_seed(&r, 3);
    aedl_init_he_uniform(w, N, 57, &r);
    aedl_rng_seed(&r, 3);
    aedl_init_he_uniform(w2, N, 57, &r);
    double lim = sqrt(6.0 / 57), mx = 0, s2 = 0;
    for (int i = 0; i < N; i++) { mx = fmax(mx, fabs(w[i])); s2 += (double)w[i] * w[i]; }
    /* uniform on [-l, l]: variance l^2 / 3 */
    CHECK(mx <= lim && mx > 0.99 * lim && fabs(s2 / N / (lim * lim / 3) - 1) < 0.03 &&
              memcmp(w, w2, sizeof w) == 0,
          "init/he_uniform", "max |w| %.5f, limit %.5f, var ratio %.4f", mx, lim,
          s2 / N / (lim * lim / 3));
    aedl_rng_seed(&r, 4);
    aedl_init_glorot_uniform(w, N, 32, 16, &r);
    lim = sqrt(6.0 / 48);
    mx = 0; s2 = 0;
    for (int i = 0; i < N; i++) { mx = fmax(mx, fabs(w[i])); s2 += (double)w[i] * w[i]; }
    CHECK(mx <= lim && mx > 0.99 * lim && fabs(s2 / N / (lim * lim / 3) - 1) < 0.03,
          "init/glorot_uniform", "max |w| %.5f, limit %.5f", mx, lim);
    aedl_init_zeros(w, N);
    int nz = 0;
    for (int i = 0; i < N; i++) nz += w[i] != 0.0f;
    CHECK(nz == 0, "init/zeros", "%d non-zero values", nz);

    /* moving averages, Keras momentum */
    float mm[2] = { 0, 1 }, mv[2] = { 1, 2 }, bm[2] = { 1, 3 }, bv[2] = { 3, 4 };
    aedl_batchnorm_update_moving(mm, mv, bm, bv, 2, 0.99f);
    CHECK(fabsf(mm[0] - 0.01f) < 1e-7 && fabsf(mm[1] - 1.02f) < 1e-6 &&
              fabsf(mv[0] - 1.02f) < 1e-6 && fabsf(mv[1] - 2.02f) < 1e-6,
          "batchnorm/update_moving", "got %g %g %g %g", mm[0], mm[1], mv[0], mv[1]);

    /* losses: hand-made values */
    float o[4] = { 1, 2, 3, 4 }, t[4] = { 1, 0, 0, 4 }, d[4];
    uint8_t mk[4] = { 1, 1, 0, 0 };  /* event 0 counts both, event 1 none */
    double L = aedl_mse_loss(d, o, t, 2, 2);
    CHECK(fabs(L - 13.0 / 4) < 1e-12 && d[1] == 1.0f && d[2] == 1.5f && d[0] == 0.0f,
          "loss/mse_values", "loss %g, dout %g %g %g %g", L, d[0], d[1], d[2], d[3]);
    L = aedl_masked_mse_loss(d, o, t, mk, 2, 2);
    /* event 0: (0 + 4) / 2 = 2; event 1: nothing counted -> 0; mean over 2 events = 1 */
    CHECK(fabs(L - 1.0) < 1e-12 && d[0] == 0.0f && d[1] == 1.0f && d[2] == 0.0f && d[3] == 0.0f,
          "loss/masked_mse_values", "loss %g, dout %g %g %g %g", L, d[0], d[1], d[2], d[3]);
}

int main(void) {
    aedl_rng_seed(&rng, 12345);
    for (int i = 0; i < B * C; i++) {
        target_f[i] = (float)unif(-1, 1);
        mask_u8[i] = aedl_rng_uniform(&rng) < 0.7;
    }
    for (int c = 0; c < C; c++) mask_u8[c] = 0;   /* event 0: nothing counted */
    {
        aedl_rng r;
        aedl_rng_seed(&r, 7);
        float one[B * C], tmp[B * C];
        for (int i = 0; i < B * C; i++) one[i] = 1.0f;
        aedl_dropout_forward(tmp, drop_mask, one, B * C, RATE, &r);
    }
    {   /* sample's draws: N(0, 1) from the seeded rng, the same sequence for the same seed */
        aedl_rng r1, r2;
        aedl_rng_seed(&r1, 11);
        aedl_rng_seed(&r2, 11);
        aedl_normal_draw(sample_eps, B * C, &r1);
        int same = 1;
        for (int i = 0; i < B * C; i++) same &= sample_eps[i] == (float)aedl_rng_normal(&r2);
        CHECK(same, "sample/draws", "aedl_normal_draw differs from aedl_rng_normal in index order");
    }
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
    check_f64_kernels();
    check_dropout_and_init();
    return check_exit();
}
