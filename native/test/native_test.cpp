// Native test of the MAPF-v0 core without Node, built with AddressSanitizer and
// UndefinedBehaviorSanitizer in CI: steps every collision system, onTarget mode, autoreset mode,
// dtype and several radii with random and adversarial actions, and checks invariants that hold
// whatever the actions: agents on free cells inside the map, no two active agents on one cell,
// observations 0/1 with each active agent at the centre of its own agents plane, one goal
// one-hot per agent, rewards/flags as the mode allows, identical results for 1 and 3 threads.
// Also checks the thread pool itself: every item of a call handed out exactly once, in ranges
// that stay within one slot's share, with valid slots, over many calls.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../common/rng.h"
#include "../common/thread_pool.h"
#include "../common/zeroed_block.h"
#include "arena.h"
#include "check.h"

namespace {

using mw::test::failures;

using mw::mapf::Params;
using mw::mapf::View;

// The unsigned number after the next `"key":` at or after `at` in `text`, moving `at` past the key.
bool read_uint(const std::string& text, size_t& at, const char* key, uint32_t& value) {
  const size_t k = text.find(std::string("\"") + key + "\":", at);
  if (k == std::string::npos) return false;
  const size_t i = text.find_first_not_of(" ", text.find(':', k) + 1);
  if (i == std::string::npos || text[i] < '0' || text[i] > '9') return false;
  value = static_cast<uint32_t>(std::strtoul(text.c_str() + i, nullptr, 10));
  at = i;
  return true;
}

// The four quoted hex words of the next `"words": [...]` at or after `at`, moving `at` past them.
bool read_words(const std::string& text, size_t& at, uint32_t (&words)[4]) {
  size_t i = text.find("\"words\":", at);
  if (i == std::string::npos) return false;
  i = text.find('[', i);
  for (uint32_t& w : words) {
    i = text.find('"', i);
    if (i == std::string::npos || i + 9 >= text.size() || text[i + 9] != '"') return false;
    w = static_cast<uint32_t>(std::strtoul(text.substr(i + 1, 8).c_str(), nullptr, 16));
    i += 10;
  }
  at = i;
  return true;
}

#ifndef MW_SOURCE_DIR
#define MW_SOURCE_DIR "."  // CMake passes the source directory; elsewhere, run from the checkout's root
#endif

// The test vectors of docs/rng.md, read from the same file the TypeScript tests read.
void check_rng_vectors() {
  const std::string path = std::string(MW_SOURCE_DIR) + "/test/fixtures/rng-vectors.json";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  CHECK(f != nullptr, "cannot open %s", path.c_str());
  if (f == nullptr) return;
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  int vectors = 0;
  size_t at = text.find("\"vectors\"");
  for (uint32_t seed; at != std::string::npos && read_uint(text, at, "seed", seed);) {
    uint32_t stream = 0, env = 0, episode = 0, step = 0, index = 0, want[4] = {0, 0, 0, 0};
    const bool ok = read_uint(text, at, "stream", stream) && read_uint(text, at, "env", env) &&
                    read_uint(text, at, "episode", episode) && read_uint(text, at, "step", step) &&
                    read_uint(text, at, "index", index) && read_words(text, at, want);
    CHECK(ok, "rng vector %d: malformed", vectors);
    if (!ok) return;
    const mw::U32x4 got = mw::rng_draw(seed, stream, env, episode, step, index);
    for (int w = 0; w < 4; ++w)
      CHECK(got.v[w] == want[w], "rng vector %d word %d: %08x, want %08x", vectors, w, got.v[w], want[w]);
    ++vectors;
  }
  int listed = 0;
  for (size_t w = text.find("\"words\":"); w != std::string::npos; w = text.find("\"words\":", w + 1)) ++listed;
  CHECK(vectors == listed && listed > 0, "read %d of the %d rng vectors in %s", vectors, listed, path.c_str());
}

void check_rng() {
  check_rng_vectors();
  // Random123's known-answer vectors for philox4x32_10 (also in docs/rng.md).
  const mw::U32x4 a = mw::philox4x32_10(0, 0, 0, 0, 0, 0);
  CHECK(a.v[0] == 0x6627e8d5u && a.v[1] == 0xe169c58du && a.v[2] == 0xbc57ac4cu && a.v[3] == 0x9b00dbd8u, "philox KAT zero");
  const mw::U32x4 b = mw::philox4x32_10(~0u, ~0u, ~0u, ~0u, ~0u, ~0u);
  CHECK(b.v[0] == 0x408f276du && b.v[3] == 0x6d5451fdu, "philox KAT ones");
  const mw::U32x4 c = mw::philox4x32_10(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u);
  CHECK(c.v[0] == 0xd16cfe09u && c.v[3] == 0x24126ea1u, "philox KAT pi");
  CHECK(mw::rng_below(0xffffffffu, 5) == 4 && mw::rng_below(0, 5) == 0, "rng_below range");
}

struct Case {
  int32_t collision, on_target, autoreset, obs_u8, radius, agents, size;
  double density;
  bool adversarial;
};

template <typename T>
void check_obs(const Params& p, const View& v, int32_t e, const char* what) {
  const T* obs = static_cast<const T*>(v.obs);
  const int64_t per = mw::mapf::obs_per_agent(p);
  const int32_t d = 2 * p.radius + 1, dd = d * d;
  for (int32_t a = 0; a < p.num_agents; ++a) {
    const T* o = obs + (static_cast<int64_t>(e) * p.num_agents + a) * per;
    int ones = 0;
    for (int64_t i = 0; i < per; ++i) {
      CHECK(o[i] == T(0) || o[i] == T(1), "%s: obs value not 0/1", what);
      if (i >= 2 * dd && o[i] == T(1)) ++ones;
    }
    CHECK(ones == 1, "%s: env %d agent %d has %d goal one-hots", what, e, a, ones);
    const bool active = v.active[static_cast<int64_t>(e) * p.num_agents + a] != 0;
    // An active agent sees itself; a finished agent's cell may hold another, active agent.
    if (active) CHECK(o[dd + p.radius * d + p.radius] == T(1), "%s: active agent missing from its own agents plane", what);
    CHECK(o[p.radius * d + p.radius] == T(0), "%s: agent stands on an obstacle", what);
  }
}

void check_state(const Params& p, const View& v, const char* what) {
  const int32_t pw = p.padded_w;
  for (int32_t e = 0; e < p.num_envs; ++e) {
    const uint8_t* ob = v.obstacles + (p.map_per_env ? e : 0) * static_cast<int64_t>(p.padded_h) * pw;
    std::vector<int> seen(static_cast<size_t>(p.padded_h) * pw, -1);
    for (int32_t a = 0; a < p.num_agents; ++a) {
      const int64_t i = static_cast<int64_t>(e) * p.num_agents + a;
      const int32_t cell = v.pos[i], row = cell / pw - p.radius, col = cell % pw - p.radius;
      CHECK(row >= 0 && row < p.height && col >= 0 && col < p.width, "%s: agent outside the map", what);
      CHECK(ob[cell] == 0, "%s: agent on an obstacle", what);
      CHECK(v.out_pos[2 * i] == row && v.out_pos[2 * i + 1] == col, "%s: positions output", what);
      if (v.active[i]) {
        CHECK(seen[static_cast<size_t>(cell)] < 0, "%s: env %d agents %d and %d share a cell", what, e, seen[static_cast<size_t>(cell)], a);
        seen[static_cast<size_t>(cell)] = a;
      }
      CHECK(v.rewards[i] == 0.0f || v.rewards[i] == 1.0f, "%s: reward not 0/1", what);
      if (p.on_target == mw::mapf::kRestart) CHECK(v.terminations[i] == 0, "%s: restart mode terminated", what);
    }
    if (p.obs_u8) check_obs<uint8_t>(p, v, e, what);
    else check_obs<float>(p, v, e, what);
  }
}

// Runs one case with `threads` threads; returns the bytes of every output after `steps` steps.
std::vector<uint8_t> run_case(const Case& c, int32_t threads, int steps, bool check) {
  Params p = mw::test::make_params(5, c.agents, c.size, c.radius);
  p.collision = c.collision;
  p.on_target = c.on_target;
  p.autoreset = c.autoreset;
  p.obs_u8 = c.obs_u8;
  p.max_steps = 24;
  p.extras = 1;
  p.keep_final_obs = c.autoreset == mw::mapf::kSameStep ? 1 : 0;
  auto batch = mw::test::make_batch(p, threads);
  if (!batch || !mw::test::install_random_maps(*batch, c.density, 7u)) {
    CHECK(false, "batch or maps rejected");
    return {};
  }
  mw::mapf::MapfCpu& cpu = *batch->cpu;
  const View& v = batch->v();
  if (cpu.Reset(nullptr) >= 0) {
    CHECK(false, "placement failed");
    return {};
  }
  std::string what = "collision " + std::to_string(c.collision) + " onTarget " + std::to_string(c.on_target) +
                     " autoreset " + std::to_string(c.autoreset) + " u8 " + std::to_string(c.obs_u8) + " r " + std::to_string(c.radius);
  if (check) check_state(p, v, what.c_str());
  int32_t* actions = batch->actions();
  const int64_t n = static_cast<int64_t>(p.num_envs) * p.num_agents;
  for (int t = 0; t < steps; ++t) {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t u = mw::rng_draw(3, mw::kStreamActions, 0, 0, static_cast<uint32_t>(t), static_cast<uint32_t>(i)).v[0];
      // Adversarial: a tenth of the actions are outside [0, 5), including INT_MIN and -1.
      if (c.adversarial && u % 10 == 0) actions[i] = (u & 64) ? static_cast<int32_t>(0x80000000u) : (u & 32 ? -1 : 5 + static_cast<int32_t>(u % 1000));
      else actions[i] = static_cast<int32_t>(mw::rng_below(u, 5));
    }
    if (c.autoreset == mw::mapf::kDisabled)  // reset finished envs the way the binding requires
      for (int32_t e = 0; e < p.num_envs; ++e)
        if (v.needs_reset[e]) {
          std::vector<uint8_t> mask(static_cast<size_t>(p.num_envs), 0);
          mask[static_cast<size_t>(e)] = 1;
          cpu.Reset(mask.data());
        }
    const int64_t bad = cpu.Step();
    if (!c.adversarial) CHECK(bad < 0, "%s: status set at step %d", what.c_str(), t);
    if (check) check_state(p, v, what.c_str());
  }
  return batch->io;
}

