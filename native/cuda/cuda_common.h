// CUDA runtime helpers of the executors (nvcc translation units only): error text, device and
// pinned host buffers, a stream, all RAII and exception-free. Device code never reports through
// these: kernels write status bits and the lowest failing env index (env_index.h), and the host
// checks every runtime call and keeps the first failure as the batch's sticky error.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mw::cuda {

// "what: cudaErrorName (message)".
inline std::string describe(cudaError_t err, const char* what) {
  return std::string(what) + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
}

// Memory from one CUDA allocator, freed with the object by its matching release. Allocate() may
// be called again to grow (contents lost); an empty request still gets a valid 64-byte block.
template <cudaError_t (*kAllocate)(void**, size_t), cudaError_t (*kRelease)(void*)>
class CudaMemory {
 public:
  CudaMemory() = default;
  CudaMemory(const CudaMemory&) = delete;
  CudaMemory& operator=(const CudaMemory&) = delete;
  ~CudaMemory() { Free(); }
  cudaError_t Allocate(size_t bytes) {
    Free();
    if (bytes == 0) bytes = 64;  // keep a valid pointer for empty fields
    const cudaError_t err = kAllocate(&ptr_, bytes);
    if (err != cudaSuccess) {
      ptr_ = nullptr;
      return err;
    }
    bytes_ = bytes;
    return cudaSuccess;
  }
  void Free() {
    if (ptr_) kRelease(ptr_);
    ptr_ = nullptr;
    bytes_ = 0;
  }
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// The runtime's allocators as plain functions (cudaMalloc and cudaMallocHost are overloaded).
inline cudaError_t device_allocate(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
inline cudaError_t device_release(void* p) { return cudaFree(p); }
inline cudaError_t pinned_allocate(void** p, size_t bytes) { return cudaMallocHost(p, bytes); }
inline cudaError_t pinned_release(void* p) { return cudaFreeHost(p); }

// Device memory.
using DeviceBuffer = CudaMemory<device_allocate, device_release>;
// Page-locked host memory: the staging area every host<->device copy goes through, so copies are
// true DMA transfers that run asynchronously on the batch's stream.
using PinnedBuffer = CudaMemory<pinned_allocate, pinned_release>;

// A non-blocking stream owned by one batch: its copies and kernels run in order on it.
class Stream {
 public:
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (s_) cudaStreamDestroy(s_);
  }
  cudaError_t Create() { return cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking); }
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

// Device facts the executors size their launches with.
struct DeviceFacts {
  int32_t ordinal = 0;
  int32_t sms = 1;                  // streaming multiprocessors
  int32_t max_threads_per_sm = 1024;
};

}  // namespace mw::cuda
