/* nn.h — layers, losses and initialisers of the training runtime.
 *
 * llm.c conventions: each layer is a pair X_forward / X_backward of free
 * functions over raw row-major float arrays with explicit sizes; arguments are
 * outputs first, then inputs, then weights, then sizes.  Backward functions
 * ACCUMULATE (+=) into every gradient they receive (dinp, dkernel, ...); zero
 * gradients with aedl_zero() before a backward pass.  A gradient pointer
 * documented as "or NULL" may be NULL when it is not needed (e.g. dinp of the
 * first layer).  Nothing here allocates.
 *
 * Shapes: B = events in the batch, n_in / units / C = features.  A tensor
 * (B, C) is B rows of C floats.
 *
 * Double-precision *_f64 functions are forward-only inference kernels for the
 * "quantized inference" (QI) of docs/semantics.md.
 *
 * One QAT training step for `dense d1(32, weight=q) -> batchnorm bn1 -> relu(quant=qa)`
 * (quant.h, optim.h, prune.h for the other calls):
 *   forward   aedl_quantize_f32(&q, d1_kernel, d1_kq, n_in*32, d1_kin);   // + bias
 *             aedl_dense_forward(d1_out, x, d1_kq, d1_bq, B, n_in, 32);
 *             aedl_batchnorm_forward_train(bn1_out, bn1_mean, bn1_var, d1_out, g, b, B, 32, 1e-3f);
 *             aedl_batchnorm_update_moving(mm, mv, bn1_mean, bn1_var, 32, 0.99f);
 *             aedl_quantize_relu_f32(&qa, bn1_out, a1, B*32, a1_in);
 *   loss      aedl_mse_loss(dy, y, x, B, F);
 *   backward  aedl_zero(grads, nparams); zero the activation gradients;
 *             aedl_quantize_backward(dbn1, a1_in, da1, B*32);
 *             aedl_batchnorm_backward(dd1, dg, db, dbn1, d1_out, bn1_mean, bn1_var, g, B, 32, 1e-3f);
 *             aedl_dense_backward(dx, d1_kernel_grad, d1_bias_grad, dd1, x, d1_kq, B, n_in, 32);
 *             aedl_ste_mask(d1_kernel_grad, d1_kin, n_in*32);            // + bias
 *   update    aedl_adam_step(&adam, params, grads, m, v, nparams);
 *             aedl_prune_apply(d1_kernel, d1_mask, n_in*32);
 */
#ifndef AEDL_NN_H
#define AEDL_NN_H

#include <stdint.h>
#include "rng.h"

/* ---------------------------------------------------------------- buffers */

/* x[0..n) = 0. */
void aedl_zero(float *x, long n);
/* out[i] = (double)in[i]; (n). */
void aedl_f32_to_f64(double *out, const float *in, long n);

/* ---------------------------------------------------------------- dense */

/* out = inp @ kernel + bias, through cblas_sgemm.
   out (B, units), inp (B, n_in), kernel (n_in, units) row-major (Keras layout),
   bias (units) or NULL (use_bias=false).  out must not alias inp. */
void aedl_dense_forward(float *out, const float *inp, const float *kernel, const float *bias,
                        int B, int n_in, int units);
/* dinp += dout @ kernel^T, dkernel += inp^T @ dout, dbias += sum over B of dout.
   dinp (B, n_in) or NULL, dkernel (n_in, units), dbias (units) or NULL,
   dout (B, units), inp (B, n_in), kernel (n_in, units). */
void aedl_dense_backward(float *dinp, float *dkernel, float *dbias, const float *dout,
                         const float *inp, const float *kernel, int B, int n_in, int units);
/* Double forward (cblas_dgemm): same shapes, bias may be NULL. */
void aedl_dense_forward_f64(double *out, const double *inp, const double *kernel,
                            const double *bias, int B, int n_in, int units);

/* ---------------------------------------------------------------- batchnorm */

/* Training mode (batch statistics, biased variance):
     mean_c = sum_b x / B,  var_c = sum_b (x - mean_c)^2 / B,
     out = gamma * (x - mean) / sqrt(var + eps) + beta.
   out (B, C), mean (C) and var (C) written (keep them for backward and for
   aedl_batchnorm_update_moving), inp (B, C), gamma (C), beta (C).  eps: Keras
   epsilon (default 1e-3).  Statistics are summed in double. */
