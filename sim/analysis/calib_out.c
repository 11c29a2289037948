/* calib_out.c: what a fit writes (see calib_out.h): the table of
 * estimates with the fit check, calibration.json and the fragment. */
#include "analysis/calib_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "analysis/calib_mvn.h"
#include "analysis/calib_sim.h"
#include "base/afile.h"
#include "base/pathname.h"
#include "base/version.h"
#include "model/uncertainty.h"

size_t calib_observed_once(const struct panel *p)
{
    size_t n = 0;
    for (size_t c = 0; c < p->n_cit; c++) n += p->cit_start[c + 1] - p->cit_start[c] == 1;
    return n;
}

/* ---- the table ---------------------------------------------------------- */

static const char *param_name(const struct model *m, const struct calib_param *q)
{
    return q->cov < 0 ? "per_year" : calib_cov_name(m, q->cov);
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (isnan(v)) snprintf(buf, n, "-");
    else snprintf(buf, n, "%.4g", v);
}

/* The estimates of one fitted flow, one line per parameter, and its warnings. */
static void print_estimates(const struct model *m, const struct calib_result *r,
                            const struct calib_flow *cf, FILE *out)
{
    const struct flow *fl = &m->flows[cf->flow];
    int K = r->opts.n_cov ? cf->n_params / (1 + r->opts.n_cov) : cf->n_params;
    int C = r->opts.n_cov, wl = 10, wp = 9;
    for (int k = 0; k < K; k++) {
        const struct transition *t = &m->transitions[cf->params[k].trans];
        int w = (int)(strlen(model_state_id(fl, t->from)) + strlen(model_state_id(fl, t->to))) + 4;
        if (w > wl) wl = w;
    }
    for (int c = 0; c < C; c++)
        if ((int)strlen(calib_cov_name(m, r->opts.cov[c])) > wp)
            wp = (int)strlen(calib_cov_name(m, r->opts.cov[c]));
    fprintf(out, "  %-*s %-*s %11s %11s   %-25s %10s  %s\n", wl, "transition", wp, "parameter",
            "estimate", "std.err", "95% CI", "base", "note");
    for (int k = 0; k < K; k++) {
        for (int c = -1; c < C; c++) {
            const struct calib_param *q = &cf->params[c < 0 ? k : K + k * C + c];
            const struct transition *t = &m->transitions[q->trans];
            char tr[160] = "", est[24], se[24], lo[24], hi[24], ci[64], base[24];
            if (c < 0)
                snprintf(tr, sizeof tr, "%s -> %s", model_state_id(fl, t->from),
                         model_state_id(fl, t->to));
            fmt_num(est, sizeof est, q->est);
            fmt_num(se, sizeof se, q->se);
            fmt_num(lo, sizeof lo, q->lo);
            fmt_num(hi, sizeof hi, q->hi);
            fmt_num(base, sizeof base, q->base);
            if (isnan(q->lo) && isnan(q->hi)) snprintf(ci, sizeof ci, "%s", q->fixed ? "(held)" : "-");
            else snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
            char note[64];
            if (!isnan(q->gap_se))
                snprintf(note, sizeof note, "plain %.4g, gap %+.2f se", q->cov < 0 ?
                         exp(q->plain_theta) : q->plain_theta, q->gap_se);
            else
                snprintf(note, sizeof note, "%s", q->unidentified ? "not identified: base kept"
                                                  : q->biased_by ? q->biased_by : "");
            fprintf(out, "  %-*s %-*s %11s %11s   %-25s %10s  %s\n", wl, tr, wp, param_name(m, q),
                    est, se, ci, base, note);
        }
    }
    for (int w = 0; w < cf->n_warn; w++) fprintf(out, "  warning: %s\n", cf->warn[w]);
}

/* The fit check of one flow, compact (every other grid point), and its
 * largest gap. */
