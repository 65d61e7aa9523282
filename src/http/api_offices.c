/*
 * api_offices.c - the office tree: GET /api/v1/offices (staff: the offices the caller's
 * office sees) and POST /api/v1/offices (admins of a city office: a county office under
 * it). City offices are created with `shujian office add` only, because no office's scope
 * reaches above a city.
 */
#include "http/http_int.h"
#include "http/platform_int.h"

static int get_offices(struct sj_http_ctx *ctx)
{
    struct sj_office *list = NULL;
    size_t count = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_office_list(sj_http_store(ctx), sj_http_user(ctx)->office_id, &list, &count, &err) < 0)
        return sj_http_fail(ctx, &err);
    json_t *offices = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(offices, sj_http_office_json(&list[i]));
    sj_office_list_free(list, count);
    return sj_http_reply(ctx, 200, json_pack("{s:o}", "offices", offices));
}

static int post_office(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"code", "name", "parent_id", NULL};
    const char *code = NULL, *name = NULL;
    int64_t parent_id = 0, id = 0;
    struct sj_office office;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "code", true, &code) < 0 ||
        sj_http_body_string(ctx, "name", true, &name) < 0)
        return SJ_EINVAL;
    if (!json_object_get(sj_http_body(ctx), "parent_id"))
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "缺少字段“parent_id”：接口只能新建基层院，市院请用命令行 "
                             "shujian office add 新建");
    if (sj_http_body_id(ctx, "parent_id", true, &parent_id) < 0)
        return SJ_EINVAL;
    if (!sj_http_office_visible(ctx, parent_id))
        return sj_http_error(ctx, 403, "OFFICE_FORBIDDEN", "无权在该检察院下新建下级院");
    int rc = sj_office_add(sj_http_store(ctx), code, name, parent_id, &id, &err);
    if (rc == SJ_EEXIST)
        return sj_http_error(ctx, 409, "OFFICE_CODE_TAKEN", "%s", err.message);
    if (rc == 0)
        rc = sj_office_get(sj_http_store(ctx), id, &office, &err);
    if (rc < 0)
        return sj_http_fail(ctx, &err);
    json_t *payload =
        json_pack("{s:s, s:s, s:I}", "code", code, "name", name, "parent_id", (json_int_t)parent_id);
    if (sj_http_audit(ctx, sj_http_user(ctx), "office.add", "office", id, payload) < 0) {
        sj_office_release(&office);
        return SJ_EINVAL;
    }
    json_t *body = json_pack("{s:o}", "office", sj_http_office_json(&office));
    sj_office_release(&office);
    return sj_http_reply(ctx, 201, body);
}

static const struct sj_http_route routes[] = {
    {"GET", "/api/v1/offices", SJ_ROLES_STAFF, get_offices, 0},
    {"POST", "/api/v1/offices", SJ_ROLE_BIT(SJ_ROLE_ADMIN), post_office, 65536},
};

const struct sj_http_resource sj_http_api_offices = {"offices", routes, SJ_ARRAY_LEN(routes)};
