// enc: dense(4, weight=qw, bias=qw) -- qat.aedl:12
// Kernel w[i][j] (input i, neuron j; the Keras layout) in enc_weight_t, bias b[j] in enc_bias_t:
// exact values of their types.  10 of 24 weights are 0 and cost nothing in the
// latency strategy: 8 pruned (mask), 2 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_ENC_H_
#define WEIGHTS_ENC_H_

static const enc_weight_t enc_w[6][4] = {
    {0, 0, 0, 0},  // x[0]
    {-0.125, 0, -0.125, -0.375},  // x[1]
    {0.375, 0, -0.125, 0.125},  // x[2]
    {-0.5, 0.25, -0.5, -0.375},  // x[3]
    {-1, 0, 0, 0},  // x[4]
    {-0.875, -0.75, 1, 0}  // x[5]
};

static const enc_bias_t enc_b[4] = {
    0.375, 0.25, -0.375, 0.125
};

#endif