static void print_fitcheck(const struct flow *fl, const struct calib_flow *cf, FILE *out)
{
    int S = cf->n_states;
    fprintf(out, "  fit check: share of citizens under observation in each state, observed/expected %%\n");
    fprintf(out, "  %8s %8s", "t", "n");
    /* Columns as wide as the longest state id: ids are never cut. */
    int cw = 13;
    for (int s = 0; s < S; s++)
        if ((int)strlen(model_state_id(fl, s)) > cw) cw = (int)strlen(model_state_id(fl, s));
    for (int s = 0; s < S; s++) fprintf(out, " %*s", cw, model_state_id(fl, s));
    fprintf(out, "\n");
    double worst = 0.0;
    int worst_g = 0, worst_s = 0;
    for (int g = 0; g < cf->n_grid; g++) {
        double n = cf->at_risk[g];
        for (int s = 0; s < S && n > 0; s++) {
            double d = fabs(cf->observed[g * S + s] - cf->expected[g * S + s]) / n;
            if (d > worst) worst = d, worst_g = g, worst_s = s;
        }
        if (g % 2 && g != cf->n_grid - 1) continue;
        fprintf(out, "  %8.3f %8.0f", cf->grid_t[g], n);
        for (int s = 0; s < S; s++) {
            char cell[32];
            if (n > 0)
                snprintf(cell, sizeof cell, "%.1f/%.1f", 100.0 * cf->observed[g * S + s] / n,
                         100.0 * cf->expected[g * S + s] / n);
            else
                snprintf(cell, sizeof cell, "-");
            fprintf(out, " %*s", cw, cell);
        }
        fprintf(out, "\n");
    }
    if (cf->n_grid > 0 && cf->at_risk[worst_g] > 0)
        fprintf(out, "  largest gap: %s at t = %.3f: observed %.1f%%, expected %.1f%%\n",
                model_state_id(fl, worst_s), cf->grid_t[worst_g],
                100.0 * cf->observed[worst_g * S + worst_s] / cf->at_risk[worst_g],
                100.0 * cf->expected[worst_g * S + worst_s] / cf->at_risk[worst_g]);
}

void calib_print_table(const struct model *m, const struct calib_result *r,
                       const struct calib_source *src, FILE *out)
{
    const struct panel *p = src->panel;
    size_t once = calib_observed_once(p);
    fprintf(out, "flowsim calibrate: %zu measurements of %zu citizens, %zu observed once (no "
            "pair: nothing to fit), in %s", p->n_obs, p->n_cit, once, src->panel_path);
    if (p->n_bad) fprintf(out, " (%zu malformed rows skipped)", p->n_bad);
    fprintf(out, "\nscenario %s; covariates: ", m->name);
    if (!r->opts.n_cov) fprintf(out, "none");
    for (int c = 0; c < r->opts.n_cov; c++)
        fprintf(out, "%s%s", c ? ", " : "", calib_cov_name(m, r->opts.cov[c]));
    fprintf(out, "\n");
    if (r->sim.reps)
        fprintf(out, "method: simulated (indirect inference): %d iteration%s of %d replications, "
                "largest gap %.3f standard errors (%s), %.1f s; 'plain' is the Markov fit of "
                "the panel, standard errors include the simulation noise\n", r->sim.iterations,
                r->sim.iterations == 1 ? "" : "s", r->sim.reps, r->sim.max_gap_se,
                r->sim.converged ? "converged" : "NOT converged", r->sim.seconds);
    for (int f = 0; f < r->n_flows; f++) {
        const struct calib_flow *cf = &r->flow[f];
        const struct flow *fl = &m->flows[f];
        fprintf(out, "\nflow %s: ", fl->id);
        if (!cf->fitted) {
            fprintf(out, "not fitted: %s (its transitions stay as in the scenario)\n", cf->why_not);
            continue;
        }
        fprintf(out, "%zu citizens, %zu pairs of consecutive measurements, %zu with a move",
                cf->n_cit, cf->n_pairs, cf->n_moves);
        if (cf->n_impossible) fprintf(out, ", %zu impossible pairs left out", cf->n_impossible);
        fprintf(out, "\n  -2 log-likelihood %.2f; %s after %d iterations; %.2f s\n", cf->minus2ll,
                cf->converged ? "converged" : "NOT converged", cf->iterations, cf->seconds);
        print_estimates(m, r, cf, out);
        print_fitcheck(fl, cf, out);
    }
}

/* ---- calibration.json --------------------------------------------------- */

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, num_or_null(v));
}

static cJSON *pair_json(double lo, double hi)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, num_or_null(lo));
    cJSON_AddItemToArray(a, num_or_null(hi));
    return a;
}

