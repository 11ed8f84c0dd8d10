#include "CKernels.h"

#include <math.h>
#include <string.h>

// GELU and the softmax's exponentials on glibc's vector math library (libmvec: erff and expf eight or
// sixteen at a time, within 4 ulp), where Swift would call the scalar libm functions one value at a time.
// Every value goes through the same vector function whatever its position (the tail through a padded
// copy), so results do not depend on how a caller splits an array between threads.

// No fused multiply-adds where the source has a multiply then an add: every level rounds alike.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && defined(__GLIBC__)
#include <immintrin.h>
#define HAVE_LIBMVEC 1
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
TARGET_AVX2 __m256 _ZGVdN8v_erff(__m256);
TARGET_AVX2 __m256 _ZGVdN8v_expf(__m256);
TARGET_AVX512 __m512 _ZGVeN16v_erff(__m512);
TARGET_AVX512 __m512 _ZGVeN16v_expf(__m512);
#endif

static const float inverse_sqrt2 = 0.70710678118654752f;
static const float inverse_sqrt2pi = 0.39894228040143268f;

xsns_math_level xsns_math_best_level(void) {
#if HAVE_LIBMVEC
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return XSNS_MATH_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return XSNS_MATH_AVX2;
#endif
    return XSNS_MATH_PORTABLE;
}

/// A vector kernel on one block of a level's width: out ← f(a, b) (b unused by some). It loads before it
/// stores, so `out` may be `a` or `b`.
typedef void (*block_kernel)(float *out, const float *a, const float *b);

/// Every whole block of `width` values, then the tail through zero-padded copies: every value goes through
/// the same vector function whatever its position.
static void each_block(block_kernel kernel, size_t width, float *out, const float *a, const float *b, size_t n) {
    size_t i = 0;
    for (; i + width <= n; i += width) kernel(out + i, a + i, b ? b + i : NULL);
    if (i == n) return;
    float padded_a[16] = {0}, padded_b[16] = {0}, padded_out[16];
    memcpy(padded_a, a + i, (n - i) * sizeof(float));
    if (b) memcpy(padded_b, b + i, (n - i) * sizeof(float));
    kernel(padded_out, padded_a, b ? padded_b : NULL);
    memcpy(out + i, padded_out, (n - i) * sizeof(float));
}

/// GELU forward (y ← x), GELU backward (dx ← x, dy) and exp (out ← in) on one block, written once over a
/// vector type V with its libmvec erf and exp.
#define BLOCK_KERNELS(SUFFIX, TARGET, V, LOAD, STORE, SET1, MUL, ADD, ERF, EXP)                                \
    TARGET static void gelu_forward_##SUFFIX(float *y, const float *x, const float *unused) {                  \
        (void)unused;                                                                                          \
        V v = LOAD(x);                                                                                         \
        STORE(y, MUL(v, MUL(SET1(0.5f), ADD(SET1(1.0f), ERF(MUL(v, SET1(inverse_sqrt2)))))));                 \
    }                                                                                                          \
    TARGET static void gelu_backward_##SUFFIX(float *dx, const float *x, const float *dy) {                    \
        V v = LOAD(x);                                                                                         \
        V cdf = MUL(SET1(0.5f), ADD(SET1(1.0f), ERF(MUL(v, SET1(inverse_sqrt2)))));                           \
        V pdf = MUL(SET1(inverse_sqrt2pi), EXP(MUL(SET1(-0.5f), MUL(v, v))));                                  \
        STORE(dx, MUL(LOAD(dy), ADD(cdf, MUL(v, pdf))));                                                       \
    }                                                                                                          \
    TARGET static void exp_##SUFFIX(float *out, const float *in, const float *unused) {                        \
        (void)unused;                                                                                          \
        STORE(out, EXP(LOAD(in)));                                                                             \
    }

/// A level's block kernels.
typedef struct {
    size_t width;
    block_kernel gelu_forward, gelu_backward, exp;
} vector_kernels;

#if HAVE_LIBMVEC
BLOCK_KERNELS(avx2, TARGET_AVX2, __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps,
              _ZGVdN8v_erff, _ZGVdN8v_expf)
BLOCK_KERNELS(avx512, TARGET_AVX512, __m512, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_mul_ps,
              _mm512_add_ps, _ZGVeN16v_erff, _ZGVeN16v_expf)
static const vector_kernels avx2_kernels = {8, gelu_forward_avx2, gelu_backward_avx2, exp_avx2};
static const vector_kernels avx512_kernels = {16, gelu_forward_avx512, gelu_backward_avx512, exp_avx512};
#endif

/// The level's block kernels, or NULL at the portable level (scalar libm loops).
static const vector_kernels *vector_kernels_for(xsns_math_level level) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return &avx512_kernels;
    if (level == XSNS_MATH_AVX2) return &avx2_kernels;
#endif
    (void)level;
    return NULL;
}

void xsns_gelu_forward(xsns_math_level level, float *y, const float *x, size_t n) {
    const vector_kernels *vector = vector_kernels_for(level);
    if (vector) return each_block(vector->gelu_forward, vector->width, y, x, NULL, n);
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inverse_sqrt2));
}

