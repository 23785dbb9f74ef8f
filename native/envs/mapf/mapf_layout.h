// MAPF-v0 batch layout: every buffer of a batch lives in one arena (one ArrayBuffer on the JS
// side), at offsets chosen by the caller. This header lists the fields with their element sizes
// and counts, validates a layout and the installed maps, and binds a View to an arena.
// src/envs/mapf/layout.ts lists the same fields in the same order.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "mapf.h"

namespace mw::mapf {

struct FieldSpec {
  const char* name;   // camelCase name used by the TypeScript layout
  int32_t elem_size;  // bytes per element
  int64_t count;      // elements
};

constexpr int kNumFields = 41;

// Fills `out` with the batch's fields; returns how many there are.
inline int list_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, a = p.num_agents, ea = e * a;
  const int64_t m = p.map_per_env ? e : 1;
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  const int64_t padded = static_cast<int64_t>(p.padded_h) * p.padded_w;
  const int32_t obs_size = p.obs_u8 ? 1 : 4;
  const int64_t obs = ea * obs_per_agent(p);
  const int64_t extras = p.extras ? ea * 2 : 0;
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
  add("actions", 4, ea);
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
  add("onGoalTotal", 4, e);
  add("obs", obs_size, obs);
  add("rewards", 4, ea);
  add("terminations", 1, ea);
  add("truncations", 1, ea);
  add("outPos", 4, ea * 2);
  add("outGoal", 4, ea * 2);
  add("outXYRel", 4, extras);
  add("outTargetRel", 4, extras);
  add("episodeDone", 1, e);
  add("finalReturn", 4, ea);
  add("finalLength", 4, e);
  add("finalMetrics", 4, e * kNumMetrics);
  add("finalObs", obs_size, p.keep_final_obs ? obs : 0);
  add("status", 4, e);
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
  if (p.placement < kPlaceExplicit || p.placement > kPlaceRandom) return "unknown placement";
  if (p.goal_mode < kGoalsSequence || p.goal_mode > kGoalsRandom) return "unknown goal mode";
  if (p.goal_seq_len < 1) return "goal sequence length must be >= 1";
  if (p.num_agents > p.height * p.width) return "more agents than cells";
  return nullptr;
}

// Binds `v` to an arena of `bytes` bytes at the given byte offsets (one per field, in list order).
// Returns nullptr on success, else the name of the first field that does not fit or is misaligned.
inline const char* bind_view(const Params& p, uint8_t* arena, uint64_t bytes, const uint64_t* offsets,
                             View& v) {
  FieldSpec f[kNumFields];
  const int n = list_fields(p, f);
  void* ptr[kNumFields];
  for (int i = 0; i < n; ++i) {
    const uint64_t need = static_cast<uint64_t>(f[i].count) * f[i].elem_size;
    if (offsets[i] % f[i].elem_size != 0 || offsets[i] > bytes || need > bytes - offsets[i]) return f[i].name;
    ptr[i] = arena + offsets[i];
  }
  int i = 0;
  v.obstacles = static_cast<const uint8_t*>(ptr[i++]);
  v.comp_label = static_cast<const int32_t*>(ptr[i++]);
  v.comp_cells = static_cast<const int32_t*>(ptr[i++]);
  v.comp_start = static_cast<const int32_t*>(ptr[i++]);
  v.num_comps = static_cast<const int32_t*>(ptr[i++]);
  v.num_free = static_cast<const int32_t*>(ptr[i++]);
  v.start_cells = static_cast<const int32_t*>(ptr[i++]);
  v.goal_seq = static_cast<const int32_t*>(ptr[i++]);
  v.goal_lens = static_cast<const int32_t*>(ptr[i++]);
  v.actions = static_cast<const int32_t*>(ptr[i++]);
  v.seeds = static_cast<uint32_t*>(ptr[i++]);
  v.episode = static_cast<uint32_t*>(ptr[i++]);
  v.steps = static_cast<int32_t*>(ptr[i++]);
  v.needs_reset = static_cast<uint8_t*>(ptr[i++]);
  v.pos = static_cast<int32_t*>(ptr[i++]);
  v.goal = static_cast<int32_t*>(ptr[i++]);
  v.start = static_cast<int32_t*>(ptr[i++]);
  v.arrivals = static_cast<int32_t*>(ptr[i++]);
  v.active = static_cast<uint8_t*>(ptr[i++]);
  v.ep_return = static_cast<float*>(ptr[i++]);
  v.solve_step = static_cast<int32_t*>(ptr[i++]);
  v.on_goal_total = static_cast<int32_t*>(ptr[i++]);
  v.obs = ptr[i++];
  v.rewards = static_cast<float*>(ptr[i++]);
  v.terminations = static_cast<uint8_t*>(ptr[i++]);
  v.truncations = static_cast<uint8_t*>(ptr[i++]);
  v.out_pos = static_cast<int32_t*>(ptr[i++]);
  v.out_goal = static_cast<int32_t*>(ptr[i++]);
  v.out_xy_rel = static_cast<int32_t*>(ptr[i++]);
  v.out_target_rel = static_cast<int32_t*>(ptr[i++]);
  v.episode_done = static_cast<uint8_t*>(ptr[i++]);
  v.final_return = static_cast<float*>(ptr[i++]);
  v.final_length = static_cast<int32_t*>(ptr[i++]);
  v.final_metrics = static_cast<float*>(ptr[i++]);
  v.final_obs = ptr[i++];
  v.status = static_cast<uint32_t*>(ptr[i++]);
  return nullptr;
}

