// out: dense(4) -- flt.aedl:18
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (12 of 12; 1 of them are +-2^k and become exact shifts: 11 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to out_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_OUT_H_
#define LAYER_OUT_H_

static void dense_out(const softmax_1_result_t x[3], out_result_t y[4]) {
    #pragma HLS INLINE
    out_accum_t acc;

    // y[0]: 3 terms
    acc = out_b[0];
    acc = nnet::mac(acc, x[0], out_w[0][0]);
    acc = nnet::mac(acc, x[1], out_w[1][0]);
    acc = nnet::mac(acc, x[2], out_w[2][0]);
    y[0] = acc;

    // y[1]: 3 terms
    acc = out_b[1];
    acc = nnet::mac(acc, x[0], out_w[0][1]);
    acc = nnet::mac(acc, x[1], out_w[1][1]);
    acc = nnet::mac(acc, x[2], out_w[2][1]);
    y[1] = acc;

    // y[2]: 3 terms
    acc = out_b[2];
    acc = nnet::mac(acc, x[0], out_w[0][2]);
    acc = nnet::mac(acc, x[1], out_w[1][2]);
    acc = nnet::sub(acc, nnet::shr<3>(x[2]));  // w = -0.125
    y[2] = acc;

    // y[3]: 3 terms
    acc = out_b[3];
    acc = nnet::mac(acc, x[0], out_w[0][3]);
    acc = nnet::mac(acc, x[1], out_w[1][3]);
    acc = nnet::mac(acc, x[2], out_w[2][3]);
    y[3] = acc;
}

#endif
