/* lanes.c — the float model's inference with events in vector lanes (lanes.h).
 *
 * The kernels come twice: with AVX2 and FMA intrinsics (8 floats a register, the 64 lanes
 * of a row in 8 registers), chosen at run time when the machine has both, and as plain
 * loops with fmaf.  Both compute the same numbers: an FMA is exact then rounded once.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lanes.h"
#include "util.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LANES_X86 1
#define AVX2_FMA __attribute__((target("avx2,fma")))
#else
#define LANES_X86 0
#endif

#define LIVE_MAX 4096             /* inputs of a layer whose all-zero rows are skipped */

_Static_assert(AEDL_LANES == 64, "the AVX2 kernels hold a row in 8 registers of 8 floats");

static int simd_allowed = 1;

void aedl_lanes_use_simd(int on) { simd_allowed = on; }

static int simd(void) {
#if LANES_X86
    return simd_allowed && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

void aedl_lanes_dense_pack(aedl_lanes_dense *d, const float *kernel, const float *bias, int n_in, int units) {
    long need = (long)n_in * units;
    if (!d->start || d->n_in != n_in || d->units != units || d->cap < need) {
        aedl_lanes_dense_free(d);
        d->start = xmalloc(sizeof(int) * ((size_t)units + 1));
        d->k = xmalloc(sizeof(int) * (size_t)(need ? need : 1));
        d->w = xmalloc(sizeof(float) * (size_t)(need ? need : 1));
        d->cap = (int)need;
    }
    d->n_in = n_in; d->units = units; d->bias = bias;
    int nz = 0;
    for (int j = 0; j < units; j++) {
        d->start[j] = nz;
        for (int k = 0; k < n_in; k++) {
            float w = kernel[(long)k * units + j];
            if (w != 0.0f) { d->k[nz] = k; d->w[nz] = w; nz++; }
        }
    }
    d->start[units] = nz;
}

void aedl_lanes_dense_free(aedl_lanes_dense *d) {
    free(d->start); free(d->k); free(d->w);
    d->start = d->k = NULL; d->w = NULL; d->cap = 0;
}

#if LANES_X86
/* live[k] = 0 when input row k is zero in every lane (padded features, a relu off for the whole
   block): its FMAs would leave the chains unchanged, as a zero weight's.  Returns how many. */
AVX2_FMA static int dead_rows_avx2(unsigned char *live, const float *X, int n) {
    int dead = 0;
    for (int k = 0; k < n; k++) {
        const float *x = X + (long)k * AEDL_LANES;
        __m256 o = _mm256_or_ps(_mm256_or_ps(_mm256_or_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8)),
                                             _mm256_or_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24))),
                                _mm256_or_ps(_mm256_or_ps(_mm256_loadu_ps(x + 32), _mm256_loadu_ps(x + 40)),
                                             _mm256_or_ps(_mm256_loadu_ps(x + 48), _mm256_loadu_ps(x + 56))));
        /* -0 counts as zero: clear the sign bits */
        o = _mm256_and_ps(o, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
        live[k] = !_mm256_testz_si256(_mm256_castps_si256(o), _mm256_castps_si256(o));
        dead += !live[k];
    }
    return dead;
}

/* Output j's 64 lanes; skip: leave out the weights of the rows live marks dead (a constant
   in each copy the compiler makes). */
AVX2_FMA static inline __attribute__((always_inline)) void dense_out_avx2(float *Y, const float *X,
                                                                          const aedl_lanes_dense *d, int j,
                                                                          const unsigned char *live, int skip) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int i = d->start[j]; i < d->start[j + 1]; i++) {
        if (skip && !live[d->k[i]]) continue;
        const float *x = X + (long)d->k[i] * AEDL_LANES;
        __m256 w = _mm256_set1_ps(d->w[i]);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), w, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), w, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), w, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), w, a3);
        a4 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 32), w, a4);
        a5 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 40), w, a5);
        a6 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 48), w, a6);
        a7 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 56), w, a7);
    }
    __m256 b = _mm256_set1_ps(d->bias ? d->bias[j] : 0.0f);
    float *y = Y + (long)j * AEDL_LANES;
    _mm256_storeu_ps(y, _mm256_add_ps(a0, b));
    _mm256_storeu_ps(y + 8, _mm256_add_ps(a1, b));
    _mm256_storeu_ps(y + 16, _mm256_add_ps(a2, b));
    _mm256_storeu_ps(y + 24, _mm256_add_ps(a3, b));
    _mm256_storeu_ps(y + 32, _mm256_add_ps(a4, b));
    _mm256_storeu_ps(y + 40, _mm256_add_ps(a5, b));
    _mm256_storeu_ps(y + 48, _mm256_add_ps(a6, b));
    _mm256_storeu_ps(y + 56, _mm256_add_ps(a7, b));
}

