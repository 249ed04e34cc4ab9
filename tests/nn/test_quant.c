/* test_quant.c — the float/double quantizers against hand-written tables at the
 * rounding and overflow boundaries of every mode, the QKeras quantizers, wide
 * types, the straight-through gradient, (cross-check) lib/fixed.c, and the
 * vectorized double path of the saturating types against the scalar one. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "quant.h"
#include "rng.h"

static const char *RN[] = { "trn", "trn_zero", "rnd", "rnd_zero", "rnd_inf", "rnd_min_inf",
                            "rnd_conv" };
static const char *OV[] = { "wrap", "sat", "sat_zero", "sat_sym" };

static aedl_fixed ty(int w, int i, bool s, aedl_rounding r, aedl_overflow o) {
    aedl_fixed t = { w, i, s, r, o };
    return t;
}

/* Checks value x in type t through the f32 path, the f64 path and the scalar. */
static int q_ok(aedl_fixed t, double x, double want, double *got) {
    float xf = (float)x, yf;
    double yd;
    aedl_quantize_f32(&t, &xf, &yf, 1, NULL);
    aedl_quantize_f64(&t, &x, &yd, 1, NULL);
    *got = yd;
    return yd == want && (double)yf == want && aedl_quantize_value(&t, x) == want;
}

/* fixed<4,2>: step 0.25, mantissa [-8, 7], values [-2, 1.75]; overflow SAT.
   Columns: trn, trn_zero, rnd, rnd_zero, rnd_inf, rnd_min_inf, rnd_conv. */
static const struct { double x; double want[7]; } ROUND_TABLE[] = {
    { 0.125,  { 0,     0,     0.25,  0,     0.25,  0,     0     } },  /* r = 0.5 */
    { 0.375,  { 0.25,  0.25,  0.5,   0.25,  0.5,   0.25,  0.5   } },  /* r = 1.5 */
    { -0.125, { -0.25, 0,     0,     0,     -0.25, -0.25, 0     } },  /* r = -0.5 */
    { -0.375, { -0.5,  -0.25, -0.25, -0.25, -0.5,  -0.5,  -0.5  } },  /* r = -1.5 */
    { 0.625,  { 0.5,   0.5,   0.75,  0.5,   0.75,  0.5,   0.5   } },  /* r = 2.5 */
    { -0.625, { -0.75, -0.5,  -0.5,  -0.5,  -0.75, -0.75, -0.5  } },  /* r = -2.5 */
    { 0.2,    { 0,     0,     0.25,  0.25,  0.25,  0.25,  0.25  } },  /* r = 0.8 */
    { -0.2,   { -0.25, 0,     -0.25, -0.25, -0.25, -0.25, -0.25 } },  /* r = -0.8 */
    { 0.05,   { 0,     0,     0,     0,     0,     0,     0     } },  /* r = 0.2 */
    { -0.05,  { -0.25, 0,     0,     0,     0,     0,     0     } },  /* r = -0.2 */
    { 1.8,    { 1.75,  1.75,  1.75,  1.75,  1.75,  1.75,  1.75  } },  /* r = 7.2 */
    { 1.875,  { 1.75,  1.75,  1.75,  1.75,  1.75,  1.75,  1.75  } },  /* r = 7.5: 8 saturates */
    { -2.125, { -2,    -2,    -2,    -2,    -2,    -2,    -2    } },  /* r = -8.5: -9 saturates */
    { 2.0,    { 1.75,  1.75,  1.75,  1.75,  1.75,  1.75,  1.75  } },
    { -2.0,   { -2,    -2,    -2,    -2,    -2,    -2,    -2    } },
    { -2.25,  { -2,    -2,    -2,    -2,    -2,    -2,    -2    } },
    { 0.0,    { 0,     0,     0,     0,     0,     0,     0     } },
    { 1.0,    { 1,     1,     1,     1,     1,     1,     1     } },
};

