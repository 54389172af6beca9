/* kern_ops.c: activations, softmax, bias, batch norm and Adam of every ISA against the
 * scalar references: awkward sizes, NaN-prefilled outputs, guard words, in-place calls,
 * accumulation into pre-filled gradients, and thread-count independence. */
#include <omp.h>

#include "kern_check.h"

/* Sizes around every vector width (4, 8, 16 floats), primes, and one past the threading
 * cutoff of the transcendental kernels (2^21 floats). */
static const size_t sizes[] = {1, 2, 7, 15, 16, 17, 31, 33, 97, 1031, (1u << 21) + 5};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

typedef void (*unary_fn)(size_t n, const float *x, float *y);
typedef void (*binary_fn)(size_t n, const float *a, const float *b, float *out);

/* out = f(x) against the reference, then in place (y == x) against the out-of-place run. */
static void check_unary(unary_fn got, unary_fn ref, float lo, float hi, double tol, const char *what)
{
    test_rng r = {1};
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        float *x = alloc_guarded(n), *y = alloc_guarded(n), *y_ref = alloc_guarded(n);
        fill_uniform(&r, x, n, lo, hi);
        x[0] = 0.0f; /* the kink of (leaky) ReLU */
        got(n, x, y);
        ref(n, x, y_ref);
        cr_log_info("%s n = %zu", what, n);
        expect_close(y, y_ref, n, tol, what);
        float *xy = alloc_copy(x, n);
        got(n, xy, xy);
        expect_close(xy, y, n, 0.0, "in place (y == x)");
        free(x); free(y); free(y_ref); free(xy);
    }
}

/* out = f(a, b) against the reference, then in place (out == b, i.e. dx == dy). */
static void check_binary(binary_fn got, binary_fn ref, float lo, float hi, double tol, const char *what)
{
    test_rng r = {2};
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        float *a = alloc_guarded(n), *b = alloc_guarded(n), *out = alloc_guarded(n), *out_ref = alloc_guarded(n);
        fill_uniform(&r, a, n, lo, hi);
        fill_uniform(&r, b, n, -2, 2);
        a[0] = 0.0f;
        got(n, a, b, out);
        ref(n, a, b, out_ref);
        cr_log_info("%s n = %zu", what, n);
        expect_close(out, out_ref, n, tol, what);
        float *inplace = alloc_copy(b, n);
        got(n, a, inplace, inplace);
        expect_close(inplace, out, n, 0.0, "in place (dx == dy)");
        free(a); free(b); free(out); free(out_ref); free(inplace);
    }
}

/* The slope is fixed per call of the leaky ReLU checks (the paper's 0.1, the code's 0.01). */
static kern_table cur, ref_t;
static float cur_slope;
static void lrelu_fwd_cur(size_t n, const float *x, float *y) { cur.lrelu_fwd(n, cur_slope, x, y); }
static void lrelu_fwd_ref(size_t n, const float *x, float *y) { ref_t.lrelu_fwd(n, cur_slope, x, y); }
static void lrelu_bwd_cur(size_t n, const float *x, const float *dy, float *dx) { cur.lrelu_bwd(n, cur_slope, x, dy, dx); }
static void lrelu_bwd_ref(size_t n, const float *x, const float *dy, float *dx) { ref_t.lrelu_bwd(n, cur_slope, x, dy, dx); }

static void load_tables(kern_isa isa)
{
    isa_table_or_skip(isa, &cur);
    kern_fill(KERN_SCALAR, &ref_t);
}

/* Tolerances (max error / max |reference|): ReLU family exact; sigmoid and tanh 2e-6
 * (SLEEF 1-ULP exp/tanh in float vs the double reference). */
ISA_TEST(ops, relu)
{
    load_tables(*isa);
    check_unary(cur.relu_fwd, ref_t.relu_fwd, -3, 3, 0.0, "relu_fwd");
    check_binary(cur.relu_bwd, ref_t.relu_bwd, -3, 3, 0.0, "relu_bwd");
}

ISA_TEST(ops, leaky_relu)
{
    load_tables(*isa);
    const float slopes[] = {0.1f, 0.01f};
    for (int i = 0; i < 2; i++) {
        cur_slope = slopes[i];
        check_unary(lrelu_fwd_cur, lrelu_fwd_ref, -3, 3, 0.0, "lrelu_fwd");
        check_binary(lrelu_bwd_cur, lrelu_bwd_ref, -3, 3, 0.0, "lrelu_bwd");
    }
}

