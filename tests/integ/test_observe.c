/* test_observe.c: metrics, the /metrics endpoint, health and the data
 * commands against a real server.
 *
 * The endpoint is scraped the way Prometheus would: over TCP, by curl when
 * it is installed (run as a child process so the loop keeps serving) and
 * always by a raw socket client on the same loop; the text is checked line
 * by line against the exposition grammar. */
#include "tests/integ/integ.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/cmd.h"
#include "core/config.h"
#include "core/core.h"
#include "core/health.h"
#include "core/metrics.h"
#include "core/promhttp.h"
#include "core/query.h"
#include "core/strbuf.h"
#include "shell/health_cmd.h"

static char state_dir[] = "/tmp/pgdeck-observe.XXXXXX";

/* A core on the harness cluster (port: NULL for PGPORT's). */
static pd_core *make_core(const char *port, bool start)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    pd_core *core;
    char *slow = pd_xasprintf("%s/slow.jsonl", state_dir);

    pd_config_init(&cfg);
    assert_int_equal(pd_config_apply_env(&cfg, &err), 0);
    if (port != NULL)
        pd_config_set_str(&cfg.port, port);
    pd_config_set_str(&cfg.slow_log, slow);
    cfg.pool_min = 1;
    cfg.connect_timeout_ms = 3000;
    core = pd_core_new(&cfg, &err);
    assert_non_null(core);
    if (start)
        pd_core_start(core);
    pd_config_free(&cfg);
    free(slow);
    return core;
}

static void fetch(pd_core *core, const char *sql, const char *source,
                  bool want_error)
{
    pd_query_opts o = {.source = source};
    fetched f = {0};

    assert_int_equal(pd_query_fetch(pd_core_pool(core), sql, 0, NULL, &o,
                                    on_fetch, &f), 0);
    run_until(pd_core_loop(core), &f.done, 10);
    assert_int_equal(pd_error_isset(&f.err), want_error);
    fetched_clear(&f);
}

/* ---- an HTTP client on the loop ---- */

typedef struct http {
    uv_tcp_t tcp;
    uv_connect_t conn;
    uv_write_t wr;
    const char *req;
    pd_strbuf resp;
    int done;
} http;

static void http_closed(uv_handle_t *h)
{
    ((http *)h->data)->done = 1;
}

static void http_alloc(uv_handle_t *h, size_t n, uv_buf_t *b)
{
    (void)h;
    b->base = malloc(n);
    b->len = n;
}

static void http_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    http *c = s->data;

    if (n > 0)
        pd_strbuf_append(&c->resp, b->base, (size_t)n);
    free(b->base);
    if (n < 0)
        uv_close((uv_handle_t *)&c->tcp, http_closed);
}

static void http_written(uv_write_t *w, int status)
{
    (void)w;
    (void)status;
}

static void http_connected(uv_connect_t *req, int status)
{
    http *c = req->data;
    uv_buf_t b = uv_buf_init((char *)c->req, (unsigned)strlen(c->req));

    if (status < 0) {
        uv_close((uv_handle_t *)&c->tcp, http_closed);
        return;
    }
    uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, http_written);
    uv_read_start((uv_stream_t *)&c->tcp, http_alloc, http_read);
}

/* Sends req to 127.0.0.1:port and returns-owned everything read until the
 * server closed. */
static char *http_raw(uv_loop_t *loop, int port, const char *req)
{
    http c;
    struct sockaddr_in a;

    memset(&c, 0, sizeof(c));
    c.req = req;
    uv_ip4_addr("127.0.0.1", port, &a);
    uv_tcp_init(loop, &c.tcp);
    c.tcp.data = &c;
    c.conn.data = &c;
    assert_int_equal(uv_tcp_connect(&c.conn, &c.tcp, (struct sockaddr *)&a,
                                    http_connected), 0);
    run_until(loop, &c.done, 10);
    return pd_strbuf_steal(&c.resp);
}

/* ---- curl as a child process ---- */

