// c: dense(3, use_bias=false) -- flt.aedl:12
// Kernel w[i][j] (input i, neuron j; the Keras layout) in c_weight_t, bias b[j] in (no bias):
// exact values of their types.  0 of 9 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_C_H_
#define WEIGHTS_C_H_

static const c_weight_t c_w[3][3] = {
    {-0.630096435546875, -0.189117431640625, 0.387481689453125},  // x[0]
    {-0.04547119140625, -0.812347412109375, -0.35498046875},  // x[1]
    {0.173492431640625, -0.90643310546875, -0.831146240234375}  // x[2]
};

#endif
