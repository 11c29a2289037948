/* plot.c: writes gnuplot scripts and data for a finished output directory
 * (read through io/resultsdir.h), then runs gnuplot on each script.
 *
 * Why scripts and not a plotting library: a user restyles a plot by editing
 * NAME.gp, and gnuplot stays an optional external program (gnuplot.h).
 * Money and counts on the value axes get tick labels computed here, so
 * thousands separators and the Danish decimal comma never depend on
 * gnuplot's locale handling. Every text is written noenhanced, so ring
 * names with '_' or '^' print as written. */
#include "present/plot.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/afile.h"
#include "base/sbuf.h"
#include "base/version.h"
#include "present/gnuplot.h"
#include "io/resultsdir.h"

#define PATH_LEN 4096


/* ---------------------------------------------------------------- gnuplot text */

/* A '#' comment of a data file: the text formatted from fmt with its line
 * breaks and control characters made spaces (gnuplot_comment), so no name
 * can start a data row; a final '\n' in fmt ends the line. */
static void dat_comment(FILE *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    bool nl = n > 0 && buf[n - 1] == '\n' && fmt[0] && fmt[strlen(fmt) - 1] == '\n';
    if (nl) buf[n - 1] = '\0';
    gnuplot_comment(d, buf);
    if (nl) fputc('\n', d);
}

/* Breaks s at spaces into lines of at most width characters (UTF-8 aware),
 * at most max_lines lines. */
static void wrap(char *dst, size_t n, const char *s, int width)
{
    size_t o = 0;
    int col = 0;
    const char *p = s;
    while (*p && o + 8 < n) {
        const char *w = p;                 /* next word: [w, q) */
        int wlen = 0;
        const char *q = w;
        while (*q && *q != ' ') { if (((unsigned char)*q & 0xC0) != 0x80) wlen++; q++; }
        if (col > 0 && col + 1 + wlen > width) { dst[o++] = '\n'; col = 0; }
        else if (col > 0) { dst[o++] = ' '; col++; }
        while (w < q && o + 2 < n) dst[o++] = *w++;
        col += wlen;
        p = q;
        while (*p == ' ') p++;
    }
    dst[o] = '\0';
}

static double nice_step(double span, int target)
{
    if (!(span > 0)) return 1.0;
    double raw = span / target, e = pow(10.0, floor(log10(raw))), f = raw / e;
    double nf = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    return nf * e;
}

static int step_decimals(double step)
{
    for (int d = 0; d < 6; d++) {
        double x = step * pow(10.0, d);
        if (fabs(x - round(x)) < 1e-6 * fmax(1.0, x)) return d;
    }
    return 6;
}

/* `set ytics (...)` (axis "y" or "x") from lo to hi with labels in the
 * language's number format; returns the upper end rounded to a tick. */
static double gp_tics(FILE *f, const char *axis, double lo, double hi, int target, enum lang l)
{
    double step = nice_step(hi - lo, target);
    int dec = step_decimals(step);
    double first = ceil(lo / step - 1e-9) * step;
    fprintf(f, "  set %stics (", axis);
    int i = 0;
    double v = first;
    for (; v <= hi + step * 1e-6 && i < 200; i++, v = first + i * step) {
        char lab[64];
        i18n_num(lab, sizeof lab, fabs(v) < step * 1e-9 ? 0.0 : v, dec, l);
        fprintf(f, "%s", i ? ", " : "");
        gnuplot_quote(f, lab);
        fprintf(f, " %.10g", v);
    }
    fputs(")\n", f);
    return first + (i - 1) * step;
}

/* Upper end of a value axis starting at 0: a little room above max. */
static double axis_top(double max)
{
    if (!(max > 0)) return 1.0;
    double step = nice_step(max, 8);
    return ceil(max * 1.05 / step) * step;
}

static void hsl_rgb(double h, double s, double l, int *r, int *g, int *b)
{
    double c = (1 - fabs(2 * l - 1)) * s, hp = fmod(h, 360.0) / 60.0;
    double x = c * (1 - fabs(fmod(hp, 2.0) - 1)), m = l - c / 2, rr = 0, gg = 0, bb = 0;
    if (hp < 1) { rr = c; gg = x; } else if (hp < 2) { rr = x; gg = c; }
    else if (hp < 3) { gg = c; bb = x; } else if (hp < 4) { gg = x; bb = c; }
    else if (hp < 5) { rr = x; bb = c; } else { rr = c; bb = x; }
    *r = (int)lround((rr + m) * 255); *g = (int)lround((gg + m) * 255); *b = (int)lround((bb + m) * 255);
}

static const double flow_hue[] = { 210.0, 24.0, 145.0, 285.0 };

/* Ring i of n in flow fl: the flow's hue, darkest innermost. */
static uint32_t ring_color(int fl, int i, int n)
{
    double t = n > 1 ? (double)i / (n - 1) : 0.4;
    int r, g, b;
    hsl_rgb(flow_hue[fl % 4], 0.62 - 0.12 * t, 0.27 + 0.45 * t, &r, &g, &b);
    return (uint32_t)(r << 16 | g << 8 | b);
}

static uint32_t flow_color(int fl)
{
    int r, g, b;
    hsl_rgb(flow_hue[fl % 4], 0.60, 0.38, &r, &g, &b);
    return (uint32_t)(r << 16 | g << 8 | b);
}

/* Lines that must be told apart at a glance (Okabe and Ito's colours,
 * safe for colour-blind readers; then dash types and point types). */
static uint32_t line_color(int i)
{
    static const uint32_t c[] = { 0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0x000000 };
    return c[i % 7];
}

static int line_dash(int i)
{
    static const int dt[] = { 1, 2, 4, 5, 3 };
    return dt[i % 5];
}

static int line_point(int i)
{
    static const int pt[] = { 7, 5, 9, 13, 11, 15, 3 };
    return pt[i % 7];
}

/* A key's title: one line (gnuplot sets a key's lines over each other),
 * at most max characters (UTF-8), cut with "…" so no key leaves its
 * picture. */
static void key_title(char *dst, size_t n, const char *s, int max)
{
    size_t o = 0;
    int chars = 0;
    for (const char *p = s ? s : ""; *p && o + 4 < n; p++) {
        bool lead = ((unsigned char)*p & 0xC0) != 0x80;
        if (lead && ++chars > max) {
            while (o > 0 && dst[o - 1] == ' ') o--;
            memcpy(dst + o, "\xe2\x80\xa6", 3);
            o += 3;
            break;
        }
        dst[o++] = *p == '\n' ? ' ' : *p;
    }
    dst[o] = '\0';
}

/* Characters of a key title below a panel (about 6 px each at 9 pt). */
#define KEY_CHARS 56

/* Colours of scenarios in a comparison: the base in dark grey. */
static uint32_t scenario_color(int i)
{
    static const uint32_t c[] = { 0x404040, 0x1f77b4, 0xd95f02, 0x1b9e77, 0x7570b3, 0xe7298a,
                                  0x66a61e, 0xa6761d };
    return c[i % 8];
}