typedef struct child {
    uv_process_t proc;
    uv_pipe_t out;
    pd_strbuf text;
    int exited, closed, status;
} child;

static void child_out_closed(uv_handle_t *h)
{
    ((child *)h->data)->closed = 1;
}

static void child_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    child *c = s->data;

    if (n > 0)
        pd_strbuf_append(&c->text, b->base, (size_t)n);
    free(b->base);
    if (n < 0)
        uv_close((uv_handle_t *)&c->out, child_out_closed);
}

static void child_exit(uv_process_t *p, int64_t status, int sig)
{
    child *c = p->data;

    (void)sig;
    c->status = (int)status;
    c->exited = 1;
    uv_close((uv_handle_t *)p, NULL);
}

/* Returns-owned response (head and body) from curl, or NULL when curl is
 * not installed. */
static char *http_curl(uv_loop_t *loop, int port, const char *path)
{
    child c;
    uv_process_options_t o;
    uv_stdio_container_t io[3];
    char url[128];
    char a0[] = "curl", a1[] = "-sS", a2[] = "-i", a3[] = "--max-time";
    char a4[] = "10";
    char *args[] = {a0, a1, a2, a3, a4, url, NULL};
    int rc;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    memset(&c, 0, sizeof(c));
    memset(&o, 0, sizeof(o));
    uv_pipe_init(loop, &c.out, 0);
    c.out.data = &c;
    c.proc.data = &c;
    io[0].flags = UV_IGNORE;
    io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    io[1].data.stream = (uv_stream_t *)&c.out;
    io[2].flags = UV_INHERIT_FD;
    io[2].data.fd = 2;
    o.file = "curl";
    o.args = args;
    o.stdio = io;
    o.stdio_count = 3;
    o.exit_cb = child_exit;
    rc = uv_spawn(loop, &c.proc, &o);
    if (rc != 0) {
        uv_close((uv_handle_t *)&c.out, NULL);
        uv_run(loop, UV_RUN_NOWAIT);
        return NULL;
    }
    uv_read_start((uv_stream_t *)&c.out, http_alloc, child_read);
    run_until(loop, &c.exited, 15);
    run_until(loop, &c.closed, 5);
    assert_int_equal(c.status, 0);
    return pd_strbuf_steal(&c.text);
}

/* ---- the exposition grammar ---- */

static bool is_name(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' ||
                    s[0] == ':'))
        return false;
    for (i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
            return false;
    return true;
}

static bool is_value(const char *s)
{
    char *end;

    if (strcmp(s, "NaN") == 0 || strcmp(s, "+Inf") == 0 ||
        strcmp(s, "-Inf") == 0)
        return true;
    if (*s == '\0')
        return false;
    (void)strtod(s, &end);
    return *end == '\0';
}

/* Labels "{a="x",b="y"}" at *p; advances past them. */
static bool parse_labels(const char **p)
{
    const char *s = *p + 1;

    for (;;) {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
        if (n == 0 || !is_name(s, n) || s[n] != '=' || s[n + 1] != '"')
            return false;
        s += n + 2;
        while (*s != '"') {
            if (*s == '\0')
                return false;
            if (*s == '\\') {
                if (s[1] != '\\' && s[1] != '"' && s[1] != 'n')
                    return false;
                s++;
            }
            s++;
        }
        s++;
        if (*s == '}')
            break;
        if (*s != ',')
            return false;
        s++;
    }
    *p = s + 1;
    return true;
}

typedef struct family {
    char name[96];
    char type[16];
} family;

/* Checks body line by line; returns the number of samples. Fails the test
 * at the first line that breaks the format or pgdeck's naming rules. */
