/* lanes.h — the float model's inference with events in vector lanes: what a generated
 * model's forward runs in AEDL_MODE_FLOAT (the float model of evaluation and of aedlc
 * predict) when every layer has a lanes form (kinds.def's train_lanes).
 *
 * A block holds up to AEDL_LANES events transposed: a layer of C values is C rows of
 * AEDL_LANES floats, row j holding value j of every event of the block (the lanes past the
 * block's events hold zeros or what the layers made of zeros, and are never read back).
 * Every loop runs over events, so it vectorizes, and a dense layer adds one non-zero weight
 * times an input row at a time: pruned weights cost nothing.
 *
 * The numbers are those of the row-major layers (nn.h).  Batchnorm and the activations do
 * the same float operations on every value (the element-wise functions of nn.h are called
 * on the rows as they are).  A dense output is
 *     y_j = fl(fma(x_kn, w_knj, ... fma(x_k1, w_k1j, 0)) + b_j)
 * over the inputs k1 < ... < kn of its non-zero weights: the FMA chain in the order of the
 * inputs, from 0, then plus the bias (0 without one).  A zero weight leaves an FMA chain
 * unchanged (for finite inputs), so skipping it, or a row of inputs that are all zero, changes
 * nothing.  OpenBLAS's sgemm (aedl_dense_forward) computes the same chain on the machines we
 * checked; tests/nn/test_lanes.c checks the definition and says where sgemm differs.
 */
#ifndef AEDL_LANES_H
#define AEDL_LANES_H

#include <stdint.h>

#define AEDL_LANES 64            /* events per block */

/* A dense layer's kernel as the lanes kernel reads it: per output j, its non-zero weights
   w[start[j] .. start[j + 1]) and their inputs k[...] in increasing order. */
typedef struct {
    int n_in, units;
    int *start, *k;
    float *w;
    const float *bias;           /* (units) or NULL */
    int cap;                     /* allocated weights */
} aedl_lanes_dense;

/* (Re)packs kernel (n_in, units) row-major and bias (units, or NULL) into d (allocating on
   the first call; the bias is read in place at each forward). */
void aedl_lanes_dense_pack(aedl_lanes_dense *d, const float *kernel, const float *bias, int n_in, int units);
void aedl_lanes_dense_free(aedl_lanes_dense *d);
/* Y (units rows) = the layer on X (n_in rows). */
void aedl_lanes_dense_forward(float *Y, const float *X, const aedl_lanes_dense *d);

/* nb <= AEDL_LANES events x (nb, d) row-major -> X (d rows), the other lanes zero. */
void aedl_lanes_in(float *X, const float *x, int nb, int d);
/* The first nb lanes of Y (d rows) -> y (nb, d) row-major. */
void aedl_lanes_out(float *y, const float *Y, int nb, int d);
/* score[e] of the first nb lanes: the MSE of Y against X (d rows each), masked by mask (nb, d)
   row-major or NULL, as aedl_mse_per_event and aedl_masked_mse_per_event compute it (nn.h:
   each event's sum in double over its features in order). */
void aedl_lanes_mse(float *score, const float *Y, const float *X, const uint8_t *mask, int nb, int d);

/* 0: the plain loops even where AVX2 and FMA exist (the tests compare both); 1 (the default):
   the machine's best.  Set it before any thread uses the kernels. */
void aedl_lanes_use_simd(int on);

#endif
