/* kern_grad.c: finite-difference gradient checks of the backward kernels, through the
 * scalar table and the best ISA's table. The loss is L = sum_i r_i y_i for a fixed random
 * r (so dL/dy = r), evaluated in double from the float kernel outputs; derivatives are
 * central differences (L(v + h) - L(v - h)) / 2h on each checked coordinate v.
 * Tolerance: |numeric - analytic| <= atol + rtol |analytic|, stated per test. */
#include "kern_check.h"

typedef struct grad_case {
    const kern_table *t;
    const char *isa;
} grad_case;

/* The scalar table and the best ISA's (the same table twice on a scalar-only machine). */
static kern_table tables[2];
static grad_case cases(int i)
{
    kern_fill(KERN_SCALAR, &tables[0]);
    kern_fill(kern_best_isa(), &tables[1]);
    return (grad_case){&tables[i], kern_isa_name(i == 0 ? KERN_SCALAR : kern_best_isa())};
}

static double dot(const float *r, const float *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)r[i] * (double)y[i];
    return s;
}

/* Coordinates checked: all of them up to 48, else 48 spread over the array. */
static size_t n_checked(size_t n) { return n < 48 ? n : 48; }
static size_t checked_index(size_t k, size_t n) { return n < 48 ? k : (k * 7919u) % n; }

/* The loss as a function of the float array it perturbs. */
typedef double (*loss_fn)(void *ctx);

/* Compares analytic grad (n) of loss with respect to v (n) with central differences. */
static void expect_gradient(loss_fn loss, void *ctx, float *v, const float *grad, size_t n,
                            float h, double atol, double rtol, const char *what)
{
    for (size_t k = 0; k < n_checked(n); k++) {
        size_t i = checked_index(k, n);
        float saved = v[i];
        v[i] = saved + h;
        double up = loss(ctx);
        v[i] = saved - h;
        double down = loss(ctx);
        v[i] = saved;
        double numeric = (up - down) / (2.0 * (double)h), analytic = (double)grad[i];
        double err = fabs(numeric - analytic);
        cr_expect(err <= atol + rtol * fabs(analytic),
                  "%s[%zu]: analytic %.7g, numeric %.7g (error %.3g)", what, i, analytic, numeric, err);
    }
}

/* ---- conv and upconv ---- */

typedef struct conv_ctx {
    const kern_table *t;
    conv_geom g;
    int n;
    bool up;                 /* upconv: in (N,K,OH,OW) -> out (N,C,H,W) */
    float *in, *w, *bias, *out, *r, *ws;
    size_t out_len;
} conv_ctx;

static double conv_loss(void *p)
{
    conv_ctx *c = p;
    if (c->up) upconv2d_fwd(c->t, &c->g, c->n, c->in, c->w, c->bias, c->out, c->ws);
    else c->t->conv2d_fwd(&c->g, c->n, c->in, c->w, c->bias, c->out, c->ws);
    return dot(c->r, c->out, c->out_len);
}

/* conv and upconv are linear in each argument: h = 0.25 (exact in float) leaves only
 * rounding; atol 1e-3, rtol 1e-3. */
static void check_conv_grads(const grad_case *gc, conv_geom g, int n, bool up)
{
    test_rng rng = {21};
    size_t xs = (size_t)n * g.c * g.h * g.w, ys = (size_t)n * g.k * g.oh * g.ow;
    size_t wn = (size_t)g.k * g.c * g.kh * g.kw, nb = up ? (size_t)g.c : (size_t)g.k;
    size_t in_len = up ? ys : xs, out_len = up ? xs : ys;
    conv_ctx c = {.t = gc->t, .g = g, .n = n, .up = up, .out_len = out_len};
    c.in = alloc_guarded(in_len);
    c.w = alloc_guarded(wn);
    c.bias = alloc_guarded(nb);
    c.out = alloc_guarded(out_len);
    c.r = alloc_guarded(out_len);
    c.ws = alloc_guarded(conv2d_workspace_floats(&g, n));
    fill_uniform(&rng, c.in, in_len, -1, 1);
    fill_uniform(&rng, c.w, wn, -1, 1);
    fill_uniform(&rng, c.bias, nb, -1, 1);
    fill_uniform(&rng, c.r, out_len, -1, 1);
    float *din = alloc_guarded(in_len), *dw = zeros_guarded(wn), *db = zeros_guarded(nb);
    if (up) {
        upconv2d_bwd_data(gc->t, &g, n, c.r, c.w, din, c.ws);
        upconv2d_bwd_weights(gc->t, &g, n, c.in, c.r, dw, db, c.ws);
    } else {
        gc->t->conv2d_bwd_data(&g, n, c.r, c.w, din, c.ws);
        gc->t->conv2d_bwd_weights(&g, n, c.in, c.r, dw, db, c.ws);
    }
    cr_log_info("%s %s grads", gc->isa, up ? "upconv" : "conv");
    expect_gradient(conv_loss, &c, c.in, din, in_len, 0.25f, 1e-3, 1e-3, up ? "upconv dx" : "conv dx");
    expect_gradient(conv_loss, &c, c.w, dw, wn, 0.25f, 1e-3, 1e-3, up ? "upconv dw" : "conv dw");
    expect_gradient(conv_loss, &c, c.bias, db, nb, 0.25f, 1e-3, 1e-3, up ? "upconv db" : "conv db");
    free(c.in); free(c.w); free(c.bias); free(c.out); free(c.r); free(c.ws);
    free(din); free(dw); free(db);
}

