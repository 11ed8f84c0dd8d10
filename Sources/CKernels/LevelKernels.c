#include "CKernels.h"
#include "PlaneKernels.h"

// Pair counts at every p of the index grid in one pass (`GridOverlapSweep`): each run's codes become one
// byte per value, its "level" (the first grid p whose mask holds the value), and a pair's count at the p
// of slot s is the number of values whose larger level of the two is ≤ s: one histogram per pair gives
// every p at once, where a mask per p would cost a classification and an AND per p.

/// Padding past the real values (code 0 in the planes) is uncounted and never in a mask; the four
/// tallies are added to `code_counts` (mod 2³², which the padding's decrements need).
static void finish_levels(const uint64_t *planes, size_t words, size_t valid, uint8_t *levels, uint32_t counts[4][256],
                          uint64_t *code_counts) {
    size_t total = 64 * words;
    for (size_t i = valid < total ? valid : total; i < total; i++) {
        uint8_t code = 0;
        for (int plane = 0; plane < 8; plane++) code |= (uint8_t)(((planes[8 * (i / 64) + plane] >> (i % 64)) & 1) << plane);
        counts[0][code]--;
        levels[i] = 0xFF;
    }
    for (int code = 0; code < 256; code++)
        code_counts[code] += (uint32_t)(counts[0][code] + counts[1][code] + counts[2][code] + counts[3][code]);
}

static inline __attribute__((always_inline)) void planes_to_levels_body(const uint64_t *planes, size_t words,
                                                                        size_t valid, const uint8_t *lut,
                                                                        uint8_t *levels, uint64_t *code_counts,
                                                                        uint64_t *digest) {
    uint32_t counts[4][256] = {{0}};
    uint64_t lanes[8];
    if (digest)
        for (int lane = 0; lane < 8; lane++) lanes[lane] = digest[lane];
    for (size_t w = 0; w < words; w++) {
        const uint64_t *p = planes + 8 * w;
        uint8_t *out = levels + 64 * w;
        // Eight values at a time: byte k of the matrix is plane k's byte `step`, so after the transpose
        // byte j holds the code of value 8·step + j.
        for (int step = 0; step < 8; step++) {
            uint64_t rows = 0;
            for (int plane = 0; plane < 8; plane++) rows |= ((p[plane] >> (8 * step)) & 0xFF) << (8 * plane);
            uint64_t codes = transpose8x8(rows);
            for (int j = 0; j < 8; j++) {
                uint8_t code = (uint8_t)(codes >> (8 * j));
                counts[j & 3][code]++;
                out[8 * step + j] = lut[code];
            }
        }
        if (digest) digest_word(lanes, p);
    }
    finish_levels(planes, words, valid, levels, counts, code_counts);
    if (digest)
        for (int lane = 0; lane < 8; lane++) digest[lane] = lanes[lane];
}

static void planes_to_levels_portable(const uint64_t *planes, size_t words, size_t valid, const uint8_t *lut,
                                      uint8_t *levels, uint64_t *code_counts, uint64_t *digest) {
    planes_to_levels_body(planes, words, valid, lut, levels, code_counts, digest);
}
TARGET_AVX2 static void planes_to_levels_avx2(const uint64_t *planes, size_t words, size_t valid, const uint8_t *lut,
                                              uint8_t *levels, uint64_t *code_counts, uint64_t *digest) {
    planes_to_levels_body(planes, words, valid, lut, levels, code_counts, digest);
}

#if defined(__x86_64__)
#include <immintrin.h>

// With GFNI and AVX-512 VBMI a word's 64 codes come out of its cache line in two instructions: a byte
// permutation gathers, per 64-bit lane m, byte m of every plane (plane k at byte 7 − k), and an affine
// transform against the unit bytes transposes each lane's 8 × 8 bits, so byte j of lane m is the code of
// value 8m + j. The 256-entry table is four 64-byte registers: two two-table permutes and a blend on bit 7.
__attribute__((target("avx512f,avx512bw,avx512vbmi,gfni")))
static void planes_to_levels_gfni(const uint64_t *planes, size_t words, size_t valid, const uint8_t *lut,
                                  uint8_t *levels, uint64_t *code_counts, uint64_t *digest) {
    uint8_t gather[64];
    for (int m = 0; m < 8; m++)
        for (int k = 0; k < 8; k++) gather[8 * m + (7 - k)] = (uint8_t)(8 * k + m);
    const __m512i order = _mm512_loadu_si512(gather);
    const __m512i units = _mm512_set1_epi64((long long)0x8040201008040201ull);
    const __m512i low0 = _mm512_loadu_si512(lut), low1 = _mm512_loadu_si512(lut + 64);
    const __m512i high0 = _mm512_loadu_si512(lut + 128), high1 = _mm512_loadu_si512(lut + 192);
    uint32_t counts[4][256] = {{0}};
    uint64_t lanes[8];
    if (digest)
        for (int lane = 0; lane < 8; lane++) lanes[lane] = digest[lane];
    // Codes are tallied a batch of words after they are stored: byte loads straight after a 64-byte
    // store of the same line wait for it to retire (measured 20 ns per value instead of ~1).
    enum { BATCH = 64 };
    uint8_t codes[64 * BATCH];
    for (size_t first = 0; first < words; first += BATCH) {
        size_t batch = words - first < BATCH ? words - first : BATCH;
        for (size_t i = 0; i < batch; i++) {
            const uint64_t *p = planes + 8 * (first + i);
            __m512i rows = _mm512_permutexvar_epi8(order, _mm512_loadu_si512(p));
            __m512i code = _mm512_gf2p8affine_epi64_epi8(units, rows, 0);
            __m512i low = _mm512_permutex2var_epi8(low0, code, low1);
            __m512i high = _mm512_permutex2var_epi8(high0, code, high1);
            _mm512_storeu_si512(levels + 64 * (first + i), _mm512_mask_blend_epi8(_mm512_movepi8_mask(code), low, high));
            _mm512_storeu_si512(codes + 64 * i, code);
            if (digest) digest_word(lanes, p);
        }
        for (size_t j = 0; j < 64 * batch; j += 4) {
            counts[0][codes[j]]++;
            counts[1][codes[j + 1]]++;
            counts[2][codes[j + 2]]++;
            counts[3][codes[j + 3]]++;
        }
    }
    finish_levels(planes, words, valid, levels, counts, code_counts);
    if (digest)
        for (int lane = 0; lane < 8; lane++) digest[lane] = lanes[lane];
}