/* Overflow: type, rounding, x, then want per mode wrap, sat, sat_zero, sat_sym. */
static const struct { int w, i; bool s; aedl_rounding r; double x; double want[4]; } OVF_TABLE[] = {
    /* fixed<4,2>: mantissa [-8, 7] */
    { 4, 2, true, AEDL_TRN, 2.0,    { -2.0,  1.75, 0,     1.75  } },  /* m = 8 */
    { 4, 2, true, AEDL_TRN, -2.0,   { -2.0,  -2.0, -2.0,  -1.75 } },  /* m = -8: only sat_sym moves */
    { 4, 2, true, AEDL_TRN, -2.25,  { 1.75,  -2.0, 0,     -1.75 } },  /* m = -9 -> 7 */
    { 4, 2, true, AEDL_TRN, 1.75,   { 1.75,  1.75, 1.75,  1.75  } },
    { 4, 2, true, AEDL_TRN, -1.75,  { -1.75, -1.75, -1.75, -1.75 } },
    { 4, 2, true, AEDL_TRN, 5.5,    { 1.5,   1.75, 0,     1.75  } },  /* m = 22 -> 6 */
    { 4, 2, true, AEDL_TRN, -5.0,   { -1.0,  -2.0, 0,     -1.75 } },  /* m = -20 -> -4 */
    { 4, 2, true, AEDL_TRN, 3.9,    { -0.25, 1.75, 0,     1.75  } },  /* m = 15 -> -1 */
    { 4, 2, true, AEDL_TRN, 1.99,   { 1.75,  1.75, 1.75,  1.75  } },  /* m = 7 (truncated) */
    { 4, 2, true, AEDL_RND, 1.875,  { -2.0,  1.75, 0,     1.75  } },  /* rounding carries to 8 */
    { 4, 2, true, AEDL_RND_CONV, 1.875, { -2.0, 1.75, 0,  1.75  } },
    { 4, 2, true, AEDL_RND_ZERO, 1.875, { 1.75, 1.75, 1.75, 1.75 } }, /* ties toward 7 */
    { 4, 2, true, AEDL_RND_INF, -2.125, { 1.75, -2.0, 0,  -1.75 } },  /* -8.5 -> -9 -> 7 */
    { 4, 2, true, AEDL_RND, -2.125, { -2.0,  -2.0, -2.0,  -1.75 } },  /* -8.5 -> -8 */
    { 4, 2, true, AEDL_TRN, -0.01,  { -0.25, -0.25, -0.25, -0.25 } },
    /* ufixed<4,2>: mantissa [0, 15], values [0, 3.75]; sat_sym acts as sat */
    { 4, 2, false, AEDL_TRN, -0.25, { 3.75,  0,    0,     0     } },  /* m = -1 -> 15 */
    { 4, 2, false, AEDL_TRN, -0.01, { 3.75,  0,    0,     0     } },  /* floor gives -1 */
    { 4, 2, false, AEDL_TRN_ZERO, -0.01, { 0, 0,   0,     0     } },  /* truncates to 0 */
    { 4, 2, false, AEDL_TRN, 4.0,   { 0,     3.75, 0,     3.75  } },  /* m = 16 -> 0 */
    { 4, 2, false, AEDL_TRN, 3.75,  { 3.75,  3.75, 3.75,  3.75  } },
    { 4, 2, false, AEDL_TRN, 5.0,   { 1.0,   3.75, 0,     3.75  } },  /* m = 20 -> 4 */
    { 4, 2, false, AEDL_TRN, -1.0,  { 3.0,   0,    0,     0     } },  /* m = -4 -> 12 */
    { 4, 2, false, AEDL_RND, 3.875, { 0,     3.75, 0,     3.75  } },  /* 15.5 -> 16 */
    /* fixed<3,0>: step 1/8, values [-0.5, 0.375] (I = 0: sign only) */
    { 3, 0, true, AEDL_TRN, 0.4,    { 0.375, 0.375, 0.375, 0.375 } },
    { 3, 0, true, AEDL_RND, 0.4375, { -0.5,  0.375, 0,     0.375 } },  /* 3.5 -> 4 */
    { 3, 0, true, AEDL_TRN, -0.5,   { -0.5,  -0.5,  -0.5,  -0.375 } },
    /* fixed<4,6>: I > W, step 4, values [-32, 28] */
    { 4, 6, true, AEDL_RND, 30.0,   { -32,   28,   0,     28    } },  /* 7.5 -> 8 */
    { 4, 6, true, AEDL_TRN, 9.0,    { 8,     8,    8,     8     } },
    /* fixed<4,-2>: I < 0, step 2^-6, values [-0.125, 0.109375] */
    { 4, -2, true, AEDL_RND_CONV, 0.1171875, { -0.125, 0.109375, 0, 0.109375 } }, /* 7.5 -> 8 */
    { 4, -2, true, AEDL_RND_CONV, 0.0234375, { 0.03125, 0.03125, 0.03125, 0.03125 } }, /* 1.5 -> 2 */
    /* 1-bit types */
    { 1, 1, true, AEDL_TRN, 0.5,    { 0,     0,    0,     0     } },  /* values {-1, 0} */
    { 1, 1, true, AEDL_TRN, -1.0,   { -1,    -1,   -1,    -1    } },  /* sat_sym at W = 1 is sat (Vitis) */
    { 1, 1, true, AEDL_TRN, -3.0,   { -1,    -1,   0,     -1    } },  /* m = -3 wraps to -1 */
    { 1, 1, true, AEDL_TRN, 1.0,    { -1,    0,    0,     0     } },
    { 1, 0, false, AEDL_RND, 0.25,  { 0.5,   0.5,  0.5,   0.5   } },  /* ufixed<1,0>: {0, .5} */
    { 1, 0, false, AEDL_RND, 0.75,  { 0,     0.5,  0,     0.5   } },
};

