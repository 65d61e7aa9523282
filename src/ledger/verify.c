/*
 * verify.c - offline verification of a workspace's whole ledger, in index order inside one
 * read snapshot: metadata, key file, every entry's leaf hash recomputed from its fields,
 * the index sequence, every stored checkpoint (parsed, signature checked with the stored
 * public key, tree head recomputed from the entries), entries past the newest checkpoint,
 * and consistency with a checkpoint given from outside (kept since, elsewhere).
 *
 * Invariant: nothing read from the database is believed without being recomputed; the
 * first problem in index order ends verification and is the one reported, so the report
 * names the first bad entry whenever the damage can be pinned to one entry.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "shujian/ledger_store.h"
#include "shujian/store.h"

struct verifier {
    struct sj_store *store;
    struct sj_ledger *ledger;
    struct sj_ledger_report *rep;
    struct sj_ledger_tree tree;
    struct sj_buf scratch;              /* leaf data of the entry being hashed */
    struct sj_store_ledger_cursor *cps; /* stored checkpoints, in size order */
    bool has_cp;                        /* cp_size / cp_note hold the next unchecked one */
    int64_t cp_size;
    struct sj_str cp_note;
    uint64_t last_good; /* size of the last checkpoint found good */
    bool has_external;  /* the outside checkpoint, parsed and signature-checked */
    struct sj_ledger_checkpoint external;
};

const char *sj_ledger_problem_name(enum sj_ledger_problem problem)
{
    static const char *const names[] = {
        "ok",
        "bad-meta",
        "bad-key-file",
        "entry-missing",
        "entry-malformed",
        "entry-hash",
        "checkpoint-bad",
        "checkpoint-signature",
        "checkpoint-root",
        "truncated",
        "unsigned-entries",
        "external-bad",
        "external-root",
    };
    if ((size_t)problem < SJ_ARRAY_LEN(names))
        return names[problem];
    return "unknown";
}

/* Records the problem (the first one wins) and returns 1 so callers can stop. */
static int SJ_PRINTF(5, 6) problem(struct verifier *v, enum sj_ledger_problem p, bool has_index,
                                   uint64_t index, const char *fmt, ...)
{
    struct sj_ledger_report *rep = v->rep;
    if (rep->problem != SJ_LEDGER_OK)
        return 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->message, sizeof rep->message, fmt, ap);
    va_end(ap);
    rep->problem = p;
    rep->has_index = has_index;
    rep->index = index;
    return 1;
}

/* ---- Key file and outside checkpoint -----------------------------------------------------------
 */

static int check_key_file(struct verifier *v)
{
    uint8_t sk[SJ_LEDGER_SK_LEN];
    struct sj_err err;
    char *path = sj_ledger_key_path(sj_store_dir(v->store));
    int rc = sj_ledger_key_read(path, v->ledger->origin, sk, &err);
    int stop = 0;
    if (rc == 0 && sodium_memcmp(sk + 32, v->ledger->public_key, SJ_LEDGER_PK_LEN) != 0)
        stop = problem(v, SJ_LEDGER_BAD_KEY_FILE, false, 0,
                       "账本密钥文件 %s 的公钥与数据库中登记的公钥不符", path);
    else if (rc == SJ_EFORMAT)
        stop = problem(v, SJ_LEDGER_BAD_KEY_FILE, false, 0, "%s", err.message);
    v->rep->is_key_file_checked = rc == 0;
    sodium_memzero(sk, sizeof sk);
    free(path);
    return stop;
}

/* 0 to go on, 1 to stop (problem recorded), or SJ_EFORMAT when text does not parse. */
static int take_external(struct verifier *v, struct sj_str text, struct sj_err *err)
{
    struct sj_ledger_checkpoint *cp = &v->external;
    int rc = sj_ledger_checkpoint_parse(text, cp, err);
    if (rc < 0)
        return rc;
    v->has_external = true;
    if (strcmp(cp->origin, v->ledger->origin) != 0)
        return problem(v, SJ_LEDGER_EXTERNAL_BAD, false, 0,
                       "给定的检查点属于日志“%s”，不是本账本（%s）", cp->origin, v->ledger->origin);
    struct sj_err why;
    sj_err_clear(&why);
    if (sj_ledger_checkpoint_check(cp, text, v->ledger->origin, v->ledger->public_key, &why) < 0)
        return problem(v, SJ_LEDGER_EXTERNAL_BAD, false, 0, "给定的检查点未经本账本密钥签名：%s",
                       why.message);
    return 0;
}

/* ---- Checkpoints along the way -----------------------------------------------------------------
 */

static int next_cp(struct verifier *v, struct sj_err *err)
{
    int rc = sj_store_ledger_checkpoints_next(v->cps, &v->cp_size, &v->cp_note, err);
    v->has_cp = rc == 1;
    return rc < 0 ? rc : 0;
}

