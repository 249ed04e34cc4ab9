/* test_fixed.c — lib/fixed.c: the hand-computed boundary table, a
 * seeded comparison with an independent double-precision reference of the
 * rounding and overflow rules, exact products and sums against double, the
 * result-type rules, types for ranges, and formatting. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fixed.h"
#include "fixed/table.h"

static uint64_t rng_state = 0x5eed2024u;
static uint64_t rng(void) {   /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static int rng_int(int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); }

static aedl_fixed type(int w, int i, bool s, aedl_rounding r, aedl_overflow o) {
    aedl_fixed t = {w, i, s, r, o};
    return t;
}

static const char *tname(aedl_fixed t) {
    static char buf[4][96];
    static int k;
    k = (k + 1) % 4;
    aedl_fixed_format(buf[k], sizeof buf[k], t);
    return buf[k];
}

/* ---- the table, through doubles and through a wider fixed source ---- */
static void test_table(void) {
    int n = (int)(sizeof fixed_cases / sizeof fixed_cases[0]), bad = 0, via_fixed = 0;
    aedl_fixed src = type(96, 48, true, AEDL_TRN, AEDL_WRAP);
    for (int k = 0; k < n; k++) {
        const fixed_case *c = &fixed_cases[k];
        aedl_fixed t = type(c->w, c->i, c->s, c->r, c->o);
        double got = aedl_fixed_to_double(t, aedl_fixed_from_double(t, c->in));
        if (got != c->want) {
            if (bad++ < 10)
                printf("  row %d: %s(%.17g) = %.17g, want %.17g\n", k, tname(t), c->in, got, c->want);
        }
        if (aedl_fixed_exact(src, c->in)) {     /* the same through a fixed-point source */
            aedl_fx v = aedl_fx_cast(t, aedl_fx_from_double(src, c->in));
            via_fixed++;
            if (aedl_fx_to_double(v) != c->want && bad++ < 10)
                printf("  row %d via %s: %s(%.17g) = %.17g, want %.17g\n", k, tname(src), tname(t),
                       c->in, aedl_fx_to_double(v), c->want);
        }
    }
    CHECK(bad == 0, "fixed/c/table", "%d of %d hand-computed rows differ", bad, n);
    CHECK(via_fixed > n / 2, "fixed/c/table-via-fixed", "only %d rows went through a fixed source", via_fixed);
}

/* ---- an independent reference in double arithmetic (exact for W <= 24) ---- */
static double ref_convert(aedl_fixed t, double x) {
    int f = t.width - t.integer;
    double v = ldexp(x, f);                     /* exact: x has few bits */
    double fl = floor(v), rem = v - fl;
    bool neg = x < 0, up = false;
    switch (t.rnd) {
    case AEDL_TRN: up = false; break;
    case AEDL_TRN_ZERO: up = neg && rem != 0; break;
    case AEDL_RND: up = rem >= 0.5; break;
    case AEDL_RND_ZERO: up = rem > 0.5 || (rem == 0.5 && neg); break;
    case AEDL_RND_INF: up = rem > 0.5 || (rem == 0.5 && !neg); break;
    case AEDL_RND_MIN_INF: up = rem > 0.5; break;
    case AEDL_RND_CONV: up = rem > 0.5 || (rem == 0.5 && fmod(fl, 2) != 0); break;
    }
    double q = fl + up;
    double span = ldexp(1, t.width);
    double lo = t.is_signed ? -span / 2 : 0, hi = t.is_signed ? span / 2 - 1 : span - 1;
    double symlo = t.is_signed && t.width > 1 ? lo + 1 : lo;
    if (q >= lo && q <= hi) {
        if (q == lo && t.ovf == AEDL_SAT_SYM) q = symlo;
    } else {
        switch (t.ovf) {
        case AEDL_WRAP: q = q - span * floor((q - lo) / span); break;
        case AEDL_SAT: q = q > hi ? hi : lo; break;
        case AEDL_SAT_ZERO: q = 0; break;
        case AEDL_SAT_SYM: q = q > hi ? hi : symlo; break;
        }
    }
    return ldexp(q, -f);
}

