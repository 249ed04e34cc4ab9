// out: dense(4) -- flt.aedl:18
// Kernel w[i][j] (input i, neuron j; the Keras layout) in out_weight_t, bias b[j] in out_bias_t:
// exact values of their types.  0 of 12 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_OUT_H_
#define WEIGHTS_OUT_H_

static const out_weight_t out_w[3][4] = {
    {0.34771728515625, 0.967132568359375, -0.19610595703125, 0.287841796875},  // x[0]
    {0.767822265625, -0.848419189453125, -0.97332763671875, 0.840850830078125},  // x[1]
    {-0.007537841796875, 0.45159912109375, -0.125, -0.304351806640625}  // x[2]
};

static const out_bias_t out_b[4] = {
    0.0792694091796875, -0.3612213134765625, 0.4077911376953125, 0.46978759765625
};

#endif
