/*
 * fence_ops.c - fences, check-in schedules and spot checks of subjects (shujian/bail_ops.h).
 * A fence belongs to one subject or to a named group of its office; its geometry is stored as
 * canonical WGS-84 GeoJSON whatever datum it came in, and the ledger keeps the SHA-256 of that
 * text (a home fence would reveal a residence). Schedules without validity bounds get the bail
 * period's.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

static void sha256_hex(struct sj_str text, char out[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text.ptr, text.len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Who the fence is for: an existing subject of the office, or a group name. */
static int fence_owner(struct sj_store *store, const struct sj_bail_fence_new *in,
                       struct sj_err *err)
{
    if ((in->subject_id != 0) == (in->group && in->group[0]))
        return sj_err_set(err, SJ_EINVAL, "电子围栏应属于一名被监管人或一个分组（二选一）");
    if (!in->subject_id) {
        bool exists = false;
        int rc = sj_store_bail_office_exists(store, in->office_id, &exists, err);
        if (rc == 0 && !exists)
            rc = sj_err_set(err, SJ_ENOTFOUND, "检察院 %lld 不存在", (long long)in->office_id);
        return rc < 0 ? rc : sj_bail_check_text(in->group, 1, 64, false, "分组名称", err);
    }
    struct sj_bail_subject s;
    int rc = sj_store_bail_subject_get(store, in->subject_id, &s, err);
    if (rc == 0 && s.office_id != in->office_id)
        rc = sj_err_set(err, SJ_EINVAL, "被监管人不属于该检察院");
    sj_bail_subject_release(&s);
    return rc;
}

static int fence_record(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_store_bail_fence *row, int64_t id, struct sj_err *err)
{
    char sha[65];
    sha256_hex(sj_str_from_cstr(row->geometry), sha);
    json_t *p = json_pack(
        "{s:s, s:s, s:I, s:I, s:s?, s:s, s:I, s:I}", "kind", sj_fence_kind_name(row->kind), "name",
        row->name, "office", (json_int_t)row->office_id, "subject", (json_int_t)row->subject_id,
        "group", row->group, "geometry_sha256", sha, "valid_from_ms",
        (json_int_t)row->valid_from_ms, "valid_until_ms", (json_int_t)row->valid_until_ms);
    return sj_bail_record(env, who, "bail.fence.add", "bail-fence", id, p, NULL, err);
}

int sj_bail_fence_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const struct sj_bail_fence_new *in, int64_t *id, struct sj_err *err)
{
    struct sj_fence f;
    struct sj_buf geo;
    bool is_own = false;
    int64_t new_id = 0;
    sj_buf_init(&geo, 0);
    int rc = sj_fence_parse_geojson(in->geojson, in->datum, &f, err);
    if (rc == 0)
        rc = sj_fence_to_geojson(&f, &geo);
    sj_fence_release(&f);
    if (rc == 0)
        rc = sj_bail_check_text(in->name, 1, 64, false, "围栏名称", err);
    if (rc == 0 && in->kind != SJ_FENCE_ALLOWED && in->kind != SJ_FENCE_FORBIDDEN)
        rc = sj_err_set(err, SJ_EINVAL, "围栏类型应为 allowed 或 forbidden");
    if (rc == 0 && in->valid_until_ms && in->valid_until_ms <= in->valid_from_ms)
        rc = sj_err_set(err, SJ_EINVAL, "围栏的失效时间应晚于生效时间");
    if (rc == 0)
        rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0) {
        sj_buf_release(&geo);
        return rc;
    }
    struct sj_store_bail_fence row = {.office_id = in->office_id,
                                      .subject_id = in->subject_id,
                                      .group = in->subject_id ? NULL : (char *)in->group,
                                      .kind = in->kind,
                                      .name = (char *)in->name,
                                      .geometry = (char *)sj_buf_cstr(&geo),
                                      .valid_from_ms = in->valid_from_ms,
                                      .valid_until_ms = in->valid_until_ms};
    rc = fence_owner(env->store, in, err);
    if (rc == 0)
        rc = sj_store_bail_fence_add(env->store, &row, who->now_ms, &new_id, err);
    if (rc == 0)
        rc = fence_record(env, who, &row, new_id, err);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    sj_buf_release(&geo);
    return rc;
}

int sj_bail_fence_disable(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t fence_id, struct sj_err *err)
{
    bool is_own = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_fence_disable(env->store, fence_id, err);
    if (rc == 0)
        rc =
            sj_bail_record(env, who, "bail.fence.disable", "bail-fence", fence_id, NULL, NULL, err);
    return sj_bail_tx_end(env, is_own, rc, err);
}

