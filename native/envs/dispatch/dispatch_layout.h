// RideDispatch-v0 batch layout: the state arena (city tables, replay list, orders, vehicles,
// episode sums; owned by the executor, never shown to the caller) and the io arena (actions in;
// observations, masks, rewards, flags and infos out; allocated by the caller). Lists both with
// element sizes and counts, binds a View, and checks parameters, cities, replays and actions.
// src/envs/dispatch/layout.ts lists the same io fields in the same order.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "../../common/fields.h"
#include "dispatch.h"

namespace mw::dispatch {

constexpr int kMaxFields = 48;

inline int list_state_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, ev = e * p.num_vehicles, evc = ev * p.capacity, ek = e * p.num_slots;
  const int64_t m = p.num_cities, z = p.num_zones, b = p.demand_bins;
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("zoneXY", 4, m * z * 2);
  add("travelMin", 4, m * p.travel_bins * z * z);
  add("distKm", 4, m * z * z);
  add("neighbours", 4, m * z * p.num_neighbours);
  add("arrivalCdf", 4, m * b * p.poisson_len);
  add("originCdf", 4, m * b * z);
  add("destCdf", 4, m * b * z * z);
  add("replay", 4, static_cast<int64_t>(p.replay_len) * 4);
  add("replayStart", 4, static_cast<int64_t>(p.horizon) + 1);
  add("seeds", 4, e);
  add("episode", 4, e);
  add("steps", 4, e);
  add("needsReset", 1, e);
  add("status", 4, e);
  add("ordValid", 1, ek);
  add("ordOrigin", 4, ek);
  add("ordDest", 4, ek);
  add("ordReq", 4, ek);
  add("ordParty", 4, ek);
  add("vehFrom", 4, ev);
  add("vehTo", 4, ev);
  add("vehRemain", 4, ev);
  add("vehTotal", 4, ev);
  add("vehStatus", 4, ev);
  add("comState", 4, evc);
  add("comOrigin", 4, evc);
  add("comDest", 4, evc);
  add("comParty", 4, evc);
  add("comReq", 4, evc);
  add("comAssign", 4, evc);
  add("comDirect", 4, evc);
  add("comPickupStep", 4, evc);
  add("comPlanTotal", 4, evc);
  add("comRemain", 4, evc);
  add("plan", 4, evc);
  add("epReturn", 4, ev);
  add("metricAcc", 8, e * kNumMetrics);
  return n;
}

inline int list_io_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, ev = e * p.num_vehicles;
  const int64_t obs = ev * obs_per_agent(p);
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("actions", 4, ev);
  add("obs", 4, obs);
  add("actionMask", 1, ev * num_actions(p));
  add("rewards", 4, ev);
  add("terminations", 1, ev);
  add("truncations", 1, ev);
  add("lostBid", 1, ev);
  add("canAct", 1, ev);
  add("invalidAction", 1, ev);
  add("wonSlot", 4, ev);
  add("vehPos", 4, ev * 2);
  add("vehStatus", 4, ev);
  add("vehLoad", 4, ev);
  add("episodeDone", 1, e);
  add("finalReturn", 4, ev);
  add("finalLength", 4, e);
  add("finalMetrics", 4, e * kNumMetrics);
  add("finalObs", 4, p.keep_final_obs ? obs : 0);
  return n;
}

inline bool finite(float x) { return std::isfinite(x); }