static uint32_t lighten(uint32_t c, double t)
{
    int r = (int)(((c >> 16) & 255) * (1 - t) + 255 * t), g = (int)(((c >> 8) & 255) * (1 - t) + 255 * t),
        b = (int)((c & 255) * (1 - t) + 255 * t);
    return (uint32_t)(r << 16 | g << 8 | b);
}

static bool is_dark(uint32_t c)
{
    return 0.299 * ((c >> 16) & 255) + 0.587 * ((c >> 8) & 255) + 0.114 * (c & 255) < 140;
}

static bool isalnum_ascii(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Only [A-Za-z0-9_-] in file names made from ids. */
static void safe_name(char *dst, size_t n, const char *prefix, const char *id)
{
    size_t o = (size_t)snprintf(dst, n, "%s", prefix);
    for (const char *p = id; *p && o + 1 < n; p++)
        dst[o++] = (isalnum_ascii(*p) || *p == '-' || *p == '_') ? *p : '_';
    dst[o < n ? o : n - 1] = '\0';
}

/* ---------------------------------------------------------------- writing */

struct pctx {
    char dir[PATH_LEN];         /* the run or comparison */
    char pdir[PATH_LEN];        /* dir/plots */
    enum lang l;
    struct err *e;
    char names[PLOT_MAX][PLOT_NAME_MAX];  /* scripts written, to draw */
    int n_names;
};

struct pfiles {
    struct afile gp, dat;
    FILE *g, *d;
    char name[PLOT_NAME_MAX];
};

/* Opens NAME.gp and NAME.dat and writes the script's frame: both
 * terminals in one loop, so a restyle applies to PNG and SVG alike. */
static int pf_open(struct pctx *c, struct pfiles *p, const char *name, int w, int h)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    char path[PATH_LEN + PLOT_NAME_MAX + 8];
    snprintf(path, sizeof path, "%s/%s.gp", c->pdir, name);
    if (afile_open(&p->gp, path, c->e) != 0) return -1;
    snprintf(path, sizeof path, "%s/%s.dat", c->pdir, name);
    if (afile_open(&p->dat, path, c->e) != 0) { afile_abort(&p->gp); return -1; }
    p->g = p->gp.f;
    p->d = p->dat.f;
    fprintf(p->g,
            "# %s.gp: written by flowsim %s from %s.dat. Restyle freely, then run\n"
            "#   gnuplot %s.gp\n"
            "# in this directory: it draws %s.png and %s.svg.\n"
            "reset\n"
            "set encoding utf8\n"
            "if (!exists(\"out\")) out = '%s'\n"
            "FONT = \"DejaVu Sans,10\"\n"
            "W = %d; H = %d\n"
            "do for [fmt in \"png svg\"] {\n"
            "  if (fmt eq \"png\") {\n"
            "    set terminal pngcairo size W,H font FONT noenhanced background rgb \"white\"\n"
            "  } else {\n"
            "    set terminal svg size W,H dynamic font FONT noenhanced background rgb \"white\"\n"
            "  }\n"
            "  set output out.\".\".fmt\n"
            "  set border 3 lc rgb \"#444444\"\n"
            "  set xtics nomirror out scale 0.6\n"
            "  set ytics nomirror out scale 0.6\n"
            "  set grid ytics lc rgb \"#e3e3e3\" lw 1 dt solid\n"
            "  set key noautotitle\n",
            name, FLOWSIM_VERSION, name, name, name, name, name, w, h);
    fprintf(p->d, "# %s.dat: the data of %s.gp (flowsim %s)\n", name, name, FLOWSIM_VERSION);
    return 0;
}

static int pf_close(struct pctx *c, struct pfiles *p)
{
    fputs("  unset multiplot\n  set output\n}\n", p->g);
    if (afile_commit(&p->gp, c->e) != 0) { afile_abort(&p->dat); return -1; }
    if (afile_commit(&p->dat, c->e) != 0) return -1;
    if (c->n_names < PLOT_MAX) snprintf(c->names[c->n_names++], PLOT_NAME_MAX, "%s", p->name);
    return 0;
}

static void gp_color(FILE *f, uint32_t rgb)
{
    fprintf(f, "rgb \"#%06x\"", (unsigned)rgb);
}

/* "Name\n(law)" wrapped to width: a panel or key title. */
static void ring_title(char *dst, size_t n, const struct results_ring *g, int width, bool with_law)
{
    char w[512];
    wrap(w, sizeof w, g->name, width);
    if (with_law && g->law && *g->law) sbuf_fmt(dst, n, "%s\n(%s)", w, g->law);
    else sbuf_fmt(dst, n, "%s", w);
}

static void grid_shape(int cells, int *rows, int *cols)
{
    *cols = cells <= 3 ? cells : cells <= 4 ? 2 : cells <= 9 ? 3 : 4;
    *rows = (cells + *cols - 1) / *cols;
}

static void gp_year_axis(FILE *g, double x0, double x1, enum lang l)
{
    fputs("  set xlabel ", g);
    gnuplot_quote(g, i18n_text("year", l));
    fputs(" offset 0,0.4\n", g);
    double span = x1 - x0;
    int step = span <= 6 ? 1 : span <= 14 ? 2 : span <= 30 ? 5 : 10;   /* panels are narrow */
    fprintf(g, "  set xrange [%.6f:%.6f]\n  set xtics %d, %d format \"%%.0f\"\n",
            x0, x1, (int)ceil(x0 - 1e-9), step);
}

/* A dashed vertical line at each date of a plan (SPEC §9: the plots mark
 * each change), in every panel drawn after it. */
static void gp_change_marks(FILE *g, const struct results_run *r)
{
    for (int i = 0; r && i < r->n_changes; i++)
        fprintf(g, "  set arrow %d from %.6f, graph 0 to %.6f, graph 1 nohead dt 2 lw 1.5 "
                   "lc rgb \"#7a3b9e\" front\n", 100 + i, r->change_x[i], r->change_x[i]);
}

/* Occupancy (col TS_OCC) or waiting list (TS_WAIT) of each ring of a flow
 * over time: mean line and the band holding 90% of replications. */
