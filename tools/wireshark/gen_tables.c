/*
 * gen_tables - writes the protocol's names and numbers, as libnaccb has
 * them, as a Lua chunk for the Wireshark dissector (tools/wireshark/
 * naccb.lua), so that no code, name, size, offset or code page is typed a
 * second time in Lua.  A Lua script inside Wireshark cannot load libnaccb;
 * the build runs this program instead (tools/wireshark/CMakeLists.txt).
 *
 * Usage: gen_tables OUTPUT [LUA_SOURCE]
 * Writes "local naccb_tables = {...}" to OUTPUT, then appends LUA_SOURCE
 * (the dissector) when given, so the installed naccb.lua is one file.
 */
#include <stdio.h>
#include <string.h>

#include "naccb/codes.h"
#include "naccb/ebcdic.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"
#include "naccb/evblok.h"
#include "naccb/header.h"

/* A Lua string literal: every byte that is not plain printable ASCII is
 * written as a decimal escape. */
static void lua_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\' || c < 0x20 || c > 0x7E)
            fprintf(f, "\\%03u", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void code_table(FILE *f, const char *name,
                       const struct naccb_code_info *t, size_t n)
{
    fprintf(f, "  %s = {\n", name);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "    [0x%02X] = { id = ", t[i].code);
        lua_str(f, t[i].id);
        fputs(", name = ", f);
        lua_str(f, t[i].name);
        fputs(" },\n", f);
    }
    fputs("  },\n", f);
}

static void keys(FILE *f)
{
    size_t n;
    const struct naccb_key_info *k = naccb_key_table(&n);

    fputs("  keys = {\n", f);
    for (size_t i = 0; i < n; i++) {
        /* naccb_key_name needs the error byte (no EMS is 01020B01 only
         * with error 08): the names that differ from the one with error
         * 0 are listed per error code. */
        const char *base = naccb_key_name(k[i].key, 0);
        fprintf(f, "    [0x%08X] = { id = ", (unsigned)k[i].key);
        lua_str(f, k[i].id);
        fputs(", name = ", f);
        lua_str(f, base != NULL ? base : k[i].name);
        fputs(", kind = ", f);
        lua_str(f, naccb_object_kind_name(k[i].kind));
        fputs(", by_error = {", f);
        for (unsigned e = 0; e < 256; e++) {
            const char *name = naccb_key_name(k[i].key, e);
            if (name != NULL && (base == NULL || strcmp(name, base) != 0)) {
                fprintf(f, " [0x%02X] = ", e);
                lua_str(f, name);
                fputc(',', f);
            }
        }
        fputs(" } },\n", f);
    }
    fputs("  },\n", f);
    /* The unnamed keys of request 0B, one name per direction. */
    fputs("  error_key_name = ", f);
    lua_str(f, naccb_key_name(NACCB_MAKE_KEY(NACCB_DIR_TO_AGENT,
                                             NACCB_REQ_ERROR, 0x7F), 5));
    fputs(",\n  agent_error_key_name = ", f);
    lua_str(f, naccb_key_name(NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER,
                                             NACCB_REQ_ERROR, 0x7F), 5));
    fputs(",\n", f);
    /* What the objects of every key of request 0B sent by an agent are. */
    fprintf(f, "  agent_error_kind = ");
    lua_str(f, naccb_object_kind_name(naccb_key_object_kind(NACCB_MAKE_KEY(
                   NACCB_DIR_TO_SERVER, NACCB_REQ_ERROR, NACCB_OBJ_JOBNAME))));
    fputs(",\n", f);
}

