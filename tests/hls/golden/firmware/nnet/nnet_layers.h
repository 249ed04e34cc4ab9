// nnet_layers.h -- the element-wise layers of aedlc's firmware projects.
//
// Each kernel computes, per element, exactly what aedlc's firmware emulator
// does (compiler/prec/precision.h): v = the layer's value in CONFIG_T::accum_t,
// then y = (result)(quant_t)v.  Products and sums of ap_fixed values are
// exact; only the assignments round and saturate, as their types say.
#ifndef NNET_LAYERS_H_
#define NNET_LAYERS_H_

#include <cmath>
#include "ap_fixed.h"

namespace nnet {

enum strategy { latency, resource };

// x * 2^K exactly: K more integer bits first, then the shift moves the mantissa.
template <int K, int W, int I, ap_q_mode Q, ap_o_mode O, int N>
inline ap_fixed<W + K, I + K> shl(const ap_fixed<W, I, Q, O, N> &x) {
    #pragma HLS INLINE
    ap_fixed<W + K, I + K> r = x;
    return r << K;
}
template <int K, int W, int I, ap_q_mode Q, ap_o_mode O, int N>
inline ap_ufixed<W + K, I + K> shl(const ap_ufixed<W, I, Q, O, N> &x) {
    #pragma HLS INLINE
    ap_ufixed<W + K, I + K> r = x;
    return r << K;
}

// y = x * scale + shift (inference batchnorm), one cast of the exact value.
template <class data_T, class res_T, typename CONFIG_T>
void batchnorm(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
               const typename CONFIG_T::scale_t scale[CONFIG_T::n_in],
               const typename CONFIG_T::shift_t shift[CONFIG_T::n_in]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v = x[j] * scale[j] + shift[j];
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// y = max(x, 0).
template <class data_T, class res_T, typename CONFIG_T>
void relu(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v = 0;
        if (x[j] > 0) v = x[j];
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// y = x >= 0 ? x : alpha * x.
template <class data_T, class res_T, typename CONFIG_T>
void leaky_relu(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
                const typename CONFIG_T::alpha_t alpha) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v;
        if (x[j] >= 0) v = x[j];
        else v = x[j] * alpha;
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// y = min(max(x, lo), hi): accum_t holds every value of the result exactly.
template <class data_T, class res_T, typename CONFIG_T>
void clip(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
          const typename CONFIG_T::bounds_t lo, const typename CONFIG_T::bounds_t hi) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v = x[j];
        if (x[j] < lo) v = lo;
        if (x[j] > hi) v = hi;
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// y = |x|: accum_t holds every value of the result exactly (|-2^(I-1)| = 2^(I-1)).
template <class data_T, class res_T, typename CONFIG_T>
void abs(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v;
        if (x[j] < 0) v = -x[j];
        else v = x[j];
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// y = x, through the layer's quantizer.
template <class data_T, class res_T, typename CONFIG_T>
void linear(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v = x[j];
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// sigmoid and tanh: a table (weights/LAYER.h), as hls4ml's.  The index is
// floor(x * 2^table_shift): K more integer bits make the shift exact, the cast to
// an integer type rounds toward -inf (AP_TRN) and saturates; then it is clamped to
// the table.  Exact: the same entry as the emulator and the training program read.
template <class data_T, typename CONFIG_T>
int table_index(const data_T &x) {
    #pragma HLS INLINE
    ap_fixed<16, 16, AP_TRN, AP_SAT> i = nnet::shl<CONFIG_T::table_shift>(x);
    int k = i.to_int() + (int)CONFIG_T::table_size / 2;
    if (k < 0) k = 0;
    if (k > (int)CONFIG_T::table_size - 1) k = (int)CONFIG_T::table_size - 1;
    return k;
}

template <class data_T, class res_T, typename CONFIG_T>
void table_lookup(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
                  const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        y[j] = table[table_index<data_T, CONFIG_T>(x[j])];
    }
}

// sigmoid and tanh differ only in their tables.
template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
             const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
    #pragma HLS INLINE
    table_lookup<data_T, res_T, CONFIG_T>(x, y, table);
}
template <class data_T, class res_T, typename CONFIG_T>
void tanh(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
          const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
    #pragma HLS INLINE
    table_lookup<data_T, res_T, CONFIG_T>(x, y, table);
}

// bound: per feature y = x (mode 0), max(x, 0) (1) or k * tanh(x) (2), tanh by
// its table: accum_t holds every value exactly (the product of k and an entry too).
template <class data_T, class res_T, typename CONFIG_T>
void bound(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],
           const typename CONFIG_T::table_t table[CONFIG_T::table_size],
           const typename CONFIG_T::k_t k[CONFIG_T::n_out], const unsigned char mode[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t v;
        if (mode[j] == 2) v = k[j] * table[table_index<data_T, CONFIG_T>(x[j])];
        else if (mode[j] == 1 && x[j] < 0) v = 0;
        else v = x[j];
        y[j] = typename CONFIG_T::quant_t(v);
    }
}

// softmax is computed in double and rounded to res_T, as the emulator does: C
// simulation is exact, synthesis uses the HLS math library (costly; not
// guaranteed to equal the quantized model).
template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {
    double mx = -HUGE_VAL, sum = 0;
    for (unsigned j = 0; j < CONFIG_T::n_in; j++)
        if (x[j].to_double() > mx) mx = x[j].to_double();
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) sum += std::exp(x[j].to_double() - mx);
    for (unsigned j = 0; j < CONFIG_T::n_in; j++) y[j] = res_T(std::exp(x[j].to_double() - mx) / sum);
}

} // namespace nnet

#endif
