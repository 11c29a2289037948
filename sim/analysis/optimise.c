/* optimise.c: `flowsim optimise`, the search and its files (optimise.h
 * says which search and why). */
#include "analysis/optimise.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "base/csvcell.h"
#include "io/output.h"

/* ---- targets and KPI names ------------------------------------------------ */

int optimise_parse_target(const char *text, struct opt_target *t, struct err *e)
{
    const char *op = strstr(text, "<=");
    bool le = op != NULL;
    if (!op) op = strstr(text, ">=");
    if (!op || op == text || strlen(text) - (size_t)(op - text) - 2 == 0 ||
        (size_t)(op - text) >= sizeof t->kpi)
        return err_set(e, EXIT_INPUT, "--target: must be 'KPI<=VALUE' or 'KPI>=VALUE' (got '%s')",
                       text);
    char *end;
    errno = 0;
    double v = strtod(op + 2, &end);
    if (errno || *end || !isfinite(v))
        return err_set(e, EXIT_INPUT, "--target: '%s' is not a number (in '%s')", op + 2, text);
    memcpy(t->kpi, text, (size_t)(op - text));
    t->kpi[op - text] = '\0';
    t->le = le;
    t->value = v;
    t->k = -1;
    return 0;
}

void optimise_kpi_path(const struct model *m, const struct kpi_desc *d, char *buf, size_t n)
{
    if (d->year > 0) snprintf(buf, n, "by_year.%d.%s", d->year, d->name);
    else if (d->flow >= 0 && d->ring >= 0)
        snprintf(buf, n, "flows.%s.rings.%s.%s", m->flows[d->flow].id,
                 m->flows[d->flow].rings[d->ring].id, d->name);
    else if (d->flow >= 0) snprintf(buf, n, "flows.%s.%s", m->flows[d->flow].id, d->name);
    else if (d->dim >= 0) snprintf(buf, n, "%s.%s", d->name, m->dims[d->dim]);
    else snprintf(buf, n, "%s", d->name);
}

/* Index of KPI path in m's layout, or -1 with e set (naming a few KPIs
 * that share its last name, to show how paths are written). */
static int find_kpi_path(const struct model *m, const struct kpi_desc *d, int n_kpi,
                         const char *path, const char *what, struct err *e)
{
    char buf[256], hint[600] = "";
    const char *last = strrchr(path, '.');
    last = last ? last + 1 : path;
    int shown = 0;
    for (int k = 0; k < n_kpi; k++) {
        optimise_kpi_path(m, &d[k], buf, sizeof buf);
        if (!strcmp(buf, path)) return k;
        if (!strcmp(d[k].name, last) && shown < 3) {
            size_t len = strlen(hint);
            snprintf(hint + len, sizeof hint - len, "%s%s", shown ? ", " : " (e.g. ", buf);
            shown++;
        }
    }
    if (shown) strncat(hint, ")", sizeof hint - strlen(hint) - 1);
    err_set(e, EXIT_INPUT, "%s: no KPI %s in summary.json%s", what, path, hint);
    return -1;
}

int optimise_resolve(struct optimise *o, const struct model *m, struct err *e)
{
    struct kpi_desc *d = NULL;
    int n = stats_kpi_layout(m, &d);
    if (n < 0) return err_set(e, EXIT_RUNTIME, "out of memory");
    int rc = 0;
    o->k_obj = find_kpi_path(m, d, n, o->minimise, "--minimise", e);
    if (o->k_obj < 0) rc = -1;
    for (int t = 0; rc == 0 && t < o->n_targets; t++)
        if ((o->target[t].k = find_kpi_path(m, d, n, o->target[t].kpi, "--target", e)) < 0) rc = -1;
    free(d);
    return rc;
}

/* ---- the search -------------------------------------------------------------- */

static enum opt_verdict verdict_of(const struct optimise *o, const struct cmp_run *c)
{
    enum opt_verdict v = OPT_MET;
    for (int t = 0; t < o->n_targets; t++) {
        const struct opt_target *g = &o->target[t];
        const struct kpi_stat *s = &c->stat[g->k];
        if (!isfinite(s->lo) || !isfinite(s->hi)) {
            v = OPT_CLOSE;                       /* cannot be shown either way */
            continue;
        }
        double near = g->le ? s->lo : s->hi, far = g->le ? s->hi : s->lo;
        if (g->le ? near > g->value : near < g->value) return OPT_FAILS;
        if (g->le ? far > g->value : far < g->value) v = OPT_CLOSE;
    }
    return v;
}

