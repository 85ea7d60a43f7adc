/*
 * fuzz.h - what every in-process fuzz target of tests/fuzz/ shares
 * (docs/fuzzing.md): the libFuzzer entry points, which the same source
 * gives to libFuzzer, to AFL++'s libFuzzer-compatible driver and to the
 * plain replay driver (replay_main.c), and a reader that carves an input
 * into the decisions a target makes (chunk sizes, which connection, ...).
 *
 * A target must behave the same for the same input every time: no clock,
 * no randomness, no state kept from one input to the next.
 */
#ifndef XDI_FUZZ_H
#define XDI_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: called once before the first input (weak in replay_main.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input, consumed from the front. */
struct fz {
    const uint8_t *p;
    size_t n;
};

/* The next byte, or 0 once the input is used up. */
static inline uint8_t fz_u8(struct fz *f)
{
    if (f->n == 0)
        return 0;
    f->n--;
    return *f->p++;
}

/* Up to want bytes (fewer at the end of the input): *len gets how many. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t want, size_t *len)
{
    const uint8_t *p = f->p;

    if (want > f->n)
        want = f->n;
    f->p += want;
    f->n -= want;
    *len = want;
    return p;
}

#endif /* XDI_FUZZ_H */
