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

// Device memory, freed with the object. Allocate() may be called again to grow (contents lost).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { Free(); }
  cudaError_t Allocate(size_t bytes) {
    Free();
    if (bytes == 0) bytes = 64;  // keep a valid pointer for empty fields
    const cudaError_t err = cudaMalloc(&ptr_, bytes);
    if (err != cudaSuccess) {
      ptr_ = nullptr;
      return err;
    }
    bytes_ = bytes;
    return cudaSuccess;
  }
  void Free() {
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    bytes_ = 0;
  }
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Page-locked host memory: the staging area every host<->device copy goes through, so copies are
// true DMA transfers that run asynchronously on the batch's stream.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { Free(); }
  cudaError_t Allocate(size_t bytes) {
    Free();
    if (bytes == 0) bytes = 64;
    const cudaError_t err = cudaMallocHost(&ptr_, bytes);
    if (err != cudaSuccess) {
      ptr_ = nullptr;
      return err;
    }
    bytes_ = bytes;
    return cudaSuccess;
  }
  void Free() {
    if (ptr_) cudaFreeHost(ptr_);
    ptr_ = nullptr;
    bytes_ = 0;
  }
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

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
