/* i18n.c: English and Danish texts and number formats. The tables are
 * const and searched linearly: they are short and read a few hundred times
 * per report, so a hash would buy nothing. */
#include "present/i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/numtext.h"
#include "model/kpi.h"

enum lang i18n_lang(const char *code)
{
    return code && !strcmp(code, "da") ? LANG_DA : LANG_EN;
}

const char *i18n_code(enum lang l)
{
    return l == LANG_DA ? "da" : "en";
}

char *i18n_num(char *buf, size_t n, double v, int decimals, enum lang l)
{
    if (n == 0) return buf;
    if (!isfinite(v)) {
        snprintf(buf, n, "\xe2\x80\x93");          /* en dash: not defined */
        return buf;
    }
    return numtext(buf, n, v, decimals, l == LANG_DA ? ',' : '.', l == LANG_DA ? '.' : ',');
}

char *i18n_dkk(char *buf, size_t n, double v, enum lang l)
{
    char num[128];
    i18n_num(num, sizeof num, v, 0, l);
    if (l == LANG_DA) snprintf(buf, n, "%s kr.", num);
    else snprintf(buf, n, "DKK %s", num);
    return buf;
}

char *i18n_mdkk(char *buf, size_t n, double v, int decimals, enum lang l)
{
    char num[128];
    i18n_num(num, sizeof num, v / 1e6, decimals, l);
    if (l == LANG_DA) snprintf(buf, n, "%s mio. kr.", num);
    else snprintf(buf, n, "DKK %s million", num);
    return buf;
}

char *i18n_pct(char *buf, size_t n, double share, int decimals, enum lang l)
{
    char num[128];
    i18n_num(num, sizeof num, share * 100.0, decimals, l);
    if (!isfinite(share)) snprintf(buf, n, "%s", num);
    else snprintf(buf, n, l == LANG_DA ? "%s %%" : "%s%%", num);
    return buf;
}

static bool is_money(const char *unit)
{
    return unit && (!strcmp(unit, "DKK") || !strcmp(unit, "DKK/year"));
}

char *i18n_value(char *buf, size_t n, double v, double ref, const char *unit, bool whole, enum lang l,
                 bool with_unit)
{
    char num[128];
    if (!isfinite(v)) return i18n_num(buf, n, v, 0, l);
    if (unit && !strcmp(unit, "share")) {
        i18n_num(num, sizeof num, 100.0 * v, 1, l);
        snprintf(buf, n, "%s%s", num, with_unit ? (l == LANG_DA ? " %" : "%") : "");
        return buf;
    }
    if (is_money(unit) && fabs(ref) >= 1e6) {
        int dec = fabs(ref) >= 1e8 ? 1 : 2;
        if (with_unit) return i18n_mdkk(buf, n, v, dec, l);   /* the label says "per year" */
        return i18n_num(buf, n, v / 1e6, dec, l);
    }
    if (is_money(unit) && with_unit) return i18n_dkk(buf, n, v, l);
    if (unit && !strcmp(unit, "year")) {          /* a calendar year: 2014, never 2.014 */
        snprintf(buf, n, "%.0f", v);
        return buf;
    }
    double r = isfinite(ref) ? ref : v;
    int dec = is_money(unit) ? 0 : whole ? (fabs(r) >= 10.0 || r == floor(r) ? 0 : 1) : i18n_auto_decimals(r);
    i18n_num(num, sizeof num, v, dec, l);
    if (with_unit && unit && *unit) snprintf(buf, n, "%s %s", num, i18n_unit(unit, l));
    else snprintf(buf, n, "%s", num);
    return buf;
}

const char *i18n_unit_col(double ref, const char *unit, enum lang l)
{
    if (unit && !strcmp(unit, "share")) return "%";
    if (is_money(unit) && fabs(ref) >= 1e6)
        return l == LANG_DA ? (!strcmp(unit, "DKK") ? "mio. kr." : "mio. kr./år")
                            : (!strcmp(unit, "DKK") ? "DKK million" : "DKK million/year");
    return unit ? i18n_unit(unit, l) : "";
}

int i18n_auto_decimals(double v)
{
    double a = fabs(v);
    if (!isfinite(a) || a >= 1000.0) return 0;
    if (a >= 100.0) return 1;
    if (a >= 1.0 || a == 0.0) return 2;
    return 3;
}

struct entry { const char *key, *en, *da; };

static const char *lookup(const struct entry *t, const char *key, enum lang l)
{
    for (; t->key; t++)
        if (!strcmp(t->key, key)) return l == LANG_DA ? t->da : t->en;
    return key;
}

