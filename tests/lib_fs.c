/* lib_fs.c: base/fs.h: output-folder checks and atomic output files (the temp file goes
 * away on abort, on commit and when the process dies with it open). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"
#include "data_fixture.h"

/* The folders come from data_tmpdir and are removed by hand: with
 * data_tmpdir_removed_at_exit, a forked child's exit would remove the folder it is tested on. */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

static char *read_text(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* A fresh folder dir (64) holding path (128) = dir/result.csv with "old\n"; opens o over it. */
static FILE *open_over_old(out_file *o, char *dir, char *path)
{
    data_tmpdir(dir);
    path_join(path, 128, dir, "result.csv");
    write_text(path, "old\n");
    return out_open(o, path, "w");
}

/* The number of entries of dir whose name contains ".tmp". */
static int temp_files_in(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open folder %s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

Test(fs, refuses_an_empty_output_folder, .exit_code = 1)
{
    path_check_output_dir("--out", "");
}

Test(fs, refuses_the_root_folder, .exit_code = 1)
{
    path_check_output_dir("--out", "/");
}

Test(fs, refuses_the_root_folder_spelt_twice, .exit_code = 1)
{
    path_check_output_dir("--out", "//");
}

Test(fs, accepts_an_ordinary_folder)
{
    path_check_output_dir("--out", "results");
    path_check_output_dir("--out", "/tmp");
    char dir[64], sub[128];
    data_tmpdir(dir);
    path_join(sub, sizeof sub, dir, "made");
    cr_assert_str_eq(strrchr(sub, '/'), "/made");
    path_make_output_dir("--out", sub);
    path_make_output_dir("--out", sub); /* already there: fine */
    cr_assert_eq(access(sub, W_OK), 0, "%s was not created", sub);
    data_rmdir(dir);
}

Test(fs, abort_removes_the_temp_file_and_keeps_the_target)
{
    char dir[64], path[128];
    out_file o;
    FILE *f = open_over_old(&o, dir, path);
    cr_assert_not_null(f);
    fputs("new, half written\n", f);
    fflush(f);
    cr_assert_eq(temp_files_in(dir), 1, "the temp file is not in the target's folder");
    cr_assert_str_eq(read_text(path), "old\n", "the target changed before the commit");
    out_abort(&o);
    cr_expect_eq(temp_files_in(dir), 0, "a temp file was left behind after out_abort");
    cr_expect_str_eq(read_text(path), "old\n", "out_abort changed the target");
    data_rmdir(dir);
}

Test(fs, commit_replaces_the_target_and_leaves_no_temp_file)
{
    char dir[64], path[128];
    out_file o;
    FILE *f = open_over_old(&o, dir, path);
    fputs("new content\n", f);
    out_commit(&o);
    cr_expect_str_eq(read_text(path), "new content\n");
    cr_expect_eq(temp_files_in(dir), 0, "a temp file was left behind after out_commit");
    cr_expect_null(o.f, "the out_file still holds its stream");

    /* A new file (no earlier target) as well. */
    path_join(path, sizeof path, dir, "fresh.png");
    f = out_open(&o, path, "wb");
    fputs("png", f);
    out_commit(&o);
    cr_expect_str_eq(read_text(path), "png");
    cr_expect_eq(temp_files_in(dir), 0);
    data_rmdir(dir);
}

Test(fs, open_try_reports_a_missing_folder)
{
    char dir[64], path[160], err[512];
    data_tmpfile(dir, path, sizeof path, "no/such/folder/x.csv");
    out_file o;
    cr_assert_null(out_open_try(&o, path, "w", err, sizeof err));
    cr_expect_not_null(strstr(err, "cannot create"), "%s", err);
    cr_expect_not_null(strstr(err, path), "the message names the file: %s", err);
    data_rmdir(dir);
}

static out_file child_file; /* static: still reachable when the child exits (LeakSanitizer) */

/* Forks a child that opens dir/name through out_open, writes to it and then ends by `how`:
 * 0 exit(1), 1 die(), 2 SIGTERM. Returns the child's wait status. */
static int child_dies_with_file_open(const char *dir, const char *name, int how)
{
    char path[128];
    path_join(path, sizeof path, dir, name);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (how == 2) signal(SIGTERM, SIG_DFL); /* as in a program: no handler of its own */
        FILE *f = out_open(&child_file, path, "w");
        fputs("half written\n", f);
        fflush(f);
        if (access(child_file.tmp, F_OK) != 0) _exit(99); /* the temp file must exist now */
        if (how == 0) exit(1);
        if (how == 1) {
            if (!freopen("/dev/null", "w", stderr)) _exit(98);
            die("the process dies with %s open", path);
        }
        raise(SIGTERM);
        _exit(97);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

Test(fs, a_process_that_exits_with_a_file_open_leaves_no_temp_file)
{
    char dir[64], path[128];
    data_tmpdir(dir);
    path_join(path, sizeof path, dir, "log.csv");
    write_text(path, "old\n");
    int status = child_dies_with_file_open(dir, "log.csv", 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "child status %#x", status);
    cr_expect_eq(temp_files_in(dir), 0, "exit(1) left a temp file behind");
    cr_expect_str_eq(read_text(path), "old\n");

    status = child_dies_with_file_open(dir, "log.csv", 1);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "child status %#x", status);
    cr_expect_eq(temp_files_in(dir), 0, "die() left a temp file behind");
    cr_expect_str_eq(read_text(path), "old\n");
    data_rmdir(dir);
}

Test(fs, sigterm_with_a_file_open_leaves_no_temp_file)
{
    char dir[64];
    data_tmpdir(dir);
    int status = child_dies_with_file_open(dir, "model.ckpt", 2);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "child status %#x", status);
    cr_expect_eq(temp_files_in(dir), 0, "SIGTERM left a temp file behind");
    data_rmdir(dir);
}
