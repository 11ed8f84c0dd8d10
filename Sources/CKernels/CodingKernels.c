#include "CKernels.h"
#include "PlaneKernels.h"

// Coding a Fisher vector into an index (`CodePlanes.build`): a value's group is the number of cuts ≤ it,
// looked up by the top 20 bits of its order key, searched among the cuts only in the few bins that hold one.

static inline __attribute__((always_inline)) uint32_t order_key(float value) {
    uint32_t bits;
    __builtin_memcpy(&bits, &value, 4);
    if (value == 0.0f) bits = 0;  // both zeros share a key
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

static inline __attribute__((always_inline)) void code_values_body(const float *values, size_t count, size_t words,
                                                                   const uint8_t *by_bin, const uint32_t *cut_keys,
                                                                   size_t cut_count, uint64_t *planes,
                                                                   uint64_t *sizes, float *minimum, float *maximum) {
    uint8_t codes[64];
    for (size_t w = 0; w < words; w++) {
        size_t start = 64 * w, end = start + 64 < count ? start + 64 : count;
        size_t n = end > start ? end - start : 0;
        for (size_t i = 0; i < n; i++) {
            float value = values[start + i];
            uint32_t key = order_key(value);
            unsigned group = by_bin[key >> 12];
            if (group == 0xFF) {  // the bin holds a cut: the number of cut keys ≤ key
                size_t low = 0, high = cut_count;
                while (low < high) {
                    size_t middle = (low + high) / 2;
                    if (cut_keys[middle] <= key) low = middle + 1; else high = middle;
                }
                group = (unsigned)low;
            }
            codes[i] = (uint8_t)group;
            sizes[group]++;
            if (value < minimum[group]) minimum[group] = value;
            if (value > maximum[group]) maximum[group] = value;
        }
        for (size_t i = n; i < 64; i++) codes[i] = 0;
        uint64_t *out = planes + 8 * w;
        for (int plane = 0; plane < 8; plane++) out[plane] = 0;
        for (int step = 0; step < 8; step++) {
            uint64_t eight;
            __builtin_memcpy(&eight, codes + 8 * step, 8);
            uint64_t bits = transpose8x8(eight);  // byte k: bit k of each of the eight codes
            for (int plane = 0; plane < 8; plane++) out[plane] |= ((bits >> (8 * plane)) & 0xFF) << (8 * step);
        }
    }
}

static void code_values_portable(const float *values, size_t count, size_t words, const uint8_t *by_bin,
                                 const uint32_t *cut_keys, size_t cut_count, uint64_t *planes, uint64_t *sizes,
                                 float *minimum, float *maximum) {
    code_values_body(values, count, words, by_bin, cut_keys, cut_count, planes, sizes, minimum, maximum);
}
TARGET_AVX2 static void code_values_avx2(const float *values, size_t count, size_t words, const uint8_t *by_bin,
                                         const uint32_t *cut_keys, size_t cut_count, uint64_t *planes, uint64_t *sizes,
                                         float *minimum, float *maximum) {
    code_values_body(values, count, words, by_bin, cut_keys, cut_count, planes, sizes, minimum, maximum);
}

void xsns_code_values(xsns_bit_level level, const float *values, size_t count, size_t words, const uint8_t *by_bin,
                      const uint32_t *cut_keys, size_t cut_count, uint64_t *planes, uint64_t *sizes, float *minimum,
                      float *maximum) {
    if (level >= XSNS_BITS_AVX2) code_values_avx2(values, count, words, by_bin, cut_keys, cut_count, planes, sizes, minimum, maximum);
    else code_values_portable(values, count, words, by_bin, cut_keys, cut_count, planes, sizes, minimum, maximum);
}

// The two histograms that locate the index's cuts exactly (`MaskGroups.cuts`).

static inline __attribute__((always_inline)) int key_histogram_body(const float *values, size_t n, uint32_t *bins) {
    for (size_t i = 0; i < n; i++) {
        if (values[i] != values[i]) return 0;  // NaN
        bins[order_key(values[i]) >> 12]++;
    }
    return 1;
}

static inline __attribute__((always_inline)) void fine_histogram_body(const float *values, size_t n, const int32_t *slots,
                                                                      uint32_t *fine) {
    for (size_t i = 0; i < n; i++) {
        uint32_t key = order_key(values[i]);
        int32_t slot = slots[key >> 12];
        if (slot >= 0) fine[((size_t)slot << 12) | (key & 0xFFF)]++;
    }
}

static int key_histogram_portable(const float *values, size_t n, uint32_t *bins) { return key_histogram_body(values, n, bins); }
TARGET_AVX2 static int key_histogram_avx2(const float *values, size_t n, uint32_t *bins) {
    return key_histogram_body(values, n, bins);
}
static void fine_histogram_portable(const float *values, size_t n, const int32_t *slots, uint32_t *fine) {
    fine_histogram_body(values, n, slots, fine);
}
TARGET_AVX2 static void fine_histogram_avx2(const float *values, size_t n, const int32_t *slots, uint32_t *fine) {
    fine_histogram_body(values, n, slots, fine);
}

int xsns_key_histogram(xsns_bit_level level, const float *values, size_t n, uint32_t *bins) {
    return level >= XSNS_BITS_AVX2 ? key_histogram_avx2(values, n, bins) : key_histogram_portable(values, n, bins);
}

void xsns_fine_key_histogram(xsns_bit_level level, const float *values, size_t n, const int32_t *slots, uint32_t *fine) {
    if (level >= XSNS_BITS_AVX2) fine_histogram_avx2(values, n, slots, fine);
    else fine_histogram_portable(values, n, slots, fine);
}
