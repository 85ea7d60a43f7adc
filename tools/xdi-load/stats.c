/*
 * stats.c - xdi-load's numbers: latency samples with nearest-rank
 * percentiles, and a process's resident memory from /proc/PID/status
 * (VmRSS now, VmHWM its peak), used to show that the server's tables are
 * shared by its sessions rather than copied per agent; CPU time used by
 * the server and by xdi-load itself (less noisy than wall time on a shared
 * machine, and it shows which side was the bottleneck).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "load.h"

int samples_init(struct samples *s, size_t cap)
{
    s->n = 0;
    s->cap = cap;
    s->v = malloc((cap ? cap : 1) * sizeof *s->v);
    return s->v ? 0 : -1;
}

void samples_add(struct samples *s, uint64_t ns)
{
    if (s->n < s->cap)
        s->v[s->n++] = ns;
}

void samples_free(struct samples *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

uint64_t samples_pct(struct samples *s, double p)
{
    size_t rank;

    if (s->n == 0)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, cmp_u64);
    rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->n)
        rank = s->n;
    return s->v[rank - 1];
}

int proc_rss(long pid, uint64_t *rss_kib, uint64_t *hwm_kib)
{
    char path[64], line[128];
    unsigned long long v;
    int found = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "VmRSS: %llu kB", &v) == 1)
            *rss_kib = v, found |= 1;
        else if (sscanf(line, "VmHWM: %llu kB", &v) == 1)
            *hwm_kib = v, found |= 2;
    }
    fclose(f);
    return found == 3 ? 0 : -1;
}

/* Fields 14 and 15 of /proc/PID/stat, utime and stime in clock ticks,
 * counted after the command name, which is in parentheses and may hold
 * blanks (proc(5)). */
double proc_cpu(long pid)
{
    char path[64], line[1024];
    unsigned long long utime, stime;
    const char *p;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    p = fgets(line, sizeof line, f);
    fclose(f);
    if (p == NULL || (p = strrchr(line, ')')) == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

double self_cpu(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