mw::mapf::TaskInput task_of(const int32_t* starts, const int32_t* goals, const int32_t* lens,
                            const int32_t* start_pool = nullptr, const int32_t* goal_pool = nullptr) {
  return mw::mapf::TaskInput{starts, goals, lens, start_pool, goal_pool};
}

void check_bad_maps() {
  Params p = mw::test::make_params(1, 2, 6, 2);
  auto batch = mw::test::make_batch(p, 1);
  char msg[256];
  mw::test::MapTables t = mw::test::build_map(p, std::vector<uint8_t>(36, 0));
  CHECK(batch->cpu->SetMap(0, t.input(), msg, sizeof msg) == nullptr, "good map rejected");
  mw::test::MapTables bad = t;
  bad.obstacles[static_cast<size_t>(1 * p.padded_w + 3)] = 0;  // hole in the border ring
  CHECK(batch->cpu->SetMap(0, bad.input(), msg, sizeof msg) != nullptr, "hole in the ring accepted");
  bad = t;
  bad.obstacles[static_cast<size_t>(3 * p.padded_w + 3)] = 7;  // not 0/1
  CHECK(batch->cpu->SetMap(0, bad.input(), msg, sizeof msg) != nullptr, "obstacle value 7 accepted");
  bad = t;
  bad.cells[3] = 1000;  // out-of-range cell index
  CHECK(batch->cpu->SetMap(0, bad.input(), msg, sizeof msg) != nullptr, "bad component cell accepted");
  bad = t;
  bad.label[5] = 3;  // label beyond the component count
  CHECK(batch->cpu->SetMap(0, bad.input(), msg, sizeof msg) != nullptr, "bad label accepted");
  bad = t;
  bad.num_comps = 5;  // offsets that do not add up
  CHECK(batch->cpu->SetMap(0, bad.input(), msg, sizeof msg) != nullptr, "bad component count accepted");
  // Random placement needs room for every agent: a map with 3 free cells cannot host 2 agents.
  std::vector<uint8_t> crowded(36, 1);
  crowded[0] = crowded[1] = crowded[2] = 0;
  CHECK(batch->cpu->SetMap(0, mw::test::build_map(p, crowded).input(), msg, sizeof msg) != nullptr, "over-full map accepted");
  // Explicit task: a start on an obstacle is refused against the installed map.
  Params q = p;
  q.placement = mw::mapf::kPlaceExplicit;
  q.goal_mode = mw::mapf::kGoalsSequence;
  auto explicit_batch = mw::test::make_batch(q, 1);
  std::vector<uint8_t> walls(36, 0);
  walls[7] = 1;
  CHECK(explicit_batch->cpu->SetMap(0, mw::test::build_map(q, walls).input(), msg, sizeof msg) == nullptr, "map rejected");
  const int32_t starts[2] = {7, 0}, goals[2] = {1, 2}, lens[2] = {1, 1};
  CHECK(explicit_batch->cpu->SetTask(task_of(starts, goals, lens), msg, sizeof msg) != nullptr, "start on an obstacle accepted");
  const int32_t starts_ok[2] = {-4, 0};
  CHECK(explicit_batch->cpu->SetTask(task_of(starts_ok, goals, lens), msg, sizeof msg) != nullptr, "negative start accepted");
  const int32_t lens_bad[2] = {0, 1};
  const int32_t starts_good[2] = {3, 0};
  CHECK(explicit_batch->cpu->SetTask(task_of(starts_good, goals, lens_bad), msg, sizeof msg) != nullptr, "empty goal sequence accepted");
  CHECK(!explicit_batch->cpu->Ready(), "batch ready without a task");
  Params r = p;
  r.radius = 0;
  CHECK(mw::mapf::check_params(r) != nullptr, "radius 0 accepted");
  r = p;
  r.num_agents = 37;
  CHECK(mw::mapf::check_params(r) != nullptr, "more agents than cells accepted");
  r = p;
  r.keep_final_obs = 1;
  r.autoreset = mw::mapf::kNextStep;
  CHECK(mw::mapf::check_params(r) != nullptr, "keepFinalObs with next-step accepted");
}

