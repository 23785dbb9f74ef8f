// Host-only SIMD helpers for the CPU executor's hot loops, compiled for AVX2 and chosen at run time
// (the addon is built for baseline x86-64, so it also runs where AVX2 is missing). Not seen by nvcc:
// the device path uses the portable loops next to each call site.
#pragma once
#include <cstdint>
#include <cstring>

#if !defined(__CUDACC__) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MW_HOST_AVX2 1

namespace mw {

// Whether the SIMD paths may run at all (on by default). The native tests switch them off to
// compare the baseline x86-64 paths with them on a machine that has AVX2.
inline bool& host_simd_allowed() {
  static bool allowed = true;
  return allowed;
}

// Whether this CPU runs AVX2 (asked once) and the SIMD paths are allowed.
inline bool host_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has && host_simd_allowed();
}

// Eight 0/1 bytes at `src` as eight floats: the 8-byte load folds into the zero-extension.
__attribute__((target("avx2"))) inline __m256 bytes_to_floats(const uint8_t* src) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src))));
}

// Expands a kD×kD window of 0/1 bytes, whose rows lie pw >= 16 bytes apart, into a contiguous
// float plane. Rows 0..kD-2 store 16 floats each (what spills past a row is rewritten by the next
// row); the last row stores exactly kD floats (two overlapping halves), so nothing past the plane
// is written or read.
template <int kD>
__attribute__((target("avx2"))) inline void expand_plane_avx2(const uint8_t* src, int32_t pw, float* dst) {
  static_assert(kD >= 9 && kD <= 16, "expand_plane_avx2 handles 9..16 columns");
  // One running source pointer: offsets y * pw for every row would be spilled to the stack.
  for (int32_t y = 0; y + 1 < kD; ++y, src += pw) {
    _mm256_storeu_ps(dst + y * kD, bytes_to_floats(src));
    _mm256_storeu_ps(dst + y * kD + 8, bytes_to_floats(src + 8));
  }
  float* out = dst + (kD - 1) * kD;
  _mm256_storeu_ps(out, bytes_to_floats(src));
  _mm256_storeu_ps(out + kD - 8, bytes_to_floats(src + kD - 8));
}

// Zeroes kN >= 32 bytes with 32-byte stores (the last one overlapping).
template <int kN>
__attribute__((target("avx2"))) inline void zero_bytes_avx2(uint8_t* dst) {
  static_assert(kN >= 32, "zero_bytes_avx2 needs at least 32 bytes");
  const __m256i zero = _mm256_setzero_si256();
#pragma GCC unroll 32
  for (int32_t i = 0; i + 32 <= kN; i += 32) _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), zero);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + kN - 32), zero);
}

}  // namespace mw
#endif
