/* version.c - the library's version string. */
#include "naccb.h"

#define STR_(x) #x
#define XSTR_(x) STR_(x)

const char *naccb_version(void)
{
    return XSTR_(NACCB_VERSION_MAJOR) "." XSTR_(NACCB_VERSION_MINOR) "." XSTR_(
        NACCB_VERSION_PATCH);
}
