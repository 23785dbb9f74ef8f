// CUDA executors of the three env families, as the bindings see them: the same methods as the CPU
// executors (native/cpu/*_cpu.h) plus Rollout, with no CUDA header in sight (the state, kernels and
// copies live in *_cuda.cu behind a pointer), so the Node-API glue compiles with the host compiler.
// Each batch owns a device state arena, a device copy of the io arena, a pinned staging copy and
// a stream: a step copies the actions host -> device, launches one kernel, and copies every output
// device -> staging -> the caller's io arena. view() is a host view: its io pointers address the
// caller's arena and needs_reset a host mirror; its other pointers are device addresses that must
// not be dereferenced on the host.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../envs/dispatch/dispatch_layout.h"
#include "../envs/mapf/mapf_layout.h"
#include "../envs/volleyball/vb_layout.h"

namespace mw::cuda {

// What probe() found: whether batches can run here, and if not why.
struct DeviceInfo {
  std::string name;
  int32_t major = 0, minor = 0;  // compute capability
  uint64_t total_memory = 0;     // bytes
  int32_t sms = 0;
};
struct ProbeResult {
  bool available = false;
  int32_t error = 0;   // the CUDA runtime error code behind `reason`, 0 when none
  std::string reason;  // why not (or what was found)
  std::vector<DeviceInfo> devices;
};
// Counts devices and checks that this build has code for device 0 (sm_80 / sm_90 SASS, or PTX
// for compute_90 and later). Never throws; with no driver it reports the runtime's error 35.
ProbeResult probe();

// Rollout() result when its per-step buffers could not be allocated (nothing ran; see
// rollout_error()). Other results: -1 ok, else the lowest env with a status bit.
constexpr int64_t kRolloutNoMemory = -3;

}  // namespace mw::cuda

namespace mw::mapf {

class MapfCuda {
 public:
  // As MapfCpu; `threads` is ignored. Throws std::runtime_error when device memory, staging or
  // the stream cannot be set up.
  MapfCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads);
  ~MapfCuda();
  // Device bytes of the state arena, the io copy and scratch for at most 2^18 concurrent envs.
  static uint64_t AllocationBytes(const Params& p, int32_t threads);
  const char* bind_error() const;
  const Params& params() const;
  const View& view() const;
  int32_t threads() const { return 1; }
  // The first failed CUDA call (the batch is unusable after one), or nullptr.
  const char* error() const;
  std::string rollout_error() const;
  const char* SetTask(const TaskInput& task, char* msg, int len);
  const char* SetMap(int64_t m, const MapInput& in, char* msg, int len);
  bool Ready() const;
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask);
  int64_t Reset(const uint8_t* mask);
  int64_t FirstUninitialized() const;
  int64_t Step();
  // Runs `steps` steps with actions [steps, E, A] given up front; writes the rewards and flags of
  // every step ([steps, E, A], episode_done [steps, E]) and leaves the last step's outputs in the io
  // arena. The io arena's actions are not read or changed.
  int64_t Rollout(int32_t steps, const int32_t* actions, float* rewards, uint8_t* terminations, uint8_t* truncations,
                  uint8_t* episode_done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::mapf

namespace mw::vb {

class VolleyballCuda {
 public:
  VolleyballCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads);
  ~VolleyballCuda();
  static uint64_t AllocationBytes(const Params& p, int32_t threads);
  const char* bind_error() const;
  const Params& params() const;
  const View& view() const;
  int32_t threads() const { return 1; }
  const char* error() const;
  std::string rollout_error() const;
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask);
  void Reset(const uint8_t* mask);
  int64_t FirstUninitialized() const;
  int64_t Step();
  // As MapfCuda::Rollout, with actions [steps, E, A, 4].
  int64_t Rollout(int32_t steps, const float* actions, float* rewards, uint8_t* terminations, uint8_t* truncations,
                  uint8_t* episode_done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::vb

namespace mw::dispatch {

class DispatchCuda {
 public:
  DispatchCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads);
  ~DispatchCuda();
  static uint64_t AllocationBytes(const Params& p, int32_t threads);
  const char* bind_error() const;
  const Params& params() const;
  const View& view() const;
  int32_t threads() const { return 1; }
  const char* error() const;
  std::string rollout_error() const;
  const char* SetCity(int64_t m, const CityInput& in, char* msg, int len);
  const char* SetReplay(const int32_t* rows, const int32_t* start, char* msg, int len);
  bool Ready() const;
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask);
  void Reset(const uint8_t* mask);
  int64_t FirstUninitialized() const;
  int64_t Step();
  // As MapfCuda::Rollout, with actions [steps, E, V].
  int64_t Rollout(int32_t steps, const int32_t* actions, float* rewards, uint8_t* terminations, uint8_t* truncations,
                  uint8_t* episode_done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::dispatch
