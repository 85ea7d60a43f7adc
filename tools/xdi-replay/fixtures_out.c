/*
 * fixtures_out.c - `xdi-replay fixtures INPUT --out DIR`: the tables the
 * host sent, as a fixture set xdi-server serves byte for byte.
 *
 * Every receive and replace EMS/SCD (docs/protocol.md §7) the host sent is
 * a table: its objects, back to back without the header, are the raw
 * table of docs/fixtures.md section 7.  Per system name the last one sent
 * (in conversation order, then NACCB order) is the host's current table,
 * since a replace swaps in the whole new table; a later no-EMS / no-SCD
 * means the host had none any more.  hosts.yaml names one host per system
 * name seen in any NACCB, with the password of its last login that
 * carried one, and says in comments where each table came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixtures_out.h"

struct table {
    const struct step *step; /* NULL: none */
    int conv;
    size_t index;            /* 0-based NACCB number in its conversation */
    size_t sent;             /* tables sent for it in all */
    size_t changes;          /* of which differed from the one before */
    const struct step *prev; /* the last different table before it */
    int prev_conv;
    size_t prev_index;
    const struct step *gone; /* a later no-table answer, or NULL */
    int gone_conv;
    size_t gone_index;
};

/* An exec the host sent: an action or trigger of its fixture, which no
 * table holds; hosts.yaml names them so that they can be written. */
struct exec_seen {
    const struct step *step;
    int conv;
    size_t index;
};

#define MAX_EXECS 20

struct host {
    char name[9];
    struct exec_seen execs[MAX_EXECS];
    size_t n_execs, more_execs;
    char password[9];
    struct table t[2]; /* EMS, SCD */
};

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              strchr("$#@", s[i])))
            return false;
    return true;
}

static struct host *host_get(struct host *hosts, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(hosts[i].name, name) == 0)
            return &hosts[i];
    struct host *h = &hosts[(*n)++];
    memset(h, 0, sizeof *h);
    strcpy(h->name, name);
    return h;
}

static int write_file(const char *dir, const char *name, const uint8_t *p,
                      size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "xdi-replay: %s: cannot write it: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* The file name of a table: the system name in lower case (its $ # @
 * kept), .ems or .scd. */
static void table_file(const struct host *h, int which, char *out, size_t len)
{
    size_t i;
    for (i = 0; h->name[i] && i + 1 < len; i++)
        out[i] = (h->name[i] >= 'A' && h->name[i] <= 'Z')
                     ? (char)(h->name[i] - 'A' + 'a')
                     : h->name[i];
    out[i] = '\0';
    strncat(out, which ? ".scd" : ".ems", len - strlen(out) - 1);
}

static void yaml_table(FILE *f, const struct host *h, int which,
                       const char *dir, int *rc)
{
    const struct table *t = &h->t[which];
    const char *what = which ? "SCD" : "EMS";
    char kn[32];
    if (!t->step) {
        if (t->gone)
            fprintf(f,
                    "    # no %s table: the host answered %s (conversation "
                    "%d, NACCB %zu)\n",
                    what, step_key_name(t->gone, kn, sizeof kn), t->gone_conv,
                    t->gone_index + 1);
        else
            fprintf(f, "    # no %s table: the host sent none\n", what);
        return;
    }
    if (t->gone) {
        fprintf(f,
                "    # no %s table: the host answered %s (conversation %d, "
                "NACCB %zu) after the table of conversation %d, NACCB %zu\n",
                what, step_key_name(t->gone, kn, sizeof kn), t->gone_conv,
                t->gone_index + 1, t->conv, t->index + 1);
        return;
    }
    char file[16];
    table_file(h, which, file, sizeof file);
    uint32_t count = naccb_get_u32be(t->step->bytes + 28);
    fprintf(f, "  %s:\n", which ? "  scd" : "  ems");
    fprintf(f, "      # %s of conversation %d, NACCB %zu",
            step_key_name(t->step, kn, sizeof kn), t->conv, t->index + 1);
    if (t->sent > 1 && t->changes == 0)
        fprintf(f, " (sent %zu times, the same table each time)", t->sent);
    fputc('\n', f);
    if (t->changes)
        fprintf(f,
                "      # kept as the host's current table: it replaced the "
                "different one of\n      # conversation %d, NACCB %zu (%s; "
                "%zu change%s in all)\n",
                t->prev_conv, t->prev_index + 1,
                step_key_name(t->prev, kn, sizeof kn), t->changes,
                t->changes == 1 ? "" : "s");
    fprintf(f, "      raw: \"%s\"   # %u %s%s\n", file, (unsigned)count,
            which ? "EOTINFO" : "EVBLOK", count == 1 ? "" : "s");
    if (write_file(dir, file, t->step->bytes + NACCB_HEADER_SIZE,
                   t->step->len - NACCB_HEADER_SIZE) != 0)
        *rc = REPLAY_EXIT_IO;
}

