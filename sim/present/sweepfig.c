/* sweepfig.c: plots and report.html of sweep and optimise directories
 * (sweepfig.h). */
#include "present/sweepfig.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "base/afile.h"
#include "base/err.h"
#include "base/version.h"
#include "io/resultsdir.h"
#include "present/gnuplot.h"
#include "present/report.h"

#define PATH_LEN 4096
#define MAX_FIGS 24
#define FIG_TIMEOUT_S 30.0

bool sweepfig_is_sweep(const char *dir) { return resultsdir_has_file(dir, "sweep.json"); }
bool sweepfig_is_optimise(const char *dir) { return resultsdir_has_file(dir, "optimise.json"); }

static cJSON *read_json(const char *dir, const char *file, struct err *e)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    cJSON *j = resultsdir_read_json(path);
    if (!j) err_set(e, EXIT_INPUT, "%s: %s", path, errno ? strerror(errno) : "not JSON");
    return j;
}

/* The KPI object at a dotted path of a "kpis" tree, or NULL. */
static const cJSON *kpi_at(const cJSON *kpis, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = kpis;
    for (char *save = NULL, *s = strtok_r(buf, ".", &save); s && cur; s = strtok_r(NULL, ".", &save))
        cur = cJSON_GetObjectItemCaseSensitive(cur, s);
    return cJSON_IsObject(cur) ? cur : NULL;
}

static double stat_of(const cJSON *k, int what)      /* 0 mean, 1 lo, 2 hi */
{
    const cJSON *v = what == 0 ? cJSON_GetObjectItemCaseSensitive(k, "mean")
                               : cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(k, "ci95"), what - 1);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void html_esc(FILE *f, const char *s) { report_html_esc(f, s); }

/* ---- which KPIs a sweep shows (as the printed table: sweep.h) --------------- */

struct pick { char path[300]; };

static void add_pick(struct pick *p, int *n, int cap, const cJSON *kpis, const char *path)
{
    if (*n >= cap || !kpi_at(kpis, path)) return;
    for (int i = 0; i < *n; i++)
        if (!strcmp(p[i].path, path)) return;
    snprintf(p[(*n)++].path, sizeof p[0].path, "%s", path);
}

static int pick_kpis(const cJSON *sets, const cJSON *kpis, struct pick *p, int cap)
{
    int n = 0;
    char path[300];
    add_pick(p, &n, cap, kpis, "cost_per_year");
    const cJSON *s;
    cJSON_ArrayForEach(s, sets) {
        const char *ax = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "path"));
        if (!ax) continue;
        char f[64] = "", r[64] = "";
        if (sscanf(ax, "flows.%63[^.].rings.%63[^.]", f, r) == 2) {
            snprintf(path, sizeof path, "flows.%s.rings.%s.wait_days_mean", f, r);
            add_pick(p, &n, cap, kpis, path);
            snprintf(path, sizeof path, "flows.%s.rings.%s.occupancy_mean", f, r);
            add_pick(p, &n, cap, kpis, path);
        } else if (sscanf(ax, "flows.%63[^.]", f) == 1 || sscanf(ax, "transitions[%63[^:]:", f) == 1) {
            snprintf(path, sizeof path, "flows.%s.outward_share", f);
            add_pick(p, &n, cap, kpis, path);
        } else if (!strncmp(ax, "visitation.", 11)) {
            add_pick(p, &n, cap, kpis, "referral_to_decision_days");
            add_pick(p, &n, cap, kpis, "caseworker_utilisation");
        } else if (!strncmp(ax, "budget.", 7)) {
            add_pick(p, &n, cap, kpis, "years_over_budget");
            add_pick(p, &n, cap, kpis, "days_frozen");
        }
    }
    add_pick(p, &n, cap, kpis, "referral_to_placement_days");
    return n;
}

/* ---- gnuplot scripts ------------------------------------------------------------ */

