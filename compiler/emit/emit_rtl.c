/* emit_rtl.c — `aedlc FILE --emit rtl`: Verilog of the latency design.
 *
 * A pure function of the firmware plan (lib/emu.h), keyed on the plan's
 * operations as the emulator is, with the IR read only for the layers' source
 * lines.  Every value is a bit vector holding the mantissa of its plan type;
 * every operation is the emulator's, on exact integers:
 *
 *   dense, batchnorm, add   the exact sum of the terms at the finest exponent,
 *                           as a tree of two-input adders, then the casts into
 *                           the accumulator, the quantizer and the result type;
 *   a constant product      shift-adds of the weight's canonical signed digits
 *                           (zero weights emit nothing), or `x * C` (multipliers = dsp);
 *   dense whose accumulator saturates or is coarser than the products
 *                           HLS's chain: a cast after every addition;
 *   relu, linear, clip, leaky_relu, concat   as lib/emu.c, then the casts;
 *   sigmoid, tanh           the plan's table as a case ROM;
 *   bound                   per feature x, relu(x) or k * tanh's table (a
 *                           constant product);
 *   score, masked_score     (the target's output = score) the differences of
 *                           the reconstruction and the model's input (delayed
 *                           to it), their squares as multipliers (`*`, split
 *                           into products that fit a DSP block), an adder tree;
 *                           masked over the features whose input is not the
 *                           padding z_j (the plan's constants, 0 without them);
 *   count                   the features that are not the padding, summed;
 *   a cast                  round by the target's mode (fixed.h's AEDL_ROUND_UP
 *                           on the dropped bits), then overflow by its mode.
 *
 * The emitter tracks the exact range of every vector, so that each adder is as
 * wide as its values need and a cast saturates only where a value can overflow.
 *
 * Pipelining: each operation has an estimated delay (the model below); walking
 * the layers in order, a register rank goes in front of an operation that
 * would make the path since the last rank longer than the clock period minus
 * the register overhead.  One event per clock (II = 1).
 *
 * Files (DIR/rtl/): MODEL.v (the top), MODEL_LAYER.v (one module per layer),
 * MODEL_tb.v, Makefile (sim, lint, synth), synth.ys, stat2json.awk,
 * vivado_synth.tcl, design.json, README.md, tb_data/.  Every check runs before
 * anything is written; each file is written atomically.
 */
#define _XOPEN_SOURCE 700     /* open_memstream */
#include "emit_rtl.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "nn.h"
#include "prec_common.h"
#include "rng.h"
#include "src.h"
#include "util.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

/* ---- the delay model (docs/rtl.md) ------------------------------------------------- */
#define T_LUT   0.45     /* ns: one LUT level with its net */
#define T_CARRY 0.025    /* ns per bit of a carry chain */
#define T_CARRY4 0.10    /* ns: entering a carry chain (one CARRY4) */
#define T_REG   0.40     /* ns: clock-to-out and setup of a register rank */
#define T_DSP   1.90     /* ns: a DSP48E2 product, unregistered */
#define MAX_BITS 120     /* widest vector the emitter builds */

/* ---- vectors ------------------------------------------------------------------------- */

/* A bit vector: w bits, two's complement when sgn, its value's exact range
   [lo, hi] (a mantissa at the exponent of the step being built), or a constant. */
typedef struct {
    char nm[24];
    int w;
    bool sgn, is_const;
    i128 lo, hi;
    int sh, bw;             /* the value is wire nm (bw bits) shifted left by sh; sh = 0: bw = w */
} Val;

/* The cells on a path: LUT levels, carry chains and their bits (the chains'
   sum, and the widest).  Its delay counts each chain's entry and the widest
   chain's bits once: a path through a tree of adders enters each adder's
   chain near the bit it left the previous one (docs/rtl.md, calibrated
   against yosys' logic depth). */
typedef struct { int lut, chains, bits, widest; } Dl;

static double dl_ns(Dl d) { return d.lut * T_LUT + d.chains * T_CARRY4 + d.widest * T_CARRY; }
static Dl dl(int lut, int chains, int bits) { Dl d = {lut, chains, bits, bits}; return d; }
static Dl dl_add(Dl a, Dl b) {
    Dl d = {a.lut + b.lut, a.chains + b.chains, a.bits + b.bits, a.widest > b.widest ? a.widest : b.widest};
    return d;
}

typedef struct {
    FILE *o;
    char *buf; size_t len;
    int id;
    int cycle;              /* register ranks since the model input */
    double arr;             /* delay since the last rank (ns) */
    Dl spath;               /* its cells */
    double worst;           /* longest stage of this module (ns) */
    long reg_bits;
    int levels;             /* LUT levels on the longest path of the model (estimate) */
    double loc;             /* the path since the last rank or the module's inputs (ns) */
    Dl path;                /* its cells */
    double loc_worst;       /* the longest such path inside this module (ns) */
    Dl path_worst;          /* its cells: compared with yosys' logic depth (ltp) */
    bool clk;
    int pe;                 /* dense: the products' exponent */
} Mod;

typedef struct {
    const aedl_fw_plan *p;
    IrModel *m;
    const IrTarget *t;
    const char *name;
    bool dsp;
    double budget;
    int errors;
} Rtl;

static int bits_signed(i128 lo, i128 hi) {
    int w = 1;
    while (w < 127 && (lo < -((i128)1 << (w - 1)) || hi > ((i128)1 << (w - 1)) - 1)) w++;
    return w;
}

static i128 floor_shift(i128 v, int s) { return v >> s; }   /* arithmetic: floor(v / 2^s) */

/* "12'h0a3": v's two's complement in w bits. */
static const char *lit(char *buf, int n, i128 v, int w) {
    u128 u = (u128)v;
    if (w < 128) u &= (((u128)1) << w) - 1;
    char hex[40]; int k = 0;
    do { hex[k++] = "0123456789abcdef"[(int)(u & 15)]; u >>= 4; } while (u);
    int p = snprintf(buf, (size_t)n, "%d'h", w);
    while (k > 0 && p < n - 1) buf[p++] = hex[--k];
    buf[p] = 0;
    return buf;
}

/* v as a w-bit expression: sign- or zero-extended, or its low bits (only where
   the value fits, or where the arithmetic is modular). */
static const char *ext(char *buf, int n, const Val *v, int w) {
    if (v->is_const) return lit(buf, n, v->lo, w);
    if (v->sh > 0) {                         /* {base, sh zeros} */
        if (w <= v->sh) return lit(buf, n, 0, w);
        Val b = *v;
        b.sh = 0; b.w = v->bw;
        char e[200];
        ext(e, sizeof e, &b, w - v->sh);
        snprintf(buf, (size_t)n, "{%s, %d'b0}", e, v->sh);
        return buf;
    }
    if (w == v->w) snprintf(buf, (size_t)n, "%s", v->nm);
    else if (w < v->w) { if (w == 1) snprintf(buf, (size_t)n, "%s[0]", v->nm); else snprintf(buf, (size_t)n, "%s[%d:0]", v->nm, w - 1); }
    else if (v->sgn) snprintf(buf, (size_t)n, "{{%d{%s[%d]}}, %s}", w - v->w, v->nm, v->w - 1, v->nm);
    else snprintf(buf, (size_t)n, "{%d'b0, %s}", w - v->w, v->nm);
    return buf;
}

static Val konst(i128 c) {
    Val v = {{0}, bits_signed(c, c), true, true, c, c, 0, 0};
    v.bw = v.w;
    return v;
}

