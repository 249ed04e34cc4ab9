/* prune.h — magnitude pruning with the tfmot schedules (steps = optimizer steps,
 * i.e. batches, counted from 0).
 *
 * Use, per pruned weight tensor w (n values) with a float mask (n) of 1/0:
 *   aedl_prune_mask_init(mask, n);                          // all kept
 *   each step s, before the optimizer update:
 *     if (aedl_prune_should_update(&sched, s))
 *         aedl_prune_update_mask(mask, w, n, aedl_prune_sparsity(&sched, s));
 *   after every optimizer update:  aedl_prune_apply(w, mask, n);   // masked w = 0 exactly
 * Biases are never pruned.  The mask is what the weights file stores as `mask`.
 */
#ifndef AEDL_PRUNE_H
#define AEDL_PRUNE_H

#include <stdbool.h>

typedef enum {
    AEDL_PRUNE_CONSTANT,     /* constant_sparsity(target, begin=0, end=-1, frequency=100) */
    AEDL_PRUNE_POLYNOMIAL    /* polynomial_decay(initial, final, begin, end, power=3, frequency=100) */
} aedl_prune_kind;

typedef struct {
    aedl_prune_kind kind;
    double initial;      /* polynomial: initial sparsity */
    double final;        /* polynomial: final sparsity; constant: the target */
    long begin, end;     /* end < 0: no end (constant only) */
    double power;        /* polynomial exponent */
    long frequency;      /* > 0 */
} aedl_prune_schedule;

/* Schedules with the spec's defaults for the optional arguments. */
aedl_prune_schedule aedl_prune_constant(double target, long begin, long end, long frequency);
aedl_prune_schedule aedl_prune_polynomial(double initial, double final, long begin, long end,
                                          double power, long frequency);

/* Target sparsity at step s.  constant: target.  polynomial:
   final + (initial - final) * (1 - p)^power, p = clip((s - begin) / (end - begin), 0, 1)
   (p = 1 when end <= begin). */
double aedl_prune_sparsity(const aedl_prune_schedule *sc, long step);

/* True when the mask is recomputed at step s:
   s >= begin && (s <= end || end < 0) && (s - begin) % frequency == 0. */
bool aedl_prune_should_update(const aedl_prune_schedule *sc, long step);

/* Number of weights kept at sparsity s among n: max(round(n * (1 - s)), 1),
   round half to even as tf.math.round (0 when n == 0). */
long aedl_prune_keep_count(long n, double sparsity);

/* mask (n) := 1 for the keep_count(n, sparsity) largest |w| (n), 0 elsewhere;
   equal |w| are ordered by index (the lower index is kept first).  NaN weights
   count as smallest.  Allocates a scratch index array (called rarely). */
void aedl_prune_update_mask(float *mask, const float *w, long n, double sparsity);

/* mask (n) := 1. */
void aedl_prune_mask_init(float *mask, long n);

/* w[i] = 0 where mask[i] == 0.  w, mask (n). */
void aedl_prune_apply(float *w, const float *mask, long n);

/* Sparsity reached: the fraction of zeros in mask (n) (0 when n == 0). */
double aedl_prune_mask_sparsity(const float *mask, long n);
/* The fraction of weights equal to zero in w (n): what the firmware sees. */
double aedl_zero_fraction(const float *w, long n);

#endif