static void gp_head(FILE *g, const char *name)
{
    fprintf(g, "# %s.gp: written by flowsim %s from %s.dat; run gnuplot %s.gp here.\n"
               "reset\nset encoding utf8\nif (!exists(\"out\")) out = '%s'\n"
               "do for [fmt in \"png svg\"] {\n"
               "  if (fmt eq \"png\") {\n"
               "    set terminal pngcairo size 760,440 font \"DejaVu Sans,10\" noenhanced background rgb \"white\"\n"
               "  } else {\n"
               "    set terminal svg size 760,440 dynamic font \"DejaVu Sans,10\" noenhanced background rgb \"white\"\n"
               "  }\n"
               "  set output out.\".\".fmt\n"
               "  set border 3 lc rgb \"#444444\"\n  set xtics nomirror out\n  set ytics nomirror out\n"
               "  set grid ytics lc rgb \"#e3e3e3\"\n  set key top left box opaque\n",
            name, FLOWSIM_VERSION, name, name, name);
}

static int open_pair(const char *pdir, const char *name, struct afile *gp, struct afile *dat,
                     struct err *e)
{
    char path[PATH_LEN + 80];
    snprintf(path, sizeof path, "%s/%s.gp", pdir, name);
    if (afile_open(gp, path, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/%s.dat", pdir, name);
    if (afile_open(dat, path, e) != 0) {
        afile_abort(gp);
        return -1;
    }
    return 0;
}

static int commit_pair(struct afile *gp, struct afile *dat, struct err *e)
{
    if (afile_commit(dat, e) != 0) {
        afile_abort(gp);
        return -1;
    }
    return afile_commit(gp, e);
}

/* One sweep figure: KPI p against the first swept setting, one line (and
 * CI band) per combination of the other settings. */
static int sweep_figure(const char *pdir, const char *name, const cJSON *root, const char *kpi,
                        struct err *e)
{
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(root, "sets");
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(root, "points");
    const char *x_path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(sets, 0), "path"));
    bool zip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "zip"));
    int n_sets = cJSON_GetArraySize(sets), n = cJSON_GetArraySize(pts);
    if (!x_path || n == 0) return 0;
    struct afile gp, dat;
    if (open_pair(pdir, name, &gp, &dat, e) != 0) return -1;
    /* Groups: points sharing every setting but the first (one group when
     * zipped); in order of first appearance. */
    char (*key)[512] = calloc((size_t)n, sizeof *key);
    int *grp = calloc((size_t)n, sizeof *grp), n_grp = 0;
    if (!key || !grp) {
        free(key); free(grp); afile_abort(&gp); afile_abort(&dat);
        return err_set(e, EXIT_RUNTIME, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pts, i), "settings");
        key[i][0] = '\0';
        for (int a = 1; !zip && a < n_sets; a++) {
            const char *pa = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(sets, a), "path"));
            const cJSON *v = pa ? cJSON_GetObjectItemCaseSensitive(st, pa) : NULL;
            size_t len = strlen(key[i]);
            snprintf(key[i] + len, sizeof key[i] - len, "%s%s=%g", a > 1 ? ", " : "", pa ? pa : "?",
                     cJSON_IsNumber(v) ? v->valuedouble : NAN);
        }
        grp[i] = -1;
        for (int j = 0; j < i && grp[i] < 0; j++)
            if (!strcmp(key[j], key[i])) grp[i] = grp[j];
        if (grp[i] < 0) grp[i] = n_grp++;
    }
    const char *unit = "";
    for (int g = 0; g < n_grp; g++) {
        fputs(g ? "\n\n" : "", dat.f);
        fputs("# ", dat.f);
        gnuplot_comment(dat.f, x_path);
        fputs(", mean, ci_lo, ci_hi of ", dat.f);
        gnuplot_comment(dat.f, kpi);
        fputc('\n', dat.f);
        for (int i = 0; i < n; i++) {
            if (grp[i] != g) continue;
            const cJSON *p = cJSON_GetArrayItem(pts, i);
            const cJSON *xv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "settings"), x_path);
            const cJSON *k = kpi_at(cJSON_GetObjectItemCaseSensitive(p, "kpis"), kpi);
            if (!cJSON_IsNumber(xv) || !k) continue;
            const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "unit"));
            if (u) unit = u;
            fprintf(dat.f, "%.10g %.10g %.10g %.10g\n", xv->valuedouble, stat_of(k, 0), stat_of(k, 1),
                    stat_of(k, 2));
        }
    }
    FILE *g = gp.f;
    gp_head(g, name);
    fputs("  set title ", g);
    gnuplot_quote(g, kpi);
    fputs("\n  set xlabel ", g);
    gnuplot_quote(g, x_path);
    fputs("\n  set ylabel ", g);
    gnuplot_quote(g, unit);
    fprintf(g, "\n  array T[%d]\n", n_grp);
    for (int i = 0, done = 0; i < n && done < n_grp; i++) {
        if (grp[i] != done) continue;
        fprintf(g, "  T[%d] = ", done + 1);
        gnuplot_quote(g, key[i][0] ? key[i] : "mean");
        fputc('\n', g);
        done++;
    }
    fprintf(g, "  plot for [i=0:%d] '%s.dat' index i using 1:3:4 with filledcurves "
               "fc rgb \"#2b6cb0\" fs transparent solid 0.18 noborder notitle, \\\n"
               "       for [i=0:%d] '%s.dat' index i using 1:2 with linespoints lw 2 pt 7 ps 0.6 "
               "title T[i+1].' (band: 95%% CI)'\n}\n",
            n_grp - 1, name, n_grp - 1, name);
    free(key);
    free(grp);
    return commit_pair(&gp, &dat, e);
}

