// Field lists of a batch's arenas: every env's layout header names its buffers with element
// sizes and counts, and the executor packs them at 64-byte aligned offsets.
#pragma once
#include <cstdint>

namespace mw {

struct FieldSpec {
  const char* name;   // camelCase name used by the TypeScript layout
  int32_t elem_size;  // bytes per element
  int64_t count;      // elements
};

// Packs fields at 64-byte aligned offsets; returns the total bytes.
inline uint64_t pack_fields(const FieldSpec* f, int n, uint64_t* offsets) {
  uint64_t at = 0;
  for (int i = 0; i < n; ++i) {
    at = (at + 63) / 64 * 64;
    offsets[i] = at;
    at += static_cast<uint64_t>(f[i].count) * static_cast<uint64_t>(f[i].elem_size);
  }
  return at;
}

// Points io[i] at `io` + offsets[i] for each of the n io fields, after checking that every field
// is aligned to its element size and lies inside the `io_bytes` caller buffer. Returns nullptr on
// success, else the name of the first field that does not fit.
inline const char* place_io_fields(const FieldSpec* f, int n, uint8_t* io, uint64_t io_bytes, const uint64_t* offsets,
                                   void** fields) {
  for (int i = 0; i < n; ++i) {
    const uint64_t need = static_cast<uint64_t>(f[i].count) * static_cast<uint64_t>(f[i].elem_size);
    if (offsets[i] % static_cast<uint64_t>(f[i].elem_size) != 0 || offsets[i] > io_bytes || need > io_bytes - offsets[i])
      return f[i].name;
    fields[i] = io + offsets[i];
  }
  return nullptr;
}

}  // namespace mw
