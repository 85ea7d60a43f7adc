/*
 * test_eotinfo.c - unit tests of the 162-byte EOTINFO (naccb/eotinfo.h,
 * docs/protocol.md §9, the two-work-area reading) and of its checks
 * for an SCD table entry and an agent's report (§11.1 step 4).
 *
 * The golden vector is written by hand from the §9 table, in
 * EBCDIC-037.  Each validation rule is broken alone, starting from one
 * fully valid object, and the exact error code and offset are asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "naccb/eotinfo.h"
#include "naccb/errors.h"

/*
 * A report of step 3 of PAYROLL on SYSA, every field non-trivial except the
 * reserved ones (which a valid EOTINFO must hold as zeros).
 */
static const uint8_t golden[NACCB_EOTINFO_SIZE] = {
    /*   0 work area 1: 01 02 .. 28 */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
    0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14,
    0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E,
    0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    /*  40 work area 2: FF FE .. D8 */
    0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8, 0xF7, 0xF6,
    0xF5, 0xF4, 0xF3, 0xF2, 0xF1, 0xF0, 0xEF, 0xEE, 0xED, 0xEC,
    0xEB, 0xEA, 0xE9, 0xE8, 0xE7, 0xE6, 0xE5, 0xE4, 0xE3, 0xE2,
    0xE1, 0xE0, 0xDF, 0xDE, 0xDD, 0xDC, 0xDB, 0xDA, 0xD9, 0xD8,
    /*  80 flag1, 81 flag2 (all four capture bits + server nibble 5) */
    0x5A, 0xF5,
    /*  82 reserved (24) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 106 job-id "JOB00042" */
    0xD1, 0xD6, 0xC2, 0xF0, 0xF0, 0xF0, 0xF4, 0xF2,
    /* 114 system name "SYSA" */
    0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40,
    /* 122 job name "PAYROLL" */
    0xD7, 0xC1, 0xE8, 0xD9, 0xD6, 0xD3, 0xD3, 0x40,
    /* 130 step name "STEP010" */
    0xE2, 0xE3, 0xC5, 0xD7, 0xF0, 0xF1, 0xF0, 0x40,
    /* 138 proc-step name "PSTEP1" */
    0xD7, 0xE2, 0xE3, 0xC5, 0xD7, 0xF1, 0x40, 0x40,
    /* 146 step number 3, 148 SCC 0x00C4, 150 UCC 12, 152 max CC 16 */
    0x00, 0x03, 0x00, 0xC4, 0x00, 0x0C, 0x00, 0x10,
    /* 154 notes "SINR" */
    0xE2, 0xC9, 0xD5, 0xD9,
    /* 158 reserved (4) */
    0x00, 0x00, 0x00, 0x00,
};

static const uint8_t name_jobid[8] = {0xD1, 0xD6, 0xC2, 0xF0,
                                      0xF0, 0xF0, 0xF4, 0xF2};
static const uint8_t name_sysa[8] = {0xE2, 0xE8, 0xE2, 0xC1,
                                     0x40, 0x40, 0x40, 0x40};
static const uint8_t name_payroll[8] = {0xD7, 0xC1, 0xE8, 0xD9,
                                        0xD6, 0xD3, 0xD3, 0x40};
static const uint8_t name_step010[8] = {0xE2, 0xE3, 0xC5, 0xD7,
                                        0xF0, 0xF1, 0xF0, 0x40};
static const uint8_t name_pstep1[8] = {0xD7, 0xE2, 0xE3, 0xC5,
                                       0xD7, 0xF1, 0x40, 0x40};
static const uint8_t notes_sinr[4] = {0xE2, 0xC9, 0xD5, 0xD9};

static const uint8_t blanks8[8] = {0x40, 0x40, 0x40, 0x40,
                                   0x40, 0x40, 0x40, 0x40};

/* Sentinel: an error offset that no rule reports. */
#define NO_OFFSET ((size_t)9999)

/* ---- fixtures --------------------------------------------------------- */

/* The golden report, decoded: valid in the REPORT role. */
static struct naccb_eotinfo valid_report(void)
{
    struct naccb_eotinfo e;
    memset(&e, 0, sizeof e);
    naccb_eotinfo_decode(golden, &e);
    return e;
}

/* The same job as a table entry: status fields zero, all names marked. */
static struct naccb_eotinfo valid_entry(void)
{
    struct naccb_eotinfo e = valid_report();
    e.step_number = 0;
    e.scc = 0;
    e.ucc = 0;
    e.max_cc = 0;
    memset(e.notes, 0, sizeof e.notes);
    return e;
}

