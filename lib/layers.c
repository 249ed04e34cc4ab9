/* layers.c — forward/backward kernels, initialisers and losses (see nn.h). */
#include "nn.h"

#include <cblas.h>
#include <math.h>
#include <string.h>
#include "util.h"

/* ---------------------------------------------------------------- buffers */

void aedl_zero(float *x, long n) {
    if (n > 0) memset(x, 0, (size_t)n * sizeof *x);
}

void aedl_f32_to_f64(double *out, const float *in, long n) {
    for (long i = 0; i < n; i++) out[i] = in[i];
}

void aedl_fill(float *x, long n, float v) {
    for (long i = 0; i < n; i++) x[i] = v;
}

/* ---------------------------------------------------------------- dense */

void aedl_dense_forward(float *out, const float *inp, const float *kernel, const float *bias,
                        int B, int n_in, int units) {
    if (B <= 0 || units <= 0) return;
    /* every row = bias: row 0, then doubling copies (log2 B calls, not B) */
    size_t row = (size_t)units * sizeof *out, done = 1;
    if (bias) memcpy(out, bias, row);
    else memset(out, 0, row);
    while (done < (size_t)B) {
        size_t k = done < (size_t)B - done ? done : (size_t)B - done;
        memcpy(out + done * (size_t)units, out, k * row);
        done += k;
    }
    if (n_in <= 0) return;
    /* out (B, units) += inp (B, n_in) @ kernel (n_in, units) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, units, n_in, 1.0f, inp, n_in,
                kernel, units, 1.0f, out, units);
}

void aedl_dense_backward(float *dinp, float *dkernel, float *dbias, const float *dout,
                         const float *inp, const float *kernel, int B, int n_in, int units) {
    if (B <= 0 || units <= 0) return;
    if (n_in > 0) {
        /* dinp (B, n_in) += dout (B, units) @ kernel^T (units, n_in) */
        if (dinp)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n_in, units, 1.0f, dout,
                        units, kernel, units, 1.0f, dinp, n_in);
        /* dkernel (n_in, units) += inp^T (n_in, B) @ dout (B, units) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_in, units, B, 1.0f, inp, n_in,
                    dout, units, 1.0f, dkernel, units);
    }
    if (dbias)
        for (int b = 0; b < B; b++) {
            const float *d = dout + (long)b * units;
            for (int j = 0; j < units; j++) dbias[j] += d[j];
        }
}

void aedl_dense_forward_f64(double *out, const double *inp, const double *kernel,
                            const double *bias, int B, int n_in, int units) {
    if (B <= 0 || units <= 0) return;
    for (int b = 0; b < B; b++) {
        double *o = out + (long)b * units;
        for (int j = 0; j < units; j++) o[j] = bias ? bias[j] : 0.0;
    }
    if (n_in <= 0) return;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, units, n_in, 1.0, inp, n_in,
                kernel, units, 1.0, out, units);
}

/* ---------------------------------------------------------------- batchnorm */

/* Per-channel sums over the batch run on row-major data in chunks of CH
   channels, with double accumulators on the stack (no allocation). */
enum { CH = 64 };

void aedl_batchnorm_forward_train(float *out, float *mean, float *var, const float *inp,
                                  const float *gamma, const float *beta, int B, int C,
                                  float eps) {
    if (B <= 0 || C <= 0) return;
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        double m[CH] = {0}, v[CH] = {0};
        for (int b = 0; b < B; b++) {
            const float *x = inp + (long)b * C + c0;
            for (int j = 0; j < nc; j++) m[j] += x[j];
        }
        for (int j = 0; j < nc; j++) m[j] /= B;
        for (int b = 0; b < B; b++) {
            const float *x = inp + (long)b * C + c0;
            for (int j = 0; j < nc; j++) { double d = x[j] - m[j]; v[j] += d * d; }
        }
        float scale[CH], mf[CH];
        for (int j = 0; j < nc; j++) {
            v[j] /= B;
            mean[c0 + j] = mf[j] = (float)m[j];
            var[c0 + j] = (float)v[j];
            scale[j] = (float)(gamma[c0 + j] / sqrt(v[j] + (double)eps));
        }
        for (int b = 0; b < B; b++) {
            const float *x = inp + (long)b * C + c0;
            float *o = out + (long)b * C + c0;
            for (int j = 0; j < nc; j++) o[j] = (x[j] - mf[j]) * scale[j] + beta[c0 + j];
        }
    }
}

