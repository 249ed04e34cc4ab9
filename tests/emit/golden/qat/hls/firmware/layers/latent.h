// latent: dense(2, weight=fixed<8, 3, rnd_conv, sat>, bias=qw, prune=none) -- qat.aedl:15
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (8 of 8; 1 of them are +-2^k and become exact shifts: 7 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to latent_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_LATENT_H_
#define LAYER_LATENT_H_

static void dense_latent(const relu_1_result_t x[4], latent_result_t y[2]) {
    #pragma HLS INLINE
    latent_accum_t acc;

    // y[0]: 4 terms
    acc = latent_b[0];
    acc = nnet::sub(acc, nnet::shr<2>(x[0]));  // w = -0.25
    acc = nnet::mac(acc, x[1], latent_w[1][0]);
    acc = nnet::mac(acc, x[2], latent_w[2][0]);
    acc = nnet::mac(acc, x[3], latent_w[3][0]);
    y[0] = acc;

    // y[1]: 4 terms
    acc = latent_b[1];
    acc = nnet::mac(acc, x[0], latent_w[0][1]);
    acc = nnet::mac(acc, x[1], latent_w[1][1]);
    acc = nnet::mac(acc, x[2], latent_w[2][1]);
    acc = nnet::mac(acc, x[3], latent_w[3][1]);
    y[1] = acc;
}

#endif
