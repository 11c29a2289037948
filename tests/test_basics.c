/* test_basics.c: the small modules every run leans on: the event queue, the
 * random streams and distributions, atomic output files, SHA-256 and civil
 * dates. Statistical checks use fixed seeds and tolerances of 4 standard
 * errors, so they are deterministic and fail only on a real bias. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tests.h"

#include "base/afile.h"
#include "base/caldate.h"
#include "base/csvcell.h"
#include "base/linemap.h"
#include "base/numtext.h"
#include "base/pathname.h"
#include "base/sbuf.h"
#include "engine/evq.h"
#include "engine/rngs.h"
#include "engine/summary.h"

/* ---------------------------------------------------------------- helpers */

static gsl_rng *test_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* A fresh directory under /tmp; the caller frees the string and removes the
 * tree with rm_tree. */
static char *make_tmpdir(void)
{
    char *d = strdup("/tmp/flowsim-test-XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* rm -r without nftw (XSI, outside our POSIX feature level). */
static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
                char *sub = path_join(path, de->d_name);
                rm_tree(sub);
                free(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Entries of dir other than . and ..; *only is set to the name when there
 * is exactly one (caller frees). */
static int count_entries(const char *dir, char **only)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    if (only) *only = NULL;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (only && n == 0) {
            *only = strdup(de->d_name);
            assert_non_null(*only);
        }
        n++;
    }
    closedir(d);
    if (only && n != 1) {
        free(*only);
        *only = NULL;
    }
    return n;
}

/* Whole file into a NUL-terminated string (caller frees), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(4096);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ------------------------------------------------------------------- evq */

static void check_order(const struct event *prev, const struct event *e)
{
    assert_true(prev->t <= e->t);
    if (prev->t == e->t) assert_true(prev->seq < e->seq);
}

/* Simulation-style use: 100k pushes at now + a random delay, some on a
 * coarse grid so that ties happen, interleaved with pops. Every pop must be
 * the minimum: pops never go back in (t, seq), and every event comes out
 * exactly once. */
static void test_evq_random_sorted(void **state)
{
    (void)state;
    enum { N = 100000 };
    gsl_rng *r = test_rng(2385);
    struct evq q;
    assert_int_equal(evq_init(&q, 1000), 0);
    unsigned char *seen = calloc(N, 1);
    assert_non_null(seen);

    struct event prev = { .t = -1.0 }, e;
    size_t pushed = 0, popped = 0;
    double now = 0.0;
    while (popped < N) {
        /* Push a burst of 0..3, then pop one: the queue grows and shrinks. */
        unsigned burst = (unsigned)gsl_rng_uniform_int(r, 4);
        for (unsigned k = 0; k < burst && pushed < N; k++, pushed++) {
            double dt = gsl_rng_uniform(r) * 3.7;
            if (gsl_rng_uniform(r) < 0.3) dt = floor(dt * 4.0) / 4.0;   /* ties */
            assert_int_equal(evq_push(&q, now + dt, 1, 2, (uint32_t)pushed, 7), 0);
        }
        if (evq_size(&q) == 0) {
            if (pushed == N) break;
            continue;
        }
        const struct event *pk = evq_peek(&q);
        assert_non_null(pk);
        struct event want = *pk;
        assert_true(evq_pop(&q, &e));
        assert_memory_equal(&want, &e, sizeof e);
        if (popped > 0) check_order(&prev, &e);
        assert_true(e.who < N);
        assert_int_equal(seen[e.who], 0);
        seen[e.who] = 1;
        assert_int_equal(e.kind, 1);
        assert_int_equal(e.flow, 2);
        assert_int_equal(e.stamp, 7);
        assert_int_equal(e.seq, e.who);     /* seq is the push count */
        prev = e;
        now = e.t;
        popped++;
    }
    assert_int_equal(popped, N);
    assert_int_equal(evq_size(&q), 0);
    assert_null(evq_peek(&q));
    assert_false(evq_pop(&q, &e));
    free(seen);
    evq_fini(&q);
    gsl_rng_free(r);
}

/* Arbitrary order in, sorted out: 100k pushes with no pops in between. */
static void test_evq_bulk_sorted(void **state)
{
    (void)state;
    enum { N = 100000 };
    gsl_rng *r = test_rng(77);
    struct evq q;
    assert_int_equal(evq_init(&q, 16), 0);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(evq_push(&q, gsl_rng_uniform(r) * 50.0, 0, 0, i, 0), 0);
    assert_int_equal(evq_size(&q), N);
    struct event prev, e;
    for (size_t i = 0; i < N; i++) {
        assert_true(evq_pop(&q, &e));
        if (i) check_order(&prev, &e);
        prev = e;
    }
    assert_false(evq_pop(&q, &e));
    evq_fini(&q);
    gsl_rng_free(r);
}

/* Equal times come out in push order, whatever else is in the heap. */
static void test_evq_ties_fifo(void **state)
{
    (void)state;
    gsl_rng *r = test_rng(5);
    struct evq q;
    assert_int_equal(evq_init(&q, 8), 0);
    static const double times[3] = { 2.5, 1.25, 3.0 };
    for (uint32_t i = 0; i < 3000; i++)
        assert_int_equal(evq_push(&q, times[gsl_rng_uniform_int(r, 3)], 0, 0, i, 0), 0);
    struct event e;
    double last_t = 0.0;
    int64_t last_who = -1;
    while (evq_pop(&q, &e)) {
        if (e.t != last_t) {
            assert_true(e.t > last_t);
            last_t = e.t;
            last_who = -1;
        }
        assert_true((int64_t)e.who > last_who);
        last_who = e.who;
    }
    assert_true(last_t == 3.0);
    evq_fini(&q);
    gsl_rng_free(r);
}

static void test_evq_clear_and_growth(void **state)
{
    (void)state;
    struct evq q;
    assert_int_equal(evq_init(&q, 1), 0);
    size_t cap0 = q.cap;
    /* Well beyond the hint: several doublings. */
    for (uint32_t i = 0; i < 10000; i++)
        assert_int_equal(evq_push(&q, (double)(10000 - i) * 0.5, 3, 0, i, 0), 0);
    assert_true(q.cap >= 10000);
    assert_true(q.cap > cap0);
    assert_true(evq_peek(&q)->t == 0.5);
    assert_int_equal(evq_peek(&q)->who, 9999);

    size_t cap = q.cap;
    struct event *mem = q.heap;
    evq_clear(&q);
    assert_int_equal(evq_size(&q), 0);
    assert_null(evq_peek(&q));
    struct event e;
    assert_false(evq_pop(&q, &e));
    assert_int_equal(q.cap, cap);           /* allocation kept */
    assert_ptr_equal(q.heap, mem);

    /* seq restarts: the first push after a clear is seq 0. */
    assert_int_equal(evq_push(&q, 4.0, 1, 1, 42, 9), 0);
    assert_int_equal(evq_push(&q, 4.0, 1, 1, 43, 9), 0);
    assert_true(evq_pop(&q, &e));
    assert_int_equal(e.seq, 0);
    assert_int_equal(e.who, 42);
    assert_true(evq_pop(&q, &e));
    assert_int_equal(e.seq, 1);
    evq_fini(&q);
    assert_null(q.heap);
}

/* ----------------------------------------------------------------- rngs */

static void test_rngs_reproducible(void **state)
{
    (void)state;
    struct rngs a, b, c;
    assert_int_equal(rngs_init(&a, 20120518, 3), 0);
    assert_int_equal(rngs_init(&b, 20120518, 3), 0);
    assert_int_equal(rngs_init(&c, 20120518, 4), 0);
    unsigned long first[RNG_COUNT];
    for (int p = 0; p < RNG_COUNT; p++) {
        int diff_rep = 0;
        for (int i = 0; i < 1000; i++) {
            unsigned long x = gsl_rng_get(a.r[p]);
            assert_int_equal(x, gsl_rng_get(b.r[p]));
            diff_rep += x != gsl_rng_get(c.r[p]);
            if (i == 0) first[p] = x;
        }
        assert_true(diff_rep > 990);        /* another replication, another stream */
    }
    /* Purposes differ from each other. */
    for (int p = 0; p < RNG_COUNT; p++)
        for (int q = p + 1; q < RNG_COUNT; q++)
            assert_true(first[p] != first[q]);
    /* Another seed, another stream too. */
    struct rngs d;
    assert_int_equal(rngs_init(&d, 20120519, 3), 0);
    rngs_reseed(&a, 20120518, 3);
    assert_true(gsl_rng_get(a.r[RNG_ARRIVAL]) != gsl_rng_get(d.r[RNG_ARRIVAL]));
    rngs_fini(&a);
    rngs_fini(&b);
    rngs_fini(&c);
    rngs_fini(&d);
    assert_null(a.r[0]);
    rngs_fini(&a);                          /* twice is harmless */
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void test_rngs_mix_distinct(void **state)
{
    (void)state;
    static const uint64_t seeds[] = { 0, 1, 20120518, UINT64_MAX };
    enum { REPS = 1000, NSEEDS = sizeof seeds / sizeof seeds[0] };
    size_t n = (size_t)NSEEDS * REPS * RNG_COUNT, k = 0;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t s = 0; s < NSEEDS; s++)
        for (uint32_t r = 0; r < REPS; r++)
            for (uint32_t p = 0; p < RNG_COUNT; p++)
                v[k++] = rngs_mix(seeds[s], r, p);
    qsort(v, n, sizeof *v, cmp_u64);
    for (size_t i = 1; i < n; i++) assert_true(v[i] != v[i - 1]);
    free(v);
    /* A pure function. */
    assert_true(rngs_mix(9, 8, 2) == rngs_mix(9, 8, 2));
    assert_true(rngs_mix(9, 8, 2) != rngs_mix(9, 2, 8));
}

static void test_rngs_reseed_equals_init(void **state)
{
    (void)state;
    struct rngs a, b;
    assert_int_equal(rngs_init(&a, 11, 0), 0);
    for (int p = 0; p < RNG_COUNT; p++)
        for (int i = 0; i < 37; i++) gsl_rng_get(a.r[p]);   /* used state */
    rngs_reseed(&a, 11, 6);
    assert_int_equal(rngs_init(&b, 11, 6), 0);
    for (int p = 0; p < RNG_COUNT; p++)
        for (int i = 0; i < 500; i++)
            assert_int_equal(gsl_rng_get(a.r[p]), gsl_rng_get(b.r[p]));
    rngs_fini(&a);
    rngs_fini(&b);
}

static void test_rngs_exp(void **state)
{
    (void)state;
    enum { N = 200000 };
    gsl_rng *r = test_rng(31);
    const double rate = 2.385;
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        double x = rngs_exp(r, rate);
        assert_true(x >= 0.0 && isfinite(x));
        sum += x;
    }
    double mean = sum / N, se = (1.0 / rate) / sqrt((double)N);
    assert_true(fabs(mean - 1.0 / rate) < 4.0 * se);
    assert_true(isinf(rngs_exp(r, 0.0)) && rngs_exp(r, 0.0) > 0);
    assert_true(isinf(rngs_exp(r, -1.5)));
    assert_true(isinf(rngs_exp(r, NAN)));
    gsl_rng_free(r);
}

