#ifndef XSNS_CKERNELS_H
#define XSNS_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Kernels that Swift, built for the baseline x86-64 (no POPCNT, no AVX), cannot make fast by itself:
/// each is compiled several times for different instruction sets and picked at run time by what the CPU
/// supports. Every variant returns exactly the same result (integer work only).

/// The instruction sets a bit kernel can be run with, from the portable one up.
typedef enum {
    XSNS_BITS_PORTABLE = 0,  ///< plain 64-bit operations (software popcount)
    XSNS_BITS_POPCNT = 1,    ///< the POPCNT instruction
    XSNS_BITS_AVX2 = 2,      ///< 256-bit vectors, popcount by nibble lookup
    XSNS_BITS_AVX512 = 3,    ///< 512-bit vectors with VPOPCNTQ (AVX-512 VPOPCNTDQ)
} xsns_bit_level;

/// The best level this CPU runs.
xsns_bit_level xsns_bits_best_level(void);

/// Σ popcount(a[i] & b[i]) over n words, at `level` (which must not exceed the best level).
uint64_t xsns_and_popcount(xsns_bit_level level, const uint64_t *a, const uint64_t *b, size_t n);

/// Σ popcount(a[i]) over n words, at `level`.
uint64_t xsns_popcount(xsns_bit_level level, const uint64_t *a, size_t n);

/// The mask of 8-bit codes stored bit-sliced (plane b of word w at planes[8w + b]) against one code c:
/// kept[w] = codes ≥ c, for `words` words of which only the first `count` values are real (bits past
/// them stay clear). Counts the codes > c into *above and == c into *at. When `digest` is not NULL, its
/// eight lanes take every plane word on the way: lane b ← (rotl(lane b, 5) ^ plane b) · 0xFF51AFD7ED558CCD.
void xsns_classify_planes(xsns_bit_level level, const uint64_t *planes, size_t words, size_t count, unsigned code,
                          uint64_t *kept, uint64_t *above, uint64_t *at, uint64_t *digest);

/// For each pair k: totals[k] += Σ popcount(masks[a]·[i] & masks[b]·[i]) over n words, where set s
/// starts at masks + s·stride and pairs[2k], pairs[2k+1] name a and b.
void xsns_pair_counts(xsns_bit_level level, const uint64_t *masks, size_t stride, size_t n, const uint32_t *pairs,
                      size_t pair_count, uint64_t *totals);

/// Levels for `GridOverlapSweep`: levels[i] ← lut[code of value i] over `words` words of word-major planes,
/// of which only the first `valid` values are real (the rest get 0xFF); code_counts[c] += the number of
/// real values with code c; `digest` as in `xsns_classify_planes`.
void xsns_planes_to_levels(xsns_bit_level level, const uint64_t *planes, size_t words, size_t valid, const uint8_t *lut,
                           uint8_t *levels, uint64_t *code_counts, uint64_t *digest);

/// For each pair k: histograms[256k + l] += the number of i < n with max(levels of a at i, of b at i) = l,
/// where set s starts at levels + s·stride and pairs[2k], pairs[2k+1] name a and b.
void xsns_pair_level_histograms(xsns_bit_level level, const uint8_t *levels, size_t stride, size_t n,
                                const uint32_t *pairs, size_t pair_count, uint64_t *histograms);

/// The index's coding (`CodePlanes.build`) of words [0, words) of `values` (only the first `count` are real;
/// padding gets code 0): a value's code is the number of `cut_keys` (order keys, ascending) ≤ its order key,
/// read from by_bin[key >> 12] unless that is 0xFF, then searched. Planes as in `xsns_classify_planes`;
/// sizes[g] += the values of code g, minimum[g] / maximum[g] lowered / raised by them (strict comparisons).
void xsns_code_values(xsns_bit_level level, const float *values, size_t count, size_t words, const uint8_t *by_bin,
                      const uint32_t *cut_keys, size_t cut_count, uint64_t *planes, uint64_t *sizes, float *minimum,
                      float *maximum);

/// bins[key >> 12] += 1 for the order key of each of n values (as `xsns_code_values`; 2²⁰ bins, each below
/// 2³² per call); returns 0 at the first NaN (the bins then partly filled), 1 otherwise.
int xsns_key_histogram(xsns_bit_level level, const float *values, size_t n, uint32_t *bins);

/// fine[(slots[key >> 12] << 12) | (key & 0xFFF)] += 1 for each value whose bin has a slot (≥ 0).
void xsns_fine_key_histogram(xsns_bit_level level, const float *values, size_t n, const int32_t *slots, uint32_t *fine);

/// Elementwise math on glibc's vector math library where the CPU has AVX2 + FMA or AVX-512 (and it is
/// glibc on x86-64), else scalar libm.
typedef enum {
    XSNS_MATH_PORTABLE = 0,  ///< scalar erff and expf
    XSNS_MATH_AVX2 = 1,      ///< libmvec, eight values at a time
    XSNS_MATH_AVX512 = 2,    ///< libmvec, sixteen values at a time
} xsns_math_level;

xsns_math_level xsns_math_best_level(void);

/// y = GELU(x) = ½x(1 + erf(x/√2)) over n values.
void xsns_gelu_forward(xsns_math_level level, float *y, const float *x, size_t n);

/// dx = dy · (Φ(x) + x·φ(x)) over n values; dx may be dy.
void xsns_gelu_backward(xsns_math_level level, float *dx, const float *dy, const float *x, size_t n);

/// Σ g[i]² in double (eight lanes, the same order at every level).
double xsns_sum_squares(xsns_math_level level, const float *g, size_t n);

/// sum[i] += (g[i] · scale)² over n values.
void xsns_add_scaled_squares(xsns_math_level level, float *sum, const float *g, float scale, size_t n);

/// One row of n scores → its softmax probabilities, in place (the sum in Float).
void xsns_softmax(xsns_math_level level, float *row, size_t n);

/// One row of n logits → its softmax probabilities, in place; returns −log p(label) computed in double
/// from the exponentials and their double sum.
double xsns_softmax_cross_entropy(xsns_math_level level, float *row, size_t n, size_t label);

#endif
