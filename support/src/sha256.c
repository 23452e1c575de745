/* SHA-256 as FIPS 180-4 specifies it, for hashing guest tokens, request
 * fingerprints and migrations without a crypto library. */
#include <orders/support/sha256.h>

#include <stdint.h>
#include <string.h>

typedef struct sha256_state {
    uint32_t h[8];
    unsigned char block[64];
    size_t used;        /* bytes waiting in block */
    uint64_t total_len; /* bytes hashed so far */
} sha256_state;

/* First 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t round_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static void sha256_block(sha256_state *st, const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = st->h[0], b = st->h[1], c = st->h[2], d = st->h[3];
    uint32_t e = st->h[4], f = st->h[5], g = st->h[6], h = st->h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + big_s1 + ch + round_k[t] + w[t];
        uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = big_s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    st->h[0] += a;
    st->h[1] += b;
    st->h[2] += c;
    st->h[3] += d;
    st->h[4] += e;
    st->h[5] += f;
    st->h[6] += g;
    st->h[7] += h;
}

static void sha256_init(sha256_state *st)
{
    /* First 32 bits of the fractional parts of the square roots of the first 8 primes. */
    static const uint32_t initial[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(st->h, initial, sizeof initial);
    st->used = 0;
    st->total_len = 0;
}

static void sha256_update(sha256_state *st, const unsigned char *data, size_t len)
{
    st->total_len += len;
    while (len > 0) {
        size_t take = 64 - st->used;
        if (take > len)
            take = len;
        memcpy(st->block + st->used, data, take);
        st->used += take;
        data += take;
        len -= take;
        if (st->used == 64) {
            sha256_block(st, st->block);
            st->used = 0;
        }
    }
}

static void sha256_final(sha256_state *st, unsigned char digest[32])
{
    uint64_t bits = st->total_len * 8u;
    /* Padding: 0x80, zeros up to 56 mod 64, then the bit length big-endian. */
    st->block[st->used++] = 0x80;
    if (st->used > 56) {
        memset(st->block + st->used, 0, 64 - st->used);
        sha256_block(st, st->block);
        st->used = 0;
    }
    memset(st->block + st->used, 0, 56 - st->used);
    for (int i = 0; i < 8; i++)
        st->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_block(st, st->block);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (unsigned char)(st->h[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(st->h[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(st->h[i] >> 8);
        digest[4 * i + 3] = (unsigned char)st->h[i];
    }
}

void ord_sha256_hex(char out[ORD_SHA256_HEX_SIZE], const void *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    sha256_state st;
    unsigned char digest[32];
    if (!out)
        return;
    sha256_init(&st);
    if (data)
        sha256_update(&st, data, len);
    sha256_final(&st, digest);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0F];
    }
    out[64] = '\0';
}
