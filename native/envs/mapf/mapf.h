// MAPF-v0: grid multi-agent pathfinding after POGEMA 2.0.0a (the env of "Learn to Follow").
// Each env holds A agents on an H×W grid. Action per agent: Discrete(5) = 0 stay, 1 up (row-1),
// 2 down (row+1), 3 left (col-1), 4 right (col+1), resolved by the priority, blockBoth or soft
// collision system. Observation per agent: [3, D, D] (D = 2r+1): obstacles, active agents, goal.
// Every buffer is row-major [E, A, ...]. Internally a cell is an index into the map padded by r
// on every side (row-major, width W+2r); the one-cell ring around the map is an obstacle.
#pragma once
#include <cstdint>
#include <cstring>

#include "../../common/hd.h"
#include "../../common/rng.h"
#include "../../common/simd_host.h"
#include "mapf_types.h"

namespace mw::mapf {

// Cell offset of an action (0 for stay and anything out of range). Branch-free: random policies
// make a switch on the action a mispredicted jump per agent.
MW_HD int32_t move_delta(const Params& p, int32_t action) {
  const int32_t vertical = (action == kDown) - (action == kUp);
  const int32_t horizontal = (action == kRight) - (action == kLeft);
  return vertical * p.padded_w + horizontal;
}

// Row of a padded cell without an integer division: with cell = row * pw + col and 0 <= col < pw,
// (cell + 0.5) / pw lies at least 0.5 / pw away from any integer, far beyond double rounding error
// for cells below 2^40, so truncation gives the exact row. inv_pw = 1.0 / pw.
MW_HD int32_t row_of(int32_t cell, double inv_pw) {
  return static_cast<int32_t>((cell + 0.5) * inv_pw);
}

// Map (row, col) cell index -> padded cell index, and back.
MW_HD int32_t padded_of_map(const Params& p, int32_t map_cell) {
  return (map_cell / p.width + p.radius) * p.padded_w + map_cell % p.width + p.radius;
}
MW_HD int32_t map_of_padded(const Params& p, int32_t cell) {
  return (cell / p.padded_w - p.radius) * p.width + cell % p.padded_w - p.radius;
}

MW_HD int64_t map_slot(const Params& p, int32_t env) { return p.map_per_env ? env : 0; }

// The padded obstacle grid env `env` plays on.
MW_HD const uint8_t* env_obstacles(const Params& p, const View& v, int32_t env) {
  return v.obstacles + map_slot(p, env) * static_cast<int64_t>(p.padded_h) * p.padded_w;
}

// Scratch of one worker slot (one per CPU thread, one per env on a GPU). Cell grids are kept at
// their idle value (0 or -1) between uses, so a step only touches the cells of its agents.
// Arrays a configuration does not use are nullptr.
struct Scratch {
  uint8_t* occ;       // [PH*PW] 1 = an active agent stands here
  uint8_t* mark;      // [PH*PW] blockBoth marks: 0 none, 1 visited, 2 blocked (blockBoth only)
  int32_t* occ_id;    // [PH*PW] agent index standing here at step start, -1 none (soft only)
  int32_t* head;      // [PH*PW] first claimant of a cell, -1 none (soft only)
  int32_t* tail;      // [PH*PW] last claimant of a cell, -1 none (soft only)
  int32_t* next;      // [A] next claimant in the same cell's list, -1 end
  int32_t* prev;      // [A] previous claimant, -1 start
  int32_t* target;    // [A] padded cell the agent currently claims
  int32_t* orig;      // [A] padded cell claimed at step 1 (for cleanup)
  int32_t* perm;      // [H*W] placement: free or pool cells being shuffled (map indices)
  int32_t* remaining; // [H*W] placement: unreserved cells left per component (random placement)
  int32_t* pending;   // [H*W] placement: most recent start still waiting for a goal, -1 none
  int32_t* pend_next; // [A] placement: the start pending before this one in its component
};

MW_HD Scratch scratch_of(const Params& p, const View& v, int32_t slot) {
  const int64_t cells = static_cast<int64_t>(p.padded_h) * p.padded_w;
  const int64_t map_cells = static_cast<int64_t>(p.height) * p.width;
  uint8_t* u8 = v.scratch_u8 + slot * scratch_u8_per_slot(p);
  int32_t* i32 = v.scratch_i32 + slot * scratch_i32_per_slot(p);
  const bool soft = p.collision == kSoft;
  Scratch s;
  s.occ = u8;
  s.mark = p.collision == kBlockBoth ? u8 + cells : nullptr;
  s.occ_id = soft ? i32 : nullptr;
  s.head = soft ? i32 + cells : nullptr;
  s.tail = soft ? i32 + 2 * cells : nullptr;
  int32_t* agent_base = i32 + (soft ? 3 * cells : 0);
  s.next = agent_base;
  s.prev = agent_base + p.num_agents;
  s.target = agent_base + 2 * p.num_agents;
  s.orig = agent_base + 3 * p.num_agents;
  s.pend_next = agent_base + 4 * p.num_agents;
  int32_t* map_base = agent_base + 5 * p.num_agents;
  const bool placing = p.placement != kPlaceExplicit;
  s.perm = placing ? map_base : nullptr;
  s.remaining = placing ? map_base + map_cells : nullptr;
  s.pending = placing ? map_base + 2 * map_cells : nullptr;
  return s;
}

// ---- goals ----------------------------------------------------------------------------------

// Uniform pick among the `size` cells of `run` (strictly ascending map cells) other than `here`:
// when `here` is one of them the pick skips it, else every cell is a candidate. u is a raw draw.
MW_HD int32_t pick_other_cell(const int32_t* run, int32_t size, int32_t here, uint32_t u) {
  int32_t lo = 0, hi = size;  // bisection: lo = the first index whose cell is >= here
  while (lo < hi) {
    const int32_t mid = (lo + hi) / 2;
    if (run[mid] < here) lo = mid + 1;
    else hi = mid;
  }
  const bool present = lo < size && run[lo] == here;
  int32_t j = static_cast<int32_t>(rng_below(u, static_cast<uint32_t>(present ? size - 1 : size)));
  if (present && j >= lo) ++j;
  return run[j];
}

// The goal an agent gets after `k` arrivals (k = 0 is the episode's first goal).
MW_HD int32_t next_goal(const Params& p, const View& v, int32_t env, int32_t agent, int32_t k,
                        int32_t current_cell) {
  const int64_t ea = static_cast<int64_t>(env) * p.num_agents + agent;
  if (p.goal_mode == kGoalsSequence || k == 0) {
    if (p.placement == kPlaceExplicit || p.goal_mode == kGoalsSequence) {
      const int32_t g = v.goal_seq[static_cast<int64_t>(agent) * p.goal_seq_len + k % v.goal_lens[agent]];
      return padded_of_map(p, g);
    }
    return v.goal[ea];  // random or pool placement already drew goal 0
  }
  // Lifelong goal: uniform over the goal pool, or over the agent's 4-connected component, minus
  // the agent's current cell.
  const int32_t here = map_of_padded(p, current_cell);
  const uint32_t u = rng_draw(v.seeds[env], kStreamGoals, 0, v.episode[env], static_cast<uint32_t>(k),
                              static_cast<uint32_t>(agent)).v[0];
  if (p.goal_mode == kGoalsPool) return padded_of_map(p, pick_other_cell(v.goal_pool, p.goal_pool_len, here, u));
  const int64_t m = map_slot(p, env);
  const int64_t map_cells = static_cast<int64_t>(p.height) * p.width;
  const int32_t comp = v.comp_label[m * map_cells + here];
  if (comp < 0) return current_cell;  // unreachable with checked maps; never index with -1
  const int32_t first = v.comp_start[m * (map_cells + 1) + comp];
  const int32_t size = v.comp_start[m * (map_cells + 1) + comp + 1] - first;
  if (size <= 1) return current_cell;
  return padded_of_map(p, pick_other_cell(v.comp_cells + m * map_cells + first, size, here, u));
}

// ---- placement --------------------------------------------------------------------------------

// Random starts and goals with the structure of POGEMA's placing(): walk the free cells in a
// random order; a cell becomes the goal of the most recent pending start of its component, else a
// start if its component still has two unreserved cells. Returns false if it could not place all.
MW_HD bool place_random(const Params& p, const View& v, const Scratch& s, int32_t env) {
  const int64_t m = map_slot(p, env);
  const int64_t map_cells = static_cast<int64_t>(p.height) * p.width;
  const int32_t num_free = v.num_free[m];
  const int32_t* cells = v.comp_cells + m * map_cells;
  const int32_t* label = v.comp_label + m * map_cells;
  const int32_t* starts = v.comp_start + m * (map_cells + 1);
  const int32_t num_comps = v.num_comps[m];
  for (int32_t c = 0; c < num_comps; ++c) {
    s.remaining[c] = starts[c + 1] - starts[c];
    s.pending[c] = -1;
  }
  for (int32_t i = 0; i < num_free; ++i) s.perm[i] = cells[i];
  int32_t* pos = v.pos + static_cast<int64_t>(env) * p.num_agents;
  int32_t* goal = v.goal + static_cast<int64_t>(env) * p.num_agents;
  int32_t placed = 0, goals_done = 0;
  // Lazy Fisher-Yates: the i-th cell of the order is picked among the cells not yet picked. The
  // picks do not depend on what the cells are used for, so they run kPickAhead cells ahead of the
  // placement and the host asks for each picked cell's component label early (an env's label
  // table is rarely in cache, and the placement branches on every label).
  constexpr int32_t kPickAhead = 16;
  int32_t picked = 0;
  for (int32_t i = 0; i < num_free && goals_done < p.num_agents; ++i) {
    for (; picked < num_free && picked <= i + kPickAhead; ++picked) {
      const uint32_t u = rng_draw(v.seeds[env], kStreamPlacement, 0, v.episode[env], 0,
                                  static_cast<uint32_t>(picked)).v[0];
      const int32_t j = picked + static_cast<int32_t>(rng_below(u, static_cast<uint32_t>(num_free - picked)));
      const int32_t c = s.perm[j];
      s.perm[j] = s.perm[picked];
      s.perm[picked] = c;
#if !defined(__CUDA_ARCH__)
      __builtin_prefetch(label + c, 0, 3);
#endif
    }
    const int32_t cell = s.perm[i];
    const int32_t comp = label[cell];
    if (s.pending[comp] >= 0) {
      const int32_t agent = s.pending[comp];
      s.pending[comp] = s.pend_next[agent];
      goal[agent] = padded_of_map(p, cell);
      ++goals_done;
      continue;
    }
    if (placed >= p.num_agents) continue;
    if (s.remaining[comp] >= 2) {
      s.remaining[comp] -= 2;
      pos[placed] = padded_of_map(p, cell);
      s.pend_next[placed] = s.pending[comp];
      s.pending[comp] = placed;
      ++placed;
    }
  }
  return placed == p.num_agents && goals_done == p.num_agents;
}

// Starts and goals from the pools, as POGEMA's generate_from_possible_positions: each pool is
// shuffled on its own and agent a takes the a-th cell of each, so a start may be its own goal.
// Partial Fisher-Yates over the first A positions; draws (placement stream, step 1 for the start
// pool, 2 for the goal pool, index = position). The pools hold at least A cells (check_params).
MW_HD void place_from_pools(const Params& p, const View& v, const Scratch& s, int32_t env) {
  for (int32_t side = 0; side < 2; ++side) {
    const int32_t* pool = side == 0 ? v.start_pool : v.goal_pool;
    const int32_t size = side == 0 ? p.start_pool_len : p.goal_pool_len;
    int32_t* out = (side == 0 ? v.pos : v.goal) + static_cast<int64_t>(env) * p.num_agents;
    for (int32_t i = 0; i < size; ++i) s.perm[i] = pool[i];
    for (int32_t a = 0; a < p.num_agents; ++a) {
      const uint32_t u = rng_draw(v.seeds[env], kStreamPlacement, 0, v.episode[env], static_cast<uint32_t>(1 + side),
                                  static_cast<uint32_t>(a)).v[0];
      const int32_t j = a + static_cast<int32_t>(rng_below(u, static_cast<uint32_t>(size - a)));
      const int32_t cell = s.perm[j];
      s.perm[j] = s.perm[a];
      s.perm[a] = cell;
      out[a] = padded_of_map(p, cell);
    }
  }
}

// ---- observations -----------------------------------------------------------------------------

// Writes one agent's [3, D, D] observation: windows of the obstacle and occupancy grids around
// its cell, and the goal one-hot clipped to the window edge per axis. `kD` > 0 fixes D at compile
// time (unrolled rows for the common radii); kD = 0 reads it from the params.
#if !defined(__CUDA_ARCH__)
// Host fast path: eight 0/1 bytes become eight floats through a 256-entry table indexed by the
// bytes packed into one bitmask (a multiply gathers bit 0 of each byte; the bytes are 0 or 1).
struct ByteMaskFloats {
  float v[256][8];
  constexpr ByteMaskFloats() : v{} {
    for (int m = 0; m < 256; ++m)
      for (int i = 0; i < 8; ++i) v[m][i] = (m >> i) & 1 ? 1.0f : 0.0f;
  }
};
inline constexpr ByteMaskFloats kByteMaskFloats{};
inline const ByteMaskFloats& byte_mask_floats() { return kByteMaskFloats; }
inline void expand8(const uint8_t* MW_RESTRICT src, float* MW_RESTRICT dst, const ByteMaskFloats& t) {
  uint64_t bytes;
  std::memcpy(&bytes, src, 8);
  const uint32_t mask = static_cast<uint32_t>((bytes * 0x0102040810204080ull) >> 56);
  std::memcpy(dst, t.v[mask], 32);
}
#endif

#if !defined(__CUDA_ARCH__)
// Host fast path for byte observations: copies a kD×kD window (rows pw apart, pw >= 16) into a
// contiguous plane. Rows 0..kD-2 move 16 bytes each (the 16 - kD extra bytes land where the next
// row is written right after); the last row moves exactly kD bytes, so nothing past the plane is
// written or read.
template <int kD>
inline void copy_plane_u8(const uint8_t* MW_RESTRICT src, int32_t pw, uint8_t* MW_RESTRICT dst) {
  // One running source pointer: offsets y * pw for every row would be spilled to the stack.
  for (int32_t y = 0; y + 1 < kD; ++y, src += pw) {
    uint8_t row[16];
    std::memcpy(row, src, 16);
    std::memcpy(dst + y * kD, row, 16);
  }
  std::memcpy(dst + (kD - 1) * kD, src, kD);
}

// Zeroes kN >= 16 bytes with 16-byte stores (the last one overlapping), not a string instruction
// (whose start-up cost dominates at these sizes).
template <int kN>
inline void zero_bytes(uint8_t* MW_RESTRICT dst) {
  static_assert(kN >= 16, "zero_bytes needs at least 16 bytes");
  const uint8_t zeros[16] = {};
  for (int32_t i = 0; i + 16 <= kN; i += 16) std::memcpy(dst + i, zeros, 16);
  std::memcpy(dst + kN - 16, zeros, 16);
}
#endif

// Copies one window row of d cells (values 0/1) into an observation row of dtype T.
template <int kD, typename T>
MW_HD void copy_row(const uint8_t* MW_RESTRICT src, T* MW_RESTRICT dst, int32_t d) {
  if (kD > 0) d = kD;
#if !defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 1) {
    std::memcpy(dst, src, static_cast<size_t>(d));
    return;
  } else {
    if (d >= 8) {
      const ByteMaskFloats& t = byte_mask_floats();
      int32_t x = 0;
      for (; x + 8 <= d; x += 8) expand8(src + x, dst + x, t);
      if (x < d) expand8(src + d - 8, dst + d - 8, t);  // overlapping tail
      return;
    }
  }
#endif
  for (int32_t x = 0; x < d; ++x) dst[x] = static_cast<T>(src[x]);
}

