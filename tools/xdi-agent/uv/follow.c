/*
 * follow.c - message events from followed files and standard input.
 *
 * A followed file behaves like `tail -F -n0`: lines already in it when the
 * agent starts are not events; each new complete line is one.  The path is
 * watched with uv_fs_poll; on every change the file is checked by hand:
 *   - the path names another file now (rotation): the old file is read to
 *     its end, then the new one is followed from its start;
 *   - the file became shorter than what was read (truncation, copytruncate
 *     rotation): reading starts again at 0;
 *   - the path does not exist (yet): it is followed from its start once
 *     it appears.
 * Regular files never block, so they are read with synchronous uv_fs calls
 * (no callback); the socket is what must never block.
 *
 * Reading waits while the agent is not running (connecting, acquiring):
 * lines written meanwhile are read, and reported, once it runs again.
 * Standard input ('-') is read from the first time the agent runs on.
 *
 * A line is the bytes before '\n' (a trailing CR dropped), taken as
 * ISO-8859-1; an empty line is no event; only its first 128 bytes are kept
 * (the longest info text, protocol.md §5).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "uvagent.h"

#define READ_CHUNK 65536

struct follower {
    struct follower *next;
    struct app *app;
    char *path;      /* NULL for standard input */
    uv_fs_poll_t poll;
    bool polling;
    uv_file fd;      /* -1 when not open */
    uint64_t dev, ino;
    int64_t offset;  /* bytes of the file read so far */
    /* standard input */
    uv_handle_type in_type;
    union {
        uv_pipe_t pipe;
        uv_tty_t tty;
        uv_stream_t stream;
    } in;
    bool in_open, in_started;
    int handles; /* open handles: freed at 0 */
    /* the line being collected */
    char line[NACCB_TEXT_MAX];
    size_t line_len;
    bool cut; /* more than 128 bytes: the rest is dropped */
};

static void emit_line(struct follower *f)
{
    size_t len = f->line_len;

    if (!f->cut && len > 0 && f->line[len - 1] == '\r')
        len--;
    if (len > 0)
        xdi_agent_event(f->app->agent, XDI_EVENT_MSG, f->line, len);
    f->line_len = 0;
    f->cut = false;
}

static void take_bytes(struct follower *f, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n')
            emit_line(f);
        else if (f->line_len < sizeof f->line)
            f->line[f->line_len++] = bytes[i];
        else
            f->cut = true;
    }
}

/* fstat/stat results we need: 0, or a negative uv error. */
static int stat_path(struct follower *f, uv_stat_t *st)
{
    uv_fs_t req;
    int rc = uv_fs_stat(NULL, &req, f->path, NULL);

    if (rc == 0)
        *st = req.statbuf;
    uv_fs_req_cleanup(&req);
    return rc;
}

static int stat_fd(uv_file fd, uv_stat_t *st)
{
    uv_fs_t req;
    int rc = uv_fs_fstat(NULL, &req, fd, NULL);

    if (rc == 0)
        *st = req.statbuf;
    uv_fs_req_cleanup(&req);
    return rc;
}

static void read_to_end(struct follower *f)
{
    char *buf = malloc(READ_CHUNK);

    if (buf == NULL)
        return; /* tried again at the next change */
    for (;;) {
        uv_fs_t req;
        uv_buf_t b = uv_buf_init(buf, READ_CHUNK);
        int n = uv_fs_read(NULL, &req, f->fd, &b, 1, f->offset, NULL);
        uv_fs_req_cleanup(&req);
        if (n <= 0) {
            if (n < 0)
                app_log(f->app, "reading %s: %s", f->path, uv_strerror(n));
            break;
        }
        f->offset += n;
        take_bytes(f, buf, (size_t)n);
    }
    free(buf);
}

static void close_fd(struct follower *f)
{
    uv_fs_t req;

    if (f->fd < 0)
        return;
    uv_fs_close(NULL, &req, f->fd, NULL);
    uv_fs_req_cleanup(&req);
    f->fd = -1;
}

