/* provenance.c: commit, command line, seed, ISA, threads and times for every result file. */
#include "report/provenance.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "base/util.h"

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The commit the sources were built from (the Makefile's BUILD_COMMIT): results name the code
 * that produced them, not the checkout a program happens to run in. */
#ifndef INFOGAN_BUILD_COMMIT
#define INFOGAN_BUILD_COMMIT "unknown"
#endif

/* Appends s to out (of size len), in single quotes when it has shell-special characters. */
static void append_quoted(char *out, size_t len, const char *s)
{
    size_t at = strlen(out);
    int plain = s[0] != 0;
    for (const char *c = s; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+%@", *c))
            plain = 0;
    if (plain) {
        snprintf(out + at, len - at, "%s", s);
        return;
    }
    at += (size_t)snprintf(out + at, len - at, "'");
    for (const char *c = s; *c && at + 5 < len; c++) {
        if (*c == '\'') at += (size_t)snprintf(out + at, len - at, "'\\''");
        else out[at++] = *c, out[at] = 0;
    }
    if (at < len) snprintf(out + at, len - at, "'");
}

void provenance_init(provenance *p, int argc, char **argv, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->start_seconds = monotonic_seconds();
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(p->start_time, sizeof p->start_time, "%Y-%m-%dT%H:%M:%SZ", &utc);
    snprintf(p->commit, sizeof p->commit, "%s", INFOGAN_BUILD_COMMIT);
    for (int i = 0; i < argc; i++) {
        if (i) strncat(p->command, " ", sizeof p->command - strlen(p->command) - 1);
        append_quoted(p->command, sizeof p->command, argv[i]);
    }
    p->seed = seed;
    kern_init();
    snprintf(p->isa, sizeof p->isa, "%s", kern_isa_name(kern_active_isa()));
    p->threads = omp_get_max_threads();
}

void provenance_note(provenance *p, const char *key, const char *value)
{
    int i = 0;
    while (i < p->n_notes && strcmp(p->note_keys[i], key)) i++;
    CHECK(i < PROVENANCE_MAX_NOTES, "provenance: more than %d notes (adding \"%s\")",
          PROVENANCE_MAX_NOTES, key);
    if (i == p->n_notes) p->n_notes++;
    snprintf(p->note_keys[i], sizeof p->note_keys[i], "%s", key);
    snprintf(p->note_values[i], sizeof p->note_values[i], "%s", value);
}

double provenance_wall_seconds(const provenance *p)
{
    return monotonic_seconds() - p->start_seconds;
}

/* Writes every entry as prefix key: value suffix. */
static void write_entries(const provenance *p, FILE *f, const char *prefix, const char *quote)
{
    fprintf(f, "%scommit: %s%s%s\n", prefix, quote, p->commit, quote);
    fprintf(f, "%scommand: %s%s%s\n", prefix, quote, p->command, quote);
    fprintf(f, "%sseed: %llu\n", prefix, (unsigned long long)p->seed);
    fprintf(f, "%sisa: %s\n", prefix, p->isa);
    fprintf(f, "%sthreads: %d\n", prefix, p->threads);
    fprintf(f, "%sstart: %s\n", prefix, p->start_time);
    fprintf(f, "%swall_s: %.1f\n", prefix, provenance_wall_seconds(p));
    for (int i = 0; i < p->n_notes; i++)
        fprintf(f, "%s%s: %s\n", prefix, p->note_keys[i], p->note_values[i]);
}

void provenance_write_comments(const provenance *p, FILE *f)
{
    write_entries(p, f, "# ", "");
}

char *provenance_comments_string(const provenance *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f, "provenance: cannot open a memory stream");
    provenance_write_comments(p, f);
    CHECK(fclose(f) == 0, "provenance: cannot finish the memory stream");
    return buf;
}

void provenance_write_markdown(const provenance *p, FILE *f)
{
    fprintf(f, "**Provenance**\n\n");
    write_entries(p, f, "- ", "`");
    fprintf(f, "\n");
}