static int plot_series(struct pctx *c, const struct results_run *r, int fi, int col)
{
    const struct results_flow *fl = &r->flows[fi];
    if (r->n_snap < 2 || fl->n_rings == 0) return 0;
    bool occ = col == TS_OCC;
    char name[PLOT_NAME_MAX];
    safe_name(name, sizeof name, occ ? "occupancy_" : "waiting_", fl->id);
    int rows, cols;
    grid_shape(fl->n_rings + 1, &rows, &cols);
    struct pfiles p;
    if (pf_open(c, &p, name, 370 * cols + 40, 270 * rows + 70) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per ring (gnuplot index = ring number, innermost first);\n"
               "# columns: decimal calendar year, mean, 5th and 95th percentile over replications\n");
    for (int s = 0; s < fl->n_rings; s++) {
        fputs(s ? "\n\n" : "", d);
        dat_comment(d, "# ring %d: %s (%s)\n", s, fl->rings[s].id, fl->rings[s].name);
        for (int k = 0; k < r->n_snap; k++) {
            const double *v = results_ts(r, k, fl->slot0 + s) + col;
            fprintf(d, "%.6f %.6g %.6g %.6g\n", r->x_year[k], v[0], v[1], v[2]);
        }
    }
    uint32_t line = flow_color(fi), band = lighten(line, 0.55);
    char title[512];
    snprintf(title, sizeof title, "%s: %s", fl->name,
             i18n_text(occ ? "occupancy_title" : "waiting_title", c->l));
    fprintf(g, "  set multiplot layout %d,%d title ", rows, cols);
    gnuplot_quote(g, title);
    fputs(" font \",14\"\n", g);
    gp_year_axis(g, r->x_year[0], r->x_year[r->n_snap - 1], c->l);
    gp_change_marks(g, r);
    for (int s = 0; s < fl->n_rings; s++) {
        const struct results_ring *ring = &fl->rings[s];
        double max = occ && ring->capacity > 0 ? ring->capacity : 0.0;
        for (int k = 0; k < r->n_snap; k++) {
            const double *v = results_ts(r, k, fl->slot0 + s) + col;
            if (isfinite(v[2]) && v[2] > max) max = v[2];
            if (isfinite(v[0]) && v[0] > max) max = v[0];
        }
        double top = axis_top(max);
        ring_title(title, sizeof title, ring, 34, true);
        fputs("  set title ", g);
        gnuplot_quote(g, title);
        fputs(" font \",10\"\n", g);
        if (s % cols == 0) {
            fputs("  set ylabel ", g);
            gnuplot_quote(g, i18n_text(occ ? "occupancy_axis" : "waiting_axis", c->l));
            fputc('\n', g);
        } else {
            fputs("  unset ylabel\n", g);
        }
        fprintf(g, "  set yrange [0:%.10g]\n", top);
        gp_tics(g, "y", 0.0, top, 5, c->l);
        if (!occ && max == 0.0) {       /* say so rather than show an empty frame */
            fputs("  set label 5 ", g);
            gnuplot_quote(g, i18n_text("nobody_waited", c->l));
            fputs(" at graph 0.5, graph 0.5 center tc rgb \"#666666\"\n", g);
        }
        fprintf(g, "  plot '%s.dat' index %d using 1:3:4 with filledcurves fc ", name, s);
        gp_color(g, band);
        fprintf(g, " fs solid 1.0 noborder, \\\n       '' index %d using 1:2 with lines lw 2 lc ", s);
        gp_color(g, line);
        if (occ && ring->capacity > 0)
            fprintf(g, ", \\\n       %d with lines dt 2 lw 1.5 lc rgb \"#777777\"", ring->capacity);
        fputc('\n', g);
        fputs("  unset label 5\n", g);
    }
    /* The last cell holds the legend, so no panel's data hides under it. */
    fputs("  unset title\n  unset xlabel\n  unset ylabel\n  unset border\n  unset xtics\n  unset ytics\n  unset grid\n"
          "  set xrange [0:1]\n  set yrange [0:1]\n"
          "  set key center center vertical Left reverse samplen 3 spacing 1.5 font \",11\"\n"
          "  plot NaN with filledcurves y1=0 fs solid 1.0 fc ", g);
    gp_color(g, band);
    fputs(" title ", g);
    gnuplot_quote(g, i18n_text("band90", c->l));
    fputs(", \\\n       NaN with lines lw 2 lc ", g);
    gp_color(g, line);
    fputs(" title ", g);
    gnuplot_quote(g, i18n_text("mean", c->l));
    if (occ) {
        fputs(", \\\n       NaN with lines dt 2 lw 1.5 lc rgb \"#777777\" title ", g);
        gnuplot_quote(g, i18n_text("capacity", c->l));
    }
    fputc('\n', g);
    return pf_close(c, &p);
}

/* Integral over [a, b] of the piecewise-linear interpolation of y(x). */
static double integrate(const double *x, const double *y, int n, size_t ystride, double a, double b)
{
    double sum = 0.0;
    for (int k = 0; k + 1 < n; k++) {
        double x0 = x[k], x1 = x[k + 1];
        double lo = fmax(a, x0), hi = fmin(b, x1);
        if (!(hi > lo) || !(x1 > x0)) continue;
        double y0 = y[k * ystride], y1 = y[(k + 1) * ystride];
        if (!isfinite(y0) || !isfinite(y1)) continue;
        double ylo = y0 + (y1 - y0) * (lo - x0) / (x1 - x0);
        double yhi = y0 + (y1 - y0) * (hi - x0) / (x1 - x0);
        sum += 0.5 * (ylo + yhi) * (hi - lo);
    }
    return sum;
}

static double kpi_mean(const cJSON *kpis, const char *path)
{
    const cJSON *k = results_kpi(kpis, path);
    return results_json_num(k, "mean", NAN);
}

/* Spending per calendar year, stacked by ring, with the budget. The ring
 * split integrates each ring's spending rate from timeseries.csv; the year
 * totals are summary.json's by_year spending (exact) when present. */
