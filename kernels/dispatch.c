/* dispatch.c: fills the kernel table once: scalar references first, then the best ISA. */
#include "kernels.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

kern_table kern;
static kern_isa active_isa = KERN_ISA_COUNT;

static const char *const isa_names[KERN_ISA_COUNT] = {"scalar", "avx2", "avx512", "avx512bf16",
                                                       "neon"};

const char *kern_isa_name(kern_isa isa)
{
    return isa < KERN_ISA_COUNT ? isa_names[isa] : "unknown";
}

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
#endif

bool kern_isa_supported(kern_isa isa)
{
    switch (isa) {
    case KERN_SCALAR: return true;
#if defined(__x86_64__)
    case KERN_AVX2:
    case KERN_AVX512:
    case KERN_AVX512_BF16: return cpu_has(isa);
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
        if (i != KERN_AVX512_BF16 && kern_isa_supported((kern_isa)i)) return (kern_isa)i;
    return KERN_SCALAR;
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
#endif
#if defined(__aarch64__)
    case KERN_NEON: kern_fill_neon(t); break;
#endif
    default: break;
    }
}

void kern_init(void)
{
    if (active_isa != KERN_ISA_COUNT) return;
    kern_isa isa = kern_best_isa();
    const char *forced = getenv("INFOGAN_ISA");
    if (forced && *forced) {
        isa = kern_isa_parse(forced);
        if (isa == KERN_ISA_COUNT) {
            fprintf(stderr, "error: INFOGAN_ISA=%s is not an ISA; use scalar, avx2, avx512, avx512bf16 or neon\n",
                    forced);
            exit(2);
        }
        if (!kern_isa_supported(isa)) {
            fprintf(stderr, "error: INFOGAN_ISA=%s: this CPU or build cannot run %s kernels (best: %s)\n",
                    forced, forced, kern_isa_name(kern_best_isa()));
            exit(2);
        }
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
    SLOT(sgemm), SLOT(im2col), SLOT(col2im), SLOT(conv2d_fwd), SLOT(conv2d_bwd_data),
    SLOT(conv2d_bwd_weights), SLOT(batchnorm_fwd_train), SLOT(batchnorm_fwd_eval),
    SLOT(batchnorm_bwd), SLOT(relu_fwd), SLOT(relu_bwd), SLOT(lrelu_fwd), SLOT(lrelu_bwd),
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
