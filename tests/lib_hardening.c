/* lib_hardening.c: regression tests of the fuzzing findings, the size guards of loaders and
 * flags, and crash safety: SIGTERM ends a run with a checkpoint, SIGKILL at random points
 * then --resume gives the uninterrupted run's bits, and a full disk or an unwritable path
 * is reported without touching the earlier file. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <glob.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <jpeglib.h> /* after stdio.h */
#include <nettle/sha2.h>

#include "base/parse.h"
#include "model/checkpoint.h"
#include "data_fixture.h"
#include "base/image.h"
#include "model/infogan.h"
#include "data/load.h"
#include "data/mnist.h"
#include "model/train.h"
#include "base/util.h"
#include "toy_data.h"

/* ---- helpers ---- */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/* A child that dies on purpose leaves its allocations to the exit, as die() does. */
static void child_start(void) { __lsan_disable(); }
#define UNDER_ASAN 1
#else
static void child_start(void) {}
#define UNDER_ASAN 0
#endif

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

static unsigned char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*len ? *len : 1);
    cr_assert(fread(b, 1, *len, f) == *len);
    fclose(f);
    return b;
}

static bool same_file(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *x = read_bytes(a, &la), *y = read_bytes(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x), free(y);
    return same;
}

/* Runs fn(arg) in a child whose stderr goes to msg (len bytes, NUL-terminated); returns the
 * wait status. */
static int in_child(void (*fn)(void *), void *arg, char *msg, size_t len)
{
    char log[64];
    snprintf(log, sizeof log, "/tmp/infogan_hard_%d_stderr", (int)getpid());
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_start();
        FILE *e = freopen(log, "w", stderr);
        if (!e) _exit(99);
        fn(arg);
        _exit(0);
    }
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid);
    FILE *f = fopen(log, "r");
    size_t n = f ? fread(msg, 1, len - 1, f) : 0;
    msg[n] = 0;
    if (f) fclose(f);
    remove(log);
    return status;
}

static bool exited_with(int status, int code)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}


static infogan_config toy_config(void)
{
    infogan_config c;
    infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "toy");
    latent_parse(&c.latent, "noise:8,cat:10,cont:1", "--latent");
    c.batch = 16;
    c.seed = 21;
    return c;
}

/* ---- regressions of fuzzing findings and review ---- */

/* Finding (fuzz svhn_mat): a corrupt compressed .mat made libmatio's Mat_VarReadInfo calloc
 * 6 GB from its header alone. The loader now walks the v5 variables itself first. */
Test(hardening, svhn_corrupt_mat_from_fuzzing_is_refused_before_matio_allocates)
{
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%.*s/fuzz/regressions/svhn_mat-matio-calloc-6GB.mat",
             (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
    cr_assert_eq(access(path, R_OK), 0, "missing regression input %s", path);
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_expect(strstr(err, path) && strstr(err, "numeric arrays"), "message: %s", err);
}

/* Findings (fuzz idx, reported as a timeout and a slow unit while the machine was loaded):
 * both inputs run in about 0.1 s of CPU and are rejected with a message; kept as inputs.
 * Layout as in fuzz_idx: byte 0 = label file length, then images, then labels. */
Test(hardening, idx_inputs_reported_slow_by_fuzzing_are_rejected_with_a_message)
{
    static const char *names[2] = {"idx-timeout-under-load.bin", "idx-slow-unit-under-load.bin"};
    for (int k = 0; k < 2; k++) {
        char path[512], images[64], labels[64], err[512] = "";
        snprintf(path, sizeof path, "%.*s/fuzz/regressions/%s",
                 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__, names[k]);
        size_t len;
        unsigned char *b = read_bytes(path, &len);
        cr_assert(b && len >= 1 && b[0] <= len - 1, "missing or bad regression input %s", path);
        snprintf(images, sizeof images, "/tmp/infogan_hard_%d_images", (int)getpid());
        snprintf(labels, sizeof labels, "/tmp/infogan_hard_%d_labels", (int)getpid());
        write_bytes(images, b + 1, len - 1 - b[0]);
        write_bytes(labels, b + len - b[0], b[0]);
        cr_expect_null(mnist_load_idx_try(images, labels, "t", err, sizeof err), "%s accepted", names[k]);
        cr_expect(strstr(err, images) || strstr(err, labels), "%s: message: %s", names[k], err);
        remove(images), remove(labels);
        free(b);
    }
}

/* Review: a checkpoint of only its magic and part of the version printed an uninitialized
 * version number; now it is named truncated. */
Test(hardening, checkpoint_cut_inside_the_header_is_truncated)
{
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c);
    char path[64], err[2048];
    snprintf(path, sizeof path, "/tmp/infogan_hard_%d_head.ckpt", (int)getpid());
    write_bytes(path, "IGANCKPT\x01\x00", 10);
    cr_assert(!checkpoint_read(m, path, err, sizeof err));
    cr_expect(strstr(err, path) && strstr(err, "truncated"), "message: %s", err);
    remove(path);
    infogan_free(m);
}

