/* test_plot.c: number formats (i18n), the plots drawn from a small run
 * (PNG signature and size, .dat row counts), a missing or failing gnuplot
 * degrading to one line on stderr with exit 0, report.html holding every
 * KPI of summary.json, and a comparison's plots and report. Uses the built
 * program (FLOWSIM_BIN) on tests/data/small.cfg with 3 replications. */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "analysis/calib.h"
#include "analysis/calib_out.h"
#include "analysis/panel.h"
#include "base/sbuf.h"
#include "model/model.h"
#include "present/fitcheck.h"
#include "engine/sim.h"
#include "present/gnuplot.h"
#include "present/i18n.h"
#include "tests.h"
#include "util.h"


/* Data rows of a .dat: lines that are neither blank nor comments. */
static int dat_rows(const char *s)
{
    int n = 0;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > 0 && s[0] != '#') n++;
        s += len + (e != NULL);
    }
    return n;
}

/* small.cfg with output.plots switched on, written into t. */
static void small_with_plots(const struct tmp *t)
{
    char *cfg = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(cfg);
    char *p = strstr(cfg, "plots = false");
    assert_non_null(p);
    memcpy(p, "plots = true ", 13);
    char path[256];
    snprintf(path, sizeof path, "%s/small.cfg", t->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(cfg, f);
    fclose(f);
    free(cfg);
}

static void test_i18n_numbers(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(i18n_num(b, sizeof b, 1234567.8, 0, LANG_DA), "1.234.568");
    assert_string_equal(i18n_num(b, sizeof b, 1234567.8, 0, LANG_EN), "1,234,568");
    assert_string_equal(i18n_num(b, sizeof b, 1234.5, 2, LANG_DA), "1.234,50");
    assert_string_equal(i18n_num(b, sizeof b, -98765.4321, 1, LANG_EN), "-98,765.4");
    assert_string_equal(i18n_num(b, sizeof b, 999.5, 0, LANG_EN), "1,000");   /* carry into a group */
    assert_string_equal(i18n_num(b, sizeof b, 100.0, 0, LANG_DA), "100");
    assert_string_equal(i18n_num(b, sizeof b, -0.04, 1, LANG_DA), "0,0");     /* no "-0,0" */
    assert_string_equal(i18n_num(b, sizeof b, NAN, 2, LANG_EN), "\xe2\x80\x93");
    assert_string_equal(i18n_dkk(b, sizeof b, 1234567.8, LANG_DA), "1.234.568 kr.");
    assert_string_equal(i18n_dkk(b, sizeof b, 1234567.8, LANG_EN), "DKK 1,234,568");
    assert_string_equal(i18n_mdkk(b, sizeof b, 391908116.9, 1, LANG_DA), "391,9 mio. kr.");
    assert_string_equal(i18n_pct(b, sizeof b, 0.43729, 1, LANG_DA), "43,7 %");
    assert_string_equal(i18n_pct(b, sizeof b, 0.43729, 1, LANG_EN), "43.7%");
    assert_int_equal(i18n_lang("da"), LANG_DA);
    assert_int_equal(i18n_lang(NULL), LANG_EN);
    assert_string_equal(i18n_kpi("occupancy_mean", LANG_DA), "Belægning (gns. antal borgere)");
    assert_string_equal(i18n_kpi("no_such_kpi", LANG_DA), "no_such_kpi");
    assert_string_equal(i18n_unit("DKK", LANG_DA), "kr.");
}

/* Checks NAME.png (signature, size), NAME.svg and NAME.gp exist; returns
 * NAME.dat's data rows. */
static int check_plot(const struct tmp *t, const char *sub, const char *name)
{
    char rel[256];
    size_t len = 0;
    snprintf(rel, sizeof rel, "%s/%s/plots/%s.png", t->dir, sub ? sub : ".", name);
    char *png = tu_slurp(rel, &len);
    if (!png) fail_msg("%s was not drawn", rel);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    if (len < 8000) fail_msg("%s is only %zu bytes", rel, len);
    free(png);
    snprintf(rel, sizeof rel, "%s/%s/plots/%s.svg", t->dir, sub ? sub : ".", name);
    char *svg = tu_slurp(rel, NULL);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    free(svg);
    snprintf(rel, sizeof rel, "%s/%s/plots/%s.gp", t->dir, sub ? sub : ".", name);
    char *gp = tu_slurp(rel, NULL);
    assert_non_null(gp);
    assert_non_null(strstr(gp, "pngcairo"));
    assert_null(strstr(gp, t->dir));              /* relative paths only */
    free(gp);
    snprintf(rel, sizeof rel, "%s/%s/plots/%s.dat", t->dir, sub ? sub : ".", name);
    char *dat = tu_slurp(rel, NULL);
    assert_non_null(dat);
    int rows = dat_rows(dat);
    free(dat);
    return rows;
}

/* The next gnuplot plot command of gp from *pos, its continuation lines
 * joined; NULL when there is none. Free it. */
static char *next_plot(const char *gp, const char **pos)
{
    const char *p = strstr(*pos, "\n  plot ");
    if (!p) return NULL;
    p++;
    struct sbuf b = { 0 };
    for (;;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        sbuf_append(&b, p, len);
        p += len + (e != NULL);
        if (!(len > 0 && p[-2] == '\\')) break;
    }
    *pos = p;
    (void)gp;
    return b.s;
}

/* UTF-8 characters of each single-quoted key title (" title '...'" in a
 * plot command, not a `set` line) of gp; returns the largest. */
static int longest_key_title(const char *gp)
{
    int longest = 0;
    for (const char *p = strstr(gp, " title '"); p; p = strstr(p + 1, " title '")) {
        const char *bol = p;
        while (bol > gp && bol[-1] != '\n') bol--;
        while (*bol == ' ') bol++;
        if (!strncmp(bol, "set ", 4)) continue;          /* a panel's or the page's title */
        int n = 0;
        for (const char *q = p + 8; *q; q++) {
            if (*q == '\'' && q[1] == '\'') { q++; n++; continue; }
            if (*q == '\'') break;
            n += ((unsigned char)*q & 0xC0) != 0x80;
        }
        if (n > longest) longest = n;
    }
    return longest;
}

static bool have_gnuplot(void)
{
    char exe[4096];
    return gnuplot_find(exe, sizeof exe);
}

static void test_plots_of_a_run(void **state)
{
    (void)state;
    if (!have_gnuplot()) skip();
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *err = tu_tmp_read(&t, "stderr");
    assert_string_equal(err, "");
    free(err);
    /* small.cfg: home has 3 rings, work 2; snapshots every 2 months over
     * 3.5 years; waits.csv has WAIT_BINS bins per ring, the last open-ended. */
    char *ts = tu_tmp_read(&t, "run/timeseries.csv");
    int n_snap = (tu_count_lines(ts) - 1) / (3 + 1 + 2 + 1);
    free(ts);
    assert_int_equal(n_snap, 22);
    assert_int_equal(check_plot(&t, "run", "occupancy_home"), 3 * n_snap);
    assert_int_equal(check_plot(&t, "run", "waiting_home"), 3 * n_snap);
    assert_int_equal(check_plot(&t, "run", "occupancy_work"), 2 * n_snap);
    assert_int_equal(check_plot(&t, "run", "waiting_work"), 2 * n_snap);
    assert_int_equal(check_plot(&t, "run", "outward"), 2 * (3 + 1) + 2 * (2 + 1));
    assert_int_equal(check_plot(&t, "run", "waits"), 5 * (WAIT_BINS - 1));
    /* Calendar years 2014 (from the end of warm-up) to 2017. */
    assert_int_equal(check_plot(&t, "run", "spending"), 4);
    char *dat = tu_tmp_read(&t, "run/plots/spending.dat");
    assert_non_null(strstr(dat, "\"2014*\""));
    assert_non_null(strstr(dat, " 4.750000\n"));   /* the budget, DKK million */
    free(dat);
    assert_false(tu_tmp_exists(&t, "run/plots/.draw.gp"));
    char *gp = tu_tmp_read(&t, "run/plots/outward.gp");
    assert_non_null(strstr(gp, "set key outside center bottom"));
    free(gp);
    assert_true(tu_tmp_exists(&t, "run/report.html"));
    tu_tmp_remove(&t);
}

/* A plan that changes a ring's places: summary.json holds the places in
 * force from each date, and the occupancy plot's dashed capacity line steps
 * with them (6, then 9 from 2015-07-01) instead of staying at the start's. */
static void test_capacity_line_follows_plan(void **state)
{
    (void)state;
    if (!have_gnuplot()) skip();
    struct tmp t;
    tu_tmp_make(&t);
    small_with_plots(&t);
    char path[256];
    snprintf(path, sizeof path, "%s/small.cfg", t.dir);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("changes = ( { date = \"2015-07-01\";\n"
          "  set = ( ( \"flows.home.rings.training.capacity\", 9 ) ); } );\n", f);
    fclose(f);
    char args[512];
    snprintf(args, sizeof args, "run %s -r 2 -q -o %s/run", path, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *js = tu_tmp_read(&t, "run/summary.json");
    cJSON *root = cJSON_Parse(js);
    free(js);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "model"), "changes"), 0);
    const cJSON *cap = cJSON_GetObjectItem(cJSON_GetObjectItem(ch, "capacity"), "home");
    assert_int_equal(cJSON_GetObjectItem(cap, "training")->valueint, 9);
    assert_int_equal(cJSON_GetObjectItem(cap, "residence")->valueint, 12);
    cJSON_Delete(root);
    /* home has 3 rings: training's places are block 3 + 1 of the .dat. */
    char *gp = tu_tmp_read(&t, "run/plots/occupancy_home.gp");
    assert_non_null(strstr(gp, "'' index 4 using 1:2 with lines dt 2"));
    assert_non_null(strstr(gp, "12 with lines dt 2"));          /* residence unchanged */
    assert_null(strstr(gp, "6 with lines dt 2"));
    free(gp);
    char *dat = tu_tmp_read(&t, "run/plots/occupancy_home.dat");
    const char *b = strstr(dat, "# places of ring 1");
    assert_non_null(b);
    b = strchr(b, '\n') + 1;
    double x[4];
    int c[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sscanf(b, "%lf %d", &x[i], &c[i]), 2);
        b = strchr(b, '\n') + 1;
    }
    assert_int_equal(c[0], 6);
    assert_int_equal(c[1], 6);
    assert_int_equal(c[2], 9);
    assert_int_equal(c[3], 9);
    assert_true(x[1] == x[2] && x[1] > 2015.49 && x[1] < 2015.51);
    assert_true(x[0] < x[1] && x[3] > x[2]);
    free(dat);
    tu_tmp_remove(&t);
}

