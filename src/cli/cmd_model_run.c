/*
 * cmd_model_run.c - `shujian model run ID...`: runs models from the toolbox (built-in and
 * the workspace's models/) over the workspace, records each run and its leads, and prints
 * per model how many leads it found and how many are new, then the leads. Re-running finds
 * the same leads (same ids) rather than new ones. ID numbers and phones are masked in what
 * is printed unless --reveal. Called by cmd_model.c with argv[0] = "run".
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lead_view.h"
#include "cli/model_opts.h"
#include "shujian/model.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian model run ID... [--param NAME=VALUE] [--input NAME=DATASET]\n"
    "                               [--map INPUT.COLUMN=HEADER] [--json] [--reveal]\n"
    "                               [--workspace DIR]\n\n"
    "Runs each model ID over the workspace's datasets, records its leads (线索) and prints\n"
    "how many it found, how many are new, and the first 20. A lead is identified by the\n"
    "model and its subject, so running a model again finds the same leads: they are\n"
    "counted as seen again, not added twice. Each run is recorded with the model's version\n"
    "and file hash, the parameters and the datasets it read.\n\n"
    "  --param NAME=VALUE         set a parameter (repeatable); lists are written a,b,c\n"
    "  --input NAME=DATASET       read input NAME from another dataset (repeatable)\n"
    "  --map INPUT.COLUMN=HEADER  take a column from the header HEADER (repeatable)\n"
    "  --json                     print one JSON object per model, one per line:\n"
    "                             {\"model\", \"run\", \"leads\": [{\"id\", \"subject\", "
    "\"title\", \"new\"}]}\n"
    "  --reveal                   show ID numbers and phone numbers in full\n"
    "  --workspace DIR            the workspace (default: $SHUJIAN_WORKSPACE, else "
    "./shujian-data)\n\n"
    "The database's temporary tables are kept in memory, up to a quarter of the machine's\n"
    "memory ($SHUJIAN_SCAN_MEMORY_MB megabytes when set); a model that needs more is run\n"
    "again with temporary files.\n";

static const struct cmd model_run_cmd = {
    .name = "model run",
    .summary = "run models and record their leads",
    .usage = usage,
    .run = sj_cli_model_run,
};

#define SHOWN_MAX 20 /* leads listed per model in text output; `leads` lists them all */

struct run_args {
    struct sj_cli_model_opts opts; /* --param, --input, --map, --workspace and the model ids */
    bool is_json, is_reveal;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof *a);
    const struct sj_cli_flag flags[] = {{"--json", &a->is_json}, {"--reveal", &a->is_reveal}};
    int status = sj_cli_model_opts_parse(&model_run_cmd, argc, argv, flags, SJ_ARRAY_LEN(flags),
                                         (size_t)argc, &a->opts);
    if (status == SJ_EXIT_OK && a->opts.positional_count == 0)
        return sj_cli_usage_error(&model_run_cmd, "which model? give at least one ID");
    return status;
}

/* ---- Output --------------------------------------------------------------------------------- */

static void print_json(const struct sj_model *model, const struct sj_model_run_result *r,
                       bool reveal)
{
    json_t *leads = json_array();
    for (size_t i = 0; i < r->lead_count; i++) {
        char *subject = sj_cli_shown(r->leads[i].subject, reveal);
        char *title = sj_cli_shown(r->leads[i].title, reveal);
        json_array_append_new(leads,
                              json_pack("{s:s, s:o, s:o, s:b}", "id", r->leads[i].id, "subject",
                                        sj_cli_json_string(subject), "title",
                                        sj_cli_json_string(title), "new", r->leads[i].is_new));
        free(subject);
        free(title);
    }
    json_t *root = json_pack("{s:s, s:I, s:o}", "model", model->id, "run", (json_int_t)r->run_id,
                             "leads", leads);
    json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
}

static void print_text(const struct sj_model *model, const struct sj_model_run_result *r,
                       bool reveal)
{
    static const char *const header[] = {"编号", "新", "对象", "标题"};
    printf("模型 %s（%s）运行 #%" PRId64 "：线索 %zu 条，其中新线索 %zu 条，用时 %.2f 秒\n",
           model->id, model->name ? model->name : "", r->run_id, r->lead_count, r->new_count,
           r->seconds);
    if (r->lead_count == 0)
        return;
    struct sj_cli_table t;
    sj_cli_table_init(&t, 4);
    sj_cli_table_add_row(&t, header);
    for (size_t i = 0; i < r->lead_count && i < SHOWN_MAX; i++) {
        char *subject = sj_cli_shown(r->leads[i].subject, reveal);
        char *title = sj_cli_shown(r->leads[i].title, reveal);
        const char *cells[] = {r->leads[i].id, r->leads[i].is_new ? "新" : "", subject, title};
        sj_cli_table_add_row(&t, cells);
        free(subject);
        free(title);
    }
    putchar('\n');
    sj_cli_table_print(&t, stdout);
    sj_cli_table_release(&t);
    if (r->lead_count > SHOWN_MAX)
        printf("……另有 %zu 条，见 shujian leads --model %s\n", r->lead_count - SHOWN_MAX,
               model->id);
}

