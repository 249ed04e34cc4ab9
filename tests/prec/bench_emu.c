/* bench_emu.c — firmware emulator speed on the seed autoencoder
 * (57-32-16-3-16-32-57, quantized as in the spec's example, 50% pruned random
 * weights, batchnorm after the hidden denses), bit_exact types.
 * Usage: bench_emu [events] ; prints events/s with 1 thread and all threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
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
    float *x = xmalloc(sizeof(float) * 57 * (size_t)n);
    for (long k = 0; k < 57 * n; k++) x[k] = (float)(8 * (unif() + unif() + unif() - 1.5));
    double *y = xmalloc(sizeof(double) * 57 * (size_t)n);
    aedl_fw_run_threads(p, x, y, 1000, 1);   /* warm up */
    /* wall time, and CPU time: on a busy machine the CPU rate says what the code can do */
    clock_t c0 = clock();
    double t0 = aedl_now();
    aedl_fw_run_threads(p, x, y, n, 1);
    double t1 = aedl_now();
    clock_t c1 = clock();
    aedl_fw_run(p, x, y, n);
    double t2 = aedl_now();
    printf("bench emu: seed AE 57-32-16-3-16-32-57 bit_exact, 50%% pruned, %ld events: %.2fM events/s (1 thread), "
           "%.2fM events/s (all threads); %.2fM events per CPU-second\n", n, n / (t1 - t0) / 1e6,
           n / (t2 - t1) / 1e6, n / ((double)(c1 - c0) / CLOCKS_PER_SEC) / 1e6);
    free(x); free(y);
    aedl_fw_plan_free(p);
    prec_free(&m);
    weights_free_model(&m);
    for (int i = 0; i < nn; i++) { free((char *)nodes[i]->name); free(nodes[i]); }
    return 0;
}