/* Every KPI leaf of a kpis tree appears in the report by its path. */
static void check_paths(const cJSON *o, char *path, size_t n, const char *report, int *count)
{
    if (cJSON_GetObjectItemCaseSensitive(o, "mean")) {
        if (!strstr(report, path)) fail_msg("report.html lacks KPI %s", path);
        ++*count;
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, o) {
        if (!cJSON_IsObject(c)) continue;
        size_t len = strlen(path);
        snprintf(path + len, n - len, "%s%s", len ? "/" : "", c->string);
        check_paths(c, path, n, report, count);
        path[len] = '\0';
    }
}

static void test_report_holds_every_kpi(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "plot %s/run --lang da", t.dir);
    int rc = tu_flowsim(&t, "FLOWSIM_GNUPLOT=/nonexistent", args);
    assert_int_equal(rc, 1);                     /* plot without gnuplot: not drawn */
    char *html = tu_tmp_read(&t, "run/report.html");
    char *json = tu_tmp_read(&t, "run/summary.json");
    assert_non_null(html);
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    char path[512] = "";
    int count = 0;
    check_paths(cJSON_GetObjectItemCaseSensitive(root, "kpis"), path, sizeof path, html, &count);
    assert_true(count > 100);
    cJSON_Delete(root);
    /* Self-contained and in Danish: names as written, Danish numbers. */
    assert_non_null(strstr(html, "<html lang=\"da\">"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_non_null(strstr(html, "Nøgletal"));
    assert_non_null(strstr(html, "Support at home"));
    assert_non_null(strstr(html, "SEL §108"));
    assert_non_null(strstr(html, "mio. kr."));
    free(html);
    free(json);
    tu_tmp_remove(&t);
}

static void test_missing_gnuplot_degrades(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    small_with_plots(&t);
    char args[512];
    snprintf(args, sizeof args, "run %s/small.cfg -r 3 -q -o %s/run", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, "FLOWSIM_GNUPLOT=/nonexistent", args), 0);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "gnuplot not found"));
    assert_non_null(strstr(err, "gnuplot *.gp"));
    free(err);
    static const char *const names[] = { "occupancy_home", "waiting_work", "spending", "outward", "waits" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "run/plots/%s.gp", names[i]);
        assert_true(tu_tmp_exists(&t, rel));
        snprintf(rel, sizeof rel, "run/plots/%s.dat", names[i]);
        assert_true(tu_tmp_exists(&t, rel));
        snprintf(rel, sizeof rel, "run/plots/%s.png", names[i]);
        assert_false(tu_tmp_exists(&t, rel));
    }
    assert_true(tu_tmp_exists(&t, "run/summary.json"));
    char *html = tu_tmp_read(&t, "run/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "gnuplot"));     /* says why there are no plots */
    free(html);
    tu_tmp_remove(&t);
}

