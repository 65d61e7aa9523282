/*
 * append.c - adding entries to the ledger and proving things about it. An append re-reads
 * the newest signed checkpoint inside its transaction, makes sure its in-memory tree has
 * that size and root (rebuilding it from the stored leaf hashes if not), then stores the
 * entry and a checkpoint of the extended tree signed with the key from the key file.
 * When the stored checkpoint is byte for byte the one this handle signed last over its
 * tree, with no entry after it, its signature is not checked again: this handle made it (a
 * group of appends in one transaction then costs a signature each, not also a verification).
 * In a batch (sj_ledger_batch_begin/_end, one transaction of the caller) the first append
 * syncs the tree as above and remembers it as the batch's base; later appends only check
 * that the stored entries are the tree's leaves (a savepoint rolled back drops some: the tree
 * is then the base extended by the stored leaves) and store entries unsigned; the batch's end
 * signs one checkpoint. Proofs are computed from the stored leaf hashes, O(tree size) each.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "shujian/ledger_store.h"
#include "shujian/store.h"

#define REBUILD_CHUNK 4096 /* leaf hashes read at a time when rebuilding the tree */

static int load_secret_key(struct sj_ledger *l, struct sj_err *err)
{
    if (l->has_secret_key)
        return 0;
    char *path = sj_ledger_key_path(sj_store_dir(l->store));
    int rc = sj_ledger_key_read(path, l->origin, l->secret_key, err);
    if (rc == 0 && sodium_memcmp(l->secret_key + 32, l->public_key, SJ_LEDGER_PK_LEN) != 0)
        rc = sj_err_set(err, SJ_EFORMAT, "账本密钥文件 %s 与账本中登记的公钥不符", path);
    if (rc == SJ_ENOTFOUND)
        sj_err_set(err, rc, "缺少账本签名密钥文件 %s，无法写入审计账本", path);
    if (rc == 0)
        l->has_secret_key = true;
    else
        sodium_memzero(l->secret_key, sizeof l->secret_key);
    free(path);
    return rc;
}

/* The newest checkpoint, parsed and signature-checked, with its size equal to the number of
 * stored entries. */
static int read_latest(struct sj_ledger *l, struct sj_ledger_checkpoint *cp, struct sj_err *err)
{
    char *note = NULL;
    uint64_t size = 0, next = 0;
    memset(cp, 0, sizeof *cp);
    int rc = sj_store_ledger_checkpoint_latest(l->store, &size, &note, err);
    if (rc == 0)
        rc = sj_store_ledger_next_index(l->store, &next, err);
    if (rc == 0)
        rc = sj_ledger_checkpoint_parse(sj_str_from_cstr(note), cp, err);
    if (rc == 0)
        rc = sj_ledger_checkpoint_check(cp, sj_str_from_cstr(note), l->origin, l->public_key, err);
    if (rc == 0 && (cp->tree_size != size || size != next || strcmp(cp->origin, l->origin) != 0))
        rc = sj_err_set(err, SJ_EFORMAT,
                        "审计账本有 %" PRIu64 " 条记录，最新检查点却覆盖 %" PRIu64
                        " 条；请运行 shujian ledger verify",
                        next, size);
    if (rc < 0 && rc != SJ_EDB)
        rc = SJ_EFORMAT; /* the stored log does not match its own checkpoint */
    free(note);
    return rc;
}

/* Pushes the stored leaf hashes [tree->size, size) onto tree. */
static int push_leaves(struct sj_ledger *l, struct sj_ledger_tree *tree, uint64_t size,
                       struct sj_err *err)
{
    struct sj_ledger_digest *chunk = sj_xmalloc(REBUILD_CHUNK * sizeof *chunk);
    int rc = 0;
    for (uint64_t at = tree->size; rc == 0 && at < size; at += REBUILD_CHUNK) {
        uint64_t n = size - at < REBUILD_CHUNK ? size - at : REBUILD_CHUNK;
        rc = sj_store_ledger_leaf_hashes(l->store, at, n, chunk, err);
        for (uint64_t i = 0; rc == 0 && i < n; i++)
            rc = sj_ledger_tree_push(tree, &chunk[i]);
    }
    free(chunk);
    return rc;
}