static void test_rngs_gamma(void **state)
{
    (void)state;
    enum { N = 200000 };
    gsl_rng *r = test_rng(47);
    const double mu = 0.37, sd = 0.21;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < N; i++) {
        double x = rngs_gamma_mean_sd(r, mu, sd);
        assert_true(x >= 0.0);
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / N;
    double var = (sum2 - N * mean * mean) / (N - 1);
    /* se of the mean: sd/sqrt(n). se of the sample variance:
     * sqrt((mu4 - sigma^4)/n), and a gamma's mu4 = sigma^4 (3 + 6/shape). */
    double shape = (mu / sd) * (mu / sd);
    double se_mean = sd / sqrt((double)N);
    double se_var = sd * sd * sqrt((2.0 + 6.0 / shape) / N);
    assert_true(fabs(mean - mu) < 4.0 * se_mean);
    assert_true(fabs(var - sd * sd) < 4.0 * se_var);

    assert_true(rngs_gamma_mean_sd(r, 2.5, 0.0) == 2.5);
    assert_true(rngs_gamma_mean_sd(r, 0.0, 1.0) == 0.0);
    gsl_rng_free(r);
}

/* Exact mean of Normal(mu, sigma) truncated to [lo, hi]; the mass comes from
 * the Q side when the interval is in the upper tail, for precision. */
