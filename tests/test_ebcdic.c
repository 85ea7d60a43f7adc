/*
 * test_ebcdic.c - unit tests of the code pages and fixed fields
 * (naccb/ebcdic.h, docs/protocol.md §1).
 *
 * Every entry of every table is checked against glibc's iconv at run time
 * (iconv is the reference, not the code under test), every byte value must
 * round-trip, and hand-written golden bytes pin the characters the protocol
 * and the usual 037/1047/500 mix-ups depend on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iconv.h>
#include <string.h>

#include "naccb/ebcdic.h"
#include "naccb/errors.h"

/* An enum value outside the list: the header says it behaves as 037. */
#define CP_UNKNOWN ((enum naccb_codepage)77)

static const enum naccb_codepage all_pages[] = {NACCB_CP_037, NACCB_CP_1047,
                                                NACCB_CP_500, NACCB_CP_ASCII};

/* ---- the reference: glibc iconv -------------------------------------- */

/* Convert one byte with an open descriptor; every code page here is a
 * single-byte, stateless mapping of all 256 values. */
static uint8_t iconv_byte(iconv_t cd, uint8_t in)
{
    char src[1] = {(char)in};
    char dst[4] = {0};
    char *ip = src, *op = dst;
    size_t il = 1, ol = sizeof dst;

    assert_int_not_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
    assert_int_equal(il, 0);
    assert_int_equal(sizeof dst - ol, 1);
    return (uint8_t)dst[0];
}

static void check_against_iconv(enum naccb_codepage cp, const char *ibm_name)
{
    iconv_t to_latin1 = iconv_open("ISO-8859-1", ibm_name);
    iconv_t from_latin1 = iconv_open(ibm_name, "ISO-8859-1");

    assert_true(to_latin1 != (iconv_t)-1);
    assert_true(from_latin1 != (iconv_t)-1);
    for (unsigned b = 0; b < 256; b++) {
        uint8_t want_l = iconv_byte(to_latin1, (uint8_t)b);
        uint8_t want_e = iconv_byte(from_latin1, (uint8_t)b);
        if (naccb_ebcdic_to_latin1(cp, (uint8_t)b) != want_l ||
            naccb_ebcdic_from_latin1(cp, (uint8_t)b) != want_e)
            fail_msg("%s byte 0x%02X: to_latin1 0x%02X (iconv 0x%02X), "
                     "from_latin1 0x%02X (iconv 0x%02X)",
                     ibm_name, b, naccb_ebcdic_to_latin1(cp, (uint8_t)b),
                     want_l, naccb_ebcdic_from_latin1(cp, (uint8_t)b), want_e);
    }
    iconv_close(to_latin1);
    iconv_close(from_latin1);
}

static void test_ebcdic_037_matches_iconv(void **state)
{
    (void)state;
    check_against_iconv(NACCB_CP_037, "IBM037");
}

static void test_ebcdic_1047_matches_iconv(void **state)
{
    (void)state;
    check_against_iconv(NACCB_CP_1047, "IBM1047");
}

static void test_ebcdic_500_matches_iconv(void **state)
{
    (void)state;
    check_against_iconv(NACCB_CP_500, "IBM500");
}

/* The ascii page is ISO-8859-1 itself: identity both ways, and iconv
 * agrees that Latin-1 -> Latin-1 is the identity. */
static void test_ebcdic_ascii_is_identity(void **state)
{
    (void)state;
    check_against_iconv(NACCB_CP_ASCII, "ISO-8859-1");
    for (unsigned b = 0; b < 256; b++) {
        assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_ASCII, (uint8_t)b), b);
        assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_ASCII, (uint8_t)b),
                         b);
    }
}

/* ---- round trip ------------------------------------------------------- */

static void test_ebcdic_all_256_round_trip(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof all_pages / sizeof all_pages[0]; p++) {
        enum naccb_codepage cp = all_pages[p];
        for (unsigned b = 0; b < 256; b++) {
            uint8_t e = naccb_ebcdic_from_latin1(cp, (uint8_t)b);
            uint8_t l = naccb_ebcdic_to_latin1(cp, (uint8_t)b);
            assert_int_equal(naccb_ebcdic_to_latin1(cp, e), b);
            assert_int_equal(naccb_ebcdic_from_latin1(cp, l), b);
        }
    }
}

/* The buffer functions agree with the byte functions, and src == dst
 * works (the header allows it). */