static int rebuild_tree(struct sj_ledger *l, uint64_t size, struct sj_err *err)
{
    l->has_tree = false;
    sj_ledger_tree_init(&l->tree, l->alg);
    return push_leaves(l, &l->tree, size, err);
}

/* When another handle appended since this one last did: l->tree extended by the new stored
 * leaves, if that gives the checkpoint's root (the leaves l->tree holds were checked against
 * an earlier signed checkpoint). Saves re-reading the whole log. */
static bool extend_tree(struct sj_ledger *l, const struct sj_ledger_checkpoint *cp)
{
    struct sj_ledger_tree tree = l->tree;
    struct sj_ledger_digest root;
    if (!l->has_tree || tree.size > cp->tree_size)
        return false;
    if (push_leaves(l, &tree, cp->tree_size, NULL) < 0 || sj_ledger_tree_root(&tree, &root) < 0 ||
        !sj_ledger_digest_eq(&root, &cp->root))
        return false;
    l->tree = tree;
    return true;
}

/* Whether the stored newest checkpoint is the one this handle signed last over l->tree, with
 * no entry after it. *rc gets a database error, if any. */
static bool is_own_latest(struct sj_ledger *l, int *rc, struct sj_err *err)
{
    char *note = NULL;
    uint64_t size = 0, next = 0;
    *rc = 0;
    if (!l->has_tree || !l->last_note)
        return false;
    *rc = sj_store_ledger_checkpoint_latest(l->store, &size, &note, err);
    if (*rc == 0)
        *rc = sj_store_ledger_next_index(l->store, &next, err);
    bool is_own =
        *rc == 0 && size == next && size == l->tree.size && strcmp(note, l->last_note) == 0;
    if (*rc == SJ_ENOTFOUND)
        *rc = 0; /* the full check below says what is wrong */
    free(note);
    return is_own;
}

/* Makes l->tree the tree of the stored log, whose newest checkpoint it must match. */
static int sync_tree(struct sj_ledger *l, struct sj_err *err)
{
    struct sj_ledger_checkpoint cp;
    struct sj_ledger_digest root;
    int rc = 0;
    if (is_own_latest(l, &rc, err) || rc < 0)
        return rc;
    rc = read_latest(l, &cp, err);
    if (rc < 0)
        goto out;
    if (extend_tree(l, &cp))
        goto out;
    rc = rebuild_tree(l, cp.tree_size, err);
    if (rc == 0)
        rc = sj_ledger_tree_root(&l->tree, &root);
    if (rc == 0 && !sj_ledger_digest_eq(&root, &cp.root))
        rc = sj_err_set(err, SJ_EFORMAT,
                        "审计账本存储的记录哈希与大小为 %" PRIu64
                        " 的已签名检查点不符；请运行 shujian ledger verify",
                        cp.tree_size);
    l->has_tree = rc == 0;
out:
    sj_ledger_checkpoint_release(&cp);
    return rc;
}

/* In a batch: makes l->tree the tree of the stored log (the first append syncs it with the
 * newest checkpoint; later ones extend the batch's base by the stored leaves when a rolled
 * back savepoint took some of the batch's entries away). */
static int batch_sync(struct sj_ledger *l, struct sj_err *err)
{
    uint64_t next = 0;
    if (!l->is_batch_synced) {
        int rc = sync_tree(l, err);
        l->batch_base = l->tree;
        l->is_batch_synced = rc == 0;
        return rc;
    }
    int rc = sj_store_ledger_next_index(l->store, &next, err);
    if (rc < 0 || next == l->tree.size)
        return rc;
    if (next < l->batch_base.size)
        return sj_err_set(err, SJ_EFORMAT,
                          "审计账本的记录在写入过程中减少；请运行 shujian ledger verify");
    l->tree = l->batch_base;
    return push_leaves(l, &l->tree, next, err);
}