static aedl_fixed random_type(int wmax) {
    aedl_fixed t;
    t.is_signed = rng() & 1;
    t.width = rng_int(1, wmax);
    t.integer = rng_int(-8, t.width + 8);
    t.rnd = (aedl_rounding)rng_int(0, AEDL_RND_CONV);
    t.ovf = (aedl_overflow)rng_int(0, AEDL_SAT_SYM);
    return t;
}

static void test_reference(void) {
    int bad = 0, n = 200000;
    for (int k = 0; k < n; k++) {
        aedl_fixed t = random_type(24);
        int f = t.width - t.integer;
        /* x = j * 2^-(f + extra): hits the half-steps, the steps, and the range edges */
        int extra = rng_int(0, 4);
        long long j = (long long)(rng() % (1ull << (t.width + extra + 2))) - (1ll << (t.width + extra + 1));
        if (rng() % 4 == 0) j = (long long)(rng() % 7) - 3 + ((rng() & 1 ? 1 : -1) * (1ll << (t.width + extra - 1)));
        double x = ldexp((double)j, -(f + extra));
        double want = ref_convert(t, x);
        double got = aedl_fixed_to_double(t, aedl_fixed_from_double(t, x));
        if (got != want && bad++ < 10)
            printf("  %s(%.17g) = %.17g, reference %.17g\n", tname(t), x, got, want);
    }
    CHECK(bad == 0, "fixed/c/random-vs-reference", "%d of %d conversions differ", bad, n);
}

/* ---- casts between fixed types agree with the double path ---- */
static void test_casts(void) {
    int bad = 0, n = 100000;
    for (int k = 0; k < n; k++) {
        aedl_fixed a = random_type(40), b = random_type(40);
        a.rnd = AEDL_TRN;
        aedl_mant lo = aedl_fixed_mant_min(a), hi = aedl_fixed_mant_max(a);
        aedl_mant m = lo + (aedl_mant)(rng() % (uint64_t)(hi - lo + 1));
        aedl_fx v = {m, a};
        aedl_fx c = aedl_fx_cast(b, v);
        /* the value is exact in double (W <= 40): the double path must agree */
        aedl_mant via = aedl_fixed_from_double(b, aedl_fx_to_double(v));
        if (c.m != via && bad++ < 10)
            printf("  %s -> %s of %.17g: %.17g vs %.17g\n", tname(a), tname(b), aedl_fx_to_double(v),
                   aedl_fx_to_double(c), aedl_fixed_to_double(b, via));
    }
    CHECK(bad == 0, "fixed/c/cast-equals-double-path", "%d of %d casts differ", bad, n);
}

/* ---- exact products and sums (result W <= 53: double is exact) ---- */
static aedl_fx random_value(aedl_fixed t) {
    aedl_mant lo = aedl_fixed_mant_min(t), hi = aedl_fixed_mant_max(t);
    aedl_fx v = {lo + (aedl_mant)(rng() % (uint64_t)(hi - lo + 1)), t};
    if (rng() % 8 == 0) v.m = rng() & 1 ? lo : hi;      /* the extremes often */
    return v;
}