// Returns nullptr if the parameters are usable, else what is wrong.
inline const char* check_params(const Params& p) {
  if (p.num_envs < 1) return "numEnvs must be >= 1";
  if (p.num_vehicles < 1 || p.num_vehicles > kMaxVehicles) return "numVehicles must be in 1..65536";
  if (p.num_slots < 1 || p.num_slots > kMaxSlots) return "numSlots must be in 1..1024";
  if (p.capacity < 1 || p.capacity > kMaxCapacity) return "capacity must be in 1..4";
  if (p.num_neighbours < 0 || p.num_neighbours > kMaxNeighbours) return "numNeighbours must be in 0..8";
  if (p.num_zones < 1 || p.num_zones > 4096) return "numZones must be in 1..4096";
  if (p.num_cities != 1 && p.num_cities != p.num_envs) return "numCities must be 1 or numEnvs";
  if (p.demand_bins < 1 || p.demand_bins > 1024) return "demandBins must be in 1..1024";
  if (p.travel_bins != 1 && p.travel_bins != p.demand_bins) return "travelBins must be 1 or demandBins";
  if (p.poisson_len < 1 || p.poisson_len > 65536) return "poissonLen must be in 1..65536";
  if (p.horizon < 1 || p.horizon > 1000000) return "horizon must be in 1..1000000";
  if (p.max_wait < 1 || p.max_wait > 1000000) return "maxWait must be in 1..1000000";
  if (p.start_hour < 0 || p.start_hour > 23) return "startHour must be in 0..23";
  if (p.demand_mode != kDemandSampled && p.demand_mode != kDemandReplay) return "unknown demand mode";
  if (p.replay_len < 0 || (p.demand_mode == kDemandSampled && p.replay_len != 0))
    return "replayLen must be >= 0, and 0 unless the demand mode is replay";
  if (p.max_pickup_min < 0) return "maxPickupMin must be >= 0";
  if (p.party_max < 1 || p.party_max > p.capacity) return "partyMax must be in 1..capacity";
  if (p.reposition < 0 || p.reposition > 1) return "reposition must be 0 or 1";
  if (p.conflict_rule < kNearest || p.conflict_rule > kSeededRandom) return "unknown conflict rule";
  if (p.route_objective < kRouteMinutes || p.route_objective > kPassengerMinutes) return "unknown route objective";
  if (p.team_reward < 0 || p.team_reward > 1) return "teamReward must be 0 or 1";
  if (p.pair_block < 0 || p.pair_block > 1) return "pairBlock must be 0 or 1";
  if (p.global_maps < 0 || p.global_maps > 1) return "globalMaps must be 0 or 1";
  if (p.autoreset < kSameStep || p.autoreset > kDisabled) return "unknown autoreset mode";
  if (p.keep_final_obs < 0 || p.keep_final_obs > 1) return "keepFinalObs must be 0 or 1";
  if (p.keep_final_obs && p.autoreset != kSameStep) return "keepFinalObs needs same-step autoreset";
  if (!finite(p.fare_base) || !finite(p.fare_per_km) || !finite(p.fare_per_min)) return "fares must be finite";
  for (int32_t k = 0; k < kNumRewardCoefs; ++k)
    if (!finite(p.reward[k])) return "reward coefficients must be finite";
  return nullptr;
}

// Binds the state fields of `v` to `state` and the io fields to `io` (`io_bytes` long) at the
// given byte offsets. Returns nullptr on success, else the name of an io field that does not fit.
inline const char* bind_view(const Params& p, uint8_t* state, const uint64_t* state_offsets, uint8_t* io,
                             uint64_t io_bytes, const uint64_t* io_offsets, View& v) {
  FieldSpec f[kMaxFields];
  const int n = list_io_fields(p, f);
  void* iop[kMaxFields];
  if (const char* bad = place_io_fields(f, n, io, io_bytes, io_offsets, iop)) return bad;
  int i = 0;
  auto st = [&]() { return static_cast<void*>(state + state_offsets[i++]); };
  v.zone_xy = static_cast<const float*>(st());
  v.travel_min = static_cast<const int32_t*>(st());
  v.dist_km = static_cast<const float*>(st());
  v.neighbours = static_cast<const int32_t*>(st());
  v.arrival_cdf = static_cast<const uint32_t*>(st());
  v.origin_cdf = static_cast<const uint32_t*>(st());
  v.dest_cdf = static_cast<const uint32_t*>(st());
  v.replay = static_cast<const int32_t*>(st());
  v.replay_start = static_cast<const int32_t*>(st());
  v.seeds = static_cast<uint32_t*>(st());
  v.episode = static_cast<uint32_t*>(st());
  v.steps = static_cast<int32_t*>(st());
  v.needs_reset = static_cast<uint8_t*>(st());
  v.status = static_cast<uint32_t*>(st());
  v.ord_valid = static_cast<uint8_t*>(st());
  int32_t** ints[] = {&v.ord_origin, &v.ord_dest, &v.ord_req, &v.ord_party, &v.veh_from, &v.veh_to,
                      &v.veh_remain, &v.veh_total, &v.veh_status, &v.com_state, &v.com_origin, &v.com_dest,
                      &v.com_party, &v.com_req, &v.com_assign, &v.com_direct, &v.com_pickup_step,
                      &v.com_plan_total, &v.com_remain, &v.plan};
  for (int32_t** q : ints) *q = static_cast<int32_t*>(st());
  v.ep_return = static_cast<float*>(st());
  v.metric_acc = static_cast<double*>(st());
  int j = 0;
  v.actions = static_cast<const int32_t*>(iop[j++]);
  v.obs = static_cast<float*>(iop[j++]);
  v.action_mask = static_cast<uint8_t*>(iop[j++]);
  v.rewards = static_cast<float*>(iop[j++]);
  v.terminations = static_cast<uint8_t*>(iop[j++]);
  v.truncations = static_cast<uint8_t*>(iop[j++]);
  v.lost_bid = static_cast<uint8_t*>(iop[j++]);
  v.can_act = static_cast<uint8_t*>(iop[j++]);
  v.invalid_action = static_cast<uint8_t*>(iop[j++]);
  v.won_slot = static_cast<int32_t*>(iop[j++]);
  v.veh_pos = static_cast<float*>(iop[j++]);
  v.veh_status_out = static_cast<int32_t*>(iop[j++]);
  v.veh_load = static_cast<int32_t*>(iop[j++]);
  v.episode_done = static_cast<uint8_t*>(iop[j++]);
  v.final_return = static_cast<float*>(iop[j++]);
  v.final_length = static_cast<int32_t*>(iop[j++]);
  v.final_metrics = static_cast<float*>(iop[j++]);
  v.final_obs = static_cast<float*>(iop[j++]);
  return nullptr;
}

