/* uncertainty.c: the `uncertainty` block of a scenario (docs/uncertainty.md;
 * model/uncertainty.h): read, checked, and its quantiles. */
#include "model/uncertainty.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "model/keys.h"

#define UNC_MAX_PARAMS 1000

static const char *const dist_names[] = { "lognormal", "normal", "gamma", "beta", "uniform", NULL };

const char *uncertainty_dist_name(enum unc_dist d)
{
    return dist_names[d];
}

/* The path names a numeric setting of m that a draw may change. */
static int check_path(struct loader *L, const config_setting_t *at, const char *where,
                      const char *path, const struct model *m, uncertainty_path_check *resolves)
{
    char why[512];
    if (resolves(m, path, why, sizeof why) < 0) return cfg_fail(L, at, where, "%s", why);
    return 0;
}

/* The distribution's own parameters from the declared mean and sd (or
 * min and max), with the checks that make them valid. */
static int derive(struct loader *L, const config_setting_t *g, const char *gp, struct unc_param *p)
{
    const double m = p->mean, s = p->sd;
    switch (p->dist) {
    case UNC_LOGNORMAL:
        if (!(m > 0)) return cfg_fail(L, g, gp, "a lognormal needs mean > 0 (got %g)", m);
        p->b = sqrt(log1p(s * s / (m * m)));
        p->a = log(m) - 0.5 * p->b * p->b;
        return 0;
    case UNC_NORMAL:
        p->a = m;
        p->b = s;
        return 0;
    case UNC_GAMMA:
        if (!(m > 0)) return cfg_fail(L, g, gp, "a gamma needs mean > 0 (got %g)", m);
        p->a = (m / s) * (m / s);
        p->b = s * s / m;
        return 0;
    case UNC_BETA: {
        if (!(m > 0 && m < 1)) return cfg_fail(L, g, gp, "a beta needs 0 < mean < 1 (got %g)", m);
        double v = m * (1 - m);
        if (!(s * s < v))
            return cfg_fail(L, g, gp, "a beta with mean %g needs sd < sqrt(mean (1 - mean)) = %g "
                            "(got %g)", m, sqrt(v), s);
        double c = v / (s * s) - 1.0;
        p->a = m * c;
        p->b = (1 - m) * c;
        return 0;
    }
    case UNC_UNIFORM:
        p->mean = 0.5 * (p->a + p->b);
        p->sd = (p->b - p->a) / sqrt(12.0);
        return 0;
    }
    return 0;
}

static int read_param(struct loader *L, const config_setting_t *g, int i, const struct model *m,
                      uncertainty_path_check *resolves, struct unc_param *p)
{
    char gp[PATH_LEN];
    cfg_path_fmt(gp, "uncertainty.parameters[%d]", i);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return cfg_fail(L, g, gp, "must be a group { path = \"...\"; dist = \"...\"; ... }");
    if (cfg_check_keys(L, g, gp, keys_of("uncertainty.parameters[N]")) < 0) return -1;
    const char *path = "";
    int dist = 0;
    if (cfg_get_str(L, g, gp, "path", &path) < 0 || cfg_get_enum(L, g, gp, "dist", dist_names, &dist) < 0)
        return -1;
    if (strlen(path) >= sizeof p->path)
        return cfg_fail(L, g, gp, "path: longer than %zu bytes", sizeof p->path - 1);
    strcpy(p->path, path);
    p->dist = (enum unc_dist)dist;
    p->line = cfg_line(g);
    const config_setting_t *at = config_setting_get_member(g, "path");
    char where[PATH_LEN];
    cfg_path_fmt(where, "%s.path", gp);
    if (check_path(L, at, where, path, m, resolves) < 0) return -1;
    bool uni = p->dist == UNC_UNIFORM;
    const char *need[2] = { uni ? "min" : "mean", uni ? "max" : "sd" };
    const char *wrong[2] = { uni ? "mean" : "min", uni ? "sd" : "max" };
    for (int k = 0; k < 2; k++) {
        if (!config_setting_get_member(g, need[k]))
            return cfg_fail(L, g, gp, "a %s needs %s and %s", dist_names[dist], need[0], need[1]);
        if (config_setting_get_member(g, wrong[k]))
            return cfg_fail(L, config_setting_get_member(g, wrong[k]), gp,
                            "a %s takes %s and %s, not %s", dist_names[dist], need[0], need[1],
                            wrong[k]);
    }
    if (uni) {
        if (cfg_get_num(L, g, gp, "min", &p->a, -INFINITY, INFINITY) < 0 ||
            cfg_get_num(L, g, gp, "max", &p->b, -INFINITY, INFINITY) < 0)
            return -1;
        if (!(p->a < p->b))
            return cfg_fail(L, config_setting_get_member(g, "max"), gp,
                            "max must be above min (got %g and %g)", p->a, p->b);
    } else {
        if (cfg_get_num(L, g, gp, "mean", &p->mean, -INFINITY, INFINITY) < 0 ||
            cfg_get_num(L, g, gp, "sd", &p->sd, -INFINITY, INFINITY) < 0)
            return -1;
        if (!(p->sd > 0) || !isfinite(p->sd))
            return cfg_fail(L, config_setting_get_member(g, "sd"), gp, "sd must be above 0 (got %g)",
                            p->sd);
    }
    return derive(L, g, gp, p);
}