static void rounding_table(void) {
    char name[96];
    for (int r = 0; r <= AEDL_RND_CONV; r++) {
        int bad = 0;
        char why[256] = "";
        for (size_t k = 0; k < sizeof ROUND_TABLE / sizeof ROUND_TABLE[0]; k++) {
            double got;
            if (!q_ok(ty(4, 2, true, r, AEDL_SAT), ROUND_TABLE[k].x, ROUND_TABLE[k].want[r],
                      &got) && !bad++)
                snprintf(why, sizeof why, "x = %g: got %g, want %g", ROUND_TABLE[k].x, got,
                         ROUND_TABLE[k].want[r]);
        }
        snprintf(name, sizeof name, "quant/round/fixed<4,2,%s,sat>", RN[r]);
        CHECK(!bad, name, "%d wrong; first: %s", bad, why);
    }
}

static void overflow_table(void) {
    char name[96];
    for (int o = 0; o <= AEDL_SAT_SYM; o++) {
        int bad = 0;
        char why[256] = "";
        for (size_t k = 0; k < sizeof OVF_TABLE / sizeof OVF_TABLE[0]; k++) {
            double got;
            aedl_fixed t = ty(OVF_TABLE[k].w, OVF_TABLE[k].i, OVF_TABLE[k].s, OVF_TABLE[k].r, o);
            if (!q_ok(t, OVF_TABLE[k].x, OVF_TABLE[k].want[o], &got) && !bad++)
                snprintf(why, sizeof why, "%sfixed<%d,%d,%s> x = %g: got %g, want %g",
                         t.is_signed ? "" : "u", t.width, t.integer, RN[t.rnd], OVF_TABLE[k].x,
                         got, OVF_TABLE[k].want[o]);
        }
        snprintf(name, sizeof name, "quant/overflow/%s", OV[o]);
        CHECK(!bad, name, "%d wrong; first: %s", bad, why);
    }
}

/* QKeras' formula, written out: step 2^(i - b + keep_negative), round half to
   even, clip to [-keep_negative * (2^i - symmetric * step), 2^i - step]. */
static double qkeras_bits(double x, int b, int i, int sym, int keep_neg) {
    double step = ldexp(1.0, i - b + keep_neg);
    double hi = ldexp(1.0, i) - step, lo = -keep_neg * (ldexp(1.0, i) - sym * step);
    double q = nearbyint(x / step) * step;
    return q < lo ? lo : q > hi ? hi : q;
}

