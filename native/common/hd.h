// Host/device marker: one env source compiles for the CPU executor (g++) and CUDA (nvcc).
#pragma once
#if defined(__CUDACC__)
#define MW_HD __host__ __device__ __forceinline__
#else
#define MW_HD inline
#endif

// No-alias promise for hot loops (uint8_t stores otherwise alias everything).
#define MW_RESTRICT __restrict__
