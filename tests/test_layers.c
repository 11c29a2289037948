/* test_layers.c: the source tree's layering rule (tests/check_layers.sh)
 * holds for the tree, and the script catches an upward include and an
 * include cycle in a tree made for the purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests.h"
#include "util.h"

/* Runs `sh root/tests/check_layers.sh`, output into t/layers.out. */
static int check_layers(const struct tmp *t, const char *root)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sh '%s/tests/check_layers.sh' >'%s/layers.out' 2>&1", root, t->dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_tree_is_layered(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    int rc = check_layers(&t, ".");
    char *out = tu_tmp_read(&t, "layers.out");
    if (rc != 0) fail_msg("check_layers.sh:\n%s", out);
    assert_non_null(strstr(out, "layers: ok"));
    free(out);
    tu_tmp_remove(&t);
}

/* A tree with the script and the given files (path, text; NULL ends). */
static void make_tree(const struct tmp *t, const char *const *files)
{
    char *script = tu_slurp("tests/check_layers.sh", NULL);
    assert_non_null(script);
    static const char *const dirs[] = { "tests", "sim", "sim/io", "sim/present", "include", "include/io",
                                        "include/present" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", t->dir, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    tu_tmp_write(t, "tests/check_layers.sh", script);
    free(script);
    for (; *files; files += 2) tu_tmp_write(t, files[0], files[1]);
}

static void test_upward_include_fails(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const char *const files[] = {
        "include/io/reader.h", "#include \"present/plot.h\"\n",
        "include/present/plot.h", "/* plot */\n",
        NULL,
    };
    make_tree(&t, files);
    assert_int_equal(check_layers(&t, t.dir), 1);
    char *out = tu_tmp_read(&t, "layers.out");
    assert_non_null(strstr(out, "reaches up from io to present"));
    free(out);
    tu_tmp_remove(&t);
}

static void test_include_cycle_fails(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const char *const files[] = {
        "sim/present/plot.c", "#include \"present/report.h\"\n",
        "include/present/plot.h", "/* plot */\n",
        "sim/present/report.c", "#include \"present/plot.h\"\n",
        "include/present/report.h", "/* report */\n",
        NULL,
    };
    make_tree(&t, files);
    assert_int_equal(check_layers(&t, t.dir), 1);
    char *out = tu_tmp_read(&t, "layers.out");
    assert_non_null(strstr(out, "include cycle"));
    free(out);
    tu_tmp_remove(&t);
}

int test_group_layers(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_is_layered),
        cmocka_unit_test(test_upward_include_fails),
        cmocka_unit_test(test_include_cycle_fails),
    };
    return RUN_GROUP(tests, n);
}