/* Point i with n replications (0..n-1 of the one seed: nested samples). */
static int evaluate(struct optimise *o, int i, int n, struct err *e)
{
    struct opt_point *p = &o->pt[i];
    if (p->n_rep >= n) return 0;
    struct model *m = NULL;
    struct runopts ro;
    int rc = o->load(o->load_ctx, i, n, &m, &ro);
    if (rc != 0) return err_set(e, rc, "%s", "");       /* the loader has said why */
    if (o->progress) {
        char label[512];
        sweep_point_label(&o->plan, i, label, sizeof label);
        fprintf(stderr, "%s (%d replications)\n", label, n);
    }
    struct cmp_run run;
    if (compare_run(m, &ro, o->progress, o->stop, false, &run, e) != 0) return -1;
    compare_run_fini(&p->run);
    p->run = run;
    p->n_rep = n;
    p->verdict = verdict_of(o, &p->run);
    o->replications += n;
    o->evaluations++;
    return 0;
}

static int start_reps(const struct optimise *o)
{
    int r0 = o->reps / 4;
    if (r0 < 10) r0 = o->reps < 10 ? o->reps : 10;
    return r0;
}

/* Decides point i: a close point gets twice the replications (up to 4 x
 * reps); one that meets the targets is confirmed with at least reps. */
static int decide(struct optimise *o, int i, struct err *e)
{
    struct opt_point *p = &o->pt[i];
    int rmax = 4 * o->reps;
    if (evaluate(o, i, start_reps(o), e) != 0) return -1;
    for (;;) {
        if (p->verdict == OPT_FAILS) return 0;
        if (p->verdict == OPT_MET && p->n_rep >= o->reps) return 0;
        if (p->n_rep >= rmax) return 0;                 /* still close: not proven */
        int n = p->verdict == OPT_MET ? o->reps : 2 * p->n_rep;
        if (evaluate(o, i, n < rmax ? n : rmax, e) != 0) return -1;
    }
}

static double objective(const struct optimise *o, int i)
{
    return o->pt[i].run.stat[o->k_obj].mean;
}

static bool met(const struct optimise *o, int i) { return o->pt[i].verdict == OPT_MET; }

/* One setting: bisection for the boundary between meeting and not. */
static int search_line(struct optimise *o, struct err *e)
{
    int n = o->plan.n_points, lo = 0, hi = n - 1;
    if (decide(o, lo, e) != 0 || (hi != lo && decide(o, hi, e) != 0)) return -1;
    if (!met(o, lo) && !met(o, hi)) return 0;             /* chosen stays -1 */
    if (met(o, lo) && met(o, hi)) {
        o->chosen = objective(o, hi) < objective(o, lo) ? hi : lo;
        return 0;
    }
    bool up = met(o, hi);             /* the targets hold from some value upward */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (decide(o, mid, e) != 0) return -1;
        if (met(o, mid) == up) hi = mid;
        else lo = mid;
    }
    int edge = up ? hi : lo, end = up ? n - 1 : 0;
    /* The cheaper of the boundary and the far end of the feasible side
     * (both evaluated): the boundary, when the cost grows that way. */
    o->chosen = objective(o, end) < objective(o, edge) ? end : edge;
    return 0;
}

static int cheaper(const void *a, const void *b, const struct optimise *o)
{
    double x = objective(o, *(const int *)a), y = objective(o, *(const int *)b);
    if (x != y) return x < y ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

/* Several settings: screen the grid, then decide cheapest first. */
static int search_grid(struct optimise *o, struct err *e)
{
    int n = o->plan.n_points;
    int *order = malloc((size_t)n * sizeof *order);
    if (!order) return err_set(e, EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < n; i++) {
        order[i] = i;
        if (evaluate(o, i, start_reps(o), e) != 0) { free(order); return -1; }
    }
    /* insertion sort by the screened objective: n is small */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cheaper(&order[j], &order[j - 1], o) < 0; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int j = 0; j < n && o->chosen < 0; j++) {
        int i = order[j];
        if (o->pt[i].verdict == OPT_FAILS) continue;
        if (decide(o, i, e) != 0) { free(order); return -1; }
        if (met(o, i)) o->chosen = i;
    }
    free(order);
    return 0;
}

/* A point no other evaluated point beats on the objective and on every
 * target at once (by their means). */
