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
void dist_sum_doubles(double *buf, size_t n);
/* A block of n floats is cut into pieces of at most DIST_PIECE floats, and each piece split
 * over the ranks in order, in multiples of 16 floats; a rank's shard is its part of every
 * piece. (Open MPI 4.1's reduce-scatter of 32 MiB or more allocates a temporary buffer that
 * glibc maps afresh on every call: Faces' 35 MB G block took 216 ms here, 16 ms in pieces.) */
#define DIST_PIECE ((size_t)1 << 22)
/* This rank's shard of a block of n: its ranges [lo, hi), at most max of them, in order; returns
 * their count (with one process, every piece whole). */
int dist_shard(size_t n, size_t (*range)[2], int max);
/* A ring allreduce in two halves, for an update that each rank makes to its own shard only:
 * the ranks' sum of buf (n) over this rank's shard, its ranges one after another in shard;
 * then every shard of buf (n) from the rank that owns it. */
void dist_sum_to_shard(const float *buf, size_t n, float *shard);
void dist_gather_shards(float *buf, size_t n);
/* The largest x over the ranks; whether any rank passed true. */
double dist_max(double x);
bool dist_any(bool x);
/* Whether every rank holds the same n floats (a hash compared across ranks). */
bool dist_same_everywhere(const float *buf, size_t n);
/* Sums made across the ranks so far (dist_sum_doubles, dist_sum_to_shard): calls and bytes
 * handed in by this rank, and how many of the calls were dist_sum_to_shard's pieces (0 with one
 * process). */
void dist_traffic(uint64_t *calls, uint64_t *bytes, uint64_t *pieces);
/* The MPI library's name and version ("none" without MPI). */
const char *dist_library(void);
/* For the tests (INFOGAN_DIST_FAULT=skip-allreduce): gradient sums are skipped. */
bool dist_fault_skip_allreduce(void);

#endif
