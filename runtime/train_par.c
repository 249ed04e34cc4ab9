/* train_par.c — see train_par.h.
 *
 * The team: nthreads - 1 persistent workers.  One barrier does everything: a
 * step is "barrier (start), fn(arg, tid), barrier (end)" on every thread.  The
 * barrier spins a little (the threads of a step are usually microseconds
 * apart), then sleeps on a condition variable (a loaded machine, or the
 * driver's serial work between steps).
 *
 * Summation orders (what makes a run repeatable): per channel, over a
 * thread's rows in row order, in double; then over the threads in thread
 * order.  With one thread the batchnorm statistics are those of
 * aedl_batchnorm_forward_train (nn.h) bit for bit.
 */
#include "train_par.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "lanes.h"
#include "quant.h"
#include "util.h"

/* ---------------------------------------------------------------- the team */

struct aedl_team {
    int n;
    pthread_t th[AEDL_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int count;           /* arrivals at the current barrier */
    atomic_uint phase;          /* barriers completed */
    void (*fn)(void *arg, int tid);
    void *arg;
    int quit;
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* A waiting thread spins about 15 us (a pause is ~60 ns on the reference
   machine), then yields its core up to YIELDS times (a sleeping thread costs
   the waker a system call and wakes late: the next barrier then waits for
   it), then sleeps.  Longer spinning is much worse on a shared machine: a
   spinning thread holds a core that the thread it waits for (or another
   process) needs; a yield gives it away. */
enum { SPIN = 256, YIELDS = 100 };

static void team_barrier(aedl_team *t) {
    unsigned ph = atomic_load_explicit(&t->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&t->count, 1, memory_order_acq_rel) == t->n - 1) {
        atomic_store_explicit(&t->count, 0, memory_order_relaxed);
        pthread_mutex_lock(&t->mu);
        atomic_store_explicit(&t->phase, ph + 1, memory_order_release);
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
        return;
    }
    for (int i = 0; i < SPIN; i++) {
        if (atomic_load_explicit(&t->phase, memory_order_acquire) != ph) return;
        cpu_relax();
    }
    for (int i = 0; i < YIELDS; i++) {
        if (atomic_load_explicit(&t->phase, memory_order_acquire) != ph) return;
        sched_yield();
    }
    pthread_mutex_lock(&t->mu);
    while (atomic_load_explicit(&t->phase, memory_order_acquire) == ph)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

typedef struct { aedl_team *t; int tid; } wstart;

static void *worker(void *p) {
    wstart *w = p;
    aedl_team *t = w->t;
    int tid = w->tid;
    free(w);
    for (;;) {
        team_barrier(t);                /* start of a step */
        if (t->quit) return NULL;
        t->fn(t->arg, tid);
        team_barrier(t);                /* end of the step */
    }
}

aedl_team *aedl_team_new(int nthreads) {
    if (nthreads < 1 || nthreads > AEDL_MAX_THREADS)
        aedl_fatal("threads: %d is outside 1..%d", nthreads, AEDL_MAX_THREADS);
    aedl_team *t = xcalloc(1, sizeof *t);
    t->n = nthreads;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    atomic_init(&t->count, 0);
    atomic_init(&t->phase, 0u);
    for (int i = 1; i < nthreads; i++) {
        wstart *w = xmalloc(sizeof *w);
        w->t = t; w->tid = i;
        int e = pthread_create(&t->th[i], NULL, worker, w);
        if (e) aedl_fatal("cannot start a training thread: %s", strerror(e));
    }
    return t;
}

void aedl_team_free(aedl_team *t) {
    if (!t) return;
    if (t->n > 1) {
        t->quit = 1;
        team_barrier(t);
        for (int i = 1; i < t->n; i++) pthread_join(t->th[i], NULL);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}

int aedl_team_size(const aedl_team *t) { return t ? t->n : 1; }

void aedl_team_run(aedl_team *t, void (*fn)(void *arg, int tid), void *arg) {
    if (!t || t->n == 1) { fn(arg, 0); return; }
    t->fn = fn; t->arg = arg;
    team_barrier(t);
    fn(arg, 0);
    team_barrier(t);
}

void aedl_par_sync(const aedl_par *p) {
    if (p->nt > 1) team_barrier(p->team);
}

void aedl_par_rows(int B, int nt, int tid, int *lo, int *n) {
    int q = B / nt, r = B % nt;
    *lo = tid * q + (tid < r ? tid : r);
    *n = q + (tid < r);
}

/* ---------------------------------------------------------------- batchnorm */

/* Channels are processed in chunks of CH with accumulators on the stack. */
enum { CH = 64 };

/* The fused epilogue on one value.  act, qm (0 none, 1 rnd_conv, 2 rnd) are
   constants in each specialised loop below. */
static inline __attribute__((always_inline)) float epi_value(float y, int act, float alpha,
                                                             int qm, float scale, float inv,
                                                             float lo, float hi) {
    float a = act == AEDL_EPI_RELU ? (y > 0.0f ? y : 0.0f)
            : act == AEDL_EPI_LEAKY ? (y > 0.0f ? y : alpha * y) : y;
    if (qm) a = aedl_tq_fast1(a, qm == 2, scale, inv, lo, hi);
    return a;
}

/* d loss / d y from d loss / d a. */
static inline __attribute__((always_inline)) float epi_grad(float y, float da, int act,
                                                            float alpha, int qm, float xlo,
                                                            float xhi) {
    float a = act == AEDL_EPI_RELU ? (y > 0.0f ? y : 0.0f)
            : act == AEDL_EPI_LEAKY ? (y > 0.0f ? y : alpha * y) : y;
    float g = act == AEDL_EPI_RELU ? (y > 0.0f ? da : 0.0f)
            : act == AEDL_EPI_LEAKY ? (y > 0.0f ? da : alpha * da) : da;
    if (qm) g = ((a >= xlo) & (a <= xhi)) ? g : 0.0f;
    return g;
}

typedef struct {
    float alpha, scale, inv, lo, hi, xlo, xhi;
} epi_consts;

static int epi_setup(const aedl_epi *e, epi_consts *k) {
    memset(k, 0, sizeof *k);
    k->alpha = e ? e->alpha : 0.0f;
    if (!e || !e->q) return 0;
    if (!e->q->fast) aedl_fatal("internal error: fused batchnorm with a slow quantizer");
    k->scale = e->q->scale; k->inv = e->q->inv; k->lo = e->q->lo; k->hi = e->q->hi;
    k->xlo = e->q->lo * e->q->inv; k->xhi = e->q->hi * e->q->inv;
    return e->q->half_up ? 2 : 1;
}

/* out rows = epi((x - mean) * scale + beta) for channels [c0, c0 + nc). */
static inline __attribute__((always_inline)) void bn_out_rows(
    float *out, const float *inp, int n, int C, int c0, int nc, const float *mf,
    const float *sc, const float *beta, int act, int qm, const epi_consts *k) {
    for (int b = 0; b < n; b++) {
        const float *x = inp + (long)b * C + c0;
        float *o = out + (long)b * C + c0;
        for (int j = 0; j < nc; j++)
            o[j] = epi_value((x[j] - mf[j]) * sc[j] + beta[j], act, k->alpha, qm, k->scale,
                             k->inv, k->lo, k->hi);
    }
}

#define EPI_CASES(CALL)                                                          \
    switch (act * 3 + qm) {                                                      \
    case 0: CALL(0, 0); break; case 1: CALL(0, 1); break; case 2: CALL(0, 2); break; \
    case 3: CALL(1, 0); break; case 4: CALL(1, 1); break; case 5: CALL(1, 2); break; \
    case 6: CALL(2, 0); break; case 7: CALL(2, 1); break; default: CALL(2, 2); break; \
    }

AEDL_CLONES void aedl_bn_train_forward(const aedl_par *p, float *out, float *stats, double *part,
                           const float *inp, const float *gamma, const float *beta, int C,
                           float eps, const aedl_epi *epi) {
    int n = p->n, tid = p->tid;
    double *pm = part + (long)tid * 2 * C, *pv = pm + C;   /* this thread's mean, M2 */
    double *cnt = part + (long)AEDL_MAX_THREADS * 4 * C;   /* rows of each thread */
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        double m[CH] = {0}, v[CH] = {0};
        for (int b = 0; b < n; b++) {
            const float *x = inp + (long)b * C + c0;
            for (int j = 0; j < nc; j++) m[j] += x[j];
        }
        if (n > 0)
            for (int j = 0; j < nc; j++) m[j] /= n;
        for (int b = 0; b < n; b++) {
            const float *x = inp + (long)b * C + c0;
            for (int j = 0; j < nc; j++) { double d = x[j] - m[j]; v[j] += d * d; }
        }
        memcpy(pm + c0, m, (size_t)nc * sizeof *m);
        memcpy(pv + c0, v, (size_t)nc * sizeof *v);
    }
    cnt[tid] = n;
    aedl_par_sync(p);
    epi_consts k;
    int qm = epi_setup(epi, &k), act = epi ? (int)epi->act : 0;
    float *mean = stats, *var = stats + C, *scale = stats + 2 * C;
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        for (int j = 0; j < nc; j++) {
            /* Chan et al.: combine (count, mean, M2) in thread order */
            double na = 0, ma = 0, Ma = 0;
            for (int t = 0; t < p->nt; t++) {
                double nb = cnt[t];
                if (nb == 0) continue;
                const double *tm = part + (long)t * 2 * C;
                double mb = tm[c0 + j], Mb = tm[C + c0 + j];
                if (na == 0) { na = nb; ma = mb; Ma = Mb; continue; }
                double nn = na + nb, d = mb - ma;
                ma += d * (nb / nn);
                Ma += Mb + d * d * (na * nb / nn);
                na = nn;
            }
            double vv = na > 0 ? Ma / na : 0.0;
            mean[c0 + j] = (float)ma;
            var[c0 + j] = (float)vv;
            scale[c0 + j] = (float)(gamma[c0 + j] / sqrt(vv + (double)eps));
        }
#define FWD_CALL(A, Q) bn_out_rows(out, inp, n, C, c0, nc, mean + c0, scale + c0, beta + c0, A, Q, &k)
        EPI_CASES(FWD_CALL)
#undef FWD_CALL
    }
}

AEDL_CLONES void aedl_bn_infer_forward(float *out, const float *inp, const float *scale, const float *shift,
                           int n, int C, const aedl_epi *epi) {
    epi_consts k;
    int qm = epi_setup(epi, &k), act = epi ? (int)epi->act : 0;
    static const float zero[CH];
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        /* (x - 0) * scale + shift: the same float operations as nn.h's infer */
#define INF_CALL(A, Q) bn_out_rows(out, inp, n, C, c0, nc, zero, scale + c0, shift + c0, A, Q, &k)
        EPI_CASES(INF_CALL)
#undef INF_CALL
    }
}

