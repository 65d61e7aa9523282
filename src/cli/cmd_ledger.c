/*
 * cmd_ledger.c - `shujian ledger`: the workspace's tamper-evident audit ledger
 * (docs/LEDGER.md). `init` creates it, `verify` re-checks all of it offline (optionally
 * against a checkpoint kept elsewhere), `show` lists entries, `checkpoint` prints the newest
 * signed checkpoint for safekeeping and `key` the verifier key. `append` is hidden from the
 * help: entries are written by the server's actions through sj_ledger_append; the command is
 * there for demonstrations and tests.
 *
 * Exit statuses: 0 good, 1 verification found a problem (or no ledger), 2 usage, 3 failure.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/ledger.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian ledger <subcommand> [options] [--workspace DIR]\n\n"
    "The tamper-evident audit ledger of the workspace: an append-only Merkle log\n"
    "(RFC 6962) of who did what, with Ed25519-signed checkpoints (docs/LEDGER.md).\n\n"
    "  init [--hash sha256|sm3] [--origin NAME]\n"
    "        create the ledger and its signing key (<workspace>/keys/ledger.key)\n"
    "  verify [--checkpoint FILE] [--json]\n"
    "        re-check every entry, tree head and signature; with FILE (a checkpoint\n"
    "        saved earlier) also that the log still extends it. Exit 0 when all is\n"
    "        well, 1 naming the first bad entry otherwise\n"
    "  show [--from N] [--limit N] [--json]\n"
    "        list entries from index N (default 0), at most --limit (default 20)\n"
    "  checkpoint [--json]\n"
    "        print the newest signed checkpoint (save it elsewhere to verify against)\n"
    "  key   print the verifier (public) key\n\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

/* ---- Options ----------------------------------------------------------------------------------
 */

struct ledger_args {
    const char *workspace;
    bool is_json;
    const char *hash, *origin, *checkpoint, *from, *limit;
    const char *actor, *office, *action, *object, *client, *payload; /* append */
};

struct option {
    const char *name;
    size_t field; /* offset of a const char * in struct ledger_args; 0 (that of workspace,
                     which is handled apart) means the flag --json */
};

#define OPT(n, f)                                                                                  \
    {                                                                                              \
        n, offsetof(struct ledger_args, f)                                                         \
    }

static const struct option init_opts[] = {OPT("--hash", hash), OPT("--origin", origin)};
static const struct option verify_opts[] = {{"--json", 0}, OPT("--checkpoint", checkpoint)};
static const struct option show_opts[] = {
    {"--json", 0}, OPT("--from", from), OPT("--limit", limit)};
static const struct option checkpoint_opts[] = {{"--json", 0}};
static const struct option append_opts[] = {OPT("--actor", actor),   OPT("--office", office),
                                            OPT("--action", action), OPT("--object", object),
                                            OPT("--from", client),   OPT("--payload", payload)};

/* One option at argv[*i] from opts[n] (plus --workspace): 0 taken, else an exit status. */
static int take_option(int argc, char **argv, int *i, const struct option *opts, size_t n,
                       struct ledger_args *a)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--workspace") == 0 || strncmp(arg, "--workspace=", 12) == 0) {
        if (arg[11] == '=')
            a->workspace = arg + 12;
        else if (*i + 1 < argc)
            a->workspace = argv[++*i];
        else
            return sj_cli_usage_error(&sj_cmd_ledger, "--workspace needs a directory");
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(opts[k].name);
        if (strncmp(arg, opts[k].name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
            continue;
        if (opts[k].field == 0) {
            a->is_json = true;
            return arg[len] == '\0'
                       ? 0
                       : sj_cli_usage_error(&sj_cmd_ledger, "%s takes no value", opts[k].name);
        }
        const char **slot = (const char **)((char *)a + opts[k].field);
        if (arg[len] == '=')
            *slot = arg + len + 1;
        else if (*i + 1 < argc)
            *slot = argv[++*i];
        else
            return sj_cli_usage_error(&sj_cmd_ledger, "%s needs a value", opts[k].name);
        return 0;
    }
    return sj_cli_usage_error(&sj_cmd_ledger, "unknown option '%s'", arg);
}

