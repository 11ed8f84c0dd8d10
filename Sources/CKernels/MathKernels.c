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

/// The elementwise bodies, written once over a vector type V of W floats with its erf and exp.
#define GELU_FORWARD(V, W, LOAD, STORE, SET1, MUL, ADD, ERF)                                                   \
    size_t i = 0;                                                                                              \
    for (; i + W <= n; i += W) {                                                                               \
        V v = LOAD(x + i);                                                                                     \
        V cdf = MUL(SET1(0.5f), ADD(SET1(1.0f), ERF(MUL(v, SET1(inverse_sqrt2)))));                           \
        STORE(y + i, MUL(v, cdf));                                                                             \
    }                                                                                                          \
    if (i < n) {                                                                                               \
        float in[W] = {0}, out[W];                                                                             \
        memcpy(in, x + i, (n - i) * sizeof(float));                                                            \
        V v = LOAD(in);                                                                                        \
        STORE(out, MUL(v, MUL(SET1(0.5f), ADD(SET1(1.0f), ERF(MUL(v, SET1(inverse_sqrt2)))))));               \
        memcpy(y + i, out, (n - i) * sizeof(float));                                                           \
    }

#define GELU_BACKWARD(V, W, LOAD, STORE, SET1, MUL, ADD, ERF, EXP)                                             \
    size_t i = 0;                                                                                              \
    float in[W], gradient[W], out[W];                                                                          \
    for (; i < n; i += W) {                                                                                    \
        size_t m = n - i < W ? n - i : W;                                                                      \
        const float *xs = x + i, *dys = dy + i;                                                                \
        if (m < W) {                                                                                           \
            memset(in, 0, sizeof in);                                                                          \
            memset(gradient, 0, sizeof gradient);                                                              \
            memcpy(in, x + i, m * sizeof(float));                                                              \
            memcpy(gradient, dy + i, m * sizeof(float));                                                       \
            xs = in;                                                                                           \
            dys = gradient;                                                                                    \
        }                                                                                                      \
        V v = LOAD(xs);                                                                                        \
        V cdf = MUL(SET1(0.5f), ADD(SET1(1.0f), ERF(MUL(v, SET1(inverse_sqrt2)))));                           \
        V pdf = MUL(SET1(inverse_sqrt2pi), EXP(MUL(SET1(-0.5f), MUL(v, v))));                                  \
        V result = MUL(LOAD(dys), ADD(cdf, MUL(v, pdf)));                                                      \
        if (m < W) {                                                                                           \
            STORE(out, result);                                                                                \
            memcpy(dx + i, out, m * sizeof(float));                                                            \
        } else {                                                                                               \
            STORE(dx + i, result);                                                                             \
        }                                                                                                      \
    }

/// exp of every value (already shifted by the row's maximum), in place.
#define EXP_IN_PLACE(V, W, LOAD, STORE, EXP)                                                                   \
    size_t i = 0;                                                                                              \
    for (; i + W <= n; i += W) STORE(row + i, EXP(LOAD(row + i)));                                             \
    if (i < n) {                                                                                               \
        float in[W], out[W];                                                                                   \
        for (size_t j = 0; j < W; j++) in[j] = i + j < n ? row[i + j] : 0.0f;                                  \
        STORE(out, EXP(LOAD(in)));                                                                             \
        memcpy(row + i, out, (n - i) * sizeof(float));                                                         \
    }

static void gelu_forward_portable(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inverse_sqrt2));
}

static void gelu_backward_portable(float *dx, const float *dy, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float cdf = 0.5f * (1.0f + erff(x[i] * inverse_sqrt2));
        float pdf = inverse_sqrt2pi * expf(-0.5f * x[i] * x[i]);
        dx[i] = dy[i] * (cdf + x[i] * pdf);
    }
}

static void exp_portable(float *row, size_t n) {
    for (size_t i = 0; i < n; i++) row[i] = expf(row[i]);
}

