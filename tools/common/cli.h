/*
 * cli.h - the option values the command-line programs share (xdi-server,
 * xdi-load, naccb-bench, naccb, xdi-agent): counts, sizes with a K/M/G suffix, durations and
 * command templates with {name} placeholders.  One parser for each, so
 * "64K" or "0.5" means the same to every program.
 *
 * The parsers take the whole argument: no sign, no blanks, nothing after
 * the number but its suffix.  They return 0 and store the value, or -1 and
 * leave *out untouched; the caller names the option in its own message.
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