/* Row c of a block in lanes: out = epi((x - 0) * scale_c + shift_c). */
static inline __attribute__((always_inline)) void bn_lanes_rows(float *out, const float *inp, int C,
                                                                 const float *sc, const float *sh, int act,
                                                                 int qm, const epi_consts *k) {
    for (int c = 0; c < C; c++) {
        const float *x = inp + (long)c * AEDL_LANES;
        float *o = out + (long)c * AEDL_LANES, s = sc[c], t = sh[c];
        for (int e = 0; e < AEDL_LANES; e++)
            o[e] = epi_value((x[e] - 0.0f) * s + t, act, k->alpha, qm, k->scale, k->inv, k->lo, k->hi);
    }
}

AEDL_CLONES void aedl_bn_infer_lanes(float *out, const float *inp, const float *scale, const float *shift, int C,
                                     const aedl_epi *epi) {
    epi_consts k;
    int qm = epi_setup(epi, &k), act = epi ? (int)epi->act : 0;
#define LANES_CALL(A, Q) bn_lanes_rows(out, inp, C, scale, shift, A, Q, &k)
    EPI_CASES(LANES_CALL)
#undef LANES_CALL
}

/* Partial sums of the backward over the rows: sdy += g, sdyx += g * xhat. */
static inline __attribute__((always_inline)) void bn_bwd_sums(
    double *sdy, double *sdyx, const float *da, const float *inp, int n, int C, int c0,
    int nc, const float *mf, const float *sc, const float *beta, const float *rs, int act,
    int qm, const epi_consts *k) {
    for (int b = 0; b < n; b++) {
        const float *x = inp + (long)b * C + c0, *d = da + (long)b * C + c0;
        for (int j = 0; j < nc; j++) {
            float xm = x[j] - mf[j];
            float g = epi_grad(xm * sc[j] + beta[j], d[j], act, k->alpha, qm, k->xlo, k->xhi);
            sdy[j] += g;
            sdyx[j] += g * (xm * rs[j]);
        }
    }
}

