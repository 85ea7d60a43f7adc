/*
 * zosmf_stub.c - the control plane without its z/OSMF facade: every
 * request under /zosmf/ is answered 404.  zosmf.c, the facade, replaces
 * this file in the core's source list (server/CMakeLists.txt).
 */
#include <stdlib.h>

#include "control_internal.h"

struct xdi__zosmf *xdi__zosmf_new(struct xdi_control *ctl)
{
    (void)ctl;
    return NULL;
}

void xdi__zosmf_free(struct xdi__zosmf *z)
{
    (void)z;
}

enum xdi_control_verdict xdi__zosmf_handle(struct xdi__zosmf *z,
                                           const struct xdi_http_request *req,
                                           struct xdi_http_response *resp)
{
    (void)z;
    xdi__resp_error(resp, 404, "XDIC004E", "no such route: %s %s",
                    req->method, req->path);
    return XDI_CONTROL_DONE;
}

void xdi__zosmf_record(struct xdi__zosmf *z, const struct xdi_record *rec)
{
    (void)z;
    (void)rec;
}

void xdi__zosmf_reset(struct xdi__zosmf *z)
{
    (void)z;
}

bool xdi__zosmf_cancel(struct xdi__zosmf *z, void *reply)
{
    (void)z;
    (void)reply;
    return false;
}
