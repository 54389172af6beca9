/* fs.c: output folders, path joins and atomic file output. */
#include "base/fs.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

void path_check_output_dir(const char *what, const char *dir)
{
    CHECK(dir && dir[strspn(dir, "/")] != '\0',
          "%s '%s': name an output folder (an empty path or / would write into the root folder)",
          what, dir ? dir : "");
}

void path_make_output_dir(const char *what, const char *dir)
{
    path_check_output_dir(what, dir);
    struct stat st;
    if (stat(dir, &st) == 0) {
        CHECK(S_ISDIR(st.st_mode), "%s %s: not a folder", what, dir);
        return;
    }
    CHECK(mkdir(dir, 0755) == 0, "%s %s: cannot create the folder (%s)", what, dir, strerror(errno));
}

void path_join(char *out, size_t len, const char *dir, const char *name)
{
    CHECK(snprintf(out, len, "%s/%s", dir, name) < (int)len, "path %s/%s is too long", dir, name);
}

/* ---- temp files pending at exit ---- */

#define MAX_PENDING 16
static char *pending[MAX_PENDING];

static void remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i]) unlink(pending[i]);
}

static void on_fatal_signal(int sig)
{
    remove_pending(); /* unlink is async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track(char *tmp)
{
    static int installed;
    if (!installed) {
        installed = 1;
        atexit(remove_pending);
        /* Only where nobody else (the trainer's graceful stop) handles the signal. */
        struct sigaction old;
        if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGINT, on_fatal_signal);
        if (sigaction(SIGTERM, NULL, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGTERM, on_fatal_signal);
    }
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) { pending[i] = tmp; return; }
    die("more than %d output files open at once", MAX_PENDING);
}

static void untrack(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == tmp) pending[i] = NULL;
}

FILE *out_open_try(out_file *o, const char *path, const char *mode, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    size_t len = strlen(path) + 32;
    o->path = xmalloc(len), o->tmp = xmalloc(len);
    snprintf(o->path, len, "%s", path);
    snprintf(o->tmp, len, "%s.tmp%ld", path, (long)getpid());
    o->f = fopen(o->tmp, mode);
    if (!o->f) {
        set_err(err, err_len, "cannot create %s (%s): does its folder exist and is it writable?", o->tmp,
                strerror(errno));
        free(o->path), free(o->tmp);
        memset(o, 0, sizeof *o);
        return NULL;
    }
    track(o->tmp);
    return o->f;
}

FILE *out_open(out_file *o, const char *path, const char *mode)
{
    char err[512];
    FILE *f = out_open_try(o, path, mode, err, sizeof err);
    CHECK(f, "%s", err);
    return f;
}

static void release(out_file *o)
{
    untrack(o->tmp);
    free(o->path), free(o->tmp);
    memset(o, 0, sizeof *o);
}

int out_commit_try(out_file *o, char *err, size_t err_len)
{
    int ok = !ferror(o->f) && fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
    int saved = errno;
    ok = fclose(o->f) == 0 && ok;
    if (ok && rename(o->tmp, o->path) == 0) {
        fsync_dir_of(o->path);
        release(o);
        return 0;
    }
    set_err(err, err_len, "cannot write %s (%s)", o->path, strerror(ok ? errno : saved ? saved : EIO));
    unlink(o->tmp);
    release(o);
    return -1;
}

void out_commit(out_file *o)
{
    char err[512];
    CHECK(out_commit_try(o, err, sizeof err) == 0, "%s", err);
}

void out_abort(out_file *o)
{
    if (!o->f) return;
    fclose(o->f);
    unlink(o->tmp);
    release(o);
}