void aedl_batchnorm_forward_train(float *out, float *mean, float *var, const float *inp,
                                  const float *gamma, const float *beta, int B, int C,
                                  float eps);
/* Backward of the training-mode forward.  dinp (B, C) or NULL, dgamma (C),
   dbeta (C) accumulate; dout (B, C), inp (B, C), mean (C), var (C) and gamma (C)
   are those of the forward, eps the same. */
void aedl_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                             const float *inp, const float *mean, const float *var,
                             const float *gamma, int B, int C, float eps);
/* Keras moving averages, after each training forward:
   moving = momentum * moving + (1 - momentum) * batch.  All (C).  Keras default
   momentum 0.99; moving_mean starts at 0, moving_var at 1. */
void aedl_batchnorm_update_moving(float *moving_mean, float *moving_var, const float *mean,
                                  const float *var, int C, float momentum);
/* Inference folding: scale = gamma / sqrt(moving_var + eps),
   shift = beta - moving_mean * scale.  scale, shift (C) written; inputs (C). */
void aedl_batchnorm_fold(float *scale, float *shift, const float *gamma, const float *beta,
                         const float *moving_mean, const float *moving_var, int C, float eps);
/* Inference: out = scale * inp + shift (per channel).  out, inp (B, C) (may alias);
   scale, shift (C), possibly quantized by the caller. */
void aedl_batchnorm_forward_infer(float *out, const float *inp, const float *scale,
                                  const float *shift, int B, int C);
/* The same in double: the fold is computed in double from the stored float
   parameters (scale = (double)gamma / sqrt((double)moving_var + (double)eps)); this is
   THE definition of the batchnorm's scale and shift that QI and the firmware use
   (quantize them with aedl_quantize_f64 afterwards). */
void aedl_batchnorm_fold_f64(double *scale, double *shift, const float *gamma,
                             const float *beta, const float *moving_mean,
                             const float *moving_var, int C, float eps);
void aedl_batchnorm_forward_infer_f64(double *out, const double *inp, const double *scale,
                                      const double *shift, int B, int C);

/* ---------------------------------------------------------------- activations */
/* Elementwise over n = B * C values; out may alias inp in forward.
   The backward of each needs the tensor named in its signature (inp or out). */

/* out = max(inp, 0).  Backward: dinp += dout where inp > 0. */
void aedl_relu_forward(float *out, const float *inp, long n);
void aedl_relu_backward(float *dinp, const float *inp, const float *dout, long n);
/* out = inp > 0 ? inp : alpha * inp (Keras LeakyReLU; aedl default alpha 0.3).
   Backward: dinp += dout * (inp > 0 ? 1 : alpha). */
void aedl_leaky_relu_forward(float *out, const float *inp, long n, float alpha);
void aedl_leaky_relu_backward(float *dinp, const float *inp, const float *dout, long n,
                              float alpha);
/* clip: out = min(max(inp, lo), hi).  Backward: dinp += dout where lo <= inp <= hi. */
void aedl_clip_forward(float *out, const float *inp, long n, float lo, float hi);
void aedl_clip_backward(float *dinp, const float *inp, const float *dout, long n, float lo, float hi);
/* abs: out = |inp|.  Backward: dinp += dout * sign(inp) (0 at 0). */
void aedl_abs_forward(float *out, const float *inp, long n);
void aedl_abs_backward(float *dinp, const float *inp, const float *dout, long n);
/* bound: rows of n features, feature j by mode[j]: 0 out = inp, 1 max(inp, 0),
   2 k[j] * tanh(inp).  Backward: dinp += dout * (1, inp > 0, k (1 - tanh^2)). */
void aedl_bound_forward(float *out, const float *inp, long rows, int n, const int *mode, const float *k);
void aedl_bound_backward(float *dinp, const float *inp, const float *dout, long rows, int n, const int *mode,
                         const float *k);
/* out = 1 / (1 + exp(-inp)).  Backward from out: dinp += dout * out * (1 - out). */
void aedl_sigmoid_forward(float *out, const float *inp, long n);
void aedl_sigmoid_backward(float *dinp, const float *out, const float *dout, long n);
/* out = tanh(inp).  Backward from out: dinp += dout * (1 - out^2). */
void aedl_tanh_forward(float *out, const float *inp, long n);
void aedl_tanh_backward(float *dinp, const float *out, const float *dout, long n);
/* Softmax over the last axis: out, inp (B, C).  Backward from out:
   dinp += out * (dout - sum_c dout * out) per row. */