/* What a version-2 checkpoint ends with: the SHA-256 of the n bytes before it. */
static void sha256_of(const unsigned char *b, size_t n, uint8_t *digest)
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, b);
    sha256_digest(&c, SHA256_DIGEST_SIZE, digest);
}

/* A checkpoint of m at path whose counter `which` (0 iteration, 1 epoch, 2 data position,
 * 3 and 4 Adam steps) is set to value, with the checksum recomputed as an attacker would. */
static void write_crafted_checkpoint(infogan *m, const char *path, int which, int32_t value)
{
    checkpoint_save(m, path);
    size_t len;
    unsigned char *b = read_bytes(path, &len);
    uint32_t cfg_len;
    memcpy(&cfg_len, b + 12, 4);
    memcpy(b + 16 + cfg_len + 4 * which, &value, 4);
    sha256_of(b, len - SHA256_DIGEST_SIZE, b + len - SHA256_DIGEST_SIZE);
    write_bytes(path, b, len);
    free(b);
}

/* Review: a checkpoint with a valid checksum but a negative data cursor would index the
 * epoch permutation out of bounds on resume; a data position of 2147483640 overflowed
 * (signed) and crashed; Adam steps out of step with the iteration are as impossible. */
Test(hardening, checkpoint_with_negative_counters_is_refused)
{
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c);
    char path[64], err[2048];
    snprintf(path, sizeof path, "/tmp/infogan_hard_%d_neg.ckpt", (int)getpid());
    const int32_t bad[][2] = {{2, -5}, {2, 2147483640}, {0, -1}, {0, 2147483647}, {1, 5}, {3, 7}, {4, -2}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        write_crafted_checkpoint(m, path, bad[k][0], bad[k][1]);
        cr_assert(!checkpoint_read(m, path, err, sizeof err), "counter %d = %d accepted", bad[k][0], bad[k][1]);
        cr_expect(strstr(err, path) && strstr(err, "negative or inconsistent"), "message: %s", err);
    }
    remove(path);
    infogan_free(m);
}

/* Checkpoints written before version 2 (FNV-1a trailer) still load into the same state. */
Test(hardening, version_1_checkpoints_still_load)
{
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c), *back = infogan_create(&c);
    m->g_params[3] = 0.25f;
    char path[64], err[2048];
    snprintf(path, sizeof path, "/tmp/infogan_hard_%d_v1.ckpt", (int)getpid());
    checkpoint_save(m, path);
    size_t len;
    unsigned char *b = read_bytes(path, &len);
    uint32_t v1 = 1;
    memcpy(b + 8, &v1, 4);
    len -= SHA256_DIGEST_SIZE;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, as version 1 wrote it */
    for (size_t i = 0; i < len; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    memcpy(b + len, &h, 8);
    write_bytes(path, b, len + 8);
    cr_assert(checkpoint_read(back, path, err, sizeof err), "%s", err);
    cr_expect(memcmp(back->g_params, m->g_params, m->n_g_params * sizeof(float)) == 0);
    b[len - 1] ^= 1; /* and its checksum is still checked */
    write_bytes(path, b, len + 8);
    cr_expect(!checkpoint_read(back, path, err, sizeof err));
    free(b);
    remove(path);
    infogan_free(m), infogan_free(back);
}

