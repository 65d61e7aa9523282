/*
 * api_bail_device.c - phones under bail supervision: an officer creates a one-time
 * enrolment code, the phone binds with it (public route) and from then on authenticates with
 * "Authorization: Bearer <device token>". A device acts only for its own subject: any other
 * subject id answers 403 DEVICE_SUBJECT_FORBIDDEN. Check-ins carry an Idempotency-Key
 * header; a repeat with the same body gets the first answer, a changed body 422. A check-in
 * may carry "photo" (base64 JPEG): it is verified against the subject's enrolled face with the
 * model opened once per process; without a photo, a template or the model it is "unverified".
 * Check-ins and position uploads are written by the group-commit writer (writer.c): judged,
 * stored and ledgered in its batch transaction, answered only after the batch's commit with
 * synchronous=FULL. The face is verified before, on the request's thread, so a slow photo
 * never holds up the writer.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/api_bail.h"
#include "http/platform_int.h"
#include "shujian/face.h"

#define PHOTO_B64_MAX (12u * 1024u * 1024u) /* base64 characters of a check-in photo */

static pthread_once_t face_once = PTHREAD_ONCE_INIT;
static struct sj_face_model *face_model; /* process lifetime; NULL when it cannot be loaded */

static void face_open(void)
{
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_face_model_open(NULL, &face_model, &err) < 0) {
        face_model = NULL;
        sj_log(SJ_LOG_WARN, "face model not loaded (check-ins stay unverified): %s", err.message);
    }
}

const struct sj_face_model *sj_http_bail_face_model(void)
{
    return pthread_once(&face_once, face_open) == 0 ? face_model : NULL;
}

/* env and who for a device: the actor is the device, in its subject's office. */
static int device_env(struct sj_http_ctx *ctx, const struct sj_bail_device *d,
                      struct sj_bail_env *env, struct sj_bail_actor *who)
{
    struct sj_office office = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_env(ctx, env, who) < 0)
        return SJ_EINVAL;
    if (sj_office_get(ctx->store, d->office_id, &office, &err) < 0)
        return sj_http_fail(ctx, &err);
    who->device_id = d->id;
    who->office_id = d->office_id;
    who->office = sj_arena_strndup(&ctx->arena, office.code, strlen(office.code));
    sj_office_release(&office);
    return 0;
}

int sj_http_bail_post_enrol(struct sj_http_ctx *ctx)
{
    struct sj_bail_subject s;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    char code[SJ_BAIL_ENROL_CODE_LEN + 1];
    int64_t device_id = 0;
    sj_err_clear(&err);
    if (sj_http_bail_subject(ctx, &s) < 0)
        return SJ_ENOTFOUND;
    int64_t id = s.id;
    sj_bail_subject_release(&s);
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_device_enrol(&env, &who, id, code, &device_id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    struct sj_bail_params p;
    sj_bail_params_init(&p);
    return sj_http_reply(ctx, 201,
                         json_pack("{s:s, s:I, s:I, s:I}", "enrol_code", code, "device_id",
                                   (json_int_t)device_id, "subject_id", (json_int_t)id,
                                   "expires_at_ms",
                                   (json_int_t)(who.now_ms + p.enrol_code_ttl_ms)));
}

int sj_http_bail_post_bind(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"code", "install_id", "label", NULL};
    const char *code = NULL, *install_id = NULL, *label = NULL;
    char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1];
    struct sj_bail_device device = {0};
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "code", true, &code) < 0 ||
        sj_http_body_string(ctx, "install_id", true, &install_id) < 0 ||
        sj_http_body_string(ctx, "label", false, &label) < 0)
        return SJ_EINVAL;
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    int rc = sj_bail_device_bind(&env, &who, sj_str_from_cstr(code), install_id, label ? label : "",
                                 token, &device, &err);
    if (rc == SJ_EPERM)
        return sj_http_error(ctx, 403, "ENROL_CODE_INVALID", "%s", err.message);
    if (rc == SJ_EEXIST)
        return sj_http_error(ctx, 409, "DEVICE_BOUND_ELSEWHERE", "%s", err.message);
    if (rc < 0)
        return sj_http_bail_fail(ctx, &err);
    json_t *body =
        json_pack("{s:s, s:o}", "device_token", token, "device", sj_http_bail_device_json(&device));
    sj_bail_device_release(&device);
    return sj_http_reply(ctx, 201, body);
}

