// b: dense(3) -- flt.aedl:11
// Kernel w[i][j] (input i, neuron j; the Keras layout) in b_weight_t, bias b[j] in b_bias_t:
// exact values of their types.  0 of 12 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_B_H_
#define WEIGHTS_B_H_

static const b_weight_t b_w[4][3] = {
    {0.382171630859375, 0.24798583984375, -0.781890869140625},  // x[0]
    {-0.154541015625, 0.881683349609375, -0.64605712890625},  // x[1]
    {-0.5, -0.81219482421875, -0.25},  // x[2]
    {0.33001708984375, 0.9805908203125, 0.69561767578125}  // x[3]
};

static const b_bias_t b_b[3] = {
    -0.1138458251953125, -0.3507843017578125, 0.1363067626953125
};

#endif
