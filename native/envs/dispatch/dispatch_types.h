// RideDispatch-v0 parameters, buffer view and constants, shared by the CPU executor, CUDA and the
// bindings. Design: ../shared/reference/dispatch.md §3 (Triple-BERT's simulator, RideGym, Lin et
// al.): a zone city, 1-minute steps, Poisson orders in a K-slot buffer, V vehicles of capacity C
// with brute-force drop-off plans. Agents: the vehicles of one env; action Discrete(1 + K + R):
// 0 no-op, 1..K bid on order slot k-1, K+1..K+R reposition to neighbour r.
#pragma once
#include <cstdint>

#include "../../common/hd.h"

namespace mw::dispatch {

constexpr int32_t kMaxCapacity = 4;    // C <= 4: at most 4! drop-off orders per plan
constexpr int32_t kMaxNeighbours = 8;  // R <= 8
constexpr int32_t kSelfFixed = 12;     // obsSelf: 12 fixed features + 7 per committed order
constexpr int32_t kSelfPerOrder = 7;
constexpr int32_t kOrderFeatures = 9;  // obsOrders per slot
constexpr int32_t kPairFeatures = 2;   // obsPair per (vehicle, slot): pickup ETA/60, added minutes/60
constexpr int32_t kGlobalFeatures = 4; // t/T, minute of day/1440, pending/K, idle/V
constexpr int32_t kNumMetrics = 18;    // DispatchMetric
constexpr int32_t kNumRewardCoefs = 15;

enum Status : int32_t { kIdle = 0, kToPickup = 1, kToDropoff = 2, kRepositioning = 3 };
enum Autoreset : int32_t { kSameStep = 0, kNextStep = 1, kDisabled = 2 };
enum ConflictRule : int32_t { kNearest = 0, kLowestIndex = 1, kSeededRandom = 2 };
enum RouteObjective : int32_t { kRouteMinutes = 0, kPassengerMinutes = 1 };
enum DemandMode : int32_t { kDemandSampled = 0, kDemandReplay = 1 };

// Reward coefficients (reference/dispatch.md §3.8), in this order in Params::reward.
enum RewardCoef : int32_t {
  kWAssign = 0, kWFare = 1, kWDist = 2, kWPickup = 3, kWTimeout = 4, kWAdd = 5, kWAddExcess = 6, kWTrip = 7,
  kWDetourExisting = 8, kWIdle = 9, kWEmptyMove = 10, kWRepositionKm = 11, kWLostBid = 12,
  kThetaAdd = 13, kThetaTimeout = 14,
};

// Episode metrics (reference/dispatch.md §3.10), slots of final_metrics; NaN where undefined
// (means over zero orders).
enum DispatchMetric : int32_t {
  kOrdersGenerated = 0, kOrdersServed = 1, kOrdersCompleted = 2, kOrdersExpired = 3, kOrdersOverflow = 4,
  kPendingAtEnd = 5, kServiceRate = 6, kMeanPickupMin = 7, kMeanConfirmationMin = 8, kMeanDeliveryMin = 9,
  kMeanDetourMin = 10, kRevenue = 11, kVehicleUtilisation = 12, kEmptyKm = 13, kRepositionKm = 14,
  kBidConflicts = 15, kInvalidActions = 16, kEpisodeReturn = 17,
};

// Batch-wide constants, validated by check_params before any buffer is touched.
struct Params {
  int32_t num_envs;         // E
  int32_t num_vehicles;     // V (agents per env), >= 1
  int32_t num_slots;        // K order slots, 1..1024
  int32_t capacity;         // C seats, 1..4
  int32_t num_neighbours;   // R reposition targets per zone, 0..8
  int32_t num_zones;        // Z, 1..4096
  int32_t num_cities;       // M: 1 (shared city) or E (one per env); env e uses city e % M
  int32_t demand_bins;      // B demand time bins (24: hourly)
  int32_t travel_bins;      // Bt travel-time bins: 1 (static) or B
  int32_t poisson_len;      // P: length of each arrival-count CDF row
  int32_t horizon;          // T steps per episode (truncation)
  int32_t max_wait;         // an order requested at step s is matchable at s .. s+max_wait-1
  int32_t start_hour;       // hour of step 0 (0..23); bin of step t = (start_hour + t / 60) % B
  int32_t demand_mode;      // DemandMode
  int32_t replay_len;       // orders in the replay list (replay mode), 0 otherwise
  int32_t max_pickup_min;   // bids with pickup ETA above this are masked (large = no limit)
  int32_t party_max;        // parties of 1..party_max seats (uniform), <= capacity
  int32_t reposition;       // 1: reposition actions enabled
  int32_t conflict_rule;    // ConflictRule
  int32_t route_objective;  // RouteObjective
  int32_t team_reward;      // 1: every vehicle gets the env's summed reward
  int32_t pair_block;       // 1: write obsPair (pickup ETA, added minutes per vehicle x slot)
  int32_t global_maps;      // 1: write obsMaps (pending orders and idle vehicles per zone)
  int32_t autoreset;        // Autoreset
  int32_t keep_final_obs;   // 1: same-step autoreset copies the last observation to final_obs
  float fare_base, fare_per_km, fare_per_min;  // fare = base + per_km * km + per_min * minutes
  float reward[kNumRewardCoefs];               // RewardCoef
};

MW_HD int32_t num_actions(const Params& p) { return 1 + p.num_slots + p.num_neighbours; }
MW_HD int32_t self_features(const Params& p) { return kSelfFixed + kSelfPerOrder * p.capacity; }
// Per-vehicle observation row: self | orders (K x 9) | pair (K x 2, only with pair_block) |
// global (4) | maps (2 x Z, only with global_maps).
MW_HD int32_t obs_per_agent(const Params& p) {
  return self_features(p) + kOrderFeatures * p.num_slots + (p.pair_block ? kPairFeatures * p.num_slots : 0) +
         kGlobalFeatures + (p.global_maps ? 2 * p.num_zones : 0);
}

// Structure-of-arrays view of a whole batch. M = num_cities.
struct View {
  // City tables, installed by the host before the first reset (integer CDFs: a draw u < cdf[k]
  // picks the first such k, so every backend takes identical integer decisions).
  const float* zone_xy;        // [M, Z, 2] zone coordinates normalised to [0, 1]
  const int32_t* travel_min;   // [M, Bt, Z, Z] travel minutes, >= 1 (intra-zone trips included)
  const float* dist_km;        // [M, Z, Z] trip kilometres
  const int32_t* neighbours;   // [M, Z, R] reposition targets, -1 = none
  const uint32_t* arrival_cdf; // [M, B, P] CDF of the number of new orders per step, last = 2^32-1
  const uint32_t* origin_cdf;  // [M, B, Z] CDF of the origin zone
  const uint32_t* dest_cdf;    // [M, B, Z, Z] CDF of the destination given the origin
  const int32_t* replay;       // [N, 4] (step, origin, dest, party) sorted by step (replay mode)
  const int32_t* replay_start; // [T + 1] first replay row of each step; replay_start[T] = N
  // Input.
  const int32_t* actions;      // [E, V] in [0, 1 + K + R)
  // Episode bookkeeping.
  uint32_t* seeds;             // [E]
  uint32_t* episode;           // [E]
  int32_t* steps;              // [E] t: steps taken this episode
  uint8_t* needs_reset;        // [E]
  uint32_t* status;            // [E] status bits of the last call (bad action = 1)
  // Orders, K slots per env (a slot keeps its index while its order is pending).
  uint8_t* ord_valid;          // [E, K] 1 = pending order
  int32_t* ord_origin;         // [E, K] zone
  int32_t* ord_dest;           // [E, K] zone
  int32_t* ord_req;            // [E, K] request step
  int32_t* ord_party;          // [E, K] seats
  // Vehicles.
  int32_t* veh_from;           // [E, V] zone the current leg started from
  int32_t* veh_to;             // [E, V] zone the current leg ends at (the anchor)
  int32_t* veh_remain;         // [E, V] minutes left on the current leg (0: at veh_to)
  int32_t* veh_total;          // [E, V] minutes of the current leg
  int32_t* veh_status;         // [E, V] Status
  // Committed orders of each vehicle, C entries: the order being picked up (at most one: a
  // vehicle heading to a pickup cannot accept, as in Triple-BERT) and those on board. The route is
  // the pickup (if any) then the drop-offs in `plan` order.
  int32_t* com_state;          // [E, V, C] 0 empty, 1 awaiting pickup, 2 on board
  int32_t* com_origin;         // [E, V, C]
  int32_t* com_dest;           // [E, V, C]
  int32_t* com_party;          // [E, V, C]
  int32_t* com_req;            // [E, V, C] request step
  int32_t* com_assign;         // [E, V, C] assignment step
  int32_t* com_direct;         // [E, V, C] direct trip minutes origin -> dest
  int32_t* com_pickup_step;    // [E, V, C] step of pickup (-1 before)
  int32_t* com_plan_total;     // [E, V, C] planned minutes from pickup to its drop-off (Triple-BERT total)
  int32_t* com_remain;         // [E, V, C] planned minutes left until its drop-off
  int32_t* plan;               // [E, V, C] committed-entry indices in drop-off order, -1 = none
  float* ep_return;            // [E, V]
  double* metric_acc;          // [E, kNumMetrics] running sums of the episode
  // Outputs (io arena).
  float* obs;                  // [E, V, obs_per_agent]
  uint8_t* action_mask;        // [E, V, 1 + K + R]
  float* rewards;              // [E, V]
  uint8_t* terminations;       // [E, V] always 0 (no terminal state)
  uint8_t* truncations;        // [E, V] 1 at t == T
  uint8_t* lost_bid;           // [E, V] 1: bid on a slot another vehicle won
  uint8_t* can_act;            // [E, V] 1: some action other than no-op is valid
  uint8_t* invalid_action;     // [E, V] 1: the action was invalid and ran as a no-op
  int32_t* won_slot;           // [E, V] slot won this step, -1 none
  float* veh_pos;              // [E, V, 2] interpolated position (normalised)
  int32_t* veh_status_out;     // [E, V] Status
  int32_t* veh_load;           // [E, V] seats taken (awaiting pickup + on board)
  uint8_t* episode_done;       // [E]
  float* final_return;         // [E, V]
  int32_t* final_length;       // [E]
  float* final_metrics;        // [E, kNumMetrics]
  float* final_obs;            // [E, V, obs_per_agent] (same-step, keep_final_obs)
};

}  // namespace mw::dispatch