struct PoolProbe {
  std::vector<std::atomic<int32_t>> hits;  // times each item was handed out in this call
  int32_t threads = 0;
  int64_t n = 0;
  std::atomic<int32_t> bad{0};  // ranges that were empty, crossed a share or named a bad slot
};

void pool_probe(void* ctx, int64_t begin, int64_t end, int32_t slot) {
  auto* probe = static_cast<PoolProbe*>(ctx);
  // The end of the share `begin` lies in (share t is [n t / T, n (t + 1) / T)).
  int64_t share_end = probe->n;
  for (int64_t t = 0; t < probe->threads; ++t) {
    const int64_t lo = probe->n * t / probe->threads, hi = probe->n * (t + 1) / probe->threads;
    if (lo <= begin && begin < hi) share_end = hi;
  }
  if (begin >= end || end > share_end || slot < 0 || slot >= probe->threads) probe->bad.fetch_add(1);
  for (int64_t i = begin; i < end && i < probe->n; ++i) probe->hits[static_cast<size_t>(i)].fetch_add(1);
}

// State arenas: zero-filled, 64-byte aligned, writable to the last byte, for calloc-sized and
// mmap-sized blocks; a moved-from block is empty and a move-assigned one frees what it held.
void check_zeroed_blocks() {
  for (uint64_t bytes : {uint64_t{1}, uint64_t{4096}, mw::ZeroedBlock::kMappedBytes - 65, mw::ZeroedBlock::kMappedBytes,
                         uint64_t{37} << 20}) {
    mw::ZeroedBlock b(bytes);
    const uint8_t* d = b.data();
    CHECK(d != nullptr && reinterpret_cast<uintptr_t>(d) % 64 == 0, "zeroed block of %llu bytes: not 64-byte aligned",
          static_cast<unsigned long long>(bytes));
#if defined(__linux__)
    if (bytes + 64 >= mw::ZeroedBlock::kMappedBytes)
      CHECK(reinterpret_cast<uintptr_t>(d) % mw::ZeroedBlock::kHugePage == 0, "mapped block of %llu bytes: not huge-page aligned",
            static_cast<unsigned long long>(bytes));
#endif
    uint64_t nonzero = 0;
    for (uint64_t i = 0; i < bytes; i += 61) nonzero += d[i] != 0;
    nonzero += d[bytes - 1] != 0;
    CHECK(nonzero == 0, "zeroed block of %llu bytes: %llu nonzero bytes", static_cast<unsigned long long>(bytes),
          static_cast<unsigned long long>(nonzero));
    std::memset(b.data(), 0xA5, static_cast<size_t>(bytes));
    CHECK(b.data()[bytes - 1] == 0xA5, "zeroed block: last byte not writable");
    mw::ZeroedBlock moved(std::move(b));
    CHECK(b.data() == nullptr && moved.data() == d, "zeroed block: move did not hand the memory over");
    moved = mw::ZeroedBlock(64);  // frees the old block (LeakSanitizer tracks the calloc-sized ones)
    CHECK(moved.data() != d && moved.data()[63] == 0, "zeroed block: move assignment");
  }
}

