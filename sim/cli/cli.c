/* cli.c: argument parsing and the commands. Only this file prints errors
 * and chooses exit statuses. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "base/afile.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/resultset.h"
#include "base/version.h"
#include "engine/runlimits.h"
#include "engine/runner.h"
#include "io/output.h"
#include "model/uncertainty.h"
#include "model/bounds.h"
#include "model/model.h"
#include "model/runopts.h"
#include "model/scenario.h"
#include "model/setpath.h"
#include "present/oneline.h"
#include "present/publish.h"

/* The usage, one entry per command: `flowsim --help` prints them all,
 * `flowsim CMD --help` its own. */
static const char COMMON_OPTIONS[] =
    "  -o DIR      output directory          -r REPS   replications\n"
    "  -s SEED     random seed               -j N      worker threads (0 = all cores)\n"
    "  --years Y   simulated years           --lang    language of plots and report\n"
    "  -q          print no summary or table (notes still go to stderr)\n"
    "  --uncertainty  one draw of the scenario's uncertain parameters per replication\n";
static const char SET_OPTION[] =
    "  --set PATH=VALUE  change one setting (a path as in a variant's set); repeatable\n";
static const char LANG_OPTION[] =
    "  --lang da|en  language of plots and report\n";
static const char VALUE_NOTE[] =
    "A long option takes its value as the next argument or after '=' (--years=20).\n";
static const char EXIT_NOTE[] =
    "Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

static const struct command_help {
    const char *name, *synopsis, *about;
    const char *options, *more_options;     /* NULL: none */
    void (*own_usage)(FILE *out);           /* a longer text of its own */
} HELP[] = {
    { "run",
      "  flowsim run SCENARIO.cfg [--set PATH=VALUE ...] [-o DIR] [-r REPS] [-s SEED] [-j THREADS]\n"
      "              [--years Y] [--lang da|en] [--uncertainty] [-q]\n",
      "  run     simulate the scenario's replications and write the results to DIR\n"
      "          (default: the scenario's output.dir)\n",
      COMMON_OPTIONS, SET_OPTION, NULL },
    { "compare",
      "  flowsim compare BASE.cfg ALT.cfg [ALT.cfg ...] [--set PATH=VALUE ...] [-o DIR] [-r REPS]\n"
      "                  [-s SEED] [-j THREADS] [--uncertainty] [-q]\n",
      "  compare run the base and each alternative with common random numbers; write\n"
      "          comparison.json/.csv to DIR (default output/compare-<base name>)\n"
      "          and print the differences with 95% CIs\n",
      COMMON_OPTIONS, SET_OPTION, NULL },
    { "sweep",
      "  flowsim sweep BASE.cfg --set PATH=FROM:TO:STEP [--set ...] [--zip] [-o DIR] [-r REPS]\n"
      "                [-s SEED] [-j THREADS] [--uncertainty] [-q]\n",
      "  sweep   run the base at each point of the grid of the swept settings (paths as\n"
      "          in a variant's set; --zip steps them together); write sweep.csv/.json\n"
      "          to DIR (default output/sweep-<base name>) and print each point's KPIs\n"
      "          with 95% CIs and their difference to the first point\n",
      COMMON_OPTIONS, SET_OPTION, NULL },
    { "sensitivity",
      "  flowsim sensitivity BASE.cfg [--set PATH=VALUE ...] [-o DIR] [-r REPS] [-s SEED]\n"
      "                      [-j THREADS] [-q]\n",
      "  sensitivity  run each setting of the scenario's uncertainty block at its 5 % and\n"
      "          95 % quantiles (the others at their centre) with common random numbers;\n"
      "          write sensitivity.csv/.json and a tornado plot per headline KPI to DIR\n"
      "          (default output/sensitivity-<base name>) and print the swings\n",
      COMMON_OPTIONS, SET_OPTION, NULL },
    { "optimise",
      "  flowsim optimise BASE.cfg --vary PATH=FROM:TO:STEP [--vary ...] --target 'KPI<=VALUE'\n"
      "                   [--target ...] [--minimise KPI] [--set PATH=VALUE ...] [-o DIR] [-r REPS]\n"
      "                   [-s SEED] [-j THREADS] [-q]\n",
      "  optimise  find the cheapest combination of the --vary settings (default: minimise\n"
      "          cost_per_year) whose targets hold with 95% confidence (KPI: a summary.json\n"
      "          path joined by '.', e.g. flows.home.rings.sel108.wait_days_mean); write\n"
      "          optimise.json/.csv to DIR (default output/optimise-<base name>)\n",
      COMMON_OPTIONS, SET_OPTION, NULL },
    { "check",
      "  flowsim check SCENARIO.cfg [--set PATH=VALUE ...]\n",
      "  check   validate the scenario and print the model as a table\n",
      SET_OPTION, NULL, NULL },
    { "calibrate",
      "  flowsim calibrate PANEL.csv --scenario BASE.cfg [-o DIR] [--fragment FILE]\n"
      "                    [--covariates a,b] [--id COLUMN] [--map FILE] [--validate N]\n"
      "                    [--simulate [--simulate-reps M]] [--skip-bad-rows]\n",
      "  calibrate  estimate the base scenario's transition rates (and, with --covariates,\n"
      "          their effects) from an RBS panel; print them with 95% CIs and a fit check;\n"
      "          write calibration.json, the fit check and fitted.cfg (for a scenario to\n"
      "          @include) to DIR (default output/calibrate-<base name>); see docs/calibration.md\n",
      NULL, NULL, cli_calibrate_usage },
    { "plot",
      "  flowsim plot DIR [--lang da|en]\n",
      "  plot    (re)draw the plots (gnuplot) and report.html of a run or comparison in DIR\n",
      LANG_OPTION, NULL, NULL },
};
enum { N_HELP = sizeof HELP / sizeof HELP[0] };

