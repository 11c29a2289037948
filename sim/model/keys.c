/* keys.c: every key the scenario loader accepts, section by section
 * (model/keys.h). */
#include "model/keys.h"

#include <stddef.h>
#include <string.h>

static const struct key top_keys[] = {
    { "name", true }, { "description", false }, { "title", false }, { "title_da", false },
    { "description_da", false }, { "prices_year", false }, { "simulation", true },
    { "dimensions", true }, { "population", true }, { "visitation", true },
    { "policy", false }, { "budget", false }, { "flows", true },
    { "transitions", true }, { "output", false }, { "base", false },
    { "set", false }, { "changes", false }, { "uncertainty", false }, { NULL, false } };
static const struct key sim_keys[] = {
    { "start_date", true }, { "years", true }, { "warmup_years", false },
    { "replications", true }, { "seed", true }, { "snapshot_months", false },
    { "rbs_interval_months", false }, { "threads", false },
    { "discount_rate", false }, { "uncertainty", false }, { NULL, false } };
/* arrivals_per_year or arrivals_by_year: one is required (checked apart). */
static const struct key pop_keys[] = {
    { "initial", true }, { "age", true }, { "female_share", true },
    { "arrivals_per_year", false }, { "arrivals_by_year", false },
    { "arrival_age", true }, { "arrival_mean_level", true },
    { "work_participation", true }, { "mortality", true },
    { "retirement_age", true }, { "other_exit_per_year", true }, { NULL, false } };
static const struct key age_keys[] = {
    { "min", true }, { "max", true }, { "mean", true }, { "sd", true }, { NULL, false } };
static const struct key mort_keys[] = {
    { "a", true }, { "b", true }, { "ratio", true }, { NULL, false } };
static const struct key visit_keys[] = {
    { "caseworkers", true }, { "assessment_days", true }, { "reassess", false },
    { "cost_per_caseworker_year", false }, { NULL, false } };
static const struct key assess_keys[] = {
    { "mean", true }, { "sd", true }, { NULL, false } };
static const struct key policy_keys[] = {
    { "waiting_list", false }, { "interim", false }, { NULL, false } };
static const struct key budget_keys[] = {
    { "annual", false }, { "rule", false }, { "tolerance", false }, { NULL, false } };
static const struct key flow_keys[] = {
    { "id", true }, { "name", true }, { "none", false }, { "rings", true },
    { NULL, false } };
static const struct key none_keys[] = {
    { "improve_per_year", false }, { "worsen_per_year", false },
    { "initial_mean_level", false }, { NULL, false } };
/* citizen_cost_per_year unless hourly: checked apart. */
static const struct key ring_keys[] = {
    { "id", true }, { "name", true }, { "law", false }, { "capacity", true },
    { "initial", true }, { "place_cost_per_year", false },
    { "citizen_cost_per_year", false }, { "hours_per_week", false },
    { "cost_per_hour", false }, { "referral", false }, { "need", true },
    { "initial_mean_level", true }, { "improve_per_year", true },
    { "worsen_per_year", true }, { "max_stay_years", false }, { NULL, false } };
static const struct key trans_keys[] = {
    { "flow", true }, { "from", true }, { "to", true }, { "per_year", true },
    { "effects", false }, { NULL, false } };
static const struct key output_keys[] = {
    { "dir", false }, { "events", false }, { "rbs_panel", false },
    { "plots", false }, { "lang", false }, { NULL, false } };

static const struct key change_keys[] = {
    { "date", true }, { "set", true }, { "relocate", false }, { NULL, false } };
static const struct key unc_keys[] = {
    { "parameters", false }, { "mvn", false }, { NULL, false } };
/* mean and sd, or min and max for a uniform: checked apart. */
static const struct key unc_param_keys[] = {
    { "path", true }, { "dist", true }, { "mean", false }, { "sd", false },
    { "min", false }, { "max", false }, { NULL, false } };
static const struct key mvn_keys[] = {
    { "paths", true }, { "mean", true }, { "cov", true }, { NULL, false } };

/* Every section and its keys, as docs/scenario.md names them (set paths,
 * with <placeholders> for ids and indices). A transition's effects take the
 * scenario's dimensions, age and female. */
static const struct section {
    const char *path;
    const struct key *keys;
} sections[] = {
    { "", top_keys }, { "simulation", sim_keys }, { "population", pop_keys },
    { "population.age", age_keys }, { "population.arrival_age", age_keys },
    { "population.mortality", mort_keys }, { "visitation", visit_keys },
    { "visitation.assessment_days", assess_keys }, { "policy", policy_keys },
    { "budget", budget_keys }, { "flows.<flow>", flow_keys },
    { "flows.<flow>.none", none_keys }, { "flows.<flow>.rings.<ring>", ring_keys },
    { "transitions[N]", trans_keys }, { "output", output_keys }, { "changes[N]", change_keys },
    { "uncertainty", unc_keys }, { "uncertainty.parameters[N]", unc_param_keys },
    { "uncertainty.mvn", mvn_keys },
};

int keys_at(int i, const char **section, const char **name, bool *required)
{
    for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++)
        for (const struct key *key = sections[k].keys; key->name; key++)
            if (i-- == 0) {
                *section = sections[k].path;
                *name = key->name;
                *required = key->required;
                return 1;
            }
    return 0;
}


const struct key *keys_of(const char *section)
{
    for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++)
        if (strcmp(sections[k].path, section) == 0) return sections[k].keys;
    return NULL;
}
