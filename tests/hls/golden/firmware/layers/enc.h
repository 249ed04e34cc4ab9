// enc: dense(3, weight=qw, bias=qw) -- tiny.aedl:9
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (6 of 12; 3 of them are +-2^k and become exact shifts: 3 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to enc_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_ENC_H_
#define LAYER_ENC_H_

static void dense_enc(const input_t x[4], enc_result_t y[3]) {
    #pragma HLS INLINE
    enc_accum_t acc;

    // y[0]: 1 term
    acc = enc_b[0];
    acc = nnet::mac(acc, x[3], enc_w[3][0]);
    y[0] = acc;

    // y[1]: 1 term
    acc = enc_b[1];
    acc = nnet::add(acc, nnet::shr<2>(x[2]));  // w = 0.25
    y[1] = acc;

    // y[2]: 4 terms
    acc = enc_b[2];
    acc = nnet::mac(acc, x[0], enc_w[0][2]);
    acc = nnet::mac(acc, x[1], enc_w[1][2]);
    acc = nnet::add(acc, nnet::shr<2>(x[2]));  // w = 0.25
    acc = nnet::sub(acc, nnet::shr<2>(x[3]));  // w = -0.25
    y[2] = acc;
}

#endif
