/* promhttp.h: a minimal HTTP server for Prometheus scrapes.
 *
 * Listens on one numeric address with uv_tcp, on the caller's loop, and
 * answers exactly one request per connection: GET /metrics (a query string
 * is ignored) gets 200 with Content-Type "text/plain; version=0.0.4" and
 * the body the render callback appends; any other method or path gets 404;
 * a malformed request 400; a request head over 8 KiB 431. Then the
 * connection is closed. Clients idle for 10 s are closed, and at most 32
 * are served at once (more are closed on accept). The listener and the
 * clients are unreferenced handles: the server answers while the loop runs
 * for other reasons, and never keeps it running by itself. */
#ifndef PD_PROMHTTP_H
#define PD_PROMHTTP_H

#include <uv.h>

#include "core/error.h"
#include "core/strbuf.h"

typedef struct pd_promhttp pd_promhttp;

/* Appends the response body to out (borrowed for the call). Runs on the
 * loop, once per GET /metrics. */
typedef void (*pd_promhttp_render_fn)(pd_strbuf *out, void *ctx);

#define PD_PROMHTTP_MAX_REQUEST 8192
#define PD_PROMHTTP_IDLE_MS 10000
#define PD_PROMHTTP_MAX_CLIENTS 32

/* Parses listen into *addr: "HOST:PORT", ":PORT" or "PORT" (loopback),
 * with HOST a numeric IPv4 address, "[IPv6]" or "localhost" (taken as
 * 127.0.0.1, since name lookups are not done here). Returns 0 or PD_EINVAL
 * with err set. */
PD_MUSTCHECK int pd_promhttp_parse_addr(const char *listen,
                                        struct sockaddr_storage *addr,
                                        pd_error *err);

/* Starts serving on loop (borrowed, must outlive the server) at listen
 * (borrowed for the call). render and ctx are kept; ctx must outlive the
 * server. On success returns 0 and sets *out to the returns-owned server;
 * else returns PD_EINVAL or PD_EIO with err set, and *out is NULL. Binding
 * and listening are synchronous and never block. */
PD_MUSTCHECK int pd_promhttp_start(uv_loop_t *loop, const char *listen,
                                   pd_promhttp_render_fn render, void *ctx,
                                   pd_promhttp **out, pd_error *err);

/* The bound port (the actual one when listen asked for port 0). */
int pd_promhttp_port(const pd_promhttp *h);

/* Closes the listener and every client; h is freed once their handles
 * have closed, so the caller runs the loop afterwards. The render callback
 * is never called again. Accepts NULL. */
void pd_promhttp_free(pd_promhttp *h);

#endif