static void qkeras(void) {
    aedl_fixed t = aedl_qkeras_bits(8, 3, 1, 1);
    double got;
    int ok = t.width == 8 && t.integer == 4 && t.is_signed && t.rnd == AEDL_RND_CONV &&
             t.ovf == AEDL_SAT_SYM && aedl_quant_max(&t) == 7.9375 &&
             aedl_quant_min(&t) == -7.9375;
    ok &= q_ok(t, 100, 7.9375, &got) && q_ok(t, -100, -7.9375, &got) &&
          q_ok(t, -8, -7.9375, &got) && q_ok(t, 0.03125, 0, &got) &&
          q_ok(t, 0.09375, 0.125, &got) && q_ok(t, 1.03, 1.0, &got) &&
          q_ok(t, -0.15625, -0.125, &got) && q_ok(t, 7.95, 7.9375, &got);
    CHECK(ok, "quant/qkeras/quantized_bits(8,3,1)", "step 2^-4, range [-7.9375, 7.9375] (last %g)", got);

    t = aedl_qkeras_relu(8, 0);
    float in[6] = { -0.5f, 1.5f, 0.001953125f, 0.005859375f, 0.99609375f, 0.3f }, out[6];
    float want[6] = { 0, 0.99609375f, 0, 0.0078125f, 0.99609375f, 77.0f / 256 };
    uint8_t ins[6];
    aedl_quantize_relu_f32(&t, in, out, 6, ins);
    ok = aedl_quant_max(&t) == 0.99609375 && aedl_quant_min(&t) == 0 &&
         memcmp(out, want, sizeof out) == 0 && ins[0] == 0 && ins[1] == 0 && ins[2] == 1 &&
         ins[4] == 1;
    CHECK(ok, "quant/qkeras/quantized_relu(8,0)", "got %g %g %g %g %g %g", out[0], out[1],
          out[2], out[3], out[4], out[5]);

    /* sweep against the formula: several QKeras configurations, random and tie values */
    static const int cfg[][4] = { { 8, 3, 1, 1 }, { 8, 3, 0, 1 }, { 16, 6, 1, 1 }, { 6, 0, 0, 1 },
                                  { 4, 1, 1, 1 }, { 8, 0, 0, 0 }, { 8, 2, 0, 0 }, { 3, 0, 1, 1 } };
    aedl_rng r;
    aedl_rng_seed(&r, 99);
    int bad = 0;
    char why[200] = "";
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        aedl_fixed q = aedl_qkeras_bits(cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3]);
        double step = ldexp(1.0, cfg[c][1] - cfg[c][0] + cfg[c][3]);
        for (int k = 0; k < 4000; k++) {
            double span = ldexp(1.0, cfg[c][1] + 1);
            double x = (2 * aedl_rng_uniform(&r) - 1) * span;
            if (k & 1) x = (floor(x / step) + 0.5) * step;   /* an exact tie */
            x = (float)x;
            double want = qkeras_bits(x, cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3]), got2;
            if (!q_ok(q, x, want, &got2) && !bad++)
                snprintf(why, sizeof why, "quantized_bits(%d,%d,%d,keep_negative=%d) x = %.9g: got %.9g, want %.9g",
                         cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3], x, got2, want);
        }
    }
    CHECK(!bad, "quant/qkeras/formula_sweep", "%d wrong; first: %s", bad, why);
}