/* A data position that fits the batch but not the data it resumes on stops the run with a
 * message, not an out-of-bounds read. */
Test(hardening, resume_with_a_data_position_past_the_data_exits_with_a_message, .exit_code = 1)
{
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c);
    char dir[64], path[128];
    data_tmpdir_removed_at_exit(dir);
    snprintf(path, sizeof path, "%s/pos.ckpt", dir);
    write_crafted_checkpoint(m, path, 2, 16 * 1000);
    dataset *d = toy_data(50);
    train_opts o;
    train_opts_default(&o);
    o.iterations = 2, o.ckpt_path = path, o.resume = true, o.progress = false;
    train_run(m, d, &o);
}

/* ---- size guards ---- */

/* Review: `mi_curve --iterations 4294967396` ran 100 iterations (atoi) and `100abc` was
 * accepted. Flags and run files now share one whole-string, range-checked parser. */
Test(hardening, numbers_are_whole_strings_in_range)
{
    char err[256];
    long x;
    uint64_t u;
    float f;
    static const char *const bad[] = {"100abc", "4294967396", "", " 5", "5 ", "0x10", "1e3"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cr_expect(!parse_long_try("--iterations", bad[k], 1, (1L << 30) - 1, &x, err, sizeof err), "accepted '%s'", bad[k]);
        cr_expect(strstr(err, "--iterations") != NULL, "message: %s", err);
    }
    cr_expect(parse_long_try("--iterations", "1000", 1, (1L << 30) - 1, &x, err, sizeof err) && x == 1000);
    cr_expect(!parse_u64_try("--seed", "-1", &u, err, sizeof err));
    cr_expect(!parse_u64_try("--seed", "18446744073709551616", &u, err, sizeof err));
    cr_expect(parse_u64_try("--seed", "18446744073709551615", &u, err, sizeof err) && u == UINT64_MAX);
    cr_expect(!parse_float_try("--lr-d", "nan", 0, 1, &f, err, sizeof err));
    cr_expect(!parse_float_try("--lr-d", "2", 0, 1, &f, err, sizeof err));
}

/* A run checks infogan_memory_bytes against the machine before allocating (review: mnist
 * --arch chairs --batch 512 grew to 4 GB before its error). The estimate must be what
 * infogan_create then allocates. */
Test(hardening, the_memory_estimate_is_what_the_model_allocates)
{
#ifdef __SANITIZE_ADDRESS__
    cr_skip_test("ASan's allocator does not report to mallinfo2; the plain build runs this test");
#endif
    static const char *const archs[][2] = {{"toy", "noise:8,cat:10,cont:1"}, {"mnist", "noise:62,cat:10,cont:2"},
                                           {"faces", "noise:128,cont:5"}};
    for (size_t k = 0; k < sizeof archs / sizeof archs[0]; k++) {
        infogan_config c = toy_config();
        snprintf(c.arch, sizeof c.arch, "%s", archs[k][0]);
        latent_parse(&c.latent, archs[k][1], "--latent");
        c.learned_std = k == 2;
        size_t est = infogan_memory_bytes(&c);
        struct mallinfo2 before = mallinfo2();
        infogan *m = infogan_create(&c);
        struct mallinfo2 after = mallinfo2();
        double got = (double)(after.uordblks + after.hblkhd) - (double)(before.uordblks + before.hblkhd);
        cr_expect(fabs((double)est - got) <= 0.02 * got, "%s: estimate %zu bytes, allocated %.0f", archs[k][0], est, got);
        infogan_free(m);
    }
}