static void test_failing_gnuplot_is_one_warning(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    small_with_plots(&t);
    char fake[128], env[192], args[512];
    snprintf(fake, sizeof fake, "%s/fake-gnuplot", t.dir);
    FILE *f = fopen(fake, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\necho 'fake gnuplot: broken' >&2\nexit 3\n", f);
    fclose(f);
    assert_int_equal(chmod(fake, 0755), 0);
    snprintf(env, sizeof env, "FLOWSIM_GNUPLOT=%s", fake);
    snprintf(args, sizeof args, "run %s/small.cfg -r 3 -q -o %s/run", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, env, args), 0);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "flowsim: warning:"));
    assert_non_null(strstr(err, "gnuplot failed"));
    free(err);
    assert_true(tu_tmp_exists(&t, "run/summary.json"));
    assert_true(tu_tmp_exists(&t, "run/report.html"));
    assert_false(tu_tmp_exists(&t, "run/plots/outward.png"));
    assert_false(tu_tmp_exists(&t, "run/plots/.outward.drawing.png"));
    /* `flowsim plot` fails: drawing was the point. */
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, env, args), 1);
    /* Not a run directory: bad input. */
    snprintf(args, sizeof args, "plot %s", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    tu_tmp_remove(&t);
}

/* A comparison directory as compare writes it: comparison.json and one run
 * directory per scenario. */
