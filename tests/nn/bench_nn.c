/* bench_nn.c — speed of the numeric runtime (run by `make bench`, never a test):
 *   1. the float quantizer (values per second, fixed<8,4,rnd_conv,sat_sym>);
 *   2. one QAT training step of the seed autoencoder
 *      57 -> 32 -> 16 -> 3 -> 16 -> 32 -> 57 (dense + batchnorm + quantized relu,
 *      quantized weights, MSE, Adam, pruning masks), batch 1024: events per second;
 *   3. the double-precision quantized inference of the same model: events per second.
 * Threads: OpenBLAS default (set OPENBLAS_NUM_THREADS to pin it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "optim.h"
#include "prune.h"
#include "quant.h"
#include "rng.h"
#include "util.h"

enum { NL = 6, BATCH = 1024 };
static const int dims[NL + 1] = { 57, 32, 16, 3, 16, 32, 57 };

typedef struct {
    float *kernel, *bias;            /* (n_in, units), (units) — in the flat block */
    float *gamma, *beta;             /* (units) batchnorm, hidden layers only */
    float *qk, *qb;                  /* quantized kernel and bias */
    uint8_t *ink, *inb;              /* STE masks */
    float *mask;                     /* pruning mask (n_in, units) */
    float *mm, *mv, *mean, *var;     /* batchnorm statistics */
    float *z, *y, *a;                /* dense out, bn out, activation out (B, units) */
    uint8_t *ina;                    /* activation STE mask */
    float *dz, *dy, *da;             /* gradients */
} layer;