/* The execs as comments: the actions (EMS) and triggers (SCD) that sent
 * them are the host's automation, which a capture shows only by its
 * effects. */
static void yaml_execs(FILE *f, const struct host *h, int cp)
{
    if (h->n_execs == 0)
        return;
    fprintf(f, "    # The host sent these; they came from actions or triggers "
               "of its fixture,\n    # which no table holds (add action: / "
               "triggers: to have them sent again):\n");
    for (size_t i = 0; i < h->n_execs; i++) {
        const struct exec_seen *e = &h->execs[i];
        char text[130], kn[32];
        size_t n = 0;
        uint32_t count = naccb_get_u32be(e->step->bytes + 28);
        uint32_t size = naccb_get_u32be(e->step->bytes + 32);
        if (count >= 1 && size <= 128 &&
            e->step->len >= NACCB_HEADER_SIZE + (size_t)size)
            n = naccb_field_get((enum naccb_codepage)cp,
                                e->step->bytes + NACCB_HEADER_SIZE, size, text);
        text[n] = '\0';
        while (n > 0 && text[n - 1] == ' ')
            text[--n] = '\0';
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)text[k] < 0x20 || text[k] == 0x7f)
                text[k] = '?'; /* a comment is one line */
        fprintf(f, "    #   %s \"%s\" (conversation %d, NACCB %zu)\n",
                step_key_name(e->step, kn, sizeof kn), text, e->conv,
                e->index + 1);
    }
    if (h->more_execs)
        fprintf(f, "    #   and %zu more\n", h->more_execs);
}

