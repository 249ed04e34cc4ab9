// nnet_dense.h -- the dense layer of aedlc's firmware projects, as hls4ml's nnet::dense.
//
// y[j] = quant_t(b[j] + x[0] * w[0][j] + x[1] * w[1][j] + ...): each product
// exact, each addition exact and cast to CONFIG_T::accum_t, in input order,
// exactly as aedlc's firmware emulator computes it.
//
// w and b are the arrays of weights/LAYER.h, passed by the top function: the
// kernel reads them, so a value edited there changes the design.  In the
// latency strategy the loops are unrolled over constant arrays, so the tool
// decides every `w[i][j] != 0` when it compiles: a zero weight (pruned or
// rounded to zero) makes no multiplier and no adder, and a weight +-2^k is a
// multiplication by a constant power of two, which it builds as wiring.
#ifndef NNET_DENSE_H_
#define NNET_DENSE_H_

#include "ap_fixed.h"
#include "nnet_layers.h"

namespace nnet {

// acc[j] += x[i] * w[i][j] for every non-zero weight: all products at once.
template <class data_T, typename CONFIG_T>
void dense_latency(const data_T x[CONFIG_T::n_in], typename CONFIG_T::accum_t acc[CONFIG_T::n_out],
                   const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {
    #pragma HLS INLINE
    #pragma HLS ARRAY_PARTITION variable=w complete dim=0
    for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
        #pragma HLS UNROLL
        for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
            #pragma HLS UNROLL
            if (w[i][j] != 0) acc[j] += x[i] * w[i][j];
        }
    }
}

// acc[j] += x[i] * w[i][j] for every weight, in reuse_factor passes of
// n_in * n_out / reuse_factor products, one pass per clock cycle (each multiplier
// used reuse_factor times); a neuron's products still come in input order.
template <class data_T, typename CONFIG_T>
void dense_resource(const data_T x[CONFIG_T::n_in], typename CONFIG_T::accum_t acc[CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {
    #pragma HLS INLINE
    const unsigned block = CONFIG_T::n_in * CONFIG_T::n_out / CONFIG_T::reuse_factor;
    for (unsigned r = 0; r < CONFIG_T::reuse_factor; r++) {
        #pragma HLS PIPELINE II=1
        for (unsigned k = r * block; k < (r + 1) * block; k++) {
            #pragma HLS UNROLL
            acc[k % CONFIG_T::n_out] += x[k / CONFIG_T::n_out] * w[k / CONFIG_T::n_out][k % CONFIG_T::n_out];
        }
    }
}

// From acc[j] = the bias (or 0): the sums, then y[j] = quant_t(acc[j]).
template <class data_T, class res_T, typename CONFIG_T>
void dense_sums(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
                typename CONFIG_T::accum_t acc[CONFIG_T::n_out],
                const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {
    #pragma HLS INLINE
    if (CONFIG_T::strategy == nnet::latency) dense_latency<data_T, CONFIG_T>(x, acc, w);
    else dense_resource<data_T, CONFIG_T>(x, acc, w);
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
        #pragma HLS UNROLL
        y[j] = typename CONFIG_T::quant_t(acc[j]);
    }
}

// y = quant_t(b + x w).
template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
           const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out],
           const typename CONFIG_T::bias_t b[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    #pragma HLS ARRAY_PARTITION variable=b complete
    typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
    #pragma HLS ARRAY_PARTITION variable=acc complete
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
        #pragma HLS UNROLL
        acc[j] = b[j];
    }
    dense_sums<data_T, res_T, CONFIG_T>(x, y, acc, w);
}

// y = quant_t(x w), a dense layer without bias (use_bias=false).
template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
           const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {
    #pragma HLS INLINE
    typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
    #pragma HLS ARRAY_PARTITION variable=acc complete
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
        #pragma HLS UNROLL
        acc[j] = 0;
    }
    dense_sums<data_T, res_T, CONFIG_T>(x, y, acc, w);
}

} // namespace nnet

#endif
