/*
 * review_ops.c - the daily review (每日核查) (shujian/bail_ops.h): each officer's queue of one
 * local day's check-ins, leave requests and alerts for the subjects they are responsible for,
 * marking check-ins reviewed, and signing the day off - refused while anything in the queue
 * is unhandled. The queue is read and the sign-off written in one transaction, so nothing can
 * slip in between the check and the signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define REVIEW_BATCH_MAX 10000

const char *sj_bail_review_kind_name(enum sj_bail_review_kind kind)
{
    switch (kind) {
    case SJ_BAIL_REVIEW_LEAVE:
        return "leave";
    case SJ_BAIL_REVIEW_ALERT:
        return "alert";
    default:
        return "checkin";
    }
}

int sj_bail_review_queue(struct sj_store *store, int64_t user_id, int64_t day,
                         struct sj_bail_review_item **items, size_t *count, struct sj_err *err)
{
    return sj_store_bail_review_items(store, user_id, sj_bail_day_start(day),
                                      sj_bail_day_start(day + 1), items, count, err);
}

int sj_bail_review_checkins(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                            const int64_t *ids, size_t count, struct sj_err *err)
{
    bool is_own = false;
    size_t changed = 0;
    if (!who->user_id)
        return sj_err_set(err, SJ_EPERM, "复核只能由工作人员进行");
    if (count == 0 || count > REVIEW_BATCH_MAX || !ids)
        return sj_err_set(err, SJ_EINVAL, "一次复核 1 至 %d 条打卡", REVIEW_BATCH_MAX);
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; rc == 0 && i < count; i++) {
        bool is_changed = false;
        rc = sj_store_bail_checkin_review(env->store, ids[i], who->user_id, who->now_ms,
                                          &is_changed, err);
        if (rc == 0 && is_changed) {
            changed++;
            json_array_append_new(list, json_integer((json_int_t)ids[i]));
        }
    }
    if (rc == 0 && changed)
        rc = sj_bail_record(env, who, "bail.review.checkins", "bail-review", who->user_id,
                            json_pack("{s:o}", "checkins", json_incref(list)), NULL, err);
    json_decref(list);
    return sj_bail_tx_end(env, is_own, rc, err);
}

int sj_bail_review_signoff(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                           int64_t day, struct sj_err *err)
{
    struct sj_bail_review_item *items = NULL;
    size_t n = 0, open = 0;
    bool is_own = false;
    char date[11];
    if (!who->user_id)
        return sj_err_set(err, SJ_EPERM, "签收只能由工作人员进行");
    sj_bail_day_format(day, date);
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_bail_review_queue(env->store, who->user_id, day, &items, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        open += !items[i].is_handled;
    if (rc == 0 && open)
        rc =
            sj_err_set(err, SJ_EPERM, "%s 尚有 %zu 项未处理（共 %zu 项），不能签收", date, open, n);
    if (rc == 0)
        rc = sj_store_bail_signoff_add(env->store, who->user_id, date, who->office_id, n,
                                       who->now_ms, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:s, s:I}", "day", date, "items", (json_int_t)n);
        rc = sj_bail_record(env, who, "bail.review.signoff", "bail-review", who->user_id, p, NULL,
                            err);
    }
    free(items);
    return sj_bail_tx_end(env, is_own, rc, err);
}