static void test_ebcdic_buffer_in_place(void **state)
{
    uint8_t buf[256], copy[256];
    (void)state;

    for (size_t p = 0; p < sizeof all_pages / sizeof all_pages[0]; p++) {
        for (unsigned b = 0; b < 256; b++)
            buf[b] = copy[b] = (uint8_t)b;
        naccb_ebcdic_encode(all_pages[p], buf, sizeof buf, buf);
        for (unsigned b = 0; b < 256; b++)
            assert_int_equal(buf[b],
                             naccb_ebcdic_from_latin1(all_pages[p], (uint8_t)b));
        naccb_ebcdic_decode(all_pages[p], buf, sizeof buf, buf);
        assert_memory_equal(buf, copy, sizeof buf);
    }
}

/* ---- golden bytes, written by hand ------------------------------------ */

static void test_ebcdic_golden_sysa_037(void **state)
{
    static const uint8_t want[] = {0xE2, 0xE8, 0xE2, 0xC1};
    uint8_t got[4];
    (void)state;

    naccb_ebcdic_encode(NACCB_CP_037, (const uint8_t *)"SYSA", 4, got);
    assert_memory_equal(got, want, sizeof want);
    naccb_ebcdic_decode(NACCB_CP_037, want, sizeof want, got);
    assert_memory_equal(got, "SYSA", 4);
}

/* Blank, lower-case a and digit zero sit at the same place in all three
 * EBCDIC pages. */
static void test_ebcdic_golden_common_letters(void **state)
{
    static const enum naccb_codepage ebcdic[] = {NACCB_CP_037, NACCB_CP_1047,
                                                 NACCB_CP_500};
    (void)state;

    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(naccb_ebcdic_from_latin1(ebcdic[i], ' '), 0x40);
        assert_int_equal(naccb_ebcdic_from_latin1(ebcdic[i], 'a'), 0x81);
        assert_int_equal(naccb_ebcdic_from_latin1(ebcdic[i], 'A'), 0xC1);
        assert_int_equal(naccb_ebcdic_from_latin1(ebcdic[i], '0'), 0xF0);
        assert_int_equal(naccb_ebcdic_from_latin1(ebcdic[i], '9'), 0xF9);
        assert_int_equal(naccb_ebcdic_to_latin1(ebcdic[i], 0x40), ' ');
    }
}

/* The classic traps: 037 and 1047 disagree on brackets and caret. */
static void test_ebcdic_golden_037_vs_1047(void **state)
{
    (void)state;
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_037, '['), 0xBA);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_1047, '['), 0xAD);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_037, ']'), 0xBB);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_1047, ']'), 0xBD);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_037, '^'), 0xB0);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_1047, '^'), 0x5F);
    assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_037, 0xBA), '[');
    assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_1047, 0xAD), '[');
    assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_1047, 0x5F), '^');
}

static void test_ebcdic_golden_500(void **state)
{
    (void)state;
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_500, '!'), 0x4F);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_500, '['), 0x4A);
    assert_int_equal(naccb_ebcdic_from_latin1(NACCB_CP_037, '!'), 0x5A);
    assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_500, 0x4F), '!');
    assert_int_equal(naccb_ebcdic_to_latin1(NACCB_CP_500, 0x4A), '[');
}

static void test_ebcdic_blank_per_page(void **state)
{
    (void)state;
    assert_int_equal(naccb_ebcdic_blank(NACCB_CP_037), 0x40);
    assert_int_equal(naccb_ebcdic_blank(NACCB_CP_1047), 0x40);
    assert_int_equal(naccb_ebcdic_blank(NACCB_CP_500), 0x40);
    assert_int_equal(naccb_ebcdic_blank(NACCB_CP_ASCII), 0x20);
}

/* An unknown enum value converts as 037 and never reads out of bounds. */
static void test_ebcdic_unknown_page_is_037(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++) {
        assert_int_equal(naccb_ebcdic_from_latin1(CP_UNKNOWN, (uint8_t)b),
                         naccb_ebcdic_from_latin1(NACCB_CP_037, (uint8_t)b));
        assert_int_equal(naccb_ebcdic_to_latin1(CP_UNKNOWN, (uint8_t)b),
                         naccb_ebcdic_to_latin1(NACCB_CP_037, (uint8_t)b));
    }
    assert_int_equal(naccb_ebcdic_blank(CP_UNKNOWN), 0x40);
    assert_null(naccb_codepage_name(CP_UNKNOWN));
}

/* ---- names ------------------------------------------------------------ */

static void test_ebcdic_codepage_names(void **state)
{
    (void)state;
    assert_string_equal(naccb_codepage_name(NACCB_CP_037), "037");
    assert_string_equal(naccb_codepage_name(NACCB_CP_1047), "1047");
    assert_string_equal(naccb_codepage_name(NACCB_CP_500), "500");
    assert_string_equal(naccb_codepage_name(NACCB_CP_ASCII), "ascii");
}