int sj_http_bail_delete_device(struct sj_http_ctx *ctx)
{
    struct sj_bail_device d;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    struct sj_err err;
    sj_err_clear(&err);
    int64_t id = sj_http_param_id(ctx, "id");
    if (id == 0 || sj_store_bail_device_get(ctx->store, id, &d, NULL) < 0)
        return sj_http_error(ctx, 404, "BAIL_DEVICE_NOT_FOUND", "没有这个设备");
    bool is_visible = sj_http_office_visible(ctx, d.office_id);
    sj_bail_device_release(&d);
    if (!is_visible)
        return sj_http_error(ctx, 404, "BAIL_DEVICE_NOT_FOUND", "没有这个设备");
    if (sj_http_bail_env(ctx, &env, &who) < 0)
        return SJ_EINVAL;
    if (sj_bail_device_revoke(&env, &who, id, &err) < 0)
        return sj_http_bail_fail(ctx, &err);
    return sj_http_reply(ctx, 204, NULL);
}

/* Decodes the optional "photo" (standard base64 of JPEG bytes) into req->photo (arena). */
static int read_photo(struct sj_http_ctx *ctx, struct sj_bail_checkin_request *req)
{
    json_t *photo = json_object_get(sj_http_body(ctx), "photo");
    if (!photo || json_is_null(photo))
        return 0;
    size_t b64_len = json_string_length(photo);
    if (!json_is_string(photo) || b64_len == 0 || b64_len > PHOTO_B64_MAX)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "字段“photo”应为 JPEG 照片的 base64 编码（base64 不超过 12 MiB）");
    size_t cap = b64_len / 4 * 3 + 3, len = 0;
    unsigned char *bin = sj_arena_alloc(&ctx->arena, cap);
    if (sodium_base642bin(bin, cap, json_string_value(photo), b64_len, "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len == 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“photo”不是有效的 base64 编码");
    req->photo = (struct sj_str){(const char *)bin, len};
    return 0;
}

/* Reads the check-in body into *req (strings borrowed from the body). */
static int read_checkin(struct sj_http_ctx *ctx, struct sj_bail_checkin_request *req)
{
    static const char *const fields[] = {"lat",    "lon",  "accuracy_m", "datum",
                                         "fix_ms", "mock", "photo",      NULL};
    const char *datum = NULL;
    req->idem_key = sj_http_header(ctx, "Idempotency-Key");
    if (!req->idem_key || !req->idem_key[0])
        return sj_http_error(ctx, 400, "IDEMPOTENCY_KEY_MISSING",
                             "打卡请求须带 Idempotency-Key 请求头");
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_bail_body_real(ctx, "lat", true, &req->lat) < 0 ||
        sj_http_bail_body_real(ctx, "lon", true, &req->lon) < 0 ||
        sj_http_bail_body_real(ctx, "accuracy_m", true, &req->accuracy_m) < 0 ||
        sj_http_bail_body_int(ctx, "fix_ms", true, &req->fix_ms) < 0 ||
        sj_http_body_string(ctx, "datum", false, &datum) < 0)
        return SJ_EINVAL;
    if (datum && sj_datum_parse(datum, &req->datum) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD",
                             "未知的坐标系“%s”（可选 wgs84、gcj02、bd09）", datum);
    json_t *mock = json_object_get(sj_http_body(ctx), "mock");
    if (mock && !json_is_boolean(mock))
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“mock”应为 true 或 false");
    req->is_mock = json_is_true(mock);
    return read_photo(ctx, req);
}

