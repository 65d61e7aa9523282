/*
 * ledger_store.h - the ledger's tables in the workspace database (src/store/ledger_store.c,
 * the only place their SQL lives). src/ledger builds on these; nothing else should, since
 * they neither hash nor sign: use shujian/ledger.h.
 *
 * Tables (docs/LEDGER.md): ledger_meta (one row: origin, hash algorithm, Ed25519 public
 * key), ledger_entries (idx = leaf index, the entry's fields and its record hash) and
 * ledger_checkpoints (tree_size, signed note). Triggers refuse UPDATE and DELETE of entries
 * and metadata, and DELETE of a checkpoint unless a newer one exists and its size is not a
 * multiple of SJ_LEDGER_CHECKPOINT_KEEP: the guard against mistakes, not against an
 * attacker (who can drop triggers; verification catches that).
 *
 * Ownership: strings passed in are borrowed; what is handed out is said per function.
 */
#ifndef SHUJIAN_LEDGER_STORE_H
#define SHUJIAN_LEDGER_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/ledger.h"

struct sj_store;

/* The metadata row as stored (validated by the caller). Release with
 * sj_store_ledger_meta_release. */
struct sj_store_ledger_meta {
    char *origin;
    char *hash_alg;
    uint8_t *public_key; /* public_key_len bytes */
    size_t public_key_len;
    char *created_at;
};

/* Reads the metadata: 0, SJ_ENOTFOUND (no ledger) or SJ_EDB. */
int sj_store_ledger_meta_get(struct sj_store *store, struct sj_store_ledger_meta *meta,
                             struct sj_err *err);
void sj_store_ledger_meta_release(struct sj_store_ledger_meta *meta);

/* Inserts the metadata row and the first checkpoint (note of the empty tree) in one
 * transaction. SJ_EEXIST when a ledger is already there, SJ_EDB. */
int sj_store_ledger_create(struct sj_store *store, const char *origin, const char *hash_alg,
                           const uint8_t public_key[32], const char *created_at,
                           struct sj_str first_note, struct sj_err *err);

/* Starts a transaction for the ledger: BEGIN IMMEDIATE (is_write) or BEGIN when the
 * connection has none open, else a savepoint inside the caller's. *is_own tells
 * sj_store_ledger_end which. Returns 0 or SJ_EDB. */
int sj_store_ledger_begin(struct sj_store *store, bool is_write, bool *is_own, struct sj_err *err);
/* Commits (is_commit) or rolls back what sj_store_ledger_begin started. Returns 0 or SJ_EDB
 * (after a failed commit everything is rolled back). */
int sj_store_ledger_end(struct sj_store *store, bool is_own, bool is_commit, struct sj_err *err);

/* One more than the highest stored index (0 when empty). */
int sj_store_ledger_next_index(struct sj_store *store, uint64_t *next, struct sj_err *err);

/* Inserts e (all fields, record hash included). SJ_EEXIST when the index is taken, SJ_EDB. */
int sj_store_ledger_entry_add(struct sj_store *store, const struct sj_ledger_entry *e,
                              struct sj_err *err);

/* Reads the record hashes of entries [from, from + count) into out[count]. SJ_EFORMAT (err
 * names the index) when one is missing or is not SJ_LEDGER_HASH_LEN bytes, SJ_EDB. */
int sj_store_ledger_leaf_hashes(struct sj_store *store, uint64_t from, uint64_t count,
                                struct sj_ledger_digest *out, struct sj_err *err);

/* Stores a checkpoint of tree_size and removes the older ones whose size is not a multiple
 * of SJ_LEDGER_CHECKPOINT_KEEP. SJ_EEXIST when one of that size exists, SJ_EDB. */
int sj_store_ledger_checkpoint_add(struct sj_store *store, uint64_t tree_size, struct sj_str note,
                                   const char *created_at, struct sj_err *err);
/* The checkpoint with the largest size: *note owned by the caller (NUL-terminated).
 * SJ_ENOTFOUND when there is none, SJ_EDB. */
int sj_store_ledger_checkpoint_latest(struct sj_store *store, uint64_t *tree_size, char **note,
                                      struct sj_err *err);

/* ---- Reading in order -------------------------------------------------------------------------
 */

struct sj_store_ledger_cursor;

/* An entry row as stored, damaged or not. Views are valid until the next call. */
struct sj_store_ledger_row {
    int64_t idx;                  /* as stored (entry.index is the same when >= 0) */
    struct sj_ledger_entry entry; /* record_hash is zero unless hash_len is 32 */
    bool has_null;                /* some field was NULL (read as empty) */
    size_t hash_len;              /* bytes of the stored record hash */
};

/* Entries with idx >= from in index order, at most limit of them (limit < 0: all). *out is
 * owned by the caller (sj_store_ledger_cursor_close). SJ_EDB. */
int sj_store_ledger_entries_open(struct sj_store *store, int64_t from, int64_t limit,
                                 struct sj_store_ledger_cursor **out, struct sj_err *err);
/* 1 and *row filled, 0 at the end, or SJ_EDB. */
int sj_store_ledger_entries_next(struct sj_store_ledger_cursor *cur,
                                 struct sj_store_ledger_row *row, struct sj_err *err);

/* Stored checkpoints in size order. */
int sj_store_ledger_checkpoints_open(struct sj_store *store, struct sj_store_ledger_cursor **out,
                                     struct sj_err *err);
/* 1 with *tree_size (as stored) and *note (a view valid until the next call), 0 at the end,
 * or SJ_EDB. */
int sj_store_ledger_checkpoints_next(struct sj_store_ledger_cursor *cur, int64_t *tree_size,
                                     struct sj_str *note, struct sj_err *err);

void sj_store_ledger_cursor_close(struct sj_store_ledger_cursor *cur);

#endif