static void test_ebcdic_parse_accepts(void **state)
{
    static const struct {
        const char *name;
        enum naccb_codepage cp;
    } ok[] = {
        {"037", NACCB_CP_037},     {"1047", NACCB_CP_1047},
        {"500", NACCB_CP_500},     {"ascii", NACCB_CP_ASCII},
        {"ASCII", NACCB_CP_ASCII}, {"Ascii", NACCB_CP_ASCII},
        {"IBM037", NACCB_CP_037},  {"IBM-037", NACCB_CP_037},
        {"ibm037", NACCB_CP_037},  {"cp037", NACCB_CP_037},
        {"CP037", NACCB_CP_037},   {"CP1047", NACCB_CP_1047},
        {"IBM1047", NACCB_CP_1047}, {"iBm-1047", NACCB_CP_1047},
        {"ibm-500", NACCB_CP_500}, {"IBM500", NACCB_CP_500},
        {"cp500", NACCB_CP_500},   {"cp-500", NACCB_CP_500},
    };
    (void)state;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enum naccb_codepage cp = CP_UNKNOWN;
        if (naccb_codepage_parse(ok[i].name, &cp) != 0 || cp != ok[i].cp)
            fail_msg("\"%s\" not parsed as %d", ok[i].name, (int)ok[i].cp);
    }
}

/* Each name the library prints parses back to its page. */
static void test_ebcdic_parse_name_round_trip(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof all_pages / sizeof all_pages[0]; p++) {
        enum naccb_codepage cp = CP_UNKNOWN;
        assert_int_equal(
            naccb_codepage_parse(naccb_codepage_name(all_pages[p]), &cp), 0);
        assert_int_equal(cp, all_pages[p]);
    }
}

static void test_ebcdic_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "",      "037x",  "1252",     "37",      "0037",     "IBM",
        "cp",    "cp-",   "ibm--037", " 037",    "037 ",     "IBM-ascii",
        "ascii1", "asc",  "IBM037x",  "ebcdic",  "IBM 037",  "x037",
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum naccb_codepage cp = NACCB_CP_500;
        int rc = naccb_codepage_parse(bad[i], &cp);
        if (rc != NACCB_ECODEPAGE)
            fail_msg("\"%s\": %d, want NACCB_ECODEPAGE", bad[i], rc);
        assert_int_equal(cp, NACCB_CP_500); /* untouched on failure */
    }
}

/* NULL name is an unknown code page (the header's only error); a NULL out
 * pointer is a caller bug: NACCB_EINVAL. */
static void test_ebcdic_parse_null(void **state)
{
    enum naccb_codepage cp = NACCB_CP_1047;
    (void)state;

    assert_int_equal(naccb_codepage_parse(NULL, &cp), NACCB_ECODEPAGE);
    assert_int_equal(cp, NACCB_CP_1047);
    assert_int_equal(naccb_codepage_parse("037", NULL), NACCB_EINVAL);
}

/* ---- naccb_field_put -------------------------------------------------- */

static void test_ebcdic_field_put_pads_with_blank(void **state)
{
    static const uint8_t want[9] = {0xE2, 0xE8, 0xE2, 0xC1, 0x40,
                                    0x40, 0x40, 0x40, 0xAA};
    uint8_t field[9];
    (void)state;

    memset(field, 0xAA, sizeof field);
    assert_int_equal(naccb_field_put(NACCB_CP_037, field, 8, "SYSA", 4), 0);
    assert_memory_equal(field, want, sizeof want); /* byte 8 untouched */
}

static void test_ebcdic_field_put_ascii_pads_0x20(void **state)
{
    static const uint8_t want[8] = {'S', 'Y', 'S', 'A', 0x20, 0x20, 0x20, 0x20};
    uint8_t field[8];
    (void)state;

    assert_int_equal(naccb_field_put(NACCB_CP_ASCII, field, 8, "SYSA", 4), 0);
    assert_memory_equal(field, want, sizeof want);
}

/* Boundary: a string of exactly the width fills it with no blank. */
static void test_ebcdic_field_put_exact_width(void **state)
{
    static const uint8_t want[9] = {0xD7, 0xC1, 0xE8, 0xD9, 0xD6,
                                    0xD3, 0xD3, 0xF1, 0xAA};
    uint8_t field[9];
    (void)state;

    memset(field, 0xAA, sizeof field);
    assert_int_equal(naccb_field_put(NACCB_CP_037, field, 8, "PAYROLL1", 8), 0);
    assert_memory_equal(field, want, sizeof want);
}