#if HAVE_LIBMVEC
TARGET_AVX2 static void gelu_forward_avx2(float *y, const float *x, size_t n) {
    GELU_FORWARD(__m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps, _ZGVdN8v_erff)
}
TARGET_AVX512 static void gelu_forward_avx512(float *y, const float *x, size_t n) {
    GELU_FORWARD(__m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_mul_ps, _mm512_add_ps, _ZGVeN16v_erff)
}
TARGET_AVX2 static void gelu_backward_avx2(float *dx, const float *dy, const float *x, size_t n) {
    GELU_BACKWARD(__m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps,
                  _ZGVdN8v_erff, _ZGVdN8v_expf)
}
TARGET_AVX512 static void gelu_backward_avx512(float *dx, const float *dy, const float *x, size_t n) {
    GELU_BACKWARD(__m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_mul_ps, _mm512_add_ps,
                  _ZGVeN16v_erff, _ZGVeN16v_expf)
}
TARGET_AVX2 static void exp_avx2(float *row, size_t n) { EXP_IN_PLACE(__m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _ZGVdN8v_expf) }
TARGET_AVX512 static void exp_avx512(float *row, size_t n) {
    EXP_IN_PLACE(__m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _ZGVeN16v_expf)
}
#endif

void xsns_gelu_forward(xsns_math_level level, float *y, const float *x, size_t n) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return gelu_forward_avx512(y, x, n);
    if (level == XSNS_MATH_AVX2) return gelu_forward_avx2(y, x, n);
#endif
    gelu_forward_portable(y, x, n);
}

void xsns_gelu_backward(xsns_math_level level, float *dx, const float *dy, const float *x, size_t n) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return gelu_backward_avx512(dx, dy, x, n);
    if (level == XSNS_MATH_AVX2) return gelu_backward_avx2(dx, dy, x, n);
#endif
    gelu_backward_portable(dx, dy, x, n);
}

static void exp_in_place(xsns_math_level level, float *row, size_t n) {
#if HAVE_LIBMVEC
    if (level == XSNS_MATH_AVX512) return exp_avx512(row, n);
    if (level == XSNS_MATH_AVX2) return exp_avx2(row, n);
#endif
    exp_portable(row, n);
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

void xsns_softmax(xsns_math_level level, float *row, size_t n) {
    float maximum = row_maximum(row, n);
    for (size_t i = 0; i < n; i++) row[i] -= maximum;
    exp_in_place(level, row, n);
    float lane_sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t whole = n / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lane_sum[l] += row[i + l];
    float sum = 0;
    for (int l = 0; l < 8; l++) sum += lane_sum[l];
    for (size_t i = whole; i < n; i++) sum += row[i];
    float inverse = 1 / sum;
    for (size_t i = 0; i < n; i++) row[i] *= inverse;
}

double xsns_softmax_cross_entropy(xsns_math_level level, float *row, size_t n, size_t label) {
    float maximum = row_maximum(row, n);
    for (size_t i = 0; i < n; i++) row[i] -= maximum;
    exp_in_place(level, row, n);
    // The sum in eight independent lanes, as the maximum.
    size_t whole = n / 8 * 8;
    double lane_sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lane_sum[l] += (double)row[i + l];
    double sum = 0;
    for (int l = 0; l < 8; l++) sum += lane_sum[l];
    for (size_t i = whole; i < n; i++) sum += (double)row[i];
    double loss = -log((double)row[label] / sum);
    float inverse = (float)(1 / sum);
    for (size_t i = 0; i < n; i++) row[i] *= inverse;
    return loss;
}

// Squared-gradient accumulation: the same loops compiled for each level, so the compiler vectorises them
// with that level's width (Swift's own build is baseline SSE2). The sum of squares goes in eight double
// lanes, one fixed order at every level, instead of one serial chain of double additions.

static inline __attribute__((always_inline)) double sum_squares_body(const float *g, size_t n) {
    double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t whole = n / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += (double)g[i + l] * (double)g[i + l];
    double total = 0;
    for (int l = 0; l < 8; l++) total += lanes[l];
    for (size_t i = whole; i < n; i++) total += (double)g[i] * (double)g[i];
    return total;
}

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
