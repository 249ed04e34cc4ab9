/* bench_emu.c — firmware emulator speed on the seed autoencoder
 * (57-32-16-3-16-32-57, quantized as in the spec's example, 50% pruned random
 * weights, batchnorm after the hidden denses), bit_exact types.
 * Usage: bench_emu [events [events per call (4096)]]
 * Prints events/s of wall time with all threads and with one, events per
 * CPU-second (what the code does whatever else the machine runs), the same for
 * the integer reference path, whether both paths agree, and the load average. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "emu.h"
#include "precision.h"
#include "util.h"
#include "weights.h"

static uint64_t rs = 88172645463325252ull;
static double unif(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (double)(rs >> 11) / 9007199254740992.0; }

static IrNode *nodes[32];
static IrNode *ins[32];
static int nn;
static IrNode *node(IrOp op, int size) {
    IrNode *n = xcalloc(1, sizeof *n);
    n->id = nn; n->op = op; n->loc = NOLOC;
    char *name = xmalloc(32);
    snprintf(name, 32, "%s_%d", ir_op_name(op), nn);
    n->name = name;
    if (nn) { ins[nn] = nodes[nn - 1]; n->inputs = &ins[nn]; n->ninputs = 1; }
    n->shape.rank = 1; n->shape.dims[0] = size;
    n->use_bias = true; n->epsilon = 1e-3;
    nodes[nn++] = n;
    return n;
}


static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct { double wall, cpu, best_wall, best_cpu; } rate;   /* events per second: overall and best of REPS */
#define REPS 5

/* n events through the plan, `chunk` at a time over the same buffers, in REPS
   timed parts (the best part says what the code does when the machine lets it). */
