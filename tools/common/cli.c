/* cli.c - the option values the command-line programs share (cli.h). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Leading decimal digits of *p into *v, advancing *p; -1 when there are
 * none or the number passes 2^64 - 1.  strtoull is not used: it takes
 * blanks, a sign (and wraps "-1" to the largest value) and a base prefix. */
static int digits(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;

    if (!is_digit(*s))
        return -1;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (n > (UINT64_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
    }
    *p = s;
    *v = n;
    return 0;
}

int xdi_cli_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;

    if (digits(&text, &v) != 0 || *text != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int xdi_cli_size(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    unsigned shift = 0;

    if (digits(&text, &v) != 0)
        return -1;
    if (*text == 'K' || *text == 'k')
        shift = 10;
    else if (*text == 'M' || *text == 'm')
        shift = 20;
    else if (*text == 'G' || *text == 'g')
        shift = 30;
    if (shift != 0)
        text++;
    if (*text != '\0' || v > (UINT64_MAX >> shift))
        return -1;
    v <<= shift;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int xdi_cli_size_format(uint64_t v, char *out, size_t size)
{
    static const char suffix[] = "GMK";
    unsigned shift = 30;

    for (const char *s = suffix; *s; s++, shift -= 10)
        if (v != 0 && v % ((uint64_t)1 << shift) == 0)
            return snprintf(out, size, "%" PRIu64 "%c", v >> shift, *s);
    return snprintf(out, size, "%" PRIu64, v);
}

int xdi_cli_naccb_size(const char *text, uint32_t *out)
{
    uint64_t v;

    if (xdi_cli_size(text, XDI_CLI_NACCB_SIZE_MIN, XDI_CLI_NACCB_SIZE_MAX,
                     &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Milliseconds per unit of a duration's suffix; 0 for an unknown one. */
static uint64_t unit_ms(const char *u)
{
    if (*u == '\0' || strcmp(u, "s") == 0)
        return 1000;
    if (strcmp(u, "ms") == 0)
        return 1;
    if (strcmp(u, "m") == 0)
        return 60 * 1000;
    if (strcmp(u, "h") == 0)
        return 60 * 60 * 1000;
    return 0;
}

int xdi_cli_duration_ms(const char *text, uint64_t max_ms, uint64_t *out)
{
    uint64_t whole = 0, unit, num = 0, den = 1, ms;

    /* ".5" is half a second, as strtod read it before. */
    if (!(text[0] == '.' && is_digit(text[1])) && digits(&text, &whole) != 0)
        return -1;
    if (*text == '.') {
        text++;
        if (!is_digit(*text))
            return -1;
        /* Nine digits keep num * unit (< 10^9 * 3.6e6) inside 64 bits. */
        for (; is_digit(*text); text++)
            if (den < 1000000000u) {
                num = num * 10 + (uint64_t)(*text - '0');
                den *= 10;
            }
    }
    unit = unit_ms(text);
    if (unit == 0 || whole > UINT64_MAX / unit)
        return -1;
    ms = whole * unit;
    if (ms > UINT64_MAX - (num * unit + den / 2) / den)
        return -1;
    ms += (num * unit + den / 2) / den;
    if (ms > max_ms)
        return -1;
    *out = ms;
    return 0;
}

/* Length of a placeholder's name at s (after its '{'), 0 when s does not
 * start one: lower-case letters and '_', then '}' (as the conformance
 * engine's templates, scenarios/xdi/conform/agentproc.py). */
static size_t name_len(const char *s)
{
    size_t n = 0;

    while ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_')
        n++;
    return n > 0 && s[n] == '}' ? n : 0;
}

static const char *lookup(const struct xdi_cli_var *vars, size_t nvars,
                          const char *name, size_t len)
{
    for (size_t i = 0; i < nvars; i++)
        if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return vars[i].value;
    return NULL;
}

/* Appends n bytes of s at *len, writing only what fits before the last
 * byte of out (kept for the terminator). */
static void put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
    if (*len + 1 < size) {
        size_t room = size - 1 - *len;
        memcpy(out + *len, s, n < room ? n : room);
    }
    *len += n;
}

long xdi_cli_expand(const char *tmpl, const struct xdi_cli_var *vars,
                    size_t nvars, char *out, size_t size, size_t *bad_at)
{
    size_t len = 0;

    for (const char *p = tmpl; *p != '\0';) {
        size_t n = *p == '{' ? name_len(p + 1) : 0;
        if (n == 0) {
            put(out, size, &len, p, 1);
            p++;
            continue;
        }
        const char *value = lookup(vars, nvars, p + 1, n);
        if (value == NULL) {
            if (bad_at != NULL)
                *bad_at = (size_t)(p - tmpl);
            return -1;
        }
        put(out, size, &len, value, strlen(value));
        p += n + 2;
    }
    if (size > 0)
        out[len < size ? len : size - 1] = '\0';
    return (long)len;
}