/* Opens the path; at_end: skip what is in it already.  0 or a uv error. */
static int open_path(struct follower *f, bool at_end)
{
    uv_fs_t req;
    uv_stat_t st;
    int fd = uv_fs_open(NULL, &req, f->path, O_RDONLY, 0, NULL);

    uv_fs_req_cleanup(&req);
    if (fd < 0)
        return fd;
    if (stat_fd(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG) {
        uv_fs_close(NULL, &req, fd, NULL);
        uv_fs_req_cleanup(&req);
        return UV_EINVAL;
    }
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->offset = at_end ? (int64_t)st.st_size : 0;
    f->line_len = 0;
    f->cut = false;
    return 0;
}

static void check_file(struct follower *f)
{
    uv_stat_t st;
    bool exists = stat_path(f, &st) == 0;

    if (xdi_agent_state(f->app->agent) != XDI_AGENT_RUNNING)
        return;
    if (exists && (f->fd < 0 || st.st_dev != f->dev || st.st_ino != f->ino)) {
        if (f->fd >= 0) {
            read_to_end(f); /* what was written before the rotation */
            if (f->line_len > 0)
                emit_line(f);
            close_fd(f);
            app_log(f->app, "%s was replaced: following the new file",
                    f->path);
        }
        if (open_path(f, false) == 0)
            app_log(f->app, "following %s from its start", f->path);
    }
    if (f->fd < 0)
        return;
    if (stat_fd(f->fd, &st) == 0 && (int64_t)st.st_size < f->offset) {
        app_log(f->app, "%s was truncated: reading from its start", f->path);
        f->offset = 0;
        f->line_len = 0;
        f->cut = false;
    }
    read_to_end(f);
}

static void on_poll(uv_fs_poll_t *h, int status, const uv_stat_t *prev,
                    const uv_stat_t *curr)
{
    struct follower *f = h->data;

    (void)status;
    (void)prev;
    (void)curr;
    check_file(f);
    app_pump(f->app);
}

static struct follower *new_follower(struct app *app, const char *path)
{
    struct follower *f = calloc(1, sizeof *f);

    if (f == NULL)
        return NULL;
    f->app = app;
    f->fd = -1;
    if (path != NULL && (f->path = strdup(path)) == NULL) {
        free(f);
        return NULL;
    }
    f->next = app->followers;
    app->followers = f;
    return f;
}

static int add_file(struct app *app, const char *path)
{
    struct follower *f = new_follower(app, path);
    int rc;

    if (f == NULL)
        return UV_ENOMEM;
    rc = open_path(f, true);
    if (rc != 0 && rc != UV_ENOENT)
        return rc;
    uv_fs_poll_init(app->loop, &f->poll);
    f->poll.data = f;
    f->handles++;
    f->polling = true;
    rc = uv_fs_poll_start(&f->poll, on_poll, path, app->poll_ms);
    if (rc == 0)
        app_log(app, "following %s%s", path,
                f->fd < 0 ? " (not there yet)" : " from its end");
    return rc;
}

static int add_stdin(struct app *app)
{
    struct follower *f = new_follower(app, NULL);
    int rc = 0;

    if (f == NULL)
        return UV_ENOMEM;
    f->in_type = uv_guess_handle(0);
    if (f->in_type == UV_TTY)
        rc = uv_tty_init(app->loop, &f->in.tty, 0, 1);
    else if (f->in_type == UV_NAMED_PIPE &&
             (rc = uv_pipe_init(app->loop, &f->in.pipe, 0)) == 0)
        rc = uv_pipe_open(&f->in.pipe, 0);
    else if (f->in_type != UV_NAMED_PIPE)
        f->fd = 0; /* a file or device: read with uv_fs_read */
    if (rc == 0 && (f->in_type == UV_TTY || f->in_type == UV_NAMED_PIPE)) {
        f->in.stream.data = f;
        f->in_open = true;
        f->handles++;
    }
    return rc;
}

int follow_add(struct app *app, const char *path)
{
    int rc = strcmp(path, "-") == 0 ? add_stdin(app) : add_file(app, path);

    if (rc != 0)
        app_log(app, "cannot follow %s: %s", path, uv_strerror(rc));
    return rc != 0 ? -1 : 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(READ_CHUNK);
    buf->len = buf->base != NULL ? READ_CHUNK : 0;
}

static void on_handle_closed(uv_handle_t *h)
{
    struct follower *f = h->data;

    if (--f->handles == 0) {
        free(f->path);
        free(f);
    }
}

static void on_stdin(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct follower *f = s->data;

    if (nread > 0)
        take_bytes(f, buf->base, (size_t)nread);
    free(buf->base);
    if (nread < 0) {
        if (f->line_len > 0)
            emit_line(f);
        app_log(f->app, "standard input: %s",
                nread == UV_EOF ? "end of input" : uv_strerror((int)nread));
        uv_read_stop(s);
    }
    app_pump(f->app);
}

/* Standard input that is a file: read it all now (it is finite). */
static void read_stdin_file(struct follower *f)
{
    char *buf = malloc(READ_CHUNK);
    int n;

    if (buf == NULL)
        return;
    do {
        uv_fs_t req;
        uv_buf_t b = uv_buf_init(buf, READ_CHUNK);
        n = uv_fs_read(NULL, &req, 0, &b, 1, -1, NULL);
        uv_fs_req_cleanup(&req);
        if (n > 0)
            take_bytes(f, buf, (size_t)n);
    } while (n > 0);
    if (f->line_len > 0)
        emit_line(f);
    free(buf);
}

void follow_ready(struct app *app)
{
    for (struct follower *f = app->followers; f != NULL; f = f->next) {
        if (f->path != NULL) {
            check_file(f);
        } else if (!f->in_started) {
            f->in_started = true;
            if (f->in_open)
                uv_read_start(&f->in.stream, on_alloc, on_stdin);
            else
                read_stdin_file(f);
        }
    }
}

void follow_stop(struct app *app)
{
    struct follower *f = app->followers;

    app->followers = NULL;
    while (f != NULL) {
        struct follower *next = f->next;
        if (f->path != NULL)
            close_fd(f);
        if (f->handles == 0) {
            free(f->path);
            free(f);
        } else {
            if (f->polling)
                uv_close((uv_handle_t *)&f->poll, on_handle_closed);
            if (f->in_open)
                uv_close((uv_handle_t *)&f->in.stream, on_handle_closed);
        }
        f = next;
    }
}
