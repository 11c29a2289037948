/* fuzz_writers.c: libFuzzer harness for the code that writes plot scripts,
 * plot data and report.html (sim/present/plot.c, report.c, publish.c) from
 * a results directory someone sent (read through sim/io/resultsdir.c).
 *
 * The first input byte picks the mode (bit 0: a comparison around the run;
 * bit 1: Danish); the rest, split at NUL bytes, gives the texts: scenario
 * name, description, flow id and name, ring ids, names and laws, and the
 * alternative's name in a comparison. They go into summary.json,
 * timeseries.csv, waits.csv and comparison.json of a directory under a
 * private temporary one, and publish_results writes plots/ and the report
 * there (gnuplot is never run: FLOWSIM_GNUPLOT names no program).
 *
 * Properties, besides no crash, leak or sanitizer report: every script
 * lexes as gnuplot reads it with no backquote (command substitution) or `@`
 * (macro) outside single-quoted strings, no backquote in a double-quoted
 * one, no `system` outside strings, no string left open at a line's end and
 * no comment continued onto the next line; every data row of a .dat starts
 * like a number (no name starts a row); report.html holds only the tags
 * report.c writes, every link is a relative one to a scenario's report and
 * every image a data URI. Build and run: make fuzz (tests/fuzz/README.md). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "present/publish.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

#define FAIL(...) do { fprintf(stderr, "fuzz_writers: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void remove_root(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Memory-backed where there is /dev/shm: every file is fsynced. */
    snprintf(root, sizeof root, "/dev/shm/fuzz-writers-XXXXXX");
    if (!mkdtemp(root)) {
        snprintf(root, sizeof root, "/tmp/fuzz-writers-XXXXXX");
        if (!mkdtemp(root)) FAIL("cannot make a temporary directory");
    }
    setenv("FLOWSIM_GNUPLOT", "/nonexistent/gnuplot", 1);
    atexit(remove_root);
    return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void clear_root(bool also_root)
{
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (!also_root && mkdir(root, 0700) != 0) FAIL("cannot remake %s", root);
}

static void remove_root(void)
{
    clear_root(true);
}

/* ---------------------------------------------------------------- checks */

static bool word_at(const char *line, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(line + i, w, n)) return false;
    bool before = i == 0 || !((line[i - 1] >= 'a' && line[i - 1] <= 'z') || line[i - 1] == '_');
    char after = line[i + n];
    return before && !((after >= 'a' && after <= 'z') || after == '_' || (after >= '0' && after <= '9'));
}

/* One line of a script as gnuplot lexes it. */
static void check_script_line(const char *path, int no, const char *line, size_t len)
{
    enum { OUT, SQ, DQ } st = OUT;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 && ch != '\t') FAIL("%s:%d: control byte %u", path, no, ch);
        if (st == OUT) {
            if (ch == '#') {                       /* a comment: it must not continue */
                if (line[len - 1] == '\\') FAIL("%s:%d: a comment continued onto the next line", path, no);
                return;
            }
            if (ch == '\'') st = SQ;
            else if (ch == '"') st = DQ;
            else if (ch == '`' || ch == '@') FAIL("%s:%d: '%c' outside a string", path, no, ch);
            else if (word_at(line, i, "system")) FAIL("%s:%d: system outside a string", path, no);
        } else if (st == SQ) {
            if (ch == '\'' && i + 1 < len && line[i + 1] == '\'') i++;
            else if (ch == '\'') st = OUT;
        } else {
            if (ch == '\\' && i + 1 < len) i++;
            else if (ch == '"') st = OUT;
            else if (ch == '`') FAIL("%s:%d: a backquote in a double-quoted string", path, no);
        }
    }
    if (st != OUT) FAIL("%s:%d: a string left open at the end of the line", path, no);
}

static void check_script(const char *path, const char *s)
{
    int no = 1;
    for (const char *p = s; *p; no++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        check_script_line(path, no, p, len);
        p += len + (e != NULL);
    }
}

static void check_dat(const char *path, const char *s)
{
    int no = 1;
    for (const char *p = s; *p; no++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0 && p[0] != '#' && !strchr("-0123456789N\"", p[0])) FAIL("%s:%d: a row that is no data", path, no);
        if (len > 0 && p[0] == '"' && !(p[1] >= '0' && p[1] <= '9')) FAIL("%s:%d: a quoted cell that is no year", path, no);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] < 0x20 && p[i] != '\t') FAIL("%s:%d: control byte", path, no);
        p += len + (e != NULL);
    }
}

static const char *const html_tags[] = {
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "div", "span",
    "table", "tr", "th", "td", "b", "a", "br", "small", "code", "figure", "img", "figcaption", "footer",
    "section", "ul", "li",
};