void aedl_softmax_forward(float *out, const float *inp, int B, int C);
void aedl_softmax_backward(float *dinp, const float *out, const float *dout, int B, int C);
/* linear (identity): out = inp; dinp += dout.  A quantized linear is aedl_quantize_f32. */
void aedl_linear_forward(float *out, const float *inp, long n);
void aedl_linear_backward(float *dinp, const float *dout, long n);

/* Double-precision activations (inference only); same meaning, out may alias inp. */
void aedl_relu_forward_f64(double *out, const double *inp, long n);
void aedl_leaky_relu_forward_f64(double *out, const double *inp, long n, double alpha);
void aedl_clip_forward_f64(double *out, const double *inp, long n, double lo, double hi);
void aedl_abs_forward_f64(double *out, const double *inp, long n);
/* bound as the firmware computes it: tanh by its table (shift AEDL_ACT_SHIFT_TANH). */
void aedl_bound_forward_f64(double *out, const double *inp, long rows, int n, const int *mode, const double *k,
                            const double *table);
void aedl_sigmoid_forward_f64(double *out, const double *inp, long n);
void aedl_tanh_forward_f64(double *out, const double *inp, long n);
/* sigmoid and tanh as the firmware computes them (docs/semantics.md): a table of
   AEDL_ACT_TABLE entries over [-2^(10-shift), 2^(10-shift)) (sigmoid: shift 6,
   [-8, 8); tanh: shift 7, [-4, 4)); entry i holds f((i - 512) / 2^shift) rounded
   to the layer's result type; x reads entry floor(x * 2^shift) + 512, clamped to
   the table.  Exact for every x of a fixed-point type (x * 2^shift is exact). */
#define AEDL_ACT_TABLE 1024
#define AEDL_ACT_SHIFT_SIGMOID 6
#define AEDL_ACT_SHIFT_TANH 7
int aedl_act_table_index(double x, int shift);
/* f((i - 512) / 2^shift) in double: the value entry i rounds (tanh: is_tanh). */
double aedl_act_table_x_value(int is_tanh, int i);
void aedl_act_table_f64(double *out, const double *inp, long n, const double *table, int shift);
void aedl_softmax_forward_f64(double *out, const double *inp, int B, int C);
void aedl_linear_forward_f64(double *out, const double *inp, long n);

/* ---------------------------------------------------------------- dropout */

/* Training only (at inference dropout is the identity: aedl_linear_forward).
   Each element is kept with probability 1 - rate (uniform draw >= rate, drawn
   from rng in index order) and scaled by 1 / (1 - rate) (inverted dropout).
   out, inp (n) (may alias); mask (n) written: 0 or 1/(1-rate), for backward.
   0 <= rate < 1 (rate 0 keeps everything and draws nothing). */
void aedl_dropout_forward(float *out, float *mask, const float *inp, long n, float rate,
                          aedl_rng *rng);
/* dinp += dout * mask.  All (n). */
void aedl_dropout_backward(float *dinp, const float *mask, const float *dout, long n);

/* ---------------------------------------------------------------- sample (VAE) */

/* The reparameterisation z = mu + exp(logvar / 2) * eps, eps ~ N(0, 1) (training
   only; in evaluation and inference z = mu).  The draws come from rng in index
   order over the whole batch (aedl_normal_draw, before the rows are split among
   threads), so they do not depend on the number of threads. */
void aedl_normal_draw(float *eps, long n, aedl_rng *rng);
void aedl_sample_forward(float *z, const float *mu, const float *lv, const float *eps, long n);
/* dmu += dz + kl_scale * mu; dlv += dz * eps * exp(lv / 2) / 2 + kl_scale * (exp(lv) - 1) / 2:
   the reparameterisation's gradient and kl_scale times that of aedl_kl_rows' KL
   (kl_scale = beta / B: the KL's weight, averaged over the batch).  All (n). */
void aedl_sample_backward(float *dmu, float *dlv, const float *dz, const float *mu, const float *lv,
                          const float *eps, long n, float kl_scale);
/* KL(N(mu, exp(lv)) || N(0, 1)) = -1/2 sum_j (1 + lv_j - mu_j^2 - exp(lv_j)) per event of
   n events of Z values each: kl[e] (or NULL) and the sum over the events (double). */
