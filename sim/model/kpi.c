/* kpi.c: the KPI catalogue (see kpi.h). The rows are in the order the
 * statistics walk emits them; the Danish labels use the words of Danish
 * municipal practice (belægning, visitation, ventetid, ophold). */
#include "model/kpi.h"

#include <string.h>

enum {
    RUN = KPI_SCOPE_RUN, DIM = KPI_SCOPE_DIM, YEAR = KPI_SCOPE_YEAR, FLOW = KPI_SCOPE_FLOW,
    RING = KPI_SCOPE_RING,
    HEAD = KPI_HEADLINE, ONE = KPI_ONELINE, CARD = KPI_CARD, WHOLE = KPI_WHOLE,
    BUDG = KPI_NEEDS_BUDGET, SKEW = KPI_SKEWED, SIGN = KPI_SIGNED,
};

static const struct kpi_def catalogue[KPI_N] = {
    [KPI_COST_TOTAL] = { "cost_total", RUN, "DKK", "Total cost", "Samlet udgift", HEAD },
    [KPI_COST_TOTAL_DISCOUNTED] = { "cost_total_discounted", RUN, "DKK", "Total cost, discounted",
                                    "Samlet udgift, tilbagediskonteret", 0 },
    [KPI_COST_PER_YEAR] = { "cost_per_year", RUN, "DKK/year", "Cost per year", "Udgift pr. år",
                            HEAD | ONE | CARD },
    [KPI_CITIZEN_YEARS] = { "citizen_years", RUN, "years", "Citizen-years", "Borgerår", 0 },
    [KPI_PROGRESSIONS] = { "progressions_per_100_citizen_years", RUN | FLOW, "1/(100 citizen-years)",
                           "Moves outward (progressions) per 100 citizen-years",
                           "Bevægelser udad (fremskridt) pr. 100 borgerår", HEAD | ONE | CARD },
    [KPI_REGRESSIONS] = { "regressions_per_100_citizen_years", RUN | FLOW, "1/(100 citizen-years)",
                          "Moves inward (regressions) per 100 citizen-years",
                          "Bevægelser indad (tilbageskridt) pr. 100 borgerår", HEAD },
    [KPI_COST_PER_PROGRESSION] = { "cost_per_progression", RUN, "DKK", "Cost per progression",
                                   "Udgift pr. fremskridt", HEAD },
    [KPI_REFERRAL_TO_DECISION] = { "referral_to_decision_days", RUN, "days", "Referral to decision",
                                   "Fra henvendelse til afgørelse", HEAD | SKEW },
    [KPI_REFERRAL_TO_PLACEMENT] = { "referral_to_placement_days", RUN, "days",
                                    "Referral to first placement",
                                    "Fra henvendelse til første placering", HEAD | CARD | SKEW },
    [KPI_VISITATION_QUEUE] = { "visitation_queue_mean", RUN, "citizens", "Queue for assessment (mean)",
                               "Kø til visitation (gns.)", SKEW },
    [KPI_CASEWORKER_UTILISATION] = { "caseworker_utilisation", RUN, "share", "Caseworkers' utilisation",
                                     "Sagsbehandlernes udnyttelse", HEAD },
    [KPI_VISITATION_COST] = { "visitation_cost", RUN, "DKK", "Caseworkers' cost (visitation)",
                              "Sagsbehandlernes udgift (visitation)", 0 },
    [KPI_YEARS_OVER_BUDGET] = { "years_over_budget", RUN, "years",
                                "Years over budget (beyond the tolerance)",
                                "År over budget (ud over tolerancen)", HEAD | WHOLE | BUDG },
    [KPI_BUDGET_OVERSHOOT_MAX] = { "budget_overshoot_max", RUN, "DKK",
                                   "Largest overshoot of a year's budget",
                                   "Største overskridelse af et års budget", HEAD | BUDG | SIGN },
    [KPI_BUDGET_HOLDS_FROM] = { "budget_holds_from_year", RUN, "year",
                                "First year from which the budget holds",
                                "Første år, hvorfra budgettet holder", HEAD | WHOLE | BUDG },
    [KPI_DAYS_FROZEN] = { "days_frozen", RUN | YEAR, "days", "Days with the budget rule in force",
                          "Dage med budgetreglen i kraft", HEAD | WHOLE | BUDG },
    [KPI_PLACEMENTS_DEFERRED] = { "placements_deferred", RUN | YEAR, "placements",
                                  "Placements deferred by the budget freeze",
                                  "Placeringer udskudt af budgetstoppet", WHOLE | BUDG },
    [KPI_PLACEMENTS_STEPPED_DOWN] = { "placements_stepped_down", RUN | YEAR, "placements",
                                      "Placements stepped down to a less costly ring",
                                      "Placeringer trappet ned til en billigere ring", WHOLE | BUDG },
    [KPI_ARRIVALS] = { "arrivals", RUN, "citizens", "New citizens (arrivals)", "Nye borgere (tilgang)",
                       HEAD | WHOLE },
    [KPI_DEATHS] = { "deaths", RUN, "citizens", "Deaths", "Dødsfald", WHOLE },
    [KPI_RETIREMENTS] = { "retirements", RUN, "citizens", "Retirements", "Overgang til folkepension",
                          WHOLE },
    [KPI_OTHER_EXITS] = { "other_exits", RUN, "citizens", "Other exits (moved away)",
                          "Andre afgange (fraflytning)", WHOLE },
    [KPI_END_SIZE] = { "end_size", RUN, "citizens", "Citizens at the end", "Borgere ved slut",
                       HEAD | ONE | CARD | WHOLE },
    [KPI_LEVEL_CHANGE] = { "level_change", DIM, "levels", "Change in function level",
                           "Ændring i funktionsniveau", SIGN },
    [KPI_SPENDING] = { "spending", YEAR, "DKK", "Spending", "Udgift", 0 },
    [KPI_BUDGET] = { "budget", YEAR, "DKK", "Budget", "Budget", BUDG },
    [KPI_OVER_BUDGET] = { "over_budget", YEAR, "DKK", "Over budget by", "Overskridelse af budgettet",
                          BUDG | SIGN },
    [KPI_COST] = { "cost", FLOW | RING, "DKK", "Cost", "Udgift", 0 },
    [KPI_OUTWARD_SHARE] = { "outward_share", FLOW, "share", "Share in a less intrusive ring at the end",
                            "Andel i en mindre indgribende ring ved slut", HEAD },
    [KPI_OCCUPANCY_MEAN] = { "occupancy_mean", RING, "citizens", "Citizens in the ring (mean)",
                             "Belægning (gns. antal borgere)", HEAD },
    [KPI_UTILISATION] = { "utilisation", RING, "share", "Utilisation of places",
                          "Udnyttelse af pladser", 0 },
    [KPI_WAITING_LIST_MEAN] = { "waiting_list_mean", RING, "citizens", "Waiting list (mean)",
                                "Venteliste (gns.)", SKEW },
    [KPI_WAITING_LIST_P95] = { "waiting_list_p95", RING, "citizens", "Waiting list (95th percentile)",
                               "Venteliste (95-percentil)", SKEW },
    [KPI_WAIT_DAYS_MEAN] = { "wait_days_mean", RING, "days", "Completed waits (mean)",
                             "Afsluttede ventetider (gns.)", HEAD | SKEW },
    [KPI_WAIT_SHARE_WAITED] = { "wait_share_waited", RING, "share", "Share of those placed who had to wait",
                                "Andel af de placerede, der måtte vente", 0 },
    [KPI_WAIT_DAYS_MEAN_IF_WAITED] = { "wait_days_mean_if_waited", RING, "days",
                                       "Completed waits of those who waited (mean)",
                                       "Afsluttede ventetider for dem, der ventede (gns.)", SKEW },
    [KPI_WAIT_DAYS_P95] = { "wait_days_p95", RING, "days", "Completed waits (95th percentile)",
                            "Afsluttede ventetider (95-percentil)", SKEW },
    [KPI_WAIT_DAYS_KM_MEDIAN] = { "wait_days_median_km", RING, "days",
                                  "Median wait, open waits included (Kaplan-Meier)",
                                  "Median ventetid, åbne ventetider medregnet (Kaplan-Meier)",
                                  HEAD | SKEW },
    [KPI_WAIT_SHARE_OVER_90_DAYS] = { "wait_share_over_90_days", RING, "share",
                                      "Share still waiting after 90 days (Kaplan-Meier)",
                                      "Andel, der stadig venter efter 90 dage (Kaplan-Meier)", 0 },
    [KPI_WAIT_SHARE_OVER_365_DAYS] = { "wait_share_over_365_days", RING, "share",
                                       "Share still waiting after 365 days (Kaplan-Meier)",
                                       "Andel, der stadig venter efter 365 dage (Kaplan-Meier)", 0 },
    [KPI_REQUESTS_SERVED] = { "requests_served", RING, "citizens", "Requests served (placed)",
                              "Ønsker om plads opfyldt (placeret)", WHOLE },
    [KPI_ENTRIES] = { "entries", RING, "citizens", "Entries", "Indskrivninger", WHOLE },
    [KPI_DEPARTURES] = { "departures", RING, "citizens", "Departures", "Udskrivninger", WHOLE },
    [KPI_STAY_YEARS_MEAN] = { "stay_years_mean", RING, "years", "Completed stays (mean)",
                              "Afsluttede ophold (gns.)", 0 },
    [KPI_STAY_YEARS_LITTLE] = { "stay_years_little", RING, "years",
                                "Expected stay (Little's law: citizens / entries per year)",
                                "Forventet opholdstid (Littles lov: belægning / indskrivninger pr. år)", 0 },
    [KPI_WAITS_ABANDONED] = { "waits_abandoned", RING, "citizens", "Waits abandoned",
                              "Afbrudte ventetider", WHOLE },
    [KPI_WAITS_OPEN_AT_END] = { "waits_open_at_end", RING, "citizens", "Still waiting at the end",
                                "Venter stadig ved slut", WHOLE },
};

const struct kpi_def *kpi_def(enum kpi_id id)
{
    return id < KPI_N ? &catalogue[id] : NULL;
}

const struct kpi_def *kpi_find(const char *name)
{
    for (int i = 0; name && i < KPI_N; i++)
        if (!strcmp(catalogue[i].name, name)) return &catalogue[i];
    return NULL;
}

const char *kpi_label(const char *name, bool danish)
{
    const struct kpi_def *d = kpi_find(name);
    return d ? (danish ? d->da : d->en) : NULL;
}
