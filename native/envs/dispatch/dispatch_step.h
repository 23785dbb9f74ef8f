// RideDispatch-v0 reset and step of one env (host and device), in the order of
// reference/dispatch.md §3.7: resolve bids, plan the winners' routes, reposition idle vehicles,
// move every vehicle one minute, t += 1, expire and add orders, rewards, observations, autoreset.
// Times are integer minutes (one step = one minute); an event during the step from t happens at
// t + 1.
//
// RNG streams (rng_draw(seed, stream, 0, episode, step, index); the env enters through its seed):
//   0 vehicle start zones   step 0, index = vehicle           rng_below(word 0, Z)
//   1 arrival count         step t, index 0                   cdf_pick(arrival row, word 0)
//   2 order origins         step t, index = order of the step cdf_pick(origin row, word 0)
//   6 order destinations    step t, index = order of the step cdf_pick(dest row of the origin, word 0)
//   4 party sizes           step t, index = order of the step 1 + rng_below(word 0, partyMax)
//   5 conflict priority     step t, index = slot * V + vehicle word 0 (seededRandom rule)
#pragma once
#include "../../common/rng.h"
#include "dispatch_obs.h"

namespace mw::dispatch {

enum Stream : uint32_t {
  // Stream 3 is left to policies (CounterRng(seed, 3), docs/rng.md), so destinations use 6.
  kStreamVehicles = 0, kStreamArrivals = 1, kStreamOrigins = 2, kStreamParty = 4, kStreamConflict = 5,
  kStreamDests = 6,
};

// Status bits per env (View::status); 0 = ok.
enum StatusBit : uint32_t {
  kStatusBadAction = 1u,    // an action outside [0, 1 + K + R) was read (the bindings check first)
  kStatusSteppedDone = 2u,  // stepped an env whose episode had ended (autoreset disabled)
};

// Puts an order into the lowest free slot at or after *cursor, or counts it as overflow.
MW_HD void insert_order(const Params& p, const View& v, int32_t env, int32_t t, int32_t origin, int32_t dest,
                        int32_t party, int32_t* cursor) {
  const int64_t ob = static_cast<int64_t>(env) * p.num_slots;
  double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  acc[kOrdersGenerated] += 1.0;
  while (*cursor < p.num_slots && v.ord_valid[ob + *cursor]) ++*cursor;
  if (*cursor >= p.num_slots) {
    acc[kOrdersOverflow] += 1.0;
    return;
  }
  const int64_t k = ob + *cursor;
  v.ord_valid[k] = 1;
  v.ord_origin[k] = origin;
  v.ord_dest[k] = dest;
  v.ord_req[k] = t;
  v.ord_party[k] = party;
}

// Orders requested at step t: the replay rows of step t, or a Poisson count of sampled orders.
MW_HD void add_orders(const Params& p, const View& v, int32_t env, int32_t t) {
  int32_t cursor = 0;
  if (p.demand_mode == kDemandReplay) {
    for (int32_t r = v.replay_start[t]; r < v.replay_start[t + 1]; ++r) {
      const int32_t* row = v.replay + 4 * static_cast<int64_t>(r);
      insert_order(p, v, env, t, row[1], row[2], row[3], &cursor);
    }
    return;
  }
  const CityView c = city_at(p, v, env, t);
  const uint32_t seed = v.seeds[env], ep = v.episode[env], st = static_cast<uint32_t>(t);
  const int32_t n = cdf_pick(c.arrival, p.poisson_len, rng_draw(seed, kStreamArrivals, 0, ep, st, 0).v[0]);
  for (int32_t k = 0; k < n; ++k) {
    const uint32_t idx = static_cast<uint32_t>(k);
    const int32_t o = cdf_pick(c.origin, p.num_zones, rng_draw(seed, kStreamOrigins, 0, ep, st, idx).v[0]);
    const int32_t d = cdf_pick(c.dest + static_cast<int64_t>(o) * p.num_zones, p.num_zones,
                               rng_draw(seed, kStreamDests, 0, ep, st, idx).v[0]);
    const uint32_t u = rng_draw(seed, kStreamParty, 0, ep, st, idx).v[0];
    const int32_t party = 1 + static_cast<int32_t>(rng_below(u, static_cast<uint32_t>(p.party_max)));
    insert_order(p, v, env, t, o, d, party, &cursor);
  }
}

// Fresh episode state: empty slots, idle vehicles at uniform random zones, orders of step 0.
MW_HD void spawn_env(const Params& p, const View& v, int32_t env) {
  const int32_t V = p.num_vehicles, K = p.num_slots, C = p.capacity;
  const int64_t row0 = static_cast<int64_t>(env) * V, ob = static_cast<int64_t>(env) * K;
  const uint32_t seed = v.seeds[env], ep = v.episode[env];
  for (int32_t k = 0; k < K; ++k) {
    v.ord_valid[ob + k] = 0;
    v.ord_origin[ob + k] = v.ord_dest[ob + k] = v.ord_req[ob + k] = 0;
    v.ord_party[ob + k] = 1;
  }
  for (int32_t a = 0; a < V; ++a) {
    const int64_t i = row0 + a;
    const uint32_t u = rng_draw(seed, kStreamVehicles, 0, ep, 0, static_cast<uint32_t>(a)).v[0];
    const int32_t z = static_cast<int32_t>(rng_below(u, static_cast<uint32_t>(p.num_zones)));
    v.veh_from[i] = v.veh_to[i] = z;
    v.veh_remain[i] = v.veh_total[i] = 0;
    v.veh_status[i] = kIdle;
    v.ep_return[i] = 0.0f;
    for (int64_t e = i * C; e < (i + 1) * C; ++e) {
      v.com_state[e] = v.com_origin[e] = v.com_dest[e] = v.com_req[e] = v.com_assign[e] = v.com_direct[e] = 0;
      v.com_party[e] = 1;
      v.com_pickup_step[e] = -1;
      v.com_plan_total[e] = v.com_remain[e] = 0;
      v.plan[e] = -1;
    }
  }
  for (int32_t m = 0; m < kNumMetrics; ++m) v.metric_acc[static_cast<int64_t>(env) * kNumMetrics + m] = 0.0;
  v.steps[env] = 0;
  v.needs_reset[env] = 0;
  add_orders(p, v, env, 0);
}

// Starts an episode; `keep_flags` keeps the rewards and flags of the step that ended the last one
// (same-step autoreset). Observations go to `rows` (see DirectRows).
template <class Rows>
MW_HD void reset_env(const Params& p, const View& v, int32_t env, bool keep_flags, Rows& rows) {
  spawn_env(p, v, env);
  if (!keep_flags) {
    const int64_t row0 = static_cast<int64_t>(env) * p.num_vehicles;
    for (int64_t i = row0; i < row0 + p.num_vehicles; ++i) {
      v.rewards[i] = 0.0f;
      v.terminations[i] = v.truncations[i] = v.lost_bid[i] = v.invalid_action[i] = 0;
      v.won_slot[i] = -1;
    }
  }
  write_observations(p, v, env, rows);
}

MW_HD void reset_env(const Params& p, const View& v, int32_t env, bool keep_flags = false) {
  DirectRows rows = direct_rows(p, v, env);
  reset_env(p, v, env, keep_flags, rows);
}

// Commits order slot k to vehicle row i (its bid won): plan, assignment reward, metrics.
// Returns the assignment reward.
MW_HD float assign_order(const Params& p, const View& v, const CityView& c, int32_t env, int64_t i, int32_t k,
                         int32_t t) {
  const int32_t C = p.capacity, Z = p.num_zones;
  const int64_t b = i * C, ok = static_cast<int64_t>(env) * p.num_slots + k;
  const int32_t o = v.ord_origin[ok], d = v.ord_dest[ok];
  PlanOut plan;
  search_plan(p, v, i, c.tt, o, d, plan);
  const PlanCost cost = plan_cost(p, v, i, t, plan);
  const int32_t trip_min = c.tt[o * Z + d];
  const float trip_km = c.km[o * Z + d], fare = fare_of(p, trip_km, trip_min);
  const float* w = p.reward;
  const float add = static_cast<float>(cost.add_min), excess = add - w[kThetaAdd];
  const float r = w[kWAssign] + w[kWFare] * fare + w[kWDist] * trip_km -
                  w[kWPickup] * static_cast<float>(plan.eta) * (1.0f / 60.0f) -
                  w[kWTimeout] * static_cast<float>(cost.timeouts) - w[kWAdd] * add * (1.0f / 60.0f) -
                  w[kWAddExcess] * (excess > 0.0f ? excess : 0.0f) * (1.0f / 60.0f) -
                  w[kWTrip] * static_cast<float>(trip_min) -
                  w[kWDetourExisting] * static_cast<float>(cost.delay_sum);
  const int64_t e = b + plan.new_entry;
  v.com_state[e] = 1;
  v.com_origin[e] = o;
  v.com_dest[e] = d;
  v.com_party[e] = v.ord_party[ok];
  v.com_req[e] = v.ord_req[ok];
  v.com_assign[e] = t;
  v.com_direct[e] = trip_min;
  v.com_pickup_step[e] = -1;
  for (int32_t s = 0; s < C; ++s) v.plan[b + s] = s < plan.n ? plan.order[s] : -1;
  route_times(p, v, i, c.tt, t, false, plan.fixed != 0);
  v.veh_status[i] = kToPickup;
  v.ord_valid[ok] = 0;
  double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  acc[kOrdersServed] += 1.0;
  acc[kMeanPickupMin] += plan.eta;
  acc[kMeanConfirmationMin] += t - v.ord_req[ok];
  acc[kRevenue] += fare;
  return r;
}

// Moves vehicle row i one minute (the minute from t to t + 1): starts the next leg of its route
// if it stands at a stop, advances the leg, and handles the arrival (pickup, drop-off or the end
// of a reposition). Returns the reward terms of the minute (idle, moving empty).
MW_HD float advance_vehicle(const Params& p, const View& v, const CityView& c, int32_t env, int64_t i, int32_t t) {
  const int32_t C = p.capacity, Z = p.num_zones;
  const int64_t b = i * C;
  double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  const int32_t status = v.veh_status[i];
  if (status == kIdle) return -p.reward[kWIdle];
  const bool onboard = has_onboard(v, b, C);
  if (onboard) acc[kVehicleUtilisation] += 1.0;
  if (status == kRepositioning && v.veh_remain[i] <= 0) {  // not reached: reposition legs end as idle
    v.veh_status[i] = kIdle;
    return 0.0f;
  }
  if (v.veh_remain[i] == 0 && status != kRepositioning) {  // at a stop: the leg to the next one starts now
    const int32_t pe = pickup_entry(v, b, C);
    const int32_t z = pe >= 0 ? v.com_origin[b + pe] : v.com_dest[b + v.plan[b]];
    v.veh_from[i] = v.veh_to[i];
    v.veh_to[i] = z;
    v.veh_total[i] = v.veh_remain[i] = c.tt[v.veh_from[i] * Z + z];
    route_times(p, v, i, c.tt, t, true, false);
  }
  float r = 0.0f;
  if (!onboard) {
    acc[kEmptyKm] += c.km[v.veh_from[i] * Z + v.veh_to[i]] / static_cast<float>(v.veh_total[i]);
    r -= p.reward[kWEmptyMove];
  }
  v.veh_remain[i] -= 1;
  for (int32_t e = 0; e < C; ++e) v.com_remain[b + e] -= v.com_state[b + e] ? 1 : 0;
  if (v.veh_remain[i] > 0) return r;
  if (status == kRepositioning) {
    v.veh_status[i] = kIdle;
    return r;
  }
  // The leg's stop, if it ends at one: the first drop-off, else the pickup.
  const int32_t j = v.plan[b];
  if (j < 0 || v.com_remain[b + j] != 0) {
    const int32_t pe = pickup_entry(v, b, C);
    if (pe >= 0 && v.com_remain[b + pe] == v.com_plan_total[b + pe]) {
      v.com_state[b + pe] = 2;
      v.com_pickup_step[b + pe] = t + 1;
      v.veh_status[i] = kToDropoff;
    }
    return r;  // a pickup, or a leg that ends at no stop
  }
  const int32_t delivery = t + 1 - v.com_pickup_step[b + j];
  acc[kOrdersCompleted] += 1.0;
  acc[kMeanDeliveryMin] += delivery;
  acc[kMeanDetourMin] += delivery - v.com_direct[b + j];
  v.com_state[b + j] = 0;
  v.com_pickup_step[b + j] = -1;
  v.com_remain[b + j] = v.com_plan_total[b + j] = 0;
  for (int32_t s = 0; s + 1 < C; ++s) v.plan[b + s] = v.plan[b + s + 1];
  v.plan[b + C - 1] = -1;
  v.veh_status[i] = pickup_entry(v, b, C) >= 0 ? kToPickup : (v.plan[b] >= 0 ? kToDropoff : kIdle);
  return r;
}

}  // namespace mw::dispatch