/* An array of k numbers (or strings) at key of g. */
static int get_array(struct loader *L, const config_setting_t *g, const char *key, int type,
                     int want, const config_setting_t **out)
{
    char p[PATH_LEN];
    cfg_path_fmt(p, "uncertainty.mvn.%s", key);
    const config_setting_t *a = config_setting_get_member(g, key);
    if (!a) return cfg_fail(L, g, "uncertainty.mvn", "needs %s", key);
    if (config_setting_type(a) != CONFIG_TYPE_ARRAY || config_setting_length(a) == 0)
        return cfg_fail(L, a, p, "must be an array [ ... ]");
    int n = config_setting_length(a);
    for (int i = 0; i < n; i++) {
        int t = config_setting_type(config_setting_get_elem(a, (unsigned)i));
        bool ok = type == CONFIG_TYPE_STRING ? t == CONFIG_TYPE_STRING
                                             : t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ||
                                                   t == CONFIG_TYPE_FLOAT;
        if (!ok) return cfg_fail(L, a, p, "must hold %s", type == CONFIG_TYPE_STRING ? "strings" : "numbers");
    }
    if (want > 0 && n != want)
        return cfg_fail(L, a, p, "must hold %d values (got %d)", want, n);
    *out = a;
    return 0;
}

/* cov symmetric positive-definite: its Cholesky factor into v->chol. */
static int factor_cov(struct loader *L, const config_setting_t *at, struct unc_mvn *v)
{
    int k = v->k;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++) {
            double x = v->cov[i * k + j], y = v->cov[j * k + i];
            if (fabs(x - y) > 1e-12 * fmax(1.0, fmax(fabs(x), fabs(y))))
                return cfg_fail(L, at, "uncertainty.mvn.cov",
                                "must be symmetric (row %d column %d is %g, row %d column %d %g)",
                                i + 1, j + 1, x, j + 1, i + 1, y);
        }
    memcpy(v->chol, v->cov, (size_t)k * k * sizeof *v->chol);
    gsl_matrix_view a = gsl_matrix_view_array(v->chol, (size_t)k, (size_t)k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(&a.matrix);
    gsl_set_error_handler(old);
    if (rc != 0)
        return cfg_fail(L, at, "uncertainty.mvn.cov", "must be positive-definite (a %dx%d "
                        "covariance of log values; Cholesky failed)", k, k);
    for (int i = 0; i < k; i++)          /* keep L only */
        for (int j = i + 1; j < k; j++) v->chol[i * k + j] = 0.0;
    return 0;
}