/* dinp += k1 * (g - c1 - xhat * c2). */
static inline __attribute__((always_inline)) void bn_bwd_dx(
    float *dinp, const float *da, const float *inp, int n, int C, int c0, int nc,
    const float *mf, const float *sc, const float *beta, const float *rs, const float *k1,
    const float *c1, const float *c2, int act, int qm, const epi_consts *k) {
    for (int b = 0; b < n; b++) {
        const float *x = inp + (long)b * C + c0, *d = da + (long)b * C + c0;
        float *dx = dinp + (long)b * C + c0;
        for (int j = 0; j < nc; j++) {
            float xm = x[j] - mf[j];
            float g = epi_grad(xm * sc[j] + beta[j], d[j], act, k->alpha, qm, k->xlo, k->xhi);
            dx[j] += k1[j] * ((g - c1[j]) - (xm * rs[j]) * c2[j]);
        }
    }
}

AEDL_CLONES void aedl_bn_train_backward(const aedl_par *p, float *dinp, float *dgamma, float *dbeta,
                            double *part, const float *da, const float *inp,
                            const float *stats, const float *gamma, const float *beta, int C,
                            float eps, const aedl_epi *epi) {
    int n = p->n, tid = p->tid;
    double *bp = part + (long)AEDL_MAX_THREADS * 2 * C;     /* the backward's half */
    double *psdy = bp + (long)tid * 2 * C, *psdyx = psdy + C;
    const float *mean = stats, *var = stats + C, *scale = stats + 2 * C;
    epi_consts k;
    int qm = epi_setup(epi, &k), act = epi ? (int)epi->act : 0;
    float rs[CH];
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        double sdy[CH] = {0}, sdyx[CH] = {0};
        for (int j = 0; j < nc; j++) rs[j] = (float)(1.0 / sqrt((double)var[c0 + j] + (double)eps));
#define SUM_CALL(A, Q) bn_bwd_sums(sdy, sdyx, da, inp, n, C, c0, nc, mean + c0, scale + c0, beta + c0, rs, A, Q, &k)
        EPI_CASES(SUM_CALL)
#undef SUM_CALL
        memcpy(psdy + c0, sdy, (size_t)nc * sizeof *sdy);
        memcpy(psdyx + c0, sdyx, (size_t)nc * sizeof *sdyx);
    }
    aedl_par_sync(p);
    for (int c0 = 0; c0 < C; c0 += CH) {
        int nc = C - c0 < CH ? C - c0 : CH;
        float k1[CH], c1[CH], c2[CH];
        for (int j = 0; j < nc; j++) {
            double s1 = 0, s2 = 0;
            for (int t = 0; t < p->nt; t++) {
                s1 += bp[(long)t * 2 * C + c0 + j];
                s2 += bp[(long)t * 2 * C + C + c0 + j];
            }
            double r = 1.0 / sqrt((double)var[c0 + j] + (double)eps);
            rs[j] = (float)r;
            k1[j] = (float)(gamma[c0 + j] * r);
            c1[j] = (float)(s1 / p->B);
            c2[j] = (float)(s2 / p->B);
            if (tid == 0) {
                dbeta[c0 + j] += (float)s1;
                dgamma[c0 + j] += (float)s2;
            }
        }
        if (!dinp) continue;
#define DX_CALL(A, Q) bn_bwd_dx(dinp, da, inp, n, C, c0, nc, mean + c0, scale + c0, beta + c0, rs, k1, c1, c2, A, Q, &k)
        EPI_CASES(DX_CALL)
#undef DX_CALL
    }
}

