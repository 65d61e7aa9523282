/*
 * test_ledger_tamper.c - unit tests of whole ledgers in real SQLite workspaces: appends with
 * their signed checkpoints, proofs from stored leaves, payload and field checks, appends
 * rolled back with the caller's transaction, SM3 ledgers, key files, checkpoints kept
 * outside, rewrites and truncations, and 10,000 random edits, deletions and reorderings of
 * stored entries, each of which verification must pin on the right entry.
 *
 * Tampering goes through the store's own connection inside a savepoint that is rolled back
 * after each verification, so one ledger of 200 entries serves every round.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/ledger_int.h" /* key files, to play the key holder */
#include "shujian/ledger.h"
#include "shujian/ledger_store.h"
#include "shujian/store.h"
#include "store/store_int.h" /* the store's own connection, to tamper inside a savepoint */
#include "test_util.h"

/* ---- Ledgers in real workspaces ---------------------------------------------------------------
 */

struct fixture {
    struct tu_workspace w;
    struct sj_ledger *ledger;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (tu_workspace_init(&f->w, "sj-ledger", true) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sj_ledger_close(f->ledger);
    tu_workspace_release(&f->w);
    free(f);
    return 0;
}

static struct sj_ledger *make_ledger(struct fixture *f, enum sj_ledger_alg alg, const char *origin)
{
    struct sj_ledger_options opts = {alg, origin};
    struct sj_err err;
    if (sj_ledger_create(f->w.store, &opts, &err) < 0)
        fail_msg("create: %s", err.message);
    if (sj_ledger_open(f->w.store, &f->ledger, &err) < 0)
        fail_msg("open: %s", err.message);
    return f->ledger;
}

static const char *const people[] = {"张伟", "王芳", "李娜", "刘洋", "陈静"};

/* Appends entries [from, to) with distinct, non-empty fields. */
static void append_range(struct sj_ledger *l, int from, int to)
{
    static const char *const actions[] = {"lead.status", "dataset.import", "user.login"};
    for (int i = from; i < to; i++) {
        char id[32], addr[32], payload[128];
        struct sj_err err;
        uint64_t index = 0;
        snprintf(id, sizeof id, "L%04d", i);
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 250, i % 250 + 1);
        snprintf(payload, sizeof payload, "{\"note\":\"第%d次\",\"n\":%d}", i, i);
        struct sj_ledger_record rec = {people[i % 5], "某市人民检察院", actions[i % 3], "lead", id,
                                       addr,          payload};
        if (sj_ledger_append(l, &rec, &index, &err) < 0)
            fail_msg("append %d: %s", i, err.message);
        assert_int_equal(index, (uint64_t)i);
    }
}

static void verify(struct fixture *f, struct sj_str checkpoint, struct sj_ledger_report *rep)
{
    struct sj_ledger_verify_options opts = {checkpoint, false};
    struct sj_err err;
    if (sj_ledger_verify(f->w.store, &opts, rep, &err) < 0)
        fail_msg("verify: %s", err.message);
}

static void assert_intact(struct fixture *f, uint64_t size)
{
    struct sj_ledger_report rep;
    verify(f, sj_str_make("", 0), &rep);
    if (!rep.is_ok)
        fail_msg("not intact: %s: %s", sj_ledger_problem_name(rep.problem), rep.message);
    assert_int_equal(rep.entries, size);
    assert_int_equal(rep.tree_size, size);
}

