/* train_par.h — the data-parallel training step.
 *
 * A team of threads splits each batch by rows: thread t runs the forward and
 * backward pass of the generated model on its rows [lo, lo + n) of the shared
 * (B, C) activation buffers.  Two things need the whole batch:
 *   - batchnorm's batch statistics and the sums of its backward: each thread
 *     writes its partial sums, a barrier, then every thread combines the
 *     partials in thread order (0, 1, ...) into its own copy;
 *   - parameter gradients: each thread accumulates into its own gradient
 *     block; the driver adds the blocks in thread order after the step.
 * So a run is deterministic for a given number of threads (and bit for bit
 * the same as the serial code for one thread, up to the summation orders
 * documented in train_par.c).
 *
 *   aedl_team *t = aedl_team_new(2);
 *   aedl_team_run(t, step, &ctx);        // step(&ctx, tid) on every thread
 *   // inside step: aedl_par p = { tid, nt, lo, n, B, grads_of_tid, t }; kernels below
 *   aedl_team_free(t);
 *
 * The kernels here are the training pass's hot loops, fused: batchnorm
 * (training mode) + activation + quantizer in one pass over the rows, and its
 * backward in one pass after the statistics.  The batchnorm's normalized
 * value is recomputed in backward from the layer input (the same float
 * operations as forward, hence the same values), so nothing but the
 * activation's output is stored.
 */
#ifndef AEDL_TRAIN_PAR_H
#define AEDL_TRAIN_PAR_H
#include <stdint.h>
#include "rng.h"
#include "train_quant.h"

#define AEDL_MAX_THREADS 16

/* Hot loops get an AVX2 version next to the baseline x86-64 one, chosen at
   load time (GCC function multi-versioning; clang 14, used only for the
   fuzzers, links them badly, so it gets the baseline): the same operations on
   each value, so the same results, just 8 floats per instruction instead of 4. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(AEDL_NO_CLONES)
#define AEDL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define AEDL_CLONES
#endif

typedef struct aedl_team aedl_team;

/* What one thread of a parallel step works on. */
typedef struct {
    int tid, nt;                /* this thread, threads in the step */
    int lo, n;                  /* its rows [lo, lo + n) of the batch */
    int B;                      /* events in the whole batch */
    float *grads;               /* its gradient block (the model's nparams; zero before backward) */
    aedl_team *team;            /* NULL when nt == 1 */
} aedl_par;

/* A team of nthreads (1..AEDL_MAX_THREADS) threads: the caller and nthreads - 1
   workers, which wait (briefly spinning, then sleeping) between steps. */
aedl_team *aedl_team_new(int nthreads);
void aedl_team_free(aedl_team *t);
int aedl_team_size(const aedl_team *t);
/* Runs fn(arg, tid) for tid = 0 .. size - 1 (tid 0 on the calling thread);
   returns when every thread is done. */
void aedl_team_run(aedl_team *t, void (*fn)(void *arg, int tid), void *arg);
/* Barrier among the threads of the running step; nothing when p->nt == 1. */
void aedl_par_sync(const aedl_par *p);
/* The rows of thread tid of nt: contiguous, in thread order, sizes differing by
   at most one. */
void aedl_par_rows(int B, int nt, int tid, int *lo, int *n);

/* ---------------------------------------------------------------- batchnorm */

/* What follows a training batchnorm in the same pass (fused):
     a = act(y) (none, relu, or leaky relu with alpha), then a = Q(a) when q
   (q->fast only: train_quant.h).  The straight-through gradient is zero where
   Q's input is outside its range; with relu that is aedl_tq_relu_f32's rule. */
typedef enum { AEDL_EPI_NONE, AEDL_EPI_RELU, AEDL_EPI_LEAKY } aedl_epi_act;
typedef struct {
    aedl_epi_act act;
    float alpha;                /* AEDL_EPI_LEAKY */
    const aedl_tq *q;           /* NULL: no quantizer */
} aedl_epi;

/* Scratch of one batchnorm layer for a team: AEDL_BN_PART(C) doubles (the
   threads' partial sums of forward and of backward, and their row counts). */
#define AEDL_BN_PART(C) ((long)AEDL_MAX_THREADS * 4 * (C) + AEDL_MAX_THREADS)
/* A thread's copy of the batch statistics: AEDL_BN_STATS(C) floats (mean, var, scale). */
#define AEDL_BN_STATS(C) (3L * (C))

/* Training forward on this thread's rows: the batch statistics over all the
   team's rows (biased variance, summed in double; Chan's combination of the
   threads' partial means and squared deviations, in thread order), then
   out = epi(gamma * (x - mean) / sqrt(var + eps) + beta).
   stats (AEDL_BN_STATS(C)): this thread's copy of mean (C), var (C) and the
   float scale (C), written; keep it for backward (and use thread 0's for the
   moving averages).  part: the layer's
   scratch.  inp, out (p->n, C): this thread's rows. */
void aedl_bn_train_forward(const aedl_par *p, float *out, float *stats, double *part,
                           const float *inp, const float *gamma, const float *beta, int C,
                           float eps, const aedl_epi *epi);
/* Its backward: da (p->n, C) the gradient of out; dinp (p->n, C) += d loss / d inp
   (or NULL); thread 0 adds d loss / d gamma, beta (C) to dgamma, dbeta (its
   block), the other threads add nothing.  stats, part, inp, gamma, beta, eps,
   epi: as forward. */
void aedl_bn_train_backward(const aedl_par *p, float *dinp, float *dgamma, float *dbeta,
                            double *part, const float *da, const float *inp,
                            const float *stats, const float *gamma, const float *beta, int C,
                            float eps, const aedl_epi *epi);

/* Inference (moving statistics): out = epi(scale * x + shift), what
   aedl_batchnorm_forward_infer and the unfused activation and quantizer
   compute, in one pass.  out, inp (n, C); scale, shift (C). */
void aedl_bn_infer_forward(float *out, const float *inp, const float *scale, const float *shift,
                           int n, int C, const aedl_epi *epi);
/* The same on a block of events in lanes (lanes.h): out, inp (C rows of AEDL_LANES). */
void aedl_bn_infer_lanes(float *out, const float *inp, const float *scale, const float *shift, int C,
                         const aedl_epi *epi);

/* ---------------------------------------------------------------- losses, dropout */

/* MSE over this thread's rows of a batch of B events: returns the sum of the
   squared errors (double); dout = 2 (out - target) / (B F) as aedl_mse_loss.
   dout, out, target (n, F). */
double aedl_mse_rows(float *dout, const float *out, const float *target, int n, int F, int B);
/* Masked MSE over rows: aedl_masked_mse_rows in nn.h. */
/* Draws the dropout mask of aedl_dropout_forward (0 or 1/(1-rate), from rng in
   index order) without applying it; out = inp * mask then gives the same values. */
void aedl_dropout_draw(float *mask, long n, float rate, aedl_rng *rng);

/* g[i] += h[i], i < n (the gradient reduction, in thread order by the caller). */
void aedl_add_into(float *g, const float *h, long n);

#endif
