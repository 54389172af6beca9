/* make_corpus.c: writes the small seed inputs of every fuzz target into
 * tests/fuzz/corpus/<target>/ (run once; the seeds are committed). Build and run:
 *   make BUILD=build -j2 build/libinfogan.a build/libkernels.a
 *   gcc -D_GNU_SOURCE -Ilib -Ikernels -fopenmp tests/fuzz/make_corpus.c build/libinfogan.a \
 *       build/libkernels.a -lpng -lz -lnettle -lmatio -ljpeg -lsleef -lm -o /tmp/make_corpus
 *   /tmp/make_corpus tests/fuzz/corpus */
#include <errno.h>
#include <matio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <jpeglib.h>

#include "model/checkpoint.h"
#include "base/image.h"
#include "base/util.h"

static const char *root;

static void put_file(const char *target, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, target);
    CHECK(mkdir(path, 0755) == 0 || errno == EEXIST, "cannot create %s", path);
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = xmalloc(*len);
    CHECK(fread(b, 1, *len, f) == *len, "cannot read %s", path);
    fclose(f);
    return b;
}

static size_t gzip_bytes(const unsigned char *data, size_t size, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) == Z_OK, "zlib");
    z.next_in = (Bytef *)data, z.avail_in = (uInt)size;
    z.next_out = out, z.avail_out = (uInt)cap;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "zlib");
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

static void idx_seeds(void)
{
    /* 2 images of 3x2, labels 7 and 1: [label length][images][labels] */
    unsigned char img[16 + 6 * 2] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2};
    for (int i = 0; i < 12; i++) img[16 + i] = (unsigned char)(i * 20);
    unsigned char lab[10] = {0, 0, 8, 1, 0, 0, 0, 2, 7, 1};
    unsigned char seed[1 + sizeof img + sizeof lab];
    seed[0] = sizeof lab;
    memcpy(seed + 1, img, sizeof img);
    memcpy(seed + 1 + sizeof img, lab, sizeof lab);
    put_file("idx", "pair", seed, sizeof seed);
    put_file("idx_gz", "pair", seed, sizeof seed);
    seed[0] = 0;
    put_file("idx", "no-labels", seed, 1 + sizeof img);
    unsigned char gz[2][256], both[600];
    size_t gi = gzip_bytes(img, sizeof img, gz[0], 256), gl = gzip_bytes(lab, sizeof lab, gz[1], 256);
    both[0] = (unsigned char)gl;
    memcpy(both + 1, gz[0], gi);
    memcpy(both + 1 + gi, gz[1], gl);
    put_file("idx", "pair-gz", both, 1 + gi + gl);
}

static void json_seeds(void)
{
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "{\"data\": [");
    for (int i = 0; i < 784; i++) n += snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", i % 7 ? "0" : "0.5");
    n += snprintf(buf + n, sizeof buf - n, "]}\n");
    put_file("npm_json", "one-digit", buf, (size_t)n);
    put_file("npm_json", "empty", "{ \"data\": [] }", 14);
    put_file("npm_json", "numbers", "{\"data\":[1e-3,0.25E+0,1,0.0]}", 29);
}

static void mat_seeds(const char *tmpdir)
{
    for (int compress = 0; compress < 2; compress++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/seed%d.mat", tmpdir, compress);
        mat_t *mat = Mat_CreateVer(path, NULL, MAT_FT_MAT5);
        CHECK(mat, "cannot create %s", path);
        unsigned char x[3072];
        for (int i = 0; i < 3072; i++) x[i] = (unsigned char)(i % 251);
        double y[1] = {3};
        size_t xd[4] = {32, 32, 3, 1}, yd[2] = {1, 1};
        matvar_t *vx = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xd, x, 0);
        matvar_t *vy = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, yd, y, 0);
        enum matio_compression c = compress ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
        CHECK(Mat_VarWrite(mat, vx, c) == 0 && Mat_VarWrite(mat, vy, c) == 0, "cannot write %s", path);
        Mat_VarFree(vx), Mat_VarFree(vy);
        Mat_Close(mat);
        size_t len;
        unsigned char *b = read_all(path, &len);
        put_file("svhn_mat", compress ? "one-image-zlib" : "one-image", b, len);
        free(b);
        remove(path);
    }
}