static void expect_fail(const struct naccb_eotinfo *e,
                        enum naccb_eotinfo_role role, enum naccb_codepage cp,
                        int want_err, size_t want_offset)
{
    size_t off = NO_OFFSET;
    int rc = naccb_eotinfo_validate(e, role, cp, &off);
    if (rc != want_err || off != want_offset)
        fail_msg("got %s at %zu, want %s at %zu", naccb_err_name(rc), off,
                 naccb_err_name(want_err), want_offset);
}

static void expect_ok(const struct naccb_eotinfo *e,
                      enum naccb_eotinfo_role role, enum naccb_codepage cp)
{
    size_t off = NO_OFFSET;
    int rc = naccb_eotinfo_validate(e, role, cp, &off);
    if (rc != 0)
        fail_msg("got %s at %zu, want 0", naccb_err_name(rc), off);
}

static void expect_report_fail(const struct naccb_eotinfo *e, int err,
                               size_t offset)
{
    expect_fail(e, NACCB_EOTINFO_REPORT, NACCB_CP_037, err, offset);
}

static void expect_entry_fail(const struct naccb_eotinfo *e, int err,
                              size_t offset)
{
    expect_fail(e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037, err, offset);
}

/* ---- encode / decode -------------------------------------------------- */

static void test_eotinfo_size_is_162(void **state)
{
    (void)state;
    assert_int_equal(NACCB_EOTINFO_SIZE, 162);
    assert_int_equal(NACCB_EOT_RESERVED2 + 4, NACCB_EOTINFO_SIZE);
}

