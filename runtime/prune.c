/* prune.c — pruning schedules and magnitude masks (see prune.h). */
#include "prune.h"

#include <math.h>
#include <stdlib.h>
#include "util.h"

aedl_prune_schedule aedl_prune_constant(double target, long begin, long end, long frequency) {
    aedl_prune_schedule s = { AEDL_PRUNE_CONSTANT, target, target, begin, end, 1.0, frequency };
    return s;
}

aedl_prune_schedule aedl_prune_polynomial(double initial, double final, long begin, long end,
                                          double power, long frequency) {
    aedl_prune_schedule s = { AEDL_PRUNE_POLYNOMIAL, initial, final, begin, end, power,
                              frequency };
    return s;
}

double aedl_prune_sparsity(const aedl_prune_schedule *sc, long step) {
    if (sc->kind == AEDL_PRUNE_CONSTANT) return sc->final;
    double p = 1.0;
    if (sc->end > sc->begin) {
        p = (double)(step - sc->begin) / (double)(sc->end - sc->begin);
        p = p < 0 ? 0 : p > 1 ? 1 : p;
    }
    return sc->final + (sc->initial - sc->final) * pow(1.0 - p, sc->power);
}

bool aedl_prune_should_update(const aedl_prune_schedule *sc, long step) {
    if (sc->frequency <= 0) aedl_fatal("pruning: frequency %ld must be positive", sc->frequency);
    return step >= sc->begin && (step <= sc->end || sc->end < 0) &&
           (step - sc->begin) % sc->frequency == 0;
}

long aedl_prune_keep_count(long n, double sparsity) {
    if (n <= 0) return 0;
    long k = (long)rint((double)n * (1.0 - sparsity));   /* half to even */
    if (k < 1) k = 1;
    if (k > n) k = n;
    return k;
}

typedef struct { float a; long i; } mag_index;

/* Larger |w| first; NaN smallest; equal magnitudes by increasing index. */
static int by_magnitude(const void *pa, const void *pb) {
    const mag_index *x = pa, *y = pb;
    bool nx = isnan(x->a), ny = isnan(y->a);
    if (nx != ny) return nx ? 1 : -1;
    if (!nx && x->a != y->a) return x->a > y->a ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

void aedl_prune_update_mask(float *mask, const float *w, long n, double sparsity) {
    if (n <= 0) return;
    long k = aedl_prune_keep_count(n, sparsity);
    mag_index *v = xmalloc((size_t)n * sizeof *v);
    for (long i = 0; i < n; i++) { v[i].a = fabsf(w[i]); v[i].i = i; }
    qsort(v, (size_t)n, sizeof *v, by_magnitude);
    for (long i = 0; i < n; i++) mask[i] = 0.0f;
    for (long j = 0; j < k; j++) mask[v[j].i] = 1.0f;
    free(v);
}

void aedl_prune_mask_init(float *mask, long n) {
    for (long i = 0; i < n; i++) mask[i] = 1.0f;
}

void aedl_prune_apply(float *w, const float *mask, long n) {
    for (long i = 0; i < n; i++)
        if (mask[i] == 0.0f) w[i] = 0.0f;
}

double aedl_prune_mask_sparsity(const float *mask, long n) {
    if (n <= 0) return 0.0;
    long z = 0;
    for (long i = 0; i < n; i++) z += mask[i] == 0.0f;
    return (double)z / n;
}

double aedl_zero_fraction(const float *w, long n) {
    return aedl_prune_mask_sparsity(w, n);
}