/* Boundary: one byte too long is refused and the field is not touched. */
static void test_ebcdic_field_put_too_long(void **state)
{
    uint8_t field[8], before[8];
    (void)state;

    memset(field, 0xAA, sizeof field);
    memcpy(before, field, sizeof field);
    assert_int_equal(naccb_field_put(NACCB_CP_037, field, 8, "PAYROLL12", 9),
                     NACCB_ENOBUFS);
    assert_memory_equal(field, before, sizeof field);
}

static void test_ebcdic_field_put_empty_is_all_blank(void **state)
{
    static const uint8_t want[8] = {0x40, 0x40, 0x40, 0x40,
                                    0x40, 0x40, 0x40, 0x40};
    uint8_t field[8];
    (void)state;

    memset(field, 0xAA, sizeof field);
    assert_int_equal(naccb_field_put(NACCB_CP_1047, field, 8, "", 0), 0);
    assert_memory_equal(field, want, sizeof want);
}

/* Only len bytes are read: a NUL inside them is data, and the string need
 * not be terminated.  Latin-1 above 0x7F converts too (e-acute = 0x51). */
static void test_ebcdic_field_put_uses_len_not_nul(void **state)
{
    static const uint8_t want[4] = {0xC1, 0x00, 0x51, 0x40};
    const char src[3] = {'A', '\0', (char)0xE9};
    uint8_t field[4];
    (void)state;

    assert_int_equal(naccb_field_put(NACCB_CP_037, field, 4, src, 3), 0);
    assert_memory_equal(field, want, sizeof want);
}

/* ---- naccb_field_get -------------------------------------------------- */

static void test_ebcdic_field_get_strips_trailing_blanks(void **state)
{
    static const uint8_t field[8] = {0xD7, 0xC1, 0xE8, 0xD9,
                                     0xD6, 0xD3, 0xD3, 0x40};
    char out[9];
    (void)state;

    memset(out, 'x', sizeof out);
    assert_int_equal(naccb_field_get(NACCB_CP_037, field, 8, out), 7);
    assert_memory_equal(out, "PAYROLL", 8); /* with its NUL */
}

/* Leading and inner blanks are data; only the trailing ones go. */
static void test_ebcdic_field_get_keeps_inner_blanks(void **state)
{
    static const uint8_t field[8] = {0x40, 0xC1, 0x40, 0xC2,
                                     0x40, 0x40, 0x40, 0x40};
    char out[9];
    (void)state;

    assert_int_equal(naccb_field_get(NACCB_CP_037, field, 8, out), 4);
    assert_memory_equal(out, " A B", 5);
}

static void test_ebcdic_field_get_all_blank_is_empty(void **state)
{
    static const uint8_t field[8] = {0x40, 0x40, 0x40, 0x40,
                                     0x40, 0x40, 0x40, 0x40};
    char out[9];
    (void)state;

    memset(out, 'x', sizeof out);
    assert_int_equal(naccb_field_get(NACCB_CP_500, field, 8, out), 0);
    assert_int_equal(out[0], '\0');
}

/* Boundary: a full field uses out[width] for the NUL. */
static void test_ebcdic_field_get_full_width(void **state)
{
    static const uint8_t field[8] = {0xD1, 0xD6, 0xC2, 0xF0,
                                     0xF0, 0xF0, 0xF4, 0xF2};
    char out[9];
    (void)state;

    memset(out, 'x', sizeof out);
    assert_int_equal(naccb_field_get(NACCB_CP_037, field, 8, out), 8);
    assert_memory_equal(out, "JOB00042", 9);
}

/* Trailing blanks are the page's blank: 0x20 in ascii, and 0x40 there is
 * '@', not a blank; in 037 a trailing 0x20 is a control byte (U+0080). */
static void test_ebcdic_field_get_blank_is_per_page(void **state)
{
    static const uint8_t field[4] = {'A', 0x40, 0x20, 0x20};
    char out[5];
    (void)state;

    assert_int_equal(naccb_field_get(NACCB_CP_ASCII, field, 4, out), 2);
    assert_memory_equal(out, "A@", 3);
    assert_int_equal(naccb_field_get(NACCB_CP_037, field, 4, out), 4);
    assert_int_equal((uint8_t)out[1], 0x20);
    assert_int_equal((uint8_t)out[3], 0x80);
    assert_int_equal(out[4], '\0');
}

