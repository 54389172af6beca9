/* table2: collects the runs of faces, chairs, svhn and celeba (their result.csv) into
 * results/table2.csv and table2.md: MIG, SAP, FactorVAE and the best codes per run, and
 * whether InfoGAN beats the GAN baseline. */
#include <stdio.h>
#include <string.h>

#include "harness/experiment.h"

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("usage: table2 [--out DIR] RUN_DIR...\n"
                 "       table2 --lengths [--out DIR] RUN_DIR...\n"
                 "Reads RUN_DIR/result.csv of runs of `faces|chairs|svhn|celeba train` and writes\n"
                 "DIR/table2.csv and DIR/table2.md (DIR: results): one row per run, then per data set\n"
                 "and setting the best-MIG InfoGAN run against the best GAN baseline run, and each\n"
                 "paper factor's normalized MI, median and best over the setting's InfoGAN seeds.\n"
                 "--lengths: instead, how each run's scores grew with its length: the points that\n"
                 "`train --score-at` wrote into RUN_DIR/at-N/ and the end (a run still training: its\n"
                 "at-N/ points so far) -> DIR/lengths.csv (per point and factor: the best code, its\n"
                 "normalized MI, its traversal score and the factor's coverage from oracle.csv) and\n"
                 "DIR/lengths.png (normalized MI against iterations).");
            return 0;
        }
    if (argc > 1 && strcmp(argv[1], "--lengths") == 0) return experiment_lengths(argc, argv);
    return experiment_table2(argc, argv);
}
