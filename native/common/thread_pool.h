// A persistent thread pool for batched env loops: the calling thread works as slot 0 and
// threads-1 workers join it. Work is handed out in chunks from an atomic counter; each call
// passes the worker's slot so env code can use per-slot scratch. Not for device code.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mw {

// fn(ctx, begin, end, slot) processes items [begin, end) with scratch slot `slot`.
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end, int32_t slot);

class ThreadPool {
 public:
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
      n_ = n;
      chunk_ = chunk;
      next_.store(0, std::memory_order_relaxed);
      busy_workers_ = threads_ - 1;
      ++generation_;
    }
    wake_.notify_all();
    Drain(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return busy_workers_ == 0; });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

 private:
  void Drain(int32_t slot) {
    for (;;) {
      const int64_t begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
      if (begin >= n_) return;
      const int64_t end = begin + chunk_ < n_ ? begin + chunk_ : n_;
      fn_(ctx_, begin, end, slot);
    }
  }

  void Worker(int32_t slot) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      Drain(slot);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (--busy_workers_ == 0) done_.notify_one();
      }
    }
  }

  const int32_t threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  uint64_t generation_ = 0;
  int32_t busy_workers_ = 0;
  bool stopping_ = false;
  RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0, chunk_ = 1;
  std::atomic<int64_t> next_{0};
};

}  // namespace mw
