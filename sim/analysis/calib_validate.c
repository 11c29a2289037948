/* calib_validate.c: the simulated panels of the refitted scenario against
 * the observed one (see calib_validate.h). */
#include "analysis/calib_validate.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/sbuf.h"
#include "engine/sim.h"
#include "model/scenario.h"

int calib_refitted_model(const struct model *base, const struct calib_result *r,
                         struct model **out, struct err *e)
{
    *out = NULL;
    if (!base->path) return err_set(e, EXIT_RUNTIME, "validation: the base scenario has no file");
    struct model *m = NULL;
    if (scenario_load(base->path, &m, e) != 0) return -1;
    int C = r->opts.n_cov;
    for (int f = 0; f < r->n_flows; f++) {
        const struct calib_flow *cf = &r->flow[f];
        if (!cf->fitted) continue;
        int K = cf->n_params / (1 + C);
        for (int k = 0; k < K; k++) {
            const struct calib_param *q = &cf->params[k];
            struct transition *t = &m->transitions[q->trans];
            if (!q->unidentified) t->per_year = isfinite(q->est) ? q->est : 0.0;
            double keep[MODEL_MAX_COVS];
            memcpy(keep, t->beta, sizeof keep);
            /* Effects not fitted are dropped, as the fragment does; a
             * simulating fit kept them in its model, and keeps them here. */
            if (!r->opts.simulated) memset(t->beta, 0, sizeof t->beta);
            for (int c = 0; c < C; c++) {
                const struct calib_param *b = &cf->params[K + k * C + c];
                t->beta[b->cov] = b->unidentified ? keep[b->cov] : isfinite(b->est) ? b->est : 0.0;
            }
        }
    }
    if (model_finish(m, e) != 0) {
        model_destroy(m);
        return -1;
    }
    *out = m;
    return 0;
}

/* Share counts of each state among citizens under observation at each grid
 * time (the state of the latest measurement at or before it), into
 * cnt[g * S + s] and n[g]; and the moves per year into moves (see .h). */
static void tally(const struct panel *p, int flow, int S, const double *grid, int G, int Y,
                  double *cnt, double *n, double *moves)
{
    for (size_t c = 0; c < p->n_cit; c++) {
        const struct panel_obs *ob = &p->obs[p->cit_start[c]];
        size_t m = p->cit_start[c + 1] - p->cit_start[c], j = 0;
        for (int g = 0; g < G; g++) {
            if (grid[g] < ob[0].t || grid[g] > ob[m - 1].t) continue;
            while (j + 1 < m && ob[j + 1].t <= grid[g]) j++;
            if (ob[j].state[flow] >= S) continue;
            n[g] += 1.0;
            cnt[(size_t)g * S + ob[j].state[flow]] += 1.0;
        }
        for (size_t i = 1; i < m; i++) {
            int a = ob[i - 1].state[flow], b = ob[i].state[flow];
            double y = floor(ob[i].t);
            if (a >= S || b >= S || a == b || y < 0.0 || y >= Y) continue;
            moves[((size_t)y * S + a) * S + b] += 1.0;
        }
    }
}

static int flow_alloc(struct calib_val_flow *vf, int S, int G, int Y)
{
    size_t ng = (size_t)G * S, nm = (size_t)Y * S * S;
    vf->n_states = S;
    vf->n_grid = G;
    vf->n_years = Y;
    return (vf->obs_n = calloc((size_t)G + 1, sizeof *vf->obs_n)) &&
                   (vf->obs_share = calloc(ng + 1, sizeof(double))) &&
                   (vf->sim_mean = calloc(ng + 1, sizeof(double))) &&
                   (vf->sim_sd = calloc(ng + 1, sizeof(double))) &&
                   (vf->z = calloc(ng + 1, sizeof(double))) &&
                   (vf->obs_moves = calloc(nm + 1, sizeof(double))) &&
                   (vf->sim_moves = calloc(nm + 1, sizeof(double))) &&
                   (vf->sim_moves_sd = calloc(nm + 1, sizeof(double))) &&
                   (vf->moves_z = calloc(nm + 1, sizeof(double)))
               ? 0
               : -1;
}

