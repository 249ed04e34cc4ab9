/* test_lanes.c — the float model in event lanes (runtime/lanes.h) against its definition
 * and the row-major layers, bit for bit, with the AVX2 kernels and with the plain loops:
 * the transposes, the dense FMA chain (pruned weights, all-zero input rows, no bias), the
 * batchnorm with its fused activations, the per-event MSE (masked too). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lanes.h"
#include "nn.h"
#include "rng.h"
#include "train_par.h"

static aedl_rng rng;

static float uni(float lo, float hi) { return lo + (hi - lo) * (float)aedl_rng_uniform(&rng); }

/* nb events of d features, some features zero in every event, one -0. */
static void fill_events(float *x, int nb, int d) {
    for (int e = 0; e < nb; e++)
        for (int k = 0; k < d; k++) x[(long)e * d + k] = k % 5 == 3 ? 0.0f : uni(-2, 2);
    if (nb && d > 1) x[1] = -0.0f;
}

static void transposes(const char *mode) {
    char name[96];
    int ok = 1;
    for (int d = 1; d <= 70 && ok; d += 3)
        for (int nb = 1; nb <= AEDL_LANES && ok; nb += 7) {
            float x[AEDL_LANES * 70], X[70 * AEDL_LANES], y[AEDL_LANES * 70];
            fill_events(x, nb, d);
            memset(X, 0x7f, sizeof X);
            aedl_lanes_in(X, x, nb, d);
            for (int k = 0; k < d; k++)
                for (int e = 0; e < AEDL_LANES; e++) {
                    float want = e < nb ? x[(long)e * d + k] : 0.0f;
                    if (memcmp(&X[k * AEDL_LANES + e], &want, sizeof want)) ok = 0;
                }
            aedl_lanes_out(y, X, nb, d);
            if (memcmp(x, y, sizeof(float) * (size_t)nb * d)) ok = 0;
            if (!ok) printf("  d %d, nb %d\n", d, nb);
        }
    snprintf(name, sizeof name, "lanes/%s/transposes", mode);
    CHECK(ok, name, "a value moved to the wrong place");
}

/* The dense layer: the definition (an FMA chain over the inputs in order, from 0, plus the
   bias) and the row-major layer (OpenBLAS), on the events of a block. */
static void dense(const char *mode, int n_in, int units, double sparsity, int bias) {
    enum { NB = 50 };
    float *kern = malloc(sizeof(float) * (size_t)n_in * units), b[128], x[NB * 128], X[128 * AEDL_LANES],
          Y[128 * AEDL_LANES], rows[NB * 128];
    for (long i = 0; i < (long)n_in * units; i++) kern[i] = aedl_rng_uniform(&rng) < sparsity ? 0.0f : uni(-1, 1);
    for (int j = 0; j < units; j++) b[j] = uni(-0.5f, 0.5f);
    fill_events(x, NB, n_in);
    aedl_lanes_dense ld = { 0 };
    aedl_lanes_dense_pack(&ld, kern, bias ? b : NULL, n_in, units);
    aedl_lanes_in(X, x, NB, n_in);
    aedl_lanes_dense_forward(Y, X, &ld);
    long bad = 0, blas = 0;
    for (int e = 0; e < NB; e++)
        for (int j = 0; j < units; j++) {
            float a = 0.0f;
            for (int k = 0; k < n_in; k++) a = fmaf(x[(long)e * n_in + k], kern[(long)k * units + j], a);
            float want = a + (bias ? b[j] : 0.0f), got = Y[(long)j * AEDL_LANES + e];
            bad += memcmp(&want, &got, sizeof got) != 0;
        }
    aedl_dense_forward(rows, x, kern, bias ? b : NULL, NB, n_in, units);
    for (int e = 0; e < NB; e++)
        for (int j = 0; j < units; j++) blas += rows[(long)e * units + j] != Y[(long)j * AEDL_LANES + e];
    char name[96];
    snprintf(name, sizeof name, "lanes/%s/dense_%dx%d_%.0f%%%s", mode, n_in, units, sparsity * 100, bias ? "" : "_nobias");
    CHECK(bad == 0, name, "%ld of %d values differ from the FMA chain", bad, NB * units);
    /* OpenBLAS's sgemm is not ours to test: said, not asserted */
    if (blas) printf("  note: %s: %ld of %d values differ from this machine's sgemm\n", name, blas, NB * units);
    aedl_lanes_dense_free(&ld);
    free(kern);
}

