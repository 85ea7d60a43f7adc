/*
 * requests.c - what the agent does with the host's exec command (01020104)
 * and exec job (01020108), protocol.md §7.
 *
 * Nothing from the wire reaches a shell.  A command runs only when an
 * allow-list was given and one of its expressions matches the whole
 * command; it is then split on blanks into an argv by the libuv layer.
 * Without an allow-list the command is only reported as a command event.
 * A job name must be [A-Z0-9$#@]{1,8} before it is looked up as a file.
 * Refusals are agent errors (02010Bxx): 04 "may not run it", 05 "no such
 * job / bad name", each with a text saying why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

int xdi_agent_allow(struct xdi_agent *a, const char *ere, char *err,
                    size_t errlen)
{
    size_t len = strlen(ere);
    char *wrapped = malloc(len + 5);
    regex_t *list, re;
    int rc;

    if (wrapped == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* Anchored to the whole command.  matches() checks the match span as
     * well, so a pattern like "a)|(b" cannot undo the anchors. */
    snprintf(wrapped, len + 5, "^(%s)$", ere);
    rc = regcomp(&re, wrapped, REG_EXTENDED);
    free(wrapped);
    if (rc != 0) {
        regerror(rc, &re, err, errlen);
        return -1;
    }
    list = realloc(a->allow, (a->n_allow + 1) * sizeof *list);
    if (list == NULL) {
        regfree(&re);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    list[a->n_allow++] = re;
    a->allow = list;
    return 0;
}

static bool allowed(const struct xdi_agent *a, const char *cmd)
{
    size_t len = strlen(cmd);

    for (size_t i = 0; i < a->n_allow; i++) {
        regmatch_t m[1];
        if (regexec(&a->allow[i], cmd, 1, m, 0) == 0 && m[0].rm_so == 0 &&
            (size_t)m[0].rm_eo == len)
            return true;
    }
    return false;
}

/* Control bytes (NUL included) would cut or bend the argv: refused. */
static bool has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return true;
    }
    return false;
}

static bool all_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ')
            return false;
    return true;
}

static void refuse_command(struct xdi_agent *a, const char *why)
{
    xdi_agent__log(a, "exec command refused: %s", why);
    xdi_agent__queue_agent_error(a, NACCB_OBJ_CMD, NACCB_ERR_REQUEST, why);
}

void xdi_agent__exec_command(struct xdi_agent *a, const struct naccb_message *m)
{
    const uint8_t *wire = m->objects;
    size_t len = m->header.size; /* 1..128: naccb_message_check_objects */
    char text[NACCB_TEXT_MAX + 1];
    char q[XDI_AGENT__QUOTE_SIZE];

    naccb_ebcdic_decode(a->cfg.codepage, wire, len, (uint8_t *)text);
    text[len] = '\0';
    xdi_agent__log(a, "recv exec command %s", xdi_agent__quote(q, text, len));
    if (a->n_allow == 0) {
        /* The default: nothing runs, the command is only an event. */
        xdi_agent__log(a, "no allow-list: command not run, reported as a "
                    "command event");
        xdi_agent__text_event(a, NACCB_OBJ_CMD, wire, len);
        return;
    }
    if (has_control(text, len)) {
        refuse_command(a, "command contains control characters");
        return;
    }
    if (!allowed(a, text)) {
        refuse_command(a, "command does not match the allow-list");
        return;
    }
    if (all_blank(text)) {
        refuse_command(a, "empty command");
        return;
    }
    xdi_agent__act(a, XDI_ACT_RUN_COMMAND, 0, 0, text);
    xdi_agent__text_event(a, NACCB_OBJ_CMD, wire, len);
}

void xdi_agent__exec_job(struct xdi_agent *a, const struct naccb_message *m)
{
    char name[NACCB_NAME_SIZE + 1];
    char q[XDI_AGENT__QUOTE_SIZE];
    size_t len = naccb_field_get(a->cfg.codepage, m->objects, NACCB_NAME_SIZE,
                                 name);

    xdi_agent__log(a, "recv exec job %s", xdi_agent__quote(q, name, len));
    if (!xdi_job_name_valid(name, len)) {
        xdi_agent__log(a, "exec job refused: not [A-Z0-9$#@]{1,8}");
        xdi_agent__queue_agent_error(a, NACCB_OBJ_JOBNAME,
                                     NACCB_ERR_INFORMATION,
                                     "invalid job name");
        return;
    }
    xdi_agent__act(a, XDI_ACT_RUN_JOB, 0, 0, name);
}

void xdi_agent_job_missing(struct xdi_agent *a, const char *job,
                           const char *why)
{
    xdi_agent__log(a, "job %s not run: %s", job, why);
    xdi_agent__queue_agent_error(a, NACCB_OBJ_JOBNAME,
                                 NACCB_ERR_INFORMATION, why);
}

void xdi_agent_command_failed(struct xdi_agent *a, const char *cmd,
                              const char *why)
{
    char q[XDI_AGENT__QUOTE_SIZE];

    xdi_agent__log(a, "command %s failed to start: %s",
                   xdi_agent__quote(q, cmd, strlen(cmd)), why);
    xdi_agent__queue_agent_error(a, NACCB_OBJ_CMD, NACCB_ERR_REQUEST, why);
}

void xdi_agent_refuse(struct xdi_agent *a, uint8_t object, uint8_t error_code,
                      const char *why)
{
    xdi_agent__log(a, "request for object %02X refused: %s", object, why);
    xdi_agent__queue_agent_error(a, object, error_code, why);
}