static int read_mvn(struct loader *L, const config_setting_t *g, const struct model *m,
                    uncertainty_path_check *resolves, struct unc_mvn *v)
{
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return cfg_fail(L, g, "uncertainty.mvn", "must be a group { paths = [...]; mean = [...]; cov = [...]; }");
    if (cfg_check_keys(L, g, "uncertainty.mvn", keys_of("uncertainty.mvn")) < 0) return -1;
    const config_setting_t *paths, *mean, *cov;
    if (get_array(L, g, "paths", CONFIG_TYPE_STRING, 0, &paths) < 0) return -1;
    int k = config_setting_length(paths);
    if (k > UNC_MAX_PARAMS)
        return cfg_fail(L, paths, "uncertainty.mvn.paths", "at most %d (got %d)", UNC_MAX_PARAMS, k);
    if (get_array(L, g, "mean", CONFIG_TYPE_FLOAT, k, &mean) < 0 ||
        get_array(L, g, "cov", CONFIG_TYPE_FLOAT, k * k, &cov) < 0)
        return -1;
    v->k = k;
    v->line = cfg_line(g);
    v->path = calloc((size_t)k, sizeof *v->path);
    v->mean = calloc((size_t)k, sizeof *v->mean);
    v->cov = calloc((size_t)k * k, sizeof *v->cov);
    v->chol = calloc((size_t)k * k, sizeof *v->chol);
    if (!v->path || !v->mean || !v->cov || !v->chol) return cfg_oom(L);
    for (int i = 0; i < k; i++) {
        const char *p = config_setting_get_string_elem(paths, i);
        char where[PATH_LEN];
        cfg_path_fmt(where, "uncertainty.mvn.paths[%d]", i);
        if (strlen(p) >= sizeof v->path[i]) return cfg_fail(L, paths, where, "longer than 255 bytes");
        if (check_path(L, paths, where, p, m, resolves) < 0) return -1;
        strcpy(v->path[i], p);
        v->mean[i] = config_setting_get_float_elem(mean, i);
        if (config_setting_type(config_setting_get_elem(mean, (unsigned)i)) != CONFIG_TYPE_FLOAT)
            v->mean[i] = (double)config_setting_get_int64_elem(mean, i);
        if (!isfinite(v->mean[i]) || fabs(v->mean[i]) > 700)
            return cfg_fail(L, mean, "uncertainty.mvn.mean", "log values must lie in [-700, 700] (got %g)",
                            v->mean[i]);
    }
    for (int i = 0; i < k * k; i++) {
        const config_setting_t *c = config_setting_get_elem(cov, (unsigned)i);
        v->cov[i] = config_setting_type(c) == CONFIG_TYPE_FLOAT ? config_setting_get_float(c)
                                                                : (double)config_setting_get_int64(c);
        if (!isfinite(v->cov[i]))
            return cfg_fail(L, cov, "uncertainty.mvn.cov", "must hold finite numbers");
    }
    return factor_cov(L, cov, v);
}

/* No setting drawn twice: two draws of one setting would overwrite. */
static int check_unique(struct loader *L, const config_setting_t *u, const struct uncertainty *unc)
{
    int n = uncertainty_count(unc);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(uncertainty_path(unc, i), uncertainty_path(unc, j)))
                return cfg_fail(L, u, "uncertainty", "%s is declared twice", uncertainty_path(unc, i));
    return 0;
}

