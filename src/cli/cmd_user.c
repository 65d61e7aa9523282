/*
 * cmd_user.c - `shujian user add|passwd|disable|enable|list`: the people who may sign in
 * to the server. Passwords are read from standard input, one line (at a terminal: asked
 * twice with echo off), never from the command line, where other users of the machine
 * could read them. `disable` and `passwd` end the user's sessions at once.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shujian/identity.h"
#include "shujian/store.h"

static const char usage[] =
    "usage: shujian user add NAME --office CODE --role ROLE [--display-name TEXT]\n"
    "       shujian user passwd NAME\n"
    "       shujian user disable NAME\n"
    "       shujian user enable NAME\n"
    "       shujian user list [--json]\n"
    "       (each also takes --workspace DIR)\n\n"
    "Manages the users who may sign in to `shujian serve`. The password is read from\n"
    "standard input (one line; at a terminal you are asked twice). Roles: admin,\n"
    "prosecutor, police, auditor, device. `disable` and `passwd` end the user's sessions;\n"
    "`enable` and `passwd` also lift a login lockout.\n\n"
    "  --office CODE        the user's office (see `shujian office list`)\n"
    "  --role ROLE          admin | prosecutor | police | auditor | device\n"
    "  --display-name TEXT  the name shown in the interface (default: NAME)\n"
    "  --workspace DIR      the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n";

struct user_args {
    const char *sub, *name, *office, *role, *display_name, *workspace;
    bool is_json;
};

static int parse(int argc, char **argv, struct user_args *a)
{
    const struct sj_cli_named named[] = {{"--office", &a->office},
                                         {"--role", &a->role},
                                         {"--display-name", &a->display_name},
                                         {"--workspace", &a->workspace}};
    const char **const positional[] = {&a->sub, &a->name};
    int status = sj_cli_parse_named(&sj_cmd_user, argc, argv, named, SJ_ARRAY_LEN(named),
                                    positional, SJ_ARRAY_LEN(positional), &a->is_json);
    if (status != SJ_EXIT_OK)
        return status;
    if (!a->sub)
        return sj_cli_usage_error(&sj_cmd_user, "which subcommand?");
    bool wants_name = strcmp(a->sub, "list") != 0;
    if (wants_name != (a->name != NULL))
        return sj_cli_usage_error(
            &sj_cmd_user, wants_name ? "%s needs a user name" : "%s takes no user name", a->sub);
    return SJ_EXIT_OK;
}

/* ---- Passwords from standard input ----------------------------------------------------------- */

/* One line of stdin without its line end into buf; prompt (at a terminal only) with echo
 * off. Returns 0 or -1 (end of input, or a line too long). */