static void test_eotinfo_golden_decode(void **state)
{
    struct naccb_eotinfo e;
    uint8_t wa1[40], wa2[40];
    (void)state;

    for (unsigned i = 0; i < 40; i++) {
        wa1[i] = (uint8_t)(0x01 + i);
        wa2[i] = (uint8_t)(0xFF - i);
    }
    memset(&e, 0xEE, sizeof e);
    naccb_eotinfo_decode(golden, &e);
    assert_memory_equal(e.work_area1, wa1, 40);
    assert_memory_equal(e.work_area2, wa2, 40);
    assert_int_equal(e.flag1, 0x5A);
    assert_int_equal(e.flag2, 0xF5);
    for (unsigned i = 0; i < 24; i++)
        assert_int_equal(e.reserved1[i], 0);
    assert_memory_equal(e.job_id, name_jobid, 8);
    assert_memory_equal(e.system_name, name_sysa, 8);
    assert_memory_equal(e.job_name, name_payroll, 8);
    assert_memory_equal(e.step_name, name_step010, 8);
    assert_memory_equal(e.proc_step_name, name_pstep1, 8);
    assert_int_equal(e.step_number, 3);
    assert_int_equal(e.scc, 0x00C4);
    assert_int_equal(e.ucc, 12);
    assert_int_equal(e.max_cc, 16);
    assert_memory_equal(e.notes, notes_sinr, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(e.reserved2[i], 0);
}

/* The decoded names read back as text through the code page. */
static void test_eotinfo_golden_names_as_text(void **state)
{
    struct naccb_eotinfo e = valid_report();
    char out[9];
    (void)state;

    naccb_field_get(NACCB_CP_037, e.job_id, 8, out);
    assert_string_equal(out, "JOB00042");
    naccb_field_get(NACCB_CP_037, e.system_name, 8, out);
    assert_string_equal(out, "SYSA");
    naccb_field_get(NACCB_CP_037, e.job_name, 8, out);
    assert_string_equal(out, "PAYROLL");
    naccb_field_get(NACCB_CP_037, e.step_name, 8, out);
    assert_string_equal(out, "STEP010");
    naccb_field_get(NACCB_CP_037, e.proc_step_name, 8, out);
    assert_string_equal(out, "PSTEP1");
}

/* Built field by field from values, not from the golden bytes. */
static void test_eotinfo_golden_encode(void **state)
{
    struct naccb_eotinfo e;
    uint8_t out[NACCB_EOTINFO_SIZE + 1];
    (void)state;

    memset(&e, 0, sizeof e);
    for (unsigned i = 0; i < 40; i++) {
        e.work_area1[i] = (uint8_t)(0x01 + i);
        e.work_area2[i] = (uint8_t)(0xFF - i);
    }
    e.flag1 = 0x5A;
    e.flag2 = NACCB_FLAG2_JOB_NAME | NACCB_FLAG2_JOB_ID |
              NACCB_FLAG2_STEP_NAME | NACCB_FLAG2_PROC_STEP_NAME | 0x05;
    assert_int_equal(naccb_field_put(NACCB_CP_037, e.job_id, 8, "JOB00042", 8),
                     0);
    assert_int_equal(naccb_field_put(NACCB_CP_037, e.system_name, 8, "SYSA", 4),
                     0);
    assert_int_equal(naccb_field_put(NACCB_CP_037, e.job_name, 8, "PAYROLL", 7),
                     0);
    assert_int_equal(
        naccb_field_put(NACCB_CP_037, e.step_name, 8, "STEP010", 7), 0);
    assert_int_equal(
        naccb_field_put(NACCB_CP_037, e.proc_step_name, 8, "PSTEP1", 6), 0);
    e.step_number = 3;
    e.scc = 0x00C4;
    e.ucc = 12;
    e.max_cc = 16;
    e.notes[0] = NACCB_NOTE_S;
    e.notes[1] = NACCB_NOTE_I;
    e.notes[2] = NACCB_NOTE_N;
    e.notes[3] = NACCB_NOTE_R;

    memset(out, 0xAA, sizeof out);
    naccb_eotinfo_encode(&e, out);
    assert_memory_equal(out, golden, NACCB_EOTINFO_SIZE);
    assert_int_equal(out[NACCB_EOTINFO_SIZE], 0xAA); /* no write past 162 */
}

/* Halfwords are big-endian, high byte first (§1). */
static void test_eotinfo_halfwords_big_endian(void **state)
{
    static const uint8_t want[8] = {0x01, 0x02, 0x80, 0x04,
                                    0xFF, 0xFE, 0x00, 0xFF};
    struct naccb_eotinfo e, back;
    uint8_t out[NACCB_EOTINFO_SIZE];
    (void)state;

    memset(&e, 0, sizeof e);
    e.step_number = 0x0102;
    e.scc = 0x8004;
    e.ucc = 0xFFFE;
    e.max_cc = 0x00FF;
    naccb_eotinfo_encode(&e, out);
    assert_memory_equal(out + NACCB_EOT_STEP_NUMBER, want, sizeof want);
    naccb_eotinfo_decode(out, &back);
    assert_int_equal(back.step_number, 0x0102);
    assert_int_equal(back.scc, 0x8004);
    assert_int_equal(back.ucc, 0xFFFE);
    assert_int_equal(back.max_cc, 0x00FF);
}

/* Every byte of the 162 is a field: decode then encode gives back any
 * input, reserved bytes included.  A fixed LCG keeps the run repeatable. */
static void test_eotinfo_decode_encode_identity(void **state)
{
    uint8_t in[NACCB_EOTINFO_SIZE], out[NACCB_EOTINFO_SIZE];
    uint32_t x = 0x12345678u;
    (void)state;

    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            x = x * 1103515245u + 12345u;
            in[i] = (uint8_t)(x >> 16);
        }
        if (round == 0)
            memset(in, 0xFF, sizeof in);
        if (round == 1)
            memset(in, 0x00, sizeof in);
        struct naccb_eotinfo e;
        naccb_eotinfo_decode(in, &e);
        memset(out, 0xAA, sizeof out);
        naccb_eotinfo_encode(&e, out);
        assert_memory_equal(out, in, sizeof in);
    }
}

/* A lone non-zero byte at each offset lands in the right field: catches
 * two fields swapped or an offset off by one. */
static void test_eotinfo_each_byte_lands_in_its_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < NACCB_EOTINFO_SIZE; i++) {
        uint8_t in[NACCB_EOTINFO_SIZE] = {0};
        uint8_t out[NACCB_EOTINFO_SIZE];
        struct naccb_eotinfo e;
        in[i] = 0x5C;
        naccb_eotinfo_decode(in, &e);
        if (i == NACCB_EOT_FLAG1)
            assert_int_equal(e.flag1, 0x5C);
        if (i == NACCB_EOT_FLAG2)
            assert_int_equal(e.flag2, 0x5C);
        if (i == NACCB_EOT_RESERVED1 + 23)
            assert_int_equal(e.reserved1[23], 0x5C);
        if (i == NACCB_EOT_JOB_ID)
            assert_int_equal(e.job_id[0], 0x5C);
        if (i == NACCB_EOT_PROC_STEP_NAME + 7)
            assert_int_equal(e.proc_step_name[7], 0x5C);
        if (i == NACCB_EOT_UCC + 1)
            assert_int_equal(e.ucc, 0x005C);
        if (i == NACCB_EOT_NOTES + 3)
            assert_int_equal(e.notes[3], 0x5C);
        if (i == NACCB_EOT_RESERVED2 + 3)
            assert_int_equal(e.reserved2[3], 0x5C);
        naccb_eotinfo_encode(&e, out);
        assert_memory_equal(out, in, sizeof in);
    }
}

