// MAPF-v0 batch layout. A batch has two arenas:
// - the state arena (maps, tasks, agent state), allocated by the executor and never shown to
//   the caller, so nothing a caller writes can break the invariants the step relies on;
// - the io arena (actions in; observations, rewards, flags and infos out), allocated by the
//   caller (a non-detachable buffer in Node) at offsets it chooses.
// This header lists the fields of both with their element sizes and counts, binds a View, and
// validates maps and tasks before they are copied into the state arena.
// src/envs/mapf/layout.ts lists the same io fields in the same order.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../../common/fields.h"
#include "mapf.h"

namespace mw::mapf {

using mw::FieldSpec;
using mw::pack_fields;

constexpr int kMaxFields = 32;

inline int64_t map_count(const Params& p) { return p.map_per_env ? p.num_envs : 1; }

// Fields of the state arena, in order; returns how many there are.
inline int list_state_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, a = p.num_agents, ea = e * a, m = map_count(p);
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  const int64_t padded = static_cast<int64_t>(p.padded_h) * p.padded_w;
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("obstacles", 1, m * padded);
  add("compLabel", 4, m * hw);
  add("compCells", 4, m * hw);
  add("compStart", 4, m * (hw + 1));
  add("numComps", 4, m);
  add("numFree", 4, m);
  add("startCells", 4, a);
  add("goalSeq", 4, a * p.goal_seq_len);
  add("goalLens", 4, a);
  add("startPool", 4, p.start_pool_len);
  add("goalPool", 4, p.goal_pool_len);
  add("seeds", 4, e);
  add("episode", 4, e);
  add("steps", 4, e);
  add("needsReset", 1, e);
  add("pos", 4, ea);
  add("goal", 4, ea);
  add("start", 4, ea);
  add("arrivals", 4, ea);
  add("active", 1, ea);
  add("epReturn", 4, ea);
  add("solveStep", 4, ea);
  add("onGoalTotal", 8, e);
  add("status", 4, e);
  return n;
}

// Fields of the io arena, in order; returns how many there are.
inline int list_io_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, a = p.num_agents, ea = e * a;
  const int32_t obs_size = p.obs_u8 ? 1 : 4;
  const int64_t obs = ea * obs_per_agent(p);
  const int64_t extras = p.extras ? ea * 2 : 0;
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("actions", 4, ea);
  add("obs", obs_size, obs);
  add("rewards", 4, ea);
  add("terminations", 1, ea);
  add("truncations", 1, ea);
  add("outActive", 1, ea);
  add("outPos", 4, ea * 2);
  add("outGoal", 4, ea * 2);
  add("outXYRel", 4, extras);
  add("outTargetRel", 4, extras);
  add("episodeDone", 1, e);
  add("finalReturn", 4, ea);
  add("finalLength", 4, e);
  add("finalMetrics", 4, e * kNumMetrics);
  add("finalObs", obs_size, p.keep_final_obs ? obs : 0);
  return n;
}