/* One optimise figure: the objective against target t, every evaluated
 * point with both CIs, the frontier joined, the answer ringed, the target
 * a dashed line. */
static int optimise_figure(const char *pdir, const char *name, const cJSON *root, int t,
                           struct err *e)
{
    const cJSON *tg = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "targets"), t);
    const char *kpi = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tg, "kpi"));
    const char *obj = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "minimise"));
    const cJSON *tv = cJSON_GetObjectItemCaseSensitive(tg, "value");
    if (!kpi || !obj || !cJSON_IsNumber(tv)) return 0;
    struct afile gp, dat;
    if (open_pair(pdir, name, &gp, &dat, e) != 0) return -1;
    const cJSON *chosen = cJSON_GetObjectItemCaseSensitive(root, "chosen");
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(chosen, "settings");
    static const char *const block[] = { "evaluated", "frontier", "chosen" };
    for (int b = 0; b < 3; b++) {
        fprintf(dat.f, "%s# %s: target mean, lo, hi; objective mean, lo, hi\n", b ? "\n\n" : "", block[b]);
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, b == 1 ? "frontier" : "evaluated")) {
            if (b == 2) {
                /* the evaluated point whose settings are the answer's */
                char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(p, "settings"));
                char *c = cs ? cJSON_PrintUnformatted(cs) : NULL;
                bool same = a && c && !strcmp(a, c);
                free(a);
                free(c);
                if (!same) continue;
            }
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "targets"), kpi);
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(p, "objective");
            fprintf(dat.f, "%.10g %.10g %.10g %.10g %.10g %.10g\n", stat_of(x, 0), stat_of(x, 1),
                    stat_of(x, 2), stat_of(y, 0), stat_of(y, 1), stat_of(y, 2));
        }
    }
    FILE *g = gp.f;
    gp_head(g, name);
    fputs("  set key top right\n  set title ", g);
    gnuplot_quote(g, "cost against target (frontier joined, answer ringed)");
    fputs("\n  set xlabel ", g);
    gnuplot_quote(g, kpi);
    fputs("\n  set ylabel ", g);
    gnuplot_quote(g, obj);
    fprintf(g, "\n  set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lc rgb \"#c0392b\"\n",
            tv->valuedouble, tv->valuedouble);
    fprintf(g, "  plot '%s.dat' index 0 using 1:4:2:3:5:6 with xyerrorbars pt 7 ps 0.5 "
               "lc rgb \"#999999\" title 'evaluated (95%% CIs)', \\\n"
               "       '%s.dat' index 1 using 1:4 with linespoints lw 2 pt 7 lc rgb \"#2b6cb0\" title 'frontier', \\\n"
               "       '%s.dat' index 2 using 1:4 with points pt 6 ps 3 lw 2 lc rgb \"#c0392b\" title 'answer'\n}\n",
            name, name, name);
    return commit_pair(&gp, &dat, e);
}

/* ---- drawing and the report -------------------------------------------------------- */

struct figs { int n; char name[MAX_FIGS][64]; bool drawn[MAX_FIGS]; };