Test(grad, conv_and_upconv)
{
    for (int i = 0; i < 2; i++) {
        grad_case gc = cases(i);
        /* 4x4 stride 2 "same" and 4x4 stride 1 "same" (asymmetric padding), odd sizes */
        check_conv_grads(&gc, conv_geom_make(2, 7, 6, 3, 4, 4, 2, true), 2, false);
        check_conv_grads(&gc, conv_geom_make(3, 5, 5, 2, 4, 4, 1, true), 2, false);
        check_conv_grads(&gc, conv_geom_make(3, 8, 7, 2, 4, 4, 2, true), 2, true);
        check_conv_grads(&gc, conv_geom_make(2, 4, 5, 3, 4, 4, 1, true), 1, true);
    }
}

/* ---- batch norm ---- */

typedef struct bn_ctx {
    const kern_table *t;
    int n, c, s;
    float *x, *gamma, *beta, *y, *mean, *invstd, *r;
} bn_ctx;

static double bn_loss(void *p)
{
    bn_ctx *b = p;
    b->t->batchnorm_fwd_train(b->n, b->c, b->s, b->x, b->gamma, b->beta, 1e-5f, 0.1f, b->y,
                              b->mean, b->invstd, NULL, NULL);
    return dot(b->r, b->y, (size_t)b->n * b->c * b->s);
}

/* Batch norm is smooth; h = 1e-2 in float: atol 2e-3, rtol 1e-2. */
Test(grad, batchnorm)
{
    const int shapes[][3] = {{4, 3, 5}, {8, 5, 1}, {2, 2, 9}};
    for (int i = 0; i < 2; i++) {
        grad_case gc = cases(i);
        for (int si = 0; si < 3; si++) {
            test_rng rng = {22};
            bn_ctx b = {.t = gc.t, .n = shapes[si][0], .c = shapes[si][1], .s = shapes[si][2]};
            size_t len = (size_t)b.n * b.c * b.s;
            b.x = alloc_guarded(len); b.y = alloc_guarded(len); b.r = alloc_guarded(len);
            b.gamma = alloc_guarded(b.c); b.beta = alloc_guarded(b.c);
            b.mean = alloc_guarded(b.c); b.invstd = alloc_guarded(b.c);
            fill_uniform(&rng, b.x, len, -2, 2);
            fill_uniform(&rng, b.r, len, -1, 1);
            fill_uniform(&rng, b.gamma, b.c, 0.5f, 1.5f);
            fill_uniform(&rng, b.beta, b.c, -1, 1);
            float *dx = alloc_guarded(len), *dg = zeros_guarded(b.c), *dbeta = zeros_guarded(b.c);
            bn_loss(&b); /* mean and invstd of the unperturbed batch */
            gc.t->batchnorm_bwd(b.n, b.c, b.s, b.r, b.x, b.gamma, b.mean, b.invstd, dx, dg, dbeta);
            cr_log_info("%s batchnorm (%d,%d,%d)", gc.isa, b.n, b.c, b.s);
            expect_gradient(bn_loss, &b, b.x, dx, len, 1e-2f, 2e-3, 1e-2, "batchnorm dx");
            expect_gradient(bn_loss, &b, b.gamma, dg, b.c, 1e-2f, 2e-3, 1e-2, "batchnorm dgamma");
            expect_gradient(bn_loss, &b, b.beta, dbeta, b.c, 1e-2f, 2e-3, 1e-2, "batchnorm dbeta");
            free(b.x); free(b.y); free(b.r); free(b.gamma); free(b.beta); free(b.mean); free(b.invstd);
            free(dx); free(dg); free(dbeta);
        }
    }
}

