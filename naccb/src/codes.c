/*
 * codes.c - names of request, object, error and event-type codes and of
 * the named keys (docs/protocol.md §4 to §7), what each key's objects
 * are, and the same lists as tables for bindings, all from the X-macro
 * lists of naccb/codes.h: the protocol's numbers are written there once.
 */
#include "naccb/codes.h"

#include <string.h>

#include "naccb/ebcdic.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"

/* The tables are the public struct naccb_code_info, so that the lookup
 * functions and the table functions read the very same arrays. */
static const char *lookup(const struct naccb_code_info *table, size_t n,
                          unsigned code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return table[i].name;
    return NULL;
}

#define ENTRY_(id, code, str) {(code), #id, (str)},
static const struct naccb_code_info requests[] = {NACCB_REQUEST_MAP(ENTRY_)};
static const struct naccb_code_info objects[] = {NACCB_OBJECT_MAP(ENTRY_)};
static const struct naccb_code_info error_codes[] = {
    NACCB_ERROR_CODE_MAP(ENTRY_)};
static const struct naccb_code_info event_types[] = {
    NACCB_EVENT_TYPE_MAP(ENTRY_)};
static const struct naccb_code_info kinds[] = {NACCB_OBJECT_KIND_MAP(ENTRY_)};
#undef ENTRY_

static const struct naccb_key_info keys[] = {
#define KEY_ENTRY_(id, key, str, kind) {(key), #id, (str), NACCB_KIND_##kind},
    NACCB_KEY_MAP(KEY_ENTRY_)
#undef KEY_ENTRY_
};

#define CONST_(name) {#name, (long)(name)},
#define ERRNO_CONST_(name, value, msg) {"NACCB_" #name, (long)(value)},
static const struct naccb_constant_info constants[] = {
    CONST_(NACCB_HEADER_SIZE) CONST_(NACCB_EVBLOK_SIZE)
    CONST_(NACCB_EOTINFO_SIZE) CONST_(NACCB_NAME_SIZE)
    CONST_(NACCB_PASSWORD_SIZE) CONST_(NACCB_TEXT_MAX)
    CONST_(NACCB_KEY_SIZE) CONST_(NACCB_ADDTEXT_SIZE)
    CONST_(NACCB_DEFAULT_MAX_SIZE)
    CONST_(NACCB_DIR_TO_AGENT) CONST_(NACCB_DIR_TO_SERVER)
    CONST_(NACCB_CP_037) CONST_(NACCB_CP_1047) CONST_(NACCB_CP_500)
    CONST_(NACCB_CP_ASCII)
    CONST_(NACCB_EOTINFO_TABLE_ENTRY) CONST_(NACCB_EOTINFO_REPORT)
    NACCB_ERRNO_MAP(ERRNO_CONST_)
};
#undef ERRNO_CONST_
#undef CONST_

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

/* Sets *n when asked and returns the table: one body for every table. */
#define TABLE_(fn, type, table)                                                \
    const type *fn(size_t *n)                                                  \
    {                                                                          \
        if (n != NULL)                                                         \
            *n = COUNT_(table);                                                \
        return table;                                                          \
    }

TABLE_(naccb_request_table, struct naccb_code_info, requests)
TABLE_(naccb_object_table, struct naccb_code_info, objects)
TABLE_(naccb_error_code_table, struct naccb_code_info, error_codes)
TABLE_(naccb_event_type_table, struct naccb_code_info, event_types)
TABLE_(naccb_object_kind_table, struct naccb_code_info, kinds)
TABLE_(naccb_key_table, struct naccb_key_info, keys)
TABLE_(naccb_constant_table, struct naccb_constant_info, constants)
#undef TABLE_

const char *naccb_request_name(unsigned request)
{
    return lookup(requests, COUNT_(requests), request);
}

const char *naccb_object_name(unsigned object)
{
    return lookup(objects, COUNT_(objects), object);
}

const char *naccb_error_code_name(unsigned error_code)
{
    return lookup(error_codes, COUNT_(error_codes), error_code);
}

const char *naccb_event_type_name(unsigned event_type)
{
    return lookup(event_types, COUNT_(event_types), event_type);
}

const char *naccb_object_id(unsigned object)
{
    for (size_t i = 0; i < COUNT_(objects); i++)
        if (objects[i].code == object)
            return objects[i].id;
    return NULL;
}

/* Read from the key list, so that "EOT" is written once: the name of the
 * info key for the object, after its "info " (§7). */
const char *naccb_info_kind_name(unsigned object)
{
    static const char prefix[] = "info ";
    uint32_t key = NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_INFO,
                                  object & 0xFFu);

    if (object > 0xFFu)
        return NULL;
    for (size_t i = 0; i < COUNT_(keys); i++)
        if (keys[i].key == key &&
            strncmp(keys[i].name, prefix, sizeof prefix - 1) == 0)
            return keys[i].name + sizeof prefix - 1;
    return NULL;
}

const char *naccb_object_kind_name(unsigned kind)
{
    return lookup(kinds, COUNT_(kinds), kind);
}

enum naccb_object_kind naccb_key_object_kind(uint32_t key)
{
    for (size_t i = 0; i < COUNT_(keys); i++)
        if (keys[i].key == key)
            return keys[i].kind;
    /* Agent error 02010Bxx: xx names the failed request, the optional
     * object is always a text saying why (§7). */
    if ((key & 0xFFFFFF00u) ==
        NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_ERROR, 0))
        return NACCB_KIND_TEXT;
    return NACCB_KIND_NONE;
}

int naccb_key_from_name(const char *name, uint32_t *key)
{
    if (name == NULL || key == NULL)
        return NACCB_EINVAL;
    for (size_t i = 0; i < COUNT_(keys); i++)
        if (strcmp(keys[i].id, name) == 0 || strcmp(keys[i].name, name) == 0) {
            *key = keys[i].key;
            return 0;
        }
    return NACCB_EINVAL;
}

const char *naccb_key_name(uint32_t key, unsigned error_code)
{
    uint32_t prefix = key & 0xFFFFFF00u;

    /* 01020B01 / 01020B02 are "no EMS" / "no SCD" only with error 08
     * (docs/protocol.md §7); otherwise every 01020Bxx is an error and
     * every 02010Bxx an agent error. */
    if (prefix == 0x01020B00u) {
        if (error_code == NACCB_ERR_NOT_AVAILABLE &&
            (key == NACCB_KEY_NO_EMS || key == NACCB_KEY_NO_SCD))
            return key == NACCB_KEY_NO_EMS ? "no EMS" : "no SCD";
        return "error";
    }
    if (prefix == 0x02010B00u)
        return "agent error";
    for (size_t i = 0; i < COUNT_(keys); i++)
        if (keys[i].key == key)
            return keys[i].name;
    return NULL;
}

unsigned naccb_event_type_for_object(unsigned object)
{
    switch (object) {
    case NACCB_OBJ_MSG:
        return NACCB_ET_MESSAGE;
    case NACCB_OBJ_CMD:
        return NACCB_ET_COMMAND;
    case NACCB_OBJ_EOJ: /* object 05 is EOJ, event type 06 is EOJ */
        return NACCB_ET_EOJ;
    case NACCB_OBJ_EOS: /* object 06 is EOS, event type 05 is EOS */
        return NACCB_ET_EOS;
    default:
        return 0;
    }
}
