/*
 * test_codes.c - unit tests of codes.c and errors.c: the named keys of
 * docs/protocol.md §7, the code names of §4 to §6 and §8, the
 * EOJ/EOS trap of §5, and the error-code table of errors.h.
 *
 * Every named key is a 36-byte header written by hand from the notes
 * (system name "SYSA" in EBCDIC-037: E2 E8 E2 C1 40 40 40 40), decoded
 * field by field against values also written by hand, and re-encoded to
 * the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "naccb.h"
#include "naccb/errors.h"

#define SYSA 0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40
#define ZERO4 0x00, 0x00, 0x00, 0x00

static const uint8_t sysa[8] = {SYSA};

/* One hand-written header and its fields, as the notes give them. */
struct key_vector {
    const char *name; /* naccb_key_name() of it */
    uint8_t bytes[NACCB_HEADER_SIZE];
    uint32_t total_length;
    uint32_t agent_id;
    uint16_t direction;
    uint8_t request;
    uint8_t object;
    uint8_t error_code;
    uint8_t os_code;
    uint32_t forward;
    uint32_t count;
    uint32_t size;
    uint32_t key;
};

static struct key_vector vectors[] = {
    {"login",
     {0x00, 0x00, 0x00, 0x24, ZERO4, SYSA, 0x02, 0x01, 0x05, 0x00, ZERO4,
      ZERO4, ZERO4, ZERO4},
     36, 0, 0x0201, 0x05, 0x00, 0x00, 0x00, 0, 0, 0, 0x02010500u},
    {"accept",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x07,
      0x00, ZERO4, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x07, 0x00, 0x00, 0x00, 0, 0, 0, 0x01020700u},
    {"reject",
     {0x00, 0x00, 0x00, 0x24, ZERO4, SYSA, 0x01, 0x02, 0x08, 0x00, 0x09, 0x00,
      0x00, 0x00, ZERO4, ZERO4, ZERO4},
     36, 0, 0x0102, 0x08, 0x00, 0x09, 0x00, 0, 0, 0, 0x01020800u},
    {"acquire EMS",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x09,
      0x01, ZERO4, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0201, 0x09, 0x01, 0x00, 0x00, 0, 0, 0, 0x02010901u},
    {"acquire SCD",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x09,
      0x02, ZERO4, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0201, 0x09, 0x02, 0x00, 0x00, 0, 0, 0, 0x02010902u},
    /* 2 EVBLOKs: 36 + 2 * 230 = 496 = 0x1F0 */
    {"receive EMS",
     {0x00, 0x00, 0x01, 0xF0, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x02,
      0x01, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xE6},
     496, 7, 0x0102, 0x02, 0x01, 0x00, 0x00, 0, 2, 230, 0x01020201u},
    /* 3 EOTINFOs: 36 + 3 * 162 = 522 = 0x20A */
    {"receive SCD",
     {0x00, 0x00, 0x02, 0x0A, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x02,
      0x02, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xA2},
     522, 7, 0x0102, 0x02, 0x02, 0x00, 0x00, 0, 3, 162, 0x01020202u},
    /* 1 EVBLOK: 36 + 230 = 266 = 0x10A */
    {"replace EMS",
     {0x00, 0x00, 0x01, 0x0A, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x03,
      0x01, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xE6},
     266, 7, 0x0102, 0x03, 0x01, 0x00, 0x00, 0, 1, 230, 0x01020301u},
    /* 4 EOTINFOs: 36 + 4 * 162 = 684 = 0x2AC */
    {"replace SCD",
     {0x00, 0x00, 0x02, 0xAC, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x03,
      0x02, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xA2},
     684, 7, 0x0102, 0x03, 0x02, 0x00, 0x00, 0, 4, 162, 0x01020302u},
    {"no EMS",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x0B,
      0x01, 0x08, 0x00, 0x00, 0x00, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x0B, 0x01, 0x08, 0x00, 0, 0, 0, 0x01020B01u},
    {"no SCD",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x0B,
      0x02, 0x08, 0x00, 0x00, 0x00, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x0B, 0x02, 0x08, 0x00, 0, 0, 0, 0x01020B02u},
    /* one 12-byte command text: 36 + 12 = 48 = 0x30 */
    {"exec command",
     {0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x01,
      0x04, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0C},
     48, 7, 0x0102, 0x01, 0x04, 0x00, 0x00, 0, 1, 12, 0x01020104u},
    /* one 8-byte job name: 36 + 8 = 44 = 0x2C */
    {"exec job",
     {0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x01,
      0x08, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08},
     44, 7, 0x0102, 0x01, 0x08, 0x00, 0x00, 0, 1, 8, 0x01020108u},
    {"shutdown",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x04,
      0x00, ZERO4, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x04, 0x00, 0x00, 0x00, 0, 0, 0, 0x01020400u},
    /* two 5-byte texts: 36 + 10 = 46 = 0x2E; the agent sets OS code 2A and
     * a forward pointer 0012F0A8 (§3: both its own business) */
    {"info MSG",
     {0x00, 0x00, 0x00, 0x2E, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,
      0x03, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x12, 0xF0, 0xA8, 0x00, 0x00, 0x00,
      0x02, 0x00, 0x00, 0x00, 0x05},
     46, 7, 0x0201, 0x0A, 0x03, 0x00, 0x2A, 0x0012F0A8u, 2, 5, 0x02010A03u},
    /* one 10-byte text: 46 = 0x2E */
    {"info CMD",
     {0x00, 0x00, 0x00, 0x2E, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,
      0x04, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0A},
     46, 7, 0x0201, 0x0A, 0x04, 0x00, 0x00, 0, 1, 10, 0x02010A04u},
    /* EOJ text: the 8-byte job name, 44 = 0x2C */
    {"info EOJ",
     {0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,
      0x05, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08},
     44, 7, 0x0201, 0x0A, 0x05, 0x00, 0x00, 0, 1, 8, 0x02010A05u},
    /* EOS text: job name + step name, 36 + 16 = 52 = 0x34 */
    {"info EOS",
     {0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,
      0x06, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10},
     52, 7, 0x0201, 0x0A, 0x06, 0x00, 0x00, 0, 1, 16, 0x02010A06u},
    /* 2 EOTINFOs: 36 + 324 = 360 = 0x168 */
    {"info EOT",
     {0x00, 0x00, 0x01, 0x68, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,
      0x07, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xA2},
     360, 7, 0x0201, 0x0A, 0x07, 0x00, 0x00, 0, 2, 162, 0x02010A07u},
    {"logout",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x06,
      0x00, ZERO4, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0201, 0x06, 0x00, 0x00, 0x00, 0, 0, 0, 0x02010600u},
    /* error 05 about a NACCB whose header could not be trusted */
    {"error",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x0B,
      0x00, 0x05, 0x00, 0x00, 0x00, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x0B, 0x00, 0x05, 0x00, 0, 0, 0, 0x01020B00u},
    /* error 05 about an acquire-EMS: same key bytes as no-EMS (§7) */
    {"error",
     {0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x01, 0x02, 0x0B,
      0x01, 0x05, 0x00, 0x00, 0x00, ZERO4, ZERO4, ZERO4},
     36, 7, 0x0102, 0x0B, 0x01, 0x05, 0x00, 0, 0, 0, 0x01020B01u},
    /* agent error 04 about an exec command, one 20-byte reason text:
     * 36 + 20 = 56 = 0x38 */
    {"agent error",
     {0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0B,
      0x04, 0x04, 0x00, 0x00, 0x00, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
      0x00, 0x14},
     56, 7, 0x0201, 0x0B, 0x04, 0x04, 0x00, 0, 1, 20, 0x02010B04u},
};

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

