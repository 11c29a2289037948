/* test_kpi.c: the KPI catalogue (model/kpi.h). Every KPI the statistics
 * emit for the shipped scenarios and the test fixtures has a row with an
 * English and a Danish label and a unit that both languages name; names
 * are unique; the labels reach plots and reports through i18n. */
#include <stdlib.h>
#include <string.h>

#include "engine/stats.h"
#include "model/kpi.h"
#include "model/model.h"
#include "model/scenario.h"
#include "present/i18n.h"
#include "tests.h"

static const char *const scenarios[] = {
    "scenarios/esbjerg.cfg", "scenarios/budget-cut-freeze.cfg", "scenarios/budget-cut-step-down.cfg",
    "scenarios/more-107.cfg", "tests/data/small.cfg", "tests/data/mmc.cfg",
};

static void test_rows_complete_and_unique(void **state)
{
    (void)state;
    for (int i = 0; i < KPI_N; i++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)i);
        assert_non_null(d);
        assert_non_null(d->name);
        assert_true(d->scopes != 0);
        assert_true(d->en && *d->en && d->da && *d->da);
        assert_non_null(d->unit);
        assert_ptr_equal(kpi_find(d->name), d);       /* no two rows share a name */
    }
    assert_null(kpi_find("no_such_kpi"));
    assert_null(kpi_label("no_such_kpi", true));
}

/* An emitted KPI lacking a label in either language fails here. */
static void test_every_emitted_kpi_has_labels(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++) {
        struct model *m = NULL;
        struct err e = { 0 };
        if (scenario_load(scenarios[s], &m, &e) != 0) fail_msg("%s", e.msg);
        struct kpi_desc *desc = NULL;
        int n = stats_kpi_layout(m, &desc);
        assert_true(n > 0);
        for (int k = 0; k < n; k++) {
            const char *name = desc[k].name, *unit = desc[k].unit;
            const struct kpi_def *d = kpi_find(name);
            if (!d) fail_msg("%s: KPI %s is not in the catalogue", scenarios[s], name);
            assert_ptr_equal(d, kpi_def(desc[k].id));
            assert_string_equal(unit, d->unit);
            for (int l = LANG_EN; l <= LANG_DA; l++) {
                const char *label = i18n_kpi(name, (enum lang)l);
                if (!label || !*label || !strcmp(label, name))
                    fail_msg("%s: KPI %s has no %s label", scenarios[s], name, l ? "Danish" : "English");
            }
            /* Every unit has Danish wording (unknown units come back as is). */
            if (!strcmp(i18n_unit(unit, LANG_DA), unit))
                fail_msg("%s: unit %s of %s has no Danish wording", scenarios[s], unit, name);
            /* A KPI is emitted only at a scope its row declares. */
            unsigned scope = desc[k].year > 0 ? KPI_SCOPE_YEAR
                             : desc[k].ring >= 0 ? KPI_SCOPE_RING
                             : desc[k].flow >= 0 ? KPI_SCOPE_FLOW
                             : desc[k].dim >= 0 ? KPI_SCOPE_DIM
                                                : KPI_SCOPE_RUN;
            if (!(d->scopes & scope)) fail_msg("%s emitted at an undeclared scope", name);
        }
        free(desc);
        model_destroy(m);
    }
}

int test_group_kpi(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_complete_and_unique),
        cmocka_unit_test(test_every_emitted_kpi_has_labels),
    };
    return RUN_GROUP(tests, n);
}