static int draw(const char *pdir, struct figs *f, bool *found, struct err *e)
{
    struct gnuplot_draw d;
    int rc = gnuplot_draw_begin(&d, pdir, found, e);
    for (int i = 0; rc == 0 && *found && i < f->n; i++) {
        char script[96], file[96];
        snprintf(script, sizeof script, "%s.gp", f->name[i]);
        if (gnuplot_draw(&d, script, f->name[i], FIG_TIMEOUT_S, e) != 0) { rc = -1; break; }
        snprintf(file, sizeof file, "%s.png", f->name[i]);
        if (gnuplot_draw_keep(&d, file, e) != 0) { rc = -1; break; }
        snprintf(file, sizeof file, "%s.svg", f->name[i]);
        if (gnuplot_draw_keep(&d, file, e) != 0) { rc = -1; break; }
        f->drawn[i] = true;
    }
    gnuplot_draw_end(&d);
    return rc;
}

static void report_head(FILE *h, const char *title, const cJSON *root)
{
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", h);
    html_esc(h, title);
    fputs("</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
          "table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;"
          "text-align:right}th{background:#f3f3f3}.meta{color:#555}img{max-width:100%}</style>"
          "</head><body>\n<h1>", h);
    html_esc(h, title);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "base");
    fputs("</h1>\n<p class=\"meta\">base: ", h);
    html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name")));
    fputs(" (", h);
    html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "file")));
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "replications");
    fprintf(h, ") &middot; %.0f replications%s &middot; common random numbers &middot; flowsim %s</p>\n",
            cJSON_IsNumber(r) ? r->valuedouble : NAN,
            cJSON_GetObjectItemCaseSensitive(root, "points") ? " per point" : " in all", FLOWSIM_VERSION);
}

static void report_figs(FILE *h, const struct figs *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->drawn[i]) fprintf(h, "<p><img src=\"plots/%s.svg\" alt=\"%s\"></p>\n", f->name[i], f->name[i]);
}

static void cell_ci(FILE *h, const cJSON *k)
{
    fprintf(h, "<td>%.4g [%.4g, %.4g]</td>", stat_of(k, 0), stat_of(k, 1), stat_of(k, 2));
}

static int sweep_report(FILE *h, const cJSON *root, const struct pick *p, int n_pick, const struct figs *f)
{
    report_head(h, "Sweep", root);
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(root, "sets"), *s;
    fputs("<p>Each KPI: mean [95% CI]; the table's last columns are each KPI's paired difference to "
          "the first point.</p>\n<table><tr>", h);
    cJSON_ArrayForEach(s, sets) {
        fputs("<th>", h);
        html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "path")));
        fputs("</th>", h);
    }
    for (int k = 0; k < n_pick; k++) {
        fputs("<th>", h);
        html_esc(h, p[k].path);
        fputs("</th>", h);
    }
    fputs("</tr>\n", h);
    const cJSON *pt;
    cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(root, "points")) {
        fputs("<tr>", h);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(pt, "settings");
        cJSON_ArrayForEach(s, sets) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "path")));
            fprintf(h, "<td>%.10g</td>", cJSON_IsNumber(v) ? v->valuedouble : NAN);
        }
        for (int k = 0; k < n_pick; k++) {
            const cJSON *kv = kpi_at(cJSON_GetObjectItemCaseSensitive(pt, "kpis"), p[k].path);
            const cJSON *dv = kpi_at(cJSON_GetObjectItemCaseSensitive(pt, "differences"), p[k].path);
            fprintf(h, "<td>%.4g [%.4g, %.4g]<br><small>%+.3g [%.3g, %.3g]%s</small></td>", stat_of(kv, 0),
                    stat_of(kv, 1), stat_of(kv, 2), stat_of(dv, 0), stat_of(dv, 1), stat_of(dv, 2),
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(dv, "real")) ? " *" : "");
        }
        fputs("</tr>\n", h);
    }
    fputs("</table>\n<p>Every KPI at every point: <a href=\"sweep.csv\">sweep.csv</a>, "
          "<a href=\"sweep.json\">sweep.json</a>.</p>\n", h);
    report_figs(h, f);
    fputs("</body></html>\n", h);
    return 0;
}

