/* fuzz_prec.c — libFuzzer target over the front end AND what follows it
 * (`make fuzz-prec`, tests/tests.mk): every model of a file that compiles
 * gets deterministic pseudo-random weights (pruning masks, batchnorm
 * statistics), then precision inference (conservative and bit-exact), the
 * firmware plan and the emulator on a few events.  Any input must give
 * diagnostics, never a crash, a sanitizer report or an internal error.
 * Models with more than MAX_PARAMS weights are skipped (too slow to be useful). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "emu.h"
#include "front_run.h"
#include "precision.h"
#include "util.h"
#include "weights.h"

#define MAX_PARAMS 20000L
#define EVENTS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rs;
static double unif(double a, double b) {
    rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
    return a + (b - a) * (double)(rs >> 11) / 9007199254740992.0;
}

/* Weights for every dense and batchnorm; 0 when the model is too big. */
static int attach_params(IrModel *m) {
    long total = 0;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        if (n->op == OP_DENSE && n->ninputs > 0 && n->inputs[0])
            total += ir_shape_size(&n->inputs[0]->shape) * (long)n->units;
        else if (n->op == OP_BATCHNORM)
            total += ir_shape_size(&n->shape);
        else if (n->op == OP_INPUT)
            total += ir_shape_size(&n->shape);
    }
    if (total > MAX_PARAMS) return 0;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        if (n->op == OP_DENSE && n->ninputs > 0 && n->inputs[0]) {
            int n_in = (int)ir_shape_size(&n->inputs[0]->shape);
            IrParams *p = weights_new_dense(n_in, n->units, n->use_bias, n->prune != NULL);
            double sc = unif(0.1, 4);
            for (long k = 0; k < (long)n_in * n->units; k++) {
                p->kernel[k] = (float)unif(-sc, sc);
                if (p->mask) p->mask[k] = unif(0, 1) < 0.5 ? 1.0f : 0.0f;
            }
            if (p->bias) for (int j = 0; j < n->units; j++) p->bias[j] = (float)unif(-2, 2);
            n->params = p;
        } else if (n->op == OP_BATCHNORM) {
            int C = (int)ir_shape_size(&n->shape);
            IrParams *p = weights_new_batchnorm(C);
            for (int j = 0; j < C; j++) {
                p->gamma[j] = (float)unif(-2, 2); p->beta[j] = (float)unif(-1, 1);
                p->moving_mean[j] = (float)unif(-1, 1); p->moving_variance[j] = (float)unif(0, 3);
            }
            n->params = p;
        }
    }
    return 1;
}

static void run_model(IrProgram *p, IrModel *m) {
    const IrTarget *t = p->ntargets > 0 ? p->targets[0] : NULL;
    if (attach_params(m) && infer_precision(p, m, t, NULL, 0) == 0 && diag_error_count() == 0) {
        char err[512];
        struct aedl_fw_plan *plan = plan_build(m, err, sizeof err);
        if (plan && aedl_fw_prepare(plan, err, sizeof err) == 0) {
            long nin = 0;
            for (int i = 0; i < m->nnodes; i++)
                if (m->nodes[i]->op == OP_INPUT) { nin = ir_shape_size(&m->nodes[i]->shape); break; }
            long nout = 0;
            for (int i = 0; i < m->noutputs; i++) nout += ir_shape_size(&m->outputs[i]->shape);
            if (nin > 0 && nout > 0) {
                float *in = xmalloc((size_t)(nin * EVENTS) * sizeof *in);
                double *out = xmalloc((size_t)(nout * EVENTS) * sizeof *out);
                for (long k = 0; k < nin * EVENTS; k++) in[k] = (float)unif(-300, 300);
                aedl_fw_run(plan, in, out, EVENTS);
                free(in); free(out);
            }
        }
        if (plan) aedl_fw_plan_free(plan);
    }
    prec_free(m);
    weights_free_model(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull) devnull = fopen("/dev/null", "w");
    if (!devnull) return 0;
    rs = 0x9E3779B97F4A7C15ull ^ size;
    IrProgram *p = front_compile((const char *)data, size);
    if (p)
        for (int i = 0; i < p->nmodels; i++) run_model(p, p->models[i]);
    front_done();
    (void)front_run;
    return 0;
}