Test(hardening, idx_header_claiming_16_GiB_fails_as_truncated_without_allocating_it)
{
    char dir[64], images[128], labels[128], err[512] = "";
    data_tmpdir(dir);
    snprintf(images, sizeof images, "%s/images", dir);
    snprintf(labels, sizeof labels, "%s/labels", dir);
    /* 1024 images of 4096x4096 (16 GiB) announced, 4 bytes there. */
    unsigned char img[20] = {0, 0, 8, 3, 0, 0, 4, 0, 0, 0, 16, 0, 0, 0, 16, 0, 1, 2, 3, 4};
    unsigned char lab[9] = {0, 0, 8, 1, 0, 0, 4, 0, 1};
    write_bytes(images, img, sizeof img);
    write_bytes(labels, lab, sizeof lab);
    /* A 16 GiB malloc fails under a 4 GiB address space cap (ASan needs its own mappings). */
    struct rlimit old, cap = {(rlim_t)4 << 30, (rlim_t)4 << 30};
    getrlimit(RLIMIT_AS, &old);
    bool capped = !UNDER_ASAN && old.rlim_cur == RLIM_INFINITY && setrlimit(RLIMIT_AS, &cap) == 0;
    dataset *d = mnist_load_idx_try(images, labels, "t", err, sizeof err);
    if (capped) setrlimit(RLIMIT_AS, &old);
    cr_assert_null(d);
    cr_expect(strstr(err, images) && strstr(err, "truncated"), "message: %s", err);
    data_rmdir(dir);
}

Test(hardening, latent_sizes_are_capped_with_a_message_naming_the_flag)
{
    latent_spec s;
    char err[512];
    static const char *bad[] = {"noise:5000", "cat:2000", "noise:4000,cont:97", "cat:1",
                                "noise:-3", "noise: 4", "noise:+4", "noise:99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        cr_expect(!latent_parse_try(&s, bad[i], "--latent", err, sizeof err), "accepted %s", bad[i]);
        cr_expect(strncmp(err, "--latent: ", 10) == 0, "message for %s: %s", bad[i], err);
    }
    cr_expect(latent_parse_try(&s, "noise:4000,noise:96", "--latent", err, sizeof err), "%s", err);
    cr_expect_eq(s.in_dim, 4096);
}

/* Review: "noise:62,cat:10," was accepted and stored as typed, so its checkpoint would not
 * load under the usual spelling. Empty parts are refused; specs are stored in one spelling. */
Test(hardening, latent_specs_refuse_empty_parts_and_are_stored_in_one_spelling)
{
    latent_spec s;
    char err[512];
    static const char *bad[] = {"noise:62,cat:10,", ",noise:62", "noise:62,,cat:10", ","};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        cr_expect(!latent_parse_try(&s, bad[i], "--latent", err, sizeof err), "accepted '%s'", bad[i]);
        cr_expect(strstr(err, "empty part"), "message for '%s': %s", bad[i], err);
    }
    cr_assert(latent_parse_try(&s, "noise:062,cat:010,cont:2", "--latent", err, sizeof err), "%s", err);
    cr_expect_str_eq(s.text, "noise:62,cat:10,cont:2");
}