/* A new wire of w bits holding expr; range [lo, hi]. */
static Val wire(Mod *M, int w, bool sgn, i128 lo, i128 hi, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static Val wire(Mod *M, int w, bool sgn, i128 lo, i128 hi, const char *fmt, ...) {
    Val v = {{0}, w, sgn, false, lo, hi, 0, w};
    if (lo == hi) { v = konst(lo); return v; }
    snprintf(v.nm, sizeof v.nm, "t%d", M->id++);
    fprintf(M->o, "  wire %s[%d:0] %s = ", sgn ? "signed " : "", w - 1, v.nm);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(M->o, fmt, ap);
    va_end(ap);
    fprintf(M->o, ";\n");
    return v;
}

static void reg(Mod *M, Val *v) {
    if (v->is_const) return;
    char nm[24];
    snprintf(nm, sizeof nm, "r%d", M->id++);
    fprintf(M->o, "  reg %s[%d:0] %s; always @(posedge clk) %s <= %s;\n", v->sgn ? "signed " : "", v->bw - 1, nm, nm, v->nm);
    memcpy(v->nm, nm, sizeof nm);
    M->reg_bits += v->bw;
    M->clk = true;
}

/* Before an operation of cells c on the values vs[0..n): a register rank
   when the path would exceed the budget. */
static void stage_dl(Rtl *R, Mod *M, Dl c, Val *vs, int n, const char *what) {
    Dl np = dl_add(M->spath, c);
    if (M->arr > 0 && dl_ns(np) > R->budget) {
        fprintf(M->o, "  // pipeline register: cycle %d -> %d (%.2f ns so far; %s would make it %.2f)\n", M->cycle, M->cycle + 1, M->arr, what, dl_ns(np));
        for (int i = 0; i < n; i++) reg(M, &vs[i]);
        M->cycle++;
        np = c;
        M->loc = 0;
        M->path = dl(0, 0, 0);
    }
    M->spath = np;
    M->arr = dl_ns(np);
    if (M->arr > M->worst) M->worst = M->arr;
    M->path = dl_add(M->path, c);
    M->loc = dl_ns(M->path);
    if (M->loc > M->loc_worst) { M->loc_worst = M->loc; M->path_worst = M->path; }
}

/* ---- casts (fixed.h's rules) ------------------------------------------------------------ */

static Dl cast_delay(const Val *v, int from_exp, aedl_fixed t) {
    int s = aedl_fw_exp(t) - from_exp;
    Dl d = dl(0, 0, 0);
    int w = v->w + (s < 0 ? -s : 0) + 1;
    if (s > 0 && t.rnd != AEDL_TRN && v->lo != v->hi) d = dl_add(d, dl(1, 1, w));
    i128 lo = s > 0 ? floor_shift(v->lo, s) : v->lo, hi = s > 0 ? floor_shift(v->hi, s) + 1 : v->hi;
    if (s < 0) { lo *= (i128)1 << -s; hi *= (i128)1 << -s; }
    if ((lo < (i128)aedl_fixed_result_min(t) || hi > (i128)aedl_fixed_mant_max(t)) && t.ovf != AEDL_WRAP)
        d = dl_add(d, dl(2, 1, w));
    return d;
}

/* (t)v, v at exponent from_exp: round the dropped bits by t's mode, then
   overflow by t's mode.  Returns t's mantissa (its range tracked). */
static Val cast(Mod *M, const Val *v, int from_exp, aedl_fixed t) {
    char a[256], b[256];
    int s = aedl_fw_exp(t) - from_exp;
    Val r = *v;
    if (v->is_const) {
        r = konst((i128)aedl_fixed_quantize(t, v->lo, -from_exp));
        return r;
    }
    if (s > 0) {
        int wv = bits_signed(v->lo, v->hi);
        int wc = wv > s + 1 ? wv : s + 1;
        Val c = wire(M, wc, true, v->lo, v->hi, "%s", ext(a, sizeof a, v, wc));
        i128 qlo = floor_shift(v->lo, s), qhi = floor_shift(v->hi, s);
        Val q = wire(M, wc - s, true, qlo, qhi, "%s[%d:%d]", c.nm, wc - 1, s);
        if (t.rnd == AEDL_TRN || q.is_const) {
            if (q.is_const && t.rnd != AEDL_TRN) {   /* the value is constant: the rounding too */
                q = konst((i128)aedl_fixed_quantize(t, v->lo, -from_exp));
                return q;
            }
            r = q;
        } else {
            char top[48], low[64], neg[48], odd[48], up[200];
            snprintf(top, sizeof top, "%s[%d]", c.nm, s - 1);
            if (s >= 2) snprintf(low, sizeof low, (s == 2 ? "%s[0]" : "(|%s[%d:0])"), c.nm, s - 2);
            else snprintf(low, sizeof low, "1'b0");
            snprintf(neg, sizeof neg, "%s[%d]", c.nm, wc - 1);
            snprintf(odd, sizeof odd, "%s[%d]", c.nm, s);
            switch (t.rnd) {
            case AEDL_TRN_ZERO:    snprintf(up, sizeof up, "%s & (|%s[%d:0])", neg, c.nm, s - 1); break;
            case AEDL_RND:         snprintf(up, sizeof up, "%s", top); break;
            case AEDL_RND_ZERO:    snprintf(up, sizeof up, "%s & (%s | %s)", top, low, neg); break;
            case AEDL_RND_INF:     snprintf(up, sizeof up, "%s & (%s | ~%s)", top, low, neg); break;
            case AEDL_RND_MIN_INF: snprintf(up, sizeof up, "%s & %s", top, low); break;
            case AEDL_RND_CONV:    snprintf(up, sizeof up, "%s & (%s | %s)", top, low, odd); break;
            case AEDL_TRN:         snprintf(up, sizeof up, "1'b0"); break;
            }
            char un[24];
            snprintf(un, sizeof un, "t%d", M->id++);
            fprintf(M->o, "  wire %s = %s;   // round up (%s)\n", un, up, aedl_rounding_name(t.rnd));
            int wr = bits_signed(qlo, qhi + 1);
            r = wire(M, wr, true, qlo, qhi + 1, "%s + {%d'b0, %s}", ext(a, sizeof a, &q, wr), wr - 1, un);
        }
    } else if (s < 0) {
        int k = -s;
        i128 lo = v->lo * ((i128)1 << k), hi = v->hi * ((i128)1 << k);
        int w = bits_signed(lo, hi);
        r = wire(M, w, true, lo, hi, "{%s, %d'b0}", ext(a, sizeof a, v, w - k), k);
    }
    i128 tmax = (i128)aedl_fixed_mant_max(t), tmin = (i128)aedl_fixed_result_min(t);
    int W = t.width;
    if (r.lo >= tmin && r.hi <= tmax) {
        if (r.w == W && r.sgn == t.is_signed) return r;
        return wire(M, W, t.is_signed, r.lo, r.hi, "%s", ext(a, sizeof a, &r, W));
    }
    if (t.ovf == AEDL_WRAP) {
        i128 lo = (i128)aedl_fixed_mant_min(t);
        return wire(M, W, t.is_signed, lo, tmax, "%s", ext(a, sizeof a, &r, W));
    }
    int wt = bits_signed(tmin, tmax);
    int wk = r.w > wt ? r.w : wt;
    if (!r.sgn) wk++;
    Val k = wire(M, wk, true, r.lo, r.hi, "%s", ext(a, sizeof a, &r, wk));
    bool sat0 = t.ovf == AEDL_SAT_ZERO;
    char hi_e[128] = "", lo_e[128] = "", c1[64], c2[64];
    if (r.hi > tmax)
        snprintf(hi_e, sizeof hi_e, "(%s > $signed(%s)) ? %s : ", k.nm, lit(c1, sizeof c1, tmax, wk), lit(c2, sizeof c2, sat0 ? 0 : tmax, W));
    if (r.lo < tmin)
        snprintf(lo_e, sizeof lo_e, "(%s < $signed(%s)) ? %s : ", k.nm, lit(c1, sizeof c1, tmin, wk), lit(c2, sizeof c2, sat0 ? 0 : tmin, W));
    i128 lo = r.lo < tmin ? (sat0 ? (tmin < 0 ? tmin : 0) : tmin) : r.lo;
    i128 hi = r.hi > tmax ? tmax : r.hi;
    if (sat0) { if (lo > 0) lo = 0; if (hi < 0) hi = 0; }
    snprintf(b, sizeof b, "%s[%d:0]", k.nm, W - 1);
    if (W == 1) snprintf(b, sizeof b, "%s[0]", k.nm);
    return wire(M, W, t.is_signed, lo, hi, "%s%s%s", hi_e, lo_e, b);
}

/* ---- sums of shifted terms: trees of two-input adders ------------------------------------ */

typedef struct { Val v; int neg; } Term;     /* value (neg ? -v : v) */
typedef struct { Term *t; int n, cap; } Sum;

static void sum_push(Sum *s, Val v, int neg) {
    if (s->n == s->cap) { s->cap = s->cap ? 2 * s->cap : 8; s->t = xrealloc(s->t, sizeof *s->t * (size_t)s->cap); }
    s->t[s->n].v = v; s->t[s->n].neg = neg; s->n++;
}

/* x * 2^k as a new vector (k >= 0). */
static Val shifted(Mod *M, const Val *x, int k) {
    (void)M;
    if (x->is_const) return konst(x->lo * ((i128)1 << k));
    if (k == 0) return *x;
    Val r = *x;                              /* no wire: the shift is in the expressions reading it */
    r.lo = x->lo * ((i128)1 << k); r.hi = x->hi * ((i128)1 << k);
    r.sh = x->sh + k;
    r.w = bits_signed(r.lo, r.hi);
    if (r.w < r.bw + r.sh) r.w = r.bw + r.sh;
    return r;
}

/* The terms of c * x * 2^k: canonical signed digits of c (shift-adds), or one
   product (dsp). */
static void const_product(Rtl *R, Mod *M, Sum *s, const Val *x, int64_t c, int k) {
    char a[256], b[64];
    if (c == 0) return;
    if (R->dsp && (c & (c - 1)) != 0 && ((-c) & (-c - 1)) != 0) {   /* not +-2^k: a product */
        i128 p1 = (i128)c * x->lo, p2 = (i128)c * x->hi;
        i128 lo = p1 < p2 ? p1 : p2, hi = p1 < p2 ? p2 : p1;
        int w = bits_signed(lo, hi);
        Val p = wire(M, w, true, lo, hi, "$signed(%s) * $signed(%s)", ext(a, sizeof a, x, w), lit(b, sizeof b, c, w));
        sum_push(s, shifted(M, &p, k), 0);
        return;
    }
    i128 v = c;
    int pos = 0;
    while (v != 0) {
        if (v & 1) {
            int m4 = (int)(v & 3);                  /* v mod 4 (two's complement) */
            int d = m4 == 1 ? 1 : -1;
            sum_push(s, shifted(M, x, k + pos), d < 0);
            v -= d;
        }
        v >>= 1;
        pos++;
    }
}

static int level_width(const Term *a, const Term *b) {
    i128 lo, hi;
    if (a->neg == b->neg) { lo = a->v.lo + b->v.lo; hi = a->v.hi + b->v.hi; }
    else if (!a->neg) { lo = a->v.lo - b->v.hi; hi = a->v.hi - b->v.lo; }
    else { lo = b->v.lo - a->v.hi; hi = b->v.hi - a->v.lo; }
    return bits_signed(lo, hi);
}

/* a + b (with their signs) in one adder; widths capped at cap bits (modular sums). */
static Term add2(Mod *M, const Term *a, const Term *b, int cap) {
    char x[256], y[256];
    const Term *p = a, *q = b;
    Term r;
    if (a->neg && !b->neg) { p = b; q = a; }
    r.neg = p->neg && q->neg;
    bool sub = p->neg != q->neg;
    i128 lo = sub ? p->v.lo - q->v.hi : p->v.lo + q->v.lo;
    i128 hi = sub ? p->v.hi - q->v.lo : p->v.hi + q->v.hi;
    int w = bits_signed(lo, hi);
    if (cap > 0 && w > cap) { w = cap; lo = -((i128)1 << (cap - 1)); hi = ((i128)1 << (cap - 1)) - 1; }
    if (p->v.is_const && q->v.is_const) { r.v = konst(sub ? p->v.lo - q->v.lo : p->v.lo + q->v.lo); return r; }
    r.v = wire(M, w, true, lo, hi, "%s %c %s", ext(x, sizeof x, &p->v, w), sub ? '-' : '+', ext(y, sizeof y, &q->v, w));
    return r;
}

/* The sums s[0..n) (one per output element) reduced in lock step, level by
   level, each level one adder deep; registers between levels as the clock
   needs.  Returns each sum's value (negated where needed). */
static void reduce(Rtl *R, Mod *M, Sum *s, int n, int cap, Val *out, Val *extra, int nextra, const char *what) {
    for (;;) {
        int maxw = 0, more = 0, live = 0;
        for (int j = 0; j < n; j++) {
            live += s[j].n;
            if (s[j].n > 1) more = 1;
            for (int i = 0; i + 1 < s[j].n; i += 2) {
                int w = level_width(&s[j].t[i], &s[j].t[i + 1]);
                if (w > maxw) maxw = w;
            }
        }
        if (!more) break;
        Val *vs = xmalloc(sizeof *vs * (size_t)(live + nextra + 1));
        int k = 0;
        for (int j = 0; j < n; j++) for (int i = 0; i < s[j].n; i++) vs[k++] = s[j].t[i].v;
        for (int i = 0; i < nextra; i++) vs[k++] = extra[i];
        stage_dl(R, M, dl(1, 1, cap > 0 && maxw > cap ? cap : maxw), vs, k, what);
        k = 0;
        for (int j = 0; j < n; j++) for (int i = 0; i < s[j].n; i++) s[j].t[i].v = vs[k++];
        for (int i = 0; i < nextra; i++) extra[i] = vs[k++];
        free(vs);
        M->levels++;
        for (int j = 0; j < n; j++) {
            int m = 0;
            for (int i = 0; i < s[j].n; i += 2) {
                if (i + 1 < s[j].n) s[j].t[m++] = add2(M, &s[j].t[i], &s[j].t[i + 1], cap);
                else s[j].t[m++] = s[j].t[i];
            }
            s[j].n = m;
        }
    }
    bool negs = false;
    for (int j = 0; j < n; j++) negs |= s[j].n == 1 && s[j].t[0].neg;
    if (negs) {
        Val *vs = xmalloc(sizeof *vs * (size_t)(n + nextra));
        int k = 0;
        for (int j = 0; j < n; j++) if (s[j].n == 1) vs[k++] = s[j].t[0].v;
        for (int i = 0; i < nextra; i++) vs[k++] = extra[i];
        stage_dl(R, M, dl(1, 1, 32), vs, k, "a negation");
        k = 0;
        for (int j = 0; j < n; j++) if (s[j].n == 1) s[j].t[0].v = vs[k++];
        for (int i = 0; i < nextra; i++) extra[i] = vs[k++];
        free(vs);
    }
    for (int j = 0; j < n; j++) {
        if (s[j].n == 0) { out[j] = konst(0); continue; }
        Term *t = &s[j].t[0];
        if (!t->neg) { out[j] = t->v; continue; }
        char x[256];
        if (t->v.is_const) { out[j] = konst(-t->v.lo); continue; }
        i128 lo = -t->v.hi, hi = -t->v.lo;
        int w = bits_signed(lo, hi);
        if (cap > 0 && w > cap) { w = cap; lo = -((i128)1 << (cap - 1)); hi = ((i128)1 << (cap - 1)) - 1; }
        out[j] = wire(M, w, true, lo, hi, "%d'd0 - %s", w, ext(x, sizeof x, &t->v, w));
    }
}

/* ---- layers ---------------------------------------------------------------------------- */

/* A layer's output as the next layers see it. */
typedef struct {
    int n;
    aedl_fixed t;
    i128 *lo, *hi;          /* each element's range (mantissas of t) */
    int cycle;
    double arr;
    Dl path;                /* the cells since the last register rank */
} Out;

typedef struct {
    char *text;             /* the module's file */
    int cycle_in, cycle_out;
    double worst;
    int levels;
    Dl path;                /* the longest path inside the module (the model's cells) */
    long reg_bits;
    bool clk;
    int line;
} LayerInfo;

static const char *const op_names[] = {
    [FW_DENSE] = "dense", [FW_BATCHNORM] = "batchnorm", [FW_RELU] = "relu", [FW_LEAKY_RELU] = "leaky_relu",
    [FW_LINEAR] = "linear", [FW_ADD] = "add", [FW_CONCAT] = "concat", [FW_SIGMOID] = "sigmoid",
    [FW_TANH] = "tanh", [FW_SOFTMAX] = "softmax", [FW_CLIP] = "clip", [FW_ABS] = "abs", [FW_BOUND] = "bound",
    [FW_SCORE] = "score", [FW_MASKED_SCORE] = "masked_score", [FW_COUNT] = "count",
    [FW_HW_INPUT] = "hw_input", [FW_MU2] = "mu2",
};

static const IrNode *node_of(const Rtl *R, const char *name) {
    for (int i = 0; i < R->m->nnodes; i++)
        if (R->m->nodes[i]->name && !strcmp(R->m->nodes[i]->name, name)) return R->m->nodes[i];
    return NULL;
}

static int line_of(const IrNode *n) {
    if (!n) return 0;
    int line = n->line, col;
    if (line <= 0 && n->loc.file >= 0) src_linecol(n->loc.file, n->loc.start, &line, &col);
    return line;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The .aedl file and line of plan layer a: its node's, or for the score layers
   the target's `output = score`. */
static int src_of(const Rtl *R, const aedl_fw_layer *a, const char **file) {
    *file = "?";
    if (a->op == FW_SCORE || a->op == FW_MASKED_SCORE || a->op == FW_COUNT) {
        Loc l = R->t->output_loc;
        if (l.file < 0 || l.file >= src_count()) return 0;
        int line, col;
        src_linecol(l.file, l.start, &line, &col);
        *file = base_name(src_file(l.file)->path);
        return line;
    }
    const IrNode *n = node_of(R, a->name);
    if (n && n->file) *file = base_name(n->file);
    return line_of(n);
}

static const char *tstr(aedl_fixed t, char *buf, int n) {
    aedl_fixed_format(buf, (size_t)n, t);
    return buf;
}

/* Every element cast from exponent from_exp into t, after a register rank if the clock needs one. */
static void cast_all(Rtl *R, Mod *M, Val *v, int n, int from_exp, aedl_fixed t, const char *what) {
    Dl d = dl(0, 0, 0);
    for (int j = 0; j < n; j++) { Dl dj = cast_delay(&v[j], from_exp, t); if (dl_ns(dj) > dl_ns(d)) d = dj; }
    char tb[64];
    fprintf(M->o, "  // %s: into %s\n", what, tstr(t, tb, sizeof tb));
    if (dl_ns(d) > 0) { stage_dl(R, M, d, v, n, what); M->levels += 2; }
    for (int j = 0; j < n; j++) v[j] = cast(M, &v[j], from_exp, t);
}

/* ---- tables: sigmoid, tanh and bound's k * tanh --------------------------------------------------- */

/* The longest lookup: the index (a shift and an adder of the input's width plus
   two bits), its clamp, and a 1024-entry ROM (3 LUT levels). */

static int wmax_of(const Val *x, int n) {
    int w = 1;
    for (int j = 0; j < n; j++) if (x[j].w > w) w = x[j].w;
    return w;
}

/* The module's function table_of(i): the AEDL_ACT_TABLE entries of table (mantissas of t), a case ROM. */
static void table_function(Mod *M, const int64_t *table, aedl_fixed t, const char *what, int sh) {
    char a1[64], tb[64];
    fprintf(M->o, "  function [%d:0] table_of(input [9:0] i);   // %s((i - %d) / 2^%d) as %s\n    case (i)\n",
            t.width - 1, what, AEDL_ACT_TABLE / 2, sh, tstr(t, tb, sizeof tb));
    for (int i = 0; i < AEDL_ACT_TABLE; i++) fprintf(M->o, "      10'd%d: table_of = %s;\n", i, lit(a1, sizeof a1, table[i], t.width));
    fprintf(M->o, "    endcase\n  endfunction\n");
}

/* table[floor(x 2^(ex + sh)) + 512, clamped] for x at exponent ex (lib/emu.c's table
   index), through the module's table_of; its range that of the entries it can read. */
static Val table_lookup(Mod *M, const int64_t *table, aedl_fixed t, const Val *x, int ex, int sh) {
    char a1[256], c1[40];
    int k = ex + sh, half = AEDL_ACT_TABLE / 2;
    Val q = *x;
    if (k > 0) q = shifted(M, &q, k);
    else if (k < 0 && !q.is_const) {
        int wv = bits_signed(q.lo, q.hi), wc = wv > -k + 1 ? wv : -k + 1;
        Val c = wire(M, wc, true, q.lo, q.hi, "%s", ext(a1, sizeof a1, &q, wc));
        q = wire(M, wc + k, true, floor_shift(q.lo, -k), floor_shift(q.hi, -k), "%s[%d:%d]", c.nm, wc - 1, -k);
    } else if (k < 0) q = konst(floor_shift(q.lo, -k));
    Term t1 = {q, 0}, t2 = {konst(half), 0};
    Val idx = add2(M, &t1, &t2, 0).v;
    i128 ilo = idx.lo < 0 ? 0 : idx.lo > AEDL_ACT_TABLE - 1 ? AEDL_ACT_TABLE - 1 : idx.lo;
    i128 ihi = idx.hi < 0 ? 0 : idx.hi > AEDL_ACT_TABLE - 1 ? AEDL_ACT_TABLE - 1 : idx.hi;
    if (idx.is_const || ilo == ihi) return konst(table[(int)ilo]);
    i128 tlo = table[(int)ilo], thi = tlo;
    for (int i = (int)ilo; i <= (int)ihi; i++) { if (table[i] < tlo) tlo = table[i]; if (table[i] > thi) thi = table[i]; }
    int wi = idx.w > 12 ? idx.w : 12;
    Val ik = wire(M, wi, true, idx.lo, idx.hi, "%s", ext(a1, sizeof a1, &idx, wi));
    char lo_e[96] = "", hi_e[96] = "";
    if (idx.lo < 0) snprintf(lo_e, sizeof lo_e, "%s[%d] ? 10'd0 : ", ik.nm, wi - 1);
    if (idx.hi > AEDL_ACT_TABLE - 1) snprintf(hi_e, sizeof hi_e, "(%s > $signed(%s)) ? 10'd%d : ", ik.nm, lit(c1, sizeof c1, AEDL_ACT_TABLE - 1, wi), AEDL_ACT_TABLE - 1);
    Val ix = wire(M, 10, false, ilo, ihi, "%s%s%s[9:0]", lo_e, hi_e, ik.nm);
    return wire(M, t.width, t.is_signed, tlo, thi, "table_of(%s)", ix.nm);
}

/* ---- squares and their sums: the anomaly score ----------------------------------------------------- */

/* A variable product a * b (a multiplier: `*`, which synthesis maps to a DSP
   block or to LUTs), its operands explicitly extended to the product's width. */
static Val product(Mod *M, const Val *a, const Val *b) {
    char x[256], y[256];
    if (a->is_const && b->is_const) return konst(a->lo * b->lo);
    i128 c[4] = {a->lo * b->lo, a->lo * b->hi, a->hi * b->lo, a->hi * b->hi}, lo = c[0], hi = c[0];
    for (int i = 1; i < 4; i++) { if (c[i] < lo) lo = c[i]; if (c[i] > hi) hi = c[i]; }
    if (a == b && lo < 0) lo = 0;      /* a square */
    int w = bits_signed(lo, hi);
    return wire(M, w, true, lo, hi, "$signed(%s) * $signed(%s)", ext(x, sizeof x, a, w), ext(y, sizeof y, b, w));
}

/* The terms of x^2 in products that fit a DSP48E2's 27 x 18-bit multiplier
   (signed): x * x up to 18 bits; with x = h 2^17 + l (l the low 17 bits,
   unsigned), x h 2^17 + x l up to 27 bits and h^2 2^34 + h l 2^18 + l^2 up to 35;
   the adder tree sums them.  Wider: one product (yosys splits it). */
#define SQ_SPLIT 17
static void square_terms(Mod *M, Sum *s, const Val *x) {
    char a[256];
    int w = bits_signed(x->lo, x->hi);
    if (x->is_const || w <= SQ_SPLIT + 1 || w > 2 * SQ_SPLIT + 1) { sum_push(s, product(M, x, x), 0); return; }
    Val xw = wire(M, w, true, x->lo, x->hi, "%s", ext(a, sizeof a, x, w));
    Val h = wire(M, w - SQ_SPLIT, true, floor_shift(x->lo, SQ_SPLIT), floor_shift(x->hi, SQ_SPLIT), "%s[%d:%d]", xw.nm, w - 1, SQ_SPLIT);
    Val l = wire(M, SQ_SPLIT + 1, true, 0, ((i128)1 << SQ_SPLIT) - 1, "{1'b0, %s[%d:0]}", xw.nm, SQ_SPLIT - 1);
    if (w <= 27) {
        Val xh = product(M, &xw, &h), xl = product(M, &xw, &l);
        sum_push(s, shifted(M, &xh, SQ_SPLIT), 0);
        sum_push(s, xl, 0);
        return;
    }
    Val hh = product(M, &h, &h), hl = product(M, &h, &l), ll = product(M, &l, &l);
    sum_push(s, shifted(M, &hh, 2 * SQ_SPLIT), 0);
    sum_push(s, shifted(M, &hl, SQ_SPLIT + 1), 0);
    sum_push(s, ll, 0);
}

/* sum_j x_j^2 over the j with mask[j] (a 1-bit vector; mask NULL: every j): the
   mask's selects, the squares' products (one DSP48E2 delay), then a tree of
   two-input adders, in lock step, registered as the clock needs.  The sum of
   squares of one vector: the score's differences; the squared latent means. */
static Val sum_of_squares(Rtl *R, Mod *M, Val *x, Val *mask, int n) {
    char a[256];
    Val *vs = xcalloc((size_t)(2 * n), sizeof(Val));
    for (int j = 0; j < n; j++) vs[j] = x[j];
    if (mask) {
        for (int j = 0; j < n; j++) vs[n + j] = mask[j];
        stage_dl(R, M, dl(1, 0, 0), vs, 2 * n, "the mask");
        M->levels++;
        for (int j = 0; j < n; j++) {
            const Val *q = &vs[j], *k = &vs[n + j];
            if (k->is_const) { if (!k->lo) vs[j] = konst(0); continue; }
            int w = bits_signed(q->lo < 0 ? q->lo : 0, q->hi > 0 ? q->hi : 0);
            vs[j] = wire(M, w, true, q->lo < 0 ? q->lo : 0, q->hi > 0 ? q->hi : 0, "%s ? %s : %d'd0", k->nm, ext(a, sizeof a, q, w), w);
        }
    }
    stage_dl(R, M, dl(4, 0, 0), vs, n, "the squares");   /* a DSP48E2 product: about four LUT levels (T_DSP) */
    M->levels += 4;
    Sum s = {0};
    for (int j = 0; j < n; j++) square_terms(M, &s, &vs[j]);
    Val out;
    reduce(R, M, &s, 1, 0, &out, NULL, 0, "an adder level of the squares' sum");
    free(s.t); free(vs);
    return out;
}

/* The bits x_j != z_j of n vectors: reduction ORs for z_j = 0 (z NULL: every z_j
   is 0), else comparisons with the constant in x_j's width. */
static void nonzero_bits(Mod *M, const Val *x, const int64_t *z, Val *nz, int n) {
    char a[256], c[64];
    for (int j = 0; j < n; j++) {
        i128 zj = z ? z[j] : 0;
        if (x[j].lo > zj || x[j].hi < zj) nz[j] = konst(1);
        else if (x[j].lo == zj && x[j].hi == zj) nz[j] = konst(0);
        else if (zj == 0) nz[j] = wire(M, 1, false, 0, 1, "|%s", ext(a, sizeof a, &x[j], x[j].w));
        else nz[j] = wire(M, 1, false, 0, 1, "%s != %s", ext(a, sizeof a, &x[j], x[j].w), lit(c, sizeof c, zj, x[j].w));
    }
}

/* A masked score's padding constants as a comment (none when every z_j is 0). */
static void pad_comment(Mod *M, const aedl_fw_layer *a) {
    if (!a->has_w) return;
    fprintf(M->o, "  // the padding z_j, the input of a raw 0 (mantissas of the input's type):");
    for (int j = 0; j < a->n_in; j++) fprintf(M->o, "%s %lld", j % 16 ? "" : "\n  //", (long long)a->w[j]);
    fprintf(M->o, "\n");
}

static void free_sums(Sum *s, int n) {
    for (int j = 0; j < n; j++) free(s[j].t);
    free(s);
}

/* Dense with an accumulator that saturates or is coarser than the products:
   as HLS and the emulator, acc = (acc_t)bias, then for each non-zero weight in
   input order acc = (acc_t)(acc + x_i * w_ij), the sum exact at the finer
   exponent.  One chain step per weight (all neurons in lock step): the
   product's shift-adds, the addition, the cast. */
static void dense_sequential(Rtl *R, Mod *M, const aedl_fw_layer *a, Val *x, int n_in, Val *acc) {
    int n = a->n_out;
    int pe = M->pe, acc_exp = aedl_fw_exp(a->acc_t);
    int me = pe < acc_exp ? pe : acc_exp;
    int *nnz = xcalloc((size_t)n, sizeof(int)), maxnz = 0;
    for (int j = 0; j < n; j++) {
        acc[j] = konst(a->has_b ? (i128)aedl_fixed_quantize(a->acc_t, a->b[j], -aedl_fw_exp(a->b_t)) : 0);
        for (int i = 0; i < n_in; i++) nnz[j] += a->w[(long)i * n + j] != 0;
        if (nnz[j] > maxnz) maxnz = nnz[j];
    }
    int *next = xcalloc((size_t)n, sizeof(int));     /* per neuron: the next input index to read */
    fprintf(M->o, "  // an accumulator cast after every addition: %d chain steps\n", maxnz);
    Val *keep = xcalloc((size_t)(n + n_in), sizeof(Val));
    Val *prod = xcalloc((size_t)n, sizeof(Val));
    Sum *s = xcalloc((size_t)n, sizeof *s);
    for (int t = 0; t < maxnz; t++) {
        fprintf(M->o, "  // step %d\n", t + 1);
        for (int j = 0; j < n; j++) {
            s[j].n = 0;
            if (t >= nnz[j]) continue;
            int i = next[j];
            while (a->w[(long)i * n + j] == 0) i++;
            next[j] = i + 1;
            const_product(R, M, &s[j], &x[i], a->w[(long)i * n + j], 0);
        }
        for (int j = 0; j < n; j++) keep[j] = acc[j];
        for (int i = 0; i < n_in; i++) keep[n + i] = x[i];
        reduce(R, M, s, n, 0, prod, keep, n + n_in, "an adder level of a product");
        for (int j = 0; j < n; j++) {
            s[j].n = 0;
            if (t >= nnz[j]) continue;
            sum_push(&s[j], shifted(M, &keep[j], acc_exp - me), 0);
            sum_push(&s[j], shifted(M, &prod[j], pe - me), 0);
        }
        reduce(R, M, s, n, 0, prod, keep, n + n_in, "the accumulation");
        for (int i = 0; i < n_in; i++) x[i] = keep[n + i];
        /* the cast: active neurons' sums; the others keep their accumulator */
        Val *all = xcalloc((size_t)(2 * n + n_in), sizeof(Val));
        Dl d = dl(0, 0, 0);
        for (int j = 0; j < n; j++) {
            all[j] = t < nnz[j] ? prod[j] : keep[j];
            all[n + j] = keep[j];
            if (t < nnz[j]) { Dl dj = cast_delay(&prod[j], me, a->acc_t); if (dl_ns(dj) > dl_ns(d)) d = dj; }
        }
        for (int i = 0; i < n_in; i++) all[2 * n + i] = x[i];
        if (dl_ns(d) > 0) { stage_dl(R, M, d, all, 2 * n + n_in, "the accumulator's cast"); M->levels += 2; }
        for (int i = 0; i < n_in; i++) x[i] = all[2 * n + i];
        for (int j = 0; j < n; j++) acc[j] = t < nnz[j] ? cast(M, &all[j], me, a->acc_t) : all[n + j];
        free(all);
    }
    for (int j = 0; j < n; j++) free(s[j].t);
    free(s); free(prod); free(keep); free(next); free(nnz);
}

/* The module of plan layer l; fills info and the layer's Out. */
static void gen_layer(Rtl *R, int l, Out *outs, Out *in, LayerInfo *info) {
    const aedl_fw_plan *p = R->p;
    const aedl_fw_layer *a = &p->layers[l];
    Mod M = {0};
    M.o = open_memstream(&M.buf, &M.len);
    if (!M.o) aedl_fatal("out of memory");
    char a1[256], tb[64], tb2[64];
    int nin = a->ninputs;
    Out *src[AEDL_FW_MAX_INPUTS];
    int cyc = 0;
    double arr = 0;
    for (int k = 0; k < nin; k++) { src[k] = a->inputs[k] < 0 ? in : &outs[a->inputs[k]]; if (src[k]->cycle > cyc) cyc = src[k]->cycle; }
    Dl spath = dl(0, 0, 0);
    for (int k = 0; k < nin; k++) if (src[k]->cycle == cyc && src[k]->arr > arr) { arr = src[k]->arr; spath = src[k]->path; }
    M.cycle = cyc; M.arr = arr; M.spath = spath;
    info->cycle_in = cyc;

    /* the inputs, element by element; earlier ones delayed to the latest one's cycle */
    Val *x[AEDL_FW_MAX_INPUTS];
    for (int k = 0; k < nin; k++) {
        Out *s = src[k];
        int W = s->t.width;
        x[k] = xcalloc((size_t)s->n, sizeof(Val));
        char port[8];
        snprintf(port, sizeof port, nin == 1 ? "x" : "x%d", k);
        for (int j = 0; j < s->n; j++) {
            Val *v = &x[k][j];
            v->w = W; v->bw = W; v->sgn = s->t.is_signed; v->lo = s->lo[j]; v->hi = s->hi[j];
            if (v->lo == v->hi) { *v = konst(v->lo); continue; }
            snprintf(v->nm, sizeof v->nm, "%s_%d", port, j);
            if (W == 1) fprintf(M.o, "  wire %s = %s[%d];\n", v->nm, port, j);
            else fprintf(M.o, "  wire [%d:0] %s = %s[%d +: %d];\n", W - 1, v->nm, port, j * W, W);
        }
        if (s->cycle < cyc) {
            fprintf(M.o, "  // %s arrives %d cycle(s) early: delayed\n", port, cyc - s->cycle);
            for (int d = s->cycle; d < cyc; d++) for (int j = 0; j < s->n; j++) reg(&M, &x[k][j]);
        }
    }
    int n = a->n_out;
    Val *v = xcalloc((size_t)n, sizeof(Val));
    int ex = aedl_fw_exp(src[0]->t), acc_exp = aedl_fw_exp(a->acc_t);
    int from = ex;              /* the exponent of v before the accumulator cast */
    bool to_acc = true;
    bool sequential = a->op == FW_DENSE && !(a->acc_t.ovf == AEDL_WRAP && aedl_fw_exp(a->w_t) + ex >= acc_exp &&
                                              (!a->has_b || aedl_fw_exp(a->b_t) >= acc_exp));
    switch (sequential ? FW_SOFTMAX : a->op) {
    case FW_SOFTMAX:
        if (sequential) { M.pe = aedl_fw_exp(a->w_t) + ex; dense_sequential(R, &M, a, x[0], src[0]->n, v); from = acc_exp; }
        break;
    case FW_DENSE: case FW_BATCHNORM: {
        int pe = aedl_fw_exp(a->w_t) + ex;
        int be = a->has_b ? aedl_fw_exp(a->b_t) : pe;
        int me = pe < be ? pe : be;
        bool modular = a->acc_t.ovf == AEDL_WRAP && pe >= acc_exp && be >= acc_exp;
        int cap = modular ? a->acc_t.width - (me - acc_exp) : 0;
        if (modular && cap < 1) cap = 1;
        Sum *s = xcalloc((size_t)n, sizeof *s);
        long nz = 0;
        for (int j = 0; j < n; j++) {
            if (a->has_b && a->b[j]) sum_push(&s[j], konst((i128)a->b[j] * ((i128)1 << (be - me))), 0);
            if (a->op == FW_BATCHNORM) { const_product(R, &M, &s[j], &x[0][j], a->w[j], pe - me); nz += a->w[j] != 0; }
            else for (int i = 0; i < a->n_in; i++) {
                int64_t w = a->w[(long)i * n + j];
                if (w) { const_product(R, &M, &s[j], &x[0][i], w, pe - me); nz++; }
            }
        }
        fprintf(M.o, "  // %ld non-zero %s; the sums at 2^%d%s\n", nz, a->op == FW_DENSE ? "weights" : "scales", me,
                modular ? ", modulo the accumulator's width" : "");
        reduce(R, &M, s, n, cap, v, NULL, 0, "an adder level");
        free_sums(s, n);
        from = me;
        break;
    }
    case FW_ADD: {
        int me = aedl_fw_exp(src[0]->t);
        bool modular = a->acc_t.ovf == AEDL_WRAP;
        for (int k = 0; k < nin; k++) { int e = aedl_fw_exp(src[k]->t); if (e < me) me = e; modular &= e >= acc_exp; }
        int cap = modular ? a->acc_t.width - (me - acc_exp) : 0;
        if (modular && cap < 1) cap = 1;
        Sum *s = xcalloc((size_t)n, sizeof *s);
        for (int j = 0; j < n; j++)
            for (int k = 0; k < nin; k++) sum_push(&s[j], shifted(&M, &x[k][j], aedl_fw_exp(src[k]->t) - me), 0);
        reduce(R, &M, s, n, cap, v, NULL, 0, "an adder level");
        free_sums(s, n);
        from = me;
        break;
    }
    case FW_RELU: case FW_LINEAR:
        for (int j = 0; j < n; j++) v[j] = x[0][j];
        if (a->op == FW_RELU) {
            bool any = false;
            for (int j = 0; j < n; j++) any |= v[j].lo < 0;
            if (any) stage_dl(R, &M, dl(1, 0, 0), v, n, "relu");
            if (any) M.levels++;
            for (int j = 0; j < n; j++) {
                if (v[j].lo >= 0) continue;
                if (v[j].hi <= 0) { v[j] = konst(0); continue; }
                v[j] = wire(&M, v[j].w, v[j].sgn, 0, v[j].hi, "%s[%d] ? %d'd0 : %s", v[j].nm, v[j].w - 1, v[j].w, v[j].nm);
            }
        }
        break;
    case FW_ABS: {   /* |x| at the input's exponent, one bit wider where x can be negative (|min|) */
        bool any = false;
        int wmax = 1;
        for (int j = 0; j < n; j++) { v[j] = x[0][j]; any |= v[j].lo < 0; if (v[j].w > wmax) wmax = v[j].w; }
        if (any) { stage_dl(R, &M, dl(1, 1, wmax + 1), v, n, "abs"); M.levels += 2; }
        for (int j = 0; j < n; j++) {
            Val m = v[j];
            if (m.lo >= 0) continue;
            if (m.is_const) { v[j] = konst(-m.lo); continue; }
            i128 rlo = m.hi < 0 ? -m.hi : 0, rhi = -m.lo > m.hi ? -m.lo : m.hi;
            int wk = m.w + 1;
            char e1[256];
            ext(e1, sizeof e1, &m, wk);
            v[j] = wire(&M, wk, true, rlo, rhi, "%s[%d] ? -%s : %s", m.nm, m.w - 1, e1, e1);
        }
        break;
    }
    case FW_CLIP: {
        int eb = aedl_fw_exp(a->w_t), me = ex < eb ? ex : eb;
        i128 lo = (i128)a->w[0] * ((i128)1 << (eb - me)), hi = (i128)a->w[1] * ((i128)1 << (eb - me));
        for (int j = 0; j < n; j++) v[j] = shifted(&M, &x[0][j], ex - me);
        int wmax = 1;
        for (int j = 0; j < n; j++) if (v[j].w > wmax) wmax = v[j].w;
        stage_dl(R, &M, dl(2, 1, wmax + 1), v, n, "clip");
        M.levels += 2;
        for (int j = 0; j < n; j++) {
            Val m = v[j];
            i128 rlo = m.lo < lo ? lo : m.lo > hi ? hi : m.lo, rhi = m.hi < lo ? lo : m.hi > hi ? hi : m.hi;
            if (rlo == rhi) { v[j] = konst(rlo); continue; }
            if (m.lo >= lo && m.hi <= hi) continue;
            int wb = bits_signed(lo, hi), wk = (m.w > wb ? m.w : wb) + !m.sgn;
            Val k = wire(&M, wk, true, m.lo, m.hi, "%s", ext(a1, sizeof a1, &m, wk));
            char c1[64], c2[64], lo_e[160] = "", hi_e[160] = "";
            if (m.lo < lo) snprintf(lo_e, sizeof lo_e, "(%s < $signed(%s)) ? %s : ", k.nm, lit(c1, sizeof c1, lo, wk), lit(c2, sizeof c2, lo, wk));
            if (m.hi > hi) snprintf(hi_e, sizeof hi_e, "(%s > $signed(%s)) ? %s : ", k.nm, lit(c1, sizeof c1, hi, wk), lit(c2, sizeof c2, hi, wk));
            v[j] = wire(&M, wk, true, rlo, rhi, "%s%s%s", lo_e, hi_e, k.nm);
        }
        from = me;
        break;
    }
    case FW_LEAKY_RELU: {
        int ea = aedl_fw_exp(a->w_t), me = ea < 0 ? ex + ea : ex;
        Sum *s = xcalloc((size_t)n, sizeof *s);
        Val *neg = xcalloc((size_t)n, sizeof(Val));
        for (int j = 0; j < n; j++) {
            v[j] = shifted(&M, &x[0][j], ex - me);
            if (x[0][j].lo < 0) const_product(R, &M, &s[j], &x[0][j], a->w[0], ex + ea - me);
        }
        Val *keep = xcalloc((size_t)(2 * n), sizeof(Val));       /* x >= 0's value and x's sign wait */
        for (int j = 0; j < n; j++) { keep[j] = v[j]; keep[n + j] = x[0][j]; }
        reduce(R, &M, s, n, 0, neg, keep, 2 * n, "an adder level of alpha * x");
        for (int j = 0; j < n; j++) { v[j] = keep[j]; x[0][j] = keep[n + j]; }
        free(keep);
        free_sums(s, n);
        bool any = false;
        for (int j = 0; j < n; j++) any |= x[0][j].lo < 0;
        if (any) {
            Val *both = xcalloc((size_t)(3 * n), sizeof(Val));   /* the select reads x's sign too */
            for (int j = 0; j < n; j++) { both[j] = v[j]; both[n + j] = neg[j]; both[2 * n + j] = x[0][j]; }
            stage_dl(R, &M, dl(1, 0, 0), both, 3 * n, "leaky_relu's select");
            M.levels++;
            for (int j = 0; j < n; j++) { v[j] = both[j]; neg[j] = both[n + j]; x[0][j] = both[2 * n + j]; }
            free(both);
        }
        for (int j = 0; j < n; j++) {
            const Val *xj = &x[0][j];
            if (xj->lo >= 0) continue;
            i128 lo = neg[j].lo, hi = neg[j].hi;
            if (xj->hi >= 0) { if (v[j].lo < lo) lo = v[j].lo; if (v[j].hi > hi) hi = v[j].hi; }
            if (xj->hi < 0) { v[j] = neg[j]; continue; }
            int w = bits_signed(lo, hi);
            char a2[256];
            v[j] = wire(&M, w, true, lo, hi, "%s[%d] ? %s : %s", xj->nm, xj->w - 1, ext(a1, sizeof a1, &neg[j], w), ext(a2, sizeof a2, &v[j], w));
        }
        free(neg);
        from = me;
        break;
    }
    case FW_CONCAT: {     /* each input cast into the result type, one register rank for all */
        Dl d = dl(0, 0, 0);
        for (int k = 0, j = 0; k < nin; k++)
            for (int i = 0; i < src[k]->n; i++, j++) {
                v[j] = x[k][i];
                Dl dj = cast_delay(&v[j], aedl_fw_exp(src[k]->t), a->res_t);
                if (dl_ns(dj) > dl_ns(d)) d = dj;
            }
        fprintf(M.o, "  // concat: each input into %s\n", tstr(a->res_t, tb, sizeof tb));
        if (dl_ns(d) > 0) { stage_dl(R, &M, d, v, n, "concat's cast"); M.levels += 2; }
        for (int k = 0, j = 0; k < nin; k++)
            for (int i = 0; i < src[k]->n; i++, j++) v[j] = cast(&M, &v[j], aedl_fw_exp(src[k]->t), a->res_t);
        to_acc = false;
        break;
    }
    case FW_BOUND: {
        /* per feature x, max(x, 0) or k * T[x] (T tanh's table in w_t, k in b_t: a
           constant product), exact at the finer exponent of x and the products */
        int pe = aedl_fw_exp(a->w_t) + aedl_fw_exp(a->b_t), me = pe < ex ? pe : ex;
        const int64_t *mode = a->w + AEDL_ACT_TABLE;
        bool tanh_any = false, relu_any = false;
        for (int j = 0; j < n; j++) { tanh_any |= mode[j] == 2; relu_any |= mode[j] == 1 && x[0][j].lo < 0; }
        if (tanh_any) table_function(&M, a->w, a->w_t, "tanh", AEDL_ACT_SHIFT_TANH);
        if (tanh_any || relu_any) {
            stage_dl(R, &M, tanh_any ? dl(5, 1, wmax_of(x[0], n) + 2) : dl(1, 0, 0), x[0], n, tanh_any ? "the table lookup" : "relu");
            M.levels += tanh_any ? 5 : 1;
        }
        Sum *s = xcalloc((size_t)n, sizeof *s);
        for (int j = 0; j < n; j++) {
            Val xj = x[0][j];
            if (mode[j] == 2) {
                Val t = table_lookup(&M, a->w, a->w_t, &xj, ex, AEDL_ACT_SHIFT_TANH);
                const_product(R, &M, &s[j], &t, a->b[j], pe - me);
                continue;
            }
            if (mode[j] == 1 && xj.lo < 0)
                xj = xj.hi <= 0 ? konst(0) : wire(&M, xj.w, xj.sgn, 0, xj.hi, "%s[%d] ? %d'd0 : %s", xj.nm, xj.w - 1, xj.w, xj.nm);
            sum_push(&s[j], shifted(&M, &xj, ex - me), 0);
        }
        fprintf(M.o, "  // k * tanh: the products at 2^%d\n", me);
        reduce(R, &M, s, n, 0, v, NULL, 0, "an adder level of k * tanh");
        free_sums(s, n);
        from = me;
        break;
    }
    case FW_SCORE: case FW_MASKED_SCORE: {
        /* sum_j (x_j - y_j)^2 (x the reconstruction, y the model's input, delayed
           above to the reconstruction's cycle), masked: over the j with y_j != z_j;
           the differences at the finer exponent me, the sum at 2 me */
        int e0 = aedl_fw_exp(src[0]->t), e1 = aedl_fw_exp(src[1]->t), me = e0 < e1 ? e0 : e1;
        int m = a->n_in;
        bool masked = a->op == FW_MASKED_SCORE;
        Val *vs = xcalloc((size_t)(2 * m), sizeof(Val)), *nz = masked ? xcalloc((size_t)m, sizeof(Val)) : NULL;
        for (int j = 0; j < m; j++) { vs[j] = x[0][j]; vs[m + j] = x[1][j]; }
        int wd = 1;
        for (int j = 0; j < m; j++) {
            Term t0 = {shifted(&M, &x[0][j], e0 - me), 0}, t1 = {shifted(&M, &x[1][j], e1 - me), 1};
            int w = level_width(&t0, &t1);
            if (w > wd) wd = w;
        }
        fprintf(M.o, "  // the differences at 2^%d%s\n", me,
                !masked ? "" : a->has_w ? ", and the features whose input is not the padding" : ", and the features whose input is not 0");
        if (masked) pad_comment(&M, a);
        stage_dl(R, &M, dl(1, 1, wd), vs, 2 * m, "the differences");
        M.levels++;
        Val *d = xcalloc((size_t)m, sizeof(Val));
        for (int j = 0; j < m; j++) {
            Term t0 = {shifted(&M, &vs[j], e0 - me), 0}, t1 = {shifted(&M, &vs[m + j], e1 - me), 1};
            d[j] = add2(&M, &t0, &t1, 0).v;
        }
        if (masked) nonzero_bits(&M, vs + m, a->has_w ? a->w : NULL, nz, m);
        fprintf(M.o, "  // the squares (multipliers) and their sum at 2^%d\n", 2 * me);
        v[0] = sum_of_squares(R, &M, d, nz, m);
        free(vs); free(nz); free(d);
        from = 2 * me;
        break;
    }
    case FW_MU2:   /* a VAE's score: sum_j mu_j^2, at 2^(2 ex) */
        fprintf(M.o, "  // the squares of the means (multipliers) and their sum at 2^%d\n", 2 * ex);
        v[0] = sum_of_squares(R, &M, x[0], NULL, a->n_in);
        from = 2 * ex;
        break;
    case FW_HW_INPUT: {
        /* per feature x_j cast to its hardware type H_j, times the factor k_j plus the
           offset c_j (constants of w_t and b_t), exact at the accumulator's step */
        Dl d = dl(0, 0, 0);
        for (int j = 0; j < n; j++) {
            Dl dj = cast_delay(&x[0][j], ex, aedl_fw_hwin_type(a, j));
            if (dl_ns(dj) > dl_ns(d)) d = dj;
        }
        fprintf(M.o, "  // the raw values into their hardware types\n");
        if (dl_ns(d) > 0) { stage_dl(R, &M, d, x[0], n, "the hardware types' casts"); M.levels += 2; }
        int ce = aedl_fw_exp(a->b_t) - acc_exp;
        Sum *s = xcalloc((size_t)n, sizeof *s);
        for (int j = 0; j < n; j++) {
            aedl_fixed h = aedl_fw_hwin_type(a, j);
            Val hj = cast(&M, &x[0][j], ex, h);
            if (a->w[j]) const_product(R, &M, &s[j], &hj, a->w[j], aedl_fw_exp(h) + aedl_fw_exp(a->w_t) - acc_exp);
            if (a->b[j]) sum_push(&s[j], konst((i128)a->b[j] * ((i128)1 << ce)), 0);
        }
        fprintf(M.o, "  // x * k + c at 2^%d\n", acc_exp);
        reduce(R, &M, s, n, 0, v, NULL, 0, "an adder level of the scaling");
        free_sums(s, n);
        from = acc_exp;
        break;
    }
    case FW_COUNT: {   /* the number of j with x_j != z_j */
        int m = a->n_in;
        Val *nz = xcalloc((size_t)m, sizeof(Val));
        stage_dl(R, &M, dl(2, 0, 0), x[0], m, a->has_w ? "the features that are not the padding" : "the features that are not 0");
        M.levels += 2;
        pad_comment(&M, a);
        nonzero_bits(&M, x[0], a->has_w ? a->w : NULL, nz, m);
        Sum s = {0};
        for (int j = 0; j < m; j++) sum_push(&s, nz[j], 0);
        reduce(R, &M, &s, 1, 0, v, NULL, 0, "an adder level of the count");
        free(s.t); free(nz);
        /* delayed, at its own width, to the cycle of the score it goes out with */
        int until = M.cycle;
        for (int k = 0; k < p->noutputs; k++) if (p->outputs[k] >= 0 && p->outputs[k] < l && outs[p->outputs[k]].cycle > until) until = outs[p->outputs[k]].cycle;
        if (until > M.cycle) {
            fprintf(M.o, "  // delayed %d cycle(s), to the score's cycle\n", until - M.cycle);
            for (; M.cycle < until; M.cycle++) reg(&M, &v[0]);
            M.arr = 0;
        }
        from = 0;
        break;
    }
    case FW_SIGMOID: case FW_TANH: {
        int sh = aedl_fw_table_shift(a->op);
        table_function(&M, a->w, a->res_t, op_names[a->op], sh);
        stage_dl(R, &M, dl(5, 1, wmax_of(x[0], n) + 2), x[0], n, "the table lookup");
        M.levels += 5;
        for (int j = 0; j < n; j++) v[j] = table_lookup(&M, a->w, a->res_t, &x[0][j], ex, sh);
        to_acc = false;
        break;
    }
    }
    if (to_acc) {
        cast_all(R, &M, v, n, from, a->acc_t, "the accumulator");
        if (a->has_quant) cast_all(R, &M, v, n, acc_exp, a->q_t, "the quantizer");
        cast_all(R, &M, v, n, aedl_fw_exp(a->has_quant ? a->q_t : a->acc_t), a->res_t, "the result type");
    }
    int W = a->res_t.width;
    fprintf(M.o, "  assign y = {");
    for (int j = n - 1; j >= 0; j--) fprintf(M.o, "%s%s", ext(a1, sizeof a1, &v[j], W), j ? ", " : "");
    fprintf(M.o, "};\n");
    if (fclose(M.o) != 0) aedl_fatal("out of memory");

    /* the output's ranges, for the next layers */
    Out *o = &outs[l];
    o->n = n; o->t = a->res_t; o->cycle = M.cycle; o->arr = M.arr; o->path = M.spath;
    o->lo = xmalloc(sizeof(i128) * (size_t)n); o->hi = xmalloc(sizeof(i128) * (size_t)n);
    for (int j = 0; j < n; j++) { o->lo[j] = v[j].lo; o->hi[j] = v[j].hi; }

    /* the file: header, ports, body */
    const char *sfile;
    info->line = src_of(R, a, &sfile);
    char *text; size_t tlen;
    FILE *f = open_memstream(&text, &tlen);
    if (!f) aedl_fatal("out of memory");
    fprintf(f, "// %s_%s.v -- layer %s (%s), %s:%d (generated by aedlc)\n", R->name, a->name, a->name, op_names[a->op],
            sfile, info->line);
    fprintf(f, "// in: %d x %s; out: %d x %s (the mantissas, element j at bits [j*W +: W])\n",
            src[0]->n, tstr(src[0]->t, tb, sizeof tb), n, tstr(a->res_t, tb2, sizeof tb2));
    fprintf(f, "// pipeline: cycle %d to %d, longest stage %.2f ns (model), %ld register bits\n",
            info->cycle_in, M.cycle, M.worst, M.reg_bits);
    fprintf(f, "/* verilator lint_off UNUSEDSIGNAL */  // bits a pruned weight or a cast does not read\n");
    fprintf(f, "module %s_%s (\n", R->name, a->name);
    if (M.clk) fprintf(f, "  input  wire clk,\n");
    for (int k = 0; k < nin; k++) {
        char port[8];
        snprintf(port, sizeof port, nin == 1 ? "x" : "x%d", k);
        fprintf(f, "  input  wire [%d:0] %s,\n", src[k]->n * src[k]->t.width - 1, port);
    }
    fprintf(f, "  output wire [%d:0] y\n);\n", n * W - 1);
    fwrite(M.buf, 1, M.len, f);
    fprintf(f, "endmodule\n/* verilator lint_on UNUSEDSIGNAL */\n");
    if (fclose(f) != 0) aedl_fatal("out of memory");
    free(M.buf);
    info->text = text;
    info->cycle_out = M.cycle;
    info->worst = M.worst;
    info->levels = M.levels;
    info->path = M.path_worst;
    info->reg_bits = M.reg_bits;
    info->clk = M.clk;
    for (int k = 0; k < nin; k++) free(x[k]);
    free(v);
}

/* ---- checks: every layer buildable, before anything is written ------------------------------ */

static void refuse(Rtl *R, const aedl_fw_layer *a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void refuse(Rtl *R, const aedl_fw_layer *a, const char *fmt, ...) {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const IrNode *n = node_of(R, a->name);
    if ((a->op == FW_SCORE || a->op == FW_MASKED_SCORE || a->op == FW_COUNT) && R->t->output_loc.file >= 0)
        diag_error(R->t->output_loc, "layer '%s': %s", a->name, why);
    else if (n) diag_error(n->loc, "layer '%s': %s", a->name, why);
    else fprintf(stderr, "aedlc: error: layer '%s': %s\n", a->name, why);
    R->errors++;
}

static void check_plan(Rtl *R) {
    const aedl_fw_plan *p = R->p;
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        aedl_fixed in_t = a->inputs[0] < 0 ? p->in_t : p->layers[a->inputs[0]].res_t;
        int ex = aedl_fw_exp(in_t), acc_exp = aedl_fw_exp(a->acc_t);
        if (a->op == FW_SOFTMAX) { refuse(R, a, "softmax is computed in floating point; --emit rtl builds only exact fixed-point layers"); continue; }
        /* the exact sums' widths (before any modular cap) stay inside the emitter's 120 bits */
        int wide = in_t.width + (a->has_w ? a->w_t.width : 0) + 24;
        for (int k = 0; k < a->ninputs; k++) {
            aedl_fixed t = a->inputs[k] < 0 ? p->in_t : p->layers[a->inputs[k]].res_t;
            int d = aedl_fw_exp(t) - acc_exp;
            if (d < 0) d = -d;
            if (t.width + d + 24 > wide) wide = t.width + d + 24;
        }
        if (a->has_w) { int d = aedl_fw_exp(a->w_t) + ex - acc_exp; if (d < 0) d = -d; wide += d; }
        if (a->has_b) { int d = aedl_fw_exp(a->b_t) - acc_exp; if (d < 0) d = -d; if (a->b_t.width + d + 24 > wide) wide = a->b_t.width + d + 24; }
        if (wide > MAX_BITS) refuse(R, a, "its sums need about %d bits; --emit rtl builds vectors of at most %d", wide, MAX_BITS);
    }
    /* the testbench's vectors are decimal numbers (as the HLS project's), exact to 53 bits */
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        if (l >= 0 && p->layers[l].res_t.width > 53)
            refuse(R, &p->layers[l], "its output has %d bits; --emit rtl, as --emit hls, supports at most 53 (the testbench's "
                   "vectors are exact to 53 bits): narrow the output or input type", p->layers[l].res_t.width);
    }
}

/* ---- the files ------------------------------------------------------------------------------------ */

typedef struct { char *rel; char *text; size_t len; } File;
typedef struct { File *f; int n, cap; } Files;

static FILE *fopen_mem(char **buf, size_t *len) {
    FILE *f = open_memstream(buf, len);
    if (!f) aedl_fatal("out of memory");
    return f;
}
static void add_file(Files *fs, const char *rel, char *text, size_t len) {
    if (fs->n == fs->cap) { fs->cap = fs->cap ? 2 * fs->cap : 32; fs->f = xrealloc(fs->f, sizeof *fs->f * (size_t)fs->cap); }
    fs->f[fs->n].rel = xstrdup(rel); fs->f[fs->n].text = text; fs->f[fs->n].len = len; fs->n++;
}
static void close_file(Files *fs, const char *rel, FILE *f, char **buf, size_t *len) {
    if (fclose(f) != 0) aedl_fatal("out of memory");
    add_file(fs, rel, *buf, *len);
}

/* "xcup" (UltraScale+), "xcu" (UltraScale), "xc7" (7 series) from the part name. */
static const char *family_of(const char *part) {
    if (!strncmp(part, "xc7", 3)) return "xc7";
    /* xcvuNp, xckuNp, xczu, the Alveo xcuN: UltraScale+; xcvuN, xckuN: UltraScale */
    if (!strncmp(part, "xcvu", 4) || !strncmp(part, "xcku", 4)) {
        const char *q = part + 4;
        while (*q >= '0' && *q <= '9') q++;
        return *q == 'p' ? "xcup" : "xcu";
    }
    return "xcup";
}

typedef struct { int layer; int n, w, off, first; bool sgn; int exp; } OutGroup;

static void write_tb(Rtl *R, Files *fs, int latency, const OutGroup *g, int ng, int yw) {
    const aedl_fw_plan *p = R->p;
    const char *nm = R->name;
    aedl_fixed it = p->in_t;
    int W = it.width, ein = aedl_fw_exp(it);
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    char c1[64], c2[64], tb[64];
    fprintf(f,
"// %s_tb.v -- the testbench (generated by aedlc): reads the events of\n"
"// tb_input_features.dat (one event per line, %d numbers), converts each\n"
"// number exactly to the input type %s (its rounding and overflow), feeds one\n"
"// event per clock, and compares every output with tb_output_predictions.dat\n"
"// (the emulator's values, exact decimals) bit for bit.  Prints\n"
"// \"rtl sim: M of N events matched bit for bit\".\n"
"//   +in=FILE +out=FILE   the two files (default: tb_data/...)\n"
"`timescale 1ns/1ps\n"
"module %s_tb;\n"
"  reg clk = 1'b0;\n"
"  always #1 clk = ~clk;\n"
"  reg in_valid = 1'b0;\n"
"  reg [%d:0] x = %d'd0;\n"
"  wire out_valid;\n"
"  wire [%d:0] y;\n"
"  %s dut (.clk(clk), .in_valid(in_valid), .x(x), .out_valid(out_valid), .y(y));\n\n"
"  reg [8*1024-1:0] in_name, out_name;\n"
"  integer fin, fout, rc, j, bad, nin, nout, nok, wait_cycles;\n"
"  reg done;\n"
"  real r;\n"
"  reg signed [63:0] want, got;\n\n",
            nm, p->d_in, tstr(it, tb, sizeof tb), nm, p->d_in * W - 1, p->d_in * W, yw - 1, nm);
    /* the exact input conversion */
    int k = -ein;
    fprintf(f,
"  // (%s)v: v * 2^%d is exact in double; floor, the remainder, fixed.h's rounding rule\n"
"  function [%d:0] to_input(input real v);\n"
"    real s, fl, rem;\n"
"    reg signed [63:0] q;\n"
"    reg up;\n"
"    begin\n"
"      s = v %s %.1f;\n"
"      up = 1'b0;\n"
"      if (s >= 4.0e18) q = 64'sh4000000000000000;\n"
"      else if (s <= -4.0e18) q = -64'sh4000000000000000;\n"
"      else begin\n"
"        fl = $floor(s);\n"
"        rem = s - fl;\n"
"        /* verilator lint_off REALCVT */\n"
"        q = fl;\n"
"        /* verilator lint_on REALCVT */\n",
            tb, k, W - 1, k >= 0 ? "*" : "/", ldexp(1.0, k >= 0 ? k : -k));
    const char *upx = "1'b0";
    switch (it.rnd) {
    case AEDL_TRN: upx = "1'b0"; break;
    case AEDL_TRN_ZERO: upx = "(s < 0.0) && (rem != 0.0)"; break;
    case AEDL_RND: upx = "rem >= 0.5"; break;
    case AEDL_RND_ZERO: upx = "(rem > 0.5) || (rem == 0.5 && s < 0.0)"; break;
    case AEDL_RND_INF: upx = "(rem > 0.5) || (rem == 0.5 && s >= 0.0)"; break;
    case AEDL_RND_MIN_INF: upx = "rem > 0.5"; break;
    case AEDL_RND_CONV: upx = "(rem > 0.5) || (rem == 0.5 && q[0])"; break;
    }
    fprintf(f, "        up = %s;\n        q = q + {63'd0, up};\n      end\n", upx);
    i128 tmax = (i128)aedl_fixed_mant_max(it), tmin = (i128)aedl_fixed_result_min(it);
    if (it.ovf != AEDL_WRAP) {
        bool z = it.ovf == AEDL_SAT_ZERO;
        fprintf(f, "      if (q > $signed(%s)) q = %s;\n", lit(c1, sizeof c1, tmax, 64), lit(c2, sizeof c2, z ? 0 : tmax, 64));
        fprintf(f, "      else if (q < $signed(%s)) q = %s;\n", lit(c1, sizeof c1, tmin, 64), lit(c2, sizeof c2, z ? 0 : tmin, 64));
    }
    fprintf(f, "      to_input = q[%d:0];\n    end\n  endfunction\n\n", W - 1);
    fprintf(f,
"  initial begin\n"
"    if (!$value$plusargs(\"in=%%s\", in_name)) in_name = \"tb_data/tb_input_features.dat\";\n"
"    if (!$value$plusargs(\"out=%%s\", out_name)) out_name = \"tb_data/tb_output_predictions.dat\";\n"
"    fin = $fopen(in_name, \"r\");\n"
"    fout = $fopen(out_name, \"r\");\n"
"    if (fin == 0 || fout == 0) begin\n"
"      $display(\"rtl sim: cannot open %%0s or %%0s\", in_name, out_name);\n"
"      $finish;\n"
"    end\n"
"    done = 1'b0; nin = 0; nout = 0; nok = 0; wait_cycles = 0;\n"
"  end\n\n"
"  always @(posedge clk) begin\n"
"    if (out_valid) begin\n"
"      bad = 0;\n");
    for (int q = 0; q < ng; q++) {
        const OutGroup *o = &g[q];
        fprintf(f, "      for (j = 0; j < %d; j = j + 1) begin   // %s\n", o->n, o->layer < 0 ? "the input" : p->layers[o->layer].name);
        fprintf(f, "        rc = $fscanf(fout, \"%%f\", r);\n");
        int ke = -o->exp;
        fprintf(f, "        /* verilator lint_off REALCVT */\n        want = r %s %.1f;\n        /* verilator lint_on REALCVT */\n",
                ke >= 0 ? "*" : "/", ldexp(1.0, ke >= 0 ? ke : -ke));
        if (o->w == 64) fprintf(f, "        got = y[%d + j * 64 +: 64];\n", o->off);
        else if (o->sgn) fprintf(f, "        got = {{%d{y[%d + j * %d]}}, y[%d + j * %d +: %d]};\n", 64 - o->w, o->off + o->w - 1, o->w, o->off, o->w, o->w);
        else fprintf(f, "        got = {%d'd0, y[%d + j * %d +: %d]};\n", 64 - o->w, o->off, o->w, o->w);
        fprintf(f, "        if (rc != 1 || got != want) begin\n"
                   "          if (nout - nok < 10 && bad < 4) $display(\"event %%0d: output %%0d: rtl %%0d, expected %%0d (mantissas)\", nout, j + %d, got, want);\n"
                   "          bad = bad + 1;\n        end\n      end\n", o->first);
    }
    fprintf(f,
"      if (bad == 0) nok = nok + 1;\n"
"      nout = nout + 1;\n"
"    end\n"
"    if (!done) begin\n"
"      rc = $fscanf(fin, \"%%f\", r);\n"
"      if (rc == 1) begin\n"
"        x[%d:0] <= to_input(r);\n"
"        for (j = 1; j < %d; j = j + 1) begin\n"
"          rc = $fscanf(fin, \"%%f\", r);\n"
"          x[j * %d +: %d] <= to_input(r);\n"
"        end\n"
"        in_valid <= 1'b1;\n"
"        nin = nin + 1;\n"
"      end else begin\n"
"        done = 1'b1;\n"
"        in_valid <= 1'b0;\n"
"      end\n"
"    end else begin\n"
"      in_valid <= 1'b0;\n"
"      wait_cycles = wait_cycles + 1;\n"
"    end\n"
"    if (done && nout == nin) begin\n"
"      $display(\"rtl sim: %%0d of %%0d events matched bit for bit\", nok, nin);\n"
"      $finish;\n"
"    end\n"
"    if (wait_cycles > %d) begin\n"
"      $display(\"rtl sim: %%0d of %%0d events came out after %d cycles\", nout, nin);\n"
"      $finish;\n"
"    end\n"
"  end\n"
"endmodule\n", W - 1, p->d_in, W, W, latency + 8, latency + 8);
    char rel[200];
    snprintf(rel, sizeof rel, "%s_tb.v", nm);
    close_file(fs, rel, f, &buf, &len);
}

/* order: the layers, largest module first; gfirst[g]: the first of group g in order. */
static void write_makefile(Rtl *R, Files *fs, const char *family, const int *order, const int *gfirst, int ngroups) {
    const char *nm = R->name;
    const aedl_fw_plan *p = R->p;
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    fprintf(f,
"# Makefile -- simulate, lint and synthesise the RTL of %s (generated by aedlc).\n"
"#\n"
"#   make sim            Icarus Verilog, then Verilator when it is installed; each\n"
"#                       prints \"rtl sim: M of N events matched bit for bit\"\n"
"#   make sim-iverilog   make sim-verilator   one simulator\n"
"#   make lint           verilator --lint-only -Wall on the design\n"
"#   make synth          yosys synth_xilinx -family %s (synth.ys), one run per\n"
"#                       module (make -j N synth: N at once): resources.json\n"
"#\n"
"# The events: ../hls/tb_data when the HLS project beside this folder has them\n"
"# (after aedlc run: the evaluation's test events), else tb_data/ here (TB=DIR\n"
"# chooses another folder).\n"
"IVERILOG  ?= iverilog\n"
"VVP       ?= vvp\n"
"VERILATOR ?= verilator\n"
"YOSYS     ?= yosys\n"
"TB        ?= $(if $(wildcard ../hls/tb_data/tb_input_features.dat),../hls/tb_data,tb_data)\n"
"TBARGS     = +in=$(TB)/tb_input_features.dat +out=$(TB)/tb_output_predictions.dat\n"
"SRC       := %s.v", nm, family, nm);
    for (int l = 0; l < p->nlayers; l++) fprintf(f, " %s_%s.v", nm, p->layers[l].name);
    fprintf(f,
"\nMATCHED   := '^rtl sim: ([1-9][0-9]*) of \\1 events matched bit for bit$$'\n"
"\n"
"sim: sim-iverilog $(if $(shell command -v $(VERILATOR) 2>/dev/null),sim-verilator)\n"
"\n"
"sim-iverilog: obj/%s_tb.vvp\n"
"\t$(VVP) -n obj/%s_tb.vvp $(TBARGS) > obj/iverilog.log\n"
"\t@grep '^rtl sim' obj/iverilog.log | sed 's/^/iverilog: /'\n"
"\t@grep -Eq $(MATCHED) obj/iverilog.log\n"
"\n"
"obj/%s_tb.vvp: %s_tb.v $(SRC)\n"
"\t@mkdir -p obj\n"
"\t$(IVERILOG) -g2005 -o $@ %s_tb.v $(SRC)\n"
"\n"
"sim-verilator: obj/verilator/%s_tb\n"
"\tobj/verilator/%s_tb $(TBARGS) > obj/verilator.log\n"
"\t@grep '^rtl sim' obj/verilator.log | sed 's/^/verilator: /'\n"
"\t@grep -Eq $(MATCHED) obj/verilator.log\n"
"\n"
"obj/verilator/%s_tb: %s_tb.v $(SRC)\n"
"\t@mkdir -p obj\n"
"\t$(VERILATOR) --binary --timing -Wno-fatal -Wno-lint -Wno-style -O1 --top-module %s_tb \\\n"
"\t  -Mdir obj/verilator -o %s_tb %s_tb.v $(SRC) > obj/verilator_build.log 2>&1 || \\\n"
"\t  { tail -n 20 obj/verilator_build.log; exit 1; }\n"
"\n"
"lint:\n"
"\t$(VERILATOR) --lint-only -Wall --top-module %s $(SRC)\n"
"\n"
"# synth: yosys once per group of modules (the layers are separate modules,\n"
"# synthesised out of context: the same cells as in one run of the whole\n"
"# design), the groups in parallel with make -j, the largest first; the top\n"
"# module's own registers with the layers as black boxes.  The logic depth: ltp\n"
"# on the module without its registers (ltp -noff leaves the mapped FDRE in).\n"
"SEQ       := t:FD* t:SRL*\n"
"STATS     :=", nm, nm, nm, nm, nm, nm, nm, nm, nm, nm, nm, nm, nm);
    for (int g = 0; g < ngroups; g++) fprintf(f, " obj/%s_%s.stat", nm, p->layers[order[gfirst[g]]].name);
    fprintf(f, " obj/%s.stat\n"
"\n"
"synth: resources.json\n"
"\n"
"resources.json: $(STATS) stat2json.awk design.json\n"
"\tcat $(STATS) > obj/stat.txt\n"
"\tawk -f stat2json.awk design.json obj/stat.txt > resources.json.tmp && mv resources.json.tmp resources.json\n"
"\t@grep '\"total\"' resources.json\n", nm);
    for (int g = 0; g < ngroups; g++) {
        const char *first = p->layers[order[gfirst[g]]].name;
        int end = g + 1 < ngroups ? gfirst[g + 1] : p->nlayers;
        fprintf(f, "\nobj/%s_%s.stat:", nm, first);
        for (int i = gfirst[g]; i < end; i++) fprintf(f, " %s_%s.v", nm, p->layers[order[i]].name);
        fprintf(f, " synth.ys\n\t@mkdir -p obj\n\t$(YOSYS) -q -l obj/%s_%s.log -p 'read_verilog", nm, first);
        for (int i = gfirst[g]; i < end; i++) fprintf(f, " %s_%s.v", nm, p->layers[order[i]].name);
        fprintf(f, "; script synth.ys; tee -o $@.tmp stat");
        for (int i = gfirst[g]; i < end; i++) fprintf(f, "; tee -a $@.tmp ltp -noff %s_%s $(SEQ) %%u %%d", nm, p->layers[order[i]].name);
        fprintf(f, "' && mv $@.tmp $@\n");
    }
    fprintf(f,
"\nobj/%s.stat: %s.v synth.ys $(filter-out %s.v,$(SRC))\n"
"\t@mkdir -p obj\n"
"\t$(YOSYS) -q -l obj/%s.log -p 'read_verilog -lib $(filter-out %s.v,$(SRC)); read_verilog %s.v; script synth.ys; tee -o $@.tmp stat' && mv $@.tmp $@\n"
"\n"
"clean:\n"
"\trm -rf obj resources.json\n"
"\n"
".PHONY: sim sim-iverilog sim-verilator lint synth clean\n",
            nm, nm, nm, nm, nm, nm);
    close_file(fs, "Makefile", f, &buf, &len);
}

/* yosys: synth_xilinx of the modules read before it (the Makefile runs it on
   groups of layer modules, and on the top module with the layers as black
   boxes); every module read is kept (no -top); the adder trees are not merged
   into carry-save blocks (alumacc's $macc cells back to two-input adders). */
static void write_synth(Rtl *R, Files *fs, const char *family) {
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    fprintf(f, "# synth.ys -- yosys 0.23: modules of %s for %s (generated by aedlc).\n", R->name, family);
    fprintf(f,
"# make synth runs it on groups of modules: yosys -p 'read_verilog M.v ...; script synth.ys'\n"
"# synth_xilinx's begin step, every module read kept (no -top)\n"
"read_verilog -lib -specify +/xilinx/cells_sim.v\n"
"read_verilog -lib +/xilinx/cells_xtra.v\n"
"hierarchy -check\n"
"# its script up to the coarse step, then the coarse step with each $macc (an\n"
"# adder tree merged by alumacc) split back into two-input adders: yosys'\n"
"# carry-save mapping of a merged tree costs about twice the LUTs and three\n"
"# times the run time\n"
"synth_xilinx -family %s -noiopad -noclkbuf -run prepare:coarse\n"
"opt_expr\nopt_clean\ncheck\nopt -nodffe -nosdff\nfsm\nopt\nwreduce\npeepopt\nopt_clean\n"
"alumacc\nmaccmap -unmap\nopt_clean\nshare\nopt\nmemory -nomap\nopt_clean\n"
"synth_xilinx -family %s -noiopad -noclkbuf -run map_memory:\n", family, family);
    close_file(fs, "synth.ys", f, &buf, &len);
}

static void write_tcl(Rtl *R, Files *fs) {
    const char *nm = R->name;
    const aedl_fw_plan *p = R->p;
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    fprintf(f,
"# vivado_synth.tcl -- Vivado synthesis of %s's RTL (generated by aedlc; not run by aedlc)\n"
"#   vivado -mode batch -source vivado_synth.tcl\n"
"# writes vivado_utilization.rpt and vivado_timing.rpt here.\n"
"set part \"%s\"\n"
"set clock_period %g\n"
"read_verilog [list %s.v", nm, R->t->part, R->t->clock_period, nm);
    for (int l = 0; l < p->nlayers; l++) fprintf(f, " %s_%s.v", nm, p->layers[l].name);
    fprintf(f, "]\n"
"synth_design -top %s -part $part -mode out_of_context\n"
"create_clock -name clk -period $clock_period [get_ports clk]\n"
"set_input_delay 0 -clock clk [get_ports -filter {DIRECTION == IN && NAME != clk}]\n"
"set_output_delay 0 -clock clk [get_ports -filter {DIRECTION == OUT}]\n"
"report_utilization -hierarchical -file vivado_utilization.rpt\n"
"report_timing_summary -file vivado_timing.rpt\n", nm);
    close_file(fs, "vivado_synth.tcl", f, &buf, &len);
}

/* resources.json from yosys' stat (one block per module) and ltp (the logic
   depth per module) and design.json (the pipeline the emitter planned). */

/* stat2json.awk: resources.json from design.json (the layers and their modules)
   and yosys' output in obj/stat.txt (stat: cells per module; ltp: logic depth). */
static void write_awk(Files *fs) {
    static const char text[] =
"# stat2json.awk -- resources.json from design.json and yosys' stat and ltp output\n"
"# (generated by aedlc; make synth runs it: awk -f stat2json.awk design.json obj/stat.txt)\n"
"FNR == NR {\n"
"  if (match($0, /\"family\": \"[^\"]*\"/)) family = substr($0, RSTART + 11, RLENGTH - 12)\n"
"  if (match($0, /\"module\": \"[^\"]*\"/)) {\n"
"    m = substr($0, RSTART + 11, RLENGTH - 12); match($0, /\"name\": \"[^\"]*\"/)\n"
"    name[++n] = substr($0, RSTART + 9, RLENGTH - 10); mod[n] = m\n"
"  }\n"
"  if (match($0, /\"model\": \"[^\"]*\"/)) top = substr($0, RSTART + 10, RLENGTH - 11)\n"
"  next\n"
"}\n"
"/^=== .* ===$/ { cur = $2; next }\n"
"/^ +[A-Za-z0-9_]+ +[0-9]+$/ && cur != \"\" {\n"
"  c = $1; k = $2\n"
"  if (c ~ /^LUT[1-6]$/ || c ~ /^SRL/) lut[cur] += k\n"
"  else if (c ~ /^FD/) ff[cur] += k\n"
"  else if (c ~ /^DSP/) dsp[cur] += k\n"
"  else if (c ~ /^CARRY/) carry[cur] += k\n"
"  else if (c ~ /^MUXF/) muxf[cur] += k\n"
"}\n"
"/^Longest topological path in / { m = $5; d = $6; gsub(/[^0-9]/, \"\", d); depth[m] = d }\n"
"END {\n"
"  printf \"{\\n  \\\"tool\\\": \\\"yosys synth_xilinx -family %s\\\",\\n\", family\n"
"  printf \"  \\\"note\\\": \\\"yosys estimates, not vendor place-and-route figures\\\",\\n  \\\"layers\\\": [\\n\"\n"
"  for (i = 1; i <= n; i++) {\n"
"    m = mod[i]\n"
"    printf \"    {\\\"name\\\": \\\"%s\\\", \\\"module\\\": \\\"%s\\\", \\\"lut\\\": %d, \\\"ff\\\": %d, \\\"dsp\\\": %d, \\\"carry\\\": %d, \\\"muxf\\\": %d, \\\"logic_depth\\\": %d}%s\\n\", \\\n"
"      name[i], m, lut[m], ff[m], dsp[m], carry[m], muxf[m], depth[m], i < n ? \",\" : \"\"\n"
"    tl += lut[m]; tf += ff[m]; td += dsp[m]; tc += carry[m]; tm += muxf[m]\n"
"  }\n"
"  tl += lut[top]; tf += ff[top]; td += dsp[top]; tc += carry[top]; tm += muxf[top]\n"
"  printf \"  ],\\n  \\\"top\\\": {\\\"lut\\\": %d, \\\"ff\\\": %d},\\n\", lut[top], ff[top]\n"
"  printf \"  \\\"total\\\": {\\\"lut\\\": %d, \\\"ff\\\": %d, \\\"dsp\\\": %d, \\\"carry\\\": %d, \\\"muxf\\\": %d}\\n}\\n\", tl, tf, td, tc, tm\n"
"}\n";
    add_file(fs, "stat2json.awk", xstrdup(text), strlen(text));
}

/* ---- the top module, design.json, README.md, tb_data ------------------------------------------ */

static int write_top(Rtl *R, Files *fs, Out *outs, Out *in, const LayerInfo *info, OutGroup *g, int *yw_out) {
    const aedl_fw_plan *p = R->p;
    const char *nm = R->name;
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    char tb[64];
    int yw = 0, cyc = 0, first = 0;
    double arr = 0;
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        Out *o = l < 0 ? in : &outs[l];
        g[k] = (OutGroup){l, o->n, o->t.width, yw, first, o->t.is_signed, aedl_fw_exp(o->t)};
        yw += o->n * o->t.width;
        first += o->n;
        if (o->cycle > cyc) cyc = o->cycle;
    }
    for (int k = 0; k < p->noutputs; k++) {
        Out *o = p->outputs[k] < 0 ? in : &outs[p->outputs[k]];
        if (o->cycle == cyc && o->arr > arr) arr = o->arr;
    }
    int latency = cyc + (arr > 0 || cyc == 0 ? 1 : 0);
    const IrNode *n0 = R->m->nnodes ? R->m->nodes[0] : NULL;
    fprintf(f,
"// %s.v -- model %s (%s), the latency design (generated by aedlc from the firmware plan)\n"
"// One event per clock (initiation interval 1); out_valid follows in_valid by %d cycles\n"
"// (%.3g ns at the target's clock of %g ns).\n"
"// x: %d inputs of %s, input j at bits [j*%d +: %d] (the mantissa: value * 2^%d)\n"
"// y: the outputs, element j of each output layer at [offset + j*W +: W]:\n",
            nm, nm, n0 && n0->file ? base_name(n0->file) : "?", latency, latency * R->t->clock_period, R->t->clock_period,
            p->d_in, tstr(p->in_t, tb, sizeof tb), p->in_t.width, p->in_t.width, -aedl_fw_exp(p->in_t));
    for (int k = 0; k < p->noutputs; k++)
        fprintf(f, "//   %s: %d x %s from bit %d\n", g[k].layer < 0 ? "the input" : p->layers[g[k].layer].name, g[k].n,
                tstr(g[k].layer < 0 ? p->in_t : p->layers[g[k].layer].res_t, tb, sizeof tb), g[k].off);
    fprintf(f,
"module %s (\n"
"  input  wire clk,\n"
"  input  wire in_valid,\n"
"  input  wire [%d:0] x,\n"
"  output wire out_valid,\n"
"  output wire [%d:0] y\n"
");\n", nm, p->d_in * p->in_t.width - 1, yw - 1);
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        const char *sfile;
        int line = src_of(R, a, &sfile);
        fprintf(f, "  wire [%d:0] %s_y;   // %s:%d\n", a->n_out * a->res_t.width - 1, a->name, sfile, line);
    }
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        fprintf(f, "  %s_%s u_%s (%s", nm, a->name, a->name, info[l].clk ? ".clk(clk), " : "");
        for (int k = 0; k < a->ninputs; k++) {
            int s = a->inputs[k];
            if (a->ninputs == 1) fprintf(f, ".x(%s%s), ", s < 0 ? "x" : p->layers[s].name, s < 0 ? "" : "_y");
            else fprintf(f, ".x%d(%s%s), ", k, s < 0 ? "x" : p->layers[s].name, s < 0 ? "" : "_y");
        }
        fprintf(f, ".y(%s_y));\n", a->name);
    }
    /* outputs from an earlier cycle are delayed to the last one (a masked score's count) */
    char (*yn)[AEDL_FW_NAME + 32] = xcalloc((size_t)p->noutputs, sizeof *yn);
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        Out *o = l < 0 ? in : &outs[l];
        snprintf(yn[k], sizeof yn[k], "%s%s", l < 0 ? "x" : p->layers[l].name, l < 0 ? "" : "_y");
        if (o->cycle < cyc) {
            int w = o->n * o->t.width;
            fprintf(f, "  // %s: %d cycle(s) early, delayed\n", yn[k], cyc - o->cycle);
            for (int c = 1; c <= cyc - o->cycle; c++) {
                fprintf(f, "  reg [%d:0] %s_d%d; always @(posedge clk) %s_d%d <= %s", w - 1, yn[k], c, yn[k], c, yn[k]);
                if (c > 1) fprintf(f, "_d%d", c - 1);
                fprintf(f, ";\n");
            }
            size_t e = strlen(yn[k]);
            snprintf(yn[k] + e, sizeof yn[k] - e, "_d%d", cyc - o->cycle);
        }
    }
    fprintf(f, "  wire [%d:0] y_c = {", yw - 1);
    for (int k = p->noutputs - 1; k >= 0; k--) fprintf(f, "%s%s", yn[k], k ? ", " : "");
    fprintf(f, "};\n");
    free(yn);
    /* the output register rank */
    if (latency > cyc) fprintf(f, "  reg [%d:0] y_r;\n  always @(posedge clk) y_r <= y_c;\n  assign y = y_r;\n", yw - 1);
    else fprintf(f, "  assign y = y_c;\n");
    if (latency == 1) fprintf(f, "  reg valid_r;\n  always @(posedge clk) valid_r <= in_valid;\n  assign out_valid = valid_r;\n");
    else fprintf(f, "  reg [%d:0] valid_r;\n  always @(posedge clk) valid_r <= {valid_r[%d:0], in_valid};\n  assign out_valid = valid_r[%d];\n",
                 latency - 1, latency - 2, latency - 1);
    fprintf(f, "endmodule\n");
    char rel[200];
    snprintf(rel, sizeof rel, "%s.v", nm);
    close_file(fs, rel, f, &buf, &len);
    *yw_out = yw;
    return latency;
}

