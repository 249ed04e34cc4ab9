/* optim.c — Adam and callbacks (see optim.h). */
#include "optim.h"

#include <math.h>

aedl_adam aedl_adam_new(double lr) {
    aedl_adam a = { lr, 0.9, 0.999, 1e-7, 0 };
    return a;
}

void aedl_adam_step(aedl_adam *a, float *params, const float *grads, float *m, float *v,
                    long n) {
    a->t++;
    double lr_t = a->lr * sqrt(1.0 - pow(a->beta2, (double)a->t)) /
                  (1.0 - pow(a->beta1, (double)a->t));
    float lrf = (float)lr_t, c1 = (float)(1.0 - a->beta1), c2 = (float)(1.0 - a->beta2);
    float eps = (float)a->eps;
    for (long i = 0; i < n; i++) {
        float g = grads[i];
        m[i] += (g - m[i]) * c1;
        v[i] += (g * g - v[i]) * c2;
        params[i] -= lrf * m[i] / (sqrtf(v[i]) + eps);
    }
}

aedl_reduce_lr aedl_reduce_lr_new(double factor, int patience, double min_delta, int cooldown,
                                  double min_lr) {
    aedl_reduce_lr s = { factor, fabs(min_delta), min_lr, patience, cooldown, INFINITY, 0, 0 };
    return s;
}

int aedl_reduce_lr_step(aedl_reduce_lr *s, int epoch, double value, double *lr) {
    (void)epoch;
    int actions = AEDL_CB_NONE;
    if (s->cooldown_counter > 0) {
        s->cooldown_counter--;
        s->wait = 0;
    }
    if (value < s->best - s->min_delta) {       /* false for NaN */
        s->best = value;
        s->wait = 0;
    } else if (s->cooldown_counter <= 0) {
        s->wait++;
        if (s->wait >= s->patience) {
            /* Keras compares against min_lr in float32 */
            if ((float)*lr > (float)s->min_lr) {
                double nl = *lr * s->factor;
                *lr = nl > s->min_lr ? nl : s->min_lr;
                actions |= AEDL_CB_SET_LR;
                s->cooldown_counter = s->cooldown;
                s->wait = 0;
            }
        }
    }
    return actions;
}

aedl_early_stopping aedl_early_stopping_new(int patience, double min_delta, bool restore_best) {
    aedl_early_stopping s = { fabs(min_delta), patience, restore_best, INFINITY, 0, 0, 0, false };
    return s;
}

int aedl_early_stopping_step(aedl_early_stopping *s, int epoch, double value) {
    int actions = AEDL_CB_NONE;
    if (s->restore_best && !s->have_snapshot) {
        /* the current weights are the best until something improves */
        s->have_snapshot = true;
        s->best_epoch = epoch;
        actions |= AEDL_CB_SNAPSHOT;
    }
    s->wait++;
    if (value + s->min_delta < s->best) {       /* Keras: (value - (-min_delta)) < best; false for NaN */
        s->best = value;
        s->best_epoch = epoch;
        s->wait = 0;
        if (s->restore_best) actions |= AEDL_CB_SNAPSHOT;
        return actions;
    }
    if (s->wait >= s->patience && epoch > 0) {
        s->stopped_epoch = epoch;
        actions |= AEDL_CB_STOP;
    }
    return actions;
}

int aedl_early_stopping_end(const aedl_early_stopping *s) {
    return (s->restore_best && s->have_snapshot) ? AEDL_CB_RESTORE : AEDL_CB_NONE;
}

aedl_terminate_on_nan aedl_terminate_on_nan_new(void) {
    aedl_terminate_on_nan s = { false, -1 };
    return s;
}

int aedl_terminate_on_nan_step(aedl_terminate_on_nan *s, long batch, double loss) {
    if (isfinite(loss)) return AEDL_CB_NONE;
    if (!s->terminated) { s->terminated = true; s->at = batch; }
    return AEDL_CB_STOP;
}
