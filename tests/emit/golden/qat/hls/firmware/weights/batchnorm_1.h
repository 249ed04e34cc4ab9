// batchnorm_1: batchnorm -- qat.aedl:13
// Inference: y = x * scale + shift, scale = gamma / sqrt(moving_variance + epsilon),
// shift = beta - moving_mean * scale, quantized to batchnorm_1_scale_t and batchnorm_1_shift_t (exact values).
#ifndef WEIGHTS_BATCHNORM_1_H_
#define WEIGHTS_BATCHNORM_1_H_

static const batchnorm_1_scale_t batchnorm_1_scale[4] = {
    0.5205078125, 0.810546875, 2.15234375, 0.896484375
};

static const batchnorm_1_shift_t batchnorm_1_shift[4] = {
    0.3173828125, 0.0234375, -0.1328125, 0.0380859375
};

#endif