static void test_comparison_plots(void **state)
{
    (void)state;
    if (!have_gnuplot()) skip();
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/cmp/small", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -s 77 -q -o %s/cmp/alt", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/cmp/comparison.json", t.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"flowsim_version\":\"x\",\"seed\":1,\"replications\":3,"
          "\"base\":{\"name\":\"small\",\"file\":\"small.cfg\",\"sha256\":\"\"},"
          "\"scenarios\":[{\"name\":\"small\",\"file\":\"small.cfg\",\"sha256\":\"\",\"kpis\":"
          "{\"cost_per_year\":{\"mean\":2.0e7,\"sd\":1,\"ci95\":[1.9e7,2.1e7],\"unit\":\"DKK/year\"}}},"
          "{\"name\":\"alt\",\"file\":\"alt.cfg\",\"sha256\":\"\",\"kpis\":"
          "{\"cost_per_year\":{\"mean\":1.9e7,\"sd\":1,\"ci95\":[1.8e7,2.0e7],\"unit\":\"DKK/year\"}}}],"
          "\"differences\":[{\"alternative\":\"alt\",\"kpis\":{"
          "\"cost_per_year\":{\"mean\":-1.0e6,\"sd\":2e5,\"ci95\":[-1.4e6,-0.6e6],\"real\":true},"
          "\"end_size\":{\"mean\":0.5,\"sd\":1,\"ci95\":[-1.5,2.5],\"real\":false},"
          "\"flows\":{\"home\":{\"rings\":{\"residence\":{"
          "\"waiting_list_mean\":{\"mean\":1.25,\"sd\":0.5,\"ci95\":[0.25,2.25],\"real\":true}}}}}}}]}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "plot %s/cmp --lang en", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    /* Rows: cost (1), waiting list (1 ring), waits: referral (1), outward: all + 2 flows. */
    assert_int_equal(check_plot(&t, "cmp", "compare_kpis"), 1 + 1 + 1 + 3);
    assert_int_equal(check_plot(&t, "cmp", "compare_occupancy_home"), 3 * 2 * 22);
    assert_int_equal(check_plot(&t, "cmp", "compare_occupancy_work"), 2 * 2 * 22);
    /* In each ring's panel the base's line (index ring * 2) comes last. */
    char *gp = tu_tmp_read(&t, "cmp/plots/compare_occupancy_home.gp");
    const char *pos = gp;
    char *cmd;
    int panels = 0;
    while ((cmd = next_plot(gp, &pos))) {
        const char *last = NULL;
        for (const char *q = strstr(cmd, "with lines"); q; q = strstr(q + 1, "with lines")) last = q;
        const char *idx = last;
        while (idx && idx > cmd && strncmp(idx, "index ", 6)) idx--;
        if (last && strncmp(cmd, "  plot NaN", 10)) {
            assert_true(idx > cmd);
            assert_int_equal(atoi(idx + 6) % 2, 0);
            panels++;
        }
        free(cmd);
    }
    assert_int_equal(panels, 3);
    free(gp);
    assert_true(tu_tmp_exists(&t, "cmp/small/report.html"));
    assert_true(tu_tmp_exists(&t, "cmp/alt/plots/outward.png"));
    char *html = tu_tmp_read(&t, "cmp/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "flows/home/rings/residence/waiting_list_mean"));
    assert_non_null(strstr(html, "<tr class=\"real\"><td>Cost per year"));
    assert_non_null(strstr(html, "href=\"alt/report.html\""));
    free(html);
    tu_tmp_remove(&t);
}

/* ---------------------------------------------------------------- hostile names */

/* Every data row of a .dat text starts like a number ("-", digit, NaN) or a
 * quoted year: no name can have started a row. */
static void check_dat_rows(const char *path, const char *s)
{
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > 0 && s[0] != '#' && !strchr("-0123456789N\"", s[0]))
            fail_msg("%s: a row that is no data: %.*s", path, (int)(len > 60 ? 60 : len), s);
        if (len > 0 && s[0] == '"' && !(s[1] >= '0' && s[1] <= '9'))
            fail_msg("%s: a quoted cell that is no year: %.*s", path, (int)(len > 60 ? 60 : len), s);
        s += len + (e != NULL);
    }
}

/* The .dat rows and the SVGs of dir/plots: no forged row, no "]]>" (not
 * allowed in XML text), no control character in an SVG. Returns the number
 * of SVGs. */
static int check_plots_dir(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/plots", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    int svgs = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        char file[1024];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        if (n > 4 && !strcmp(de->d_name + n - 4, ".dat")) {
            char *t = tu_slurp(file, NULL);
            check_dat_rows(file, t);
            free(t);
        } else if (n > 4 && !strcmp(de->d_name + n - 4, ".svg")) {
            char *t = tu_slurp(file, NULL);
            if (strstr(t, "]]>")) fail_msg("%s holds ]]>", file);
            for (const unsigned char *p = (const unsigned char *)t; *p; p++)
                if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') fail_msg("%s: control byte %u", file, *p);
            free(t);
            svgs++;
        }
    }
    closedir(d);
    return svgs;
}

/* The names in t's directory, sorted, joined by spaces. */
static void list_dir(const char *dir, char *out, size_t n)
{
    struct dirent **list;
    int k = scandir(dir, &list, NULL, alphasort);
    assert_true(k >= 0);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
            snprintf(out + strlen(out), n - strlen(out), "%s ", list[i]->d_name);
        free(list[i]);
    }
    free(list);
}

/* A scenario whose ring, flow and law names try to run commands (each
 * would create a file PWNED* in t), forge rows, break SVG and HTML, and
 * climb out with ../: run with real gnuplot, nothing is run, nothing
 * appears outside the output directory, and the texts arrive escaped. */
