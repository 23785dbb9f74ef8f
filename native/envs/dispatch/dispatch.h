// RideDispatch-v0: ride-hailing order dispatch after Triple-BERT's simulator (RS2002/Triple-BERT),
// RideGym and the fleet-management literature (reference/dispatch.md §3). One agent per vehicle;
// action Discrete(1 + K + R): 0 no-op, 1..K bid on order slot k-1, K+1..K+R reposition to
// neighbour r. Masked actions run as no-ops and are counted. step_env follows §3.7; routes and
// plans are in dispatch_plan.h, observations in dispatch_obs.h, the phases in dispatch_step.h.
#pragma once
#include <math.h>
#include <string.h>

#include "dispatch_step.h"

// Rules the reference leaves open, as implemented (every backend must match them):
// - Time: the step from t moves everything one minute; events in it happen at t + 1. Travel
//   minutes come from the bin of step t; a leg's minutes are fixed when it starts.
// - Legs are atomic: a vehicle's ETA to zone z is veh_remain + tt[veh_to][z]. A vehicle at a stop
//   starts its next leg in the next step's move, so a stop tt minutes away is reached exactly tt
//   steps later and an order assigned with ETA e is picked up at t + e (with one travel-time
//   block; with hourly blocks a later leg may take other minutes than the ETA assumed). A leg that ends at a
//   drop-off keeps it when the vehicle takes a new order (dispatch_plan.h).
// - Orders of step T are not generated (they could never be matched); orders requested at s
//   expire when t >= s + maxWait. Metrics: pickup = ETA at assignment, confirmation = assignment
//   step - request step, delivery = drop-off - pickup step, detour = delivery - direct minutes,
//   utilisation and empty km count the minutes driven with / without a passenger on board at
//   the start of the minute, reposition km are charged when a reposition leg starts.
// - Reward terms of an assignment (reference §3.8): totals are minutes from assignment to drop-off;
//   addMin = the new order's total + how much later every order on board arrives. [idle]: the
//   vehicle stood at a zone with no order; [moved empty]: it drove a minute with nobody on board.