static void test_arith_vs_double(void) {
    int bad = 0, n = 100000;
    for (int k = 0; k < n; k++) {
        aedl_fixed a = random_type(26), b = random_type(26);
        aedl_fx x = random_value(a), y = random_value(b);
        double dx = aedl_fx_to_double(x), dy = aedl_fx_to_double(y);
        aedl_fx p = aedl_fx_mul(x, y), s = aedl_fx_add(x, y), d = aedl_fx_sub(x, y), ng = aedl_fx_neg(x);
        bool ok = aedl_fx_to_double(p) == dx * dy && aedl_fx_to_double(ng) == -dx;
        if (s.t.width <= 53) ok = ok && aedl_fx_to_double(s) == dx + dy && aedl_fx_to_double(d) == dx - dy;
        /* results lie inside their types (no wrap happened) */
        ok = ok && p.m >= aedl_fixed_mant_min(p.t) && p.m <= aedl_fixed_mant_max(p.t);
        ok = ok && s.m >= aedl_fixed_mant_min(s.t) && s.m <= aedl_fixed_mant_max(s.t);
        ok = ok && d.m >= aedl_fixed_mant_min(d.t) && d.m <= aedl_fixed_mant_max(d.t);
        int c = aedl_fx_cmp(x, y);
        ok = ok && c == (dx < dy ? -1 : dx > dy);
        if (!ok && bad++ < 10)
            printf("  %s %.17g, %s %.17g: * %.17g + %.17g - %.17g cmp %d\n", tname(a), dx, tname(b), dy,
                   aedl_fx_to_double(p), aedl_fx_to_double(s), aedl_fx_to_double(d), c);
    }
    CHECK(bad == 0, "fixed/c/arith-vs-double", "%d of %d cases differ", bad, n);
}

static bool same_shape(aedl_fixed t, int w, int i, bool s) {
    return t.width == w && t.integer == i && t.is_signed == s && t.rnd == AEDL_TRN && t.ovf == AEDL_WRAP;
}

static void test_result_types(void) {
    aedl_fixed f42 = aedl_fixed_make(4, 2, true), u80 = aedl_fixed_make(8, 0, false);
    aedl_fixed u44 = aedl_fixed_make(4, 4, false), u88 = aedl_fixed_make(8, 8, false);
    aedl_fixed f166 = aedl_fixed_make(16, 6, true);
    CHECK(same_shape(aedl_fixed_mul_type(f166, u80), 24, 6, true), "fixed/c/type-mul",
          "fixed<16,6>*ufixed<8,0> = %s", tname(aedl_fixed_mul_type(f166, u80)));
    CHECK(same_shape(aedl_fixed_mul_type(u80, u44), 12, 4, false), "fixed/c/type-mul-unsigned",
          "ufixed<8,0>*ufixed<4,4> = %s", tname(aedl_fixed_mul_type(u80, u44)));
    CHECK(same_shape(aedl_fixed_add_type(f42, u80), 11, 3, true), "fixed/c/type-add-mixed",
          "fixed<4,2>+ufixed<8,0> = %s", tname(aedl_fixed_add_type(f42, u80)));
    CHECK(same_shape(aedl_fixed_add_type(u80, u44), 13, 5, false), "fixed/c/type-add-unsigned",
          "ufixed<8,0>+ufixed<4,4> = %s", tname(aedl_fixed_add_type(u80, u44)));
    CHECK(same_shape(aedl_fixed_sub_type(u88, u88), 9, 9, true), "fixed/c/type-sub",
          "ufixed<8,8>-ufixed<8,8> = %s", tname(aedl_fixed_sub_type(u88, u88)));
    CHECK(same_shape(aedl_fixed_neg_type(u80), 9, 1, true), "fixed/c/type-neg",
          "-ufixed<8,0> = %s", tname(aedl_fixed_neg_type(u80)));

    /* 64 x 64 bits: the extreme products are exact in 128 bits */
    aedl_fixed w64 = aedl_fixed_make(64, 10, true);
    aedl_fx mn = {aedl_fixed_mant_min(w64), w64}, mx = {aedl_fixed_mant_max(w64), w64};
    aedl_fx p1 = aedl_fx_mul(mn, mn), p2 = aedl_fx_mul(mn, mx), p3 = aedl_fx_mul(mx, mx);
    aedl_mant two63 = (aedl_mant)1 << 63;
    CHECK(same_shape(p1.t, 128, 20, true) && p1.m == two63 * two63 &&
              p2.m == -two63 * (two63 - 1) && p3.m == (two63 - 1) * (two63 - 1),
          "fixed/c/mul-64x64-exact", "extreme 64-bit products wrong");
    aedl_fx s = aedl_fx_add(mn, mn);
    CHECK(same_shape(s.t, 65, 11, true) && s.m == -2 * two63, "fixed/c/add-64-exact",
          "min+min of fixed<64,10> = %s", tname(s.t));
    /* back to a stored type: fixed<128,20> -> fixed<16,6,rnd_conv,sat> */
    aedl_fixed out = type(16, 6, true, AEDL_RND_CONV, AEDL_SAT);
    CHECK(aedl_fixed_to_double(out, aedl_fx_cast(out, p1).m) == aedl_fixed_max(out),
          "fixed/c/wide-cast-saturates", "2^126 * 2^-108 into fixed<16,6,sat>");
}