static void mark_frontier(struct optimise *o)
{
    int n = o->plan.n_points;
    for (int i = 0; i < n; i++) {
        struct opt_point *p = &o->pt[i];
        p->frontier = p->n_rep > 0;
        for (int j = 0; p->frontier && j < n; j++) {
            if (j == i || o->pt[j].n_rep == 0) continue;
            const struct cmp_run *a = &o->pt[j].run, *b = &p->run;
            bool all = a->stat[o->k_obj].mean <= b->stat[o->k_obj].mean;
            bool strict = a->stat[o->k_obj].mean < b->stat[o->k_obj].mean;
            for (int t = 0; all && t < o->n_targets; t++) {
                double x = a->stat[o->target[t].k].mean, y = b->stat[o->target[t].k].mean;
                if (!o->target[t].le) { x = -x; y = -y; }
                all = x <= y;
                strict |= x < y;
            }
            if (all && strict) p->frontier = false;
        }
    }
}

int optimise_run(struct optimise *o, struct err *e)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    o->chosen = -1;
    o->pt = calloc((size_t)o->plan.n_points, sizeof *o->pt);
    if (!o->pt) return err_set(e, EXIT_RUNTIME, "out of memory");
    o->search = o->plan.n_axes == 1 ? "bisection" : "grid";
    int rc = o->plan.n_axes == 1 ? search_line(o, e) : search_grid(o, e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    o->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc == 0) mark_frontier(o);
    return rc;
}

void optimise_fini(struct optimise *o)
{
    for (int i = 0; o->pt && i < o->plan.n_points; i++) compare_run_fini(&o->pt[i].run);
    free(o->pt);
    o->pt = NULL;
    sweep_plan_fini(&o->plan);
}

/* ---- files ---------------------------------------------------------------------- */

static cJSON *settings_json(const struct optimise *o, int i)
{
    cJSON *s = cJSON_CreateObject();
    for (int a = 0; s && a < o->plan.n_axes; a++)
        cJSON_AddNumberToObject(s, o->plan.axis[a].path, sweep_point_value(&o->plan, i, a));
    return s;
}

static const char *verdict_name(enum opt_verdict v)
{
    return v == OPT_MET ? "met" : v == OPT_FAILS ? "fails" : "not shown";
}

/* One evaluated point: settings, replications, verdict, objective and the
 * target KPIs with their CIs. */
static cJSON *point_json(const struct optimise *o, int i)
{
    const struct opt_point *p = &o->pt[i];
    const struct cmp_run *c = &p->run;
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddItemToObject(j, "settings", settings_json(o, i));
    cJSON_AddNumberToObject(j, "replications", p->n_rep);
    cJSON_AddStringToObject(j, "verdict", verdict_name(p->verdict));
    cJSON_AddBoolToObject(j, "frontier", p->frontier);
    cJSON_AddItemToObject(j, "objective",
                          output_kpi_stat_json(&c->stat[o->k_obj], c->n_rep, c->desc[o->k_obj].unit));
    cJSON *t = cJSON_AddObjectToObject(j, "targets");
    for (int k = 0; t && k < o->n_targets; k++) {
        int kk = o->target[k].k;
        cJSON_AddItemToObject(t, o->target[k].kpi,
                              output_kpi_stat_json(&c->stat[kk], c->n_rep, c->desc[kk].unit));
    }
    return j;
}

/* optimise.json: the comparison head of the chosen point (else the first
 * evaluated), the question (minimise, targets, vary), the answer (chosen,
 * frontier) and every point evaluated. NULL when none was, or out of
 * memory. */
