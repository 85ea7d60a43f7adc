/* version.c - the library's version string. */
#include "naccb.h"

const char *naccb_version(void)
{
    return NACCB_VERSION_STRING;
}
