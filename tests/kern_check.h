/* kern_check.h: helpers shared by the kernel tests (random data, guard words, tolerances).
 * Only the kernel library is used, so these tests also run on aarch64 under qemu. */
#ifndef KERN_CHECK_H
#define KERN_CHECK_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "base/rng.h"
#include "scalar/scalar.h"

/* Floats after every output buffer that no kernel may touch. */
#define GUARD 16
#define GUARD_BITS 0x7fc0dead /* a NaN with a recognisable payload */

/* Deterministic generator (splitmix64 of base/rng.h), independent of the C library. */
typedef struct { uint64_t s; } test_rng;

/* Uniform in [lo, hi). */
static inline float test_uniform(test_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)((double)(splitmix64(&r->s) >> 40) / 16777216.0);
}

static inline void fill_uniform(test_rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) x[i] = test_uniform(r, lo, hi);
}

static inline float nan_value(void)
{
    uint32_t bits = GUARD_BITS;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* n floats followed by GUARD guard words; the data part is NaN-filled (a kernel that
 * overwrites must replace all of it). Free with free(). */
static inline float *alloc_guarded(size_t n)
{
    float *p = aligned_alloc(64, ((n + GUARD) * sizeof(float) + 63) / 64 * 64);
    cr_assert(p != NULL, "out of memory for %zu floats", n);
    float nan = nan_value();
    for (size_t i = 0; i < n + GUARD; i++) p[i] = nan;
    return p;
}

/* n zeros followed by guard words. */
static inline float *zeros_guarded(size_t n)
{
    float *p = alloc_guarded(n);
    memset(p, 0, n * sizeof(float));
    return p;
}

static inline float *alloc_copy(const float *src, size_t n)
{
    float *p = alloc_guarded(n);
    for (size_t i = 0; i < n; i++) p[i] = src[i];
    return p;
}

/* Fails the test if a guard word after p[0..n) changed. */
static inline void expect_guard(const float *p, size_t n, const char *what)
{
    for (size_t i = n; i < n + GUARD; i++) {
        uint32_t bits;
        memcpy(&bits, &p[i], sizeof bits);
        cr_expect(bits == GUARD_BITS, "%s: guard word %zu after the buffer was overwritten",
                  what, i - n);
        if (bits != GUARD_BITS) return;
    }
}

/* Max |got - ref| divided by max(|ref|, floor): error relative to the data's scale.
 * Any NaN or infinity mismatch counts as infinite error. */
static inline double max_scaled_error(const float *got, const float *ref, size_t n, double floor)
{
    double scale = floor, err = 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ref[i])) scale = fmax(scale, fabs((double)ref[i]));
    for (size_t i = 0; i < n; i++) {
        if (got[i] == ref[i]) continue; /* also equal infinities */
        double d = fabs((double)got[i] - (double)ref[i]);
        if (!(d <= DBL_MAX)) return (double)INFINITY; /* NaN or infinity on one side */
        err = fmax(err, d);
    }
    return err / scale;
}

/* Expects got within tol of ref (scaled as above, floor 1e-3) and the guard intact. */
static inline void expect_close(const float *got, const float *ref, size_t n, double tol,
                                const char *what)
{
    double err = max_scaled_error(got, ref, n, 1e-3);
    cr_expect(err <= tol, "%s: max scaled error %.3g > tolerance %.3g (n = %zu)", what, err, tol, n);
    expect_guard(got, n, what);
}

/* Tests of optimized kernels run once per ISA of the build's architecture; an ISA this CPU
 * lacks is skipped (listed last, since a skip ends the test in the qemu runner). Tests of
 * kernels built on the GEMM also run on avx512bf16 and amx (GEMM_TEST_ISAS), with operands
 * rounded to bfloat16 by fill_operands so that the f32 tolerances still apply. */
#if defined(__aarch64__)
#define TEST_ISAS {KERN_NEON}
#define GEMM_TEST_ISAS {KERN_NEON}
#else
#define TEST_ISAS {KERN_AVX2, KERN_AVX512}
#define GEMM_TEST_ISAS {KERN_AVX2, KERN_AVX512, KERN_AVX512_BF16, KERN_AMX}
#endif
#define ISA_TEST_OVER(suite, name, ISAS)                                                    \
    ParameterizedTestParameters(suite, name)                                                \
    {                                                                                       \
        static kern_isa isas[] = ISAS;                                                       \
        return cr_make_param_array(kern_isa, isas, sizeof isas / sizeof isas[0]);            \
    }                                                                                       \
    ParameterizedTest(kern_isa *isa, suite, name)
#define ISA_TEST(suite, name) ISA_TEST_OVER(suite, name, TEST_ISAS)

/* fill_uniform, then for the bfloat16 ISAs each value rounded to bfloat16: the GEMM's own rounding
 * then changes nothing, its products are exact and only the order of the f32 sums differs
 * from the reference. */
static inline void fill_operands(kern_isa isa, test_rng *r, float *x, size_t n, float lo, float hi)
{
    fill_uniform(r, x, n, lo, hi);
    if (kern_isa_reduced(isa))
        for (size_t i = 0; i < n; i++) x[i] = round_bf16(x[i]);
}

/* Fills t with isa's kernels, or skips the test with a message if this CPU cannot run them. */
static inline void isa_table_or_skip(kern_isa isa, kern_table *t)
{
    if (!kern_isa_supported(isa))
        cr_skip_test("ISA %s is not supported by this CPU or build", kern_isa_name(isa));
    kern_fill(isa, t);
}

#endif
