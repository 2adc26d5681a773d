//! Matrix multiplication kernels (filled by the GEMM work).
