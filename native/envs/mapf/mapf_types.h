// MAPF-v0 parameters, buffer view and constants, shared by the CPU executor, CUDA and the bindings.
#pragma once
#include <cstdint>

#include "../../common/hd.h"

namespace mw::mapf {

enum Action : int32_t { kStay = 0, kUp = 1, kDown = 2, kLeft = 3, kRight = 4, kNumActions = 5 };
enum Collision : int32_t { kPriority = 0, kBlockBoth = 1, kSoft = 2 };
enum OnTarget : int32_t { kFinish = 0, kNothing = 1, kRestart = 2 };
// Starts and first goals: explicit (the task), random (POGEMA's placing()), or drawn from the
// start and goal pools (POGEMA's possible_agents_xy / possible_targets_xy).
enum Placement : int32_t { kPlaceExplicit = 0, kPlaceRandom = 1, kPlacePool = 2 };
// Goals after the first (restart mode): the agent's sequence, uniform over its component, or
// uniform over the goal pool; the last two exclude the agent's current cell.
enum GoalMode : int32_t { kGoalsSequence = 0, kGoalsRandom = 1, kGoalsPool = 2 };
enum Autoreset : int32_t { kSameStep = 0, kNextStep = 1, kDisabled = 2 };

// Episode metrics, as POGEMA's metric wrappers compute them; unused slots are NaN.
enum Metric : int32_t {
  kMetricISR = 0,
  kMetricCSR = 1,
  kMetricEpLength = 2,
  kMetricSoC = 3,
  kMetricMakespan = 4,
  kMetricAvgThroughput = 5,
  kNumMetrics = 6
};

// Status bits per env (View::status); 0 = ok.
enum StatusBit : uint32_t {
  kStatusBadAction = 1u,     // an action outside [0, 5) was read and treated as stay
  kStatusPlacement = 2u,     // random placement could not place every agent
  kStatusSteppedDone = 4u,   // stepped an env whose episode had ended (autoreset disabled)
};

// Batch-wide constants. Sizes are validated by the bindings before any buffer is touched.
struct Params {
  int32_t num_envs;        // E
  int32_t num_agents;      // A
  int32_t height, width;   // H, W: map size in cells
  int32_t radius;          // r: observation radius, D = 2r+1
  int32_t padded_h;        // H + 2r
  int32_t padded_w;        // W + 2r
  int32_t collision;       // Collision
  int32_t on_target;       // OnTarget
  int32_t max_steps;       // truncation after this many steps
  int32_t autoreset;       // Autoreset
  int32_t obs_u8;          // 1: observations are uint8, 0: float32
  int32_t keep_final_obs;  // 1: same-step autoreset copies the last observation to final_obs
  int32_t extras;          // 1: write xy / target_xy relative to the start (POMAPF)
  int32_t placement;       // Placement
  int32_t goal_mode;       // GoalMode for goals after the first (restart mode)
  int32_t goal_seq_len;    // G >= 1: goals per agent in goal_seq
  int32_t map_per_env;     // 1: map buffers are [E, ...]; 0: one map [1, ...] shared by all envs
  int32_t start_pool_len;  // Ps: cells in the start pool (0 unless placement is kPlacePool)
  int32_t goal_pool_len;   // Pg: cells in the goal pool (0 unless placement or goal mode uses it)
};

// Structure-of-arrays view of a whole batch. Host pointers on the CPU, device pointers on CUDA.
// Two arenas back it: the state arena (maps, tasks, agent state), owned by the executor, and the
// io arena (actions in, observations and infos out), shared with the caller.
// M = E if map_per_env else 1. Map cells are map (row, col) indices; cells are padded indices.
struct View {
  // Map, installed once per seed.
  const uint8_t* obstacles;   // [M, PH*PW] 1 = obstacle; ring around the map 1, beyond it 0
  const int32_t* comp_label;  // [M, H*W] component of each map cell, -1 for obstacles
  const int32_t* comp_cells;  // [M, H*W] free map cells grouped by component, row-major inside
  const int32_t* comp_start;  // [M, H*W+1] offset of component c in comp_cells; c+1 ends it
  const int32_t* num_comps;   // [M] number of components
  const int32_t* num_free;    // [M] number of free cells
  // Explicit tasks, shared by all envs.
  const int32_t* start_cells; // [A] start map cell (placement explicit)
  const int32_t* goal_seq;    // [A, G] goal map cells; agent a's k-th goal is goal_seq[a, k % len_a]
  const int32_t* goal_lens;   // [A] len_a in 1..G: goals in agent a's sequence
  const int32_t* start_pool;  // [Ps] possible start map cells, strictly ascending
  const int32_t* goal_pool;   // [Pg] possible goal map cells, strictly ascending
  // Input.
  const int32_t* actions;     // [E, A] in [0, 5)
  // State.
  uint32_t* seeds;            // [E] RNG seed of each env (seed + env index by default)
  uint32_t* episode;          // [E] episode counter, 0 after a seeded reset
  int32_t* steps;             // [E] steps taken in the current episode
  uint8_t* needs_reset;       // [E] 1 once an episode ended and was not reset yet
  int32_t* pos;               // [E, A] padded cell of each agent
  int32_t* goal;              // [E, A] padded cell of each agent's current goal
  int32_t* start;             // [E, A] padded start cell of the episode
  int32_t* arrivals;          // [E, A] goals reached this episode (restart: index of next goal)
  uint8_t* active;            // [E, A] 1 while the agent acts and is visible (finish mode hides)
  float* ep_return;           // [E, A] sum of rewards this episode
  int32_t* solve_step;        // [E, A] 0-based step of arrival kept for metrics, -1 none
  int64_t* on_goal_total;     // [E] (agent, step) pairs on goal after moving, this episode
  // Outputs, rewritten by every step / reset. These and `actions` are the only buffers the
  // caller sees (the io arena); everything above is state the caller cannot reach.
  void* obs;                  // [E, A, 3, D, D] float32 or uint8, values 0/1
  float* rewards;             // [E, A]
  uint8_t* terminations;      // [E, A] 0/1
  uint8_t* truncations;       // [E, A] 0/1
  uint8_t* out_active;        // [E, A] copy of `active` (a caller writing it changes nothing)
  int32_t* out_pos;           // [E, A, 2] (row, col) in map coordinates
  int32_t* out_goal;          // [E, A, 2] (row, col) of the current goal
  int32_t* out_xy_rel;        // [E, A, 2] position minus start (extras only)
  int32_t* out_target_rel;    // [E, A, 2] goal minus start (extras only)
  uint8_t* episode_done;      // [E] 1 when an episode ended on this step
  float* final_return;        // [E, A] return of the episode that ended on this step
  int32_t* final_length;      // [E] its length in steps
  float* final_metrics;       // [E, kNumMetrics] its metrics
  void* final_obs;            // [E, A, 3, D, D] its last observation (same-step, keep_final_obs)
  uint32_t* status;           // [E] StatusBit flags of the last call
  // Scratch, one slot per worker (see Scratch in mapf.h).
  uint8_t* scratch_u8;        // [S, scratch_u8_per_slot]
  int32_t* scratch_i32;       // [S, scratch_i32_per_slot]
};

MW_HD int64_t obs_per_agent(const Params& p) {
  const int64_t d = 2 * p.radius + 1;
  return 3 * d * d;
}
// Scratch per worker slot, sized for the configured systems: blockBoth marks and soft claim lists
// only when that collision system is used, placement arrays only with random or pool placement.
MW_HD int64_t scratch_u8_per_slot(const Params& p) {
  return (p.collision == kBlockBoth ? 2 : 1) * static_cast<int64_t>(p.padded_h) * p.padded_w;
}
MW_HD int64_t scratch_i32_per_slot(const Params& p) {
  return (p.collision == kSoft ? 3 * static_cast<int64_t>(p.padded_h) * p.padded_w : 0) +
         5 * static_cast<int64_t>(p.num_agents) +
         (p.placement != kPlaceExplicit ? 3 * static_cast<int64_t>(p.height) * p.width : 0);
}


}  // namespace mw::mapf