/* ---- validate: report ------------------------------------------------- */

static void test_eotinfo_report_valid(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
    assert_int_equal(
        naccb_eotinfo_validate(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037, NULL), 0);
}

static void test_eotinfo_report_reserved1_first_byte(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.reserved1[0] = 0x01; /* offset 82 */
    expect_report_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
}

static void test_eotinfo_report_reserved1_last_byte(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.reserved1[23] = 0x80; /* offset 105 */
    expect_report_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
}

static void test_eotinfo_report_reserved2_each_byte(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) { /* offsets 158..161 */
        struct naccb_eotinfo e = valid_report();
        e.reserved2[i] = 0x40;
        expect_report_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED2);
    }
}

static void test_eotinfo_report_job_name_blank(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    memcpy(e.job_name, blanks8, 8);
    expect_report_fail(&e, NACCB_EJOB_NAME, NACCB_EOT_JOB_NAME);
}

/* 0x00 counts as blank, alone or mixed with the page's blank. */
static void test_eotinfo_report_job_name_zeros(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    memset(e.job_name, 0, 8);
    expect_report_fail(&e, NACCB_EJOB_NAME, NACCB_EOT_JOB_NAME);
    e.job_name[0] = 0x40;
    e.job_name[5] = 0x40;
    expect_report_fail(&e, NACCB_EJOB_NAME, NACCB_EOT_JOB_NAME);
}

/* Names are compared with the given page's blank: 0x20 in ascii, where
 * 0x40 is '@'.  The note letters stay EBCDIC in ascii mode. */
static void test_eotinfo_report_job_name_blank_per_page(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;

    memset(e.job_name, 0x20, 8);
    expect_fail(&e, NACCB_EOTINFO_REPORT, NACCB_CP_ASCII, NACCB_EJOB_NAME,
                NACCB_EOT_JOB_NAME);
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);

    memset(e.job_name, 0x40, 8);
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_ASCII);
    expect_fail(&e, NACCB_EOTINFO_REPORT, NACCB_CP_1047, NACCB_EJOB_NAME,
                NACCB_EOT_JOB_NAME);
}