static int check_exposition(const char *body)
{
    family fam[256];
    int nfam = 0, samples = 0, cur = -1, i;
    const char *line = body;

    while (*line != '\0') {
        const char *nl = strchr(line, '\n'), *p;
        char buf[1024], name[96];
        size_t len, n;

        if (nl == NULL)
            fail_msg("last line without a newline: %s", line);
        len = (size_t)(nl - line);
        if (len >= sizeof(buf))
            fail_msg("line too long");
        memcpy(buf, line, len);
        buf[len] = '\0';
        line = nl + 1;
        if (strncmp(buf, "# HELP ", 7) == 0) {
            n = strcspn(buf + 7, " ");
            if (!is_name(buf + 7, n) || buf[7 + n] != ' ')
                fail_msg("bad HELP: %s", buf);
            continue;
        }
        if (strncmp(buf, "# TYPE ", 7) == 0) {
            const char *t;
            n = strcspn(buf + 7, " ");
            t = buf + 7 + n + 1;
            if (!is_name(buf + 7, n) || n >= sizeof(fam[0].name) ||
                (strcmp(t, "counter") && strcmp(t, "gauge") &&
                 strcmp(t, "summary") && strcmp(t, "histogram") &&
                 strcmp(t, "untyped")))
                fail_msg("bad TYPE: %s", buf);
            for (i = 0; i < nfam; i++)
                if (strlen(fam[i].name) == n &&
                    memcmp(fam[i].name, buf + 7, n) == 0)
                    fail_msg("TYPE repeated: %s", buf);
            assert_true(nfam < 256);
            memcpy(fam[nfam].name, buf + 7, n);
            fam[nfam].name[n] = '\0';
            snprintf(fam[nfam].type, sizeof(fam[nfam].type), "%s", t);
            if (strncmp(fam[nfam].name, "pgdeck_", 7) != 0)
                fail_msg("not prefixed pgdeck_: %s", buf);
            if (strcmp(t, "counter") == 0 &&
                strcmp(fam[nfam].name + n - 6, "_total") != 0)
                fail_msg("counter without _total: %s", buf);
            cur = nfam++;
            continue;
        }
        if (buf[0] == '#' || buf[0] == '\0')
            fail_msg("unexpected line: '%s'", buf);
        /* A sample: name, labels, value, of the family last typed. */
        n = strspn(buf, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ_:0123456789");
        if (!is_name(buf, n) || n >= sizeof(name))
            fail_msg("bad sample name: %s", buf);
        memcpy(name, buf, n);
        name[n] = '\0';
        p = buf + n;
        if (*p == '{' && !parse_labels(&p))
            fail_msg("bad labels: %s", buf);
        if (*p != ' ' || !is_value(p + 1))
            fail_msg("bad value: %s", buf);
        if (cur < 0)
            fail_msg("sample before any TYPE: %s", buf);
        if (strcmp(name, fam[cur].name) != 0) {
            size_t fl = strlen(fam[cur].name);
            bool sub = strcmp(fam[cur].type, "summary") == 0 &&
                       strncmp(name, fam[cur].name, fl) == 0 &&
                       (strcmp(name + fl, "_sum") == 0 ||
                        strcmp(name + fl, "_count") == 0);
            if (!sub)
                fail_msg("sample %s outside its family %s", name,
                         fam[cur].name);
        }
        samples++;
    }
    return samples;
}

/* Splits a response into status code and body (borrowed from resp). */
static int http_status(const char *resp, const char **body)
{
    const char *e = strstr(resp, "\r\n\r\n");

    if (strncmp(resp, "HTTP/1.1 ", 9) != 0 || e == NULL)
        return -1;
    *body = e + 4;
    return atoi(resp + 9);
}

/* ---- tests ---- */

static void test_queries_reach_metrics(void **state)
{
    pd_core *core = make_core(NULL, true);
    pd_metrics *m = pd_core_metrics(core);
    pd_metrics_snapshot *s = malloc(sizeof(*s));
    int64_t v[10];
    uint64_t seq;
    size_t n, i;
    int64_t sum = 0;

    (void)state;
    seq = pd_metrics_seq(m);
    fetch(core, "SELECT 1", "panel:Test", false);
    fetch(core, "SELECT pg_sleep(0.02)", "sync:x", false);
    fetch(core, "SELECT nope", "shell", true);
    pd_metrics_snapshot_get(m, s);
    assert_int_equal(s->source[PD_METRICS_SRC_PANEL].queries, 1);
    assert_int_equal(s->source[PD_METRICS_SRC_SYNC].queries, 1);
    assert_true(s->source[PD_METRICS_SRC_SYNC].latency.max_us >= 20000);
    assert_int_equal(s->source[PD_METRICS_SRC_SHELL].errors, 1);
    assert_int_equal(s->errors_by_kind[PD_ERR_SERVER], 1);
    assert_true(s->has_pool && s->pool.opened >= 1);
    assert_true(s->pool.wait.count >= 3);
    assert_int_equal(s->in_flight, 0);
    /* The 1 s sampler runs on its own: wait for it to push a second. */
    spin(pd_core_loop(core), 1300);
    assert_true(pd_metrics_seq(m) > seq);
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 10);
    assert_true(n >= 1);
    for (i = 0; i < n; i++)
        sum += v[i];
    assert_true(sum >= 3);
    free(s);
    pd_core_free(core);
}

