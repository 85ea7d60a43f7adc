/*
 * naccb.h - libnaccb, the byte-exact codec of the zJOS-XDI agent protocol.
 *
 * Sans-IO: no sockets, threads, clock or logging; encode and decode never
 * allocate.  Contract: a function returns >= 0 (success, or a byte count)
 * or a negative code of naccb/errors.h; NACCB_EINCOMPLETE means "more bytes
 * are needed" and is not an error.
 */
#ifndef NACCB_H
#define NACCB_H

#include "naccb/bytes.h"
#include "naccb/codes.h"
#include "naccb/ebcdic.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"
#include "naccb/evblok.h"
#include "naccb/framer.h"
#include "naccb/header.h"
#include "naccb/match.h"
#include "naccb/packed.h"
#include "naccb/version.h" /* generated from project() */

/* NACCB_VERSION_STRING of the library actually loaded, e.g. "0.1.0". */
NACCB_API const char *naccb_version(void);

#endif /* NACCB_H */
