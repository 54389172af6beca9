/* kern_conv.c: conv geometry, im2col/col2im, conv and upconv of every ISA against the
 * scalar references and against direct loops written here. */
#include "conv_gemm.h"
#include "kern_check.h"

/* Conv geometries: the paper's 4x4 stride-2 "same" layers, 4x4 stride-1 "same" with
 * asymmetric padding, odd sizes, "valid", 1 and several channels. */
static conv_geom test_geoms(int i)
{
    switch (i) {
    case 0: return conv_geom_make(1, 28, 28, 8, 4, 4, 2, true);   /* MNIST conv 1 */
    case 1: return conv_geom_make(16, 14, 14, 12, 4, 4, 2, true); /* MNIST conv 2, fewer channels */
    case 2: return conv_geom_make(3, 7, 7, 5, 4, 4, 1, true);     /* stride 1: pad 1 top, 2 bottom */
    case 3: return conv_geom_make(2, 15, 17, 3, 4, 4, 2, true);   /* odd sizes */
    case 4: return conv_geom_make(3, 9, 11, 4, 4, 4, 2, false);   /* valid */
    case 5: return conv_geom_make(5, 6, 5, 7, 3, 3, 1, true);     /* 3x3 */
    case 6: return conv_geom_make(4, 1, 1, 3, 4, 4, 2, true);     /* 1x1 image */
    case 7: return conv_geom_make(3, 32, 32, 6, 4, 4, 2, true);   /* SVHN conv 1 */
    case 8: return conv_geom_make(2, 8, 8, 33, 1, 1, 1, false);   /* 1x1 kernel */
    case 9: return conv_geom_make(2, 4, 150, 3, 4, 4, 1, true);   /* rows wider than 128 floats */
    case 10: return conv_geom_make(2, 64, 64, 3, 4, 4, 2, true);  /* CelebA conv 1 */
    default: return conv_geom_make(1, 5, 5, 1, 4, 4, 1, true);    /* one channel, stride 1 */
    }
}
#define N_GEOMS 12

Test(conv, geom_same_and_valid_follow_tensorflow)
{
    conv_geom g = conv_geom_make(1, 28, 28, 64, 4, 4, 2, true);
    cr_expect(g.oh == 14 && g.ow == 14 && g.pad_t == 1 && g.pad_l == 1, "28 s2 same: %d %d %d", g.oh, g.pad_t, g.pad_l);
    g = conv_geom_make(64, 7, 7, 64, 4, 4, 1, true); /* total pad 3: 1 top, 2 bottom */
    cr_expect(g.oh == 7 && g.ow == 7 && g.pad_t == 1 && g.pad_l == 1, "7 s1 same: %d %d %d", g.oh, g.pad_t, g.pad_l);
    g = conv_geom_make(3, 15, 16, 8, 4, 4, 2, true);
    cr_expect(g.oh == 8 && g.ow == 8 && g.pad_t == 1 && g.pad_l == 1, "15x16 s2 same: %d %d %d", g.oh, g.pad_t, g.pad_l);
    g = conv_geom_make(3, 9, 11, 8, 4, 4, 2, false);
    cr_expect(g.oh == 3 && g.ow == 4 && g.pad_t == 0 && g.pad_l == 0, "9x11 s2 valid: %d %d", g.oh, g.ow);
    cr_expect(g.c == 3 && g.h == 9 && g.w == 11 && g.k == 8 && g.kh == 4 && g.kw == 4 && g.stride == 2,
              "the sizes are kept");
}

static size_t x_size(const conv_geom *g, int n) { return (size_t)n * g->c * g->h * g->w; }
static size_t y_size(const conv_geom *g, int n) { return (size_t)n * g->k * g->oh * g->ow; }
static size_t w_size(const conv_geom *g) { return (size_t)g->k * g->c * g->kh * g->kw; }
static size_t col_size(const conv_geom *g) { return (size_t)g->c * g->kh * g->kw * g->oh * g->ow; }