int sj_bail_fences_for(struct sj_store *store, int64_t subject_id, int64_t at_ms,
                       struct sj_fence **fences, size_t *count, struct sj_err *err)
{
    struct sj_store_bail_fence *rows = NULL;
    size_t n = 0;
    *fences = NULL;
    *count = 0;
    int rc = sj_store_bail_fences_for(store, subject_id, at_ms, at_ms, &rows, &n, err);
    if (rc == 0)
        sj_bail_fences_parse(rows, n, fences, count);
    sj_store_bail_fence_list_free(rows, n);
    return rc;
}

void sj_bail_fences_free(struct sj_fence *fences, size_t count)
{
    for (size_t i = 0; fences && i < count; i++)
        sj_fence_release(&fences[i]);
    free(fences);
}

/* ---- Schedules and spot checks ------------------------------------------------------------- */

int sj_bail_schedule_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, const struct sj_bail_schedule *in, int64_t *id,
                         struct sj_err *err)
{
    struct sj_bail_schedule s = *in;
    struct sj_bail_subject subj;
    int64_t start_day = 0, end_day = 0, new_id = 0;
    bool is_own = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &subj, err);
    if (rc == 0 && (sj_bail_day_parse(subj.bail_start, &start_day) < 0 ||
                    sj_bail_day_parse(subj.bail_end, &end_day) < 0))
        rc = sj_err_set(err, SJ_EINVAL, "被监管人的取保候审日期无效");
    if (rc == 0) {
        if (!s.valid_from_ms)
            s.valid_from_ms = sj_bail_day_start(start_day);
        if (!s.valid_until_ms)
            s.valid_until_ms = sj_bail_day_start(end_day + 1);
        rc = sj_bail_schedule_check(&s, err);
    }
    if (rc == 0)
        rc = sj_store_bail_schedule_add(env->store, subject_id, &s, who->now_ms, &new_id, err);
    if (rc == 0) {
        json_t *p =
            json_pack("{s:I, s:s, s:i, s:i, s:i, s:I, s:I}", "subject", (json_int_t)subject_id,
                      "kind", sj_bail_schedule_kind_name(s.kind), "start_min", s.start_min,
                      "end_min", s.end_min, "weekdays", (int)s.weekdays, "valid_from_ms",
                      (json_int_t)s.valid_from_ms, "valid_until_ms", (json_int_t)s.valid_until_ms);
        rc = sj_bail_record(env, who, "bail.schedule.add", "bail-schedule", new_id, p, NULL, err);
    }
    sj_bail_subject_release(&subj);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

int sj_bail_spot_issue(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                       int64_t subject_id, int64_t deadline_ms, int64_t *id, struct sj_err *err)
{
    struct sj_bail_params buf;
    const struct sj_bail_params *p = sj_bail_env_params(env, &buf);
    struct sj_bail_subject s;
    int64_t new_id = 0;
    bool is_own = false;
    if (!deadline_ms)
        deadline_ms = who->now_ms + p->spot_deadline_ms;
    if (deadline_ms <= who->now_ms)
        return sj_err_set(err, SJ_EINVAL, "抽查的截止时间应晚于现在");
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &s, err);
    if (rc == 0 && s.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EINVAL, "被监管人不在监管中");
    if (rc == 0)
        rc = sj_store_bail_spot_add(env->store, subject_id, who->now_ms, deadline_ms, who->user_id,
                                    &new_id, err);
    if (rc == 0) {
        json_t *pl = json_pack("{s:I, s:I, s:I}", "subject", (json_int_t)subject_id, "issued_ms",
                               (json_int_t)who->now_ms, "deadline_ms", (json_int_t)deadline_ms);
        rc = sj_bail_record(env, who, "bail.spot.issue", "bail-spot", new_id, pl, NULL, err);
    }
    sj_bail_subject_release(&s);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

int sj_bail_due_slots(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                      struct sj_bail_slot **slots, size_t *count, struct sj_err *err)
{
    struct sj_bail_schedule *sched = NULL;
    struct sj_bail_spot *spots = NULL;
    size_t ns = 0, nspots = 0;
    *slots = NULL;
    *count = 0;
    int rc = sj_store_bail_schedules(store, subject_id, &sched, &ns, err);
    if (rc == 0)
        rc = sj_store_bail_spots(store, subject_id, from_ms, to_ms, &spots, &nspots, err);
    if (rc == 0)
        rc = sj_bail_slots(sched, ns, spots, nspots, from_ms, to_ms, slots, count, err);
    free(sched);
    free(spots);
    return rc;
}