/* put then get gives the string back in every page. */
static void test_ebcdic_field_put_get_round_trip(void **state)
{
    uint8_t field[8];
    char out[9];
    (void)state;

    for (size_t p = 0; p < sizeof all_pages / sizeof all_pages[0]; p++) {
        assert_int_equal(naccb_field_put(all_pages[p], field, 8, "STEP[1]", 7),
                         0);
        assert_int_equal(naccb_field_get(all_pages[p], field, 8, out), 7);
        assert_string_equal(out, "STEP[1]");
    }
}

/* ---- naccb_field_is_blank --------------------------------------------- */

static void test_ebcdic_field_is_blank(void **state)
{
    uint8_t field[8];
    (void)state;

    memset(field, 0x40, sizeof field);
    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, field, 8), 1);
    field[7] = 0xC1; /* last byte only */
    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, field, 8), 0);
    field[7] = 0x40;
    field[0] = 0xC1; /* first byte only */
    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, field, 8), 0);
}

/* Binary zeros are not blanks here (the EOTINFO name rule that also
 * accepts 0x00 is eotinfo's own). */
static void test_ebcdic_field_is_blank_zeros_are_not_blank(void **state)
{
    static const uint8_t zeros[8] = {0};
    (void)state;

    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, zeros, 8), 0);
}

static void test_ebcdic_field_is_blank_per_page(void **state)
{
    uint8_t field[8];
    (void)state;

    memset(field, 0x20, sizeof field);
    assert_int_equal(naccb_field_is_blank(NACCB_CP_ASCII, field, 8), 1);
    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, field, 8), 0);
    memset(field, 0x40, sizeof field);
    assert_int_equal(naccb_field_is_blank(NACCB_CP_ASCII, field, 8), 0);
    assert_int_equal(naccb_field_is_blank(NACCB_CP_1047, field, 8), 1);
}

/* Boundary: an empty field is blank (nothing in it is not a blank). */
static void test_ebcdic_field_is_blank_width_zero(void **state)
{
    static const uint8_t field[1] = {0xC1};
    (void)state;

    assert_int_equal(naccb_field_is_blank(NACCB_CP_037, field, 0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ebcdic_037_matches_iconv),
        cmocka_unit_test(test_ebcdic_1047_matches_iconv),
        cmocka_unit_test(test_ebcdic_500_matches_iconv),
        cmocka_unit_test(test_ebcdic_ascii_is_identity),
        cmocka_unit_test(test_ebcdic_all_256_round_trip),
        cmocka_unit_test(test_ebcdic_buffer_in_place),
        cmocka_unit_test(test_ebcdic_golden_sysa_037),
        cmocka_unit_test(test_ebcdic_golden_common_letters),
        cmocka_unit_test(test_ebcdic_golden_037_vs_1047),
        cmocka_unit_test(test_ebcdic_golden_500),
        cmocka_unit_test(test_ebcdic_blank_per_page),
        cmocka_unit_test(test_ebcdic_unknown_page_is_037),
        cmocka_unit_test(test_ebcdic_codepage_names),
        cmocka_unit_test(test_ebcdic_parse_accepts),
        cmocka_unit_test(test_ebcdic_parse_name_round_trip),
        cmocka_unit_test(test_ebcdic_parse_rejects),
        cmocka_unit_test(test_ebcdic_parse_null),
        cmocka_unit_test(test_ebcdic_field_put_pads_with_blank),
        cmocka_unit_test(test_ebcdic_field_put_ascii_pads_0x20),
        cmocka_unit_test(test_ebcdic_field_put_exact_width),
        cmocka_unit_test(test_ebcdic_field_put_too_long),
        cmocka_unit_test(test_ebcdic_field_put_empty_is_all_blank),
        cmocka_unit_test(test_ebcdic_field_put_uses_len_not_nul),
        cmocka_unit_test(test_ebcdic_field_get_strips_trailing_blanks),
        cmocka_unit_test(test_ebcdic_field_get_keeps_inner_blanks),
        cmocka_unit_test(test_ebcdic_field_get_all_blank_is_empty),
        cmocka_unit_test(test_ebcdic_field_get_full_width),
        cmocka_unit_test(test_ebcdic_field_get_blank_is_per_page),
        cmocka_unit_test(test_ebcdic_field_put_get_round_trip),
        cmocka_unit_test(test_ebcdic_field_is_blank),
        cmocka_unit_test(test_ebcdic_field_is_blank_zeros_are_not_blank),
        cmocka_unit_test(test_ebcdic_field_is_blank_per_page),
        cmocka_unit_test(test_ebcdic_field_is_blank_width_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