template <int kD, typename T>
MW_HD void write_agent_obs(int32_t r, int32_t pw, const uint8_t* MW_RESTRICT obst,
                           const uint8_t* MW_RESTRICT occ, int32_t cell, int32_t goal_row,
                           int32_t goal_col, int32_t row, int32_t col, bool avx2, T* MW_RESTRICT o) {
  const int32_t d = kD > 0 ? kD : 2 * r + 1, dd = d * d;
  const int32_t base = cell - r * pw - r;
  // Obstacle and agent planes, and a zeroed goal plane: a host fast path when one applies, else
  // the portable loops.
  bool planes_done = false;
  (void)avx2;
#if defined(MW_HOST_AVX2)
  if constexpr (sizeof(T) == 4 && kD >= 9 && kD <= 16) {
    if (avx2 && pw >= 16) {  // float planes: 16 bytes of a window row become 16 floats at once
      expand_plane_avx2<kD>(obst + base, pw, reinterpret_cast<float*>(o));
      expand_plane_avx2<kD>(occ + base, pw, reinterpret_cast<float*>(o) + dd);
      zero_bytes_avx2<kD * kD * 4>(reinterpret_cast<uint8_t*>(o + 2 * dd));
      planes_done = true;
    }
  }
#endif
#if !defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == 1 && kD >= 4 && kD <= 16) {
    if (pw >= 16) {  // byte planes are rows laid end to end: copy them with overlapping 16-byte moves
      copy_plane_u8<kD>(obst + base, pw, reinterpret_cast<uint8_t*>(o));
      copy_plane_u8<kD>(occ + base, pw, reinterpret_cast<uint8_t*>(o) + dd);
      zero_bytes<kD * kD>(reinterpret_cast<uint8_t*>(o) + 2 * dd);
      planes_done = true;
    }
  }
