/*
 * fuzz_agent.c - the reference agent's core (tools/xdi-agent/core) fed
 * arbitrary host bytes, interleaved with what else happens to an agent:
 * timers, message and command events, job ends, refused commands, a lost
 * connection, a local shutdown.
 *
 * Input: byte 0 sets the agent up (bits 0..1 code page, bit 2 system name
 * LNXA01 instead of SYSA as in fixtures/streams/session.hex, bit 3 a small
 * max_naccb_size and queue, bit 4 a password).  Then steps, each one byte
 * (low 3 bits what, high 5 bits a parameter) and its operands:
 *   0 host bytes: 1 length byte (0 = 256), then that many bytes
 *   1 host bytes: 2 length bytes (big-endian), then that many bytes
 *   2 a message event, 3 a command event: 1 length byte, then the text
 *   4 the timer fires
 *   5 a job ends (EOJ, or EOS when the parameter is odd), named from the
 *     EMS/SCD keys of the golden streams by the parameter
 *   6 the connection is lost (the agent reconnects on its timer)
 *   7 a local shutdown
 * After every step the actions are carried out the way the libuv layer
 * would (a run job told missing or a command failed, by turn) and the
 * output is taken, so the queue drains.  The golden streams' host side as
 * one step 1 is the seed (tests/fuzz/make_corpus.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "fuzz.h"

static void nolog(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static void fixed_time(void *ctx, struct naccb_local_time *out)
{
    (void)ctx;
    /* Friday 2026-11-20 10:00:00, as in tests/test_agent.c. */
    *out = (struct naccb_local_time){{2026, 11, 20}, {10, 0, 0}};
}

static const char *const jobs[4] = {"PAYROLL1", "PAYROLL2", "JOBA", "X"};

/* What the libuv layer does with each pending action; 0 once stopped. */
static int drain(struct xdi_agent *a, unsigned *turn)
{
    struct xdi_agent_action act;
    size_t len;
    uint8_t *out;
    int running = 1;

    while (xdi_agent_next_action(a, &act)) {
        /* The text of an action is a NUL-terminated string. */
        if (act.kind == XDI_ACT_RUN_COMMAND || act.kind == XDI_ACT_RUN_JOB) {
            if (memchr(act.text, '\0', sizeof(act.text)) == NULL)
                abort();
        }
        switch (act.kind) {
        case XDI_ACT_CONNECT:
            if ((*turn)++ % 3 == 2)
                xdi_agent_connect_failed(a, "refused");
            else
                xdi_agent_connected(a);
            break;
        case XDI_ACT_CLOSE:
            xdi_agent_disconnected(a, "closed");
            break;
        case XDI_ACT_RUN_JOB:
            if ((*turn)++ % 2)
                xdi_agent_job_missing(a, act.text, "no such file");
            break;
        case XDI_ACT_RUN_COMMAND:
            if ((*turn)++ % 2)
                xdi_agent_command_failed(a, act.text, "no such program");
            break;
        case XDI_ACT_STOP:
            running = 0;
            break;
        default:
            break;
        }
    }
    while ((out = xdi_agent_take_output(a, &len)) != NULL)
        free(out);
    return running && xdi_agent_state(a) != XDI_AGENT_STOPPED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz in = {data, size};
    uint8_t mode = fz_u8(&in);
    struct xdi_agent_config cfg;
    struct xdi_agent_hooks hooks = {NULL, nolog, fixed_time};
    struct xdi_agent *a;
    unsigned turn = 0;
    int steps = 0;

    xdi_agent_config_defaults(&cfg);
    cfg.codepage = (enum naccb_codepage)(mode & 3);
    strcpy(cfg.system_name, (mode & 4) ? "LNXA01" : "SYSA");
    if (mode & 8) {
        cfg.max_naccb_size = 4096;
        cfg.max_queue = 4;
        cfg.max_batch = 2;
    }
    if (mode & 16)
        strcpy(cfg.password, "SECRET1");
    cfg.retries = 3;
    a = xdi_agent_new(&cfg, &hooks);
    if (a == NULL)
        abort();
    xdi_agent_start(a);
    if (!drain(a, &turn))
        goto done;
    /* A bound, so that an input of many tiny steps stays fast. */
    while (in.n > 0 && steps++ < 4096) {
        uint8_t op = fz_u8(&in);
        unsigned param = op >> 3;
        const uint8_t *p;
        size_t len;
        switch (op & 7) {
        case 0:
            len = fz_u8(&in);
            p = fz_bytes(&in, len ? len : 256, &len);
            xdi_agent_feed(a, p, len);
            break;
        case 1:
            len = (size_t)fz_u8(&in) << 8;
            len |= fz_u8(&in);
            p = fz_bytes(&in, len, &len);
            xdi_agent_feed(a, p, len);
            break;
        case 2:
        case 3:
            len = fz_u8(&in);
            p = fz_bytes(&in, len, &len);
            (void)xdi_agent_event(a, (op & 7) == 2 ? XDI_EVENT_MSG : XDI_EVENT_CMD,
                                  (const char *)p, len);
            break;
        case 4:
            xdi_agent_timer(a);
            break;
        case 5: {
            struct xdi_job_end e;
            memset(&e, 0, sizeof(e));
            strcpy(e.job, jobs[param % 4]);
            if (param & 1) {
                strcpy(e.step, "STEP2");
                e.step_number = 1 + param;
            }
            e.max_cc = e.scc = (uint16_t)(param >> 2);
            e.status = "NAC"[param % 3];
            (void)xdi_agent_job_end(a, &e);
            break;
        }
        case 6:
            xdi_agent_disconnected(a, "lost");
            break;
        case 7:
            xdi_agent_shutdown(a, "signal");
            break;
        }
        if (!drain(a, &turn))
            break;
    }
done:
    xdi_agent_free(a);
    return 0;
}