/* Direct transposed convolution (scatter form, double): the adjoint of the conv. */
static void upconv_direct(const conv_geom *g, int n, const float *x, const float *w,
                          const float *bias, double *y)
{
    // x (N,K,OH,OW), w (K,C,KH,KW), bias (C), y (N,C,H,W)
    for (int b = 0; b < n; b++)
        for (int c = 0; c < g->c; c++)
            for (int p = 0; p < g->h * g->w; p++)
                y[((size_t)b * g->c + c) * g->h * g->w + p] = bias ? (double)bias[c] : 0.0;
    for (int b = 0; b < n; b++)
        for (int k = 0; k < g->k; k++)
            for (int oy = 0; oy < g->oh; oy++)
                for (int ox = 0; ox < g->ow; ox++)
                    for (int c = 0; c < g->c; c++)
                        for (int i = 0; i < g->kh; i++)
                            for (int j = 0; j < g->kw; j++) {
                                int iy = oy * g->stride - g->pad_t + i, ix = ox * g->stride - g->pad_l + j;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                y[(((size_t)b * g->c + c) * g->h + iy) * g->w + ix] +=
                                    (double)x[(((size_t)b * g->k + k) * g->oh + oy) * g->ow + ox] *
                                    (double)w[(((size_t)k * g->c + c) * g->kh + i) * g->kw + j];
                            }
}

static void to_float(const double *src, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)src[i];
}

/* Upconv of table t against the direct loop: fwd (with bias), and bwd_data / bwd_weights
 * checked through the adjoint identity against direct sums. Tolerance 2e-5 scaled. */
static void check_upconv(const kern_table *t, kern_isa isa)
{
    test_rng r = {7};
    for (int gi = 0; gi < N_GEOMS; gi++) {
        conv_geom g = test_geoms(gi);
        int n = 1 + gi % 3;
        size_t xs = y_size(&g, n), ys = x_size(&g, n), ws_n = w_size(&g); /* upconv: x is conv's y */
        float *x = alloc_guarded(xs), *w = alloc_guarded(ws_n), *bias = alloc_guarded(g.c);
        float *dy = alloc_guarded(ys), *y = alloc_guarded(ys), *ref = alloc_guarded(ys);
        float *dx = alloc_guarded(xs), *dw = alloc_guarded(ws_n), *db = alloc_guarded(g.c);
        float *ws = alloc_guarded(conv2d_workspace_floats(&g, n));
        double *acc = malloc(sizeof(double) * ys);
        fill_operands(isa, &r, x, xs, -1, 1);
        fill_operands(isa, &r, w, ws_n, -1, 1);
        fill_uniform(&r, bias, g.c, -1, 1);
        fill_operands(isa, &r, dy, ys, -1, 1);

        upconv2d_fwd(t, &g, n, x, w, bias, y, ws);
        upconv_direct(&g, n, x, w, bias, acc);
        to_float(acc, ref, ys);
        cr_log_info("%s upconv geom %d", kern_isa_name(isa), gi);
        expect_close(y, ref, ys, 2e-5, "upconv2d_fwd");

        /* bwd_data: dx[n,k,oy,ox] = sum dy[n,c,iy,ix] w[k,c,i,j] over the taps inside. */
        upconv2d_bwd_data(t, &g, n, dy, w, dx, ws);
        float *dx_ref = alloc_guarded(xs);
        for (int b = 0; b < n; b++)
            for (int k = 0; k < g.k; k++)
                for (int oy = 0; oy < g.oh; oy++)
                    for (int ox = 0; ox < g.ow; ox++) {
                        double s = 0.0;
                        for (int c = 0; c < g.c; c++)
                            for (int i = 0; i < g.kh; i++)
                                for (int j = 0; j < g.kw; j++) {
                                    int iy = oy * g.stride - g.pad_t + i, ix = ox * g.stride - g.pad_l + j;
                                    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                    s += (double)dy[(((size_t)b * g.c + c) * g.h + iy) * g.w + ix] *
                                         (double)w[((k * g.c + c) * g.kh + i) * g.kw + j];
                                }
                        dx_ref[(((size_t)b * g.k + k) * g.oh + oy) * g.ow + ox] = (float)s;
                    }
        expect_close(dx, dx_ref, xs, 2e-5, "upconv2d_bwd_data");

        /* bwd_weights: dw += sum x[n,k,oy,ox] dy[n,c,iy,ix]; db += sum dy over (N,H,W). */
        fill_operands(isa, &r, x, xs, -1, 1);
        fill_uniform(&r, dw, ws_n, -1, 1);
        fill_uniform(&r, db, g.c, -1, 1);
        float *dw_ref = alloc_copy(dw, ws_n), *db_ref = alloc_copy(db, g.c);
        upconv2d_bwd_weights(t, &g, n, x, dy, dw, db, ws);
        for (int k = 0; k < g.k; k++)
            for (int c = 0; c < g.c; c++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        double s = 0.0;
                        for (int b = 0; b < n; b++)
                            for (int oy = 0; oy < g.oh; oy++)
                                for (int ox = 0; ox < g.ow; ox++) {
                                    int iy = oy * g.stride - g.pad_t + i, ix = ox * g.stride - g.pad_l + j;
                                    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                    s += (double)x[(((size_t)b * g.k + k) * g.oh + oy) * g.ow + ox] *
                                         (double)dy[(((size_t)b * g.c + c) * g.h + iy) * g.w + ix];
                                }
                        dw_ref[((k * g.c + c) * g.kh + i) * g.kw + j] += (float)s;
                    }
        for (int c = 0; c < g.c; c++) {
            double s = 0.0;
            for (int b = 0; b < n; b++)
                for (int p = 0; p < g.h * g.w; p++) s += (double)dy[((size_t)b * g.c + c) * g.h * g.w + p];
            db_ref[c] += (float)s;
        }
        expect_close(dw, dw_ref, ws_n, 2e-5, "upconv2d_bwd_weights dw (accumulated)");
        expect_close(db, db_ref, g.c, 2e-5, "upconv2d_bwd_weights db (accumulated)");

        free(x); free(w); free(bias); free(dy); free(y); free(ref); free(dx); free(dx_ref);
        free(dw); free(db); free(dw_ref); free(db_ref); free(ws); free(acc);
    }
}