/* The value of attribute name in tag [t, end), or NULL. */
static const char *attr(const char *t, const char *end, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *p = t; p + n + 2 < end; p++)
        if (p[-1] == ' ' && !strncmp(p, name, n) && p[n] == '=' && p[n + 1] == '"') {
            const char *v = p + n + 2, *q = memchr(v, '"', (size_t)(end - v));
            if (!q) return NULL;
            *len = (size_t)(q - v);
            return v;
        }
    return NULL;
}

static void check_html(const char *path, const char *s)
{
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
        const char *name = p + 1 + (p[1] == '/');
        size_t n = strcspn(name, " >");
        bool known = false;
        for (size_t i = 0; i < sizeof html_tags / sizeof html_tags[0]; i++)
            if (strlen(html_tags[i]) == n && !strncmp(name, html_tags[i], n)) known = true;
        if (!known) FAIL("%s: tag <%.*s> is not one report.c writes", path, (int)(n > 40 ? 40 : n), name);
        const char *end = strchr(p, '>');
        if (!end) FAIL("%s: a tag left open", path);
        for (const char *q = p + 1; q < end; q++)
            if (*q == '<') FAIL("%s: '<' inside a tag", path);
        if (!strcmp(name, "style") || !strncmp(name, "style>", 6)) {      /* CSS: to its end tag */
            p = strstr(end, "</style>");
            if (!p) FAIL("%s: style not closed", path);
            continue;
        }
        size_t len = 0;
        const char *v = n == 1 && name[0] == 'a' && p[1] != '/' ? attr(p, end, "href", &len) : NULL;
        if (v && (len == 0 || v[0] == '.' || v[0] == '/' || memchr(v, ':', len) || len < 12 ||
                  strncmp(v + len - 12, "/report.html", 12)))
            FAIL("%s: link %.*s", path, (int)(len > 60 ? 60 : len), v);
        v = n == 3 && !strncmp(name, "img", 3) ? attr(p, end, "src", &len) : NULL;
        if (v && strncmp(v, "data:image/svg+xml;base64,", 26)) FAIL("%s: image not a data URI", path);
    }
}

static int check_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || !S_ISREG(sb->st_mode)) return 0;
    size_t n = strlen(path);
    FILE *f = fopen(path, "rb");
    if (!f) FAIL("cannot read %s", path);
    char *s = malloc((size_t)sb->st_size + 1);
    if (!s) FAIL("out of memory");
    size_t got = fread(s, 1, (size_t)sb->st_size, f);
    s[got] = '\0';
    fclose(f);
    if (strlen(s) != got) FAIL("%s: a NUL byte", path);
    if (n > 3 && !strcmp(path + n - 3, ".gp")) check_script(path, s);
    else if (n > 4 && !strcmp(path + n - 4, ".dat")) check_dat(path, s);
    else if (n > 5 && !strcmp(path + n - 5, ".html")) check_html(path, s);
    free(s);
    return 0;
}

/* ---------------------------------------------------------------- input */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) FAIL("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static cJSON *kpi(double mean, const char *unit)
{
    cJSON *k = cJSON_CreateObject(), *ci = cJSON_AddArrayToObject(k, "ci95");
    cJSON_AddNumberToObject(k, "mean", mean);
    cJSON_AddNumberToObject(k, "sd", mean / 10);
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(mean * 0.9));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(mean * 1.1));
    cJSON_AddStringToObject(k, "unit", unit);
    return k;
}

