// Native test of the RideDispatch-v0 core without Node, built with AddressSanitizer and
// UndefinedBehaviorSanitizer in CI. Checks the properties of reference/dispatch.md §3.13 on a
// grid city built here: order conservation, seat bounds and each order served at most once
// (every step, random valid and invalid actions), service rate with many vehicles and a greedy
// policy, expiry after exactly maxWait steps, identical outputs for 1 and 3 threads, masks, the
// conflict rules, a hand-worked pooling plan, and the table checks. Expected values are derived
// here, never read back from the core.
#include <cstdio>
#include <cstring>
#include <set>
#include <tuple>
#include <vector>

#include "dispatch_city.h"
#include "check.h"

namespace {

using mw::test::failures;

using namespace mw::dispatch;
using mw::dispatch::test::Batch;
using mw::dispatch::test::City;

using Rng = mw::test::SplitMix64;

std::unique_ptr<Batch> batch(const Params& p, int32_t threads, const City& c, uint32_t seed0 = 1,
                             int64_t scratch = DispatchCpu::kScratchFloats) {
  auto b = mw::dispatch::test::make_batch(p, threads, c, seed0, scratch);
  CHECK(b != nullptr, "batch could not be built");
  return b;
}
double acc(const Batch& b, int32_t e, int32_t m) { return b.v().metric_acc[static_cast<int64_t>(e) * kNumMetrics + m]; }
float fin(const Batch& b, int32_t e, int32_t m) { return b.v().final_metrics[static_cast<int64_t>(e) * kNumMetrics + m]; }
int32_t pending(const Batch& b, int32_t e) {
  int32_t n = 0;
  for (int32_t k = 0; k < b.p.num_slots; ++k) n += b.v().ord_valid[static_cast<int64_t>(e) * b.p.num_slots + k];
  return n;
}
const uint8_t* mask_of(const Batch& b, int64_t i) { return b.v().action_mask + i * num_actions(b.p); }

// Random actions: half drawn from the mask, a third from the whole range (often masked), the
// rest no-ops.
void random_actions(const Batch& b, Rng& rng) {
  const int32_t A = num_actions(b.p);
  for (int64_t i = 0; i < static_cast<int64_t>(b.p.num_envs) * b.p.num_vehicles; ++i) {
    const uint8_t* m = mask_of(b, i);
    const int32_t roll = rng.below(6);
    int32_t a = 0;
    if (roll < 3) {
      int32_t n = 0;
      for (int32_t k = 0; k < A; ++k) n += m[k];
      int32_t pick = rng.below(n);
      for (a = 0; a < A; ++a)
        if (m[a] && pick-- == 0) break;
    } else if (roll < 5) {
      a = rng.below(A);
    }
    b.actions()[i] = a;
  }
}

// Central greedy: each pending slot in order goes to the nearest vehicle whose mask allows it
// and that has no bid yet (conflict-free bids).
void greedy_actions(const Batch& b) {
  const Params& p = b.p;
  const View& v = b.v();
  for (int32_t e = 0; e < p.num_envs; ++e) {
    const int64_t row0 = static_cast<int64_t>(e) * p.num_vehicles;
    for (int32_t a = 0; a < p.num_vehicles; ++a) b.actions()[row0 + a] = 0;
    const CityView c = city_at(p, v, e, v.steps[e]);
    for (int32_t k = 0; k < p.num_slots; ++k) {
      int32_t best = -1, best_eta = 0;
      for (int32_t a = 0; a < p.num_vehicles; ++a) {
        const int64_t i = row0 + a;
        if (!mask_of(b, i)[1 + k] || b.actions()[i] != 0) continue;
        const int32_t eta = v.veh_remain[i] + c.tt[v.veh_to[i] * p.num_zones + v.ord_origin[e * p.num_slots + k]];
        if (best < 0 || eta < best_eta) best = a, best_eta = eta;
      }
      if (best >= 0) b.actions()[row0 + best] = 1 + k;
    }
  }
}

// Seats, committed entries, status and route consistency of every vehicle.
void check_vehicles(const Batch& b, const char* what) {
  const Params& p = b.p;
  const View& v = b.v();
  const int32_t C = p.capacity;
  for (int64_t i = 0; i < static_cast<int64_t>(p.num_envs) * p.num_vehicles; ++i) {
    const int64_t base = i * C;
    int32_t seats = 0, awaiting = 0, onboard = 0, planned = 0;
    for (int32_t c = 0; c < C; ++c) {
      const int32_t st = v.com_state[base + c];
      CHECK(st >= 0 && st <= 2, "%s: entry state %d", what, st);
      if (!st) continue;
      seats += v.com_party[base + c];
      awaiting += st == 1;
      onboard += st == 2;
      CHECK(v.com_party[base + c] >= 1 && v.com_remain[base + c] >= 1, "%s: entry party/remain", what);
    }
    for (int32_t c = 0; c < C; ++c) planned += v.plan[base + c] >= 0;
    CHECK(seats >= 0 && seats <= C, "%s: vehicle %lld has %d seats taken", what, static_cast<long long>(i), seats);
    CHECK(awaiting <= 1 && planned == awaiting + onboard, "%s: awaiting %d planned %d", what, awaiting, planned);
    CHECK(v.veh_load[i] == seats, "%s: vehLoad %d != %d", what, v.veh_load[i], seats);
    const int32_t st = v.veh_status[i];
    const bool ok = st == kIdle ? planned == 0 && v.veh_remain[i] == 0
                  : st == kRepositioning ? planned == 0 && v.veh_remain[i] > 0
                  : st == kToPickup ? awaiting == 1 : awaiting == 0 && onboard > 0;
    CHECK(ok, "%s: vehicle %lld status %d with %d planned, remain %d", what, static_cast<long long>(i), st, planned,
          v.veh_remain[i]);
    if (planned) CHECK(minutes_to_next_stop(v, base, C) >= v.veh_remain[i], "%s: next stop behind the leg", what);
  }
}

// 1. Conservation, seats, each order served at most once, mask/invalid agreement, every step,
// with random actions, pooling (parties of 1-2), time-varying travel and autoresets.
void test_invariants() {
  Params p = test::default_params(6);
  p.num_vehicles = 12;
  p.num_slots = 10;
  p.party_max = 2;
  p.horizon = 70;
  p.start_hour = 7;
  p.travel_bins = p.demand_bins;
  p.pair_block = 1;
  p.global_maps = 1;
  p.max_pickup_min = 14;
  const City city = test::grid_city(p, 8, 2.5, 2);
  auto b = batch(p, 2, city);
  if (!b) return;
  const View& v = b->v();
  Rng rng{7};
  std::set<std::tuple<int32_t, uint32_t, int32_t, int32_t>> served;  // env, episode, slot, request step
  double total_served = 0, episodes = 0;
  for (int32_t step = 0; step < 300; ++step) {
    random_actions(*b, rng);
    std::vector<uint8_t> valid(v.ord_valid, v.ord_valid + p.num_envs * p.num_slots);
    std::vector<int32_t> req(v.ord_req, v.ord_req + p.num_envs * p.num_slots);
    std::vector<uint32_t> ep(v.episode, v.episode + p.num_envs);
    std::vector<uint8_t> masked;
    for (int64_t i = 0; i < p.num_envs * p.num_vehicles; ++i) masked.push_back(!mask_of(*b, i)[b->actions()[i]]);
    CHECK(b->cpu->Step() < 0, "status bit set");
    for (int32_t e = 0; e < p.num_envs; ++e) {
      for (int32_t a = 0; a < p.num_vehicles; ++a) {
        const int64_t i = static_cast<int64_t>(e) * p.num_vehicles + a;
        CHECK(v.invalid_action[i] == masked[i], "invalid flag %d but masked %d", v.invalid_action[i], masked[i]);
        const int32_t k = v.won_slot[i];
        if (k < 0) continue;
        CHECK(b->actions()[i] == 1 + k && valid[e * p.num_slots + k], "won a slot it did not bid on");
        CHECK(served.insert({e, ep[e], k, req[e * p.num_slots + k]}).second, "order served twice");
        CHECK(!v.lost_bid[i], "winner flagged lostBid");
      }
      if (v.episode_done[e]) {
        ++episodes;
        total_served += fin(*b, e, kOrdersServed);
        CHECK(fin(*b, e, kOrdersGenerated) == fin(*b, e, kOrdersServed) + fin(*b, e, kOrdersExpired) +
                                                   fin(*b, e, kOrdersOverflow) + fin(*b, e, kPendingAtEnd),
              "final conservation");
        CHECK(v.truncations[e * p.num_vehicles] == 1 && v.final_length[e] == p.horizon, "truncation flags");
      }
      CHECK(acc(*b, e, kOrdersGenerated) ==
                acc(*b, e, kOrdersServed) + acc(*b, e, kOrdersExpired) + acc(*b, e, kOrdersOverflow) + pending(*b, e),
            "running conservation, env %d", e);
    }
    check_vehicles(*b, "random");
  }
  CHECK(episodes == 24 && total_served > 0 && static_cast<double>(served.size()) >= total_served,
        "episodes %g served %g ids %zu", episodes, total_served, served.size());
}

// 2. Many more vehicles than orders, greedy conflict-free bids: nearly every order is served.
void test_service_rate() {
  Params p = test::default_params(4);
  p.num_vehicles = 64;
  const City city = test::grid_city(p, 8, 1.0);
  auto b = batch(p, 1, city);
  if (!b) return;
  double gen = 0, served = 0, conflicts = 0;
  for (int32_t step = 0; step < 3 * p.horizon; ++step) {
    greedy_actions(*b);
    b->cpu->Step();
    for (int32_t e = 0; e < p.num_envs; ++e)
      if (b->v().episode_done[e]) {
        gen += fin(*b, e, kOrdersGenerated);
        served += fin(*b, e, kOrdersServed);
        conflicts += fin(*b, e, kBidConflicts);
        CHECK(fin(*b, e, kInvalidActions) == 0, "greedy made invalid actions");
      }
  }
  CHECK(gen > 500 && served / gen >= 0.99 && conflicts == 0, "service rate %g of %g orders, conflicts %g",
        served / gen, gen, conflicts);
  std::printf("dispatch: greedy service rate %.4f over %.0f orders\n", served / gen, gen);
}

// 3. Nobody bids: every order expires exactly maxWait steps after its request; at the end
// expired = orders of steps <= T - maxWait, pending = the later ones.
void test_expiry() {
  Params p = test::default_params(5);
  p.num_vehicles = 3;
  p.num_slots = 64;
  p.horizon = 40;
  p.autoreset = kDisabled;
  p.keep_final_obs = 0;
  const City city = test::grid_city(p, 8, 1.5);
  auto b = batch(p, 1, city);
  if (!b) return;
  const View& v = b->v();
  std::vector<std::vector<double>> gen_at(static_cast<size_t>(p.num_envs));
  for (int32_t e = 0; e < p.num_envs; ++e) gen_at[e].push_back(acc(*b, e, kOrdersGenerated));
  for (int64_t i = 0; i < p.num_envs * p.num_vehicles; ++i) b->actions()[i] = 0;
  for (int32_t step = 0; step < p.horizon; ++step) {
    std::vector<uint8_t> valid(v.ord_valid, v.ord_valid + p.num_envs * p.num_slots);
    std::vector<int32_t> req(v.ord_req, v.ord_req + p.num_envs * p.num_slots);
    b->cpu->Step();
    for (int32_t e = 0; e < p.num_envs; ++e) {
      gen_at[e].push_back(acc(*b, e, kOrdersGenerated));
      for (int32_t k = 0; k < p.num_slots; ++k) {
        const int64_t s = static_cast<int64_t>(e) * p.num_slots + k;
        const bool gone = valid[s] && (!v.ord_valid[s] || v.ord_req[s] != req[s]);
        const bool stays = valid[s] && !gone;
        CHECK(!gone || v.steps[e] == req[s] + p.max_wait, "order of step %d left at %d", req[s], v.steps[e]);
        CHECK(!stays || v.steps[e] < req[s] + p.max_wait, "order of step %d still pending at %d", req[s], v.steps[e]);
      }
    }
  }
  for (int32_t e = 0; e < p.num_envs; ++e) {
    // gen_at[e][s] = orders generated up to and including step s.
    const double early = gen_at[e][static_cast<size_t>(p.horizon - p.max_wait)];
    const double all = gen_at[e][static_cast<size_t>(p.horizon - 1)];
    CHECK(fin(*b, e, kOrdersOverflow) == 0 && fin(*b, e, kOrdersServed) == 0, "overflow or served");
    CHECK(fin(*b, e, kOrdersExpired) == early && fin(*b, e, kPendingAtEnd) == all - early &&
              fin(*b, e, kOrdersGenerated) == all,
          "env %d: expired %g of %g early, pending %g", e, static_cast<double>(fin(*b, e, kOrdersExpired)), early,
          static_cast<double>(fin(*b, e, kPendingAtEnd)));
    CHECK(fin(*b, e, kServiceRate) == 0.0f && std::isnan(fin(*b, e, kMeanPickupMin)), "empty means");
  }
}

// 4. 1 vs 3 threads, and observations streamed from a scratch vs written in place: bit-identical
// io arenas every step (seeded-random conflicts, pair block, maps, autoresets).
void test_threads() {
  for (int32_t rule = kNearest; rule <= kSeededRandom; ++rule) {
    Params p = test::default_params(23);
    p.num_vehicles = 9;
    p.num_slots = 12;
    p.horizon = 25;
    p.party_max = 2;
    p.conflict_rule = rule;
    p.pair_block = 1;
    p.global_maps = rule == kSeededRandom;
    p.team_reward = rule == kLowestIndex;
    p.route_objective = rule == kLowestIndex ? kPassengerMinutes : kRouteMinutes;
    p.autoreset = rule == kLowestIndex ? kNextStep : kSameStep;
    p.keep_final_obs = p.autoreset == kSameStep;
    const City city = test::grid_city(p, 8, 3.0);
    auto b1 = batch(p, 1, city, 11), b3 = batch(p, 3, city, 11), direct = batch(p, 2, city, 11, 0);
    if (!b1 || !b3 || !direct) return;
    Rng rng{rule + 100u};
    for (int32_t step = 0; step < 80; ++step) {
      random_actions(*b1, rng);
      std::memcpy(b3->actions(), b1->actions(), sizeof(int32_t) * p.num_envs * p.num_vehicles);
      std::memcpy(direct->actions(), b1->actions(), sizeof(int32_t) * p.num_envs * p.num_vehicles);
      b1->cpu->Step();
      b3->cpu->Step();
      direct->cpu->Step();
      const size_t bytes = b1->io.size() * 8;
      if (std::memcmp(b1->io.data(), b3->io.data(), bytes) || std::memcmp(b1->io.data(), direct->io.data(), bytes)) {
        CHECK(false, "rule %d: 1 thread, 3 threads and in-place writes differ at step %d", rule, step);
        break;
      }
    }
  }
}

// 5. A masked action is counted and changes nothing else.
void test_masked_noop() {
  Params p = test::default_params(1);
  p.num_vehicles = 4;
  p.num_slots = 8;
  const City city = test::grid_city(p, 8, 2.0);
  auto a = batch(p, 1, city), b = batch(p, 1, city);
  if (!a || !b) return;
  int32_t bad = -1;
  for (int32_t k = 0; k < num_actions(p) && bad < 0; ++k)
    if (!mask_of(*a, 0)[k]) bad = k;
  CHECK(bad > 0, "no masked action for vehicle 0");
  for (int32_t i = 0; i < p.num_vehicles; ++i) a->actions()[i] = b->actions()[i] = 0;
  a->actions()[0] = bad;
  a->cpu->Step();
  b->cpu->Step();
  const View &va = a->v(), &vb = b->v();
  CHECK(va.invalid_action[0] == 1 && acc(*a, 0, kInvalidActions) == 1 && vb.invalid_action[0] == 0, "not counted");
  const size_t obs = sizeof(float) * static_cast<size_t>(p.num_vehicles * obs_per_agent(p));
  CHECK(std::memcmp(va.obs, vb.obs, obs) == 0 && std::memcmp(va.rewards, vb.rewards, 16) == 0 &&
            std::memcmp(va.veh_to, vb.veh_to, 16) == 0 && std::memcmp(va.com_state, vb.com_state, 48) == 0,
        "masked action %d changed the env", bad);
}

// Env 0 with no arrivals, vehicles placed at rest at the given zones, one order in `slot`.
std::unique_ptr<Batch> staged(Params p, const std::vector<int32_t>& zones, int32_t slot, int32_t origin, int32_t dest) {
  p.num_envs = 1;
  p.num_vehicles = static_cast<int32_t>(zones.size());
  const City city = test::grid_city(p, 8, 0.0);
  auto b = batch(p, 1, city);
  if (!b) return b;
  const View& v = b->v();
  for (size_t a = 0; a < zones.size(); ++a) v.veh_from[a] = v.veh_to[a] = zones[a];
  v.ord_valid[slot] = 1;
  v.ord_origin[slot] = origin;
  v.ord_dest[slot] = dest;
  v.ord_req[slot] = 0;
  v.ord_party[slot] = 1;
  v.metric_acc[kOrdersGenerated] = 1;
  return b;
}

// 6. Conflicts: the smaller pickup ETA wins, equal ETAs go to the lower index; lowestIndex and
// seededRandom rules.
void test_conflicts() {
  Params p = test::default_params(1);
  p.num_slots = 4;
  // Order at zone 0; vehicle 0 three cells away (6 min), vehicles 1 and 2 one cell (2 min).
  auto b = staged(p, {3, 1, 8}, 2, 0, 9);
  for (int32_t a = 0; a < 3; ++a) b->actions()[a] = 3;
  b->cpu->Step();
  const View& v = b->v();
  CHECK(v.won_slot[1] == 2 && v.won_slot[0] == -1 && v.won_slot[2] == -1, "nearest: winner %d %d %d", v.won_slot[0],
        v.won_slot[1], v.won_slot[2]);
  CHECK(v.lost_bid[0] && !v.lost_bid[1] && v.lost_bid[2] && acc(*b, 0, kBidConflicts) == 2, "lost bids");
  p.conflict_rule = kLowestIndex;
  b = staged(p, {3, 1, 8}, 2, 0, 9);
  for (int32_t a = 0; a < 3; ++a) b->actions()[a] = 3;
  b->cpu->Step();
  CHECK(b->v().won_slot[0] == 2, "lowestIndex: vehicle 0 should win");
  p.conflict_rule = kSeededRandom;
  for (uint32_t trial = 0; trial < 4; ++trial) {
    b = staged(p, {3, 1, 8, 5, 6}, 1, 0, 9);
    for (int32_t a = 0; a < 5; ++a) b->actions()[a] = a == 3 ? 0 : 2;
    b->v().seeds[0] = trial;
    b->cpu->Step();
    int32_t want = -1;
    uint32_t best = 0;
    for (int32_t a = 0; a < 5; ++a) {
      if (a == 3) continue;
      const uint32_t u = mw::rng_draw(trial, 5, 0, 0, 0, static_cast<uint32_t>(1 * 5 + a)).v[0];
      if (want < 0 || u < best) want = a, best = u;
    }
    for (int32_t a = 0; a < 5; ++a) CHECK((b->v().won_slot[a] == 1) == (a == want), "seededRandom trial %u", trial);
  }
}

// 7. Pooling on row 0 of the grid (2 min per cell, zone = x): the vehicle stands at x = 3 with
// orders on board to x = 7 (entry 0) and x = 2 (entry 1) and takes a new order x = 4 -> 5
// (entry 2). Pickup ETA 2. Drop-off orders from x = 4: (2, 5, 7) takes 4 + 6 + 4 = 14 route
// minutes, the best (nearest-first (5, 7, 2) takes 2 + 4 + 10 = 16); by passenger minutes
// (5, 7, 2) sums 2 + 6 + 16 = 24 against 4 + 10 + 14 = 28.
void test_pooling() {
  for (int32_t objective = kRouteMinutes; objective <= kPassengerMinutes; ++objective) {
    Params p = test::default_params(1);
    p.num_slots = 2;
    p.horizon = 20;
    p.route_objective = objective;
    auto b = staged(p, {3}, 0, 4, 5);
    if (!b) return;
    const View& v = b->v();
    const int32_t dest[2] = {7, 2}, direct[2] = {10, 2};
    for (int32_t c = 0; c < 2; ++c) {
      v.com_state[c] = 2, v.com_dest[c] = dest[c], v.com_party[c] = 1, v.com_assign[c] = -5;
      v.com_pickup_step[c] = -3, v.com_direct[c] = direct[c];
    }
    v.plan[0] = 1, v.plan[1] = 0;        // old plan: x = 2 (2 min), then x = 7 (10 more)
    v.com_remain[1] = 2, v.com_remain[0] = 12;
    v.com_plan_total[1] = 5, v.com_plan_total[0] = 15;
    v.veh_status[0] = kToDropoff;
    b->actions()[0] = 1;
    b->cpu->Step();
    // Route minutes: finish e1 6, e2 12, e0 16; passenger minutes: e2 4, e0 8, e1 18.
    const int32_t want_plan[2][3] = {{1, 2, 0}, {2, 0, 1}};
    const int32_t want_finish[2][3] = {{16, 6, 12}, {8, 18, 4}};
    for (int32_t s = 0; s < 3; ++s) {
      CHECK(v.plan[s] == want_plan[objective][s], "objective %d: plan[%d] = %d", objective, s, v.plan[s]);
      CHECK(v.com_remain[s] == want_finish[objective][s] - 1, "objective %d: remain[%d] = %d", objective, s,
            v.com_remain[s]);
    }
    // Reward: 3 + 1 km - 3 * 2/60 - 3 * addMin/60; addMin = new total + delays of entries 0, 1.
    const int32_t add = objective == kRouteMinutes ? 12 + (16 - 12) + (6 - 2) : 4 + (8 - 12) + (18 - 2);
    const double r = 3.0 + 1.0 - 3.0 * 2 / 60.0 - 3.0 * add / 60.0;
    CHECK(std::fabs(v.rewards[0] - r) < 1e-5, "objective %d: reward %g, want %g", objective,
          static_cast<double>(v.rewards[0]), r);
    CHECK(v.veh_status[0] == kToPickup && v.won_slot[0] == 0 && v.veh_remain[0] == 1, "after assignment");
    b->actions()[0] = 0;
    b->cpu->Step();  // t = 2: picked up
    CHECK(v.com_state[2] == 2 && v.com_pickup_step[2] == 2 && v.veh_status[0] == kToDropoff, "pickup at ETA");
    while (!v.episode_done[0]) b->cpu->Step();
    // Deliveries: entries 0 and 1 picked up at -3; the new order at 2; detours minus direct.
    const double d0 = want_finish[objective][0] + 3, d1 = want_finish[objective][1] + 3,
                 d2 = want_finish[objective][2] - 2;
    CHECK(fin(*b, 0, kOrdersCompleted) == 3 && fin(*b, 0, kOrdersServed) == 1 && fin(*b, 0, kMeanPickupMin) == 2,
          "counts");
    CHECK(std::fabs(fin(*b, 0, kMeanDeliveryMin) - (d0 + d1 + d2) / 3) < 1e-4, "delivery %g",
          static_cast<double>(fin(*b, 0, kMeanDeliveryMin)));
    CHECK(std::fabs(fin(*b, 0, kMeanDetourMin) - (d0 - 10 + d1 - 2 + d2 - 2) / 3) < 1e-4, "detour");
  }
  // Legs keep their stop: one minute before x = 3, where entry 0 gets off, the vehicle takes an
  // order x = 5 -> 7. Entry 0 still leaves at x = 3 (minute 1); pickup at 1 + 4 = 5; then x = 6
  // (entry 1, minute 7) before x = 7 (minute 9), the reverse taking 11.
  {
    Params p = test::default_params(1);
    p.num_slots = 1;
    auto b = staged(p, {3}, 0, 5, 7);
    const View& v = b->v();
    v.veh_from[0] = 2, v.veh_remain[0] = 1, v.veh_total[0] = 2, v.veh_status[0] = kToDropoff;
    v.com_state[0] = 2, v.com_dest[0] = 3, v.com_party[0] = 1, v.com_remain[0] = 1, v.com_pickup_step[0] = -4;
    v.com_state[1] = 2, v.com_dest[1] = 6, v.com_party[1] = 1, v.com_remain[1] = 7, v.com_pickup_step[1] = -4;
    v.plan[0] = 0, v.plan[1] = 1;
    b->actions()[0] = 1;
    b->cpu->Step();
    CHECK(v.won_slot[0] == 0 && acc(*b, 0, kOrdersCompleted) == 1 && v.com_state[0] == 0, "fixed drop-off not made");
    CHECK(v.plan[0] == 1 && v.plan[1] == 2 && v.plan[2] == -1 && v.veh_status[0] == kToPickup, "plan after the drop-off");
    CHECK(v.com_remain[1] == 6 && v.com_remain[2] == 8 && v.veh_to[0] == 3 && v.veh_remain[0] == 0, "times after the drop-off");
    b->actions()[0] = 0;
    for (int32_t k = 0; k < 4; ++k) b->cpu->Step();
    CHECK(v.com_state[2] == 2 && v.com_pickup_step[2] == 5, "pickup at %d", v.com_pickup_step[2]);
  }
  // Ties (every drop-off at x = 7): the lexicographically smallest order of entries.
  Params p = test::default_params(1);
  p.num_slots = 1;
  auto b = staged(p, {3}, 0, 4, 7);
  const View& v = b->v();
  v.com_state[1] = 2, v.com_dest[1] = 7, v.com_party[1] = 1, v.plan[0] = 1, v.com_remain[1] = 8;
  v.com_state[2] = 2, v.com_dest[2] = 7, v.com_party[2] = 1, v.plan[1] = 2, v.com_remain[2] = 9;
  v.veh_status[0] = kToDropoff;
  b->actions()[0] = 1;
  b->cpu->Step();
  CHECK(v.plan[0] == 0 && v.plan[1] == 1 && v.plan[2] == 2, "tie order %d %d %d", v.plan[0], v.plan[1], v.plan[2]);
}

// 8. Bad parameters, cities and replays are rejected with a reason; a replay is followed.
void test_checks_and_replay() {
  Params p = test::default_params(2);
  CHECK(check_params(p) == nullptr, "defaults rejected");
  Params q = p;
  q.capacity = 5;
  CHECK(check_params(q) != nullptr, "capacity 5 accepted");
  q = p, q.party_max = 4;
  CHECK(check_params(q) != nullptr, "partyMax > capacity accepted");
  q = p, q.num_cities = 3;
  CHECK(check_params(q) != nullptr, "numCities 3 accepted");
  const City good = test::grid_city(p, 8, 1.0);
  char msg[256];
  City c = good;
  c.tt[70] = 0;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "travel minute 0 accepted");
  c = good, c.km[5] = -1.0f;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "negative km accepted");
  c = good, c.nb[9] = 64;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "neighbour 64 accepted");
  c = good, c.dest[64 * 3 + 10] = 0;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "decreasing dest CDF accepted");
  c = good, c.arrival[p.poisson_len - 1] = 5;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "unterminated arrival CDF accepted");
  c = good, c.xy[3] = NAN;
  CHECK(check_city(p, c.input(), msg, sizeof msg) != nullptr, "NaN coordinate accepted");
  // Replay: two orders at step 0, one at step 2.
  p.demand_mode = kDemandReplay;
  p.replay_len = 3;
  p.horizon = 4;
  auto b = batch(p, 1, good);
  if (!b) return;
  const int32_t rows[12] = {0, 5, 6, 1, 0, 7, 8, 2, 2, 9, 9, 1};
  std::vector<int32_t> start = {0, 2, 2, 3, 3};
  CHECK(b->cpu->SetReplay(rows, start.data(), msg, sizeof msg) == nullptr, "replay rejected: %s", msg);
  std::vector<int32_t> bad_start = {0, 2, 1, 3, 3};
  CHECK(b->cpu->SetReplay(rows, bad_start.data(), msg, sizeof msg) != nullptr, "decreasing start accepted");
  CHECK(b->cpu->Ready(), "not ready after the replay");
  b->cpu->Reset(nullptr);
  const View& v = b->v();
  CHECK(v.ord_valid[0] && v.ord_origin[0] == 5 && v.ord_dest[0] == 6 && v.ord_party[1] == 2 && !v.ord_valid[2],
        "replay step 0");
  for (int64_t i = 0; i < 2 * p.num_vehicles; ++i) b->actions()[i] = 0;
  b->cpu->Step();
  b->cpu->Step();
  CHECK(v.ord_valid[2] && v.ord_origin[2] == 9 && v.ord_req[2] == 2 && acc(*b, 1, kOrdersGenerated) == 3, "replay step 2");
}

}  // namespace

int main() {
  test_invariants();
  test_service_rate();
  test_expiry();
  test_threads();
  test_masked_noop();
  test_conflicts();
  test_pooling();
  test_checks_and_replay();
  std::printf("dispatch: %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
