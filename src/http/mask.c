/*
 * mask.c - masking (脱敏) of every JSON answer, and the record of each reveal.
 *
 * A string is masked by what its member name says it holds (English API names such as
 * id_number/phone/bank_card/person_name, or the Chinese column headers of imported data,
 * through the importer's synonym table); any other string has the runs of digits in it
 * that look like an ID number, a bank card or a mobile masked. Identifier members (ids,
 * codes, tokens, timestamps, user names) are never touched, because masking them would
 * break the API rather than protect anyone. Strings in an array are judged by the array's
 * member name.
 *
 * Invariant: masking replaces characters with '*' and never lengthens a string, so the
 * result is still valid UTF-8 (norm's sj_norm_mask works on whole code points).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "shujian/ingest.h"
#include "shujian/norm.h"

enum key_class { KEY_TEXT, KEY_IDENT, KEY_KIND };

static const struct {
    const char *name;
    enum sj_kind kind;
} api_names[] = {
    {"id_number", SJ_KIND_IDCARD},   {"idcard", SJ_KIND_IDCARD},
    {"id_card", SJ_KIND_IDCARD},     {"phone", SJ_KIND_PHONE},
    {"mobile", SJ_KIND_PHONE},       {"phone_number", SJ_KIND_PHONE},
    {"bank_card", SJ_KIND_BANKCARD}, {"bankcard", SJ_KIND_BANKCARD},
    {"card_no", SJ_KIND_BANKCARD},   {"account_no", SJ_KIND_BANKCARD},
    {"person_name", SJ_KIND_NAME},   {"subject_name", SJ_KIND_NAME},
    {"party_name", SJ_KIND_NAME},    {"real_name", SJ_KIND_NAME},
};

static const char *const ident_names[] = {"id",         "code",   "username", "token",
                                          "csrf_token", "status", "role",     "level"};
static const char *const ident_suffixes[] = {"_id", "_code", "_token", "_at", "_sha256", "_hash"};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Matches name exactly or as the suffix "_<name>" of key. */
static bool names_match(const char *key, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len == n)
        return memcmp(key, name, n) == 0;
    return len > n && key[len - n - 1] == '_' && memcmp(key + len - n, name, n) == 0;
}

static enum key_class classify(const char *key, enum sj_kind *kind)
{
    size_t len = strlen(key);
    bool is_ascii = true;
    for (size_t i = 0; i < len; i++)
        is_ascii = is_ascii && (unsigned char)key[i] < 0x80;
    if (!is_ascii) {
        *kind = sj_ingest_kind_of_header(sj_str_make(key, len));
        return *kind == SJ_KIND_IDCARD || *kind == SJ_KIND_PHONE || *kind == SJ_KIND_BANKCARD ||
                       *kind == SJ_KIND_NAME
                   ? KEY_KIND
                   : KEY_TEXT;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(api_names); i++) {
        if (names_match(key, len, api_names[i].name)) {
            *kind = api_names[i].kind;
            return KEY_KIND;
        }
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(ident_names); i++) {
        if (strcmp(key, ident_names[i]) == 0)
            return KEY_IDENT;
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(ident_suffixes); i++) {
        if (ends_with(key, len, ident_suffixes[i]))
            return KEY_IDENT;
    }
    return KEY_TEXT;
}

/* ---- The walk ------------------------------------------------------------------------------- */

/* Masks one string value; returns whether it changed (and, unless dry, replaces it). */
static bool mask_string(json_t *v, enum key_class cls, enum sj_kind kind, bool is_dry_run)
{
    const char *text = json_string_value(v);
    size_t len = json_string_length(v);
    if (cls == KEY_IDENT || len == 0 || strlen(text) != len)
        return false; /* embedded NULs: not text we produced from a person's data */
    struct sj_buf out;
    sj_buf_init(&out, len + 1);
    if (cls == KEY_KIND) {
        char *masked = sj_xmalloc(len + 2);
        if (sj_norm_mask(kind, text, masked, len + 2) >= 0)
            sj_buf_append_cstr(&out, masked);
        free(masked);
    } else {
        sj_norm_mask_text(text, &out);
    }
    bool is_changed = strcmp(sj_buf_cstr(&out), text) != 0;
    if (is_changed && !is_dry_run)
        json_string_set(v, sj_buf_cstr(&out));
    sj_buf_release(&out);
    return is_changed;
}

static size_t walk(json_t *v, enum key_class cls, enum sj_kind kind, bool is_dry_run)
{
    size_t count = 0;
    if (json_is_string(v))
        return mask_string(v, cls, kind, is_dry_run) ? 1 : 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) count += walk(item, cls, kind, is_dry_run);
        return count;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member)
        {
            enum sj_kind member_kind = SJ_KIND_TEXT;
            enum key_class member_cls = classify(key, &member_kind);
            count += walk(member, member_cls, member_kind, is_dry_run);
        }
    }
    return count;
}

size_t sj_http_mask_json(json_t *root, bool is_dry_run)
{
    return root ? walk(root, KEY_TEXT, SJ_KIND_TEXT, is_dry_run) : 0;
}

/* ---- Reveals -------------------------------------------------------------------------------- */

/* The ledger of the request's store, opened the first time it is needed. */
static int ledger_of(struct sj_http_ctx *ctx, struct sj_ledger **out, struct sj_err *err)
{
    struct sj_ledger **slot = &ctx->app->ledgers[ctx->store_index];
    int rc = *slot ? 0 : sj_ledger_open(ctx->store, slot, err);
    *out = *slot;
    return rc;
}

int sj_http_record_reveal(struct sj_http_ctx *ctx, size_t count)
{
    const struct sj_user *user = sj_http_user(ctx);
    struct sj_ledger *ledger = NULL;
    struct sj_office office = {0};
    struct sj_err err;
    sj_err_clear(&err);
    if (!user)
        return SJ_EPERM;
    int rc = ledger_of(ctx, &ledger, &err);
    if (rc == 0)
        rc = sj_office_get(ctx->store, user->office_id, &office, &err);
    if (rc == 0) {
        json_t *payload =
            json_pack("{s:I, s:s, s:s, s:s}", "count", (json_int_t)count, "method",
                      ctx->req->method, "path", ctx->req->path, "role", sj_role_name(user->role));
        char *payload_json = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        const char *object =
            sj_arena_sprintf(&ctx->arena, "%s %s", ctx->req->method, ctx->req->path);
        struct sj_ledger_record rec = {
            .actor = user->username,
            .office = office.code,
            .action = "data.reveal",
            .object_type = "api",
            .object_id = object,
            .from = ctx->req->peer,
            .payload_json = payload_json,
        };
        rc = payload_json ? sj_ledger_append(ledger, &rec, NULL, &err) : SJ_EINVAL;
        free(payload_json);
        json_decref(payload);
    }
    sj_office_release(&office);
    if (rc == SJ_ENOTFOUND && !ledger)
        SJ_WARN("reveal refused: the workspace has no ledger to record it in "
                "(run `shujian ledger init`)");
    else if (rc < 0)
        SJ_ERROR("reveal refused: recording it in the ledger failed: %s", err.message);
    else
        SJ_INFO("reveal recorded: user=%s saw %zu unmasked values: %s %s", user->username, count,
                ctx->req->method, ctx->req->path);
    return rc;
}
