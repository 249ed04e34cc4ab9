/* hls_tool.c — helpers for the HLS tests (the scripts in tests/hls):
 *
 *   hls_tool weights FILE.aedl OUT.h5 SEED [MODEL]
 *       random trained-looking weights for every dense and batchnorm of the
 *       model, in the weights-file layout (docs/semantics.md): kernels
 *       uniform in [-1, 1] with some exact powers of two (so the firmware's
 *       shifts are exercised), pruning masks of about 50% for pruned layers,
 *       biases in [-0.5, 0.5], batchnorm statistics near their usual values.
 *   hls_tool model OUT.aedl SEED
 *       a random small model: input type, dense layers with random
 *       quantizers, pruning, batchnorm, relu / leaky_relu / linear
 *       quantizers, add and concat, and a target with a random precision
 *       mode, strategy and valid reuse factor; one in three a chain of
 *       fine quantized dense layers with unquantized leaky_relu between
 *       them (a later layer often becomes a float part).
 *
 * The front end parses the .aedl file (the layer names and sizes come from
 * the compiler itself).  Exit status 0, or 1 with a message.
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "passes.h"
#include "util.h"

static uint64_t rs;
static uint64_t rnd64(void) {
    uint64_t z = (rs += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int rnd(int n) { return (int)(rnd64() % (uint64_t)n); }
static double unif(double a, double b) { return a + (b - a) * (double)(rnd64() >> 11) / 9007199254740992.0; }

/* ---- weights ------------------------------------------------------------------- */

static int put(hid_t g, const char *name, const float *v, int rank, int d0, int d1) {
    hsize_t d[2] = {(hsize_t)d0, (hsize_t)d1};
    hid_t s = H5Screate_simple(rank, d, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(s);
    return rc;
}

static int put_attr(hid_t f, const char *name, const char *value) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, t, value) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return rc;
}

static float weight_value(void) {
    if (rnd(8) == 0) return (float)((rnd(2) ? 1 : -1) * ldexp(1.0, rnd(4) - 3));   /* +-2^k: a shift */
    return (float)unif(-1.0, 1.0);
}

static int write_weights(IrModel *m, const char *out) {
    hid_t f = H5Fcreate(out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "hls_tool: cannot create %s\n", out); return 1; }
    int bad = put_attr(f, "model", m->name) | put_attr(f, "aedl_version", "test");
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        if (n->op != OP_DENSE && n->op != OP_BATCHNORM) continue;
        hid_t g = H5Gcreate2(f, n->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (n->op == OP_DENSE) {
            int nin = (int)ir_shape_size(&n->inputs[0]->shape), u = n->units;
            float *k = xmalloc(sizeof(float) * nin * u), *mask = xmalloc(sizeof(float) * nin * u);
            float *b = xmalloc(sizeof(float) * u);
            for (int j = 0; j < nin * u; j++) {
                k[j] = weight_value();
                mask[j] = rnd(2) ? 1.0f : 0.0f;
                if (n->prune && mask[j] == 0.0f) k[j] = 0.0f;
            }
            for (int j = 0; j < u; j++) b[j] = (float)unif(-0.5, 0.5);
            bad |= put(g, "kernel", k, 2, nin, u);
            if (n->use_bias) bad |= put(g, "bias", b, 1, u, 0);
            if (n->prune) bad |= put(g, "mask", mask, 2, nin, u);
            free(k); free(mask); free(b);
        } else {
            int c = (int)ir_shape_size(&n->shape);
            float *v = xmalloc(sizeof(float) * c);
            for (int j = 0; j < c; j++) v[j] = (float)unif(0.5, 1.5);
            bad |= put(g, "gamma", v, 1, c, 0);
            for (int j = 0; j < c; j++) v[j] = (float)unif(-0.5, 0.5);
            bad |= put(g, "beta", v, 1, c, 0);
            for (int j = 0; j < c; j++) v[j] = (float)unif(-0.5, 0.5);
            bad |= put(g, "moving_mean", v, 1, c, 0);
            for (int j = 0; j < c; j++) v[j] = (float)unif(0.25, 2.0);
            bad |= put(g, "moving_variance", v, 1, c, 0);
            free(v);
        }
        H5Gclose(g);
    }
    if (H5Fclose(f) < 0 || bad) { fprintf(stderr, "hls_tool: cannot write %s\n", out); return 1; }
    return 0;
}

static int cmd_weights(const char *aedl, const char *out, const char *model) {
    LoadOptions lo = {NULL, 0, "stdlib"};
    int nfiles = 0;
    AstFile **files = load_program(aedl, &lo, &nfiles);
    if (!files || diag_error_count()) return 1;
    IrProgram *p = resolve_program(files, nfiles, aedl);
    if (!p || diag_error_count()) return 1;
    infer_shapes(p);
    if (diag_error_count()) return 1;
    IrModel *m = NULL;
    for (int i = 0; i < p->nmodels; i++)
        if (!model || !strcmp(p->models[i]->name, model)) { m = p->models[i]; break; }
    if (!m) { fprintf(stderr, "hls_tool: %s: no model %s\n", aedl, model ? model : ""); return 1; }
    return write_weights(m, out);
}

/* ---- random models ----------------------------------------------------------------- */

static void quantizer(FILE *o) {
    switch (rnd(3)) {
    case 0: fprintf(o, "quantized_bits(%d, %d, %d)", 4 + rnd(9), rnd(4), rnd(2)); break;
    case 1: { int w = 3 + rnd(10); fprintf(o, "fixed<%d, %d, rnd_conv, sat>", w, 1 + rnd(4)); break; }
    default: fprintf(o, "quantized_bits(%d, %d)", 6 + rnd(8), 1 + rnd(3)); break;
    }
}

