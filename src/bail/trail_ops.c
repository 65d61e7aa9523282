/*
 * trail_ops.c - periodic position reports and the trail (行动轨迹) (shujian/bail_ops.h). A batch
 * is converted to WGS-84, sorted by time, stored once per (subject, fix time), checked for mock
 * flags (one alert per subject and day) and impossible speed, fed to the fence state machines
 * in time order, and recorded as one ledger entry holding the batch's SHA-256 - one signature
 * per upload, not per fix, so thousands of positions a second stay ledgered.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

static int fix_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct sj_bail_fix *)a)->fix_ms,
            y = ((const struct sj_bail_fix *)b)->fix_ms;
    return x < y ? -1 : (x > y);
}

/* Converts and sorts the usable fixes (valid position and accuracy, not ahead of now by more
 * than the allowed skew, not older than the maximum age) into *out (owned). */
static size_t prepare(const struct sj_bail_fix *in, size_t count, enum sj_datum datum,
                      int64_t now_ms, const struct sj_bail_params *p, struct sj_bail_fix **out)
{
    size_t n = 0;
    *out = sj_xcalloc(count ? count : 1, sizeof **out);
    for (size_t i = 0; i < count; i++) {
        struct sj_bail_fix f = in[i];
        if (sj_geo_convert(datum, SJ_DATUM_WGS84, in[i].pos, &f.pos) < 0 ||
            !(f.accuracy_m >= 0.0 && f.accuracy_m < 1e6) || f.fix_ms > now_ms + p->future_skew_ms ||
            now_ms - f.fix_ms > p->max_fix_age_ms)
            continue;
        (*out)[n++] = f;
    }
    if (n > 1)
        qsort(*out, n, sizeof **out, fix_cmp);
    return n;
}

struct batch {
    const struct sj_bail_env *env;
    const struct sj_bail_actor *who;
    const struct sj_bail_params *p;
    struct sj_bail_subject s;
    struct sj_bail_fix *fresh; /* newly stored, not mocked, in time order */
    size_t fresh_count;
    size_t stored;
    crypto_hash_sha256_state sha;
};

static int raise_mock(struct batch *b, const struct sj_bail_fix *f, struct sj_err *err)
{
    char key[64], source[48];
    snprintf(key, sizeof key, "mock:%lld:%lld", (long long)b->s.id,
             (long long)sj_bail_local_day(f->fix_ms));
    snprintf(source, sizeof source, "position:%lld", (long long)f->fix_ms);
    return sj_bail_raise(b->env, b->who, &b->s, SJ_BAIL_ALERT_MOCK_LOCATION,
                         "位置上报时手机报告正在使用虚拟定位", source, key, NULL, err);
}

static int check_speed(struct batch *b, const struct sj_bail_fix *prev, const struct sj_bail_fix *f,
                       struct sj_err *err)
{
    double kmh = sj_bail_speed_kmh(prev, f);
    if (!(kmh > b->p->max_speed_kmh))
        return 0;
    char key[64], source[48], detail[192];
    snprintf(key, sizeof key, "travel:%lld:%lld", (long long)b->s.id, (long long)f->fix_ms);
    snprintf(source, sizeof source, "position:%lld", (long long)f->fix_ms);
    snprintf(detail, sizeof detail, "%lld 秒内移动 %.1f 公里，超过 %.0f 公里/小时",
             (long long)((f->fix_ms - prev->fix_ms) / 1000),
             sj_geo_distance_m(prev->pos, f->pos) / 1000.0, b->p->max_speed_kmh);
    return sj_bail_raise(b->env, b->who, &b->s, SJ_BAIL_ALERT_IMPOSSIBLE_TRAVEL, detail, source,
                         key, NULL, err);
}