static int plot_spending(struct pctx *c, const struct results_run *r)
{
    if (r->n_snap < 2) return 0;
    int n_rings = 0;
    for (int f = 0; f < r->n_flows; f++) n_rings += r->flows[f].n_rings;
    if (n_rings == 0) return 0;
    double xa = r->x_year[0] + r->warmup_years, xb = r->x_year[r->n_snap - 1];
    int y0 = (int)floor(xa + 1e-9), y1 = (int)ceil(xb - 1e-9);
    int n_years = y1 - y0;
    if (n_years <= 0 || n_years > 500) return 0;
    struct pfiles p;
    if (pf_open(c, &p, "spending", 1150, 620) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    double *val = calloc((size_t)n_years * n_rings, sizeof *val);
    double *budget = calloc((size_t)n_years, sizeof *budget);
    bool *part = calloc((size_t)n_years, sizeof *part);
    if (!val || !budget || !part) {
        free(val); free(budget); free(part);
        afile_abort(&p.gp); afile_abort(&p.dat);
        return err_set(c->e, EXIT_RUNTIME, "out of memory drawing spending");
    }
    double top = 0.0;
    bool any_budget = false, any_part = false;
    for (int y = 0; y < n_years; y++) {
        double a = fmax(xa, y0 + y), b = fmin(xb, y0 + y + 1.0);
        part[y] = b - a < 0.99;
        any_part |= part[y];
        double sum = 0.0;
        int j = 0;
        for (int f = 0; f < r->n_flows; f++)
            for (int s = 0; s < r->flows[f].n_rings; s++, j++) {
                const double *col = &r->ts[(size_t)(r->flows[f].slot0 + s) * RESULTS_TS_COLS + TS_SPEND];
                val[y * n_rings + j] = integrate(r->x_year, col, r->n_snap,
                                                 (size_t)r->n_slots * RESULTS_TS_COLS, a, b);
                sum += val[y * n_rings + j];
            }
        char path[64];
        snprintf(path, sizeof path, "by_year/%d/spending", y0 + y);
        double total = kpi_mean(r->kpis, path);
        if (isfinite(total) && sum > 0)
            for (j = 0; j < n_rings; j++) val[y * n_rings + j] *= total / sum;
        else total = sum;
        snprintf(path, sizeof path, "by_year/%d/budget", y0 + y);
        budget[y] = kpi_mean(r->kpis, path);
        if (!isfinite(budget[y])) budget[y] = r->budget_annual;
        if (budget[y] > 0) any_budget = true;
        else budget[y] = NAN;
        top = fmax(top, fmax(total, isfinite(budget[y]) ? budget[y] : 0.0));
    }
    fprintf(d, "# one row per calendar year (* = only part of the year simulated after warm-up);\n"
               "# columns: year, spending in DKK million per ring (innermost first, flow by flow), budget\n"
               "# year");
    for (int f = 0; f < r->n_flows; f++)
        for (int s = 0; s < r->flows[f].n_rings; s++) dat_comment(d, " %s/%s", r->flows[f].id, r->flows[f].rings[s].id);
    fputs(" budget\n", d);
    for (int y = 0; y < n_years; y++) {
        fprintf(d, "\"%d%s\"", y0 + y, part[y] ? "*" : "");
        for (int j = 0; j < n_rings; j++) fprintf(d, " %.6f", val[y * n_rings + j] / 1e6);
        if (isfinite(budget[y])) fprintf(d, " %.6f\n", budget[y] / 1e6);
        else fputs(" NaN\n", d);
    }
    double ytop = axis_top(top / 1e6);
    fputs("  set title ", g);
    gnuplot_quote(g, i18n_text("spending_title", c->l));
    fputs(" font \",14\"\n", g);
    fputs("  set style data histograms\n  set style histogram rowstacked\n"
          "  set style fill solid 1.0 border rgb \"white\"\n  set boxwidth 0.72\n"
          "  set key outside right top vertical Left reverse samplen 2 spacing 1.25 font \",9\"\n"
          "  set xtics scale 0\n  set grid noxtics\n", g);
    fputs("  set ylabel ", g);
    gnuplot_quote(g, i18n_text("spending_axis", c->l));
    fprintf(g, "\n  set yrange [0:%.10g]\n", ytop);
    gp_tics(g, "y", 0.0, ytop, 6, c->l);
    if (any_part) {
        char note[128];
        snprintf(note, sizeof note, "* %s", i18n_text("partial_year", c->l));
        fputs("  set label 1 ", g);
        gnuplot_quote(g, note);
        fputs(" at screen 0.01, screen 0.03 font \",9\"\n", g);
    }
    fputs("  plot \\\n", g);
    int j = 0;
    for (int f = 0; f < r->n_flows; f++) {
        fputs("    keyentry with boxes fc rgb \"white\" fs solid 0 noborder title ", g);
        char name[256], head[sizeof name + 1];
        key_title(name, sizeof name, r->flows[f].name, 43);
        snprintf(head, sizeof head, "%s:", name);
        gnuplot_quote(g, head);
        fputs(", \\\n", g);
        for (int s = 0; s < r->flows[f].n_rings; s++, j++) {
            char t[512];
            key_title(t, sizeof t, r->flows[f].rings[s].name, 44);
            fprintf(g, "    'spending.dat' using %d%s title ", j + 2, j == 0 ? ":xtic(1)" : "");
            gnuplot_quote(g, t);
            fputs(" lc ", g);
            gp_color(g, ring_color(f, s, r->flows[f].n_rings));
            fputs(", \\\n", g);
        }
    }
    if (any_budget) {
        fprintf(g, "    'spending.dat' using ($0-0.45):%d:(0.9):(0) with vectors nohead lw 3 lc rgb \"#c0392b\" title ",
                n_rings + 2);
        gnuplot_quote(g, i18n_text("budget", c->l));
        fputs(", \\\n", g);
    }
    fputs("    NaN notitle\n", g);
    free(val);
    free(budget);
    free(part);
    return pf_close(c, &p);
}

/* Where the citizens of each flow are at the first and the last snapshot:
 * 100% stacked columns, innermost ring at the bottom, `none` on top. */
static int plot_outward(struct pctx *c, const struct results_run *r)
{
    if (r->n_snap < 2 || r->n_flows == 0) return 0;
    /* Keys below the columns, titles wrapped: a long name ("... på
     * almindelige vilkår") neither squeezes the columns nor leaves the
     * picture. */
    int key_lines = 0;
    for (int f = 0; f < r->n_flows; f++)
        if (r->flows[f].n_rings + 1 > key_lines) key_lines = r->flows[f].n_rings + 1;
    int key_px = 16 * key_lines + 16, height = 540 + key_px;
    struct pfiles p;
    if (pf_open(c, &p, "outward", 420 * r->n_flows + 80, height) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per flow; one row per (time, state), innermost first, then outside the flow;\n"
               "# columns: x (0 start, 1 end), share from, share to (%%), share (%%), colour, dark (1: white label)\n");
    int ks[2] = { 0, r->n_snap - 1 };
    for (int f = 0; f < r->n_flows; f++) {
        const struct results_flow *fl = &r->flows[f];
        if (f) fputs("\n\n", d);
        dat_comment(d, "# flow %d: %s\n", f, fl->id);
        for (int i = 0; i < 2; i++) {
            double total = 0.0;
            for (int s = 0; s <= fl->n_rings; s++) {
                double v = results_ts(r, ks[i], fl->slot0 + s)[TS_OCC];
                if (isfinite(v)) total += v;
            }
            double cum = 0.0;
            for (int s = 0; s <= fl->n_rings; s++) {
                double v = results_ts(r, ks[i], fl->slot0 + s)[TS_OCC];
                double share = total > 0 && isfinite(v) ? 100.0 * v / total : 0.0;
                uint32_t col = s < fl->n_rings ? ring_color(f, s, fl->n_rings) : 0xd9d9d9;
                fprintf(d, "%d %.4f %.4f %.4f %u %d\n", i, cum, cum + share, share, (unsigned)col, is_dark(col));
                cum += share;
            }
        }
    }
    fputs("  set multiplot layout 1,", g);
    fprintf(g, "%d title ", r->n_flows);
    gnuplot_quote(g, i18n_text("outward_title", c->l));
    fputs(" font \",14\"\n", g);
    char lab0[64], lab1[64];
    snprintf(lab0, sizeof lab0, "%s\n%.0f", i18n_text("start", c->l), floor(r->x_year[0] + 1e-9));
    snprintf(lab1, sizeof lab1, "%s\n%.0f", i18n_text("end", c->l), floor(r->x_year[r->n_snap - 1] - 1e-9));
    fputs("  set xrange [-0.6:1.6]\n  set yrange [0:100]\n  set xtics scale 0 (", g);
    gnuplot_quote(g, lab0);
    fputs(" 0, ", g);
    gnuplot_quote(g, lab1);
    fputs(" 1)\n", g);
    gp_tics(g, "y", 0.0, 100.0, 5, c->l);
    fputs("  set ylabel ", g);
    gnuplot_quote(g, i18n_text("outward_axis", c->l));
    fprintf(g, "\n  set key outside center bottom vertical Left reverse maxcols 1 samplen 1.5 spacing 1.1 font \",9\"\n"
               "  set style fill solid 1.0 border lc rgb \"white\"\n  set bmargin at screen %.4f\n",
            (key_px + 40.0) / height);
    const char *fmt = c->l == LANG_DA ? "%.0f %%" : "%.0f%%";
    for (int f = 0; f < r->n_flows; f++) {
        const struct results_flow *fl = &r->flows[f];
        fputs("  set title ", g);
        gnuplot_quote(g, fl->name);
        fputs(" font \",12\"\n", g);
        fprintf(g, "  plot 'outward.dat' index %d using 1:(($2+$3)/2):($1-0.32):($1+0.32):2:3:5 "
                   "with boxxyerror fc rgb variable, \\\n", f);
        fprintf(g, "       '' index %d using 1:(($2+$3)/2):($4 >= 4 && $6 == 1 ? sprintf(\"%s\", $4) : \"\") "
                   "with labels tc rgb \"white\" font \",9\", \\\n", f, fmt);
        fprintf(g, "       '' index %d using 1:(($2+$3)/2):($4 >= 4 && $6 == 0 ? sprintf(\"%s\", $4) : \"\") "
                   "with labels tc rgb \"#222222\" font \",9\"", f, fmt);
        /* Key from the top of the column down: outside first. */
        for (int s = fl->n_rings; s >= 0; s--) {
            char t[512];
            if (s == fl->n_rings) snprintf(t, sizeof t, "%s", i18n_text("outside_flow", c->l));
            else key_title(t, sizeof t, fl->rings[s].name, KEY_CHARS);
            fputs(", \\\n       keyentry with boxes fc ", g);
            gp_color(g, s < fl->n_rings ? ring_color(f, s, fl->n_rings) : 0xd9d9d9);
            fputs(" title ", g);
            gnuplot_quote(g, t);
        }
        fputc('\n', g);
        if (f == 0) fputs("  unset ylabel\n", g);
    }
    return pf_close(c, &p);
}

/* True when ring s of flow f has a waits curve: requests, and not all
 * placed at once (that would be a flat line at 100%). */
static bool wait_shown(const struct results_run *r, int f, int s)
{
    int slot = r->flows[f].slot0 + s;
    return r->wait_count[slot] > 0 && 1.0 - r->wait_share[slot * r->n_bins] > 1e-9;
}

/* Waiting time until placement, per ring: the share of requests placed
 * within x days (cumulative), from waits.csv. */
static int plot_waits(struct pctx *c, const struct results_run *r)
{
    if (r->n_bins < 2 || r->n_flows == 0) return 0;
    /* The keys go below the panels (never over a curve): room for the
     * longest one, its titles wrapped to the panel's width. */
    int key_lines = 1;
    for (int f = 0; f < r->n_flows; f++) {
        int lines = 0;
        for (int s = 0; s < r->flows[f].n_rings; s++) lines += wait_shown(r, f, s);
        key_lines = lines > key_lines ? lines : key_lines;
    }
    int key_px = 16 * key_lines + 16, height = 470 + key_px;
    struct pfiles p;
    if (pf_open(c, &p, "waits", 560 * r->n_flows + 40, height) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    int nb = r->n_bins - 1;            /* the last bin is open-ended */
    fprintf(d, "# one block per ring (all flows, innermost first); columns: days, %% of requests placed\n"
               "# within that many days (NaN: the ring had no requests)\n");
    double xmax = 0.0;
    int block = 0;
    for (int f = 0; f < r->n_flows; f++)
        for (int s = 0; s < r->flows[f].n_rings; s++, block++) {
            const struct results_ring *ring = &r->flows[f].rings[s];
            int slot = r->flows[f].slot0 + s;
            fputs(block ? "\n\n" : "", d);
            dat_comment(d, "# block %d: %s/%s (%s)\n", block, r->flows[f].id, ring->id, ring->name);
            double cum = 0.0;
            for (int b = 0; b < nb; b++) {
                double sh = r->wait_share[slot * r->n_bins + b];
                if (isfinite(sh)) cum += sh;
                if (isfinite(sh) && sh > 0 && b > 0 && isfinite(r->wait_to[b])) xmax = fmax(xmax, r->wait_to[b]);
                fprintf(d, "%.6g ", isfinite(r->wait_to[b]) ? r->wait_to[b] : 0.0);
                if (r->wait_count[slot] > 0) fprintf(d, "%.6f\n", 100.0 * cum);
                else fputs("NaN\n", d);
            }
        }
    double xtop = axis_top(fmax(xmax, 60.0));
    if (isfinite(r->wait_to[nb - 1])) xtop = fmin(xtop, r->wait_to[nb - 1]);
    fputs("  set multiplot layout 1,", g);
    fprintf(g, "%d title ", r->n_flows);
    gnuplot_quote(g, i18n_text("waits_title", c->l));
    fprintf(g, " font \",14\"\n  set xrange [0:%.10g]\n  set yrange [0:100]\n", xtop);
    gp_tics(g, "x", 0.0, xtop, 6, c->l);
    gp_tics(g, "y", 0.0, 100.0, 5, c->l);
    fputs("  set grid xtics ytics\n  set xlabel ", g);
    gnuplot_quote(g, i18n_text("waits_axis_x", c->l));
    fputs("\n  set ylabel ", g);
    gnuplot_quote(g, i18n_text("waits_axis_y", c->l));
    fprintf(g, "\n  set key outside center bottom vertical Left reverse maxcols 1 samplen 4 spacing 1.1 font \",9\"\n"
               "  set bmargin at screen %.4f\n", (key_px + 56.0) / height);
    block = 0;
    for (int f = 0; f < r->n_flows; f++) {
        fputs("  set title ", g);
        gnuplot_quote(g, r->flows[f].name);
        fputs(" font \",12\"\n", g);
        int shown = 0;
        for (int s = 0; s < r->flows[f].n_rings; s++) shown += wait_shown(r, f, s);
        if (!shown) {
            fputs("  set label 2 ", g);
            gnuplot_quote(g, i18n_text("no_waits", c->l));
            fputs(" at graph 0.5, graph 0.5 center\n  plot NaN notitle\n  unset label 2\n", g);
            block += r->flows[f].n_rings;
        } else {
            shown = 0;
            fputs("  plot ", g);
            for (int s = 0; s < r->flows[f].n_rings; s++, block++) {
                if (!wait_shown(r, f, s)) continue;
                char t[512];
                key_title(t, sizeof t, r->flows[f].rings[s].name, KEY_CHARS);
                /* Rings of one flow told apart by hue, dashes and marks. */
                fprintf(g, "%s'waits.dat' index %d using 1:2 with linespoints pt %d ps 0.5 lw 2 dt %d lc ",
                        shown ? ", \\\n       " : "", block, line_point(shown), line_dash(shown));
                gp_color(g, line_color(shown));
                fputs(" title ", g);
                gnuplot_quote(g, t);
                shown++;
            }
            fputc('\n', g);
        }
        if (f == 0) fputs("  unset ylabel\n", g);
    }
    return pf_close(c, &p);
}

/* ---------------------------------------------------------------- comparison */

struct cmp_row { char path[256]; char label[256]; };

static int add_row(struct cmp_row *rows, int n, int max, const char *path, const char *label)
{
    if (n >= max) return n;
    snprintf(rows[n].path, sizeof rows[n].path, "%s", path);
    snprintf(rows[n].label, sizeof rows[n].label, "%s", label);
    return n + 1;
}

/* True when some alternative's difference at path is not exactly zero. */
static bool cmp_nonzero(const struct results_cmp *m, const char *path)
{
    for (int i = 1; i < m->n_scen; i++) {
        const cJSON *k = results_kpi(m->diff[i], path);
        double mean = results_json_num(k, "mean", 0.0), sd = results_json_num(k, "sd", 0.0);
        if (mean != 0.0 || sd != 0.0) return true;
    }
    return false;
}

/* The KPI differences with their 95% CIs as horizontal bars, one panel per
 * unit; pale bars are not real differences (their CI holds 0). */
static int plot_cmp_kpis(struct pctx *c, const struct results_cmp *m)
{
    if (m->n_scen < 2) return 0;
    const struct results_run *b = m->run[0];
    enum { MAXR = 48 };
    struct panel { const char *title_en, *title_da; double scale; int n; struct cmp_row rows[MAXR]; };
    struct panel *pan = calloc(4, sizeof *pan);
    if (!pan) return err_set(c->e, EXIT_RUNTIME, "out of memory");
    pan[0] = (struct panel){ "Cost per year (DKK million)", "Udgift pr. år (mio. kr.)", 1e-6, 0, { { "", "" } } };
    pan[1] = (struct panel){ "Waiting list, mean (citizens)", "Venteliste, gns. (borgere)", 1.0, 0, { { "", "" } } };
    pan[2] = (struct panel){ "Waiting time, mean (days)", "Ventetid, gns. (dage)", 1.0, 0, { { "", "" } } };
    pan[3] = (struct panel){ "Moves outward per 100 citizen-years", "Bevægelser udad pr. 100 borgerår", 1.0, 0,
                             { { "", "" } } };
    pan[0].n = add_row(pan[0].rows, 0, MAXR, "cost_per_year", i18n_text("all_flows", c->l));
    char wrapped[256];
    wrap(wrapped, sizeof wrapped, i18n_kpi("referral_to_placement_days", c->l), 30);
    pan[2].n = add_row(pan[2].rows, 0, MAXR, "referral_to_placement_days", wrapped);
    pan[3].n = add_row(pan[3].rows, 0, MAXR, "progressions_per_100_citizen_years", i18n_text("all_flows", c->l));
    if (!b) {
        /* No run directory for the base: rings from the tree, ids as names. */
        const cJSON *fl, *g, *flows = results_kpi(m->diff[1], "flows");
        cJSON_ArrayForEach(fl, flows) {
            char path[256];
            snprintf(path, sizeof path, "flows/%s/progressions_per_100_citizen_years", fl->string);
            pan[3].n = add_row(pan[3].rows, pan[3].n, MAXR, path, fl->string);
            cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(fl, "rings")) {
                snprintf(path, sizeof path, "flows/%s/rings/%s/waiting_list_mean", fl->string, g->string);
                if (cmp_nonzero(m, path)) pan[1].n = add_row(pan[1].rows, pan[1].n, MAXR, path, g->string);
                snprintf(path, sizeof path, "flows/%s/rings/%s/wait_days_mean", fl->string, g->string);
                if (cmp_nonzero(m, path)) pan[2].n = add_row(pan[2].rows, pan[2].n, MAXR, path, g->string);
            }
        }
    } else {
        for (int f = 0; f < b->n_flows; f++) {
            const struct results_flow *fl = &b->flows[f];
            char path[256], label[256];
            snprintf(path, sizeof path, "flows/%s/progressions_per_100_citizen_years", fl->id);
            pan[3].n = add_row(pan[3].rows, pan[3].n, MAXR, path, fl->name);
            for (int s = 0; s < fl->n_rings; s++) {
                wrap(label, sizeof label, fl->rings[s].name, 30);
                snprintf(path, sizeof path, "flows/%s/rings/%s/waiting_list_mean", fl->id, fl->rings[s].id);
                if (cmp_nonzero(m, path)) pan[1].n = add_row(pan[1].rows, pan[1].n, MAXR, path, label);
                snprintf(path, sizeof path, "flows/%s/rings/%s/wait_days_mean", fl->id, fl->rings[s].id);
                if (cmp_nonzero(m, path)) pan[2].n = add_row(pan[2].rows, pan[2].n, MAXR, path, label);
            }
        }
    }
    int n_pan = 0;
    for (int i = 0; i < 4; i++) n_pan += pan[i].n > 0;
    struct pfiles p;
    int rows_total = 0;
    for (int i = 0; i < 4; i++) rows_total += pan[i].n;
    /* The legend: rows of at most three "alternative − base" labels under
     * the panels, then the note on pale bars. */
    int n_alt = m->n_scen - 1, leg_rows = (n_alt + 2) / 3, leg_px = 22 * leg_rows + 24;
    int height = 260 + 26 * rows_total * n_alt / 2 + 96 + leg_px;
    int rc = pf_open(c, &p, "compare_kpis", 1150, height);
    if (rc) { free(pan); return rc < 0 ? -1 : 0; }
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per panel; one row per (KPI, alternative);\n"
               "# columns: y, difference (alternative - base), 95%% CI low, high, real (1/0), colour\n");
    int block = 0;
    int pan_rows = (n_pan + 1) / 2, pan_cols = n_pan > 1 ? 2 : 1;
    /* Fixed margins leave room for the ring names left of each panel and
     * for the legend line at the bottom. */
    fprintf(g, "  set multiplot layout %d,%d margins %.2f,0.98,%.4f,0.90 spacing %.2f,0.10 title ",
            pan_rows, pan_cols, pan_cols > 1 ? 0.21 : 0.30, (leg_px + 50.0) / height, 0.21);
    char title[512];
    snprintf(title, sizeof title, "%s", i18n_text("diff_title", c->l));
    gnuplot_quote(g, title);
    fputs(" font \",14\"\n  set grid xtics noytics\n  set ytics scale 0\n"
          "  set style fill solid 1.0 noborder\n", g);
    int last = -1;
    for (int i = 0; i < 4; i++)
        if (pan[i].n) last = i;
    for (int i = 0; i < 4; i++) {
        struct panel *pn = &pan[i];
        if (!pn->n) continue;
        if (block) fputs("\n\n", d);
        fprintf(d, "# panel %d: %s\n", block, pn->title_en);
        double lo = 0.0, hi = 0.0, h = 0.8 / n_alt;
        for (int rI = 0; rI < pn->n; rI++)
            for (int a = 1; a <= n_alt; a++) {
                const cJSON *k = results_kpi(m->diff[a], pn->rows[rI].path);
                double mean = results_json_num(k, "mean", NAN) * pn->scale;
                const cJSON *ci = cJSON_GetObjectItemCaseSensitive(k, "ci95");
                double cl = cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) ? cJSON_GetArrayItem(ci, 0)->valuedouble * pn->scale : NAN;
                double ch = cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)) ? cJSON_GetArrayItem(ci, 1)->valuedouble * pn->scale : NAN;
                bool real = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "real"));
                double y = pn->n - 1 - rI + (n_alt > 1 ? 0.4 - h * (a - 0.5) : 0.0);
                uint32_t col = scenario_color(a);
                if (!real) col = lighten(col, 0.62);
                fprintf(d, "%.4f %.10g %.10g %.10g %d %u\n", y, mean, cl, ch, real, (unsigned)col);
                double vals[3] = { mean, cl, ch };
                for (int v = 0; v < 3; v++)
                    if (isfinite(vals[v])) { lo = fmin(lo, vals[v]); hi = fmax(hi, vals[v]); }
            }
        double pad = (hi - lo) * 0.08;
        if (!(hi - lo > 0)) { lo = -1; hi = 1; pad = 0; }
        lo -= pad; hi += pad;
        fputs("  set title ", g);
        gnuplot_quote(g, c->l == LANG_DA ? pn->title_da : pn->title_en);
        fprintf(g, " font \",11\"\n  set xrange [%.10g:%.10g]\n  set yrange [-0.6:%.4f]\n", lo, hi, pn->n - 0.4);
        gp_tics(g, "x", lo, hi, 5, c->l);
        fputs("  set ytics (", g);
        for (int rI = 0; rI < pn->n; rI++) {
            fprintf(g, "%s", rI ? ", " : "");
            gnuplot_quote(g, pn->rows[rI].label);
            fprintf(g, " %d", pn->n - 1 - rI);
        }
        fputs(")\n  set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb \"#444444\" lw 1\n", g);
        if (i == last) {                /* the legend, drawn once */
            for (int a = 1; a <= n_alt; a++) {
                char t[300], cut[300];
                int row = (a - 1) / 3, col = (a - 1) % 3, in_row = n_alt - 3 * row < 3 ? n_alt - 3 * row : 3;
                snprintf(t, sizeof t, "\xe2\x96\xa0 %s \xe2\x88\x92 %s", m->scen[a], m->base);
                key_title(cut, sizeof cut, t, 46);
                fprintf(g, "  set label %d ", 10 + a);
                gnuplot_quote(g, cut);
                fprintf(g, " at screen %.4f, screen %.4f center font \",11\" tc ",
                        0.5 + (col - (in_row - 1) / 2.0) * 0.33, (24.0 + 22 * (leg_rows - 1 - row) + 11) / height);
                gp_color(g, scenario_color(a));
                fputc('\n', g);
            }
            fputs("  set label 4 ", g);
            gnuplot_quote(g, i18n_text("not_real", c->l));
            fprintf(g, " at screen 0.5, screen %.4f center font \",9\" tc rgb \"#555555\"\n", 12.0 / height);
        }
        fprintf(g, "  plot 'compare_kpis.dat' index %d using ($2/2):1:(0 < $2 ? 0 : $2):(0 < $2 ? $2 : 0):"
                   "($1-%.4f):($1+%.4f):6 with boxxyerror fc rgb variable, \\\n"
                   "       '' index %d using 2:1:3:4 with xerrorbars pt 7 ps 0.5 lw 1.5 lc rgb \"#222222\"\n",
                block, h * 0.42, h * 0.42, block);
        block++;
    }
    fputs("  unset arrow 1\n  unset label\n", g);
    free(pan);
    return pf_close(c, &p);
}

