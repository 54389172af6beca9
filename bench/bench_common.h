/* bench_common.h: pieces the benchmarks share: a monotonic clock, this CPU's multiply-add
 * peak (independent FMA or VDPBF16PS chains on registers, TDPBF16PS on tiles, per thread)
 * and a short name of the CPU model. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <omp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "gemm.h"
#include "kernels.h"
#include "report/provenance.h"

static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- FMA peak: independent FMAs on registers, per thread ---- */

#define PEAK_ITERS 5000000L

#if defined(__x86_64__)
/* 12 independent ymm chains (2 FMA pipes x 4-5 cycles latency need >= 10). */
__attribute__((target("avx2,fma"))) static float fma_loop_avx2(long iters, float seed)
{
    __m256 m = _mm256_set1_ps(0.999999f), d = _mm256_set1_ps(1e-7f);
    /* distinct starting values, so the compiler cannot merge the chains */
    __m256 c0 = _mm256_set1_ps(seed), c1 = _mm256_set1_ps(seed + 1), c2 = _mm256_set1_ps(seed + 2);
    __m256 c3 = _mm256_set1_ps(seed + 3), c4 = _mm256_set1_ps(seed + 4), c5 = _mm256_set1_ps(seed + 5);
    __m256 c6 = _mm256_set1_ps(seed + 6), c7 = _mm256_set1_ps(seed + 7), c8 = _mm256_set1_ps(seed + 8);
    __m256 c9 = _mm256_set1_ps(seed + 9), c10 = _mm256_set1_ps(seed + 10), c11 = _mm256_set1_ps(seed + 11);
    for (long i = 0; i < iters; i++) {
        c0 = _mm256_fmadd_ps(c0, m, d); c1 = _mm256_fmadd_ps(c1, m, d);
        c2 = _mm256_fmadd_ps(c2, m, d); c3 = _mm256_fmadd_ps(c3, m, d);
        c4 = _mm256_fmadd_ps(c4, m, d); c5 = _mm256_fmadd_ps(c5, m, d);
        c6 = _mm256_fmadd_ps(c6, m, d); c7 = _mm256_fmadd_ps(c7, m, d);
        c8 = _mm256_fmadd_ps(c8, m, d); c9 = _mm256_fmadd_ps(c9, m, d);
        c10 = _mm256_fmadd_ps(c10, m, d); c11 = _mm256_fmadd_ps(c11, m, d);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                             _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    return _mm256_cvtss_f32(s);
}
#define FMA_LOOP_AVX2_FLOPS (12.0 * 8 * 2)

/* 24 independent zmm chains of FMAs (16 multiply-adds each), or with bf16 of VDPBF16PS (32
 * each, the avx512bf16 GEMM's instruction). */
__attribute__((target("avx512f,avx512bf16"))) static float fma_loop_avx512(long iters, float seed,
                                                                          bool bf16)
{
    __m512 m = _mm512_set1_ps(0.999999f), d = _mm512_set1_ps(1e-7f);
    __m512 c[24];
    for (int j = 0; j < 24; j++) c[j] = _mm512_set1_ps(seed + (float)j); /* distinct chains */
    if (bf16) { /* no BF16 instruction outside this branch: the f32 loop runs on any AVX-512 */
        __m512bh mh = _mm512_cvtne2ps_pbh(m, m), dh = _mm512_cvtne2ps_pbh(d, d);
        for (long i = 0; i < iters; i++) {
#pragma GCC unroll 24
            for (int j = 0; j < 24; j++) c[j] = _mm512_dpbf16_ps(c[j], mh, dh);
        }
    } else
        for (long i = 0; i < iters; i++) {
#pragma GCC unroll 24
            for (int j = 0; j < 24; j++) c[j] = _mm512_fmadd_ps(c[j], m, d);
        }
    __m512 s = c[0];
    for (int j = 1; j < 24; j++) s = _mm512_add_ps(s, c[j]);
    return _mm512_reduce_add_ps(s);
}
#define FMA_LOOP_AVX512_FLOPS (24.0 * 16 * 2)
#define DPBF16_LOOP_FLOPS (24.0 * 32 * 2)

/* AMX: TDPBF16PS into 4 accumulator tiles (16 x 16 f32) from 2 a and 2 b tiles (16 x 32
 * bfloat16), the amx GEMM's 2x2 step without its loads: 4 x 16 x 16 x 32 multiply-adds per
 * iteration, on the tiles as the GEMM configures them. The caller has the tile permission
 * (kern_isa_supported(KERN_AMX) asked for it). */
__attribute__((target("amx-tile,amx-bf16"))) static float tdp_loop_amx(long iters)
{
    _Alignas(64) uint16_t ab[16 * 32];
    for (int i = 0; i < 16 * 32; i++) ab[i] = 0x3a83; /* bfloat16 1e-3 */
    _Alignas(64) float c[16 * 16];
    gemm_amx_tiles_ready();
    _tile_zero(0); /* tile numbers are immediates */
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    _tile_loadd(4, ab, 64);
    _tile_loadd(5, ab, 64);
    _tile_loadd(6, ab, 64);
    _tile_loadd(7, ab, 64);
    for (long i = 0; i < iters; i++) {
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, c, 64);
    return c[0];
}
#define TDP_LOOP_AMX_FLOPS (4.0 * 16 * 16 * 32 * 2)
#endif

/* FLOPs (2 x multiply-adds) of one iteration of isa's peak loop: FMA (avx2, avx512),
 * VDPBF16PS (avx512bf16) or TDPBF16PS (amx); 0 where there is none (scalar, NEON). */
static inline double peak_loop_flops(kern_isa isa)
{
#if defined(__x86_64__)
    if (isa == KERN_AVX2) return FMA_LOOP_AVX2_FLOPS;
    if (isa == KERN_AVX512) return FMA_LOOP_AVX512_FLOPS;
    if (isa == KERN_AVX512_BF16) return DPBF16_LOOP_FLOPS;
    if (isa == KERN_AMX) return TDP_LOOP_AMX_FLOPS;
#endif
    (void)isa;
    return 0.0;
}

/* Iterations of isa's peak loop per measurement (a TDPBF16PS step is 8x the FLOPs of an
 * AVX-512 FMA step, and about 8x its cycles). */
static inline long peak_loop_iters(kern_isa isa)
{
    return isa == KERN_AMX ? PEAK_ITERS / 8 : PEAK_ITERS;
}

/* Runs isa's peak loop (one with peak_loop_flops > 0). */
static inline float peak_loop(kern_isa isa)
{
    const long iters = peak_loop_iters(isa);
#if defined(__x86_64__)
    if (isa == KERN_AVX2) return fma_loop_avx2(iters, 1.0f);
    if (isa == KERN_AMX) return tdp_loop_amx(iters);
    return fma_loop_avx512(iters, 1.0f, isa == KERN_AVX512_BF16);
#else
    (void)isa, (void)iters;
    return 0.0f;
#endif
}

/* GFLOP/s of isa's peak loop on `threads` threads, best of reps; 0 where there is none. */
static inline double bench_fma_peak(kern_isa isa, int threads, int reps)
{
    const double flops = peak_loop_flops(isa) * (double)peak_loop_iters(isa) * threads;
    if (flops == 0.0) return 0.0;
    volatile float sink = 0.0f;
    double best = 0.0;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
#pragma omp parallel num_threads(threads)
        {
            float v = peak_loop(isa);
#pragma omp atomic
            sink += v;
        }
        double gflops = flops / (bench_now() - t0) * 1e-9;
        if (gflops > best) best = gflops;
    }
    (void)sink;
    return best;
}

