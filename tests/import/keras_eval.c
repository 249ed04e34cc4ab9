/* keras_eval.c — the float forward pass of a model with its weights, for the
 * import tests (tests/import/keras.sh):
 *
 *   keras_eval FILE.aedl WEIGHTS.h5 INPUTS.dat
 *
 * INPUTS.dat holds one event per line, values separated by spaces (the layout
 * of an HLS project's tb_data/tb_input_features.dat).  Prints the model's
 * output for each event, one line each, as %.17g: the float model (no
 * quantizer, no input type), in double, with the layer functions of lib/nn.h
 * that the training program's evaluation uses (dense, batchnorm folded from
 * its moving statistics, relu, leaky_relu, sigmoid, tanh, softmax; dropout is
 * the identity).  The front end and the weights loader are the compiler's.
 * Exit status 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "passes.h"
#include "src.h"
#include "util.h"
#include "weights.h"

static int forward(IrModel *m, const double *in, double **val) {
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        long size = ir_shape_size(&n->shape);
        val[i] = xrealloc(val[i], sizeof(double) * (size_t)size);
        double *y = val[i];
        if (n->op == OP_INPUT) { memcpy(y, in, sizeof(double) * (size_t)size); continue; }
        if (n->ninputs != 1) {
            fprintf(stderr, "keras_eval: layer '%s' (%s): only chains are evaluated\n", n->name, ir_op_name(n->op));
            return 1;
        }
        const double *x = val[n->inputs[0]->id];
        long nin = ir_shape_size(&n->inputs[0]->shape);
        IrParams *p = n->params;
        switch (n->op) {
        case OP_DENSE: {
            double *k = xmalloc(sizeof(double) * (size_t)(nin * n->units)), *b = NULL;
            for (long j = 0; j < nin * n->units; j++) k[j] = weights_kernel(p, j);
            if (p->bias) {
                b = xmalloc(sizeof(double) * (size_t)n->units);
                aedl_f32_to_f64(b, p->bias, n->units);
            }
            aedl_dense_forward_f64(y, x, k, b, 1, (int)nin, n->units);
            free(k);
            free(b);
            break;
        }
        case OP_BATCHNORM: {
            double *scale = xmalloc(sizeof(double) * (size_t)size), *shift = xmalloc(sizeof(double) * (size_t)size);
            aedl_batchnorm_fold_f64(scale, shift, p->gamma, p->beta, p->moving_mean, p->moving_variance, (int)size,
                                    (float)n->epsilon);
            aedl_batchnorm_forward_infer_f64(y, x, scale, shift, 1, (int)size);
            free(scale);
            free(shift);
            break;
        }
        case OP_RELU: aedl_relu_forward_f64(y, x, size); break;
        case OP_LEAKY_RELU: aedl_leaky_relu_forward_f64(y, x, size, n->alpha); break;
        case OP_SIGMOID: aedl_sigmoid_forward_f64(y, x, size); break;
        case OP_TANH: aedl_tanh_forward_f64(y, x, size); break;
        case OP_SOFTMAX: aedl_softmax_forward_f64(y, x, 1, (int)size); break;
        case OP_LINEAR: case OP_DROPOUT: memcpy(y, x, sizeof(double) * (size_t)size); break;
        default:
            fprintf(stderr, "keras_eval: layer '%s' (%s) is not evaluated here\n", n->name, ir_op_name(n->op));
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    aedl_progname = "keras_eval";
    if (argc != 4) {
        fprintf(stderr, "usage: keras_eval FILE.aedl WEIGHTS.h5 INPUTS.dat\n");
        return 2;
    }
    LoadOptions lo = {NULL, 0, "stdlib"};
    int nfiles = 0;
    AstFile **files = load_program(argv[1], &lo, &nfiles);
    if (!files || diag_error_count()) return 1;
    IrProgram *p = resolve_program(files, nfiles, argv[1]);
    if (!p || diag_error_count()) return 1;
    infer_shapes(p);
    if (diag_error_count() || p->nmodels != 1) return 1;
    IrModel *m = p->models[0];
    if (weights_load(m, argv[2]) != 0) return 1;
    IrNode *in_node = m->nodes[0], *out_node = m->outputs[0];
    long d = ir_shape_size(&in_node->shape), o = ir_shape_size(&out_node->shape);
    FILE *f = fopen(argv[3], "r");
    if (!f) { fprintf(stderr, "keras_eval: cannot open %s\n", argv[3]); return 1; }
    double *in = xmalloc(sizeof(double) * (size_t)d);
    double **val = xcalloc((size_t)m->nnodes, sizeof *val);
    int rc = 0;
    for (;;) {
        long k = 0;
        while (k < d && fscanf(f, "%lf", &in[k]) == 1) k++;
        if (k == 0 && feof(f)) break;
        if (k != d) { fprintf(stderr, "keras_eval: %s: an event with %ld of %ld values\n", argv[3], k, d); rc = 1; break; }
        if ((rc = forward(m, in, val)) != 0) break;
        const double *y = val[out_node->id];
        for (long j = 0; j < o; j++) printf("%.17g%c", y[j], j + 1 < o ? ' ' : '\n');
    }
    fclose(f);
    for (int i = 0; i < m->nnodes; i++) free(val[i]);
    free(val);
    free(in);
    weights_free_model(m);
    return rc;
}
