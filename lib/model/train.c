/* train.c: the training loop. */
#include "model/train.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "model/checkpoint.h"
#include "model/stop.h"
#include "base/dist.h"
#include "base/fs.h"
#include "base/parse.h"
#include "base/rng.h"
#include "base/util.h"

void train_opts_default(train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->iterations = 5000;
    o->ckpt_every = 1000;
    o->progress = true;
}

int train_opts_flag(train_opts *o, int argc, char **argv, int i)
{
    const char *f = argv[i];
    if (strcmp(f, "--resume") == 0) { o->resume = true; return 1; }
    if (strcmp(f, "--quiet") == 0) { o->progress = false; return 1; }
    bool valued = strcmp(f, "--iterations") == 0 || strcmp(f, "--log") == 0 ||
                  strcmp(f, "--checkpoint") == 0 || strcmp(f, "--checkpoint-every") == 0;
    if (!valued) return 0;
    CHECK(i + 1 < argc, "%s needs a value (see --help)", f);
    const char *v = argv[i + 1];
    if (strcmp(f, "--log") == 0) o->log_path = v;
    else if (strcmp(f, "--checkpoint") == 0) o->ckpt_path = v;
    else {
        long x = parse_long(f, v, 1, (1L << 30) - 1);
        if (strcmp(f, "--iterations") == 0) o->iterations = (int)x;
        else o->ckpt_every = (int)x;
    }
    return 2;
}

void train_opts_help(FILE *f)
{
    fputs("Training flags:\n"
          "  --iterations N        train for N iterations in all (5000)\n"
          "  --log FILE            CSV log: iteration, losses, D outputs, L_I and L_I per code\n"
          "                        (and Q's mean std per continuous code when learned)\n"
          "  --checkpoint FILE     write checkpoints to FILE (temp file + rename)\n"
          "  --checkpoint-every N  checkpoint interval (1000; also at the end)\n"
          "  --resume              continue from --checkpoint FILE if it exists\n"
          "  --quiet               no progress line on stderr\n", f);
}

static void epoch_perm(const infogan *m, const dataset *d, int *perm)
{
    rng r = rng_make(m->cfg.seed, RNG_DATA, (uint64_t)m->data_epoch);
    rng_permutation(&r, d->n, perm);
}