static cJSON *flow_json(const struct model *m, const struct calib_flow *cf)
{
    const struct flow *fl = &m->flows[cf->flow];
    int S = cf->n_states;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", fl->id);
    cJSON_AddBoolToObject(o, "fitted", cf->fitted);
    if (!cf->fitted) {
        cJSON_AddStringToObject(o, "reason", cf->why_not);
        return o;
    }
    cJSON *states = cJSON_AddArrayToObject(o, "states");
    for (int s = 0; s < S; s++) cJSON_AddItemToArray(states, cJSON_CreateString(model_state_id(fl, s)));
    add_num(o, "minus2loglik", cf->minus2ll);
    cJSON_AddBoolToObject(o, "converged", cf->converged);
    cJSON_AddNumberToObject(o, "iterations", cf->iterations);
    add_num(o, "gradient_max", cf->grad_max);
    cJSON_AddBoolToObject(o, "hessian_positive_definite", cf->hessian_pd);
    cJSON_AddNumberToObject(o, "seconds", cf->seconds);
    cJSON_AddNumberToObject(o, "citizens", (double)cf->n_cit);
    cJSON_AddNumberToObject(o, "observations", (double)cf->n_obs);
    cJSON_AddNumberToObject(o, "pairs", (double)cf->n_pairs);
    cJSON_AddNumberToObject(o, "transitions_observed", (double)cf->n_moves);
    cJSON_AddNumberToObject(o, "impossible_pairs", (double)cf->n_impossible);
    cJSON_AddNumberToObject(o, "likelihood_groups", (double)cf->n_groups);
    cJSON *counts = cJSON_AddObjectToObject(o, "pair_counts");
    for (int a = 0; a < S; a++) {
        cJSON *row = cJSON_AddObjectToObject(counts, model_state_id(fl, a));
        for (int b = 0; b < S; b++)
            if (cf->counts[a * S + b])
                cJSON_AddNumberToObject(row, model_state_id(fl, b), (double)cf->counts[a * S + b]);
    }
    cJSON *params = cJSON_AddArrayToObject(o, "parameters");
    for (int i = 0; i < cf->n_params; i++) {
        const struct calib_param *q = &cf->params[i];
        const struct transition *t = &m->transitions[q->trans];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToArray(params, j);
        cJSON_AddStringToObject(j, "from", model_state_id(fl, t->from));
        cJSON_AddStringToObject(j, "to", model_state_id(fl, t->to));
        cJSON_AddStringToObject(j, "parameter", param_name(m, q));
        add_num(j, "estimate", q->est);
        add_num(j, "se", q->se);
        cJSON_AddItemToObject(j, "ci95", pair_json(q->lo, q->hi));
        if (q->cov >= 0) {
            add_num(j, "hazard_ratio", exp(q->est));
            cJSON_AddItemToObject(j, "hazard_ratio_ci95", pair_json(exp(q->lo), exp(q->hi)));
        } else {
            add_num(j, "log_rate", q->theta);
            add_num(j, "log_rate_se", q->theta_se);
        }
        add_num(j, "base", q->base);
        cJSON_AddBoolToObject(j, "held", q->fixed);
        cJSON_AddBoolToObject(j, "identified", !q->unidentified);
        if (q->biased_by) cJSON_AddStringToObject(j, "biased_by", q->biased_by);
        if (!isnan(q->gap_se)) {
            add_num(j, "plain_estimate", q->cov < 0 ? exp(q->plain_theta) : q->plain_theta);
            add_num(j, "gap_se", q->gap_se);
        }
    }
    cJSON *cov = cJSON_AddArrayToObject(o, "covariance_log_scale");
    for (int i = 0; i < cf->n_params; i++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(cov, row);
        for (int k = 0; k < cf->n_params; k++)
            cJSON_AddItemToArray(row, num_or_null(cf->cov[i * cf->n_params + k]));
    }
    cJSON *warn = cJSON_AddArrayToObject(o, "warnings");
    for (int w = 0; w < cf->n_warn; w++) cJSON_AddItemToArray(warn, cJSON_CreateString(cf->warn[w]));
    return o;
}

static int commit_text(const char *path, const char *text, struct err *e)
{
    struct afile a;
    if (afile_open(&a, path, e) != 0) return -1;
    fputs(text, a.f);
    return afile_commit(&a, e);
}

