/*
 * device_ops.c - binding a subject's phone (shujian/bail_ops.h). An officer creates a one-time
 * enrolment code (12 Crockford base32 characters, 60 random bits, valid for minutes); the app
 * redeems it for a device token (256 random bits). Only BLAKE2b-256 hashes of code and token
 * are stored, so a copy of the database binds nothing. A subject has at most one active device
 * and an app installation serves at most one subject; binding a new phone revokes the old one
 * and raises a device-change alert.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bail/bail_int.h"

#define CODE_CHARS 12
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void sj_bail_device_release(struct sj_bail_device *d)
{
    if (!d)
        return;
    free(d->label);
    free(d->install_id);
    memset(d, 0, sizeof *d);
}

static void hash_secret(const char *domain, const char *secret, size_t len, uint8_t out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain));
    crypto_generichash_update(&st, (const unsigned char *)secret, len);
    crypto_generichash_final(&st, out, 32);
}

/* The 12 code characters of text (case, spaces and dashes ignored; I, L -> 1 and O -> 0 as
 * Crockford decodes them) into out[13]. SJ_EPERM when it cannot be a code. */
static int code_normalise(struct sj_str text, char out[CODE_CHARS + 1])
{
    size_t n = 0;
    for (size_t i = 0; i < text.len && i < 64; i++) {
        char c = text.ptr[i];
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        c = c == 'I' || c == 'L' ? '1' : (c == 'O' ? '0' : c);
        if (!c || !strchr(crockford, c) || n == CODE_CHARS)
            return SJ_EPERM;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == CODE_CHARS && text.len <= 64 ? 0 : SJ_EPERM;
}

static void code_make(char code[SJ_BAIL_ENROL_CODE_LEN + 1], char bare[CODE_CHARS + 1])
{
    uint8_t raw[8];
    randombytes_buf(raw, sizeof raw);
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | raw[i];
    for (int i = 0; i < CODE_CHARS; i++)
        bare[i] = crockford[(bits >> (5 * i)) & 31];
    bare[CODE_CHARS] = '\0';
    snprintf(code, SJ_BAIL_ENROL_CODE_LEN + 1, "%.4s-%.4s-%.4s", bare, bare + 4, bare + 8);
    sodium_memzero(raw, sizeof raw);
}

int sj_bail_device_enrol(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                         int64_t subject_id, char code[SJ_BAIL_ENROL_CODE_LEN + 1],
                         int64_t *device_id, struct sj_err *err)
{
    struct sj_bail_params buf;
    const struct sj_bail_params *p = sj_bail_env_params(env, &buf);
    struct sj_bail_subject s;
    char bare[CODE_CHARS + 1];
    uint8_t hash[32];
    int64_t id = 0;
    bool is_own = false;
    if (sodium_init() < 0)
        return sj_err_set(err, SJ_EIO, "libsodium 初始化失败");
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_subject_get(env->store, subject_id, &s, err);
    if (rc == 0 && s.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EINVAL, "被监管人不在监管中，不能绑定设备");
    if (rc == 0) {
        code_make(code, bare);
        hash_secret("shujian-bail-enrol:", bare, CODE_CHARS, hash);
        rc = sj_store_bail_device_add_pending(env->store, subject_id, hash,
                                              who->now_ms + p->enrol_code_ttl_ms, who->now_ms, &id,
                                              err);
    }
    if (rc == 0) {
        json_t *pl = json_pack("{s:I, s:I}", "subject", (json_int_t)subject_id, "expires_ms",
                               (json_int_t)(who->now_ms + p->enrol_code_ttl_ms));
        rc = sj_bail_record(env, who, "bail.device.enrol", "bail-device", id, pl, NULL, err);
    }
    sj_bail_subject_release(&s);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0 && device_id)
        *device_id = id;
    if (rc < 0)
        code[0] = '\0';
    sodium_memzero(bare, sizeof bare);
    return rc;
}

static int check_install(const char *install_id, const char *label, struct sj_err *err)
{
    size_t n = install_id ? strlen(install_id) : 0;
    if (n == 0 || n > SJ_BAIL_INSTALL_ID_MAX)
        return sj_err_set(err, SJ_EINVAL, "应用安装标识长度应为 1 至 %d 个字符",
                          SJ_BAIL_INSTALL_ID_MAX);
    for (size_t i = 0; i < n; i++) {
        if (install_id[i] < 0x21 || install_id[i] > 0x7e)
            return sj_err_set(err, SJ_EINVAL, "应用安装标识只能含可见 ASCII 字符");
    }
    return label && label[0] ? sj_bail_check_text(label, 0, 64, false, "设备型号", err) : 0;
}

/* The subject's previous active device is revoked; a different installation raises a
 * device-change alert. */
static int replace_previous(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                            const struct sj_bail_subject *s, int64_t new_id, const char *install_id,
                            int64_t *previous, struct sj_err *err)
{
    struct sj_bail_device old;
    int rc = sj_store_bail_device_active(env->store, s->id, &old, err);
    if (rc == SJ_ENOTFOUND)
        return 0;
    if (rc == 0)
        rc = sj_store_bail_device_revoke(env->store, old.id, who->now_ms, err);
    *previous = old.id;
    if (rc == 0 && strcmp(old.install_id, install_id) != 0) {
        char detail[192], source[48], key[64];
        snprintf(detail, sizeof detail, "被监管人更换了手机（原设备 %lld，新设备 %lld）",
                 (long long)old.id, (long long)new_id);
        snprintf(source, sizeof source, "device:%lld", (long long)new_id);
        snprintf(key, sizeof key, "device-change:%lld", (long long)new_id);
        rc =
            sj_bail_raise(env, who, s, SJ_BAIL_ALERT_DEVICE_CHANGE, detail, source, key, NULL, err);
    }
    sj_bail_device_release(&old);
    return rc;
}

