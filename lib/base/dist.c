/* dist.c: the MPI calls behind dist.h; without INFOGAN_MPI, one process. */
#include "base/dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

/* Rank r's part [lo, hi) of a piece of n floats, in multiples of 16 floats. */
static void part_of(size_t n, int r, size_t *lo, size_t *hi);

#ifdef INFOGAN_MPI
#include <mpi.h>

static bool active;
static int rank, size = 1;
static uint64_t sum_calls, sum_bytes, sum_pieces;
static int *shard_counts, *shard_starts; /* (size): the ranks' parts of the piece at hand */

static void finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
}

static void abort_job(void)
{
    fprintf(stderr, "(MPI rank %d of %d: stopping the whole job)\n", rank, size);
    /* Time for the launcher to pass the message on before it tears the job down. */
    usleep(300000);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Started by an MPI launcher: OpenMPI's mpirun, or a PMI/PMIx launcher such as srun. */
static bool launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

void dist_init(int *argc, char ***argv)
{
    if (active || !launched()) return;
    int provided;
    CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS,
          "MPI_Init failed: this program was started by an MPI launcher that it cannot join");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    shard_counts = xcalloc((size_t)size, sizeof(int));
    shard_starts = xcalloc((size_t)size, sizeof(int));
    active = true;
    atexit(finalize);
    util_on_die(abort_job);
}

/* The ranks' parts of a piece of n floats, as MPI counts and offsets. */
static void split(size_t n)
{
    for (int r = 0; r < size; r++) {
        size_t lo, hi;
        part_of(n, r, &lo, &hi);
        shard_starts[r] = (int)lo, shard_counts[r] = (int)(hi - lo);
    }
}

void dist_sum_to_shard(const float *buf, size_t n, float *shard)
{
    for (size_t at = 0; at < n; at += DIST_PIECE) {
        size_t len = n - at < DIST_PIECE ? n - at : DIST_PIECE;
        if (size == 1) {
            memcpy(shard, buf + at, len * sizeof *buf);
            shard += len;
            continue;
        }
        split(len);
        MPI_Reduce_scatter(buf + at, shard, shard_counts, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        shard += shard_counts[rank];
        sum_calls++, sum_pieces++, sum_bytes += len * sizeof *buf;
    }
}

void dist_gather_shards(float *buf, size_t n)
{
    if (size == 1) return;
    for (size_t at = 0; at < n; at += DIST_PIECE) {
        split(n - at < DIST_PIECE ? n - at : DIST_PIECE);
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, buf + at, shard_counts, shard_starts, MPI_FLOAT,
                       MPI_COMM_WORLD);
    }
}

void dist_sum_doubles(double *buf, size_t n)
{
    if (size == 1) return;
    MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    sum_calls++, sum_bytes += n * sizeof *buf;
}

double dist_max(double x)
{
    if (size > 1) MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return x;
}

bool dist_any(bool x)
{
    int v = x;
    if (size > 1) MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return v != 0;
}

const char *dist_library(void)
{
    static char name[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(name, &len);
    name[strcspn(name, ",\n")] = 0;
    return name;
}
#else
static const int rank = 0, size = 1;
static const uint64_t sum_calls = 0, sum_bytes = 0, sum_pieces = 0;
void dist_init(int *argc, char ***argv) { (void)argc, (void)argv; }
void dist_sum_doubles(double *buf, size_t n) { (void)buf, (void)n; }
void dist_sum_to_shard(const float *buf, size_t n, float *shard) { memcpy(shard, buf, n * sizeof *buf); }
void dist_gather_shards(float *buf, size_t n) { (void)buf, (void)n; }
double dist_max(double x) { return x; }
bool dist_any(bool x) { return x; }
const char *dist_library(void) { return "none"; }
#endif

int dist_rank(void) { return rank; }
int dist_size(void) { return size; }
void dist_traffic(uint64_t *calls, uint64_t *bytes, uint64_t *pieces)
{
    *calls = sum_calls, *bytes = sum_bytes, *pieces = sum_pieces;
}

static void part_of(size_t n, int r, size_t *lo, size_t *hi)
{
    size_t chunk = ((n + (size_t)size - 1) / (size_t)size + 15) / 16 * 16;
    *lo = (size_t)r * chunk < n ? (size_t)r * chunk : n;
    *hi = *lo + chunk < n ? *lo + chunk : n;
}

int dist_shard(size_t n, size_t (*range)[2], int max)
{
    int count = 0;
    for (size_t at = 0; at < n; at += DIST_PIECE) {
        size_t lo, hi;
        part_of(n - at < DIST_PIECE ? n - at : DIST_PIECE, rank, &lo, &hi);
        CHECK(count < max, "dist_shard: a block of %zu floats has more than %d pieces", n, max);
        range[count][0] = at + lo, range[count][1] = at + hi;
        count++;
    }
    return count;
}

bool dist_same_everywhere(const float *buf, size_t n)
{
    if (size == 1) return true;
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the bytes */
    const unsigned char *p = (const unsigned char *)buf;
    for (size_t i = 0; i < n * sizeof(float); i++) h = (h ^ p[i]) * 1099511628211ull;
    /* Equal everywhere iff the smallest and the largest hash agree. */
    double lo = (double)(h >> 11), hi = dist_max(lo);
    return !dist_any(lo != hi);
}

bool dist_fault_skip_allreduce(void)
{
    const char *f = getenv("INFOGAN_DIST_FAULT");
    return f && strcmp(f, "skip-allreduce") == 0;
}