static int optimise_report(FILE *h, const cJSON *root, const struct figs *f)
{
    report_head(h, "Optimise", root);
    const cJSON *t, *chosen = cJSON_GetObjectItemCaseSensitive(root, "chosen");
    fputs("<p>Minimise ", h);
    html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "minimise")));
    fputs(" with every target holding with 95% confidence:</p><ul>", h);
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "targets")) {
        fputs("<li>", h);
        html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "kpi")));
        fputc(' ', h);
        html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "op")));
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "value");
        fprintf(h, " %.10g</li>", cJSON_IsNumber(v) ? v->valuedouble : NAN);
    }
    fputs("</ul>\n", h);
    if (cJSON_IsObject(chosen)) {
        fputs("<h2>Answer</h2><p>", h);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(chosen, "settings")) {
            html_esc(h, s->string);
            fprintf(h, " = %.10g<br>", cJSON_IsNumber(s) ? s->valuedouble : NAN);
        }
        fputs("</p>\n", h);
    } else {
        fputs("<h2>No point meets the targets with 95% confidence</h2>\n", h);
    }
    fputs("<h2>Points evaluated</h2><table><tr><th>settings</th><th>replications</th><th>verdict</th>"
          "<th>frontier</th><th>objective</th></tr>\n", h);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "evaluated")) {
        fputs("<tr><td>", h);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "settings")) {
            html_esc(h, s->string);
            fprintf(h, "=%.10g ", cJSON_IsNumber(s) ? s->valuedouble : NAN);
        }
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "replications");
        fprintf(h, "</td><td>%d</td><td>", cJSON_IsNumber(r) ? r->valueint : 0);
        html_esc(h, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "verdict")));
        fprintf(h, "</td><td>%s</td>", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "frontier")) ? "yes" : "");
        cell_ci(h, cJSON_GetObjectItemCaseSensitive(p, "objective"));
        fputs("</tr>\n", h);
    }
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, "seconds");
    const cJSON *reps = cJSON_GetObjectItemCaseSensitive(root, "replications");
    fprintf(h, "</table>\n<p>%.0f replications spent in %.1f s. Every point: "
               "<a href=\"optimise.json\">optimise.json</a>, <a href=\"optimise.csv\">optimise.csv</a>.</p>\n",
            cJSON_IsNumber(reps) ? reps->valuedouble : NAN, cJSON_IsNumber(sec) ? sec->valuedouble : NAN);
    report_figs(h, f);
    fputs("</body></html>\n", h);
    return 0;
}

int sweepfig_publish(const char *dir, FILE *msg)
{
    struct err e = { 0 };
    bool sweep = sweepfig_is_sweep(dir);
    cJSON *root = read_json(dir, sweep ? "sweep.json" : "optimise.json", &e);
    struct figs f = { 0 };
    struct pick pick[MAX_FIGS];
    int n_pick = 0, rc = root ? 0 : -1;
    char pdir[PATH_LEN];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (rc == 0 && afile_mkdirs(pdir, &e) != 0) rc = -1;
    if (rc == 0 && sweep) {
        const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "points"), 0);
        n_pick = pick_kpis(cJSON_GetObjectItemCaseSensitive(root, "sets"),
                           cJSON_GetObjectItemCaseSensitive(p0, "kpis"), pick, MAX_FIGS);
        for (int k = 0; rc == 0 && k < n_pick; k++) {
            snprintf(f.name[f.n], sizeof f.name[0], "sweep_%d", k + 1);
            rc = sweep_figure(pdir, f.name[f.n++], root, pick[k].path, &e);
        }
    } else if (rc == 0) {
        int n_t = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "targets"));
        for (int t = 0; rc == 0 && t < n_t && f.n < MAX_FIGS; t++) {
            snprintf(f.name[f.n], sizeof f.name[0], "optimise_%d", t + 1);
            rc = optimise_figure(pdir, f.name[f.n++], root, t, &e);
        }
    }
    bool found = false;
    int drc = rc == 0 ? draw(pdir, &f, &found, &e) : -1;
    if (root) {
        struct afile h;
        struct err he = { 0 };
        char path[PATH_LEN + 16];
        snprintf(path, sizeof path, "%s/report.html", dir);
        if (afile_open(&h, path, &he) == 0) {
            if (sweep) sweep_report(h.f, root, pick, n_pick, &f);
            else optimise_report(h.f, root, &f);
            if (afile_commit(&h, &he) != 0 && rc == 0) { rc = -1; e = he; }
        } else if (rc == 0) {
            rc = -1;
            e = he;
        }
    }
    cJSON_Delete(root);
    if (rc != 0 || drc != 0) {
        fprintf(msg, "flowsim: warning: plots or report not complete: %s\n", e.msg);
        return -1;
    }
    if (!found) {
        fprintf(msg, "flowsim: gnuplot not found; plots not drawn. To draw them: cd %s/plots && "
                     "gnuplot *.gp\n", dir);
        return 1;
    }
    return 0;
}
