// dec: dense(4, weight=qw, use_bias=false) -- tiny.aedl:14
// Kernel w[i][j] (input i, neuron j; the Keras layout) in dec_weight_t, bias b[j] in (no bias):
// exact values of their types.  9 of 12 weights are 0 and cost nothing in the
// latency strategy: 8 pruned (mask), 1 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_DEC_H_
#define WEIGHTS_DEC_H_

static const dec_weight_t dec_w[3][4] = {
    {0, 0, 0.5, 0},  // x[0]
    {0, 0, 0, 0},  // x[1]
    {0.125, -0.5, 0, 0}  // x[2]
};

#endif