void calib_validation_fini(struct calib_validation *v)
{
    for (int f = 0; f < MODEL_MAX_FLOWS; f++) {
        struct calib_val_flow *vf = &v->flow[f];
        free(vf->obs_n);
        free(vf->obs_share);
        free(vf->sim_mean);
        free(vf->sim_sd);
        free(vf->z);
        free(vf->obs_moves);
        free(vf->sim_moves);
        free(vf->sim_moves_sd);
        free(vf->moves_z);
    }
    memset(v, 0, sizeof *v);
}

/* One replication's panel of the refitted model, read like the observed
 * one; adds its shares and moves (and their squares) to the flow sums. */
static int add_replication(struct sim_workspace *w, const struct model *m, const struct sim_shape *sh,
                           uint32_t rep, struct calib_validation *v, double *scratch,
                           struct err *e)
{
    struct rep_result res;
    if (sim_result_init(&res, sh) != 0) return err_set(e, EXIT_RUNTIME, "validation: out of memory");
    int rc = sim_run(w, rep, true, false, &res, e);
    struct sbuf text = { 0 };
    struct panel p = { 0 };
    if (rc == 0) {
        sim_panel_header(m, &text);
        sbuf_append(&text, res.panel.s, res.panel.len);
        struct panel_opts po = { 0 };
        rc = text.failed ? err_set(e, EXIT_RUNTIME, "validation: out of memory")
                         : panel_parse("simulated panel", text.s, text.len, m, &po, &p, e);
    }
    for (int f = 0; rc == 0 && f < v->n_flows; f++) {
        struct calib_val_flow *vf = &v->flow[f];
        if (!vf->done) continue;
        int S = vf->n_states, G = vf->n_grid, Y = vf->n_years;
        size_t ng = (size_t)G * S, nm = (size_t)Y * S * S;
        double *cnt = scratch, *n = cnt + ng, *mv = n + G;
        memset(scratch, 0, (ng + (size_t)G + nm) * sizeof *scratch);
        tally(&p, f, S, vf->grid_t, G, Y, cnt, n, mv);
        for (size_t i = 0; i < ng; i++) {
            double sh_i = n[i / S] > 0 ? cnt[i] / n[i / S] : 0.0;
            vf->sim_mean[i] += sh_i;
            vf->sim_sd[i] += sh_i * sh_i;
        }
        for (size_t i = 0; i < nm; i++) {
            vf->sim_moves[i] += mv[i];
            vf->sim_moves_sd[i] += mv[i] * mv[i];
        }
    }
    panel_fini(&p);
    sbuf_free(&text);
    sim_result_fini(&res);
    return rc;
}

/* Means, standard deviations and z of one flow after `reps` replications. */
static void finish_flow(struct calib_val_flow *vf, int reps)
{
    int S = vf->n_states;
    size_t ng = (size_t)vf->n_grid * S, nm = (size_t)vf->n_years * S * S;
    for (size_t i = 0; i < ng; i++) {
        double mean = vf->sim_mean[i] / reps, var = vf->sim_sd[i] / reps - mean * mean;
        vf->sim_mean[i] = mean;
        vf->sim_sd[i] = sqrt(fmax(var, 0.0) * reps / (reps > 1 ? reps - 1 : 1));
        double n = vf->obs_n[i / S], se2 = vf->sim_sd[i] * vf->sim_sd[i];
        if (n > 0) se2 += fmax(mean * (1 - mean), 0.25 / n) / n;   /* the panel's sampling */
        vf->z[i] = n > 0 ? (vf->obs_share[i] - mean) / sqrt(se2) : 0.0;
        if (fabs(vf->z[i]) > vf->worst_z)
            vf->worst_z = fabs(vf->z[i]), vf->worst_g = (int)(i / S), vf->worst_s = (int)(i % S);
    }
    for (size_t i = 0; i < nm; i++) {
        double mean = vf->sim_moves[i] / reps, var = vf->sim_moves_sd[i] / reps - mean * mean;
        vf->sim_moves[i] = mean;
        vf->sim_moves_sd[i] = sqrt(fmax(var, 0.0) * reps / (reps > 1 ? reps - 1 : 1));
        double se2 = vf->sim_moves_sd[i] * vf->sim_moves_sd[i] + fmax(mean, 1.0);   /* Poisson */
        vf->moves_z[i] = (vf->obs_moves[i] - mean) / sqrt(se2);
        if (fabs(vf->moves_z[i]) > vf->worst_moves_z) {
            vf->worst_moves_z = fabs(vf->moves_z[i]);
            vf->worst_y = (int)(i / ((size_t)S * S));
            vf->worst_a = (int)(i / S % S);
            vf->worst_b = (int)(i % S);
        }
    }
}

