/* kern_dispatch.c: the dispatch table is complete for every supported ISA; amx is found by
 * CPUID, XCR0 and Linux's permission, and forcing it where it is missing fails cleanly. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "kernels.h"

Test(dispatch, every_slot_filled_for_every_supported_isa)
{
    for (int i = 0; i < KERN_ISA_COUNT; i++) {
        if (!kern_isa_supported((kern_isa)i)) {
            cr_log_info("ISA %s not supported here: skipped", kern_isa_name((kern_isa)i));
            continue;
        }
        kern_table t;
        kern_fill((kern_isa)i, &t);
        void *slots[sizeof t / sizeof(void *)];
        memcpy(slots, &t, sizeof t);
        for (size_t s = 0; s < sizeof slots / sizeof slots[0]; s++)
            cr_expect(slots[s] != NULL, "ISA %s: slot %zu is empty", kern_isa_name((kern_isa)i), s);
    }
}

Test(dispatch, isa_names_round_trip)
{
    for (int i = 0; i < KERN_ISA_COUNT; i++)
        cr_expect_eq(kern_isa_parse(kern_isa_name((kern_isa)i)), (kern_isa)i);
    cr_expect_eq(kern_isa_parse("sse9"), KERN_ISA_COUNT);
}

/* amx: listed, reduced precision, never the default; a bfloat16 ISA only when forced. */
Test(dispatch, amx_is_listed_and_never_the_default)
{
    cr_expect_eq(kern_isa_parse("amx"), KERN_AMX, "\"amx\" does not parse");
    cr_expect(kern_isa_reduced(KERN_AMX) && kern_isa_reduced(KERN_AVX512_BF16),
              "amx and avx512bf16 must count as reduced precision");
    cr_expect(!kern_isa_reduced(kern_best_isa()), "the default ISA %s rounds to bfloat16",
              kern_isa_name(kern_best_isa()));
    kern_isa bf16 = kern_best_bf16_isa();
    kern_isa want = kern_isa_supported(KERN_AMX)           ? KERN_AMX
                    : kern_isa_supported(KERN_AVX512_BF16) ? KERN_AVX512_BF16
                                                           : KERN_ISA_COUNT;
    cr_expect_eq(bf16, want, "best bfloat16 ISA %s, want %s", kern_isa_name(bf16),
                 kern_isa_name(want));
}

/* Without the CPUID bits (leaf 7: EDX 22 AMX-BF16, 24 AMX-TILE) there is no amx. */
Test(dispatch, amx_needs_the_cpuid_bits)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;
    bool bits = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 22)) && (d & (1u << 24));
    if (!bits) cr_expect(!kern_isa_supported(KERN_AMX), "amx supported without its CPUID bits");
    cr_log_info("CPUID AMX-BF16 and AMX-TILE: %s; amx %s", bits ? "yes" : "no",
                kern_isa_supported(KERN_AMX) ? "supported" : "not supported");
#else
    cr_expect(!kern_isa_supported(KERN_AMX), "amx supported on a non-x86 build");
#endif
}

/* The amx table: the tile GEMM and the convolutions on it, every other slot avx512's. */
Test(dispatch, amx_table_is_avx512_with_tile_gemms)
{
    if (!kern_isa_supported(KERN_AMX))
        cr_skip_test("amx: this CPU or OS has no AMX tiles: skipped");
    kern_table amx, avx512;
    kern_fill(KERN_AMX, &amx);
    kern_fill(KERN_AVX512, &avx512);
    void *a[sizeof amx / sizeof(void *)], *b[sizeof a / sizeof a[0]];
    memcpy(a, &amx, sizeof amx);
    memcpy(b, &avx512, sizeof avx512);
    const size_t gemm_slots[] = {
        offsetof(kern_table, sgemm), offsetof(kern_table, sgemm_packed_b_floats),
        offsetof(kern_table, sgemm_pack_b), offsetof(kern_table, sgemm_pack_b_boundary),
        offsetof(kern_table, sgemm_pack_b_rows), offsetof(kern_table, sgemm_packed_b),
        offsetof(kern_table, conv2d_fwd), offsetof(kern_table, conv2d_bwd_data),
        offsetof(kern_table, conv2d_bwd_weights)};
    const size_t n_gemm = sizeof gemm_slots / sizeof gemm_slots[0];
    for (size_t s = 0; s < sizeof a / sizeof a[0]; s++) {
        bool tile = false;
        for (size_t g = 0; g < n_gemm; g++) tile |= s * sizeof(void *) == gemm_slots[g];
        cr_expect(tile ? a[s] != b[s] : a[s] == b[s], "amx slot %zu: %s avx512's", s,
                  tile ? "still" : "not");
    }
}

