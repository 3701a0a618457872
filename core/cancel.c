/* cancel.c: PQcancel on libuv's thread pool (the only caller of it). */
#include "core/cancel.h"

#include <stdlib.h>

#include "core/xalloc.h"

typedef struct cancel_req {
    uv_work_t work;     /* the thread-pool request */
    PGcancel *cancel;   /* owned: a copy of the key and the address */
    pd_cancel_cb cb;
    void *ctx;
    bool sent;          /* written by the worker, read after it */
    char errbuf[256];   /* written by the worker */
} cancel_req;

/* Runs on a worker thread: touches only the request. */
static void do_cancel(uv_work_t *w)
{
    cancel_req *r = w->data;

    r->sent = PQcancel(r->cancel, r->errbuf, sizeof(r->errbuf)) == 1;
}

static void after_cancel(uv_work_t *w, int status)
{
    cancel_req *r = w->data;
    pd_error err = PD_ERROR_INIT;

    if (status != 0)
        pd_error_set(&err, PD_ERR_CANCELED, "cancel request not sent: %s",
                     uv_strerror(status));
    else if (!r->sent)
        pd_error_set(&err, PD_ERR_CONNECTION, "could not send cancel "
                     "request: %s", r->errbuf);
    if (r->cb != NULL)
        r->cb(r->sent && status == 0, pd_error_isset(&err) ? &err : NULL,
              r->ctx);
    pd_error_clear(&err);
    PQfreeCancel(r->cancel);
    free(r);
}

/* Sends a cancel request; see cancel.h. PQgetCancel only copies what the
 * connection knows (address, backend key), so it is safe on the loop. */
int pd_cancel_request(uv_loop_t *loop, pd_conn *conn, pd_cancel_cb cb,
                      void *ctx)
{
    PGconn *pg = pd_conn_pg(conn);
    cancel_req *r;

    if (pg == NULL || PQstatus(pg) != CONNECTION_OK)
        return PD_ESTATE;
    r = pd_xcalloc(1, sizeof(*r));
    r->cancel = PQgetCancel(pg);
    if (r->cancel == NULL) {
        free(r);
        return PD_ESTATE;
    }
    r->cb = cb;
    r->ctx = ctx;
    r->work.data = r;
    if (uv_queue_work(loop, &r->work, do_cancel, after_cancel) != 0) {
        PQfreeCancel(r->cancel);
        free(r);
        return PD_ESTATE;
    }
    return 0;
}
