// b: dense(3) -- flt.aedl:11
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (12 of 12; 2 of them are +-2^k and become exact shifts: 10 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to b_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_B_H_
#define LAYER_B_H_

static void dense_b(const leaky_relu_1_result_t x[4], b_result_t y[3]) {
    #pragma HLS INLINE
    b_accum_t acc;

    // y[0]: 4 terms
    acc = b_b[0];
    acc = nnet::mac(acc, x[0], b_w[0][0]);
    acc = nnet::mac(acc, x[1], b_w[1][0]);
    acc = nnet::sub(acc, nnet::shr<1>(x[2]));  // w = -0.5
    acc = nnet::mac(acc, x[3], b_w[3][0]);
    y[0] = acc;

    // y[1]: 4 terms
    acc = b_b[1];
    acc = nnet::mac(acc, x[0], b_w[0][1]);
    acc = nnet::mac(acc, x[1], b_w[1][1]);
    acc = nnet::mac(acc, x[2], b_w[2][1]);
    acc = nnet::mac(acc, x[3], b_w[3][1]);
    y[1] = acc;

    // y[2]: 4 terms
    acc = b_b[2];
    acc = nnet::mac(acc, x[0], b_w[0][2]);
    acc = nnet::mac(acc, x[1], b_w[1][2]);
    acc = nnet::sub(acc, nnet::shr<2>(x[2]));  // w = -0.25
    acc = nnet::mac(acc, x[3], b_w[3][2]);
    y[2] = acc;
}

#endif
