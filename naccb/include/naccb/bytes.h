/*
 * naccb/bytes.h - big-endian field access.
 *
 * All wire integers are big-endian (z/Architecture byte order, docs/protocol.md
 * §1).  Every access in libnaccb goes through these shifts (no
 * packed structs laid over wire bytes, no casts to wider pointers), and so
 * can a program that reads a field libnaccb has no struct for (the naccb
 * tool reads a total length before the framer has the whole header).
 * Inline, so nothing is exported.
 */
#ifndef NACCB_BYTES_H
#define NACCB_BYTES_H

#include <stdint.h>

static inline uint16_t naccb_get_u16be(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static inline uint32_t naccb_get_u32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static inline void naccb_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void naccb_put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif /* NACCB_BYTES_H */
