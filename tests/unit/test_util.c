/*
 * test_util.c - the helpers of test_util.h shared by the unit tests: temporary directories
 * (mkdtemp) and their recursive removal, workspaces in them, whole files written and read,
 * and the table runner of the normaliser tests. Invariants: nothing here outlives a test
 * but what the caller keeps (tu_read_file's buffer, the path buffer of tu_write_file);
 * a failing check fails the calling test through cmocka.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "shujian/plan.h"
#include "test_util.h"

/* ---- Temporary directories and files ------------------------------------------------------ */

int tu_temp_dir(char *dir, size_t size, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", prefix);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(dir) ? 0 : -1;
}

void tu_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char child[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        tu_remove_tree(child);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

const char *tu_write_file(const char *dir, const char *name, const void *data, size_t len)
{
    static char path[1024];
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, name);
    else
        snprintf(path, sizeof path, "%s", name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fail_msg("cannot create %s", path);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

const char *tu_write_text(const char *dir, const char *name, const char *text)
{
    return tu_write_file(dir, name, text, strlen(text));
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long size = ftell(fp);
    assert_true(size >= 0);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    char *data = malloc((size_t)size + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, fp), (size_t)size);
    data[size] = '\0';
    fclose(fp);
    *len = (size_t)size;
    return data;
}

/* ---- A workspace in a temporary directory --------------------------------------------------- */

int tu_workspace_init(struct tu_workspace *w, const char *prefix, bool open_store)
{
    memset(w, 0, sizeof *w);
    if (tu_temp_dir(w->dir, sizeof w->dir, prefix) != 0)
        return -1;
    snprintf(w->ws, sizeof w->ws, "%s/ws", w->dir);
    if (open_store && sj_store_open(w->ws, true, &w->store, NULL) != 0) {
        tu_remove_tree(w->dir);
        return -1;
    }
    return 0;
}

void tu_workspace_release(struct tu_workspace *w)
{
    sj_store_close(w->store);
    w->store = NULL;
    tu_remove_tree(w->dir);
}

struct tu_workspace *tu_workspace_new(const char *prefix, bool open_store)
{
    struct tu_workspace *w = malloc(sizeof *w);
    if (w && tu_workspace_init(w, prefix, open_store) != 0) {
        free(w);
        w = NULL;
    }
    return w;
}

void tu_workspace_free(struct tu_workspace *w)
{
    if (!w)
        return;
    tu_workspace_release(w);
    free(w);
}

int tu_workspace_setup(void **state)
{
    *state = tu_workspace_new("sj-test", true);
    return *state ? 0 : -1;
}

int tu_workspace_teardown(void **state)
{
    tu_workspace_free(*state);
    return 0;
}

static int first_value(void *ctx, size_t n, const char *const *names, const char *const *values)
{
    (void)names;
    *(long long *)ctx = n > 0 && values[0] ? atoll(values[0]) : -1;
    return 0;
}

int tu_plan_value(struct sj_store *store, const char *sql, long long *value, struct sj_err *err)
{
    struct sj_model_plan plan = {.sql = (char *)sql};
    *value = -1;
    sj_err_clear(err);
    return sj_store_plan_query(store, &plan, first_value, value, err);
}

struct sj_import_summary *tu_import_one(struct sj_store *store, const char *path,
                                        const struct sj_import_opts *opts)
{
    struct sj_import_summary *sums = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int rc = sj_ingest_import_file(store, path, opts, &sums, &count, &err);
    if (rc != 0) {
        char line[1024];
        fail_msg("import of %s failed: %s", path, sj_err_format(&err, line, sizeof line));
    }
    assert_int_equal(count, 1);
    assert_int_equal(sums[0].rows_read, sums[0].rows_imported + sums[0].rows_rejected);
    return sums;
}

void tu_import_cells(struct sj_store *store, const char *dataset,
                     const struct sj_column_def *cols, size_t ncols, const char *const *cells,
                     size_t nrows)
{
    char sha[65];
    snprintf(sha, sizeof sha, "%064zx", strlen(dataset) * 7919 + nrows * 31 + ncols);
    struct sj_import_source src = {dataset, dataset, 1, sha, "", "csv", "UTF-8"};
    struct sj_import *imp = NULL;
    struct sj_import_cell row[16];
    struct sj_norm_result norm[16];
    struct sj_err err;
    sj_err_clear(&err);
    assert_true(ncols <= 16);
    if (sj_import_begin(store, dataset, cols, ncols, &src, &imp, NULL, &err) != 0)
        fail_msg("import %s: %s", dataset, err.message);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *text = cells[r * ncols + c];
            row[c].raw = sj_str_from_cstr(text);
            row[c].norm = NULL;
            if (cols[c].kind != SJ_KIND_TEXT && text[0]) {
                sj_norm(cols[c].kind, row[c].raw, &norm[c]);
                row[c].norm = &norm[c];
            }
        }
        assert_int_equal(sj_import_add_row(imp, (int64_t)r + 2, row, &err), 0);
    }
    assert_int_equal(sj_import_commit(imp, NULL, &err), 0);
}

