/*
 * proc.c - commands and jobs as child processes (uv_spawn), never through
 * a shell: the argv is built here, so no byte from the wire is ever parsed
 * by sh.
 *
 * A command (exec command that passed the allow-list) is split on blanks;
 * argv[0] is looked up in PATH.  Its exit is only logged.
 *
 * A job (exec job) is the executable JOBS_DIR/JOBNAME, the name already
 * checked against [A-Z0-9$#@]{1,8} by the core.  It gets a pipe on fd 3,
 * announced as XDI_STEP_FD=3, on which it may write "STEP name rc" lines:
 * each is an EOS (core/jobrun.h).  When it has exited and the pipe is at
 * its end (or STEP_GRACE_MS after the exit, should a grandchild hold the
 * pipe open), the EOJ is reported.  A job that cannot be started is
 * reported as not executed (note C).
 *
 * Children write to the agent's stderr (stdout and stderr), read nothing.
 * When the agent stops, running children are sent SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jobrun.h"
#include "uvagent.h"

extern char **environ;

#define MAX_CHILDREN 64
#define MAX_ARGS 64
#define STEP_GRACE_MS 500

struct child {
    struct child *next;
    struct app *app;
    uv_process_t proc;
    uv_pipe_t steps;  /* jobs: the side channel */
    uv_timer_t grace; /* jobs: bounded wait for the side channel's end */
    bool is_job, exited, steps_done, reported;
    bool spawned;     /* uv_spawn was called: the process handle exists */
    bool proc_closed; /* the process handle is closed (or never was) */
    int64_t status;
    int term_signal;
    int handles; /* open handles: freed at 0 */
    struct xdi_jobrun run;
    char name[NACCB_TEXT_MAX + 1]; /* command text or job name */
};

static void unlink_child(struct app *app, struct child *c)
{
    for (struct child **p = &app->children; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            app->n_children--;
            return;
        }
    }
}

static void release(struct child *c)
{
    if (c->handles == 0) {
        unlink_child(c->app, c);
        free(c);
    }
}

static void on_closed(uv_handle_t *h)
{
    struct child *c = h->data;

    c->handles--;
    release(c);
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, on_closed);
}

static struct child *new_child(struct app *app, const char *name, bool job)
{
    struct child *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->app = app;
    c->is_job = job;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->proc.data = c;
    c->next = app->children;
    app->children = c;
    app->n_children++;
    c->handles = 1; /* the process handle, once uv_spawn is called */
    if (job) {
        uv_pipe_init(app->loop, &c->steps, 0);
        uv_timer_init(app->loop, &c->grace);
        c->steps.data = c->grace.data = c;
        c->handles += 2;
        xdi_jobrun_init(&c->run, name);
    }
    return c;
}

/* Closes what is still open of a child; it is freed once all is closed. */
static void close_child(struct child *c)
{
    if (c->is_job) {
        close_handle((uv_handle_t *)&c->steps);
        close_handle((uv_handle_t *)&c->grace);
    }
    if (c->proc_closed)
        return;
    c->proc_closed = true;
    if (c->spawned) {
        close_handle((uv_handle_t *)&c->proc);
    } else {
        c->handles--; /* uv_spawn never made the process handle */
        release(c);
    }
}

/* ---- commands ----------------------------------------------------------- */

static void on_command_exit(uv_process_t *p, int64_t status, int term_signal)
{
    struct child *c = p->data;

    if (term_signal != 0)
        app_log(c->app, "command '%s' killed by signal %d", c->name,
                term_signal);
    else
        app_log(c->app, "command '%s' exited with status %lld", c->name,
                (long long)status);
    c->exited = true;
    close_child(c);
}