ISA_TEST(ops, sigmoid)
{
    load_tables(*isa);
    check_unary(cur.sigmoid_fwd, ref_t.sigmoid_fwd, -12, 12, 2e-6, "sigmoid_fwd");
    check_unary(cur.sigmoid_fwd, ref_t.sigmoid_fwd, -100, 100, 2e-6, "sigmoid_fwd saturated");
    check_binary(cur.sigmoid_bwd, ref_t.sigmoid_bwd, 0, 1, 2e-6, "sigmoid_bwd");
}

ISA_TEST(ops, tanh)
{
    load_tables(*isa);
    check_unary(cur.tanh_fwd, ref_t.tanh_fwd, -6, 6, 2e-6, "tanh_fwd");
    check_unary(cur.tanh_fwd, ref_t.tanh_fwd, -50, 50, 2e-6, "tanh_fwd saturated");
    check_binary(cur.tanh_bwd, ref_t.tanh_bwd, -1, 1, 2e-6, "tanh_bwd");
}

/* Softmax 2e-6 (values <= 1), log-softmax 2e-6 of the largest |log p|; softmax rows sum to
 * 1 within 1e-5. */
ISA_TEST(ops, softmax_and_log_softmax)
{
    load_tables(*isa);
    test_rng r = {3};
    const int cols_list[] = {1, 2, 7, 10, 15, 16, 17, 33, 100}, rows_list[] = {1, 3, 128};
    for (int ci = 0; ci < 9; ci++)
        for (int ri = 0; ri < 3; ri++) {
            int rows = rows_list[ri], cols = cols_list[ci];
            size_t n = (size_t)rows * cols;
            float *x = alloc_guarded(n), *y = alloc_guarded(n), *y_ref = alloc_guarded(n);
            fill_uniform(&r, x, n, -20, 20);
            cr_log_info("softmax %d x %d", rows, cols);
            cur.softmax(rows, cols, x, y);
            ref_t.softmax(rows, cols, x, y_ref);
            expect_close(y, y_ref, n, 2e-6, "softmax");
            for (int row = 0; row < rows; row++) {
                double s = 0.0;
                for (int j = 0; j < cols; j++) s += (double)y[(size_t)row * cols + j];
                cr_expect(fabs(s - 1.0) <= 1e-5, "softmax row %d sums to %.9f", row, s);
            }
            cur.log_softmax(rows, cols, x, y);
            ref_t.log_softmax(rows, cols, x, y_ref);
            expect_close(y, y_ref, n, 2e-6, "log_softmax");
            memcpy(y, x, n * sizeof(float));
            cur.log_softmax(rows, cols, y, y); /* in place */
            expect_close(y, y_ref, n, 2e-6, "log_softmax in place");
            free(x); free(y); free(y_ref);
        }
}

/* (N,C,S) shapes: dense layers (S = 1), the paper's conv maps, awkward sizes. */
/* {64, 1041, 1}: a dense batch large enough for the threaded path, with a partial vector */
static const int shapes[][3] = {{1, 1, 1},   {128, 64, 1}, {7, 1024, 1}, {3, 17, 1},  {5, 3, 49},
                                {2, 16, 196}, {4, 33, 15},  {1, 5, 17},   {16, 64, 49}, {3, 2, 1025},
                                {64, 1041, 1}};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

/* bias_add exact (one add per element); bias_grad accumulates: 1e-5 of the largest sum. */
ISA_TEST(ops, bias_add_and_grad)
{
    load_tables(*isa);
    test_rng r = {4};
    for (size_t si = 0; si < N_SHAPES; si++) {
        int n = shapes[si][0], c = shapes[si][1], s = shapes[si][2];
        size_t len = (size_t)n * c * s;
        float *bias = alloc_guarded(c), *y = alloc_guarded(len), *dy = alloc_guarded(len);
        fill_uniform(&r, bias, c, -1, 1);
        fill_uniform(&r, y, len, -1, 1);
        fill_uniform(&r, dy, len, -1, 1);
        float *y_ref = alloc_copy(y, len);
        cr_log_info("bias (%d,%d,%d)", n, c, s);
        cur.bias_add(n, c, s, bias, y);
        ref_t.bias_add(n, c, s, bias, y_ref);
        expect_close(y, y_ref, len, 0.0, "bias_add");
        float *db = alloc_guarded(c);
        fill_uniform(&r, db, c, -5, 5); /* pre-filled: the kernel must add to it */
        float *db_ref = alloc_copy(db, c);
        cur.bias_grad(n, c, s, dy, db);
        ref_t.bias_grad(n, c, s, dy, db_ref);
        expect_close(db, db_ref, c, 1e-5, "bias_grad (accumulated)");
        free(bias); free(y); free(dy); free(y_ref); free(db); free(db_ref);
    }
}