/* The observed side, and the arrays, of every fitted flow. */
static int prepare(const struct model *refit, const struct panel *obs,
                   const struct calib_result *r, struct calib_validation *v, size_t *scratch_n)
{
    double t_end = 0.0;
    for (size_t i = 0; i < obs->n_obs; i++) t_end = fmax(t_end, obs->obs[i].t);
    int Y = (int)fmin(ceil(fmin(t_end, refit->years)), 1000.0);
    if (Y < 1) Y = 1;
    v->n_flows = r->n_flows;
    *scratch_n = 1;
    for (int f = 0; f < r->n_flows; f++) {
        const struct calib_flow *cf = &r->flow[f];
        struct calib_val_flow *vf = &v->flow[f];
        if (!cf->fitted || cf->n_grid < 1) continue;
        int S = cf->n_states, G = cf->n_grid;
        if (flow_alloc(vf, S, G, Y) != 0) return -1;
        vf->done = true;
        vf->grid_t = cf->grid_t;
        tally(obs, f, S, cf->grid_t, G, Y, vf->obs_share, vf->obs_n, vf->obs_moves);
        for (size_t i = 0; i < (size_t)G * S; i++)
            vf->obs_share[i] = vf->obs_n[i / S] > 0 ? vf->obs_share[i] / vf->obs_n[i / S] : 0.0;
        size_t need = (size_t)G * S + (size_t)G + (size_t)Y * S * S;
        if (need > *scratch_n) *scratch_n = need;
    }
    return 0;
}

int calib_validate(const struct model *refit, const struct panel *observed,
                   const struct calib_result *r, int reps, const volatile sig_atomic_t *stop,
                   struct calib_validation *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    v->reps = reps;
    size_t scratch_n;
    double *scratch = NULL;
    struct sim_workspace *w = NULL;
    if (prepare(refit, observed, r, v, &scratch_n) != 0 ||
        !(scratch = malloc(scratch_n * sizeof *scratch)) || !(w = sim_workspace_create(refit))) {
        free(scratch);
        calib_validation_fini(v);
        return err_set(e, EXIT_RUNTIME, "validation: out of memory");
    }
    sim_workspace_set_stop(w, stop);
    struct sim_shape sh;
    sim_shape_of(refit, &sh);
    int rc = 0;
    for (int rep = 0; rc == 0 && rep < reps; rep++)
        rc = add_replication(w, refit, &sh, (uint32_t)rep, v, scratch, e);
    if (rc == 0 && stop && *stop) rc = err_set(e, EXIT_RUNTIME, "interrupted");
    for (int f = 0; rc == 0 && f < v->n_flows; f++)
        if (v->flow[f].done) finish_flow(&v->flow[f], reps);
    sim_workspace_destroy(w);
    free(scratch);
    if (rc != 0) calib_validation_fini(v);
    return rc;
}

/* ---- what the validation writes ------------------------------------------ */