static void yaml_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int fixtures_write(const struct convs *convs, const char *dir, int cp,
                   const char *input)
{
    size_t cap = 0;
    for (size_t i = 0; i < convs->n; i++)
        cap += convs->v[i].n;
    struct host *hosts = calloc(cap ? cap : 1, sizeof *hosts);
    if (!hosts) {
        fprintf(stderr, "xdi-replay: out of memory\n");
        return REPLAY_EXIT_IO;
    }
    size_t n = 0, tables = 0;
    for (size_t i = 0; i < convs->n; i++) {
        const struct conv *c = &convs->v[i];
        for (size_t j = 0; j < c->n; j++) {
            const struct step *s = &c->steps[j];
            char name[9];
            size_t len =
                naccb_field_get((enum naccb_codepage)cp, s->bytes + 8, 8, name);
            name[len] = '\0';
            while (len > 0 && name[len - 1] == ' ')
                name[--len] = '\0';
            if (!name_ok(name))
                continue;
            struct host *h = host_get(hosts, &n, name);
            uint32_t count = naccb_get_u32be(s->bytes + 28);
            if (s->key == NACCB_KEY_LOGIN && count == 1 &&
                naccb_get_u32be(s->bytes + 32) == 8) {
                size_t pl = naccb_field_get((enum naccb_codepage)cp,
                                            s->bytes + NACCB_HEADER_SIZE, 8,
                                            h->password);
                h->password[pl] = '\0';
                while (pl > 0 && h->password[pl - 1] == ' ')
                    h->password[--pl] = '\0';
            }
            if (!s->from_agent && (s->key == NACCB_KEY_EXEC_CMD ||
                                   s->key == NACCB_KEY_EXEC_JOB)) {
                if (h->n_execs < MAX_EXECS)
                    h->execs[h->n_execs++] =
                        (struct exec_seen){s, c->number, j};
                else
                    h->more_execs++;
            }
            int which = -1;
            bool table = false;
            switch (s->key) {
            case NACCB_KEY_RCV_EMS:
            case NACCB_KEY_REP_EMS:
                which = 0, table = true;
                break;
            case NACCB_KEY_RCV_SCD:
            case NACCB_KEY_REP_SCD:
                which = 1, table = true;
                break;
            case NACCB_KEY_NO_EMS:
                which = s->error_code == NACCB_ERR_NOT_AVAILABLE ? 0 : -1;
                break;
            case NACCB_KEY_NO_SCD:
                which = s->error_code == NACCB_ERR_NOT_AVAILABLE ? 1 : -1;
                break;
            }
            if (which < 0 || s->from_agent)
                continue;
            struct table *t = &h->t[which];
            if (table && count > 0 && s->len > NACCB_HEADER_SIZE) {
                if (t->step && (t->step->len != s->len ||
                                memcmp(t->step->bytes + NACCB_HEADER_SIZE,
                                       s->bytes + NACCB_HEADER_SIZE,
                                       s->len - NACCB_HEADER_SIZE) != 0)) {
                    t->changes++;
                    t->prev = t->step;
                    t->prev_conv = t->conv;
                    t->prev_index = t->index;
                }
                t->sent++;
                t->step = s;
                t->conv = c->number;
                t->index = j;
                t->gone = NULL;
                tables++;
            } else if (!table) {
                t->gone = s;
                t->gone_conv = c->number;
                t->gone_index = j;
            }
        }
    }
    int rc = 0;
    if (n == 0) {
        fprintf(stderr, "xdi-replay: %s: no system name in it\n", input);
        free(hosts);
        return REPLAY_EXIT_INVALID;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "xdi-replay: --out %s: %s\n", dir, strerror(errno));
        free(hosts);
        return REPLAY_EXIT_IO;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/hosts.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "xdi-replay: %s: %s\n", path, strerror(errno));
        free(hosts);
        return REPLAY_EXIT_IO;
    }
    fprintf(f,
            "# The tables the host sent in %s, cut out by xdi-replay "
            "fixtures:\n# raw tables (docs/fixtures.md section 7), served "
            "byte for byte.\nsettings:\n  codepage: \"%s\"\nhosts:\n",
            input, naccb_codepage_name((enum naccb_codepage)cp));
    for (size_t i = 0; i < n; i++) {
        struct host *h = &hosts[i];
        fprintf(f, "  - system: %s\n", h->name);
        if (h->password[0]) {
            fprintf(f, "    # the password of its last login that carried one\n"
                       "    password: ");
            yaml_string(f, h->password);
            fputc('\n', f);
        }
        yaml_table(f, h, 0, dir, &rc);
        yaml_table(f, h, 1, dir, &rc);
        yaml_execs(f, h, cp);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "xdi-replay: %s: cannot write it\n", path);
        rc = REPLAY_EXIT_IO;
    }
    free(hosts);
    if (rc == 0 && tables == 0) {
        fprintf(stderr,
                "xdi-replay: %s: the host sent no EMS or SCD table; "
                "%s names the hosts only\n",
                input, path);
        rc = REPLAY_EXIT_INVALID;
    }
    if (rc == 0)
        fprintf(stderr, "xdi-replay: %zu host%s, %zu table%s sent, in %s\n", n,
                n == 1 ? "" : "s", tables, tables == 1 ? "" : "s", path);
    return rc;
}
