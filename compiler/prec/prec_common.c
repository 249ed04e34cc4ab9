/* prec_common.c — helpers of the precision passes (see prec_common.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prec_common.h"
#include "nn.h"
#include "util.h"

#define LIM ((i128)1 << 120)

IrPrec *prec_get(IrNode *n) {
    if (!n->prec) {
        n->prec = xcalloc(1, sizeof(IrPrec));
        n->prec->widest_neuron = -1;
    }
    return n->prec;
}

/* A formatted, malloc'ed string. */
static char *vstrf(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *s = xmalloc((size_t)k + 1);
    vsnprintf(s, (size_t)k + 1, fmt, ap);
    return s;
}

char *prec_strf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vstrf(fmt, ap);
    va_end(ap);
    return s;
}

void prec_note(IrPrec *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vstrf(fmt, ap);
    va_end(ap);
    if (p->note && strstr(p->note, s)) { free(s); return; }
    if (!p->note) { p->note = s; return; }
    char *t = prec_strf("%s; %s", p->note, s);
    free(p->note); free(s);
    p->note = t;
}

const IrTarget *prec_target(const IrTarget *t) {
    static IrTarget def;
    if (t) return t;
    if (!def.part) ir_target_default(&def);
    return &def;
}

aedl_fixed prec_default_type(const IrTarget *t) {
    t = prec_target(t);
    if (t->default_type.width > 0) return t->default_type;
    IrTarget def;
    ir_target_default(&def);
    return def.default_type;
}

aedl_fixed prec_bn_param_type(void) { return (aedl_fixed){16, 6, true, AEDL_RND_CONV, AEDL_SAT}; }

aedl_fixed prec_plain(aedl_fixed t) { t.rnd = AEDL_TRN; t.ovf = AEDL_WRAP; return t; }

int prec_mag_bits(aedl_fixed t) { return t.width - (t.is_signed ? 1 : 0); }

static int bits_unsigned(i128 v) {   /* bits of v >= 0 */
    int b = 0;
    while (v > 0) { b++; v >>= 1; }
    return b;
}

aedl_fixed prec_type_for(i128 lo, i128 hi, int e) {
    aedl_fixed t = {0, 0, false, AEDL_TRN, AEDL_WRAP};
    int w;
    if (lo >= 0) {
        w = bits_unsigned(hi);
        if (w < 1) w = 1;
    } else {
        t.is_signed = true;
        int wl = bits_unsigned(-lo - 1) + 1;          /* -2^(w-1) <= lo */
        int wh = hi > 0 ? bits_unsigned(hi) + 1 : 1;  /* hi <= 2^(w-1) - 1 */
        w = wl > wh ? wl : wh;
    }
    if (w > 64 || (!t.is_signed && w > 63)) return t;   /* the emulator's mantissas are int64 */
    t.width = w;
    t.integer = w + e;
    return t;
}

i128 prec_shl(i128 m, int k, bool *ovf) {
    if (m == 0) return 0;
    if (k < 0 || k > 120) { *ovf = true; return 0; }
    if (m >= (LIM >> k) || m <= -(LIM >> k)) { *ovf = true; return 0; }
    return m * ((i128)1 << k);
}
i128 prec_mul(i128 a, i128 b, bool *ovf) {
    i128 r;
    if (__builtin_mul_overflow(a, b, &r) || r >= LIM || r <= -LIM) { *ovf = true; return 0; }
    return r;
}
i128 prec_add(i128 a, i128 b, bool *ovf) {
    i128 r = a + b;   /* operands are within 2^120: no wrap */
    if (r >= LIM || r <= -LIM) { *ovf = true; return 0; }
    return r;
}

int prec_tz(i128 m) {
    if (m == 0) return 0;
    int k = 0;
    while (!(m & 1)) { m >>= 1; k++; }
    return k;
}

void prec_type_range(aedl_fixed t, i128 *lo, i128 *hi) {
    *lo = aedl_fixed_result_min(t);
    *hi = aedl_fixed_mant_max(t);
}

i128 prec_cast(i128 m, int e, aedl_fixed t) { return aedl_fixed_quantize(t, m, -e); }

void prec_cast_range(i128 lo, i128 hi, int e, aedl_fixed t, i128 *qlo, i128 *qhi) {
    if (t.ovf == AEDL_SAT || t.ovf == AEDL_SAT_SYM) {   /* monotone */
        *qlo = prec_cast(lo, e, t); *qhi = prec_cast(hi, e, t);
        return;
    }
    /* wrap / sat_zero: round without overflow, then see whether both ends stay inside */
    aedl_fixed wide = t;
    wide.width = 120; wide.integer = t.integer + (120 - t.width); wide.ovf = AEDL_SAT; wide.is_signed = true;
    i128 rl = prec_cast(lo, e, wide), rh = prec_cast(hi, e, wide), tl, th;
    prec_type_range(t, &tl, &th);
    if (rl >= tl && rh <= th) { *qlo = rl; *qhi = rh; return; }
    if (t.ovf == AEDL_WRAP) { *qlo = tl; *qhi = th; return; }
    /* sat_zero: the values inside, and 0 for those outside */
    *qlo = rl < tl ? tl : rl;
    *qhi = rh > th ? th : rh;
    if (*qlo > 0) *qlo = 0;
    if (*qhi < 0) *qhi = 0;
    if (*qlo > *qhi) { *qlo = 0; *qhi = 0; }
}

double prec_val(i128 m, int e) { return ldexp((double)m, e); }

