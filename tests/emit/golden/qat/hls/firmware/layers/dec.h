// dec: dense(6, weight=qw, bias=qw) -- qat.aedl:16
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (4 of 12; 2 of them are +-2^k and become exact shifts: 2 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to dec_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_DEC_H_
#define LAYER_DEC_H_

static void dense_dec(const latent_result_t x[2], dec_result_t y[6]) {
    #pragma HLS INLINE
    dec_accum_t acc;

    // y[0]: 0 terms
    acc = dec_b[0];
    y[0] = acc;

    // y[1]: 1 term
    acc = dec_b[1];
    acc = nnet::mac(acc, x[0], dec_w[0][1]);
    y[1] = acc;

    // y[2]: 1 term
    acc = dec_b[2];
    acc = nnet::sub(acc, nnet::shr<1>(x[1]));  // w = -0.5
    y[2] = acc;

    // y[3]: 0 terms
    acc = dec_b[3];
    y[3] = acc;

    // y[4]: 1 term
    acc = dec_b[4];
    acc = nnet::mac(acc, x[1], dec_w[1][4]);
    y[4] = acc;

    // y[5]: 1 term
    acc = dec_b[5];
    acc = nnet::add(acc, nnet::shr<1>(x[0]));  // w = 0.5
    y[5] = acc;
}

#endif
