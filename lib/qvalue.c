/* qvalue.c — binary, ternary and quantized_po2 (qvalue.h). */
#include "qvalue.h"
#include <math.h>
#include <stddef.h>

/* QKeras' 2^round(log2(s + K.epsilon())) */
static float auto_po2(double s) {
    return (float)ldexp(1.0, (int)nearbyint(log2(s + (double)1e-7f)));
}

/* One channel: its values (in[k0 + i * cols], i < rows) into out. */
static void auto_channel(const aedl_qv *q, const float *inf, const double *ind, long k0, long rows, long cols,
                         float *outf, double *outd) {
    float mi = (float)ldexp(1.0, q->integer), levels = (float)(ldexp(1.0, q->bits) - 1);
    float top = (levels - 1) / 2;
#define X(i) ((inf ? inf[k0 + (i) * cols] : (float)ind[k0 + (i) * cols]) / mi)
#define Z(x, s) (((x) > 0 ? 1.0f : (x) < 0 ? -1.0f : 0.0f) * fminf(floorf(fabsf(x) / (s) + 0.5f), top))
    float mx = -INFINITY, mn = INFINITY;
    for (long i = 0; i < rows; i++) {
        float x = X(i);
        if (x > mx) mx = x;
        if (x < mn) mn = x;
    }
    float s = (mx - mn) / levels, prev = s;
    if (q->auto_po2) s = auto_po2(s);
    for (int pass = 0; pass < 5; pass++) {
        double qx = 0, qq = 0;
        for (long i = 0; i < rows; i++) {
            float x = X(i), z = Z(x, s);
            qx += (double)x * z;
            qq += (double)z * z;
        }
        prev = s;
        s = auto_po2((qx / (double)rows) / (qq / (double)rows + (double)1e-7f));
    }
    for (long i = 0; i < rows; i++) {
        float x = X(i);
        double v = (double)mi * Z(x, prev) * s;
        if (outf) outf[k0 + i * cols] = (float)v;
        else outd[k0 + i * cols] = v;
    }
#undef X
#undef Z
}

void aedl_qv_auto_f32(const aedl_qv *q, const float *in, float *out, long n, long cols, uint8_t *inside) {
    for (long c = 0; c < cols; c++) auto_channel(q, in, NULL, c, n / cols, cols, out, NULL);
    if (inside)
        for (long i = 0; i < n; i++) inside[i] = 1;
}

void aedl_qv_auto_f64(const aedl_qv *q, const double *in, double *out, long n, long cols) {
    for (long c = 0; c < cols; c++) auto_channel(q, NULL, in, c, n / cols, cols, NULL, out);
}

void aedl_qv_po2_range(int bits, double max_value, int log2_floor, int *min_exp, int *max_exp) {
    int eb = bits - 1 - (max_value == 0 || max_value > 1);
    *min_exp = -(1 << eb);
    *max_exp = (1 << eb) - 1;
    if (max_value > 0) {        /* no value above max_value's power of two */
        int e;
        frexp(max_value, &e);
        int top = log2_floor ? e - 1 : (int)nearbyint(log2(max_value));
        if (top < *max_exp) *max_exp = top < *min_exp ? *min_exp : top;
    }
}

double aedl_qv_apply(const aedl_qv *q, float x) {
    switch (q->kind) {
    case AEDL_QV_BINARY: {
        double k = x >= 0 ? 1.0 : -1.0;
        return q->alpha * (q->use_01 ? (k + 1) / 2 : k);
    }
    case AEDL_QV_TERNARY:
        return fabsf(x) >= q->threshold ? (x > 0 ? q->alpha : x < 0 ? -q->alpha : 0.0) : 0.0;
    case AEDL_QV_PO2: {
        double sign = x >= 0 ? 1.0 : -1.0, a = fabs((double)x), e;
        if (a < (double)1e-7f) {
            e = q->min_exp;
        } else {
            if (q->max_value > 0 && a >= q->max_value) a = q->max_value;
            e = q->log2_floor ? floor(log2(a)) : nearbyint(log2(a));
            if (e < q->min_exp) e = q->min_exp;
            if (e > q->max_exp) e = q->max_exp;
        }
        return sign * ldexp(1.0, (int)e);
    }
    case AEDL_QV_BITS_AUTO:     /* a tensor's map: aedl_qv_auto_f32 */
    case AEDL_QV_NONE:
        break;
    }
    return x;
}

void aedl_qv_f32(const aedl_qv *q, const float *in, float *out, long n, uint8_t *inside) {
    for (long i = 0; i < n; i++) {
        out[i] = (float)aedl_qv_apply(q, in[i]);
        if (inside) inside[i] = 1;
    }
}

void aedl_qv_f64(const aedl_qv *q, const double *in, double *out, long n) {
    for (long i = 0; i < n; i++) out[i] = aedl_qv_apply(q, (float)in[i]);
}