/* ---- Synthetic identifiers ------------------------------------------------------------------ */

void tu_idcard(const char *first17, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    memcpy(out, first17, 17);
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weights[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* ---- Normaliser tables -------------------------------------------------------------------- */

static bool is_number_key(const struct tu_norm_table *t, const char *key)
{
    char framed[64];
    snprintf(framed, sizeof framed, ";%s;", key);
    return t->number_keys && strstr(t->number_keys, framed) != NULL;
}

/* Checks that r's parts are exactly the "key=value;..." list spec, in order, and which are
 * numbers. */
static void check_parts(const struct tu_norm_table *t, const char *in,
                        const struct sj_norm_result *r, const char *spec)
{
    char buf[512];
    int i = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *kv = strtok_r(buf, ";", &save); kv;
         kv = strtok_r(NULL, ";", &save), i++) {
        char *eq = strchr(kv, '=');
        assert_non_null(eq);
        *eq = '\0';
        if (i >= r->part_count || strcmp(r->parts[i].key, kv) != 0 ||
            strcmp(r->parts[i].value, eq + 1) != 0)
            fail_msg("%s: part %d should be %s=%s, got %s=%s", in, i, kv, eq + 1,
                     i < r->part_count ? r->parts[i].key : "(none)",
                     i < r->part_count ? r->parts[i].value : "");
        bool is_number = is_number_key(t, kv);
        if (r->parts[i].is_number != is_number)
            fail_msg("%s: part %s should%s be a number", in, kv, is_number ? "" : " not");
    }
    if (i != r->part_count)
        fail_msg("%s: %d parts expected, got %d", in, i, r->part_count);
}

static void check_valid(const struct tu_norm_table *t, const struct tu_norm_case *c,
                        const struct sj_norm_result *r)
{
    struct sj_norm_result again;
    if (strcmp(r->value, c->value) != 0)
        fail_msg("%s: value should be %s, got %s", c->in, c->value, r->value);
    assert_int_equal(r->value_len, strlen(c->value));
    assert_string_equal(r->reason, "");
    assert_int_equal(r->value_is_number, t->value_is_number);
    if (!t->value_is_number)
        assert_int_equal(r->number, 0);
    if (c->want)
        check_parts(t, c->in, r, c->want);
    else if (r->part_count != t->part_count)
        fail_msg("%s: %d parts expected, got %d", c->in, t->part_count, r->part_count);
    if (t->check_row)
        t->check_row(c, r);
    /* The canonical value is a fixed point. */
    if (!t->fn(sj_str_make(r->value, r->value_len), &again) || strcmp(again.value, r->value) != 0)
        fail_msg("%s: the value %s normalises to %s%s", c->in, r->value, again.value, again.reason);
}

static void check_invalid(const struct tu_norm_case *c, const struct sj_norm_result *r)
{
    if (strcmp(r->reason, c->want) != 0)
        fail_msg("%s: reason should be %s, got %s", c->in, c->want, r->reason);
    assert_string_equal(r->value, "");
    assert_int_equal(r->value_len, 0);
    assert_int_equal(r->part_count, 0);
    assert_int_equal(r->number, 0);
    assert_false(r->value_is_number);
}

void tu_norm_run(const struct tu_norm_table *t, const struct tu_norm_case *cases, size_t count)
{
    struct sj_norm_result r;
    for (size_t i = 0; i < count; i++) {
        const struct tu_norm_case *c = &cases[i];
        bool ok = t->fn(sj_str_from_cstr(c->in), &r);
        assert_int_equal(r.kind, t->kind);
        assert_int_equal(ok, r.is_valid);
        if (ok != (c->value != NULL))
            fail_msg("%s: expected %s, got %s (%s)", c->in, c->value ? c->value : c->want,
                     ok ? "valid" : "invalid", ok ? r.value : r.reason);
        if (ok)
            check_valid(t, c, &r);
        else
            check_invalid(c, &r);
    }
}

void tu_norm_long_input(const struct tu_norm_table *t, char ascii, const char *ascii_reason,
                        const char *wide, const char *wide_reason)
{
    static char big[4096];
    struct sj_norm_result r;
    memset(big, ascii, sizeof big);
    assert_false(t->fn(sj_str_make(big, sizeof big), &r));
    if (ascii_reason)
        assert_string_equal(r.reason, ascii_reason);
    assert_int_equal(strlen(wide), 3);
    for (size_t i = 0; i + 3 <= sizeof big; i += 3)
        memcpy(big + i, wide, 3);
    assert_false(t->fn(sj_str_make(big, sizeof big - 1), &r));
    assert_string_equal(r.reason, wide_reason);
}