/* ---- Running -------------------------------------------------------------------------------- */

#define SCAN_MEMORY_MIN ((int64_t)256 << 20)

/* The cap on SQLite's memory while models run: $SHUJIAN_SCAN_MEMORY_MB megabytes when set to
 * a positive number (anything else set there is warned about and ignored), else a quarter of
 * the machine's memory (at least 256 MB). */
static int64_t scan_memory_limit(void)
{
    const char *env = getenv("SHUJIAN_SCAN_MEMORY_MB");
    char *end = NULL;
    long long mb = env && *env ? strtoll(env, &end, 10) : 0;
    if (end && end != env && *end == '\0' && mb > 0 && mb < ((long long)1 << 40))
        return (int64_t)mb << 20;
    if (env && *env)
        SJ_WARN("SHUJIAN_SCAN_MEMORY_MB=%s is not a number of megabytes; using the default cap",
                env);
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    int64_t quarter = pages > 0 && page_size > 0 ? (int64_t)pages * page_size / 4 : 0;
    return quarter > SCAN_MEMORY_MIN ? quarter : SCAN_MEMORY_MIN;
}

/* Runs model; when its temporary tables outgrow the memory cap (SJ_ENOMEM: the run was
 * rolled back), runs it again with them in temporary files, from then on for every model. */
static int run_model(struct sj_store *store, const struct sj_model *model,
                     const struct sj_model_run_opts *opts, struct sj_model_run_result *result,
                     struct sj_err *err)
{
    int rc = sj_model_run(store, model, opts, result, err);
    if (rc != SJ_ENOMEM)
        return rc;
    SJ_INFO("model %s needs more memory than the cap: running it again with temporary files",
            model->id);
    sj_err_clear(err);
    rc = sj_store_scan_on_disk(store, err);
    return rc < 0 ? rc : sj_model_run(store, model, opts, result, err);
}

static int run_one(struct sj_store *store, const struct sj_toolbox *tb, const struct run_args *a,
                   const char *id)
{
    struct sj_model_run_result result;
    struct sj_err err;
    sj_err_clear(&err);
    const struct sj_model *model = sj_toolbox_find(tb, id);
    if (!model) {
        sj_err_set(&err, SJ_ENOTFOUND, "工具箱里没有编号为“%s”的模型（见 shujian model list）", id);
        return sj_cli_fail(&model_run_cmd, &err);
    }
    struct sj_model_run_opts opts;
    sj_cli_model_opts_apply(&a->opts, tb, &opts);
    if (run_model(store, model, &opts, &result, &err) < 0) {
        sj_err_at(&err, model->path, -1, -1, NULL);
        return sj_cli_fail(&model_run_cmd, &err);
    }
    if (a->is_json)
        print_json(model, &result, a->is_reveal);
    else
        print_text(model, &result, a->is_reveal);
    sj_model_run_result_release(&result);
    return SJ_EXIT_OK;
}

int sj_cli_model_run(int argc, char **argv)
{
    struct run_args a;
    struct sj_store *store = NULL;
    struct sj_toolbox tb = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&model_run_cmd, argc, argv))
        return SJ_EXIT_OK;
    int status = parse_args(argc, argv, &a);
    /* a model scans its datasets once: mapped, their pages are not copied, and its temporary
     * tables stay in memory up to a cap (docs/PERFORMANCE.md, "model") */
    sj_store_limit_memory(scan_memory_limit());
    if (status == SJ_EXIT_OK)
        status = sj_cli_open_store(&model_run_cmd, a.opts.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        goto out;
    if (sj_store_scan_fast(store, &err) < 0 || sj_toolbox_load(sj_store_dir(store), &tb, &err) < 0) {
        status = sj_cli_fail(&model_run_cmd, &err);
        goto out;
    }
    /* Each model runs on its own; one failing does not stop the others. */
    for (size_t i = 0; i < a.opts.positional_count; i++) {
        if (!a.is_json && i > 0)
            putchar('\n');
        int one = run_one(store, &tb, &a, a.opts.positional[i]);
        if (one > status)
            status = one;
    }
out:
    sj_toolbox_release(&tb);
    sj_store_close(store);
    sj_cli_model_opts_release(&a.opts);
    return status;
}
