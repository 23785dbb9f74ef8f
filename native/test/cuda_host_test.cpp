// What the CUDA kernels do, checked on the CPU (no CUDA needed; ASan + UBSan in CI):
// - the thread -> env mapping of native/cuda/env_index.h covers every env exactly once, for any
//   env count, slot count and block size, and no two threads share a scratch slot;
// - the per-slot bodies of native/cuda/env_slots.h (what each kernel thread runs), run over every
//   slot in reverse order with fewer slots than envs, give byte-identical io arenas to the CPU
//   executors for MAPF-v0, volleyball and RideDispatch-v0, through steps, autoresets and masked
//   resets;
// - a rollout view (actions from a [T, ...] block, rewards and flags written into per-step slices
//   that start out as garbage) gives the same per-step outputs: every step writes those outputs
//   before it reads them.
#include <cstdio>
#include <cstring>
#include <vector>

#include "../cuda/env_slots.h"
#include "arena.h"
#include "check.h"
#include "dispatch_city.h"
#include "../cpu/volleyball_cpu.h"

namespace {

using mw::test::failures;

using mw::cuda::LaunchShape;

using Rng = mw::test::SplitMix64;

// ---- index mapping --------------------------------------------------------------------------

void test_index_mapping() {
  const int64_t envs[] = {1, 2, 7, 127, 128, 129, 1000, 4097};
  const int64_t caps[] = {1, 3, 64, 128, 1000, 1 << 20};
  const int32_t blocks[] = {32, 128, 256};
  for (int64_t e : envs)
    for (int64_t cap : caps)
      for (int32_t bd : blocks) {
        const LaunchShape s = mw::cuda::launch_shape(e, cap, bd);
        CHECK(s.num_slots >= 1 && s.num_slots <= cap && s.num_slots <= e, "slots %lld for %lld envs, cap %lld",
              static_cast<long long>(s.num_slots), static_cast<long long>(e), static_cast<long long>(cap));
        CHECK(s.blocks * bd >= s.num_slots && (s.blocks - 1) * bd < s.num_slots, "grid of %lld blocks for %lld slots",
              static_cast<long long>(s.blocks), static_cast<long long>(s.num_slots));
        std::vector<int32_t> visits(static_cast<size_t>(e), 0), slot_users(static_cast<size_t>(s.num_slots), 0);
        for (int64_t b = 0; b < s.blocks; ++b)
          for (int32_t t = 0; t < bd; ++t) {
            const int64_t slot = mw::cuda::slot_of(static_cast<uint32_t>(b), static_cast<uint32_t>(bd), static_cast<uint32_t>(t));
            if (slot >= s.num_slots) continue;
            ++slot_users[static_cast<size_t>(slot)];
            for (int64_t env = mw::cuda::first_env(slot); env < e; env += mw::cuda::env_stride(s.num_slots))
              ++visits[static_cast<size_t>(env)];
          }
        for (int64_t i = 0; i < e; ++i) CHECK(visits[static_cast<size_t>(i)] == 1, "env %lld visited %d times", static_cast<long long>(i), visits[static_cast<size_t>(i)]);
        for (int64_t i = 0; i < s.num_slots; ++i) CHECK(slot_users[static_cast<size_t>(i)] == 1, "slot %lld used by %d threads", static_cast<long long>(i), slot_users[static_cast<size_t>(i)]);
      }
  int32_t first = mw::cuda::kNoEnv;
  mw::cuda::record_first(&first, 9);
  mw::cuda::record_first(&first, 4);
  mw::cuda::record_first(&first, 6);
  CHECK(first == 4, "record_first keeps the lowest env, got %d", first);
}

// ---- shared helpers ---------------------------------------------------------------------------

// Bytes of an io arena and the offset of each field, relative to field 0 (the actions).
template <class Params, class ListIo>
uint64_t io_span(const Params& p, ListIo list) {
  mw::FieldSpec f[64];
  uint64_t offsets[64];
  return mw::pack_fields(f, list(p, f), offsets);
}

bool same_bytes(const void* a, const void* b, uint64_t n) { return std::memcmp(a, b, n) == 0; }

// Rollout slices filled with garbage, [T, E, A] and [T, E].
struct Slices {
  std::vector<float> rewards;
  std::vector<uint8_t> terms, truncs, done;
  Slices(int32_t steps, int64_t ea, int64_t e)
      : rewards(static_cast<size_t>(steps * ea), -12345.5f), terms(static_cast<size_t>(steps * ea), 0xAB),
        truncs(static_cast<size_t>(steps * ea), 0xCD), done(static_cast<size_t>(steps * e), 0xEF) {}
  mw::cuda::RolloutSlices get() { return {rewards.data(), terms.data(), truncs.data(), done.data()}; }
};

// Compares step t's slices with the reference view's outputs.
template <class View>
bool slice_matches(const Slices& s, const View& ref, int32_t t, int64_t ea, int64_t e) {
  return same_bytes(s.rewards.data() + t * ea, ref.rewards, static_cast<uint64_t>(ea) * 4) &&
         same_bytes(s.terms.data() + t * ea, ref.terminations, static_cast<uint64_t>(ea)) &&
         same_bytes(s.truncs.data() + t * ea, ref.truncations, static_cast<uint64_t>(ea)) &&
         same_bytes(s.done.data() + t * e, ref.episode_done, static_cast<uint64_t>(e));
}

// ---- MAPF-v0 ----------------------------------------------------------------------------------

void test_mapf(int32_t collision, int32_t on_target, int32_t autoreset, int32_t obs_u8) {
  using namespace mw::mapf;
  Params p = mw::test::make_params(7, 6, 8, 2);
  p.collision = collision;
  p.on_target = on_target;
  p.autoreset = autoreset;
  p.obs_u8 = obs_u8;
  p.max_steps = 9;
  p.keep_final_obs = autoreset == kSameStep ? 1 : 0;
  p.extras = 1;
  auto ref = mw::test::make_batch(p, 2);    // stepped by MapfCpu
  auto slot = mw::test::make_batch(p, 1);   // stepped by the kernel bodies
  auto roll = mw::test::make_batch(p, 1);   // stepped by the kernel bodies through a rollout view
  CHECK(ref && slot && roll, "mapf batches");
  if (!ref || !slot || !roll) return;
  for (auto* b : {ref.get(), slot.get(), roll.get()}) CHECK(mw::test::install_random_maps(*b, 0.2, 11), "maps");
  // Three scratch slots for seven envs: slots run envs {0,3,6}, {1,4}, {2,5} with reused scratch.
  const int64_t num_slots = 3;
  std::vector<uint8_t> u8(static_cast<size_t>(num_slots * scratch_u8_per_slot(p)));
  std::vector<int32_t> i32(static_cast<size_t>(num_slots * scratch_i32_per_slot(p)));
  View vs = slot->v(), vr = roll->v();
  vs.scratch_u8 = vr.scratch_u8 = u8.data();
  vs.scratch_i32 = vr.scratch_i32 = i32.data();
  for (int64_t s = 0; s < num_slots; ++s) mw::cuda::mapf_scratch_slot(p, vs, s);
  const uint64_t span = io_span(p, list_io_fields);
  const int64_t e = p.num_envs, ea = e * p.num_agents, n = ea;
  const int32_t steps = 30;
  std::vector<int32_t> actions(static_cast<size_t>(steps * n));
  Rng rng{static_cast<uint64_t>(collision * 100 + on_target * 10 + autoreset)};
  for (auto& a : actions) a = rng.below(kNumActions);
  ref->cpu->Reset(nullptr);
  int32_t first = mw::cuda::kNoEnv;
  for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::mapf_reset_slot(p, vs, nullptr, kStatusPlacement, s, num_slots, &first);
  for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::mapf_reset_slot(p, vr, nullptr, kStatusPlacement, s, num_slots, &first);
  CHECK(first == mw::cuda::kNoEnv, "mapf reset reported env %d", first);
  CHECK(same_bytes(ref->v().actions, vs.actions, span), "mapf reset: io differs");
  Slices sl(steps, ea, e);
  for (int32_t t = 0; t < steps; ++t) {
    std::memcpy(ref->actions(), actions.data() + t * n, static_cast<size_t>(n) * 4);
    std::memcpy(slot->actions(), actions.data() + t * n, static_cast<size_t>(n) * 4);
    ref->cpu->Step();
    first = mw::cuda::kNoEnv;
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::mapf_step_slot(p, vs, s, num_slots, &first);
    const View vt = mw::cuda::rollout_view(vr, actions.data(), n, sl.get(), t, ea, e);
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::mapf_step_slot(p, vt, s, num_slots, &first);
    CHECK(same_bytes(ref->v().actions, vs.actions, span), "mapf step %d (collision %d, onTarget %d, autoreset %d): io differs",
          t, collision, on_target, autoreset);
    // Rollouts refuse autoreset 'disabled': an env waiting for a reset writes no outputs.
    if (autoreset != kDisabled) {
      CHECK(slice_matches(sl, ref->v(), t, ea, e), "mapf rollout step %d: per-step outputs differ", t);
      const uint64_t obs_bytes = static_cast<uint64_t>(ea * obs_per_agent(p) * (obs_u8 ? 1 : 4));
      CHECK(same_bytes(ref->v().obs, vr.obs, obs_bytes), "mapf rollout step %d: observations differ", t);
    }
    if (t == 12) {  // masked reset of envs 1 and 5, as the CUDA executor does it
      std::vector<uint8_t> mask(static_cast<size_t>(e), 0);
      mask[1] = mask[5] = 1;
      ref->cpu->Reset(mask.data());
      for (View* v : {&vs, &vr})
        for (int64_t env = 0; env < e; ++env)
          if (mask[static_cast<size_t>(env)]) v->episode[env] += 1;
      for (int64_t s = 0; s < num_slots; ++s) mw::cuda::mapf_reset_slot(p, vs, mask.data(), kStatusPlacement, s, num_slots, &first);
      for (int64_t s = 0; s < num_slots; ++s) mw::cuda::mapf_reset_slot(p, vr, mask.data(), kStatusPlacement, s, num_slots, &first);
      CHECK(same_bytes(ref->v().actions, vs.actions, span), "mapf masked reset: io differs");
    }
  }
}

// ---- volleyball -------------------------------------------------------------------------------

struct VbBatch {
  mw::vb::Params p{};
  std::vector<uint64_t> io;
  std::unique_ptr<mw::vb::VolleyballCpu> cpu;
};

std::unique_ptr<VbBatch> vb_batch(const mw::vb::Params& p) {
  auto b = std::make_unique<VbBatch>();
  b->p = p;
  mw::FieldSpec f[mw::vb::kMaxFields];
  uint64_t offsets[mw::vb::kMaxFields];
  const uint64_t bytes = mw::pack_fields(f, mw::vb::list_io_fields(p, f), offsets);
  b->io.assign(bytes / 8 + 1, 0);
  b->cpu = std::make_unique<mw::vb::VolleyballCpu>(p, reinterpret_cast<uint8_t*>(b->io.data()), b->io.size() * 8, offsets, 2);
  if (b->cpu->bind_error()) return nullptr;
  std::vector<uint32_t> seeds(static_cast<size_t>(p.num_envs));
  for (size_t e = 0; e < seeds.size(); ++e) seeds[e] = 5 + static_cast<uint32_t>(e);
  b->cpu->SetSeeds(seeds.data(), nullptr);
  b->cpu->Reset(nullptr);
  return b;
}

void test_volleyball(int32_t task, int32_t autoreset) {
  using namespace mw::vb;
  const TaskSpec ts = task_spec(task);
  Params p{};
  p.num_envs = 5;
  p.task = task;
  p.num_agents = ts.drones;
  p.obs_dim = ts.obs_dim;
  p.action_mode = kPerRotorThrust;
  p.substeps = 1;
  p.max_steps = 25;  // short episodes: autoreset happens inside the run
  p.autoreset = autoreset;
  p.keep_final_obs = autoreset == kSameStep ? 1 : 0;
  p.random_serve = 1;
  CHECK(check_params(p) == nullptr, "vb params: %s", check_params(p));
  auto ref = vb_batch(p), slot = vb_batch(p), roll = vb_batch(p);
  CHECK(ref && slot && roll, "vb batches");
  if (!ref || !slot || !roll) return;
  const View vs = slot->cpu->view(), vr = roll->cpu->view(), va = ref->cpu->view();
  const uint64_t span = io_span(p, list_io_fields);
  const int64_t e = p.num_envs, ea = e * p.num_agents, n = ea * kActionDim, num_slots = 2;
  const int32_t steps = 60;
  std::vector<float> actions(static_cast<size_t>(steps * n));
  Rng rng{static_cast<uint64_t>(task * 7 + autoreset)};
  for (auto& a : actions) a = 2.0f * rng.uniform() - 0.9f;
  CHECK(same_bytes(va.actions, vs.actions, span), "vb reset: io differs");
  Slices sl(steps, ea, e);
  int32_t first = mw::cuda::kNoEnv;
  for (int32_t t = 0; t < steps; ++t) {
    std::memcpy(const_cast<float*>(va.actions), actions.data() + t * n, static_cast<size_t>(n) * 4);
    std::memcpy(const_cast<float*>(vs.actions), actions.data() + t * n, static_cast<size_t>(n) * 4);
    ref->cpu->Step();
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::vb_step_slot(p, vs, s, num_slots, &first);
    const View vt = mw::cuda::rollout_view(vr, actions.data(), n, sl.get(), t, ea, e);
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::vb_step_slot(p, vt, s, num_slots, &first);
    CHECK(same_bytes(va.actions, vs.actions, span), "vb task %d step %d: io differs", task, t);
    CHECK(slice_matches(sl, va, t, ea, e), "vb task %d rollout step %d: per-step outputs differ", task, t);
    CHECK(same_bytes(va.obs, vr.obs, static_cast<uint64_t>(ea * p.obs_dim) * 4), "vb rollout step %d: obs differ", t);
  }
  CHECK(first == mw::cuda::kNoEnv, "vb step reported env %d", first);
  std::vector<uint8_t> mask(static_cast<size_t>(e), 0);
  mask[0] = mask[3] = 1;
  ref->cpu->Reset(mask.data());
  for (int64_t env = 0; env < e; ++env)
    if (mask[static_cast<size_t>(env)]) vs.episode[env] += 1;
  for (int64_t s = 0; s < num_slots; ++s) mw::cuda::vb_reset_slot(p, vs, mask.data(), s, num_slots);
  CHECK(same_bytes(va.actions, vs.actions, span), "vb masked reset: io differs");
}

// ---- RideDispatch-v0 --------------------------------------------------------------------------

void test_dispatch(int32_t conflict_rule, int32_t autoreset) {
  using namespace mw::dispatch;
  Params p = test::default_params(6);
  p.num_vehicles = 5;
  p.num_slots = 6;
  p.num_zones = 16;
  p.horizon = 20;
  p.conflict_rule = conflict_rule;
  p.autoreset = autoreset;
  p.keep_final_obs = autoreset == kSameStep ? 1 : 0;
  p.pair_block = 1;
  p.global_maps = 1;
  p.team_reward = conflict_rule == kSeededRandom ? 1 : 0;
  const test::City city = test::grid_city(p, 4, 1.5);
  auto ref = test::make_batch(p, 2, city), slot = test::make_batch(p, 1, city, 1, 0), roll = test::make_batch(p, 1, city, 1, 0);
  CHECK(ref && slot && roll, "dispatch batches");
  if (!ref || !slot || !roll) return;
  const View va = ref->v(), vs = slot->v(), vr = roll->v();
  const uint64_t span = io_span(p, list_io_fields);
  const int64_t e = p.num_envs, ea = e * p.num_vehicles, n = ea, num_slots = 4;
  const int32_t steps = 45;
  std::vector<int32_t> actions(static_cast<size_t>(steps * n));
  Rng rng{static_cast<uint64_t>(conflict_rule * 3 + autoreset)};
  for (auto& a : actions) a = rng.below(num_actions(p));
  CHECK(same_bytes(va.actions, vs.actions, span), "dispatch reset: io differs");
  Slices sl(steps, ea, e);
  int32_t first = mw::cuda::kNoEnv;
  for (int32_t t = 0; t < steps; ++t) {
    std::memcpy(ref->actions(), actions.data() + t * n, static_cast<size_t>(n) * 4);
    std::memcpy(slot->actions(), actions.data() + t * n, static_cast<size_t>(n) * 4);
    ref->cpu->Step();
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::dispatch_step_slot(p, vs, s, num_slots, &first);
    const View vt = mw::cuda::rollout_view(vr, actions.data(), n, sl.get(), t, ea, e);
    for (int64_t s = num_slots - 1; s >= 0; --s) mw::cuda::dispatch_step_slot(p, vt, s, num_slots, &first);
    CHECK(same_bytes(va.actions, vs.actions, span), "dispatch rule %d step %d: io differs", conflict_rule, t);
    CHECK(slice_matches(sl, va, t, ea, e), "dispatch rollout step %d: per-step outputs differ", t);
    CHECK(same_bytes(va.obs, vr.obs, static_cast<uint64_t>(ea * obs_per_agent(p)) * 4), "dispatch rollout step %d: obs differ", t);
  }
  CHECK(first == mw::cuda::kNoEnv, "dispatch step reported env %d", first);
  std::vector<uint8_t> mask(static_cast<size_t>(e), 0);
  mask[2] = mask[4] = 1;
  ref->cpu->Reset(mask.data());
  for (int64_t env = 0; env < e; ++env)
    if (mask[static_cast<size_t>(env)]) vs.episode[env] += 1;
  for (int64_t s = 0; s < num_slots; ++s) mw::cuda::dispatch_reset_slot(p, vs, mask.data(), s, num_slots);
  CHECK(same_bytes(va.actions, vs.actions, span), "dispatch masked reset: io differs");
}

}  // namespace

