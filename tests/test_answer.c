/* test_answer.c: a Danish comparison report of a budget cut answers first
 * (cards and sentences: the saving, the year the budget holds, waits,
 * offers, outward flow), states the price basis, reads differences in words
 * with a size threshold, leaves out rows that cannot differ, and holds no
 * English label and no raw KPI key outside its code cells. */
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
    char *text = visible_text(html);
    no_english(text);
    free(text);
    free(html);
    /* Each scenario's own report speaks Danish too. */
    html = tu_tmp_read(&t, "cmp/cut/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "<h1>Besparelse</h1>"));
    text = visible_text(html);
    no_english(text);
    free(text);
    free(html);
    tu_tmp_remove(&t);
}

int test_group_answer(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_danish_comparison_answers_first),
    };
    return RUN_GROUP(tests, n);
}
