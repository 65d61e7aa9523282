/*
 * checkin_ops.c - check-ins and position reports from a subject's phone (shujian/bail_ops.h).
 *
 * Invariants: a check-in is judged and stored with its answer in one transaction, so a
 * (device, idempotency key) pair has exactly one answer for ever: a retry with the same body
 * (SHA-256 over the canonical fields and the photo's hash) gets it back, a different body is
 * refused. The face is verified before the transaction (a verifier may be slow) and the
 * verdict uses that result. Positions are stored in WGS-84 at 1e-7 degrees; a fix older than
 * the newest one already fed never moves a fence state (late uploads are stored, not replayed).
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define SLOT_LOOKAROUND_MS SJ_BAIL_DAY_MS

void sj_bail_checkin_result_release(struct sj_bail_checkin_result *r)
{
    if (!r)
        return;
    free(r->answer);
    memset(r, 0, sizeof *r);
}

static int check_request(const struct sj_bail_checkin_request *req, struct sj_err *err)
{
    size_t n = req->idem_key ? strlen(req->idem_key) : 0;
    if (n == 0 || n > SJ_BAIL_IDEM_KEY_MAX)
        return sj_err_set(err, SJ_EINVAL, "幂等键长度应为 1 至 %d 个字符", SJ_BAIL_IDEM_KEY_MAX);
    for (size_t i = 0; i < n; i++) {
        if (req->idem_key[i] < 0x21 || req->idem_key[i] > 0x7e)
            return sj_err_set(err, SJ_EINVAL, "幂等键只能含可见 ASCII 字符");
    }
    if ((unsigned)req->datum >= SJ_DATUM_COUNT)
        return sj_err_set(err, SJ_EINVAL, "未知的坐标系");
    return 0;
}

static void body_hash(const struct sj_bail_checkin_request *req, uint8_t out[32], char photo[65])
{
    char canon[320];
    uint8_t h[crypto_hash_sha256_BYTES];
    photo[0] = '\0';
    if (req->photo.len) {
        crypto_hash_sha256(h, (const unsigned char *)req->photo.ptr, req->photo.len);
        sodium_bin2hex(photo, 65, h, sizeof h);
    }
    int n = snprintf(canon, sizeof canon,
                     "fix=%lld;lat=%.17g;lon=%.17g;acc=%.17g;datum=%s;mock=%d;"
                     "photo=%s",
                     (long long)req->fix_ms, req->lat, req->lon, req->accuracy_m,
                     sj_datum_name(req->datum), req->is_mock ? 1 : 0, photo);
    crypto_hash_sha256(out, (const unsigned char *)canon, (size_t)n);
}

/* A verifier that answers what the real one answered before the transaction. */
struct decided {
    enum sj_bail_face face;
    double score;
};

static int decided_verify(void *ctx, int64_t subject_id, struct sj_str photo,
                          enum sj_bail_face *result, double *score, struct sj_err *err)
{
    const struct decided *d = ctx;
    *result = d->face;
    *score = d->score;
    return 0;
}

static void verify_face(const struct sj_bail_env *env, int64_t subject_id, struct sj_str photo,
                        struct decided *d)
{
    const struct sj_bail_face_verifier *v = env->face ? env->face : sj_bail_face_default();
    struct sj_err err;
    sj_err_clear(&err);
    d->face = SJ_BAIL_FACE_UNVERIFIED;
    d->score = -1.0;
    if (v->verify && v->verify(v->ctx, subject_id, photo, &d->face, &d->score, &err) < 0) {
        SJ_WARN("bail: face verifier %s failed for subject %lld: %s", v->name ? v->name : "?",
                (long long)subject_id, err.message);
        d->face = SJ_BAIL_FACE_UNVERIFIED;
        d->score = -1.0;
    }
}

static json_t *flag_names(unsigned flags)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < SJ_BAIL_FLAG_COUNT; i++) {
        if (flags & (1u << i))
            json_array_append_new(arr, json_string(sj_bail_flag_name(i)));
    }
    return arr;
}

/* The answer the phone gets (and gets again on a retry). */
static char *answer_json(const struct sj_bail_checkin_request *req, const struct sj_bail_fix *fix,
                         int64_t received_ms, const struct sj_bail_verdict *v)
{
    char fixed[26], received[26], start[26], end[26];
    sj_bail_time_format(fix->fix_ms, fixed);
    sj_bail_time_format(received_ms, received);
    json_t *slot = json_null();
    if (v->has_slot) {
        sj_bail_time_format(v->slot.start_ms, start);
        sj_bail_time_format(v->slot.end_ms, end);
        slot = json_pack("{s:s, s:s, s:s}", "kind", sj_bail_schedule_kind_name(v->slot.kind),
                         "start", start, "end", end);
    }
    json_t *root = json_pack(
        "{s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s, s:s, s:s}", "key", req->idem_key, "status",
        sj_bail_verdict_status_name(v->status), "flags", flag_names(v->flags), "place",
        sj_fence_rel_name(v->place), "slot", slot, "face", sj_bail_face_name(v->face), "speed_kmh",
        v->speed_kmh >= 0 && isfinite(v->speed_kmh) ? json_real(round(v->speed_kmh * 10) / 10)
                                                    : json_null(),
        "fix_time", fixed, "received_time", received, "reason", v->reason);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text ? text : sj_xstrdup("{}");
}