static int store_all(struct batch *b, const struct sj_bail_fix *fixes, size_t n, struct sj_err *err)
{
    struct sj_bail_fix prev;
    bool has_prev = false;
    int rc = n ? sj_store_bail_position_before(b->env->store, b->s.id, fixes[0].fix_ms, &prev,
                                               &has_prev, err)
               : 0;
    b->fresh = sj_xcalloc(n ? n : 1, sizeof *b->fresh);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct sj_bail_fix *f = &fixes[i];
        bool is_new = false;
        rc = sj_store_bail_position_add(b->env->store, b->s.id, f, f->is_mock ? 1u : 0u, &is_new,
                                        err);
        if (rc < 0 || !is_new)
            continue;
        b->stored++;
        char line[96];
        int len = snprintf(line, sizeof line, "%lld,%.7f,%.7f,%.0f,%d\n", (long long)f->fix_ms,
                           f->pos.lat, f->pos.lon, f->accuracy_m, f->is_mock ? 1 : 0);
        crypto_hash_sha256_update(&b->sha, (const unsigned char *)line, (size_t)len);
        if (f->is_mock) {
            rc = raise_mock(b, f, err);
            continue;
        }
        if (has_prev)
            rc = check_speed(b, &prev, f, err);
        prev = *f;
        has_prev = true;
        b->fresh[b->fresh_count++] = *f;
    }
    return rc;
}

int sj_bail_positions_add(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          const struct sj_bail_device *device, const struct sj_bail_fix *fixes,
                          size_t count, enum sj_datum datum, size_t *stored, struct sj_err *err)
{
    struct sj_bail_params buf;
    struct batch b = {.env = env, .who = who, .p = sj_bail_env_params(env, &buf)};
    struct sj_bail_fix *sorted = NULL;
    bool is_own = false;
    if (count > SJ_BAIL_POSITIONS_MAX || (count && !fixes) || (unsigned)datum >= SJ_DATUM_COUNT)
        return sj_err_set(err, count > SJ_BAIL_POSITIONS_MAX ? SJ_ETOOBIG : SJ_EINVAL,
                          "一次最多上报 %d 个位置，且坐标系须有效", SJ_BAIL_POSITIONS_MAX);
    if (!device || device->status != SJ_BAIL_DEVICE_ACTIVE)
        return sj_err_set(err, SJ_EPERM, "设备已停用");
    size_t n = prepare(fixes, count, datum, who->now_ms, b.p, &sorted);
    crypto_hash_sha256_init(&b.sha);
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0) {
        free(sorted);
        return rc;
    }
    rc = sj_bail_device_check(env, device, err);
    if (rc == 0)
        rc = sj_store_bail_subject_get(env->store, device->subject_id, &b.s, err);
    if (rc == 0 && b.s.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EPERM, "被监管人不在监管中，不接受位置上报");
    if (rc == 0)
        rc = store_all(&b, sorted, n, err);
    if (rc == 0)
        rc = sj_bail_feed_fences(env, who, &b.s, b.fresh, b.fresh_count, NULL, err);
    if (rc == 0)
        rc = sj_store_bail_device_touch(env->store, device->id, who->now_ms, err);
    if (rc == 0) {
        uint8_t h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256_final(&b.sha, h);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        json_t *p = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "subject",
                              (json_int_t)device->subject_id, "device", (json_int_t)device->id,
                              "received", (json_int_t)count, "stored", (json_int_t)b.stored,
                              "first_ms", (json_int_t)(n ? sorted[0].fix_ms : 0), "last_ms",
                              (json_int_t)(n ? sorted[n - 1].fix_ms : 0), "sha256", hex);
        rc = sj_bail_record(env, who, "bail.positions", "bail-subject", device->subject_id, p, NULL,
                            err);
    }
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && stored)
        *stored = b.stored;
    sj_bail_subject_release(&b.s);
    free(b.fresh);
    free(sorted);
    return rc;
}

int sj_bail_trail(struct sj_store *store, int64_t subject_id, int64_t from_ms, int64_t to_ms,
                  size_t limit, struct sj_bail_fix **fixes, size_t *count, struct sj_err *err)
{
    *fixes = NULL;
    *count = 0;
    if (to_ms < from_ms)
        return sj_err_set(err, SJ_EINVAL, "时间范围的结束早于开始");
    return sj_store_bail_trail(store, subject_id, from_ms, to_ms, limit ? limit : 100000, fixes,
                               count, err);
}
