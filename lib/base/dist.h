/* dist.h: data-parallel training over MPI ranks. Every rank holds the whole model; each
 * step's batch is split across the ranks, and what the one-process step sums over the batch
 * (gradients, batch-norm statistics, the logged losses) is summed across them.
 *
 * One process (rank 0 of 1, every call a no-op) when the build has no MPI (make MPI=0) or
 * the program was not started by an MPI launcher (mpirun, srun). */
#ifndef DIST_H
#define DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Joins the MPI job when an MPI launcher started this process (else nothing); call once at
 * the start of main. A die() afterwards aborts every rank (MPI_Abort), and normal exit
 * finalizes MPI. */
void dist_init(int *argc, char ***argv);
int dist_rank(void);
int dist_size(void);
/* In-place sums over the ranks (every rank gets the same result). */
void dist_sum_floats(float *buf, size_t n);
void dist_sum_doubles(double *buf, size_t n);
/* The largest x over the ranks; whether any rank passed true. */
double dist_max(double x);
bool dist_any(bool x);
/* Whether every rank holds the same n floats (a hash compared across ranks). */
bool dist_same_everywhere(const float *buf, size_t n);
/* Sums made across the ranks so far (dist_sum_floats and dist_sum_doubles): calls and bytes
 * handed in by this rank (0 with one process). */
void dist_traffic(uint64_t *calls, uint64_t *bytes);
/* The MPI library's name and version ("none" without MPI). */
const char *dist_library(void);
/* For the tests (INFOGAN_DIST_FAULT=skip-allreduce): gradient sums are skipped. */
bool dist_fault_skip_allreduce(void);

#endif
