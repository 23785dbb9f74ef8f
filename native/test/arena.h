// Test and benchmark support without Node: builds a MAPF-v0 batch the way the TypeScript side does
// (io arena in plain memory, maps turned into padded obstacle grids and 4-connected component
// tables like src/envs/mapf/install.ts), so the native core can be stepped from a C++ program.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "../cpu/mapf_cpu.h"

namespace mw::test {

// Tables of one map, ready for MapfCpu::SetMap.
struct MapTables {
  std::vector<uint8_t> obstacles;  // [PH*PW]
  std::vector<int32_t> label;      // [H*W]
  std::vector<int32_t> cells;      // [H*W]
  std::vector<int32_t> start;      // [H*W+1]
  int32_t num_comps = 0, num_free = 0;
  mapf::MapInput input() const {
    return mapf::MapInput{obstacles.data(), label.data(), cells.data(), start.data(), num_comps, num_free};
  }
};

inline MapTables build_map(const mapf::Params& p, const std::vector<uint8_t>& cells) {
  const int32_t h = p.height, w = p.width, r = p.radius, pw = p.padded_w, ph = p.padded_h;
  const int64_t hw = static_cast<int64_t>(h) * w;
  MapTables t;
  t.obstacles.assign(static_cast<size_t>(ph) * pw, 0);
  for (int32_t y = r - 1; y <= ph - r; ++y)
    for (int32_t x = r - 1; x <= pw - r; ++x) {
      const bool inside = y >= r && y < r + h && x >= r && x < r + w;
      t.obstacles[static_cast<size_t>(y * pw + x)] = inside ? cells[static_cast<size_t>((y - r) * w + (x - r))] : 1;
    }
  t.label.assign(static_cast<size_t>(hw), -1);
  std::vector<int32_t> sizes, queue;
  for (int32_t i = 0; i < hw; ++i) {
    if (cells[static_cast<size_t>(i)] || t.label[static_cast<size_t>(i)] >= 0) continue;
    const int32_t c = static_cast<int32_t>(sizes.size());
    sizes.push_back(0);
    queue.assign(1, i);
    t.label[static_cast<size_t>(i)] = c;
    for (size_t q = 0; q < queue.size(); ++q) {
      const int32_t cell = queue[q], y = cell / w, x = cell % w;
      ++sizes.back();
      const int32_t nb[4][2] = {{y - 1, x}, {y + 1, x}, {y, x - 1}, {y, x + 1}};
      for (const auto& n : nb) {
        if (n[0] < 0 || n[0] >= h || n[1] < 0 || n[1] >= w) continue;
        const int32_t j = n[0] * w + n[1];
        if (cells[static_cast<size_t>(j)] || t.label[static_cast<size_t>(j)] >= 0) continue;
        t.label[static_cast<size_t>(j)] = c;
        queue.push_back(j);
      }
    }
  }
  t.start.assign(static_cast<size_t>(hw + 1), 0);
  int32_t total = 0;
  for (size_t c = 0; c < sizes.size(); ++c) {
    t.start[c] = total;
    total += sizes[c];
  }
  t.start[sizes.size()] = total;
  std::vector<int32_t> fill(t.start.begin(), t.start.begin() + static_cast<int64_t>(sizes.size()));
  t.cells.assign(static_cast<size_t>(hw), 0);
  for (int32_t i = 0; i < hw; ++i)
    if (t.label[static_cast<size_t>(i)] >= 0) t.cells[static_cast<size_t>(fill[static_cast<size_t>(t.label[static_cast<size_t>(i)])]++)] = i;
  t.num_comps = static_cast<int32_t>(sizes.size());
  t.num_free = total;
  return t;
}

// A batch: the io arena (16-byte aligned like a large malloc'd buffer) and its executor.
struct Batch {
  mapf::Params p{};
  std::vector<uint8_t> io;
  std::unique_ptr<mapf::MapfCpu> cpu;
  const mapf::View& v() const { return cpu->view(); }
  int32_t* actions() const { return const_cast<int32_t*>(cpu->view().actions); }
};

inline std::unique_ptr<Batch> make_batch(const mapf::Params& p, int32_t threads) {
  auto b = std::make_unique<Batch>();
  b->p = p;
  mapf::FieldSpec f[mapf::kMaxFields];
  const int n = mapf::list_io_fields(p, f);
  uint64_t offsets[mapf::kMaxFields];
  const uint64_t bytes = mapf::pack_fields(f, n, offsets);
  b->io.assign(bytes + 128, 0);
  const uintptr_t raw = reinterpret_cast<uintptr_t>(b->io.data());
  const uint64_t shift = (64 - raw % 64) % 64 + 16;
  for (int i = 0; i < n; ++i) offsets[i] += shift;
  b->cpu = std::make_unique<mapf::MapfCpu>(p, b->io.data(), b->io.size(), offsets, threads);
  if (b->cpu->bind_error() != nullptr) return nullptr;
  return b;
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

// Installs one random map per env (seeded seed0 + e) and seeds the envs with seed0 + e.
inline bool install_random_maps(Batch& b, double density, uint32_t seed0) {
  char msg[256];
  std::vector<uint32_t> seeds(static_cast<size_t>(b.p.num_envs));
  for (int32_t e = 0; e < (b.p.map_per_env ? b.p.num_envs : 1); ++e) {
    const MapTables t = build_map(b.p, random_cells(b.p.height, b.p.width, density, seed0 + static_cast<uint32_t>(e)));
    if (b.cpu->SetMap(e, t.input(), msg, sizeof msg) != nullptr) return false;
  }
  for (int32_t e = 0; e < b.p.num_envs; ++e) seeds[static_cast<size_t>(e)] = seed0 + static_cast<uint32_t>(e);
  b.cpu->SetSeeds(seeds.data(), nullptr);
  return true;
}

}  // namespace mw::test