static int bind_found(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                      const struct sj_bail_device *pending, const char *install_id,
                      const char *label, const uint8_t token_hash[32], struct sj_err *err)
{
    struct sj_bail_subject s;
    struct sj_bail_device other;
    int64_t previous = 0;
    int rc = sj_store_bail_subject_get(env->store, pending->subject_id, &s, err);
    if (rc == 0 && s.status != SJ_BAIL_ACTIVE)
        rc = sj_err_set(err, SJ_EINVAL, "被监管人不在监管中，不能绑定设备");
    if (rc == 0 && sj_store_bail_device_by_install(env->store, install_id, &other, NULL) == 0) {
        if (other.subject_id != s.id)
            rc = sj_err_set(err, SJ_EEXIST, "该手机已绑定其他被监管人，请先解除原绑定");
        sj_bail_device_release(&other);
    }
    if (rc == 0)
        rc = replace_previous(env, who, &s, pending->id, install_id, &previous, err);
    if (rc == 0)
        rc = sj_store_bail_device_activate(env->store, pending->id, token_hash, install_id,
                                           label ? label : "", who->now_ms, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:I, s:s, s:I}", "subject", (json_int_t)s.id, "install_id",
                              install_id, "replaced", (json_int_t)previous);
        rc = sj_bail_record(env, who, "bail.device.bind", "bail-device", pending->id, p, NULL, err);
    }
    sj_bail_subject_release(&s);
    return rc;
}

int sj_bail_device_bind(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        struct sj_str code, const char *install_id, const char *label,
                        char token[SJ_BAIL_DEVICE_TOKEN_LEN + 1], struct sj_bail_device *device,
                        struct sj_err *err)
{
    char bare[CODE_CHARS + 1];
    uint8_t code_hash[32], token_hash[32], raw[32];
    struct sj_bail_device pending;
    int64_t expires = 0;
    bool is_own = false;
    memset(device, 0, sizeof *device);
    token[0] = '\0';
    if (sodium_init() < 0)
        return sj_err_set(err, SJ_EIO, "libsodium 初始化失败");
    int rc = check_install(install_id, label, err);
    if (rc < 0)
        return rc;
    if (code_normalise(code, bare) < 0)
        return sj_err_set(err, SJ_EPERM, "启用码无效或已过期");
    hash_secret("shujian-bail-enrol:", bare, CODE_CHARS, code_hash);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, SJ_BAIL_DEVICE_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_secret("shujian-bail-token:", token, SJ_BAIL_DEVICE_TOKEN_LEN, token_hash);
    rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_device_by_enrol(env->store, code_hash, &pending, &expires, err);
    if (rc == SJ_ENOTFOUND || (rc == 0 && expires <= who->now_ms))
        rc = sj_err_set(err, SJ_EPERM, "启用码无效或已过期");
    if (rc == 0)
        rc = bind_found(env, who, &pending, install_id, label, token_hash, err);
    rc = sj_bail_tx_end(env, is_own, rc, err);
    if (rc == 0)
        rc = sj_store_bail_device_get(env->store, pending.id, device, err);
    sj_bail_device_release(&pending);
    sodium_memzero(raw, sizeof raw);
    if (rc < 0)
        sodium_memzero(token, SJ_BAIL_DEVICE_TOKEN_LEN + 1);
    return rc;
}

int sj_bail_device_auth(struct sj_store *store, struct sj_str token, int64_t now_ms,
                        struct sj_bail_device *device, struct sj_err *err)
{
    uint8_t hash[32];
    memset(device, 0, sizeof *device);
    if (token.len != SJ_BAIL_DEVICE_TOKEN_LEN)
        return sj_err_set(err, SJ_EPERM, "设备凭证无效");
    if (sodium_init() < 0)
        return sj_err_set(err, SJ_EIO, "libsodium 初始化失败");
    hash_secret("shujian-bail-token:", token.ptr, token.len, hash);
    int rc = sj_store_bail_device_by_token(store, hash, device, err);
    if (rc == SJ_ENOTFOUND || (rc == 0 && device->status != SJ_BAIL_DEVICE_ACTIVE)) {
        sj_bail_device_release(device);
        return sj_err_set(err, SJ_EPERM, "设备凭证无效或设备已停用");
    }
    if (rc == 0)
        rc = sj_store_bail_device_touch(store, device->id, now_ms, err);
    if (rc == 0)
        device->last_seen_ms = now_ms > device->last_seen_ms ? now_ms : device->last_seen_ms;
    return rc;
}

int sj_bail_device_revoke(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                          int64_t device_id, struct sj_err *err)
{
    struct sj_bail_device d;
    bool is_own = false;
    int rc = sj_bail_tx_begin(env, &is_own, err);
    if (rc < 0)
        return rc;
    rc = sj_store_bail_device_get(env->store, device_id, &d, err);
    if (rc == 0)
        rc = sj_store_bail_device_revoke(env->store, device_id, who->now_ms, err);
    if (rc == 0) {
        json_t *p = json_pack("{s:I}", "subject", (json_int_t)d.subject_id);
        rc = sj_bail_record(env, who, "bail.device.revoke", "bail-device", device_id, p, NULL, err);
    }
    sj_bail_device_release(&d);
    return sj_bail_tx_end(env, is_own, rc, err);
}