/* Everything the judge needs from the workspace, gathered inside the transaction. */
struct gathered {
    struct sj_fence *fences;
    size_t fence_count;
    struct sj_bail_leave *leaves;
    size_t leave_count;
    struct sj_fence *leave_fences;
    struct sj_bail_leave_window *windows;
    struct sj_bail_slot *slots;
    size_t slot_count;
    bool has_previous;
    struct sj_bail_fix previous;
};

static int gather(struct sj_store *store, int64_t subject_id, int64_t t, struct gathered *g,
                  struct sj_err *err)
{
    int rc = sj_bail_fences_for(store, subject_id, t, &g->fences, &g->fence_count, err);
    if (rc == 0)
        rc = sj_store_bail_leaves_approved(store, subject_id, t, t + 1, &g->leaves, &g->leave_count,
                                           err);
    if (rc == 0 && g->leave_count) {
        g->leave_fences = sj_xcalloc(g->leave_count, sizeof *g->leave_fences);
        g->windows = sj_xcalloc(g->leave_count, sizeof *g->windows);
        for (size_t i = 0; i < g->leave_count; i++) {
            sj_bail_leave_fence(&g->leaves[i], &g->leave_fences[i]);
            g->windows[i] = (struct sj_bail_leave_window){g->leaves[i].id, g->leaves[i].start_ms,
                                                          g->leaves[i].end_ms, &g->leave_fences[i]};
        }
    }
    if (rc == 0)
        rc = sj_bail_due_slots(store, subject_id, t - SLOT_LOOKAROUND_MS, t + SLOT_LOOKAROUND_MS,
                               &g->slots, &g->slot_count, err);
    if (rc == 0)
        rc = sj_store_bail_position_before(store, subject_id, t, &g->previous, &g->has_previous,
                                           err);
    return rc;
}

static void gathered_release(struct gathered *g)
{
    sj_bail_fences_free(g->fences, g->fence_count);
    for (size_t i = 0; i < g->leave_count; i++)
        sj_fence_release(&g->leave_fences[i]);
    free(g->leave_fences);
    free(g->windows);
    sj_store_bail_leave_list_free(g->leaves, g->leave_count);
    free(g->slots);
}

/* 1 (and *out filled) when (device, key) was seen with the same body; SJ_EEXIST when with a
 * different one; 0 when new. */
static int find_repeat(struct sj_store *store, int64_t device_id, const char *key,
                       const uint8_t hash[32], struct sj_bail_checkin_result *out,
                       struct sj_err *err)
{
    uint8_t stored[32];
    char *answer = NULL;
    int64_t id = 0;
    int rc = sj_store_bail_checkin_find(store, device_id, key, &id, stored, &answer, err);
    if (rc == 1 && sodium_memcmp(stored, hash, 32) != 0) {
        free(answer);
        return sj_err_set(err, SJ_EEXIST, "幂等键“%s”已用于内容不同的打卡", key);
    }
    if (rc == 1) {
        out->id = id;
        out->is_repeat = true;
        out->answer = answer;
    }
    return rc;
}

struct submission {
    const struct sj_bail_env *env;
    const struct sj_bail_actor *who;
    const struct sj_bail_device *device;
    const struct sj_bail_checkin_request *req;
    struct sj_bail_subject subject;
    struct sj_bail_fix fix; /* WGS-84 */
    uint8_t hash[32];
    char photo[65];
    struct decided face;
};

/* After the row is stored: the trail, the fence machines, the verdict's alerts, the ledger. */
static int after_store(struct submission *sub, struct sj_bail_checkin_result *out,
                       struct sj_err *err)
{
    const struct sj_bail_verdict *v = &out->verdict;
    const struct sj_bail_env *env = sub->env;
    bool is_new = false;
    int rc = 0;
    if (v->status != SJ_BAIL_REJECTED) {
        unsigned flags = (v->flags & SJ_BAIL_FLAG_LATE_UPLOAD) ? 2u : 0u;
        rc =
            sj_store_bail_position_add(env->store, sub->subject.id, &sub->fix, flags, &is_new, err);
        if (rc == 0)
            rc = sj_bail_feed_fences(env, sub->who, &sub->subject, &sub->fix, 1,
                                     &out->alerts_raised, err);
    }
    for (size_t i = 0; rc == 0 && i < v->alert_count; i++) {
        char source[48], key[96];
        snprintf(source, sizeof source, "checkin:%lld", (long long)out->id);
        snprintf(key, sizeof key, "checkin:%lld:%s", (long long)out->id,
                 sj_bail_alert_kind_name(v->alerts[i].kind));
        rc = sj_bail_raise(env, sub->who, &sub->subject, v->alerts[i].kind, v->alerts[i].detail,
                           source, key, &is_new, err);
        out->alerts_raised += rc == 0 && is_new;
    }
    if (rc == 0)
        rc = sj_store_bail_device_touch(env->store, sub->device->id, sub->who->now_ms, err);
    if (rc == 0) {
        char hash_hex[65];
        sodium_bin2hex(hash_hex, sizeof hash_hex, sub->hash, 32);
        json_t *p = json_pack(
            "{s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "subject",
            (json_int_t)sub->subject.id, "device", (json_int_t)sub->device->id, "key",
            sub->req->idem_key, "status", sj_bail_verdict_status_name(v->status), "flags",
            (json_int_t)v->flags, "fix_ms", (json_int_t)sub->fix.fix_ms, "slot_start_ms",
            (json_int_t)(v->has_slot ? v->slot.start_ms : 0), "face", sj_bail_face_name(v->face),
            "body_sha256", hash_hex, "photo_sha256", sub->photo);
        rc = sj_bail_record(env, sub->who, "bail.checkin", "bail-checkin", out->id, p, NULL, err);
    }
    return rc;
}