/* Only the last byte set is enough for a name. */
static void test_eotinfo_report_job_name_one_char(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    memcpy(e.job_name, blanks8, 8);
    e.job_name[7] = 0xC1;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

static void test_eotinfo_report_step_s_zero(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.step_number = 0;
    expect_report_fail(&e, NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER);
}

static void test_eotinfo_report_step_s_one(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.step_number = 1;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

static void test_eotinfo_report_step_s_256(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.step_number = 256;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

static void test_eotinfo_report_step_s_257(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.step_number = 257;
    expect_report_fail(&e, NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER);
    e.step_number = 0xFFFF;
    expect_report_fail(&e, NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER);
}

static void test_eotinfo_report_step_j_zero(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.notes[0] = NACCB_NOTE_J;
    e.step_number = 0;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

static void test_eotinfo_report_step_j_nonzero(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.notes[0] = NACCB_NOTE_J;
    e.step_number = 1;
    expect_report_fail(&e, NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER);
    e.step_number = 3;
    expect_report_fail(&e, NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER);
}

/* Every one of the 256 values at each notes position: valid exactly for
 * that position's letters (§9), else ENOTES at 154 + i; an L in
 * position 3 is well formed but not what an agent sends: ENOT_REMOTE. */
static int letter_in(uint8_t c, const uint8_t *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

static void check_notes_position(size_t pos, const uint8_t *letters, size_t n)
{
    for (unsigned c = 0; c < 256; c++) {
        struct naccb_eotinfo e = valid_report();
        e.notes[pos] = (uint8_t)c;
        if (c == NACCB_NOTE_J && pos == 0)
            e.step_number = 0; /* keep the step rule satisfied */
        if (pos == 3 && c == NACCB_NOTE_L)
            expect_report_fail(&e, NACCB_ENOT_REMOTE, NACCB_EOT_NOTES + 3);
        else if (letter_in((uint8_t)c, letters, n))
            expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
        else
            expect_report_fail(&e, NACCB_ENOTES, NACCB_EOT_NOTES + pos);
    }
}

static void test_eotinfo_report_notes0_letters(void **state)
{
    static const uint8_t ok[] = {0xD1 /* J */, 0xE2 /* S */};
    (void)state;
    check_notes_position(0, ok, sizeof ok);
}

static void test_eotinfo_report_notes1_letters(void **state)
{
    static const uint8_t ok[] = {0xC9 /* I */, 0xE2 /* S */, 0x40 /* blank */};
    (void)state;
    check_notes_position(1, ok, sizeof ok);
}

static void test_eotinfo_report_notes2_letters(void **state)
{
    static const uint8_t ok[] = {0xD5 /* N */, 0xC1 /* A */, 0xC3 /* C */};
    (void)state;
    check_notes_position(2, ok, sizeof ok);
}

static void test_eotinfo_report_notes3_letters(void **state)
{
    static const uint8_t ok[] = {0xD9 /* R */};
    (void)state;
    check_notes_position(3, ok, sizeof ok);
}

static void test_eotinfo_report_notes3_local(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.notes[3] = 0xD3; /* L */
    expect_report_fail(&e, NACCB_ENOT_REMOTE, NACCB_EOT_NOTES + 3);
}

/* In ascii mode the letters are still EBCDIC: "SINR" in ASCII is wrong at
 * its first byte, the EBCDIC letters are right, and an ASCII blank in
 * position 1 is not the notes blank. */
static void test_eotinfo_report_notes_ebcdic_in_ascii_mode(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;

    memset(e.job_name, 'P', 8);
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_ASCII);
    memcpy(e.notes, "SINR", 4);
    expect_fail(&e, NACCB_EOTINFO_REPORT, NACCB_CP_ASCII, NACCB_ENOTES,
                NACCB_EOT_NOTES);
    memcpy(e.notes, notes_sinr, 4);
    e.notes[1] = 0x20;
    expect_fail(&e, NACCB_EOTINFO_REPORT, NACCB_CP_ASCII, NACCB_ENOTES,
                NACCB_EOT_NOTES + 1);
}

/* flag1 and flag2 belong to the server (§9): any value is fine in a
 * report. */
static void test_eotinfo_report_flags_not_checked(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.flag1 = 0xFF;
    e.flag2 = 0x00;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
    e.flag2 = 0x0F;
    expect_ok(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

/* Two failures: the one at the lower offset wins. */
static void test_eotinfo_report_first_failure_in_offset_order(void **state)
{
    struct naccb_eotinfo e = valid_report();
    (void)state;
    e.notes[3] = 0x00;
    e.reserved2[0] = 1;
    expect_report_fail(&e, NACCB_ENOTES, NACCB_EOT_NOTES + 3);
    memcpy(e.job_name, blanks8, 8);
    expect_report_fail(&e, NACCB_EJOB_NAME, NACCB_EOT_JOB_NAME);
    e.reserved1[10] = 1;
    expect_report_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
}

/* ---- validate: table entry -------------------------------------------- */

static void test_eotinfo_entry_valid(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037);
}

static void test_eotinfo_entry_flag2_no_capture_bit(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.flag2 = 0x00;
    expect_entry_fail(&e, NACCB_EFLAG2, NACCB_EOT_FLAG2);
    e.flag2 = 0x0F; /* the server nibble does not count as a capture */
    expect_entry_fail(&e, NACCB_EFLAG2, NACCB_EOT_FLAG2);
}

/* Each capture bit alone is enough; the low nibble and flag1 are server
 * only and never checked. */
static void test_eotinfo_entry_flag2_each_bit_alone(void **state)
{
    static const uint8_t bits[] = {0x80, 0x40, 0x20, 0x10};
    (void)state;
    for (size_t i = 0; i < sizeof bits; i++) {
        struct naccb_eotinfo e = valid_entry();
        e.flag2 = bits[i];
        expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037);
        e.flag2 = (uint8_t)(bits[i] | 0x0F);
        e.flag1 = 0xFF;
        expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037);
    }
}

static void test_eotinfo_entry_reserved1_first_byte(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.reserved1[0] = 0xFF;
    expect_entry_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
}

static void test_eotinfo_entry_reserved1_last_byte(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.reserved1[23] = 0x01;
    expect_entry_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
}

static void test_eotinfo_entry_reserved2_each_byte(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct naccb_eotinfo e = valid_entry();
        e.reserved2[i] = 0x01;
        expect_entry_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED2);
    }
}

/* A marked name that is blank: ECAPTURED_BLANK at that name's offset. */
static uint8_t *entry_name(struct naccb_eotinfo *e, uint8_t bit)
{
    switch (bit) {
    case NACCB_FLAG2_JOB_NAME:
        return e->job_name;
    case NACCB_FLAG2_JOB_ID:
        return e->job_id;
    case NACCB_FLAG2_STEP_NAME:
        return e->step_name;
    default:
        return e->proc_step_name;
    }
}

static const struct {
    uint8_t bit;
    size_t offset;
} name_bits[] = {
    {NACCB_FLAG2_JOB_NAME, NACCB_EOT_JOB_NAME},
    {NACCB_FLAG2_JOB_ID, NACCB_EOT_JOB_ID},
    {NACCB_FLAG2_STEP_NAME, NACCB_EOT_STEP_NAME},
    {NACCB_FLAG2_PROC_STEP_NAME, NACCB_EOT_PROC_STEP_NAME},
};

static void test_eotinfo_entry_captured_name_blank(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct naccb_eotinfo e = valid_entry();
        memcpy(entry_name(&e, name_bits[i].bit), blanks8, 8);
        expect_entry_fail(&e, NACCB_ECAPTURED_BLANK, name_bits[i].offset);
        memset(entry_name(&e, name_bits[i].bit), 0x00, 8);
        expect_entry_fail(&e, NACCB_ECAPTURED_BLANK, name_bits[i].offset);
    }
}

