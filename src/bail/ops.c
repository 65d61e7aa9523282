/*
 * ops.c - what the bail operations share (src/bail/bail_int.h): the transaction around each
 * operation, its ledger entry, field checks, the actor check, and raising an alert (roster
 * assignment, escalation time, ledger entry whose index the alert keeps). An operation is
 * always: begin, check, change, record, end; nothing is written outside that transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"
#include "shujian/ledger.h"

const struct sj_bail_params *sj_bail_env_params(const struct sj_bail_env *env,
                                                struct sj_bail_params *buf)
{
    if (env && env->params)
        return env->params;
    sj_bail_params_init(buf);
    return buf;
}

int sj_bail_tx_begin(const struct sj_bail_env *env, bool *is_own, struct sj_err *err)
{
    *is_own = false;
    if (!env || !env->store || !env->ledger)
        return sj_err_set(err, SJ_EINVAL, "监管操作需要工作区和存证账本（shujian ledger init）");
    return sj_store_bail_begin(env->store, is_own, err);
}

int sj_bail_tx_end(const struct sj_bail_env *env, bool is_own, int rc, struct sj_err *err)
{
    int end = sj_store_bail_end(env->store, is_own, rc == 0, rc == 0 ? err : NULL);
    return rc < 0 ? rc : end;
}

int sj_bail_record(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                   const char *action, const char *object_type, int64_t object_id, json_t *payload,
                   int64_t *index, struct sj_err *err)
{
    char actor[96], id[32];
    if (who->name && who->name[0])
        snprintf(actor, sizeof actor, "%s", who->name);
    else if (who->device_id)
        snprintf(actor, sizeof actor, "device:%lld", (long long)who->device_id);
    else if (who->user_id)
        snprintf(actor, sizeof actor, "user:%lld", (long long)who->user_id);
    else
        snprintf(actor, sizeof actor, "system");
    snprintf(id, sizeof id, "%lld", (long long)object_id);
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    if (payload && !text)
        return sj_err_set(err, SJ_EINVAL, "存证内容无法序列化");
    struct sj_ledger_record rec = {
        actor, who->office ? who->office : "", action, object_type, id, who->from, text};
    uint64_t at = 0;
    int rc = sj_ledger_append(env->ledger, &rec, &at, err);
    free(text);
    if (rc == 0 && index)
        *index = (int64_t)at;
    return rc;
}

int sj_bail_check_text(const char *text, size_t min, size_t max, bool is_multiline,
                       const char *what, struct sj_err *err)
{
    struct sj_str s = sj_str_from_cstr(text);
    if (!text && min > 0)
        return sj_err_set(err, SJ_EINVAL, "%s不能为空", what); /* a missing member */
    if (!text || !sj_utf8_is_valid(s, NULL))
        return sj_err_set(err, SJ_EINVAL, "%s不是有效的 UTF-8 文本", what);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c < 0x20 && !(is_multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
            return sj_err_set(err, SJ_EINVAL, "%s不能含有控制字符", what);
    }
    size_t n = sj_utf8_count(sj_str_trim(s));
    if (n < min || n > max)
        return min > 0 && n == 0
                   ? sj_err_set(err, SJ_EINVAL, "%s不能为空", what)
                   : sj_err_set(err, SJ_EINVAL, "%s长度应为 %zu 至 %zu 个字符", what, min, max);
    return 0;
}

int sj_bail_check_actor(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject *s, struct sj_err *err)
{
    if (!who->device_id)
        return who->user_id ? 0 : sj_err_set(err, SJ_EPERM, "此操作需要工作人员身份");
    struct sj_bail_device d;
    int rc = sj_store_bail_device_get(env->store, who->device_id, &d, err);
    if (rc == 0 && (d.subject_id != s->id || d.status != SJ_BAIL_DEVICE_ACTIVE))
        rc = sj_err_set(err, SJ_EPERM, "此设备无权代表该被监管人操作");
    else if (rc == SJ_ENOTFOUND)
        rc = sj_err_set(err, SJ_EPERM, "设备不存在");
    sj_bail_device_release(&d);
    return rc;
}

int sj_bail_raise(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                  const struct sj_bail_subject *s, enum sj_bail_alert_kind kind, const char *detail,
                  const char *source, const char *dedupe_key, bool *is_new, struct sj_err *err)
{
    struct sj_bail_params buf;
    const struct sj_bail_params *p = sj_bail_env_params(env, &buf);
    int64_t assignee = 0, id = 0, index = -1;
    bool fresh = false;
    int rc = sj_store_bail_on_duty(env->store, s->office_id, who->now_ms, &assignee, err);
    if (rc < 0)
        return rc;
    if (!assignee)
        assignee = s->police_id ? s->police_id : s->prosecutor_id;
    struct sj_bail_alert a = {.subject_id = s->id,
                              .office_id = s->office_id,
                              .kind = kind,
                              .severity = sj_bail_alert_severity(kind),
                              .detail = (char *)detail,
                              .source = (char *)source,
                              .raised_ms = who->now_ms,
                              .assignee_id = assignee,
                              .escalate_at_ms = who->now_ms + p->escalate_after_ms};
    rc = sj_store_bail_alert_add(env->store, &a, dedupe_key, &id, &fresh, err);
    if (is_new)
        *is_new = rc == 0 && fresh;
    if (rc < 0 || !fresh)
        return rc;
    json_t *payload = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "alert", (json_int_t)id,
                                "subject", (json_int_t)s->id, "kind", sj_bail_alert_kind_name(kind),
                                "severity", sj_bail_severity_name(a.severity), "source", source,
                                "assignee", (json_int_t)assignee);
    rc = sj_bail_record(env, who, "bail.alert.raise", "bail-alert", id, payload, &index, err);
    return rc < 0 ? rc : sj_store_bail_alert_set_ledger(env->store, id, index, err);
}

void sj_bail_fences_parse(const struct sj_store_bail_fence *rows, size_t count,
                          struct sj_fence **fences, size_t *parsed)
{
    *fences = count ? sj_xcalloc(count, sizeof **fences) : NULL;
    *parsed = 0;
    for (size_t i = 0; i < count; i++) {
        struct sj_fence *f = &(*fences)[*parsed];
        if (sj_fence_parse_geojson(sj_str_from_cstr(rows[i].geometry), SJ_DATUM_WGS84, f, NULL) <
            0) {
            sj_fence_release(f);
            SJ_WARN("bail: fence %lld does not parse; skipped", (long long)rows[i].id);
            continue;
        }
        f->id = rows[i].id;
        f->kind = rows[i].kind;
        (*parsed)++;
    }
}

void sj_bail_leave_fence(const struct sj_bail_leave *l, struct sj_fence *out)
{
    if (sj_fence_circle(l->pos, l->radius_m, out, NULL) < 0)
        sj_fence_circle(l->pos, SJ_FENCE_RADIUS_MIN_M, out, NULL);
    out->id = l->fence_id;
    out->kind = SJ_FENCE_ALLOWED;
}

int sj_bail_device_check(const struct sj_bail_env *env, const struct sj_bail_device *device,
                         struct sj_err *err)
{
    struct sj_bail_device now;
    int rc = sj_store_bail_device_get(env->store, device->id, &now, err);
    if (rc == SJ_ENOTFOUND ||
        (rc == 0 && (now.status != SJ_BAIL_DEVICE_ACTIVE || now.subject_id != device->subject_id)))
        rc = sj_err_set(err, SJ_EPERM, "设备已停用");
    sj_bail_device_release(&now);
    return rc;
}
