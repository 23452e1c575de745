/* What every fuzz target shares: the libFuzzer entry points, a reader that
 * takes typed pieces off the input, and a check that stops the run with a
 * message when a property of the code under test does not hold. */
#ifndef ORDERS_TESTS_FUZZ_H
#define ORDERS_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called by libFuzzer (or the corpus replay of replay.c) once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: called once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property the code must keep for every input; a failure aborts, which
 * the fuzzer reports as a crash with the input that caused it. */
#define FUZZ_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond))                                                              \
            fuzz_fail(__FILE__, __LINE__, #cond);                                 \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The input, consumed from the front. Past its end every reader returns
 * zeros or empty text, so a target never has to check for length. */
typedef struct fuzz_input {
    const uint8_t *p;
    size_t n;
} fuzz_input;

uint8_t fuzz_u8(fuzz_input *in);
uint32_t fuzz_u32(fuzz_input *in);
uint64_t fuzz_u64(fuzz_input *in);
/* The bytes up to the next '\n' (dropped) or the end, as a fresh
 * NUL-terminated string (free()); NUL bytes in it stay, so the C string
 * may be shorter than *len. */
char *fuzz_line(fuzz_input *in, size_t *len);
/* Everything left, in an allocation of exactly that size (no NUL after
 * it, so a read past the end is caught); NULL when nothing is left. */
char *fuzz_rest(fuzz_input *in, size_t *len);
/* Everything left as a NUL-terminated string (free()). */
char *fuzz_rest_string(fuzz_input *in);

#endif
