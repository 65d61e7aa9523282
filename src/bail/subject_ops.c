/*
 * subject_ops.c - the register of subjects on bail (监督信息表) and their groups
 * (shujian/bail_ops.h). Identifiers are validated and normalised with src/norm before they are
 * stored: name (OpenCC, dots), id number (GB 11643 check digit, region, birth date), phone,
 * dates; court case numbers are normalised, other case numbers kept as given. The ledger gets
 * ids and dates, never the id number or phone, because it cannot forget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"
#include "shujian/norm.h"

static const struct {
    const char *name;
    const char *label;
} statuses[] = {{"active", "监管中"}, {"suspended", "暂停"}, {"ended", "已解除"}};

const char *sj_bail_status_name(enum sj_bail_status status)
{
    return (unsigned)status < 3 ? statuses[status].name : "active";
}

const char *sj_bail_status_label(enum sj_bail_status status)
{
    return (unsigned)status < 3 ? statuses[status].label : "监管中";
}

int sj_bail_status_parse(const char *text, enum sj_bail_status *status)
{
    for (int i = 0; text && i < 3; i++) {
        if (strcmp(text, statuses[i].name) == 0 || strcmp(text, statuses[i].label) == 0) {
            *status = (enum sj_bail_status)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

const char *sj_bail_default_conditions(void)
{
    return "未经执行机关批准不得离开所居住的市、县；住址、工作单位和联系方式发生变动的，在二十四小"
           "时"
           "以内向执行机关报告；在传讯的时候及时到案；不得以任何形式干扰证人作证；不得毁灭、伪造"
           "证据或者串供。（刑事诉讼法第七十一条）";
}

void sj_bail_subject_release(struct sj_bail_subject *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->id_number);
    free(s->phone);
    free(s->residence);
    free(s->crime_type);
    free(s->case_number);
    free(s->conditions);
    memset(s, 0, sizeof *s);
}

void sj_bail_subject_list_free(struct sj_bail_subject *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        sj_bail_subject_release(&list[i]);
    free(list);
}

/* ---- Validation ------------------------------------------------------------------------------ */

/* Normalises text with norm_fn into *out (owned); SJ_EINVAL naming field with the reason. */
static int normalise(bool (*norm_fn)(struct sj_str, struct sj_norm_result *), const char *text,
                     const char *field, char **out, struct sj_err *err)
{
    struct sj_norm_result r;
    if (!text || !norm_fn(sj_str_from_cstr(text), &r)) {
        sj_err_at(err, NULL, -1, -1, field);
        return sj_err_set(err, SJ_EINVAL, "%s无效：%s", field,
                          text && r.reason[0] ? r.reason : "不能为空");
    }
    *out = sj_xstrdup(r.value);
    return 0;
}

static int plain_text(const char *text, size_t max, bool is_multiline, const char *field,
                      char **out, struct sj_err *err)
{
    int rc = sj_bail_check_text(text, 1, max, is_multiline, field, err);
    if (rc < 0) {
        sj_err_at(err, NULL, -1, -1, field);
        return rc;
    }
    struct sj_str t = sj_str_trim(sj_str_from_cstr(text));
    *out = sj_xstrndup(t.ptr, t.len);
    return 0;
}

/* A court case number is normalised; any other case number (police, procuratorate) is kept
 * trimmed as long as it is reasonable text. */
static int case_number(const char *text, char **out, struct sj_err *err)
{
    struct sj_norm_result r;
    if (text && sj_norm_caseno(sj_str_from_cstr(text), &r)) {
        *out = sj_xstrdup(r.value);
        return 0;
    }
    return plain_text(text, 64, false, "案号", out, err);
}

static int officer(struct sj_store *store, int64_t user_id, const char *want_role,
                   int64_t office_id, const char *field, struct sj_err *err)
{
    char role[16];
    int64_t office = 0;
    int rc = sj_store_bail_user_role(store, user_id, role, &office, err);
    if (rc == 0 && strcmp(role, want_role) != 0)
        rc = sj_err_set(err, SJ_EINVAL, "%s应为%s角色的用户", field,
                        strcmp(want_role, "police") == 0 ? "公安" : "检察官");
    else if (rc == 0 && office_id && office != office_id)
        rc = sj_err_set(err, SJ_EINVAL, "%s应为本院用户", field);
    if (rc < 0)
        sj_err_at(err, NULL, -1, -1, field);
    return rc;
}

static int bail_dates(const struct sj_bail_subject_new *in, struct sj_bail_subject *s,
                      struct sj_err *err)
{
    char *start = NULL, *end = NULL;
    int rc = normalise(sj_norm_date, in->bail_start, "取保候审起始日期", &start, err);
    if (rc == 0)
        rc = normalise(sj_norm_date, in->bail_end, "取保候审截止日期", &end, err);
    if (rc == 0 && strcmp(end, start) < 0)
        rc = sj_err_set(err, SJ_EINVAL, "取保候审截止日期早于起始日期");
    if (rc == 0) {
        snprintf(s->bail_start, sizeof s->bail_start, "%s", start);
        snprintf(s->bail_end, sizeof s->bail_end, "%s", end);
    }
    free(start);
    free(end);
    return rc;
}