/* A run directory: one flow with two rings, four snapshots, three bins. */
static void write_run(const char *dir, const char *const *t, bool da)
{
    const char *fid = t[2], *rid[2] = { t[4], t[7] };
    cJSON *sum = cJSON_CreateObject();
    cJSON *sc = cJSON_AddObjectToObject(sum, "scenario");
    cJSON_AddStringToObject(sc, "name", t[0]);
    cJSON_AddStringToObject(sc, "description", t[1]);
    cJSON_AddStringToObject(sc, "start_date", "2014-06-15");
    cJSON_AddStringToObject(sum, "lang", da ? "da" : "en");
    cJSON_AddNumberToObject(sum, "replications", 3);
    cJSON_AddNumberToObject(sum, "years", 2);
    cJSON_AddNumberToObject(sum, "seed", 42);
    cJSON *model = cJSON_AddObjectToObject(sum, "model");
    cJSON_AddNumberToObject(model, "budget_annual", 1e6);
    cJSON *flow = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(model, "flows"), flow);
    cJSON_AddStringToObject(flow, "id", fid);
    cJSON_AddStringToObject(flow, "name", t[3]);
    cJSON *rings = cJSON_AddArrayToObject(flow, "rings");
    cJSON *kp = cJSON_AddObjectToObject(sum, "kpis");
    cJSON_AddItemToObject(kp, "cost_per_year", kpi(2e6, "DKK/year"));
    cJSON *krings = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(kp, "flows"), fid), "rings");
    for (int r = 0; r < 2; r++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "id", rid[r]);
        cJSON_AddStringToObject(g, "name", t[5 + 3 * r]);
        cJSON_AddStringToObject(g, "law", t[6 + 3 * r]);
        cJSON_AddNumberToObject(g, "capacity", r ? 0 : 10);
        cJSON_AddItemToArray(rings, g);
        cJSON_AddItemToObject(cJSON_AddObjectToObject(krings, rid[r]), "occupancy_mean", kpi(5 + r, "citizens"));
    }
    char *json = cJSON_Print(sum);
    cJSON_Delete(sum);
    if (!json) FAIL("out of memory");
    write_file(dir, "summary.json", json);
    free(json);
    char path[512];
    snprintf(path, sizeof path, "%s/timeseries.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) FAIL("cannot write %s", path);
    fputs("date,t,flow,ring,occupancy_mean,occupancy_p05,occupancy_p95,waiting_mean,waiting_p05,waiting_p95,"
          "spending_mean,spending_p05,spending_p95\n", f);
    for (int k = 0; k < 4; k++)
        for (int s = 0; s < 3; s++)
            fprintf(f, "2014-06-15,%.2f,%s,%s,%d,%d,%d,%d,0,%d,%d,%d,%d\n", 0.5 * k, fid, s < 2 ? rid[s] : "none",
                    5 + k + s, 4, 9, k, 2 * k, 100000 * (s + 1), 90000, 110000);
    fclose(f);
    snprintf(path, sizeof path, "%s/waits.csv", dir);
    if (!(f = fopen(path, "w"))) FAIL("cannot write %s", path);
    fputs("flow,ring,from_days,to_days,requests_per_replication,share\n", f);
    for (int s = 0; s < 2; s++)
        fprintf(f, "%s,%s,0,0,2,0.5\n%s,%s,0,30,1,0.25\n%s,%s,30,,1,0.25\n", fid, rid[s], fid, rid[s], fid, rid[s]);
    fclose(f);
}

/* comparison.json of base "base" and one alternative named t[9]. */
static void write_comparison(const char *dir, const char *const *t)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "seed", 42);
    cJSON_AddNumberToObject(root, "replications", 3);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "base"), "name", "base");
    cJSON *sc = cJSON_AddArrayToObject(root, "scenarios");
    const char *names[2] = { "base", t[9] };
    for (int i = 0; i < 2; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", names[i]);
        cJSON_AddStringToObject(o, "file", t[1]);
        cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "kpis"), "cost_per_year", kpi(2e6 - i * 1e5, "DKK/year"));
        cJSON_AddItemToArray(sc, o);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "differences"), d);
    cJSON_AddStringToObject(d, "alternative", t[9]);
    cJSON *dk = cJSON_AddObjectToObject(d, "kpis");
    cJSON *c = kpi(-1e5, "DKK/year");
    cJSON_AddTrueToObject(c, "real");
    cJSON_AddItemToObject(dk, "cost_per_year", c);
    cJSON *w = kpi(1.5, "citizens");
    cJSON_AddTrueToObject(w, "real");
    cJSON_AddItemToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(dk, "flows"), t[2]), "rings"), t[4]), "waiting_list_mean", w);
    char *json = cJSON_Print(root);
    cJSON_Delete(root);
    if (!json) FAIL("out of memory");
    write_file(dir, "comparison.json", json);
    free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    static const char *const dflt[10] = { "s", "d", "f", "F", "r0", "R0", "L0", "r1", "R1", "alt" };
    const char *t[10];
    const char *p = text, *end = text + size - 1;
    for (int i = 0; i < 10; i++) {
        t[i] = p < end || (p == end && i == 0) ? p : dflt[i];
        if (p <= end) p += strlen(p) + 1;
    }
    /* The ids must differ for the data to be told apart; an empty one is
     * as good a test as any other. */
    if (!strcmp(t[4], t[7]) || !strcmp(t[4], "none") || !strcmp(t[7], "none")) t[7] = "r1-other";
    bool cmp = data[0] & 1, da = data[0] & 2;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/out", root);
    if (mkdir(dir, 0700) != 0) FAIL("cannot make %s", dir);
    if (cmp) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s/base", dir);
        if (mkdir(sub, 0700) != 0) FAIL("cannot make %s", sub);
        write_run(sub, t, da);
        write_comparison(dir, t);
        /* The alternative's own directory, where its name can be one. */
        snprintf(sub, sizeof sub, "%s/%s", dir, t[9]);
        if (*t[9] && !strchr(t[9], '/') && strcmp(t[9], ".") && strcmp(t[9], "..") && strcmp(t[9], "base") &&
            strlen(sub) < sizeof sub - 32 && mkdir(sub, 0700) == 0)
            write_run(sub, t, da);
    } else {
        write_run(dir, t, da);
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) FAIL("cannot open /dev/null");
    publish_results(dir, NULL, devnull);
    fclose(devnull);
    nftw(root, check_one, 16, FTW_PHYS);
    clear_root(false);
    free(text);
    return 0;
}