static void json_str(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', o);
        if ((unsigned char)*s < 0x20) fprintf(o, "\\u%04x", *s);
        else fputc(*s, o);
    }
    fputc('"', o);
}

static void write_design_json(Rtl *R, Files *fs, const LayerInfo *info, int latency, const char *family) {
    const aedl_fw_plan *p = R->p;
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    fprintf(f, "{\n  \"model\": ");
    json_str(f, R->name);
    fprintf(f, ",\n  \"part\": ");
    json_str(f, R->t->part);
    fprintf(f, ",\n  \"family\": \"%s\",\n  \"clock_period_ns\": %g,\n  \"latency_cycles\": %d,\n  \"latency_ns\": %g,\n"
               "  \"initiation_interval\": 1,\n  \"multipliers\": \"%s\",\n"
               "  \"delay_model_ns\": {\"lut_level\": %g, \"carry_chain\": %g, \"carry_per_bit\": %g, \"register\": %g, \"dsp\": %g},\n  \"layers\": [\n",
            family, R->t->clock_period, latency, latency * R->t->clock_period, R->dsp ? "dsp" : "shift_add",
            T_LUT, T_CARRY4, T_CARRY, T_REG, T_DSP);
    for (int l = 0; l < p->nlayers; l++) {
        fprintf(f, "    {\"name\": ");
        json_str(f, p->layers[l].name);
        fprintf(f, ", \"op\": \"%s\", \"line\": %d, \"module\": \"%s_%s\", \"cycle_in\": %d, \"cycle_out\": %d, "
                   "\"longest_stage_ns\": %.3f, \"register_bits\": %ld, "
                   "\"module_path\": {\"lut_levels\": %d, \"carry_chains\": %d, \"carry_bits\": %d, \"widest_chain\": %d}}%s\n",
                op_names[p->layers[l].op], info[l].line, R->name, p->layers[l].name, info[l].cycle_in, info[l].cycle_out,
                info[l].worst, info[l].reg_bits, info[l].path.lut, info[l].path.chains, info[l].path.bits, info[l].path.widest,
                l + 1 < p->nlayers ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    close_file(fs, "design.json", f, &buf, &len);
}

static void write_readme(Rtl *R, Files *fs, int latency, const char *family) {
    const char *nm = R->name;
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    fprintf(f,
"# %s: RTL (generated by aedlc)\n\n"
"Verilog-2005 of the latency design of model `%s`, computed from the same firmware\n"
"plan as the HLS project and the emulator, bit for bit (docs/rtl.md of aedlc).\n"
"Latency %d cycles (%g ns at %g ns), one event per clock.  Constant products are %s.\n\n"
"- `%s.v`: the top module; `%s_LAYER.v`: one module per layer, named after the layers\n"
"- `%s_tb.v`, `tb_data/`: the testbench and its events\n"
"- `make sim`: Icarus Verilog (and Verilator when installed) on the events; prints\n"
"  `rtl sim: M of N events matched bit for bit`\n"
"- `make lint`: `verilator --lint-only -Wall`\n"
"- `make synth`: yosys `synth_xilinx -family %s` (`synth.ys`), one run per group of\n"
"  modules (`make -j N synth`: N at once), writes `resources.json`: LUT, FF, DSP and\n"
"  carry cells per layer and in total, the logic depth per layer.\n"
"  These are yosys estimates, not vendor place-and-route figures.\n"
"- `vivado_synth.tcl`: the same design through Vivado, for those who have it\n"
"- `design.json`: the pipeline (cycles per layer, the delay model)\n",
            nm, nm, latency, latency * R->t->clock_period, R->t->clock_period,
            R->dsp ? "`x * C` (DSP blocks)" : "shift-add trees of canonical signed digits", nm, nm, nm, family);
    close_file(fs, "README.md", f, &buf, &len);
}

/* tb_data/: the testbench events (aedl_fw_test_inputs, as the HLS project's)
   and the emulator's outputs for them, as exact decimals. */
static void write_tb_data(Rtl *R, Files *fs, int nev) {
    aedl_fw_plan *p = (aedl_fw_plan *)R->p;
    int d = p->d_in, o = p->d_out;
    int64_t *in = aedl_fw_test_inputs(p, nev);
    double *out = xmalloc(sizeof(double) * (size_t)nev * o);
    aedl_fw_run_from_mantissa(p, in, out, nev);
    char *buf; size_t len;
    FILE *f = fopen_mem(&buf, &len);
    int ein = aedl_fw_exp(p->in_t);
    for (int e = 0; e < nev; e++)
        for (int i = 0; i < d; i++) fprintf(f, "%.17g%c", ldexp((double)in[(size_t)e * d + i], ein), i + 1 < d ? ' ' : '\n');
    close_file(fs, "tb_data/tb_input_features.dat", f, &buf, &len);
    f = fopen_mem(&buf, &len);
    for (int e = 0; e < nev; e++)
        for (int j = 0; j < o; j++) fprintf(f, "%.17g%c", out[(size_t)e * o + j], j + 1 < o ? ' ' : '\n');
    close_file(fs, "tb_data/tb_output_predictions.dat", f, &buf, &len);
    free(in); free(out);
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static int write_all(const char *root, Files *fs) {
    for (int i = 0; i < fs->n; i++) {
        char path[4400], dir[4400];
        snprintf(path, sizeof path, "%s/%s", root, fs->f[i].rel);
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        aedl_atomic a;
        if (aedl_mkdirs(dir) != 0 || aedl_atomic_open(&a, path, "wb") != 0) goto fail;
        if (fwrite(fs->f[i].text, 1, fs->f[i].len, a.f) != fs->f[i].len) { aedl_atomic_abort(&a); goto fail; }
        if (aedl_atomic_commit(&a) != 0) goto fail;
        continue;
    fail:
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int emit_rtl(const IrProgram *prog, IrModel *m, const IrTarget *target, const EmitRtlOptions *opt) {
    (void)prog;
    Rtl R = {0};
    R.m = m;
    R.t = prec_target(target);
    R.name = m->name;
    R.dsp = opt->dsp;
    R.budget = R.t->clock_period - T_REG;
    if (!opt->plan) { fprintf(stderr, "aedlc: error: --emit rtl: %s\n", opt->plan_err ? opt->plan_err : "no firmware plan"); return -1; }
    R.p = opt->plan;
    check_plan(&R);
    if (R.errors) return -1;
    const aedl_fw_plan *p = R.p;
    const char *family = family_of(R.t->part);

    Out in = {p->d_in, p->in_t, xmalloc(sizeof(i128) * (size_t)p->d_in), xmalloc(sizeof(i128) * (size_t)p->d_in), 0, 0, {0, 0, 0, 0}};
    for (int j = 0; j < p->d_in; j++) { in.lo[j] = (i128)aedl_fixed_mant_min(p->in_t); in.hi[j] = (i128)aedl_fixed_mant_max(p->in_t); }
    Out *outs = xcalloc((size_t)(p->nlayers ? p->nlayers : 1), sizeof *outs);
    LayerInfo *info = xcalloc((size_t)(p->nlayers ? p->nlayers : 1), sizeof *info);
    Files fs = {0};
    for (int l = 0; l < p->nlayers; l++) {
        gen_layer(&R, l, outs, &in, &info[l]);
        char rel[200];
        snprintf(rel, sizeof rel, "%s_%s.v", R.name, p->layers[l].name);
        add_file(&fs, rel, info[l].text, strlen(info[l].text));
    }
    OutGroup g[AEDL_FW_MAX_INPUTS];
    int yw = 0;
    int latency = write_top(&R, &fs, outs, &in, info, g, &yw);
    write_tb(&R, &fs, latency, g, p->noutputs, yw);
    /* the yosys runs of make synth: each module larger than an eighth of the
       design (and than 64 kB of Verilog) alone, the others in groups up to that
       size (each run costs yosys about 3 s of start-up) */
    int nl = p->nlayers ? p->nlayers : 1, ngroups = 0;
    int *order = xmalloc(sizeof(int) * (size_t)nl), *gfirst = xmalloc(sizeof(int) * (size_t)nl);
    size_t *gsize = xcalloc((size_t)nl, sizeof(size_t)), total = 0;
    int *gof = xmalloc(sizeof(int) * (size_t)nl);
    for (int l = 0; l < p->nlayers; l++) {
        int k = l;
        while (k > 0 && strlen(info[order[k - 1]].text) < strlen(info[l].text)) { order[k] = order[k - 1]; k--; }
        order[k] = l;
        total += strlen(info[l].text);
    }
    size_t cap = total / 8 > 65536 ? total / 8 : 65536;
    for (int i = 0; i < p->nlayers; i++) {          /* first fit, largest first */
        size_t sz = strlen(info[order[i]].text);
        int g = 0;
        while (g < ngroups && gsize[g] + sz > cap) g++;
        if (g == ngroups) ngroups++;
        gsize[g] += sz;
        gof[i] = g;
    }
    int *sorted = xmalloc(sizeof(int) * (size_t)nl), k = 0;   /* order regrouped: group by group */
    for (int g = 0; g < ngroups; g++) {
        gfirst[g] = k;
        for (int i = 0; i < p->nlayers; i++) if (gof[i] == g) sorted[k++] = order[i];
    }
    write_makefile(&R, &fs, family, sorted, gfirst, ngroups);
    free(order); free(gfirst); free(gsize); free(gof); free(sorted);
    write_synth(&R, &fs, family);
    write_tcl(&R, &fs);
    write_awk(&fs);
    write_design_json(&R, &fs, info, latency, family);
    write_readme(&R, &fs, latency, family);
    write_tb_data(&R, &fs, opt->tb_events > 0 ? opt->tb_events : 200);

    char root[4200];
    snprintf(root, sizeof root, "%s/rtl", opt->outdir);
    int rc = write_all(root, &fs);
    for (int i = 0; i < fs.n; i++) { free(fs.f[i].rel); free(fs.f[i].text); }
    free(fs.f);
    for (int l = 0; l < p->nlayers; l++) { free(outs[l].lo); free(outs[l].hi); }
    free(outs); free(info); free(in.lo); free(in.hi);
    return rc;
}