// Checks installed maps and tasks so that no later step can index outside its buffers.
// Returns nullptr if they are consistent, else what is wrong (written into `msg`).
inline const char* check_maps(const Params& p, const View& v, char* msg, int msg_len) {
  const int64_t m_count = p.map_per_env ? p.num_envs : 1;
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  const int32_t pw = p.padded_w, ph = p.padded_h, r = p.radius;
  for (int64_t m = 0; m < m_count; ++m) {
    const uint8_t* ob = v.obstacles + m * ph * pw;
    for (int32_t y = r - 1; y <= ph - r; ++y)
      for (int32_t x = r - 1; x <= pw - r; ++x) {
        const bool ring = y == r - 1 || y == ph - r || x == r - 1 || x == pw - r;
        if (ring && ob[y * pw + x] != 1) {
          std::snprintf(msg, msg_len, "map %lld: border ring cell (%d, %d) is not an obstacle", static_cast<long long>(m), y, x);
          return msg;
        }
      }
    for (int64_t i = 0; i < static_cast<int64_t>(ph) * pw; ++i)
      if (ob[i] > 1) {
        std::snprintf(msg, msg_len, "map %lld: obstacle grid holds a value other than 0 or 1", static_cast<long long>(m));
        return msg;
      }
    const int32_t comps = v.num_comps[m], free_cells = v.num_free[m];
    const int32_t* start = v.comp_start + m * (hw + 1);
    if (comps < 0 || comps > hw || free_cells < 0 || free_cells > hw || start[0] != 0 || start[comps] != free_cells) {
      std::snprintf(msg, msg_len, "map %lld: component table is inconsistent", static_cast<long long>(m));
      return msg;
    }
    for (int32_t c = 0; c < comps; ++c)
      if (start[c + 1] < start[c]) {
        std::snprintf(msg, msg_len, "map %lld: component offsets decrease", static_cast<long long>(m));
        return msg;
      }
    for (int64_t c = 0; c < hw; ++c) {
      const int32_t label = v.comp_label[m * hw + c];
      const bool free_cell = ob[(c / p.width + r) * pw + c % p.width + r] == 0;
      if (free_cell ? (label < 0 || label >= comps) : label != -1) {
        std::snprintf(msg, msg_len, "map %lld: component label of cell %lld is invalid", static_cast<long long>(m), static_cast<long long>(c));
        return msg;
      }
    }
    for (int32_t i = 0; i < free_cells; ++i) {
      const int32_t c = v.comp_cells[m * hw + i];
      if (c < 0 || c >= hw || v.comp_label[m * hw + c] < 0 || i < start[v.comp_label[m * hw + c]] ||
          i >= start[v.comp_label[m * hw + c] + 1] ||
          (i > start[v.comp_label[m * hw + c]] && v.comp_cells[m * hw + i - 1] >= c)) {
        std::snprintf(msg, msg_len, "map %lld: component cell list is invalid at %d", static_cast<long long>(m), i);
        return msg;
      }
    }
    if (p.placement == kPlaceExplicit) {
      for (int32_t a = 0; a < p.num_agents; ++a) {
        const int32_t s = v.start_cells[a];
        if (s < 0 || s >= hw || v.comp_label[m * hw + s] < 0) {
          std::snprintf(msg, msg_len, "agent %d: start cell %d is outside the map or an obstacle", a, s);
          return msg;
        }
      }
    }
    if (p.placement == kPlaceExplicit || p.goal_mode == kGoalsSequence) {
      for (int32_t a = 0; a < p.num_agents; ++a)
        if (v.goal_lens[a] < 1 || v.goal_lens[a] > p.goal_seq_len) {
          std::snprintf(msg, msg_len, "agent %d: goal sequence length %d is not in [1, %d]", a, v.goal_lens[a], p.goal_seq_len);
          return msg;
        }
      for (int64_t i = 0; i < static_cast<int64_t>(p.num_agents) * p.goal_seq_len; ++i) {
        const int32_t g = v.goal_seq[i];
        if (g < 0 || g >= hw || v.comp_label[m * hw + g] < 0) {
          std::snprintf(msg, msg_len, "agent %lld: goal cell %d is outside the map or an obstacle",
                        static_cast<long long>(i / p.goal_seq_len), g);
          return msg;
        }
      }
    }
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