/* Batch norm: outputs and statistics within 2e-5 of the largest reference value; the
 * input has a large mean (3) so the two-pass variance matters. */
ISA_TEST(ops, batchnorm)
{
    load_tables(*isa);
    test_rng r = {5};
    const float eps = 1e-5f, momentum = 0.1f;
    for (size_t si = 0; si < N_SHAPES; si++) {
        int n = shapes[si][0], c = shapes[si][1], s = shapes[si][2];
        size_t len = (size_t)n * c * s;
        float *x = alloc_guarded(len), *gamma = alloc_guarded(c), *beta = alloc_guarded(c);
        fill_uniform(&r, x, len, 2, 4);
        fill_uniform(&r, gamma, c, 0.5f, 1.5f);
        fill_uniform(&r, beta, c, -0.5f, 0.5f);
        float *y = alloc_guarded(len), *mean = alloc_guarded(c), *invstd = alloc_guarded(c);
        float *y_ref = alloc_guarded(len), *mean_ref = alloc_guarded(c), *invstd_ref = alloc_guarded(c);
        float *rm = alloc_guarded(c), *rv = alloc_guarded(c);
        fill_uniform(&r, rm, c, -1, 1);
        fill_uniform(&r, rv, c, 0.5f, 2);
        float *rm_ref = alloc_copy(rm, c), *rv_ref = alloc_copy(rv, c);
        cr_log_info("batchnorm (%d,%d,%d)", n, c, s);
        cur.batchnorm_fwd_train(n, c, s, x, gamma, beta, eps, momentum, y, mean, invstd, rm, rv);
        ref_t.batchnorm_fwd_train(n, c, s, x, gamma, beta, eps, momentum, y_ref, mean_ref, invstd_ref,
                                  rm_ref, rv_ref);
        expect_close(y, y_ref, len, 2e-5, "batchnorm_fwd_train y");
        expect_close(mean, mean_ref, c, 2e-5, "batchnorm_fwd_train mean");
        expect_close(invstd, invstd_ref, c, 2e-5, "batchnorm_fwd_train invstd");
        expect_close(rm, rm_ref, c, 2e-5, "batchnorm_fwd_train running_mean");
        expect_close(rv, rv_ref, c, 2e-5, "batchnorm_fwd_train running_var");

        cur.batchnorm_fwd_eval(n, c, s, x, gamma, beta, rm_ref, rv_ref, eps, y);
        ref_t.batchnorm_fwd_eval(n, c, s, x, gamma, beta, rm_ref, rv_ref, eps, y_ref);
        expect_close(y, y_ref, len, 2e-5, "batchnorm_fwd_eval");

        float *dy = alloc_guarded(len), *dx = alloc_guarded(len), *dx_ref = alloc_guarded(len);
        float *dg = alloc_guarded(c), *dbe = alloc_guarded(c);
        fill_uniform(&r, dy, len, -1, 1);
        fill_uniform(&r, dg, c, -1, 1);
        fill_uniform(&r, dbe, c, -1, 1);
        float *dg_ref = alloc_copy(dg, c), *dbe_ref = alloc_copy(dbe, c);
        cur.batchnorm_bwd(n, c, s, dy, x, gamma, mean_ref, invstd_ref, dx, dg, dbe);
        ref_t.batchnorm_bwd(n, c, s, dy, x, gamma, mean_ref, invstd_ref, dx_ref, dg_ref, dbe_ref);
        expect_close(dx, dx_ref, len, 2e-5, "batchnorm_bwd dx");
        expect_close(dg, dg_ref, c, 2e-5, "batchnorm_bwd dgamma (accumulated)");
        expect_close(dbe, dbe_ref, c, 2e-5, "batchnorm_bwd dbeta (accumulated)");
        free(x); free(gamma); free(beta); free(y); free(mean); free(invstd); free(y_ref);
        free(mean_ref); free(invstd_ref); free(rm); free(rv); free(rm_ref); free(rv_ref);
        free(dy); free(dx); free(dx_ref); free(dg); free(dbe); free(dg_ref); free(dbe_ref);
    }
}

