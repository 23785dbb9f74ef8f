// A persistent thread pool for batched env loops: the calling thread works as slot 0 and
// threads-1 workers join it. Each slot owns the same contiguous share of the items on every call
// (so an env's state stays in the cache of the core that stepped it last) and takes it in chunks
// from an atomic counter; a slot done with its share takes chunks left in the others'. Each call
// passes the worker's slot so env code can use per-slot scratch. Not for device code.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mw {

// fn(ctx, begin, end, slot) processes items [begin, end) with scratch slot `slot`.
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end, int32_t slot);

class ThreadPool {
 public:
  // How long a worker waiting for the next call, or the caller waiting for the workers, spins
  // before it sleeps on a condition variable. Waking a sleeping thread took 30-60 us on the
  // development VM, more than a whole step of a few hundred small envs; a step loop calls again
  // within microseconds, so the spin usually catches it, and an idle pool sleeps after this long.
  static constexpr int64_t kSpinMicros = 50;

  explicit ThreadPool(int32_t threads) : threads_(threads < 1 ? 1 : threads) {
    for (int32_t slot = 1; slot < threads_; ++slot) workers_.emplace_back([this, slot] { Worker(slot); });
  }
  ~ThreadPool() { Stop(); }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int32_t size() const { return threads_; }

  // Runs fn over [0, n) and returns when every item is done. One call at a time.
  void ParallelFor(int64_t n, RangeFn fn, void* ctx) {
    if (n <= 0) return;
    int64_t chunk = n / (static_cast<int64_t>(threads_) * 4);
    if (chunk < 1) chunk = 1;
    if (threads_ == 1 || n == 1) {
      fn(ctx, 0, n, 0);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = fn;
      ctx_ = ctx;
      chunk_ = chunk;
      for (int32_t t = 0; t < threads_; ++t) {
        shares_[t].next.store(n * t / threads_, std::memory_order_relaxed);
        shares_[t].end = n * (t + 1) / threads_;
      }
      busy_workers_.store(threads_ - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);  // publishes the fields above
    }
    wake_.notify_all();
    Drain(0);
    const auto finished = [this] { return busy_workers_.load(std::memory_order_acquire) == 0; };
    if (SpinUntil(finished)) return;
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, finished);
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_.load(std::memory_order_relaxed)) return;
      stopping_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

 private:
  static void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Spins until pred() holds or kSpinMicros pass; returns pred()'s last value.
  template <class Pred>
  static bool SpinUntil(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
    for (uint32_t i = 1;; ++i) {
      if (pred()) return true;
      CpuRelax();
      if ((i & 63) == 0 && std::chrono::steady_clock::now() >= deadline) return pred();
    }
  }

  // The slot's own share first, then what is left of the others'.
  void Drain(int32_t slot) {
    for (int32_t k = 0; k < threads_; ++k) {
      Share& share = shares_[(slot + k) % threads_];
      for (;;) {
        const int64_t begin = share.next.fetch_add(chunk_, std::memory_order_relaxed);
        if (begin >= share.end) break;
        const int64_t end = begin + chunk_ < share.end ? begin + chunk_ : share.end;
        fn_(ctx_, begin, end, slot);
      }
    }
  }

  void Worker(int32_t slot) {
    uint64_t seen = 0;
    const auto called = [this, &seen] {
      return stopping_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
    };
    for (;;) {
      if (!SpinUntil(called)) {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, called);
      }
      if (stopping_.load(std::memory_order_acquire)) return;
      seen = generation_.load(std::memory_order_acquire);
      Drain(slot);
      if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);  // the caller checks under the lock before it sleeps
        done_.notify_one();
      }
    }
  }

  const int32_t threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::atomic<uint64_t> generation_{0};  // calls so far; written under mu_, read spinning
  std::atomic<int32_t> busy_workers_{0};  // workers not yet done with the current call
  std::atomic<bool> stopping_{false};
  // Items [next, end) of one slot's share not yet taken (a line each: every chunk taken writes it).
  struct alignas(64) Share {
    std::atomic<int64_t> next{0};
    int64_t end = 0;
  };
  RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t chunk_ = 1;
  std::unique_ptr<Share[]> shares_{new Share[static_cast<size_t>(threads_)]};
};

}  // namespace mw