static void test_hostile_names_run_nothing(void **state)
{
    (void)state;
    if (!have_gnuplot()) {
        print_message("gnuplot not found: hostile names not drawn, test skipped\n");
        skip();
    }
    struct tmp t;
    tu_tmp_make(&t);
    char *cfg = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(cfg);
    struct sbuf b = { 0 };
    char ring[512], law[256], flow[256], work[256];
    snprintf(ring, sizeof ring, "name = \"Res `touch %s/PWNED1` \\\"q\\\" 's' ]]> <b>x</b>\\n1 2 3\\n@m ../../y $(touch %s/PWNED2)\"; "
             "law = \"L`touch %s/PWNED3`'\"", t.dir, t.dir, t.dir);
    snprintf(flow, sizeof flow, "name = \"Ho\\n0 0 0 0\\nme `touch %s/PWNED4` ]]>\"", t.dir);
    snprintf(work, sizeof work, "name = \"Sheltered' . system('touch %s/PWNED5') . '\"", t.dir);
    snprintf(law, sizeof law, "%s", "plots = true");
    static const char *const from[] = { "name = \"Residence\"; law = \"SEL §108\"", "name = \"Home\"",
                                        "name = \"Sheltered work\"", "plots = false" };
    const char *to[] = { ring, flow, work, law };
    const char *p = cfg;
    for (;;) {
        const char *hit = NULL;
        int which = -1;
        for (int i = 0; i < 4; i++) {
            const char *h = strstr(p, from[i]);
            if (h && (!hit || h < hit)) { hit = h; which = i; }
        }
        if (!hit) break;
        sbuf_append(&b, p, (size_t)(hit - p));
        sbuf_append(&b, to[which], strlen(to[which]));
        p = hit + strlen(from[which]);
    }
    sbuf_append(&b, p, strlen(p));
    free(cfg);
    tu_tmp_write(&t, "hostile.cfg", b.s);
    sbuf_free(&b);
    char before[1024], after[1024], args[512];
    snprintf(args, sizeof args, "run %s/hostile.cfg -r 3 -q -o %s/out", t.dir, t.dir);
    list_dir(t.dir, before, sizeof before);
    int rc = tu_flowsim(&t, NULL, args);
    char *err = tu_tmp_read(&t, "stderr");
    if (rc != 0 || *err) fail_msg("run: exit %d: %s", rc, err);
    free(err);
    snprintf(args, sizeof args, "plot %s/out", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    list_dir(t.dir, after, sizeof after);
    snprintf(args, sizeof args, "test -z \"$(find %s -name 'PWNED*')\"", t.dir);
    assert_int_equal(system(args), 0);
    /* Only the output directory is new (and the runner's stdout/stderr). */
    assert_string_equal(before, "hostile.cfg ");
    assert_string_equal(after, "hostile.cfg out stderr stdout ");
    char dir[128];
    snprintf(dir, sizeof dir, "%s/out", t.dir);
    assert_int_equal(check_plots_dir(dir), 7);
    char *gp = tu_tmp_read(&t, "out/plots/occupancy_home.gp");
    assert_non_null(strstr(gp, "'Res `touch'"));           /* single-quoted, not expanded */
    assert_non_null(strstr(gp, "''s''"));                  /* ' doubled */
    assert_null(strstr(gp, "\"Res"));
    free(gp);
    /* Long names are cut in keys, so no key leaves its picture. */
    static const char *const keyed[] = { "out/plots/outward.gp", "out/plots/waits.gp", "out/plots/spending.gp" };
    for (size_t i = 0; i < sizeof keyed / sizeof keyed[0]; i++) {
        gp = tu_tmp_read(&t, keyed[i]);
        int n = longest_key_title(gp);
        if (n > 57) fail_msg("%s: a key title of %d characters", keyed[i], n);
        free(gp);
    }
    char *html = tu_tmp_read(&t, "out/report.html");
    assert_null(strstr(html, "<b>x</b>"));
    assert_non_null(strstr(html, "&lt;b&gt;x&lt;/b&gt;"));
    assert_non_null(strstr(html, "&#39;s&#39;"));
    free(html);
    tu_tmp_remove(&t);
}

/* A received comparison whose scenario names hold commands, quotes and a
 * "../escape" that names a real run beside it: nothing runs, and nothing
 * is written into ../escape. */
static void test_hostile_comparison_names(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024], alt[256], esc_dir[256], pwn[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/cmp/small", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    /* gnuplot runs in a plots/ directory: a relative touch would land there. */
    snprintf(alt, sizeof alt, "alt `touch PWNED` 'q' \"dq\" ]]> <i> $(touch PWNED)");
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -s 77 -q -o '%s/cmp/%s'", t.dir, "alt");
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/cmp/alt", t.dir);
    snprintf(to, sizeof to, "%s/cmp/%s", t.dir, alt);
    assert_int_equal(rename(from, to), 0);
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/escape", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "seed", 1);
    cJSON_AddNumberToObject(root, "replications", 3);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "base"), "name", "small");
    cJSON *sc = cJSON_AddArrayToObject(root, "scenarios"), *diffs = cJSON_AddArrayToObject(root, "differences");
    const char *names[3] = { "small", alt, "../escape" };
    for (int i = 0; i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", names[i]);
        cJSON_AddStringToObject(o, "file", names[i]);
        cJSON_AddItemToArray(sc, o);
        if (i == 0) continue;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "alternative", names[i]);
        cJSON *k = cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "kpis"), "cost_per_year");
        cJSON_AddNumberToObject(k, "mean", -1e6);
        cJSON_AddNumberToObject(k, "sd", 2e5);
        cJSON *ci = cJSON_AddArrayToObject(k, "ci95");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(-1.4e6));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(-0.6e6));
        cJSON_AddTrueToObject(k, "real");
        cJSON_AddItemToArray(diffs, d);
    }
    char *json = cJSON_Print(root);
    cJSON_Delete(root);
    tu_tmp_write(&t, "cmp/comparison.json", json);
    free(json);
    snprintf(args, sizeof args, "plot %s/cmp --lang en", t.dir);
    int rc = tu_flowsim(&t, have_gnuplot() ? NULL : "FLOWSIM_GNUPLOT=/nonexistent", args);
    assert_int_equal(rc, have_gnuplot() ? 0 : 1);
    snprintf(pwn, sizeof pwn, "test -z \"$(find %s -name 'PWNED*')\"", t.dir);
    assert_int_equal(system(pwn), 0);
    snprintf(esc_dir, sizeof esc_dir, "%s/escape/plots", t.dir);
    assert_int_equal(access(esc_dir, F_OK), -1);
    assert_false(tu_tmp_exists(&t, "escape/report.html"));
    /* The alternative with a safe (if strange) name got its own report. */
    snprintf(to, sizeof to, "cmp/%s/report.html", alt);
    assert_true(tu_tmp_exists(&t, to));
    snprintf(to, sizeof to, "%s/cmp", t.dir);
    if (have_gnuplot()) check_plots_dir(to);
    char *gp = tu_tmp_read(&t, "cmp/plots/compare_kpis.gp");
    assert_non_null(gp);
    assert_null(strstr(gp, "\"alt `touch"));
    assert_non_null(strstr(gp, "alt `touch"));
    free(gp);
    gp = tu_tmp_read(&t, "cmp/plots/compare_occupancy_home.gp");
    assert_non_null(gp);
    assert_true(longest_key_title(gp) <= 40);          /* a long name cut in the key's cell */
    free(gp);
    char *html = tu_tmp_read(&t, "cmp/report.html");
    assert_null(strstr(html, "<i>"));
    assert_null(strstr(html, "href=\"../escape"));
    assert_non_null(strstr(html, "href=\"alt%20%60touch"));  /* a link, percent-encoded */
    free(html);
    tu_tmp_remove(&t);
}