/* Signs the tree head of tree and stores it as a checkpoint (its text into note). */
static int sign_tree(struct sj_ledger *l, const struct sj_ledger_tree *tree, struct sj_buf *note,
                     struct sj_err *err)
{
    struct sj_ledger_digest root;
    char now[32];
    sj_buf_reset(note);
    int rc = sj_ledger_tree_root(tree, &root);
    if (rc == 0)
        rc = sj_ledger_checkpoint_sign(l->origin, tree->size, &root, l->secret_key, note);
    if (rc == 0) {
        sj_ledger_now(now);
        rc = sj_store_ledger_checkpoint_add(l->store, tree->size, sj_buf_str(note), now, err);
    }
    return rc;
}

/* Stores e as the next entry and the signed checkpoint of the tree it extends (its text
 * appended to note); in a batch, signs only at multiples of SJ_LEDGER_CHECKPOINT_KEEP. */
static int add_entry(struct sj_ledger *l, struct sj_ledger_entry *e, struct sj_ledger_tree *tree,
                     struct sj_buf *note, struct sj_err *err)
{
    int rc = sj_ledger_entry_hash(l->alg, e, &e->record_hash);
    if (rc < 0)
        rc = sj_err_set(err, rc, "cannot hash the ledger entry");
    if (rc == 0)
        rc = sj_store_ledger_entry_add(l->store, e, err);
    if (rc == 0)
        rc = sj_ledger_tree_push(tree, &e->record_hash);
    if (rc == 0 && (!l->is_batch || tree->size % SJ_LEDGER_CHECKPOINT_KEEP == 0))
        rc = sign_tree(l, tree, note, err);
    return rc;
}

int sj_ledger_append(struct sj_ledger *ledger, const struct sj_ledger_record *rec, uint64_t *index,
                     struct sj_err *err)
{
    struct sj_ledger_entry e;
    struct sj_buf payload;
    struct sj_ledger_tree tree;
    struct sj_buf note;
    char at[32];
    bool is_own = false;
    memset(&e, 0, sizeof e);
    sj_buf_init(&payload, SJ_LEDGER_PAYLOAD_MAX + 1);
    sj_buf_init(&note, 0);
    int rc = sj_ledger_record_to_entry(rec, &payload, &e, err);
    if (rc == 0)
        rc = load_secret_key(ledger, err);
    if (rc == 0)
        rc = sj_store_ledger_begin(ledger->store, true, &is_own, err);
    if (rc < 0)
        goto out;
    if (ledger->is_batch && is_own)
        rc = sj_err_set(err, SJ_EINVAL, "a batch of ledger appends needs the caller's transaction");
    else
        rc = ledger->is_batch ? batch_sync(ledger, err) : sync_tree(ledger, err);
    if (rc == 0) {
        tree = ledger->tree; /* the copy becomes the ledger's tree only once committed */
        sj_ledger_now(at);
        e.at = sj_str_from_cstr(at);
        e.index = tree.size;
        rc = add_entry(ledger, &e, &tree, &note, err);
    }
    int end = sj_store_ledger_end(ledger->store, is_own, rc == 0, rc == 0 ? err : NULL);
    if (!ledger->is_batch) {
        free(ledger->last_note);
        ledger->last_note = NULL;
    }
    if (rc == 0 && end == 0) {
        ledger->tree = tree;
        if (!ledger->is_batch)
            ledger->last_note = sj_xstrdup(sj_buf_cstr(&note));
        if (index)
            *index = e.index;
    }
    rc = rc < 0 ? rc : end;
out:
    sj_buf_release(&payload);
    sj_buf_release(&note);
    return rc;
}

void sj_ledger_batch_begin(struct sj_ledger *ledger)
{
    ledger->is_batch = true;
    ledger->is_batch_synced = false;
}

/* The batch's checkpoint, unless the newest stored one (signed at a multiple of the keep
 * interval) already covers the tree. */