Test(hardening, model_flags_refuse_absurd_values_without_exiting)
{
    infogan_config c;
    infogan_config_default(&c);
    static const char *bad[][2] = {{"--batch", "100000"}, {"--batch", "2.5"}, {"--batch", "1"},
                                   {"--seed", "-1"}, {"--seed", "99999999999999999999999"},
                                   {"--arch", "nope"}, {"--lr-d", "nan"}, {"--latent", "cat:5000"},
                                   {"--std", "wide"}, {"--std-min", "2"}, {"--std-min", "-0.1"},
                                   {"--info-warmup", "-5"},
                                   {"--info-warmup", "ten"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[2] = {(char *)bad[i][0], (char *)bad[i][1]}, err[512] = "";
        cr_expect_eq(infogan_config_flag_try(&c, 2, argv, 0, err, sizeof err), -1,
                     "accepted %s %s", bad[i][0], bad[i][1]);
        cr_expect(strstr(err, bad[i][0]), "message for %s %s: %s", bad[i][0], bad[i][1], err);
    }
    char *last[1] = {"--batch"}, err[512] = "";
    cr_expect_eq(infogan_config_flag_try(&c, 1, last, 0, err, sizeof err), -1);
    cr_expect(strstr(err, "needs a value"), "message: %s", err);
    infogan_config d;
    infogan_config_default(&d);
    cr_expect(memcmp(&c, &d, sizeof c) == 0, "a refused flag changed the configuration");
    char *ok[2] = {"--batch", "4096"};
    cr_expect_eq(infogan_config_flag_try(&c, 2, ok, 0, err, sizeof err), 2, "%s", err);
    cr_expect_eq(c.batch, 4096);
}

/* A 4x4 PNG whose IHDR then claims w x h (checksum fixed, so libpng reads the header). */
static void write_png_claiming(const char *path, unsigned w, unsigned h)
{
    float img[16] = {0};
    image_write_png(path, img, 1, 4, 4);
    size_t len;
    unsigned char *b = read_bytes(path, &len);
    unsigned char *ihdr = b + 12; /* "IHDR" then width, height (big-endian) */
    for (int k = 0; k < 4; k++) ihdr[4 + k] = (unsigned char)(w >> (24 - 8 * k));
    for (int k = 0; k < 4; k++) ihdr[8 + k] = (unsigned char)(h >> (24 - 8 * k));
    uint32_t crc = (uint32_t)crc32(0, ihdr, 17);
    for (int k = 0; k < 4; k++) ihdr[17 + k] = (unsigned char)(crc >> (24 - 8 * k));
    write_bytes(path, b, len);
    free(b);
}

Test(hardening, png_and_jpeg_headers_beyond_the_size_cap_are_refused)
{
    char dir[64], path[128], err[512] = "";
    data_tmpfile(dir, path, sizeof path, "huge.png");
    write_png_claiming(path, 20000, 20);
    int h, w;
    cr_assert_null(image_read_png_try(path, 1, &h, &w, err, sizeof err));
    cr_expect(strstr(err, path) && strstr(err, "20000x20"), "message: %s", err);
    write_png_claiming(path, 8000, 8000); /* each side fits, the pixel count does not */
    cr_assert_null(image_read_png_try(path, 3, &h, &w, err, sizeof err));
    cr_expect(strstr(err, "8000x8000"), "message: %s", err);

    /* An 8x8 JPEG whose SOF0 then says 60000x60000. */
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL, row[24] = {0};
    unsigned long len = 0;
    jpeg_mem_dest(&ci, &out, &len);
    ci.image_width = 8, ci.image_height = 8, ci.input_components = 3, ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_start_compress(&ci, TRUE);
    for (int y = 0; y < 8; y++) {
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&ci, rows, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    unsigned char *sof = NULL;
    for (unsigned long i = 0; i + 9 < len && !sof; i++)
        if (out[i] == 0xff && out[i + 1] == 0xc0) sof = out + i;
    cr_assert_not_null(sof);
    sof[5] = sof[7] = 0xea, sof[6] = sof[8] = 0x60; /* 60000 */
    snprintf(path, sizeof path, "%s/huge.jpg", dir);
    write_bytes(path, out, len);
    free(out);
    cr_assert_null(load_read_jpeg_try(path, &h, &w, err, sizeof err));
    cr_expect(strstr(err, path) && strstr(err, "60000x60000"), "message: %s", err);
    data_rmdir(dir);
}

Test(hardening, svhn_header_claiming_more_images_than_the_file_holds_is_refused)
{
    char dir[64], path[128], err[512] = "";
    data_tmpfile(dir, path, sizeof path, "train_32x32.mat");
    double y[1] = {4};
    data_write_svhn(path, 32, 32, 1, y, 1);
    dataset *d = load_svhn_try(path, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    dataset_free(d);
    /* X's dims follow header (128), tag (8), flags (16) and the dims tag (8); the 4th is N. */
    size_t len;
    unsigned char *b = read_bytes(path, &len);
    int32_t n;
    memcpy(&n, b + 172, 4);
    cr_assert_eq(n, 1, "unexpected .mat layout");
    n = 1000000;
    memcpy(b + 172, &n, 4);
    write_bytes(path, b, len);
    free(b);
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_expect(strstr(err, path) && strstr(err, "1000000"), "message: %s", err);
    data_rmdir(dir);
}

/* ---- crash-safe runs ---- */

typedef struct run_args {
    const char *ckpt, *log;
    int iterations, ckpt_every, signal_fd; /* signal_fd: written after iteration 3, or -1 */
} run_args;

static void after_iteration(void *ctx, infogan *m, const infogan_stats *st)
{
    (void)m;
    const run_args *a = ctx;
    if (a->signal_fd >= 0 && st->iteration == 3 && write(a->signal_fd, "x", 1) != 1) _exit(98);
}

/* A resumable toy run (in a child). */
static void toy_run(void *arg)
{
    run_args *a = arg;
    dataset *d = toy_data(50);
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c);
    train_opts o;
    train_opts_default(&o);
    o.iterations = a->iterations, o.ckpt_every = a->ckpt_every, o.progress = false;
    o.ckpt_path = a->ckpt, o.log_path = a->log, o.resume = true;
    o.on_iter = after_iteration, o.ctx = a;
    train_run(m, d, &o);
    infogan_free(m);
    dataset_free(d);
}

Test(hardening, sigterm_writes_a_final_checkpoint_and_exits_with_128_plus_15)
{
    char ckpt[64];
    snprintf(ckpt, sizeof ckpt, "/tmp/infogan_hard_%d_term.ckpt", (int)getpid());
    int fds[2];
    cr_assert(pipe(fds) == 0);
    run_args a = {ckpt, NULL, 1000000, 100000, fds[1]};
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_start();
        close(fds[0]);
        if (!freopen("/dev/null", "w", stdout)) _exit(99);
        toy_run(&a);
        _exit(0);
    }
    close(fds[1]);
    char ch;
    cr_assert_eq(read(fds[0], &ch, 1), 1, "the child did not reach iteration 3");
    kill(pid, SIGTERM);
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid);
    close(fds[0]);
    cr_expect(exited_with(status, 128 + SIGTERM), "status %#x: not an exit with 143", status);
    infogan_config c = toy_config();
    infogan *m = infogan_create(&c);
    char err[2048];
    cr_assert(checkpoint_read(m, ckpt, err, sizeof err), "%s", err);
    cr_expect(m->iteration >= 3 && m->iteration < 100000, "checkpoint at iteration %d", m->iteration);
    infogan_free(m);
    remove(ckpt);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Spawns toy_run(a) and SIGKILLs it after delay seconds (never if delay < 0); true if it
 * finished first. */
static bool run_and_kill(run_args *a, double delay)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_start();
        toy_run(a);
        _exit(0);
    }
    if (delay >= 0) {
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status)) cr_assert_eq(WEXITSTATUS(status), 0, "a run failed");
    return WIFEXITED(status);
}

