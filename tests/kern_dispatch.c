/* kern_dispatch.c: the dispatch table is complete for every supported ISA. */
#include <criterion/criterion.h>
#include <string.h>

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
