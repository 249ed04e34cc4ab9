// latent: dense(2, weight=fixed<8, 3, rnd_conv, sat>, bias=qw, prune=none) -- qat.aedl:15
// Kernel w[i][j] (input i, neuron j; the Keras layout) in latent_weight_t, bias b[j] in latent_bias_t:
// exact values of their types.  0 of 8 weights are 0 and cost nothing in the
// latency strategy: 0 pruned (mask), 0 rounded to zero.
// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes
// the design (a zero skips its term, a non-zero makes one).  Keep values of the
// types; defines.h says which range the types were chosen for.
#ifndef WEIGHTS_LATENT_H_
#define WEIGHTS_LATENT_H_

static const latent_weight_t latent_w[4][2] = {
    {-0.25, 0.34375},  // x[0]
    {0.96875, 0.6875},  // x[1]
    {-0.6875, -0.625},  // x[2]
    {-0.1875, 0.375}  // x[3]
};

static const latent_bias_t latent_b[2] = {
    0.5, 0
};

#endif
