/* dataset.h: one in-memory image set, shared by every loader and procedural renderer. */
#ifndef DATASET_H
#define DATASET_H

#define DATASET_MAX_FACTORS 16

typedef struct dataset {
    char name[64];
    int n, c, h, w;        /* images (N,C,H,W), values in [0,1] */
    float *images;
    /* Ground-truth factors, for evaluation only (never for training): MNIST's label is one
     * factor "digit" with 10 levels; a stand-in renderer has one per rendered factor. */
    int n_factors;
    char factor_names[DATASET_MAX_FACTORS][32];
    int factor_levels[DATASET_MAX_FACTORS]; /* distinct grid values of each factor */
    int *factor_index;     /* (N,F) grid index of each factor, 0..levels-1 */
    float *factor_value;   /* (N,F) the factor's value (e.g. angle in degrees) */
} dataset;

/* Allocates images (and factor arrays when n_factors > 0) for n images of c x h x w. */
dataset *dataset_alloc(const char *name, int n, int c, int h, int w, int n_factors);
void dataset_free(dataset *d);
/* Copies images [first, first+count) into a new dataset (factors too). */
dataset *dataset_slice(const dataset *d, int first, int count);

#endif