/* The same blank name is fine when flag2 does not mark it. */
static void test_eotinfo_entry_uncaptured_name_blank(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct naccb_eotinfo e = valid_entry();
        e.flag2 = (uint8_t)(NACCB_FLAG2_CAPTURE_MASK & ~name_bits[i].bit);
        memcpy(entry_name(&e, name_bits[i].bit), blanks8, 8);
        expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037);
    }
}

/* ascii mode: blank is 0x20; a name of 0x40 bytes ("@@@@@@@@") is not. */
static void test_eotinfo_entry_captured_blank_per_page(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    memset(e.step_name, 0x20, 8);
    expect_fail(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_ASCII,
                NACCB_ECAPTURED_BLANK, NACCB_EOT_STEP_NAME);
    memset(e.step_name, 0x40, 8);
    expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_ASCII);
}

static void test_eotinfo_entry_status_step_number(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.step_number = 1;
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_STEP_NUMBER);
}

static void test_eotinfo_entry_status_scc(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.scc = 0x00C4;
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_SCC);
}

static void test_eotinfo_entry_status_ucc(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.ucc = 0x0100; /* high byte only */
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_UCC);
}

static void test_eotinfo_entry_status_max_cc(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.max_cc = 16;
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_MAX_CC);
}

/* Any notes byte, even a blank, is a status in a table. */
static void test_eotinfo_entry_status_notes(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct naccb_eotinfo e = valid_entry();
        e.notes[i] = 0x40;
        expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_NOTES);
    }
}

/* The work areas are the agent's: not checked in either role. */
static void test_eotinfo_work_areas_not_checked(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    memset(e.work_area1, 0xFF, 40);
    memset(e.work_area2, 0x12, 40);
    expect_ok(&e, NACCB_EOTINFO_TABLE_ENTRY, NACCB_CP_037);
    struct naccb_eotinfo r = valid_report();
    memset(r.work_area2, 0xFF, 40);
    expect_ok(&r, NACCB_EOTINFO_REPORT, NACCB_CP_037);
}

static void test_eotinfo_entry_first_failure_in_offset_order(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    e.reserved2[3] = 1;
    e.max_cc = 1;
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_MAX_CC);
    e.scc = 1;
    expect_entry_fail(&e, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_SCC);
    memcpy(e.proc_step_name, blanks8, 8);
    expect_entry_fail(&e, NACCB_ECAPTURED_BLANK, NACCB_EOT_PROC_STEP_NAME);
    memcpy(e.job_id, blanks8, 8); /* 106, before the job name at 122 */
    memcpy(e.job_name, blanks8, 8);
    expect_entry_fail(&e, NACCB_ECAPTURED_BLANK, NACCB_EOT_JOB_ID);
    e.reserved1[0] = 1;
    expect_entry_fail(&e, NACCB_ERESERVED, NACCB_EOT_RESERVED1);
    e.flag2 = 0;
    expect_entry_fail(&e, NACCB_EFLAG2, NACCB_EOT_FLAG2);
}

