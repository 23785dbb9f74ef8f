// RideDispatch-v0 observations, action masks and per-vehicle outputs (reference/dispatch.md
// §3.5, §3.9). A vehicle's row is self | orders (K x 9) | pair (K x 2, optional) | global (4) | maps (2 x Z);
// the orders, global and maps blocks are the same for every vehicle of an env, so they are built
// once in vehicle 0's row and copied into the others.
#pragma once
#include <string.h>

#include "dispatch_plan.h"

namespace mw::dispatch {

// Fares are shown relative to the fare of a one-hour, 30 km trip (times are shown in hours).
MW_HD float fare_of(const Params& p, float km, int32_t minutes) {
  return p.fare_base + p.fare_per_km * km + p.fare_per_min * static_cast<float>(minutes);
}
MW_HD float inv_fare_norm(const Params& p) {
  const float n = p.fare_base + 30.0f * p.fare_per_km + 60.0f * p.fare_per_min;
  return n > 0.0f ? 1.0f / n : 0.0f;
}

// Position of a vehicle, linear along its leg from veh_from to veh_to.
MW_HD void vehicle_xy(const View& v, const CityView& c, int64_t i, float& x, float& y) {
  const float* to = c.xy + 2 * v.veh_to[i];
  x = to[0];
  y = to[1];
  if (v.veh_remain[i] > 0 && v.veh_total[i] > 0) {
    const float* from = c.xy + 2 * v.veh_from[i];
    const float left = static_cast<float>(v.veh_remain[i]) / static_cast<float>(v.veh_total[i]);
    x += (from[0] - to[0]) * left;
    y += (from[1] - to[1]) * left;
  }
}

// Bid validity of vehicle row i for slot k (the mask's rule, re-checked when the step runs).
MW_HD bool bid_ok(const Params& p, const View& v, const CityView& c, int64_t i, int64_t ok, int32_t free_seats,
                  bool accept) {
  if (!accept || !v.ord_valid[ok] || v.ord_party[ok] > free_seats) return false;
  const int32_t eta = v.veh_remain[i] + c.tt[v.veh_to[i] * p.num_zones + v.ord_origin[ok]];
  return eta <= p.max_pickup_min;
}

MW_HD bool reposition_ok(const Params& p, const View& v, const CityView& c, int64_t i, int32_t r) {
  return p.reposition && v.veh_status[i] == kIdle && c.nb[v.veh_to[i] * p.num_neighbours + r] >= 0;
}

// Orders block (K x 9) at `o`; returns the number of pending orders and counts them by origin
// zone into `maps` (when not null).
MW_HD int32_t write_orders(const Params& p, const View& v, const CityView& c, int32_t env, int32_t t, float* o,
                           float* maps) {
  const int32_t K = p.num_slots, Z = p.num_zones;
  const int64_t ob = static_cast<int64_t>(env) * K;
  const float inv_wait = 1.0f / static_cast<float>(p.max_wait), inv_c = 1.0f / static_cast<float>(p.capacity);
  const float inv_fare = inv_fare_norm(p), inv_k = 1.0f / static_cast<float>(K);
  int32_t pending = 0;
  for (int32_t k = 0; k < K; ++k, o += kOrderFeatures) {
    if (!v.ord_valid[ob + k]) {
      for (int32_t f = 0; f < kOrderFeatures; ++f) o[f] = 0.0f;
      continue;
    }
    ++pending;
    const int32_t org = v.ord_origin[ob + k], dst = v.ord_dest[ob + k];
    const int32_t trip = c.tt[org * Z + dst];
    o[0] = 1.0f;
    o[1] = c.xy[2 * org];
    o[2] = c.xy[2 * org + 1];
    o[3] = c.xy[2 * dst];
    o[4] = c.xy[2 * dst + 1];
    o[5] = static_cast<float>(t - v.ord_req[ob + k]) * inv_wait;
    o[6] = static_cast<float>(trip) * (1.0f / 60.0f);
    o[7] = fare_of(p, c.km[org * Z + dst], trip) * inv_fare;
    o[8] = static_cast<float>(v.ord_party[ob + k]) * inv_c;
    if (maps) maps[org] += inv_k;
  }
  return pending;
}

// Self block of vehicle row i (12 + 7C floats).
MW_HD void write_self(const Params& p, const View& v, const CityView& c, int64_t i, int32_t t, int32_t free_seats,
                      bool accept, float x, float y, float* s) {
  const int32_t C = p.capacity;
  const int64_t b = i * C;
  const float inv_c = 1.0f / static_cast<float>(C), h = 1.0f / 60.0f;
  s[0] = x;
  s[1] = y;
  s[2] = static_cast<float>(v.veh_remain[i]) * h;
  for (int32_t k = 0; k < 4; ++k) s[3 + k] = v.veh_status[i] == k ? 1.0f : 0.0f;
  int32_t onboard = 0;
  for (int32_t e = 0; e < C; ++e) onboard += v.com_state[b + e] == 2 ? v.com_party[b + e] : 0;
  s[7] = static_cast<float>(free_seats) * inv_c;
  s[8] = static_cast<float>(onboard) * inv_c;
  s[9] = accept ? 1.0f : 0.0f;
  s[10] = static_cast<float>((p.start_hour * 60 + t) % 1440) * (1.0f / 1440.0f);
  s[11] = static_cast<float>(t) / static_cast<float>(p.horizon);
  float* e7 = s + kSelfFixed;
  for (int32_t e = 0; e < C; ++e, e7 += kSelfPerOrder) {
    const int32_t st = v.com_state[b + e];
    if (!st) {
      for (int32_t f = 0; f < kSelfPerOrder; ++f) e7[f] = 0.0f;
      continue;
    }
    const int32_t d = v.com_dest[b + e];
    e7[0] = 1.0f;
    e7[1] = st == 2 ? 1.0f : 0.0f;
    e7[2] = c.xy[2 * d];
    e7[3] = c.xy[2 * d + 1];
    e7[4] = static_cast<float>(v.com_remain[b + e]) * h;
    e7[5] = static_cast<float>(v.com_plan_total[b + e]) * h;
    e7[6] = static_cast<float>(v.com_plan_total[b + e] - v.com_direct[b + e]) * h;
  }
}

// Pair block of vehicle row i: pickup ETA and added minutes (plan search) per pending slot;
// added minutes only where the mask lets the vehicle bid (it accepts, the party fits, the ETA is
// within max_pickup_min), 0 elsewhere.
MW_HD void write_pair(const Params& p, const View& v, const CityView& c, int32_t env, int64_t i, int32_t t,
                      int32_t free_seats, bool accept, float* q) {
  const int32_t K = p.num_slots, Z = p.num_zones;
  const int64_t ob = static_cast<int64_t>(env) * K;
  const int32_t* row = c.tt + v.veh_to[i] * Z;
  for (int32_t k = 0; k < K; ++k, q += kPairFeatures) {
    q[0] = q[1] = 0.0f;
    if (!v.ord_valid[ob + k]) continue;
    const int32_t eta = v.veh_remain[i] + row[v.ord_origin[ob + k]];
    q[0] = static_cast<float>(eta) * (1.0f / 60.0f);
    if (!accept || v.ord_party[ob + k] > free_seats || eta > p.max_pickup_min) continue;
    PlanOut plan;
    search_plan(p, v, i, c.tt, v.ord_origin[ob + k], v.ord_dest[ob + k], plan);
    q[1] = static_cast<float>(plan_cost(p, v, i, t, plan).add_min) * (1.0f / 60.0f);
  }
}

// Where an env's observation block (V rows of obs_per_agent floats) is written: DirectRows
// writes in place in v.obs. block() is the block's first row; row_done(a) is called once row a is
// final, pump() now and then, and finish() after the last row, so a host sink can build the block
// in a scratch and stream finished rows out while the next ones are built (DispatchCpu).
struct DirectRows {
  float* base;
  MW_HD float* block() const { return base; }
  MW_HD void pump() const {}
  MW_HD void row_done(int32_t) const {}
  MW_HD void finish() const {}
};

MW_HD DirectRows direct_rows(const Params& p, const View& v, int32_t env) {
  return DirectRows{v.obs + static_cast<int64_t>(env) * p.num_vehicles * obs_per_agent(p)};
}

// Mask row of vehicle row i (no-op, bids, repositions); returns whether anything but the no-op
// is allowed.
MW_HD uint8_t write_mask(const Params& p, const View& v, const CityView& c, int32_t env, int64_t i,
                         int32_t free_seats, bool accept) {
  const int32_t K = p.num_slots, R = p.num_neighbours;
  const int64_t ob = static_cast<int64_t>(env) * K;
  uint8_t* m = v.action_mask + i * num_actions(p);
  m[0] = 1;
  uint8_t any = 0;
  if (accept) {
    const int32_t* tt_row = c.tt + v.veh_to[i] * p.num_zones;
    const int32_t limit = p.max_pickup_min - v.veh_remain[i];
    const uint8_t* MW_RESTRICT valid = v.ord_valid + ob;
    const int32_t* MW_RESTRICT org = v.ord_origin + ob;
    const int32_t* MW_RESTRICT party = v.ord_party + ob;
    for (int32_t k = 0; k < K; ++k) {
      const uint8_t ok = static_cast<uint8_t>(valid[k] & (party[k] <= free_seats) & (tt_row[org[k]] <= limit));
      m[1 + k] = ok;
      any |= ok;
    }
  } else {
    memset(m + 1, 0, static_cast<size_t>(K));
  }
  for (int32_t r = 0; r < R; ++r) {
    const uint8_t ok = reposition_ok(p, v, c, i, r) ? 1 : 0;
    m[1 + K + r] = ok;
    any |= ok;
  }
  return any;
}

// Observations, masks and per-vehicle outputs of every vehicle of `env` at its current step.
// The blocks every vehicle shares (orders, global, maps) are built first in row 0.
template <class Rows>
MW_HD void write_observations(const Params& p, const View& v, int32_t env, Rows& rows) {
  const int32_t V = p.num_vehicles, K = p.num_slots, C = p.capacity, Z = p.num_zones;
  const int32_t t = v.steps[env];
  const int32_t S = self_features(p);
  const int64_t D = obs_per_agent(p);
  const int64_t row0 = static_cast<int64_t>(env) * V;
  const CityView c = city_at(p, v, env, t);
  float* base = rows.block();
  const int64_t pair_at = S + static_cast<int64_t>(kOrderFeatures) * K;
  const int64_t glob_at = pair_at + (p.pair_block ? static_cast<int64_t>(kPairFeatures) * K : 0);
  float* maps = p.global_maps ? base + glob_at + kGlobalFeatures : nullptr;
  if (maps)
    for (int32_t z = 0; z < 2 * Z; ++z) maps[z] = 0.0f;
  const int32_t pending = write_orders(p, v, c, env, t, base + S, maps);
  const float inv_v = 1.0f / static_cast<float>(V);
  int32_t idle = 0;
  for (int32_t a = 0; a < V; ++a) {
    if (v.veh_status[row0 + a] != kIdle) continue;
    ++idle;
    if (maps) maps[Z + v.veh_to[row0 + a]] += inv_v;
  }
  float* g = base + glob_at;
  g[0] = static_cast<float>(t) / static_cast<float>(p.horizon);
  g[1] = static_cast<float>((p.start_hour * 60 + t) % 1440) * (1.0f / 1440.0f);
  g[2] = static_cast<float>(pending) / static_cast<float>(K);
  g[3] = static_cast<float>(idle) * inv_v;
  const size_t orders_bytes = sizeof(float) * kOrderFeatures * static_cast<size_t>(K);
  const size_t tail_bytes = sizeof(float) * static_cast<size_t>(D - glob_at);
  for (int32_t a = 0; a < V; ++a) {
    const int64_t i = row0 + a;
    float* row = base + a * D;
    const int32_t free_seats = C - seats_taken(v, i * C, C);
    const int32_t status = v.veh_status[i];
    const bool accept = can_accept(status, free_seats);
    float x, y;
    vehicle_xy(v, c, i, x, y);
    write_self(p, v, c, i, t, free_seats, accept, x, y, row);
    rows.pump();
    if (a > 0) memcpy(row + S, base + S, orders_bytes);
    rows.pump();
    if (p.pair_block) write_pair(p, v, c, env, i, t, free_seats, accept, row + pair_at);
    if (a > 0) memcpy(row + glob_at, g, tail_bytes);
    rows.row_done(a);
    v.can_act[i] = write_mask(p, v, c, env, i, free_seats, accept);
    rows.pump();
    v.veh_pos[2 * i] = x;
    v.veh_pos[2 * i + 1] = y;
    v.veh_status_out[i] = status;
    v.veh_load[i] = C - free_seats;
  }
  rows.finish();
}

MW_HD void write_observations(const Params& p, const View& v, int32_t env) {
  DirectRows rows = direct_rows(p, v, env);
  write_observations(p, v, env, rows);
}

}  // namespace mw::dispatch
