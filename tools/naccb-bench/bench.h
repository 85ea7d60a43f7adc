/*
 * bench.h - what the files of naccb-bench share: the deterministic input
 * generator (gen.c), the measured passes (pass.c) and the small helpers
 * for timing and statistics (util.c).  Private to this tool.
 *
 * naccb-bench measures libnaccb's receive path (framer, message decode,
 * object validation) and EVBLOK matching against a baseline of plain
 * memcpy/memchr/memcmp passes over the same bytes, in one run; see
 * docs/performance.md.
 */
#ifndef NACCB_BENCH_H
#define NACCB_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/evblok.h"
#include "naccb/match.h"

/* ---- util.c ------------------------------------------------------------ */

/* splitmix64: a tiny, well-known PRNG, so every run builds the same bytes
 * from the same seed on every machine. */
struct rng {
    uint64_t state;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in 0..n-1 (n > 0). */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform in lo..hi, both inclusive. */
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi);

/* A growable byte buffer; the stream under test lives in one. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Makes room for n more bytes; 0 or -1 (out of memory). */
int buf_reserve(struct buf *b, size_t n);
void buf_free(struct buf *b);

/* Monotonic wall clock and this thread's CPU clock, in seconds. */
double clock_wall(void);
double clock_cpu(void);

/* Median, min and max of n samples (sorts them). */
struct summary {
    double median;
    double min;
    double max;
};

void summarize(double *samples, size_t n, struct summary *out);

/* ---- gen.c ------------------------------------------------------------- */

/* What a generated stream holds, for the report and the correctness check
 * (every NACCB generated must come out of the framer, valid). */
struct stream_info {
    uint64_t naccbs;
    uint64_t objects;
    uint64_t evbloks;
    uint64_t eotinfos;
    uint64_t texts;
    uint64_t sessions;
};

struct gen_params {
    uint64_t seed;
    size_t stream_bytes;  /* generate until the stream is at least this long */
    uint32_t table_size;  /* EVBLOKs per EMS table */
    uint32_t scd_size;    /* EOTINFOs per SCD table */
    uint32_t infos;       /* info NACCBs per session */
};

/*
 * A valid EMS table of n EVBLOKs for system name `system` (EBCDIC): a mix
 * of message, command, EOJ and EOS keys, most with the "always" frame, some
 * with a weekday frame in 2026.  Every entry passes naccb_evblok_validate;
 * 0, or -1 when one does not (a generator bug, reported).
 */
int gen_table(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
              uint32_t n, struct naccb_evblok *out);

/* "sessions": per agent session a login, accept, acquire EMS, the whole
 * EMS table (table_size EVBLOKs), acquire SCD, the SCD table, `infos` info
 * NACCBs (texts and EOT reports) and a logout, until stream_bytes. */
int gen_sessions_stream(const struct gen_params *p, struct buf *out,
                        struct stream_info *info);

/* "events": info NACCBs only (texts of every kind, EOT reports), the
 * steady state of a server whose agents are logged in. */
int gen_events_stream(const struct gen_params *p, struct buf *out,
                      struct stream_info *info);

/* Texts for the matching benchmark: n texts against `table` (count
 * entries).  About three in four are built from a random entry's key, so
 * they match it; the rest start with a byte no key starts with and match
 * nothing.  Texts are stored back to back in *bytes with their lengths and
 * event types; *expect_matched counts the texts built to match. */
struct text_set {
    uint8_t *bytes;
    uint32_t *offset;
    uint8_t *len;
    uint8_t *event_type;
    uint32_t count;
    uint32_t expect_matched;
};

int gen_texts(struct rng *r, const struct naccb_evblok *table, uint32_t count,
              uint32_t n, struct text_set *out);
void text_set_free(struct text_set *t);

/* ---- pass.c ------------------------------------------------------------ */

struct decode_result {
    uint64_t naccbs;     /* whole NACCBs the framer handed out */
    uint64_t objects;    /* objects validated */
    uint64_t in_place;   /* NACCBs handed out as a pointer into the chunk */
    uint64_t errors;     /* any decode/check/validate failure (must be 0) */
    uint64_t pending;    /* bytes left in the framer at the end (must be 0) */
};

/*
 * The receive path of a server or an agent over a whole stream fed in
 * `chunk`-byte pieces: naccb_framer_next, naccb_message_decode,
 * naccb_message_check_objects, and for each object what its key needs
 * (EVBLOK and EOTINFO decode + validate; texts are checked by size).
 * Returns 0, or -1 when the framer could not allocate.
 */
int decode_pass(const uint8_t *stream, size_t len, size_t chunk,
                struct decode_result *out);

/* Baseline: the same bytes copied in `chunk`-byte pieces (a call per
 * piece, as a receive loop makes).  Returns a checksum so it is not
 * optimised away. */
uint64_t memcpy_pass(const uint8_t *stream, size_t len, size_t chunk,
                     uint8_t *dst);

/* Baseline: one memchr scan of the whole stream counting a byte. */
uint64_t memchr_pass(const uint8_t *stream, size_t len, uint8_t byte);

struct match_result {
    uint64_t in_frame;
    uint64_t out_of_frame;
    uint64_t unmatched;
    uint64_t comparisons; /* EVBLOKs looked at */
};

/* Every text against the table the way the server checks an info text
 * (server/core/checks.c): naccb_evblok_match on each EVBLOK in order, the
 * first one in frame wins. */
void match_pass(const struct naccb_evblok *table, uint32_t count,
                const struct text_set *texts,
                const struct naccb_local_time *now, struct match_result *out);

/* Baseline: the same scan with a bare memcmp of the first KL bytes and an
 * event-type compare (no library call, no time frame). */
void memcmp_match_pass(const struct naccb_evblok *table, uint32_t count,
                       const struct text_set *texts, struct match_result *out);

#endif /* NACCB_BENCH_H */
