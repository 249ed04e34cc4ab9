/* test_train.c — pruning schedules and masks, Adam against a hand calculation,
 * and the callbacks on scripted loss sequences (expected actions worked out
 * from Keras' on_epoch_end logic). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "optim.h"
#include "prune.h"
#include "rng.h"

static int near(double a, double b, double rel) { return fabs(a - b) <= rel * fmax(fabs(b), 1e-300); }

/* ---------------------------------------------------------------- pruning */

static void schedules(void) {
    /* polynomial_decay(initial=0.05, final=0.5, begin=0, end=1000, power=3):
       s = 0.5 - 0.45 (1 - p)^3 */
    aedl_prune_schedule p = aedl_prune_polynomial(0.05, 0.5, 0, 1000, 3, 100);
    struct { long step; double want; } tab[] = {
        { -10, 0.05 }, { 0, 0.05 }, { 250, 0.31015625 },   /* 0.5 - 0.45 * 0.75^3 */
        { 500, 0.44375 }, { 900, 0.49955 }, { 1000, 0.5 }, { 5000, 0.5 } };
    int ok = 1;
    long bad_step = 0;
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (!near(aedl_prune_sparsity(&p, tab[k].step), tab[k].want, 1e-12)) { ok = 0; bad_step = tab[k].step; }
    CHECK(ok, "prune/polynomial_decay_sparsity", "wrong at step %ld: %.12g", bad_step,
          aedl_prune_sparsity(&p, bad_step));

    /* power 1, begin 100: linear from 0.2 to 0.8 over [100, 300] */
    aedl_prune_schedule l = aedl_prune_polynomial(0.2, 0.8, 100, 300, 1, 10);
    CHECK(near(aedl_prune_sparsity(&l, 200), 0.5, 1e-12) &&
              near(aedl_prune_sparsity(&l, 50), 0.2, 1e-12) &&
              near(aedl_prune_sparsity(&l, 150), 0.35, 1e-12),
          "prune/polynomial_power1", "got %g %g %g", aedl_prune_sparsity(&l, 200),
          aedl_prune_sparsity(&l, 50), aedl_prune_sparsity(&l, 150));

    aedl_prune_schedule c = aedl_prune_constant(0.75, 2000, -1, 100);
    CHECK(aedl_prune_sparsity(&c, 0) == 0.75 && aedl_prune_sparsity(&c, 123456) == 0.75,
          "prune/constant_sparsity", "got %g", aedl_prune_sparsity(&c, 0));

    /* update steps: s >= begin, s <= end or end < 0, (s - begin) % frequency == 0 */
    struct { const aedl_prune_schedule *s; long step; bool want; } up[] = {
        { &c, 1999, false }, { &c, 2000, true }, { &c, 2050, false }, { &c, 2100, true },
        { &c, 1000000, true }, { &c, 0, false },
        { &p, 0, true }, { &p, 50, false }, { &p, 1000, true }, { &p, 1100, false },
        { &l, 100, true }, { &l, 95, false }, { &l, 110, true }, { &l, 300, true },
        { &l, 310, false } };
    ok = 1;
    long bad = -1;
    for (size_t k = 0; k < sizeof up / sizeof up[0]; k++)
        if (aedl_prune_should_update(up[k].s, up[k].step) != up[k].want) { ok = 0; bad = (long)k; }
    CHECK(ok, "prune/update_steps", "case %ld wrong", bad);

    /* keep count: max(round(n (1 - s)), 1), half to even */
    CHECK(aedl_prune_keep_count(10, 0.75) == 2 && aedl_prune_keep_count(10, 0.25) == 8 &&
              aedl_prune_keep_count(10, 0.99) == 1 && aedl_prune_keep_count(1824, 0.5) == 912 &&
              aedl_prune_keep_count(57 * 32, 0.05) == 1733 && aedl_prune_keep_count(7, 0.0) == 7 &&
              aedl_prune_keep_count(7, 1.0) == 1,
          "prune/keep_count", "got %ld %ld %ld %ld %ld", aedl_prune_keep_count(10, 0.75),
          aedl_prune_keep_count(10, 0.25), aedl_prune_keep_count(10, 0.99),
          aedl_prune_keep_count(1824, 0.5), aedl_prune_keep_count(57 * 32, 0.05));
}