/* Decodes one vector field by field, names it, checks it, re-encodes it. */
static void test_codes_key_vector(void **state)
{
    const struct key_vector *v = *state;
    struct naccb_header h;
    uint8_t out[NACCB_HEADER_SIZE];
    size_t off = 99;

    memset(&h, 0xA5, sizeof h);
    assert_int_equal(naccb_header_decode(v->bytes, sizeof v->bytes, &h), 36);
    assert_int_equal(h.total_length, v->total_length);
    assert_int_equal(h.agent_id, v->agent_id);
    assert_memory_equal(h.system_name, sysa, 8);
    assert_int_equal(h.direction, v->direction);
    assert_int_equal(h.request, v->request);
    assert_int_equal(h.object, v->object);
    assert_int_equal(h.error_code, v->error_code);
    assert_int_equal(h.os_code, v->os_code);
    assert_int_equal(h.coding, 0);
    assert_int_equal(h.unused, 0);
    assert_int_equal(h.forward, v->forward);
    assert_int_equal(h.count, v->count);
    assert_int_equal(h.size, v->size);
    assert_int_equal(naccb_header_key(&h), v->key);
    assert_non_null(naccb_key_name(v->key, v->error_code));
    assert_string_equal(naccb_key_name(v->key, v->error_code), v->name);

    /* Every named NACCB is well formed for the codec's own checks. */
    assert_int_equal(naccb_header_check_length(&h, 0, &off), 0);
    assert_int_equal(naccb_message_check_objects(&h, &off), 0);
    assert_int_equal(off, 99);

    memset(out, 0x5A, sizeof out);
    assert_int_equal(naccb_header_encode(&h, out), 36);
    assert_memory_equal(out, v->bytes, sizeof out);
}