static int validate(struct sj_store *store, const struct sj_bail_subject_new *in,
                    struct sj_bail_subject *s, struct sj_err *err)
{
    bool exists = false;
    int rc = sj_store_bail_office_exists(store, in->office_id, &exists, err);
    if (rc == 0 && !exists)
        rc = sj_err_set(err, SJ_ENOTFOUND, "检察院 %lld 不存在", (long long)in->office_id);
    if (rc == 0)
        rc = normalise(sj_norm_name, in->name, "姓名", &s->name, err);
    if (rc == 0)
        rc = normalise(sj_norm_idcard, in->id_number, "身份证号", &s->id_number, err);
    if (rc == 0)
        rc = normalise(sj_norm_phone, in->phone, "手机号", &s->phone, err);
    if (rc == 0)
        rc = plain_text(in->residence, SJ_BAIL_TEXT_MAX, false, "住所地", &s->residence, err);
    if (rc == 0)
        rc = plain_text(in->crime_type, SJ_BAIL_TEXT_MAX, false, "犯罪类型", &s->crime_type, err);
    if (rc == 0)
        rc = case_number(in->case_number, &s->case_number, err);
    if (rc == 0)
        rc = officer(store, in->prosecutor_id, "prosecutor", in->office_id, "承办检察官", err);
    if (rc == 0 && in->police_id)
        rc = officer(store, in->police_id, "police", 0, "公安民警", err);
    if (rc == 0)
        rc = bail_dates(in, s, err);
    const char *cond =
        in->conditions && in->conditions[0] ? in->conditions : sj_bail_default_conditions();
    if (rc == 0)
        rc = plain_text(cond, SJ_BAIL_NOTE_MAX, true, "监管条件", &s->conditions, err);
    return rc;
}

/* ---- Operations ------------------------------------------------------------------------------ */

int sj_bail_subject_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject_new *in, int64_t *id, struct sj_err *err)
{
    struct sj_bail_subject s = {.office_id = in->office_id,
                                .prosecutor_id = in->prosecutor_id,
                                .police_id = in->police_id,
                                .status = SJ_BAIL_ACTIVE,
                                .created_ms = who->now_ms,
                                .updated_ms = who->now_ms};
    bool is_own = false;
    int64_t new_id = 0;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = validate(env->store, in, &s, err);
    if (rc == 0)
        rc = sj_store_bail_subject_add(env->store, &s, &new_id, err);
    if (rc == 0) {
        json_t *p =
            json_pack("{s:I, s:I, s:I, s:s, s:s}", "office", (json_int_t)s.office_id, "prosecutor",
                      (json_int_t)s.prosecutor_id, "police", (json_int_t)s.police_id, "bail_start",
                      s.bail_start, "bail_end", s.bail_end);
        rc = sj_bail_record(env, who, "bail.subject.add", "bail-subject", new_id, p, NULL, err);
    }
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && id)
        *id = new_id;
    sj_bail_subject_release(&s);
    return rc;
}

int sj_bail_subject_get(struct sj_store *store, int64_t id, struct sj_bail_subject *out,
                        struct sj_err *err)
{
    return sj_store_bail_subject_get(store, id, out, err);
}

int sj_bail_subject_list(struct sj_store *store, int64_t office_id, struct sj_bail_subject **list,
                         size_t *count, struct sj_err *err)
{
    return sj_store_bail_subject_list(store, office_id, false, list, count, err);
}

int sj_bail_subject_set_status(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                               int64_t id, enum sj_bail_status status, const char *note,
                               struct sj_err *err)
{
    struct sj_bail_subject s;
    struct sj_bail_device d;
    bool is_own = false;
    memset(&d, 0, sizeof d);
    int rc = sj_bail_check_text(note, 1, SJ_BAIL_NOTE_MAX, true, "变更原因", err);
    if (rc < 0 || (unsigned)status > SJ_BAIL_ENDED)
        return rc < 0 ? rc : sj_err_set(err, SJ_EINVAL, "未知的监管状态");
    rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, id, &s, err);
    enum sj_bail_status from = s.status;
    if (rc == 0)
        rc = sj_store_bail_subject_set_status(env->store, id, status, who->now_ms, err);
    if (rc == 0 && status == SJ_BAIL_ENDED &&
        sj_store_bail_device_active(env->store, id, &d, NULL) == 0)
        rc = sj_store_bail_device_revoke(env->store, d.id, who->now_ms, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:I}", "from", sj_bail_status_name(from), "to",
                              sj_bail_status_name(status), "note", note, "revoked_device",
                              (json_int_t)d.id);
        rc = sj_bail_record(env, who, "bail.subject.status", "bail-subject", id, p, NULL, err);
    }
    sj_bail_device_release(&d);
    sj_bail_subject_release(&s);
    return sj_bail_tx_end(env, is_own, rc, err);
}

int sj_bail_group_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const char *group, int64_t subject_id, struct sj_err *err)
{
    struct sj_bail_subject s;
    bool is_own = false, is_new = false;
    int rc = sj_bail_check_text(group, 1, 64, false, "分组名称", err);
    if (rc < 0)
        return rc;
    rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &s, err);
    if (rc == 0)
        rc = sj_store_bail_group_add(env->store, s.office_id, group, subject_id, &is_new, err);
    if (rc == 0 && is_new) {
        json_t *p = json_pack("{s:s, s:I}", "group", group, "office", (json_int_t)s.office_id);
        rc = sj_bail_record(env, who, "bail.group.add", "bail-subject", subject_id, p, NULL, err);
    }
    sj_bail_subject_release(&s);
    return sj_bail_tx_end(env, is_own, rc, err);
}