/* ---------------------------------------------------------------- links and stale plots */

/* Links planted in plots/ (an image, gnuplot.log, a drawing's temporary
 * name from older versions) point at private files: drawing replaces the
 * links, never writes through them, and nothing private reaches the report. */
static void test_planted_links_not_followed(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512], target[256], link[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(link, sizeof link, "%s/run/plots", t.dir);
    assert_int_equal(mkdir(link, 0755), 0);
    tu_tmp_write(&t, "private.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>PRIVATE-KEY</text></svg>\n");
    tu_tmp_write(&t, "private.log", "private log\n");
    static const char *const planted[][2] = {
        { "run/plots/outward.svg", "private.svg" },
        { "run/plots/outward.png", "private.svg" },
        { "run/plots/gnuplot.log", "private.log" },
        { "run/plots/.outward.drawing.svg", "private.svg" },
    };
    for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++) {
        snprintf(link, sizeof link, "%s/%s", t.dir, planted[i][0]);
        snprintf(target, sizeof target, "%s/%s", t.dir, planted[i][1]);
        assert_int_equal(symlink(target, link), 0);
    }
    /* A gnuplot that fails: previously the planted outward.svg was embedded. */
    char fake[256], env[320];
    snprintf(fake, sizeof fake, "%s/fake-gnuplot", t.dir);
    tu_tmp_write(&t, "fake-gnuplot", "#!/bin/sh\necho 'fake gnuplot: broken' >&2\nexit 3\n");
    assert_int_equal(chmod(fake, 0755), 0);
    snprintf(env, sizeof env, "FLOWSIM_GNUPLOT=%s", fake);
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    for (int pass = 0; pass < 2; pass++) {
        /* First the failing gnuplot; then the real one, when there is one. */
        if (pass == 1 && !have_gnuplot()) break;
        assert_int_equal(tu_flowsim(&t, pass == 0 ? env : NULL, args), pass == 0 ? 1 : 0);
        char *html = tu_tmp_read(&t, "run/report.html");
        assert_non_null(html);
        if (pass == 0) assert_null(strstr(html, "<figure>"));
        free(html);
        char *priv = tu_tmp_read(&t, "private.svg");
        assert_string_equal(priv, "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>PRIVATE-KEY</text></svg>\n");
        free(priv);
        priv = tu_tmp_read(&t, "private.log");
        assert_string_equal(priv, "private log\n");
        free(priv);
        struct stat sb;
        snprintf(link, sizeof link, "%s/run/plots/outward.svg", t.dir);
        /* Failed: the link is gone; drawn: a file of its own. */
        if (pass == 0) assert_int_equal(lstat(link, &sb), -1);
        else assert_true(lstat(link, &sb) == 0 && S_ISREG(sb.st_mode));
        snprintf(link, sizeof link, "%s/run/plots/gnuplot.log", t.dir);
        if (lstat(link, &sb) == 0) assert_true(S_ISREG(sb.st_mode));
    }
    if (have_gnuplot()) {
        char *html = tu_tmp_read(&t, "run/report.html");
        assert_non_null(strstr(html, "<figure>"));
        free(html);
    }
    tu_tmp_remove(&t);
}