/* Removes path's temp files (<path>.tmp<pid>) that SIGKILLed runs leave behind. */
static void remove_temp_files(const char *path)
{
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s.tmp*", path);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++) remove(g.gl_pathv[i]);
    globfree(&g);
}

/* Every training happens in a child (no OpenMP state crosses a fork). */
Test(hardening, sigkill_at_random_points_then_resume_gives_the_uninterrupted_bits, .timeout = 600)
{
    char ref_ckpt[64], ref_log[64], ckpt[64], log[64];
    int pid = (int)getpid();
    snprintf(ref_ckpt, sizeof ref_ckpt, "/tmp/infogan_hard_%d_ref.ckpt", pid);
    snprintf(ref_log, sizeof ref_log, "/tmp/infogan_hard_%d_ref.csv", pid);
    snprintf(ckpt, sizeof ckpt, "/tmp/infogan_hard_%d_kill.ckpt", pid);
    snprintf(log, sizeof log, "/tmp/infogan_hard_%d_kill.csv", pid);
    run_args ref = {ref_ckpt, ref_log, 30, 3, -1};
    double t0 = now_s();
    cr_assert(run_and_kill(&ref, -1), "the uninterrupted run failed");
    double duration = now_s() - t0;

    enum { TRIALS = 10 };
    rng r = rng_make(2026, 8, 0);
    int kills = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        remove(ckpt), remove(log);
        run_args a = {ckpt, log, 30, 3, -1};
        /* Kill at a random moment of the run (start-up, steps, checkpoint writes) until a
         * resumed run gets to the end. Moments are drawn from the first 80% of the reference
         * run, so a run that is faster than it (load changes on this shared machine) is still
         * caught. After 20 kills the run resumes unkilled: on a machine that became much
         * slower than at the reference run, kills could otherwise all land in start-up. */
        int attempt = 0;
        while (attempt < 30 &&
               !run_and_kill(&a, attempt < 20 ? (double)rng_uniform(&r) * 0.8 * duration : -1.0))
            attempt++, kills++;
        cr_assert(attempt < 30, "trial %d never finished", trial);
        cr_expect(same_file(ckpt, ref_ckpt), "trial %d: final checkpoint differs from the uninterrupted run's", trial);
        cr_expect(same_file(log, ref_log), "trial %d: log differs from the uninterrupted run's", trial);
    }
    cr_log_info("kill/resume: %d trials, %d SIGKILLs, run %.2f s", TRIALS, kills, duration);
    fprintf(stderr, "kill/resume: %d trials, %d SIGKILLs at random points, bit-identical\n", TRIALS, kills);
    cr_expect(kills >= TRIALS, "only %d kills landed before the runs finished", kills);
    remove_temp_files(ckpt), remove_temp_files(log);
    remove(ckpt), remove(log), remove(ref_ckpt), remove(ref_log);
}