static double truncnorm_mean(double mu, double sigma, double lo, double hi)
{
    double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
    double z = a > 0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b)
                     : gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
    return mu + sigma * (gsl_ran_ugaussian_pdf(a) - gsl_ran_ugaussian_pdf(b)) / z;
}

/* Draws n, checks bounds, returns |sample mean - target| in standard errors. */
static double truncnorm_z(gsl_rng *r, double mu, double sd, double lo, double hi,
                          double target)
{
    enum { N = 200000 };
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < N; i++) {
        double x = rngs_truncnorm(r, mu, sd, lo, hi);
        assert_true(x >= lo && x <= hi);
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / N;
    double var = (sum2 - N * mean * mean) / (N - 1);
    double se = sqrt(var > 0 ? var : 0) / sqrt((double)N);
    return fabs(mean - target) / se;
}

static void test_rngs_truncnorm(void **state)
{
    (void)state;
    gsl_rng *r = test_rng(59);
    static const struct { double mu, sd, lo, hi; } cases[] = {
        { 0.0, 1.0, -1.0, 2.0 },        /* straddles the mean */
        { 10.0, 1.0, 0.0, 2.0 },        /* mean far above: lower tail */
        { -3.0, 2.0, 1.0, 5.0 },        /* mean below: upper tail */
        { 0.0, 1.0, 6.0, 9.0 },         /* deep upper tail: needs Q */
        { 4.5, 0.7, -1e300, 4.0 },      /* effectively one-sided */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double m = truncnorm_mean(cases[i].mu, cases[i].sd, cases[i].lo, cases[i].hi);
        double z = truncnorm_z(r, cases[i].mu, cases[i].sd, cases[i].lo,
                               cases[i].hi, m);
        if (!(z < 4.0))
            fail_msg("truncnorm case %zu: mean off by %.2f se", i, z);
    }
    /* Past a ~ 37 the tail mass underflows: Z | Z > a has mean
     * a + 1/a - 2/a^3 + O(a^-5). */
    const double a = 40.0;
    double z = truncnorm_z(r, 0.0, 1.0, a, a + 1.0, a + 1.0 / a - 2.0 / (a * a * a));
    assert_true(z < 4.0);
    /* Mirror image, and an unbounded upper end. */
    z = truncnorm_z(r, 0.0, 1.0, -a - 1.0, -a, -(a + 1.0 / a - 2.0 / (a * a * a)));
    assert_true(z < 4.0);
    double x = rngs_truncnorm(r, 0.0, 1.0, 50.0, INFINITY);
    assert_true(x >= 50.0 && isfinite(x));

    /* sd == 0: the mean, clamped. */
    assert_true(rngs_truncnorm(r, 5.0, 0.0, 0.0, 2.0) == 2.0);
    assert_true(rngs_truncnorm(r, -1.0, 0.0, 0.0, 2.0) == 0.0);
    assert_true(rngs_truncnorm(r, 1.5, 0.0, 0.0, 2.0) == 1.5);
    gsl_rng_free(r);
}

static void test_rngs_binomial(void **state)
{
    (void)state;
    gsl_rng *r = test_rng(61);
    assert_int_equal(rngs_binomial(r, -0.3, 12), 0);
    assert_int_equal(rngs_binomial(r, 1.7, 12), 12);
    assert_int_equal(rngs_binomial(r, 0.5, 0), 0);
    enum { N = 50000 };
    const double p = 0.237;
    const unsigned n = 40;
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        unsigned k = rngs_binomial(r, p, n);
        assert_true(k <= n);
        sum += k;
    }
    double se = sqrt(n * p * (1 - p) / N);
    assert_true(fabs(sum / N - n * p) < 4.0 * se);
    gsl_rng_free(r);
}

/* ---------------------------------------------------------------- afile */

