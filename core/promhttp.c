/* promhttp.c: GET /metrics over uv_tcp, one request per connection.
 *
 * A client reads into a fixed buffer until the end of the request head,
 * gets one response, and then is shut down gracefully: FIN after the
 * response, and reading on (discarding) until the peer closes, so a
 * request body we never read cannot turn our close into a reset that
 * would cut the response short. An idle timer bounds every stage. */
#include "core/promhttp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/xalloc.h"

#define LINGER_MS 2000 /* after the response, waiting for the peer's FIN */

struct pd_promhttp {
    uv_loop_t *loop;              /* borrowed */
    uv_tcp_t server;
    pd_promhttp_render_fn render;
    void *ctx;                    /* render's, borrowed */
    pd_list clients;              /* open clients */
    int nclients;                 /* in clients */
    int pending;                  /* clients whose handles are not closed */
    bool closing;                 /* pd_promhttp_free called */
    bool server_closed;           /* the listener's close callback ran */
    int port;
};

typedef struct client {
    pd_list node;                 /* in h->clients while open */
    pd_promhttp *h;
    uv_tcp_t tcp;
    uv_timer_t idle;
    uv_write_t wr;
    uv_shutdown_t sd;
    int open_handles;             /* of tcp and idle */
    bool closing;
    bool responded;               /* a response was queued */
    size_t len;                   /* bytes in buf */
    char *resp;                   /* owned response bytes, while written */
    char buf[PD_PROMHTTP_MAX_REQUEST];
} client;

static void maybe_free(pd_promhttp *h)
{
    if (h->closing && h->server_closed && h->pending == 0)
        free(h);
}

static void on_client_closed(uv_handle_t *hd)
{
    client *c = hd->data;
    pd_promhttp *h = c->h;

    if (--c->open_handles > 0)
        return;
    free(c->resp);
    free(c);
    h->pending--;
    maybe_free(h);
}

static void close_client(client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    pd_list_remove(&c->node);
    c->h->nclients--;
    uv_close((uv_handle_t *)&c->tcp, on_client_closed);
    uv_close((uv_handle_t *)&c->idle, on_client_closed);
}

