/* bench_ap_fixed.cpp — C-simulation speed of lib/hls/ap_fixed.h: a 57 -> 32
 * dense layer written as aedlc's firmware writes it (acc = 0; acc += x * w;
 * relu; cast to the output type), timed per multiply-accumulate.  Built at the
 * project's -O2 and again at -O0 (generated projects compile at -O0). */
#include <chrono>
#include <cstdio>

#include "ap_fixed.h"

typedef ap_fixed<16, 7, AP_RND, AP_SAT> in_t;
typedef ap_fixed<8, 3> w_t;
typedef ap_fixed<26, 12> acc_t;
typedef ap_ufixed<8, 3, AP_RND_CONV, AP_SAT> out_t;

int main() {
    static in_t x[57];
    static w_t w[57][32];
    static out_t y[32];
    for (int i = 0; i < 57; i++) {
        x[i] = (i * 37 % 101) / 7.0 - 7;
        for (int j = 0; j < 32; j++) w[i][j] = ((i * 31 + j * 17) % 61) / 8.0 - 3.8;
    }
    const int events = 4000;
    double checksum = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int e = 0; e < events; e++) {
        x[e % 57] = x[(e + 1) % 57] * w[0][e % 32];        /* vary the input */
        for (int j = 0; j < 32; j++) {
            acc_t acc = 0;
            for (int i = 0; i < 57; i++) acc += x[i] * w[i][j];
            if (acc > 0) y[j] = acc;
            else y[j] = 0;
        }
        checksum += y[e % 32].to_double();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("ap_fixed.h (%s): %.2f ns per multiply-accumulate, %.0f dense 57x32 layers/s (checksum %g)\n",
#ifdef __OPTIMIZE__
           "optimized",
#else
           "-O0",
#endif
           s * 1e9 / (events * 57.0 * 32), events / s, checksum);
    return 0;
}
