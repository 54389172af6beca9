/* provenance.h: what produced a result (commit, command line, seed, ISA, threads, start and
 * wall time, plus free key/value notes such as the data split), written as `# key: value`
 * lines at the top of CSV files or as a Markdown block. */
#ifndef PROVENANCE_H
#define PROVENANCE_H

#include <stdint.h>
#include <stdio.h>

#define PROVENANCE_MAX_NOTES 16

typedef struct provenance {
    char commit[64];        /* the commit the program was built from, "-dirty" if tracked files
                               outside results/ and paper/ differed from it; "unknown" when not
                               built in a git checkout */
    char command[1024];     /* argv joined, shell-quoted where needed */
    uint64_t seed;
    char isa[16];           /* kern_isa_name(kern_active_isa()) */
    int threads;            /* omp_get_max_threads() */
    char start_time[32];    /* UTC, ISO 8601 */
    double start_seconds;   /* monotonic clock at start */
    int n_notes;
    char note_keys[PROVENANCE_MAX_NOTES][32];
    char note_values[PROVENANCE_MAX_NOTES][1024]; /* a model description with ten codes is ~270 */
} provenance;

/* Records everything but the wall time; calls kern_init() to learn the active ISA. */
void provenance_init(provenance *p, int argc, char **argv, uint64_t seed);
/* Adds (or replaces) a note, e.g. provenance_note(&p, "data", split.description). */
void provenance_note(provenance *p, const char *key, const char *value);
/* Seconds since provenance_init. */
double provenance_wall_seconds(const provenance *p);

/* `# key: value` lines (commit, command, seed, isa, threads, start, wall_s = seconds so far,
 * then the notes), for the top of a CSV file or a gnuplot data file. */
void provenance_write_comments(const provenance *p, FILE *f);
/* The same as a malloc'd string (free it), e.g. for plot_spec.comment. */
char *provenance_comments_string(const provenance *p);
/* A Markdown block: a "Provenance" list with the same keys. */
void provenance_write_markdown(const provenance *p, FILE *f);

#endif
