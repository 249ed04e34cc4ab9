// leaky_relu_1: leaky_relu(alpha=0.25) -- tiny.aedl:13
// alpha = 0.25 in leaky_relu_1_alpha_t (exact).
#ifndef WEIGHTS_LEAKY_RELU_1_H_
#define WEIGHTS_LEAKY_RELU_1_H_

static const leaky_relu_1_alpha_t leaky_relu_1_alpha = 0.25;

#endif
