/* losses.c: GAN and information losses, in double for the sums. */
#include "model/losses.h"

#include <math.h>

#include "base/util.h"

static double softplus(double x) { return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x))); }
static double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

/* Eq. (1), real term (and G's non-saturating loss) */
double loss_gan_real(int n, const float *logits, float *dlogits, double scale)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += softplus(-(double)logits[i]);
        dlogits[i] = (float)(scale * (sigmoid(logits[i]) - 1.0) / n);
    }
    return sum / n;
}

/* Eq. (1), fake term */
double loss_gan_fake(int n, const float *logits, float *dlogits, double scale)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += softplus((double)logits[i]);
        dlogits[i] = (float)(scale * sigmoid(logits[i]) / n);
    }
    return sum / n;
}

double loss_cat_ce(int n, int k, const float *logits, int ld, const int *target,
                   float *dlogits, double scale)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const float *l = logits + (size_t)i * ld;
        float *dl = dlogits + (size_t)i * ld;
        double mx = l[0];
        for (int j = 1; j < k; j++) mx = (double)l[j] > mx ? (double)l[j] : mx;
        double z = 0.0;
        for (int j = 0; j < k; j++) z += exp((double)l[j] - mx);
        double logz = mx + log(z);
        sum += logz - (double)l[target[i]];
        for (int j = 0; j < k; j++)
            dl[j] = (float)(scale * (exp((double)l[j] - logz) - (j == target[i])) / n);
    }
    return sum / n;
}

/* s clamped to [lo, hi]; a NaN stays NaN. */
static double clamp(double s, double lo, double hi) { return s < lo ? lo : s > hi ? hi : s; }

double loss_gauss_nll(int n, const float *mean, const float *logstd, int ld, const float *t,
                      int ldt, double log_lo, double log_hi, float *dmean, float *dlogstd,
                      double scale)
{
    const double half_log_2pi = 0.5 * log(2.0 * M_PI);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double mu = mean[(size_t)i * ld], x = t[(size_t)i * ldt];
        double s = 0.0; /* log std */
        bool clamped = false;
        if (logstd) {
            double raw = logstd[(size_t)i * ld];
            s = clamp(raw, log_lo, log_hi), clamped = raw < log_lo || raw > log_hi;
        }
        double inv_var = exp(-2.0 * s);
        double r2 = (x - mu) * (x - mu) * inv_var;
        sum += half_log_2pi + s + 0.5 * r2;
        dmean[(size_t)i * ld] = (float)(scale * (mu - x) * inv_var / n);
        if (logstd) dlogstd[(size_t)i * ld] = clamped ? 0.0f : (float)(scale * (1.0 - r2) / n);
    }
    return sum / n;
}

/* Eq. (5) */
double loss_info(const latent_spec *s, bool learned_std, float std_min, int n, const float *q,
                 const float *z, float lambda_cat, float lambda_cont, double *li,
                 double *std_mean, float *dq)
{
    int qd = latent_q_dim(s, learned_std);
    double log_lo = std_min > 0 ? log((double)std_min) : -HUGE_VAL;
    double log_hi = std_min > 0 ? LOSS_LOG_STD_MAX : HUGE_VAL;
    int target[n];
    double total = 0.0;
    for (int c = 0; c < s->n_codes; c++) {
        const latent_code *code = &s->codes[c];
        double nll;
        float lambda;
        if (code->kind == LATENT_CAT) {
            for (int i = 0; i < n; i++) {
                const float *onehot = z + (size_t)i * s->in_dim + code->in_offset;
                target[i] = -1;
                for (int j = 0; j < code->k; j++)
                    if (onehot[j] == 1.0f) target[i] = j;
                CHECK(target[i] >= 0, "latent row %d has no category set for code %s", i, code->name);
            }
            lambda = lambda_cat;
            nll = loss_cat_ce(n, code->k, q + code->q_offset, qd, target, dq + code->q_offset, lambda);
        } else {
            /* Log stds follow the means: column q_offset + n_cont. */
            int ls = code->q_offset + s->n_cont;
            lambda = lambda_cont;
            nll = loss_gauss_nll(n, q + code->q_offset, learned_std ? q + ls : NULL, qd,
                                 z + code->in_offset, s->in_dim, log_lo, log_hi,
                                 dq + code->q_offset, learned_std ? dq + ls : NULL, lambda);
            double std_sum = 0.0;
            for (int i = 0; i < n && learned_std; i++)
                std_sum += exp(clamp((double)q[(size_t)i * qd + ls], log_lo, log_hi));
            if (std_mean) std_mean[c] = learned_std ? std_sum / n : 1.0;
        }
        li[c] = latent_code_entropy(code) - nll;
        total += (double)lambda * li[c];
    }
    return total;
}