void cli_usage(FILE *out)
{
    fputs("usage:\n", out);
    for (int k = 0; k < N_HELP; k++) fputs(HELP[k].synopsis, out);
    fputs("  flowsim COMMAND --help\n"
          "  flowsim --help | --version\n\n", out);
    for (int k = 0; k < N_HELP; k++) fputs(HELP[k].about, out);
    fprintf(out, "\n%s%s\n%s%s", COMMON_OPTIONS, SET_OPTION, VALUE_NOTE, EXIT_NOTE);
}

void cli_command_usage(const char *cmd, FILE *out)
{
    for (int k = 0; k < N_HELP; k++) {
        if (strcmp(cmd, HELP[k].name)) continue;
        if (HELP[k].own_usage) {
            HELP[k].own_usage(out);
            return;
        }
        fprintf(out, "usage:\n%s\n%s", HELP[k].synopsis, HELP[k].about);
        if (HELP[k].options)
            fprintf(out, "\n%s%s\n%s", HELP[k].options,
                    HELP[k].more_options ? HELP[k].more_options : "", VALUE_NOTE);
        fprintf(out, "%s%s", HELP[k].options ? "" : "\n", EXIT_NOTE);
        return;
    }
    cli_usage(out);
}

bool cli_asks_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}

int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n)) return 0;
    if (a[n] == '=' && name[1] == '-') {            /* --name=value */
        *value = a + n + 1;
        return 1;
    }
    if (a[n]) return 0;
    if (*i + 1 >= argc) return cli_usage_error("option %s needs a value", name);
    *value = argv[++*i];
    return 1;
}

bool cli_is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && (!arg[n] || (arg[n] == '=' && name[1] == '-'));
}

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("flowsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see flowsim --help)\n", stderr);
    return EXIT_INPUT;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

void cli_common_init(struct cli_common *c)
{
    *c = (struct cli_common){ .reps = -1, .threads = -1, .years = -1.0 };
}