/* A face verdict reached on the request's thread, handed to the check-in in the writer. */
struct decided_face {
    enum sj_bail_face face;
    double score;
};

static int decided_verify(void *arg, int64_t subject_id, struct sj_str photo,
                          enum sj_bail_face *result, double *score, struct sj_err *err)
{
    const struct decided_face *d = arg;
    *result = d->face;
    *score = d->score;
    return 0;
}

/* Verifies the photo now (the model and the template read on the request's store) and makes
 * *out a verifier that answers that verdict. An error leaves the check-in "unverified". */
static void decide_face(struct sj_http_ctx *ctx, int64_t subject_id, struct sj_str photo,
                        struct decided_face *d, struct sj_bail_face_verifier *out)
{
    struct sj_face_bail fb = {.model = face_model, .store = ctx->store};
    struct sj_bail_face_verifier fv;
    struct sj_err err;
    sj_err_clear(&err);
    sj_face_bail_verifier(&fb, &fv);
    if (fv.verify(fv.ctx, subject_id, photo, &d->face, &d->score, &err) < 0) {
        SJ_WARN("bail: face verifier %s failed for subject %lld: %s", fv.name ? fv.name : "?",
                (long long)subject_id, err.message);
        d->face = SJ_BAIL_FACE_UNVERIFIED;
        d->score = -1.0;
    }
    *out = (struct sj_bail_face_verifier){fv.name, decided_verify, d};
}

/* The check-in inside the writer's batch, on its connection and ledger. */
struct checkin_write {
    struct sj_bail_env env;
    const struct sj_bail_actor *who;
    const struct sj_bail_device *device;
    const struct sj_bail_checkin_request *req;
    struct sj_bail_checkin_result *res;
};

static int apply_checkin(struct sj_store *store, struct sj_http_write *w, struct sj_err *err)
{
    struct checkin_write *c = w->arg;
    c->env.store = store;
    c->env.ledger = w->ledger;
    return sj_bail_checkin_submit(&c->env, c->who, c->device, c->req, c->res, err);
}

int sj_http_bail_post_checkin(struct sj_http_ctx *ctx)
{
    struct sj_bail_checkin_request req = {.datum = SJ_DATUM_GCJ02};
    struct sj_bail_checkin_result res = {0};
    struct sj_bail_device d = {0};
    struct sj_bail_actor who;
    struct decided_face face;
    struct sj_bail_face_verifier fv;
    struct checkin_write c = {.who = &who, .device = &d, .req = &req, .res = &res};
    struct sj_http_write w = {.apply = apply_checkin, .arg = &c};
    if (sj_http_bail_device(ctx, &d) < 0)
        return SJ_EPERM;
    int rc = read_checkin(ctx, &req);
    if (rc == 0)
        rc = device_env(ctx, &d, &c.env, &who);
    if (rc == 0 && req.photo.len > 0 && pthread_once(&face_once, face_open) == 0 && face_model) {
        decide_face(ctx, d.subject_id, req.photo, &face, &fv);
        c.env.face = &fv;
    }
    if (rc == 0) {
        rc = sj_http_writer_submit(sj_http_platform_of(ctx)->writer, &w);
        struct sj_err err = w.err;
        if (rc == SJ_EEXIST)
            sj_http_error(ctx, 422, "IDEMPOTENCY_KEY_REUSED",
                          "该 Idempotency-Key 已用于内容不同的打卡，请换用新的键");
        else if (rc < 0)
            sj_http_bail_fail(ctx, &err);
    }
    if (rc == 0) {
        json_t *answer = res.answer ? json_loads(res.answer, 0, NULL) : NULL;
        if (answer)
            json_object_set_new(answer, "checkin_id", json_integer((json_int_t)res.id));
        if (res.is_repeat)
            sj_http_add_header(ctx, "Idempotent-Replayed", "true");
        rc = answer ? sj_http_reply(ctx, 201, answer) : SJ_EFORMAT;
    }
    sj_bail_checkin_result_release(&res);
    sj_bail_device_release(&d);
    return rc;
}

