/*
 * fuzz_objects.c - header and object decode + validate (naccb/header.h,
 * evblok.h, eotinfo.h, ebcdic.h, match.h): the paths every received NACCB
 * takes in the server and the agent once the framer has cut it out.
 *
 * Input: byte 0 picks the code page (low 2 bits) and the maximum size
 * (bits 2..3); the rest is one NACCB, decoded and checked (length, key and
 * objects, protocol.md sections 2, 6 and 9); each object of it is then
 * decoded by the kind its key gives (EVBLOK, EOTINFO, text, job name,
 * password; an agent error's optional text), validated (sections 7 and 9),
 * matched against the NACCB's own texts with a local time drawn from the
 * header, and used as the action of a verb substitution.  Whatever the
 * key says, the first 230 and 162 bytes after the header also go through
 * the EVBLOK and EOTINFO decoders, so those see arbitrary bytes from the
 * first input on.
 *
 * Checked beyond the sanitizers: decode then encode gives the same bytes
 * back (the codec keeps every wire byte), and a message_decode success
 * spans exactly its total length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "naccb.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_objects: %s\n", what);
        abort();
    }
}

static int christmas(void *ctx, const struct naccb_date *d)
{
    (void)ctx;
    return d->day == 25 && d->month == 12;
}

static void evblok(const uint8_t *p, enum naccb_codepage cp,
                   const uint8_t *text, size_t text_len,
                   const struct naccb_local_time *t)
{
    struct naccb_evblok e;
    uint8_t back[NACCB_EVBLOK_SIZE];
    uint8_t out[NACCB_TEXT_MAX];
    size_t off = 0;

    naccb_evblok_decode(p, &e);
    naccb_evblok_encode(&e, back);
    check(memcmp(p, back, NACCB_EVBLOK_SIZE) == 0, "EVBLOK round trip");
    (void)naccb_event_type_for_agent(e.event_type);
    (void)naccb_event_type_name(e.event_type);
    if (naccb_evblok_validate(&e, &off) != 0) {
        check(off < NACCB_EVBLOK_SIZE, "EVBLOK error offset past the object");
    } else {
        /* Matching runs only on valid EVBLOKs (the agent validates each
         * table entry first). */
        (void)naccb_evblok_match(&e, e.event_type, text, text_len, t,
                                 christmas, NULL);
    }
    (void)naccb_substitute_verb(cp, e.additional_text, sizeof(e.additional_text),
                                text, text_len, e.vl, out, sizeof(out));
    (void)naccb_substitute_verb(cp, e.additional_text, sizeof(e.additional_text),
                                text, text_len, e.vl, NULL, 0);
}

static void eotinfo(const uint8_t *p, enum naccb_codepage cp)
{
    struct naccb_eotinfo e, entry;
    uint8_t back[NACCB_EOTINFO_SIZE];
    size_t off = 0;

    naccb_eotinfo_decode(p, &e);
    naccb_eotinfo_encode(&e, back);
    check(memcmp(p, back, NACCB_EOTINFO_SIZE) == 0, "EOTINFO round trip");
    for (int role = NACCB_EOTINFO_TABLE_ENTRY; role <= NACCB_EOTINFO_REPORT;
         role++)
        if (naccb_eotinfo_validate(&e, (enum naccb_eotinfo_role)role, cp, &off) !=
            0)
            check(off < NACCB_EOTINFO_SIZE, "EOTINFO error offset past it");
    /* The object against itself with flag2 reversed, as a table entry. */
    entry = e;
    entry.flag2 = (uint8_t)~e.flag2;
    (void)naccb_eotinfo_matches_entry(&entry, &e);
}

static void text(const uint8_t *p, size_t n, enum naccb_codepage cp)
{
    char out[256 + 1];
    uint8_t back[256];

    if (n > 256)
        n = 256;
    (void)naccb_field_get(cp, p, n, out);
    (void)naccb_field_is_blank(cp, p, n);
    naccb_ebcdic_decode(cp, p, n, (uint8_t *)out);
    naccb_ebcdic_encode(cp, (const uint8_t *)out, n, back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t max_sizes[4] = {0, NACCB_HEADER_SIZE, 4096, 65536};
    struct fz in = {data, size};
    uint8_t mode = fz_u8(&in);
    enum naccb_codepage cp = (enum naccb_codepage)(mode & 3);
    uint32_t max = max_sizes[(mode >> 2) & 3];
    struct naccb_header h;
    struct naccb_message m;
    struct naccb_local_time t = {{2026, 12, 2}, {13, 30, 0}};
    size_t off = 0;
    int rc;

    if (naccb_header_decode(in.p, in.n, &h) == NACCB_HEADER_SIZE) {
        uint8_t back[NACCB_HEADER_SIZE];
        naccb_header_encode(&h, back);
        check(memcmp(back, in.p, NACCB_HEADER_SIZE) == 0, "header round trip");
        (void)naccb_key_name(naccb_header_key(&h), h.error_code);
        (void)naccb_request_name(h.request);
        (void)naccb_object_name(h.object);
        (void)naccb_error_code_name(h.error_code);
        (void)naccb_info_kind_name(h.object);
        (void)naccb_object_id(h.object);
        (void)naccb_header_check_length(&h, max, &off);
        (void)naccb_message_check_objects(&h, &off);
        /* A local time from the agent-ID: the frames see many instants. */
        t.time.hour = h.agent_id % 24;
        t.time.minute = (h.agent_id >> 8) % 60;
        t.date.day = 1 + (h.agent_id >> 16) % 28;
        t.date.month = 1 + (h.agent_id >> 24) % 12;
    }
    if (in.n >= NACCB_HEADER_SIZE + NACCB_EVBLOK_SIZE)
        evblok(in.p + NACCB_HEADER_SIZE, cp, in.p, NACCB_TEXT_MAX, &t);
    if (in.n >= NACCB_HEADER_SIZE + NACCB_EOTINFO_SIZE)
        eotinfo(in.p + NACCB_HEADER_SIZE, cp);

    rc = naccb_message_decode(in.p, in.n, max, &m, &off);
    if (rc <= 0)
        return 0;
    check((uint32_t)rc == m.header.total_length, "message span != length");
    if (naccb_message_check_objects(&m.header, &off) != 0)
        return 0;
    enum naccb_object_kind kind =
        naccb_key_object_kind(naccb_header_key(&m.header));
    (void)naccb_object_kind_name(kind);
    /* The first text of the NACCB, if any, is what EVBLOKs match. */
    const uint8_t *first = naccb_message_object(&m, 0);
    size_t first_len = m.header.size < NACCB_TEXT_MAX ? m.header.size
                                                      : NACCB_TEXT_MAX;
    for (uint32_t i = 0; i < m.header.count; i++) {
        const uint8_t *obj = naccb_message_object(&m, i);
        check(obj != NULL, "object within count missing");
        switch (kind) {
        case NACCB_KIND_EVBLOK:
            if (m.header.size == NACCB_EVBLOK_SIZE)
                evblok(obj, cp, first, first_len, &t);
            break;
        case NACCB_KIND_EOTINFO:
            if (m.header.size == NACCB_EOTINFO_SIZE)
                eotinfo(obj, cp);
            break;
        default:
            text(obj, m.header.size, cp);
            break;
        }
    }
    check(naccb_message_object(&m, m.header.count) == NULL,
          "object past count");
    return 0;
}
