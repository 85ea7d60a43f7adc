/*
 * errors.c - names and messages of the codec's error codes, expanded from
 * the one list in naccb/errors.h so they can never drift from the enum.
 */
#include "naccb/errors.h"

#include <stddef.h>

struct errno_entry {
    int code;
    const char *name;
    const char *message;
};

static const struct errno_entry errno_table[] = {
#define ENTRY_(name, value, msg) {(value), "NACCB_" #name, (msg)},
    NACCB_ERRNO_MAP(ENTRY_)
#undef ENTRY_
};

static const struct errno_entry *errno_find(int err)
{
    for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
        if (errno_table[i].code == err)
            return &errno_table[i];
    return NULL;
}

const char *naccb_err_name(int err)
{
    const struct errno_entry *e = errno_find(err);
    return e ? e->name : "NACCB_UNKNOWN";
}

const char *naccb_strerror(int err)
{
    const struct errno_entry *e = errno_find(err);
    return e ? e->message : "unknown error";
}
