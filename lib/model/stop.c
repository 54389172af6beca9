/* stop.c: the authors' stop rule. */
#include "model/stop.h"

#include <string.h>

#define STOP_LOSS 1e-3       /* D's or G's GAN loss below this: one network wins outright */
#define STOP_D_FAKE 0.01     /* every D(G(z)) of the batch below this: G fools D nowhere */
#define STOP_LI_CAT 0.01     /* a categorical code's L_I below this (nats): Q reads nothing */

void stop_rule_init(stop_rule *r, int patience)
{
    memset(r, 0, sizeof *r);
    r->patience = patience;
}

/* Adds x as sign s's newest value (applies: the sign counts at this iteration; else its window
 * empties); true when its window is full and its mean is below `below`. */
static bool mean_below(stop_rule *r, int s, bool applies, double x, double below)
{
    if (!applies) {
        r->seen[s] = 0;
        return false;
    }
    r->last[s][r->seen[s]++ % STOP_WINDOW] = x; /* the ring's order does not matter to a mean */
    if (r->seen[s] < STOP_WINDOW) return false;
    double sum = 0.0;
    for (int i = 0; i < STOP_WINDOW; i++) sum += r->last[s][i];
    return sum / STOP_WINDOW < below;
}

bool stop_rule_update(stop_rule *r, const infogan_config *c, const infogan_stats *st, char *why,
                      size_t why_len)
{
    const latent_spec *ls = &c->latent;
    /* The L_I signs count only while G is rewarded for L_I (the D step's batch). */
    bool reward = c->info_to_g && st->iteration > c->info_warmup;
    double li_cont = 0.0;
    for (int k = 0; k < ls->n_codes; k++)
        if (ls->codes[k].kind == LATENT_CONT) li_cont += st->li_code[k];
    bool holds[STOP_SIGNS] = {
        mean_below(r, 0, true, st->d_loss, STOP_LOSS), mean_below(r, 1, true, st->g_loss, STOP_LOSS),
        mean_below(r, 2, true, st->d_fake_max, STOP_D_FAKE),
        mean_below(r, 3, reward && c->learned_std && ls->n_cont > 0, li_cont, 0.0)};
    for (int k = 0; k < ls->n_codes; k++)
        holds[4 + k] = mean_below(r, 4 + k, reward && ls->codes[k].kind == LATENT_CAT,
                                  st->li_code[k], STOP_LI_CAT);
    for (int s = 0; s < 4 + ls->n_codes; s++) {
        r->since[s] = !holds[s] ? 0 : r->since[s] ? r->since[s] : st->iteration;
        if (!r->since[s] || st->iteration - r->since[s] + 1 < r->patience) continue;
        char sign[64];
        if (s == 0) snprintf(sign, sizeof sign, "D loss < %g", STOP_LOSS);
        else if (s == 1) snprintf(sign, sizeof sign, "G loss < %g", STOP_LOSS);
        else if (s == 2) snprintf(sign, sizeof sign, "max D(G(z)) < %g", STOP_D_FAKE);
        else if (s == 3) snprintf(sign, sizeof sign, "the continuous codes' L_I < 0");
        else snprintf(sign, sizeof sign, "L_I of %s < %g", ls->codes[s - 4].name, STOP_LI_CAT);
        snprintf(why, why_len, "%s held from iteration %d to %d (stop rule, patience %d)", sign,
                 r->since[s], st->iteration, r->patience);
        return true;
    }
    return false;
}

void stop_rule_help(FILE *f, bool on)
{
    fprintf(f,
            "  --stop-rule on|off the authors' stop rule (%s here): the run ends, marked collapsed\n"
            "                     (collapsed.txt beside its checkpoint, which is written), once one\n"
            "                     of these, averaged over the last %d iterations (the authors\n"
            "                     judged per-epoch numbers), held for --stop-patience iterations\n"
            "                     in a row: D's or G's loss < %g; D(G(z)) of every image of the\n"
            "                     batch < %g; a categorical code's L_I < %g (Q reads nothing of\n"
            "                     it); the continuous codes' summed L_I < 0, with --std learned\n"
            "                     only (with std 1 each code's is below ln 2 - ln(2 pi)/2 = -0.23\n"
            "                     by construction). The L_I signs count only while G gets the L_I\n"
            "                     reward (not --gan or --info-warmup). A --resume of a collapsed\n"
            "                     run does not train it; for other runs the windows and counts\n"
            "                     restart at a --resume.\n"
            "  --stop-patience N  iterations in a row (%d; the authors waited 50 of their epochs,\n"
            "                     more than our whole runs)\n",
            on ? "on" : "off", STOP_WINDOW, STOP_LOSS, STOP_D_FAKE, STOP_LI_CAT,
            STOP_PATIENCE_DEFAULT);
}
