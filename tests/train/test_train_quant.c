/* test_train_quant.c — the training loop's fast quantizers (runtime/train_quant.c)
 * equal quant.h's bit for bit: value (NaN, +-0, +-inf), and the straight-through
 * mask, on edge values and random ones, for many types. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "quant.h"
#include "rng.h"
#include "train_quant.h"

static int same_bits(float a, float b) {
    if (isnan(a) && isnan(b)) return 1;
    uint32_t x, y;
    memcpy(&x, &a, 4); memcpy(&y, &b, 4);
    return x == y;
}

#define N 4000

int main(void) {
    static float in[N], o1[N], o2[N];
    static uint8_t m1[N], m2[N];
    aedl_rng rng;
    aedl_rng_seed(&rng, 5);
    long types = 0, fast = 0, bad_val = 0, bad_in = 0;
    char first[200] = "";
    for (int W = 1; W <= 24; W++)
        for (int I = -4; I <= W + 4; I += (W > 6 ? 4 : 1))
            for (int sg = 0; sg < 2; sg++)
                for (int rm = 0; rm < 3; rm++)
                    for (int om = 0; om < 3; om++) {
                        aedl_rounding rnd = rm == 0 ? AEDL_RND_CONV : rm == 1 ? AEDL_RND : AEDL_TRN;
                        aedl_overflow ovf = om == 0 ? AEDL_SAT : om == 1 ? AEDL_SAT_SYM : AEDL_WRAP;
                        aedl_fixed t = { W, I, sg, rnd, ovf };
                        aedl_tq q;
                        aedl_tq_init(&q, &t);
                        types++;
                        fast += q.fast;
                        double step = ldexp(1.0, I - W), top = ldexp(1.0, I);
                        long n = 0;
                        /* edges: every half step around the range ends, specials */
                        const float sp[] = { 0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1e-45f, -1e-45f,
                                             1e30f, -1e30f, 3.4e38f, -3.4e38f };
                        for (size_t k = 0; k < sizeof sp / sizeof sp[0]; k++) in[n++] = sp[k];
                        for (int k = -6; k <= 6; k++) {
                            in[n++] = (float)(top + k * step / 2);
                            in[n++] = (float)(-top + k * step / 2);
                            in[n++] = (float)(k * step / 2);
                            in[n++] = (float)(k * step / 2 + step / 4);
                            /* one float either side of a tie */
                            in[n++] = nextafterf((float)(k * step / 2), -INFINITY);
                            in[n++] = nextafterf((float)(k * step / 2), INFINITY);
                        }
                        while (n < N) {
                            double u = aedl_rng_uniform(&rng) * 2 - 1;
                            int kind = (int)aedl_rng_below(&rng, 3);
                            if (kind == 0) in[n++] = (float)(u * 3 * top);
                            else if (kind == 1) in[n++] = (float)(round(u * 4 * top / step) * step / 2);
                            else { uint32_t b = (uint32_t)aedl_rng_u64(&rng); memcpy(&in[n++], &b, 4); }
                        }
                        for (int relu = 0; relu < 2; relu++) {
                            if (relu) {
                                aedl_quantize_relu_f32(&t, in, o1, N, m1);
                                aedl_tq_relu_f32(&q, in, o2, N, m2);
                            } else {
                                aedl_quantize_f32(&t, in, o1, N, m1);
                                aedl_tq_f32(&q, in, o2, N, m2);
                            }
                            for (long i = 0; i < N; i++) {
                                int bv = !same_bits(o1[i], o2[i]), bi = m1[i] != m2[i];
                                bad_val += bv; bad_in += bi;
                                if ((bv || bi) && !first[0])
                                    snprintf(first, sizeof first, "W=%d I=%d s=%d rnd=%d ovf=%d relu=%d x=%.9g: %.9g vs %.9g, inside %d vs %d",
                                             W, I, sg, rnd, ovf, relu, in[i], o1[i], o2[i], m1[i], m2[i]);
                            }
                        }
                        /* without the mask too */
                        aedl_quantize_f32(&t, in, o1, N, NULL);
                        aedl_tq_f32(&q, in, o2, N, NULL);
                        for (long i = 0; i < N; i++) bad_val += !same_bits(o1[i], o2[i]);
                    }
    /* the straight-through backward */
    {
        static float d1[N], d2[N], g[N];
        for (long i = 0; i < N; i++) {
            g[i] = (float)(aedl_rng_uniform(&rng) - 0.5);
            d1[i] = d2[i] = i % 3 ? (float)aedl_rng_uniform(&rng) : -0.0f;
            m1[i] = (uint8_t)(aedl_rng_below(&rng, 2));
        }
        aedl_quantize_backward(d1, m1, g, N);
        aedl_tq_backward(d2, m1, g, N);
        long bad = 0;
        for (long i = 0; i < N; i++) bad += !same_bits(d1[i], d2[i]);
        CHECK(bad == 0, "train_quant/backward-equal-quant.h", "%ld gradients differ", bad);
    }
    CHECK(fast > types / 5, "train_quant/fast-path-used", "only %ld of %ld types take the fast path", fast, types);
    CHECK(bad_val == 0, "train_quant/values-equal-quant.h", "%ld values differ; first: %s", bad_val, first);
    CHECK(bad_in == 0, "train_quant/inside-equal-quant.h", "%ld masks differ; first: %s", bad_in, first);
    return check_exit();
}
