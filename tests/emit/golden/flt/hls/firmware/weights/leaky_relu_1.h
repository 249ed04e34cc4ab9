// leaky_relu_1: leaky_relu(alpha=0.3) -- flt.aedl:9
// alpha = 0.3 in leaky_relu_1_alpha_t (rounded to its step; training uses the same value).
#ifndef WEIGHTS_LEAKY_RELU_1_H_
#define WEIGHTS_LEAKY_RELU_1_H_

static const leaky_relu_1_alpha_t leaky_relu_1_alpha = 0.2998046875;

#endif
