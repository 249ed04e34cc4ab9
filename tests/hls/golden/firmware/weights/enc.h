// enc: dense(3, weight=qw, bias=qw) -- tiny.aedl:9
// Kernel w[i][j] (input i, neuron j; the Keras layout) in enc_weight_t, bias b[j] in enc_bias_t:
// exact values of their types.  6 of 12 weights are 0 and cost nothing in the
// latency strategy: 6 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_ENC_H_
#define WEIGHTS_ENC_H_

static const enc_weight_t enc_w[4][3] = {
    {0, 0, 0.625},  // x[0]
    {0, 0, -0.75},  // x[1]
    {0, 0.25, 0.25},  // x[2]
    {0.375, 0, -0.25}  // x[3]
};

static const enc_bias_t enc_b[3] = {
    -0.25, 0.25, -0.375
};

#endif