/* The key fullword splits into the header's three key fields and back. */
static void test_codes_key_set_splits_fields(void **state)
{
    struct naccb_header h;
    (void)state;

    memset(&h, 0, sizeof h);
    for (size_t i = 0; i < COUNT_(vectors); i++) {
        naccb_header_set_key(&h, vectors[i].key);
        assert_int_equal(h.direction, vectors[i].direction);
        assert_int_equal(h.request, vectors[i].request);
        assert_int_equal(h.object, vectors[i].object);
        assert_int_equal(naccb_header_key(&h), vectors[i].key);
    }
}

/* The NACCB_KEY_* enum carries the §7 keys. */
static void test_codes_key_enum_values(void **state)
{
    (void)state;
    assert_int_equal(NACCB_KEY_LOGIN, 0x02010500);
    assert_int_equal(NACCB_KEY_LOGOUT, 0x02010600);
    assert_int_equal(NACCB_KEY_ACCEPT, 0x01020700);
    assert_int_equal(NACCB_KEY_REJECT, 0x01020800);
    assert_int_equal(NACCB_KEY_ACQ_EMS, 0x02010901);
    assert_int_equal(NACCB_KEY_ACQ_SCD, 0x02010902);
    assert_int_equal(NACCB_KEY_RCV_EMS, 0x01020201);
    assert_int_equal(NACCB_KEY_RCV_SCD, 0x01020202);
    assert_int_equal(NACCB_KEY_REP_EMS, 0x01020301);
    assert_int_equal(NACCB_KEY_REP_SCD, 0x01020302);
    assert_int_equal(NACCB_KEY_NO_EMS, 0x01020B01);
    assert_int_equal(NACCB_KEY_NO_SCD, 0x01020B02);
    assert_int_equal(NACCB_KEY_EXEC_CMD, 0x01020104);
    assert_int_equal(NACCB_KEY_EXEC_JOB, 0x01020108);
    assert_int_equal(NACCB_KEY_SHUTDOWN, 0x01020400);
    assert_int_equal(NACCB_KEY_INFO_MSG, 0x02010A03);
    assert_int_equal(NACCB_KEY_INFO_CMD, 0x02010A04);
    assert_int_equal(NACCB_KEY_INFO_EOJ, 0x02010A05);
    assert_int_equal(NACCB_KEY_INFO_EOS, 0x02010A06);
    assert_int_equal(NACCB_KEY_INFO_EOT, 0x02010A07);
}

/* 01020B01 / 01020B02 are no-EMS / no-SCD only with error byte 08. */
static void test_codes_key_name_no_ems_needs_error_08(void **state)
{
    (void)state;
    assert_string_equal(naccb_key_name(0x01020B01u, 0x08), "no EMS");
    assert_string_equal(naccb_key_name(0x01020B02u, 0x08), "no SCD");
    for (unsigned e = 0; e <= 0xFF; e++) {
        if (e == 0x08)
            continue;
        assert_string_equal(naccb_key_name(0x01020B01u, e), "error");
        assert_string_equal(naccb_key_name(0x01020B02u, e), "error");
    }
}

/* Every other 01020Bxx is an error, every 02010Bxx an agent error,
 * whatever the error byte. */