static void exec(struct fixture *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(f->w.store->db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static void drop_guards(struct fixture *f)
{
    exec(f, "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete;"
            "DROP TRIGGER ledger_checkpoints_no_update; DROP TRIGGER ledger_checkpoints_keep");
}

static char *latest_note(struct fixture *f, uint64_t want_size)
{
    char *note = NULL;
    uint64_t size = 0;
    struct sj_err err;
    assert_int_equal(sj_ledger_checkpoint_latest(f->ledger, &note, &size, &err), 0);
    assert_int_equal(size, want_size);
    return note;
}

static void test_append_verify_prove(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, "spp.example.cn/ledger");
    struct sj_ledger_checkpoint cp3, cp20;
    struct sj_ledger_digest proof[SJ_LEDGER_PROOF_MAX];
    struct sj_ledger_entry e;
    struct sj_ledger_reader *reader = NULL;
    struct sj_err err;
    struct stat st;
    size_t len = 0;
    assert_intact(f, 0);
    append_range(l, 0, 3);
    char *note3 = latest_note(f, 3);
    append_range(l, 3, 20);
    char *note20 = latest_note(f, 20);
    assert_intact(f, 20);
    assert_int_equal(sj_ledger_checkpoint_parse(sj_str_from_cstr(note3), &cp3, &err), 0);
    assert_int_equal(sj_ledger_checkpoint_parse(sj_str_from_cstr(note20), &cp20, &err), 0);
    assert_string_equal(cp20.origin, "spp.example.cn/ledger");
    /* Each entry's inclusion in the tree of 20, and 3 -> 20 consistency. */
    assert_int_equal(sj_ledger_read_open(l, 0, -1, &reader, &err), 0);
    for (uint64_t i = 0; i < 20; i++) {
        assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
        assert_int_equal(e.index, i);
        assert_int_equal(sj_ledger_inclusion_proof(l, i, 20, proof, &len, &err), 0);
        assert_int_equal(sj_ledger_verify_inclusion(SJ_LEDGER_SHA256, i, 20, &e.record_hash, proof,
                                                    len, &cp20.root),
                         0);
    }
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 0);
    sj_ledger_read_close(reader);
    assert_int_equal(sj_ledger_consistency_proof(l, 3, 20, proof, &len, &err), 0);
    assert_int_equal(
        sj_ledger_verify_consistency(SJ_LEDGER_SHA256, 3, 20, proof, len, &cp3.root, &cp20.root),
        0);
    assert_int_equal(sj_ledger_inclusion_proof(l, 20, 21, proof, &len, &err), SJ_EINVAL);
    /* Checkpoints kept: the empty tree, 16, and the newest. */
    char sql_count[] = "SELECT group_concat(tree_size) FROM ledger_checkpoints";
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->w.store->db, sql_count, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "0,16,20");
    sqlite3_finalize(stmt);
    /* The key file is private; a second ledger is refused; the guards hold. */
    char *path = sj_ledger_key_path(f->w.ws);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(path);
    assert_int_equal(sj_ledger_create(f->w.store, NULL, &err), SJ_EEXIST);
    assert_int_not_equal(
        sqlite3_exec(f->w.store->db, "UPDATE ledger_entries SET actor = 'x'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(f->w.store->db, "DELETE FROM ledger_checkpoints", NULL, NULL, NULL),
        SQLITE_OK);
    assert_intact(f, 20);
    sj_ledger_checkpoint_release(&cp3);
    sj_ledger_checkpoint_release(&cp20);
    free(note3);
    free(note20);
}

