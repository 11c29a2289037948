/* calib_mvn.c: the fitted rates' joint normal on the log scale (see
 * calib_mvn.h). */
#include "analysis/calib_mvn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "analysis/calib_validate.h"
#include "base/sbuf.h"
#include "model/setpath.h"
#include "model/uncertainty.h"

/* The fit's covariance of parameters i and j of a flow, on theta's scale:
 * the one place the block reads it. */
static double fit_cov(const struct calib_flow *cf, int i, int j)
{
    return cf->cov[(size_t)i * (size_t)cf->n_params + (size_t)j];
}

/* A rate the fragment writes from the fit and that has a variance. */
static bool is_component(const struct calib_flow *cf, int i)
{
    const struct calib_param *q = &cf->params[i];
    double var = fit_cov(cf, i, i);
    return q->cov < 0 && !q->fixed && !q->unidentified && isfinite(q->theta) &&
           fabs(q->theta) <= 700.0 && isfinite(var) && var > 0.0;
}

/* The set path of transition k's rate: by name, or by index when the name
 * does not resolve to k (two transitions with one name). */
static void rate_path(const struct model *m, int k, char *buf, size_t n)
{
    char name[200];
    struct setpath_ref ref;
    struct err e = { 0 };
    setpath_transition_name(m, k, name, sizeof name);
    sbuf_fmt(buf, n, "transitions[%s].per_year", name);
    if (setpath_resolve(m, buf, &ref, &e) != 0 || ref.transition != k)
        sbuf_fmt(buf, n, "transitions[%d].per_year", k);
}

/* The loader's check of cov (model/uncertainty.c): a Cholesky factor. */
static bool positive_definite(const double *cov, int k)
{
    double *a = malloc((size_t)k * (size_t)k * sizeof *a);
    if (!a) return false;
    memcpy(a, cov, (size_t)k * (size_t)k * sizeof *a);
    gsl_matrix_view mv = gsl_matrix_view_array(a, (size_t)k, (size_t)k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(&mv.matrix);
    gsl_set_error_handler(old);
    free(a);
    return rc == 0;
}

static int alloc_mvn(struct calib_mvn *v, int k, int n_base)
{
    size_t n = (size_t)k + 1;
    v->path = calloc(n, sizeof *v->path);
    v->flow = calloc(n, sizeof *v->flow);
    v->param = calloc(n, sizeof *v->param);
    v->mean = calloc(n, sizeof *v->mean);
    v->cov = calloc(n * n, sizeof *v->cov);
    v->kept = calloc((size_t)n_base + 1, sizeof *v->kept);
    v->replaced = calloc((size_t)n_base + 1, sizeof *v->replaced);
    return v->path && v->flow && v->param && v->mean && v->cov && v->kept && v->replaced ? 0 : -1;
}

/* The fitted rates: components 0..k-1 of v, covariance from the fit.
 * Flows are fitted apart: no covariance between them. The fit's matrix is
 * symmetric up to rounding; the loader wants it exactly. */
static void fitted_components(const struct model *m, const struct calib_result *r,
                              struct calib_mvn *v)
{
    int j = 0;
    for (int f = 0; f < r->n_flows; f++)
        for (int i = 0; r->flow[f].fitted && i < r->flow[f].n_params; i++) {
            if (!is_component(&r->flow[f], i)) continue;
            v->flow[j] = f;
            v->param[j] = i;
            v->mean[j] = r->flow[f].params[i].theta;
            rate_path(m, r->flow[f].params[i].trans, v->path[j], sizeof v->path[j]);
            j++;
        }
    v->k = j;
    for (int a = 0; a < j; a++)
        for (int b = 0; b < j; b++) {
            if (v->flow[a] != v->flow[b]) continue;
            const struct calib_flow *cf = &r->flow[v->flow[a]];
            v->cov[a * j + b] = 0.5 * (fit_cov(cf, v->param[a], v->param[b]) +
                                       fit_cov(cf, v->param[b], v->param[a]));
        }
    if (j == 0) {
        sbuf_fmt(v->why, sizeof v->why, "no fitted rate is identified with a standard error");
    } else if (!positive_definite(v->cov, j)) {
        sbuf_fmt(v->why, sizeof v->why, "the covariance of the %d fitted log rates is not "
                 "positive-definite", j);
        v->k = 0;
    }
}

/* Whether the fragment sets the setting `path` of the base from the fit:
 * it is a fitted rate of the block, or the fragment's model (refit) holds
 * another value there than the base. */
static bool fit_sets(const struct model *m, const struct model *refit, const struct calib_mvn *v,
                     const char *path)
{
    struct setpath_ref ref;
    struct err e = { 0 };
    if (calib_mvn_has(v, path)) return true;
    if (setpath_resolve(m, path, &ref, &e) != 0) return false;
    return setpath_get(m, &ref) != setpath_get(refit, &ref);
}

/* The base block's entries on settings the fit does not set: its
 * parameters into v->kept, its MVN components appended to v (their
 * covariance among themselves, none with the fitted rates); the others
 * into v->replaced. */
static void carry_base(const struct model *m, const struct model *refit, struct calib_mvn *v)
{
    const struct uncertainty *u = m->uncertainty;
    int nfit = v->k;
    for (int i = 0; i < uncertainty_count(u); i++) {
        const char *path = uncertainty_path(u, i);
        if (fit_sets(m, refit, v, path)) {
            v->replaced[v->n_replaced++] = i;
        } else if (i < u->n) {
            v->kept[v->n_kept++] = i;
        } else {
            int c = i - u->n, j = v->k++;
            v->flow[j] = -1;
            v->param[j] = c;
            v->mean[j] = u->mvn.mean[c];
            sbuf_fmt(v->path[j], sizeof v->path[j], "%s", path);
        }
    }
    /* The fit's nfit x nfit block, laid out k wide (backwards: it only
     * moves up), then the kept components' block. */
    int k = v->k;
    for (int a = nfit - 1; a >= 0 && k != nfit; a--)
        for (int b = nfit - 1; b >= 0; b--) v->cov[a * k + b] = v->cov[a * nfit + b];
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            if (a < nfit && b < nfit) continue;
            v->cov[a * k + b] = a < nfit || b < nfit ? 0.0
                : u->mvn.cov[v->param[a] * u->mvn.k + v->param[b]];
        }
}

