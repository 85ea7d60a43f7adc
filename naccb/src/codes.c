/*
 * codes.c - names of request, object, error and event-type codes and of
 * the named keys (protocol-notes sections 3 to 6), from the lists in
 * naccb/codes.h.
 */
#include "naccb/codes.h"

#include <stddef.h>

struct code_name {
    unsigned code;
    const char *name;
};

static const char *lookup(const struct code_name *table, size_t n,
                          unsigned code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return table[i].name;
    return NULL;
}

#define ENTRY_(name, code, str) {(code), (str)},
static const struct code_name requests[] = {NACCB_REQUEST_MAP(ENTRY_)};
static const struct code_name objects[] = {NACCB_OBJECT_MAP(ENTRY_)};
static const struct code_name error_codes[] = {NACCB_ERROR_CODE_MAP(ENTRY_)};
static const struct code_name event_types[] = {NACCB_EVENT_TYPE_MAP(ENTRY_)};
#undef ENTRY_

struct key_name {
    uint32_t key;
    const char *name;
};

static const struct key_name keys[] = {
#define KEY_ENTRY_(name, key, str) {(key), (str)},
    NACCB_KEY_MAP(KEY_ENTRY_)
#undef KEY_ENTRY_
};

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

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

const char *naccb_key_name(uint32_t key, unsigned error_code)
{
    uint32_t prefix = key & 0xFFFFFF00u;

    /* 01020B01 / 01020B02 are "no EMS" / "no SCD" only with error 08
     * (protocol-notes section 6); otherwise every 01020Bxx is an error and
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
