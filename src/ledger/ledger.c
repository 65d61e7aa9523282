/*
 * ledger.c - the ledger of a workspace: creating it (key pair, metadata, checkpoint of the
 * empty tree), opening it, appending entries with a signed checkpoint each, and proofs from
 * the stored leaf hashes.
 *
 * Invariant: the ledger signs only tree heads that extend the newest signed checkpoint. Its
 * in-memory tree (struct sj_ledger_tree) is trusted only while its size and root equal those
 * of that checkpoint, re-read in the append's own transaction; otherwise it is rebuilt from
 * the stored leaf hashes, and if they do not give the signed root the append is refused.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger_int.h"
#include "shujian/ledger_store.h"
#include "shujian/store.h"

static int init_sodium(struct sj_err *err)
{
    if (sodium_init() < 0)
        return sj_err_set(err, SJ_EIO, "libsodium failed to initialise");
    return 0;
}

/* ---- Creating -------------------------------------------------------------------------------- */

static char *default_origin(void)
{
    uint8_t rnd[8];
    char hex[2 * sizeof rnd + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    size_t len = sizeof "shujian.ledger/" + sizeof hex;
    char *origin = sj_xmalloc(len);
    snprintf(origin, len, "shujian.ledger/%s", hex);
    return origin;
}

/* Fails with SJ_EEXIST when the workspace already has a ledger. */
static int check_absent(struct sj_store *store, struct sj_err *err)
{
    struct sj_store_ledger_meta meta;
    int rc = sj_store_ledger_meta_get(store, &meta, err);
    sj_store_ledger_meta_release(&meta);
    if (rc == 0)
        return sj_err_set(err, SJ_EEXIST, "工作区 %s 已有审计账本", sj_store_dir(store));
    if (rc == SJ_ENOTFOUND) {
        sj_err_clear(err);
        return 0;
    }
    return rc;
}

static int store_new_ledger(struct sj_store *store, const char *origin, enum sj_ledger_alg alg,
                            const uint8_t *sk, struct sj_err *err)
{
    struct sj_ledger_digest empty_root;
    char now[32];
    struct sj_buf note;
    sj_buf_init(&note, 0);
    sj_ledger_now(now);
    int rc = sj_ledger_hash(alg, "", 0, &empty_root);
    if (rc == 0)
        rc = sj_ledger_checkpoint_sign(origin, 0, &empty_root, sk, &note);
    if (rc == 0)
        rc = sj_store_ledger_create(store, origin, sj_ledger_alg_name(alg), sk + 32, now,
                                    sj_buf_str(&note), err);
    else
        sj_err_set(err, rc, "cannot sign the first checkpoint");
    sj_buf_release(&note);
    return rc;
}

int sj_ledger_create(struct sj_store *store, const struct sj_ledger_options *opts,
                     struct sj_err *err)
{
    uint8_t pk[SJ_LEDGER_PK_LEN], sk[SJ_LEDGER_SK_LEN];
    enum sj_ledger_alg alg = opts ? opts->alg : SJ_LEDGER_SHA256;
    char *origin = opts && opts->origin ? sj_xstrdup(opts->origin) : default_origin();
    char *key_path = sj_ledger_key_path(sj_store_dir(store));
    int rc = init_sodium(err);
    if (rc == 0 && !sj_ledger_alg_is_known(alg))
        rc =
            sj_err_set(err, SJ_EINVAL, "本机的 OpenSSL 不支持哈希算法 %s", sj_ledger_alg_name(alg));
    if (rc == 0)
        rc = sj_ledger_origin_check(origin, err);
    if (rc == 0)
        rc = check_absent(store, err);
    if (rc < 0)
        goto out;
    crypto_sign_keypair(pk, sk);
    rc = sj_ledger_key_write(key_path, origin, sk, err);
    if (rc == 0) {
        rc = store_new_ledger(store, origin, alg, sk, err);
        if (rc < 0)
            unlink(key_path); /* ours: written with O_EXCL just now */
    }
out:
    sodium_memzero(sk, sizeof sk);
    free(key_path);
    free(origin);
    return rc;
}

/* ---- Opening -----------------------------------------------------------------------------------
 */

static int take_meta(struct sj_ledger *l, struct sj_store_ledger_meta *meta, struct sj_err *err)
{
    if (sj_ledger_alg_parse(meta->hash_alg, &l->alg) < 0 ||
        meta->public_key_len != SJ_LEDGER_PK_LEN || sj_ledger_origin_check(meta->origin, NULL) < 0)
        return sj_err_set(err, SJ_EFORMAT, "审计账本的元数据已损坏（算法、公钥或名称不合规）");
    if (!sj_ledger_alg_is_known(l->alg))
        return sj_err_set(err, SJ_EINVAL, "本机的 OpenSSL 不支持账本的哈希算法 %s", meta->hash_alg);
    memcpy(l->public_key, meta->public_key, SJ_LEDGER_PK_LEN);
    l->origin = meta->origin;
    l->created_at = meta->created_at;
    meta->origin = NULL;
    meta->created_at = NULL;
    return 0;
}

int sj_ledger_open(struct sj_store *store, struct sj_ledger **out, struct sj_err *err)
{
    struct sj_store_ledger_meta meta;
    *out = NULL;
    int rc = init_sodium(err);
    if (rc < 0)
        return rc;
    rc = sj_store_ledger_meta_get(store, &meta, err);
    if (rc < 0)
        return rc;
    struct sj_ledger *l = sj_xcalloc(1, sizeof *l);
    l->store = store;
    rc = take_meta(l, &meta, err);
    sj_store_ledger_meta_release(&meta);
    if (rc < 0)
        sj_ledger_close(l);
    else
        *out = l;
    return rc;
}

void sj_ledger_close(struct sj_ledger *ledger)
{
    if (!ledger)
        return;
    sodium_memzero(ledger->secret_key, sizeof ledger->secret_key);
    free(ledger->last_note);
    free(ledger->origin);
    free(ledger->created_at);
    free(ledger);
}

const char *sj_ledger_origin(const struct sj_ledger *ledger)
{
    return ledger->origin;
}

enum sj_ledger_alg sj_ledger_hash_alg(const struct sj_ledger *ledger)
{
    return ledger->alg;
}

const uint8_t *sj_ledger_public_key(const struct sj_ledger *ledger)
{
    return ledger->public_key;
}

const char *sj_ledger_created_at(const struct sj_ledger *ledger)
{
    return ledger->created_at;
}

int sj_ledger_verifier_key(const struct sj_ledger *ledger, char *buf, size_t size)
{
    uint8_t body[1 + SJ_LEDGER_PK_LEN];
    struct sj_buf out;
    body[0] = 0x01;
    memcpy(body + 1, ledger->public_key, SJ_LEDGER_PK_LEN);
    sj_buf_init(&out, 0);
    int rc = sj_buf_appendf(&out, "%s+%08" PRIx32 "+", ledger->origin,
                            sj_ledger_key_id(ledger->origin, ledger->public_key));
    if (rc == 0)
        rc = sj_ledger_base64_append(&out, body, sizeof body);
    if (rc == 0 && out.len >= size)
        rc = SJ_ETOOBIG;
    if (rc == 0)
        memcpy(buf, out.data, out.len + 1);
    sj_buf_release(&out);
    return rc;
}

int sj_ledger_size(struct sj_ledger *ledger, uint64_t *size, struct sj_err *err)
{
    return sj_store_ledger_next_index(ledger->store, size, err);
}

int sj_ledger_checkpoint_latest(struct sj_ledger *ledger, char **note, uint64_t *tree_size,
                                struct sj_err *err)
{
    return sj_store_ledger_checkpoint_latest(ledger->store, tree_size, note, err);
}

/* ---- Reading -----------------------------------------------------------------------------------
 */

struct sj_ledger_reader {
    struct sj_store_ledger_cursor *cursor;
};

int sj_ledger_read_open(struct sj_ledger *ledger, uint64_t from, int64_t limit,
                        struct sj_ledger_reader **out, struct sj_err *err)
{
    struct sj_store_ledger_cursor *cursor = NULL;
    *out = NULL;
    int64_t start = from > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)from;
    int rc = sj_store_ledger_entries_open(ledger->store, start, limit, &cursor, err);
    if (rc < 0)
        return rc;
    *out = sj_xcalloc(1, sizeof **out);
    (*out)->cursor = cursor;
    return 0;
}

int sj_ledger_read_next(struct sj_ledger_reader *reader, struct sj_ledger_entry *e,
                        struct sj_err *err)
{
    struct sj_store_ledger_row row;
    int rc = sj_store_ledger_entries_next(reader->cursor, &row, err);
    if (rc == 1)
        *e = row.entry;
    return rc;
}

void sj_ledger_read_close(struct sj_ledger_reader *reader)
{
    if (!reader)
        return;
    sj_store_ledger_cursor_close(reader->cursor);
    free(reader);
}
