// RideDispatch-v0 city lookups and vehicle routes (host and device): the tables an env reads at a
// step, a vehicle's route (the pending pickup, then the drop-offs in `plan` order; a drop-off the
// current leg ends at stays first) with the minutes to each stop, and the brute-force search over
// drop-off orders of reference/dispatch.md §3.4 (at most C! <= 24 orders; ties to the
// lexicographically smallest order of entry indices).
#pragma once
#include "dispatch_types.h"

namespace mw::dispatch {

constexpr int32_t kMaxSlots = 1024;      // K <= 1024
constexpr int32_t kMaxVehicles = 65536;  // V <= 65536
constexpr int32_t kMaxTravelMin = 100000;

// Tables of one env's city at one step: travel minutes of the step's travel bin, order CDFs of
// its demand bin.
struct CityView {
  const float* xy;           // [Z, 2] normalised zone coordinates
  const int32_t* tt;         // [Z, Z] travel minutes, >= 1
  const float* km;           // [Z, Z] trip kilometres
  const int32_t* nb;         // [Z, R] reposition targets, -1 = none
  const uint32_t* arrival;   // [P] CDF of the number of new orders
  const uint32_t* origin;    // [Z] CDF of the origin zone
  const uint32_t* dest;      // [Z, Z] CDF of the destination, row = origin
};

// Demand bin of step t: hours since the start, offset by start_hour, modulo B.
MW_HD int32_t demand_bin(const Params& p, int32_t t) { return (p.start_hour + t / 60) % p.demand_bins; }

MW_HD CityView city_at(const Params& p, const View& v, int32_t env, int32_t t) {
  const int64_t m = env % p.num_cities, Z = p.num_zones, zz = Z * Z;
  const int64_t b = demand_bin(p, t), tb = p.travel_bins == 1 ? 0 : b;
  CityView c;
  c.xy = v.zone_xy + m * Z * 2;
  c.tt = v.travel_min + (m * p.travel_bins + tb) * zz;
  c.km = v.dist_km + m * zz;
  c.nb = v.neighbours + m * Z * p.num_neighbours;
  c.arrival = v.arrival_cdf + (m * p.demand_bins + b) * p.poisson_len;
  c.origin = v.origin_cdf + (m * p.demand_bins + b) * Z;
  c.dest = v.dest_cdf + (m * p.demand_bins + b) * zz;
  return c;
}

// First k in [0, n) with u < cdf[k] (n - 1 if none): the integer inversion every backend shares.
MW_HD int32_t cdf_pick(const uint32_t* cdf, int32_t n, uint32_t u) {
  int32_t lo = 0, hi = n - 1;
  while (lo < hi) {
    const int32_t mid = (lo + hi) >> 1;
    // The first saturated entry (2^32 - 1) also takes u = 2^32 - 1, so a draw never lands on a
    // zero-probability entry after the row has reached 1 (same rule as src/envs/dispatch/cdf.ts).
    if (u < cdf[mid] || cdf[mid] == 0xFFFFFFFFu) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Committed entry awaiting pickup (at most one), or -1. `b` = first entry of the vehicle.
MW_HD int32_t pickup_entry(const View& v, int64_t b, int32_t C) {
  for (int32_t c = 0; c < C; ++c)
    if (v.com_state[b + c] == 1) return c;
  return -1;
}

// Seats taken by committed orders (awaiting pickup and on board).
MW_HD int32_t seats_taken(const View& v, int64_t b, int32_t C) {
  int32_t n = 0;
  for (int32_t c = 0; c < C; ++c) n += v.com_state[b + c] ? v.com_party[b + c] : 0;
  return n;
}

MW_HD bool has_onboard(const View& v, int64_t b, int32_t C) {
  for (int32_t c = 0; c < C; ++c)
    if (v.com_state[b + c] == 2) return true;
  return false;
}

// A vehicle may take a new order unless it is heading to a pickup (Triple-BERT), seats permitting.
MW_HD bool can_accept(int32_t status, int32_t free_seats) { return status != kToPickup && free_seats >= 1; }

// Minutes until the vehicle's next stop (the pending pickup or the first drop-off, whichever
// comes first), -1 without a route. Equals veh_remain exactly when the current leg ends at a
// stop; a leg that ends at no stop (a reposition in progress when an order was taken) leaves at
// least one more leg, so the next stop is further away than veh_remain.
MW_HD int32_t minutes_to_next_stop(const View& v, int64_t b, int32_t C) {
  const int32_t pe = pickup_entry(v, b, C), j = v.plan[b];
  const int32_t pickup = pe >= 0 ? v.com_remain[b + pe] - v.com_plan_total[b + pe] : -1;
  const int32_t drop = j >= 0 ? v.com_remain[b + j] : -1;
  if (pickup < 0) return drop;
  return drop >= 0 && drop < pickup ? drop : pickup;
}

// Whether the current leg ends at the drop-off of plan[0]. Legs are atomic and keep their stop:
// a vehicle driving to a drop-off that takes a new order still drops that passenger off at the
// end of the leg, before heading to the pickup.
MW_HD bool leg_ends_at_dropoff(const View& v, int64_t i, int32_t C) {
  const int32_t j = v.plan[i * C];
  return v.veh_remain[i] > 0 && j >= 0 && v.com_remain[i * C + j] == v.veh_remain[i];
}

// Rewrites com_remain (minutes from now to each drop-off) and com_plan_total (planned minutes
// from pickup to drop-off) of vehicle row `i` from its route, in minutes of table `tt`. The route
// is [plan[0] if `fixed_first`] + [pending pickup] + the rest of `plan`; it starts at veh_to after
// veh_remain minutes, except that `leg_to_first` says the current leg ends at the first stop
// (fixed_first implies it). `now` is the step's time: an order picked up at step s has ridden
// now - s minutes.
MW_HD void route_times(const Params& p, const View& v, int64_t i, const int32_t* tt, int32_t now, bool leg_to_first,
                       bool fixed_first) {
  const int32_t C = p.capacity, Z = p.num_zones;
  const int64_t b = i * C;
  int32_t at = v.veh_to[i], time = v.veh_remain[i], pickup_time = 0;
  bool first = leg_to_first || fixed_first;
  int32_t k = 0;
  auto drop = [&](int32_t c) {
    const int32_t z = v.com_dest[b + c];
    time += first ? 0 : tt[at * Z + z];
    first = false;
    at = z;
    v.com_remain[b + c] = time;
    v.com_plan_total[b + c] = v.com_state[b + c] == 2 ? now - v.com_pickup_step[b + c] + time : time - pickup_time;
  };
  if (fixed_first) drop(v.plan[b + k++]);
  const int32_t pe = pickup_entry(v, b, C);
  if (pe >= 0) {
    const int32_t z = v.com_origin[b + pe];
    time += first ? 0 : tt[at * Z + z];
    first = false;
    at = z;
    pickup_time = time;
  }
  for (; k < C && v.plan[b + k] >= 0; ++k) drop(v.plan[b + k]);
}

// Result of taking a new order: its pickup ETA and the best drop-off order.
struct PlanOut {
  int32_t eta;                   // minutes from now to the pickup
  int32_t n;                     // drop-offs in the plan (on board + the new order)
  int32_t new_entry;             // committed entry the new order would take
  int32_t fixed;                 // 1: order[0] is dropped off at the end of the current leg
  int32_t order[kMaxCapacity];   // entry indices in drop-off order
  int32_t finish[kMaxCapacity];  // by entry index: minutes from now to the drop-off
};

// Lexicographic successor of a[0..n) (std::next_permutation); false after the last one.
MW_HD bool next_perm(int32_t* a, int32_t n) {
  int32_t i = n - 2;
  while (i >= 0 && a[i] >= a[i + 1]) --i;
  if (i < 0) return false;
  int32_t j = n - 1;
  while (a[j] <= a[i]) --j;
  int32_t s = a[i]; a[i] = a[j]; a[j] = s;
  for (int32_t l = i + 1, r = n - 1; l < r; ++l, --r) { s = a[l]; a[l] = a[r]; a[r] = s; }
  return true;
}

// Best plan if vehicle row `i` (not heading to a pickup, with a free entry) took the order
// origin -> dest: after the current leg (and its drop-off, if it ends at one) the pickup, then
// every order of the remaining drop-offs (on board + new, listed by ascending entry index),
// keeping the first strictly best by route minutes or by the summed minutes to each drop-off
// (routeObjective).
MW_HD void search_plan(const Params& p, const View& v, int64_t i, const int32_t* tt, int32_t origin,
                       int32_t dest, PlanOut& out) {
  const int32_t C = p.capacity, Z = p.num_zones;
  const int64_t b = i * C;
  out.eta = v.veh_remain[i] + tt[v.veh_to[i] * Z + origin];
  out.new_entry = -1;
  out.fixed = leg_ends_at_dropoff(v, i, C) ? 1 : 0;
  const int32_t fixed_entry = out.fixed ? v.plan[b] : -1;
  for (int32_t c = 0; c < kMaxCapacity; ++c) out.finish[c] = 0;
  if (out.fixed) {
    out.order[0] = fixed_entry;
    out.finish[fixed_entry] = v.veh_remain[i];
  }
  int32_t item[kMaxCapacity], zone[kMaxCapacity];
  int32_t n = 0;
  for (int32_t c = 0; c < C; ++c) {
    const int32_t st = v.com_state[b + c];
    const bool take = (st == 2 && c != fixed_entry) || (st == 0 && out.new_entry < 0);
    if (!take) continue;
    if (st == 0) out.new_entry = c;
    item[n] = c;
    zone[n] = st == 0 ? dest : v.com_dest[b + c];
    ++n;
  }
  out.n = n + out.fixed;
  int32_t from_pickup[kMaxCapacity], between[kMaxCapacity][kMaxCapacity];
  for (int32_t a = 0; a < n; ++a) {
    from_pickup[a] = tt[origin * Z + zone[a]];
    for (int32_t c = 0; c < n; ++c) between[a][c] = tt[zone[a] * Z + zone[c]];
  }
  int32_t perm[kMaxCapacity], t_at[kMaxCapacity], best_t[kMaxCapacity], best_perm[kMaxCapacity];
  for (int32_t a = 0; a < n; ++a) perm[a] = a;
  int64_t best = -1;
  do {
    int32_t time = out.eta + from_pickup[perm[0]];
    int64_t sum = time;
    t_at[perm[0]] = time;
    for (int32_t s = 1; s < n; ++s) {
      time += between[perm[s - 1]][perm[s]];
      t_at[perm[s]] = time;
      sum += time;
    }
    const int64_t objective = p.route_objective == kPassengerMinutes ? sum : time;
    if (best < 0 || objective < best) {
      best = objective;
      for (int32_t a = 0; a < n; ++a) { best_t[a] = t_at[a]; best_perm[a] = perm[a]; }
    }
  } while (next_perm(perm, n));
  for (int32_t a = 0; a < n; ++a) {
    out.order[out.fixed + a] = item[best_perm[a]];
    out.finish[item[a]] = best_t[a];
  }
}

// Pickup and added minutes of a plan, as Triple-BERT's reward reads them (reference/dispatch.md
// §3.8): added = the new order's total + how much later every order on board arrives.
struct PlanCost {
  int32_t add_min;       // addMin
  int32_t delay_sum;     // sum over orders on board of (new - old) minutes to their drop-off
  int32_t timeouts;      // orders whose total (assignment to drop-off) would exceed thetaTimeout
};

MW_HD PlanCost plan_cost(const Params& p, const View& v, int64_t i, int32_t now, const PlanOut& out) {
  const int32_t C = p.capacity;
  const int64_t b = i * C;
  PlanCost r{0, 0, 0};
  const float theta = p.reward[kThetaTimeout];
  for (int32_t c = 0; c < C; ++c) {
    if (v.com_state[b + c] != 2) continue;
    r.delay_sum += out.finish[c] - v.com_remain[b + c];
    if (static_cast<float>(now - v.com_assign[b + c] + out.finish[c]) > theta) ++r.timeouts;
  }
  const int32_t total_new = out.finish[out.new_entry];
  if (static_cast<float>(total_new) > theta) ++r.timeouts;
  r.add_min = total_new + r.delay_sum;
  return r;
}

}  // namespace mw::dispatch
