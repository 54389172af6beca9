/* ops_neon.c: the activations, softmax, bias and Adam of simd/ops_simd.h on NEON. */
#include "vec_neon.h"

/* Threads only for arrays that take about a millisecond on one core: on a loaded machine a
 * parallel region can wait a whole scheduler slice for its second thread. Memory-bound
 * kernels (ReLU, bias, Adam) need this many floats; transcendental ones (exp, tanh) fewer. */
#define PAR_MIN_FLOATS ((size_t)1 << 23)
#define PAR_MIN_FLOATS_EXP ((size_t)1 << 21)
#define PAR_MIN_FLOATS_ADAM PAR_MIN_FLOATS

#include "simd/ops_simd.h"
