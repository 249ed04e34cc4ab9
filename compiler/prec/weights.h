/* weights.h — trained parameters of a model, loaded from the weights file
 * (HDF5, the layout of docs/semantics.md: one group per layer, float32
 * datasets kernel (n_in, units), bias (units), mask (n_in, units), gamma,
 * beta, moving_mean, moving_variance (n)).  Stored values are the float
 * (latent) weights; the precision passes quantize them on use.
 */
#ifndef AEDL_WEIGHTS_H
#define AEDL_WEIGHTS_H

#include "ir.h"

typedef struct IrParams {
    int n_in, units;            /* dense: kernel (n_in, units); batchnorm: n_in = units = n */
    float *kernel;              /* (n_in, units), Keras layout */
    float *bias;                /* (units), NULL without bias */
    float *mask;                /* (n_in, units), NULL when not pruned (all kept) */
    float *gamma, *beta, *moving_mean, *moving_variance;   /* batchnorm (n) */
} IrParams;

/* Loads PATH into node->params of every dense and batchnorm of m.  A file that
   does not fit the model is an error listing every difference (missing layer,
   extra layer, dataset shape); NaN or Inf is an error naming the layer, the
   dataset and the index.  Messages go to stderr as "PATH: error: ...".
   Returns 0, or the number of errors (params left NULL then). */
int weights_load(IrModel *m, const char *path);

/* The quantized-model value of kernel[k]: kernel * mask as a double. */
static inline double weights_kernel(const IrParams *p, long k) {
    return p->mask && p->mask[k] == 0.0f ? 0.0 : (double)p->kernel[k];
}

/* Fresh parameters with the given sizes, zero-filled (tests, initialisation). */
IrParams *weights_new_dense(int n_in, int units, bool bias, bool mask);
IrParams *weights_new_batchnorm(int n);
void weights_free(IrParams *p);
/* Gives every dense and batchnorm without params zero weights and initial
   batchnorm parameters (gamma 1, beta 0, mean 0, variance 1): the firmware
   plan of a model without trained weights (docs/hls.md). */
void weights_zero_model(IrModel *m);
/* binary, ternary and quantized_po2 weight and bias quantizers (Q_VALUE): their
   values in place of the loaded weights, which the quantizer's fixed type then
   holds exactly (after weights_load; the float weights are not kept).
   quantized_bits(alpha="auto" / "auto_po2"): its values, and the layer gets its
   own copy of the quantizer with the smallest fixed type holding them.  Returns
   the number of errors reported (naming PATH, the weights file). */
int weights_apply_value_quantizers(IrModel *m, const char *path);
/* Frees every node's params (node->params = NULL). */
void weights_free_model(IrModel *m);

#endif