static int batch_sign(struct sj_ledger *l, struct sj_buf *note, struct sj_err *err)
{
    char *latest = NULL;
    uint64_t size = 0;
    int rc = sj_store_ledger_checkpoint_latest(l->store, &size, &latest, err);
    if (rc == 0 && size == l->tree.size)
        sj_buf_append_cstr(note, latest);
    else if (rc == 0 || rc == SJ_ENOTFOUND)
        rc = sign_tree(l, &l->tree, note, err);
    free(latest);
    return rc;
}

int sj_ledger_batch_end(struct sj_ledger *ledger, struct sj_err *err)
{
    struct sj_buf note;
    bool is_own = false;
    bool was_synced = ledger->is_batch_synced;
    if (!ledger->is_batch || !was_synced) {
        ledger->is_batch = ledger->is_batch_synced = false;
        return 0;
    }
    sj_buf_init(&note, 0);
    int rc = sj_store_ledger_begin(ledger->store, true, &is_own, err);
    if (rc == 0 && is_own)
        rc = sj_err_set(err, SJ_EINVAL, "a batch of ledger appends needs the caller's transaction");
    if (rc == 0)
        rc = batch_sync(ledger, err); /* tree = the entries still stored */
    ledger->is_batch = ledger->is_batch_synced = false;
    if (rc == 0 && ledger->tree.size > ledger->batch_base.size)
        rc = batch_sign(ledger, &note, err);
    int end = sj_store_ledger_end(ledger->store, is_own, rc == 0, rc == 0 ? err : NULL);
    rc = rc < 0 ? rc : end;
    if (rc == 0 && note.len > 0) {
        free(ledger->last_note);
        ledger->last_note = sj_xstrdup(sj_buf_cstr(&note));
    } else if (rc < 0) {
        ledger->has_tree = false; /* the caller rolls back: re-read at the next append */
    }
    sj_buf_release(&note);
    return rc;
}

/* ---- Proofs ------------------------------------------------------------------------------------
 */

/* The stored leaf hashes [0, size), size at most the ledger's size; *leaves owned by the
 * caller. */
static int load_leaves(struct sj_ledger *l, uint64_t size, struct sj_ledger_digest **leaves,
                       struct sj_err *err)
{
    uint64_t next = 0;
    *leaves = NULL;
    int rc = sj_store_ledger_next_index(l->store, &next, err);
    if (rc < 0)
        return rc;
    if (size > next)
        return sj_err_set(err, SJ_EINVAL, "审计账本只有 %" PRIu64 " 条记录，不足 %" PRIu64 " 条",
                          next, size);
    *leaves = sj_xmalloc((size ? size : 1) * sizeof **leaves);
    return sj_store_ledger_leaf_hashes(l->store, 0, size, *leaves, err);
}

int sj_ledger_inclusion_proof(struct sj_ledger *ledger, uint64_t index, uint64_t tree_size,
                              struct sj_ledger_digest *proof, size_t *proof_len, struct sj_err *err)
{
    struct sj_ledger_digest *leaves = NULL;
    *proof_len = 0;
    if (index >= tree_size)
        return sj_err_set(err, SJ_EINVAL, "记录 %" PRIu64 " 不在大小为 %" PRIu64 " 的树中", index,
                          tree_size);
    int rc = load_leaves(ledger, tree_size, &leaves, err);
    if (rc == 0)
        rc = sj_ledger_prove_inclusion(ledger->alg, leaves, tree_size, index, proof, proof_len);
    free(leaves);
    return rc;
}

int sj_ledger_consistency_proof(struct sj_ledger *ledger, uint64_t size1, uint64_t size2,
                                struct sj_ledger_digest *proof, size_t *proof_len,
                                struct sj_err *err)
{
    struct sj_ledger_digest *leaves = NULL;
    *proof_len = 0;
    if (size1 > size2)
        return sj_err_set(err, SJ_EINVAL, "一致性证明要求 size1 <= size2");
    int rc = load_leaves(ledger, size2, &leaves, err);
    if (rc == 0)
        rc = sj_ledger_prove_consistency(ledger->alg, leaves, size2, size1, proof, proof_len);
    free(leaves);
    return rc;
}
