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
                 "Reads RUN_DIR/result.csv of runs of `faces|chairs|svhn|celeba train` and writes\n"
                 "DIR/table2.csv and DIR/table2.md (DIR: results): one row per run, then per data set\n"
                 "and setting the best-MIG InfoGAN run against the best GAN baseline run.");
            return 0;
        }
    return experiment_table2(argc, argv);
}