/* Reads the fixes array of a positions upload into *fixes (malloc). */
static int read_fixes(struct sj_http_ctx *ctx, struct sj_bail_fix **fixes, size_t *count)
{
    json_t *arr = json_object_get(sj_http_body(ctx), "fixes");
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > SJ_BAIL_POSITIONS_MAX)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "字段“fixes”应为 1 至 %d 个定位的数组",
                             SJ_BAIL_POSITIONS_MAX);
    *count = json_array_size(arr);
    *fixes = sj_xcalloc(*count, sizeof **fixes);
    for (size_t i = 0; i < *count; i++) {
        json_t *f = json_array_get(arr, i);
        json_t *lat = json_object_get(f, "lat"), *lon = json_object_get(f, "lon");
        json_t *acc = json_object_get(f, "accuracy_m"), *t = json_object_get(f, "fix_ms");
        json_t *mock = json_object_get(f, "mock");
        if (!json_is_number(lat) || !json_is_number(lon) || !json_is_number(acc) ||
            !json_is_integer(t) || (mock && !json_is_boolean(mock))) {
            free(*fixes);
            *fixes = NULL;
            return sj_http_error(ctx, 400, "INVALID_FIELD",
                                 "第 %zu 个定位应有数字 lat、lon、accuracy_m 与整数 fix_ms", i + 1);
        }
        (*fixes)[i] = (struct sj_bail_fix){
            .pos = {json_number_value(lat), json_number_value(lon)},
            .accuracy_m = json_number_value(acc),
            .fix_ms = (int64_t)json_integer_value(t),
            .is_mock = json_is_true(mock),
        };
    }
    return 0;
}

/* A position upload inside the writer's batch. */
struct positions_write {
    struct sj_bail_env env;
    const struct sj_bail_actor *who;
    const struct sj_bail_device *device;
    const struct sj_bail_fix *fixes;
    size_t count;
    enum sj_datum datum;
    size_t stored;
};

static int apply_positions(struct sj_store *store, struct sj_http_write *w, struct sj_err *err)
{
    struct positions_write *p = w->arg;
    p->env.store = store;
    p->env.ledger = w->ledger;
    return sj_bail_positions_add(&p->env, p->who, p->device, p->fixes, p->count, p->datum,
                                 &p->stored, err);
}

int sj_http_bail_post_positions(struct sj_http_ctx *ctx)
{
    static const char *const fields[] = {"datum", "fixes", NULL};
    struct sj_bail_device d = {0};
    struct sj_bail_fix *fixes = NULL;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    enum sj_datum datum = SJ_DATUM_GCJ02;
    const char *datum_text = NULL;
    size_t count = 0, stored = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_device(ctx, &d) < 0)
        return SJ_EPERM;
    int rc = sj_http_body_only(ctx, fields, true);
    if (rc == 0)
        rc = sj_http_body_string(ctx, "datum", false, &datum_text);
    if (rc == 0 && datum_text && sj_datum_parse(datum_text, &datum) < 0)
        rc = sj_http_error(ctx, 400, "INVALID_FIELD", "未知的坐标系“%s”", datum_text);
    if (rc == 0)
        rc = read_fixes(ctx, &fixes, &count);
    if (rc == 0)
        rc = device_env(ctx, &d, &env, &who);
    if (rc == 0) {
        struct positions_write p = {env, &who, &d, fixes, count, datum, 0};
        struct sj_http_write w = {.apply = apply_positions, .arg = &p};
        rc = sj_http_writer_submit(sj_http_platform_of(ctx)->writer, &w);
        err = w.err;
        stored = p.stored;
        if (rc < 0)
            sj_http_bail_fail(ctx, &err);
    }
    if (rc == 0)
        rc = sj_http_reply(
            ctx, 201,
            json_pack("{s:I, s:I}", "received", (json_int_t)count, "stored", (json_int_t)stored));
    free(fixes);
    sj_bail_device_release(&d);
    return rc;
}

