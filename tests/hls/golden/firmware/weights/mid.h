// mid: dense(3, weight=fixed<8, 3, rnd_conv, sat>, bias=qw, prune=none) -- tiny.aedl:12
// Kernel w[i][j] (input i, neuron j; the Keras layout) in mid_weight_t, bias b[j] in mid_bias_t:
// exact values of their types.  0 of 9 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_MID_H_
#define WEIGHTS_MID_H_

static const mid_weight_t mid_w[3][3] = {
    {-0.375, 0.375, -0.5},  // x[0]
    {-0.90625, 0.96875, 0.84375},  // x[1]
    {-0.6875, 0.625, -0.375}  // x[2]
};

static const mid_bias_t mid_b[3] = {
    -0.5, 0.25, -0.25
};

#endif
