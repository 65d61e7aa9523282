/*
 * ledger_int.h - internal to src/ledger: hashing of several parts, the ledger handle, key
 * files, time stamps and the helpers the module's files share.
 */
#ifndef SHUJIAN_LEDGER_INT_H
#define SHUJIAN_LEDGER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/ledger.h"

struct sj_store;

/* One piece of a message to hash. */
struct sj_ledger_part {
    const void *data;
    size_t len;
};

/* H(parts[0] || ... || parts[count-1]). Returns 0 or SJ_EINVAL. */
int sj_ledger_hash_parts(enum sj_ledger_alg alg, const struct sj_ledger_part *parts, size_t count,
                         struct sj_ledger_digest *out);
/* True for SHA-256, and for SM3 when OpenSSL provides it. */
bool sj_ledger_alg_is_known(enum sj_ledger_alg alg);

#define SJ_LEDGER_SK_LEN 64 /* libsodium Ed25519 secret key: seed || public key */
#define SJ_LEDGER_PK_LEN 32

struct sj_ledger {
    struct sj_store *store; /* borrowed */
    char *origin;
    char *created_at;
    enum sj_ledger_alg alg;
    uint8_t public_key[SJ_LEDGER_PK_LEN];
    bool has_secret_key;
    uint8_t secret_key[SJ_LEDGER_SK_LEN]; /* wiped at close */
    bool has_tree;                        /* tree mirrors the stored leaves it was built from */
    struct sj_ledger_tree tree;
    char *last_note; /* the checkpoint this handle signed and committed last (of tree), or NULL */
    /* A batch (sj_ledger_batch_begin/_end): appends store entries unsigned. */
    bool is_batch;
    bool is_batch_synced;             /* the batch's first append synced tree */
    struct sj_ledger_tree batch_base; /* tree as of the newest checkpoint when the batch began */
};

/* Checks an origin (= key name): 1..SJ_LEDGER_ORIGIN_MAX bytes of UTF-8 without Unicode
 * spaces, '+' or control characters. Returns 0 or SJ_EINVAL with a message. */
int sj_ledger_origin_check(const char *origin, struct sj_err *err);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[32]. */
void sj_ledger_now(char out[32]);

/* "<dir>/keys/ledger.key" (owned by the caller). */
char *sj_ledger_key_path(const char *dir);
/* Writes the secret key file for (name, sk) in the golang.org/x/mod/sumdb/note form
 * "PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>\n", creating the keys directory
 * (0700) and the file (0600) and refusing to overwrite one. SJ_EEXIST or SJ_EIO. */
int sj_ledger_key_write(const char *path, const char *name, const uint8_t sk[SJ_LEDGER_SK_LEN],
                        struct sj_err *err);
/* Reads a secret key file: checks its form, that it names name with the right key ID, and
 * rebuilds sk from the seed. SJ_ENOTFOUND (no file), SJ_EFORMAT (malformed, other name or
 * key ID), SJ_EIO. */
int sj_ledger_key_read(const char *path, const char *name, uint8_t sk[SJ_LEDGER_SK_LEN],
                       struct sj_err *err);

/* sj_ledger_entry_hash with a caller's scratch buffer (reset first), to hash many entries
 * without an allocation each. */
int sj_ledger_entry_hash_with(enum sj_ledger_alg alg, const struct sj_ledger_entry *e,
                              struct sj_buf *scratch, struct sj_ledger_digest *out);
/* Checks rec's fields and fills e's text fields with views of them, the payload in its
 * canonical form written to payload (reset first; e->payload views it). index, at and
 * record_hash are left alone. Returns 0 or SJ_EINVAL with a message. */
int sj_ledger_record_to_entry(const struct sj_ledger_record *rec, struct sj_buf *payload,
                              struct sj_ledger_entry *e, struct sj_err *err);

/* Standard base64 (RFC 4648 section 4, padded) of bin into out. Returns 0 or SJ_ETOOBIG. */
int sj_ledger_base64_append(struct sj_buf *out, const uint8_t *bin, size_t len);
/* Strict decode: canonical padded standard base64 only. Returns the byte count, or -1. */
long sj_ledger_base64_decode(struct sj_str text, uint8_t *bin, size_t bin_max);

#endif