void train_next_batch(infogan *m, const dataset *d, int *perm, float *out)
{
    int b = m->cfg.batch;
    CHECK(d->n >= b, "data set %s has %d images, fewer than a batch of %d", d->name, d->n, b);
    if (m->data_cursor + b > d->n) {
        m->data_epoch++;
        m->data_cursor = 0;
        epoch_perm(m, d, perm);
    }
    size_t img = (size_t)d->c * d->h * d->w;
    for (int i = 0; i < m->local_batch; i++)
        memcpy(out + i * img, d->images + (size_t)perm[m->data_cursor + m->local_first + i] * img,
               img * sizeof(float));
    m->data_cursor += b;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Keeps the header and the rows up to `iteration` of an existing log (a resumed run
 * rewrites what followed its checkpoint); returns the file opened for appending. */
static FILE *open_log(const char *path, const infogan *m, bool resume)
{
    const latent_spec *ls = &m->cfg.latent;
    if (resume && m->iteration > 0) {
        FILE *in = fopen(path, "r");
        if (in) {
            out_file o;
            FILE *out = out_open(&o, path, "w");
            char line[8192];
            bool header = true;
            /* Rows are in order; a row cut short by a kill ends the copy. */
            while (fgets(line, sizeof line, in) && strchr(line, '\n') &&
                   (header || atoi(line) <= m->iteration)) {
                fputs(line, out);
                header = false;
            }
            fclose(in);
            out_commit(&o);
            FILE *f = fopen(path, "a");
            CHECK(f, "cannot append to log %s", path);
            return f;
        }
    }
    FILE *f = fopen(path, "w");
    CHECK(f, "cannot write log %s", path);
    fprintf(f, "iteration,d_loss,g_loss,d_real,d_fake,li,li_g");
    for (int k = 0; k < ls->n_codes; k++) fprintf(f, ",li_%s", ls->codes[k].name);
    for (int k = 0; k < ls->n_codes && m->cfg.learned_std; k++)
        if (ls->codes[k].kind == LATENT_CONT) fprintf(f, ",std_%s", ls->codes[k].name);
    fputc('\n', f);
    return f;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh run removes an earlier run's collapse mark; a model past iteration 0 reads it:
 * true (with the mark's line in why) when the run collapsed before. */
static bool earlier_collapse(const infogan *m, const char *path, char *why, size_t why_len)
{
    if (!path) return false;
    if (m->iteration == 0) {
        CHECK(dist_rank() > 0 || remove(path) == 0 || errno == ENOENT, "cannot remove the collapse mark %s of an "
              "earlier run: %s", path, strerror(errno));
        return false;
    }
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool read = fgets(why, (int)why_len, f) != NULL;
    fclose(f);
    if (read) why[strcspn(why, "\n")] = 0;
    return true;
}

/* Set by SIGINT/SIGTERM: the loop ends after the current iteration with a checkpoint. A
 * second signal gets the default action (SA_RESETHAND). */
static volatile sig_atomic_t stop_signal;
static void on_stop_signal(int sig) { stop_signal = sig; }

bool train_run(infogan *m, const dataset *d, const train_opts *o)
{
    const arch *a = m->arch;
    CHECK(d->c == a->img_c && d->h == a->img_h && d->w == a->img_w,
          "data set %s has %dx%dx%d images; architecture %s needs %dx%dx%d", d->name, d->c, d->h,
          d->w, a->name, a->img_c, a->img_h, a->img_w);
    /* A model past iteration 0 holds the checkpoint already (its caller checked it before
     * writing anything); it is not read twice. */
    if (o->resume && o->ckpt_path && m->iteration == 0 && file_exists(o->ckpt_path))
        checkpoint_load(m, o->ckpt_path);
    CHECK(m->data_cursor <= d->n, "checkpoint %s: data position %d is past the %d training images of "
          "%s (was it written on other data?)", o->ckpt_path ? o->ckpt_path : "-", m->data_cursor, d->n, d->name);
    char why[512] = "";
    if (earlier_collapse(m, o->collapsed_path, why, sizeof why)) {
        if (dist_rank() == 0) fprintf(stderr, "%s: this run collapsed earlier (%s); not trained further\n",
                o->collapsed_path, why);
        return true;
    }
    bool writer = dist_rank() == 0, progress = o->progress && writer;
    if (o->resume && m->iteration > 0 && progress)
        fprintf(stderr, "resumed from %s at iteration %d\n", o->ckpt_path, m->iteration);
    if (progress && dist_size() > 1)
        fprintf(stderr, "%d MPI ranks (%s), %d images of each batch of %d per rank\n", dist_size(),
                dist_library(), m->local_batch, m->cfg.batch);
    int last_ckpt = o->resume && o->ckpt_path ? m->iteration : -1;
    FILE *log = o->log_path && writer ? open_log(o->log_path, m, o->resume) : NULL;
    int *perm = xmalloc((size_t)d->n * sizeof *perm);
    epoch_perm(m, d, perm);
    float *batch = xalloc_floats((size_t)m->cfg.batch * d->c * d->h * d->w);
    const latent_spec *ls = &m->cfg.latent;
    double h_c = latent_entropy(ls), t0 = now_s(), last_print = 0.0, seconds_before = m->train_seconds;
    int first = m->iteration;
    struct sigaction stop = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART | SA_RESETHAND},
                     old_int, old_term;
    sigemptyset(&stop.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);
    int stopped_by = 0;
    stop_rule rule;
    stop_rule_init(&rule, o->stop_patience);
    bool collapsed = false;
    while (m->iteration < o->iterations) {
        train_next_batch(m, d, perm, batch);
        infogan_stats st;
        infogan_step(m, batch, &st);
        if (seconds_before >= 0) m->train_seconds = seconds_before + now_s() - t0;
        if (log) {
            fprintf(log, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", st.iteration, st.d_loss, st.g_loss,
                    st.d_real, st.d_fake, st.li, st.li_g);
            for (int k = 0; k < ls->n_codes; k++) fprintf(log, ",%.6g", st.li_code[k]);
            for (int k = 0; k < ls->n_codes && m->cfg.learned_std; k++)
                if (ls->codes[k].kind == LATENT_CONT) fprintf(log, ",%.6g", st.std_code[k]);
            fputc('\n', log);
        }
        if (!isfinite(st.d_loss) || !isfinite(st.g_loss) || !isfinite(st.li) || !isfinite(st.li_g)) {
            if (log) fclose(log);
            if (last_ckpt >= 0)
                die("a loss is NaN or Inf at iteration %d (d_loss %g, g_loss %g, L_I %g); stopped; "
                    "the last good checkpoint is %s (iteration %d)", st.iteration, st.d_loss,
                    st.g_loss, st.li, o->ckpt_path, last_ckpt);
            die("a loss is NaN or Inf at iteration %d (d_loss %g, g_loss %g, L_I %g); stopped "
                "(no checkpoint was written)", st.iteration, st.d_loss, st.g_loss, st.li);
        }
        if (o->on_iter && writer) o->on_iter(o->ctx, m, &st);
        collapsed = o->stop_patience > 0 && stop_rule_update(&rule, &m->cfg, &st, why, sizeof why);
        bool end = m->iteration == o->iterations || m->iteration == o->stop_at || collapsed;
        /* A stop_at run ends as if killed: no checkpoint beyond the periodic ones. */
        stopped_by = stop_signal;
        /* Every rank stops after the same iteration when any of them got the signal. */
        if (dist_size() > 1 && dist_any(stopped_by != 0) && !stopped_by) stopped_by = SIGTERM;
        bool ckpt_now = m->iteration % o->ckpt_every == 0 || m->iteration == o->iterations ||
                        stopped_by || collapsed;
        if (o->ckpt_path && ckpt_now) {
            CHECK(dist_same_everywhere(m->g_params, m->n_g_params) &&
                  dist_same_everywhere(m->d_params, m->n_d_params),
                  "after iteration %d the %d MPI ranks hold different weights (were the gradients "
                  "not summed?); stopped before writing checkpoint %s", m->iteration, dist_size(),
                  o->ckpt_path);
            /* The log's rows up to the checkpoint are on disk before it (a resume keeps them). */
            if (log) CHECK(fflush(log) == 0, "cannot write log %s", o->log_path);
            infogan_gather_moments(m);
            if (writer) checkpoint_save(m, o->ckpt_path);
            last_ckpt = m->iteration;
        }
        double t = now_s();
        if (progress && (t - last_print > 1.0 || end)) {
            double rate = (m->iteration - first) / (t - t0);
            double eta = (o->iterations - m->iteration) / (rate > 0 ? rate : 1e-9);
            fprintf(stderr, "\riteration %d/%d  %.2f it/s  ETA %dm%02ds  L_I %.3f (H(c) %.3f)  "
                    "D %.3f  G %.3f ", m->iteration, o->iterations, rate, (int)eta / 60,
                    (int)eta % 60, st.li, h_c, st.d_loss, st.g_loss);
            last_print = t;
            if (log) fflush(log);
        }
        if (m->iteration == o->stop_at || stopped_by || collapsed) break;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (progress) fputc('\n', stderr);
    if (log) CHECK(fclose(log) == 0, "cannot write log %s", o->log_path);
    free(perm);
    free(batch);
    if (collapsed) {
        /* After the checkpoint: a mark never names a state that was not saved. */
        if (o->collapsed_path && writer) {
            out_file mark;
            FILE *f = out_open(&mark, o->collapsed_path, "w");
            fprintf(f, "%s\n", why);
            out_commit(&mark);
        }
        if (writer)
            fprintf(stderr, "collapsed after iteration %d: %s; %s%s%s\n", m->iteration, why,
                    o->ckpt_path ? "checkpoint " : "no checkpoint", o->ckpt_path ? o->ckpt_path : "",
                    o->collapsed_path ? " and collapse mark written" : "");
    }
    if (stopped_by && !writer) exit(128 + stopped_by);
    if (stopped_by) {
        if (o->ckpt_path)
            fprintf(stderr, "stopped by %s after iteration %d; checkpoint %s written (rerun with "
                    "--resume to continue)\n", strsignal(stopped_by), m->iteration, o->ckpt_path);
        else
            fprintf(stderr, "stopped by %s after iteration %d (no --checkpoint, nothing saved)\n",
                    strsignal(stopped_by), m->iteration);
        exit(128 + stopped_by);
    }
    return collapsed;
}