/* Checks the stored checkpoint in v->cp_* against the tree of the entries read so far. */
static int check_stored_cp(struct verifier *v)
{
    struct sj_ledger_checkpoint cp;
    struct sj_ledger_digest root;
    struct sj_err why;
    uint64_t size = v->tree.size;
    int stop = 0;
    sj_err_clear(&why);
    if (sj_ledger_checkpoint_parse(v->cp_note, &cp, &why) < 0)
        stop = problem(v, SJ_LEDGER_CHECKPOINT_BAD, false, 0, "大小为 %" PRIu64 " 的检查点：%s",
                       size, why.message);
    else if (cp.tree_size != size || strcmp(cp.origin, v->ledger->origin) != 0)
        stop = problem(v, SJ_LEDGER_CHECKPOINT_BAD, false, 0,
                       "登记为大小 %" PRIu64 " 的检查点写的是日志“%s”的大小 %" PRIu64, size,
                       cp.origin, cp.tree_size);
    else if (sj_ledger_checkpoint_check(&cp, v->cp_note, v->ledger->origin, v->ledger->public_key,
                                        &why) < 0)
        stop = problem(v, SJ_LEDGER_CHECKPOINT_SIG, false, 0, "大小为 %" PRIu64 " 的检查点：%s",
                       size, why.message);
    else if (sj_ledger_tree_root(&v->tree, &root) < 0 || !sj_ledger_digest_eq(&root, &cp.root))
        stop = problem(v, SJ_LEDGER_CHECKPOINT_ROOT, size > v->last_good, v->last_good,
                       "记录重算出的大小 %" PRIu64 " 的树根与已签名检查点不符：记录 %" PRIu64
                       " 至 %" PRIu64 " 中有记录连同其记录哈希被改动",
                       size, v->last_good, size ? size - 1 : 0);
    v->rep->checkpoint_size = size;
    if (!stop) {
        v->rep->checkpoints++;
        v->last_good = size;
    }
    sj_ledger_checkpoint_release(&cp);
    return stop;
}

/* Checks every stored checkpoint of the current size, and the outside one. 1 to stop. */
static int check_at_size(struct verifier *v, struct sj_err *err)
{
    uint64_t size = v->tree.size;
    while (v->has_cp && v->cp_size <= (int64_t)size) {
        if (v->cp_size < (int64_t)size)
            return problem(v, SJ_LEDGER_CHECKPOINT_BAD, false, 0,
                           "检查点登记的大小 %" PRId64 " 不合规", v->cp_size);
        if (check_stored_cp(v))
            return 1;
        int rc = next_cp(v, err);
        if (rc < 0)
            return rc;
    }
    if (v->has_external && v->external.tree_size == size) {
        struct sj_ledger_digest root;
        if (sj_ledger_tree_root(&v->tree, &root) < 0 ||
            !sj_ledger_digest_eq(&root, &v->external.root))
            return problem(v, SJ_LEDGER_EXTERNAL_ROOT, false, 0,
                           "账本前 %" PRIu64 " 条记录的树根与给定的检查点不同：账本在该检查点之后"
                           "被改写",
                           size);
        v->rep->is_external_checked = true;
    }
    return 0;
}

/* ---- Entries -----------------------------------------------------------------------------------
 */

static int check_entry(struct verifier *v, const struct sj_store_ledger_row *row)
{
    uint64_t want = v->tree.size;
    struct sj_ledger_digest hash;
    char have_hex[2 * SJ_LEDGER_HASH_LEN + 1], want_hex[2 * SJ_LEDGER_HASH_LEN + 1];
    if (row->idx < 0 || (uint64_t)row->idx != want)
        return problem(
            v, row->idx > (int64_t)want ? SJ_LEDGER_ENTRY_MISSING : SJ_LEDGER_ENTRY_MALFORMED, true,
            want, "记录 %" PRIu64 " 缺失（其后存储的是索引 %" PRId64 "）", want, row->idx);
    if (row->has_null || row->hash_len != SJ_LEDGER_HASH_LEN)
        return problem(v, SJ_LEDGER_ENTRY_MALFORMED, true, want,
                       "记录 %" PRIu64 " 已损坏：有字段为空值，或记录哈希长 %zu 字节而非 %d", want,
                       row->hash_len, SJ_LEDGER_HASH_LEN);
    if (sj_ledger_entry_hash_with(v->ledger->alg, &row->entry, &v->scratch, &hash) < 0)
        return problem(v, SJ_LEDGER_ENTRY_MALFORMED, true, want, "记录 %" PRIu64 " 过大，无法重算",
                       want);
    if (!sj_ledger_digest_eq(&hash, &row->entry.record_hash)) {
        sj_ledger_digest_hex(&hash, want_hex);
        sj_ledger_digest_hex(&row->entry.record_hash, have_hex);
        return problem(v, SJ_LEDGER_ENTRY_HASH, true, want,
                       "记录 %" PRIu64 " 的内容与其记录哈希不符：按内容重算为 %s，存储的是 %s",
                       want, want_hex, have_hex);
    }
    return sj_ledger_tree_push(&v->tree, &hash) < 0
               ? problem(v, SJ_LEDGER_ENTRY_MALFORMED, true, want, "记录过多")
               : 0;
}