static void test_codes_key_name_error_families(void **state)
{
    (void)state;
    for (unsigned obj = 0; obj <= 0xFF; obj++) {
        uint32_t to_agent = 0x01020B00u | obj;
        uint32_t to_server = 0x02010B00u | obj;
        if (obj != 0x01 && obj != 0x02)
            assert_string_equal(naccb_key_name(to_agent, 0x08), "error");
        assert_string_equal(naccb_key_name(to_agent, 0x04), "error");
        assert_string_equal(naccb_key_name(to_server, 0x08), "agent error");
        assert_string_equal(naccb_key_name(to_server, 0x05), "agent error");
    }
}

/* The name of a named key does not depend on the error byte. */
static void test_codes_key_name_ignores_error_byte_elsewhere(void **state)
{
    (void)state;
    assert_string_equal(naccb_key_name(0x01020800u, 0x01), "reject");
    assert_string_equal(naccb_key_name(0x01020800u, 0x06), "reject");
    assert_string_equal(naccb_key_name(0x02010500u, 0x08), "login");
    assert_string_equal(naccb_key_name(0x01020201u, 0x08), "receive EMS");
}

/* Keys the notes do not name have no name. */
static void test_codes_key_name_unknown_is_null(void **state)
{
    static const uint32_t unknown[] = {
        0x00000000u, 0xFFFFFFFFu, 0x02010501u, /* login with an object */
        0x01020500u,                           /* login to the agent */
        0x02010700u,                           /* accept to the server */
        0x02010903u, 0x02010A08u, 0x02010A00u, 0x01020203u, 0x01020105u,
        0x02010C00u, 0x01020C00u, 0x03010500u, 0x0B010201u, 0x02020B01u,
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(unknown); i++)
        assert_null(naccb_key_name(unknown[i], 0));
    assert_null(naccb_key_name(0x02010C00u, 0x08));
}

struct code_name {
    unsigned code;
    const char *name;
};

/* §4, read with the "lost accept at 07" decision. */
static void test_codes_request_names(void **state)
{
    static const struct code_name names[] = {
        {0x01, "execute"}, {0x02, "save"},    {0x03, "replace"},
        {0x04, "shutdown"}, {0x05, "login"},  {0x06, "logout"},
        {0x07, "accept"},  {0x08, "reject"},  {0x09, "acquire"},
        {0x0A, "information"}, {0x0B, "error"},
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(names); i++)
        assert_string_equal(naccb_request_name(names[i].code), names[i].name);
    assert_null(naccb_request_name(0x00));
    assert_null(naccb_request_name(0x0C));
    assert_null(naccb_request_name(0xFF));
    assert_null(naccb_request_name(0x105)); /* not truncated to a byte */
    assert_int_equal(NACCB_REQ_ACCEPT, 0x07);
    assert_int_equal(NACCB_REQ_REJECT, 0x08);
    assert_int_equal(NACCB_REQ_ACQUIRE, 0x09);
    assert_int_equal(NACCB_REQ_INFO, 0x0A);
    assert_int_equal(NACCB_REQ_ERROR, 0x0B);
}

/* §5, object 00 "none" included. */
static void test_codes_object_names(void **state)
{
    static const struct code_name names[] = {
        {0x00, "none"},
        {0x01, "EMS parameter table"},
        {0x02, "scheduler table"},
        {0x03, "message event text"},
        {0x04, "command event text"},
        {0x05, "end-of-job event text"},
        {0x06, "end-of-jobstep event text"},
        {0x07, "EOTINFO"},
        {0x08, "job name"},
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(names); i++)
        assert_string_equal(naccb_object_name(names[i].code), names[i].name);
    assert_null(naccb_object_name(0x09));
    assert_null(naccb_object_name(0xFF));
    assert_null(naccb_object_name(0x101));
}

/* §6. */
static void test_codes_error_code_names(void **state)
{
    static const struct code_name names[] = {
        {0x00, "no error"},
        {0x01, "invalid agent ID"},
        {0x02, "invalid direction"},
        {0x03, "invalid acquired object"},
        {0x04, "invalid request"},
        {0x05, "invalid information"},
        {0x06, "error returned from resource manager"},
        {0x07, "error returned from EVX component"},
        {0x08, "parameters/table not available"},
        {0x09, "unknown system name"},
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(names); i++)
        assert_string_equal(naccb_error_code_name(names[i].code),
                            names[i].name);
    assert_null(naccb_error_code_name(0x0A));
    assert_null(naccb_error_code_name(0xFF));
}