int calib_write_json(const char *path, const struct model *m, const struct calib_result *r,
                     const struct calib_source *src, const char *fragment_path, struct err *e)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    cJSON_AddStringToObject(root, "flowsim_version", FLOWSIM_VERSION);
    if (src->command) cJSON_AddStringToObject(root, "command", src->command);
    cJSON *pj = cJSON_AddObjectToObject(root, "panel");
    cJSON_AddStringToObject(pj, "file", src->panel_path);
    if (src->panel_sha256) cJSON_AddStringToObject(pj, "sha256", src->panel_sha256);
    cJSON_AddStringToObject(pj, "time_from", src->panel->time_from_date ? "date" : "t");
    cJSON_AddNumberToObject(pj, "rows_read", (double)src->panel->n_rows_read);
    cJSON_AddNumberToObject(pj, "rows_used", (double)src->panel->n_obs);
    cJSON_AddNumberToObject(pj, "rows_skipped", (double)src->panel->n_bad);
    cJSON *ex = cJSON_AddArrayToObject(pj, "skipped_examples");
    for (int i = 0; i < src->panel->n_bad_shown; i++)
        cJSON_AddItemToArray(ex, cJSON_CreateString(src->panel->bad_msg[i]));
    cJSON_AddNumberToObject(pj, "citizens", (double)src->panel->n_cit);
    cJSON_AddNumberToObject(pj, "citizens_observed_once", (double)calib_observed_once(src->panel));
    cJSON *sj = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(sj, "name", m->name);
    cJSON_AddStringToObject(sj, "file", m->path ? m->path : "");
    cJSON_AddStringToObject(sj, "sha256", m->sha256);
    cJSON *cv = cJSON_AddArrayToObject(root, "covariates");
    for (int c = 0; c < r->opts.n_cov; c++)
        cJSON_AddItemToArray(cv, cJSON_CreateString(calib_cov_name(m, r->opts.cov[c])));
    if (fragment_path) cJSON_AddStringToObject(root, "fragment", fragment_path);
    cJSON_AddStringToObject(root, "method", r->sim.reps ? "simulated" : "markov");
    if (r->sim.reps) {
        cJSON *sim = cJSON_AddObjectToObject(root, "simulation");
        cJSON_AddNumberToObject(sim, "replications", r->sim.reps);
        cJSON_AddNumberToObject(sim, "iterations", r->sim.iterations);
        cJSON_AddNumberToObject(sim, "evaluations", r->sim.evaluations);
        cJSON_AddBoolToObject(sim, "converged", r->sim.converged);
        add_num(sim, "max_gap_se", r->sim.max_gap_se);
        add_num(sim, "rms_gap_se", r->sim.rms_gap_se);
        add_num(sim, "tolerance_se", calib_sim_tolerance(r->sim.reps));
        add_num(sim, "samples", r->sim.samples);
        add_num(sim, "se_inflation", sqrt(1.0 + 1.0 / r->sim.reps));
        add_num(sim, "seconds", r->sim.seconds);
    }
    cJSON_AddNumberToObject(root, "seconds", r->seconds);
    cJSON *flows = cJSON_AddArrayToObject(root, "flows");
    for (int f = 0; f < r->n_flows; f++) cJSON_AddItemToArray(flows, flow_json(m, &r->flow[f]));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    if (!withnl) {
        cJSON_free(text);
        return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    }
    memcpy(withnl, text, n);
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    cJSON_free(text);
    int rc = commit_text(path, withnl, e);
    free(withnl);
    return rc;
}

/* ---- the scenario fragment ---------------------------------------------- */

/* A libconfig float: always with a '.' or an exponent; `digits`
 * significant digits (17: the double itself, read back exactly). */
static void cfg_num_digits(char *buf, size_t n, double v, int digits)
{
    snprintf(buf, n, "%.*g", digits, v);
    if (!strpbrk(buf, ".eE")) strncat(buf, ".0", n - strlen(buf) - 1);
}

static void cfg_num(char *buf, size_t n, double v)
{
    cfg_num_digits(buf, n, v, 8);
}

/* Writes a string for libconfig (ids are plain, but quote and escape). */
static void cfg_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The fitted parameter of transition i with covariate slot cov (-1: the
 * rate) in cf, or NULL when cf does not fit it. */
static const struct calib_param *fitted_param(const struct calib_flow *cf, int C, const int *covs,
                                              int i, int cov)
{
    if (!cf->fitted) return NULL;
    int K = cf->n_params / (1 + C);
    for (int k = 0; k < K; k++) {
        if (cf->params[k].trans != i) continue;
        if (cov < 0) return &cf->params[k];
        for (int c = 0; c < C; c++)
            if (covs[c] == cov) return &cf->params[K + k * C + c];
    }
    return NULL;
}

/* A parameter's value for the fragment: the estimate, or the base's value
 * with a comment when the panel does not identify it (every comment ends
 * its line, so what follows is never commented out). */
static double fragment_value(FILE *f, const struct model *m, const struct calib_param *q,
                             double base, bool *comment)
{
    if (!q) return base;
    if (!q->unidentified) return isfinite(q->est) ? q->est : 0.0;
    fprintf(f, "\n    # %s: not identified by the panel (see calibration.json); the base "
               "scenario's value", q->cov < 0 ? "per_year" : calib_cov_name(m, q->cov));
    *comment = true;
    return base;
}