int64_t *prec_quant_kernel(const IrParams *p, aedl_fixed t) {
    long n = (long)p->n_in * p->units;
    int64_t *w = xmalloc(sizeof(int64_t) * (n ? n : 1));
    for (long k = 0; k < n; k++) w[k] = (int64_t)aedl_fixed_from_double(t, weights_kernel(p, k));
    return w;
}

int64_t *prec_quant_bias(const IrParams *p, aedl_fixed t) {
    if (!p->bias) return NULL;
    int64_t *b = xmalloc(sizeof(int64_t) * (p->units ? p->units : 1));
    for (int j = 0; j < p->units; j++) b[j] = (int64_t)aedl_fixed_from_double(t, (double)p->bias[j]);
    return b;
}

void prec_bn_params(const IrNode *bn, aedl_fixed t, int64_t **scale, int64_t **shift) {
    const IrParams *p = bn->params;
    int C = p->units;
    double *s = xmalloc(sizeof(double) * (C ? C : 1)), *h = xmalloc(sizeof(double) * (C ? C : 1));
    aedl_batchnorm_fold_f64(s, h, p->gamma, p->beta, p->moving_mean, p->moving_variance, C, (float)bn->epsilon);
    *scale = xmalloc(sizeof(int64_t) * (C ? C : 1));
    *shift = xmalloc(sizeof(int64_t) * (C ? C : 1));
    for (int j = 0; j < C; j++) {
        (*scale)[j] = (int64_t)aedl_fixed_from_double(t, s[j]);
        (*shift)[j] = (int64_t)aedl_fixed_from_double(t, h[j]);
    }
    free(s); free(h);
}

aedl_fixed prec_act_table_type(IrOp op, const IrTarget *t) {
    int w = prec_default_type(t).width;
    return op == OP_TANH ? (aedl_fixed){w, 1, true, AEDL_RND, AEDL_SAT} : (aedl_fixed){w, 0, false, AEDL_RND, AEDL_SAT};
}

bool prec_is_sum(const IrNode *n) {
    return ir_op_is(n->op, IR_K_SUMS);
}

int prec_consumers(const IrModel *m, const IrNode *n, IrNode **first) {
    int c = 0;
    if (first) *first = NULL;
    for (int i = 0; i < m->nnodes; i++)
        for (int k = 0; k < m->nodes[i]->ninputs; k++)
            if (m->nodes[i]->inputs[k] == n) { if (!c && first) *first = m->nodes[i]; c++; }
    for (int k = 0; k < m->noutputs; k++) if (m->outputs[k] == n) c++;
    return c;
}

bool prec_has_params(const IrNode *n) {
    if (!ir_op_is(n->op, IR_K_PARAMS)) return true;
    return n->params != NULL;
}

char *prec_type_str(aedl_fixed t, char *buf, int n) {
    aedl_fixed_format(buf, (size_t)n, t);
    return buf;
}

/* m * 2^e as an exact decimal ("-37.25", "0.001953125"). */
static void dyadic_str(int64_t m, int e, char *buf, int n) {
    if (e >= 0) {
        if (e < 60 && (m < 0 ? -(i128)m : (i128)m) < ((i128)1 << (126 - e))) {
            i128 v = (i128)m * ((i128)1 << e);
            char tmp[64]; int k = 0; bool neg = v < 0;
            unsigned __int128 u = neg ? (unsigned __int128)(-v) : (unsigned __int128)v;
            do { tmp[k++] = (char)('0' + (int)(u % 10)); u /= 10; } while (u);
            int o = 0;
            if (neg && o < n - 1) buf[o++] = '-';
            while (k && o < n - 1) buf[o++] = tmp[--k];
            buf[o] = 0;
        } else snprintf(buf, (size_t)n, "%.17g", ldexp((double)m, e));
        return;
    }
    int k = -e;
    if (k > 100) { snprintf(buf, (size_t)n, "%.17g", ldexp((double)m, e)); return; }
    bool neg = m < 0;
    unsigned __int128 a = neg ? (unsigned __int128)(-(i128)m) : (unsigned __int128)m;
    unsigned __int128 ip = k >= 128 ? 0 : a >> k;
    unsigned __int128 fr = a - (ip << k), one = (unsigned __int128)1 << k;
    char tmp[64]; int t = 0;
    do { tmp[t++] = (char)('0' + (int)(ip % 10)); ip /= 10; } while (ip);
    int o = 0;
    if (neg && o < n - 1) buf[o++] = '-';
    while (t && o < n - 1) buf[o++] = tmp[--t];
    if (fr && o < n - 1) buf[o++] = '.';
    while (fr && o < n - 1) {          /* k <= 100 digits, each exact */
        fr *= 10;
        buf[o++] = (char)('0' + (int)(fr >> k));
        fr &= one - 1;
    }
    buf[o] = 0;
}

char *prec_range_str(IrRange r, char *buf, int n) {
    char lo[160], hi[160];
    dyadic_str(r.lo, r.exp, lo, sizeof lo);
    dyadic_str(r.hi, r.exp, hi, sizeof hi);
    snprintf(buf, (size_t)n, "[%s, %s] on step 2^%d", lo, hi, r.exp);
    return buf;
}

void prec_free(IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) {
        IrPrec *p = m->nodes[i]->prec;
        if (!p) continue;
        free(p->inputs); free(p->wm); free(p->bm);
        free(p->why_weight); free(p->why_bias); free(p->why_accum); free(p->why_result);
        free(p->note); free(p->cons_why);
        free(p);
        m->nodes[i]->prec = NULL;
    }
}