/* Occupancy of the base and the alternatives, one panel per ring. */
static int plot_cmp_occupancy(struct pctx *c, const struct results_cmp *m, int fi)
{
    const struct results_run *b = m->run[0];
    if (!b || fi >= b->n_flows || b->n_snap < 2) return 0;
    const struct results_flow *fl = &b->flows[fi];
    char name[PLOT_NAME_MAX];
    safe_name(name, sizeof name, "compare_occupancy_", fl->id);
    int rows, cols;
    grid_shape(fl->n_rings + 1, &rows, &cols);
    struct pfiles p;
    if (pf_open(c, &p, name, 370 * cols + 40, 270 * rows + 70) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per (ring, scenario): index = ring * %d + scenario (base first);\n"
               "# columns: decimal calendar year, mean, 5th and 95th percentile of citizens in the ring\n",
            m->n_scen);
    double x0 = INFINITY, x1 = -INFINITY;
    for (int s = 0; s < fl->n_rings; s++)
        for (int j = 0; j < m->n_scen; j++) {
            const struct results_run *r = m->run[j];
            fputs(s || j ? "\n\n" : "", d);
            dat_comment(d, "# ring %s, scenario %s\n", fl->rings[s].id, m->scen[j]);
            int f2 = r ? results_flow_index(r, fl->id) : -1;
            int s2 = f2 >= 0 ? results_state_index(&r->flows[f2], fl->rings[s].id) : -1;
            if (s2 < 0 || s2 >= r->flows[f2].n_rings || r->n_snap == 0) { fputs("NaN NaN NaN NaN\n", d); continue; }
            for (int k = 0; k < r->n_snap; k++) {
                const double *v = results_ts(r, k, r->flows[f2].slot0 + s2) + TS_OCC;
                fprintf(d, "%.6f %.6g %.6g %.6g\n", r->x_year[k], v[0], v[1], v[2]);
                x0 = fmin(x0, r->x_year[k]);
                x1 = fmax(x1, r->x_year[k]);
            }
        }
    char title[512];
    snprintf(title, sizeof title, "%s: %s", fl->name, i18n_text("cmp_occ_title", c->l));
    fprintf(g, "  set multiplot layout %d,%d title ", rows, cols);
    gnuplot_quote(g, title);
    fputs(" font \",14\"\n", g);
    gp_year_axis(g, x0, x1, c->l);
    for (int j = 0; j < m->n_scen; j++) gp_change_marks(g, m->run[j]);
    for (int s = 0; s < fl->n_rings; s++) {
        double max = 0.0;
        for (int j = 0; j < m->n_scen; j++) {
            const struct results_run *r = m->run[j];
            int f2 = r ? results_flow_index(r, fl->id) : -1;
            int s2 = f2 >= 0 ? results_state_index(&r->flows[f2], fl->rings[s].id) : -1;
            if (s2 < 0) continue;
            for (int k = 0; k < r->n_snap; k++) {
                const double *v = results_ts(r, k, r->flows[f2].slot0 + s2) + TS_OCC;
                if (isfinite(v[2])) max = fmax(max, v[2]);
            }
        }
        double top = axis_top(max);
        ring_title(title, sizeof title, &fl->rings[s], 34, true);
        fputs("  set title ", g);
        gnuplot_quote(g, title);
        fputs(" font \",10\"\n", g);
        if (s % cols == 0) {
            fputs("  set ylabel ", g);
            gnuplot_quote(g, i18n_text("occupancy_axis", c->l));
            fputc('\n', g);
        } else {
            fputs("  unset ylabel\n", g);
        }
        fprintf(g, "  set yrange [0:%.10g]\n", top);
        gp_tics(g, "y", 0.0, top, 5, c->l);
        /* Bands first, then the alternatives' lines, the base's line last:
         * gnuplot draws in order, so the base stays visible where they meet. */
        fputs("  plot ", g);
        for (int j = 0; j < m->n_scen; j++) {
            fprintf(g, "%s'%s.dat' index %d using 1:3:4 with filledcurves fc ", j ? ", \\\n       " : "", name,
                    s * m->n_scen + j);
            gp_color(g, scenario_color(j));
            fputs(" fs transparent solid 0.15 noborder", g);
        }
        for (int k = 1; k <= m->n_scen; k++) {
            int j = k % m->n_scen;
            fprintf(g, ", \\\n       '%s.dat' index %d using 1:2 with lines lw %s lc ", name, s * m->n_scen + j,
                    j == 0 ? "2.5" : "2");
            gp_color(g, scenario_color(j));
        }
        fputc('\n', g);
    }
    fputs("  unset title\n  unset xlabel\n  unset ylabel\n  unset border\n  unset xtics\n  unset ytics\n  unset grid\n"
          "  set xrange [0:1]\n  set yrange [0:1]\n"
          "  set key center center vertical Left reverse samplen 3 spacing 1.5 font \",11\"\n  plot ", g);
    for (int j = 0; j < m->n_scen; j++) {
        char cut[256], t[sizeof cut + 16];
        key_title(cut, sizeof cut, m->scen[j], 32);      /* the key fills one panel's cell */
        snprintf(t, sizeof t, "%s%s", cut, j == 0 ? (c->l == LANG_DA ? " (basis)" : " (base)") : "");
        fprintf(g, "%sNaN with lines lw 2 lc ", j ? ", \\\n       " : "");
        gp_color(g, scenario_color(j));
        fputs(" title ", g);
        gnuplot_quote(g, t);
    }
    fputs(", \\\n       NaN with filledcurves y1=0 fs solid 1.0 fc rgb \"#dddddd\" title ", g);
    gnuplot_quote(g, i18n_text("band90", c->l));
    fputc('\n', g);
    return pf_close(c, &p);
}