#endif
  if (!planes_done) {
    for (int32_t y = 0; y < d; ++y) {
      copy_row<kD>(obst + base + y * pw, o + y * d, d);
      copy_row<kD>(occ + base + y * pw, o + dd + y * d, d);
    }
#if !defined(__CUDA_ARCH__)
    if constexpr (kD >= 4) {
      zero_bytes<kD * kD * static_cast<int>(sizeof(T))>(reinterpret_cast<uint8_t*>(o + 2 * dd));
    } else
#endif
    for (int32_t i = 0; i < dd; ++i) o[2 * dd + i] = static_cast<T>(0);
  }
  // Goal one-hot, clipped to the window edge on each axis.
  int32_t dr = goal_row - row, dc = goal_col - col;
  dr = dr < -r ? -r : (dr > r ? r : dr);
  dc = dc < -r ? -r : (dc > r ? r : dc);
  o[2 * dd + (r + dr) * d + (r + dc)] = static_cast<T>(1);
}

// How far ahead (in output bytes) the host writer prefetches: about two float32 agents at r = 5.
constexpr int64_t kPrefetchBytes = 2904;

#if !defined(__CUDA_ARCH__)
// Asks for the lines of `bytes` bytes from `p` with write intent. kBytes > 0 fixes the size at
// compile time, so the loop unrolls into bare prefetches (as a loop it cost a float32 agent ~100
// instructions).
template <int64_t kBytes>
inline void prefetch_for_write(const char* p, int64_t bytes) {
  if constexpr (kBytes > 0) {
#if !defined(__CUDACC__)  // nvcc's host pass does not know the pragma
#pragma GCC unroll 64
#endif
    for (int64_t b = 0; b < kBytes; b += 64) __builtin_prefetch(p + b, 1, 3);
  } else {
    for (int64_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b, 1, 3);
  }
}
#endif