/* Runs kern_isa_from_env() in a child with INFOGAN_ISA=value; its stderr goes to msg (len
 * bytes, NUL-terminated). Returns the wait status (exit 0 when it returned). */
static int isa_from_env_in_child(const char *value, char *msg, size_t len)
{
#ifdef QEMU_CRITERION_H
    cr_skip_test("fork hangs under qemu-user (as Criterion's runner does): skipped");
#endif
    char log[64];
    snprintf(log, sizeof log, "/tmp/infogan_dispatch_%d_stderr", (int)getpid());
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        if (!freopen(log, "w", stderr)) _exit(99);
        setenv("INFOGAN_ISA", value, 1);
        kern_isa_from_env();
        _exit(0);
    }
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid, "waitpid failed");
    FILE *f = fopen(log, "r");
    size_t n = f ? fread(msg, 1, len - 1, f) : 0;
    msg[n] = 0;
    if (f) fclose(f);
    remove(log);
    /* drop the sanitizers' own lines ("==PID==..."; LeakSanitizer in a forked child of a
     * threaded runner warns that it cannot stop the parent's threads): not the program's */
    char *w = msg;
    for (char *line = msg; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        if (strncmp(line, "==", 2) != 0) memmove(w, line, len), w += len;
        line += len;
    }
    *w = 0;
    return status;
}

/* Forcing amx where it cannot run ends the program (status 2) with one line saying why. */
Test(dispatch, forced_amx_fails_with_one_line_where_missing)
{
    if (kern_isa_supported(KERN_AMX)) cr_skip_test("amx: this CPU has AMX tiles: skipped");
    char msg[512];
    int status = isa_from_env_in_child("amx", msg, sizeof msg);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2,
              "INFOGAN_ISA=amx: status %d, want exit 2", status);
    const char *nl = strchr(msg, '\n');
    cr_expect(strncmp(msg, "error: INFOGAN_ISA=amx: ", 24) == 0 && nl && nl[1] == 0,
              "INFOGAN_ISA=amx: want one line 'error: INFOGAN_ISA=amx: ...', got '%s'", msg);
    cr_log_info("%s", msg);
}

/* INFOGAN_ISA=bf16 picks the best bfloat16 ISA (amx over avx512bf16), or fails with one line. */
Test(dispatch, forced_bf16_picks_the_best_bfloat16_isa)
{
    char msg[512];
    kern_isa want = kern_best_bf16_isa();
    int status = isa_from_env_in_child("bf16", msg, sizeof msg);
    if (want == KERN_ISA_COUNT) {
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2 && strchr(msg, '\n'),
                  "INFOGAN_ISA=bf16 without a bfloat16 ISA: status %d, '%s'", status, msg);
        return;
    }
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0 && msg[0] == 0,
              "INFOGAN_ISA=bf16: status %d, '%s'", status, msg);
    setenv("INFOGAN_ISA", "bf16", 1);
    cr_expect_eq(kern_isa_from_env(), want, "INFOGAN_ISA=bf16 gave %s, want %s",
                 kern_isa_name(kern_isa_from_env()), kern_isa_name(want));
    unsetenv("INFOGAN_ISA");
}