/* After a comment, the next text starts a new line. */
static void after_comment(FILE *f, bool *comment)
{
    if (*comment) fputs("\n   ", f);
    *comment = false;
}

/* One transition of the fragment. A fitted transition carries the effects
 * of the covariates fitted; a base effect of a covariate the fit left out
 * is dropped (the fitted rate averages over it), and the fragment says so;
 * a simulating fit held it in its model, so it is kept. */
static void fragment_transition(FILE *f, const struct model *m, const struct calib_result *r,
                                int i)
{
    const struct transition *t = &m->transitions[i];
    const struct flow *fl = &m->flows[t->flow];
    const struct calib_flow *cf = &r->flow[t->flow];
    int C = r->opts.n_cov;
    const struct calib_param *rate_q = fitted_param(cf, C, r->opts.cov, i, -1);
    char num[40];
    fprintf(f, "  { flow = ");
    cfg_str(f, fl->id);
    fprintf(f, "; from = ");
    cfg_str(f, model_state_id(fl, t->from));
    fprintf(f, "; to = ");
    cfg_str(f, model_state_id(fl, t->to));
    fprintf(f, ";");
    bool comment = false;
    cfg_num(num, sizeof num, fragment_value(f, m, rate_q, t->per_year, &comment));
    after_comment(f, &comment);
    fprintf(f, " per_year = %s;", num);
    bool any = false;
    for (int s = 0; s < MODEL_MAX_COVS; s++) {
        if (s >= m->n_dims && s != COV_AGE && s != COV_FEMALE) continue;
        const struct calib_param *q = fitted_param(cf, C, r->opts.cov, i, s);
        if (rate_q && !q && t->beta[s] != 0.0 && !r->opts.simulated) {
            fprintf(f, "\n    # effect of %s (%g in the base) dropped: not fitted",
                    calib_cov_name(m, s), t->beta[s]);
            comment = true;
            continue;
        }
        if (!q && t->beta[s] == 0.0) continue;
        double v = fragment_value(f, m, q, t->beta[s], &comment);
        if (!any) {
            comment = false;
            fprintf(f, "\n    effects = {");
        }
        after_comment(f, &comment);
        any = true;
        cfg_num(num, sizeof num, isfinite(v) ? v : 0.0);
        fprintf(f, " %s = %s;", calib_cov_name(m, s), num);
    }
    if (any) fprintf(f, " };");
    after_comment(f, &comment);
    fprintf(f, " }");
}

/* An array of numbers read back exactly, rows of `row` numbers each on a
 * line of its own, wrapped every four. */
static void cfg_array(FILE *f, const double *x, int n, int row, const char *indent)
{
    char num[40];
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        cfg_num_digits(num, sizeof num, x[i], 17);
        if (i == 0) fputc(' ', f);
        else if (i % row == 0) fprintf(f, ",\n%s", indent);
        else if (i % row % 4 == 0) fprintf(f, ",\n%s  ", indent);
        else fputs(", ", f);
        fputs(num, f);
    }
    fprintf(f, " ]");
}

/* One parameter of the base's block, as it was declared. */
static void base_parameter(FILE *f, const struct unc_param *p, bool last)
{
    char a[40], b[40];
    bool uni = p->dist == UNC_UNIFORM;
    cfg_num_digits(a, sizeof a, uni ? p->a : p->mean, 17);
    cfg_num_digits(b, sizeof b, uni ? p->b : p->sd, 17);
    fprintf(f, "    { path = ");
    cfg_str(f, p->path);
    fprintf(f, "; dist = \"%s\"; %s = %s; %s = %s; }%s\n", uncertainty_dist_name(p->dist),
            uni ? "min" : "mean", a, uni ? "max" : "sd", b, last ? "" : ",");
}

/* The block's MVN: the fitted rates, then the base's components kept. */
static void block_mvn(FILE *f, const struct calib_mvn *v)
{
    fprintf(f, "  mvn = {\n    paths = [");
    for (int i = 0; i < v->k; i++) {
        fprintf(f, "%s", i ? ",\n              " : " ");
        cfg_str(f, v->path[i]);
    }
    fprintf(f, " ];\n    mean = ");
    cfg_array(f, v->mean, v->k, 1, "             ");
    fprintf(f, ";\n    cov = ");
    cfg_array(f, v->cov, v->k * v->k, v->k, "            ");
    fprintf(f, ";\n  };\n");
}