static const struct entry texts[] = {
    { "year", "Year", "År" },
    { "citizens", "citizens", "borgere" },
    { "occupancy_title", "Citizens in each ring", "Borgere i hver ring" },
    { "occupancy_axis", "Citizens", "Borgere" },
    { "waiting_title", "Waiting list of each ring", "Venteliste til hver ring" },
    { "waiting_axis", "Citizens waiting", "Ventende borgere" },
    { "mean", "mean", "gennemsnit" },
    { "band90", "90% of runs", "90 % af kørslerne" },
    { "capacity", "places", "pladser" },
    { "spending_title", "Spending per calendar year, by ring", "Udgift pr. kalenderår, fordelt på ringe" },
    { "spending_axis", "Spending (DKK million)", "Udgift (mio. kr.)" },
    { "budget", "Budget", "Budget" },
    { "partial_year", "part year", "delvist år" },
    { "outward_title", "Where citizens are: start and end", "Hvor borgerne er: start og slut" },
    { "outward_axis", "Share of citizens in the flow (%)", "Andel af borgerne i flowet (%)" },
    { "outside_flow", "Outside the flow", "Uden for flowet" },
    { "start", "Start", "Start" },
    { "end", "End", "Slut" },
    { "innermost_note", "innermost ring at the bottom", "inderste ring nederst" },
    { "waits_title", "Waiting time until placement", "Ventetid til placering" },
    { "waits_axis_x", "Days waited", "Ventedage" },
    { "waits_axis_y", "Placed within this time (%)", "Placeret inden for denne tid (%)" },
    { "nobody_waited", "Nobody waited", "Ingen ventede" },
    { "no_waits", "No waits recorded", "Ingen ventetider registreret" },
    { "diff_title", "Difference from the base scenario (95% CI)", "Forskel fra basisscenariet (95 % KI)" },
    { "not_real", "pale: could be chance (CI includes 0)", "lys: kan skyldes tilfældighed (KI indeholder 0)" },
    { "cmp_wait_title", "Waiting lists: base and alternatives", "Ventelister: basis og alternativer" },
    { "cmp_spending_title", "Spending per year against the budget, all scenarios", "Udgift pr. år mod budgettet, alle scenarier" },
    { "cmp_occ_title", "Citizens in each ring: base and alternatives", "Borgere i hver ring: basis og alternativer" },
    { "years_word", "years", "år" },
    /* report */
    { "report_title", "Simulation report", "Simuleringsrapport" },
    { "cmp_report_title", "Comparison report", "Sammenligningsrapport" },
    { "scenario", "Scenario", "Scenarie" },
    { "key_figures", "Key figures", "Nøgletal" },
    { "rings_table", "The rings", "Ringene" },
    { "plots", "Plots", "Figurer" },
    { "all_kpis", "All key figures", "Alle nøgletal" },
    { "how_to_read", "How to read this", "Sådan læses rapporten" },
    { "figure", "Measure", "Nøgletal" },
    { "value", "Mean", "Gennemsnit" },
    { "ci95", "95% CI", "95 % KI" },
    { "ui95", "with parameter uncertainty", "med parameterusikkerhed" },
    { "sd", "SD", "Spredning" },
    { "unit", "Unit", "Enhed" },
    { "where", "Where", "Hvor" },
    { "key", "Key", "Nøgle" },
    { "ring", "Ring", "Ring" },
    { "law", "Law", "Lov" },
    { "flow", "Flow", "Flow" },
    { "places", "Places", "Pladser" },
    { "unlimited", "unlimited", "ubegrænset" },
    { "all_flows", "all", "alle" },
    { "plots_missing", "The plots were not drawn (gnuplot was not available). Their scripts and data are in plots/; run gnuplot there, then `flowsim plot` again.",
      "Figurerne blev ikke tegnet (gnuplot var ikke tilgængelig). Scripts og data ligger i plots/; kør gnuplot der og derefter `flowsim plot` igen." },
    { "meta", "replications", "gentagelser" },
    { "simulated", "simulated", "simuleret" },
    { "from", "from", "fra" },
    { "seed", "seed", "seed" },
    { "plan_changes", "plan: changes on", "plan: ændringer" },
    { "plan_marked", "(dashed lines in the plots)", "(stiplede linjer i figurerne)" },
    { "version", "flowsim version", "flowsim version" },
    { "difference", "Difference", "Forskel" },
    { "base", "Base", "Basis" },
    { "alternative", "Alternative", "Alternativ" },
    { "reading", "Reading", "Vurdering" },
    { "no_difference", "\xe2\x80\x93", "\xe2\x80\x93" },
    { "clear_change", "clear change", "tydelig ændring" },
    { "small_change", "small change (under 1 %)", "lille ændring (under 1 %)" },
    { "could_be_chance", "could be chance", "kan skyldes tilfældighed" },
    { "answer_heading", "What the alternatives do", "Hvad alternativerne betyder" },
    { "print_detail", "The rings' rows of the tables above and the complete tables of every difference are in the report on screen and in comparison.csv.",
      "Ringenes rækker i tabellerne ovenfor og de fulde tabeller over alle forskelle står i rapporten på skærmen og i comparison.csv." },
    { "differences", "Differences from the base", "Forskelle fra basis" },
    { "all_differences", "All differences", "Alle forskelle" },
    { "scenarios", "Scenarios", "Scenarier" },
    { "scenario_report", "report", "rapport" },
    { "made_by", "Made by flowsim", "Lavet af flowsim" },
    { "none_desc", "(no description)", "(ingen beskrivelse)" },
    { "note", "note", "bemærk" },
    { "few_replications", "fewer than 30 replications: the 95% intervals of waits and waiting lists are too narrow (about 92% coverage at 10 replications); use at least 30",
      "færre end 30 gentagelser: 95 %-intervallerne for ventetider og ventelister er for smalle (ca. 92 % dækning ved 10 gentagelser); brug mindst 30" },
    { "placed", "placed", "placeret" },
    { "waiting", "still waiting", "venter stadig" },
    { "abandoned", "abandoned", "afbrudt" },
    { "per_replication", "per replication", "pr. gentagelse" },
    { "km_median", "median wait (Kaplan-Meier)", "medianventetid (Kaplan-Meier)" },
    { "not_reached", "not reached in the run", "ikke nået i kørslen" },
    { "waits_heading", "Waits", "Ventetider" },
    { "mostly_open", "most requests were still open at the end of the run: the mean of completed waits describes only those placed; read the median wait (Kaplan-Meier), which counts the open and abandoned waits too.",
      "de fleste ønsker om plads var stadig åbne ved kørslens slut: gennemsnittet af afsluttede ventetider beskriver kun dem, der fik plads; læs medianventetiden (Kaplan-Meier), som også medregner åbne og afbrudte ventetider." },
    { "mostly_open_cli", "most requests still open at the end", "de fleste ønsker om plads stadig åbne ved slut" },
    { "rings_note", "Citizens and waiting list are averages over time, counts are per replication, waits in days, stays in years, utilisation and shares in %. Completed stays are those that ended inside the window (short stays weigh more); the expected stay by Little's law counts every stay in full.",
      "Belægning og venteliste er gennemsnit over tid, antal er pr. gentagelse, ventetider i dage, ophold i år, udnyttelse og andele i %. Afsluttede ophold er dem, der sluttede i perioden (korte ophold vejer tungere); den forventede opholdstid efter Littles lov medregner alle ophold fuldt ud." },
    { "mevents_per_s", "M events/s", "mio. hændelser/s" },
    { "results_in", "results in", "resultater i" },
    { NULL, NULL, NULL }
};