/* W up to 32 in float and wider in double: no float-precision shortcuts. */
static void wide(void) {
    double got;
    /* fixed<32,10>: F = 22; x = 1 + 2^-23 is a float and a tie at mantissa 2^22 + 0.5 */
    double x = 1.0 + ldexp(1, -23);
    int ok = q_ok(ty(32, 10, true, AEDL_RND_CONV, AEDL_SAT), x, 1.0, &got) &&
             q_ok(ty(32, 10, true, AEDL_RND, AEDL_SAT), x, 1.0 + ldexp(1, -22), &got) &&
             q_ok(ty(32, 10, true, AEDL_RND_ZERO, AEDL_SAT), -x, -1.0, &got) &&
             q_ok(ty(32, 10, true, AEDL_RND_INF, AEDL_SAT), -x, -1.0 - ldexp(1, -22), &got);
    CHECK(ok, "quant/wide/fixed<32,10>_ties", "got %.17g", got);

    /* fixed<32,32> (integers): 2^31 wraps to -2^31; 3e9 wraps to 3e9 - 2^32 */
    ok = q_ok(ty(32, 32, true, AEDL_TRN, AEDL_WRAP), 2147483648.0, -2147483648.0, &got) &&
         q_ok(ty(32, 32, true, AEDL_TRN, AEDL_WRAP), 3e9, 3e9 - 4294967296.0, &got);
    /* saturation to 2^31 - 1 (exact in double; float rounds it to 2^31) */
    double y;
    double in = 3e9;
    aedl_fixed t32 = ty(32, 32, true, AEDL_TRN, AEDL_SAT);
    aedl_quantize_f64(&t32, &in, &y, 1, NULL);
    ok &= y == 2147483647.0;
    CHECK(ok, "quant/wide/fixed<32,32>_wrap_sat", "got %.17g / %.17g", got, y);

    /* double path, fixed<48,10>: F = 38; 1 + 2^-39 is a tie */
    struct { aedl_rounding r; double want; } w48[] = {
        { AEDL_TRN, 1.0 }, { AEDL_RND, 1.0 + ldexp(1, -38) }, { AEDL_RND_CONV, 1.0 },
        { AEDL_RND_ZERO, 1.0 }, { AEDL_RND_INF, 1.0 + ldexp(1, -38) }, { AEDL_RND_MIN_INF, 1.0 } };
    ok = 1;
    for (size_t k = 0; k < sizeof w48 / sizeof w48[0]; k++) {
        aedl_fixed t = ty(48, 10, true, w48[k].r, AEDL_SAT);
        double xi = 1.0 + ldexp(1, -39), yo;
        aedl_quantize_f64(&t, &xi, &yo, 1, NULL);
        ok &= yo == w48[k].want;
        /* just below a tie must round down in every nearest mode */
        xi = 1.0 + ldexp(1, -39) - ldexp(1, -52);
        aedl_quantize_f64(&t, &xi, &yo, 1, NULL);
        ok &= yo == 1.0;
    }
    CHECK(ok, "quant/wide/fixed<48,10>_double", "a wide tie was rounded wrongly");

    /* 2^52 + 1 is an integer in double: no rounding may move it (RND) */
    aedl_fixed t60 = ty(60, 60, true, AEDL_RND, AEDL_SAT);
    double big = ldexp(1, 52) + 1, yb;
    aedl_quantize_f64(&t60, &big, &yb, 1, NULL);
    CHECK(yb == big, "quant/wide/integer_2^52+1", "got %.17g", yb);

    /* special values */
    aedl_fixed t = ty(8, 4, true, AEDL_RND, AEDL_SAT);
    double sp[3] = { NAN, INFINITY, -INFINITY }, so[3];
    aedl_quantize_f64(&t, sp, so, 3, NULL);
    double sw[3];
    aedl_fixed tw = ty(8, 4, true, AEDL_RND, AEDL_WRAP);
    aedl_quantize_f64(&tw, sp, sw, 3, NULL);
    CHECK(isnan(so[0]) && so[1] == 7.9375 && so[2] == -8 && isnan(sw[0]) && sw[1] == 0 &&
              sw[2] == 0,
          "quant/special_values", "sat: %g %g %g, wrap: %g %g %g", so[0], so[1], so[2], sw[0],
          sw[1], sw[2]);
}

