// Test and benchmark support without Node: builds a MAPF-v0 arena in plain memory the way
// src/envs/mapf/install.ts does (padded obstacles, 4-connected components), so the native core
// can be stepped from a C++ program (sanitizer builds, profiling).
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "../envs/mapf/mapf_layout.h"

namespace mw::test {

struct Arena {
  mapf::Params p{};
  mapf::View v{};
  std::vector<uint8_t> bytes;
};

// Installs `cells` (H*W, 1 = obstacle) into map slot `slot` of the arena.
inline void install_map(Arena& a, int32_t slot, const std::vector<uint8_t>& cells) {
  const mapf::Params& p = a.p;
  const int32_t h = p.height, w = p.width, r = p.radius, pw = p.padded_w, ph = p.padded_h;
  const int64_t hw = static_cast<int64_t>(h) * w;
  uint8_t* ob = const_cast<uint8_t*>(a.v.obstacles) + static_cast<int64_t>(slot) * ph * pw;
  std::memset(ob, 0, static_cast<size_t>(ph) * pw);
  for (int32_t y = r - 1; y <= ph - r; ++y)
    for (int32_t x = r - 1; x <= pw - r; ++x) {
      const bool inside = y >= r && y < r + h && x >= r && x < r + w;
      ob[y * pw + x] = inside ? cells[static_cast<size_t>((y - r) * w + (x - r))] : 1;
    }
  int32_t* label = const_cast<int32_t*>(a.v.comp_label) + slot * hw;
  for (int64_t i = 0; i < hw; ++i) label[i] = -1;
  std::vector<int32_t> sizes, queue;
  for (int32_t i = 0; i < hw; ++i) {
    if (cells[static_cast<size_t>(i)] || label[i] >= 0) continue;
    const int32_t c = static_cast<int32_t>(sizes.size());
    sizes.push_back(0);
    queue.assign(1, i);
    label[i] = c;
    for (size_t q = 0; q < queue.size(); ++q) {
      const int32_t cell = queue[q], y = cell / w, x = cell % w;
      ++sizes.back();
      const int32_t nb[4][2] = {{y - 1, x}, {y + 1, x}, {y, x - 1}, {y, x + 1}};
      for (const auto& n : nb) {
        if (n[0] < 0 || n[0] >= h || n[1] < 0 || n[1] >= w) continue;
        const int32_t j = n[0] * w + n[1];
        if (cells[static_cast<size_t>(j)] || label[j] >= 0) continue;
        label[j] = c;
        queue.push_back(j);
      }
    }
  }
  int32_t* start = const_cast<int32_t*>(a.v.comp_start) + slot * (hw + 1);
  int32_t total = 0;
  for (size_t c = 0; c < sizes.size(); ++c) {
    start[c] = total;
    total += sizes[c];
  }
  start[sizes.size()] = total;
  std::vector<int32_t> fill(start, start + sizes.size());
  int32_t* comp_cells = const_cast<int32_t*>(a.v.comp_cells) + slot * hw;
  for (int32_t i = 0; i < hw; ++i)
    if (label[i] >= 0) comp_cells[fill[static_cast<size_t>(label[i])]++] = i;
  const_cast<int32_t*>(a.v.num_comps)[slot] = static_cast<int32_t>(sizes.size());
  const_cast<int32_t*>(a.v.num_free)[slot] = total;
}

// Allocates an arena for `p` with 64-byte aligned fields and binds its view.
inline bool make_arena(Arena& a, const mapf::Params& p) {
  a.p = p;
  mapf::FieldSpec f[mapf::kNumFields];
  const int n = mapf::list_fields(p, f);
  uint64_t offsets[mapf::kNumFields];
  uint64_t at = 0;
  for (int i = 0; i < n; ++i) {
    at = (at + 63) / 64 * 64;
    offsets[i] = at;
    at += static_cast<uint64_t>(f[i].count) * static_cast<uint64_t>(f[i].elem_size);
  }
  a.bytes.assign(at + 64, 0);
  return mapf::bind_view(p, a.bytes.data(), a.bytes.size(), offsets, a.v) == nullptr;
}

// Bernoulli(density) map from the counter RNG (same draws as src/envs/mapf/generators.ts).
inline std::vector<uint8_t> random_cells(int32_t h, int32_t w, double density, uint32_t seed) {
  std::vector<uint8_t> cells(static_cast<size_t>(h) * w);
  const uint64_t threshold = static_cast<uint64_t>(density * 4294967296.0);
  for (size_t i = 0; i < cells.size(); ++i) {
    const uint32_t u = rng_draw(seed, kStreamMap, 0, 0, 0, static_cast<uint32_t>(i / 4)).v[i % 4];
    cells[i] = static_cast<uint64_t>(u) < threshold ? 1 : 0;
  }
  return cells;
}

inline mapf::Params make_params(int32_t envs, int32_t agents, int32_t size, int32_t radius) {
  mapf::Params p{};
  p.num_envs = envs;
  p.num_agents = agents;
  p.height = p.width = size;
  p.radius = radius;
  p.padded_h = p.padded_w = size + 2 * radius;
  p.max_steps = 64;
  p.placement = mapf::kPlaceRandom;
  p.goal_mode = mapf::kGoalsRandom;
  p.goal_seq_len = 1;
  p.map_per_env = 1;
  return p;
}

}  // namespace mw::test
