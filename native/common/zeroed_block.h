// A zero-filled, 64-byte aligned block of memory for a batch's state arena.
//
// Large blocks (kMappedBytes and up) come straight from the kernel with mmap, already zero, so no
// page is touched until the batch writes it, and on Linux they ask for transparent huge pages: on
// a VM every first touch of a 4 KiB page is a trap costing microseconds. Measured on the 2-core
// development VM, zeroing 2 GiB of fresh memory took 6.7-7.4 s with 4 KiB pages and 1.8 s with
// 2 MiB ones; a RideDispatch-v0 city of 4096 zones holds 1.6 GB of destination tables. Small
// blocks come from calloc.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mw {

// Transparent huge page size with 4 KiB base pages (x86-64, most arm64).
constexpr uint64_t kHugePageBytes = uint64_t{2} << 20;

// Asks the kernel to back the 2 MiB aligned pages inside [p, p + bytes) with transparent huge
// pages when they are first touched (Linux; elsewhere, and where the kernel says no, nothing
// changes; kernels with 16 or 64 KiB base pages have larger huge pages and may use none here).
// Advice only: the memory's contents and ownership are untouched.
inline void advise_huge_pages(void* p, uint64_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = static_cast<uintptr_t>(kHugePageBytes);
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(bytes)) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), static_cast<size_t>(end - begin), MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

class ZeroedBlock {
 public:
  static constexpr uint64_t kMappedBytes = uint64_t{4} << 20;  // mmap from 4 MiB up
  static constexpr uint64_t kHugePage = kHugePageBytes;       // mapped blocks start on a huge-page boundary

  ZeroedBlock() = default;

  // Throws std::bad_alloc if the memory cannot be had.
  explicit ZeroedBlock(uint64_t bytes) {
    const uint64_t want = bytes + 64;  // room to align the start to a cache line
#if defined(__linux__)
    if (want >= kMappedBytes) {
      // One huge page more than needed, so the block can start on a huge-page boundary.
      const uint64_t mapped = want + kHugePage;
      void* p = mmap(nullptr, static_cast<size_t>(mapped), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      raw_ = p;
      raw_bytes_ = mapped;
      mapped_ = true;
      data_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1));
      advise_huge_pages(data_, want);
      return;
    }
#endif
    raw_ = std::calloc(1, static_cast<size_t>(want));
    if (raw_ == nullptr) throw std::bad_alloc();
    data_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw_) + 63) & ~uintptr_t{63});
  }

  ZeroedBlock(const ZeroedBlock&) = delete;
  ZeroedBlock& operator=(const ZeroedBlock&) = delete;
  ZeroedBlock(ZeroedBlock&& o) noexcept { swap(o); }
  ZeroedBlock& operator=(ZeroedBlock&& o) noexcept {
    ZeroedBlock gone(std::move(*this));
    swap(o);
    return *this;
  }
  ~ZeroedBlock() {
    if (raw_ == nullptr) return;
#if defined(__linux__)
    if (mapped_) {
      munmap(raw_, static_cast<size_t>(raw_bytes_));
      return;
    }
#endif
    std::free(raw_);
  }

  // Start of the block, 64-byte aligned (2 MiB aligned for mapped blocks); nullptr when empty.
  uint8_t* data() const { return data_; }

 private:
  void swap(ZeroedBlock& o) noexcept {
    std::swap(raw_, o.raw_);
    std::swap(data_, o.data_);
    std::swap(raw_bytes_, o.raw_bytes_);
    std::swap(mapped_, o.mapped_);
  }

  void* raw_ = nullptr;     // what was allocated (mmap or calloc)
  uint8_t* data_ = nullptr;  // the aligned start handed out
  uint64_t raw_bytes_ = 0;  // bytes mapped (mapped blocks)
  bool mapped_ = false;     // from mmap, freed with munmap
};

}  // namespace mw
