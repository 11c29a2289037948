/* test_answer.c: a Danish comparison report of a budget cut answers first
 * (cards and sentences: the saving, the year the budget holds, waits,
 * offers, outward flow), states the price basis, reads differences in words
 * with a size threshold, leaves out rows that cannot differ, and holds no
 * English label and no raw KPI key outside its code cells. The printed
 * comparison table and the run's summary speak the scenario's language too,
 * and the summary keeps within 100 columns. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/kpi.h"
#include "present/gnuplot.h"
#include "present/i18n.h"
#include "tests.h"
#include "util.h"

/* The report's visible text: <code> cells, data URIs and tags dropped. */
static char *visible_text(const char *html)
{
    char *out = malloc(strlen(html) + 1), *o = out;
    assert_non_null(out);
    for (const char *p = html; *p;) {
        if (!strncmp(p, "<code>", 6)) {
            const char *e = strstr(p, "</code>");
            p = e ? e + 7 : p + strlen(p);
        } else if (!strncmp(p, "data:image", 10)) {
            while (*p && *p != '"') p++;
        } else if (!strncmp(p, "<style>", 7)) {
            const char *e = strstr(p, "</style>");
            p = e ? e + 8 : p + strlen(p);
        } else if (*p == '<') {
            while (*p && *p != '>') p++;
            if (*p) p++;
            *o++ = ' ';
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static void no_english(const char *text)
{
    for (int i = 0; i < KPI_N; i++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)i);
        if (strcmp(d->en, d->da) && strstr(text, d->en)) fail_msg("English KPI label in the Danish report: %s", d->en);
        /* A raw key (with an underscore) never shows. */
        if (strchr(d->name, '_') && strstr(text, d->name)) fail_msg("raw key in the Danish report: %s", d->name);
    }
    /* small.cfg's dimensions are the RBS ones, named in English in the file. */
    if (strstr(text, "physical") || strstr(text, "communication")) fail_msg("an English dimension name");
    const char *key, *en, *da;
    for (int i = 0; i18n_text_entry(i, &key, &en, &da); i++)
        if (strlen(en) >= 8 && strcmp(en, da) && strstr(text, en))
            fail_msg("English text in the Danish report: %s", en);
}

static void test_danish_comparison_answers_first(void **state)
{
    (void)state;
    char exe[4096];
    if (!gnuplot_find(exe, sizeof exe)) skip();
    struct tmp t;
    tu_tmp_make(&t);
    char cwd[2048], cfg[4096], args[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(cfg, sizeof cfg, "base = \"%s/tests/data/small.cfg\";\nname = \"basis\";\ntitle_da = \"Basis\";\n"
             "prices_year = 2015;\nset = ( ( \"output.plots\", true ), ( \"budget.annual\", 0.0 ) );\n", cwd);
    tu_tmp_write(&t, "a.cfg", cfg);
    snprintf(cfg, sizeof cfg, "base = \"%s/tests/data/small.cfg\";\nname = \"cut\";\ntitle_da = \"Besparelse\";\n"
             "prices_year = 2015;\n", cwd);
    tu_tmp_write(&t, "b.cfg", cfg);
    snprintf(args, sizeof args, "compare %s/a.cfg %s/b.cfg -r 6 -q --lang da -o %s/cmp", t.dir, t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *html = tu_tmp_read(&t, "cmp/report.html");
    assert_non_null(html);
    /* The answer comes before the detail. */
    const char *answer = strstr(html, i18n_text("answer_heading", LANG_DA));
    const char *detail = strstr(html, i18n_text("differences", LANG_DA));
    assert_true(answer && detail && answer < detail);
    assert_non_null(strstr(answer, "<h3>Besparelse</h3>"));
    assert_true(strstr(answer, "Udgiften falder med") || strstr(answer, "Udgiften stiger med"));
    assert_non_null(strstr(answer, "(2015-priser)"));
    assert_non_null(strstr(answer, "Median ventetid") ? answer : strstr(answer, "mediane ventetid"));
    assert_non_null(strstr(html, "compare_spending") ? html : strstr(html, "Udgift pr. kalenderår i hvert scenarie"));
    /* Differences read in words; a row that cannot differ (arrivals under
     * common random numbers) is left out. */
    assert_non_null(strstr(html, i18n_text("reading", LANG_DA)));
    assert_null(strstr(html, "Reel?"));
    assert_null(strstr(html, ">Nye borgere (tilgang)<"));
    /* The caption of the differences plot reads as the Reading column does:
     * solid bars are a clear or small change, pale bars could be chance. */
    assert_non_null(strstr(html, "lyse søjler kan skyldes tilfældighed"));
    assert_non_null(strstr(html, "tydelig eller lille ændring"));
    assert_null(strstr(html, " reel"));
    char *gp = tu_tmp_read(&t, "cmp/plots/compare_kpis.gp");
    assert_non_null(gp);
    assert_non_null(strstr(gp, "kan skyldes tilfældighed"));
    assert_null(strstr(gp, " reel"));
    free(gp);
    char *text = visible_text(html);
    no_english(text);
    free(text);
    free(html);
    /* Each scenario's own report speaks Danish too. */
    html = tu_tmp_read(&t, "cmp/cut/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "<h1>Besparelse</h1>"));
    assert_non_null(strstr(html, "<title>Simuleringsrapport: Besparelse</title>"));
    text = visible_text(html);
    no_english(text);
    free(text);
    free(html);
    tu_tmp_remove(&t);
}

/* Characters in UTF-8 text (a Danish letter is two bytes). */
static int chars(const char *s, size_t bytes)
{
    int n = 0;
    for (size_t i = 0; i < bytes && s[i]; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The character column where `word` ends on the line starting at line. */
static int end_col(const char *line, const char *word)
{
    const char *eol = strchr(line, '\n'), *w = strstr(line, word);
    assert_true(w && (!eol || w < eol));
    return chars(line, (size_t)(w - line) + strlen(word));
}

/* Writes a.cfg and b.cfg over small.cfg; a sets `extra` (a set = ... list
 * entry or ""). */
static void two_scenarios(struct tmp *t, const char *extra)
{
    char cwd[2048], cfg[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(cfg, sizeof cfg, "base = \"%s/tests/data/small.cfg\";\nname = \"basis\";\n"
             "set = ( ( \"output.plots\", false )%s );\n", cwd, extra);
    tu_tmp_write(t, "a.cfg", cfg);
    snprintf(cfg, sizeof cfg, "base = \"%s/tests/data/small.cfg\";\nname = \"cut\";\n"
             "set = ( ( \"output.plots\", false ), ( \"budget.annual\", 4000000.0 ) );\n", cwd);
    tu_tmp_write(t, "b.cfg", cfg);
}

static void danish_table(const char *out)
{
    static const char *const danish[] = { "scenarie", "udgift mio. kr./år", "til placering, dage",
                                          "home udad %", "dage med budgetregel", "Nøgletal", "basis",
                                          "alternativ", "forskel", "95 % KI", "gentagelser hver",
                                          "alle nøgletal" };
    static const char *const english[] = { "scenario", "cost M DKK/yr", "to place", "outward",
                                           "days rule active", "KPI", "base", "alternative",
                                           "difference", "95% CI", "replications", "every KPI",
                                           "real difference" };
    for (size_t i = 0; i < sizeof danish / sizeof danish[0]; i++)
        if (!strstr(out, danish[i])) fail_msg("no Danish header \"%s\" in:\n%s", danish[i], out);
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        if (strstr(out, english[i])) fail_msg("English header \"%s\" in:\n%s", english[i], out);
    for (int i = 0; i < KPI_N; i++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)i);
        if (strcmp(d->en, d->da) && strstr(out, d->en)) fail_msg("English KPI label: %s", d->en);
    }
    /* Columns line up in characters, not bytes: "Nøgletal" heads the
     * labels, "basis" ends where the base values end. */
    const char *head = strstr(out, "  Nøgletal");
    assert_non_null(head);
    const char *row = strchr(head, '\n') + 1;
    const char *cost = strstr(row, "Samlet udgift, mio. kr.");
    assert_true(cost == row + 2);
    const char *v = cost + strlen("Samlet udgift, mio. kr.");
    while (*v == ' ') v++;
    size_t vlen = strcspn(v, " ");
    assert_int_equal(end_col(head, "basis"), chars(row, (size_t)(v - row) + vlen));
}

/* `flowsim compare --lang da`, and a base whose output.lang is "da",
 * print the table in Danish: its headers and labels, no English one. */
static void test_compare_table_in_danish(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[4096];
    two_scenarios(&t, "");
    snprintf(args, sizeof args, "compare %s/a.cfg %s/b.cfg -r 3 --lang da -o %s/cmp", t.dir, t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(out);
    danish_table(out);
    free(out);
    two_scenarios(&t, ", ( \"output.lang\", \"da\" )");
    snprintf(args, sizeof args, "compare %s/a.cfg %s/b.cfg -r 3 -o %s/cmp2", t.dir, t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    out = tu_tmp_read(&t, "stdout");
    assert_non_null(out);
    danish_table(out);
    free(out);
    /* English stays English. */
    snprintf(args, sizeof args, "compare %s/a.cfg %s/b.cfg -r 3 --lang en -o %s/cmp3", t.dir, t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    out = tu_tmp_read(&t, "stdout");
    assert_non_null(out);
    assert_non_null(strstr(out, "  KPI "));
    assert_non_null(strstr(out, "alternative"));
    assert_null(strstr(out, "Nøgletal"));
    free(out);
    tu_tmp_remove(&t);
}

/* The summary of `flowsim run` names the headline KPIs by the catalogue's
 * labels in the run's language, each line within 100 columns. */
static void summary_reads(struct tmp *t, const char *lang)
{
    char cwd[2048], args[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "run %s/tests/data/small.cfg -r 4 --set output.plots=false --lang %s -o %s/run-%s",
             cwd, lang, t->dir, lang);
    assert_int_equal(tu_flowsim(t, NULL, args), 0);
    char *out = tu_tmp_read(t, "stdout");
    assert_non_null(out);
    bool da = !strcmp(lang, "da");
    int lines = 0;
    for (const char *p = out; *p; lines++) {
        size_t len = strcspn(p, "\n");
        if (chars(p, len) > 100)
            fail_msg("a summary line of %d characters:\n%.*s", chars(p, len), (int)len, p);
        p += len + (p[len] == '\n');
    }
    assert_true(lines >= 4);            /* the heading and the three KPIs at least */
    for (int i = 0; i < KPI_N; i++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)i);
        if ((d->show & KPI_ONELINE) && !strstr(out, da ? d->da : d->en))
            fail_msg("no label %s in:\n%s", da ? d->da : d->en, out);
        if (da && strcmp(d->en, d->da) && strstr(out, d->en)) fail_msg("English label %s", d->en);
    }
    assert_non_null(strstr(out, da ? "gentagelser" : "replications"));
    free(out);
}

static void test_summary_in_both_languages(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    summary_reads(&t, "da");
    summary_reads(&t, "en");
    tu_tmp_remove(&t);
}

int test_group_answer(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_danish_comparison_answers_first),
        cmocka_unit_test(test_compare_table_in_danish),
        cmocka_unit_test(test_summary_in_both_languages),
    };
    return RUN_GROUP(tests, n);
}