static void test_prometheus_endpoint(void **state)
{
    pd_core *core = make_core(NULL, true);
    uv_loop_t *loop = pd_core_loop(core);
    pd_metrics *m = pd_core_metrics(core);
    pd_error err = PD_ERROR_INIT;
    const char *body;
    char *resp, big[PD_PROMHTTP_MAX_REQUEST + 100];
    int port;

    (void)state;
    fetch(core, "SELECT 1", "panel:Pool", false);
    assert_int_equal(pd_metrics_serve(m, "127.0.0.1:0", &err), 0);
    port = pd_metrics_serve_port(m);
    assert_true(port > 0);
    assert_int_equal(pd_metrics_serve(m, "127.0.0.1:0", &err), PD_ESTATE);
    pd_error_clear(&err);

    resp = http_curl(loop, port, "/metrics");
    if (resp == NULL)
        printf("# curl not installed: raw socket only\n");
    else {
        assert_int_equal(http_status(resp, &body), 200);
        assert_non_null(strstr(resp, "Content-Type: text/plain; "
                                     "version=0.0.4"));
        assert_true(check_exposition(body) > 50);
        free(resp);
    }
    resp = http_raw(loop, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(http_status(resp, &body), 200);
    assert_true(check_exposition(body) > 50);
    assert_non_null(strstr(body, "\npgdeck_queries_total{source=\"panel\"} "
                                 "1\n"));
    assert_non_null(strstr(body, "\npgdeck_pool_connections{state=\"idle\"}"));
    assert_non_null(strstr(body, "\npgdeck_breaker_state{state=\"closed\"} "
                                 "1\n"));
    free(resp);

    resp = http_raw(loop, port, "GET /other HTTP/1.1\r\n\r\n");
    assert_int_equal(http_status(resp, &body), 404);
    free(resp);
    resp = http_raw(loop, port, "POST /metrics HTTP/1.1\r\n"
                                "Content-Length: 3\r\n\r\nabc");
    assert_int_equal(http_status(resp, &body), 404);
    free(resp);
    resp = http_raw(loop, port, "GET /metricsx HTTP/1.0\r\n\r\n");
    assert_int_equal(http_status(resp, &body), 404);
    free(resp);
    resp = http_raw(loop, port, "hello\r\n\r\n");
    assert_int_equal(http_status(resp, &body), 400);
    free(resp);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    resp = http_raw(loop, port, big);
    assert_int_equal(http_status(resp, &body), 431);
    free(resp);
    if ((resp = http_curl(loop, port, "/nope")) != NULL) {
        assert_int_equal(http_status(resp, &body), 404);
        free(resp);
    }
    pd_core_free(core);
}

static void test_bad_listen_addresses(void **state)
{
    pd_core *core = make_core(NULL, false);
    pd_core *core2 = make_core(NULL, false);
    pd_error err = PD_ERROR_INIT;
    char addr[32];

    (void)state;
    assert_int_equal(pd_metrics_serve(pd_core_metrics(core), "nohost:1",
                                      &err), PD_EINVAL);
    pd_error_clear(&err);
    assert_int_equal(pd_metrics_serve(pd_core_metrics(core), "1.2.3.4:x",
                                      &err), PD_EINVAL);
    pd_error_clear(&err);
    assert_int_equal(pd_metrics_serve(pd_core_metrics(core), "::1", &err),
                     PD_EINVAL);
    pd_error_clear(&err);
    assert_int_equal(pd_metrics_serve(pd_core_metrics(core), "0", &err), 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d",
             pd_metrics_serve_port(pd_core_metrics(core)));
    /* The port is taken now. */
    assert_int_equal(pd_metrics_serve(pd_core_metrics(core2), addr, &err),
                     PD_EIO);
    assert_non_null(strstr(err.message, "cannot listen"));
    pd_error_clear(&err);
    pd_core_free(core2);
    pd_core_free(core);
}

typedef struct got_health {
    int done;
    pd_health_status status;
    char *json;
    double ms;
    int nreasons;
} got_health;

static void on_health(const pd_health *h, void *ctx)
{
    got_health *g = ctx;
    pd_strbuf sb = PD_STRBUF_INIT;

    g->status = h->status;
    g->ms = h->response_time_ms;
    g->nreasons = h->nreasons;
    pd_health_json(h, &sb);
    g->json = pd_strbuf_steal(&sb);
    g->done = 1;
}

static got_health check_health(pd_core *core)
{
    got_health g = {0};

    assert_int_equal(pd_health_check(core, NULL, on_health, &g), 0);
    assert_int_equal(g.done, 0); /* never synchronous */
    run_until(pd_core_loop(core), &g.done, 20);
    return g;
}

/* Runs sh_health_main with stdout captured; returns the exit status and
 * returns-owned output in *out. */
static int health_main(pd_core *core, bool json, char **out)
{
    char path[64], a0[] = "health", a1[] = "--json";
    char *argv[3] = {a0, a1, NULL};
    int fd, saved, rc;
    FILE *f;
    long len;

    snprintf(path, sizeof(path), "%s/health.out", state_dir);
    fflush(stdout);
    saved = dup(1);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    dup2(fd, 1);
    close(fd);
    rc = sh_health_main(json ? 2 : 1, argv, core);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    *out = calloc(1, (size_t)len + 1);
    assert_int_equal(fread(*out, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return rc;
}

static void test_health_up(void **state)
{
    pd_core *core = make_core(NULL, true);
    got_health g = check_health(core);
    cJSON *j = cJSON_Parse(g.json), *it;
    char *out;

    (void)state;
    assert_non_null(j);
    assert_int_equal(g.status, PD_HEALTH_HEALTHY);
    assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring,
                        "healthy");
    assert_true(cJSON_GetObjectItem(j, "response_time_ms")->valuedouble > 0);
    assert_memory_equal(
        cJSON_GetObjectItem(j, "database_version")->valuestring,
        "PostgreSQL ", 11);
    assert_true(cJSON_GetObjectItem(j, "server_uptime_s")->valuedouble >= 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "in_recovery")));
    assert_true(cJSON_GetObjectItem(j, "connections_used")->valueint >= 1);
    assert_int_equal(cJSON_GetObjectItem(j, "max_connections")->valueint,
                     200); /* the harness's setting */
    it = cJSON_GetObjectItem(j, "pool");
    assert_true(cJSON_IsObject(it));
    assert_true(cJSON_GetObjectItem(it, "max")->valueint >= 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "reasons")),
                     0);
    cJSON_Delete(j);
    free(g.json);
    /* The probe's queries count under their own source. */
    {
        pd_metrics_snapshot *s = malloc(sizeof(*s));
        pd_metrics_snapshot_get(pd_core_metrics(core), s);
        assert_int_equal(s->source[PD_METRICS_SRC_HEALTH].queries, 2);
        free(s);
    }
    assert_int_equal(health_main(core, true, &out), 0);
    j = cJSON_Parse(out);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring,
                        "healthy");
    cJSON_Delete(j);
    free(out);
    assert_int_equal(health_main(core, false, &out), 0);
    assert_memory_equal(out, "status: healthy\n", 16);
    free(out);
    pd_core_free(core);
}

