// enc: dense(4, weight=qw, bias=qw) -- qat.aedl:12
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (14 of 24; 9 of them are +-2^k and become exact shifts: 5 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to enc_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_ENC_H_
#define LAYER_ENC_H_

static void dense_enc(const input_t x[6], enc_result_t y[4]) {
    #pragma HLS INLINE
    enc_accum_t acc;

    // y[0]: 5 terms
    acc = enc_b[0];
    acc = nnet::sub(acc, nnet::shr<3>(x[1]));  // w = -0.125
    acc = nnet::mac(acc, x[2], enc_w[2][0]);
    acc = nnet::sub(acc, nnet::shr<1>(x[3]));  // w = -0.5
    acc = nnet::sub(acc, x[4]);  // w = -1
    acc = nnet::mac(acc, x[5], enc_w[5][0]);
    y[0] = acc;

    // y[1]: 2 terms
    acc = enc_b[1];
    acc = nnet::add(acc, nnet::shr<2>(x[3]));  // w = 0.25
    acc = nnet::mac(acc, x[5], enc_w[5][1]);
    y[1] = acc;

    // y[2]: 4 terms
    acc = enc_b[2];
    acc = nnet::sub(acc, nnet::shr<3>(x[1]));  // w = -0.125
    acc = nnet::sub(acc, nnet::shr<3>(x[2]));  // w = -0.125
    acc = nnet::sub(acc, nnet::shr<1>(x[3]));  // w = -0.5
    acc = nnet::add(acc, x[5]);  // w = 1
    y[2] = acc;

    // y[3]: 3 terms
    acc = enc_b[3];
    acc = nnet::mac(acc, x[1], enc_w[1][3]);
    acc = nnet::add(acc, nnet::shr<3>(x[2]));  // w = 0.125
    acc = nnet::mac(acc, x[3], enc_w[3][3]);
    y[3] = acc;
}

#endif
