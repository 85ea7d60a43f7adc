/*
 * cli.h - the option values the command-line programs share (xdi-server,
 * xdi-load, naccb-bench, naccb, xdi-agent): counts, sizes with a K/M/G suffix, durations and
 * command templates with {name} placeholders.  One parser for each, so
 * "64K" or "0.5" means the same to every program.
 *
 * The parsers take the whole argument: no sign, no blanks, nothing after
 * the number but its suffix.  They return 0 and store the value, or -1 and
 * leave *out untouched; the caller names the option in its own message.
 * Every option that takes a size takes it through xdi_cli_size, so SIZE is
 * the same thing in every --help: XDI_CLI_SIZE_FORMS.
 * Static library xdi_cli (tools/common/CMakeLists.txt).
 */
#ifndef XDI_CLI_H
#define XDI_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Decimal digits only, in [min, max]: "--agents 100". */
int xdi_cli_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* A count or size, decimal, with an optional binary suffix K, M or G (or
 * k, m, g: 2^10, 2^20, 2^30); "64K" is 65536.  The result, suffix applied,
 * is in [min, max]; a product that would pass 2^64 is refused. */
int xdi_cli_size(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* What a SIZE option takes, for --help texts and messages. */
#define XDI_CLI_SIZE_FORMS "bytes, or with a K, M or G suffix (binary): 4096, 64K, 16M, 1G"

/* v as a SIZE option would take it, with the largest suffix that keeps it
 * exact ("16M", "1536K", "1000"), into out (snprintf's contract). */
int xdi_cli_size_format(uint64_t v, char *out, size_t size);

/*
 * The largest NACCB a program accepts, its --max-naccb-size in every tool
 * (xdi-server, naccb, xdi-replay): a SIZE from 36 (a bare header) to 2G-1,
 * as libnaccb reports lengths as int; the default is libnaccb's 16M.
 */
#define XDI_CLI_NACCB_SIZE_MIN 36u
#define XDI_CLI_NACCB_SIZE_MAX 2147483647u
#define XDI_CLI_NACCB_SIZE_WANT "a size from 36 bytes to 2G-1 (e.g. 4096, 64K, 16M)"
int xdi_cli_naccb_size(const char *text, uint32_t *out);

/* A duration in milliseconds, at most max_ms: a decimal number with an
 * optional fraction and an optional unit, "ms", "s", "m" or "h"; without a
 * unit it is seconds ("0.5" is 500).  Rounded to the nearest millisecond;
 * fraction digits past the ninth are ignored. */
int xdi_cli_duration_ms(const char *text, uint64_t max_ms, uint64_t *out);

/* One {name} of a template and what replaces it. */
struct xdi_cli_var {
    const char *name;
    const char *value;
};

/*
 * Writes tmpl into out (at most size bytes, always terminated when size >
 * 0) with each {name} (lower-case letters and '_') replaced by the value of
 * the var of that name; every other character, other braces included, is
 * copied as is.  Returns the length the whole result needs, without the
 * terminator (the snprintf contract: a result >= size was cut short), or
 * -1 for a placeholder no var names (its offset in *bad_at when bad_at is
 * not NULL).  Values are inserted as they are, not quoted.
 */
long xdi_cli_expand(const char *tmpl, const struct xdi_cli_var *vars,
                    size_t nvars, char *out, size_t size, size_t *bad_at);

#endif /* XDI_CLI_H */