static void masks(void) {
    /* the mask keeps exactly the largest |w| */
    enum { N = 300 };
    float w[N], mask[N];
    aedl_rng r;
    aedl_rng_seed(&r, 5);
    for (int i = 0; i < N; i++) w[i] = (float)(aedl_rng_normal(&r));
    aedl_prune_update_mask(mask, w, N, 0.7);
    long kept = 0;
    float min_kept = INFINITY, max_dropped = 0;
    int binary = 1;
    for (int i = 0; i < N; i++) {
        if (mask[i] == 1.0f) { kept++; min_kept = fminf(min_kept, fabsf(w[i])); }
        else if (mask[i] == 0.0f) max_dropped = fmaxf(max_dropped, fabsf(w[i]));
        else binary = 0;
    }
    CHECK(binary && kept == 90 && min_kept > max_dropped, "prune/mask_largest",
          "kept %ld (want 90), smallest kept %g, largest dropped %g", kept, min_kept, max_dropped);
    CHECK(near(aedl_prune_mask_sparsity(mask, N), 0.7, 1e-12), "prune/mask_sparsity",
          "got %g", aedl_prune_mask_sparsity(mask, N));

    /* ties by index: |w| = 1 at 0, 1, 2, 4; keep round(6 * 0.5) = 3 -> indices 0, 1, 2 */
    float t[6] = { 1, -1, 1, 0.5f, -1, 0.25f }, tm[6];
    aedl_prune_update_mask(tm, t, 6, 0.5);
    float want[6] = { 1, 1, 1, 0, 0, 0 };
    CHECK(memcmp(tm, want, sizeof tm) == 0, "prune/ties_by_index", "mask %g %g %g %g %g %g",
          tm[0], tm[1], tm[2], tm[3], tm[4], tm[5]);
    /* NaN counts as smallest; at least one weight kept */
    float nw[3] = { NAN, 0.1f, -0.2f }, nm[3];
    aedl_prune_update_mask(nm, nw, 3, 0.99);
    CHECK(nm[0] == 0 && nm[1] == 0 && nm[2] == 1, "prune/nan_and_minimum_one", "mask %g %g %g",
          nm[0], nm[1], nm[2]);

    /* training-like loop: masked weights stay exactly zero through Adam updates */
    enum { M = 64 };
    float wt[M], g[M], m[M] = { 0 }, v[M] = { 0 }, mk[M];
    for (int i = 0; i < M; i++) wt[i] = (float)aedl_rng_normal(&r);
    aedl_prune_mask_init(mk, M);
    aedl_prune_schedule sc = aedl_prune_polynomial(0.0, 0.5, 0, 40, 3, 10);
    aedl_adam a = aedl_adam_new(0.01);
    int leaked = 0;
    for (long s = 0; s <= 60; s++) {
        if (aedl_prune_should_update(&sc, s))
            aedl_prune_update_mask(mk, wt, M, aedl_prune_sparsity(&sc, s));
        for (int i = 0; i < M; i++) g[i] = (float)aedl_rng_normal(&r);
        aedl_adam_step(&a, wt, g, m, v, M);
        aedl_prune_apply(wt, mk, M);
        for (int i = 0; i < M; i++) leaked += mk[i] == 0.0f && wt[i] != 0.0f;
    }
    CHECK(leaked == 0 && aedl_prune_mask_sparsity(mk, M) == 0.5 && aedl_zero_fraction(wt, M) == 0.5,
          "prune/masked_stay_zero", "%d leaks, mask sparsity %g, zero fraction %g", leaked,
          aedl_prune_mask_sparsity(mk, M), aedl_zero_fraction(wt, M));
}

/* ---------------------------------------------------------------- Adam */