/* The uncertainty block (analysis/calib_mvn.h): the fit's, with what the
 * base's own block declares of settings the fit does not set. */
static void fragment_uncertainty(FILE *f, const struct model *m, const struct calib_mvn *v)
{
    const struct uncertainty *u = m->uncertainty;
    int nfit = 0;
    while (nfit < v->k && v->flow[nfit] >= 0) nfit++;
    if (nfit)
        fprintf(f, "# The fit's uncertainty: the %d fitted rates' joint normal on the log scale\n"
                   "# (mean: their log per_year; cov: the fit's covariance of them, row by row).\n"
                   "# A run with --uncertainty draws them jointly (docs/uncertainty.md); effects\n"
                   "# are held at their estimates.\n", nfit);
    else
        fprintf(f, "# The fit adds no uncertainty: %s.\n", v->why);
    if (u) {
        fprintf(f, "# The base scenario's uncertainty block: %d of its %d settings kept (the\n"
                   "# fit does not set them)%s\n", v->n_kept + v->k - nfit, uncertainty_count(u),
                v->n_replaced ? "; left out, since the fit sets them:" : ".");
        for (int i = 0; i < v->n_replaced; i++)
            fprintf(f, "#   %s\n", uncertainty_path(u, v->replaced[i]));
    }
    if (v->k == 0 && v->n_kept == 0) {
        if (u)
            fprintf(f, "# Nothing of it is left, so the fragment declares no uncertainty block\n"
                       "# (a variant of the base including it would inherit the base's).\n");
        return;
    }
    fprintf(f, "uncertainty = {\n");
    if (v->n_kept) {
        fprintf(f, "  parameters = (\n");
        for (int i = 0; i < v->n_kept; i++) base_parameter(f, &u->p[v->kept[i]], i == v->n_kept - 1);
        fprintf(f, "  );\n");
    }
    if (v->k) block_mvn(f, v);
    fprintf(f, "};\n");
}

static int write_fragment(const char *path, const struct model *m, const struct calib_result *r,
                          const struct calib_source *src, const struct calib_mvn *mvn,
                          struct err *e)
{
    struct afile a;
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    fprintf(f, "# Fitted transitions, written by flowsim %s:\n#   %s\n", FLOWSIM_VERSION,
            src->command ? src->command : "flowsim calibrate");
    fprintf(f, "# Panel: %s", src->panel_path);
    if (src->panel_sha256) fprintf(f, " (sha256 %s)", src->panel_sha256);
    fprintf(f, "\n# Base scenario: %s (%s)\n", m->name, m->path ? m->path : "");
    fprintf(f, "# Use it in a variant of the base scenario, whose `transitions` and\n"
               "# `uncertainty` it replaces (paths relative to the variant's directory):\n"
               "#   base = \"%s\";\n#   @include \"%s\"\n"
               "# and run that with --uncertainty to draw the fitted rates jointly.\n",
            m->path ? m->path : "BASE.cfg", path_basename(path));
    fprintf(f, "# See calibration.json for standard errors, 95%% CIs and warnings.\n");
    fprintf(f, "transitions = (\n");
    bool first = true;
    for (int fi = 0; fi < m->n_flows; fi++) {
        const struct calib_flow *cf = &r->flow[fi];
        bool said = false;
        for (int i = 0; i < m->n_transitions; i++) {
            if (m->transitions[i].flow != fi) continue;
            if (!first) fprintf(f, ",\n");
            first = false;
            if (!said && cf->fitted)
                fprintf(f, "  # flow %s: fitted, -2 log-likelihood %.3f%s\n", m->flows[fi].id,
                        cf->minus2ll, cf->converged ? "" : " (NOT converged)");
            else if (!said)
                fprintf(f, "  # flow %s: not fitted (%s); as in the base scenario\n",
                        m->flows[fi].id, cf->why_not);
            said = true;
            fragment_transition(f, m, r, i);
        }
    }
    fprintf(f, "\n);\n");
    fragment_uncertainty(f, m, mvn);
    return afile_commit(&a, e);
}

int calib_write_fragment(const char *path, const struct model *m, const struct calib_result *r,
                         const struct calib_source *src, struct err *e)
{
    struct calib_mvn mvn;
    if (calib_mvn_build(m, r, &mvn, e) != 0) return -1;
    int rc = write_fragment(path, m, r, src, &mvn, e);
    calib_mvn_fini(&mvn);
    return rc;
}