// Writes the observations of every agent of `env` to `out` (the env's [A, 3, D, D] block); `occ`
// marks the cells of active agents. Also writes the (row, col) outputs, which share the divisions.
template <int kD, typename T>
MW_HD void write_env_obs(const Params& p, const View& v, int32_t env, const uint8_t* MW_RESTRICT occ,
                         T* MW_RESTRICT out) {
  const int32_t r = p.radius, pw = p.padded_w, num_agents = p.num_agents;
  const uint8_t* MW_RESTRICT obst = env_obstacles(p, v, env);
  const int64_t row0 = static_cast<int64_t>(env) * num_agents;
  const int64_t per_agent = obs_per_agent(p);
  const int32_t* MW_RESTRICT pos = v.pos + row0;
  const int32_t* MW_RESTRICT goal = v.goal + row0;
  int32_t* MW_RESTRICT out_pos = v.out_pos + row0 * 2;
  int32_t* MW_RESTRICT out_goal = v.out_goal + row0 * 2;
  T* MW_RESTRICT o = out;
  const double inv_pw = 1.0 / pw;
  const int64_t agent_bytes = per_agent * static_cast<int64_t>(sizeof(T));
  const int32_t ahead_agents = static_cast<int32_t>((kPrefetchBytes + agent_bytes - 1) / agent_bytes);
  (void)ahead_agents;
#if !defined(__CUDA_ARCH__)
  // The next env of this thread's range (env + 1; at a range end the prefetch is merely wasted):
  // map_next is the next line of its map to ask for, up to map_end (both null: nothing to ask).
  const int64_t map_bytes = static_cast<int64_t>(p.padded_h) * p.padded_w;
  const int64_t map_share = ((map_bytes + num_agents - 1) / num_agents + 63) & ~int64_t{63};
  const char* map_next = p.map_per_env && env + 1 < p.num_envs
                             ? reinterpret_cast<const char*>(env_obstacles(p, v, env + 1))
                             : nullptr;
  const char* const map_end = map_next != nullptr ? map_next + map_bytes : nullptr;
#endif
#if defined(MW_HOST_AVX2)
  const bool avx2 = host_has_avx2();
#else
  const bool avx2 = false;
#endif
  for (int32_t a = 0; a < num_agents; ++a) {
    const int32_t cell = pos[a], g = goal[a];
    const int32_t row = row_of(cell, inv_pw), col = cell - row * pw;
    const int32_t grow = row_of(g, inv_pw), gcol = g - grow * pw;
    out_pos[2 * a] = row - r;
    out_pos[2 * a + 1] = col - r;
    out_goal[2 * a] = grow - r;
    out_goal[2 * a + 1] = gcol - r;
#if !defined(__CUDA_ARCH__)
    // Ask for the lines of an agent about 3 KB ahead with write intent, so their ownership
    // requests overlap this agent's work instead of stalling its stores.
    if (a + ahead_agents < num_agents) {
      const char* ahead = reinterpret_cast<const char*>(o + (a + ahead_agents) * per_agent);
      prefetch_for_write<kD * kD * 3 * static_cast<int64_t>(sizeof(T))>(ahead, agent_bytes);
    }
    // And a share of the next env's own map, which its moves and windows read at random cells
    // (a whole map asked for at once would overflow the miss buffers and be dropped).
    if (map_next < map_end) {
      const char* const share_end = map_next + map_share;
      do {
        __builtin_prefetch(map_next, 0, 3);
        map_next += 64;
      } while (map_next < share_end);
    }
#endif
    write_agent_obs<kD>(r, pw, obst, occ, cell, grow, gcol, row, col, avx2, o + a * per_agent);
  }
}