/* ---- full disk and unwritable paths ---- */

/* Writes one file through the function under test. */
typedef struct writer { const char *path; int kind; } writer;

static void write_one(void *arg)
{
    const writer *w = arg;
    if (w->kind == 0) {
        infogan_config c = toy_config();
        c.seed = 99; /* other contents than the earlier file */
        infogan *m = infogan_create(&c);
        checkpoint_save(m, w->path);
        infogan_free(m);
    } else if (w->kind == 1) {
        float img[3 * 64 * 64];
        rng r = rng_make(5, 5, 5); /* noise: the PNG stays larger than 4 KiB */
        for (int i = 0; i < 3 * 64 * 64; i++) img[i] = rng_uniform(&r);
        image_write_png(w->path, img, 3, 64, 64);
    } else {
        dataset *d = dataset_alloc("x", 20, 1, 28, 28, 1);
        for (size_t i = 0; i < 20 * 784; i++) d->images[i] = (float)(i % 13) / 13.0f;
        char labels[256];
        snprintf(labels, sizeof labels, "%s.labels", w->path);
        mnist_write_idx(d, w->path, labels);
        dataset_free(d);
    }
}

/* The same, with the file size capped at 4 KiB (a full disk: writes fail with EFBIG). */
static void write_one_on_full_disk(void *arg)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit cap = {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &cap);
    write_one(arg);
}

/* Whether dir holds a file whose name contains ".tmp". */
static bool temp_file_in(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d));) found |= strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return found;
}

Test(hardening, full_disk_and_unwritable_paths_are_reported_and_keep_the_earlier_file)
{
    char dir[64], path[128], copy[128], msg[2048];
    data_tmpdir(dir);
    static const char *names[3] = {"run.ckpt", "grid.png", "images-idx3-ubyte"};
    for (int kind = 0; kind < 3; kind++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[kind]);
        writer w = {path, kind};
        /* An earlier result, written with no cap, and a copy to compare with. */
        write_one(&w);
        snprintf(copy, sizeof copy, "%s/earlier", dir);
        size_t len;
        unsigned char *b = read_bytes(path, &len);
        cr_assert(b && len > 4096, "%s: the earlier file has %zu bytes", names[kind], len);
        write_bytes(copy, b, len);
        free(b);
        int status = in_child(write_one_on_full_disk, &w, msg, sizeof msg);
        cr_expect(exited_with(status, 1), "%s: status %#x on a full disk", names[kind], status);
        cr_expect(strstr(msg, "error: ") && strstr(msg, names[kind]), "%s: message: %s", names[kind], msg);
        cr_expect(same_file(path, copy), "%s: the earlier file changed", names[kind]);
        cr_expect(!temp_file_in(dir), "%s: a temp file was left behind", names[kind]);
        remove(copy);

        /* Unwritable: the folder is a regular file (root ignores permission bits). */
        snprintf(path, sizeof path, "%s/%s/%s", dir, names[0], names[kind]);
        status = in_child(write_one, &w, msg, sizeof msg);
        cr_expect(exited_with(status, 1), "%s: status %#x for an unwritable path", names[kind], status);
        cr_expect(strstr(msg, "error: ") && strstr(msg, path), "%s: message: %s", names[kind], msg);
    }
    data_rmdir(dir);
}