void xsns_gelu_backward(xsns_math_level level, float *dx, const float *dy, const float *x, size_t n) {
    const vector_kernels *vector = vector_kernels_for(level);
    if (vector) return each_block(vector->gelu_backward, vector->width, dx, x, dy, n);
    for (size_t i = 0; i < n; i++) {
        float cdf = 0.5f * (1.0f + erff(x[i] * inverse_sqrt2));
        float pdf = inverse_sqrt2pi * expf(-0.5f * x[i] * x[i]);
        dx[i] = dy[i] * (cdf + x[i] * pdf);
    }
}

/// The row's maximum, in eight independent lanes (vectorisable, and the same order at every level).
static float row_maximum(const float *row, size_t n) {
    float lane_max[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    size_t whole = n / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lane_max[l] = row[i + l] > lane_max[l] ? row[i + l] : lane_max[l];
    float maximum = -INFINITY;
    for (int l = 0; l < 8; l++) maximum = lane_max[l] > maximum ? lane_max[l] : maximum;
    for (size_t i = whole; i < n; i++) maximum = row[i] > maximum ? row[i] : maximum;
    return maximum;
}

/// row ← exp(row − max(row)), the softmax's numerators.
static void shifted_exponentials(xsns_math_level level, float *row, size_t n) {
    float maximum = row_maximum(row, n);
    for (size_t i = 0; i < n; i++) row[i] -= maximum;
    const vector_kernels *vector = vector_kernels_for(level);
    if (vector) return each_block(vector->exp, vector->width, row, row, NULL, n);
    for (size_t i = 0; i < n; i++) row[i] = expf(row[i]);
}

/// Σ x[i] (Σ x[i]², with `squares`) in double, in eight independent lanes: one fixed order at every level,
/// vectorisable, where one serial chain of double additions waits on each.
static inline __attribute__((always_inline)) double lane_sum(const float *x, size_t n, int squares) {
    double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t whole = n / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += squares ? (double)x[i + l] * (double)x[i + l] : (double)x[i + l];
    double total = 0;
    for (int l = 0; l < 8; l++) total += lanes[l];
    for (size_t i = whole; i < n; i++) total += squares ? (double)x[i] * (double)x[i] : (double)x[i];
    return total;
}

void xsns_softmax(xsns_math_level level, float *row, size_t n) {
    shifted_exponentials(level, row, n);
    // The sum in Float, as attention's softmax always had it, in eight lanes.
    float lane_sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t whole = n / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lane_sums[l] += row[i + l];
    float sum = 0;
    for (int l = 0; l < 8; l++) sum += lane_sums[l];
    for (size_t i = whole; i < n; i++) sum += row[i];
    float inverse = 1 / sum;
    for (size_t i = 0; i < n; i++) row[i] *= inverse;
}

double xsns_softmax_cross_entropy(xsns_math_level level, float *row, size_t n, size_t label) {
    shifted_exponentials(level, row, n);
    double sum = lane_sum(row, n, 0);
    double loss = -log((double)row[label] / sum);
    float inverse = (float)(1 / sum);
    for (size_t i = 0; i < n; i++) row[i] *= inverse;
    return loss;
}

// Squared-gradient accumulation: the same loops compiled for each level, so the compiler vectorises them
// with that level's width (Swift's own build is baseline SSE2).

static inline __attribute__((always_inline)) double sum_squares_body(const float *g, size_t n) { return lane_sum(g, n, 1); }

static inline __attribute__((always_inline)) void add_scaled_squares_body(float *sum, const float *g, float scale, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float value = g[i] * scale;
        sum[i] += value * value;
    }
}

static double sum_squares_portable(const float *g, size_t n) { return sum_squares_body(g, n); }
static void add_scaled_squares_portable(float *sum, const float *g, float scale, size_t n) {
    add_scaled_squares_body(sum, g, scale, n);
}
#if HAVE_LIBMVEC
TARGET_AVX2 static double sum_squares_avx2(const float *g, size_t n) { return sum_squares_body(g, n); }
TARGET_AVX512 static double sum_squares_avx512(const float *g, size_t n) { return sum_squares_body(g, n); }
TARGET_AVX2 static void add_scaled_squares_avx2(float *sum, const float *g, float scale, size_t n) {
    add_scaled_squares_body(sum, g, scale, n);
}
TARGET_AVX512 static void add_scaled_squares_avx512(float *sum, const float *g, float scale, size_t n) {
    add_scaled_squares_body(sum, g, scale, n);
}
#endif

double xsns_sum_squares(xsns_math_level level, const float *g, size_t n) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return sum_squares_avx512(g, n);
    if (level == XSNS_MATH_AVX2) return sum_squares_avx2(g, n);
#endif
    return sum_squares_portable(g, n);
}

void xsns_add_scaled_squares(xsns_math_level level, float *sum, const float *g, float scale, size_t n) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return add_scaled_squares_avx512(sum, g, scale, n);
    if (level == XSNS_MATH_AVX2) return add_scaled_squares_avx2(sum, g, scale, n);
#endif
    add_scaled_squares_portable(sum, g, scale, n);
}