static void test_append_checks(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, NULL);
    struct sj_err err;
    const struct {
        struct sj_ledger_record rec;
        int want;
    } cases[] = {
        {{NULL, "o", "a", "t", "i", "f", NULL}, SJ_EINVAL},
        {{"u", "o", "", "t", "i", "f", NULL}, SJ_EINVAL},
        {{"u", "o", "a", NULL, "i", "f", NULL}, SJ_EINVAL},
        {{"u", "o\n", "a", "t", "i", "f", NULL}, SJ_EINVAL},
        {{"u\xff", "o", "a", "t", "i", "f", NULL}, SJ_EINVAL},
        {{"u", "o", "a", "t", "i", "f", "{"}, SJ_EINVAL},
        {{"u", "o", "a", "t", "i", "f", "{\"a\":1,\"a\":2}"}, SJ_EINVAL},
        {{"u", NULL, "a", "t", NULL, NULL, NULL}, 0},
        {{"u", "o", "a", "t", "i", "f", " { \"b\" : [1, 2], \"a\" : \"值\" } "}, 0},
        {{"u", "o", "a", "t", "i", "f", "\"just a string\""}, 0},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++)
        assert_int_equal(sj_ledger_append(l, &cases[i].rec, NULL, &err), cases[i].want);
    char big[SJ_LEDGER_FIELD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct sj_ledger_record rec = {big, NULL, "a", "t", NULL, NULL, NULL};
    assert_int_equal(sj_ledger_append(l, &rec, NULL, &err), SJ_EINVAL);
    struct sj_ledger_reader *reader = NULL;
    struct sj_ledger_entry e;
    assert_int_equal(sj_ledger_read_open(l, 0, 10, &reader, &err), 0);
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
    assert_true(sj_str_eq_cstr(e.payload, "{}"));
    assert_true(sj_str_eq_cstr(e.office, ""));
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
    assert_true(sj_str_eq_cstr(e.payload, "{\"a\":\"值\",\"b\":[1,2]}"));
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
    assert_true(sj_str_eq_cstr(e.payload, "\"just a string\""));
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 0);
    sj_ledger_read_close(reader);
    assert_intact(f, 3);
}

/* An append inside the caller's transaction rolls back with it; the ledger notices that
 * its in-memory tree is ahead and rebuilds it, and the log stays intact. */
static void test_append_rolled_back(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, NULL);
    append_range(l, 0, 5);
    exec(f, "BEGIN IMMEDIATE");
    append_range(l, 5, 7);
    exec(f, "ROLLBACK");
    assert_intact(f, 5);
    append_range(l, 5, 9);
    assert_intact(f, 9);
    exec(f, "BEGIN IMMEDIATE");
    append_range(l, 9, 10);
    exec(f, "COMMIT");
    assert_intact(f, 10);
}

static void test_sm3_ledger(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SM3, "spp.example.cn/sm3");
    struct sj_ledger_digest leaves[7], root;
    struct sj_ledger_checkpoint cp;
    struct sj_ledger_reader *reader = NULL;
    struct sj_ledger_entry e;
    struct sj_err err;
    append_range(l, 0, 7);
    struct sj_ledger_report rep;
    verify(f, sj_str_make("", 0), &rep);
    assert_true(rep.is_ok);
    assert_int_equal(rep.alg, SJ_LEDGER_SM3);
    assert_int_equal(sj_ledger_read_open(l, 0, -1, &reader, &err), 0);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
        assert_int_equal(sj_ledger_entry_hash(SJ_LEDGER_SM3, &e, &leaves[i]), 0);
        assert_memory_equal(&leaves[i], &e.record_hash, sizeof root);
    }
    sj_ledger_read_close(reader);
    char *note = latest_note(f, 7);
    assert_int_equal(sj_ledger_checkpoint_parse(sj_str_from_cstr(note), &cp, &err), 0);
    assert_int_equal(sj_ledger_tree_hash(SJ_LEDGER_SM3, leaves, 7, &root), 0);
    assert_memory_equal(&root, &cp.root, sizeof root);
    assert_int_equal(sj_ledger_tree_hash(SJ_LEDGER_SHA256, leaves, 7, &root), 0);
    assert_memory_not_equal(&root, &cp.root, sizeof root);
    sj_ledger_checkpoint_release(&cp);
    free(note);
}

