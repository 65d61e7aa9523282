/*
 * test_ledger_batch.c - batches of ledger appends with one signature (sj_ledger_batch_begin /
 * _end, what the HTTP writer does per group commit) in real workspaces: the log verifies
 * after every batch; one checkpoint per batch plus the kept multiples of
 * SJ_LEDGER_CHECKPOINT_KEEP; a savepoint rolled back inside a batch drops its entries and
 * the next ones take their indexes; a batch outside a transaction is refused; a batch whose
 * transaction is rolled back after its end leaves a log that the next append (of this or
 * another handle) extends correctly; and the statement cache gives statements back reset.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/ledger.h"
#include "shujian/store.h"
#include "store/store_int.h" /* the connection, for transactions and the statement cache */
#include "test_util.h"

struct fixture {
    struct tu_workspace w;
    struct sj_ledger *ledger;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (tu_workspace_init(&f->w, "sj-ledger-batch", true) != 0)
        return -1;
    struct sj_ledger_options opts = {SJ_LEDGER_SHA256, "test.example/ledger"};
    struct sj_err err;
    if (sj_ledger_create(f->w.store, &opts, &err) < 0 ||
        sj_ledger_open(f->w.store, &f->ledger, &err) < 0)
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

static int append(struct sj_ledger *l, int i, uint64_t *index)
{
    char id[32], payload[64];
    struct sj_err err;
    snprintf(id, sizeof id, "L%04d", i);
    snprintf(payload, sizeof payload, "{\"n\":%d}", i);
    struct sj_ledger_record rec = {"张伟", "某市人民检察院", "lead.status", "lead",
                                   id,     "10.0.0.1",       payload};
    return sj_ledger_append(l, &rec, index, &err);
}

static void exec(struct sj_store *store, const char *sql)
{
    assert_int_equal(sj_store_exec(store, sql, NULL), 0);
}

static int64_t query_int(struct sj_store *store, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sj_store_prepare_cached(store, sql, &st, NULL), 0);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sj_store_finish(store, st);
    return v;
}

static void assert_intact(struct sj_store *store, uint64_t size)
{
    struct sj_ledger_verify_options opts = {{NULL, 0}, false};
    struct sj_ledger_report rep;
    struct sj_err err;
    if (sj_ledger_verify(store, &opts, &rep, &err) < 0)
        fail_msg("verify: %s", err.message);
    assert_true(rep.is_ok);
    assert_int_equal(rep.entries, size);
    assert_int_equal(rep.tree_size, size);
    assert_int_equal(query_int(store, "SELECT max(tree_size) FROM ledger_checkpoints"),
                     (int64_t)size);
}

/* Runs appends [from, to) as one batch in one transaction. */
static void batch(struct fixture *f, int from, int to)
{
    struct sj_store *s = f->w.store;
    exec(s, "BEGIN IMMEDIATE");
    sj_ledger_batch_begin(f->ledger);
    for (int i = from; i < to; i++) {
        uint64_t index = 0;
        assert_int_equal(append(f->ledger, i, &index), 0);
        assert_int_equal(index, (uint64_t)i);
    }
    assert_int_equal(sj_ledger_batch_end(f->ledger, NULL), 0);
    exec(s, "COMMIT");
}

static void test_batches_verify(void **state)
{
    struct fixture *f = *state;
    struct sj_store *s = f->w.store;
    static const int ends[] = {1, 5, 15, 16, 40, 41}; /* across and onto the kept multiples */
    int from = 0;
    for (size_t i = 0; i < SJ_ARRAY_LEN(ends); i++) {
        batch(f, from, ends[i]);
        from = ends[i];
        assert_intact(s, (uint64_t)from);
    }
    /* Kept for ever: 16 and 32 (each signed as reached inside its batch); the newest: 41. */
    assert_int_equal(query_int(s, "SELECT count(*) FROM ledger_checkpoints WHERE tree_size "
                                  "IN (16, 32, 41)"),
                     3);
    assert_int_equal(query_int(s, "SELECT count(*) FROM ledger_checkpoints WHERE tree_size > 0"),
                     3);
    uint64_t index = 0;
    assert_int_equal(append(f->ledger, 41, &index), 0); /* a plain append after batches */
    assert_int_equal(index, 41);
    assert_intact(s, 42);
}