/* Parses argv[1..] (argv[0] the subcommand): options only, no positional arguments. */
static int parse(int argc, char **argv, const struct option *opts, size_t n, struct ledger_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || argv[i][1] != '-')
            return sj_cli_usage_error(&sj_cmd_ledger, "unexpected argument '%s'", argv[i]);
        int status = take_option(argc, argv, &i, opts, n, a);
        if (status != SJ_EXIT_OK)
            return status;
    }
    return SJ_EXIT_OK;
}

/* Opens the workspace and its ledger. */
static int open_ledger(const struct ledger_args *a, struct sj_store **store,
                       struct sj_ledger **ledger)
{
    struct sj_err err;
    sj_err_clear(&err);
    *ledger = NULL;
    int status = sj_cli_open_store(&sj_cmd_ledger, a->workspace, false, store);
    if (status != SJ_EXIT_OK)
        return status;
    if (sj_ledger_open(*store, ledger, &err) < 0)
        return sj_cli_fail(&sj_cmd_ledger, &err);
    return SJ_EXIT_OK;
}

/* ---- init --------------------------------------------------------------------------------------
 */

static int print_created(struct sj_store *store)
{
    struct sj_ledger *ledger = NULL;
    struct sj_err err;
    char vkey[512];
    if (sj_ledger_open(store, &ledger, &err) < 0)
        return sj_cli_fail(&sj_cmd_ledger, &err);
    sj_ledger_verifier_key(ledger, vkey, sizeof vkey);
    printf("Created the ledger %s (%s) in %s.\n"
           "Signing key: %s/keys/ledger.key (keep it secret; back it up).\n"
           "Verifier key: %s\n",
           sj_ledger_origin(ledger), sj_ledger_alg_name(sj_ledger_hash_alg(ledger)),
           sj_store_dir(store), sj_store_dir(store), vkey);
    sj_ledger_close(ledger);
    return SJ_EXIT_OK;
}

static int run_init(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger_options opts = {SJ_LEDGER_SHA256, NULL};
    struct sj_err err;
    sj_err_clear(&err);
    int status = parse(argc, argv, init_opts, SJ_ARRAY_LEN(init_opts), &a);
    if (status != SJ_EXIT_OK)
        return status;
    if (a.hash && sj_ledger_alg_parse(a.hash, &opts.alg) < 0)
        return sj_cli_usage_error(&sj_cmd_ledger, "--hash wants sha256 or sm3, not '%s'", a.hash);
    opts.origin = a.origin;
    status = sj_cli_open_store(&sj_cmd_ledger, a.workspace, true, &store);
    if (status != SJ_EXIT_OK)
        return status;
    if (sj_ledger_create(store, &opts, &err) < 0)
        status = sj_cli_fail(&sj_cmd_ledger, &err);
    else
        status = print_created(store);
    sj_store_close(store);
    return status;
}

/* ---- verify ------------------------------------------------------------------------------------
 */

/* Reads a checkpoint file (at most SJ_LEDGER_NOTE_MAX bytes) into buf. */
static int read_checkpoint_file(const char *path, struct sj_buf *buf, struct sj_err *err)
{
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sj_err_set(err, SJ_EIO, "无法读取检查点文件 %s", path);
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sj_buf_append(buf, chunk, n);
    if (rc == 0 && ferror(f))
        rc = sj_err_set(err, SJ_EIO, "无法读取检查点文件 %s", path);
    else if (rc < 0)
        rc = sj_err_set(err, SJ_EFORMAT, "检查点文件 %s 过大（超过 %d 字节）", path,
                        SJ_LEDGER_NOTE_MAX);
    fclose(f);
    return rc;
}

static json_t *report_json(const struct sj_store *store, const struct sj_ledger_report *r,
                           bool has_file)
{
    char root[2 * SJ_LEDGER_HASH_LEN + 1];
    sj_ledger_digest_hex(&r->root, root);
    json_t *o =
        json_pack("{s:b, s:o, s:s, s:I, s:I, s:I, s:s, s:b}", "ok", r->is_ok, "workspace",
                  sj_cli_json_string(sj_store_dir(store)), "hash", sj_ledger_alg_name(r->alg),
                  "entries_checked", (json_int_t)r->entries, "checkpoints_checked",
                  (json_int_t)r->checkpoints, "tree_size", (json_int_t)r->tree_size, "root", root,
                  "key_file_checked", r->is_key_file_checked);
    json_object_set_new(o, "checkpoint_file",
                        has_file ? json_boolean(r->is_external_checked) : json_null());
    json_object_set_new(o, "problem",
                        r->is_ok ? json_null() : json_string(sj_ledger_problem_name(r->problem)));
    json_object_set_new(o, "first_bad_index",
                        r->has_index ? json_integer((json_int_t)r->index) : json_null());
    json_object_set_new(o, "message", r->is_ok ? json_null() : sj_cli_json_string(r->message));
    return o;
}