static cJSON *opt_json(const struct optimise *o)
{
    int first = -1;
    for (int i = 0; i < o->plan.n_points && first < 0; i++)
        if (o->pt[i].n_rep > 0) first = i;
    if (first < 0) return NULL;
    cJSON *root = compare_json_head(&o->pt[o->chosen >= 0 ? o->chosen : first].run);
    if (!root) return NULL;
    cJSON_AddBoolToObject(root, "met", o->chosen >= 0);
    cJSON_AddStringToObject(root, "minimise", o->minimise);
    cJSON *tg = cJSON_AddArrayToObject(root, "targets");
    for (int t = 0; tg && t < o->n_targets; t++) {
        cJSON *x = cJSON_CreateObject();
        if (!x) break;
        cJSON_AddItemToArray(tg, x);
        cJSON_AddStringToObject(x, "kpi", o->target[t].kpi);
        cJSON_AddStringToObject(x, "op", o->target[t].le ? "<=" : ">=");
        cJSON_AddNumberToObject(x, "value", o->target[t].value);
    }
    cJSON *vary = cJSON_AddArrayToObject(root, "vary");
    for (int a = 0; vary && a < o->plan.n_axes; a++) {
        cJSON *x = cJSON_CreateObject();
        if (!x) break;
        cJSON_AddItemToArray(vary, x);
        cJSON_AddStringToObject(x, "path", o->plan.axis[a].path);
        cJSON_AddItemToObject(x, "values", cJSON_CreateDoubleArray(o->plan.axis[a].values, o->plan.axis[a].n));
    }
    if (o->chosen >= 0) {
        const struct cmp_run *c = &o->pt[o->chosen].run;
        cJSON *ch = cJSON_AddObjectToObject(root, "chosen");
        if (ch) {
            cJSON_AddItemToObject(ch, "settings", settings_json(o, o->chosen));
            cJSON_AddNumberToObject(ch, "replications", c->n_rep);
            cJSON_AddItemToObject(ch, "kpis", output_kpi_tree(c->m, c->desc, c->n_kpi, c->stat, c->n_rep));
        }
    } else {
        cJSON_AddNullToObject(root, "chosen");
    }
    cJSON *fr = cJSON_AddArrayToObject(root, "frontier");
    cJSON *ev = cJSON_AddArrayToObject(root, "evaluated");
    for (int i = 0; fr && ev && i < o->plan.n_points; i++) {
        if (o->pt[i].n_rep == 0) continue;
        cJSON_AddItemToArray(ev, point_json(o, i));
        if (o->pt[i].frontier) cJSON_AddItemToArray(fr, point_json(o, i));
    }
    /* The head's "replications" is per point; here it is all spent. */
    cJSON_DeleteItemFromObject(root, "replications");
    cJSON_AddNumberToObject(root, "replications", (double)o->replications);
    cJSON_AddNumberToObject(root, "evaluations", o->evaluations);
    cJSON_AddNumberToObject(root, "seconds", o->seconds);
    cJSON_AddStringToObject(root, "search", o->search);
    return root;
}

/* optimise.csv: one row per point evaluated, its settings, verdict and the
 * objective's and targets' mean and CI. */
static void write_opt_csv(const struct optimise *o, FILE *fc)
{
    fprintf(fc, "point");
    for (int a = 0; a < o->plan.n_axes; a++) {
        fputc(',', fc);
        csv_cell(fc, o->plan.axis[a].path);
    }
    fprintf(fc, ",replications,verdict,frontier,chosen");
    const char *cols[] = { "mean", "ci_lo", "ci_hi" };
    for (int t = -1; t < o->n_targets; t++)
        for (int c = 0; c < 3; c++) {
            char name[300];
            snprintf(name, sizeof name, "%s_%s", t < 0 ? o->minimise : o->target[t].kpi, cols[c]);
            fputc(',', fc);
            csv_cell(fc, name);
        }
    fputc('\n', fc);
    for (int i = 0; i < o->plan.n_points; i++) {
        const struct opt_point *p = &o->pt[i];
        if (p->n_rep == 0) continue;
        fprintf(fc, "%d", i);
        for (int a = 0; a < o->plan.n_axes; a++) fprintf(fc, ",%.12g", sweep_point_value(&o->plan, i, a));
        fprintf(fc, ",%d,%s,%s,%s", p->n_rep, verdict_name(p->verdict), p->frontier ? "true" : "false",
                i == o->chosen ? "true" : "false");
        for (int t = -1; t < o->n_targets; t++) {
            const struct kpi_stat *s = &p->run.stat[t < 0 ? o->k_obj : o->target[t].k];
            const double v[] = { s->mean, s->lo, s->hi };
            for (int c = 0; c < 3; c++) {
                fputc(',', fc);
                output_csv_num(fc, v[c]);
            }
        }
        fputc('\n', fc);
    }
}

static int write_opt(FILE **f, const void *ctx)
{
    const struct optimise *o = ctx;
    cJSON *root = opt_json(o);
    if (!root) return -1;
    int rc = output_json_write(f[0], root);
    cJSON_Delete(root);
    if (rc != 0) return -1;
    write_opt_csv(o, f[1]);
    return 0;
}

int optimise_write(const struct optimise *o, const char *dir, struct err *e)
{
    static const char *const names[] = { "optimise.json", "optimise.csv" };
    return compare_write_files(dir, 2, names, e, write_opt, o);
}

/* ---- the answer for a person ------------------------------------------------------ */

/* "395.1 M DKK/year [394.3, 395.9]": money in millions. */
static void with_ci(const struct kpi_stat *s, const char *unit, char *buf, size_t n)
{
    double f = !strncmp(unit, "DKK", 3) ? 1e-6 : 1.0;
    const char *pre = f != 1.0 ? "M " : "";
    int dec = fabs(s->mean * f) >= 100 ? 1 : fabs(s->mean * f) >= 1 ? 2 : 4;
    snprintf(buf, n, "%.*f %s%s [%.*f, %.*f]", dec, s->mean * f, pre, unit, dec, s->lo * f, dec,
             s->hi * f);
}