/* The device's own subject id from the path; 403 for any other. */
static int own_subject(struct sj_http_ctx *ctx, const struct sj_bail_device *d)
{
    if (sj_http_param_id(ctx, "id") != d->subject_id)
        return sj_http_error(ctx, 403, "DEVICE_SUBJECT_FORBIDDEN", "设备只能查看和办理本人的事项");
    return 0;
}

int sj_http_bail_device_subject(struct sj_http_ctx *ctx)
{
    struct sj_bail_device d = {0};
    struct sj_bail_subject s;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_device(ctx, &d) < 0)
        return SJ_EPERM;
    int rc = own_subject(ctx, &d);
    if (rc == 0 && (rc = sj_bail_subject_get(ctx->store, d.subject_id, &s, &err)) < 0)
        sj_http_bail_fail(ctx, &err);
    if (rc == 0) {
        json_t *body =
            json_pack("{s:{s:I, s:s, s:s, s:s, s:s?}}", "subject", "id", (json_int_t)s.id, "status",
                      sj_bail_status_name(s.status), "bail_start", s.bail_start, "bail_end",
                      s.bail_end, "conditions", s.conditions);
        sj_bail_subject_release(&s);
        sj_http_bail_device_extras(ctx, d.subject_id, body);
        rc = sj_http_reply(ctx, 200, body);
    }
    sj_bail_device_release(&d);
    return rc;
}

int sj_http_bail_read_leave(struct sj_http_ctx *ctx, struct sj_bail_leave_request *req)
{
    static const char *const fields[] = {"destination", "reason",   "lat",    "lon", "datum",
                                         "radius_m",    "start_ms", "end_ms", NULL};
    const char *datum = NULL;
    if (sj_http_body_only(ctx, fields, true) < 0 ||
        sj_http_body_string(ctx, "destination", true, &req->destination) < 0 ||
        sj_http_body_string(ctx, "reason", true, &req->reason) < 0 ||
        sj_http_bail_body_real(ctx, "lat", true, &req->pos.lat) < 0 ||
        sj_http_bail_body_real(ctx, "lon", true, &req->pos.lon) < 0 ||
        sj_http_bail_body_real(ctx, "radius_m", false, &req->radius_m) < 0 ||
        sj_http_bail_body_int(ctx, "start_ms", true, &req->start_ms) < 0 ||
        sj_http_bail_body_int(ctx, "end_ms", true, &req->end_ms) < 0 ||
        sj_http_body_string(ctx, "datum", false, &datum) < 0)
        return SJ_EINVAL;
    if (datum && sj_datum_parse(datum, &req->datum) < 0)
        return sj_http_error(ctx, 400, "INVALID_FIELD", "未知的坐标系“%s”", datum);
    return 0;
}

int sj_http_bail_device_leave(struct sj_http_ctx *ctx)
{
    struct sj_bail_leave_request req = {.datum = SJ_DATUM_GCJ02};
    struct sj_bail_device d = {0};
    struct sj_bail_leave l;
    struct sj_bail_env env;
    struct sj_bail_actor who;
    int64_t id = 0;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_http_bail_device(ctx, &d) < 0)
        return SJ_EPERM;
    int rc = own_subject(ctx, &d);
    if (rc == 0)
        rc = sj_http_bail_read_leave(ctx, &req);
    if (rc == 0)
        rc = device_env(ctx, &d, &env, &who);
    if (rc == 0 && (rc = sj_bail_leave_submit(&env, &who, d.subject_id, &req, &id, &err)) == 0)
        rc = sj_bail_leave_get(ctx->store, id, &l, &err);
    if (rc < 0 && !ctx->has_reply)
        sj_http_bail_fail(ctx, &err);
    if (rc == 0) {
        rc = sj_http_reply(ctx, 201, json_pack("{s:o}", "leave", sj_http_bail_leave_json(&l)));
        sj_bail_leave_release(&l);
    }
    sj_bail_device_release(&d);
    return rc;
}