Test(conv, upconv_scalar_matches_direct_transposed_conv)
{
    kern_table t;
    kern_fill(KERN_SCALAR, &t);
    check_upconv(&t, KERN_SCALAR);
}

/* The scalar direct conv against im2col + scalar GEMM: two independent formulations. */
Test(conv, scalar_direct_matches_im2col_gemm)
{
    test_rng r = {11};
    kern_table t;
    kern_fill(KERN_SCALAR, &t);
    for (int gi = 0; gi < N_GEOMS; gi++) {
        conv_geom g = test_geoms(gi);
        int n = 2;
        size_t xs = x_size(&g, n), ys = y_size(&g, n), wn = w_size(&g), cs = col_size(&g);
        size_t p = (size_t)g.oh * g.ow;
        float *x = alloc_guarded(xs), *w = alloc_guarded(wn), *bias = alloc_guarded(g.k);
        float *y = alloc_guarded(ys), *ref = alloc_guarded(ys), *col = alloc_guarded(cs);
        fill_uniform(&r, x, xs, -1, 1);
        fill_uniform(&r, w, wn, -1, 1);
        fill_uniform(&r, bias, g.k, -1, 1);
        t.conv2d_fwd(&g, n, x, w, bias, y, NULL);
        for (int b = 0; b < n; b++) {
            t.im2col(&g, x + (size_t)b * g.c * g.h * g.w, col);
            expect_guard(col, cs, "im2col");
            float *yb = ref + (size_t)b * g.k * p;
            t.sgemm(false, false, g.k, (int)p, g.c * g.kh * g.kw, 1.0f, w, g.c * g.kh * g.kw,
                    col, (int)p, 0.0f, yb, (int)p);
            for (int k = 0; k < g.k; k++)
                for (size_t q = 0; q < p; q++) yb[k * p + q] += bias[k];
        }
        cr_log_info("geom %d", gi);
        expect_close(y, ref, ys, 2e-5, "conv2d_fwd_scalar vs im2col+gemm");
        free(x); free(w); free(bias); free(y); free(ref); free(col);
    }
}

