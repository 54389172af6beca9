/* dispatch.c: fills the kernel table once: scalar references first, then the best ISA. */
#include "kernels.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

kern_table kern;
static kern_isa active_isa = KERN_ISA_COUNT;

static const char *const isa_names[KERN_ISA_COUNT] = {"scalar", "avx2",       "avx512",
                                                       "avx512bf16", "amx", "neon"};

const char *kern_isa_name(kern_isa isa)
{
    return isa < KERN_ISA_COUNT ? isa_names[isa] : "unknown";
}

bool kern_isa_reduced(kern_isa isa) { return isa == KERN_AVX512_BF16 || isa == KERN_AMX; }

kern_isa kern_isa_parse(const char *name)
{
    for (int i = 0; i < KERN_ISA_COUNT; i++)
        if (strcmp(name, isa_names[i]) == 0) return (kern_isa)i;
    return KERN_ISA_COUNT;
}

#if defined(__x86_64__)
/* XCR0: which register states the OS saves on context switch. */
static unsigned long long xgetbv0(void)
{
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static bool cpu_has(kern_isa isa)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    bool osxsave = c & bit_OSXSAVE, fma = c & bit_FMA, avx = c & bit_AVX;
    if (!osxsave || !avx || !fma) return false;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return false; /* XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    if (isa == KERN_AVX2) return b & bit_AVX2;
    bool avx512 = (b & bit_AVX2) && (b & bit_AVX512F) && (b & bit_AVX512BW) &&
                  (b & bit_AVX512DQ) && (b & bit_AVX512VL) && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM */
    if (isa == KERN_AVX512) return avx512;
    if (isa == KERN_AVX512_BF16)
        return avx512 && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & bit_AVX512BF16);
    return false;
}

/* Linux gives a process the tile data state (8 KB more per thread to save) only on request;
 * without it the first tile instruction kills the process. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

/* NULL when the amx kernels can run here (asking Linux for the tiles once, before any
 * use), else why not. */
static const char *amx_missing(void)
{
    static const char *why;
    static bool asked;
    if (asked) return why;
    asked = true;
    unsigned int a, b, c, d;
    if (!cpu_has(KERN_AVX512)) why = "this CPU or OS has no AVX-512";
    else if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(d & bit_AMX_TILE) ||
             !(d & bit_AMX_BF16))
        why = "this CPU has no AMX-BF16 tiles (CPUID leaf 7, EDX bits 22 and 24)";
    else if ((xgetbv0() & (3ull << 17)) != (3ull << 17))
        why = "the OS does not enable the tile state (XCR0 bits 17 and 18)";
    else if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0)
        why = "Linux refused this process the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM)";
    return why;
}
#endif

/* Why this CPU, OS or build cannot run isa's kernels (isa not supported). */
static const char *isa_missing(kern_isa isa)
{
#if defined(__x86_64__)
    if (isa == KERN_AMX) return amx_missing();
#endif
    (void)isa;
    return "this CPU or build lacks them";
}

bool kern_isa_supported(kern_isa isa)
{
    switch (isa) {
    case KERN_SCALAR: return true;
#if defined(__x86_64__)
    case KERN_AVX2:
    case KERN_AVX512:
    case KERN_AVX512_BF16: return cpu_has(isa);
    case KERN_AMX: return amx_missing() == NULL;
#endif
#if defined(__aarch64__)
    case KERN_NEON: return true; /* Advanced SIMD is mandatory on AArch64 */
#endif
    default: return false;
    }
}

kern_isa kern_best_isa(void)
{
    for (int i = KERN_ISA_COUNT - 1; i > 0; i--)
        if (!kern_isa_reduced((kern_isa)i) && kern_isa_supported((kern_isa)i)) return (kern_isa)i;
    return KERN_SCALAR;
}

kern_isa kern_best_bf16_isa(void)
{
    if (kern_isa_supported(KERN_AMX)) return KERN_AMX;
    if (kern_isa_supported(KERN_AVX512_BF16)) return KERN_AVX512_BF16;
    return KERN_ISA_COUNT;
}

void kern_fill(kern_isa isa, kern_table *t)
{
    memset(t, 0, sizeof *t);
    kern_fill_scalar(t);
    switch (isa) {
#if defined(__x86_64__)
    case KERN_AVX2: kern_fill_avx2(t); break;
    case KERN_AVX512: kern_fill_avx512(t); break;
    case KERN_AVX512_BF16:
        kern_fill_avx512(t);
        kern_fill_avx512bf16(t);
        break;
    case KERN_AMX:
        kern_fill_avx512(t);
        kern_fill_amx(t);
        break;
#endif
#if defined(__aarch64__)
    case KERN_NEON: kern_fill_neon(t); break;
#endif
    default: break;
    }
}

