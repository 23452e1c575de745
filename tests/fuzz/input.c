/* The input reader and the failure report of fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, what);
    abort();
}

uint8_t fuzz_u8(fuzz_input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

uint32_t fuzz_u32(fuzz_input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | fuzz_u8(in);
    return v;
}

uint64_t fuzz_u64(fuzz_input *in)
{
    return ((uint64_t)fuzz_u32(in) << 32) | fuzz_u32(in);
}

static char *copy_string(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *fuzz_line(fuzz_input *in, size_t *len)
{
    const uint8_t *nl = in->n > 0 ? memchr(in->p, '\n', in->n) : NULL;
    size_t n = nl != NULL ? (size_t)(nl - in->p) : in->n;
    char *s = copy_string(in->p, n);
    in->p += n;
    in->n -= n;
    if (nl != NULL) {
        in->p++;
        in->n--;
    }
    if (len != NULL)
        *len = n;
    return s;
}

char *fuzz_rest(fuzz_input *in, size_t *len)
{
    *len = in->n;
    if (in->n == 0)
        return NULL;
    char *s = malloc(in->n);
    if (s == NULL)
        abort();
    memcpy(s, in->p, in->n);
    in->p += in->n;
    in->n = 0;
    return s;
}

char *fuzz_rest_string(fuzz_input *in)
{
    char *s = copy_string(in->p, in->n);
    in->p += in->n;
    in->n = 0;
    return s;
}