int calib_mvn_build(const struct model *m, const struct calib_result *r, struct calib_mvn *v,
                    struct err *e)
{
    memset(v, 0, sizeof *v);
    const struct uncertainty *u = m->uncertainty;
    int nfit = 0, nbase = uncertainty_count(u);
    for (int f = 0; f < r->n_flows; f++)
        for (int i = 0; r->flow[f].fitted && i < r->flow[f].n_params; i++)
            nfit += is_component(&r->flow[f], i);
    int kmax = nfit + (u ? u->mvn.k : 0);
    if (alloc_mvn(v, kmax, nbase) != 0) {
        calib_mvn_fini(v);
        return err_set(e, EXIT_RUNTIME, "uncertainty block: out of memory");
    }
    fitted_components(m, r, v);
    if (!u) return 0;
    struct model *refit = NULL;
    if (calib_refitted_model(m, r, &refit, e) != 0) {
        calib_mvn_fini(v);
        return -1;
    }
    carry_base(m, refit, v);
    model_destroy(refit);
    return 0;
}

void calib_mvn_fini(struct calib_mvn *v)
{
    free(v->path);
    free(v->flow);
    free(v->param);
    free(v->mean);
    free(v->cov);
    free(v->kept);
    free(v->replaced);
    v->kept = v->replaced = NULL;
    v->n_kept = v->n_replaced = 0;
    v->path = NULL;
    v->flow = v->param = NULL;
    v->mean = v->cov = NULL;
    v->k = 0;
}

bool calib_mvn_has(const struct calib_mvn *v, const char *path)
{
    for (int i = 0; i < v->k; i++)
        if (!strcmp(v->path[i], path)) return true;
    return false;
}
