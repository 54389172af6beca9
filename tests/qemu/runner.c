/* runner.c: runs the tests registered through tests/qemu/criterion/ in one process and
 * prints Criterion's closing line. A failed cr_assert ends its test (longjmp); so does
 * cr_skip_test. Filter: first argument, matched as a substring of "suite::name". */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "criterion/criterion.h"

static struct qtest *tests;
static jmp_buf test_exit;
static int failures_in_test;
/* Counters live outside main so longjmp cannot clobber them. */
static int tested, passed, failed, skipped;

void qtest_register(struct qtest *t)
{
    t->next = tests;
    tests = t;
}

void qtest_check(bool ok, bool fatal, const char *file, int line, const char *expr,
                 const char *fmt, ...)
{
    if (ok) return;
    failures_in_test++;
    printf("[----] %s:%d: %s failed", file, line, fatal ? "assertion" : "expectation");
    if (*fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf(": ");
        vprintf(fmt, ap);
        va_end(ap);
    } else {
        printf(": %s", expr);
    }
    printf("\n");
    if (fatal) longjmp(test_exit, 1);
}

void qtest_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("[SKIP] ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    longjmp(test_exit, 2);
}

void qtest_log(const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("[%s] ", level);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

void qtest_run_param(void (*body)(void *), void *arg)
{
    jmp_buf outer;
    memcpy(outer, test_exit, sizeof outer);
    if (setjmp(test_exit) == 0) body(arg);
    memcpy(test_exit, outer, sizeof outer);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : "";
    for (struct qtest *volatile t = tests; t; t = t->next) {
        char full[256];
        snprintf(full, sizeof full, "%s::%s", t->suite, t->name);
        if (!strstr(full, filter)) continue;
        failures_in_test = 0;
        int how = setjmp(test_exit);
        if (how == 0) t->run();
        if (how == 2) {
            skipped++;
            printf("[SKIP] %s\n", full);
            continue;
        }
        tested++;
        if (failures_in_test) {
            failed++;
            printf("[FAIL] %s\n", full);
        } else {
            passed++;
            printf("[PASS] %s\n", full);
        }
        fflush(stdout);
    }
    if (skipped) printf("[====] Skipped: %d\n", skipped);
    printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: 0\n", tested,
           passed, failed);
    return failed != 0;
}