static void print_report(const struct sj_ledger_report *r, bool has_file)
{
    char root[2 * SJ_LEDGER_HASH_LEN + 1];
    sj_ledger_digest_hex(&r->root, root);
    printf("hash: %s\nentries checked: %" PRIu64 "\ncheckpoints checked: %" PRIu64
           "\ntree head: size %" PRIu64 ", root %s\nkey file: %s\n",
           sj_ledger_alg_name(r->alg), r->entries, r->checkpoints, r->tree_size, root,
           r->is_key_file_checked ? "matches the public key" : "not checked (not present)");
    if (has_file)
        printf("checkpoint file: %s\n", r->is_external_checked ? "consistent" : "not consistent");
    if (r->is_ok) {
        puts("OK: the ledger is intact.");
        return;
    }
    if (r->has_index)
        printf("FAILED at entry %" PRIu64 " (%s): %s\n", r->index,
               sj_ledger_problem_name(r->problem), r->message);
    else
        printf("FAILED (%s): %s\n", sj_ledger_problem_name(r->problem), r->message);
}

static int run_verify(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger_report report;
    struct sj_ledger_verify_options opts;
    struct sj_buf file;
    struct sj_err err;
    sj_err_clear(&err);
    memset(&opts, 0, sizeof opts);
    sj_buf_init(&file, SJ_LEDGER_NOTE_MAX);
    int status = parse(argc, argv, verify_opts, SJ_ARRAY_LEN(verify_opts), &a);
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&sj_cmd_ledger, a.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    int rc = a.checkpoint ? read_checkpoint_file(a.checkpoint, &file, &err) : 0;
    opts.checkpoint = sj_buf_str(&file);
    if (rc == 0)
        rc = sj_ledger_verify(store, &opts, &report, &err);
    if (rc < 0) {
        status = sj_cli_fail(&sj_cmd_ledger, &err);
        goto out;
    }
    if (a.is_json)
        sj_cli_print_json(report_json(store, &report, a.checkpoint != NULL));
    else
        print_report(&report, a.checkpoint != NULL);
    status = report.is_ok ? SJ_EXIT_OK : SJ_EXIT_NEGATIVE;
out:
    sj_buf_release(&file);
    sj_store_close(store);
    return status;
}

/* ---- show --------------------------------------------------------------------------------------
 */

static json_t *view_json(struct sj_str s)
{
    char *copy = sj_xstrndup(s.ptr, s.len);
    json_t *j = sj_cli_json_string(copy);
    free(copy);
    return j;
}

static json_t *entry_json(const struct sj_ledger_entry *e)
{
    char hash[2 * SJ_LEDGER_HASH_LEN + 1];
    sj_ledger_digest_hex(&e->record_hash, hash);
    json_t *payload = json_loadb(e->payload.ptr, e->payload.len, JSON_DECODE_ANY, NULL);
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "index",
                     (json_int_t)e->index, "at", view_json(e->at), "actor", view_json(e->actor),
                     "office", view_json(e->office), "action", view_json(e->action), "object_type",
                     view_json(e->object_type), "object_id", view_json(e->object_id), "from",
                     view_json(e->from), "payload", payload ? payload : view_json(e->payload),
                     "record_hash", hash);
}