void check_thread_pool() {
  for (int32_t threads : {1, 2, 3, 5}) {
    mw::ThreadPool pool(threads);
    for (int64_t n : {1, 2, 3, 7, 64, 1000, 4097}) {
      PoolProbe probe;
      probe.hits = std::vector<std::atomic<int32_t>>(static_cast<size_t>(n));
      probe.threads = threads;
      probe.n = n;
      for (int call = 0; call < 20; ++call) {
        for (auto& h : probe.hits) h.store(0);
        pool.ParallelFor(n, pool_probe, &probe);
        int64_t wrong = 0;
        for (auto& h : probe.hits) wrong += h.load() != 1;
        CHECK(wrong == 0, "thread pool (%d threads, n %lld, call %d): %lld items not handed out exactly once", threads,
              static_cast<long long>(n), call, static_cast<long long>(wrong));
      }
      CHECK(probe.bad.load() == 0, "thread pool (%d threads, n %lld): %d ranges empty, across shares or with a bad slot",
            threads, static_cast<long long>(n), probe.bad.load());
    }
  }
}

// Explicit starts and lifelong goal sequences on an open 6×6 map: agents reach goals, which
// cycle through each agent's sequence.
void check_explicit_sequences() {
  Params p = mw::test::make_params(2, 3, 6, 2);
  p.placement = mw::mapf::kPlaceExplicit;
  p.goal_mode = mw::mapf::kGoalsSequence;
  p.goal_seq_len = 3;
  p.on_target = mw::mapf::kRestart;
  p.collision = mw::mapf::kSoft;
  auto batch = mw::test::make_batch(p, 2);
  mw::mapf::MapfCpu& cpu = *batch->cpu;
  const View& v = batch->v();
  const int32_t starts[3] = {0, 5, 30};
  const int32_t goals[9] = {1, 2, 3, 11, 17, 23, 31, 32, 33};
  const int32_t lens[3] = {3, 3, 3};
  char msg[256];
  CHECK(cpu.SetTask(task_of(starts, goals, lens), msg, sizeof msg) == nullptr, "explicit task rejected");
  for (int32_t e = 0; e < 2; ++e)
    CHECK(cpu.SetMap(e, mw::test::build_map(p, std::vector<uint8_t>(36, 0)).input(), msg, sizeof msg) == nullptr, "map rejected");
  const uint32_t seeds[2] = {1, 2};
  cpu.SetSeeds(seeds, nullptr);
  CHECK(cpu.Ready(), "batch not ready");
  cpu.Reset(nullptr);
  int32_t* actions = batch->actions();
  // Agent 0 walks right along row 0, agent 1 down column 5, agent 2 right along row 5.
  const int32_t plan[3] = {mw::mapf::kRight, mw::mapf::kDown, mw::mapf::kRight};
  float total[3] = {0, 0, 0};
  for (int t = 0; t < 3; ++t) {
    for (int32_t e = 0; e < 2; ++e)
      for (int32_t a = 0; a < 3; ++a) actions[e * 3 + a] = plan[a];
    cpu.Step();
    for (int32_t a = 0; a < 3; ++a) total[a] += v.rewards[a];
  }
  for (int32_t a = 0; a < 3; ++a) CHECK(total[a] == 3.0f, "agent %d collected %f rewards, expected 3", a, static_cast<double>(total[a]));
  CHECK(v.out_goal[0] == 0 && v.out_goal[1] == 1, "agent 0 goal did not cycle back to its first goal");
}