// One city as the caller hands it over, before it is copied into a state slot.
struct CityInput {
  const float* zone_xy;         // [Z, 2]
  const int32_t* travel_min;    // [Bt, Z, Z]
  const float* dist_km;         // [Z, Z]
  const int32_t* neighbours;    // [Z, R]
  const uint32_t* arrival_cdf;  // [B, P]
  const uint32_t* origin_cdf;   // [B, Z]
  const uint32_t* dest_cdf;     // [B, Z, Z]
};

// Checks that CDF rows of length n (count of them) never decrease and end at 2^32 - 1.
inline int64_t bad_cdf_row(const uint32_t* cdf, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const uint32_t* row = cdf + r * n;
    for (int64_t k = 1; k < n; ++k)
      if (row[k] < row[k - 1]) return r;
    if (row[n - 1] != 0xFFFFFFFFu) return r;
  }
  return -1;
}

// Checks one city's tables so that no step can index outside a buffer or lose time.
// Returns nullptr if usable, else what is wrong (written into `msg`).
inline const char* check_city(const Params& p, const CityInput& in, char* msg, int msg_len) {
  const int64_t Z = p.num_zones, zz = Z * Z, B = p.demand_bins;
  auto fail = [&](const char* what, long long x) {
    std::snprintf(msg, static_cast<size_t>(msg_len), what, x);
    return msg;
  };
  for (int64_t k = 0; k < 2 * Z; ++k)
    if (!finite(in.zone_xy[k])) return fail("zoneXY of zone %lld is not finite", k / 2);
  for (int64_t k = 0; k < p.travel_bins * zz; ++k)
    if (in.travel_min[k] < 1 || in.travel_min[k] > kMaxTravelMin)
      return fail("travelMin entry %lld is outside 1..100000 minutes", k);
  for (int64_t k = 0; k < zz; ++k)
    if (!finite(in.dist_km[k]) || in.dist_km[k] < 0.0f) return fail("distKm entry %lld is negative or not finite", k);
  for (int64_t k = 0; k < Z * p.num_neighbours; ++k)
    if (in.neighbours[k] < -1 || in.neighbours[k] >= Z) return fail("neighbour entry %lld is not a zone or -1", k);
  int64_t r = bad_cdf_row(in.arrival_cdf, B, p.poisson_len);
  if (r >= 0) return fail("arrivalCdf row %lld decreases or does not end at 4294967295", r);
  r = bad_cdf_row(in.origin_cdf, B, Z);
  if (r >= 0) return fail("originCdf row %lld decreases or does not end at 4294967295", r);
  r = bad_cdf_row(in.dest_cdf, B * Z, Z);
  if (r >= 0) return fail("destCdf row %lld (bin * Z + origin) decreases or does not end at 4294967295", r);
  return nullptr;
}

// Checks a replay list: rows (step, origin, dest, party) sorted by step, start[t] = first row of
// step t, start[0] = 0, start[T] = N.
inline const char* check_replay(const Params& p, const int32_t* rows, const int32_t* start, char* msg, int msg_len) {
  auto fail = [&](const char* what, long long x) {
    std::snprintf(msg, static_cast<size_t>(msg_len), what, x);
    return msg;
  };
  const int32_t T = p.horizon, N = p.replay_len;
  if (start[0] != 0 || start[T] != N) return fail("start[0] must be 0 and start[T] the number of rows (%lld)", N);
  for (int32_t t = 0; t < T; ++t) {
    if (start[t + 1] < start[t] || start[t + 1] > N) return fail("start decreases or passes N at step %lld", t + 1);
    for (int32_t r = start[t]; r < start[t + 1]; ++r) {
      const int32_t* row = rows + 4 * static_cast<int64_t>(r);
      if (row[0] != t) return fail("row %lld is not listed under its step", r);
      if (row[1] < 0 || row[1] >= p.num_zones || row[2] < 0 || row[2] >= p.num_zones)
        return fail("row %lld has a zone out of range", r);
      if (row[3] < 1 || row[3] > p.capacity) return fail("row %lld has a party outside 1..capacity", r);
    }
  }
  return nullptr;
}

// Index into `actions` of the first value outside [0, 1 + K + R), or -1 if all are valid.
inline int64_t first_bad_action(const Params& p, const View& v) {
  const int64_t n = static_cast<int64_t>(p.num_envs) * p.num_vehicles;
  const uint32_t A = static_cast<uint32_t>(num_actions(p));
  uint32_t any = 0;
  for (int64_t i = 0; i < n; ++i) any |= static_cast<uint32_t>(static_cast<uint32_t>(v.actions[i]) >= A);
  if (!any) return -1;
  for (int64_t i = 0; i < n; ++i)
    if (static_cast<uint32_t>(v.actions[i]) >= A) return i;
  return -1;
}

}  // namespace mw::dispatch