/* /proc/loadavg's line ("unknown" where there is none): other processes share the cores, and
 * the load average at the start says how quiet a run was. */
static inline void bench_load_average(char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fgets(out, (int)len, f)) out[strcspn(out, "\n")] = '\0';
    if (f) fclose(f);
}

/* A short slug of /proc/cpuinfo's model name and its family/model numbers, e.g.
 * "amd-epyc-f26m2": a virtual machine may show only "AMD EPYC" for several generations. */
static inline void bench_cpu_slug(char *out, size_t len, char *model, size_t model_len)
{
    snprintf(model, model_len, "unknown");
    int family = -1, number = -1;
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    bool named = false;
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        if (!named && (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0)) {
            snprintf(model, model_len, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            named = true;
        } else if (family < 0 && strncmp(line, "cpu family", 10) == 0) {
            family = atoi(colon + 1);
        } else if (number < 0 && strncmp(line, "model\t", 6) == 0) {
            number = atoi(colon + 1);
        }
        if (named && family >= 0 && number >= 0) break;
    }
    if (f) fclose(f);
    size_t o = 0;
    const char *skip[] = {"processor", "cpu", "(r)", "(tm)", "with"};
    char copy[256];
    snprintf(copy, sizeof copy, "%s", model);
    for (char *w = strtok(copy, " \t"); w && o + 1 < len; w = strtok(NULL, " \t")) {
        for (char *p = w; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        if (w[0] == '@') break;
        bool skipped = false;
        for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) skipped |= strcmp(w, skip[i]) == 0;
        if (skipped) continue;
        if (o > 0 && o + 1 < len) out[o++] = '-';
        for (char *p = w; *p && o + 1 < len; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) out[o++] = *p;
    }
    out[o] = '\0';
    if (o == 0) snprintf(out, len, "unknown");
    if (family >= 0 && number >= 0) snprintf(out + strlen(out), len - strlen(out), "-f%dm%d", family, number);
}

/* What a benchmark row needs to say where it ran: the CPU and how busy the machine was. */
typedef struct {
    char model[256]; /* /proc/cpuinfo's model name */
    char slug[64];   /* its short form, in file names */
    char load[64];   /* /proc/loadavg at the start */
} bench_machine;

/* Reads this machine's CPU and load average, and notes both in prov. */
static inline void bench_machine_read(bench_machine *m, provenance *prov)
{
    bench_load_average(m->load, sizeof m->load);
    bench_cpu_slug(m->slug, sizeof m->slug, m->model, sizeof m->model);
    provenance_note(prov, "cpu", m->model);
    provenance_note(prov, "loadavg_at_start", m->load);
}

#endif