static rate timed(aedl_fw_plan *p, const float *x, double *y, long chunk, long n, int threads) {
    aedl_fw_run_threads(p, x, y, chunk, threads);   /* warm up: pages, caches */
    rate r = {0, 0, 0, 0};
    double wall = 0, cpu = 0;
    long part = (n + REPS - 1) / REPS;
    for (int rep = 0; rep < REPS; rep++) {
        long m = n - rep * part < part ? n - rep * part : part;
        if (m <= 0) break;
        double c0 = cpu_now(), t0 = aedl_now();
        for (long done = 0; done < m; done += chunk)
            aedl_fw_run_threads(p, x, y, m - done < chunk ? m - done : chunk, threads);
        double t1 = aedl_now(), c1 = cpu_now();
        wall += t1 - t0; cpu += c1 - c0;
        if (m / (t1 - t0) > r.best_wall) r.best_wall = m / (t1 - t0);
        if (m / (c1 - c0) > r.best_cpu) r.best_cpu = m / (c1 - c0);
    }
    r.wall = n / wall; r.cpu = n / cpu;
    return r;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    /* events per call: 4096 keep input and output in the caches, larger ones
       stream them through memory as a big evaluation does */
    long CHUNK = argc > 2 ? atol(argv[2]) : 4096;
    if (n < 1 || CHUNK < 1) { fprintf(stderr, "usage: bench_emu [events [events per call]]\n"); return 1; }
    static IrQuant qw, qo, qa;
    qw.type = (aedl_fixed){8, 4, true, AEDL_RND_CONV, AEDL_SAT_SYM};
    qo.type = (aedl_fixed){16, 7, true, AEDL_RND_CONV, AEDL_SAT_SYM};
    qa.type = (aedl_fixed){8, 0, false, AEDL_RND_CONV, AEDL_SAT};
    IrNode *in = node(OP_INPUT, 57);
    in->has_type = true; in->in_type = (aedl_fixed){16, 7, true, AEDL_RND, AEDL_SAT};
    const int sizes[] = {32, 16, 3, 16, 32, 57};
    for (int l = 0; l < 6; l++) {
        int n_in = (int)ir_shape_size(&nodes[nn - 1]->shape);
        IrNode *d = node(OP_DENSE, sizes[l]);
        d->units = sizes[l];
        bool wide = l == 2 || l == 5;
        d->weight_q = d->bias_q = wide ? &qo : &qw;
        IrParams *p = weights_new_dense(n_in, sizes[l], true, true);
        double lim = sqrt(6.0 / n_in);
        for (long k = 0; k < (long)n_in * sizes[l]; k++) {
            p->kernel[k] = (float)((2 * unif() - 1) * lim);
            p->mask[k] = (l == 2 || unif() < 0.5) ? 1.0f : 0.0f;
        }
        for (int j = 0; j < sizes[l]; j++) p->bias[j] = (float)(0.1 * (2 * unif() - 1));
        d->params = p;
        if (l == 2 || l == 5) continue;
        IrNode *bn = node(OP_BATCHNORM, sizes[l]);
        IrParams *b = weights_new_batchnorm(sizes[l]);
        for (int j = 0; j < sizes[l]; j++) {
            b->gamma[j] = (float)(0.5 + unif()); b->beta[j] = (float)(0.2 * (2 * unif() - 1));
            b->moving_mean[j] = (float)(2 * unif() - 1); b->moving_variance[j] = (float)(0.5 + 2 * unif());
        }
        bn->params = b;
        IrNode *r = node(OP_RELU, sizes[l]);
        r->quant = &qa;
    }
    IrNode *outs[1] = {nodes[nn - 1]};
    IrModel m = {0};
    m.name = "seed_ae"; m.nodes = nodes; m.nnodes = nn; m.outputs = outs; m.noutputs = 1;
    IrTarget t = {0};
    t.precision = PREC_BIT_EXACT; t.default_type = (aedl_fixed){16, 6, true, AEDL_TRN, AEDL_WRAP};
    if (infer_precision(NULL, &m, &t, NULL, 0)) { fprintf(stderr, "bench_emu: precision failed\n"); return 1; }
    char err[256];
    aedl_fw_plan *p = plan_build(&m, err, sizeof err);
    if (!p) { fprintf(stderr, "bench_emu: %s\n", err); return 1; }
    if (getenv("BENCH_PLAN")) aedl_fw_plan_fprint(p, stderr);
    /* One chunk of events, run again and again: the figures are the emulator's,
       not the page faults of a fresh multi-gigabyte output. */
    long chunk = n < CHUNK ? n : CHUNK;
    float *x = xmalloc(sizeof(float) * 57 * (size_t)chunk);
    for (long k = 0; k < 57 * chunk; k++) x[k] = (float)(8 * (unif() + unif() + unif() - 1.5));
    double *y = xmalloc(sizeof(double) * 57 * (size_t)chunk), *yr = xmalloc(sizeof(double) * 57 * (size_t)chunk);

    /* the fast path against the integer reference path, on the whole chunk */
    bool fast = aedl_fw_uses_fast(p);
    aedl_fw_set_reference(p, true);
    rate ref = timed(p, x, yr, chunk, n / 4 > chunk ? n / 4 : chunk, 1);
    aedl_fw_set_reference(p, false);
    aedl_fw_run_threads(p, x, y, chunk, 1);
    bool same = memcmp(y, yr, sizeof(double) * 57 * (size_t)chunk) == 0;

    rate one = timed(p, x, y, chunk, n, 1);
    rate all = timed(p, x, y, chunk, n, 0);
    double load[3] = {0, 0, 0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (!la || fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = load[1] = load[2] = -1;
    if (la) fclose(la);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench emu: seed AE 57-32-16-3-16-32-57 bit_exact, 50%% pruned, %ld events (chunks of %ld), %s path%s\n",
           n, chunk, fast ? "fast" : "reference", same ? ", identical to the reference path" : ", DIFFERS FROM THE REFERENCE PATH");
    printf("bench emu: all threads (%ld CPUs): %.2fM events/s wall (best of %d parts %.2fM), "
           "%.2fM events per CPU-second (best %.2fM)\n", cpus, all.wall / 1e6, REPS, all.best_wall / 1e6, all.cpu / 1e6, all.best_cpu / 1e6);
    printf("bench emu: 1 thread: %.2fM events/s wall (best %.2fM), %.2fM events per CPU-second (best %.2fM)\n",
           one.wall / 1e6, one.best_wall / 1e6, one.cpu / 1e6, one.best_cpu / 1e6);
    printf("bench emu: reference path, 1 thread: %.2fM events/s wall, %.2fM events per CPU-second (best %.2fM)\n",
           ref.wall / 1e6, ref.cpu / 1e6, ref.best_cpu / 1e6);
    printf("bench emu: load average %.2f %.2f %.2f (the wall rates share the machine with that)\n",
           load[0], load[1], load[2]);
    free(x); free(y); free(yr);
    aedl_fw_plan_free(p);
    prec_free(&m);
    weights_free_model(&m);
    for (int i = 0; i < nn; i++) { free((char *)nodes[i]->name); free(nodes[i]); }
    return 0;
}