static void adam(void) {
    /* lr 0.01, Keras defaults.  Step 1: lr_t = 0.01 * sqrt(1 - 0.999) / (1 - 0.9)
       = 0.0031622777; m = 0.1 g, v = 0.001 g^2, so w -= lr_t * 0.1 g / (sqrt(0.001) |g| + 1e-7),
       i.e. about 0.01 * sign(g): 1.0 -> 0.990000063245, -2.0 -> -2.00999968378, 0.5 stays
       (g = 0).  Step 2 (t = 2, lr_t = 0.0023531673): m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2
       -> 0.987336707921, -2.01999946012, 0.492558749421. */
    aedl_adam a = aedl_adam_new(0.01);
    int ok = a.beta1 == 0.9 && a.beta2 == 0.999 && a.eps == 1e-7 && a.t == 0;
    float w[3] = { 1.0f, -2.0f, 0.5f }, m[3] = { 0 }, v[3] = { 0 };
    float g1[3] = { 0.5f, 0.1f, 0.0f }, g2[3] = { -0.25f, 0.1f, 0.2f };
    aedl_adam_step(&a, w, g1, m, v, 3);
    ok &= near(w[0], 0.990000063245, 1e-6) && near(w[1], -2.00999968378, 1e-6) && w[2] == 0.5f &&
          near(m[0], 0.05, 1e-6) && near(v[0], 0.00025, 1e-5);
    CHECK(ok, "adam/step1", "w %.9g %.9g %.9g", w[0], w[1], w[2]);
    aedl_adam_step(&a, w, g2, m, v, 3);
    CHECK(a.t == 2 && near(w[0], 0.987336707921, 1e-6) && near(w[1], -2.01999946012, 1e-6) &&
              near(w[2], 0.492558749421, 1e-6),
          "adam/step2", "w %.9g %.9g %.9g", w[0], w[1], w[2]);
}

/* ---------------------------------------------------------------- callbacks */

static void reduce_lr(void) {
    /* factor 0.1, patience 2, min_delta 1e-4, cooldown 2, min_lr 1e-6 (the aedl example) */
    double vals[] = { 1.0, 0.9, 0.89995, 0.95, 0.8, 0.85, 0.86, 0.87, 0.88, 0.7,
                      0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81, 0.82 };
    /* epoch 2: 0.89995 is not below 0.9 - 1e-4 (wait 1); epoch 3 reduces (wait 2);
       epochs 4-5 cooldown (epoch 4 improves anyway); 5 waits, 6 reduces; 7-8 cooldown;
       9 improves; 10, 11 reduce to min_lr; after that lr == min_lr: no more changes. */
    int changed_at[] = { 3, 6, 11 };
    double lr_after[] = { 1e-4, 1e-5, 1e-6 };
    int waits[] = { 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4, 5 };
    aedl_reduce_lr s = aedl_reduce_lr_new(0.1, 2, 1e-4, 2, 1e-6);
    double lr = 1e-3;
    int k = 0, ok = 1, bad_epoch = -1;
    for (int e = 0; e < (int)(sizeof vals / sizeof vals[0]); e++) {
        int act = aedl_reduce_lr_step(&s, e, vals[e], &lr);
        int expect = k < 3 && changed_at[k] == e;
        if ((act == AEDL_CB_SET_LR) != expect || s.wait != waits[e]) { ok = 0; if (bad_epoch < 0) bad_epoch = e; }
        if (expect) {
            if (!near(lr, lr_after[k], 1e-6)) { ok = 0; if (bad_epoch < 0) bad_epoch = e; }
            k++;
        }
    }
    CHECK(ok && k == 3, "callback/reduce_lr_keras_sequence", "first difference at epoch %d (lr %g, wait %d)",
          bad_epoch, lr, s.wait);

    /* min_lr floor: patience 1, no cooldown, flat loss: 1e-3 -> 1e-4 -> 5e-5, then stays */
    s = aedl_reduce_lr_new(0.1, 1, 0, 0, 5e-5);
    lr = 1e-3;
    int acts[6];
    for (int e = 0; e < 6; e++) acts[e] = aedl_reduce_lr_step(&s, e, 1.0, &lr);
    CHECK(acts[0] == 0 && acts[1] == AEDL_CB_SET_LR && acts[2] == AEDL_CB_SET_LR && acts[3] == 0 &&
              acts[5] == 0 && lr == 5e-5,
          "callback/reduce_lr_min_lr", "actions %d %d %d %d, lr %g", acts[0], acts[1], acts[2],
          acts[3], lr);

    /* NaN is never an improvement: counts as waiting */
    s = aedl_reduce_lr_new(0.5, 2, 0, 0, 0);
    lr = 1.0;
    int a0 = aedl_reduce_lr_step(&s, 0, 1.0, &lr), a1 = aedl_reduce_lr_step(&s, 1, NAN, &lr),
        a2 = aedl_reduce_lr_step(&s, 2, NAN, &lr);
    CHECK(a0 == 0 && a1 == 0 && a2 == AEDL_CB_SET_LR && lr == 0.5, "callback/reduce_lr_nan",
          "actions %d %d %d, lr %g", a0, a1, a2, lr);
}