/* Each ISA's sgemm slot, filled by kern_init: kern_table_isa runs where the layers do. */
static __typeof__(((kern_table *)0)->sgemm) isa_sgemm[KERN_ISA_COUNT];

kern_isa kern_table_isa(const kern_table *t)
{
    kern_init();
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++)
        if (isa_sgemm[isa] == t->sgemm) return (kern_isa)isa;
    return KERN_SCALAR;
}

kern_isa kern_isa_from_env(void)
{
    const char *forced = getenv("INFOGAN_ISA");
    if (!forced || !*forced) return kern_best_isa();
    if (strcmp(forced, "bf16") == 0) {
        kern_isa isa = kern_best_bf16_isa();
        if (isa == KERN_ISA_COUNT) {
            fprintf(stderr, "error: INFOGAN_ISA=bf16: this CPU or build has no bfloat16 GEMM "
                            "(amx or avx512bf16; best: %s)\n", kern_isa_name(kern_best_isa()));
            exit(2);
        }
        return isa;
    }
    kern_isa isa = kern_isa_parse(forced);
    if (isa == KERN_ISA_COUNT) {
        fprintf(stderr, "error: INFOGAN_ISA=%s is not an ISA; use scalar, avx2, avx512, "
                        "avx512bf16, amx, neon or bf16 (the best bfloat16 one)\n", forced);
        exit(2);
    }
    if (!kern_isa_supported(isa)) {
        fprintf(stderr,
                "error: INFOGAN_ISA=%s: cannot run %s kernels here: %s; the best here is %s\n",
                forced, forced, isa_missing(isa), kern_isa_name(kern_best_isa()));
        exit(2);
    }
    return isa;
}

void kern_init(void)
{
    if (active_isa != KERN_ISA_COUNT) return;
    kern_isa isa = kern_isa_from_env();
    for (int i = 0; i < KERN_ISA_COUNT; i++) {
        kern_table filled;
        kern_fill((kern_isa)i, &filled);
        isa_sgemm[i] = filled.sgemm;
    }
    kern_fill(isa, &kern);
    active_isa = isa;
}

kern_isa kern_active_isa(void)
{
    kern_init();
    return active_isa;
}

/* One row per slot, so kern_print can walk the table. */
static const struct { const char *name; size_t offset; } slots[] = {
#define SLOT(s) {#s, offsetof(kern_table, s)}
    SLOT(sgemm), SLOT(sgemm_packed_b_floats), SLOT(sgemm_pack_b), SLOT(sgemm_pack_b_boundary),
    SLOT(sgemm_pack_b_rows), SLOT(sgemm_packed_b),
    SLOT(im2col), SLOT(col2im), SLOT(conv2d_fwd), SLOT(conv2d_bwd_data),
    SLOT(conv2d_bwd_weights), SLOT(batchnorm_fwd_train), SLOT(batchnorm_fwd_eval),
    SLOT(batchnorm_bwd), SLOT(batchnorm_act_fwd_train), SLOT(batchnorm_act_bwd), SLOT(relu_fwd), SLOT(relu_bwd), SLOT(lrelu_fwd), SLOT(lrelu_bwd),
    SLOT(sigmoid_fwd), SLOT(sigmoid_bwd), SLOT(tanh_fwd), SLOT(tanh_bwd), SLOT(softmax),
    SLOT(log_softmax), SLOT(bias_add), SLOT(bias_grad), SLOT(adam),
#undef SLOT
};
_Static_assert(sizeof slots / sizeof slots[0] == sizeof(kern_table) / sizeof(void (*)(void)),
               "every kern_table slot must be listed in slots[]");

void kern_print(FILE *f)
{
    kern_init();
    kern_table ref;
    kern_fill(KERN_SCALAR, &ref);
    fprintf(f, "kernels: isa %s\n", kern_isa_name(active_isa));
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        void *mine, *scalar;
        memcpy(&mine, (char *)&kern + slots[i].offset, sizeof mine);
        memcpy(&scalar, (char *)&ref + slots[i].offset, sizeof scalar);
        fprintf(f, "  %-20s %s\n", slots[i].name,
                mine == scalar ? "scalar" : kern_isa_name(active_isa));
    }
}