/* A breaker that is not closed: the server answers (through the idle
 * connection) but the verdict is degraded, exit status 2. */
static void test_health_degraded(void **state)
{
    pd_core *core = make_core(NULL, true);
    pd_breaker *br = pd_core_breaker(core);
    uint64_t now = uv_now(pd_core_loop(core));
    got_health g;
    char *out;
    int i;

    (void)state;
    fetch(core, "SELECT 1", "app", false); /* an idle connection now */
    for (i = 0; i < 5; i++)
        pd_breaker_failure(br, now);
    assert_int_equal(pd_breaker_state_get(br), PD_BREAKER_OPEN);
    g = check_health(core);
    assert_int_equal(g.status, PD_HEALTH_DEGRADED);
    assert_non_null(strstr(g.json, "\"status\":\"degraded\""));
    assert_non_null(strstr(g.json, "circuit breaker open"));
    free(g.json);
    assert_int_equal(health_main(core, true, &out), 2);
    assert_non_null(strstr(out, "\"degraded\""));
    free(out);
    pd_core_free(core);
}

/* A port nothing listens on. */
static void test_health_dead_port(void **state)
{
    uv_loop_t loop;
    uv_tcp_t t;
    struct sockaddr_in a;
    struct sockaddr_storage b;
    int len = sizeof(b);
    char port[16], *out;
    pd_core *core;
    got_health g;
    cJSON *j;

    (void)state;
    /* Take a free port from the kernel, then give it back. */
    uv_loop_init(&loop);
    uv_tcp_init(&loop, &t);
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&t, (struct sockaddr *)&a, 0), 0);
    uv_tcp_getsockname(&t, (struct sockaddr *)&b, &len);
    snprintf(port, sizeof(port), "%d",
             ntohs(((struct sockaddr_in *)&b)->sin_port));
    uv_close((uv_handle_t *)&t, NULL);
    drain_loop(&loop);

    core = make_core(port, false);
    g = check_health(core);
    assert_int_equal(g.status, PD_HEALTH_UNHEALTHY);
    assert_true(g.nreasons >= 1);
    j = cJSON_Parse(g.json);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring,
                        "unhealthy");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "database_version")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "max_connections")));
    cJSON_Delete(j);
    free(g.json);
    assert_int_equal(health_main(core, false, &out), 1);
    assert_memory_equal(out, "status: unhealthy\n", 18);
    assert_non_null(strstr(out, "\nreason: "));
    free(out);
    pd_core_free(core);
}