static void test_key_file_problems(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, "k.example/log");
    struct sj_ledger_report rep;
    struct sj_err err;
    uint8_t pk[32], sk[64];
    char vkey[256], *path = sj_ledger_key_path(f->w.ws);
    append_range(l, 0, 2);
    assert_int_equal(sj_ledger_verifier_key(l, vkey, sizeof vkey), 0);
    assert_true(strncmp(vkey, "k.example/log+", 14) == 0);
    /* Without the key file: verification still works, appending does not. */
    char moved[400];
    snprintf(moved, sizeof moved, "%s.moved", path);
    assert_int_equal(rename(path, moved), 0);
    verify(f, sj_str_make("", 0), &rep);
    assert_true(rep.is_ok);
    assert_false(rep.is_key_file_checked);
    sj_ledger_close(f->ledger);
    assert_int_equal(sj_ledger_open(f->w.store, &f->ledger, &err), 0);
    struct sj_ledger_record rec = {"u", NULL, "a", "t", NULL, NULL, NULL};
    assert_int_equal(sj_ledger_append(f->ledger, &rec, NULL, &err), SJ_ENOTFOUND);
    /* Another key under the same name: verification names it, appending refuses. */
    crypto_sign_keypair(pk, sk);
    assert_int_equal(sj_ledger_key_write(path, "k.example/log", sk, &err), 0);
    assert_int_equal(sj_ledger_key_write(path, "k.example/log", sk, &err), SJ_EEXIST);
    verify(f, sj_str_make("", 0), &rep);
    assert_false(rep.is_ok);
    assert_int_equal(rep.problem, SJ_LEDGER_BAD_KEY_FILE);
    assert_int_equal(sj_ledger_append(f->ledger, &rec, NULL, &err), SJ_EFORMAT);
    unlink(path);
    assert_int_equal(rename(moved, path), 0);
    assert_int_equal(sj_ledger_append(f->ledger, &rec, NULL, &err), 0);
    assert_intact(f, 3);
    free(path);
}

/* Signs and stores a checkpoint of the current stored leaves, as someone holding the key
 * would after rewriting the log. */
static void resign(struct fixture *f, uint64_t size)
{
    struct sj_ledger_digest leaves[64], root;
    struct sj_buf note;
    struct sj_err err;
    uint8_t sk[64];
    char *path = sj_ledger_key_path(f->w.ws), sql[128];
    assert_int_equal(sj_ledger_key_read(path, sj_ledger_origin(f->ledger), sk, &err), 0);
    assert_int_equal(sj_store_ledger_leaf_hashes(f->w.store, 0, size, leaves, &err), 0);
    sj_ledger_tree_hash(SJ_LEDGER_SHA256, leaves, size, &root);
    sj_buf_init(&note, 0);
    sj_ledger_checkpoint_sign(sj_ledger_origin(f->ledger), size, &root, sk, &note);
    snprintf(sql, sizeof sql, "DELETE FROM ledger_checkpoints WHERE tree_size >= %" PRIu64, size);
    exec(f, sql);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(f->w.store->db, "INSERT INTO ledger_checkpoints VALUES (?, ?, 'x')", -1,
                       &stmt, NULL);
    sqlite3_bind_int64(stmt, 1, (int64_t)size);
    sqlite3_bind_text(stmt, 2, note.data, (int)note.len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    sj_buf_release(&note);
    free(path);
}

static void expect_problem(struct fixture *f, struct sj_str checkpoint,
                           enum sj_ledger_problem problem, bool has_index, uint64_t index)
{
    struct sj_ledger_report rep;
    verify(f, checkpoint, &rep);
    if (rep.is_ok || rep.problem != problem || rep.has_index != has_index ||
        (has_index && rep.index != index))
        fail_msg("want %s at %" PRIu64 ", got %s (%d) at %" PRIu64 ": %s",
                 sj_ledger_problem_name(problem), index, sj_ledger_problem_name(rep.problem),
                 rep.has_index, rep.index, rep.message);
}

static void test_outside_checkpoint(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, "ext.example/log");
    struct sj_ledger_report rep;
    append_range(l, 0, 5);
    char *note5 = latest_note(f, 5);
    append_range(l, 5, 8);
    char *note8 = latest_note(f, 8);
    verify(f, sj_str_from_cstr(note5), &rep);
    assert_true(rep.is_ok);
    assert_true(rep.is_external_checked);
    /* A checkpoint that does not parse is an error, not a verdict. */
    struct sj_ledger_verify_options opts = {SJ_STR_LIT("garbage\n"), false};
    struct sj_err err;
    assert_int_equal(sj_ledger_verify(f->w.store, &opts, &rep, &err), SJ_EFORMAT);
    /* The size changed from 5 to 4: the signature no longer holds. */
    char *forged = sj_xstrdup(note5);
    forged[strlen("ext.example/log\n")] = '4';
    expect_problem(f, sj_str_from_cstr(forged), SJ_LEDGER_EXTERNAL_BAD, false, 0);
    free(forged);
    /* The key holder truncates the log to 3 entries, re-signs and appends two others:
     * the stored checkpoints agree, the one kept outside does not. */
    drop_guards(f);
    exec(f, "DELETE FROM ledger_entries WHERE idx >= 3");
    resign(f, 3);
    sj_ledger_close(f->ledger);
    assert_int_equal(sj_ledger_open(f->w.store, &f->ledger, &err), 0);
    for (int i = 3; i < 5; i++) {
        struct sj_ledger_record rec = {"冒名者", NULL, "lead.status", "lead", "L0003", NULL, NULL};
        assert_int_equal(sj_ledger_append(f->ledger, &rec, NULL, &err), 0);
    }
    assert_intact(f, 5);
    expect_problem(f, sj_str_from_cstr(note5), SJ_LEDGER_EXTERNAL_ROOT, false, 0);
    expect_problem(f, sj_str_from_cstr(note8), SJ_LEDGER_TRUNCATED, true, 5);
    free(note5);
    free(note8);
}