// Starts and goals from pools, with lifelong goals from the goal pool, on an open 6×6 map: the
// start pool is row 0, the goal pool rows 4-5. Every reset puts the agents on distinct start-pool
// cells with distinct goal-pool goals; every new goal is a goal-pool cell other than the agent's
// own; 1 and 3 threads agree. Pools that are unsorted, on an obstacle, split over two
// components or too small are refused.
std::vector<uint8_t> run_pools(int32_t threads, bool check) {
  Params p = mw::test::make_params(4, 5, 6, 2);
  p.placement = mw::mapf::kPlacePool;
  p.goal_mode = mw::mapf::kGoalsPool;
  p.on_target = mw::mapf::kRestart;
  p.max_steps = 30;
  p.start_pool_len = 6;
  p.goal_pool_len = 12;
  auto batch = mw::test::make_batch(p, threads);
  mw::mapf::MapfCpu& cpu = *batch->cpu;
  const View& v = batch->v();
  const int32_t none[5] = {0, 0, 0, 0, 0}, ones[5] = {1, 1, 1, 1, 1};
  const int32_t start_pool[6] = {0, 1, 2, 3, 4, 5};
  int32_t goal_pool[12];
  for (int32_t i = 0; i < 12; ++i) goal_pool[i] = 24 + i;
  char msg[256];
  const int32_t unsorted[6] = {1, 0, 2, 3, 4, 5};
  CHECK(cpu.SetTask(task_of(none, none, ones, unsorted, goal_pool), msg, sizeof msg) == nullptr, "task refused before a map");
  CHECK(cpu.SetMap(0, mw::test::build_map(p, std::vector<uint8_t>(36, 0)).input(), msg, sizeof msg) != nullptr,
        "unsorted pool accepted");
  CHECK(cpu.SetTask(task_of(none, none, ones, start_pool, goal_pool), msg, sizeof msg) == nullptr, "pool task rejected");
  std::vector<uint8_t> walled(36, 0);
  walled[3] = 1;  // a start-pool cell becomes an obstacle
  CHECK(cpu.SetMap(0, mw::test::build_map(p, walled).input(), msg, sizeof msg) != nullptr, "pool cell on an obstacle accepted");
  std::vector<uint8_t> split(36, 0);
  for (int32_t c = 18; c < 24; ++c) split[static_cast<size_t>(c)] = 1;  // row 3 walls the pools apart
  CHECK(cpu.SetMap(0, mw::test::build_map(p, split).input(), msg, sizeof msg) != nullptr, "pools in two components accepted");
  for (int32_t e = 0; e < p.num_envs; ++e)
    CHECK(cpu.SetMap(e, mw::test::build_map(p, std::vector<uint8_t>(36, 0)).input(), msg, sizeof msg) == nullptr, "map rejected");
  const uint32_t seeds[4] = {11, 12, 13, 14};
  cpu.SetSeeds(seeds, nullptr);
  CHECK(cpu.Ready(), "pool batch not ready");
  CHECK(cpu.Reset(nullptr) < 0, "pool placement failed");
  auto in_pool = [](const int32_t* pool, int32_t n, int32_t row, int32_t col) {
    for (int32_t i = 0; i < n; ++i)
      if (pool[i] == row * 6 + col) return true;
    return false;
  };
  auto check_reset = [&](int32_t e) {
    for (int32_t a = 0; a < p.num_agents; ++a) {
      const int64_t i = static_cast<int64_t>(e) * p.num_agents + a;
      CHECK(in_pool(start_pool, 6, v.out_pos[2 * i], v.out_pos[2 * i + 1]), "env %d agent %d starts off the start pool", e, a);
      CHECK(in_pool(goal_pool, 12, v.out_goal[2 * i], v.out_goal[2 * i + 1]), "env %d agent %d goal off the goal pool", e, a);
      for (int32_t b = 0; b < a; ++b) {
        const int64_t j = static_cast<int64_t>(e) * p.num_agents + b;
        CHECK(v.pos[i] != v.pos[j], "env %d agents %d and %d start on one cell", e, b, a);
        CHECK(v.goal[i] != v.goal[j], "env %d agents %d and %d share a first goal", e, b, a);
      }
    }
  };
  if (check)
    for (int32_t e = 0; e < p.num_envs; ++e) check_reset(e);
  int32_t* actions = batch->actions();
  const int64_t n = static_cast<int64_t>(p.num_envs) * p.num_agents;
  int arrivals = 0;
  for (int t = 0; t < 120; ++t) {
    // Each agent heads for its goal by rows first, with a random move every fourth step.
    for (int64_t i = 0; i < n; ++i) {
      const int32_t dr = v.out_goal[2 * i] - v.out_pos[2 * i], dc = v.out_goal[2 * i + 1] - v.out_pos[2 * i + 1];
      const uint32_t u = mw::rng_draw(5, mw::kStreamActions, 0, 0, static_cast<uint32_t>(t), static_cast<uint32_t>(i)).v[0];
      actions[i] = u % 4 == 0 ? static_cast<int32_t>(mw::rng_below(u, 5))
                   : dr < 0   ? mw::mapf::kUp
                   : dr > 0   ? mw::mapf::kDown
                   : dc < 0   ? mw::mapf::kLeft
                              : mw::mapf::kRight;
    }
    std::vector<int32_t> before(v.pos, v.pos + n);
    CHECK(cpu.Step() < 0, "pool batch status set at step %d", t);
    for (int64_t i = 0; i < n; ++i) {
      if (v.rewards[i] != 1.0f) continue;
      ++arrivals;
      CHECK(in_pool(goal_pool, 12, v.out_goal[2 * i], v.out_goal[2 * i + 1]), "new goal off the goal pool");
      CHECK(v.goal[i] != v.pos[i], "new goal is the agent's own cell");
    }
    if (check)
      for (int32_t e = 0; e < p.num_envs; ++e)
        if (v.episode_done[e]) check_reset(e);
  }
  if (check) CHECK(arrivals > 20, "only %d arrivals with pool goals", arrivals);
  Params q = p;
  q.start_pool_len = 4;  // fewer start-pool cells than agents
  CHECK(mw::mapf::check_params(q) != nullptr, "start pool smaller than the agents accepted");
  q = p;
  q.placement = mw::mapf::kPlaceRandom;
  q.start_pool_len = 0;  // pool goals with random starts
  CHECK(mw::mapf::check_params(q) != nullptr, "pool goals with random starts accepted");
  return batch->io;
}

}  // namespace