/* Splits on blanks, in place.  Returns argc, or -1 when too many. */
static int split_args(char *s, char *argv[MAX_ARGS + 1])
{
    int argc = 0;

    for (char *tok = strtok(s, " "); tok != NULL; tok = strtok(NULL, " ")) {
        if (argc == MAX_ARGS)
            return -1;
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    return argc;
}

static void stdio_to_stderr(uv_stdio_container_t io[3])
{
    io[0].flags = UV_IGNORE;
    io[1].flags = UV_INHERIT_FD;
    io[1].data.fd = 2;
    io[2].flags = UV_INHERIT_FD;
    io[2].data.fd = 2;
}

void proc_run_command(struct app *app, const char *cmd)
{
    char buf[NACCB_TEXT_MAX + 1], *argv[MAX_ARGS + 1];
    uv_process_options_t opt;
    uv_stdio_container_t io[3];
    struct child *c;

    snprintf(buf, sizeof buf, "%s", cmd);
    if (app->n_children >= MAX_CHILDREN) {
        xdi_agent_refuse(app->agent, NACCB_OBJ_CMD, NACCB_ERR_REQUEST,
                         "too many processes running");
        return;
    }
    if (split_args(buf, argv) <= 0) {
        xdi_agent_command_failed(app->agent, cmd, "too many arguments");
        return;
    }
    if ((c = new_child(app, cmd, false)) == NULL) {
        xdi_agent_command_failed(app->agent, cmd, "out of memory");
        return;
    }
    memset(&opt, 0, sizeof opt);
    stdio_to_stderr(io);
    opt.file = argv[0];
    opt.args = argv;
    opt.exit_cb = on_command_exit;
    opt.stdio = io;
    opt.stdio_count = 3;
    c->spawned = true; /* even a failed uv_spawn initialises the handle */
    int rc = uv_spawn(app->loop, &c->proc, &opt);
    if (rc != 0) {
        char why[NACCB_TEXT_MAX];
        snprintf(why, sizeof why, "cannot run %s: %s", argv[0],
                 uv_strerror(rc));
        close_child(c);
        xdi_agent_command_failed(app->agent, cmd, why);
        return;
    }
    app_log(app, "command '%s' started (pid %d)", cmd, c->proc.pid);
}

/* ---- jobs ------------------------------------------------------------- */

static void report_eoj(struct child *c)
{
    struct xdi_job_end end;

    if (!c->exited || !c->steps_done || c->reported)
        return;
    c->reported = true;
    xdi_jobrun_exit(&c->run, c->status, c->term_signal, &end);
    xdi_agent_job_end(c->app->agent, &end);
    close_child(c);
    app_pump(c->app);
}

static void on_step(void *ctx, const struct xdi_job_end *end, const char *why)
{
    struct child *c = ctx;

    if (end != NULL)
        xdi_agent_job_end(c->app->agent, end);
    else
        app_log(c->app, "job %s: side-channel line ignored: %s", c->name,
                why);
}

static void steps_done(struct child *c)
{
    if (c->steps_done)
        return;
    c->steps_done = true;
    xdi_jobrun_eof(&c->run, on_step, c);
    close_handle((uv_handle_t *)&c->steps);
    uv_timer_stop(&c->grace);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(4096);
    buf->len = buf->base != NULL ? 4096 : 0;
}

static void on_steps(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct child *c = s->data;

    if (nread > 0)
        xdi_jobrun_feed(&c->run, buf->base, (size_t)nread, on_step, c);
    free(buf->base);
    if (nread < 0)
        steps_done(c);
    report_eoj(c);
    app_pump(c->app);
}

static void on_grace(uv_timer_t *t)
{
    struct child *c = t->data;

    app_log(c->app, "job %s: side channel still open after its exit: "
                    "no more steps taken", c->name);
    steps_done(c);
    report_eoj(c);
}

static void on_job_exit(uv_process_t *p, int64_t status, int term_signal)
{
    struct child *c = p->data;

    c->exited = true;
    c->status = status;
    c->term_signal = term_signal;
    app_log(c->app, "job %s ended: %s %lld", c->name,
            term_signal ? "signal" : "status",
            term_signal ? (long long)term_signal : (long long)status);
    if (!c->steps_done)
        uv_timer_start(&c->grace, on_grace, STEP_GRACE_MS, 0);
    report_eoj(c);
}

/* The parent's environment with XDI_STEP_FD and XDI_JOB_NAME set.  The two
 * variables are written into fd_var and name_var (var_size bytes each). */
static char **job_env(const char *job, char *fd_var, char *name_var,
                      size_t var_size)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + 3, sizeof *env);
    if (env == NULL)
        return NULL;
    env[k++] = fd_var;
    env[k++] = name_var;
    snprintf(fd_var, var_size, "XDI_STEP_FD=3");
    /* job names are checked against [A-Z0-9$#@]{1,8} before a job runs */
    snprintf(name_var, var_size, "XDI_JOB_NAME=%.8s", job);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "XDI_STEP_FD=", 12) != 0 &&
            strncmp(environ[i], "XDI_JOB_NAME=", 13) != 0)
            env[k++] = environ[i];
    env[k] = NULL;
    return env;
}