/* Batch norm fused with its activation against the table's two kernels in turn (batch norm,
 * then relu or lrelu; their backward likewise, the activation's from its input y): the same
 * bits for z, the statistics, dx, dgamma and dbeta, both layouts (S = 1 and S > 1). */
static void check_bn_act(const kern_table *t, const char *isa)
{
    test_rng r = {8};
    const float eps = 1e-5f;
    for (size_t si = 0; si < N_SHAPES; si++)
        for (int a = 0; a < 2; a++) {
            kern_act act = a ? KERN_ACT_LRELU : KERN_ACT_RELU;
            float slope = a ? 0.2f : 0.0f;
            int n = shapes[si][0], c = shapes[si][1], s = shapes[si][2];
            size_t len = (size_t)n * c * s, bytes = len * sizeof(float), cb = (size_t)c * sizeof(float);
            float *x = alloc_guarded(len), *gamma = alloc_guarded(c), *beta = alloc_guarded(c);
            fill_uniform(&r, x, len, -1, 2);
            fill_uniform(&r, gamma, c, 0.5f, 1.5f);
            fill_uniform(&r, beta, c, -0.5f, 0.5f);
            float *y = alloc_guarded(len), *z_ref = alloc_guarded(len), *z = alloc_guarded(len);
            float *mean = alloc_guarded(c), *invstd = alloc_guarded(c);
            float *mean_ref = alloc_guarded(c), *invstd_ref = alloc_guarded(c);
            t->batchnorm_fwd_train(n, c, s, x, gamma, beta, eps, 0.0f, y, mean_ref, invstd_ref, NULL, NULL);
            if (a) t->lrelu_fwd(len, slope, y, z_ref);
            else t->relu_fwd(len, y, z_ref);
            t->batchnorm_act_fwd_train(n, c, s, x, gamma, beta, eps, act, slope, z, mean, invstd);
            cr_expect(memcmp(z, z_ref, bytes) == 0 && memcmp(mean, mean_ref, cb) == 0 &&
                          memcmp(invstd, invstd_ref, cb) == 0,
                      "%s batchnorm_act_fwd_train (%d,%d,%d) act %d: not the bits of the two kernels",
                      isa, n, c, s, a);
            float *dz = alloc_guarded(len), *dy = alloc_guarded(len);
            float *dx = alloc_guarded(len), *dx_ref = alloc_guarded(len);
            float *dg = alloc_guarded(c), *dbe = alloc_guarded(c);
            fill_uniform(&r, dz, len, -1, 1);
            fill_uniform(&r, dg, c, -1, 1);
            fill_uniform(&r, dbe, c, -1, 1);
            float *dg_ref = alloc_copy(dg, c), *dbe_ref = alloc_copy(dbe, c);
            if (a) t->lrelu_bwd(len, slope, y, dz, dy);
            else t->relu_bwd(len, y, dz, dy);
            t->batchnorm_bwd(n, c, s, dy, x, gamma, mean_ref, invstd_ref, dx_ref, dg_ref, dbe_ref);
            t->batchnorm_act_bwd(n, c, s, dz, z, act, slope, x, gamma, mean, invstd, dx, dg, dbe);
            cr_expect(memcmp(dx, dx_ref, bytes) == 0 && memcmp(dg, dg_ref, cb) == 0 &&
                          memcmp(dbe, dbe_ref, cb) == 0,
                      "%s batchnorm_act_bwd (%d,%d,%d) act %d: not the bits of the two kernels",
                      isa, n, c, s, a);
            expect_guard(z, len, "batchnorm_act_fwd_train z");
            expect_guard(dx, len, "batchnorm_act_bwd dx");
            free(x); free(gamma); free(beta); free(y); free(z_ref); free(z); free(mean);
            free(invstd); free(mean_ref); free(invstd_ref); free(dz); free(dy); free(dx);
            free(dx_ref); free(dg); free(dbe); free(dg_ref); free(dbe_ref);
        }
}

