// The part of a CUDA batch every env family shares (nvcc translation units only): the device
// state arena, the device copy of the io arena and its pinned staging copy, the stream, the
// episode bookkeeping of the CPU executors (seeds, episode counters, fresh and initialized envs),
// and the copy sequences around a kernel launch: a step copies the actions in and every output
// out; a rollout copies T steps of actions in and the per-step rewards and flags out in one go.
// `T` (a traits struct in each *_cuda.cu) names the env's Params, View, Action type, field lists
// and bind_view.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/episodes.h"
#include "../common/fields.h"
#include "cuda_common.h"
#include "env_index.h"
#include "env_slots.h"
#include "exec_cuda.h"

namespace mw::cuda {

inline uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

template <class T>
class DeviceCore {
 public:
  using Params = typename T::Params;
  using View = typename T::View;
  using Action = typename T::Action;

  // Binds the host view to the caller's io arena (bind_error() names a field that does not fit)
  // and allocates everything on the current device. Throws std::runtime_error on a CUDA failure.
  DeviceCore(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets)
      : p_(p), h_io_(io), seeds_(static_cast<size_t>(p.num_envs), 0), episode_(static_cast<size_t>(p.num_envs), 0),
        book_(p.num_envs) {
    Need(cudaGetDevice(&facts_.ordinal), "cudaGetDevice");
    Need(cudaDeviceGetAttribute(&facts_.sms, cudaDevAttrMultiProcessorCount, facts_.ordinal), "cudaDeviceGetAttribute");
    Need(cudaDeviceGetAttribute(&facts_.max_threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, facts_.ordinal),
         "cudaDeviceGetAttribute");
    Need(stream_.Create(), "cudaStreamCreate");
    FieldSpec f[T::kMaxFields];
    const int ns = T::state_fields(p, f);
    uint64_t state_offsets[T::kMaxFields];
    const uint64_t state_bytes = pack_fields(f, ns, state_offsets);
    Need(d_state_.Allocate(state_bytes), "cudaMalloc(state arena)");
    Need(cudaMemsetAsync(d_state_.get(), 0, d_state_.bytes(), stream_.get()), "cudaMemset(state arena)");
    bind_error_ = T::bind(p, d_state_.get(), state_offsets, io, io_bytes, io_offsets, h_view_);
    if (bind_error_) return;
    num_io_ = T::io_fields(p, io_fields_);
    io_end_ = 0;
    out_begin_ = UINT64_MAX;
    for (int i = 0; i < num_io_; ++i) {
      io_offsets_[i] = io_offsets[i];
      io_sizes_[i] = static_cast<uint64_t>(io_fields_[i].count) * static_cast<uint64_t>(io_fields_[i].elem_size);
      io_end_ = std::max(io_end_, io_offsets_[i] + io_sizes_[i]);
      if (i > 0 && io_sizes_[i] > 0) out_begin_ = std::min(out_begin_, io_offsets_[i]);
    }
    if (out_begin_ == UINT64_MAX) out_begin_ = io_end_;
    Need(d_io_.Allocate(io_end_), "cudaMalloc(io arena)");
    Need(cudaMemsetAsync(d_io_.get(), 0, d_io_.bytes(), stream_.get()), "cudaMemset(io arena)");
    Need(h_stage_.Allocate(io_end_), "cudaMallocHost(staging)");
    T::bind(p, d_state_.get(), state_offsets, d_io_.get(), io_end_, io_offsets, d_view_);
    Need(d_small_.Allocate(64 + static_cast<size_t>(p.num_envs)), "cudaMalloc(mask)");
    Need(h_small_.Allocate(64 + static_cast<size_t>(p.num_envs)), "cudaMallocHost(flags)");
    std::memset(h_small_.get(), 0, h_small_.bytes());
    h_view_.needs_reset = h_small_.get() + 64;  // host mirror, refreshed after every call
    Need(cudaStreamSynchronize(stream_.get()), "batch setup");
  }

