/* ops_avx2.c: the activations, softmax, bias and Adam of simd/ops_simd.h on AVX2+FMA. */
#include "vec_avx2.h"

/* Elementwise arrays are split over threads from 128K floats (transcendental kernels from
 * 32K): below that a parallel region costs more than it saves. With the MNIST iteration's
 * activations (0.8M-1.6M floats) serial, the other core's data was pulled across and the
 * iteration ran at 5.14 it/s on 2 threads; threaded from these sizes, 5.41 (median of 5
 * interleaved runs each, AVX-512, Zen 5; AVX2 3.39 -> 3.50). */
#define PAR_MIN_FLOATS ((size_t)1 << 17)
#define PAR_MIN_FLOATS_EXP ((size_t)1 << 15)
/* Adam reads 4 and writes 3 floats per element and divides twice: 6.7M parameters took
 * 7.3 ms on one core (AVX-512, Zen 5), so threads from 1M. */
#define PAR_MIN_FLOATS_ADAM ((size_t)1 << 20)

#include "simd/ops_simd.h"