AVX2_FMA static void dense_avx2(float *Y, const float *X, const aedl_lanes_dense *d) {
    unsigned char live[LIVE_MAX];
    /* checking every weight's row costs more than a few dead rows save */
    if (d->n_in <= LIVE_MAX && dead_rows_avx2(live, X, d->n_in) * 8 > d->n_in)
        for (int j = 0; j < d->units; j++) dense_out_avx2(Y, X, d, j, live, 1);
    else
        for (int j = 0; j < d->units; j++) dense_out_avx2(Y, X, d, j, live, 0);
}

/* An 8 x 8 tile: rows of src (stride ss) -> columns of dst (stride ds). */
AVX2_FMA static inline __attribute__((always_inline)) void transpose8(const float *src, long ss, float *dst, long ds) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ss), r2 = _mm256_loadu_ps(src + 2 * ss),
           r3 = _mm256_loadu_ps(src + 3 * ss), r4 = _mm256_loadu_ps(src + 4 * ss), r5 = _mm256_loadu_ps(src + 5 * ss),
           r6 = _mm256_loadu_ps(src + 6 * ss), r7 = _mm256_loadu_ps(src + 7 * ss);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
           t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
           t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
           u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
           u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* rows x cols of src (stride ss) -> cols x rows of dst (stride ds): 8 x 8 tiles, the edges one by one. */
AVX2_FMA static void transpose_avx2(const float *src, long ss, float *dst, long ds, int rows, int cols) {
    int r8 = rows & ~7, c8 = cols & ~7;
    for (int r = 0; r < r8; r += 8)
        for (int c = 0; c < c8; c += 8) transpose8(src + r * ss + c, ss, dst + c * ds + r, ds);
    for (int r = 0; r < rows; r++)
        for (int c = r < r8 ? c8 : 0; c < cols; c++) dst[c * ds + r] = src[r * ss + c];
}
#endif

static void transpose(const float *src, long ss, float *dst, long ds, int rows, int cols) {
#if LANES_X86
    if (simd()) { transpose_avx2(src, ss, dst, ds, rows, cols); return; }
#endif
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[c * ds + r] = src[r * ss + c];
}

void aedl_lanes_dense_forward(float *Y, const float *X, const aedl_lanes_dense *d) {
#if LANES_X86
    if (simd()) { dense_avx2(Y, X, d); return; }
#endif
    for (int j = 0; j < d->units; j++) {
        float a[AEDL_LANES] = { 0 };
        for (int i = d->start[j]; i < d->start[j + 1]; i++) {
            const float *x = X + (long)d->k[i] * AEDL_LANES;
            float w = d->w[i];
            for (int e = 0; e < AEDL_LANES; e++) a[e] = fmaf(x[e], w, a[e]);
        }
        float b = d->bias ? d->bias[j] : 0.0f, *y = Y + (long)j * AEDL_LANES;
        for (int e = 0; e < AEDL_LANES; e++) y[e] = a[e] + b;
    }
}

void aedl_lanes_in(float *X, const float *x, int nb, int d) {
    transpose(x, d, X, AEDL_LANES, nb, d);
    if (nb < AEDL_LANES)
        for (int k = 0; k < d; k++) memset(X + (long)k * AEDL_LANES + nb, 0, sizeof(float) * (size_t)(AEDL_LANES - nb));
}

void aedl_lanes_out(float *y, const float *Y, int nb, int d) {
    transpose(Y, AEDL_LANES, y, d, d, nb);
}

void aedl_lanes_mse(float *score, const float *Y, const float *X, const uint8_t *mask, int nb, int d) {
    double sum[AEDL_LANES] = { 0 };
    int cnt[AEDL_LANES] = { 0 };
    for (int f = 0; f < d; f++) {
        const float *y = Y + (long)f * AEDL_LANES, *x = X + (long)f * AEDL_LANES;
        if (mask)
            for (int e = 0; e < nb; e++) {
                double df = (double)y[e] - x[e];
                int on = mask[(long)e * d + f] != 0;
                sum[e] += on ? df * df : 0.0;
                cnt[e] += on;
            }
        else
            for (int e = 0; e < AEDL_LANES; e++) {
                double df = (double)y[e] - x[e];
                sum[e] += df * df;
            }
    }
    for (int e = 0; e < nb; e++)
        score[e] = mask ? (cnt[e] ? (float)(sum[e] / cnt[e]) : 0.0f) : (float)(sum[e] / d);
}