static void activation(FILE *o, int k) {
    switch (rnd(6)) {
    case 5: {   /* computed in floating point (not guaranteed, but the same in csim) */
        static const char *const f[] = {"sigmoid", "tanh", "softmax"};
        fprintf(o, "  %s f%d\n", f[rnd(3)], k);
        break;
    }
    case 0: fprintf(o, "  relu r%d(quant=quantized_relu(%d, %d))\n", k, 4 + rnd(8), rnd(3)); break;
    case 1: fprintf(o, "  leaky_relu l%d(alpha=%s)\n", k, rnd(2) ? "0.25" : "0.3"); break;
    case 2: fprintf(o, "  linear q%d(quant=", k); quantizer(o); fprintf(o, ")\n"); break;
    case 3: fprintf(o, "  relu r%d\n", k); break;
    default: break;
    }
}

static int hls4ml_rf_ok(long nin, long nout, long rf) {
    long mf = nin < rf ? nin : rf;
    long limit = (nin * nout + mf - 1) / mf;
    return ((limit % nout) == 0 || rf >= nin) && ((rf % nin) == 0 || rf < nin) && ((nin * nout) % rf) == 0;
}

static int cmd_model(const char *out) {
    FILE *o = fopen(out, "w");
    if (!o) { fprintf(stderr, "hls_tool: cannot create %s\n", out); return 1; }
    int nin = 2 + rnd(10), iw = 6 + rnd(11);
    fprintf(o, "# random model (tests/hls/hls_tool.c)\nmodel rnd {\n");
    fprintf(o, "  input x[%d] : fixed<%d, %d, rnd, sat>\n", nin, iw, 1 + rnd(iw - 1));
    if (rnd(2)) fprintf(o, "  prune = constant_sparsity(0.5)\n");
    /* one model in three a chain: fine quantized dense layers with unquantized leaky_relu
       between them, whose fraction bits add up until a later layer becomes a float part */
    int chain = rnd(3) == 0;
    int layers = chain ? 3 + rnd(3) : 1 + rnd(4), prev = nin;
    int sizes[8]; sizes[0] = nin;
    int nrf = 0;                          /* dense shapes, for the reuse factor */
    long shapes[8][2];
    for (int k = 1; k <= layers; k++) {
        int units = 1 + rnd(9);
        fprintf(o, "  dense d%d(%d, weight=", k, units);
        if (chain) fprintf(o, "quantized_bits(%d, 1, 1), bias=quantized_bits(%d, 1, 1)", 12 + rnd(5), 12 + rnd(5));
        else {
            quantizer(o);
            if (rnd(4)) { fprintf(o, ", bias="); quantizer(o); }
            else if (rnd(2)) fprintf(o, ", use_bias=false");
        }
        fprintf(o, ")\n");
        shapes[nrf][0] = prev; shapes[nrf][1] = units; nrf++;
        if (rnd(3) == 0) fprintf(o, "  batchnorm b%d\n", k);
        if (chain) fprintf(o, "  leaky_relu l%d\n", k);
        else activation(o, k);
        prev = units;
        sizes[k] = units;
    }
    (void)sizes;
    /* a side branch: add or concat with a second dense of the last output */
    int side = rnd(3);
    if (side) {
        char last[16];
        fprintf(o, "  dense s1(%d, weight=", prev); quantizer(o); fprintf(o, ", bias="); quantizer(o); fprintf(o, ")\n");
        snprintf(last, sizeof last, "d%d", layers);
        shapes[nrf][0] = prev; shapes[nrf][1] = prev; nrf++;
        if (side == 1) fprintf(o, "  add sum <- %s, s1\n", last);
        else fprintf(o, "  concat both <- %s, s1\n", last);
    }
    fprintf(o, "}\n\ntarget t {\n");
    static const char *prec[] = {"bit_exact", "bit_exact", "conservative", "fixed<16, 6>", "fixed<12, 4, rnd, sat>"};
    fprintf(o, "  precision = %s\n", chain ? "bit_exact" : prec[rnd(5)]);
    if (rnd(3) == 0) {
        /* resource strategy with a reuse factor every dense layer accepts */
        int ok_r[16], nok = 0;
        for (int r = 2; r <= 16; r++) {
            int ok = 1;
            for (int d = 0; d < nrf; d++) ok &= hls4ml_rf_ok(shapes[d][0], shapes[d][1], r);
            if (ok) ok_r[nok++] = r;
        }
        fprintf(o, "  strategy = resource\n  reuse_factor = %d\n", nok ? ok_r[rnd(nok)] : 1);
    }
    if (rnd(2)) fprintf(o, "  backend = vivado\n");
    fprintf(o, "}\n");
    return fclose(o) ? 1 : 0;
}

int main(int argc, char **argv) {
    aedl_progname = "hls_tool";
    if (argc >= 5 && !strcmp(argv[1], "weights")) {
        rs = strtoull(argv[4], NULL, 10);
        return cmd_weights(argv[2], argv[3], argc > 5 ? argv[5] : NULL);
    }
    if (argc == 4 && !strcmp(argv[1], "model")) {
        rs = strtoull(argv[3], NULL, 10) * 7919 + 1;
        return cmd_model(argv[2]);
    }
    fprintf(stderr, "usage: hls_tool weights FILE.aedl OUT.h5 SEED [MODEL] | hls_tool model OUT.aedl SEED\n");
    return 2;
}