void aedl_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                             const float *inp, const float *mean, const float *var,
                             const float *gamma, int B, int C, float eps) {
    if (B <= 0 || C <= 0) return;
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        double rstd[CH], sdy[CH] = {0}, sdyx[CH] = {0};
        for (int j = 0; j < nc; j++) rstd[j] = 1.0 / sqrt((double)var[c0 + j] + (double)eps);
        for (int b = 0; b < B; b++) {
            const float *x = inp + (long)b * C + c0, *dy = dout + (long)b * C + c0;
            for (int j = 0; j < nc; j++) {
                double xhat = (x[j] - mean[c0 + j]) * rstd[j];
                sdy[j] += dy[j];
                sdyx[j] += dy[j] * xhat;
            }
        }
        for (int j = 0; j < nc; j++) {
            dbeta[c0 + j] += (float)sdy[j];
            dgamma[c0 + j] += (float)sdyx[j];
        }
        if (!dinp) continue;
        /* dx = gamma * rstd * (dy - mean_b(dy) - xhat * mean_b(dy * xhat)) */
        for (int b = 0; b < B; b++) {
            const float *x = inp + (long)b * C + c0, *dy = dout + (long)b * C + c0;
            float *dx = dinp + (long)b * C + c0;
            for (int j = 0; j < nc; j++) {
                double xhat = (x[j] - mean[c0 + j]) * rstd[j];
                dx[j] += (float)(gamma[c0 + j] * rstd[j] *
                                 (dy[j] - sdy[j] / B - xhat * sdyx[j] / B));
            }
        }
    }
}

void aedl_batchnorm_update_moving(float *moving_mean, float *moving_var, const float *mean,
                                  const float *var, int C, float momentum) {
    for (int c = 0; c < C; c++) {
        moving_mean[c] = momentum * moving_mean[c] + (1.0f - momentum) * mean[c];
        moving_var[c] = momentum * moving_var[c] + (1.0f - momentum) * var[c];
    }
}

void aedl_batchnorm_fold(float *scale, float *shift, const float *gamma, const float *beta,
                         const float *moving_mean, const float *moving_var, int C, float eps) {
    for (int c = 0; c < C; c++) {
        scale[c] = gamma[c] / sqrtf(moving_var[c] + eps);
        shift[c] = beta[c] - moving_mean[c] * scale[c];
    }
}

void aedl_batchnorm_forward_infer(float *out, const float *inp, const float *scale,
                                  const float *shift, int B, int C) {
    for (int b = 0; b < B; b++) {
        const float *x = inp + (long)b * C;
        float *o = out + (long)b * C;
        for (int c = 0; c < C; c++) o[c] = scale[c] * x[c] + shift[c];
    }
}

void aedl_batchnorm_fold_f64(double *scale, double *shift, const float *gamma,
                             const float *beta, const float *moving_mean,
                             const float *moving_var, int C, float eps) {
    for (int c = 0; c < C; c++) {
        scale[c] = (double)gamma[c] / sqrt((double)moving_var[c] + (double)eps);
        shift[c] = (double)beta[c] - (double)moving_mean[c] * scale[c];
    }
}

void aedl_batchnorm_forward_infer_f64(double *out, const double *inp, const double *scale,
                                      const double *shift, int B, int C) {
    for (int b = 0; b < B; b++) {
        const double *x = inp + (long)b * C;
        double *o = out + (long)b * C;
        for (int c = 0; c < C; c++) o[c] = scale[c] * x[c] + shift[c];
    }
}

/* ---------------------------------------------------------------- activations */

void aedl_relu_forward(float *out, const float *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0.0f;
}

void aedl_relu_backward(float *dinp, const float *inp, const float *dout, long n) {
    for (long i = 0; i < n; i++)
        if (inp[i] > 0) dinp[i] += dout[i];
}

