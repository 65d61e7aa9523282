/*
 * cmd_office.c - `shujian office add|list`: the offices (检察院) of the workspace, a city
 * office (市院) and the county offices (基层院) under it. City offices can only be added
 * here: no user's scope reaches above a city, so the API cannot create them.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/identity.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian office add CODE NAME [--parent CODE] [--workspace DIR]\n"
    "       shujian office list [--json] [--workspace DIR]\n\n"
    "Adds or lists offices. Without --parent the office is a city office (市院); with it, a\n"
    "county office (基层院) under that city office. CODE is ASCII letters, digits and '-'\n"
    "(e.g. the region code 441802); NAME is the office's full name.\n\n"
    "  --parent CODE    the city office the new county office belongs to\n"
    "  --json           list as JSON\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

struct office_args {
    const char *sub, *code, *name, *parent, *workspace;
    bool is_json;
};

static int parse(int argc, char **argv, struct office_args *a)
{
    const struct sj_cli_named named[] = {{"--parent", &a->parent}, {"--workspace", &a->workspace}};
    const char **const positional[] = {&a->sub, &a->code, &a->name};
    int status = sj_cli_parse_named(&sj_cmd_office, argc, argv, named, SJ_ARRAY_LEN(named),
                                    positional, SJ_ARRAY_LEN(positional), &a->is_json);
    if (status != SJ_EXIT_OK)
        return status;
    if (!a->sub)
        return sj_cli_usage_error(&sj_cmd_office, "which subcommand?");
    if (strcmp(a->sub, "add") == 0 && (!a->code || !a->name))
        return sj_cli_usage_error(&sj_cmd_office, "add needs CODE and NAME");
    if (strcmp(a->sub, "list") == 0 && a->code)
        return sj_cli_usage_error(&sj_cmd_office, "list takes no arguments");
    if (strcmp(a->sub, "add") != 0 && strcmp(a->sub, "list") != 0)
        return sj_cli_usage_error(&sj_cmd_office, "unknown subcommand '%s'", a->sub);
    return SJ_EXIT_OK;
}

static int add(struct sj_store *store, const struct office_args *a, struct sj_err *err)
{
    struct sj_office parent = {0};
    int64_t id = 0;
    if (a->parent && sj_office_find(store, a->parent, &parent, err) < 0)
        return sj_cli_fail(&sj_cmd_office, err);
    int rc = sj_office_add(store, a->code, a->name, parent.id, &id, err);
    if (rc == 0)
        rc = sj_cli_audit(store, "office.add", "office", id,
                          json_pack("{s:s, s:s, s:I}", "code", a->code, "name", a->name,
                                    "parent_id", (json_int_t)parent.id),
                          err);
    sj_office_release(&parent);
    if (rc < 0)
        return sj_cli_fail(&sj_cmd_office, err);
    printf("Added %s office %s %s (id %lld).\n", a->parent ? "county" : "city", a->code, a->name,
           (long long)id);
    return SJ_EXIT_OK;
}

static const char *code_of(const struct sj_office *list, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i].id == id)
            return list[i].code;
    }
    return "";
}

static int list(struct sj_store *store, const struct office_args *a, struct sj_err *err)
{
    struct sj_office *offices = NULL;
    size_t n = 0;
    if (sj_office_list(store, 0, &offices, &n, err) < 0)
        return sj_cli_fail(&sj_cmd_office, err);
    json_t *arr = json_array();
    struct sj_cli_table t;
    sj_cli_table_init(&t, 4);
    sj_cli_table_add_row(&t, (const char *const[]){"代码", "名称", "级别", "上级"});
    for (size_t i = 0; i < n; i++) {
        const struct sj_office *o = &offices[i];
        const char *parent = code_of(offices, n, o->parent_id);
        bool is_city = o->level == SJ_OFFICE_CITY;
        sj_cli_table_add_row(
            &t, (const char *const[]){o->code, o->name, is_city ? "市院" : "基层院", parent});
        json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:s, s:s?}", "id", (json_int_t)o->id,
                                             "code", sj_cli_json_string(o->code), "name",
                                             sj_cli_json_string(o->name), "level",
                                             is_city ? "city" : "county", "parent",
                                             is_city ? NULL : parent));
    }
    sj_cli_print_listing(arr, &t, a->is_json);
    sj_office_list_free(offices, n);
    return SJ_EXIT_OK;
}

static int run(int argc, char **argv)
{
    struct office_args a = {0};
    struct sj_store *store = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_office, argc, argv))
        return SJ_EXIT_OK;
    int status = parse(argc, argv, &a);
    if (status != SJ_EXIT_OK)
        return status;
    bool is_add = strcmp(a.sub, "add") == 0;
    status = sj_cli_open_store(&sj_cmd_office, a.workspace, is_add, &store);
    if (status != SJ_EXIT_OK)
        return status;
    status = is_add ? add(store, &a, &err) : list(store, &a, &err);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_office = {
    .name = "office",
    .summary = "add and list offices (city and county)",
    .usage = usage,
    .run = run,
};
