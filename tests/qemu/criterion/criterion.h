/* criterion.h for `make test-neon` only: Criterion's runner hangs at start-up under
 * qemu-user (tried QEMU 7.2 and 10.0), so the aarch64 kernel tests are compiled against these
 * few macros with Criterion's meaning and run in one process by runner.c. The native build
 * uses the real Criterion. Supported: Test, ParameterizedTest, cr_assert, cr_expect,
 * cr_expect_eq, cr_assert_eq, cr_skip_test, cr_log_info, cr_log_warn. */
#ifndef QEMU_CRITERION_H
#define QEMU_CRITERION_H

#include <stdbool.h>
#include <stddef.h>

struct qtest {
    const char *suite, *name;
    void (*run)(void);
    struct qtest *next;
};
void qtest_register(struct qtest *t);
void qtest_check(bool ok, bool fatal, const char *file, int line, const char *expr,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
_Noreturn void qtest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qtest_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define QTEST_REGISTER(suite, name, fn)                                                    \
    static struct qtest qtest_##suite##_##name = {#suite, #name, fn, NULL};                \
    __attribute__((constructor)) static void qtest_reg_##suite##_##name(void)              \
    {                                                                                      \
        qtest_register(&qtest_##suite##_##name);                                           \
    }

/* Test attributes (.timeout, .exit_code, ...) are accepted and ignored. */
#define Test(suite, name, ...)                                                             \
    static void suite##_##name(void);                                                      \
    QTEST_REGISTER(suite, name, suite##_##name)                                            \
    static void suite##_##name(void)

#define cr_expect(cond, ...) qtest_check((cond), false, __FILE__, __LINE__, #cond, "" __VA_ARGS__)
#define cr_assert(cond, ...) qtest_check((cond), true, __FILE__, __LINE__, #cond, "" __VA_ARGS__)
#define cr_expect_eq(a, b, ...) cr_expect((a) == (b), "" __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), "" __VA_ARGS__)
#define cr_skip_test(...) qtest_skip("" __VA_ARGS__)
#define cr_log_info(...) qtest_log("info", __VA_ARGS__)
#define cr_log_warn(...) qtest_log("warn", __VA_ARGS__)

#endif
