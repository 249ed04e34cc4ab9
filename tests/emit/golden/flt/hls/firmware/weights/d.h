// d: dense(3) -- flt.aedl:14
// Kernel w[i][j] (input i, neuron j; the Keras layout) in d_weight_t, bias b[j] in d_bias_t:
// exact values of their types.  0 of 18 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_D_H_
#define WEIGHTS_D_H_

static const d_weight_t d_w[6][3] = {
    {0.81317138671875, 0.0892333984375, -0.50921630859375},  // x[0]
    {0.61663818359375, 0.76751708984375, 0.8704833984375},  // x[1]
    {1, 0.71600341796875, -0.8746337890625},  // x[2]
    {-0.95166015625, -0.9254150390625, 0.84918212890625},  // x[3]
    {-0.1075439453125, 0.361572265625, 0.8353271484375},  // x[4]
    {-0.125, -0.69317626953125, -0.39520263671875}  // x[5]
};

static const d_bias_t d_b[3] = {
    -0.0729827880859375, -0.3683013916015625, -0.089599609375
};

#endif