/* ---- elementwise activations ---- */

typedef struct act_ctx {
    const kern_table *t;
    int kind; /* 0 leaky ReLU, 1 sigmoid, 2 tanh, 3 ReLU */
    size_t n;
    float *x, *y, *r;
} act_ctx;

static void act_fwd(const act_ctx *a, float *y)
{
    switch (a->kind) {
    case 0: a->t->lrelu_fwd(a->n, 0.1f, a->x, y); break;
    case 1: a->t->sigmoid_fwd(a->n, a->x, y); break;
    case 2: a->t->tanh_fwd(a->n, a->x, y); break;
    default: a->t->relu_fwd(a->n, a->x, y); break;
    }
}

static double act_loss(void *p)
{
    act_ctx *a = p;
    act_fwd(a, a->y);
    return dot(a->r, a->y, a->n);
}

/* h = 1e-2 in float, inputs kept 0.05 away from the ReLU kink: atol 1e-3, rtol 1e-2. */
Test(grad, activations)
{
    const char *names[] = {"lrelu dx", "sigmoid dx", "tanh dx", "relu dx"};
    for (int i = 0; i < 2; i++) {
        grad_case gc = cases(i);
        for (int kind = 0; kind < 4; kind++) {
            test_rng rng = {23};
            act_ctx a = {.t = gc.t, .kind = kind, .n = 37};
            a.x = alloc_guarded(a.n); a.y = alloc_guarded(a.n); a.r = alloc_guarded(a.n);
            fill_uniform(&rng, a.x, a.n, -3, 3);
            for (size_t j = 0; j < a.n; j++)
                if (fabsf(a.x[j]) < 0.05f) a.x[j] = 0.5f;
            fill_uniform(&rng, a.r, a.n, -1, 1);
            float *y = alloc_guarded(a.n), *dx = alloc_guarded(a.n);
            act_fwd(&a, y);
            switch (kind) {
            case 0: gc.t->lrelu_bwd(a.n, 0.1f, a.x, a.r, dx); break;
            case 1: gc.t->sigmoid_bwd(a.n, y, a.r, dx); break;
            case 2: gc.t->tanh_bwd(a.n, y, a.r, dx); break;
            default: gc.t->relu_bwd(a.n, a.x, a.r, dx); break;
            }
            cr_log_info("%s %s", gc.isa, names[kind]);
            expect_gradient(act_loss, &a, a.x, dx, a.n, 1e-2f, 1e-3, 1e-2, names[kind]);
            free(a.x); free(a.y); free(a.r); free(y); free(dx);
        }
    }
}

/* ---- log-softmax: its gradient dx = dy - softmax(x) sum(dy), from the softmax kernel ---- */

typedef struct lsm_ctx {
    const kern_table *t;
    int rows, cols;
    float *x, *y, *r;
} lsm_ctx;

static double lsm_loss(void *p)
{
    lsm_ctx *l = p;
    l->t->log_softmax(l->rows, l->cols, l->x, l->y);
    return dot(l->r, l->y, (size_t)l->rows * l->cols);
}

/* h = 1e-2 in float: atol 1e-3, rtol 1e-2. */
Test(grad, log_softmax)
{
    for (int i = 0; i < 2; i++) {
        grad_case gc = cases(i);
        test_rng rng = {24};
        lsm_ctx l = {.t = gc.t, .rows = 3, .cols = 10};
        size_t len = (size_t)l.rows * l.cols;
        l.x = alloc_guarded(len); l.y = alloc_guarded(len); l.r = alloc_guarded(len);
        fill_uniform(&rng, l.x, len, -3, 3);
        fill_uniform(&rng, l.r, len, -1, 1);
        float *p = alloc_guarded(len), *dx = alloc_guarded(len);
        gc.t->softmax(l.rows, l.cols, l.x, p);
        for (int row = 0; row < l.rows; row++) {
            double s = 0.0;
            for (int j = 0; j < l.cols; j++) s += (double)l.r[row * l.cols + j];
            for (int j = 0; j < l.cols; j++)
                dx[row * l.cols + j] = (float)((double)l.r[row * l.cols + j] - (double)p[row * l.cols + j] * s);
        }
        cr_log_info("%s log_softmax", gc.isa);
        expect_gradient(lsm_loss, &l, l.x, dx, len, 1e-2f, 1e-3, 1e-2, "log_softmax dx");
        free(l.x); free(l.y); free(l.r); free(p); free(dx);
    }
}