static void add_entry_row(struct sj_cli_table *t, const struct sj_ledger_entry *e)
{
    char index[24], hash[2 * SJ_LEDGER_HASH_LEN + 1];
    const struct sj_str views[] = {e->at, e->actor, e->office, e->action, e->from, e->payload};
    char *text[SJ_ARRAY_LEN(views)];
    for (size_t i = 0; i < SJ_ARRAY_LEN(views); i++)
        text[i] = sj_xstrndup(views[i].ptr, views[i].len);
    char *object = sj_xmalloc(e->object_type.len + e->object_id.len + 2);
    snprintf(object, e->object_type.len + e->object_id.len + 2, SJ_STR_FMT ":" SJ_STR_FMT,
             SJ_STR_ARG(e->object_type), SJ_STR_ARG(e->object_id));
    snprintf(index, sizeof index, "%" PRIu64, e->index);
    sj_ledger_digest_hex(&e->record_hash, hash);
    hash[16] = '\0';
    const char *row[] = {index, text[0], text[1], text[2], text[3], object, text[4], text[5], hash};
    sj_cli_table_add_row(t, row);
    for (size_t i = 0; i < SJ_ARRAY_LEN(views); i++)
        free(text[i]);
    free(object);
}

/* Writes the entries of reader as a table or into the JSON array items. */
static int list_entries(struct sj_ledger_reader *reader, json_t *items, struct sj_err *err)
{
    static const char *const header[] = {"INDEX",  "TIME", "ACTOR",   "OFFICE", "ACTION",
                                         "OBJECT", "FROM", "PAYLOAD", "HASH"};
    struct sj_cli_table t;
    struct sj_ledger_entry e;
    int rc;
    sj_cli_table_init(&t, SJ_ARRAY_LEN(header));
    sj_cli_table_align_right(&t, 0);
    sj_cli_table_add_row(&t, header);
    while ((rc = sj_ledger_read_next(reader, &e, err)) == 1) {
        if (items)
            json_array_append_new(items, entry_json(&e));
        else
            add_entry_row(&t, &e);
    }
    if (rc == 0 && !items)
        sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
    return rc;
}

static int run_show(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    struct sj_ledger_reader *reader = NULL;
    int64_t from = 0, limit = 20;
    uint64_t size = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int status = parse(argc, argv, show_opts, SJ_ARRAY_LEN(show_opts), &a);
    if (status != SJ_EXIT_OK)
        return status;
    if ((a.from && sj_cli_parse_count(a.from, &from) < 0) ||
        (a.limit && sj_cli_parse_count(a.limit, &limit) < 0))
        return sj_cli_usage_error(&sj_cmd_ledger, "--from and --limit want whole numbers >= 0");
    status = open_ledger(&a, &store, &ledger);
    if (status != SJ_EXIT_OK)
        goto out;
    json_t *items = a.is_json ? json_array() : NULL;
    if (sj_ledger_size(ledger, &size, &err) < 0 ||
        sj_ledger_read_open(ledger, (uint64_t)from, limit, &reader, &err) < 0 ||
        list_entries(reader, items, &err) < 0) {
        json_decref(items);
        status = sj_cli_fail(&sj_cmd_ledger, &err);
        goto out;
    }
    if (items)
        sj_cli_print_json(json_pack("{s:s, s:I, s:I, s:o}", "origin", sj_ledger_origin(ledger),
                                    "size", (json_int_t)size, "from", (json_int_t)from, "entries",
                                    items));
    else if (limit > 0 && (uint64_t)from + (uint64_t)limit < size)
        printf("(%" PRIu64 " entries in all; --from %" PRIu64 " for more)\n", size,
               (uint64_t)from + (uint64_t)limit);
out:
    sj_ledger_read_close(reader);
    sj_ledger_close(ledger);
    sj_store_close(store);
    return status;
}

/* ---- checkpoint, key ---------------------------------------------------------------------------
 */

static int print_checkpoint_json(struct sj_ledger *ledger, const char *note)
{
    struct sj_ledger_checkpoint cp;
    struct sj_err err;
    char root[2 * SJ_LEDGER_HASH_LEN + 1], vkey[512];
    if (sj_ledger_checkpoint_parse(sj_str_from_cstr(note), &cp, &err) < 0)
        return sj_cli_fail(&sj_cmd_ledger, &err);
    sj_ledger_digest_hex(&cp.root, root);
    sj_ledger_verifier_key(ledger, vkey, sizeof vkey);
    json_t *o = json_pack("{s:o, s:I, s:s, s:s, s:s, s:s}", "origin", sj_cli_json_string(cp.origin),
                          "tree_size", (json_int_t)cp.tree_size, "root", root, "hash",
                          sj_ledger_alg_name(sj_ledger_hash_alg(ledger)), "verifier_key", vkey,
                          "note", note);
    sj_ledger_checkpoint_release(&cp);
    return sj_cli_print_json(o);
}

