// What the native test programs share: CHECK, which counts a failed condition and prints the first
// few with their file and line, and a fixed-seed splitmix64 generator whose stream does not depend
// on the standard library (so the actions and states the tests draw are the same everywhere).
#pragma once
#include <cstdint>
#include <cstdio>

namespace mw::test {

// Failed CHECKs so far in this program; main returns nonzero when any failed.
inline int failures = 0;
// How many failures are printed; the rest are only counted.
constexpr int kPrintedFailures = 30;

// splitmix64 (Steele, Lea and Flood, 2014) from seed `s`.
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n >= 1 (modulo bias below 2^-32 for the n the tests use).
  int32_t below(int32_t n) { return static_cast<int32_t>(next() % static_cast<uint64_t>(n)); }
  // Uniform float in [0, 1) on 24 bits.
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // Uniform in [lo, hi) from 53 bits, rounded to float.
  float uni(double lo, double hi) {
    return static_cast<float>(lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53));
  }
};

}  // namespace mw::test

#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      ++mw::test::failures;                                       \
      if (mw::test::failures <= mw::test::kPrintedFailures) {     \
        std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
        std::fprintf(stderr, __VA_ARGS__);                        \
        std::fprintf(stderr, "\n");                               \
      }                                                           \
    }                                                             \
  } while (0)