int main() {
  test_index_mapping();
  for (int32_t collision : {mw::mapf::kPriority, mw::mapf::kBlockBoth, mw::mapf::kSoft})
    for (int32_t on_target : {mw::mapf::kFinish, mw::mapf::kNothing, mw::mapf::kRestart})
      test_mapf(collision, on_target, mw::mapf::kSameStep, on_target == mw::mapf::kRestart ? 1 : 0);
  test_mapf(mw::mapf::kPriority, mw::mapf::kFinish, mw::mapf::kNextStep, 0);
  test_mapf(mw::mapf::kSoft, mw::mapf::kNothing, mw::mapf::kDisabled, 1);
  for (int32_t task = 0; task < mw::vb::kNumTasks; ++task) test_volleyball(task, mw::vb::kSameStep);
  test_volleyball(mw::vb::k3v3, mw::vb::kNextStep);
  for (int32_t rule : {mw::dispatch::kNearest, mw::dispatch::kLowestIndex, mw::dispatch::kSeededRandom})
    test_dispatch(rule, mw::dispatch::kSameStep);
  test_dispatch(mw::dispatch::kNearest, mw::dispatch::kNextStep);
  if (failures) {
    std::fprintf(stderr, "cuda host test: %d failures\n", failures);
    return 1;
  }
  std::printf("cuda host test: ok (index mapping; MAPF, volleyball and dispatch kernel bodies and rollout views match the CPU executors)\n");
  return 0;
}