static void on_idle(uv_timer_t *t)
{
    close_client(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    client *c = req->data;

    if (status < 0)
        close_client(c);
    /* else: wait for the peer's EOF (or the linger timer). */
}

static void on_written(uv_write_t *req, int status)
{
    client *c = req->data;

    free(c->resp);
    c->resp = NULL;
    if (status < 0 || c->closing) {
        close_client(c);
        return;
    }
    c->sd.data = c;
    if (uv_shutdown(&c->sd, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
        close_client(c);
}

/* Queues the whole response; the connection is closed after it. */
static void respond(client *c, int code, const char *reason,
                    const char *ctype, const char *body, size_t blen)
{
    char *head = pd_xasprintf("HTTP/1.1 %d %s\r\n"
                              "Content-Type: %s\r\n"
                              "Content-Length: %zu\r\n"
                              "Connection: close\r\n\r\n",
                              code, reason, ctype, blen);
    size_t hlen = strlen(head);
    uv_buf_t b;

    c->responded = true;
    c->resp = pd_xmalloc(hlen + blen + 1);
    memcpy(c->resp, head, hlen);
    memcpy(c->resp + hlen, body, blen);
    free(head);
    b = uv_buf_init(c->resp, (unsigned)(hlen + blen));
    c->wr.data = c;
    uv_timer_start(&c->idle, on_idle, LINGER_MS, 0);
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
        close_client(c);
}

static void respond_text(client *c, int code, const char *reason,
                         const char *body)
{
    respond(c, code, reason, "text/plain; charset=utf-8", body, strlen(body));
}

/* The request head is complete in c->buf (NUL-ended): answers it. */
static void handle_request(client *c)
{
    char *line = c->buf, *end, *sp1, *sp2, *target;
    size_t tlen;

    end = strpbrk(line, "\r\n");
    if (end != NULL)
        *end = '\0';
    sp1 = strchr(line, ' ');
    sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
    if (sp1 == NULL || sp2 == NULL || sp1 == line || sp2 == sp1 + 1 ||
        strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || strchr(sp2 + 1, ' ')) {
        respond_text(c, 400, "Bad Request", "400 bad request\n");
        return;
    }
    target = sp1 + 1;
    tlen = strcspn(target, "? ");
    if ((size_t)(sp1 - line) == 3 && memcmp(line, "GET", 3) == 0 &&
        tlen == 8 && memcmp(target, "/metrics", 8) == 0) {
        pd_strbuf body = PD_STRBUF_INIT;
        c->h->render(&body, c->h->ctx);
        respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                pd_strbuf_cstr(&body), body.len);
        pd_strbuf_free(&body);
        return;
    }
    respond_text(c, 404, "Not Found", "404 page not found\n");
}

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    client *c = hd->data;

    (void)suggested;
    /* After the response, input is only drained: reuse the buffer. The
     * last byte stays free for the NUL that ends the head. */
    if (c->responded)
        *buf = uv_buf_init(c->buf, sizeof(c->buf));
    else
        *buf = uv_buf_init(c->buf + c->len,
                           (unsigned)(sizeof(c->buf) - 1 - c->len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    client *c = s->data;

    (void)buf;
    if (nread < 0) {
        close_client(c);
        return;
    }
    if (nread == 0 || c->responded)
        return;
    c->len += (size_t)nread;
    c->buf[c->len] = '\0';
    if (strstr(c->buf, "\r\n\r\n") != NULL || strstr(c->buf, "\n\n") != NULL)
        handle_request(c);
    else if (c->len >= sizeof(c->buf) - 1)
        respond_text(c, 431, "Request Header Fields Too Large",
                     "431 request too large\n");
}

static void on_connection(uv_stream_t *server, int status)
{
    pd_promhttp *h = server->data;
    client *c;

    if (status < 0 || h->closing)
        return;
    c = pd_xcalloc(1, sizeof(*c));
    c->h = h;
    pd_list_init(&c->node);
    uv_tcp_init(h->loop, &c->tcp);
    uv_timer_init(h->loop, &c->idle);
    c->tcp.data = c;
    c->idle.data = c;
    c->open_handles = 2;
    uv_unref((uv_handle_t *)&c->tcp);
    uv_unref((uv_handle_t *)&c->idle);
    pd_list_push_back(&h->clients, &c->node);
    h->nclients++;
    h->pending++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
        h->nclients > PD_PROMHTTP_MAX_CLIENTS) {
        close_client(c);
        return;
    }
    uv_timer_start(&c->idle, on_idle, PD_PROMHTTP_IDLE_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        close_client(c);
}

/* See promhttp.h. */
int pd_promhttp_parse_addr(const char *listen, struct sockaddr_storage *addr,
                           pd_error *err)
{
    char host[64];
    const char *port_s, *colon;
    char *end;
    long port;
    size_t hlen;
    bool v6 = false;

    if (listen == NULL || listen[0] == '\0')
        goto bad;
    if (listen[0] == '[') {
        const char *rb = strchr(listen, ']');
        if (rb == NULL || rb[1] != ':')
            goto bad;
        hlen = (size_t)(rb - listen - 1);
        if (hlen == 0 || hlen >= sizeof(host))
            goto bad;
        memcpy(host, listen + 1, hlen);
        host[hlen] = '\0';
        port_s = rb + 2;
        v6 = true;
    } else if ((colon = strrchr(listen, ':')) != NULL) {
        if (colon != strchr(listen, ':')) /* a bare IPv6 address */
            goto bad;
        hlen = (size_t)(colon - listen);
        if (hlen >= sizeof(host))
            goto bad;
        memcpy(host, listen, hlen);
        host[hlen] = '\0';
        port_s = colon + 1;
    } else {
        host[0] = '\0';
        port_s = listen;
    }
    if (host[0] == '\0' || strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (port_s[0] < '0' || port_s[0] > '9')
        goto bad;
    port = strtol(port_s, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        goto bad;
    memset(addr, 0, sizeof(*addr));
    if (v6 ? uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)addr)
           : uv_ip4_addr(host, (int)port, (struct sockaddr_in *)addr))
        goto bad;
    return 0;

bad:
    pd_error_set(err, PD_ERR_USAGE,
                 "invalid metrics listen address \"%s\": expected "
                 "HOST:PORT with a numeric HOST, [IPv6]:PORT or PORT",
                 listen != NULL ? listen : "");
    return PD_EINVAL;
}

static void on_server_closed(uv_handle_t *hd)
{
    pd_promhttp *h = hd->data;

    h->server_closed = true;
    maybe_free(h);
}

/* See promhttp.h. */
int pd_promhttp_start(uv_loop_t *loop, const char *listen,
                      pd_promhttp_render_fn render, void *ctx,
                      pd_promhttp **out, pd_error *err)
{
    struct sockaddr_storage addr, bound;
    int len = (int)sizeof(bound), rc;
    pd_promhttp *h;

    *out = NULL;
    if (pd_promhttp_parse_addr(listen, &addr, err) != 0)
        return PD_EINVAL;
    h = pd_xcalloc(1, sizeof(*h));
    h->loop = loop;
    h->render = render;
    h->ctx = ctx;
    pd_list_init(&h->clients);
    uv_tcp_init(loop, &h->server);
    h->server.data = h;
    /* Linux reports a port in use at listen, others at bind. */
    if ((rc = uv_tcp_bind(&h->server, (const struct sockaddr *)&addr, 0)) !=
            0 ||
        (rc = uv_listen((uv_stream_t *)&h->server, 64, on_connection)) != 0)
        goto fail;
    if (uv_tcp_getsockname(&h->server, (struct sockaddr *)&bound, &len) == 0)
        h->port = ntohs(bound.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&bound)->sin6_port
                            : ((struct sockaddr_in *)&bound)->sin_port);
    uv_unref((uv_handle_t *)&h->server);
    *out = h;
    return 0;

fail:
    pd_error_set(err, PD_ERR_USAGE, "cannot listen for metrics on %s: %s",
                 listen, uv_strerror(rc));
    h->closing = true;
    uv_close((uv_handle_t *)&h->server, on_server_closed);
    return PD_EIO;
}

int pd_promhttp_port(const pd_promhttp *h)
{
    return h->port;
}

/* See promhttp.h. */
void pd_promhttp_free(pd_promhttp *h)
{
    if (h == NULL)
        return;
    h->closing = true;
    while (!pd_list_empty(&h->clients))
        close_client(pd_list_entry(h->clients.next, client, node));
    uv_close((uv_handle_t *)&h->server, on_server_closed);
}