/* ---------------------------------------------------------------- driving */

static int write_plots(struct pctx *c)
{
    if (resultsdir_is_comparison(c->dir)) {
        struct results_cmp m;
        if (resultsdir_read_cmp(c->dir, &m, c->e) != 0) { results_cmp_fini(&m); return -1; }
        int rc = plot_cmp_kpis(c, &m);
        for (int f = 0; rc == 0 && m.run[0] && f < m.run[0]->n_flows; f++) rc = plot_cmp_occupancy(c, &m, f);
        results_cmp_fini(&m);
        return rc;
    }
    struct results_run *r = NULL;
    if (resultsdir_read_run(c->dir, &r, c->e) != 0) return -1;
    int rc = 0;
    for (int f = 0; rc == 0 && f < r->n_flows; f++) {
        rc = plot_series(c, r, f, TS_OCC);
        if (rc == 0) rc = plot_series(c, r, f, TS_WAIT);
    }
    if (rc == 0) rc = plot_spending(c, r);
    if (rc == 0) rc = plot_outward(c, r);
    if (rc == 0) rc = plot_waits(c, r);
    results_run_free(r);
    return rc;
}

static const char *const image_ext[2] = { "png", "svg" };

/* Removes NAME.png and NAME.svg (unlink removes a link, never its target). */
static void remove_images(const struct pctx *c, const char *name)
{
    for (int x = 0; x < 2; x++) {
        char path[PATH_LEN + PLOT_NAME_MAX + 16];
        snprintf(path, sizeof path, "%s/%s.%s", c->pdir, name, image_ext[x]);
        unlink(path);
    }
}

