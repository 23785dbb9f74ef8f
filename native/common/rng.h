// Counter-based RNG: Philox4x32-10 (Salmon et al., SC'11, "Parallel random numbers: as easy as
// 1, 2, 3"). A draw is a pure function of (seed, stream, env, episode, step, index), so results do
// not depend on thread count or backend. docs/rng.md is the specification, with test vectors;
// src/rng.ts implements the same function bit for bit.
#pragma once
#include <cstdint>

#include "hd.h"

namespace mw {

struct U32x4 {
  uint32_t v[4];
};

MW_HD uint32_t mulhi32(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
}

// Philox4x32 with 10 rounds; counter c[4], key k[2].
MW_HD U32x4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                          uint32_t k1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kM1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return U32x4{{c0, c1, c2, c3}};
}

// Stream ids: one per use, so draws for different purposes never collide.
enum RngStream : uint32_t {
  kStreamMap = 0,        // map generators (per env)
  kStreamPlacement = 1,  // random starts and goals (per env, per episode)
  kStreamGoals = 2,      // lifelong goals (per env, per episode, per agent)
  kStreamActions = 3,    // random policies in tools and tests
};

// The project's draw: key = (seed, stream), counter = (index, step, episode, env).
MW_HD U32x4 rng_draw(uint32_t seed, uint32_t stream, uint32_t env, uint32_t episode, uint32_t step,
                     uint32_t index) {
  return philox4x32_10(index, step, episode, env, seed, stream);
}

// Uniform integer in [0, n) by multiply-shift (Lemire's map without rejection); n >= 1.
MW_HD uint32_t rng_below(uint32_t u, uint32_t n) { return mulhi32(u, n); }

}  // namespace mw
