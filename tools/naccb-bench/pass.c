/*
 * pass.c - the passes naccb-bench times: libnaccb's receive path over a
 * whole stream, EVBLOK matching, and the plain memcpy / memchr / memcmp
 * baselines they are read against.
 *
 * The passes are kept out of line (noinline) so that callgrind's
 * --toggle-collect can count exactly one pass's instructions
 * (tools/bench.sh); nothing here allocates except the framer itself, for
 * the NACCBs a chunk boundary splits (naccb/framer.h).
 */
#include <stdint.h>
#include <string.h>

#include "bench.h"
#include "naccb/codes.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"
#include "naccb/framer.h"
#include "naccb/header.h"

#define NOINLINE __attribute__((noinline))

/* Each EVBLOK of a receive/replace EMS NACCB: decode and every rule of
 * docs/protocol.md §8.  Returns the number of invalid ones. */
static uint64_t check_evbloks(const struct naccb_message *m)
{
    struct naccb_evblok e;
    uint64_t bad = 0;

    for (uint32_t i = 0; i < m->header.count; i++) {
        naccb_evblok_decode(naccb_message_object(m, i), &e);
        bad += naccb_evblok_validate(&e, NULL) != 0;
    }
    return bad;
}

/* Each EOTINFO as an SCD table entry or as an agent's report (§9). */
static uint64_t check_eotinfos(const struct naccb_message *m,
                               enum naccb_eotinfo_role role)
{
    struct naccb_eotinfo e;
    uint64_t bad = 0;

    for (uint32_t i = 0; i < m->header.count; i++) {
        naccb_eotinfo_decode(naccb_message_object(m, i), &e);
        bad += naccb_eotinfo_validate(&e, role, NACCB_CP_037, NULL) != 0;
    }
    return bad;
}

/* What a receiver does with one whole NACCB: decode the header, the length
 * and object rules of §3, §5, §7 and §11, then each object's content.
 * Event texts have no content rule beyond their size, which
 * naccb_message_check_objects has checked. */
static void handle(const uint8_t *msg, size_t len, struct decode_result *out)
{
    struct naccb_message m;
    int rc = naccb_message_decode(msg, len, 0, &m, NULL);

    if (rc < 0 || (size_t)rc != len ||
        naccb_message_check_objects(&m.header, NULL) != 0) {
        out->errors++;
        return;
    }
    out->naccbs++;
    out->objects += m.header.count;
    switch (naccb_header_key(&m.header)) {
    case NACCB_KEY_RCV_EMS:
    case NACCB_KEY_REP_EMS:
        out->errors += check_evbloks(&m);
        break;
    case NACCB_KEY_RCV_SCD:
    case NACCB_KEY_REP_SCD:
        out->errors += check_eotinfos(&m, NACCB_EOTINFO_TABLE_ENTRY);
        break;
    case NACCB_KEY_INFO_EOT:
        out->errors += check_eotinfos(&m, NACCB_EOTINFO_REPORT);
        break;
    default:
        break;
    }
}

/* Whether msg points into the stream (handed out in place) or into the
 * framer's own buffer (copied because a chunk boundary split it). */
static int inside(const uint8_t *msg, const uint8_t *stream, size_t len)
{
    uintptr_t p = (uintptr_t)msg, s = (uintptr_t)stream;

    return p >= s && p < s + len;
}

NOINLINE int decode_pass(const uint8_t *stream, size_t len, size_t chunk,
                         struct decode_result *out)
{
    struct naccb_framer f;
    int rc = NACCB_EINCOMPLETE;

    memset(out, 0, sizeof *out);
    naccb_framer_init(&f, 0);
    for (size_t off = 0; off < len && rc == NACCB_EINCOMPLETE; off += chunk) {
        const uint8_t *p = stream + off, *msg;
        size_t n = len - off < chunk ? len - off : chunk, msg_len;

        while ((rc = naccb_framer_next(&f, &p, &n, &msg, &msg_len)) > 0) {
            out->in_place += inside(msg, stream, len);
            handle(msg, msg_len, out);
        }
    }
    if (rc != NACCB_EINCOMPLETE)
        out->errors++;
    out->pending = naccb_framer_pending(&f);
    naccb_framer_free(&f);
    return rc == NACCB_ENOMEM ? -1 : 0;
}

NOINLINE uint64_t memcpy_pass(const uint8_t *stream, size_t len, size_t chunk,
                              uint8_t *dst)
{
    /* Read through a volatile pointer, so the compiler cannot merge the
     * per-chunk calls into one copy: a receive loop makes one per chunk. */
    void *(*volatile copy)(void *, const void *, size_t) = memcpy;

    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        copy(dst + off, stream + off, n);
    }
    return len ? (uint64_t)dst[0] + dst[len / 2] + dst[len - 1] : 0;
}

NOINLINE uint64_t memchr_pass(const uint8_t *stream, size_t len, uint8_t byte)
{
    const uint8_t *p = stream, *end = stream + len;
    uint64_t hits = 0;

    while (p < end && (p = memchr(p, byte, (size_t)(end - p))) != NULL) {
        hits++;
        p++;
    }
    return hits;
}

static void tally(enum naccb_match_result r, struct match_result *out)
{
    if (r == NACCB_MATCH_IN_FRAME)
        out->in_frame++;
    else if (r == NACCB_MATCH_OUT_OF_FRAME)
        out->out_of_frame++;
    else
        out->unmatched++;
}

/* server/core/checks.c's loop: in frame wins, else the first match out of
 * frame is remembered and the scan goes on. */
static enum naccb_match_result match_one(const struct naccb_evblok *table,
                                         uint32_t count, unsigned et,
                                         const uint8_t *text, size_t len,
                                         const struct naccb_local_time *now,
                                         uint64_t *comparisons)
{
    enum naccb_match_result best = NACCB_NO_MATCH;

    for (uint32_t i = 0; i < count; i++) {
        enum naccb_match_result r =
            naccb_evblok_match(&table[i], et, text, len, now, NULL, NULL);
        (*comparisons)++;
        if (r == NACCB_MATCH_IN_FRAME)
            return r;
        if (r == NACCB_MATCH_OUT_OF_FRAME)
            best = r;
    }
    return best;
}

NOINLINE void match_pass(const struct naccb_evblok *table, uint32_t count,
                         const struct text_set *texts,
                         const struct naccb_local_time *now,
                         struct match_result *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < texts->count; i++)
        tally(match_one(table, count, texts->event_type[i],
                        texts->bytes + texts->offset[i], texts->len[i], now,
                        &out->comparisons),
              out);
}

NOINLINE void memcmp_match_pass(const struct naccb_evblok *table,
                                uint32_t count, const struct text_set *texts,
                                struct match_result *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < texts->count; i++) {
        const uint8_t *t = texts->bytes + texts->offset[i];
        size_t len = texts->len[i];
        enum naccb_match_result r = NACCB_NO_MATCH;

        for (uint32_t j = 0; j < count && r == NACCB_NO_MATCH; j++) {
            const struct naccb_evblok *e = &table[j];
            out->comparisons++;
            if (len >= e->kl && memcmp(t, e->event_key, e->kl) == 0 &&
                texts->event_type[i] == e->event_type)
                r = NACCB_MATCH_IN_FRAME;
        }
        tally(r, out);
    }
}
