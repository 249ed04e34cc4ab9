// a: dense(4, init=he_uniform) -- flt.aedl:7
// Kernel w[i][j] (input i, neuron j; the Keras layout) in a_weight_t, bias b[j] in a_bias_t:
// exact values of their types.  0 of 16 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_A_H_
#define WEIGHTS_A_H_

static const a_weight_t a_w[4][4] = {
    {0.4915771484375, -0.111480712890625, 0.046142578125, -0.19171142578125},  // x[0]
    {-0.125, 0.630706787109375, -0.125, -0.426177978515625},  // x[1]
    {0.42755126953125, 0.195709228515625, -0.122039794921875, 0.08734130859375},  // x[2]
    {-0.5, 0.312469482421875, -0.5, -0.39630126953125}  // x[3]
};

static const a_bias_t a_b[4] = {
    -0.17431640625, 0.4401702880859375, -0.1063385009765625, -0.412261962890625
};

#endif