/* A report is not a table entry and vice versa: the roles differ. */
static void test_eotinfo_roles_differ(void **state)
{
    struct naccb_eotinfo r = valid_report();
    struct naccb_eotinfo t = valid_entry();
    (void)state;
    expect_entry_fail(&r, NACCB_ESTATUS_IN_TABLE, NACCB_EOT_STEP_NUMBER);
    expect_report_fail(&t, NACCB_ENOTES, NACCB_EOT_NOTES);
}

static void test_eotinfo_validate_bad_arguments(void **state)
{
    struct naccb_eotinfo e = valid_report();
    size_t off = NO_OFFSET;
    (void)state;
    assert_int_equal(naccb_eotinfo_validate(&e, (enum naccb_eotinfo_role)2,
                                            NACCB_CP_037, &off),
                     NACCB_EINVAL);
    assert_int_equal(
        naccb_eotinfo_validate(NULL, NACCB_EOTINFO_REPORT, NACCB_CP_037, &off),
        NACCB_EINVAL);
    /* err_offset may be NULL on failure too */
    e.step_number = 0;
    assert_int_equal(
        naccb_eotinfo_validate(&e, NACCB_EOTINFO_REPORT, NACCB_CP_037, NULL),
        NACCB_ESTEP_NUMBER);
}

/* ---- matches_entry ------------------------------------------------------ */

static void test_eotinfo_match_identical(void **state)
{
    struct naccb_eotinfo entry = valid_entry();
    struct naccb_eotinfo report = valid_report();
    (void)state;
    /* status fields and flags of the report differ from the entry's */
    report.flag2 = 0x00;
    report.flag1 = 0x77;
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 1);
}

static void test_eotinfo_match_system_name_differs(void **state)
{
    struct naccb_eotinfo entry = valid_entry();
    struct naccb_eotinfo report = valid_report();
    (void)state;
    report.system_name[3] = 0xC2; /* SYSB */
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 0);
    entry.flag2 = NACCB_FLAG2_JOB_NAME; /* always compared, whatever flag2 */
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 0);
}

/* For each flag2 bit alone: the marked name must be equal, the three
 * unmarked names may differ. */
static void test_eotinfo_match_each_flag2_bit(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct naccb_eotinfo entry = valid_entry();
        struct naccb_eotinfo report = valid_report();
        entry.flag2 = name_bits[i].bit;
        for (size_t j = 0; j < 4; j++)
            if (j != i)
                entry_name(&report, name_bits[j].bit)[0] ^= 0x01;
        if (naccb_eotinfo_matches_entry(&entry, &report) != 1)
            fail_msg("bit 0x%02X: unmarked names differing broke the match",
                     name_bits[i].bit);
        entry_name(&report, name_bits[i].bit)[7] = 0xC1;
        if (naccb_eotinfo_matches_entry(&entry, &report) != 0)
            fail_msg("bit 0x%02X: marked name differs but matched",
                     name_bits[i].bit);
    }
}

/* The ENTRY's flag2 decides, not the report's; the low nibble marks
 * nothing. */
static void test_eotinfo_match_uses_entry_flag2(void **state)
{
    struct naccb_eotinfo entry = valid_entry();
    struct naccb_eotinfo report = valid_report();
    (void)state;
    entry.flag2 = NACCB_FLAG2_JOB_NAME | 0x0F;
    report.flag2 = 0xF0;
    memcpy(report.step_name, blanks8, 8);
    memcpy(report.job_id, blanks8, 8);
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 1);
    entry.flag2 = NACCB_FLAG2_JOB_NAME | NACCB_FLAG2_JOB_ID;
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 0);
}

/* Names compare byte for byte: a trailing 0x00 is not a blank here. */
static void test_eotinfo_match_is_byte_exact(void **state)
{
    struct naccb_eotinfo entry = valid_entry();
    struct naccb_eotinfo report = valid_report();
    (void)state;
    entry.flag2 = NACCB_FLAG2_JOB_NAME;
    report.job_name[7] = 0x00;
    assert_int_equal(naccb_eotinfo_matches_entry(&entry, &report), 0);
}

