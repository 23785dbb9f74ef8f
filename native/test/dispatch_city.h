// Test and bench helpers for RideDispatch-v0 without Node: default parameters, a W x H grid city
// built here (Manhattan minutes and km, Poisson arrival CDFs computed in double precision,
// uniform origins and destinations), and a batch with its io arena in plain memory.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "../cpu/dispatch_cpu.h"

namespace mw::dispatch::test {

// The `default` preset of reference/dispatch.md §3.11 with the tripleBert reward.
inline Params default_params(int32_t envs) {
  Params p{};
  p.num_envs = envs;
  p.num_vehicles = 32;
  p.num_slots = 32;
  p.capacity = 3;
  p.num_neighbours = 4;
  p.num_zones = 64;
  p.num_cities = 1;
  p.demand_bins = 24;
  p.travel_bins = 1;
  p.poisson_len = 40;
  p.horizon = 60;
  p.max_wait = 5;
  p.start_hour = 8;
  p.demand_mode = kDemandSampled;
  p.max_pickup_min = 1000000;
  p.party_max = 1;
  p.reposition = 1;
  p.conflict_rule = kNearest;
  p.route_objective = kRouteMinutes;
  p.autoreset = kSameStep;
  p.keep_final_obs = 1;
  p.fare_base = 2.5f;
  p.fare_per_km = 1.5f;
  p.fare_per_min = 0.5f;
  const float w[kNumRewardCoefs] = {3, 0, 1, 3, 1, 3, 5, 0, 0, 0, 0, 0, 0, 40, 40};
  for (int32_t k = 0; k < kNumRewardCoefs; ++k) p.reward[k] = w[k];
  return p;
}

// CDF row entry for probability mass up to `f` in [0, 1].
inline uint32_t cdf_word(double f) {
  const double x = std::floor(f * 4294967296.0);
  return x >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(x);
}

struct City {
  std::vector<float> xy, km;
  std::vector<int32_t> tt, nb;
  std::vector<uint32_t> arrival, origin, dest;
  CityInput input() const {
    return CityInput{xy.data(), tt.data(), km.data(), nb.data(), arrival.data(), origin.data(), dest.data()};
  }
};

// Grid of width W (zone = y * W + x): 1 km cells, 2 minutes per cell, 1 minute inside a zone
// (times `slow` in odd travel bins when travel_bins > 1); neighbours N, E, S, W; `lambda`
// orders per step in every demand bin (a P-long CDF; lambda 0: never an order).
inline City grid_city(const Params& p, int32_t W, double lambda, int32_t slow = 1) {
  const int32_t Z = p.num_zones, H = Z / W, R = p.num_neighbours;
  City c;
  for (int32_t z = 0; z < Z; ++z) {
    c.xy.push_back((static_cast<float>(z % W) + 0.5f) / static_cast<float>(W));
    c.xy.push_back((static_cast<float>(z / W) + 0.5f) / static_cast<float>(H));
  }
  for (int32_t b = 0; b < p.travel_bins; ++b)
    for (int32_t a = 0; a < Z; ++a)
      for (int32_t z = 0; z < Z; ++z) {
        const int32_t cells = std::abs(a % W - z % W) + std::abs(a / W - z / W);
        c.tt.push_back((cells == 0 ? 1 : 2 * cells) * (b % 2 ? slow : 1));
      }
  for (int32_t a = 0; a < Z; ++a)
    for (int32_t z = 0; z < Z; ++z)
      c.km.push_back(static_cast<float>(std::abs(a % W - z % W) + std::abs(a / W - z / W)));
  for (int32_t z = 0; z < Z; ++z) {
    const int32_t x = z % W, y = z / W;
    const int32_t cand[4] = {y > 0 ? z - W : -1, x + 1 < W ? z + 1 : -1, y + 1 < H ? z + W : -1, x > 0 ? z - 1 : -1};
    for (int32_t r = 0; r < R; ++r) c.nb.push_back(r < 4 ? cand[r] : -1);
  }
  for (int32_t b = 0; b < p.demand_bins; ++b) {
    double term = std::exp(-lambda), f = 0.0;
    for (int32_t k = 0; k < p.poisson_len; ++k) {
      f += term;
      term *= lambda / (k + 1);
      c.arrival.push_back(k + 1 == p.poisson_len ? 0xFFFFFFFFu : cdf_word(lambda > 0 ? f : 1.0));
    }
    for (int32_t z = 0; z < Z; ++z) c.origin.push_back(cdf_word(static_cast<double>(z + 1) / Z));
    for (int32_t o = 0; o < Z; ++o)
      for (int32_t z = 0; z < Z; ++z) c.dest.push_back(cdf_word(static_cast<double>(z + 1) / Z));
  }
  return c;
}

// A batch with its io arena in plain (8-byte aligned) memory.
struct Batch {
  Params p{};
  std::vector<uint64_t> io;
  std::unique_ptr<DispatchCpu> cpu;
  const View& v() const { return cpu->view(); }
  int32_t* actions() const { return const_cast<int32_t*>(cpu->view().actions); }
  uint8_t* io_bytes() const { return reinterpret_cast<uint8_t*>(const_cast<uint64_t*>(io.data())); }
};

// Builds, installs `city` in every slot, seeds envs seed0 + e and resets (sampled demand). Null if
// anything fails.
inline std::unique_ptr<Batch> make_batch(const Params& p, int32_t threads, const City& city, uint32_t seed0 = 1,
                                         int64_t scratch_floats = DispatchCpu::kScratchFloats) {
  if (check_params(p) != nullptr) return nullptr;
  auto b = std::make_unique<Batch>();
  b->p = p;
  FieldSpec f[kMaxFields];
  const int n = list_io_fields(p, f);
  uint64_t offsets[kMaxFields];
  const uint64_t bytes = pack_fields(f, n, offsets);
  b->io.assign(bytes / 8 + 1, 0);
  b->cpu = std::make_unique<DispatchCpu>(p, b->io_bytes(), b->io.size() * 8, offsets, threads, scratch_floats);
  if (b->cpu->bind_error() != nullptr) return nullptr;
  char msg[256];
  for (int32_t m = 0; m < p.num_cities; ++m)
    if (b->cpu->SetCity(m, city.input(), msg, sizeof msg) != nullptr) return nullptr;
  std::vector<uint32_t> seeds(static_cast<size_t>(p.num_envs));
  for (size_t e = 0; e < seeds.size(); ++e) seeds[e] = seed0 + static_cast<uint32_t>(e);
  b->cpu->SetSeeds(seeds.data(), nullptr);
  if (p.demand_mode == kDemandSampled) b->cpu->Reset(nullptr);
  return b;
}

}  // namespace mw::dispatch::test
