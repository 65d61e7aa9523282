/*
 * api_users.c - people, for admins: GET /api/v1/users (the users of the offices the admin
 * sees), POST /api/v1/users (into a visible office), PATCH /api/v1/users/{id} (name, role,
 * disabled, password). A user outside the admin's scope does not exist as far as the admin
 * can tell (404). An admin cannot disable or demote themself, so an office cannot lose its
 * last way in by accident. Disabling a user or setting a password ends their sessions.
 * Every change is recorded in the ledger (audit.c): who, and which fields, never a password.
 */
#include "http/http_int.h"
#include "http/platform_int.h"

#define ADMIN SJ_ROLE_BIT(SJ_ROLE_ADMIN)

static int get_users(struct sj_http_ctx *ctx)
{
    struct sj_user *list = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_user_list(sj_http_store(ctx), sj_http_user(ctx)->office_id, &list, &count, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *users = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(users, sj_http_user_json(&list[i]));
    sj_user_list_free(list, count);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "users", users));
}

static int parse_role(struct sj_http_ctx *ctx, const char *text, enum sj_role *role)
{
    if (sj_role_parse(text, role) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "未知的角色“%s”（可选 admin、prosecutor、police、auditor、device）",
                             text);
    return 0;
}

/* Answers 200/201 with the user as stored now. */
static int reply_user(struct sj_http_ctx *ctx, int status, int64_t id)
{
    struct sj_user user;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_user_get(sj_http_store(ctx), id, &user, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *body = json_pack("{s:o}", "user", sj_http_user_json(&user));
    sj_user_release(&user);
    return sj_http_reply(ctx, status, body);
}

static int post_user(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"username",  "display_name", "role",
                                         "office_id", "password",     NULL};
    struct sj_user_new u = {0};
    const char *role = NULL;
    struct sj_err err;
    int64_t id = 0;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "username", true, &u.username) < 0 ||
        sj_http_body_string(ctx, "display_name", true, &u.display_name) < 0 ||
        sj_http_body_string(ctx, "role", true, &role) < 0 ||
        sj_http_body_id(ctx, "office_id", true, &u.office_id) < 0 ||
        sj_http_body_string(ctx, "password", true, &u.password) < 0 ||
        parse_role(ctx, role, &u.role) < 0)
        return SJ_EINVAL;
    if (!sj_http_office_visible(ctx, u.office_id))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权在该检察院下添加用户");
    int rc = sj_user_add(sj_http_store(ctx), &u, &id, &err);
    if (rc == SJ_EEXIST)
        return sj_http_error(ctx, 409, "USERNAME_TAKEN", "%s", err.message);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    json_t *payload = json_pack("{s:s, s:s, s:I}", "username", u.username, "role",
                                sj_role_name(u.role), "office_id", (json_int_t)u.office_id);
    if (sj_http_audit(ctx, sj_http_user(ctx), "user.add", "user", id, payload) < 0)
        return SJ_EINVAL;
    return reply_user(ctx, 201, id);
}

/* Reads the PATCH body into *change. */
static int read_change(struct sj_http_ctx *ctx, struct sj_user_change *change)
{
    static const char *const fields[] = {"display_name", "role", "disabled", "password", NULL};
    const char *role = NULL;
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "display_name", false, &change->display_name) < 0 ||
        sj_http_body_string(ctx, "role", false, &role) < 0 ||
        sj_http_body_string(ctx, "password", false, &change->password) < 0)
        return SJ_EINVAL;
    if (role) {
        change->has_role = true;
        if (parse_role(ctx, role, &change->role) < 0)
            return SJ_EINVAL;
    }
    json_t *disabled = json_object_get(sj_http_body(ctx), "disabled");
    if (disabled) {
        if (!json_is_boolean(disabled))
            return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“disabled”应为 true 或 false");
        change->has_disabled = true;
        change->is_disabled = json_is_true(disabled);
    }
    if (json_object_size(sj_http_body(ctx)) == 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "没有要修改的字段");
    return 0;
}

/* What changed, for the ledger: the new values, and only whether the password changed. */
static json_t *change_json(const struct sj_user_change *change)
{
    json_t *o = json_object();
    if (change->display_name)
        json_object_set_new(o, "display_name", json_string(change->display_name));
    if (change->has_role)
        json_object_set_new(o, "role", json_string(sj_role_name(change->role)));
    if (change->has_disabled)
        json_object_set_new(o, "disabled", json_boolean(change->is_disabled));
    if (change->password)
        json_object_set_new(o, "password_changed", json_true());
    return o;
}

static int patch_user(struct sj_http_ctx *ctx)
{
    struct sj_user_change change = {0};
    struct sj_user target;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t id = sj_http_param_id(ctx, "id");
    if (id == 0 || sj_user_get(sj_http_store(ctx), id, &target, NULL) < 0)
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这个用户");
    bool is_visible = sj_http_office_visible(ctx, target.office_id);
    sj_user_release(&target);
    if (!is_visible)
        return sj_http_error(ctx, 404, "NOT_FOUND", "没有这个用户");
    if (read_change(ctx, &change) < 0)
        return SJ_EINVAL;
    bool is_self = id == sj_http_user(ctx)->id;
    if (is_self && ((change.has_disabled && change.is_disabled) ||
                    (change.has_role && change.role != SJ_ROLE_ADMIN)))
        return sj_http_error(ctx, 409, "CANNOT_CHANGE_SELF",
                             "不能停用自己的账号或取消自己的管理员角色");
    if (sj_user_update(sj_http_store(ctx), id, &change, &err) < 0)
        return sj_http_fail(ctx, &err);
    if (sj_http_audit(ctx, sj_http_user(ctx), "user.update", "user", id, change_json(&change)) <
        0)
        return SJ_EINVAL;
    return reply_user(ctx, 200, id);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/users", ADMIN, get_users, 0},
    {"POST", "/api/v1/users", ADMIN, post_user, 65536},
    {"PATCH", "/api/v1/users/{id}", ADMIN, patch_user, 65536},
};

const struct sj_http_resource sj_http_api_users = {"users", routes, SJ_ARRAY_LEN(routes)};