int main(void) {
    aedl_rng rng;
    aedl_rng_seed(&rng, 1);

    /* 1. quantizer throughput */
    long nq = 1 << 22;
    float *qi = xmalloc(nq * sizeof(float)), *qo = xmalloc(nq * sizeof(float));
    uint8_t *qm = xmalloc(nq);
    for (long i = 0; i < nq; i++) qi[i] = (float)(aedl_rng_normal(&rng) * 4);
    aedl_fixed qt = aedl_qkeras_bits(8, 3, 1, 1);
    double t0 = aedl_now();
    int reps = 10;
    for (int r = 0; r < reps; r++) aedl_quantize_f32(&qt, qi, qo, nq, qm);
    double dt = aedl_now() - t0;
    printf("bench nn/quantize_f32: %.1f Mvalues/s (fixed<8,4,rnd_conv,sat_sym>, with STE mask)\n",
           reps * nq / dt / 1e6);
    free(qi); free(qo); free(qm);

    /* 2. training step of the seed AE */
    long np = 0;
    for (int l = 0; l < NL; l++) np += (long)dims[l] * dims[l + 1] + dims[l + 1] + (l < NL - 1 ? 2 * dims[l + 1] : 0);
    float *params = xcalloc(np, sizeof(float)), *grads = xcalloc(np, sizeof(float));
    float *m = xcalloc(np, sizeof(float)), *v = xcalloc(np, sizeof(float));
    layer L[NL];
    float *p = params;
    aedl_fixed wq = aedl_qkeras_bits(8, 3, 1, 1), aq = aedl_qkeras_relu(8, 3);
    for (int l = 0; l < NL; l++) {
        int ni = dims[l], nu = dims[l + 1];
        layer *y = &L[l];
        memset(y, 0, sizeof *y);
        y->kernel = p; p += (long)ni * nu;
        y->bias = p; p += nu;
        aedl_init_he_uniform(y->kernel, (long)ni * nu, ni, &rng);
        if (l < NL - 1) {
            y->gamma = p; p += nu; y->beta = p; p += nu;
            aedl_fill(y->gamma, nu, 1.0f);
            y->mm = xcalloc(nu, 4); y->mv = xmalloc(nu * 4); aedl_fill(y->mv, nu, 1.0f);
            y->mean = xmalloc(nu * 4); y->var = xmalloc(nu * 4);
            y->y = xmalloc((long)BATCH * nu * 4); y->dy = xmalloc((long)BATCH * nu * 4);
            y->a = xmalloc((long)BATCH * nu * 4); y->da = xmalloc((long)BATCH * nu * 4);
            y->ina = xmalloc((long)BATCH * nu);
        }
        y->qk = xmalloc((long)ni * nu * 4); y->ink = xmalloc((long)ni * nu);
        y->qb = xmalloc(nu * 4); y->inb = xmalloc(nu);
        y->mask = xmalloc((long)ni * nu * 4); aedl_prune_mask_init(y->mask, (long)ni * nu);
        y->z = xmalloc((long)BATCH * nu * 4); y->dz = xmalloc((long)BATCH * nu * 4);
    }
    float *x = xmalloc((long)BATCH * 57 * 4), *dx_out = xmalloc((long)BATCH * 57 * 4);
    for (long i = 0; i < (long)BATCH * 57; i++) x[i] = (float)aedl_rng_normal(&rng);
    aedl_adam adam = aedl_adam_new(1e-3);
    aedl_prune_schedule sched = aedl_prune_polynomial(0.05, 0.5, 0, 1000, 3, 100);

    int steps = 200;
    double loss = 0;
    t0 = aedl_now();
    for (int s = 0; s < steps; s++) {
        for (int l = 0; l < NL; l++)
            if (l != 2 && aedl_prune_should_update(&sched, s))
                aedl_prune_update_mask(L[l].mask, L[l].kernel, (long)dims[l] * dims[l + 1],
                                       aedl_prune_sparsity(&sched, s));
        const float *in = x;
        for (int l = 0; l < NL; l++) {
            layer *y = &L[l];
            int ni = dims[l], nu = dims[l + 1];
            aedl_quantize_f32(&wq, y->kernel, y->qk, (long)ni * nu, y->ink);
            aedl_quantize_f32(&wq, y->bias, y->qb, nu, y->inb);
            aedl_dense_forward(y->z, in, y->qk, y->qb, BATCH, ni, nu);
            if (l < NL - 1) {
                aedl_batchnorm_forward_train(y->y, y->mean, y->var, y->z, y->gamma, y->beta, BATCH, nu, 1e-3f);
                aedl_batchnorm_update_moving(y->mm, y->mv, y->mean, y->var, nu, 0.99f);
                aedl_quantize_relu_f32(&aq, y->y, y->a, (long)BATCH * nu, y->ina);
                in = y->a;
            }
        }
        loss = aedl_mse_loss(dx_out, L[NL - 1].z, x, BATCH, 57);
        aedl_zero(grads, np);
        const float *dout = dx_out;
        for (int l = NL - 1; l >= 0; l--) {
            layer *y = &L[l];
            int ni = dims[l], nu = dims[l + 1];
            if (l < NL - 1) {
                aedl_zero(y->dy, (long)BATCH * nu);
                aedl_quantize_backward(y->dy, y->ina, dout, (long)BATCH * nu);
                aedl_zero(y->dz, (long)BATCH * nu);
                aedl_batchnorm_backward(y->dz, y->gamma - params + grads, y->beta - params + grads,
                                        y->dy, y->z, y->mean, y->var, y->gamma, BATCH, nu, 1e-3f);
                dout = y->dz;
            }
            float *dprev = l > 0 ? L[l - 1].da : NULL;
            if (dprev) aedl_zero(dprev, (long)BATCH * ni);
            /* weight gradients straight through the quantizer: masked by ink/inb */
            float *dk = y->kernel - params + grads, *db = y->bias - params + grads;
            aedl_dense_backward(dprev, dk, db, dout, l > 0 ? L[l - 1].a : x, y->qk, BATCH, ni, nu);
            aedl_ste_mask(dk, y->ink, (long)ni * nu);
            aedl_ste_mask(db, y->inb, nu);
            dout = dprev;
        }
        aedl_adam_step(&adam, params, grads, m, v, np);
        for (int l = 0; l < NL; l++) aedl_prune_apply(L[l].kernel, L[l].mask, (long)dims[l] * dims[l + 1]);
    }
    dt = aedl_now() - t0;
    printf("bench nn/train_step_seed_ae: %.0f events/s (batch %d, QAT + batchnorm + pruning + Adam, %d params, %.2f ms/step, final loss %.4f)\n",
           steps * (double)BATCH / dt, BATCH, (int)np, 1e3 * dt / steps, loss);

    /* 3. quantized inference in double */
    int nev = 1 << 14;
    double *xd = xmalloc((long)nev * 57 * 8), *bufa = xmalloc((long)nev * 57 * 8),
           *bufb = xmalloc((long)nev * 57 * 8), *score = xmalloc(nev * 8);
    for (long i = 0; i < (long)nev * 57; i++) xd[i] = aedl_rng_normal(&rng);
    aedl_fixed inq = { 16, 7, true, AEDL_RND, AEDL_SAT }, bnq = { 16, 6, true, AEDL_RND_CONV, AEDL_SAT };
    double *kd[NL], *bd[NL], *sc[NL], *sh[NL];
    for (int l = 0; l < NL; l++) {
        long nk = (long)dims[l] * dims[l + 1];
        kd[l] = xmalloc(nk * 8); bd[l] = xmalloc(dims[l + 1] * 8);
        aedl_f32_to_f64(kd[l], L[l].kernel, nk);
        aedl_quantize_f64(&wq, kd[l], kd[l], nk, NULL);
        aedl_f32_to_f64(bd[l], L[l].bias, dims[l + 1]);
        aedl_quantize_f64(&wq, bd[l], bd[l], dims[l + 1], NULL);
        if (l < NL - 1) {
            sc[l] = xmalloc(dims[l + 1] * 8); sh[l] = xmalloc(dims[l + 1] * 8);
            aedl_batchnorm_fold_f64(sc[l], sh[l], L[l].gamma, L[l].beta, L[l].mm, L[l].mv, dims[l + 1], 1e-3f);
            aedl_quantize_f64(&bnq, sc[l], sc[l], dims[l + 1], NULL);
            aedl_quantize_f64(&bnq, sh[l], sh[l], dims[l + 1], NULL);
        }
    }
    t0 = aedl_now();
    aedl_quantize_f64(&inq, xd, bufa, (long)nev * 57, NULL);
    for (int l = 0; l < NL; l++) {
        aedl_dense_forward_f64(bufb, bufa, kd[l], bd[l], nev, dims[l], dims[l + 1]);
        if (l < NL - 1) {
            aedl_batchnorm_forward_infer_f64(bufb, bufb, sc[l], sh[l], nev, dims[l + 1]);
            aedl_quantize_relu_f64(&aq, bufb, bufa, (long)nev * dims[l + 1], NULL);
        } else {
            memcpy(bufa, bufb, (long)nev * 57 * 8);
        }
    }
    aedl_quantize_f64(&inq, xd, bufb, (long)nev * 57, NULL);
    aedl_mse_per_event_f64(score, bufa, bufb, nev, 57);
    dt = aedl_now() - t0;
    printf("bench nn/quantized_inference_f64: %.0f events/s (seed AE, %d events)\n", nev / dt, nev);
    return 0;
}