int calib_validation_write(const char *dir, const struct model *m,
                           const struct calib_validation *v, struct err *e)
{
    char path[4200];
    struct afile a;
    snprintf(path, sizeof path, "%s/validation.csv", dir);
    if (afile_open(&a, path, e) != 0) return -1;
    fprintf(a.f, "flow,t,state,observed_n,observed_share,simulated_mean,simulated_sd,z\n");
    for (int f = 0; f < v->n_flows; f++) {
        const struct calib_val_flow *vf = &v->flow[f];
        for (int g = 0; vf->done && g < vf->n_grid; g++)
            for (int s = 0; s < vf->n_states; s++) {
                size_t i = (size_t)g * vf->n_states + s;
                fprintf(a.f, "%s,%.6f,%s,%.0f,%.6f,%.6f,%.6f,%.3f\n", m->flows[f].id,
                        vf->grid_t[g], model_state_id(&m->flows[f], s), vf->obs_n[g],
                        vf->obs_share[i], vf->sim_mean[i], vf->sim_sd[i], vf->z[i]);
            }
    }
    if (afile_commit(&a, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/validation_moves.csv", dir);
    if (afile_open(&a, path, e) != 0) return -1;
    fprintf(a.f, "flow,year,from,to,observed,simulated_mean,simulated_sd,z\n");
    for (int f = 0; f < v->n_flows; f++) {
        const struct calib_val_flow *vf = &v->flow[f];
        int S = vf->n_states;
        for (int y = 0; vf->done && y < vf->n_years; y++)
            for (int x = 0; x < S * S; x++) {
                size_t i = (size_t)y * S * S + (size_t)x;
                if (x / S == x % S || (vf->obs_moves[i] == 0 && vf->sim_moves[i] == 0)) continue;
                fprintf(a.f, "%s,%d,%s,%s,%.0f,%.3f,%.3f,%.3f\n", m->flows[f].id, y,
                        model_state_id(&m->flows[f], x / S), model_state_id(&m->flows[f], x % S),
                        vf->obs_moves[i], vf->sim_moves[i], vf->sim_moves_sd[i], vf->moves_z[i]);
            }
    }
    return afile_commit(&a, e);
}

int calib_validation_print(const struct model *m, const struct calib_validation *v, FILE *out)
{
    int beyond = 0;
    fprintf(out, "\nvalidation: %d simulated replication%s of the refitted scenario against the "
            "panel (gaps in standard errors: simulation spread and the panel's sampling)\n",
            v->reps, v->reps == 1 ? "" : "s");
    for (int f = 0; f < v->n_flows; f++) {
        const struct calib_val_flow *vf = &v->flow[f];
        if (!vf->done) continue;
        const struct flow *fl = &m->flows[f];
        size_t i = (size_t)vf->worst_g * vf->n_states + vf->worst_s;
        fprintf(out, "  flow %s: largest share gap %s at t = %.2f: observed %.1f%%, simulated "
                "%.1f%% (sd %.1f), z = %.1f\n", fl->id, model_state_id(fl, vf->worst_s),
                vf->grid_t[vf->worst_g], 100 * vf->obs_share[i], 100 * vf->sim_mean[i],
                100 * vf->sim_sd[i], vf->z[i]);
        size_t k = ((size_t)vf->worst_y * vf->n_states + vf->worst_a) * vf->n_states + vf->worst_b;
        if (vf->worst_moves_z > 0)
            fprintf(out, "  flow %s: largest move gap %s -> %s in year %d: observed %.0f, "
                    "simulated %.1f (sd %.1f), z = %.1f\n", fl->id,
                    model_state_id(fl, vf->worst_a), model_state_id(fl, vf->worst_b),
                    vf->worst_y, vf->obs_moves[k], vf->sim_moves[k], vf->sim_moves_sd[k],
                    vf->moves_z[k]);
        beyond += vf->worst_z > CALIB_VALIDATE_Z || vf->worst_moves_z > CALIB_VALIDATE_Z;
    }
    return beyond;
}