/* Plots of an earlier run lie in plots/; the new run finds no gnuplot: its
 * report embeds none of them and the old images are gone. */
static void test_missing_gnuplot_embeds_no_old_plots(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512], dir[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(dir, sizeof dir, "%s/run/plots", t.dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char *const old[] = { "run/plots/outward.svg", "run/plots/spending.svg", "run/plots/waits.png" };
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++)
        tu_tmp_write(&t, old[i], "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>OLD RUN</text></svg>\n");
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, "FLOWSIM_GNUPLOT=/nonexistent", args), 1);
    char *html = tu_tmp_read(&t, "run/report.html");
    assert_null(strstr(html, "<figure>"));
    assert_null(strstr(html, "data:image/svg+xml"));
    free(html);
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) assert_false(tu_tmp_exists(&t, old[i]));
    assert_true(tu_tmp_exists(&t, "run/plots/outward.gp"));
    tu_tmp_remove(&t);
}

/* A received results directory with numbers no run writes (found by
 * fuzz_writers: a NaN year reached an int): huge replications, warm-up and
 * capacity, snapshot times that are no number or far beyond any horizon.
 * The plots and report are still written, every axis finite. */
static void test_damaged_results_still_plot(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *json = tu_tmp_read(&t, "run/summary.json");
    cJSON *root = cJSON_Parse(json);
    free(json);
    assert_non_null(root);
    cJSON_ReplaceItemInObject(root, "replications", cJSON_CreateNumber(1e300));
    cJSON_ReplaceItemInObject(root, "warmup_years", cJSON_CreateNumber(-1e300));
    cJSON *ring = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "model"), "flows"), 0), "rings"), 0);
    assert_non_null(ring);
    cJSON_ReplaceItemInObject(ring, "capacity", cJSON_CreateNumber(1e300));
    json = cJSON_Print(root);
    cJSON_Delete(root);
    tu_tmp_write(&t, "run/summary.json", json);
    free(json);
    char *ts = tu_tmp_read(&t, "run/timeseries.csv");
    struct sbuf b = { 0 };
    sbuf_append(&b, ts, strlen(ts));
    sbuf_printf(&b, "2014-06-15,x,home,residence,1,1,1,0,0,0,1,1,1\n"
                    "x,1e308,home,residence,1,1,1,0,0,0,1,1,1\n");
    tu_tmp_write(&t, "run/timeseries.csv", b.s);
    sbuf_free(&b);
    free(ts);
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    int rc = tu_flowsim(&t, have_gnuplot() ? NULL : "FLOWSIM_GNUPLOT=/nonexistent", args);
    assert_int_equal(rc, have_gnuplot() ? 0 : 1);
    char *gp = tu_tmp_read(&t, "run/plots/occupancy_home.gp");
    assert_non_null(gp);
    const char *x = strstr(gp, "set xrange [");
    assert_non_null(x);
    double x0 = 0, x1 = 0;
    assert_int_equal(sscanf(x, "set xrange [%lf:%lf]", &x0, &x1), 2);
    assert_true(x0 > 2000 && x1 < 2100);
    assert_null(strstr(gp, "nan"));
    free(gp);
    tu_tmp_remove(&t);
}

/* Every ring of small.cfg waited (waits.csv rewritten): the waits plot
 * tells the rings of a flow apart by colour and dashes, and its keys sit
 * below the panels, over no curve. */
static void test_waits_curves_told_apart(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    static const char *const rings[] = { "home,residence", "home,training", "home,support", "work,sheltered",
                                         "work,job" };
    struct sbuf b = { 0 };
    sbuf_printf(&b, "flow,ring,from_days,to_days,requests_per_replication,share\n");
    for (size_t i = 0; i < sizeof rings / sizeof rings[0]; i++)
        sbuf_printf(&b, "%s,0,0,2,0.5\n%s,0,30,1,0.25\n%s,30,,1,0.25\n", rings[i], rings[i], rings[i]);
    tu_tmp_write(&t, "run/waits.csv", b.s);
    sbuf_free(&b);
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, "FLOWSIM_GNUPLOT=/nonexistent", args), 1);
    char *gp = tu_tmp_read(&t, "run/plots/waits.gp");
    const char *pos = gp;
    char *cmd;
    int curves = 0;
    while ((cmd = next_plot(gp, &pos))) {
        char colours[8][8], dashes[8][8];
        int n = 0;
        for (const char *q = strstr(cmd, " dt "); q && n < 8; q = strstr(q + 1, " dt "), n++) {
            assert_int_equal(sscanf(q, " dt %7s lc rgb \"%7s", dashes[n], colours[n]), 2);
            for (int j = 0; j < n; j++) {
                assert_string_not_equal(colours[j], colours[n]);
                assert_string_not_equal(dashes[j], dashes[n]);
            }
        }
        curves += n;
        free(cmd);
    }
    assert_int_equal(curves, 5);
    assert_non_null(strstr(gp, "set key outside center bottom"));
    assert_null(strstr(gp, "set key inside"));
    free(gp);
    tu_tmp_remove(&t);
}

/* The fit check of calibrate, one panel per state (a ring at 1 % must not
 * vanish beside `none` at 80 %): four states of small.cfg's home flow give
 * four plots in a 2 x 3 grid, the rest of the flow's row left empty. */
