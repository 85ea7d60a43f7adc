/*
 * encode.c - `naccb encode`: the JSON Lines of `naccb decode` back to the
 * exact NACCB bytes (binary, or annotated hex with --hex).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static int blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* One line: parse, convert, write.  Returns an exit code. */
static int encode_line(const struct tool_options *opt, const char *name,
                       unsigned long lineno, const char *text, size_t len,
                       uint64_t *offset)
{
    json_error_t jerr;
    struct buf out = {0};
    struct jf_error err = {{0}, {0}};
    int rc = tool_encode_line(opt, text, len, &out, &err, &jerr);
    if (rc == TOOL_LINE_JSON) {
        fprintf(stderr, "naccb: %s line %lu, column %d: invalid JSON: %s\n",
                name, lineno, jerr.column, jerr.text);
        buf_free(&out);
        return TOOL_EXIT_INVALID;
    }
    if (rc != 0) {
        fprintf(stderr, "naccb: %s line %lu: field %s: %s\n", name, lineno,
                err.field, err.msg);
        buf_free(&out);
        return TOOL_EXIT_INVALID;
    }
    if (opt->hex)
        rc = hextext_write_naccb(stdout, out.data, out.len, *offset);
    else
        rc = fwrite(out.data, 1, out.len, stdout) == out.len ? 0 : -1;
    *offset += out.len;
    buf_free(&out);
    if (rc != 0) {
        fprintf(stderr, "naccb: cannot write the output\n");
        return TOOL_EXIT_IO;
    }
    return TOOL_EXIT_OK;
}

int cmd_encode(const struct tool_options *opt)
{
    /* Binary on a terminal is unreadable and can upset it. */
    if (!opt->hex && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "naccb: refusing to write binary NACCBs to a "
                        "terminal: redirect the output, or use --hex\n");
        return TOOL_EXIT_USAGE;
    }
    FILE *in = tool_open_input(opt->file);
    if (in == NULL)
        return TOOL_EXIT_IO;
    const char *name = tool_input_name(opt->file);
    char *text = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    uint64_t offset = 0;
    int rc = TOOL_EXIT_OK;
    while (rc == TOOL_EXIT_OK && (n = getline(&text, &cap, in)) >= 0) {
        lineno++;
        if (!blank_line(text, (size_t)n))
            rc = encode_line(opt, name, lineno, text, (size_t)n, &offset);
    }
    if (rc == TOOL_EXIT_OK && ferror(in)) {
        fprintf(stderr, "naccb: %s: read error\n", name);
        rc = TOOL_EXIT_IO;
    }
    free(text);
    if (in != stdin)
        fclose(in);
    if (fflush(stdout) != 0 && rc == TOOL_EXIT_OK) {
        fprintf(stderr, "naccb: cannot write the output\n");
        rc = TOOL_EXIT_IO;
    }
    return rc;
}
