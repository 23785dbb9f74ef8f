// How the CUDA kernels map threads to envs: thread `slot` (its global index) runs envs slot,
// slot + S, slot + 2S, ... where S = num_slots threads take part, so any S >= 1 covers every env
// exactly once and slot s owns scratch slot s alone. S is the env count, or fewer where per-slot
// scratch (MAPF) must fit the device. Host/device code without CUDA headers, so
// native/test/cuda_host_test.cpp checks the mapping on the CPU.
#pragma once
#include <cstdint>

#include "../common/hd.h"

namespace mw::cuda {

constexpr int32_t kBlockSize = 128;  // threads per block of every env kernel

// Global index of a thread: its slot. Threads with slot >= num_slots (the tail of the last block)
// do nothing.
MW_HD int64_t slot_of(uint32_t block, uint32_t block_dim, uint32_t thread) {
  return static_cast<int64_t>(block) * block_dim + thread;
}

// First env of a slot and the distance to its next env.
MW_HD int64_t first_env(int64_t slot) { return slot; }
MW_HD int64_t env_stride(int64_t num_slots) { return num_slots; }

// Launch shape for `num_slots` slots: blocks of `block_dim` threads, rounded up.
struct LaunchShape {
  int64_t blocks;     // grid size (x)
  int32_t block_dim;  // threads per block
  int64_t num_slots;  // threads that take part; the rest of the last block exits at once
};

// Slots for `num_envs` envs when at most `max_slots` (>= 1) may run at once.
MW_HD LaunchShape launch_shape(int64_t num_envs, int64_t max_slots, int32_t block_dim) {
  LaunchShape s;
  s.num_slots = num_envs < max_slots ? num_envs : max_slots;
  if (s.num_slots < 1) s.num_slots = 1;
  s.block_dim = block_dim;
  s.blocks = (s.num_slots + block_dim - 1) / block_dim;
  return s;
}

// Keeps the lowest env index that reports a problem (atomicMin on the device).
MW_HD void record_first(int32_t* first, int32_t env) {
#if defined(__CUDA_ARCH__)
  atomicMin(first, env);
#else
  if (env < *first) *first = env;
#endif
}

// Value of a `first` cell that no env reported into (0x7f7f7f7f: what cudaMemset(0x7f) writes).
constexpr int32_t kNoEnv = 0x7f7f7f7f;

}  // namespace mw::cuda