static void test_rolled_back_savepoint(void **state)
{
    struct fixture *f = *state;
    struct sj_store *s = f->w.store;
    uint64_t index = 0;
    exec(s, "BEGIN IMMEDIATE");
    sj_ledger_batch_begin(f->ledger);
    for (int i = 0; i < 3; i++)
        assert_int_equal(append(f->ledger, i, &index), 0);
    exec(s, "SAVEPOINT w");
    assert_int_equal(append(f->ledger, 100, &index), 0);
    assert_int_equal(append(f->ledger, 101, &index), 0);
    assert_int_equal(index, 4);
    exec(s, "ROLLBACK TO w; RELEASE w"); /* that write failed after its entries */
    assert_int_equal(append(f->ledger, 3, &index), 0);
    assert_int_equal(index, 3); /* the dropped entries' place is taken */
    exec(s, "SAVEPOINT w");
    for (int i = 4; i < 20; i++) /* the rolled-back part crosses 16 */
        assert_int_equal(append(f->ledger, 200 + i, &index), 0);
    exec(s, "ROLLBACK TO w; RELEASE w");
    assert_int_equal(sj_ledger_batch_end(f->ledger, NULL), 0);
    exec(s, "COMMIT");
    assert_intact(s, 4);
    assert_int_equal(query_int(s, "SELECT count(*) FROM ledger_checkpoints WHERE tree_size > 4"),
                     0);
}

static void test_refused_and_empty(void **state)
{
    struct fixture *f = *state;
    uint64_t index = 0;
    sj_ledger_batch_begin(f->ledger);
    assert_int_equal(sj_ledger_batch_end(f->ledger, NULL), 0); /* nothing appended */
    sj_ledger_batch_begin(f->ledger);
    assert_int_equal(append(f->ledger, 0, &index), SJ_EINVAL); /* no transaction */
    assert_int_equal(sj_ledger_batch_end(f->ledger, NULL), 0);
    assert_int_equal(append(f->ledger, 0, &index), 0); /* and out of the batch, all is well */
    assert_intact(f->w.store, 1);
}

/* The commit after the batch's end fails (here: a rollback): the next appends, of this
 * handle and of another connection's, see the log as it is. */
static void test_rolled_back_batch(void **state)
{
    struct fixture *f = *state;
    struct sj_store *s = f->w.store, *other = NULL;
    struct sj_ledger *l2 = NULL;
    uint64_t index = 0;
    batch(f, 0, 3);
    exec(s, "BEGIN IMMEDIATE");
    sj_ledger_batch_begin(f->ledger);
    for (int i = 3; i < 20; i++)
        assert_int_equal(append(f->ledger, i, &index), 0);
    assert_int_equal(sj_ledger_batch_end(f->ledger, NULL), 0);
    exec(s, "ROLLBACK");
    assert_int_equal(append(f->ledger, 3, &index), 0);
    assert_int_equal(index, 3);
    assert_intact(s, 4);
    assert_int_equal(sj_store_open(sj_store_dir(s), false, &other, NULL), 0);
    assert_int_equal(sj_ledger_open(other, &l2, NULL), 0);
    assert_int_equal(append(l2, 4, &index), 0);
    assert_int_equal(index, 4);
    batch(f, 5, 9); /* this handle extends the other's entry */
    assert_intact(s, 9);
    sj_ledger_close(l2);
    sj_store_close(other);
}

/* The cache hands a statement back reset: no read transaction stays open after
 * sj_store_finish even when the rows were not all read, and a nested use of the same text
 * gets a statement of its own. */
static void test_statement_cache(void **state)
{
    struct fixture *f = *state;
    struct sj_store *s = f->w.store;
    static const char sql[] = "SELECT name FROM sqlite_master";
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(sj_store_prepare_cached(s, sql, &a, NULL), 0);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sj_store_prepare_cached(s, sql, &b, NULL), 0); /* nested */
    assert_ptr_not_equal(a, b);
    sj_store_finish(s, b);
    assert_true(sqlite3_stmt_busy(a));
    sj_store_finish(s, a);
    assert_false(sqlite3_stmt_busy(a));
    assert_int_equal(sj_store_prepare_cached(s, sql, &c, NULL), 0);
    assert_ptr_equal(a, c); /* the same one, again */
    sj_store_finish(s, c);
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st))
        assert_false(sqlite3_stmt_busy(st));
    sj_store_finish(s, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batches_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_savepoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
    };
    return cmocka_run_group_tests_name("ledger_batch", tests, NULL, NULL);
}
