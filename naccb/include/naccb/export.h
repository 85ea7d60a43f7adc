/*
 * naccb/export.h - symbol visibility.
 *
 * libnaccb is built with -fvisibility=hidden; only declarations marked
 * NACCB_API are exported from the shared library.
 */
#ifndef NACCB_EXPORT_H
#define NACCB_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define NACCB_API __attribute__((visibility("default")))
#else
#define NACCB_API
#endif

#endif /* NACCB_EXPORT_H */