/* im2col is a copy: it must match exactly. col2im sums each pixel's taps before adding
 * them to the image (the reference adds one by one): 4e-7 of the largest value. */
ISA_TEST(conv, im2col_and_col2im_match_scalar)
{
    kern_table t, ref;
    isa_table_or_skip(*isa, &t);
    kern_fill(KERN_SCALAR, &ref);
    test_rng r = {12};
    for (int gi = 0; gi < N_GEOMS + 2; gi++) {
        conv_geom g = gi < N_GEOMS ? test_geoms(gi)
                    : conv_geom_make(3, 23, 29, 2, 5, 3, 3 + gi - N_GEOMS, true); /* strides 3, 4 */
        size_t xs = x_size(&g, 1), cs = col_size(&g);
        float *img = alloc_guarded(xs), *col = alloc_guarded(cs), *col_ref = alloc_guarded(cs);
        fill_uniform(&r, img, xs, -1, 1);
        cr_log_info("%s im2col geom %d", kern_isa_name(*isa), gi);
        t.im2col(&g, img, col);
        ref.im2col(&g, img, col_ref);
        expect_close(col, col_ref, cs, 0.0, "im2col");
        float *acc = alloc_guarded(xs);
        fill_uniform(&r, acc, xs, -1, 1); /* col2im adds to what is there */
        float *acc_ref = alloc_copy(acc, xs);
        t.col2im(&g, col_ref, acc);
        ref.col2im(&g, col_ref, acc_ref);
        expect_close(acc, acc_ref, xs, 4e-7, "col2im (accumulated)");
        free(img); free(col); free(col_ref); free(acc); free(acc_ref);
    }
}

/* conv fwd / bwd_data / bwd_weights against the direct scalar loops, for 1, 3 and 5 images
 * and a batch large enough to need two im2col groups. Tolerance 2e-5 of the largest value
 * (float GEMM sums against double). */
static void check_conv_against_scalar(kern_isa isa, const kern_table *t, const conv_geom *g, int n,
                                      test_rng *r)
{
    kern_table ref;
    kern_fill(KERN_SCALAR, &ref);
    size_t xs = x_size(g, n), ys = y_size(g, n), wn = w_size(g);
    float *x = alloc_guarded(xs), *w = alloc_guarded(wn), *bias = alloc_guarded(g->k);
    float *dy = alloc_guarded(ys), *y = alloc_guarded(ys), *y_ref = alloc_guarded(ys);
    float *dx = alloc_guarded(xs), *dx_ref = alloc_guarded(xs);
    float *ws = alloc_guarded(conv2d_workspace_floats(g, n));
    fill_operands(isa, r, x, xs, -1, 1);
    fill_operands(isa, r, w, wn, -1, 1);
    fill_uniform(r, bias, g->k, -1, 1);
    fill_operands(isa, r, dy, ys, -1, 1);
    t->conv2d_fwd(g, n, x, w, bias, y, ws);
    ref.conv2d_fwd(g, n, x, w, bias, y_ref, NULL);
    expect_close(y, y_ref, ys, 2e-5, "conv2d_fwd");
    expect_guard(ws, conv2d_workspace_floats(g, n), "conv2d_fwd workspace");
    t->conv2d_fwd(g, n, x, w, NULL, y, ws);
    ref.conv2d_fwd(g, n, x, w, NULL, y_ref, NULL);
    expect_close(y, y_ref, ys, 2e-5, "conv2d_fwd without bias");
    t->conv2d_bwd_data(g, n, dy, w, dx, ws);
    ref.conv2d_bwd_data(g, n, dy, w, dx_ref, NULL);
    expect_close(dx, dx_ref, xs, 2e-5, "conv2d_bwd_data");
    expect_guard(ws, conv2d_workspace_floats(g, n), "conv2d_bwd_data workspace");
    float *dw = alloc_guarded(wn), *db = alloc_guarded(g->k);
    fill_uniform(r, dw, wn, -1, 1); /* pre-filled: dw and db accumulate */
    fill_uniform(r, db, g->k, -1, 1);
    float *dw_ref = alloc_copy(dw, wn), *db_ref = alloc_copy(db, g->k);
    t->conv2d_bwd_weights(g, n, x, dy, dw, db, ws);
    ref.conv2d_bwd_weights(g, n, x, dy, dw_ref, db_ref, NULL);
    expect_close(dw, dw_ref, wn, 2e-5, "conv2d_bwd_weights dw (accumulated)");
    expect_close(db, db_ref, g->k, 2e-5, "conv2d_bwd_weights db (accumulated)");
    t->conv2d_bwd_weights(g, n, x, dy, dw, NULL, ws); /* db == NULL is allowed */
    ref.conv2d_bwd_weights(g, n, x, dy, dw_ref, NULL, NULL);
    expect_close(dw, dw_ref, wn, 2e-5, "conv2d_bwd_weights dw, twice, db NULL");
    expect_guard(ws, conv2d_workspace_floats(g, n), "conv2d_bwd_weights workspace");
    free(x); free(w); free(bias); free(dy); free(y); free(y_ref); free(dx); free(dx_ref);
    free(ws); free(dw); free(db); free(dw_ref); free(db_ref);
}

