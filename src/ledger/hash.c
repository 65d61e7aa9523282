/*
 * hash.c - the two hash functions a ledger may use and the RFC 6962 domain separation on
 * top of them: leaf hash H(0x00 || data), node hash H(0x01 || left || right). SHA-256 comes
 * from libsodium; SM3 (GB/T 32905) from OpenSSL 3's EVP "SM3". Both give 32 bytes, so the
 * rest of the ledger never needs to know which one a ledger uses.
 */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "ledger/ledger_int.h"

const char *sj_ledger_alg_name(enum sj_ledger_alg alg)
{
    switch (alg) {
    case SJ_LEDGER_SHA256:
        return "sha256";
    case SJ_LEDGER_SM3:
        return "sm3";
    }
    return "unknown";
}

int sj_ledger_alg_parse(const char *name, enum sj_ledger_alg *alg)
{
    if (name && strcmp(name, "sha256") == 0)
        *alg = SJ_LEDGER_SHA256;
    else if (name && strcmp(name, "sm3") == 0)
        *alg = SJ_LEDGER_SM3;
    else
        return SJ_EINVAL;
    return 0;
}

bool sj_ledger_alg_is_known(enum sj_ledger_alg alg)
{
    return alg == SJ_LEDGER_SHA256 || (alg == SJ_LEDGER_SM3 && EVP_sm3() != NULL);
}

static int sha256_parts(const struct sj_ledger_part *parts, size_t count,
                        struct sj_ledger_digest *out)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < count; i++)
        crypto_hash_sha256_update(&st, parts[i].data, parts[i].len);
    crypto_hash_sha256_final(&st, out->bytes);
    return 0;
}

static int sm3_parts(const struct sj_ledger_part *parts, size_t count, struct sj_ledger_digest *out)
{
    const EVP_MD *md = EVP_sm3();
    EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
    unsigned int len = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1;
    for (size_t i = 0; ok && i < count; i++)
        ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out->bytes, &len) == 1 && len == SJ_LEDGER_HASH_LEN;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : SJ_EINVAL;
}

int sj_ledger_hash_parts(enum sj_ledger_alg alg, const struct sj_ledger_part *parts, size_t count,
                         struct sj_ledger_digest *out)
{
    switch (alg) {
    case SJ_LEDGER_SHA256:
        return sha256_parts(parts, count, out);
    case SJ_LEDGER_SM3:
        return sm3_parts(parts, count, out);
    }
    return SJ_EINVAL;
}

int sj_ledger_hash(enum sj_ledger_alg alg, const void *data, size_t len,
                   struct sj_ledger_digest *out)
{
    struct sj_ledger_part part = {data, len};
    return sj_ledger_hash_parts(alg, &part, 1, out);
}

int sj_ledger_hash_leaf(enum sj_ledger_alg alg, const void *data, size_t len,
                        struct sj_ledger_digest *out)
{
    static const uint8_t leaf_prefix = 0x00;
    struct sj_ledger_part parts[2] = {{&leaf_prefix, 1}, {data, len}};
    return sj_ledger_hash_parts(alg, parts, 2, out);
}

int sj_ledger_hash_node(enum sj_ledger_alg alg, const struct sj_ledger_digest *left,
                        const struct sj_ledger_digest *right, struct sj_ledger_digest *out)
{
    static const uint8_t node_prefix = 0x01;
    struct sj_ledger_part parts[3] = {
        {&node_prefix, 1}, {left->bytes, SJ_LEDGER_HASH_LEN}, {right->bytes, SJ_LEDGER_HASH_LEN}};
    return sj_ledger_hash_parts(alg, parts, 3, out);
}

bool sj_ledger_digest_eq(const struct sj_ledger_digest *a, const struct sj_ledger_digest *b)
{
    return memcmp(a->bytes, b->bytes, SJ_LEDGER_HASH_LEN) == 0;
}

void sj_ledger_digest_hex(const struct sj_ledger_digest *d, char out[2 * SJ_LEDGER_HASH_LEN + 1])
{
    sodium_bin2hex(out, 2 * SJ_LEDGER_HASH_LEN + 1, d->bytes, SJ_LEDGER_HASH_LEN);
}