int cli_common_option(int argc, char **argv, int *i, struct cli_common *c)
{
    const char *a = argv[*i];
    if (!strcmp(a, "-q")) {
        c->quiet = true;
        return 1;
    }
    if (!strcmp(a, "--uncertainty")) {
        c->uncertainty = true;
        return 1;
    }
    static const char *const valued[] = { "-o", "-r", "-s", "-j", "--years", "--lang", "--set" };
    const char *v = NULL;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !v; k++) {
        int r = cli_option_value(argc, argv, i, valued[k], &v);
        if (r == 1) a = valued[k];
        else if (r) return r;
    }
    if (!v) return 0;
    if (!strcmp(a, "--set")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || !eq[1])
            return cli_usage_error("--set: must be PATH=VALUE (got '%s')", v);
        if (c->n_sets == CLI_MAX_SETS)
            return cli_usage_error("--set: at most 64 (got more at '%s')", v);
        c->sets[c->n_sets++] = v;
    } else if (!strcmp(a, "-o")) {
        c->out_dir = v;
    } else if (!strcmp(a, "-r")) {
        if (!parse_long(v, 1, 100000000, &c->reps))
            return cli_usage_error("-r: replications must be a whole number of 1 or more (got '%s')", v);
    } else if (!strcmp(a, "-s")) {
        if (!parse_u64(v, &c->seed))
            return cli_usage_error("-s: seed must be a whole number of 0 or more (got '%s')", v);
        c->has_seed = true;
    } else if (!strcmp(a, "-j")) {
        if (!parse_long(v, 0, 4096, &c->threads))
            return cli_usage_error("-j: threads must be a whole number from 0 to 4096 (got '%s')", v);
    } else if (!strcmp(a, "--years")) {
        if (!parse_double(v, &c->years) || c->years <= 0.0)
            return cli_usage_error("--years: must be a number above 0 (got '%s')", v);
        if (c->years > BOUNDS_MAX_YEARS) {
            fprintf(stderr, "flowsim: --years: %s years is more than flowsim simulates (at most %g; "
                            "see README, Limits)\n", v, BOUNDS_MAX_YEARS);
            return EXIT_INPUT;
        }
    } else {
        if (strcmp(v, "da") && strcmp(v, "en"))
            return cli_usage_error("--lang: must be 'da' or 'en' (got '%s')", v);
        c->lang = v;
    }
    return 1;
}

int cli_common_apply(const struct model *m, const struct cli_common *c, struct runopts *ro)
{
    runopts_of(m, ro);
    if (c->reps > 0) ro->replications = (int)c->reps;
    if (c->has_seed) ro->seed = c->seed;
    if (c->threads >= 0) ro->threads = (int)c->threads;
    if (c->lang) memcpy(ro->lang, c->lang, 3);
    if (c->out_dir) ro->out_dir = c->out_dir;
    if (c->uncertainty) ro->uncertainty = true;
    if (ro->uncertainty && !m->uncertainty) {
        fprintf(stderr, "flowsim: --uncertainty: %s declares no uncertainty block "
                        "(docs/uncertainty.md)\n", m->path);
        return EXIT_INPUT;
    }
    /* Only now are -r and -j known: refuse a run this machine cannot hold
     * before it starts, rather than be killed halfway. */
    struct err e = { 0 };
    if (runlimits_check(m, ro, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return EXIT_INPUT;
    }
    const char *note = runlimits_note(m);
    if (note) fprintf(stderr, "flowsim: %s\n", note);
    char slow[512];
    if ((note = runlimits_slow_note(m, slow, sizeof slow))) fprintf(stderr, "flowsim: %s\n", note);
    return 0;
}

/* The loader's notes (a clamped `initial`), once, by the root process. */
static void print_notes(const struct model *m)
{
    if (m->notes && runner_is_root()) fputs(m->notes, stderr);
}

int cli_load(const char *path, struct model **out)
{
    struct err e = { 0 };
    if (scenario_load(path, out, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return EXIT_INPUT;
    }
    print_notes(*out);
    return 0;
}

int cli_split_set(const char *s, char **path, const char **value)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || !eq[1]) return cli_usage_error("--set: must be PATH=VALUE (got '%s')", s);
    *path = strndup(s, (size_t)(eq - s));
    if (!*path) return EXIT_RUNTIME;
    *value = eq + 1;
    return 0;
}

int cli_years_set(const struct cli_common *c, char *buf, size_t n)
{
    if (!(c->years > 0.0)) return 0;
    snprintf(buf, n, "simulation.years=%.17g", c->years);
    return 1;
}

