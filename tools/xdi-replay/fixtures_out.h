/*
 * fixtures_out.h - `xdi-replay fixtures`: the host's tables of a capture
 * as a fixture set (fixtures_out.c).
 */
#ifndef XDI_REPLAY_FIXTURES_OUT_H
#define XDI_REPLAY_FIXTURES_OUT_H

#include "replay.h"
#include "tool.h"

/* Writes DIR/hosts.yaml and one raw table per current table.  Returns 0,
 * 1 when the host sent no table, or 3 (message said). */
int fixtures_write(const struct convs *convs, const char *dir, int cp,
                   const char *input);

#endif /* XDI_REPLAY_FIXTURES_OUT_H */