typedef struct got_cmd {
    int done;
    pd_result *res;
    char *text;
    pd_error err;
} got_cmd;

static void on_cmd(pd_result *res, char *text, const pd_error *err,
                   void *ctx)
{
    got_cmd *g = ctx;

    g->res = res;
    g->text = text;
    if (err != NULL)
        pd_error_copy(&g->err, err);
    g->done = 1;
}

static got_cmd run_cmd(pd_core *core, const char *line)
{
    got_cmd g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(pd_cmd_run(core, line, on_cmd, &g), 0);
    assert_int_equal(g.done, 0); /* never synchronous */
    run_until(pd_core_loop(core), &g.done, 20);
    return g;
}

static void done_cmd(got_cmd *g)
{
    pd_result_free(g->res);
    free(g->text);
    pd_error_clear(&g->err);
}

/* Finds the value of stat name in a stat | value table. */
static const char *stat_of(const pd_result *r, const char *name)
{
    size_t i;

    for (i = 0; i < pd_result_nrows(r); i++)
        if (strcmp(pd_result_value(r, i, 0), name) == 0)
            return pd_result_value(r, i, 1);
    return NULL;
}

static void test_data_commands(void **state)
{
    pd_core *core = make_core(NULL, true);
    got_cmd g;
    int dummy;

    (void)state;
    assert_int_equal(pd_cmd_run(core, "\\nope", on_cmd, &dummy),
                     PD_ENOTFOUND);
    assert_int_equal(pd_cmd_run(core, "SELECT 1", on_cmd, &dummy),
                     PD_ENOTFOUND);
    assert_true(pd_cmd_is_data("\\pool"));
    assert_false(pd_cmd_is_data("\\poolx"));

    g = run_cmd(core, "\\slow threshold 0");
    assert_non_null(strstr(g.text, "0 ms"));
    done_cmd(&g);
    fetch(core, "SELECT 42 AS answer", "shell", false);
    fetch(core, "SELECT 42 AS answer", "shell", false);
    fetch(core, "SELECT pg_sleep(0.01)", "panel:X", false);

    g = run_cmd(core, "\\slow recent 2");
    assert_null(g.text);
    assert_int_equal(pd_result_nrows(g.res), 2);
    assert_string_equal(pd_result_value(g.res, 0, 2), "panel:X"); /* newest */
    done_cmd(&g);
    g = run_cmd(core, "\\slow calls");
    assert_true(pd_result_nrows(g.res) >= 2);
    assert_string_equal(pd_result_value(g.res, 0, 1), "2");
    assert_non_null(strstr(pd_result_value(g.res, 0, 6), "SELECT $1"));
    done_cmd(&g);
    g = run_cmd(core, "\\slow bogus");
    assert_int_equal(g.err.kind, PD_ERR_USAGE);
    assert_non_null(strstr(g.err.message, "\\slow"));
    done_cmd(&g);

    g = run_cmd(core, "\\pool");
    assert_non_null(stat_of(g.res, "in_use"));
    assert_true(atoi(stat_of(g.res, "acquires")) >= 3);
    done_cmd(&g);
    g = run_cmd(core, "\\pool extra");
    assert_int_equal(g.err.kind, PD_ERR_USAGE);
    done_cmd(&g);

    g = run_cmd(core, "\\metrics");
    assert_string_equal(pd_result_col_name(g.res, 0), "source");
    assert_non_null(pd_result_next(g.res)); /* the stat | value table */
    assert_non_null(stat_of(pd_result_next(g.res), "loop_lag_max_ms"));
    done_cmd(&g);
    g = run_cmd(core, "\\metrics json");
    {
        cJSON *j = cJSON_Parse(g.text);
        assert_non_null(j);
        assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "queries"),
                                        "queries")->valueint >= 3);
        cJSON_Delete(j);
    }
    done_cmd(&g);
    g = run_cmd(core, "\\metrics prom");
    assert_true(check_exposition(g.text) > 50);
    done_cmd(&g);

    g = run_cmd(core, "\\locks");
    assert_int_equal(pd_result_ncols(g.res), 6);
    done_cmd(&g);
    g = run_cmd(core, "\\retries");
    assert_string_equal(stat_of(g.res, "breaker"), "closed");
    done_cmd(&g);
    g = run_cmd(core, "\\health");
    assert_string_equal(stat_of(g.res, "status"), "healthy");
    done_cmd(&g);
    g = run_cmd(core, "\\health json");
    assert_non_null(strstr(g.text, "\"status\":\"healthy\""));
    done_cmd(&g);
    pd_core_free(core);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(state_dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char *cmd = pd_xasprintf("rm -rf '%s'", state_dir);
    int rc;

    (void)state;
    rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queries_reach_metrics),
        cmocka_unit_test(test_prometheus_endpoint),
        cmocka_unit_test(test_bad_listen_addresses),
        cmocka_unit_test(test_health_up),
        cmocka_unit_test(test_health_degraded),
        cmocka_unit_test(test_health_dead_port),
        cmocka_unit_test(test_data_commands),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