static void test_range_types(void) {
    struct { double lo, hi; int f, w, i, s; } c[] = {
        {0, 1.75, 2, 3, 1, 0},      {-2, 1.75, 2, 4, 2, 1},   {-2, 2, 2, 5, 3, 1},
        {-0.25, 0, 2, 1, -1, 1},    {0, 0, 2, 1, -1, 0},      {0.3, 0.6, 2, 2, 0, 0},
        {0, 255, 0, 8, 8, 0},       {-128, 127, 0, 8, 8, 1},  {-129, 0, 0, 9, 9, 1},
        {-1, 1, 0, 2, 2, 1},        {0, 1024, -4, 7, 11, 0},  {-0.001, 0.001, 10, 3, -7, 1},
    };
    int bad = 0, n = (int)(sizeof c / sizeof c[0]);
    for (int k = 0; k < n; k++) {
        aedl_fixed t = aedl_fixed_for_range(c[k].lo, c[k].hi, c[k].f);
        if (!same_shape(t, c[k].w, c[k].i, c[k].s) && bad++ < 10)
            printf("  [%g, %g] step 2^-%d: %s\n", c[k].lo, c[k].hi, c[k].f, tname(t));
    }
    CHECK(bad == 0, "fixed/c/for-range-table", "%d of %d wrong", bad, n);
    CHECK(aedl_fixed_for_range(1, 0, 0).width == 0 && aedl_fixed_for_range(-1e40, 1, 0).width == 0 &&
              aedl_fixed_for_range(0, INFINITY, 0).width == 0 && aedl_fixed_for_range(0, NAN, 0).width == 0,
          "fixed/c/for-range-none", "impossible ranges must give width 0");

    /* random: the type holds both bounds, one bit less does not */
    int wrong = 0;
    for (int k = 0; k < 20000; k++) {
        int f = rng_int(-6, 20);
        long long a = (long long)(rng() % (1ull << rng_int(1, 40))) * (rng() & 1 ? -1 : 1);
        long long b = (long long)(rng() % (1ull << rng_int(1, 40))) * (rng() & 1 ? -1 : 1);
        if (a > b) { long long x = a; a = b; b = x; }
        aedl_fixed t = aedl_fixed_for_mant_range(a, b, f);
        bool ok = t.width >= 1 && t.width - t.integer == f && t.is_signed == (a < 0) &&
                  a >= aedl_fixed_mant_min(t) && b <= aedl_fixed_mant_max(t);
        if (ok && t.width > 1) {
            aedl_fixed n1 = t;
            n1.width--;
            n1.integer--;
            ok = a < aedl_fixed_mant_min(n1) || b > aedl_fixed_mant_max(n1);
        }
        ok = ok && same_shape(aedl_fixed_for_range(ldexp((double)a, -f), ldexp((double)b, -f), f),
                              t.width, t.integer, t.is_signed);
        if (!ok && wrong++ < 10) printf("  [%lld, %lld] * 2^-%d: %s\n", a, b, f, tname(t));
    }
    CHECK(wrong == 0, "fixed/c/for-range-minimal", "%d ranges got a wrong type", wrong);
}