// Returns nullptr if the parameters are usable, else what is wrong.
inline const char* check_params(const Params& p) {
  if (p.num_envs < 1) return "numEnvs must be >= 1";
  if (p.num_agents < 1) return "numAgents must be >= 1";
  if (p.height < 1 || p.width < 1 || p.height > 4096 || p.width > 4096) return "map size out of range 1..4096";
  if (p.radius < 1 || p.radius > 128) return "obsRadius out of range 1..128";
  if (p.padded_h != p.height + 2 * p.radius || p.padded_w != p.width + 2 * p.radius) return "padded size mismatch";
  if (p.collision < kPriority || p.collision > kSoft) return "unknown collision system";
  if (p.on_target < kFinish || p.on_target > kRestart) return "unknown onTarget mode";
  if (p.max_steps < 1) return "maxEpisodeSteps must be >= 1";
  if (p.autoreset < kSameStep || p.autoreset > kDisabled) return "unknown autoreset mode";
  if (p.placement < kPlaceExplicit || p.placement > kPlacePool) return "unknown placement";
  if (p.goal_mode < kGoalsSequence || p.goal_mode > kGoalsPool) return "unknown goal mode";
  if (p.goal_seq_len < 1) return "goal sequence length must be >= 1";
  if (p.placement != kPlaceExplicit && p.goal_mode == kGoalsSequence) return "goal sequences need explicit starts";
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  if (p.start_pool_len < 0 || p.start_pool_len > hw || p.goal_pool_len < 0 || p.goal_pool_len > hw)
    return "pool size out of range";
  if ((p.placement == kPlacePool) != (p.start_pool_len > 0)) return "a start pool is given exactly with pool placement";
  if ((p.placement == kPlacePool || p.goal_mode == kGoalsPool) != (p.goal_pool_len > 0))
    return "a goal pool is given exactly when pool placement or pool goals use it";
  if (p.placement == kPlacePool && (p.start_pool_len < p.num_agents || p.goal_pool_len < p.num_agents))
    return "pool placement needs at least one pool cell per agent";
  if (p.goal_mode == kGoalsPool && p.goal_pool_len < 2) return "lifelong goals from a pool need at least 2 pool cells";
  if (p.goal_mode == kGoalsPool && p.placement == kPlaceRandom) return "pool goals need explicit or pool starts";
  if (p.keep_final_obs && p.autoreset != kSameStep) return "keepFinalObs needs same-step autoreset";
  if (static_cast<int64_t>(p.num_agents) > static_cast<int64_t>(p.height) * p.width) return "more agents than cells";
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
  auto st = [&](int i) { return static_cast<void*>(state + state_offsets[i]); };
  int i = 0;
  v.obstacles = static_cast<const uint8_t*>(st(i++));
  v.comp_label = static_cast<const int32_t*>(st(i++));
  v.comp_cells = static_cast<const int32_t*>(st(i++));
  v.comp_start = static_cast<const int32_t*>(st(i++));
  v.num_comps = static_cast<const int32_t*>(st(i++));
  v.num_free = static_cast<const int32_t*>(st(i++));
  v.start_cells = static_cast<const int32_t*>(st(i++));
  v.goal_seq = static_cast<const int32_t*>(st(i++));
  v.goal_lens = static_cast<const int32_t*>(st(i++));
  v.start_pool = static_cast<const int32_t*>(st(i++));
  v.goal_pool = static_cast<const int32_t*>(st(i++));
  v.seeds = static_cast<uint32_t*>(st(i++));
  v.episode = static_cast<uint32_t*>(st(i++));
  v.steps = static_cast<int32_t*>(st(i++));
  v.needs_reset = static_cast<uint8_t*>(st(i++));
  v.pos = static_cast<int32_t*>(st(i++));
  v.goal = static_cast<int32_t*>(st(i++));
  v.start = static_cast<int32_t*>(st(i++));
  v.arrivals = static_cast<int32_t*>(st(i++));
  v.active = static_cast<uint8_t*>(st(i++));
  v.ep_return = static_cast<float*>(st(i++));
  v.solve_step = static_cast<int32_t*>(st(i++));
  v.on_goal_total = static_cast<int64_t*>(st(i++));
  v.status = static_cast<uint32_t*>(st(i++));
  i = 0;
  v.actions = static_cast<const int32_t*>(iop[i++]);
  v.obs = iop[i++];
  v.rewards = static_cast<float*>(iop[i++]);
  v.terminations = static_cast<uint8_t*>(iop[i++]);
  v.truncations = static_cast<uint8_t*>(iop[i++]);
  v.out_active = static_cast<uint8_t*>(iop[i++]);
  v.out_pos = static_cast<int32_t*>(iop[i++]);
  v.out_goal = static_cast<int32_t*>(iop[i++]);
  v.out_xy_rel = static_cast<int32_t*>(iop[i++]);
  v.out_target_rel = static_cast<int32_t*>(iop[i++]);
  v.episode_done = static_cast<uint8_t*>(iop[i++]);
  v.final_return = static_cast<float*>(iop[i++]);
  v.final_length = static_cast<int32_t*>(iop[i++]);
  v.final_metrics = static_cast<float*>(iop[i++]);
  v.final_obs = iop[i++];
  return nullptr;
}

// One map as the caller hands it over, before it is copied into a state slot.
struct MapInput {
  const uint8_t* obstacles;  // [PH*PW]
  const int32_t* label;      // [H*W]
  const int32_t* cells;      // [H*W]
  const int32_t* start;      // [H*W+1]
  int32_t num_comps;
  int32_t num_free;
};

// The task (shared by all envs), as installed or about to be: explicit starts and goals, and
// the pools. Arrays a configuration does not use are still passed, with their sizes.
struct TaskInput {
  const int32_t* start_cells;  // [A] (placement explicit)
  const int32_t* goal_seq;     // [A, G]
  const int32_t* goal_lens;    // [A]
  const int32_t* start_pool;   // [Ps] strictly ascending map cells
  const int32_t* goal_pool;    // [Pg] strictly ascending map cells
};

