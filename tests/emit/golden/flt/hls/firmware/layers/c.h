// c: dense(3, use_bias=false) -- flt.aedl:12
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (9 of 9; 0 of them are +-2^k and become exact shifts: 9 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to c_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_C_H_
#define LAYER_C_H_

static void dense_c(const b_result_t x[3], c_result_t y[3]) {
    #pragma HLS INLINE
    c_accum_t acc;

    // y[0]: 3 terms
    acc = 0;
    acc = nnet::mac(acc, x[0], c_w[0][0]);
    acc = nnet::mac(acc, x[1], c_w[1][0]);
    acc = nnet::mac(acc, x[2], c_w[2][0]);
    y[0] = acc;

    // y[1]: 3 terms
    acc = 0;
    acc = nnet::mac(acc, x[0], c_w[0][1]);
    acc = nnet::mac(acc, x[1], c_w[1][1]);
    acc = nnet::mac(acc, x[2], c_w[2][1]);
    y[1] = acc;

    // y[2]: 3 terms
    acc = 0;
    acc = nnet::mac(acc, x[0], c_w[0][2]);
    acc = nnet::mac(acc, x[1], c_w[1][2]);
    acc = nnet::mac(acc, x[2], c_w[2][2]);
    y[2] = acc;
}

#endif