  // Bytes a batch allocates on the device besides scratch.
  static uint64_t DeviceBytes(const Params& p) {
    FieldSpec f[T::kMaxFields];
    uint64_t offsets[T::kMaxFields];
    const uint64_t state = pack_fields(f, T::state_fields(p, f), offsets);
    const uint64_t io = pack_fields(f, T::io_fields(p, f), offsets);
    return state + io + 64 + static_cast<uint64_t>(p.num_envs);
  }

  const char* bind_error() const { return bind_error_; }
  const char* error() const { return error_.empty() ? nullptr : error_.c_str(); }
  std::string rollout_error() const { return rollout_error_; }
  const Params& params() const { return p_; }
  const View& host_view() const { return h_view_; }
  View& device_view() { return d_view_; }
  cudaStream_t stream() const { return stream_.get(); }
  const DeviceFacts& facts() const { return facts_; }
  int32_t* first_cell() const { return reinterpret_cast<int32_t*>(d_small_.get()); }

  // Records a failed runtime call as the batch's error (the first one stays). False on failure.
  bool Check(cudaError_t err, const char* what) {
    if (err == cudaSuccess) return true;
    if (error_.empty()) error_ = describe(err, what);
    return false;
  }
  // Every entry point: refuses after an error, and makes the batch's device current on this
  // thread (stepAsync runs on a worker thread).
  bool Enter() {
    if (!error_.empty()) return false;
    return Check(cudaSetDevice(facts_.ordinal), "cudaSetDevice");
  }
  // Host -> device copy on the stream, waited for (setup paths only).
  bool Upload(void* dst, const void* src, uint64_t bytes, const char* what) {
    if (bytes == 0) return true;
    return Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_.get()), what) &&
           Check(cudaStreamSynchronize(stream_.get()), what);
  }
  bool Download(void* dst, const void* src, uint64_t bytes, const char* what) {
    if (bytes == 0) return true;
    return Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_.get()), what) &&
           Check(cudaStreamSynchronize(stream_.get()), what);
  }
  bool Zero(void* dst, uint64_t bytes, const char* what) {
    return bytes == 0 || Check(cudaMemsetAsync(dst, 0, bytes, stream_.get()), what);
  }

  // ---- bookkeeping, as in the CPU executors ----

  void SetSeeds(const uint32_t* seeds, const uint8_t* mask) {
    if (!Enter() || !PullEpisodes()) return;
    book_.SetSeeds(seeds, mask, seeds_.data(), episode_.data());
    if (Upload(d_view_.seeds, seeds_.data(), seeds_.size() * 4, "seeds")) PushEpisodes();
  }

  void Uninitialize(int64_t e) { book_.Uninitialize(e); }

  int64_t FirstUninitialized() const { return book_.FirstUninitialized(); }

  // Before a reset kernel: episode counters of the masked envs, the mask on the device (nullptr
  // for all envs; copied before anything runs, so it may alias the io arena). False on error.
  bool BeginReset(const uint8_t* mask, const uint8_t** device_mask) {
    *device_mask = nullptr;
    if (!Enter() || !PullEpisodes()) return false;
    book_.StartEpisodes(mask, episode_.data());
    if (mask) {
      if (!Upload(d_small_.get() + 64, mask, static_cast<uint64_t>(p_.num_envs), "reset mask")) return false;
      *device_mask = d_small_.get() + 64;
    }
    return PushEpisodes() && ClearFirst();
  }

  // Before a step kernel: the actions, host arena -> staging -> device.
  bool BeginStep() {
    if (!Enter()) return false;
    ClearFresh();
    std::memcpy(h_stage_.get() + io_offsets_[0], h_io_ + io_offsets_[0], io_sizes_[0]);
    return Check(cudaMemcpyAsync(d_io_.get() + io_offsets_[0], h_stage_.get() + io_offsets_[0], io_sizes_[0],
                                 cudaMemcpyHostToDevice, stream_.get()),
                 "actions host -> device") &&
           ClearFirst();
  }

  bool Launched(const char* what) { return Check(cudaGetLastError(), what); }

  // After a kernel: every output device -> staging -> host arena; the lowest env with a status
  // bit, or -1.
  int64_t Finish() {
    if (!error_.empty() || !QueueOutputs()) return -1;
    if (!Check(cudaStreamSynchronize(stream_.get()), "step")) return -1;
    return DeliverOutputs();
  }

  // Runs `steps` steps with actions given up front (see MapfCuda::Rollout); launch(view) launches
  // one step kernel with that view.
  template <class Launch>
  int64_t Rollout(int32_t steps, const Action* actions, float* rewards, uint8_t* terminations, uint8_t* truncations,
                  uint8_t* episode_done, Launch launch) {
    if (!Enter()) return -1;
    const uint64_t e = static_cast<uint64_t>(p_.num_envs), ea = e * static_cast<uint64_t>(T::agents(p_));
    const uint64_t n = static_cast<uint64_t>(steps), per_step = static_cast<uint64_t>(io_fields_[0].count);
    const uint64_t r_off = align_up(n * per_step * sizeof(Action), 256), t_off = align_up(r_off + n * ea * 4, 256);
    const uint64_t u_off = align_up(t_off + n * ea, 256), d_off = align_up(u_off + n * ea, 256), total = d_off + n * e;
    if (d_roll_.bytes() < total || h_roll_.bytes() < total) {
      h_roll_.Free();
      cudaError_t err = d_roll_.Allocate(total);
      if (err == cudaSuccess) err = h_roll_.Allocate(total);
      if (err != cudaSuccess) {
        cudaGetLastError();  // an allocation failure is not sticky
        d_roll_.Free();
        h_roll_.Free();
        rollout_error_ = describe(err, ("allocating " + std::to_string(total) + " bytes of rollout buffers").c_str());
        return kRolloutNoMemory;
      }
    }
    ClearFresh();
    std::memcpy(h_roll_.get(), actions, n * per_step * sizeof(Action));
    if (!Check(cudaMemcpyAsync(d_roll_.get(), h_roll_.get(), n * per_step * sizeof(Action), cudaMemcpyHostToDevice,
                               stream_.get()),
               "rollout actions host -> device") ||
        !ClearFirst())
      return -1;
    uint8_t* d = d_roll_.get();
    const RolloutSlices out{reinterpret_cast<float*>(d + r_off), d + t_off, d + u_off, d + d_off};
    const Action* d_actions = reinterpret_cast<const Action*>(d);
    for (int32_t t = 0; t < steps; ++t) {
      launch(rollout_view(d_view_, d_actions, static_cast<int64_t>(per_step), out, t, static_cast<int64_t>(ea),
                          static_cast<int64_t>(e)));
      if (!Launched("rollout step kernel")) return -1;
    }
    // The io arena gets the last step's rewards and flags, as after a step.
    cudaStream_t s = stream_.get();
    const uint64_t last = n - 1;
    if (!Check(cudaMemcpyAsync(d_view_.rewards, out.rewards + last * ea, ea * 4, cudaMemcpyDeviceToDevice, s), "rollout") ||
        !Check(cudaMemcpyAsync(d_view_.terminations, out.terminations + last * ea, ea, cudaMemcpyDeviceToDevice, s), "rollout") ||
        !Check(cudaMemcpyAsync(d_view_.truncations, out.truncations + last * ea, ea, cudaMemcpyDeviceToDevice, s), "rollout") ||
        !Check(cudaMemcpyAsync(d_view_.episode_done, out.episode_done + last * e, e, cudaMemcpyDeviceToDevice, s), "rollout") ||
        !Check(cudaMemcpyAsync(h_roll_.get() + r_off, d + r_off, total - r_off, cudaMemcpyDeviceToHost, s),
               "rollout outputs device -> host") ||
        !QueueOutputs() || !Check(cudaStreamSynchronize(s), "rollout"))
      return -1;
    std::memcpy(rewards, h_roll_.get() + r_off, n * ea * 4);
    std::memcpy(terminations, h_roll_.get() + t_off, n * ea);
    std::memcpy(truncations, h_roll_.get() + u_off, n * ea);
    std::memcpy(episode_done, h_roll_.get() + d_off, n * e);
    return DeliverOutputs();
  }

 private:
  void Need(cudaError_t err, const char* what) {
    if (err != cudaSuccess) {
      cudaGetLastError();
      throw std::runtime_error(describe(err, what));
    }
  }
  void ClearFresh() { book_.StepTaken(); }
  bool ClearFirst() {
    return Check(cudaMemsetAsync(d_small_.get(), 0x7f, 4, stream_.get()), "cudaMemsetAsync(first env)");
  }
  // Episode counters advance on the device (autoreset): the host edits a fresh copy.
  bool PullEpisodes() { return Download(episode_.data(), d_view_.episode, episode_.size() * 4, "episode counters"); }
  bool PushEpisodes() { return Upload(d_view_.episode, episode_.data(), episode_.size() * 4, "episode counters"); }
  bool QueueOutputs() {
    cudaStream_t s = stream_.get();
    if (io_end_ > out_begin_ &&
        !Check(cudaMemcpyAsync(h_stage_.get() + out_begin_, d_io_.get() + out_begin_, io_end_ - out_begin_,
                               cudaMemcpyDeviceToHost, s),
               "outputs device -> host"))
      return false;
    if (T::autoreset_disabled(p_) &&
        !Check(cudaMemcpyAsync(h_small_.get() + 64, d_view_.needs_reset, static_cast<uint64_t>(p_.num_envs),
                               cudaMemcpyDeviceToHost, s),
               "needs_reset device -> host"))
      return false;
    return Check(cudaMemcpyAsync(h_small_.get(), d_small_.get(), 4, cudaMemcpyDeviceToHost, s), "first env");
  }
  // Copies each output field (not the padding between fields) from staging into the caller's arena.
  int64_t DeliverOutputs() {
    for (int i = 1; i < num_io_; ++i)
      if (io_sizes_[i] > 0) std::memcpy(h_io_ + io_offsets_[i], h_stage_.get() + io_offsets_[i], io_sizes_[i]);
    int32_t first;
    std::memcpy(&first, h_small_.get(), 4);
    return first == kNoEnv ? -1 : first;
  }

  Params p_;
  View h_view_{};  // io in the caller's arena, needs_reset in h_small_, the rest device addresses
  View d_view_{};  // everything on the device
  uint8_t* h_io_;
  DeviceFacts facts_;
  DeviceBuffer d_state_, d_io_;
  DeviceBuffer d_small_;   // [64] first env with a status bit (int32 at 0); [E] reset mask at 64
  PinnedBuffer h_small_;   // [64] first env; [E] needs_reset mirror at 64
  PinnedBuffer h_stage_;   // the io arena's layout, [io_end_]
  DeviceBuffer d_roll_;    // rollout: actions, rewards, terminations, truncations, episode_done
  PinnedBuffer h_roll_;
  Stream stream_;
  FieldSpec io_fields_[T::kMaxFields];
  uint64_t io_offsets_[T::kMaxFields] = {};
  uint64_t io_sizes_[T::kMaxFields] = {};
  int num_io_ = 0;
  uint64_t io_end_ = 0, out_begin_ = 0;  // outputs span [out_begin_, io_end_) (actions come first)
  std::vector<uint32_t> seeds_, episode_;
  EpisodeBook book_;  // fresh / initialized state of every env, as in the CPU executors
  const char* bind_error_ = nullptr;
  std::string error_, rollout_error_;
};

}  // namespace mw::cuda