/* ---------------------------------------------------------------- losses, dropout */

/* Per feature column in double (a vector lane each), then over the columns. */
AEDL_CLONES double aedl_mse_rows(float *dout, const float *out, const float *target, int n, int F, int B) {
    if (n <= 0 || F <= 0) return 0.0;
    double sum = 0, g = 2.0 / ((double)B * F);
    for (int f0 = 0; f0 < F; f0 += CH) {
        int nf = F - f0 < CH ? F - f0 : CH;
        double acc[CH] = {0};
        for (int b = 0; b < n; b++) {
            const float *o = out + (long)b * F + f0, *t = target + (long)b * F + f0;
            float *d = dout ? dout + (long)b * F + f0 : NULL;
            for (int j = 0; j < nf; j++) {
                double e = (double)o[j] - t[j];
                acc[j] += e * e;
            }
            if (d)
                for (int j = 0; j < nf; j++) d[j] = (float)(g * ((double)o[j] - t[j]));
        }
        for (int j = 0; j < nf; j++) sum += acc[j];
    }
    return sum;
}

void aedl_dropout_draw(float *mask, long n, float rate, aedl_rng *rng) {
    if (!(rate >= 0.0f && rate < 1.0f))
        aedl_fatal("dropout: rate %g is outside [0, 1)", (double)rate);
    float keep_scale = 1.0f / (1.0f - rate);
    for (long i = 0; i < n; i++) {
        int keep = rate == 0.0f || aedl_rng_uniform(rng) >= rate;
        mask[i] = keep ? keep_scale : 0.0f;
    }
}

AEDL_CLONES void aedl_add_into(float *g, const float *h, long n) {
    for (long i = 0; i < n; i++) g[i] += h[i];
}