int uncertainty_read(struct loader *L, const config_setting_t *tree, struct model *m,
                     uncertainty_path_check *resolves)
{
    const config_setting_t *u = config_setting_get_member(tree, "uncertainty");
    if (!u) return 0;
    if (config_setting_type(u) != CONFIG_TYPE_GROUP)
        return cfg_fail(L, u, "uncertainty", "must be a group { parameters = ( ... ); mvn = { ... }; }");
    if (cfg_check_keys(L, u, "uncertainty", keys_of("uncertainty")) < 0) return -1;
    struct uncertainty *unc = calloc(1, sizeof *unc);
    if (!unc) return cfg_oom(L);
    m->uncertainty = unc;
    const config_setting_t *list = config_setting_get_member(u, "parameters");
    if (list) {
        if (config_setting_type(list) != CONFIG_TYPE_LIST)
            return cfg_fail(L, list, "uncertainty.parameters", "must be a list ( { path = ...; }, ... )");
        int n = config_setting_length(list);
        if (n > UNC_MAX_PARAMS)
            return cfg_fail(L, list, "uncertainty.parameters", "at most %d (got %d)", UNC_MAX_PARAMS, n);
        if (n > 0 && !(unc->p = calloc((size_t)n, sizeof *unc->p))) return cfg_oom(L);
        for (int i = 0; i < n; i++, unc->n++)
            if (read_param(L, config_setting_get_elem(list, (unsigned)i), i, m, resolves, &unc->p[i]) < 0) return -1;
    }
    const config_setting_t *mvn = config_setting_get_member(u, "mvn");
    if (mvn && read_mvn(L, mvn, m, resolves, &unc->mvn) < 0) return -1;
    if (uncertainty_count(unc) == 0)
        return cfg_fail(L, u, "uncertainty", "declares nothing (give parameters or mvn)");
    return check_unique(L, u, unc);
}

double uncertainty_quantile(const struct unc_param *p, double prob)
{
    switch (p->dist) {
    case UNC_LOGNORMAL: return gsl_cdf_lognormal_Pinv(prob, p->a, p->b);
    case UNC_NORMAL: return p->a + gsl_cdf_gaussian_Pinv(prob, p->b);
    case UNC_GAMMA: return gsl_cdf_gamma_Pinv(prob, p->a, p->b);
    case UNC_BETA: return gsl_cdf_beta_Pinv(prob, p->a, p->b);
    case UNC_UNIFORM: return p->a + prob * (p->b - p->a);
    }
    return NAN;
}

double uncertainty_mvn_quantile(const struct unc_mvn *v, int i, double prob)
{
    return exp(v->mean[i] + gsl_cdf_gaussian_Pinv(prob, sqrt(v->cov[i * v->k + i])));
}

int uncertainty_count(const struct uncertainty *u)
{
    return u ? u->n + u->mvn.k : 0;
}

const char *uncertainty_path(const struct uncertainty *u, int i)
{
    return i < u->n ? u->p[i].path : u->mvn.path[i - u->n];
}

double uncertainty_center(const struct uncertainty *u, int i)
{
    return i < u->n ? u->p[i].mean : exp(u->mvn.mean[i - u->n]);
}

double uncertainty_quantile_at(const struct uncertainty *u, int i, double prob)
{
    return i < u->n ? uncertainty_quantile(&u->p[i], prob)
                    : uncertainty_mvn_quantile(&u->mvn, i - u->n, prob);
}

void uncertainty_print(const struct uncertainty *u, FILE *out)
{
    if (!u) return;
    fprintf(out, "\nuncertain settings (drawn with --uncertainty; docs/uncertainty.md)\n");
    fprintf(out, "  %-48s %-10s %12s %12s %12s %12s\n", "setting", "dist", "mean", "sd", "5%", "95%");
    for (int i = 0; i < uncertainty_count(u); i++) {
        bool mvn = i >= u->n;
        double mean = mvn ? exp(u->mvn.mean[i - u->n]) : u->p[i].mean;
        double sd = mvn ? sqrt(u->mvn.cov[(i - u->n) * (u->mvn.k + 1)]) : u->p[i].sd;
        fprintf(out, "  %-48s %-10s %12.6g %12.6g %12.6g %12.6g\n", uncertainty_path(u, i),
                mvn ? "mvn (log)" : uncertainty_dist_name(u->p[i].dist), mean, sd,
                uncertainty_quantile_at(u, i, 0.05), uncertainty_quantile_at(u, i, 0.95));
    }
    if (u->mvn.k > 0)
        fprintf(out, "  (mvn: under mean its median, exp(mean of the log); under sd the sd "
                     "of the log)\n");
}