static void constants(FILE *f)
{
    size_t n;
    const struct naccb_constant_info *c = naccb_constant_table(&n);

    fputs("  const = {\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "    %s = %ld,\n", c[i].name, c[i].value);
    fputs("  },\n", f);
    /* The codec's rules with their messages: the dissector's expert items
     * are named and worded as libnaccb's errors. */
    fputs("  rules = {\n", f);
    for (size_t i = 0; i < n; i++) {
        if (c[i].value > -1010 || c[i].value <= -2000)
            continue; /* not a rule a NACCB can break */
        fprintf(f, "    %s = ", c[i].name);
        lua_str(f, naccb_strerror((int)c[i].value));
        fputs(",\n", f);
    }
    fputs("  },\n", f);
}

#define OFF_(f, name) fprintf(f, "    %s = %d,\n", #name, (int)(name))

static void offsets(FILE *f)
{
    fputs("  offsets = {\n", f);
    OFF_(f, NACCB_OFF_TOTAL_LENGTH); OFF_(f, NACCB_OFF_AGENT_ID);
    OFF_(f, NACCB_OFF_SYSTEM_NAME); OFF_(f, NACCB_OFF_DIRECTION);
    OFF_(f, NACCB_OFF_REQUEST); OFF_(f, NACCB_OFF_OBJECT);
    OFF_(f, NACCB_OFF_ERROR_CODE); OFF_(f, NACCB_OFF_OS_CODE);
    OFF_(f, NACCB_OFF_CODING); OFF_(f, NACCB_OFF_UNUSED);
    OFF_(f, NACCB_OFF_FORWARD); OFF_(f, NACCB_OFF_COUNT);
    OFF_(f, NACCB_OFF_SIZE);
    OFF_(f, NACCB_EVB_SYSTEM_NAME); OFF_(f, NACCB_EVB_EVENT_KEY);
    OFF_(f, NACCB_EVB_ADDITIONAL_TEXT); OFF_(f, NACCB_EVB_IL);
    OFF_(f, NACCB_EVB_KL); OFF_(f, NACCB_EVB_VL); OFF_(f, NACCB_EVB_SDATE);
    OFF_(f, NACCB_EVB_EDATE); OFF_(f, NACCB_EVB_STIME);
    OFF_(f, NACCB_EVB_STSEC); OFF_(f, NACCB_EVB_ETIME);
    OFF_(f, NACCB_EVB_ETSEC); OFF_(f, NACCB_EVB_DAY_LIST);
    OFF_(f, NACCB_EVB_EVENT_TYPE); OFF_(f, NACCB_EVB_RESERVED);
    OFF_(f, NACCB_EVB_SSDT); OFF_(f, NACCB_EVB_ESDT);
    OFF_(f, NACCB_EVB_USER_AREA);
    OFF_(f, NACCB_EOT_WORK_AREA1); OFF_(f, NACCB_EOT_WORK_AREA2);
    OFF_(f, NACCB_EOT_FLAG1); OFF_(f, NACCB_EOT_FLAG2);
    OFF_(f, NACCB_EOT_RESERVED1); OFF_(f, NACCB_EOT_JOB_ID);
    OFF_(f, NACCB_EOT_SYSTEM_NAME); OFF_(f, NACCB_EOT_JOB_NAME);
    OFF_(f, NACCB_EOT_STEP_NAME); OFF_(f, NACCB_EOT_PROC_STEP_NAME);
    OFF_(f, NACCB_EOT_STEP_NUMBER); OFF_(f, NACCB_EOT_SCC);
    OFF_(f, NACCB_EOT_UCC); OFF_(f, NACCB_EOT_MAX_CC);
    OFF_(f, NACCB_EOT_NOTES); OFF_(f, NACCB_EOT_RESERVED2);
    OFF_(f, NACCB_FLAG2_JOB_NAME); OFF_(f, NACCB_FLAG2_JOB_ID);
    OFF_(f, NACCB_FLAG2_STEP_NAME); OFF_(f, NACCB_FLAG2_PROC_STEP_NAME);
    OFF_(f, NACCB_NOTE_J); OFF_(f, NACCB_NOTE_S); OFF_(f, NACCB_NOTE_I);
    OFF_(f, NACCB_NOTE_N); OFF_(f, NACCB_NOTE_A); OFF_(f, NACCB_NOTE_C);
    OFF_(f, NACCB_NOTE_L); OFF_(f, NACCB_NOTE_R); OFF_(f, NACCB_NOTE_BLANK);
    OFF_(f, NACCB_REQ_INFO); OFF_(f, NACCB_REQ_ERROR);
    OFF_(f, NACCB_REQ_LOGIN); OFF_(f, NACCB_REQ_ACCEPT);
    OFF_(f, NACCB_REQ_REJECT); OFF_(f, NACCB_REQ_ACQUIRE);
    OFF_(f, NACCB_REQ_LOGOUT);
    fputs("  },\n", f);
}

/* Each code page as the Latin-1 code of every byte value, for display. */
static void codepages(FILE *f)
{
    static const enum naccb_codepage cps[] = {NACCB_CP_037, NACCB_CP_1047,
                                              NACCB_CP_500, NACCB_CP_ASCII};
    fputs("  codepages = {\n", f);
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        fputs("    { name = ", f);
        lua_str(f, naccb_codepage_name(cps[i]));
        fprintf(f, ", blank = %u, to_latin1 = {", naccb_ebcdic_blank(cps[i]));
        for (unsigned b = 0; b < 256; b++)
            fprintf(f, "%s%u,", b % 16 == 0 ? "\n      " : "",
                    naccb_ebcdic_to_latin1(cps[i], (uint8_t)b));
        fputs(" } },\n", f);
    }
    fputs("  },\n", f);
}

int main(int argc, char **argv)
{
    const struct naccb_code_info *t;
    size_t n;
    FILE *f;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_tables OUTPUT [LUA_SOURCE]\n");
        return 2;
    }
    f = fopen(argv[1], "w");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    fputs("-- Generated by tools/wireshark/gen_tables.c from libnaccb's "
          "tables: do not edit.\nlocal naccb_tables = {\n", f);
    /* One call per statement: the table sets n before it is read. */
    t = naccb_request_table(&n);
    code_table(f, "requests", t, n);
    t = naccb_object_table(&n);
    code_table(f, "objects", t, n);
    t = naccb_error_code_table(&n);
    code_table(f, "errors", t, n);
    t = naccb_event_type_table(&n);
    code_table(f, "event_types", t, n);
    keys(f);
    constants(f);
    offsets(f);
    codepages(f);
    fputs("}\n", f);
    if (argc == 3) {
        char buf[8192];
        size_t got;
        FILE *in = fopen(argv[2], "r");
        if (in == NULL) {
            perror(argv[2]);
            fclose(f);
            return 1;
        }
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, got, f);
        fclose(in);
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