static int judge_and_store(struct submission *sub, struct sj_bail_checkin_result *out,
                           struct sj_err *err)
{
    struct gathered g;
    memset(&g, 0, sizeof g);
    struct sj_store *store = sub->env->store;
    int rc = gather(store, sub->subject.id, sub->fix.fix_ms, &g, err);
    struct sj_bail_face_verifier decided = {"decided", decided_verify, &sub->face};
    struct sj_bail_judge_input in = {.subject_id = sub->subject.id,
                                     .fix = sub->fix,
                                     .received_ms = sub->who->now_ms,
                                     .fences = g.fences,
                                     .fence_count = g.fence_count,
                                     .leaves = g.windows,
                                     .leave_count = g.leave_count,
                                     .has_previous = g.has_previous,
                                     .previous = g.previous,
                                     .slots = g.slots,
                                     .slot_count = g.slot_count,
                                     .face = &decided,
                                     .photo = sub->req->photo,
                                     .params = sub->env->params};
    if (rc == 0)
        rc = sj_bail_judge_checkin(&in, &out->verdict);
    if (rc == 0) {
        out->answer = answer_json(sub->req, &sub->fix, sub->who->now_ms, &out->verdict);
        struct sj_store_bail_checkin row = {.subject_id = sub->subject.id,
                                            .device_id = sub->device->id,
                                            .idem_key = sub->req->idem_key,
                                            .fix = sub->fix,
                                            .received_ms = sub->who->now_ms,
                                            .datum = sub->req->datum,
                                            .verdict = &out->verdict,
                                            .photo_sha256 = sub->photo[0] ? sub->photo : NULL,
                                            .answer = out->answer};
        memcpy(row.body_hash, sub->hash, 32);
        rc = sj_store_bail_checkin_add(store, &row, &out->id, err);
    }
    gathered_release(&g);
    return rc == 0 ? after_store(sub, out, err) : rc;
}

/* The position in WGS-84; an invalid one is kept as given (the judge refuses it). */
static struct sj_bail_fix to_wgs84(double lat, double lon, double acc, int64_t t, bool is_mock,
                                   enum sj_datum datum)
{
    struct sj_bail_fix fix = {{lat, lon}, acc, t, is_mock};
    struct sj_geo_point p;
    if (sj_geo_convert(datum, SJ_DATUM_WGS84, fix.pos, &p) == 0)
        fix.pos = p;
    return fix;
}

int sj_bail_checkin_submit(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                           const struct sj_bail_device *device,
                           const struct sj_bail_checkin_request *req,
                           struct sj_bail_checkin_result *out, struct sj_err *err)
{
    struct submission sub = {.env = env, .who = who, .device = device, .req = req};
    bool is_own = false;
    memset(out, 0, sizeof *out);
    int rc = check_request(req, err);
    if (rc == 0 && (!device || device->status != SJ_BAIL_DEVICE_ACTIVE))
        rc = sj_err_set(err, SJ_EPERM, "设备已停用");
    if (rc < 0 || sodium_init() < 0)
        return rc < 0 ? rc : sj_err_set(err, SJ_EIO, "libsodium 初始化失败");
    body_hash(req, sub.hash, sub.photo);
    sub.fix = to_wgs84(req->lat, req->lon, req->accuracy_m, req->fix_ms, req->is_mock, req->datum);
    rc = find_repeat(env->store, device->id, req->idem_key, sub.hash, out, err);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* a repeat: the first answer, no transaction needed */
    verify_face(env, device->subject_id, req->photo, &sub.face);
    rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = find_repeat(env->store, device->id, req->idem_key, sub.hash, out, err);
    if (rc == 0)
        rc = sj_bail_device_check(env, device, err);
    if (rc == 0)
        rc = sj_store_bail_subject_get(env->store, device->subject_id, &sub.subject, err);
    if (rc == 0 && sub.subject.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EPERM, "被监管人不在监管中，不接受打卡");
    if (rc == 0 && !out->is_repeat)
        rc = judge_and_store(&sub, out, err);
    sj_bail_subject_release(&sub.subject);
    rc = sj_bail_tx_end(env, is_own, rc == 1 ? 0 : rc, err);
    if (rc < 0)
        sj_bail_checkin_result_release(out);
    return rc;
}