void aedl_leaky_relu_forward(float *out, const float *inp, long n, float alpha) {
    for (long i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : alpha * inp[i];
}

void aedl_leaky_relu_backward(float *dinp, const float *inp, const float *dout, long n,
                              float alpha) {
    for (long i = 0; i < n; i++) dinp[i] += inp[i] > 0 ? dout[i] : alpha * dout[i];
}

void aedl_clip_forward(float *out, const float *inp, long n, float lo, float hi) {
    for (long i = 0; i < n; i++) out[i] = inp[i] < lo ? lo : inp[i] > hi ? hi : inp[i];
}

void aedl_bound_forward(float *out, const float *inp, long rows, int n, const int *mode, const float *k) {
    for (long r = 0; r < rows; r++)
        for (int j = 0; j < n; j++) {
            float x = inp[r * n + j];
            out[r * n + j] = mode[j] == 2 ? k[j] * tanhf(x) : mode[j] == 1 && x < 0 ? 0.0f : x;
        }
}

void aedl_bound_backward(float *dinp, const float *inp, const float *dout, long rows, int n, const int *mode,
                         const float *k) {
    for (long r = 0; r < rows; r++)
        for (int j = 0; j < n; j++) {
            float x = inp[r * n + j], d = dout[r * n + j];
            if (mode[j] == 2) { float t = tanhf(x); dinp[r * n + j] += d * k[j] * (1.0f - t * t); }
            else if (mode[j] == 0 || x > 0) dinp[r * n + j] += d;
        }
}

void aedl_clip_backward(float *dinp, const float *inp, const float *dout, long n, float lo, float hi) {
    for (long i = 0; i < n; i++)
        if (inp[i] >= lo && inp[i] <= hi) dinp[i] += dout[i];
}

void aedl_abs_forward(float *out, const float *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = fabsf(inp[i]);
}

void aedl_abs_backward(float *dinp, const float *inp, const float *dout, long n) {
    for (long i = 0; i < n; i++)
        if (inp[i] > 0) dinp[i] += dout[i];
        else if (inp[i] < 0) dinp[i] -= dout[i];
}

void aedl_sigmoid_forward(float *out, const float *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = 1.0f / (1.0f + expf(-inp[i]));
}

void aedl_sigmoid_backward(float *dinp, const float *out, const float *dout, long n) {
    for (long i = 0; i < n; i++) dinp[i] += dout[i] * out[i] * (1.0f - out[i]);
}

void aedl_tanh_forward(float *out, const float *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void aedl_tanh_backward(float *dinp, const float *out, const float *dout, long n) {
    for (long i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

void aedl_softmax_forward(float *out, const float *inp, int B, int C) {
    for (int b = 0; b < B; b++) {
        const float *x = inp + (long)b * C;
        float *o = out + (long)b * C;
        float mx = -INFINITY;
        for (int c = 0; c < C; c++) mx = x[c] > mx ? x[c] : mx;
        double sum = 0;
        for (int c = 0; c < C; c++) { o[c] = expf(x[c] - mx); sum += o[c]; }
        float inv = (float)(1.0 / sum);
        for (int c = 0; c < C; c++) o[c] *= inv;
    }
}

void aedl_softmax_backward(float *dinp, const float *out, const float *dout, int B, int C) {
    for (int b = 0; b < B; b++) {
        const float *y = out + (long)b * C, *dy = dout + (long)b * C;
        float *dx = dinp + (long)b * C;
        double dot = 0;
        for (int c = 0; c < C; c++) dot += (double)dy[c] * y[c];
        for (int c = 0; c < C; c++) dx[c] += y[c] * (dy[c] - (float)dot);
    }
}

void aedl_linear_forward(float *out, const float *inp, long n) {
    if (out != inp) memmove(out, inp, (size_t)(n > 0 ? n : 0) * sizeof *out);
}

void aedl_linear_backward(float *dinp, const float *dout, long n) {
    for (long i = 0; i < n; i++) dinp[i] += dout[i];
}

void aedl_relu_forward_f64(double *out, const double *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0.0;
}

void aedl_leaky_relu_forward_f64(double *out, const double *inp, long n, double alpha) {
    for (long i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : alpha * inp[i];
}

void aedl_clip_forward_f64(double *out, const double *inp, long n, double lo, double hi) {
    for (long i = 0; i < n; i++) out[i] = inp[i] < lo ? lo : inp[i] > hi ? hi : inp[i];
}

void aedl_abs_forward_f64(double *out, const double *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = fabs(inp[i]);
}

void aedl_sigmoid_forward_f64(double *out, const double *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = 1.0 / (1.0 + exp(-inp[i]));
}

void aedl_tanh_forward_f64(double *out, const double *inp, long n) {
    for (long i = 0; i < n; i++) out[i] = tanh(inp[i]);
}

int aedl_act_table_index(double x, int shift) {
    double t = floor(ldexp(x, shift)) + AEDL_ACT_TABLE / 2;
    if (!(t >= 0)) return 0;                           /* NaN too */
    if (t > AEDL_ACT_TABLE - 1) return AEDL_ACT_TABLE - 1;
    return (int)t;
}

double aedl_act_table_x_value(int is_tanh, int i) {
    double x = ldexp((double)(i - AEDL_ACT_TABLE / 2), -(is_tanh ? AEDL_ACT_SHIFT_TANH : AEDL_ACT_SHIFT_SIGMOID));
    return is_tanh ? tanh(x) : 1.0 / (1.0 + exp(-x));
}

void aedl_bound_forward_f64(double *out, const double *inp, long rows, int n, const int *mode, const double *k,
                            const double *table) {
    for (long r = 0; r < rows; r++)
        for (int j = 0; j < n; j++) {
            double x = inp[r * n + j];
            out[r * n + j] = mode[j] == 2 ? k[j] * table[aedl_act_table_index(x, AEDL_ACT_SHIFT_TANH)]
                           : mode[j] == 1 && x < 0 ? 0.0 : x;
        }
}

void aedl_act_table_f64(double *out, const double *inp, long n, const double *table, int shift) {
    for (long i = 0; i < n; i++) out[i] = table[aedl_act_table_index(inp[i], shift)];
}

void aedl_softmax_forward_f64(double *out, const double *inp, int B, int C) {
    for (int b = 0; b < B; b++) {
        const double *x = inp + (long)b * C;
        double *o = out + (long)b * C;
        double mx = -INFINITY, sum = 0;
        for (int c = 0; c < C; c++) mx = x[c] > mx ? x[c] : mx;
        for (int c = 0; c < C; c++) { o[c] = exp(x[c] - mx); sum += o[c]; }
        for (int c = 0; c < C; c++) o[c] /= sum;
    }
}

void aedl_linear_forward_f64(double *out, const double *inp, long n) {
    if (out != inp) memmove(out, inp, (size_t)(n > 0 ? n : 0) * sizeof *out);
}

/* ---------------------------------------------------------------- dropout */

void aedl_dropout_forward(float *out, float *mask, const float *inp, long n, float rate,
                          aedl_rng *rng) {
    if (!(rate >= 0.0f && rate < 1.0f))
        aedl_fatal("dropout: rate %g is outside [0, 1)", (double)rate);
    float keep_scale = 1.0f / (1.0f - rate);
    for (long i = 0; i < n; i++) {
        int keep = rate == 0.0f || aedl_rng_uniform(rng) >= rate;
        mask[i] = keep ? keep_scale : 0.0f;
        out[i] = inp[i] * mask[i];
    }
}

void aedl_dropout_backward(float *dinp, const float *mask, const float *dout, long n) {
    for (long i = 0; i < n; i++) dinp[i] += dout[i] * mask[i];
}

/* ---------------------------------------------------------------- sample (VAE) */

void aedl_normal_draw(float *eps, long n, aedl_rng *rng) {
    for (long i = 0; i < n; i++) eps[i] = (float)aedl_rng_normal(rng);
}

void aedl_sample_forward(float *z, const float *mu, const float *lv, const float *eps, long n) {
    for (long i = 0; i < n; i++) z[i] = mu[i] + expf(0.5f * lv[i]) * eps[i];
}

void aedl_sample_backward(float *dmu, float *dlv, const float *dz, const float *mu, const float *lv,
                          const float *eps, long n, float kl_scale) {
    for (long i = 0; i < n; i++) {
        float s = expf(0.5f * lv[i]);
        if (dmu) dmu[i] += dz[i] + kl_scale * mu[i];
        if (dlv) dlv[i] += 0.5f * dz[i] * eps[i] * s + 0.5f * kl_scale * (s * s - 1.0f);
    }
}

double aedl_kl_rows(double *kl, const float *mu, const float *lv, int n, int Z) {
    double total = 0;
    for (int e = 0; e < n; e++) {
        double k = 0;
        for (int j = 0; j < Z; j++) {
            double m = mu[(size_t)e * Z + j], l = lv[(size_t)e * Z + j];
            k += 1.0 + l - m * m - exp(l);
        }
        k *= -0.5;
        if (kl) kl[e] = k;
        total += k;
    }
    return total;
}

void aedl_kl_per_event_f64(double *kl, const double *mu, const double *lv, int n, int Z) {
    for (int e = 0; e < n; e++) {
        double k = 0;
        for (int j = 0; j < Z; j++) {
            double m = mu[(size_t)e * Z + j], l = lv[(size_t)e * Z + j];
            k += 1.0 + l - m * m - exp(l);
        }
        kl[e] = -0.5 * k;
    }
}

void aedl_mu2_per_event_f64(double *s, const double *mu, int n, int Z) {
    for (int e = 0; e < n; e++) {
        double a = 0;
        for (int j = 0; j < Z; j++) a += mu[(size_t)e * Z + j] * mu[(size_t)e * Z + j];
        s[e] = a;
    }
}

/* ---------------------------------------------------------------- concat, add */

void aedl_concat_forward(float *out, const float *const *ins, const int *widths, int k, int B) {
    int total = 0;
    for (int j = 0; j < k; j++) total += widths[j];
    for (int b = 0; b < B; b++) {
        float *o = out + (long)b * total;
        for (int j = 0; j < k; j++) {
            memcpy(o, ins[j] + (long)b * widths[j], (size_t)widths[j] * sizeof *o);
            o += widths[j];
        }
    }
}

void aedl_concat_backward(float *const *dins, const float *dout, const int *widths, int k,
                          int B) {
    int total = 0;
    for (int j = 0; j < k; j++) total += widths[j];
    for (int b = 0; b < B; b++) {
        const float *d = dout + (long)b * total;
        for (int j = 0; j < k; j++) {
            if (dins[j]) {
                float *dx = dins[j] + (long)b * widths[j];
                for (int c = 0; c < widths[j]; c++) dx[c] += d[c];
            }
            d += widths[j];
        }
    }
}

void aedl_concat_forward_f64(double *out, const double *const *ins, const int *widths, int k,
                             int B) {
    int total = 0;
    for (int j = 0; j < k; j++) total += widths[j];
    for (int b = 0; b < B; b++) {
        double *o = out + (long)b * total;
        for (int j = 0; j < k; j++) {
            memcpy(o, ins[j] + (long)b * widths[j], (size_t)widths[j] * sizeof *o);
            o += widths[j];
        }
    }
}

void aedl_add_forward(float *out, const float *const *ins, int k, long n) {
    for (long i = 0; i < n; i++) {
        float s = 0;
        for (int j = 0; j < k; j++) s += ins[j][i];
        out[i] = s;
    }
}

void aedl_add_backward(float *const *dins, const float *dout, int k, long n) {
    for (int j = 0; j < k; j++)
        if (dins[j])
            for (long i = 0; i < n; i++) dins[j][i] += dout[i];
}

void aedl_add_forward_f64(double *out, const double *const *ins, int k, long n) {
    for (long i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < k; j++) s += ins[j][i];
        out[i] = s;
    }
}

/* ---------------------------------------------------------------- init */

static void uniform_fill(float *w, long n, double limit, aedl_rng *rng) {
    for (long i = 0; i < n; i++) w[i] = (float)((2.0 * aedl_rng_uniform(rng) - 1.0) * limit);
}

void aedl_init_he_uniform(float *w, long n, int fan_in, aedl_rng *rng) {
    if (fan_in <= 0) aedl_fatal("he_uniform: fan_in %d must be positive", fan_in);
    uniform_fill(w, n, sqrt(6.0 / fan_in), rng);
}

void aedl_init_glorot_uniform(float *w, long n, int fan_in, int fan_out, aedl_rng *rng) {
    if (fan_in + fan_out <= 0)
        aedl_fatal("glorot_uniform: fan_in + fan_out (%d + %d) must be positive", fan_in,
                   fan_out);
    uniform_fill(w, n, sqrt(6.0 / (fan_in + fan_out)), rng);
}

void aedl_init_zeros(float *w, long n) { aedl_zero(w, n); }

/* ---------------------------------------------------------------- losses */

double aedl_mse_loss(float *dout, const float *out, const float *target, int B, int F) {
    if (B <= 0 || F <= 0) return 0.0;
    double sum = 0, g = 2.0 / ((double)B * F);
    long n = (long)B * F;
    for (long i = 0; i < n; i++) {
        double d = (double)out[i] - target[i];
        sum += d * d;
        if (dout) dout[i] = (float)(g * d);
    }
    return sum / n;
}

double aedl_masked_mse_rows(float *dout, const float *out, const float *target,
                            const uint8_t *mask, int n, int F, int B) {
    double loss = 0;
    for (int b = 0; b < n; b++) {
        long o = (long)b * F;
        int cnt = 0;
        double sum = 0;
        for (int f = 0; f < F; f++)
            if (mask[o + f]) {
                double d = (double)out[o + f] - target[o + f];
                sum += d * d;
                cnt++;
            }
        if (cnt) loss += sum / cnt;
        if (dout) {
            double g = cnt ? 2.0 / ((double)B * cnt) : 0.0;
            for (int f = 0; f < F; f++)
                dout[o + f] = mask[o + f] ? (float)(g * ((double)out[o + f] - target[o + f]))
                                          : 0.0f;
        }
    }
    return loss;
}

double aedl_masked_mse_loss(float *dout, const float *out, const float *target,
                            const uint8_t *mask, int B, int F) {
    if (B <= 0 || F <= 0) return 0.0;
    return aedl_masked_mse_rows(dout, out, target, mask, B, F, B) / B;
}

/* Per-event scores, MSE_EV events at a time: each event's sum runs over its
   features in order, as one event alone would (the same result), while the
   events' independent sums fill the pipeline. */
enum { MSE_EV = 8 };
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define MSE_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define MSE_SIMD
#endif
#define MSE_ROWS(T, TT, SCORE_T, MASKED)                                                      \
    for (int b0 = 0; b0 < B; b0 += MSE_EV) {                                                  \
        int ne = B - b0 < MSE_EV ? B - b0 : MSE_EV;                                           \
        double sum[MSE_EV] = {0};                                                             \
        int cnt[MSE_EV] = {0};                                                                \
        const T *o = out + (long)b0 * F;                                                      \
        const TT *t = target + (long)b0 * F;                                                  \
        if (ne == MSE_EV)                                                                     \
            for (int f = 0; f < F; f++)                                                       \
                for (int e = 0; e < MSE_EV; e++) {                                            \
                    double d = (double)o[(long)e * F + f] - t[(long)e * F + f];               \
                    int on = MASKED ? mask[(long)(b0 + e) * F + f] != 0 : 1;                  \
                    sum[e] += on ? d * d : 0.0;                                               \
                    cnt[e] += on;                                                             \
                }                                                                             \
        else                                                                                  \
            for (int e = 0; e < ne; e++)                                                      \
                for (int f = 0; f < F; f++) {                                                 \
                    double d = (double)o[(long)e * F + f] - t[(long)e * F + f];               \
                    int on = MASKED ? mask[(long)(b0 + e) * F + f] != 0 : 1;                  \
                    sum[e] += on ? d * d : 0.0;                                               \
                    cnt[e] += on;                                                             \
                }                                                                             \
        for (int e = 0; e < ne; e++)                                                          \
            score[b0 + e] = cnt[e] ? (SCORE_T)(sum[e] / cnt[e]) : (SCORE_T)0;                 \
    }

/* aedl_mse_per_event and aedl_masked_mse_per_event (NAME), their _f64 forms, and the
   _f64_vs_f32 ones (double outputs, float targets) */
#define MSE_FUNCS(NAME, T, TT, ST)                                                                          \
    MSE_SIMD void aedl_##NAME(ST *score, const T *out, const TT *target, int B, int F) {                    \
        const uint8_t *mask = NULL;                                                                         \
        (void)mask;                                                                                         \
        MSE_ROWS(T, TT, ST, 0)                                                                              \
    }                                                                                                       \
    MSE_SIMD void aedl_masked_##NAME(ST *score, const T *out, const TT *target, const uint8_t *mask, int B, \
                                     int F) {                                                               \
        MSE_ROWS(T, TT, ST, 1)                                                                              \
    }
MSE_FUNCS(mse_per_event, float, float, float)
MSE_FUNCS(mse_per_event_f64, double, double, double)
MSE_FUNCS(mse_per_event_f64_vs_f32, double, float, double)