static void straight_through(void) {
    /* fixed<4,2,rnd,sat>: range [-2, 1.75] */
    aedl_fixed t = ty(4, 2, true, AEDL_RND, AEDL_SAT);
    float x[8] = { -2.0f, -2.01f, 1.75f, 1.76f, 0.3f, 100.0f, -100.0f, NAN }, y[8];
    uint8_t ins[8];
    const uint8_t want[8] = { 1, 0, 1, 0, 1, 0, 0, 0 };
    aedl_quantize_f32(&t, x, y, 8, ins);
    float d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, g[8] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
    aedl_quantize_backward(g, ins, d, 8);
    int ok = memcmp(ins, want, 8) == 0;
    for (int i = 0; i < 8; i++) ok &= g[i] == 0.5f + (want[i] ? d[i] : 0.0f);
    CHECK(ok, "quant/ste/sat", "inside %d%d%d%d%d%d%d%d", ins[0], ins[1], ins[2], ins[3], ins[4],
          ins[5], ins[6], ins[7]);
    float gm[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    aedl_ste_mask(gm, ins, 8);
    ok = 1;
    for (int i = 0; i < 8; i++) ok &= gm[i] == (want[i] ? (float)(i + 1) : 0.0f);
    CHECK(ok, "quant/ste/mask_in_place", "got %g %g %g %g", gm[0], gm[1], gm[2], gm[3]);

    /* sat_sym: -2 is outside [-1.75, 1.75] */
    t.ovf = AEDL_SAT_SYM;
    aedl_quantize_f32(&t, x, y, 3, ins);
    CHECK(ins[0] == 0 && ins[2] == 1 && y[0] == -1.75f, "quant/ste/sat_sym", "inside %d %d, y %g",
          ins[0], ins[2], y[0]);
    /* wrap: gradient inside the range, zero outside (where the value wrapped) */
    t.ovf = AEDL_WRAP;
    aedl_quantize_f32(&t, x, y, 8, ins);
    CHECK(memcmp(ins, want, 8) == 0 && y[5] == 0.0f /* 100 * 4 = 400 = 25*16 -> 0 */,
          "quant/ste/wrap", "inside %d%d%d%d, y[5] %g", ins[0], ins[1], ins[2], ins[3], y[5]);

    /* quantized relu: gradient only for 0 < x <= max */
    aedl_fixed u = aedl_qkeras_relu(4, 1);   /* ufixed<4,1>: [0, 1.875] */
    float xr[5] = { -0.5f, 0.0f, 0.7f, 1.875f, 1.9f }, yr[5];
    uint8_t ir[5];
    aedl_quantize_relu_f32(&u, xr, yr, 5, ir);
    CHECK(ir[0] == 0 && ir[1] == 0 && ir[2] == 1 && ir[3] == 1 && ir[4] == 0 && yr[0] == 0 &&
              yr[2] == 0.75f && yr[4] == 1.875f,
          "quant/ste/quantized_relu", "inside %d%d%d%d%d, y %g %g %g", ir[0], ir[1], ir[2], ir[3],
          ir[4], yr[0], yr[2], yr[4]);
    double xd[2] = { -1.0, 0.71875 }, yd[2];
    aedl_quantize_relu_f64(&u, xd, yd, 2, NULL);
    CHECK(yd[0] == 0 && yd[1] == 0.75, "quant/quantized_relu_f64", "got %g %g", yd[0], yd[1]);

    /* in-place use */
    float z[3] = { 0.3f, 0.6f, 5.0f };
    aedl_fixed t2 = ty(6, 2, true, AEDL_RND_CONV, AEDL_SAT);
    aedl_quantize_f32(&t2, z, z, 3, NULL);
    CHECK(z[0] == 0.3125f && z[1] == 0.625f && z[2] == 1.9375f, "quant/in_place", "got %g %g %g",
          z[0], z[1], z[2]);
}

/* Cross-check with the integer implementation (lib/fixed.c) on random
   types and values, every rounding and overflow mode.  NaN is left out (the
   two differ by design: NaN stays NaN here, fixed.c gives 0). */
static void cross_check_fixed_c(void) {
    aedl_rng r;
    aedl_rng_seed(&r, 2024);
    long n = 0, bad = 0;
    char why[256] = "";
    for (int k = 0; k < 20000; k++) {
        int w = 1 + (int)aedl_rng_below(&r, 32);
        int i = (int)aedl_rng_below(&r, 24) - 8;
        bool s = aedl_rng_below(&r, 2);
        aedl_fixed t = ty(w, i, s, (aedl_rounding)aedl_rng_below(&r, 7),
                          (aedl_overflow)aedl_rng_below(&r, 4));
        double step = ldexp(1.0, i - w);
        double x = (2 * aedl_rng_uniform(&r) - 1) * ldexp(1.0, i + 1);
        switch (k % 3) {
        case 0: x = (floor(x / step) + 0.5) * step; break;   /* a tie */
        case 1: x = floor(x / step) * step; break;           /* on the grid */
        default: break;
        }
        x = (float)x;
        double mine = aedl_quantize_value(&t, x);
        double theirs = aedl_fixed_to_double(t, aedl_fixed_from_double(t, x));
        n++;
        if (mine != theirs && !bad++)
            snprintf(why, sizeof why, "%sfixed<%d,%d,%s,%s> x = %.17g: float %.17g, integer %.17g",
                     s ? "" : "u", w, i, RN[t.rnd], OV[t.ovf], x, mine, theirs);
    }
    CHECK(!bad, "quant/cross_check_fixed_c", "%ld of %ld differ; first: %s", bad, n, why);
}

/* aedl_quantize_f64 / aedl_quantize_relu_f64 over arrays (the vectorized path for
   sat and sat_sym up to 50 bits, the loop otherwise) against the scalar
   aedl_quantize_value, bit for bit (a zero's sign, NaN), against lib/fixed.c for
   finite float values, and the straight-through flags against their definition: random
   types of every rounding and overflow mode, values on the grid, at ties and one
   double either side of them, beyond the range, +-0, +-inf, NaN, subnormals;
   arrays of 37 values (not a multiple of a vector's width). */
static int same_double(double a, double b) {
    return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

static void vector_path(void) {
    enum { N = 37 };
    aedl_rng r;
    aedl_rng_seed(&r, 77);
    long n = 0, bad = 0;
    char why[300] = "";
    for (int k = 0; k < 6000; k++) {
        int w = k % 10 == 9 ? 51 + (int)aedl_rng_below(&r, 10) : 1 + (int)aedl_rng_below(&r, 50);
        int i = (int)aedl_rng_below(&r, 40) - 10;
        bool s = aedl_rng_below(&r, 2);
        aedl_overflow ov = k % 4 ? (k % 2 ? AEDL_SAT : AEDL_SAT_SYM) : (aedl_overflow)aedl_rng_below(&r, 4);
        aedl_fixed t = ty(w, i, s, (aedl_rounding)aedl_rng_below(&r, 7), ov);
        double step = ldexp(1.0, i - w), x[N], y[N], yr[N];
        uint8_t in[N], inr[N];
        for (int j = 0; j < N; j++) {
            double v = (2 * aedl_rng_uniform(&r) - 1) * ldexp(1.0, i + 1);
            switch (j % 8) {
            case 0: v = (floor(v / step) + 0.5) * step; break;                      /* a tie */
            case 1: v = floor(v / step) * step; break;                              /* on the grid */
            case 2: v = nextafter((floor(v / step) + 0.5) * step, -INFINITY); break; /* below a tie */
            case 3: v = nextafter((floor(v / step) + 0.5) * step, INFINITY); break;  /* above a tie */
            case 4: v = nextafter(floor(v / step) * step, j & 8 ? INFINITY : -INFINITY); break;
            case 5: v *= ldexp(1.0, (int)aedl_rng_below(&r, 8)); break;             /* beyond the range */
            default: break;
            }
            x[j] = v;
        }
        x[6] = -0.0; x[7] = 0.0; x[14] = INFINITY; x[15] = -INFINITY; x[22] = NAN; x[30] = -0x1p-1070;
        for (int relu = 0; relu < 2; relu++) {
            memset(in, 2, sizeof in);
            if (relu) aedl_quantize_relu_f64(&t, x, y, N, in);
            else aedl_quantize_f64(&t, x, y, N, in);
            if (relu) aedl_quantize_relu_f64(&t, x, yr, N, NULL);
            else aedl_quantize_f64(&t, x, yr, N, NULL);
            double lo = (double)aedl_fixed_result_min(t), hi = (double)aedl_fixed_mant_max(t);
            for (int j = 0; j < N; j++) {
                double v = relu && x[j] < 0 ? 0.0 : x[j], want = aedl_quantize_value(&t, v), rr = x[j] * ldexp(1.0, w - i);
                inr[j] = (uint8_t)(relu ? x[j] > 0 && rr <= hi : rr >= lo && rr <= hi);
                int ok = same_double(y[j], want) && same_double(yr[j], want) && in[j] == inr[j];
                /* fixed.c too where both are exact: x a float (as cross_check_fixed_c), no underflow */
                if (ok && isfinite(v) && (double)(float)x[j] == x[j] && ldexp(rr, i - w) == x[j])
                    ok = y[j] == aedl_fixed_to_double(t, aedl_fixed_from_double(t, v));
                n++;
                if (!ok && !bad++)
                    snprintf(why, sizeof why, "%s %sfixed<%d,%d,%s,%s> x = %.17g: %.17g (without flags %.17g), "
                             "scalar %.17g; inside %d, want %d", relu ? "relu" : "plain", s ? "" : "u", w, i,
                             RN[t.rnd], OV[t.ovf], x[j], y[j], yr[j], want, in[j], inr[j]);
            }
        }
    }
    CHECK(!bad, "quant/vector_path", "%ld of %ld differ; first: %s", bad, n, why);
}

int main(void) {
    rounding_table();
    overflow_table();
    qkeras();
    wide();
    straight_through();
    cross_check_fixed_c();
    vector_path();
    return check_exit();
}