static void attr_seeds(void)
{
    static const char *names = "5_o_Clock_Shadow Eyeglasses Smiling Male Bangs Bald Black_Hair "
        "Blond_Hair Brown_Hair Gray_Hair Wearing_Hat Mouth_Slightly_Open Pale_Skin Young "
        "Heavy_Makeup Mustache No_Beard";
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "4\n%s\n", names);
    for (int r = 1; r <= 4; r++) {
        n += snprintf(buf + n, sizeof buf - n, "%06d.jpg", r);
        for (int a = 0; a < 17; a++) n += snprintf(buf + n, sizeof buf - n, " %s", (a + r) % 3 ? "-1" : " 1");
        n += snprintf(buf + n, sizeof buf - n, "\n");
    }
    put_file("celeba_attr", "four-rows", buf, (size_t)n);
}

static void jpeg_seed(const char *name, int h, int w, int quality)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL;
    unsigned long len = 0;
    jpeg_mem_dest(&ci, &out, &len);
    ci.image_width = (JDIMENSION)w, ci.image_height = (JDIMENSION)h;
    ci.input_components = 3, ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, quality, TRUE);
    jpeg_start_compress(&ci, TRUE);
    unsigned char row[3 * 64];
    while (ci.next_scanline < ci.image_height) {
        for (int x = 0; x < w * 3; x++) row[x] = (unsigned char)(x * 7 + ci.next_scanline * 13);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&ci, rows, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    put_file("jpeg", name, out, len);
    free(out);
}

static void png_seeds(const char *tmpdir)
{
    float img[3 * 5 * 4];
    for (int i = 0; i < 60; i++) img[i] = (float)(i % 9) / 8.0f;
    for (int c = 1; c <= 3; c += 2) {
        char path[4096];
        snprintf(path, sizeof path, "%s/seed.png", tmpdir);
        image_write_png(path, img, c, 5, 4);
        size_t len;
        unsigned char *b = read_all(path, &len);
        put_file("png", c == 1 ? "gray-5x4" : "rgb-5x4", b, len);
        free(b);
        remove(path);
    }
}

static void checkpoint_seeds(const char *tmpdir)
{
    infogan_config c;
    infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "toy");
    latent_parse(&c.latent, "noise:8,cat:10,cont:1", "--latent");
    c.batch = 32;
    infogan *m = infogan_create(&c);
    char path[4096];
    snprintf(path, sizeof path, "%s/seed.ckpt", tmpdir);
    checkpoint_save(m, path);
    infogan_free(m);
    size_t len;
    unsigned char *b = read_all(path, &len);
    remove(path);
    /* The header and the first parameters: [mode][bytes] (fuzz_checkpoint.c has the modes). */
    unsigned char seed[1 + 600];
    seed[0] = 1;
    memcpy(seed + 1, b, 600);
    put_file("checkpoint", "header-checksummed", seed, sizeof seed);
    seed[0] = 0;
    put_file("checkpoint", "header-raw", seed, sizeof seed);
    seed[0] = 3; /* padded to the full size and checksummed: a whole checkpoint that loads */
    put_file("checkpoint", "whole-padded", seed, sizeof seed);
    free(b);
}

static void text_seeds(void)
{
    static const char *latent[] = {"noise:62,cat:10,cont:2", "cat:10,cat:10,cont:3", "noise:1"};
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "spec%d", i);
        put_file("latent", name, latent[i], strlen(latent[i]));
    }
    static const char flags[] = "--batch\n64\n--latent\nnoise:62,cat:10,cont:2\n--lr-d\n2e-4\n"
        "--leaky\npaper\n--std\nlearned\n--seed\n7\n--arch\ntoy\n--gan\n--lambda\n0.5";
    put_file("flags", "all", flags, sizeof flags - 1);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: make_corpus OUT_DIR (tests/fuzz/corpus)");
    root = argv[1];
    CHECK(mkdir(root, 0755) == 0 || errno == EEXIST, "cannot create %s", root);
    const char *tmpdir = "/tmp";
    idx_seeds();
    json_seeds();
    mat_seeds(tmpdir);
    attr_seeds();
    jpeg_seed("rgb-16x12", 12, 16, 75);
    jpeg_seed("rgb-8x8-q20", 8, 8, 20);
    png_seeds(tmpdir);
    checkpoint_seeds(tmpdir);
    text_seeds();
    return 0;
}