static int walk_entries(struct verifier *v, struct sj_err *err)
{
    struct sj_store_ledger_cursor *cur = NULL;
    struct sj_store_ledger_row row;
    int rc = sj_store_ledger_entries_open(v->store, INT64_MIN, -1, &cur, err);
    if (rc == 0)
        rc = check_at_size(v, err); /* checkpoints of the empty tree */
    while (rc == 0 && (rc = sj_store_ledger_entries_next(cur, &row, err)) == 1) {
        rc = check_entry(v, &row);
        if (rc == 0) {
            v->rep->entries++;
            rc = check_at_size(v, err);
        }
    }
    sj_store_ledger_cursor_close(cur);
    return rc;
}

/* After the last entry: checkpoints or an outside checkpoint beyond it, unsigned entries. */
static void check_end(struct verifier *v)
{
    uint64_t n = v->tree.size;
    if (v->has_cp)
        problem(v, SJ_LEDGER_TRUNCATED, true, n,
                "已签名检查点覆盖 %" PRId64 " 条记录，账本却只有 %" PRIu64 " 条：记录 %" PRIu64
                " 起缺失",
                v->cp_size, n, n);
    else if (v->has_external && v->external.tree_size > n)
        problem(v, SJ_LEDGER_TRUNCATED, true, n,
                "给定的检查点覆盖 %" PRIu64 " 条记录，账本却只有 %" PRIu64 " 条：记录 %" PRIu64
                " 起缺失",
                v->external.tree_size, n, n);
    else if (v->rep->checkpoints == 0)
        problem(v, SJ_LEDGER_UNSIGNED, n > 0, 0, "账本没有任何已签名检查点");
    else if (v->last_good < n)
        problem(v, SJ_LEDGER_UNSIGNED, true, v->last_good,
                "记录 %" PRIu64 " 至 %" PRIu64 " 不在任何已签名检查点内（最新检查点大小 %" PRIu64
                "）",
                v->last_good, n ? n - 1 : 0, v->last_good);
}

/* ---- The whole ledger --------------------------------------------------------------------------
 */

static int open_ledger(struct verifier *v, struct sj_err *err)
{
    struct sj_err why;
    sj_err_clear(&why);
    int rc = sj_ledger_open(v->store, &v->ledger, &why);
    if (rc == SJ_EFORMAT)
        return problem(v, SJ_LEDGER_BAD_META, false, 0, "%s", why.message);
    if (rc < 0 && err)
        *err = why;
    return rc;
}

static int run(struct verifier *v, const struct sj_ledger_verify_options *opts, struct sj_err *err)
{
    int rc = open_ledger(v, err);
    if (rc != 0)
        return rc;
    v->rep->alg = v->ledger->alg;
    if (!(opts && opts->skip_key_file) && check_key_file(v))
        return 1;
    if (opts && opts->checkpoint.len > 0) {
        rc = take_external(v, opts->checkpoint, err);
        if (rc != 0)
            return rc;
    }
    sj_ledger_tree_init(&v->tree, v->ledger->alg);
    rc = sj_store_ledger_checkpoints_open(v->store, &v->cps, err);
    if (rc == 0)
        rc = next_cp(v, err);
    if (rc == 0)
        rc = walk_entries(v, err);
    if (rc == 0)
        check_end(v);
    return rc;
}

int sj_ledger_verify(struct sj_store *store, const struct sj_ledger_verify_options *opts,
                     struct sj_ledger_report *report, struct sj_err *err)
{
    struct verifier v;
    bool is_own = false;
    memset(report, 0, sizeof *report);
    memset(&v, 0, sizeof v);
    v.store = store;
    v.rep = report;
    sj_buf_init(&v.scratch, 0);
    int rc = sj_store_ledger_begin(store, false, &is_own, err);
    if (rc < 0)
        goto out;
    rc = run(&v, opts, err);
    sj_store_ledger_cursor_close(v.cps); /* before the snapshot ends */
    v.cps = NULL;
    sj_store_ledger_end(store, is_own, false, NULL); /* read only: nothing to keep */
    if (rc >= 0) {
        rc = 0;
        report->is_ok = report->problem == SJ_LEDGER_OK;
        report->tree_size = v.tree.size;
        if (v.ledger)
            sj_ledger_tree_root(&v.tree, &report->root);
    }
out:
    sj_store_ledger_cursor_close(v.cps);
    sj_ledger_checkpoint_release(&v.external);
    sj_ledger_close(v.ledger);
    sj_buf_release(&v.scratch);
    return rc;
}