double aedl_kl_rows(double *kl, const float *mu, const float *lv, int n, int Z);
void aedl_kl_per_event_f64(double *kl, const double *mu, const double *lv, int n, int Z);
/* sum_j mu_j^2 per event. */
void aedl_mu2_per_event_f64(double *s, const double *mu, int n, int Z);

/* ---------------------------------------------------------------- concat, add */

/* Concatenation along the last axis of k inputs: ins[j] (B, widths[j]),
   out (B, sum_j widths[j]). */
void aedl_concat_forward(float *out, const float *const *ins, const int *widths, int k, int B);
/* dins[j] (B, widths[j]) += the matching columns of dout (B, sum widths);
   dins[j] may be NULL. */
void aedl_concat_backward(float *const *dins, const float *dout, const int *widths, int k,
                          int B);
void aedl_concat_forward_f64(double *out, const double *const *ins, const int *widths, int k,
                             int B);
/* Elementwise sum of k inputs: out (n) = sum_j ins[j] (n). */
void aedl_add_forward(float *out, const float *const *ins, int k, long n);
/* dins[j] (n) += dout (n); dins[j] may be NULL. */
void aedl_add_backward(float *const *dins, const float *dout, int k, long n);
void aedl_add_forward_f64(double *out, const double *const *ins, int k, long n);

/* ---------------------------------------------------------------- init */

/* Keras initialisers, drawing uniform values from rng in index order:
   he_uniform: U(-l, l), l = sqrt(6 / fan_in);
   glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
   For a dense kernel (n_in, units): fan_in = n_in, fan_out = units, n = n_in * units. */
void aedl_init_he_uniform(float *w, long n, int fan_in, aedl_rng *rng);
void aedl_init_glorot_uniform(float *w, long n, int fan_in, int fan_out, aedl_rng *rng);
void aedl_init_zeros(float *w, long n);
/* Fills x[0..n) with v (batchnorm gamma and moving_var start at 1). */
void aedl_fill(float *x, long n, float v);

/* ---------------------------------------------------------------- losses */

/* MSE as Keras: mean over features then over the batch, i.e. the mean of all
   B * F squared errors.  Returns the loss (summed in double); writes (=, not +=)
   dout = d loss / d out = 2 (out - target) / (B F) unless dout is NULL.
   dout, out, target (B, F). */
double aedl_mse_loss(float *dout, const float *out, const float *target, int B, int F);
/* Masked MSE: an element with mask 0 does not count.  Normalisation: per event,
   the mean over its counted elements (n_b = number of mask != 0 in row b); then
   the mean over all B events.  An event with n_b = 0 contributes 0 (and still
   counts in B).  loss = (1/B) sum_b (1/n_b) sum_{f: mask!=0} (out - target)^2.
   dout written as its exact derivative (0 where mask is 0) unless NULL.
   dout, out, target, mask (B, F). */
double aedl_masked_mse_loss(float *dout, const float *out, const float *target,
                            const uint8_t *mask, int B, int F);
/* The same over n rows of a batch of B events (a thread's share): returns the
   sum over the rows of each event's mean over its counted elements; dout as
   aedl_masked_mse_loss for a batch of B.  dout, out, target, mask (n, F). */
double aedl_masked_mse_rows(float *dout, const float *out, const float *target,
                            const uint8_t *mask, int n, int F, int B);

/* Per-event anomaly scores: score[b] = mean over f of (out - target)^2.
   score (B), out, target (B, F).  The masked variant uses the per-event
   normalisation of aedl_masked_mse_loss (0 for an event with nothing counted). */
void aedl_mse_per_event(float *score, const float *out, const float *target, int B, int F);
void aedl_masked_mse_per_event(float *score, const float *out, const float *target,
                               const uint8_t *mask, int B, int F);
void aedl_mse_per_event_f64(double *score, const double *out, const double *target, int B,
                            int F);
void aedl_masked_mse_per_event_f64(double *score, const double *out, const double *target,
                                   const uint8_t *mask, int B, int F);
/* The same with float targets (each exact in a double: the same result as converted first). */
void aedl_mse_per_event_f64_vs_f32(double *score, const double *out, const float *target, int B, int F);
void aedl_masked_mse_per_event_f64_vs_f32(double *score, const double *out, const float *target,
                                          const uint8_t *mask, int B, int F);

#endif