static void test_misc(void) {
    aedl_fixed f42 = type(4, 2, true, AEDL_RND, AEDL_SAT);
    CHECK(aedl_fixed_exact(f42, 0.25) && !aedl_fixed_exact(f42, 0.3) && aedl_fixed_exact(f42, 1.75) &&
              !aedl_fixed_exact(f42, 2.0) && aedl_fixed_exact(f42, -2.0) && !aedl_fixed_exact(f42, -2.25) &&
              !aedl_fixed_exact(f42, NAN) && !aedl_fixed_exact(f42, INFINITY) && aedl_fixed_exact(f42, 0) &&
              !aedl_fixed_exact(f42, 1e-300),
          "fixed/c/exact", "representability of fixed<4,2>");
    CHECK(aedl_fixed_max(f42) == 1.75 && aedl_fixed_min(f42) == -2 && aedl_fixed_step(f42) == 0.25 &&
              aedl_fixed_max(type(8, 0, false, AEDL_TRN, AEDL_WRAP)) == 255.0 / 256,
          "fixed/c/min-max-step", "limits of fixed<4,2>");
    CHECK(aedl_fixed_from_double(f42, NAN) == 0, "fixed/c/nan", "NaN must convert to 0");

    char buf[64];
    aedl_fixed in = type(16, 7, true, AEDL_RND, AEDL_SAT), u = aedl_fixed_make(8, 0, false);
    aedl_fixed_format(buf, sizeof buf, in);
    bool ok = strcmp(buf, "fixed<16,7,rnd,sat>") == 0;
    aedl_fixed_format_hls(buf, sizeof buf, in);
    ok = ok && strcmp(buf, "ap_fixed<16,7,AP_RND,AP_SAT>") == 0;
    aedl_fixed_format(buf, sizeof buf, u);
    ok = ok && strcmp(buf, "ufixed<8,0>") == 0;
    aedl_fixed_format_hls(buf, sizeof buf, u);
    ok = ok && strcmp(buf, "ap_ufixed<8,0>") == 0;
    aedl_fixed_format_hls(buf, sizeof buf, type(6, 1, true, AEDL_TRN, AEDL_SAT_SYM));
    ok = ok && strcmp(buf, "ap_fixed<6,1,AP_TRN,AP_SAT_SYM>") == 0;
    CHECK(ok, "fixed/c/format", "last: %s", buf);

    /* to_double rounds to nearest even beyond 53 bits */
    aedl_fixed w = aedl_fixed_make(100, 100, true);
    aedl_mant big = ((aedl_mant)1 << 60) + 64;          /* ulp of 2^60 is 2^8: +64 rounds down */
    CHECK(aedl_fixed_to_double(w, big) == ldexp(1, 60) &&
              aedl_fixed_to_double(w, big + 128) == ldexp(1, 60) + 256 &&
              aedl_fixed_to_double(w, ((aedl_mant)1 << 60) + 128) == ldexp(1, 60),
          "fixed/c/to-double-rounding", "2^60 + small");

    /* comparisons across very different steps */
    CHECK(aedl_mant_cmp(1, 200, 0, 0) == 1 && aedl_mant_cmp(-1, 200, 0, 0) == -1 &&
              aedl_mant_cmp(-1, 200, -1, 199) == 1 && aedl_mant_cmp(2, 1, 1, 0) == 0 &&
              aedl_mant_cmp(3, 1, 1, 0) == 1 && aedl_mant_cmp(-3, 1, -1, 0) == -1 &&
              aedl_mant_cmp(5, -3, 40, 0) == 0,
          "fixed/c/cmp", "exact comparison");
}

int main(void) {
    test_table();
    test_reference();
    test_casts();
    test_arith_vs_double();
    test_result_types();
    test_range_types();
    test_misc();
    return check_exit();
}
