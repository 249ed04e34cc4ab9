/* table.h — hand-computed conversions at the rounding and overflow boundaries,
 * shared by the C test (lib/fixed.c) and the C++ test (lib/hls).
 * Each row: type <W, I, signed>, rounding, overflow, input, expected value.
 * The expected values were worked out by hand from the ap_fixed rules. */
#ifndef AEDL_TEST_FIXED_TABLE_H
#define AEDL_TEST_FIXED_TABLE_H

typedef struct {
    int w, i, s;
    aedl_rounding r;
    aedl_overflow o;
    double in, want;
} fixed_case;

/* Shorthands for the table. */
#define TRN AEDL_TRN
#define TRZ AEDL_TRN_ZERO
#define RND AEDL_RND
#define RNZ AEDL_RND_ZERO
#define RNI AEDL_RND_INF
#define RNM AEDL_RND_MIN_INF
#define CNV AEDL_RND_CONV
#define WRP AEDL_WRAP
#define SAT AEDL_SAT
#define SZR AEDL_SAT_ZERO
#define SYM AEDL_SAT_SYM

/* One input through the seven rounding modes
   (TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, RND_MIN_INF, RND_CONV). */
#define ROUND7(W, I, S, O, X, a, b, c, d, e, f, g)                              \
    {W, I, S, TRN, O, X, a}, {W, I, S, TRZ, O, X, b}, {W, I, S, RND, O, X, c},     \
    {W, I, S, RNZ, O, X, d}, {W, I, S, RNI, O, X, e}, {W, I, S, RNM, O, X, f},     \
    {W, I, S, CNV, O, X, g}
/* One input through the four overflow modes (WRAP, SAT, SAT_ZERO, SAT_SYM). */
#define OVF4(W, I, S, R, X, a, b, c, d)                                         \
    {W, I, S, R, WRP, X, a}, {W, I, S, R, SAT, X, b}, {W, I, S, R, SZR, X, c},     \
    {W, I, S, R, SYM, X, d}