const char *i18n_text(const char *key, enum lang l)
{
    return lookup(texts, key, l);
}

/* The function dimensions of the RBS method as the shipped scenarios name
 * them; a scenario's own ids are shown as written. */
static const struct entry dims[] = {
    { "physical", "physical", "fysisk" },
    { "communication", "communication", "kommunikation" },
    { "social", "social", "social" },
    { "mental", "mental", "psykisk" },
    { NULL, NULL, NULL }
};

const char *i18n_dimension(const char *id, enum lang l)
{
    return lookup(dims, id, l);
}

bool i18n_text_entry(int i, const char **key, const char **en, const char **da)
{
    if (i < 0 || i >= (int)(sizeof texts / sizeof texts[0]) - 1) return false;
    *key = texts[i].key;
    *en = texts[i].en;
    *da = texts[i].da;
    return true;
}

/* KPI labels live in the KPI catalogue (model/kpi.h), beside the KPI. */
const char *i18n_kpi(const char *key, enum lang l)
{
    const char *label = kpi_label(key, l == LANG_DA);
    return label ? label : key;
}

static const struct entry units[] = {
    { "DKK", "DKK", "kr." },
    { "DKK/year", "DKK/year", "kr./år" },
    { "years", "years", "år" },
    { "year", "calendar year", "kalenderår" },
    { "days", "days", "dage" },
    { "citizens", "citizens", "borgere" },
    { "share", "%", "%" },
    { "levels", "levels", "niveauer" },
    { "placements", "placements", "placeringer" },
    { "1/(100 citizen-years)", "per 100 citizen-years", "pr. 100 borgerår" },
    { NULL, NULL, NULL }
};

const char *i18n_unit(const char *unit, enum lang l)
{
    return lookup(units, unit, l);
}