int cli_load_set(const char *path, const struct cli_common *c, int n_extra,
                 const char *const *extra, struct model **out)
{
    char years[64];
    int n_years = cli_years_set(c, years, sizeof years);
    int n = c->n_sets + n_years + n_extra, rc = 0;
    if (n == 0) return cli_load(path, out);
    char **paths = calloc((size_t)n, sizeof *paths);
    const char **values = calloc((size_t)n, sizeof *values);
    if (!paths || !values) rc = EXIT_RUNTIME;
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *s = i < c->n_sets ? c->sets[i]
                      : i < c->n_sets + n_years ? years : extra[i - c->n_sets - n_years];
        rc = cli_split_set(s, &paths[i], &values[i]);
    }
    struct err e = { 0 };
    if (rc == 0 && scenario_load_set(path, n, (const char *const *)paths, values, out, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        rc = e.status ? e.status : EXIT_INPUT;
    } else if (rc == 0 && !c->keep_notes) {
        print_notes(*out);
    }
    for (int i = 0; paths && i < n; i++) free(paths[i]);
    free(paths);
    free(values);
    return rc;
}

char *cli_join_args(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++) n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i) strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int cli_results_begin(struct resultset *rd, const char *dir)
{
    memset(rd, 0, sizeof *rd);
    rd->lock_fd = -1;
    if (!runner_is_root()) return 0;
    struct err e = { 0 };
    if (resultset_begin(rd, dir, &e) == 0) return 0;
    fprintf(stderr, "flowsim: %s\n", e.msg);
    return e.status ? e.status : EXIT_RUNTIME;
}

/* Prints text with every occurrence of from replaced by to. */
static void print_replaced(const char *text, const char *from, const char *to, FILE *out)
{
    size_t n = strlen(from);
    for (const char *at; n && (at = strstr(text, from)); text = at + n) {
        fwrite(text, 1, (size_t)(at - text), out);
        fputs(to, out);
    }
    fputs(text, out);
}

int cli_results_finish(struct resultset *rd, int rc, const struct err *e)
{
    if (rc == 0 && !interrupt_requested()) {
        if (!rd->work) return 0;                    /* not the root */
        struct err ce = { 0 };
        interrupt_hold();           /* a signal now waits until the swap is done */
        rc = resultset_commit(rd, &ce);
        interrupt_release();
        if (rc == 0) return 0;
        fprintf(stderr, "flowsim: %s\n", ce.msg);
        return ce.status ? ce.status : EXIT_RUNTIME;
    }
    const char *target = rd->target ? rd->target : "the output directory";
    if (interrupt_requested()) {
        if (rd->work || !runner_is_root())
            fprintf(stderr, "flowsim: interrupted: no results written; earlier results in %s are "
                            "untouched\n", target);
        rc = EXIT_RUNTIME;
    } else if (e && e->msg[0]) {
        /* Name the files as the user knows them, not the private directory. */
        fputs("flowsim: ", stderr);
        print_replaced(e->msg, rd->work ? rd->work : "", target, stderr);
        fputc('\n', stderr);
    }
    resultset_abort(rd);
    return rc;
}

void cli_results_plot(const struct resultset *rd, const char *lang)
{
    if (!rd->work || interrupt_requested()) return;
    char *text = NULL;
    size_t len = 0;
    FILE *msg = open_memstream(&text, &len);
    publish_results(rd->work, lang, msg ? msg : stderr);
    if (!msg) return;
    fclose(msg);
    if (!interrupt_requested() && text) print_replaced(text, rd->work, rd->target, stderr);
    free(text);
}