/* §8, ET: EOS is 05 and EOJ 06 here. */
static void test_codes_event_type_names(void **state)
{
    static const struct code_name names[] = {
        {0x01, "message"},     {0x02, "command"},
        {0x03, "time-of-day"}, {0x04, "end-of-task"},
        {0x05, "end-of-jobstep"}, {0x06, "end-of-job"},
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(names); i++)
        assert_string_equal(naccb_event_type_name(names[i].code),
                            names[i].name);
    assert_null(naccb_event_type_name(0x00));
    assert_null(naccb_event_type_name(0x07));
    assert_null(naccb_event_type_name(0xFF));
}

/* The trap of §5: info object 05 (EOJ) reports ET 06, object 06
 * (EOS) reports ET 05. */
static void test_codes_event_type_for_object_eoj_eos_trap(void **state)
{
    (void)state;
    assert_int_equal(naccb_event_type_for_object(0x03), 0x01);
    assert_int_equal(naccb_event_type_for_object(0x04), 0x02);
    assert_int_equal(naccb_event_type_for_object(0x05), 0x06);
    assert_int_equal(naccb_event_type_for_object(0x06), 0x05);
    assert_string_equal(naccb_object_name(0x05), "end-of-job event text");
    assert_string_equal(naccb_event_type_name(0x06), "end-of-job");
    assert_string_equal(naccb_object_name(0x06), "end-of-jobstep event text");
    assert_string_equal(naccb_event_type_name(0x05), "end-of-jobstep");
}

/* Objects that are not event texts report no event type. */
static void test_codes_event_type_for_object_others_zero(void **state)
{
    static const unsigned others[] = {0x00, 0x01, 0x02, 0x07,
                                      0x08, 0x09, 0xFF, 0x103};
    (void)state;
    for (size_t i = 0; i < COUNT_(others); i++)
        assert_int_equal(naccb_event_type_for_object(others[i]), 0);
}

/* errors.h, expanded here on its own so the test does not share the
 * library's table. */
struct errno_case {
    int value;
    const char *name;
    const char *message;
};

static const struct errno_case errno_cases[] = {
#define CASE_(name, value, msg) {(value), "NACCB_" #name, (msg)},
    NACCB_ERRNO_MAP(CASE_)
#undef CASE_
};

/* Every code: its name, message, range, and no two share a value. */
static void test_codes_errno_table(void **state)
{
    (void)state;
    assert_true(COUNT_(errno_cases) >= 40);
    for (size_t i = 0; i < COUNT_(errno_cases); i++) {
        const struct errno_case *c = &errno_cases[i];
        const char *name = naccb_err_name(c->value);
        const char *msg = naccb_strerror(c->value);

        assert_in_range(c->value, -1999, -1000);
        assert_string_equal(name, c->name);
        assert_memory_equal(name, "NACCB_E", 7);
        assert_true(strlen(name) > 7);
        assert_string_equal(msg, c->message);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, "unknown error");
        for (size_t j = i + 1; j < COUNT_(errno_cases); j++) {
            assert_int_not_equal(c->value, errno_cases[j].value);
            assert_string_not_equal(c->name, errno_cases[j].name);
        }
    }
}

/* The ABI numbers of errors.h never move: spot checks of each group. */
static void test_codes_errno_values_fixed(void **state)
{
    (void)state;
    assert_int_equal(NACCB_EINCOMPLETE, -1000);
    assert_int_equal(NACCB_ENOMEM, -1003);
    assert_int_equal(NACCB_ELENGTH_SHORT, -1010);
    assert_int_equal(NACCB_ELENGTH_MAX, -1011);
    assert_int_equal(NACCB_ELENGTH_MISMATCH, -1012);
    assert_int_equal(NACCB_ECOUNT_SIZE, -1013);
    assert_int_equal(NACCB_EDIRECTION, -1014);
    assert_int_equal(NACCB_EREQUEST, -1015);
    assert_int_equal(NACCB_EOBJECT, -1016);
    assert_int_equal(NACCB_EOBJECT_SIZE, -1017);
    assert_int_equal(NACCB_EOBJECT_COUNT, -1018);
    assert_int_equal(NACCB_EBCD_DIGIT, -1020);
    assert_int_equal(NACCB_EKEY_LENGTH, -1040);
    assert_int_equal(NACCB_ENOTES, -1060);
    assert_int_equal(NACCB_ETEXT_LENGTH, -1080);
    assert_int_equal(NACCB_ECODEPAGE, -1090);
    assert_string_equal(naccb_err_name(-1011), "NACCB_ELENGTH_MAX");
}