static int has_gfni_vbmi(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("gfni");
}
#endif

void xsns_planes_to_levels(xsns_bit_level level, const uint64_t *planes, size_t words, size_t valid, const uint8_t *lut,
                           uint8_t *levels, uint64_t *code_counts, uint64_t *digest) {
#if defined(__x86_64__)
    static int gfni = -1;
    if (gfni < 0) gfni = has_gfni_vbmi();
    if (level >= XSNS_BITS_AVX512 && gfni) {
        planes_to_levels_gfni(planes, words, valid, lut, levels, code_counts, digest);
        return;
    }
#endif
    if (level >= XSNS_BITS_AVX2) planes_to_levels_avx2(planes, words, valid, lut, levels, code_counts, digest);
    else planes_to_levels_portable(planes, words, valid, lut, levels, code_counts, digest);
}

static inline __attribute__((always_inline)) void pair_level_histograms_body(const uint8_t *levels, size_t stride,
                                                                             size_t n, const uint32_t *pairs,
                                                                             size_t pair_count,
                                                                             uint64_t *histograms) {
    enum { CHUNK = 1024 };
    uint8_t larger[CHUNK];
    for (size_t k = 0; k < pair_count; k++) {
        const uint8_t *a = levels + (size_t)pairs[2 * k] * stride;
        const uint8_t *b = levels + (size_t)pairs[2 * k + 1] * stride;
        // Four tallies so that runs of one level do not wait on each other's increments.
        uint32_t counts[4][256] = {{0}};
        for (size_t start = 0; start < n; start += CHUNK) {
            size_t length = n - start < CHUNK ? n - start : CHUNK;
            for (size_t i = 0; i < length; i++) larger[i] = a[start + i] > b[start + i] ? a[start + i] : b[start + i];
            size_t i = 0;
            for (; i + 4 <= length; i += 4) {
                counts[0][larger[i]]++;
                counts[1][larger[i + 1]]++;
                counts[2][larger[i + 2]]++;
                counts[3][larger[i + 3]]++;
            }
            for (; i < length; i++) counts[0][larger[i]]++;
        }
        uint64_t *histogram = histograms + 256 * k;
        for (int level = 0; level < 256; level++)
            histogram[level] += (uint64_t)counts[0][level] + counts[1][level] + counts[2][level] + counts[3][level];
    }
}

static void pair_level_histograms_portable(const uint8_t *levels, size_t stride, size_t n, const uint32_t *pairs,
                                           size_t pair_count, uint64_t *histograms) {
    pair_level_histograms_body(levels, stride, n, pairs, pair_count, histograms);
}
TARGET_AVX2 static void pair_level_histograms_avx2(const uint8_t *levels, size_t stride, size_t n,
                                                   const uint32_t *pairs, size_t pair_count, uint64_t *histograms) {
    pair_level_histograms_body(levels, stride, n, pairs, pair_count, histograms);
}
TARGET_AVX512 static void pair_level_histograms_avx512(const uint8_t *levels, size_t stride, size_t n,
                                                       const uint32_t *pairs, size_t pair_count,
                                                       uint64_t *histograms) {
    pair_level_histograms_body(levels, stride, n, pairs, pair_count, histograms);
}

void xsns_pair_level_histograms(xsns_bit_level level, const uint8_t *levels, size_t stride, size_t n,
                                const uint32_t *pairs, size_t pair_count, uint64_t *histograms) {
    switch (level) {
    case XSNS_BITS_AVX512: pair_level_histograms_avx512(levels, stride, n, pairs, pair_count, histograms); break;
    case XSNS_BITS_AVX2: pair_level_histograms_avx2(levels, stride, n, pairs, pair_count, histograms); break;
    default: pair_level_histograms_portable(levels, stride, n, pairs, pair_count, histograms); break;
    }
}