static int read_line(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    bool is_tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (is_tty) {
        fputs(prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)size, stdin);
    if (is_tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    size_t len = strlen(buf);
    if (len == size - 1 && buf[len - 1] != '\n')
        return -1;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return 0;
}

static int read_password(char *buf, size_t size)
{
    char again[512];
    if (read_line("Password: ", buf, size) < 0) {
        fprintf(stderr, "shujian user: no password on standard input\n");
        return -1;
    }
    if (!isatty(STDIN_FILENO))
        return 0;
    int rc = read_line("Again: ", again, sizeof again);
    if (rc == 0 && strcmp(buf, again) != 0) {
        fprintf(stderr, "shujian user: the passwords differ\n");
        rc = -1;
    }
    memset(again, 0, sizeof again);
    return rc;
}

/* ---- Subcommands ---------------------------------------------------------------------------- */

static int add(struct sj_store *store, const struct user_args *a, struct sj_err *err)
{
    struct sj_office office = {0};
    char password[512];
    struct sj_user_new u = {.username = a->name,
                            .display_name = a->display_name ? a->display_name : a->name};
    if (!a->office || !a->role)
        return sj_cli_usage_error(&sj_cmd_user, "add needs --office CODE and --role ROLE");
    if (sj_role_parse(a->role, &u.role) < 0)
        return sj_cli_usage_error(&sj_cmd_user, "unknown role '%s'", a->role);
    int rc = sj_office_find(store, a->office, &office, err);
    if (rc < 0)
        return sj_cli_fail(&sj_cmd_user, err);
    u.office_id = office.id;
    sj_office_release(&office);
    if (read_password(password, sizeof password) < 0)
        return SJ_EXIT_FAILURE;
    u.password = password;
    int64_t id = 0;
    rc = sj_user_add(store, &u, &id, err);
    memset(password, 0, sizeof password);
    if (rc == 0)
        rc = sj_cli_audit(store, "user.add", "user", id,
                          json_pack("{s:s, s:s, s:I}", "username", a->name, "role",
                                    sj_role_name(u.role), "office_id", (json_int_t)u.office_id),
                          err);
    if (rc < 0)
        return sj_cli_fail(&sj_cmd_user, err);
    printf("Added user %s (id %lld, %s) to office %s.\n", a->name, (long long)id,
           sj_role_name(u.role), a->office);
    return SJ_EXIT_OK;
}

static int change(struct sj_store *store, const struct user_args *a, struct sj_err *err)
{
    struct sj_user user;
    struct sj_user_change c = {0};
    char password[512] = "";
    if (sj_user_find(store, a->name, &user, err) < 0)
        return sj_cli_fail(&sj_cmd_user, err);
    int64_t id = user.id;
    sj_user_release(&user);
    if (strcmp(a->sub, "passwd") == 0) {
        if (read_password(password, sizeof password) < 0)
            return SJ_EXIT_FAILURE;
        c.password = password;
    } else {
        c.has_disabled = true;
        c.is_disabled = strcmp(a->sub, "disable") == 0;
    }
    int rc = sj_user_update(store, id, &c, err);
    memset(password, 0, sizeof password);
    json_t *payload = c.password ? json_pack("{s:b}", "password_changed", 1)
                                 : json_pack("{s:b}", "disabled", c.is_disabled);
    if (rc == 0)
        rc = sj_cli_audit(store, "user.update", "user", id, payload, err);
    else
        json_decref(payload);
    if (rc < 0)
        return sj_cli_fail(&sj_cmd_user, err);
    printf("%s: %s done.\n", a->name, a->sub);
    return SJ_EXIT_OK;
}

static int list(struct sj_store *store, const struct user_args *a, struct sj_err *err)
{
    struct sj_user *users = NULL;
    struct sj_office *offices = NULL;
    size_t n = 0, n_offices = 0;
    if (sj_user_list(store, 0, &users, &n, err) < 0 ||
        sj_office_list(store, 0, &offices, &n_offices, err) < 0) {
        sj_user_list_free(users, n);
        return sj_cli_fail(&sj_cmd_user, err);
    }
    json_t *arr = json_array();
    struct sj_cli_table t;
    sj_cli_table_init(&t, 5);
    sj_cli_table_add_row(&t, (const char *const[]){"用户名", "姓名", "角色", "检察院", "状态"});
    for (size_t i = 0; i < n; i++) {
        const char *code = "";
        for (size_t k = 0; k < n_offices; k++)
            code = offices[k].id == users[i].office_id ? offices[k].code : code;
        const char *state = users[i].is_disabled ? "停用" : "启用";
        sj_cli_table_add_row(&t, (const char *const[]){users[i].username, users[i].display_name,
                                                       sj_role_label(users[i].role), code, state});
        json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:s, s:s, s:b}", "id",
                                             (json_int_t)users[i].id, "username",
                                             sj_cli_json_string(users[i].username), "display_name",
                                             sj_cli_json_string(users[i].display_name), "role",
                                             sj_role_name(users[i].role), "office", code,
                                             "disabled", users[i].is_disabled));
    }
    sj_cli_print_listing(arr, &t, a->is_json);
    sj_user_list_free(users, n);
    sj_office_list_free(offices, n_offices);
    return SJ_EXIT_OK;
}

static int run(int argc, char **argv)
{
    struct user_args a = {0};
    struct sj_store *store = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_user, argc, argv))
        return SJ_EXIT_OK;
    int status = parse(argc, argv, &a);
    if (status != SJ_EXIT_OK)
        return status;
    bool is_add = strcmp(a.sub, "add") == 0, is_list = strcmp(a.sub, "list") == 0;
    bool is_change = strcmp(a.sub, "passwd") == 0 || strcmp(a.sub, "disable") == 0 ||
                     strcmp(a.sub, "enable") == 0;
    if (!is_add && !is_list && !is_change)
        return sj_cli_usage_error(&sj_cmd_user, "unknown subcommand '%s'", a.sub);
    status = sj_cli_open_store(&sj_cmd_user, a.workspace, false, &store);
    if (status != SJ_EXIT_OK)
        return status;
    if (is_add)
        status = add(store, &a, &err);
    else if (is_list)
        status = list(store, &a, &err);
    else
        status = change(store, &a, &err);
    sj_store_close(store);
    return status;
}

const struct cmd sj_cmd_user = {
    .name = "user",
    .summary = "add, list, disable users and set passwords",
    .usage = usage,
    .run = run,
};