/* Values not in the list, success and -errno included. */
static void test_codes_errno_unknown(void **state)
{
    static const int unknown[] = {0, 1, -1, -12, -999, -1004, -1019,
                                  -1999, -2000, 1000, -1000000};
    (void)state;
    for (size_t i = 0; i < COUNT_(unknown); i++) {
        assert_string_equal(naccb_err_name(unknown[i]), "NACCB_UNKNOWN");
        assert_string_equal(naccb_strerror(unknown[i]), "unknown error");
    }
}

/* What each named key carries (§5, §7 and §9), agent errors a
 * text whatever their object byte, anything else nothing. */
static void test_codes_key_object_kind(void **state)
{
    static const struct {
        uint32_t key;
        enum naccb_object_kind kind;
    } cases[] = {
        {0x02010500u, NACCB_KIND_PASSWORD}, {0x02010600u, NACCB_KIND_NONE},
        {0x01020201u, NACCB_KIND_EVBLOK},   {0x01020301u, NACCB_KIND_EVBLOK},
        {0x01020202u, NACCB_KIND_EOTINFO},  {0x01020302u, NACCB_KIND_EOTINFO},
        {0x02010A07u, NACCB_KIND_EOTINFO},  {0x02010A03u, NACCB_KIND_TEXT},
        {0x02010A06u, NACCB_KIND_TEXT},     {0x01020104u, NACCB_KIND_TEXT},
        {0x01020108u, NACCB_KIND_JOB_NAME}, {0x02010B00u, NACCB_KIND_TEXT},
        {0x02010B09u, NACCB_KIND_TEXT},     {0x02010BFFu, NACCB_KIND_TEXT},
        {0x01020B01u, NACCB_KIND_NONE},     {0x01020B05u, NACCB_KIND_NONE},
        {0x02010901u, NACCB_KIND_NONE},     {0x01020700u, NACCB_KIND_NONE},
        {0x02010A08u, NACCB_KIND_NONE},     {0x01020105u, NACCB_KIND_NONE},
        {0x00000000u, NACCB_KIND_NONE},     {0xFFFFFFFFu, NACCB_KIND_NONE},
    };
    (void)state;
    for (size_t i = 0; i < COUNT_(cases); i++)
        assert_int_equal(naccb_key_object_kind(cases[i].key), cases[i].kind);
    assert_string_equal(naccb_object_kind_name(NACCB_KIND_EVBLOK), "evblok");
    assert_string_equal(naccb_object_kind_name(NACCB_KIND_JOB_NAME),
                        "job_name");
    assert_string_equal(naccb_object_kind_name(NACCB_KIND_NONE), "none");
    assert_null(naccb_object_kind_name(6));
}

/* The short names the journal uses for info objects and tables. */
static void test_codes_object_id_and_info_kind(void **state)
{
    static const char *const info[] = {"MSG", "CMD", "EOJ", "EOS", "EOT"};
    (void)state;
    for (unsigned obj = 3; obj <= 7; obj++)
        assert_string_equal(naccb_info_kind_name(obj), info[obj - 3]);
    assert_null(naccb_info_kind_name(0));
    assert_null(naccb_info_kind_name(1));
    assert_null(naccb_info_kind_name(8));
    assert_null(naccb_info_kind_name(0x103)); /* not an object byte */
    assert_string_equal(naccb_object_id(NACCB_OBJ_EMS), "EMS");
    assert_string_equal(naccb_object_id(NACCB_OBJ_SCD), "SCD");
    assert_string_equal(naccb_object_id(NACCB_OBJ_EOTINFO), "EOTINFO");
    assert_string_equal(naccb_object_id(NACCB_OBJ_JOBNAME), "JOBNAME");
    assert_null(naccb_object_id(9));
}