/* Draws plot name in session d; on success its SVG goes into fig and both
 * images into plots/. */
static int draw_one(struct gnuplot_draw *d, const char *name, struct plot_figure *fig, struct err *e)
{
    char script[PLOT_NAME_MAX + 8], file[PLOT_NAME_MAX + 8], path[sizeof d->tmp + PLOT_NAME_MAX + 16];
    snprintf(script, sizeof script, "%s.gp", name);
    if (gnuplot_draw(d, script, name, PLOT_TIMEOUT_S, e) != 0) return -1;
    snprintf(file, sizeof file, "%s.svg", name);
    gnuplot_draw_path(d, file, path, sizeof path);
    char *svg = resultsdir_slurp(path, &fig->svg_len);
    if (!svg) return err_set(e, EXIT_RUNTIME, "%s: %s", path, strerror(errno ? errno : EIO));
    for (int x = 0; x < 2; x++) {
        snprintf(file, sizeof file, "%s.%s", name, image_ext[x]);
        if (gnuplot_draw_keep(d, file, e) != 0) { free(svg); return -1; }
    }
    snprintf(fig->name, sizeof fig->name, "%s", name);
    fig->svg = (unsigned char *)svg;
    return 0;
}

/* Runs gnuplot on every script written, in a private directory (gnuplot.h).
 * An image not drawn now is removed, so none is left from an older run. */
