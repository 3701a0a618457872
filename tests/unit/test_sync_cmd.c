/* test_sync_cmd.c: commands run without a shell, output captured, exit
 * status and timeouts reported. Uses a real loop and real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/sync_cmd.h"

typedef struct got {
    int done;
    char out[256], errtext[256];
    int64_t status;
    pd_error err;
} got;

static void on_done(const pd_sync_cmd_result *res, const pd_error *err,
                    void *ctx)
{
    got *g = ctx;

    snprintf(g->out, sizeof(g->out), "%s", res->out);
    snprintf(g->errtext, sizeof(g->errtext), "%s", res->errtext);
    g->status = res->exit_status;
    if (err != NULL)
        pd_error_copy(&g->err, err);
    g->done = 1;
}

static void run_cmd(const char *const *argv, uint32_t timeout_ms, got *g)
{
    uv_loop_t loop;

    memset(g, 0, sizeof(*g));
    uv_loop_init(&loop);
    assert_int_equal(pd_sync_cmd_run(&loop, argv, NULL, timeout_ms, 0,
                                     on_done, g), 0);
    assert_int_equal(g->done, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(g->done, 1);
}

static void test_stdout_captured_no_shell(void **state)
{
    const char *argv[] = {"printf", "[%s]", "$HOME;*", NULL};
    got g;

    (void)state;
    run_cmd(argv, 5000, &g);
    assert_false(pd_error_isset(&g.err));
    assert_string_equal(g.out, "[$HOME;*]"); /* no shell expanded it */
    assert_int_equal(g.status, 0);
}

static void test_nonzero_exit_keeps_stderr(void **state)
{
    const char *argv[] = {"sh", "-c", "echo partial; echo boom >&2; exit 3",
                          NULL};
    got g;

    (void)state;
    run_cmd(argv, 5000, &g);
    assert_int_equal(g.status, 3);
    assert_non_null(strstr(g.err.message, "exited with status 3: boom"));
    pd_error_clear(&g.err);
}

static void test_timeout_kills(void **state)
{
    const char *argv[] = {"sleep", "30", NULL};
    got g;

    (void)state;
    run_cmd(argv, 100, &g);
    assert_int_equal(g.err.kind, PD_ERR_TIMEOUT);
    assert_non_null(strstr(g.err.message, "timeout of 100 ms"));
    pd_error_clear(&g.err);
}

static void test_missing_program(void **state)
{
    const char *argv[] = {"/nonexistent/fetch-feed", NULL};
    got g;

    (void)state;
    run_cmd(argv, 5000, &g);
    assert_true(pd_error_isset(&g.err));
    assert_non_null(strstr(g.err.message, "cannot run /nonexistent/"));
    pd_error_clear(&g.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdout_captured_no_shell),
        cmocka_unit_test(test_nonzero_exit_keeps_stderr),
        cmocka_unit_test(test_timeout_kills),
        cmocka_unit_test(test_missing_program),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