static void test_eotinfo_match_null(void **state)
{
    struct naccb_eotinfo e = valid_entry();
    (void)state;
    assert_int_equal(naccb_eotinfo_matches_entry(NULL, &e), 0);
    assert_int_equal(naccb_eotinfo_matches_entry(&e, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eotinfo_size_is_162),
        cmocka_unit_test(test_eotinfo_golden_decode),
        cmocka_unit_test(test_eotinfo_golden_names_as_text),
        cmocka_unit_test(test_eotinfo_golden_encode),
        cmocka_unit_test(test_eotinfo_halfwords_big_endian),
        cmocka_unit_test(test_eotinfo_decode_encode_identity),
        cmocka_unit_test(test_eotinfo_each_byte_lands_in_its_field),
        cmocka_unit_test(test_eotinfo_report_valid),
        cmocka_unit_test(test_eotinfo_report_reserved1_first_byte),
        cmocka_unit_test(test_eotinfo_report_reserved1_last_byte),
        cmocka_unit_test(test_eotinfo_report_reserved2_each_byte),
        cmocka_unit_test(test_eotinfo_report_job_name_blank),
        cmocka_unit_test(test_eotinfo_report_job_name_zeros),
        cmocka_unit_test(test_eotinfo_report_job_name_blank_per_page),
        cmocka_unit_test(test_eotinfo_report_job_name_one_char),
        cmocka_unit_test(test_eotinfo_report_step_s_zero),
        cmocka_unit_test(test_eotinfo_report_step_s_one),
        cmocka_unit_test(test_eotinfo_report_step_s_256),
        cmocka_unit_test(test_eotinfo_report_step_s_257),
        cmocka_unit_test(test_eotinfo_report_step_j_zero),
        cmocka_unit_test(test_eotinfo_report_step_j_nonzero),
        cmocka_unit_test(test_eotinfo_report_notes0_letters),
        cmocka_unit_test(test_eotinfo_report_notes1_letters),
        cmocka_unit_test(test_eotinfo_report_notes2_letters),
        cmocka_unit_test(test_eotinfo_report_notes3_letters),
        cmocka_unit_test(test_eotinfo_report_notes3_local),
        cmocka_unit_test(test_eotinfo_report_notes_ebcdic_in_ascii_mode),
        cmocka_unit_test(test_eotinfo_report_flags_not_checked),
        cmocka_unit_test(test_eotinfo_report_first_failure_in_offset_order),
        cmocka_unit_test(test_eotinfo_entry_valid),
        cmocka_unit_test(test_eotinfo_entry_flag2_no_capture_bit),
        cmocka_unit_test(test_eotinfo_entry_flag2_each_bit_alone),
        cmocka_unit_test(test_eotinfo_entry_reserved1_first_byte),
        cmocka_unit_test(test_eotinfo_entry_reserved1_last_byte),
        cmocka_unit_test(test_eotinfo_entry_reserved2_each_byte),
        cmocka_unit_test(test_eotinfo_entry_captured_name_blank),
        cmocka_unit_test(test_eotinfo_entry_uncaptured_name_blank),
        cmocka_unit_test(test_eotinfo_entry_captured_blank_per_page),
        cmocka_unit_test(test_eotinfo_entry_status_step_number),
        cmocka_unit_test(test_eotinfo_entry_status_scc),
        cmocka_unit_test(test_eotinfo_entry_status_ucc),
        cmocka_unit_test(test_eotinfo_entry_status_max_cc),
        cmocka_unit_test(test_eotinfo_entry_status_notes),
        cmocka_unit_test(test_eotinfo_work_areas_not_checked),
        cmocka_unit_test(test_eotinfo_entry_first_failure_in_offset_order),
        cmocka_unit_test(test_eotinfo_roles_differ),
        cmocka_unit_test(test_eotinfo_validate_bad_arguments),
        cmocka_unit_test(test_eotinfo_match_identical),
        cmocka_unit_test(test_eotinfo_match_system_name_differs),
        cmocka_unit_test(test_eotinfo_match_each_flag2_bit),
        cmocka_unit_test(test_eotinfo_match_uses_entry_flag2),
        cmocka_unit_test(test_eotinfo_match_is_byte_exact),
        cmocka_unit_test(test_eotinfo_match_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
