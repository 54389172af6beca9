/* parameterized.h for `make test-neon` (see criterion.h): ParameterizedTest runs its body
 * once per element of the array that ParameterizedTestParameters returns; a skip or a failed
 * assertion ends only that element's run. */
#ifndef QEMU_CRITERION_PARAMETERIZED_H
#define QEMU_CRITERION_PARAMETERIZED_H

#include "criterion.h"

struct qtest_params {
    void *items;
    size_t count, size;
};
/* Runs body(arg) so that cr_skip_test skips only this parameter, as Criterion does. */
void qtest_run_param(void (*body)(void *), void *arg);

#define cr_make_param_array(type, items, count) ((struct qtest_params){(items), (count), sizeof(type)})

#define ParameterizedTestParameters(suite, name) static struct qtest_params suite##_##name##_params(void)

#define ParameterizedTest(decl, suite, name, ...)                                          \
    static void suite##_##name##_body(decl);                                               \
    static void suite##_##name(void)                                                       \
    {                                                                                      \
        struct qtest_params p = suite##_##name##_params();                                 \
        for (size_t i = 0; i < p.count; i++)                                               \
            qtest_run_param((void (*)(void *))suite##_##name##_body,                       \
                            (char *)p.items + i * p.size);                                 \
    }                                                                                      \
    QTEST_REGISTER(suite, name, suite##_##name)                                            \
    static void suite##_##name##_body(decl)

#endif