static void batchnorm(const char *mode) {
    enum { NB = 64, C = 21 };
    float sc[C], sh[C], x[NB * C], X[C * AEDL_LANES], Y[C * AEDL_LANES], rows[NB * C];
    for (int c = 0; c < C; c++) { sc[c] = uni(-2, 2); sh[c] = c % 4 ? uni(-1, 1) : 0.0f; }
    fill_events(x, NB, C);
    aedl_lanes_in(X, x, NB, C);
    const aedl_epi epis[3] = { { AEDL_EPI_NONE, 0.0f, NULL }, { AEDL_EPI_RELU, 0.0f, NULL }, { AEDL_EPI_LEAKY, 0.3f, NULL } };
    for (int a = 0; a < 3; a++) {
        aedl_bn_infer_lanes(Y, X, sc, sh, C, a ? &epis[a] : NULL);
        aedl_bn_infer_forward(rows, x, sc, sh, NB, C, a ? &epis[a] : NULL);
        long bad = 0;
        for (int e = 0; e < NB; e++)
            for (int c = 0; c < C; c++) bad += memcmp(&rows[e * C + c], &Y[c * AEDL_LANES + e], sizeof(float)) != 0;
        char name[96];
        snprintf(name, sizeof name, "lanes/%s/batchnorm_%s", mode, a == 0 ? "none" : a == 1 ? "relu" : "leaky");
        CHECK(bad == 0, name, "%ld of %d values differ from the rows' batchnorm", bad, NB * C);
    }
}

static void mse(const char *mode) {
    enum { NB = 37, D = 19 };
    float x[NB * D], y[NB * D], X[D * AEDL_LANES], Y[D * AEDL_LANES], s1[NB], s2[NB];
    uint8_t mask[NB * D];
    fill_events(x, NB, D);
    fill_events(y, NB, D);
    for (int i = 0; i < NB * D; i++) mask[i] = aedl_rng_uniform(&rng) < 0.3 ? 0 : 1;
    for (int f = 0; f < D; f++) mask[5 * D + f] = 0;   /* an event with nothing counted */
    aedl_lanes_in(X, x, NB, D);
    aedl_lanes_in(Y, y, NB, D);
    aedl_lanes_mse(s1, Y, X, NULL, NB, D);
    aedl_mse_per_event(s2, y, x, NB, D);
    char name[96];
    snprintf(name, sizeof name, "lanes/%s/mse", mode);
    CHECK(!memcmp(s1, s2, sizeof s1), name, "the per-event MSE differs from aedl_mse_per_event");
    aedl_lanes_mse(s1, Y, X, mask, NB, D);
    aedl_masked_mse_per_event(s2, y, x, mask, NB, D);
    snprintf(name, sizeof name, "lanes/%s/masked_mse", mode);
    CHECK(!memcmp(s1, s2, sizeof s1) && s1[5] == 0.0f, name, "the per-event masked MSE differs (event 5: %g)", s1[5]);
}

int main(void) {
    for (int simd = 1; simd >= 0; simd--) {
        const char *mode = simd ? "best" : "plain";
        aedl_lanes_use_simd(simd);
        aedl_rng_seed(&rng, 7);
        transposes(mode);
        dense(mode, 57, 32, 0.5, 1);
        dense(mode, 32, 57, 0.8, 1);
        dense(mode, 16, 3, 0.0, 1);
        dense(mode, 3, 16, 0.3, 0);
        dense(mode, 100, 128, 0.9, 1);
        batchnorm(mode);
        mse(mode);
    }
    return check_exit();
}