/* Damage that the record hashes cannot pin on one entry, or that removes entries. */
static void test_rewrites_and_truncation(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, NULL);
    struct sj_ledger_entry e;
    struct sj_ledger_reader *reader = NULL;
    struct sj_err err;
    append_range(l, 0, 40);
    drop_guards(f);
    /* Entry 20 rewritten together with its record hash: the signed tree head at 32 is the
     * first to disagree, so the report names the window 16..31. */
    exec(f, "SAVEPOINT t");
    assert_int_equal(sj_ledger_read_open(l, 20, 1, &reader, &err), 0);
    assert_int_equal(sj_ledger_read_next(reader, &e, &err), 1);
    e.actor = sj_str_from_cstr("赵六");
    struct sj_ledger_digest h;
    assert_int_equal(sj_ledger_entry_hash(SJ_LEDGER_SHA256, &e, &h), 0);
    sj_ledger_read_close(reader);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(f->w.store->db,
                       "UPDATE ledger_entries SET actor = '赵六', record_hash = ? WHERE idx = 20",
                       -1, &stmt, NULL);
    sqlite3_bind_blob(stmt, 1, h.bytes, sizeof h.bytes, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_CHECKPOINT_ROOT, true, 16);
    exec(f, "ROLLBACK TO t; RELEASE t");
    /* The tail removed: the newest checkpoint still covers it. */
    exec(f, "SAVEPOINT t; DELETE FROM ledger_entries WHERE idx >= 37");
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_TRUNCATED, true, 37);
    exec(f, "ROLLBACK TO t; RELEASE t");
    /* Entries forged after the newest checkpoint. */
    exec(f, "SAVEPOINT t");
    assert_int_equal(sj_ledger_read_open(l, 0, 2, &reader, &err), 0);
    while (sj_ledger_read_next(reader, &e, &err) == 1) {
        e.index += 40; /* a well-formed entry with a correct record hash */
        assert_int_equal(sj_ledger_entry_hash(SJ_LEDGER_SHA256, &e, &e.record_hash), 0);
        assert_int_equal(sj_store_ledger_entry_add(f->w.store, &e, &err), 0);
    }
    sj_ledger_read_close(reader);
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_UNSIGNED, true, 40);
    exec(f, "ROLLBACK TO t; RELEASE t");
    /* The metadata: another public key, another hash algorithm. */
    exec(f, "DROP TRIGGER ledger_meta_no_update");
    exec(f, "SAVEPOINT t; UPDATE ledger_meta SET public_key = zeroblob(32)");
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_BAD_KEY_FILE, false, 0);
    struct sj_ledger_verify_options opts = {{"", 0}, true};
    struct sj_ledger_report rep;
    assert_int_equal(sj_ledger_verify(f->w.store, &opts, &rep, &err), 0);
    assert_int_equal(rep.problem, SJ_LEDGER_CHECKPOINT_SIG);
    exec(f, "ROLLBACK TO t; RELEASE t");
    exec(f, "SAVEPOINT t; UPDATE ledger_meta SET hash_alg = 'sm3'");
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_CHECKPOINT_ROOT, false, 0);
    exec(f, "ROLLBACK TO t; RELEASE t");
    exec(f, "SAVEPOINT t; UPDATE ledger_meta SET hash_alg = 'md5'");
    expect_problem(f, sj_str_make("", 0), SJ_LEDGER_BAD_META, false, 0);
    exec(f, "ROLLBACK TO t; RELEASE t");
    assert_intact(f, 40);
}

