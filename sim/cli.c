/* cli.c: argument parsing and the commands. Only this file prints errors
 * and chooses exit statuses. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "err.h"
#include "model.h"
#include "output.h"
#include "runner.h"
#include "scenario.h"
#include "version.h"

void cli_usage(FILE *out)
{
    fputs("usage:\n"
          "  flowsim run SCENARIO.cfg [-o DIR] [-r REPS] [-s SEED] [-j THREADS] [--years Y] [--lang da|en] [-q]\n"
          "  flowsim check SCENARIO.cfg\n"
          "  flowsim --help | --version\n"
          "\n"
          "  run     simulate the scenario's replications and write the results to DIR\n"
          "          (default: the scenario's output.dir)\n"
          "  check   validate the scenario and print the model as a table\n"
          "\n"
          "  -o DIR      output directory          -r REPS   replications\n"
          "  -s SEED     random seed               -j N      worker threads (0 = all cores)\n"
          "  --years Y   simulated years           --lang    language of plots and report\n"
          "  -q          no summary line\n"
          "\n"
          "Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n"
          "Not yet in this version: compare, sweep, calibrate, plot.\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
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

struct run_opts {
    const char *scenario, *out_dir, *lang;
    long reps, threads;              /* -1: from the scenario */
    uint64_t seed;
    bool has_seed, quiet;
    double years;                    /* <= 0: from the scenario */
};

static int parse_run(int argc, char **argv, struct run_opts *o)
{
    *o = (struct run_opts){ .reps = -1, .threads = -1, .years = -1.0 };
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "-o") || !strcmp(a, "-r") || !strcmp(a, "-s") ||
                     !strcmp(a, "-j") || !strcmp(a, "--years") || !strcmp(a, "--lang");
        if (takes && !v) return usage_error("option %s needs a value", a);
        if (!strcmp(a, "-o")) o->out_dir = v;
        else if (!strcmp(a, "-r")) {
            if (!parse_long(v, 1, 100000000, &o->reps))
                return usage_error("-r: replications must be a whole number of 1 or more (got '%s')", v);
        } else if (!strcmp(a, "-s")) {
            if (!parse_u64(v, &o->seed))
                return usage_error("-s: seed must be a whole number of 0 or more (got '%s')", v);
            o->has_seed = true;
        } else if (!strcmp(a, "-j")) {
            if (!parse_long(v, 0, 4096, &o->threads))
                return usage_error("-j: threads must be a whole number from 0 to 4096 (got '%s')", v);
        } else if (!strcmp(a, "--years")) {
            if (!parse_double(v, &o->years) || o->years <= 0.0)
                return usage_error("--years: must be a number above 0 (got '%s')", v);
        } else if (!strcmp(a, "--lang")) {
            if (strcmp(v, "da") && strcmp(v, "en"))
                return usage_error("--lang: must be 'da' or 'en' (got '%s')", v);
            o->lang = v;
        } else if (!strcmp(a, "-q")) {
            o->quiet = true;
            continue;
        } else if (a[0] == '-') {
            return usage_error("unknown option '%s'", a);
        } else if (!o->scenario) {
            o->scenario = a;
            continue;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
        i++;   /* the option's value */
    }
    if (!o->scenario) return usage_error("%s needs a scenario file", argv[1]);
    return 0;
}

/* Command-line settings override the scenario's; re-check what they touch. */
static int apply_run_opts(struct model *m, const struct run_opts *o)
{
    if (o->reps > 0) m->replications = (int)o->reps;
    if (o->has_seed) m->seed = o->seed;
    if (o->threads >= 0) m->threads = (int)o->threads;
    if (o->lang) memcpy(m->lang, o->lang, 3);
    if (o->years > 0.0) {
        if (o->years <= m->warmup_years) {
            fprintf(stderr, "flowsim: --years: must exceed the scenario's warmup_years (%g)\n",
                    m->warmup_years);
            return EXIT_INPUT;
        }
        m->years = o->years;
    }
    return 0;
}

static char *join_args(int argc, char **argv)
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

static int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    int rc = parse_run(argc, argv, &o);
    if (rc) return rc;
    struct err e = { 0 };
    struct model *m = NULL;
    if (scenario_load(o.scenario, &m, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return EXIT_INPUT;
    }
    if ((rc = apply_run_opts(m, &o)) != 0) {
        model_destroy(m);
        return rc;
    }
    const char *dir = o.out_dir ? o.out_dir : m->out_dir;
    struct run_results res;
    if (runner_run(m, m->threads, isatty(STDERR_FILENO), &res, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        model_destroy(m);
        return e.status ? e.status : EXIT_RUNTIME;
    }
    char *cmd = join_args(argc, argv);
    struct run_info info = { cmd, res.wall_seconds, res.threads };
    rc = output_write_run(m, &res, dir, &info, &e);
    free(cmd);
    if (rc != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        rc = e.status ? e.status : EXIT_RUNTIME;
    } else if (!o.quiet) {
        output_print_oneline(m, &res, dir, stdout);
    }
    runner_results_fini(&res);
    model_destroy(m);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    if (argc != 3) return usage_error("%s takes exactly one scenario file", argv[1]);
    struct err e = { 0 };
    struct model *m = NULL;
    if (scenario_load(argv[2], &m, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return EXIT_INPUT;
    }
    model_print_table(m, stdout);
    model_destroy(m);
    return EXIT_DONE;
}

int cli_main(int argc, char **argv)
{
    /* GSL's default handler aborts; flowsim checks return codes instead. */
    gsl_set_error_handler_off();
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
    if (!strcmp(cmd, "run")) return cmd_run(argc, argv);
    if (!strcmp(cmd, "check")) return cmd_check(argc, argv);
    if (!strcmp(cmd, "compare") || !strcmp(cmd, "sweep") || !strcmp(cmd, "calibrate") ||
        !strcmp(cmd, "plot"))
        return usage_error("'%s' is not available in this version yet", cmd);
    return usage_error("unknown command '%s'", cmd);
}