static void print_point_kpis(const struct optimise *o, int i, FILE *out)
{
    const struct cmp_run *c = &o->pt[i].run;
    char v[160];
    with_ci(&c->stat[o->k_obj], c->desc[o->k_obj].unit, v, sizeof v);
    fprintf(out, "  %-50s %s\n", o->minimise, v);
    for (int t = 0; t < o->n_targets; t++) {
        const struct opt_target *g = &o->target[t];
        with_ci(&c->stat[g->k], c->desc[g->k].unit, v, sizeof v);
        const struct kpi_stat *s = &c->stat[g->k];
        bool ok = g->le ? s->hi <= g->value : s->lo >= g->value;
        fprintf(out, "  %-50s %s  target %s %g: %s\n", g->kpi, v, g->le ? "<=" : ">=", g->value,
                ok ? "met" : "not met");
    }
    /* The KPIs that fit what is varied, as the sweep shows them. */
    struct sweep_kpi h[4 + 2 * SWEEP_MAX_AXES];
    int nh = sweep_headlines(c, &o->plan, h, (int)(sizeof h / sizeof h[0]));
    for (int j = 0; j < nh; j++) {
        char path[256];
        optimise_kpi_path(c->m, &c->desc[h[j].k], path, sizeof path);
        bool shown = h[j].k == o->k_obj;
        for (int t = 0; t < o->n_targets; t++) shown |= h[j].k == o->target[t].k;
        if (shown) continue;
        with_ci(&c->stat[h[j].k], c->desc[h[j].k].unit, v, sizeof v);
        fprintf(out, "  %-50s %s\n", path, v);
    }
}

void optimise_print(const struct optimise *o, const char *dir, FILE *out)
{
    fprintf(out, "flowsim optimise: minimise %s over %d points (%s search), common random "
                 "numbers; targets to hold with 95%% confidence:\n",
            o->minimise, o->plan.n_points, o->search);
    for (int t = 0; t < o->n_targets; t++)
        fprintf(out, "  %s %s %g\n", o->target[t].kpi, o->target[t].le ? "<=" : ">=",
                o->target[t].value);
    fputc('\n', out);
    if (o->chosen >= 0) {
        char label[512];
        sweep_point_label(&o->plan, o->chosen, label, sizeof label);
        fprintf(out, "answer: %s (%d replications; mean [95%% CI])\n", label,
                o->pt[o->chosen].n_rep);
        print_point_kpis(o, o->chosen, out);
        if (o->chosen != 0 && o->pt[0].n_rep > 1) {
            /* Paired: replications 0..n-1 of both share their streams. */
            struct kpi_stat d;
            char first[512], v[160];
            compare_paired(&o->pt[0].run, o->k_obj, &o->pt[o->chosen].run, o->k_obj, &d);
            sweep_point_label(&o->plan, 0, first, sizeof first);
            with_ci(&d, o->pt[0].run.desc[o->k_obj].unit, v, sizeof v);
            fprintf(out, "  %s against %s: %s%s (paired over %d replications)\n", o->minimise, first,
                    d.mean >= 0 ? "+" : "", v, d.n);
        }
    } else {
        fprintf(out, "no point meets the targets with 95%% confidence: none of the settings "
                     "tried is enough (widen --vary or relax --target)\n");
    }
    fprintf(out, "\nfrontier: each point evaluated that no other beats on %s and every target "
                 "(means)\n", o->minimise);
    fprintf(out, "  %-36s %6s  %-10s %s\n", "point", "reps", "verdict", "objective; targets");
    for (int i = 0; i < o->plan.n_points; i++) {
        const struct opt_point *p = &o->pt[i];
        if (p->n_rep == 0 || !p->frontier) continue;
        char label[512], v[160];
        sweep_point_label(&o->plan, i, label, sizeof label);
        with_ci(&p->run.stat[o->k_obj], p->run.desc[o->k_obj].unit, v, sizeof v);
        fprintf(out, "  %-36.36s %6d  %-10s %s", label, p->n_rep, verdict_name(p->verdict), v);
        for (int t = 0; t < o->n_targets; t++) {
            with_ci(&p->run.stat[o->target[t].k], p->run.desc[o->target[t].k].unit, v, sizeof v);
            fprintf(out, "; %s", v);
        }
        fprintf(out, "%s\n", i == o->chosen ? "  <- answer" : "");
    }
    fprintf(out, "\nspent: %ld replications in %d evaluations, %.1f s\n", o->replications,
            o->evaluations, o->seconds);
    fprintf(out, "every point evaluated: %s/optimise.json, %s/optimise.csv\n", dir, dir);
}
