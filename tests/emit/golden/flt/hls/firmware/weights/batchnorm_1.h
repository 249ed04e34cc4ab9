// batchnorm_1: batchnorm -- flt.aedl:8
// Inference: y = x * scale + shift, scale = gamma / sqrt(moving_variance + epsilon),
// shift = beta - moving_mean * scale, quantized to batchnorm_1_scale_t and batchnorm_1_shift_t (exact values).
#ifndef WEIGHTS_BATCHNORM_1_H_
#define WEIGHTS_BATCHNORM_1_H_

static const batchnorm_1_scale_t batchnorm_1_scale[4] = {
    0.9921875, 0.9658203125, 1.99609375, 1.0576171875
};

static const batchnorm_1_shift_t batchnorm_1_shift[4] = {
    -0.1923828125, -0.21875, 1.17578125, 0.5400390625
};

#endif
