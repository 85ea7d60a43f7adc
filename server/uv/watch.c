/*
 * watch.c - hot reload of the fixture set (watch.h): fs events, the
 * debounce timer, loading the set and handing it to the core.
 *
 * Directories are watched, not files: editors save by writing a new file
 * and renaming it over the old one, which ends an inotify watch on the
 * file itself.  Only events that name a fixture file (*.yaml, *.yml in the
 * fixture directory) or a file the set read (a raw table) count, so that a
 * journal or log kept in the same directory cannot make the server reload
 * itself in a loop.  The watched directories follow the set in force:
 * after each reload they are synchronised with its files.
 */
/* realpath() is an XSI function in glibc: _POSIX_C_SOURCE alone hides it. */
#define _XOPEN_SOURCE 700

#include "watch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One watched directory and the names in it that count. */
struct dir_watch {
    uv_fs_event_t ev; /* first: the handle's address is the watch's */
    struct xdi_watch *w;
    struct dir_watch *next;
    char *path;   /* realpath */
    bool is_root; /* the fixture directory: any *.yaml / *.yml counts */
    char **names; /* basenames of the set's files in this directory */
    size_t n_names;
    bool closing;
};

struct xdi_watch {
    uv_loop_t *loop;
    struct xdi_net *net;
    char *dir;
    char *root; /* realpath of dir, or NULL */
    unsigned delay_ms;
    bool watch_files;
    bool quiet;
    bool closing;
    uv_timer_t timer;
    int handles; /* open handles; the last close frees the watcher */
    struct dir_watch *dirs;
};

/* Messages of a failed load, "FILE:LINE: text", for the journal. */
struct messages {
    char **v;
    size_t n, cap;
};

static void maybe_free(struct xdi_watch *w)
{
    if (!w->closing || w->handles > 0)
        return;
    free(w->dir);
    free(w->root);
    free(w);
}

static void free_names(struct dir_watch *d)
{
    for (size_t i = 0; i < d->n_names; i++)
        free(d->names[i]);
    free(d->names);
    d->names = NULL;
    d->n_names = 0;
}

static void on_dir_closed(uv_handle_t *h)
{
    struct dir_watch *d = h->data;
    struct xdi_watch *w = d->w;

    free_names(d);
    free(d->path);
    free(d);
    w->handles--;
    maybe_free(w);
}

static void on_timer_closed(uv_handle_t *h)
{
    struct xdi_watch *w = h->data;

    w->handles--;
    maybe_free(w);
}

/* ---- which directories, which names --------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* realpath of the directory part of path ("." when it has none). */
static char *dir_of(const char *path)
{
    char *copy = strdup(path);
    char *slash, *real;

    if (copy == NULL)
        return NULL;
    slash = strrchr(copy, '/');
    if (slash == NULL)
        real = realpath(".", NULL);
    else if (slash == copy)
        real = realpath("/", NULL);
    else {
        *slash = '\0';
        real = realpath(copy, NULL);
    }
    free(copy);
    return real;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

static struct dir_watch *find_dir(struct xdi_watch *w, const char *path)
{
    for (struct dir_watch *d = w->dirs; d != NULL; d = d->next)
        if (strcmp(d->path, path) == 0)
            return d;
    return NULL;
}

static bool relevant(const struct dir_watch *d, const char *name)
{
    if (name == NULL)
        return true; /* the platform did not say which: reload */
    if (name[0] == '.')
        return false; /* editor swap files; the loader skips them too */
    if (d->is_root && (has_suffix(name, ".yaml") || has_suffix(name, ".yml")))
        return true;
    for (size_t i = 0; i < d->n_names; i++)
        if (strcmp(d->names[i], name) == 0)
            return true;
    return false;
}

static void on_timer(uv_timer_t *t);

static void on_fs_event(uv_fs_event_t *h, const char *name, int events,
                        int status)
{
    struct dir_watch *d = h->data;
    struct xdi_watch *w = d->w;

    (void)events;
    if (status < 0 || d->closing || w->closing || !relevant(d, name))
        return;
    /* Debounce: every event restarts the wait. */
    uv_timer_start(&w->timer, on_timer, w->delay_ms, 0);
}

static void add_name(struct dir_watch *d, const char *name)
{
    char **v;

    for (size_t i = 0; i < d->n_names; i++)
        if (strcmp(d->names[i], name) == 0)
            return;
    v = realloc(d->names, (d->n_names + 1) * sizeof(*v));
    if (v == NULL)
        return;
    d->names = v;
    d->names[d->n_names] = strdup(name);
    if (d->names[d->n_names] != NULL)
        d->n_names++;
}

/* The watch on path (a realpath, taken over), started if new. */
static struct dir_watch *want_dir(struct xdi_watch *w, char *path)
{
    struct dir_watch *d;
    int rc;

    if (path == NULL)
        return NULL; /* out of memory: that directory goes unwatched */
    d = find_dir(w, path);
    if (d != NULL) {
        free(path);
        return d;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        free(path);
        return NULL;
    }
    d->w = w;
    d->path = path;
    uv_fs_event_init(w->loop, &d->ev);
    d->ev.data = d;
    w->handles++;
    d->next = w->dirs;
    w->dirs = d;
    rc = uv_fs_event_start(&d->ev, on_fs_event, path, 0);
    uv_unref((uv_handle_t *)&d->ev);
    if (rc < 0 && !w->quiet)
        fprintf(stderr, "xdi-server: warning: cannot watch %s: %s\n", path,
                uv_strerror(rc));
    return d;
}

/* Marks every watch unwanted, then wants the set's directories again and
 * closes what is left unwanted. */
static void sync_dirs(struct xdi_watch *w)
{
    const struct xdi_fixture_set *set =
        xdi_server_fixtures(xdi_net_server(w->net));
    struct dir_watch *d;

    for (d = w->dirs; d != NULL; d = d->next) {
        d->is_root = false;
        free_names(d);
    }
    if (w->root != NULL) {
        d = want_dir(w, strdup(w->root));
        if (d != NULL)
            d->is_root = true;
    }
    for (size_t i = 0; i < set->n_files; i++) {
        char *path = dir_of(set->files[i]);
        if (path == NULL)
            continue;
        d = want_dir(w, path);
        if (d != NULL)
            add_name(d, base_of(set->files[i]));
    }
    /* Unlinked before the close: the callback frees it. */
    for (struct dir_watch **pp = &w->dirs; *pp != NULL;) {
        d = *pp;
        if (d->is_root || d->n_names > 0) {
            pp = &d->next;
            continue;
        }
        *pp = d->next;
        d->closing = true;
        uv_close((uv_handle_t *)&d->ev, on_dir_closed);
    }
}

/* ---- reloading ------------------------------------------------------------- */

/* The loader's error callback: printed as FILE:LINE: message (like the
 * first load), and kept for the journal. */
static void on_load_error(void *ctx, const char *file, int line,
                          const char *message)
{
    struct messages *m = ctx;
    char buf[1024];

    if (line > 0)
        snprintf(buf, sizeof(buf), "%s:%d: %s", file, line, message);
    else
        snprintf(buf, sizeof(buf), "%s: %s", file, message);
    fprintf(stderr, "%s\n", buf);
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        char **v = realloc(m->v, cap * sizeof(*v));
        if (v == NULL)
            return;
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n] = strdup(buf);
    if (m->v[m->n] != NULL)
        m->n++;
}