static void early_stopping(void) {
    /* patience 3, min_delta 0.01, restore best: improvement means value + 0.01 < best */
    double vals[] = { 1.0, 0.995, 0.98, 0.97, 0.975, 0.99, 0.5 };
    int want[] = { AEDL_CB_SNAPSHOT, 0, AEDL_CB_SNAPSHOT, 0, 0, AEDL_CB_STOP };
    aedl_early_stopping s = aedl_early_stopping_new(3, 0.01, true);
    int ok = 1, e, act = 0;
    for (e = 0; e < 6; e++) {
        act = aedl_early_stopping_step(&s, e, vals[e]);
        if (act != want[e]) { ok = 0; break; }
        if (act & AEDL_CB_STOP) break;
    }
    CHECK(ok && s.best_epoch == 2 && s.stopped_epoch == 5 &&
              aedl_early_stopping_end(&s) == AEDL_CB_RESTORE,
          "callback/early_stopping_keras_sequence", "epoch %d: action %d, best epoch %d",
          e, act, s.best_epoch);

    /* first epoch NaN: snapshot anyway (Keras keeps the first weights), then 1.0 improves */
    s = aedl_early_stopping_new(2, 0, true);
    int a0 = aedl_early_stopping_step(&s, 0, NAN), a1 = aedl_early_stopping_step(&s, 1, 1.0),
        a2 = aedl_early_stopping_step(&s, 2, 1.0), a3 = aedl_early_stopping_step(&s, 3, 1.0);
    CHECK(a0 == AEDL_CB_SNAPSHOT && a1 == AEDL_CB_SNAPSHOT && a2 == 0 && a3 == AEDL_CB_STOP &&
              s.best_epoch == 1,
          "callback/early_stopping_nan_first", "actions %d %d %d %d", a0, a1, a2, a3);

    /* patience 0, no restore: stops at the first epoch without improvement, never at epoch 0 */
    s = aedl_early_stopping_new(0, 0, false);
    a0 = aedl_early_stopping_step(&s, 0, 1.0);
    a1 = aedl_early_stopping_step(&s, 1, 2.0);
    CHECK(a0 == 0 && a1 == AEDL_CB_STOP && aedl_early_stopping_end(&s) == 0,
          "callback/early_stopping_patience0", "actions %d %d", a0, a1);

    /* training that ends without stopping still restores the best (Keras 3) */
    s = aedl_early_stopping_new(10, 0, true);
    aedl_early_stopping_step(&s, 0, 3.0);
    aedl_early_stopping_step(&s, 1, 1.0);
    aedl_early_stopping_step(&s, 2, 2.0);
    CHECK(s.best_epoch == 1 && aedl_early_stopping_end(&s) == AEDL_CB_RESTORE,
          "callback/early_stopping_restore_at_end", "best epoch %d", s.best_epoch);
}

static void terminate_on_nan(void) {
    aedl_terminate_on_nan s = aedl_terminate_on_nan_new();
    double losses[] = { 1.0, 0.5, 1e30, INFINITY, NAN };
    int a[5];
    for (int i = 0; i < 5; i++) a[i] = aedl_terminate_on_nan_step(&s, i, losses[i]);
    CHECK(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == AEDL_CB_STOP && a[4] == AEDL_CB_STOP &&
              s.terminated && s.at == 3,
          "callback/terminate_on_nan", "actions %d %d %d %d %d, at %ld", a[0], a[1], a[2], a[3],
          a[4], s.at);
}

int main(void) {
    schedules();
    masks();
    adam();
    reduce_lr();
    early_stopping();
    terminate_on_nan();
    return check_exit();
}
