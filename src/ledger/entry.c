/*
 * entry.c - the canonical form of a ledger entry. The leaf data is a sequence of netstrings
 * (`<decimal length>:<bytes>,`): the format tag SJ_LEDGER_ENTRY_FORMAT, the index in
 * decimal, then at, actor, office, action, object_type, object_id, from, payload. Lengths
 * make the encoding unambiguous for any bytes, so a verifier re-encodes exactly what is
 * stored, damaged or not. Also the checks a record passes before it is appended, and the
 * canonical payload JSON (compact, keys sorted, duplicate keys refused).
 */
#include <jansson.h>
#include <string.h>

#include "ledger/ledger_int.h"

/* Decimal digits of v into out (at least 20 bytes); returns their count. No printf: this
 * runs ten times per entry when a whole ledger is verified. */
static size_t decimal(uint64_t v, char *out)
{
    char rev[20];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

static int netstring(struct sj_buf *out, struct sj_str s)
{
    char len[24];
    size_t n = decimal(s.len, len);
    len[n++] = ':';
    int rc = sj_buf_append(out, len, n);
    if (rc == 0)
        rc = sj_buf_append(out, s.ptr, s.len);
    if (rc == 0)
        rc = sj_buf_putc(out, ',');
    return rc;
}

int sj_ledger_entry_encode(const struct sj_ledger_entry *e, struct sj_buf *out)
{
    char index[24];
    size_t n = decimal(e->index, index);
    const struct sj_str fields[] = {
        SJ_STR_LIT(SJ_LEDGER_ENTRY_FORMAT),
        sj_str_make(index, n),
        e->at,
        e->actor,
        e->office,
        e->action,
        e->object_type,
        e->object_id,
        e->from,
        e->payload,
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(fields); i++) {
        int rc = netstring(out, fields[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sj_ledger_entry_hash_with(enum sj_ledger_alg alg, const struct sj_ledger_entry *e,
                              struct sj_buf *scratch, struct sj_ledger_digest *out)
{
    sj_buf_reset(scratch);
    int rc = sj_ledger_entry_encode(e, scratch);
    if (rc == 0)
        rc = sj_ledger_hash_leaf(alg, scratch->data, scratch->len, out);
    return rc;
}

int sj_ledger_entry_hash(enum sj_ledger_alg alg, const struct sj_ledger_entry *e,
                         struct sj_ledger_digest *out)
{
    struct sj_buf buf;
    sj_buf_init(&buf, 0);
    int rc = sj_ledger_entry_hash_with(alg, e, &buf, out);
    sj_buf_release(&buf);
    return rc;
}

/* ---- Records before they are appended ---------------------------------------------------------
 */

/* A short field: NULL is "", at most SJ_LEDGER_FIELD_MAX bytes of UTF-8 without controls. */
static int check_field(const char *name, const char *value, bool is_required, struct sj_str *out,
                       struct sj_err *err)
{
    size_t bad = 0;
    *out = sj_str_from_cstr(value);
    if (is_required && out->len == 0)
        return sj_err_set(err, SJ_EINVAL, "ledger entry: %s is required", name);
    if (out->len > SJ_LEDGER_FIELD_MAX)
        return sj_err_set(err, SJ_EINVAL, "ledger entry: %s is longer than %d bytes", name,
                          SJ_LEDGER_FIELD_MAX);
    if (!sj_utf8_is_valid(*out, &bad))
        return sj_err_set(err, SJ_EINVAL, "ledger entry: %s is not valid UTF-8 (byte %zu)", name,
                          bad);
    for (size_t i = 0; i < out->len; i++) {
        unsigned char c = (unsigned char)out->ptr[i];
        if (c < 0x20 || c == 0x7f)
            return sj_err_set(err, SJ_EINVAL, "ledger entry: %s has a control character", name);
    }
    return 0;
}

/* Canonical JSON of payload (NULL: {}) appended to out. */
static int canonical_payload(const char *payload, struct sj_buf *out, struct sj_err *err)
{
    json_error_t jerr;
    const char *text = payload ? payload : "{}";
    json_t *value = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!value)
        return sj_err_set(err, SJ_EINVAL, "ledger entry: payload is not JSON (%s, column %d)",
                          jerr.text, jerr.column);
    char *dumped = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(value);
    if (!dumped)
        return sj_err_set(err, SJ_EINVAL, "ledger entry: payload cannot be encoded");
    int rc = 0;
    if (strlen(dumped) > SJ_LEDGER_PAYLOAD_MAX)
        rc = sj_err_set(err, SJ_EINVAL, "ledger entry: payload is larger than %zu bytes",
                        SJ_LEDGER_PAYLOAD_MAX);
    else if (sj_buf_append_cstr(out, dumped) < 0)
        rc = sj_err_set(err, SJ_ETOOBIG, "ledger entry: payload too large");
    free(dumped);
    return rc;
}

int sj_ledger_record_to_entry(const struct sj_ledger_record *rec, struct sj_buf *payload,
                              struct sj_ledger_entry *e, struct sj_err *err)
{
    struct {
        const char *name;
        const char *value;
        bool is_required;
        struct sj_str *out;
    } fields[] = {
        {"actor", rec->actor, true, &e->actor},
        {"office", rec->office, false, &e->office},
        {"action", rec->action, true, &e->action},
        {"object type", rec->object_type, true, &e->object_type},
        {"object id", rec->object_id, false, &e->object_id},
        {"from", rec->from, false, &e->from},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(fields); i++) {
        int rc =
            check_field(fields[i].name, fields[i].value, fields[i].is_required, fields[i].out, err);
        if (rc < 0)
            return rc;
    }
    sj_buf_reset(payload);
    int rc = canonical_payload(rec->payload_json, payload, err);
    if (rc == 0)
        e->payload = sj_buf_str(payload);
    return rc;
}
