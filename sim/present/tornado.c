/* tornado.c: tornado plots of a sensitivity analysis (tornado.h). Text
 * from the scenario reaches a script only through gnuplot_quote; the data
 * files hold numbers only. */
#include "present/tornado.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sensitivity.h"
#include "base/afile.h"
#include "base/version.h"
#include "model/kpi.h"
#include "model/uncertainty.h"
#include "present/gnuplot.h"

#define TORNADO_PATH 4300
#define TORNADO_TIMEOUT_S 30.0

struct bar { int i; double lo, hi, swing; };

static int by_swing(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    if (x->swing != y->swing) return x->swing > y->swing ? 1 : -1;   /* smallest first: bottom */
    return y->i - x->i;
}

/* tornado-<kpi>.dat (y, centre, at 5 %, at 95 %) and its script. */
static int write_one(const struct model *m, const struct cmp_run *runs, int k, const char *pdir,
                     const char *name, struct err *e)
{
    const struct cmp_run *c = &runs[0];
    const struct uncertainty *u = m->uncertainty;
    int n = uncertainty_count(u);
    struct bar *b = calloc((size_t)n, sizeof *b);
    if (!b) return err_set(e, EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < n; i++) {
        b[i] = (struct bar){ i, runs[1 + 2 * i].stat[k].mean, runs[2 + 2 * i].stat[k].mean, 0 };
        b[i].swing = isfinite(b[i].lo) && isfinite(b[i].hi) ? fabs(b[i].hi - b[i].lo) : -1;
    }
    qsort(b, (size_t)n, sizeof *b, by_swing);
    char path[TORNADO_PATH];
    struct afile dat, gp;
    snprintf(path, sizeof path, "%s/%s.dat", pdir, name);
    if (afile_open(&dat, path, e) != 0) { free(b); return -1; }
    snprintf(path, sizeof path, "%s/%s.gp", pdir, name);
    if (afile_open(&gp, path, e) != 0) { afile_abort(&dat); free(b); return -1; }
    fprintf(dat.f, "# y, KPI with every setting at its centre, at the setting's 5 %% and 95 %% quantile\n");
    for (int j = 0; j < n; j++)
        fprintf(dat.f, "%d %.12g %.12g %.12g\n", j, c->stat[k].mean, b[j].lo, b[j].hi);
    bool da = !strcmp(c->ro.lang, "da");
    FILE *g = gp.f;
    fprintf(g, "# %s.gp: written by flowsim %s from %s.dat; run gnuplot %s.gp here.\n"
               "reset\nset encoding utf8\nif (!exists(\"out\")) out = '%s'\n"
               "do for [fmt in \"png svg\"] {\n"
               "  if (fmt eq \"png\") {\n"
               "    set terminal pngcairo size 820,%d font \"DejaVu Sans,10\" noenhanced background rgb \"white\"\n"
               "  } else {\n"
               "    set terminal svg size 820,%d dynamic font \"DejaVu Sans,10\" noenhanced background rgb \"white\"\n"
               "  }\n  set output out.\".\".fmt\n"
               "  set border 3 lc rgb \"#444444\"\n  set xtics nomirror out\n  set ytics nomirror out\n"
               "  set grid xtics lc rgb \"#e3e3e3\"\n  set key below\n"
               "  set lmargin 48\n  set yrange [-0.7:%d.7]\n",
            name, FLOWSIM_VERSION, name, name, name, 160 + 34 * n, 160 + 34 * n, n - 1);
    fputs("  set title ", g);
    gnuplot_quote(g, kpi_label(c->desc[k].name, da));
    fputs("\n  set xlabel ", g);
    gnuplot_quote(g, c->desc[k].unit);
    fputs("\n  set ytics (", g);
    for (int j = 0; j < n; j++) {
        fputs(j ? ", " : "", g);
        gnuplot_quote(g, uncertainty_path(u, b[j].i));
        fprintf(g, " %d", j);
    }
    fprintf(g, ")\n  set arrow 1 from first %.12g, graph 0 to first %.12g, graph 1 nohead dt 2 lc rgb \"#444444\"\n",
            c->stat[k].mean, c->stat[k].mean);
    fprintf(g, "  plot '%s.dat' using (($2+$3)/2):1:($2<$3?$2:$3):($2<$3?$3:$2):($1-0.35):($1+0.35) "
               "with boxxyerror fs solid 0.85 lc rgb \"#0072B2\" title ", name);
    gnuplot_quote(g, da ? "5 %-fraktil" : "5 % quantile");
    fprintf(g, ", \\\n       '%s.dat' using (($2+$4)/2):1:($2<$4?$2:$4):($2<$4?$4:$2):($1-0.35):($1+0.35) "
               "with boxxyerror fs solid 0.5 lc rgb \"#E69F00\" title ", name);
    gnuplot_quote(g, da ? "95 %-fraktil" : "95 % quantile");
    fputs("\n  unset output\n}\n", g);
    free(b);
    if (afile_commit(&dat, e) != 0) { afile_abort(&gp); return -1; }
    return afile_commit(&gp, e);
}

int tornado_draw(const struct model *m, const struct cmp_run *runs, const char *dir, struct err *e)
{
    char pdir[TORNADO_PATH - 200];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (afile_mkdirs(pdir, e) != 0) return -1;
    const struct cmp_run *c = &runs[0];
    struct gnuplot_draw d;
    bool found = false;
    if (gnuplot_draw_begin(&d, pdir, &found, e) != 0) return -1;
    int rc = found ? 0 : err_set(e, EXIT_RUNTIME, "gnuplot not found");
    for (int k = 0; rc == 0 && k < c->n_kpi; k++) {
        const struct kpi_desc *kd = &c->desc[k];
        if (!(kpi_def(kd->id)->show & KPI_HEADLINE) || kd->flow >= 0 || kd->year != 0 || kd->dim >= 0 ||
            !sensitivity_moves(runs, uncertainty_count(m->uncertainty), k))
            continue;
        char name[128], script[140], file[140];
        snprintf(name, sizeof name, "tornado-%s", kd->name);
        snprintf(script, sizeof script, "%s.gp", name);
        rc = write_one(m, runs, k, pdir, name, e);
        if (rc == 0) rc = gnuplot_draw(&d, script, name, TORNADO_TIMEOUT_S, e);
        for (int x = 0; rc == 0 && x < 2; x++) {
            snprintf(file, sizeof file, "%s.%s", name, x ? "svg" : "png");
            rc = gnuplot_draw_keep(&d, file, e);
        }
    }
    gnuplot_draw_end(&d);
    return rc;
}
