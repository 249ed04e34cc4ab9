// a: dense(4, init=he_uniform) -- flt.aedl:7
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (16 of 16; 4 of them are +-2^k and become exact shifts: 12 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to a_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_A_H_
#define LAYER_A_H_

static void dense_a(const input_t x[4], a_result_t y[4]) {
    #pragma HLS INLINE
    a_accum_t acc;

    // y[0]: 4 terms
    acc = a_b[0];
    acc = nnet::mac(acc, x[0], a_w[0][0]);
    acc = nnet::sub(acc, nnet::shr<3>(x[1]));  // w = -0.125
    acc = nnet::mac(acc, x[2], a_w[2][0]);
    acc = nnet::sub(acc, nnet::shr<1>(x[3]));  // w = -0.5
    y[0] = acc;

    // y[1]: 4 terms
    acc = a_b[1];
    acc = nnet::mac(acc, x[0], a_w[0][1]);
    acc = nnet::mac(acc, x[1], a_w[1][1]);
    acc = nnet::mac(acc, x[2], a_w[2][1]);
    acc = nnet::mac(acc, x[3], a_w[3][1]);
    y[1] = acc;

    // y[2]: 4 terms
    acc = a_b[2];
    acc = nnet::mac(acc, x[0], a_w[0][2]);
    acc = nnet::sub(acc, nnet::shr<3>(x[1]));  // w = -0.125
    acc = nnet::mac(acc, x[2], a_w[2][2]);
    acc = nnet::sub(acc, nnet::shr<1>(x[3]));  // w = -0.5
    y[2] = acc;

    // y[3]: 4 terms
    acc = a_b[3];
    acc = nnet::mac(acc, x[0], a_w[0][3]);
    acc = nnet::mac(acc, x[1], a_w[1][3]);
    acc = nnet::mac(acc, x[2], a_w[2][3]);
    acc = nnet::mac(acc, x[3], a_w[3][3]);
    y[3] = acc;
}

#endif
