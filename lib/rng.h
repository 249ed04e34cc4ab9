/* rng.h — a small, fast, seeded random number generator shared by the data
 * generator and the training runtime.
 *
 * Algorithm: xoshiro256** (Blackman & Vigna) for the stream, seeded from one
 * 64-bit value through splitmix64 so that nearby seeds give unrelated streams.
 * Same seed -> same sequence on every platform (no floating point in the core).
 *
 *   aedl_rng r;
 *   aedl_rng_seed(&r, 42);
 *   double u = aedl_rng_uniform(&r);      // [0, 1)
 *   double g = aedl_rng_normal(&r);       // N(0, 1)
 *   aedl_rng_shuffle(&r, idx, n);         // Fisher-Yates over size_t[n]
 */
#ifndef AEDL_RNG_H
#define AEDL_RNG_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];      /* xoshiro256** state; never all zero */
    double spare;       /* second normal deviate of the last Box-Muller pair */
    int has_spare;
} aedl_rng;

/* splitmix64 step: advances *x and returns a well-mixed 64-bit value.  Also
   useful to derive independent seeds: aedl_splitmix64(&(uint64_t){seed ^ k}). */
uint64_t aedl_splitmix64(uint64_t *x);

/* Seeds the state from one 64-bit value (any value, 0 included). */
void aedl_rng_seed(aedl_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t aedl_rng_u64(aedl_rng *r);

/* Uniform double in [0, 1) with 53 random bits. */
double aedl_rng_uniform(aedl_rng *r);

/* Uniform integer in [0, n) without modulo bias (n > 0). */
uint64_t aedl_rng_below(aedl_rng *r, uint64_t n);

/* Standard normal deviate (polar Box-Muller; caches the second value). */
double aedl_rng_normal(aedl_rng *r);

/* Fisher-Yates shuffle of idx[0..n): every permutation equally likely. */
void aedl_rng_shuffle(aedl_rng *r, size_t *idx, size_t n);

#endif
