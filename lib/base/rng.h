/* rng.h: one seeded generator (xoshiro256**) with independent, addressable streams.
 *
 * A stream is named by (seed, stream, index): e.g. the latent samples of the D step at
 * iteration i come from rng_make(seed, RNG_LATENT_D, i). Nothing depends on call order
 * across streams, so a resumed run draws exactly the numbers an unbroken run draws. */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;

/* The streams of a training run. */
enum rng_stream {
    RNG_INIT_G = 1,   /* generator weights */
    RNG_INIT_D,       /* discriminator/Q weights */
    RNG_DATA,         /* data order; index = epoch */
    RNG_LATENT_D,     /* latent samples of the D/Q step; index = iteration */
    RNG_LATENT_G,     /* latent samples of the G step; index = iteration */
    RNG_EVAL,         /* figures and evaluation */
    RNG_INSTANCE_NOISE, /* noise on D's inputs; index = 16 x iteration + pass (0 real, 1 fake of the
                         D step, 2 + j the j-th G step's fake) */
};

/* splitmix64: the step that seeds every stream here, the renderers' jitter and the MNIST
 * split; *state advances by the golden-ratio constant. */
static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A splitmix64 state from seed, then a (times the odd constant ka), then b (times kb), mixed
 * one after another so (seed, 1, 2) and (seed, 2, 1) differ. */
static inline uint64_t splitmix64_mix(uint64_t seed, uint64_t a, uint64_t ka, uint64_t b, uint64_t kb)
{
    uint64_t x = seed;
    x = splitmix64(&x) ^ (a * ka);
    return splitmix64(&x) ^ (b * kb);
}

rng rng_make(uint64_t seed, uint64_t stream, uint64_t index);
uint64_t rng_u64(rng *r);
/* Uniform in [0, 1) with 24 random bits. */
float rng_uniform(rng *r);
/* Uniform in [lo, hi). */
float rng_uniform_range(rng *r, float lo, float hi);
/* Normal(mean, std), Box-Muller in double. */
float rng_normal(rng *r, float mean, float std);
/* Normal(0, std) redrawn while |x| > 2 std (TensorFlow's truncated_normal). */
float rng_truncated_normal(rng *r, float std);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(rng *r, uint32_t n);
/* perm (n) = a uniform random permutation of 0..n-1 (Fisher-Yates). */
void rng_permutation(rng *r, int n, int *perm);

#endif