/* Both spellings of a named key find it; near misses do not. */
static void test_codes_key_from_name(void **state)
{
    uint32_t key = 0;
    (void)state;
    assert_int_equal(naccb_key_from_name("ACQ_EMS", &key), 0);
    assert_true(key == 0x02010901u);
    assert_int_equal(naccb_key_from_name("acquire SCD", &key), 0);
    assert_true(key == 0x02010902u);
    assert_int_equal(naccb_key_from_name("INFO_EOT", &key), 0);
    assert_true(key == 0x02010A07u);
    assert_int_equal(naccb_key_from_name("no EMS", &key), 0);
    assert_true(key == 0x01020B01u);
    key = 7;
    assert_int_equal(naccb_key_from_name("acq_ems", &key), NACCB_EINVAL);
    assert_int_equal(naccb_key_from_name("login ", &key), NACCB_EINVAL);
    assert_int_equal(naccb_key_from_name("", &key), NACCB_EINVAL);
    assert_int_equal(naccb_key_from_name(NULL, &key), NACCB_EINVAL);
    assert_int_equal(naccb_key_from_name("LOGIN", NULL), NACCB_EINVAL);
    assert_true(key == 7); /* untouched on failure */
}

/* The key table is the list: every entry's name, kind and enum agree with
 * the lookup functions, identifiers unique, in list order. */
static void test_codes_key_table(void **state)
{
    size_t n = 0;
    const struct naccb_key_info *t = naccb_key_table(&n);
    (void)state;
    assert_int_equal(n, 20);
    assert_true(t[0].key == NACCB_KEY_LOGIN);
    assert_string_equal(t[0].id, "LOGIN");
    assert_true(t[19].key == NACCB_KEY_INFO_EOT);
    assert_string_equal(t[19].id, "INFO_EOT");
    for (size_t i = 0; i < n; i++) {
        uint32_t key = 0;
        unsigned err = t[i].key == NACCB_KEY_NO_EMS ||
                               t[i].key == NACCB_KEY_NO_SCD
                           ? NACCB_ERR_NOT_AVAILABLE
                           : 0;
        assert_string_equal(naccb_key_name(t[i].key, err), t[i].name);
        assert_int_equal(naccb_key_object_kind(t[i].key), t[i].kind);
        assert_int_equal(naccb_key_from_name(t[i].id, &key), 0);
        assert_true(key == t[i].key);
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(t[i].id, t[j].id) != 0 && t[i].key != t[j].key);
    }
    assert_non_null(naccb_key_table(NULL));
}

/* Each code table agrees with its name lookup, and has the list's size. */
static void test_codes_code_tables(void **state)
{
    static const struct {
        const struct naccb_code_info *(*table)(size_t *);
        const char *(*name)(unsigned);
        size_t n;
        const char *first_id;
    } tables[] = {
        {naccb_request_table, naccb_request_name, 11, "EXECUTE"},
        {naccb_object_table, naccb_object_name, 9, "NONE"},
        {naccb_error_code_table, naccb_error_code_name, 10, "NONE"},
        {naccb_event_type_table, naccb_event_type_name, 6, "MESSAGE"},
        {naccb_object_kind_table, naccb_object_kind_name, 6, "NONE"},
    };
    size_t n;
    const struct naccb_code_info *t;
    (void)state;
    for (size_t k = 0; k < COUNT_(tables); k++) {
        t = tables[k].table(&n);
        assert_int_equal(n, tables[k].n);
        assert_string_equal(t[0].id, tables[k].first_id);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(tables[k].name(t[i].code), t[i].name);
    }
    t = naccb_error_code_table(&n);
    assert_int_equal(t[8].code, NACCB_ERR_NOT_AVAILABLE);
    assert_string_equal(t[8].id, "NOT_AVAILABLE");
    t = naccb_request_table(&n);
    assert_int_equal(t[9].code, NACCB_REQ_INFO);
    assert_string_equal(t[9].id, "INFO");
}

