#ifndef XSNS_PLANE_KERNELS_H
#define XSNS_PLANE_KERNELS_H

// What the kernels over the mask index's code planes share (BitKernels.c, LevelKernels.c, CodingKernels.c): the target
// attributes each body is instantiated with, the planes' checksum step and the 8 × 8 bit transpose
// between byte codes and planes.

#include <stdint.h>

#if defined(__x86_64__)
#define TARGET_POPCNT __attribute__((target("popcnt")))
#define TARGET_AVX2 __attribute__((target("avx2,popcnt")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq,popcnt")))
#else
// Elsewhere (arm64: its baseline has a vector popcount) every variant is the baseline build, and only the
// portable level is ever picked.
#define TARGET_POPCNT
#define TARGET_AVX2
#define TARGET_AVX512
#endif

/// One word's eight planes into the checksum's eight lanes (`CodePlanes.Digest`):
/// lane b ← (rotl(lane b, 5) ^ plane b) · 0xFF51AFD7ED558CCD.
static inline __attribute__((always_inline)) void digest_word(uint64_t lanes[8], const uint64_t *planes) {
    for (int lane = 0; lane < 8; lane++)
        lanes[lane] = (((lanes[lane] << 5) | (lanes[lane] >> 59)) ^ planes[lane]) * 0xFF51AFD7ED558CCDull;
}

/// Transposes an 8 × 8 bit matrix held one row per byte (bit j of byte k ↔ bit k of byte j).
static inline __attribute__((always_inline)) uint64_t transpose8x8(uint64_t x) {
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
    x = x ^ t ^ (t << 28);
    return x;
}

#endif