static void test_fitcheck_panel_per_state(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/small.cfg");
    struct calib_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->n_flows = m->n_flows;
    struct calib_flow *cf = &r->flow[0];
    enum { G = 3, S = 4 };
    double t[G] = { 0.0, 0.5, 1.0 }, n[G] = { 100, 100, 90 }, obs[G * S], exp_[G * S];
    for (int i = 0; i < G * S; i++) {
        obs[i] = i % S == S - 1 ? 80 : 1 + i % 5;   /* none holds most */
        exp_[i] = obs[i] + 0.5;
    }
    cf->fitted = true;
    cf->n_states = S;
    cf->n_grid = G;
    cf->grid_t = t;
    cf->at_risk = n;
    cf->observed = obs;
    cf->expected = exp_;
    struct tmp tm;
    tu_tmp_make(&tm);
    bool drawn = false;
    struct err pe = { 0 }, e = { 0 };
    assert_int_equal(fitcheck_write(tm.dir, m, r, &drawn, &pe, &e), 0);
    char *gp = tu_tmp_read(&tm, "fitcheck.gp");
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set multiplot layout 2,3"));
    int plots = 0, nexts = 0;
    for (const char *p = gp; (p = strstr(p, "\nplot ")); p++) plots++;
    for (const char *p = gp; (p = strstr(p, "set multiplot next")); p++) nexts++;
    assert_int_equal(plots, S);
    assert_int_equal(nexts, 2);
    assert_non_null(strstr(gp, "set title 'home: none'"));
    free(gp);
    assert_int_equal(drawn, have_gnuplot());
    if (drawn) assert_true(tu_tmp_exists(&tm, "fitcheck.png"));
    tu_tmp_remove(&tm);
    free(r);
    model_destroy(m);
}

/* calibrate's fit-check table: state ids longer than a column (esbjerg's
 * sel103_protected, individual_lab) are printed whole. */
static void test_fitcheck_table_keeps_ids(void **state)
{
    (void)state;
    struct model *m = tu_load("scenarios/esbjerg.cfg");
    struct calib_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->n_flows = m->n_flows;
    for (int f = 0; f < m->n_flows; f++) snprintf(r->flow[f].why_not, sizeof r->flow[f].why_not, "test");
    int wf = -1;
    for (int f = 0; f < m->n_flows; f++)
        if (!strcmp(m->flows[f].id, "work")) wf = f;
    assert_true(wf >= 0);
    struct calib_flow *cf = &r->flow[wf];
    int S = m->flows[wf].n_rings + 1;
    double t[1] = { 0.0 }, n[1] = { 50 }, obs[16] = { 0 }, exp_[16] = { 0 };
    assert_true(S <= 16);
    cf->fitted = true;
    cf->n_states = S;
    cf->n_grid = 1;
    cf->grid_t = t;
    cf->at_risk = n;
    cf->observed = obs;
    cf->expected = exp_;
    struct panel pn = { 0 };
    struct calib_source src = { "panel.csv", "", "", &pn };
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    calib_print_table(m, r, &src, out);
    fclose(out);
    for (int s = 0; s < S; s++) {
        char col[96];
        snprintf(col, sizeof col, " %s", model_state_id(&m->flows[wf], s));
        if (!strstr(text, col)) fail_msg("the fit-check table cuts %s:\n%s", col + 1, text);
    }
    free(text);
    free(r);
    model_destroy(m);
}

/* plots/ itself a link to a directory elsewhere: nothing is written there
 * (one warning; the report stands, without plots). */
static void test_plots_dir_link_not_followed(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512], link[256], target[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 3 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(target, sizeof target, "%s/elsewhere", t.dir);
    assert_int_equal(mkdir(target, 0755), 0);
    snprintf(link, sizeof link, "%s/run/plots", t.dir);
    assert_int_equal(symlink(target, link), 0);
    snprintf(args, sizeof args, "plot %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 1);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "flowsim: warning:"));
    free(err);
    char names[256];
    list_dir(target, names, sizeof names);
    assert_string_equal(names, "");
    char *html = tu_tmp_read(&t, "run/report.html");
    assert_non_null(html);
    assert_null(strstr(html, "<figure>"));
    free(html);
    tu_tmp_remove(&t);
}

int test_group_plot(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i18n_numbers),
        cmocka_unit_test(test_plots_of_a_run),
        cmocka_unit_test(test_capacity_line_follows_plan),
        cmocka_unit_test(test_report_holds_every_kpi),
        cmocka_unit_test(test_missing_gnuplot_degrades),
        cmocka_unit_test(test_failing_gnuplot_is_one_warning),
        cmocka_unit_test(test_comparison_plots),
        cmocka_unit_test(test_hostile_names_run_nothing),
        cmocka_unit_test(test_hostile_comparison_names),
        cmocka_unit_test(test_planted_links_not_followed),
        cmocka_unit_test(test_missing_gnuplot_embeds_no_old_plots),
        cmocka_unit_test(test_damaged_results_still_plot),
        cmocka_unit_test(test_waits_curves_told_apart),
        cmocka_unit_test(test_fitcheck_panel_per_state),
        cmocka_unit_test(test_fitcheck_table_keeps_ids),
        cmocka_unit_test(test_plots_dir_link_not_followed),
    };
    return RUN_GROUP(tests, n);
}