ISA_TEST(ops, batchnorm_act_matches_the_two_kernels)
{
    load_tables(*isa);
    check_bn_act(&cur, kern_isa_name(*isa));
}

Test(ops, batchnorm_act_scalar_matches_the_two_kernels)
{
    kern_table t;
    kern_fill(KERN_SCALAR, &t);
    check_bn_act(&t, "scalar");
}

/* Adam: the optimized kernels do the reference's operations in the same order; 1e-6. */
ISA_TEST(ops, adam)
{
    load_tables(*isa);
    test_rng r = {6};
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        float *p = alloc_guarded(n), *m = alloc_guarded(n), *v = alloc_guarded(n), *g = alloc_guarded(n);
        fill_uniform(&r, p, n, -1, 1);
        memset(m, 0, n * sizeof(float));
        memset(v, 0, n * sizeof(float));
        float *p_ref = alloc_copy(p, n), *m_ref = alloc_copy(m, n), *v_ref = alloc_copy(v, n);
        for (int t = 1; t <= 3; t++) {
            fill_uniform(&r, g, n, -1, 1);
            cur.adam(n, p, g, m, v, 2e-4f, 0.5f, 0.999f, 1e-8f, t);
            ref_t.adam(n, p_ref, g, m_ref, v_ref, 2e-4f, 0.5f, 0.999f, 1e-8f, t);
        }
        cr_log_info("adam n = %zu", n);
        expect_close(p, p_ref, n, 1e-6, "adam p");
        expect_close(m, m_ref, n, 1e-6, "adam m");
        expect_close(v, v_ref, n, 1e-6, "adam v");
        free(p); free(m); free(v); free(g); free(p_ref); free(m_ref); free(v_ref);
    }
}

static bool same_bits(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof(float)) == 0;
}

/* The reductions (batch norm statistics and backward, bias grad) of x (n,c,s) give the same
 * bits on 1 thread and on all OpenMP threads (a repeated run when OMP_NUM_THREADS=1). */
static void check_reductions_threads(int n, int c, int s)
{
    test_rng r = {8};
    size_t len = (size_t)n * c * s;
    float *x = alloc_guarded(len), *dy = alloc_guarded(len), *gamma = alloc_guarded(c), *beta = alloc_guarded(c);
    fill_uniform(&r, x, len, -1, 3);
    fill_uniform(&r, dy, len, -1, 1);
    fill_uniform(&r, gamma, c, 0.5f, 1.5f);
    fill_uniform(&r, beta, c, -1, 1);
    float *out[2][6];
    int saved = omp_get_max_threads();
    int threads[2] = {1, saved};
    if (saved == 1) cr_log_info("one OpenMP thread only: comparing two runs");
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(threads[k]);
        float *y = alloc_guarded(len), *mean = alloc_guarded(c), *invstd = alloc_guarded(c);
        float *dx = alloc_guarded(len), *dg = zeros_guarded(c), *db = zeros_guarded(c);
        cur.batchnorm_fwd_train(n, c, s, x, gamma, beta, 1e-5f, 0.1f, y, mean, invstd, NULL, NULL);
        cur.batchnorm_bwd(n, c, s, dy, x, gamma, mean, invstd, dx, dg, db);
        cur.bias_grad(n, c, s, dy, db);
        out[k][0] = y; out[k][1] = mean; out[k][2] = invstd; out[k][3] = dx; out[k][4] = dg; out[k][5] = db;
    }
    omp_set_num_threads(saved);
    const size_t lens[6] = {len, (size_t)c, (size_t)c, len, (size_t)c, (size_t)c};
    const char *names[6] = {"bn y", "bn mean", "bn invstd", "bn dx", "bn dgamma", "bias_grad + dbeta"};
    for (int i = 0; i < 6; i++) {
        cr_expect(same_bits(out[0][i], out[1][i], lens[i]), "(%d,%d,%d): %s differs between 1 and %d threads",
                  n, c, s, names[i], saved);
        free(out[0][i]);
        free(out[1][i]);
    }
    free(x); free(dy); free(gamma); free(beta);
}

/* Large enough for the threaded paths: 4.3M floats, and a dense batch of 1041 channels. */
ISA_TEST(ops, reductions_independent_of_thread_count)
{
    load_tables(*isa);
    check_reductions_threads(128, 64, 520);
    check_reductions_threads(128, 1041, 1);
}