static int draw_all(struct pctx *c, struct plot_figures *figs)
{
    struct gnuplot_draw d;
    int failed = 0;
    if (gnuplot_draw_begin(&d, c->pdir, &figs->gnuplot_found, c->e) != 0) failed = -1;
    for (int i = 0; i < c->n_names; i++) {
        const char *name = c->names[i];
        struct err e = { 0 };
        if (failed >= 0 && figs->gnuplot_found && draw_one(&d, name, &figs->fig[figs->n], &e) == 0) {
            figs->n++;
            continue;
        }
        remove_images(c, name);
        if (failed >= 0 && figs->gnuplot_found && failed++ == 0)    /* name the plot */
            err_set(c->e, EXIT_RUNTIME, "%s.gp: %s", name, e.msg);
    }
    gnuplot_draw_end(&d);
    if (failed > 1) {
        char first[sizeof c->e->msg];
        snprintf(first, sizeof first, "%s", c->e->msg);
        err_set(c->e, EXIT_RUNTIME, "%s (and %d more plots failed)", first, failed - 1);
    }
    return failed ? -1 : 0;
}

void plot_figures_free(struct plot_figures *f)
{
    for (int i = 0; i < f->n; i++) free(f->fig[i].svg);
    memset(f, 0, sizeof *f);
}

enum lang plot_lang(const char *dir, const char *code)
{
    if (code && *code) return i18n_lang(code);
    char own[16];
    resultsdir_lang(dir, own, sizeof own);
    return i18n_lang(own);
}

int plot_dir(const char *dir, const char *lang, struct plot_figures *figs, struct err *e)
{
    memset(figs, 0, sizeof *figs);
    struct pctx *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, EXIT_RUNTIME, "out of memory");
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(c->pdir, sizeof c->pdir, "%s/plots", dir);
    c->l = plot_lang(dir, lang);
    c->e = e;
    int rc = afile_mkdirs(c->pdir, e);
    struct stat sb;
    /* plots/ must be a directory of its own, not a link to elsewhere. */
    if (rc == 0 && (lstat(c->pdir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        rc = err_set(e, EXIT_RUNTIME, "%s: not a directory", c->pdir);
    if (rc == 0) rc = write_plots(c);
    if (rc == 0) rc = draw_all(c, figs);
    free(c);
    return rc;
}