// Checks one map and the task against it (skipped while the task pointers are null), so that no
// later step can index outside a buffer.
// Returns nullptr if consistent, else what is wrong (written into `msg`).
inline const char* check_map(const Params& p, const MapInput& in, const TaskInput& task, char* msg, int msg_len) {
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  const int32_t pw = p.padded_w, ph = p.padded_h, r = p.radius;
  auto fail = [&](const char* what, long long x) {
    std::snprintf(msg, static_cast<size_t>(msg_len), what, x);
    return msg;
  };
  for (int64_t i = 0; i < static_cast<int64_t>(ph) * pw; ++i)
    if (in.obstacles[i] > 1) return fail("obstacle grid holds a value other than 0 or 1 at padded cell %lld", i);
  for (int32_t y = r - 1; y <= ph - r; ++y)
    for (int32_t x = r - 1; x <= pw - r; ++x) {
      const bool ring = y == r - 1 || y == ph - r || x == r - 1 || x == pw - r;
      if (ring && in.obstacles[y * pw + x] != 1) return fail("border ring cell %lld is not an obstacle", y * pw + x);
    }
  const int32_t comps = in.num_comps, free_cells = in.num_free;
  if (comps < 0 || comps > hw || free_cells < 0 || free_cells > hw || in.start[0] != 0 || in.start[comps] != free_cells)
    return fail("component table is inconsistent (%lld components)", comps);
  for (int32_t c = 0; c < comps; ++c)
    if (in.start[c + 1] <= in.start[c]) return fail("component %lld is empty or its offsets decrease", c);
  for (int64_t c = 0; c < hw; ++c) {
    const int32_t label = in.label[c];
    const bool free_cell = in.obstacles[(c / p.width + r) * pw + c % p.width + r] == 0;
    if (free_cell ? (label < 0 || label >= comps) : label != -1) return fail("component label of cell %lld is invalid", c);
  }
  for (int32_t i = 0; i < free_cells; ++i) {
    const int32_t c = in.cells[i];
    if (c < 0 || c >= hw || in.label[c] < 0 || i < in.start[in.label[c]] || i >= in.start[in.label[c] + 1] ||
        (i > in.start[in.label[c]] && in.cells[i - 1] >= c))
      return fail("component cell list is invalid at %lld", i);
  }
  if (p.placement == kPlaceExplicit && task.start_cells != nullptr) {
    for (int32_t a = 0; a < p.num_agents; ++a) {
      const int32_t s = task.start_cells[a];
      if (s < 0 || s >= hw || in.label[s] < 0) return fail("agent %lld: start cell is outside the map or an obstacle", a);
    }
  }
  if (p.placement == kPlaceExplicit || p.goal_mode == kGoalsSequence) {
    for (int32_t a = 0; a < p.num_agents && task.goal_seq != nullptr; ++a) {
      const int32_t len = task.goal_lens[a];
      if (len < 1 || len > p.goal_seq_len) return fail("agent %lld: goal sequence length out of range", a);
      for (int32_t k = 0; k < len; ++k) {
        const int32_t g = task.goal_seq[static_cast<int64_t>(a) * p.goal_seq_len + k];
        if (g < 0 || g >= hw || in.label[g] < 0) return fail("agent %lld: a goal cell is outside the map or an obstacle", a);
      }
    }
  }
  // Pools: strictly ascending free cells (the goal pick bisects them), all in one component, which
  // also holds every explicit start when lifelong goals come from the goal pool.
  int32_t pool_comp = -1;
  for (int32_t side = 0; side < 2 && task.start_cells != nullptr; ++side) {
    const int32_t* pool = side == 0 ? task.start_pool : task.goal_pool;
    const int32_t size = side == 0 ? p.start_pool_len : p.goal_pool_len;
    for (int32_t i = 0; i < size; ++i) {
      const int32_t c = pool[i];
      if (c < 0 || c >= hw || in.label[c] < 0) return fail("pool cell %lld is outside the map or an obstacle", i);
      if (i > 0 && pool[i - 1] >= c) return fail("pool cells are not strictly ascending at %lld", i);
      if (pool_comp < 0) pool_comp = in.label[c];
      if (in.label[c] != pool_comp) return fail("pool cell %lld is unreachable from the other pool cells", i);
    }
  }
  if (p.goal_mode == kGoalsPool && p.placement == kPlaceExplicit && task.start_cells != nullptr) {
    for (int32_t a = 0; a < p.num_agents; ++a)
      if (in.label[task.start_cells[a]] != pool_comp) return fail("agent %lld: the goal pool is unreachable from its start", a);
  }
  if (p.placement == kPlaceRandom) {
    // Random placement needs two cells per agent inside components (a start and its goal).
    int64_t capacity = 0;
    for (int32_t c = 0; c < comps; ++c) capacity += (in.start[c + 1] - in.start[c]) / 2;
    if (capacity < p.num_agents) return fail("random placement has room for only %lld agents", capacity);
  }
  return nullptr;
}

// Index into `actions` of the first value outside [0, 5), or -1 if all are valid.
inline int64_t first_bad_action(const Params& p, const View& v) {
  const int64_t n = static_cast<int64_t>(p.num_envs) * p.num_agents;
  uint32_t any = 0;
  for (int64_t i = 0; i < n; ++i) any |= static_cast<uint32_t>(static_cast<uint32_t>(v.actions[i]) >= kNumActions);
  if (!any) return -1;
  for (int64_t i = 0; i < n; ++i)
    if (static_cast<uint32_t>(v.actions[i]) >= kNumActions) return i;
  return -1;
}

}  // namespace mw::mapf
