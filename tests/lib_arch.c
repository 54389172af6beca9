/* lib_arch.c: the Faces, Chairs, SVHN and CelebA tables build networks of the paper's shapes
 * (Tables 2-4 and 6) for their latent specs. */
#include <criterion/criterion.h>

#include "model/arch.h"
#include "model/infogan.h"

/* G's output and the D/Q trunk's output for G input in_dim. */
static void expect_shapes(const char *name, int in_dim, int c, int h, int w, int trunk_c,
                          int trunk_h)
{
    const arch *a = arch_find(name);
    int out[3];
    net_param_count(a->g, a->n_g, in_dim, 1, 1, out);
    cr_expect(out[0] == c && out[1] == h && out[2] == w, "%s: G makes %dx%dx%d", name, out[0],
              out[1], out[2]);
    cr_expect(a->img_c == c && a->img_h == h && a->img_w == w, "%s: image shape", name);
    net_param_count(a->trunk, a->n_trunk, c, h, w, out);
    cr_expect(out[0] == trunk_c && out[1] == trunk_h && out[2] == trunk_h, "%s: trunk makes %dx%dx%d",
              name, out[0], out[1], out[2]);
}

Test(arch, paper_tables_have_their_shapes)
{
    expect_shapes("faces", 133, 1, 32, 32, 1024, 1);
    expect_shapes("chairs", 189, 1, 64, 64, 1024, 1);
    expect_shapes("svhn", 168, 3, 32, 32, 256, 4);
    expect_shapes("celeba", 228, 3, 32, 32, 256, 4);
    expect_shapes("svhn-bn", 168, 3, 32, 32, 256, 4);
    expect_shapes("chairs-lite", 189, 1, 64, 64, 1024, 1);
}

Test(arch, chairs_model_builds_and_generates)
{
    infogan_config c;
    infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "chairs");
    latent_parse(&c.latent, "noise:128,cat:20,cat:20,cat:20,cont:1", "--latent");
    c.batch = 2;
    infogan *m = infogan_create(&c);
    cr_assert_eq(m->q_dim, 61);
    float z[2 * 189] = {0}, img[2 * 64 * 64];
    infogan_generate(m, 2, z, img);
    for (int i = 0; i < 2 * 64 * 64; i++) cr_assert(img[i] > 0.0f && img[i] < 1.0f, "pixel %d", i);
    infogan_free(m);
}

Test(arch, unknown_table_names_the_known_ones, .exit_code = 1)
{
    arch_find("cifar");
}
