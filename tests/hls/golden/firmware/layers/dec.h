// dec: dense(4, weight=qw, use_bias=false) -- tiny.aedl:14
// Latency strategy: one unrolled sum per neuron over its non-zero weights only
// (3 of 12; 3 of them are +-2^k and become exact shifts: 0 multiplications).
// acc = bias; acc += x[i] * w[i][j] in input order (each sum cast to dec_accum_t:
// nnet::mac, or nnet::add / nnet::sub for shifts), then y[j] = acc.
#ifndef LAYER_DEC_H_
#define LAYER_DEC_H_

static void dense_dec(const leaky_relu_1_result_t x[3], dec_result_t y[4]) {
    #pragma HLS INLINE
    (void)dec_w;
    dec_accum_t acc;

    // y[0]: 1 term
    acc = 0;
    acc = nnet::add(acc, nnet::shr<3>(x[2]));  // w = 0.125
    y[0] = acc;

    // y[1]: 1 term
    acc = 0;
    acc = nnet::sub(acc, nnet::shr<1>(x[2]));  // w = -0.5
    y[1] = acc;

    // y[2]: 1 term
    acc = 0;
    acc = nnet::add(acc, nnet::shr<1>(x[0]));  // w = 0.5
    y[2] = acc;

    // y[3]: 0 terms
    acc = 0;
    y[3] = acc;
}

#endif