int cli_run(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL;
    for (int i = 2; i < argc; i++) {
        int rc = cli_common_option(argc, argv, &i, &o);
        if (rc == 1) continue;
        if (rc) return rc;
        if (argv[i][0] == '-') return cli_usage_error("unknown option '%s'", argv[i]);
        if (scenario) return cli_usage_error("unexpected argument '%s'", argv[i]);
        scenario = argv[i];
    }
    if (!scenario) return cli_usage_error("%s needs a scenario file", argv[1]);
    struct model *m = NULL;
    int rc = cli_load_set(scenario, &o, 0, NULL, &m);
    if (rc) return rc;
    struct runopts ro;
    if ((rc = cli_common_apply(m, &o, &ro)) != 0) {
        model_destroy(m);
        return rc;
    }
    const char *dir = ro.out_dir;
    struct err e = { 0 };
    /* The new set goes to a private directory beside dir: claimed before
     * the simulation, so a run that cannot land fails at once. */
    struct resultset rd;
    if ((rc = cli_results_begin(&rd, dir)) != 0) {
        model_destroy(m);
        return rc;
    }
    struct run_results res;
    bool have_res = false;
    if (runner_run(m, &ro, isatty(STDERR_FILENO), interrupt_flag(), &res, &e) != 0) {
        rc = e.status ? e.status : EXIT_RUNTIME;
    } else {
        have_res = true;
        if (rd.work) {
            char *cmd = cli_join_args(argc, argv);
            struct run_info info = { cmd, res.wall_seconds, res.threads, interrupt_flag() };
            if (output_write_run(m, &res, rd.work, &info, &e) != 0) rc = e.status ? e.status : EXIT_RUNTIME;
            free(cmd);
            /* Plots are optional: a failure is one warning line on stderr
             * and the run still succeeds. */
            if (rc == 0 && ro.plots) cli_results_plot(&rd, ro.lang);
        }
    }
    rc = cli_results_finish(&rd, rc, &e);
    if (rc == 0 && have_res && runner_is_root() && !o.quiet) oneline_print(m, &res, dir, stdout);
    if (have_res) runner_results_fini(&res);
    model_destroy(m);
    return rc;
}

int cli_check(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL;
    for (int i = 2; i < argc; i++) {
        bool set = cli_is_option(argv[i], "--set");
        int r = set ? cli_common_option(argc, argv, &i, &o) : 0;
        if (r == 1) continue;
        if (r) return r;
        if (argv[i][0] == '-') return cli_usage_error("unknown option '%s'", argv[i]);
        if (scenario) return cli_usage_error("%s takes exactly one scenario file", argv[1]);
        scenario = argv[i];
    }
    if (!scenario) return cli_usage_error("%s takes exactly one scenario file", argv[1]);
    struct model *m = NULL;
    int rc = cli_load_set(scenario, &o, 0, NULL, &m);
    if (rc) return rc;
    model_print_table(m, stdout);
    uncertainty_print(m->uncertainty, stdout);
    if (m->base_path || o.n_sets > 0) {
        /* What the variant (or --set) changes relative to its base. */
        struct model *base = NULL;
        const char *bp = m->base_path ? m->base_path : scenario;
        struct err e = { 0 };
        if (scenario_load(bp, &base, &e) == 0) {
            printf("\nchanges relative to %s\n", bp);
            setpath_print_changes(base, m, stdout);
        }
        model_destroy(base);
    }
    model_destroy(m);
    return EXIT_DONE;
}

int cli_main(int argc, char **argv)
{
    /* GSL's default handler aborts; flowsim checks return codes instead. */
    gsl_set_error_handler_off();
    interrupt_install();
    if (argc < 2) {
        cli_usage(stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        cli_usage(stdout);
        return EXIT_DONE;
    }
    if (!strcmp(cmd, "--version")) {
        printf("flowsim %s\n", FLOWSIM_VERSION);
        return EXIT_DONE;
    }
    static const struct { const char *name; int (*fn)(int, char **); } commands[] = {
        { "run", cli_run },         { "check", cli_check },
        { "compare", cli_compare }, { "sweep", cli_sweep }, { "optimise", cli_optimise },
        { "sensitivity", cli_sensitivity },
        { "calibrate", cli_calibrate }, { "plot", cli_plot },
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name)) continue;
        /* Before any argument is read: `check --help` reads no file. */
        if (cli_asks_help(argc, argv)) {
            cli_command_usage(cmd, stdout);
            return EXIT_DONE;
        }
        return commands[i].fn(argc, argv);
    }
    return cli_usage_error("unknown command '%s'", cmd);
}
