/*
 * capture.h - xdi-server's --capture: every byte of every connection, both
 * directions, written as a pcap file (libpcap's dump API, link type raw
 * IP) that Wireshark and tshark open and reassemble like a capture taken
 * on the wire.
 *
 * The bytes are the ones the libuv layer reads from a socket and queues
 * for writing; the IPv4/IPv6 and TCP headers around them are synthesized
 * from the connection's real addresses and ports, with a SYN, SYN-ACK, ACK
 * at open, a FIN from each side that closes, and sequence and
 * acknowledgement numbers that count exactly the bytes written.  Byte
 * level only: nothing here knows what a NACCB is.
 *
 * Bounded: once the file would grow past the maximum, capturing stops
 * (the packet that would cross it is not written), the file is flushed
 * and the stopped callback runs once so that the application journals it.
 */
#ifndef XDI_CAPTURE_H
#define XDI_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct xdi_capture;
struct xdi_capture_conn;

/* Largest TCP payload of one synthesized segment: 65535 - 20 - 20, so an
 * IPv4 total length never overflows; IPv6 uses the same. */
#define XDI_CAPTURE_MAX_SEGMENT 65495u

/*
 * Creates path (truncated) and writes the pcap file header.  max_bytes is
 * the size the file may reach (0: unbounded).  stopped(ctx, bytes) runs
 * once when the bound is reached, bytes being the file's size then.  NULL
 * on failure with a message in err.
 */
struct xdi_capture *xdi_capture_open(const char *path, uint64_t max_bytes,
                                     void (*stopped)(void *ctx, uint64_t bytes),
                                     void *ctx, char *err, size_t errlen);

/* Flushes and closes the file.  NULL-safe.  Connections still open must
 * have been closed with xdi_capture_conn_close() first. */
void xdi_capture_close(struct xdi_capture *cap);

/* Whether the bound was reached (nothing more is written). */
bool xdi_capture_stopped(const struct xdi_capture *cap);

/* Bytes written to the file so far (header included). */
uint64_t xdi_capture_bytes(const struct xdi_capture *cap);

/*
 * A new connection from peer to local (the server's own address):
 * writes the three-way handshake.  NULL when the addresses are not both
 * IPv4 or both IPv6, or out of memory (the connection is then simply not
 * captured).  cap may be NULL (then NULL).
 */
struct xdi_capture_conn *xdi_capture_conn_open(struct xdi_capture *cap,
                                               const struct sockaddr *peer,
                                               const struct sockaddr *local);

/* Bytes that went one way: from_peer (read from the socket) or to the
 * peer (queued for writing).  Split into segments of at most
 * XDI_CAPTURE_MAX_SEGMENT.  NULL-safe. */
void xdi_capture_data(struct xdi_capture_conn *cc, bool from_peer,
                      const uint8_t *p, size_t n);

/* The peer ended its side (end of stream read): its FIN. */
void xdi_capture_peer_fin(struct xdi_capture_conn *cc);

/* The socket closed: the server's FIN (and the peer's, if it never sent
 * one, so that the conversation ends in the file), the last ACK; frees
 * cc.  NULL-safe. */
void xdi_capture_conn_close(struct xdi_capture_conn *cc);

#endif /* XDI_CAPTURE_H */
