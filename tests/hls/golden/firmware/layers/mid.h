// mid: dense(3, weight=fixed<8, 3, rnd_conv, sat>, bias=qw, prune=none) -- tiny.aedl:12
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (9 of 9; 1 of them are +-2^k and become exact shifts: 8 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to mid_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_MID_H_
#define LAYER_MID_H_

static void dense_mid(const relu_1_result_t x[3], mid_result_t y[3]) {
    #pragma HLS INLINE
    mid_accum_t acc;

    // y[0]: 3 terms
    acc = mid_b[0];
    acc = nnet::mac(acc, x[0], mid_w[0][0]);
    acc = nnet::mac(acc, x[1], mid_w[1][0]);
    acc = nnet::mac(acc, x[2], mid_w[2][0]);
    y[0] = acc;

    // y[1]: 3 terms
    acc = mid_b[1];
    acc = nnet::mac(acc, x[0], mid_w[0][1]);
    acc = nnet::mac(acc, x[1], mid_w[1][1]);
    acc = nnet::mac(acc, x[2], mid_w[2][1]);
    y[1] = acc;

    // y[2]: 3 terms
    acc = mid_b[2];
    acc = nnet::sub(acc, nnet::shr<1>(x[0]));  // w = -0.5
    acc = nnet::mac(acc, x[1], mid_w[1][2]);
    acc = nnet::mac(acc, x[2], mid_w[2][2]);
    y[2] = acc;
}

#endif
