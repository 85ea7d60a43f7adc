/*
 * watch.h - hot reload of the fixture set: the libuv side.
 *
 * Watches the fixture directory (and every directory holding a file the
 * set read, such as raw tables) with uv_fs_event, waits until a burst of
 * changes has been quiet for delay_ms (an editor writes a file several
 * times), loads the set again and hands it to xdi_server_reload(); a set
 * that does not load is refused with every FILE:LINE message on stderr and
 * xdi_server_reload_refused().  What changed and what agents are sent is
 * the core's decision, not this layer's.
 */
#ifndef XDI_WATCH_H
#define XDI_WATCH_H

#include <stdbool.h>
#include <uv.h>

#include "net.h"

struct xdi_watch;

/*
 * Starts watching dir (the directory the server's set was loaded from)
 * when watch_files; without it, only xdi_watch_reload() reloads (SIGHUP).
 * quiet: no log lines on stderr (loader errors are printed all the same).
 * The handles do not keep the loop alive.  NULL when out of memory.
 */
struct xdi_watch *xdi_watch_new(uv_loop_t *loop, struct xdi_net *net,
                                const char *dir, unsigned delay_ms,
                                bool watch_files, bool quiet);

/* Reloads now (SIGHUP); cause goes into the journal. */
void xdi_watch_reload(struct xdi_watch *w, const char *cause);

/* The same, saying how it went: 0, or -1 with the first reason in msg
 * (the control plane's reload). */
int xdi_watch_reload_msg(struct xdi_watch *w, const char *cause, char *msg,
                         size_t msg_size);

/* Closes every handle; the watcher is freed in the last close callback,
 * so the loop must run once more.  NULL-safe. */
void xdi_watch_close(struct xdi_watch *w);

#endif /* XDI_WATCH_H */