/* ---- 10,000 random mutations of stored entries -------------------------------------------- */

enum { TAMPER_ENTRIES = 200, TAMPER_ROUNDS = 10000 };

static const char *const text_columns[] = {"at",          "actor",     "office",    "action",
                                           "object_type", "object_id", "from_addr", "payload"};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static void run_sql(struct fixture *f, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(f->w.store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->w.store->db));
    sqlite3_bind_int64(stmt, 1, a);
    if (sqlite3_bind_parameter_count(stmt) > 1)
        sqlite3_bind_int64(stmt, 2, b);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->w.store->db));
    sqlite3_finalize(stmt);
}

/* Flips one byte of column col of entry i, keeping the value's storage class. */
static void flip_byte(struct fixture *f, const char *col, int64_t i)
{
    char sql[160];
    sqlite3_stmt *stmt = NULL;
    uint8_t value[2048];
    snprintf(sql, sizeof sql, "SELECT %s, typeof(%s) = 'blob' FROM ledger_entries WHERE idx = ?",
             col, col);
    assert_int_equal(sqlite3_prepare_v2(f->w.store->db, sql, -1, &stmt, NULL), SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, i);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int len = sqlite3_column_bytes(stmt, 0);
    assert_true(len > 0 && len <= (int)sizeof value);
    memcpy(value, sqlite3_column_blob(stmt, 0), (size_t)len);
    bool is_blob = sqlite3_column_int(stmt, 1) != 0;
    sqlite3_finalize(stmt);
    value[rnd((uint64_t)len)] ^= (uint8_t)(1 + rnd(255));
    snprintf(sql, sizeof sql, "UPDATE ledger_entries SET %s = ? WHERE idx = ?", col);
    assert_int_equal(sqlite3_prepare_v2(f->w.store->db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (is_blob)
        sqlite3_bind_blob(stmt, 1, value, len, SQLITE_STATIC);
    else
        sqlite3_bind_text(stmt, 1, (const char *)value, len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, i);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
}

/* Applies one random mutation; returns the problem verification must report and sets *index
 * to the entry it must name. */
static enum sj_ledger_problem mutate(struct fixture *f, uint64_t *index)
{
    const int64_t n = TAMPER_ENTRIES;
    int64_t i = (int64_t)rnd(n), j = (int64_t)rnd(n - 1);
    j += j >= i; /* j != i */
    *index = (uint64_t)(i < j ? i : j);
    switch (rnd(7)) {
    case 0: /* one byte of a field */
        flip_byte(f, text_columns[rnd(SJ_ARRAY_LEN(text_columns))], i);
        *index = (uint64_t)i;
        return SJ_LEDGER_ENTRY_HASH;
    case 1: /* one byte of the record hash */
        flip_byte(f, "record_hash", i);
        *index = (uint64_t)i;
        return SJ_LEDGER_ENTRY_HASH;
    case 2: /* a record hash cut short */
        run_sql(f,
                "UPDATE ledger_entries SET record_hash = substr(record_hash, 1, ?) "
                "WHERE idx = ?",
                (int64_t)rnd(SJ_LEDGER_HASH_LEN), i);
        *index = (uint64_t)i;
        return SJ_LEDGER_ENTRY_MALFORMED;
    case 3: /* deleted */
        run_sql(f, "DELETE FROM ledger_entries WHERE idx = ?", i, 0);
        *index = (uint64_t)i;
        return i == n - 1 ? SJ_LEDGER_TRUNCATED : SJ_LEDGER_ENTRY_MISSING;
    case 4: /* two entries swap places (indexes) */
        run_sql(f, "UPDATE ledger_entries SET idx = -1 WHERE idx = ?", i, 0);
        run_sql(f, "UPDATE ledger_entries SET idx = ? WHERE idx = ?", i, j);
        run_sql(f, "UPDATE ledger_entries SET idx = ? WHERE idx = -1", j, 0);
        return SJ_LEDGER_ENTRY_HASH;
    case 5: /* two entries swap contents but keep their record hashes */
        run_sql(f, "DELETE FROM temp.sw", 0, 0);
        run_sql(f, "INSERT INTO temp.sw SELECT * FROM ledger_entries WHERE idx IN (?, ?)", i, j);
        run_sql(f,
                "UPDATE ledger_entries SET (at, actor, office, action, object_type, object_id,"
                " from_addr, payload) = (SELECT at, actor, office, action, object_type,"
                " object_id, from_addr, payload FROM temp.sw WHERE sw.idx != ledger_entries.idx)"
                " WHERE idx IN (?, ?)",
                i, j);
        return SJ_LEDGER_ENTRY_HASH;
    default: /* moved past the end */
        run_sql(f, "UPDATE ledger_entries SET idx = ? WHERE idx = ?", n + (int64_t)rnd(1000), i);
        *index = (uint64_t)i;
        return SJ_LEDGER_ENTRY_MISSING;
    }
}

static void test_random_tampering(void **state)
{
    struct fixture *f = *state;
    struct sj_ledger *l = make_ledger(f, SJ_LEDGER_SHA256, NULL);
    struct sj_ledger_verify_options opts = {{"", 0}, true};
    struct sj_ledger_report rep;
    struct sj_err err;
    uint64_t counts[16] = {0};
    append_range(l, 0, TAMPER_ENTRIES);
    drop_guards(f);
    exec(f, "CREATE TEMP TABLE sw AS SELECT * FROM ledger_entries WHERE 0");
    clock_t start = clock();
    for (int round = 0; round < TAMPER_ROUNDS; round++) {
        uint64_t index = 0;
        exec(f, "SAVEPOINT tamper");
        enum sj_ledger_problem want = mutate(f, &index);
        assert_int_equal(sj_ledger_verify(f->w.store, &opts, &rep, &err), 0);
        if (rep.is_ok || rep.problem != want || !rep.has_index || rep.index != index)
            fail_msg("round %d: want %s at %" PRIu64 ", got %s at %" PRIu64 ": %s", round,
                     sj_ledger_problem_name(want), index, sj_ledger_problem_name(rep.problem),
                     rep.index, rep.message);
        counts[want]++;
        exec(f, "ROLLBACK TO tamper; RELEASE tamper");
    }
    print_message("# %d mutations detected in %.1f s (hash %" PRIu64 ", missing %" PRIu64
                  ", malformed %" PRIu64 ", truncated %" PRIu64 ")\n",
                  TAMPER_ROUNDS, (double)(clock() - start) / CLOCKS_PER_SEC,
                  counts[SJ_LEDGER_ENTRY_HASH], counts[SJ_LEDGER_ENTRY_MISSING],
                  counts[SJ_LEDGER_ENTRY_MALFORMED], counts[SJ_LEDGER_TRUNCATED]);
    assert_intact(f, TAMPER_ENTRIES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_verify_prove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sm3_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outside_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewrites_and_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_tampering, setup, teardown),
    };
    return cmocka_run_group_tests_name("ledger_tamper", tests, NULL, NULL);
}