namespace mw::dispatch {

// Conflict key of a valid bid: the lowest key wins its slot; the vehicle index in the low word
// makes keys unique (ties go to the lowest index), so the result does not depend on visit order.
MW_HD uint64_t bid_key(const Params& p, const View& v, int32_t env, int32_t a, int32_t k, int32_t eta, int32_t t) {
  uint32_t primary = 0;
  if (p.conflict_rule == kNearest) {
    primary = static_cast<uint32_t>(eta);
  } else if (p.conflict_rule == kSeededRandom) {
    const uint32_t idx = static_cast<uint32_t>(k) * static_cast<uint32_t>(p.num_vehicles) + static_cast<uint32_t>(a);
    primary = rng_draw(v.seeds[env], kStreamConflict, 0, v.episode[env], static_cast<uint32_t>(t), idx).v[0];
  }
  return (static_cast<uint64_t>(primary) << 32) | static_cast<uint32_t>(a);
}

// Episode metrics (DispatchMetric) from the running sums; NaN for means over nothing.
MW_HD void finish_metrics(const Params& p, const View& v, int32_t env) {
  const double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  float* out = v.final_metrics + static_cast<int64_t>(env) * kNumMetrics;
  const int64_t ob = static_cast<int64_t>(env) * p.num_slots, row0 = static_cast<int64_t>(env) * p.num_vehicles;
  int32_t pending = 0;
  for (int32_t k = 0; k < p.num_slots; ++k) pending += v.ord_valid[ob + k];
  double ret = 0.0;
  for (int32_t a = 0; a < p.num_vehicles; ++a) ret += v.ep_return[row0 + a];
  const double served = acc[kOrdersServed], done = acc[kOrdersCompleted], gen = acc[kOrdersGenerated];
  const double nan = static_cast<double>(NAN);
  const double vehicle_steps = static_cast<double>(p.num_vehicles) * v.steps[env];
  double m[kNumMetrics];
  for (int32_t k = 0; k < kNumMetrics; ++k) m[k] = acc[k];
  m[kPendingAtEnd] = pending;
  m[kServiceRate] = gen > 0 ? served / gen : nan;
  m[kMeanPickupMin] = served > 0 ? acc[kMeanPickupMin] / served : nan;
  m[kMeanConfirmationMin] = served > 0 ? acc[kMeanConfirmationMin] / served : nan;
  m[kMeanDeliveryMin] = done > 0 ? acc[kMeanDeliveryMin] / done : nan;
  m[kMeanDetourMin] = done > 0 ? acc[kMeanDetourMin] / done : nan;
  m[kVehicleUtilisation] = vehicle_steps > 0 ? acc[kVehicleUtilisation] / vehicle_steps : nan;
  m[kEpisodeReturn] = ret / p.num_vehicles;
  for (int32_t k = 0; k < kNumMetrics; ++k) out[k] = static_cast<float>(m[k]);
}

// Phase 1: validates every action, clears the step's flags, and enters each valid bid into its
// slot's minimum key. won_slot holds the slot bid on until phase 2 settles it.
MW_HD void collect_bids(const Params& p, const View& v, const CityView& c, int32_t env, int32_t t, uint64_t* best) {
  const int32_t V = p.num_vehicles, K = p.num_slots, C = p.capacity, A = num_actions(p);
  const int64_t row0 = static_cast<int64_t>(env) * V, ob = static_cast<int64_t>(env) * K;
  double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  for (int32_t k = 0; k < K; ++k) best[k] = ~0ull;
  for (int32_t a = 0; a < V; ++a) {
    const int64_t i = row0 + a;
    v.rewards[i] = 0.0f;
    v.lost_bid[i] = v.invalid_action[i] = 0;
    v.won_slot[i] = -1;
    const int32_t act = v.actions[i];
    if (act == 0) continue;
    bool ok = false;
    if (act < 0 || act >= A) {
      v.status[env] |= kStatusBadAction;
    } else if (act <= K) {
      const int32_t k = act - 1, free_seats = C - seats_taken(v, i * C, C);
      ok = bid_ok(p, v, c, i, ob + k, free_seats, can_accept(v.veh_status[i], free_seats));
      if (ok) {
        const int32_t eta = v.veh_remain[i] + c.tt[v.veh_to[i] * p.num_zones + v.ord_origin[ob + k]];
        const uint64_t key = bid_key(p, v, env, a, k, eta, t);
        if (key < best[k]) best[k] = key;
        v.won_slot[i] = k;
      }
    } else {
      ok = reposition_ok(p, v, c, i, act - 1 - K);
    }
    if (!ok) {
      v.invalid_action[i] = 1;
      acc[kInvalidActions] += 1.0;
    }
  }
}

// One step of one env. Observations go to `rows` (see DirectRows); returns whether they were
// written (not when an ended episode waits for a reset).
template <class Rows>
MW_HD bool step_env(const Params& p, const View& v, int32_t env, Rows& rows) {
  const int32_t V = p.num_vehicles, K = p.num_slots, Z = p.num_zones;
  const int64_t row0 = static_cast<int64_t>(env) * V, ob = static_cast<int64_t>(env) * K;
  v.episode_done[env] = 0;
  if (v.needs_reset[env]) {
    if (p.autoreset == kNextStep) {  // this step only resets; actions are ignored
      v.episode[env] += 1;
      reset_env(p, v, env, false, rows);
      return true;
    }
    v.status[env] |= kStatusSteppedDone;
    return false;
  }
  const int32_t t = v.steps[env];
  const CityView c = city_at(p, v, env, t);
  double* acc = v.metric_acc + static_cast<int64_t>(env) * kNumMetrics;
  const float* w = p.reward;
  // 1-2. Bids, then the winner of each slot takes the order (ascending vehicle index; a vehicle
  // bids on one slot, so winners never share state).
  uint64_t best[kMaxSlots];
  collect_bids(p, v, c, env, t, best);
  for (int32_t a = 0; a < V; ++a) {
    const int64_t i = row0 + a;
    const int32_t k = v.won_slot[i];
    if (k < 0) continue;
    if (static_cast<uint32_t>(best[k]) == static_cast<uint32_t>(a)) {
      v.rewards[i] += assign_order(p, v, c, env, i, k, t);
    } else {
      v.won_slot[i] = -1;
      v.lost_bid[i] = 1;
      acc[kBidConflicts] += 1.0;
      v.rewards[i] -= w[kWLostBid];
    }
  }
  // 3. Repositions (valid ones only: the vehicle is idle at a zone).
  for (int32_t a = 0; a < V; ++a) {
    const int64_t i = row0 + a;
    const int32_t act = v.actions[i];
    if (act <= K || act >= num_actions(p) || v.invalid_action[i]) continue;
    const int32_t from = v.veh_to[i], to = c.nb[from * p.num_neighbours + act - 1 - K];
    const float km = c.km[from * Z + to];
    v.veh_from[i] = from;
    v.veh_to[i] = to;
    v.veh_total[i] = v.veh_remain[i] = c.tt[from * Z + to];
    v.veh_status[i] = kRepositioning;
    acc[kRepositionKm] += km;
    v.rewards[i] -= w[kWRepositionKm] * km;
  }
  // 4. Every vehicle drives one minute.
  for (int32_t a = 0; a < V; ++a) v.rewards[row0 + a] += advance_vehicle(p, v, c, env, row0 + a, t);
  // 5-6. The clock, expiry, new orders (none at T: they could never be matched).
  const int32_t now = t + 1;
  v.steps[env] = now;
  for (int32_t k = 0; k < K; ++k)
    if (v.ord_valid[ob + k] && now >= v.ord_req[ob + k] + p.max_wait) {
      v.ord_valid[ob + k] = 0;
      acc[kOrdersExpired] += 1.0;
    }
  if (now < p.horizon) add_orders(p, v, env, now);
  // 7. Rewards (team: the env's sum for everyone), flags.
  const bool truncated = now >= p.horizon;
  if (p.team_reward) {
    float sum = 0.0f;
    for (int32_t a = 0; a < V; ++a) sum += v.rewards[row0 + a];
    for (int32_t a = 0; a < V; ++a) v.rewards[row0 + a] = sum;
  }
  for (int32_t a = 0; a < V; ++a) {
    v.ep_return[row0 + a] += v.rewards[row0 + a];
    v.terminations[row0 + a] = 0;
    v.truncations[row0 + a] = truncated ? 1 : 0;
  }
  // 8. Observations; at T the episode's metrics, then autoreset.
  write_observations(p, v, env, rows);
  if (!truncated) return true;
  v.episode_done[env] = 1;
  v.final_length[env] = now;
  for (int32_t a = 0; a < V; ++a) v.final_return[row0 + a] = v.ep_return[row0 + a];
  finish_metrics(p, v, env);
  if (p.autoreset == kSameStep) {
    if (p.keep_final_obs) {
      const int64_t n = static_cast<int64_t>(V) * obs_per_agent(p);
      memcpy(v.final_obs + env * n, rows.block(), static_cast<size_t>(n) * sizeof(float));
    }
    v.episode[env] += 1;
    reset_env(p, v, env, true, rows);
  } else {
    v.needs_reset[env] = 1;
  }
  return true;
}

MW_HD bool step_env(const Params& p, const View& v, int32_t env) {
  DirectRows rows = direct_rows(p, v, env);
  return step_env(p, v, env, rows);
}

}  // namespace mw::dispatch