static const fixed_case fixed_cases[] = {
    /* fixed<4,2>: step 0.25, range [-2, 1.75].  Rounding, saturating. */
    ROUND7(4, 2, 1, SAT, 0.125,   0, 0, 0.25, 0, 0.25, 0, 0),
    ROUND7(4, 2, 1, SAT, 0.375,   0.25, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5),
    ROUND7(4, 2, 1, SAT, 0.625,   0.5, 0.5, 0.75, 0.5, 0.75, 0.5, 0.5),
    ROUND7(4, 2, 1, SAT, 0.7,     0.5, 0.5, 0.75, 0.75, 0.75, 0.75, 0.75),
    ROUND7(4, 2, 1, SAT, -0.125,  -0.25, 0, 0, 0, -0.25, -0.25, 0),
    ROUND7(4, 2, 1, SAT, -0.375,  -0.5, -0.25, -0.25, -0.25, -0.5, -0.5, -0.5),
    ROUND7(4, 2, 1, SAT, -0.625,  -0.75, -0.5, -0.5, -0.5, -0.75, -0.75, -0.5),
    ROUND7(4, 2, 1, SAT, -0.7,    -0.75, -0.5, -0.75, -0.75, -0.75, -0.75, -0.75),
    ROUND7(4, 2, 1, SAT, 1.875,   1.75, 1.75, 1.75, 1.75, 1.75, 1.75, 1.75),
    ROUND7(4, 2, 1, SAT, -2.1,    -2, -2, -2, -2, -2, -2, -2),
    ROUND7(4, 2, 1, SAT, 1e300,   1.75, 1.75, 1.75, 1.75, 1.75, 1.75, 1.75),
    /* The same with wrapping: a rounding carry wraps to the minimum. */
    ROUND7(4, 2, 1, WRP, 1.875,   1.75, 1.75, -2, 1.75, -2, 1.75, -2),
    ROUND7(4, 2, 1, WRP, 1.9,     1.75, 1.75, -2, -2, -2, -2, -2),
    ROUND7(4, 2, 1, WRP, -2.1,    1.75, -2, -2, -2, -2, -2, -2),
    ROUND7(4, 2, 1, WRP, -2.125,  1.75, -2, -2, -2, 1.75, 1.75, -2),
    ROUND7(4, 2, 1, WRP, 2.0,     -2, -2, -2, -2, -2, -2, -2),
    ROUND7(4, 2, 1, WRP, -2.25,   1.75, 1.75, 1.75, 1.75, 1.75, 1.75, 1.75),
    ROUND7(4, 2, 1, WRP, 3.0,     -1, -1, -1, -1, -1, -1, -1),
    ROUND7(4, 2, 1, WRP, 1.625,   1.5, 1.5, 1.75, 1.5, 1.75, 1.5, 1.5),
    /* Overflow modes (truncation). */
    OVF4(4, 2, 1, TRN, 1.75,      1.75, 1.75, 1.75, 1.75),
    OVF4(4, 2, 1, TRN, 1.875,     1.75, 1.75, 1.75, 1.75),
    OVF4(4, 2, 1, TRN, 2.0,       -2, 1.75, 0, 1.75),
    OVF4(4, 2, 1, TRN, -2.0,      -2, -2, -2, -1.75),
    OVF4(4, 2, 1, TRN, -1.75,     -1.75, -1.75, -1.75, -1.75),
    OVF4(4, 2, 1, TRN, -2.1,      1.75, -2, 0, -1.75),
    OVF4(4, 2, 1, TRN, -2.25,     1.75, -2, 0, -1.75),
    OVF4(4, 2, 1, TRN, 3.0,       -1, 1.75, 0, 1.75),
    OVF4(4, 2, 1, TRN, 5.5,       1.5, 1.75, 0, 1.75),
    OVF4(4, 2, 1, TRN, -3.0,      1, -2, 0, -1.75),
    OVF4(4, 2, 1, TRN, 100.0,     0, 1.75, 0, 1.75),
    OVF4(4, 2, 1, TRN, -1e300,    0, -2, 0, -1.75),
    /* Rounding that creates the overflow, every overflow mode. */
    OVF4(4, 2, 1, RND, 1.875,     -2, 1.75, 0, 1.75),
    OVF4(4, 2, 1, RND, -2.05,     -2, -2, -2, -1.75),
    OVF4(4, 2, 1, RND, -1.9,      -2, -2, -2, -1.75),
    OVF4(4, 2, 1, RND, -2.125,    -2, -2, -2, -1.75),
    OVF4(4, 2, 1, RNI, -2.125,    1.75, -2, 0, -1.75),
    OVF4(4, 2, 1, CNV, 1.625,     1.5, 1.5, 1.5, 1.5),
    OVF4(4, 2, 1, CNV, 1.875,     -2, 1.75, 0, 1.75),

    /* ufixed<4,2>: step 0.25, range [0, 3.75]. */
    OVF4(4, 2, 0, TRN, -0.25,     3.75, 0, 0, 0),
    OVF4(4, 2, 0, TRN, 4.0,       0, 3.75, 0, 3.75),
    OVF4(4, 2, 0, TRN, 3.875,     3.75, 3.75, 3.75, 3.75),
    OVF4(4, 2, 0, RND, 3.875,     0, 3.75, 0, 3.75),
    OVF4(4, 2, 0, TRN, -0.125,    3.75, 0, 0, 0),
    OVF4(4, 2, 0, RND, -0.125,    0, 0, 0, 0),
    OVF4(4, 2, 0, TRN, 9.5,       1.5, 3.75, 0, 3.75),
    ROUND7(4, 2, 0, WRP, -0.125,  3.75, 0, 0, 0, 3.75, 3.75, 0),
    ROUND7(4, 2, 0, SAT, 1.375,   1.25, 1.25, 1.5, 1.25, 1.5, 1.25, 1.5),
    ROUND7(4, 2, 0, SAT, 1.125,   1.0, 1.0, 1.25, 1.0, 1.25, 1.0, 1.0),
    ROUND7(4, 2, 0, SAT, 3.9,     3.75, 3.75, 3.75, 3.75, 3.75, 3.75, 3.75),

    /* fixed<4,-2>: F = 6, step 1/64, range [-0.125, 0.109375]. */
    ROUND7(4, -2, 1, SAT, 0.1,    0.09375, 0.09375, 0.09375, 0.09375, 0.09375, 0.09375, 0.09375),
    ROUND7(4, -2, 1, SAT, 0.0078125, 0, 0, 0.015625, 0, 0.015625, 0, 0),
    ROUND7(4, -2, 1, SAT, -0.0234375, -0.03125, -0.015625, -0.015625, -0.015625, -0.03125, -0.03125, -0.03125),
    OVF4(4, -2, 1, RND, 0.12,     -0.125, 0.109375, 0, 0.109375),
    OVF4(4, -2, 1, TRN, -0.2,     0.046875, -0.125, 0, -0.109375),
    OVF4(4, -2, 1, TRN, 0.11,     0.109375, 0.109375, 0.109375, 0.109375),

    /* fixed<4,6>: F = -2, step 4, range [-32, 28]. */
    ROUND7(4, 6, 1, SAT, 10,      8, 8, 12, 8, 12, 8, 8),
    ROUND7(4, 6, 1, SAT, -10,     -12, -8, -8, -8, -12, -12, -8),
    ROUND7(4, 6, 1, SAT, 14,      12, 12, 16, 12, 16, 12, 16),
    ROUND7(4, 6, 1, SAT, 13.99,   12, 12, 12, 12, 12, 12, 12),
    OVF4(4, 6, 1, RND, 30,        -32, 28, 0, 28),
    OVF4(4, 6, 1, TRN, 100,       -28, 28, 0, 28),
    OVF4(4, 6, 1, TRN, -33,       28, -32, 0, -28),
    OVF4(4, 6, 1, TRN, -32,       -32, -32, -32, -28),

    /* ufixed<8,0>: step 1/256, range [0, 255/256]. */
    OVF4(8, 0, 0, RND, 0.999,     0, 0.99609375, 0, 0.99609375),
    OVF4(8, 0, 0, TRN, 0.999,     0.99609375, 0.99609375, 0.99609375, 0.99609375),
    ROUND7(8, 0, 0, SAT, 0.005859375, 0.00390625, 0.00390625, 0.0078125, 0.00390625, 0.0078125, 0.00390625, 0.0078125),

    /* fixed<1,1>: values {-1, 0}; SAT_SYM of an underflow gives -1 (min|1). */
    OVF4(1, 1, 1, RND, 0.5,       -1, 0, 0, 0),
    OVF4(1, 1, 1, TRN, -3,        -1, -1, 0, -1),
    OVF4(1, 1, 1, TRN, -1,        -1, -1, -1, -1),

    /* fixed<16,7> (the input type of the seed model): step 2^-9, range [-64, 64 - 2^-9]. */
    ROUND7(16, 7, 1, SAT, 0.0009765625, 0, 0, 0.001953125, 0, 0.001953125, 0, 0),
    ROUND7(16, 7, 1, SAT, 64.5,   63.998046875, 63.998046875, 63.998046875, 63.998046875,
           63.998046875, 63.998046875, 63.998046875),
    OVF4(16, 7, 1, RND, -64.0009765625, -64, -64, -64, -63.998046875),
    OVF4(16, 7, 1, TRN, 64.0,     -64, 63.998046875, 0, 63.998046875),

    /* Tiny and huge doubles far from the type's bits. */
    ROUND7(8, 3, 1, SAT, 1e-300,  0, 0, 0, 0, 0, 0, 0),
    ROUND7(8, 3, 1, SAT, -1e-300, -0.03125, 0, 0, 0, 0, 0, 0),
    OVF4(8, 3, 1, TRN, 1e300,     0, 3.96875, 0, 3.96875),
    OVF4(8, 3, 1, TRN, -0x1p600,  0, -4, 0, -3.96875),
    OVF4(8, 3, 1, TRN, 0x1.8p2,   -2, 3.96875, 0, 3.96875),
};

#undef TRN
#undef TRZ
#undef RND
#undef RNZ
#undef RNI
#undef RNM
#undef CNV
#undef WRP
#undef SAT
#undef SZR
#undef SYM
#undef ROUND7
#undef OVF4

#endif