static void test_afile_commit(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *final = path_join(dir, "summary.json");
    struct afile a;
    struct err e = { 0 };
    assert_int_equal(afile_open(&a, final, &e), 0);
    assert_non_null(a.f);
    /* Nothing under the final name until commit. */
    assert_int_equal(access(final, F_OK), -1);
    const char *text = "{ \"seed\": 20120518 }\nline two\n";
    assert_true(fputs(text, a.f) >= 0);
    assert_int_equal(afile_commit(&a, &e), 0);
    assert_int_equal(e.status, EXIT_DONE);
    assert_null(a.f);
    assert_null(a.tmp_path);
    assert_null(a.final_path);

    char *got = slurp(final);
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
    struct stat st;
    assert_int_equal(stat(final, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    char *only = NULL;
    assert_int_equal(count_entries(dir, &only), 1);   /* no leftover temp */
    assert_string_equal(only, "summary.json");
    free(only);

    /* A file in the current directory (no slash in the name). */
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(afile_open(&a, "plain.csv", &e), 0);
    fputs("a,b\n", a.f);
    assert_int_equal(afile_commit(&a, &e), 0);
    assert_int_equal(chdir(cwd), 0);
    free(cwd);
    assert_int_equal(count_entries(dir, NULL), 2);

    rm_tree(dir);
    free(final);
    free(dir);
}

static void test_afile_abort(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *final = path_join(dir, "events.csv");
    struct afile a;
    struct err e = { 0 };

    /* No final file before: none after. */
    assert_int_equal(afile_open(&a, final, &e), 0);
    fputs("half", a.f);
    afile_abort(&a);
    assert_null(a.f);
    assert_null(a.tmp_path);
    afile_abort(&a);                        /* double call */
    assert_int_equal(count_entries(dir, NULL), 0);

    /* An existing final file survives an aborted rewrite. */
    write_file(final, "old contents\n");
    assert_int_equal(afile_open(&a, final, &e), 0);
    fputs("new contents that must not appear\n", a.f);
    afile_abort(&a);
    char *got = slurp(final);
    assert_non_null(got);
    assert_string_equal(got, "old contents\n");
    free(got);
    assert_int_equal(count_entries(dir, NULL), 1);

    struct afile zero = { 0 };
    afile_abort(&zero);                     /* zeroed struct */

    rm_tree(dir);
    free(final);
    free(dir);
}

static void test_afile_failures(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *sub = path_join(dir, "gone");
    char *final = path_join(sub, "kpi.csv");
    assert_int_equal(mkdir(sub, 0755), 0);

    /* The directory disappears between open and commit. */
    struct afile a;
    struct err e = { 0 };
    assert_int_equal(afile_open(&a, final, &e), 0);
    fputs("x,y\n1,2\n", a.f);
    assert_int_equal(unlink(a.tmp_path), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(afile_commit(&a, &e), -1);
    assert_int_equal(e.status, EXIT_RUNTIME);
    assert_non_null(strstr(e.msg, final));
    assert_non_null(strstr(e.msg, strerror(ENOENT)));
    assert_null(strchr(e.msg, '\n'));
    assert_null(a.f);
    assert_null(a.tmp_path);
    assert_null(a.final_path);
    assert_int_equal(count_entries(dir, NULL), 0);

    /* Opening in a missing directory fails and creates nothing. */
    struct err e2 = { 0 };
    assert_int_equal(afile_open(&a, final, &e2), -1);
    assert_int_equal(e2.status, EXIT_RUNTIME);
    assert_non_null(strstr(e2.msg, final));
    assert_null(a.f);
    assert_null(a.tmp_path);
    assert_null(a.final_path);
    afile_abort(&a);
    assert_int_equal(count_entries(dir, NULL), 0);

    /* rename fails (the final name is a non-empty directory): the temp file
     * must go, the directory stays. */
    char *blocker = path_join(dir, "blocked");
    char *inside = path_join(blocker, "keep");
    assert_int_equal(mkdir(blocker, 0755), 0);
    write_file(inside, "keep\n");
    struct err e3 = { 0 };
    assert_int_equal(afile_open(&a, blocker, &e3), 0);
    fputs("data\n", a.f);
    assert_int_equal(afile_commit(&a, &e3), -1);
    assert_int_equal(e3.status, EXIT_RUNTIME);
    assert_non_null(strstr(e3.msg, blocker));
    assert_null(a.tmp_path);
    char *only = NULL;
    assert_int_equal(count_entries(dir, &only), 1);
    assert_string_equal(only, "blocked");
    assert_true(is_dir(blocker));
    free(only);

    rm_tree(dir);
    free(inside);
    free(blocker);
    free(final);
    free(sub);
    free(dir);
}

static void test_afile_mkdirs(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *deep = path_join(dir, "out/esbjerg/2012");
    struct err e = { 0 };
    assert_int_equal(afile_mkdirs(deep, &e), 0);
    assert_true(is_dir(deep));
    assert_int_equal(afile_mkdirs(deep, &e), 0);           /* exists: fine */
    assert_int_equal(afile_mkdirs(dir, &e), 0);

    char *slashes = path_join(dir, "x//y/");
    assert_int_equal(afile_mkdirs(slashes, &e), 0);
    char *xy = path_join(dir, "x/y");
    assert_true(is_dir(xy));

    /* A regular file in the way. */
    char *file = path_join(dir, "plain");
    write_file(file, "not a directory\n");
    char *through = path_join(dir, "plain/sub/deeper");
    assert_int_equal(afile_mkdirs(through, &e), -1);
    assert_int_equal(e.status, EXIT_RUNTIME);
    assert_non_null(strstr(e.msg, file));
    assert_null(strchr(e.msg, '\n'));
    /* ... including as the last component. */
    struct err e2 = { 0 };
    assert_int_equal(afile_mkdirs(file, &e2), -1);
    assert_non_null(strstr(e2.msg, file));

    struct err e3 = { 0 };
    assert_int_equal(afile_mkdirs("", &e3), -1);
    assert_int_equal(e3.status, EXIT_RUNTIME);

    rm_tree(dir);
    free(through);
    free(file);
    free(xy);
    free(slashes);
    free(deep);
    free(dir);
}

/* --------------------------------------------------------------- sha256 */
/* The fingerprints come from libmd (sha2.h). These check the part of its
 * contract flowsim relies on: hex digests of memory and of files, and NULL
 * for what cannot be read (a missing file, a directory). */

static void test_sha256_vectors(void **state)
{
    (void)state;
    /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf"). */
    static const struct { const char *msg, *hex; } v[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    };
    char hex[SHA256_DIGEST_STRING_LENGTH];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_ptr_equal(SHA256Data((const uint8_t *)v[i].msg, strlen(v[i].msg), hex), hex);
        assert_string_equal(hex, v[i].hex);
    }
}

static void test_sha256_file(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = path_join(dir, "scenario.cfg");
    write_file(path, "abc");
    char hex[SHA256_DIGEST_STRING_LENGTH];
    assert_non_null(SHA256File(path, hex));
    assert_string_equal(hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* Bigger than one read chunk: must equal hashing it in memory. */
    enum { N = 100003 };
    char *big = malloc(N + 1);
    assert_non_null(big);
    for (size_t i = 0; i < N; i++) big[i] = (char)('a' + i % 26);
    big[N] = '\0';
    write_file(path, big);
    char want[SHA256_DIGEST_STRING_LENGTH];
    SHA256Data((const uint8_t *)big, N, want);
    assert_non_null(SHA256File(path, hex));
    assert_string_equal(hex, want);
    free(big);

    char *missing = path_join(dir, "no-such-file.cfg");
    assert_null(SHA256File(missing, hex));
    assert_null(SHA256File(dir, hex));      /* a directory */

    rm_tree(dir);
    free(missing);
    free(path);
    free(dir);
}

/* -------------------------------------------------------------- caldate */

static void test_caldate_days(void **state)
{
    (void)state;
    assert_int_equal(caldate_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(caldate_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(caldate_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(caldate_days_from_civil(2012, 5, 18), 15478);

    /* Round trip, and consecutive days are consecutive dates, from about
     * year -770 to 4700. */
    int py, pm, pd;
    caldate_civil_from_days(-1000001, &py, &pm, &pd);
    for (int32_t z = -1000000; z <= 1000000; z++) {
        int y, m, d;
        caldate_civil_from_days(z, &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        if (caldate_days_from_civil(y, m, d) != z)
            fail_msg("round trip broke at day %d", (int)z);
        if (d == pd + 1)                    /* same month */
            assert_true(m == pm && y == py);
        else                                /* a new month starts at 1 */
            assert_true(d == 1 && m == pm % 12 + 1 && y == py + (m == 1));
        py = y; pm = m; pd = d;
    }
}

static void test_caldate_parse_format(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2013-02-29", "2012-13-01", "2012-1-01", "", "abcd-ef-gh",
        "2012-02-30", "2012-00-10", "2012-04-31", "2012-01-00",
        "2012/01/01", "2012-01-011", " 2012-01-01", "2012-01-0a",
    };
    int32_t days = 12345;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (caldate_parse(bad[i], &days))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(days, 12345);          /* untouched on failure */
    assert_false(caldate_parse(NULL, &days));

    assert_true(caldate_parse("2012-02-29", &days));
    assert_int_equal(days, caldate_days_from_civil(2012, 2, 29));
    assert_true(caldate_parse("2000-02-29", &days));      /* 400-year leap */
    assert_false(caldate_parse("1900-02-29", &days));     /* 100-year non-leap */

    char buf[11];
    caldate_format(0, buf);
    assert_string_equal(buf, "1970-01-01");
    caldate_format(caldate_days_from_civil(2012, 5, 18), buf);
    assert_string_equal(buf, "2012-05-18");
    caldate_format(caldate_days_from_civil(2035, 12, 31), buf);
    assert_string_equal(buf, "2035-12-31");
    /* format then parse is the identity. */
    for (int32_t z = -3000; z < 40000; z += 37) {
        caldate_format(z, buf);
        assert_true(caldate_parse(buf, &days));
        assert_int_equal(days, z);
    }
}

/* Keyed events: evq_set supersedes the key's event, evq_cancel and a set
 * to +inf leave it none; each set carries the shadow's new stamp for the
 * key. Pops give exactly the live events in order, ties in the order of
 * the latest set/push, and between them only superseded keyed events
 * (stamp older than the key's), which the caller drops (evq.h). Checked
 * against a shadow table over random operations. */
static void test_evq_keyed_events(void **state)
{
    (void)state;
    enum { KEYS = 500, OPS = 60000 };
    struct evq q;
    assert_int_equal(evq_init(&q, 4), 0);
    assert_int_equal(evq_reserve_keys(&q, KEYS), 0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 2385);
    double when[KEYS];
    uint32_t stamp[KEYS] = { 0 };
    for (int k = 0; k < KEYS; k++) when[k] = INFINITY;
    double now = 0.0;
    size_t supersedes = 0, stale = 0;
    for (int op = 0; op < OPS; op++) {
        uint32_t k = (uint32_t)gsl_rng_uniform_int(g, KEYS);
        double u = gsl_rng_uniform(g);
        if (u < 0.75) supersedes += isfinite(when[k]);
        if (u < 0.6) {
            double t = now + gsl_rng_uniform(g) * 3.0;
            assert_int_equal(evq_set(&q, k, t, 3, 1, ++stamp[k]), 0);
            when[k] = t;
        } else if (u < 0.7) {
            evq_cancel(&q, k);
            ++stamp[k];
            when[k] = INFINITY;
        } else if (u < 0.75) {
            assert_int_equal(evq_set(&q, k, INFINITY, 3, 1, ++stamp[k]), 0);
            when[k] = INFINITY;
        } else {
            struct event e;
            bool got;
            while ((got = evq_pop(&q, &e)) && e.stamp != stamp[e.who]) {
                assert_true(e.keyed && e.stamp < stamp[e.who]);   /* superseded */
                stale++;
            }
            if (!got) continue;
            /* The earliest live key, and the time it was last set to. */
            double best = INFINITY;
            for (int j = 0; j < KEYS; j++) best = fmin(best, when[j]);
            assert_true(e.keyed);
            assert_true(e.t == when[e.who]);
            assert_true(e.t == best);
            assert_true(e.t >= now);
            now = e.t;
            when[e.who] = INFINITY;
        }
        size_t live = 0;
        for (int j = 0; j < KEYS; j++) live += isfinite(when[j]);
        assert_true(evq_size(&q) >= live);
        assert_true(evq_size(&q) - live <= supersedes - stale);
    }
    /* Plain and keyed events share one order; a superseded keyed event
     * left in the heap pops with its old stamp. */
    evq_clear(&q);
    assert_int_equal(evq_push(&q, 1.5, 1, 0, 9, 0), 0);
    assert_int_equal(evq_set(&q, 4, 1.5, 2, 0, 1), 0);
    assert_int_equal(evq_push(&q, 1.25, 1, 0, 8, 0), 0);
    assert_int_equal(evq_set(&q, 4, 1.5, 2, 0, 2), 0);   /* re-set: now after 9 */
    struct event e;
    assert_true(evq_pop(&q, &e)); assert_int_equal(e.who, 8);
    assert_true(evq_pop(&q, &e)); assert_int_equal(e.who, 9);
    assert_true(evq_pop(&q, &e)); assert_int_equal(e.who, 4); assert_int_equal(e.stamp, 1);
    assert_true(evq_pop(&q, &e)); assert_int_equal(e.who, 4); assert_int_equal(e.stamp, 2);
    assert_true(e.keyed);
    assert_false(evq_pop(&q, &e));
    gsl_rng_free(g);
    evq_fini(&q);
}

/* A superseded keyed event in the far tier is removed at once (the queue
 * does not grow); after its bucket moved into the heap it is left there. */
static void test_evq_far_supersede_removes(void **state)
{
    (void)state;
    struct evq q;
    assert_int_equal(evq_init(&q, 4), 0);
    assert_int_equal(evq_reserve_keys(&q, 64), 0);
    q.spill_at = 8;
    for (uint32_t k = 0; k < 40; k++) assert_int_equal(evq_set(&q, k, 1.0 + k, 3, 0, 1), 0);
    struct event e;
    assert_true(evq_pop(&q, &e));             /* spreads the overflow over the ring */
    assert_true(q.far_n > 0);
    size_t n = evq_size(&q);
    assert_int_equal(evq_set(&q, 39, 50.0, 3, 0, 2), 0);     /* 39 was far */
    assert_int_equal(evq_size(&q), n);
    evq_cancel(&q, 38);
    assert_int_equal(evq_size(&q), n - 1);
    /* Drain: each key pops once with its latest stamp, 38 never. */
    int seen = 0;
    while (evq_pop(&q, &e)) {
        assert_true(e.who != 38);
        assert_int_equal(e.stamp, e.who == 39 ? 2 : 1);
        seen++;
    }
    assert_int_equal(seen, 38);
    evq_fini(&q);
}

/* The far tier (time buckets beside the heap), made to spill at 16 events:
 * keyed sets, cancels, plain and ordered pushes and pops over times near,
 * far, very far and tied, checked against a shadow table of (t, seq). Each
 * pop must be the shadow's earliest by (t, seq), seq included (the
 * tie-break), so a bucket never changes the order; the ring, the overflow
 * and rewindowing must all have been used. */
struct shadow_ev { double t; uint64_t seq; uint32_t who; bool keyed, live; };

static double far_delay(gsl_rng *g, double now)
{
    double u = gsl_rng_uniform(g);
    if (u < 0.15) return now;                                   /* due now */
    if (u < 0.30) return floor(now) + 2.0;                      /* ties */
    if (u < 0.70) return now + gsl_rng_uniform(g) * 0.05;
    if (u < 0.95) return now + gsl_rng_uniform(g) * 40.0;
    return now + gsl_rng_uniform(g) * 1e4;
}

static void test_evq_far_tier(void **state)
{
    (void)state;
    enum { KEYS = 1500, PLAIN = 4000, OPS = 50000 };
    struct evq q;
    assert_int_equal(evq_init(&q, 4), 0);
    assert_int_equal(evq_reserve_keys(&q, KEYS), 0);
    q.spill_at = 16;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7731);
    struct shadow_ev *key = calloc(KEYS, sizeof *key), *plain = calloc(PLAIN, sizeof *plain);
    uint32_t *stamp = calloc(KEYS, sizeof *stamp);
    assert_non_null(stamp);
    assert_non_null(key);
    assert_non_null(plain);
    size_t n_plain = 0, live = 0;
    uint64_t seq = 0;
    double now = 0.0, last_ordered = 0.0;
    bool saw_ring = false, saw_over = false, saw_rewindow = false;
    for (int op = 0; op < OPS; op++) {
        double u = gsl_rng_uniform(g);
        uint32_t k = (uint32_t)gsl_rng_uniform_int(g, KEYS);
        if (u < 0.35) {
            double t = far_delay(g, now);
            assert_int_equal(evq_set(&q, k, t, 3, 1, ++stamp[k]), 0);
            live += !key[k].live;
            key[k] = (struct shadow_ev){ t, seq++, k, true, true };
        } else if (u < 0.42) {
            ++stamp[k];
            if (gsl_rng_uniform(g) < 0.5) evq_cancel(&q, k);
            else assert_int_equal(evq_set(&q, k, INFINITY, 3, 1, stamp[k]), 0);
            live -= key[k].live;
            key[k].live = false;
        } else if (u < 0.55 && n_plain < PLAIN) {
            double t = far_delay(g, now);
            bool ordered = gsl_rng_uniform(g) < 0.5;
            uint32_t who = (uint32_t)n_plain;
            if (ordered) {
                t = t < last_ordered ? last_ordered : t;   /* mostly in order */
                last_ordered = t;
                assert_int_equal(evq_push_ordered(&q, t, 2, 0, who, 5), 0);
            } else {
                assert_int_equal(evq_push(&q, t, 2, 0, who, 5), 0);
            }
            plain[n_plain++] = (struct shadow_ev){ t, seq++, who, false, true };
            live++;
        } else {
            struct event e;
            bool got;
            while ((got = evq_pop(&q, &e)) && e.keyed && e.stamp != stamp[e.who])
                assert_true(e.stamp < stamp[e.who]);        /* superseded: dropped */
            assert_true(got == (live > 0));
            if (!got) continue;
            const struct shadow_ev *best = NULL;
            for (int j = 0; j < KEYS; j++)
                if (key[j].live && (!best || key[j].t < best->t ||
                                    (key[j].t == best->t && key[j].seq < best->seq)))
                    best = &key[j];
            for (size_t j = 0; j < n_plain; j++)
                if (plain[j].live && (!best || plain[j].t < best->t ||
                                      (plain[j].t == best->t && plain[j].seq < best->seq)))
                    best = &plain[j];
            assert_non_null(best);
            assert_true(e.t == best->t);
            assert_true(e.seq == best->seq);
            assert_int_equal(e.keyed, best->keyed);
            assert_int_equal(e.who, best->who);
            if (!e.keyed) assert_int_equal(e.stamp, 5);
            (best->keyed ? key : plain)[e.who].live = false;
            live--;
            now = e.t;
        }
        assert_true(evq_size(&q) >= live);
        assert_false(q.failed);
        saw_ring |= q.ring_n > 0;
        saw_over |= q.over.n > 0;
        saw_rewindow |= q.ring_n > 0 && q.win > 0 && q.win < (UINT64_C(1) << 63);
    }
    assert_true(saw_ring && saw_over && saw_rewindow);
    /* Drained, the queue turns the far tier off; cleared, it is empty. */
    struct event e;
    while (evq_pop(&q, &e)) live -= !e.keyed || e.stamp == stamp[e.who];
    assert_int_equal(live, 0);
    assert_true(q.width == 0.0);
    assert_int_equal(evq_push(&q, 1.0, 1, 0, 1, 0), 0);
    evq_clear(&q);
    assert_int_equal(evq_size(&q), 0);
    assert_false(evq_pop(&q, &e));
    free(key);
    free(plain);
    free(stamp);
    gsl_rng_free(g);
    evq_fini(&q);
}

/* In the debug and sanitizer builds (no NDEBUG) a broken heap order stops
 * the program where a sift ends next to it; the plain build skips this. */
static void test_evq_asserts_heap_order(void **state)
{
    (void)state;
#ifdef NDEBUG
    skip();
#else
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        struct evq q;
        if (evq_init(&q, 16) != 0) _exit(3);
        for (int k = 0; k < 10; k++) evq_push(&q, (double)k, 0, 0, 0, 0);
        /* Pushed in time order, heap[i] is the event at t = i. Event 2 now
         * comes after its child 9; a push at t = 50 sifts up to index 2. */
        q.heap[2].t = 100.0;
        fclose(stderr);                      /* the assertion's message */
        evq_push(&q, 50.0, 0, 0, 0, 0);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

/* Statistics are whole whatever the struct held before: a difference of a
 * run without parameter uncertainty has no uncertainty interval (it once
 * printed stack garbage as comparison.json's ui95). */
static void test_summary_stat_sets_every_field(void **state)
{
    (void)state;
    const double x[] = { 1.0, 2.0, 4.0 }, y[] = { 0.5, 0.5, 0.5 };
    struct kpi_stat s;
    memset(&s, 0, sizeof s);
    s.has_ui = true;
    s.ui_lo = s.ui_hi = 1e-310;
    summary_stat_diff(x, 1, y, 1, 3, &s);
    assert_false(s.has_ui);
    assert_int_equal(s.n, 3);
    assert_true(fabs(s.mean - 11.0 / 6.0) < 1e-12);
    s.has_ui = true;
    summary_stat(x, 1, 3, &s);
    assert_false(s.has_ui);
}

/* The one dirname and basename (base/pathname): the split is at the last
 * '/', a name in the root keeps "/", a bare name lives in ".". */
static void test_path_names(void **state)
{
    (void)state;
    static const struct { const char *path, *dir, *base; } c[] = {
        { "scenarios/more-107.cfg", "scenarios", "more-107.cfg" },
        { "a/b/c", "a/b", "c" },
        { "/x", "/", "x" },
        { "x", ".", "x" },
        { "out/", "out", "" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *d = path_dirname(c[i].path);
        assert_non_null(d);
        assert_string_equal(d, c[i].dir);
        free(d);
        assert_string_equal(path_basename(c[i].path), c[i].base);
    }
}

/* A text of three files (s.cfg lines 1-3, frag.cfg 1-2 from text line 4,
 * s.cfg again from line 4 at text line 6, and an empty file whose span a
 * later one at the same line replaces): each text line back to its file
 * and line. */
static void test_linemap(void **state)
{
    (void)state;
    struct linemap m = { 0 };
    int at;
    assert_null(linemap_find(&m, 7, &at));
    assert_int_equal(at, 7);
    assert_int_equal(linemap_add(&m, 1, "s.cfg", 1), 0);
    assert_int_equal(linemap_add(&m, 4, "frag.cfg", 1), 0);
    assert_int_equal(linemap_add(&m, 6, "empty.cfg", 1), 0);
    assert_int_equal(linemap_add(&m, 6, "s.cfg", 4), 0);
    static const struct { int line; const char *file; int at; } c[] = {
        { 1, "s.cfg", 1 }, { 3, "s.cfg", 3 }, { 4, "frag.cfg", 1 }, { 5, "frag.cfg", 2 },
        { 6, "s.cfg", 4 }, { 90, "s.cfg", 88 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *f = linemap_find(&m, c[i].line, &at);
        assert_non_null(f);
        assert_string_equal(f, c[i].file);
        assert_int_equal(at, c[i].at);
    }
    assert_null(linemap_find(&m, 0, &at));
    assert_int_equal(m.n, 3);
    linemap_free(&m);
    assert_int_equal(m.n, 0);
}

/* The one number formatter (base/numtext), for the report's numbers and
 * compare's table alike: either mark, grouped or not, no "-0.0". */
static void test_numtext(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(numtext(b, sizeof b, 391.47, 1, ',', '\0'), "391,5");
    assert_string_equal(numtext(b, sizeof b, 391.47, 1, '.', '\0'), "391.5");
    assert_string_equal(numtext(b, sizeof b, -1234567.891, 2, ',', '.'), "-1.234.567,89");
    assert_string_equal(numtext(b, sizeof b, 1234567.891, 0, '.', ','), "1,234,568");
    assert_string_equal(numtext(b, sizeof b, 123.0, 0, '.', ','), "123");
    assert_string_equal(numtext(b, sizeof b, -0.004, 2, ',', '\0'), "0,00");
    assert_string_equal(numtext(b, sizeof b, NAN, 1, ',', '\0'), "-");
    assert_string_equal(numtext(b, 4, 391.47, 1, ',', '\0'), "391");     /* cut, terminated */
    assert_string_equal(numtext_g(b, sizeof b, 4.5, ','), "4,5");
    assert_string_equal(numtext_g(b, sizeof b, 10.0, ','), "10");
    assert_string_equal(numtext_g(b, sizeof b, 0.25, '.'), "0.25");
}

/* The one CSV splitter reads back what csv_cell writes: quoted commas,
 * doubled quotes and line ends, CRLF, blanks around a field; a record per
 * call, -1 at the end. */
static void test_csv_record_reads_cells_back(void **state)
{
    (void)state;
    struct sbuf b = { 0 };
    static const char *const cell[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "=1+2" };
    for (int i = 0; i < 5; i++) {
        if (i) sbuf_append(&b, ",", 1);
        csv_cell_sbuf(&b, cell[i]);
    }
    const char *tail = "\r\n x , \"y\" \r\nlast";
    sbuf_append(&b, tail, strlen(tail));
    size_t pos = 0;
    char *f[8];
    assert_int_equal(csv_record(b.s, b.len, &pos, f, 8), 5);
    for (int i = 0; i < 4; i++) assert_string_equal(f[i], cell[i]);
    assert_string_equal(f[4], "'=1+2");          /* the formula guard stays */
    assert_int_equal(csv_record(b.s, b.len, &pos, f, 8), 2);
    assert_string_equal(f[0], "x");
    assert_string_equal(f[1], "y");
    assert_int_equal(csv_record(b.s, b.len, &pos, f, 1), 1);
    assert_string_equal(f[0], "last");
    assert_int_equal(csv_record(b.s, b.len, &pos, f, 8), -1);
    sbuf_free(&b);
}

int test_group_basics(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_record_reads_cells_back),
        cmocka_unit_test(test_path_names),
        cmocka_unit_test(test_linemap),
        cmocka_unit_test(test_numtext),
        cmocka_unit_test(test_evq_keyed_events),
        cmocka_unit_test(test_evq_far_supersede_removes),
        cmocka_unit_test(test_evq_far_tier),
        cmocka_unit_test(test_evq_random_sorted),
        cmocka_unit_test(test_evq_bulk_sorted),
        cmocka_unit_test(test_evq_asserts_heap_order),
        cmocka_unit_test(test_summary_stat_sets_every_field),
        cmocka_unit_test(test_evq_ties_fifo),
        cmocka_unit_test(test_evq_clear_and_growth),
        cmocka_unit_test(test_rngs_reproducible),
        cmocka_unit_test(test_rngs_mix_distinct),
        cmocka_unit_test(test_rngs_reseed_equals_init),
        cmocka_unit_test(test_rngs_exp),
        cmocka_unit_test(test_rngs_gamma),
        cmocka_unit_test(test_rngs_truncnorm),
        cmocka_unit_test(test_rngs_binomial),
        cmocka_unit_test(test_afile_commit),
        cmocka_unit_test(test_afile_abort),
        cmocka_unit_test(test_afile_failures),
        cmocka_unit_test(test_afile_mkdirs),
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_file),
        cmocka_unit_test(test_caldate_days),
        cmocka_unit_test(test_caldate_parse_format),
    };
    return RUN_GROUP(tests, n);
}
