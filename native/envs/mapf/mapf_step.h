// MAPF-v0 step and reset: collision systems (POGEMA's move_agents), goals, rewards, metrics and
// autoreset. Included at the end of mapf.h.
#pragma once

namespace mw::mapf {

// Brings one scratch slot to its idle state; called once after allocation.
MW_HD void scratch_init(const Params& p, const View& v, int32_t slot) {
  const Scratch s = scratch_of(p, v, slot);
  const int64_t cells = static_cast<int64_t>(p.padded_h) * p.padded_w;
  for (int64_t i = 0; i < cells; ++i) s.occ[i] = 0;
  if (s.mark != nullptr)
    for (int64_t i = 0; i < cells; ++i) s.mark[i] = 0;
  if (s.occ_id != nullptr)
    for (int64_t i = 0; i < cells; ++i) s.occ_id[i] = s.head[i] = s.tail[i] = -1;
}

// `act` if it is an action, else stay, with the env's bad-action status bit set.
MW_HD int32_t checked_action(const View& v, int32_t env, int32_t act) {
  if (static_cast<uint32_t>(act) >= static_cast<uint32_t>(kNumActions)) {
    v.status[env] |= kStatusBadAction;
    return kStay;
  }
  return act;
}
MW_HD int32_t read_action(const Params& p, const View& v, int32_t env, int32_t a) {
  return checked_action(v, env, v.actions[static_cast<int64_t>(env) * p.num_agents + a]);
}

// priority: agents move one at a time in index order into cells free at that moment.
// blockBoth first blocks every cell occupied at step start or wanted by two agents.
// Leaves s.occ marking the active agents' new cells: the observation writer reads it next
// (step_env clears the cells of agents that finish on this step).
MW_HD void move_priority(const Params& p, const View& v, const Scratch& s, int32_t env,
                         bool block_both) {
  // Locals for everything the loops read: their byte stores could alias any field, which would
  // make the compiler reload each one on every iteration.
  const int32_t n = p.num_agents;
  const int64_t row = static_cast<int64_t>(env) * n;
  const uint8_t* MW_RESTRICT obst = env_obstacles(p, v, env);
  int32_t* MW_RESTRICT pos = v.pos + row;
  const uint8_t* MW_RESTRICT active = v.active + row;
  const int32_t* MW_RESTRICT actions = v.actions + row;
  uint8_t* MW_RESTRICT occ = s.occ;
  uint8_t* MW_RESTRICT mark = s.mark;
  int32_t* MW_RESTRICT orig = s.orig;
  int32_t* MW_RESTRICT target = s.target;
#if !defined(__CUDA_ARCH__)
  // Host: the offsets of the five actions, one load per agent instead of move_delta's compares
  // (a device keeps the arithmetic: an indexed local array would live in local memory there).
  int32_t delta[kNumActions];
  for (int32_t k = 0; k < kNumActions; ++k) delta[k] = move_delta(p, k);
#endif
  for (int32_t a = 0; a < n; ++a) {
    const int32_t cell = pos[a];
    orig[a] = cell;
    target[a] = cell;  // inactive agents stay (and their actions are not read)
    if (!active[a]) continue;
    occ[cell] = 1;
#if !defined(__CUDA_ARCH__)
    target[a] = cell + delta[checked_action(v, env, actions[a])];
#else
    target[a] = cell + move_delta(p, checked_action(v, env, actions[a]));
#endif
  }
  if (block_both) {
    for (int32_t a = 0; a < n; ++a) {
      if (!active[a]) continue;
      mark[target[a]] = mark[target[a]] ? 2 : 1;
      mark[pos[a]] = 2;
    }
  }
  // The move itself without branches (whether a random move is free is a coin flip the branch
  // predictor loses): a staying agent's target is its own occupied cell, so it never "moves", and
  // an inactive agent never touches the occupancy.
  for (int32_t a = 0; a < n; ++a) {
    const int32_t t = target[a], from = pos[a];
    uint8_t go = static_cast<uint8_t>(active[a] & !obst[t] & !occ[t]);
    if (block_both) go &= static_cast<uint8_t>(mark[t] != 2);
    occ[from] &= static_cast<uint8_t>(!go);
    occ[t] |= go;
    // A mask, not `go ? t : from`: g++ turns that into a store under a branch on `go`.
    pos[a] = from + ((t - from) & -static_cast<int32_t>(go));
  }
  if (block_both) {
    for (int32_t a = 0; a < n; ++a)
      if (active[a]) mark[target[a]] = mark[orig[a]] = 0;
  }
}

// Claim lists of the soft system: each agent sits in the list of the cell it currently claims.
MW_HD void claim_append(const Scratch& s, int32_t cell, int32_t a) {
  s.target[a] = cell;
  s.next[a] = -1;
  s.prev[a] = s.tail[cell];
  if (s.tail[cell] >= 0) s.next[s.tail[cell]] = a;
  else s.head[cell] = a;
  s.tail[cell] = a;
}
MW_HD void claim_remove(const Scratch& s, int32_t cell, int32_t a) {
  if (s.prev[a] >= 0) s.next[s.prev[a]] = s.next[a];
  else s.head[cell] = s.next[a];
  if (s.next[a] >= 0) s.prev[s.next[a]] = s.prev[a];
  else s.tail[cell] = s.prev[a];
}

// soft: simultaneous resolution of vertex and edge conflicts with revert chains, in POGEMA's order.
MW_HD void move_soft(const Params& p, const View& v, const Scratch& s, int32_t env) {
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  const uint8_t* obst = env_obstacles(p, v, env);
  int32_t* pos = v.pos + row;
  const uint8_t* active = v.active + row;
  // 1. Every active agent claims its target cell, in index order.
  for (int32_t a = 0; a < p.num_agents; ++a) {
    if (!active[a]) continue;
    s.occ_id[pos[a]] = a;
    s.orig[a] = pos[a] + move_delta(p, read_action(p, v, env, a));
    claim_append(s, s.orig[a], a);
  }
  // 2. Head-on swaps: of two agents swapping cells, the lower index gives up and claims its cell.
  for (int32_t a = 0; a < p.num_agents; ++a) {
    if (!active[a] || s.orig[a] == pos[a]) continue;
    const int32_t other = s.occ_id[s.orig[a]];
    if (other > a && s.orig[other] == pos[a]) {
      claim_remove(s, s.orig[a], a);
      claim_append(s, pos[a], a);
    }
  }
  // 3. In decreasing index order, an agent whose cell is wanted twice or is an obstacle stays, and
  //    so does, in a chain, the first agent that wanted the cell it keeps.
  for (int32_t a = p.num_agents - 1; a >= 0; --a) {
    if (!active[a]) continue;
    const int32_t t = s.target[a];
    if (s.head[t] == s.tail[t] && !obst[t]) continue;
    int32_t cur = a;
    for (int32_t guard = 0; guard <= p.num_agents; ++guard) {
      claim_remove(s, s.target[cur], cur);
      const int32_t own = pos[cur];
      const int32_t first = s.head[own];
      claim_append(s, own, cur);
      if (first < 0) break;
      cur = first;
    }
  }
  // 4. Move without further checks; restore the idle scratch state.
  for (int32_t a = 0; a < p.num_agents; ++a) {
    if (!active[a]) continue;
    s.head[s.orig[a]] = s.tail[s.orig[a]] = -1;
    s.head[pos[a]] = s.tail[pos[a]] = -1;
    s.occ_id[pos[a]] = -1;
    pos[a] = s.target[a];
  }
}

// ---- episodes ---------------------------------------------------------------------------------

// Starts episode v.episode[env] of one env: places agents, clears accumulators, writes outputs.
// With keep_step_outputs, the rewards and flags of the step that ended the last episode stay.
MW_HD void reset_env(const Params& p, const View& v, const Scratch& s, int32_t env,
                     bool keep_step_outputs = false) {
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  if (p.placement == kPlaceRandom) {
    if (!place_random(p, v, s, env)) {
      // Unreachable with a checked map (it has room for every agent); keep memory safe anyway:
      // every agent on the map's first free cell, and the status tells the caller.
      v.status[env] |= kStatusPlacement;
      const int32_t cell = padded_of_map(p, v.comp_cells[map_slot(p, env) * p.height * p.width]);
      for (int32_t a = 0; a < p.num_agents; ++a) v.pos[row + a] = v.goal[row + a] = cell;
    }
  } else if (p.placement == kPlacePool) {
    place_from_pools(p, v, s, env);
  } else {
    for (int32_t a = 0; a < p.num_agents; ++a) v.pos[row + a] = padded_of_map(p, v.start_cells[a]);
  }
  for (int32_t a = 0; a < p.num_agents; ++a) {
    v.start[row + a] = v.pos[row + a];
    if (p.placement == kPlaceExplicit) v.goal[row + a] = next_goal(p, v, env, a, 0, v.pos[row + a]);
    v.arrivals[row + a] = 0;
    v.active[row + a] = 1;
    v.ep_return[row + a] = 0.0f;
    v.solve_step[row + a] = -1;
    if (keep_step_outputs) continue;
    v.rewards[row + a] = 0.0f;
    v.terminations[row + a] = 0;
    v.truncations[row + a] = 0;
  }
  v.steps[env] = 0;
  v.on_goal_total[env] = 0;
  v.needs_reset[env] = 0;
  write_outputs(p, v, s, env);
}

MW_HD void finish_metrics(const Params& p, const View& v, int32_t env, bool all_on_goal) {
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  float* m = v.final_metrics + static_cast<int64_t>(env) * kNumMetrics;
  const float nan = __builtin_nanf("");
  for (int32_t i = 0; i < kNumMetrics; ++i) m[i] = nan;
  const float n = static_cast<float>(p.num_agents);
  const int32_t last = v.steps[env] - 1;  // 0-based index of the final step
  if (p.on_target == kFinish) {
    int64_t solve_sum = 0;
    for (int32_t a = 0; a < p.num_agents; ++a) {
      const int32_t st = v.solve_step[row + a];
      solve_sum += st >= 0 ? st : last;
    }
    m[kMetricISR] = static_cast<float>(v.on_goal_total[env]) / n;
    m[kMetricCSR] = v.on_goal_total[env] == p.num_agents ? 1.0f : 0.0f;
    m[kMetricEpLength] = static_cast<float>(static_cast<double>(solve_sum) / p.num_agents + 1.0);
  } else if (p.on_target == kNothing) {
    int32_t on = 0, makespan = 0;
    int64_t soc = 0;
    for (int32_t a = 0; a < p.num_agents; ++a) {
      on += v.pos[row + a] == v.goal[row + a];
      const int32_t st = v.solve_step[row + a] >= 0 ? v.solve_step[row + a] : last;
      soc += st + 1;
      makespan = st + 1 > makespan ? st + 1 : makespan;
    }
    m[kMetricISR] = static_cast<float>(on) / n;
    m[kMetricCSR] = all_on_goal ? 1.0f : 0.0f;
    m[kMetricEpLength] = static_cast<float>(v.steps[env]);
    m[kMetricSoC] = static_cast<float>(soc);
    m[kMetricMakespan] = static_cast<float>(makespan);
  } else {
    m[kMetricAvgThroughput] = static_cast<float>(static_cast<double>(v.on_goal_total[env]) / p.max_steps);
  }
}

MW_HD void copy_final_obs(const Params& p, const View& v, int32_t env) {
  const int64_t bytes = obs_per_agent(p) * p.num_agents * (p.obs_u8 ? 1 : 4);
  const int64_t off = static_cast<int64_t>(env) * bytes;
  std::memcpy(static_cast<uint8_t*>(v.final_obs) + off, static_cast<const uint8_t*>(v.obs) + off,
              static_cast<size_t>(bytes));
}

// One step of one env: move, score, hide or re-goal, metrics, observations, autoreset.
MW_HD void step_env(const Params& p, const View& v, const Scratch& s, int32_t env) {
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  v.episode_done[env] = 0;
  if (v.needs_reset[env]) {
    if (p.autoreset == kNextStep) {  // this step only resets; actions are ignored
      v.episode[env] += 1;
      reset_env(p, v, s, env);
      return;
    }
    v.status[env] |= kStatusSteppedDone;
    return;
  }
  const bool occ_marked = p.collision != kSoft;  // priority and blockBoth leave s.occ marked
  if (p.collision == kSoft) move_soft(p, v, s, env);
  else move_priority(p, v, s, env, p.collision == kBlockBoth);
  const int32_t step_index = v.steps[env];  // 0-based index of this step
  v.steps[env] = step_index + 1;
  const bool truncated = v.steps[env] >= p.max_steps;
  const int32_t n = p.num_agents, on_target = p.on_target;
  int32_t* MW_RESTRICT pos = v.pos + row;
  int32_t* goal = v.goal + row;  // next_goal may read v.goal
  uint8_t* MW_RESTRICT active = v.active + row;
  int32_t* MW_RESTRICT solve_step = v.solve_step + row;
  float* MW_RESTRICT rewards = v.rewards + row;
  float* MW_RESTRICT ep_return = v.ep_return + row;
  uint8_t* MW_RESTRICT terminations = v.terminations + row;
  uint8_t* MW_RESTRICT truncations = v.truncations + row;
  bool all_on_goal = true, all_terminated = true;
  int32_t on_goal_now = 0;
  for (int32_t a = 0; a < n; ++a) {
    const bool on_goal = pos[a] == goal[a];
    const bool arrived = on_goal && active[a];  // POGEMA's was_on_goal
    on_goal_now += arrived;
    all_on_goal = all_on_goal && arrived;
    int32_t& solve = solve_step[a];
    if (on_target == kFinish) {
      if (arrived && solve < 0) solve = step_index;
    } else if (on_target == kNothing) {  // the arrival after which the agent stayed
      if (arrived) {
        if (solve < 0) solve = step_index;
      } else if (!truncated) {
        solve = -1;
      }
    }
    float reward = 0.0f;
    uint8_t terminated = 0;
    if (on_target == kFinish) {
      reward = arrived ? 1.0f : 0.0f;
      terminated = on_goal ? 1 : 0;
      if (on_goal) {
        // Its cell held no other active agent, so the occupancy simply loses it.
        if (occ_marked && active[a]) s.occ[pos[a]] = 0;
        active[a] = 0;
      }
    } else if (on_target == kRestart) {
      reward = arrived ? 1.0f : 0.0f;
      if (on_goal) {
        v.arrivals[row + a] += 1;
        goal[a] = next_goal(p, v, env, a, v.arrivals[row + a], pos[a]);
      }
    }
    rewards[a] = reward;
    terminations[a] = terminated;
    truncations[a] = truncated ? 1 : 0;
    all_terminated = all_terminated && terminated;
  }
  v.on_goal_total[env] += on_goal_now;
  if (on_target == kNothing) {
    const float reward = all_on_goal ? 1.0f : 0.0f;
    for (int32_t a = 0; a < n; ++a) {
      rewards[a] = reward;
      terminations[a] = all_on_goal ? 1 : 0;
    }
    all_terminated = all_on_goal;
  }
  for (int32_t a = 0; a < n; ++a) ep_return[a] += rewards[a];
  write_outputs(p, v, s, env, occ_marked);
  if (!(all_terminated || truncated)) return;
  // The episode ended on this step: publish its statistics, then autoreset as configured.
  v.episode_done[env] = 1;
  v.final_length[env] = v.steps[env];
  for (int32_t a = 0; a < p.num_agents; ++a) v.final_return[row + a] = v.ep_return[row + a];
  // Metrics count an agent still walking at the end as solved on the last step (POGEMA).
  finish_metrics(p, v, env, all_on_goal);
  if (p.autoreset == kSameStep) {
    if (p.keep_final_obs) copy_final_obs(p, v, env);
    // This step's rewards and flags stay; observations and positions become the new episode's.
    v.episode[env] += 1;
    reset_env(p, v, s, env, true);
    v.episode_done[env] = 1;
  } else {
    v.needs_reset[env] = 1;
  }
}

}  // namespace mw::mapf
