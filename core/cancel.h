/* cancel.h: asking the server to cancel a running statement.
 *
 * libpq's PQcancel opens a new connection and waits for it: it blocks. So
 * this module, and only this one, runs it on libuv's thread pool and reports
 * back on the loop. */
#ifndef PD_CANCEL_H
#define PD_CANCEL_H

#include <stdbool.h>

#include <uv.h>

#include "core/conn.h"
#include "core/error.h"

/* sent: the request reached the server (the statement may still finish
 * before the server acts on it); err borrowed, set when not sent. */
typedef void (*pd_cancel_cb)(bool sent, const pd_error *err, void *ctx);

/* Sends a cancel request for whatever conn (borrowed; only read here) is
 * running. cb may be NULL. Returns 0 and calls cb exactly once later, or
 * PD_ESTATE (not connected) and never calls it. */
PD_MUSTCHECK int pd_cancel_request(uv_loop_t *loop, pd_conn *conn,
                                   pd_cancel_cb cb, void *ctx);

#endif