static int spawn_job(struct app *app, struct child *c, char *path)
{
    char fd_var[32], name_var[32];
    char *argv[2] = {path, NULL};
    uv_process_options_t opt;
    uv_stdio_container_t io[4];
    char **env = job_env(c->name, fd_var, name_var, sizeof fd_var);
    int rc;

    if (env == NULL)
        return UV_ENOMEM;
    memset(&opt, 0, sizeof opt);
    stdio_to_stderr(io);
    io[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    io[3].data.stream = (uv_stream_t *)&c->steps;
    opt.file = path;
    opt.args = argv;
    opt.env = env;
    opt.exit_cb = on_job_exit;
    opt.stdio = io;
    opt.stdio_count = 4;
    c->spawned = true; /* even a failed uv_spawn initialises the handle */
    rc = uv_spawn(app->loop, &c->proc, &opt);
    free(env);
    return rc;
}

static void job_not_run(struct child *c, const char *why)
{
    struct xdi_job_end end;

    app_log(c->app, "job %s not executed: %s", c->name, why);
    c->reported = true;
    xdi_jobrun_not_run(&c->run, &end);
    xdi_agent_job_end(c->app->agent, &end);
    close_child(c);
}

void proc_run_job(struct app *app, const char *job)
{
    char path[4096];
    struct stat st;
    struct child *c;

    if (app->jobs_dir == NULL) {
        xdi_agent_job_missing(app->agent, job, "no jobs directory");
        return;
    }
    snprintf(path, sizeof path, "%s/%s", app->jobs_dir, job);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        xdi_agent_job_missing(app->agent, job,
                              "no such job in the jobs directory");
        return;
    }
    if (app->n_children >= MAX_CHILDREN) {
        xdi_agent_refuse(app->agent, NACCB_OBJ_JOBNAME, NACCB_ERR_REQUEST,
                         "too many processes running");
        return;
    }
    if ((c = new_child(app, job, true)) == NULL) {
        xdi_agent_refuse(app->agent, NACCB_OBJ_JOBNAME, NACCB_ERR_REQUEST,
                         "out of memory");
        return;
    }
    int rc = spawn_job(app, c, path);
    if (rc != 0) {
        job_not_run(c, uv_strerror(rc));
        return;
    }
    uv_read_start((uv_stream_t *)&c->steps, on_alloc, on_steps);
    app_log(app, "job %s started (pid %d)", job, c->proc.pid);
}

void proc_stop(struct app *app)
{
    for (struct child *c = app->children; c != NULL; c = c->next) {
        if (!c->exited && !uv_is_closing((uv_handle_t *)&c->proc)) {
            app_log(app, "sending SIGTERM to %s (pid %d)", c->name,
                    c->proc.pid);
            uv_process_kill(&c->proc, SIGTERM);
        }
        close_child(c);
    }
}