static void messages_free(struct messages *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i]);
    free(m->v);
}

void xdi_watch_reload(struct xdi_watch *w, const char *cause)
{
    char msg[16];
    xdi_watch_reload_msg(w, cause, msg, sizeof msg);
}

int xdi_watch_reload_msg(struct xdi_watch *w, const char *cause, char *msg,
                         size_t msg_size)
{
    struct xdi_server *srv = xdi_net_server(w->net);
    struct xdi_fixture_set *set = NULL;
    struct messages m = {0};
    int rc;

    if (w->closing || xdi_net_stopping(w->net)) {
        snprintf(msg, msg_size, "the server is stopping");
        return -1;
    }
    /* A burst still being debounced is covered by this load. */
    uv_timer_stop(&w->timer);
    rc = xdi_fixture_load(w->dir, &set, on_load_error, &m);
    if (rc != 0) {
        int n = rc < 0 ? 1 : rc;
        fprintf(stderr,
                "xdi-server: %s: reload refused (%d error%s); the fixtures in "
                "force stay\n",
                w->dir, n, n == 1 ? "" : "s");
        xdi_server_reload_refused(srv, cause, n, (const char *const *)m.v, m.n);
        snprintf(msg, msg_size, "%d error%s, the fixtures in force stay%s%s", n,
                 n == 1 ? "" : "s", m.n > 0 ? ": " : "", m.n > 0 ? m.v[0] : "");
        messages_free(&m);
        return -1;
    }
    messages_free(&m);
    if (xdi_server_reload(srv, set, cause) != 0) {
        xdi_fixture_free(set);
        fprintf(stderr,
                "xdi-server: %s: reload failed (see the journal); "
                "the fixtures in force stay\n",
                w->dir);
        snprintf(msg, msg_size,
                 "reload failed (see the journal); the "
                 "fixtures in force stay");
        return -1;
    }
    if (!w->quiet)
        fprintf(stderr, "xdi-server: %s: fixtures reloaded (%s)\n", w->dir,
                cause);
    if (w->watch_files)
        sync_dirs(w);
    if (msg_size > 0)
        msg[0] = '\0';
    return 0;
}

static void on_timer(uv_timer_t *t)
{
    xdi_watch_reload(t->data, "watch");
}

/* ---- life cycle ------------------------------------------------------------ */

struct xdi_watch *xdi_watch_new(uv_loop_t *loop, struct xdi_net *net,
                                const char *dir, unsigned delay_ms,
                                bool watch_files, bool quiet)
{
    struct xdi_watch *w = calloc(1, sizeof(*w));

    if (w == NULL)
        return NULL;
    w->dir = strdup(dir);
    if (w->dir == NULL) {
        free(w);
        return NULL;
    }
    w->loop = loop;
    w->net = net;
    w->delay_ms = delay_ms;
    w->watch_files = watch_files;
    w->quiet = quiet;
    w->root = realpath(dir, NULL);
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    uv_unref((uv_handle_t *)&w->timer);
    w->handles = 1;
    if (watch_files)
        sync_dirs(w);
    return w;
}

void xdi_watch_close(struct xdi_watch *w)
{
    if (w == NULL || w->closing)
        return;
    w->closing = true;
    while (w->dirs != NULL) {
        struct dir_watch *d = w->dirs;
        w->dirs = d->next; /* each frees itself in its close callback */
        d->closing = true;
        uv_close((uv_handle_t *)&d->ev, on_dir_closed);
    }
    uv_close((uv_handle_t *)&w->timer, on_timer_closed);
}