/* The constants a binding reads: the values of the C names. */
static void test_codes_constant_table(void **state)
{
    static const struct {
        const char *name;
        long value;
    } want[] = {
        {"NACCB_HEADER_SIZE", 36},        {"NACCB_EVBLOK_SIZE", 230},
        {"NACCB_EOTINFO_SIZE", 162},      {"NACCB_NAME_SIZE", 8},
        {"NACCB_TEXT_MAX", 128},          {"NACCB_KEY_SIZE", 20},
        {"NACCB_ADDTEXT_SIZE", 108},      {"NACCB_DEFAULT_MAX_SIZE", 16777216},
        {"NACCB_DIR_TO_AGENT", 0x0102},   {"NACCB_DIR_TO_SERVER", 0x0201},
        {"NACCB_CP_ASCII", NACCB_CP_ASCII},
        {"NACCB_EOTINFO_REPORT", NACCB_EOTINFO_REPORT},
        {"NACCB_EINCOMPLETE", -1000},     {"NACCB_ENOMEM", NACCB_ENOMEM},
    };
    size_t n = 0;
    const struct naccb_constant_info *t = naccb_constant_table(&n);
    (void)state;
    for (size_t k = 0; k < COUNT_(want); k++) {
        size_t i = 0;
        while (i < n && strcmp(t[i].name, want[k].name) != 0)
            i++;
        assert_true(i < n);
        assert_true(t[i].value == want[k].value);
    }
}

/* One case per vector, named after its key. */
#define KEY_TEST_(name, i)                                                    \
    {"test_codes_key_" #name, test_codes_key_vector, NULL, NULL, &vectors[i]}

_Static_assert(COUNT_(vectors) == 23, "every vector has its case in main");

int main(void)
{
    const struct CMUnitTest tests[] = {
        KEY_TEST_(login, 0),
        KEY_TEST_(accept, 1),
        KEY_TEST_(reject_error_09, 2),
        KEY_TEST_(acquire_ems, 3),
        KEY_TEST_(acquire_scd, 4),
        KEY_TEST_(receive_ems, 5),
        KEY_TEST_(receive_scd, 6),
        KEY_TEST_(replace_ems, 7),
        KEY_TEST_(replace_scd, 8),
        KEY_TEST_(no_ems, 9),
        KEY_TEST_(no_scd, 10),
        KEY_TEST_(exec_command, 11),
        KEY_TEST_(exec_job, 12),
        KEY_TEST_(shutdown, 13),
        KEY_TEST_(info_msg, 14),
        KEY_TEST_(info_cmd, 15),
        KEY_TEST_(info_eoj, 16),
        KEY_TEST_(info_eos, 17),
        KEY_TEST_(info_eot, 18),
        KEY_TEST_(logout, 19),
        KEY_TEST_(error_05_object_00, 20),
        KEY_TEST_(error_05_about_acquire_ems, 21),
        KEY_TEST_(agent_error_04, 22),
        cmocka_unit_test(test_codes_key_set_splits_fields),
        cmocka_unit_test(test_codes_key_enum_values),
        cmocka_unit_test(test_codes_key_name_no_ems_needs_error_08),
        cmocka_unit_test(test_codes_key_name_error_families),
        cmocka_unit_test(test_codes_key_name_ignores_error_byte_elsewhere),
        cmocka_unit_test(test_codes_key_name_unknown_is_null),
        cmocka_unit_test(test_codes_request_names),
        cmocka_unit_test(test_codes_object_names),
        cmocka_unit_test(test_codes_error_code_names),
        cmocka_unit_test(test_codes_event_type_names),
        cmocka_unit_test(test_codes_event_type_for_object_eoj_eos_trap),
        cmocka_unit_test(test_codes_event_type_for_object_others_zero),
        cmocka_unit_test(test_codes_errno_table),
        cmocka_unit_test(test_codes_errno_values_fixed),
        cmocka_unit_test(test_codes_errno_unknown),
        cmocka_unit_test(test_codes_key_object_kind),
        cmocka_unit_test(test_codes_object_id_and_info_kind),
        cmocka_unit_test(test_codes_key_from_name),
        cmocka_unit_test(test_codes_key_table),
        cmocka_unit_test(test_codes_code_tables),
        cmocka_unit_test(test_codes_constant_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
