#include "CKernels.h"
#include "PlaneKernels.h"

// One body per kernel, instantiated once per instruction set: the target attribute on the wrapper lets
// the compiler turn __builtin_popcountll into POPCNT and vectorise the loop for that set (VPOPCNTQ on
// AVX-512, nibble lookups on AVX2), while the portable wrapper gets a software popcount.

static inline __attribute__((always_inline)) uint64_t and_popcount_body(const uint64_t *a, const uint64_t *b, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += (uint64_t)__builtin_popcountll(a[i] & b[i]);
    return total;
}

static inline __attribute__((always_inline)) uint64_t popcount_body(const uint64_t *a, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += (uint64_t)__builtin_popcountll(a[i]);
    return total;
}

static uint64_t and_popcount_portable(const uint64_t *a, const uint64_t *b, size_t n) { return and_popcount_body(a, b, n); }
TARGET_POPCNT static uint64_t and_popcount_popcnt(const uint64_t *a, const uint64_t *b, size_t n) {
    return and_popcount_body(a, b, n);
}
TARGET_AVX2 static uint64_t and_popcount_avx2(const uint64_t *a, const uint64_t *b, size_t n) {
    return and_popcount_body(a, b, n);
}
TARGET_AVX512 static uint64_t and_popcount_avx512(const uint64_t *a, const uint64_t *b, size_t n) {
    return and_popcount_body(a, b, n);
}

static uint64_t popcount_portable(const uint64_t *a, size_t n) { return popcount_body(a, n); }
TARGET_POPCNT static uint64_t popcount_popcnt(const uint64_t *a, size_t n) { return popcount_body(a, n); }
TARGET_AVX2 static uint64_t popcount_avx2(const uint64_t *a, size_t n) { return popcount_body(a, n); }
TARGET_AVX512 static uint64_t popcount_avx512(const uint64_t *a, size_t n) { return popcount_body(a, n); }

xsns_bit_level xsns_bits_best_level(void) {
#if !defined(__x86_64__)
    return XSNS_BITS_PORTABLE;
#else
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vpopcntdq"))
        return XSNS_BITS_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return XSNS_BITS_AVX2;
    if (__builtin_cpu_supports("popcnt")) return XSNS_BITS_POPCNT;
    return XSNS_BITS_PORTABLE;
#endif
}

uint64_t xsns_and_popcount(xsns_bit_level level, const uint64_t *a, const uint64_t *b, size_t n) {
    switch (level) {
    case XSNS_BITS_AVX512: return and_popcount_avx512(a, b, n);
    case XSNS_BITS_AVX2: return and_popcount_avx2(a, b, n);
    case XSNS_BITS_POPCNT: return and_popcount_popcnt(a, b, n);
    default: return and_popcount_portable(a, b, n);
    }
}

uint64_t xsns_popcount(xsns_bit_level level, const uint64_t *a, size_t n) {
    switch (level) {
    case XSNS_BITS_AVX512: return popcount_avx512(a, n);
    case XSNS_BITS_AVX2: return popcount_avx2(a, n);
    case XSNS_BITS_POPCNT: return popcount_popcnt(a, n);
    default: return popcount_portable(a, n);
    }
}

/// Mask b is all ones where bit b of the code is 0, zero where it is 1.
static inline __attribute__((always_inline)) void code_masks(unsigned code, uint64_t masks[8]) {
    for (int bit = 0; bit < 8; bit++) masks[bit] = ((code >> bit) & 1) ? 0 : ~(uint64_t)0;
}

/// Bit-parallel comparison of 64 codes with the code of `masks`, most significant plane first (see
/// CodePlanes.compare): plane b of the 64 values is planes[b]. Bits past `valid_bits` are cleared.
static inline __attribute__((always_inline)) void compare_codes(const uint64_t *planes, const uint64_t masks[8],
                                                                uint64_t valid_bits,
                                                                uint64_t *greater_out, uint64_t *equal_out) {
    uint64_t greater = 0, equal = ~(uint64_t)0;
    for (int bit = 7; bit >= 0; bit--) {
        uint64_t plane = planes[bit];
        greater |= equal & plane & masks[bit];
        equal &= plane ^ masks[bit];
    }
    *greater_out = greater & valid_bits;
    *equal_out = equal & valid_bits;
}

/// The bits of word i that hold real values, when `valid` values are real from word 0 on.
static inline __attribute__((always_inline)) uint64_t valid_bits_of_word(size_t i, size_t valid) {
    size_t tail = valid > i * 64 ? valid - i * 64 : 0;
    return tail >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << tail) - 1);
}

static inline __attribute__((always_inline)) void classify_body(const uint64_t *planes, size_t words, size_t count,
                                                                unsigned code, uint64_t *kept, uint64_t *above_out,
                                                                uint64_t *at_out, uint64_t *digest) {
    uint64_t masks[8];
    code_masks(code, masks);
    uint64_t above = 0, at = 0;
    uint64_t lanes[8];
    if (digest)
        for (int lane = 0; lane < 8; lane++) lanes[lane] = digest[lane];
    for (size_t w = 0; w < words; w++) {
        const uint64_t *p = planes + 8 * w;
        uint64_t greater, equal;
        compare_codes(p, masks, w == words - 1 ? valid_bits_of_word(w, count) : ~(uint64_t)0, &greater, &equal);
        kept[w] = greater | equal;
        above += (uint64_t)__builtin_popcountll(greater);
        at += (uint64_t)__builtin_popcountll(equal);
        if (digest) digest_word(lanes, p);
    }
    if (digest)
        for (int lane = 0; lane < 8; lane++) digest[lane] = lanes[lane];
    *above_out = above;
    *at_out = at;
}

static void classify_portable(const uint64_t *planes, size_t words, size_t count, unsigned code, uint64_t *kept,
                              uint64_t *above, uint64_t *at, uint64_t *digest) {
    classify_body(planes, words, count, code, kept, above, at, digest);
}
TARGET_POPCNT static void classify_popcnt(const uint64_t *planes, size_t words, size_t count,
                                                             unsigned code, uint64_t *kept, uint64_t *above,
                                                             uint64_t *at, uint64_t *digest) {
    classify_body(planes, words, count, code, kept, above, at, digest);
}

void xsns_classify_planes(xsns_bit_level level, const uint64_t *planes, size_t words, size_t count, unsigned code,
                          uint64_t *kept, uint64_t *above, uint64_t *at, uint64_t *digest) {
    // The comparison is word-serial (eight strided plane loads per word); vectors would not pay.
    if (level >= XSNS_BITS_POPCNT) classify_popcnt(planes, words, count, code, kept, above, at, digest);
    else classify_portable(planes, words, count, code, kept, above, at, digest);
}

void xsns_pair_counts(xsns_bit_level level, const uint64_t *masks, size_t stride, size_t n, const uint32_t *pairs,
                      size_t pair_count, uint64_t *totals) {
    // Every pair over a slice of 512 words, then the next slice: the slices of a few hundred sets stay in
    // the core's cache while every pair reads them.
    enum { SLICE = 512 };
    for (size_t start = 0; start < n; start += SLICE) {
        size_t length = n - start < SLICE ? n - start : SLICE;
        for (size_t k = 0; k < pair_count; k++)
            totals[k] += xsns_and_popcount(level, masks + pairs[2 * k] * stride + start,
                                           masks + pairs[2 * k + 1] * stride + start, length);
    }
}
