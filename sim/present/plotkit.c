/* plotkit.c: what every plot script of flowsim shares (plotkit.h): the
 * script's frame for PNG and SVG, number-formatted axes, colours, key
 * titles, and data-file comments. Money and counts on the value axes get
 * tick labels computed here, so thousands separators and the Danish decimal
 * comma never depend on gnuplot's locale handling. */
#include "present/plotkit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/sbuf.h"
#include "base/version.h"
#include "present/gnuplot.h"

#define PATH_LEN 4096

/* ---------------------------------------------------------------- text */

/* A '#' comment of a data file: the text formatted from fmt with its line
 * breaks and control characters made spaces (gnuplot_comment), so no name
 * can start a data row; a final '\n' in fmt ends the line. */
void plotkit_dat_comment(FILE *d, const char *fmt, ...)
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
void plotkit_wrap(char *dst, size_t n, const char *s, int width)
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

double plotkit_nice_step(double span, int target)
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
double plotkit_tics(FILE *f, const char *axis, double lo, double hi, int target, enum lang l)
{
    double step = plotkit_nice_step(hi - lo, target);
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
double plotkit_axis_top(double max)
{
    if (!(max > 0)) return 1.0;
    double step = plotkit_nice_step(max, 8);
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
uint32_t plotkit_ring_color(int fl, int i, int n)
{
    double t = n > 1 ? (double)i / (n - 1) : 0.4;
    int r, g, b;
    hsl_rgb(flow_hue[fl % 4], 0.62 - 0.12 * t, 0.27 + 0.45 * t, &r, &g, &b);
    return (uint32_t)(r << 16 | g << 8 | b);
}

uint32_t plotkit_flow_color(int fl)
{
    int r, g, b;
    hsl_rgb(flow_hue[fl % 4], 0.60, 0.38, &r, &g, &b);
    return (uint32_t)(r << 16 | g << 8 | b);
}

/* Lines that must be told apart at a glance (Okabe and Ito's colours,
 * safe for colour-blind readers; then dash types and point types). */
uint32_t plotkit_line_color(int i)
{
    static const uint32_t c[] = { 0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0x000000 };
    return c[i % 7];
}

int plotkit_line_dash(int i)
{
    static const int dt[] = { 1, 2, 4, 5, 3 };
    return dt[i % 5];
}

int plotkit_line_point(int i)
{
    static const int pt[] = { 7, 5, 9, 13, 11, 15, 3 };
    return pt[i % 7];
}

/* A key's title: one line (gnuplot sets a key's lines over each other),
 * at most max characters (UTF-8), cut with "…" so no key leaves its
 * picture. */
void plotkit_key_title(char *dst, size_t n, const char *s, int max)
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

/* Colours of scenarios in a comparison: the base in dark grey. */
uint32_t plotkit_scenario_color(int i)
{
    static const uint32_t c[] = { 0x404040, 0x1f77b4, 0xd95f02, 0x1b9e77, 0x7570b3, 0xe7298a,
                                  0x66a61e, 0xa6761d };
    return c[i % 8];
}

uint32_t plotkit_lighten(uint32_t c, double t)
{
    int r = (int)(((c >> 16) & 255) * (1 - t) + 255 * t), g = (int)(((c >> 8) & 255) * (1 - t) + 255 * t),
        b = (int)((c & 255) * (1 - t) + 255 * t);
    return (uint32_t)(r << 16 | g << 8 | b);
}

bool plotkit_is_dark(uint32_t c)
{
    return 0.299 * ((c >> 16) & 255) + 0.587 * ((c >> 8) & 255) + 0.114 * (c & 255) < 140;
}

static bool isalnum_ascii(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Only [A-Za-z0-9_-] in file names made from ids. */
void plotkit_safe_name(char *dst, size_t n, const char *prefix, const char *id)
{
    size_t o = (size_t)snprintf(dst, n, "%s", prefix);
    for (const char *p = id; *p && o + 1 < n; p++)
        dst[o++] = (isalnum_ascii(*p) || *p == '-' || *p == '_') ? *p : '_';
    dst[o < n ? o : n - 1] = '\0';
}

/* ---------------------------------------------------------------- writing */

/* Opens NAME.gp and NAME.dat and writes the script's frame: both
 * terminals in one loop, so a restyle applies to PNG and SVG alike. */
int plotkit_open(struct plot_ctx *c, struct plot_files *p, const char *name, int w, int h)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    char path[PATH_LEN + PLOTKIT_NAME_MAX + 8];
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

int plotkit_close(struct plot_ctx *c, struct plot_files *p)
{
    fputs("  unset multiplot\n  set output\n}\n", p->g);
    if (afile_commit(&p->gp, c->e) != 0) { afile_abort(&p->dat); return -1; }
    if (afile_commit(&p->dat, c->e) != 0) return -1;
    if (c->n_names < PLOTKIT_MAX) snprintf(c->names[c->n_names++], PLOTKIT_NAME_MAX, "%s", p->name);
    return 0;
}

void plotkit_color(FILE *f, uint32_t rgb)
{
    fprintf(f, "rgb \"#%06x\"", (unsigned)rgb);
}

/* "Name\n(law)" wrapped to width: a panel or key title. */
void plotkit_ring_title(char *dst, size_t n, const struct results_ring *g, int width, bool with_law)
{
    char w[512];
    plotkit_wrap(w, sizeof w, g->name, width);
    if (with_law && g->law && *g->law) sbuf_fmt(dst, n, "%s\n(%s)", w, g->law);
    else sbuf_fmt(dst, n, "%s", w);
}

void plotkit_grid_shape(int cells, int *rows, int *cols)
{
    *cols = cells <= 3 ? cells : cells <= 4 ? 2 : cells <= 9 ? 3 : 4;
    *rows = (cells + *cols - 1) / *cols;
}

void plotkit_year_axis(FILE *g, double x0, double x1, enum lang l)
{
    fputs("  set xlabel ", g);
    gnuplot_quote(g, i18n_text("year", l));
    fputs(" offset 0,0.4\n", g);
    double span = x1 - x0;
    int step = span <= 6 ? 1 : span <= 14 ? 2 : span <= 30 ? 5 : 10;   /* panels are narrow */
    fprintf(g, "  set xrange [%.6f:%.6f]\n  set xtics %d, %d format \"%%.0f\"\n",
            x0, x1, (int)ceil(x0 - 1e-9), step);
}

/* A dashed vertical line at each date of a plan (docs/plans.md: the plots mark
 * each change), in every panel drawn after it. */
void plotkit_change_marks(FILE *g, const struct results_run *r)
{
    for (int i = 0; r && i < r->n_changes; i++)
        fprintf(g, "  set arrow %d from %.6f, graph 0 to %.6f, graph 1 nohead dt 2 lw 1.5 "
                   "lc rgb \"#7a3b9e\" front\n", 100 + i, r->change_x[i], r->change_x[i]);
}


void plotkit_ring_panel(FILE *g, const struct results_ring *ring, bool occ, bool first_col,
                        double top, enum lang l)
{
    char title[512];
    plotkit_ring_title(title, sizeof title, ring, 34, true);
    fputs("  set title ", g);
    gnuplot_quote(g, title);
    fputs(" font \",10\"\n", g);
    if (first_col) {
        fputs("  set ylabel ", g);
        gnuplot_quote(g, i18n_text(occ ? "occupancy_axis" : "waiting_axis", l));
        fputc('\n', g);
    } else {
        fputs("  unset ylabel\n", g);
    }
    fprintf(g, "  set yrange [0:%.10g]\n", top);
    plotkit_tics(g, "y", 0.0, top, 5, l);
}
