// Host/device marker: one env source compiles for the CPU executor (g++) and CUDA (nvcc).
#pragma once
#if defined(__CUDACC__)
#define MW_HD __host__ __device__ __forceinline__
#define MW_HD_SMALL __host__ __device__ __forceinline__
#else
#define MW_HD inline
// Small math helpers (vector and quaternion algebra) that the host compiler must always inline.
#define MW_HD_SMALL inline __attribute__((always_inline))
#endif

// No-alias promise for hot loops (uint8_t stores otherwise alias everything).
#define MW_RESTRICT __restrict__