ISA_TEST_OVER(conv, conv_matches_scalar, GEMM_TEST_ISAS)
{
    kern_table t;
    isa_table_or_skip(*isa, &t);
    test_rng r = {13};
    const int batches[] = {1, 3, 5};
    for (int gi = 0; gi < N_GEOMS; gi++)
        for (int bi = 0; bi < 3; bi++) {
            conv_geom g = test_geoms(gi);
            cr_log_info("%s conv geom %d n %d", kern_isa_name(*isa), gi, batches[bi]);
            check_conv_against_scalar(*isa, &t, &g, batches[bi], &r);
        }
}

/* A batch of n that needs several im2col groups, against the scalar loops. */
static void check_split_batch(kern_isa isa, conv_geom g, int n, uint64_t seed)
{
    kern_table t;
    isa_table_or_skip(isa, &t);
    test_rng r = {seed};
    cr_assert(conv2d_batch_images(&g, n) < n, "this case must split the batch (group %d)",
              conv2d_batch_images(&g, n));
    check_conv_against_scalar(isa, &t, &g, n, &r);
}

ISA_TEST_OVER(conv, conv_batch_split_into_im2col_groups, GEMM_TEST_ISAS)
{
    check_split_batch(*isa, conv_geom_make(32, 32, 32, 16, 4, 4, 1, true), 9, 14);
}

/* MNIST's conv 2 (64 -> 128 channels, 14x14 -> 7x7, stride 2) over several groups: runs of
 * 7 outputs and images of 49 columns straddle the packed B panels' edges. */
ISA_TEST_OVER(conv, conv_groups_straddle_packed_panels, GEMM_TEST_ISAS)
{
    check_split_batch(*isa, conv_geom_make(64, 14, 14, 128, 4, 4, 2, true), 9, 15);
}

/* A batch over several im2col groups (whose patches go straight into the GEMM's packed
 * panels: f32, or bfloat16 k pairs on avx512bf16 and amx) gives the bits of the images one at
 * a time (one group: the GEMM packs col itself). Operands not rounded to bfloat16 first, so
 * that im2col's rounding must be the packers'. MNIST's conv 2 (stride 2) and a stride-1 4x4. */
