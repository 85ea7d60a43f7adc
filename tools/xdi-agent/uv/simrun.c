/*
 * simrun.c - plays the simulation script (core/sim.h) on the uv loop.
 *
 * The script's clock starts when the agent first runs (its tables are in:
 * events before would be ignored).  Each timer fires for one instant of
 * the script and applies every event of that instant before the output is
 * written, so events of the same instant leave batched.  Times are taken
 * from the script's start, not from the previous firing, so delays do not
 * add up drift.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uvagent.h"

int sim_load(struct app *app, const char *path)
{
    char *text, err[256];
    size_t len;
    int rc;

    if (app_read_file(path, &text, &len) != 0) {
        app_log(app, "cannot read simulation script %s: %s", path,
                strerror(errno));
        return -1;
    }
    rc = xdi_sim_parse(text, len, &app->script, err, sizeof err);
    free(text);
    if (rc != 0) {
        app_log(app, "%s: %s", path, err);
        return -1;
    }
    app->sim_loaded = true;
    app_log(app, "simulation script %s: %zu event(s)", path, app->script.n);
    return 0;
}

static void apply(struct app *app, const struct xdi_sim_event *ev)
{
    switch (ev->kind) {
    case XDI_SIM_MSG:
        xdi_agent_event(app->agent, XDI_EVENT_MSG, ev->text, ev->text_len);
        break;
    case XDI_SIM_CMD:
        xdi_agent_event(app->agent, XDI_EVENT_CMD, ev->text, ev->text_len);
        break;
    case XDI_SIM_JOB_END:
        xdi_agent_job_end(app->agent, &ev->end);
        break;
    case XDI_SIM_SHUTDOWN:
        xdi_agent_shutdown(app->agent, "simulation script");
        break;
    }
}

static void on_sim_timer(uv_timer_t *t);

static void schedule(struct app *app)
{
    if (app->sim_next >= app->script.n) {
        app_log(app, "simulation script done");
        return;
    }
    uint64_t due = app->sim_t0 + app->script.events[app->sim_next].at_ms;
    uint64_t now = uv_now(app->loop);
    uv_timer_start(&app->sim_timer, on_sim_timer, due > now ? due - now : 0,
                   0);
}

static void on_sim_timer(uv_timer_t *t)
{
    struct app *app = t->data;
    const struct xdi_sim_event *ev = app->script.events;
    uint64_t at = ev[app->sim_next].at_ms;

    while (app->sim_next < app->script.n && ev[app->sim_next].at_ms == at &&
           !app->stopping)
        apply(app, &ev[app->sim_next++]);
    app_pump(app);
    if (!app->stopping)
        schedule(app);
}

void sim_ready(struct app *app)
{
    if (!app->sim_loaded || app->sim_started)
        return;
    app->sim_started = true;
    app->sim_t0 = uv_now(app->loop);
    app_log(app, "simulation started");
    schedule(app);
}

void sim_stop(struct app *app)
{
    if (!uv_is_closing((uv_handle_t *)&app->sim_timer))
        uv_close((uv_handle_t *)&app->sim_timer, NULL);
}