int main() {
  check_zeroed_blocks();
  check_thread_pool();
  check_explicit_sequences();
  check_rng();
  check_bad_maps();
  CHECK(run_pools(1, true) == run_pools(3, false), "pool placement differs between 1 and 3 threads");
  int cases = 0;
  for (int32_t collision = 0; collision < 3; ++collision)
    for (int32_t on_target = 0; on_target < 3; ++on_target)
      for (int32_t autoreset = 0; autoreset < 3; ++autoreset)
        for (int32_t u8 = 0; u8 < 2; ++u8) {
          const int32_t radius = 1 + (collision + on_target + autoreset + u8) % 6;  // 1..6: generic and unrolled paths
          for (bool adversarial : {false, true}) {
            const Case c{collision, on_target, autoreset, u8, radius, 12, 9, 0.25, adversarial};
            const std::vector<uint8_t> one = run_case(c, 1, 60, true);
            const std::vector<uint8_t> three = run_case(c, 3, 60, false);
            CHECK(one == three, "results differ between 1 and 3 threads (collision %d onTarget %d autoreset %d)", collision, on_target, autoreset);
#if defined(MW_HOST_AVX2)
            // The baseline x86-64 paths (no AVX2 step clone, no AVX2 observation planes) give the
            // same bytes. Windows need rows of >= 16 cells for the AVX2 planes: size 12, r >= 2.
            if (!adversarial) {
              mw::host_simd_allowed() = false;
              const Case wide{collision, on_target, autoreset, u8, radius, 12, 12, 0.25, false};
              const std::vector<uint8_t> baseline = run_case(wide, 2, 40, false);
              mw::host_simd_allowed() = true;
              CHECK(baseline == run_case(wide, 2, 40, false), "baseline and AVX2 paths differ (collision %d onTarget %d autoreset %d u8 %d r %d)",
                    collision, on_target, autoreset, u8, radius);
            }
#endif
            ++cases;
          }
        }
  // Crowded maps: nearly every free cell holds an agent, so conflicts happen every step.
  for (int32_t collision = 0; collision < 3; ++collision) {
    const Case c{collision, 1, 0, 1, 2, 30, 8, 0.0, false};
    run_case(c, 2, 80, true);
    ++cases;
  }
  std::printf("%d cases, %d failures\n", cases, failures);
  return failures == 0 ? 0 : 1;
}
