// d: dense(3) -- flt.aedl:14
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (18 of 18; 2 of them are +-2^k and become exact shifts: 16 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to d_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_D_H_
#define LAYER_D_H_

static void dense_d(const both_result_t x[6], d_result_t y[3]) {
    #pragma HLS INLINE
    d_accum_t acc;

    // y[0]: 6 terms
    acc = d_b[0];
    acc = nnet::mac(acc, x[0], d_w[0][0]);
    acc = nnet::mac(acc, x[1], d_w[1][0]);
    acc = nnet::add(acc, x[2]);  // w = 1
    acc = nnet::mac(acc, x[3], d_w[3][0]);
    acc = nnet::mac(acc, x[4], d_w[4][0]);
    acc = nnet::sub(acc, nnet::shr<3>(x[5]));  // w = -0.125
    y[0] = acc;

    // y[1]: 6 terms
    acc = d_b[1];
    acc = nnet::mac(acc, x[0], d_w[0][1]);
    acc = nnet::mac(acc, x[1], d_w[1][1]);
    acc = nnet::mac(acc, x[2], d_w[2][1]);
    acc = nnet::mac(acc, x[3], d_w[3][1]);
    acc = nnet::mac(acc, x[4], d_w[4][1]);
    acc = nnet::mac(acc, x[5], d_w[5][1]);
    y[1] = acc;

    // y[2]: 6 terms
    acc = d_b[2];
    acc = nnet::mac(acc, x[0], d_w[0][2]);
    acc = nnet::mac(acc, x[1], d_w[1][2]);
    acc = nnet::mac(acc, x[2], d_w[2][2]);
    acc = nnet::mac(acc, x[3], d_w[3][2]);
    acc = nnet::mac(acc, x[4], d_w[4][2]);
    acc = nnet::mac(acc, x[5], d_w[5][2]);
    y[2] = acc;
}

#endif