// Writes the observations of env `env` into `out`, its [A, 3, D, D] block.
template <typename T>
MW_HD void write_obs(const Params& p, const View& v, int32_t env, const uint8_t* occ, T* out) {
  switch (p.radius) {  // the radii people use get unrolled rows
    case 2: write_env_obs<5>(p, v, env, occ, out); break;
    case 3: write_env_obs<7>(p, v, env, occ, out); break;
    case 4: write_env_obs<9>(p, v, env, occ, out); break;
    case 5: write_env_obs<11>(p, v, env, occ, out); break;
    case 7: write_env_obs<15>(p, v, env, occ, out); break;
    default: write_env_obs<0>(p, v, env, occ, out); break;
  }
}


// Writes every output of env `env`. `occ_marked`: s.occ already marks the active agents' cells
// (the priority and blockBoth moves leave it so); else they are marked here. s.occ is idle after.
MW_HD void write_outputs(const Params& p, const View& v, const Scratch& s, int32_t env,
                         bool occ_marked = false) {
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  // Locals: the byte stores would otherwise make the compiler reload every field per agent.
  const int32_t n = p.num_agents;
  const int32_t* MW_RESTRICT pos = v.pos + row;
  const uint8_t* MW_RESTRICT active = v.active + row;
  uint8_t* MW_RESTRICT out_active = v.out_active + row;
  uint8_t* MW_RESTRICT occ = s.occ;
  if (!occ_marked)
    for (int32_t a = 0; a < n; ++a)
      if (active[a]) occ[pos[a]] = 1;
  const int64_t block = static_cast<int64_t>(n) * obs_per_agent(p);
  if (p.obs_u8) write_obs(p, v, env, occ, static_cast<uint8_t*>(v.obs) + env * block);
  else write_obs(p, v, env, occ, static_cast<float*>(v.obs) + env * block);
  for (int32_t a = 0; a < n; ++a) {
    occ[pos[a]] = 0;
    out_active[a] = active[a];
  }
  if (!p.extras) return;
  const int32_t pw = p.padded_w;
  for (int32_t a = 0; a < p.num_agents; ++a) {
    const int32_t c = v.pos[row + a], g = v.goal[row + a], st = v.start[row + a];
    int32_t* rel = v.out_xy_rel + (row + a) * 2;
    int32_t* trel = v.out_target_rel + (row + a) * 2;
    rel[0] = c / pw - st / pw;
    rel[1] = c % pw - st % pw;
    trel[0] = g / pw - st / pw;
    trel[1] = g % pw - st % pw;
  }
}

}  // namespace mw::mapf

#include "mapf_step.h"