static int run_checkpoint(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    char *note = NULL;
    uint64_t size = 0;
    struct sj_err err;
    sj_err_clear(&err);
    int status = parse(argc, argv, checkpoint_opts, SJ_ARRAY_LEN(checkpoint_opts), &a);
    if (status == SJ_EXIT_OK)
        status = open_ledger(&a, &store, &ledger);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_ledger_checkpoint_latest(ledger, &note, &size, &err) < 0)
        status = sj_cli_fail(&sj_cmd_ledger, &err);
    else if (a.is_json)
        status = print_checkpoint_json(ledger, note);
    else
        fputs(note, stdout);
out:
    free(note);
    sj_ledger_close(ledger);
    sj_store_close(store);
    return status;
}

static int run_key(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    char vkey[512];
    int status = parse(argc, argv, NULL, 0, &a);
    if (status == SJ_EXIT_OK)
        status = open_ledger(&a, &store, &ledger);
    if (status == SJ_EXIT_OK && sj_ledger_verifier_key(ledger, vkey, sizeof vkey) == 0)
        printf("%s\n", vkey);
    sj_ledger_close(ledger);
    sj_store_close(store);
    return status;
}

/* ---- append (hidden) ---------------------------------------------------------------------------
 */

/* Opens the ledger, creating it with the defaults when the workspace has none. */
static int open_or_create(struct sj_store *store, struct sj_ledger **ledger, struct sj_err *err)
{
    int rc = sj_ledger_open(store, ledger, err);
    if (rc == SJ_ENOTFOUND) {
        sj_err_clear(err);
        rc = sj_ledger_create(store, NULL, err);
        if (rc == 0)
            rc = sj_ledger_open(store, ledger, err);
    }
    return rc;
}

static int run_append(int argc, char **argv)
{
    struct ledger_args a;
    struct sj_store *store = NULL;
    struct sj_ledger *ledger = NULL;
    struct sj_err err;
    uint64_t index = 0;
    sj_err_clear(&err);
    int status = parse(argc, argv, append_opts, SJ_ARRAY_LEN(append_opts), &a);
    if (status != SJ_EXIT_OK)
        return status;
    const char *colon = a.object ? strchr(a.object, ':') : NULL;
    if (!a.actor || !a.action || !colon)
        return sj_cli_usage_error(&sj_cmd_ledger, "append needs --actor, --action and "
                                                  "--object TYPE:ID");
    char *type = sj_xstrndup(a.object, (size_t)(colon - a.object));
    struct sj_ledger_record rec = {a.actor,   a.office, a.action, type,
                                   colon + 1, a.client, a.payload};
    status = sj_cli_open_store(&sj_cmd_ledger, a.workspace, true, &store);
    if (status == SJ_EXIT_OK && (open_or_create(store, &ledger, &err) < 0 ||
                                 sj_ledger_append(ledger, &rec, &index, &err) < 0))
        status = sj_cli_fail(&sj_cmd_ledger, &err);
    else if (status == SJ_EXIT_OK)
        printf("%" PRIu64 "\n", index);
    free(type);
    sj_ledger_close(ledger);
    sj_store_close(store);
    return status;
}

/* ---- Dispatch ----------------------------------------------------------------------------------
 */

static int run(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subs[] = {{"init", run_init}, {"verify", run_verify},
                {"show", run_show}, {"checkpoint", run_checkpoint},
                {"key", run_key},   {"append", run_append}};
    if (argc < 2)
        return sj_cli_usage_error(&sj_cmd_ledger, "which subcommand?");
    if (sj_cli_wants_help(&sj_cmd_ledger, argc, argv))
        return SJ_EXIT_OK;
    for (size_t i = 0; i < SJ_ARRAY_LEN(subs); i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    }
    return sj_cli_usage_error(&sj_cmd_ledger, "unknown subcommand '%s'", argv[1]);
}

const struct cmd sj_cmd_ledger = {
    .name = "ledger",
    .summary = "verify and inspect the tamper-evident audit ledger",
    .usage = usage,
    .run = run,
};
