// batchnorm_1: batchnorm -- tiny.aedl:10
// Inference: y = x * scale + shift, scale = gamma / sqrt(moving_variance + epsilon),
// shift = beta - moving_mean * scale, quantized to batchnorm_1_scale_t and batchnorm_1_shift_t (exact values).
#ifndef WEIGHTS_BATCHNORM_1_H_
#define WEIGHTS_BATCHNORM_1_H_

static const batchnorm_1_scale_t batchnorm_1_scale[3] = {
    0.73828125, 0.6962890625, 1.0146484375
};

static const batchnorm_1_shift_t batchnorm_1_shift[3] = {
    0.58203125, 0.4169921875, -0.18359375
};

#endif
