// dec: dense(6, weight=qw, bias=qw) -- qat.aedl:16
// Kernel w[i][j] (input i, neuron j; the Keras layout) in dec_weight_t, bias b[j] in dec_bias_t:
// exact values of their types.  8 of 12 weights are 0 and cost nothing in the
// latency strategy: 8 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_DEC_H_
#define WEIGHTS_DEC_H_

static const dec_weight_t dec_w[2][6] = {
    {0, -0.375, 0, 0, 0, 0.5},  // x[0]
    {0, 0, -0.5, 0, 0.75, 0}  // x[1]
};

static const dec_bias_t dec_b[6] = {
    -0.375, 0.25, 0.25, -0.25, -0.125, 0.375
};

#endif