ISA_TEST_OVER(conv, conv_groups_give_the_bits_of_single_images, GEMM_TEST_ISAS)
{
    kern_table t;
    isa_table_or_skip(*isa, &t);
    const conv_geom geoms[] = {conv_geom_make(64, 14, 14, 128, 4, 4, 2, true),
                               conv_geom_make(16, 12, 12, 24, 4, 4, 1, true)};
    const int n = 9;
    test_rng r = {21};
    for (size_t gi = 0; gi < sizeof geoms / sizeof geoms[0]; gi++) {
        const conv_geom *g = &geoms[gi];
        cr_assert(conv2d_batch_images(g, n) < n, "geometry %zu must split the batch", gi);
        size_t xs = x_size(g, n), ys = y_size(g, n), per = y_size(g, 1);
        float *x = alloc_guarded(xs), *w = alloc_guarded(w_size(g)), *bias = alloc_guarded(g->k);
        float *y = alloc_guarded(ys), *one = alloc_guarded(ys);
        float *ws = alloc_guarded(conv2d_workspace_floats(g, n));
        fill_uniform(&r, x, xs, -1, 1);
        fill_uniform(&r, w, w_size(g), -1, 1);
        fill_uniform(&r, bias, g->k, -1, 1);
        t.conv2d_fwd(g, n, x, w, bias, y, ws);
        for (int b = 0; b < n; b++) t.conv2d_fwd(g, 1, x + b * x_size(g, 1), w, bias, one + b * per, NULL);
        cr_expect(memcmp(y, one, ys * sizeof(float)) == 0,
                  "%s geometry %zu: %d images in groups differ from one at a time",
                  kern_isa_name(*isa), gi, n);
        free(x), free(w), free(bias), free(y), free(one), free(ws);
    }
}

/* The weight gradient of one im2col group gives the bits of the table's GEMM on col and the
 * gathered dy built here: dw += dy (K, nb*P) col^T (a faster im2col or gathering must keep
 * them). Operands not pre-rounded. MNIST's conv 2 and a stride-1 4x4 over 3 images of 12x12. */
ISA_TEST_OVER(conv, conv_weight_gradient_gives_the_bits_of_its_gemm, GEMM_TEST_ISAS)
{
    kern_table t;
    isa_table_or_skip(*isa, &t);
    const struct { conv_geom g; int n; } cases[] = {{conv_geom_make(64, 14, 14, 128, 4, 4, 2, true), 4},
                                                    {conv_geom_make(16, 12, 12, 24, 4, 4, 1, true), 3}};
    test_rng r = {22};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const conv_geom *g = &cases[ci].g;
        const int n = cases[ci].n, ckk = g->c * g->kh * g->kw, p = g->oh * g->ow, ld = n * p;
        cr_assert(conv2d_batch_images(g, n) == n, "case %zu must be one group", ci);
        size_t xs = x_size(g, n), ys = y_size(g, n), wn = w_size(g);
        float *x = alloc_guarded(xs), *dy = alloc_guarded(ys), *dw = alloc_guarded(wn);
        float *want = alloc_guarded(wn), *col = alloc_guarded((size_t)ckk * ld);
        float *one = alloc_guarded(col_size(g)), *dyb = alloc_guarded((size_t)g->k * ld);
        fill_uniform(&r, x, xs, -1, 1);
        fill_uniform(&r, dy, ys, -1, 1);
        fill_uniform(&r, dw, wn, -1, 1);
        memcpy(want, dw, wn * sizeof(float));
        for (int b = 0; b < n; b++) { /* col (CKK, n*P) and dyb (K, n*P): image b at column b*P */
            t.im2col(g, x + b * x_size(g, 1), one);
            for (int row = 0; row < ckk; row++)
                memcpy(col + (size_t)row * ld + b * p, one + (size_t)row * p, sizeof(float) * p);
            for (int k = 0; k < g->k; k++)
                memcpy(dyb + (size_t)k * ld + b * p, dy + ((size_t)b * g->k + k) * p, sizeof(float) * p);
        }
        t.sgemm(false, true, g->k, ckk, ld, 1.0f, dyb, ld, col, ld, 1.0f, want, ckk);
        t.conv2d_bwd_weights(g, n, x, dy, dw, NULL, NULL);
        cr_expect(memcmp(dw, want, wn * sizeof(float)) == 0, "%s case %zu: dw is not the bits of "
                  "its GEMM", kern_isa_name(*isa), ci);
        free(x), free(dy), free(dw), free(want), free(col), free(one), free(dyb);
    }
}

ISA_TEST_OVER(conv, upconv_matches_direct_transposed_conv, GEMM_TEST_ISAS)
{
    kern_table t;
    isa_table_or_skip(*isa, &t);
    check_upconv(&t, *isa);
}
