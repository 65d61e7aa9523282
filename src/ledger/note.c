/*
 * note.c - checkpoints as C2SP signed notes: formatting and Ed25519 signing, parsing any
 * bytes into a checkpoint (this parses outside input: fuzz/fuzz_checkpoint.c), checking a
 * signature line of a given key, key IDs, and strict base64.
 *
 * Invariants: the parser never reads past len and accepts only canonical encodings (one
 * decimal form per size, one base64 form per hash), so a checkpoint has exactly one text;
 * a signature is checked over the note text bytes exactly as they were received.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ledger/ledger_int.h"

#define EM_DASH_SPACE "\xe2\x80\x94 " /* U+2014 and a space open a signature line */
#define SIG_B64_MAX 8192              /* base64 characters of one signature */

/* ---- Base64 ------------------------------------------------------------------------------------
 */

int sj_ledger_base64_append(struct sj_buf *out, const uint8_t *bin, size_t len)
{
    size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = sj_xmalloc(need);
    sodium_bin2base64(b64, need, bin, len, sodium_base64_VARIANT_ORIGINAL);
    int rc = sj_buf_append_cstr(out, b64);
    free(b64);
    return rc;
}

long sj_ledger_base64_decode(struct sj_str text, uint8_t *bin, size_t bin_max)
{
    size_t bin_len = 0;
    if (text.len == 0 || text.len % 4 != 0 || text.len > SIG_B64_MAX)
        return -1;
    if (sodium_base642bin(bin, bin_max, text.ptr, text.len, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    /* Only the canonical encoding: no stray bits in the last character. */
    char again[SIG_B64_MAX + 1];
    sodium_bin2base64(again, sizeof again, bin, bin_len, sodium_base64_VARIANT_ORIGINAL);
    return memcmp(again, text.ptr, text.len) == 0 ? (long)bin_len : -1;
}

/* ---- Names and key IDs -------------------------------------------------------------------------
 */

/* True when s (valid UTF-8) holds a Unicode space separator or a control character. */
static bool has_space_or_control(struct sj_str s)
{
    size_t i = 0;
    while (i < s.len) {
        uint32_t cp = 0;
        int n = sj_utf8_decode(s.ptr + i, s.len - i, &cp);
        if (n <= 0)
            return true;
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
        if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
            cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CC || cp == '\t')
            return true;
        i += (size_t)n;
    }
    return false;
}

/* Key names of other signers may be longer than we allow for our own origin. */
#define KEY_NAME_MAX 255

static bool is_key_name(struct sj_str s)
{
    return s.len > 0 && s.len <= KEY_NAME_MAX && sj_utf8_is_valid(s, NULL) &&
           memchr(s.ptr, '+', s.len) == NULL && !has_space_or_control(s);
}

int sj_ledger_origin_check(const char *origin, struct sj_err *err)
{
    struct sj_str s = sj_str_from_cstr(origin);
    if (s.len > SJ_LEDGER_ORIGIN_MAX || !is_key_name(s))
        return sj_err_set(
            err, SJ_EINVAL,
            "账本名称（origin）须为 1 到 %d 字节的 UTF-8 文本，不含空白、“+”或控制字符",
            SJ_LEDGER_ORIGIN_MAX);
    return 0;
}

uint32_t sj_ledger_key_id(const char *name, const uint8_t public_key[32])
{
    static const uint8_t sep[2] = {0x0a, 0x01}; /* newline, signature type Ed25519 */
    uint8_t hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, sizeof sep);
    crypto_hash_sha256_update(&st, public_key, 32);
    crypto_hash_sha256_final(&st, hash);
    return (uint32_t)hash[0] << 24 | (uint32_t)hash[1] << 16 | (uint32_t)hash[2] << 8 | hash[3];
}

/* ---- Signing -----------------------------------------------------------------------------------
 */

int sj_ledger_checkpoint_sign(const char *origin, uint64_t tree_size,
                              const struct sj_ledger_digest *root, const uint8_t sk[64],
                              struct sj_buf *out)
{
    size_t start = out->len;
    int rc = sj_buf_appendf(out, "%s\n%" PRIu64 "\n", origin, tree_size);
    if (rc == 0)
        rc = sj_ledger_base64_append(out, root->bytes, SJ_LEDGER_HASH_LEN);
    if (rc == 0)
        rc = sj_buf_putc(out, '\n');
    if (rc < 0)
        return rc;
    uint8_t sig[4 + crypto_sign_BYTES];
    uint32_t id = sj_ledger_key_id(origin, sk + 32); /* libsodium keeps pk after the seed */
    sig[0] = (uint8_t)(id >> 24);
    sig[1] = (uint8_t)(id >> 16);
    sig[2] = (uint8_t)(id >> 8);
    sig[3] = (uint8_t)id;
    crypto_sign_detached(sig + 4, NULL, (const uint8_t *)out->data + start, out->len - start, sk);
    rc = sj_buf_appendf(out, "\n" EM_DASH_SPACE "%s ", origin);
    if (rc == 0)
        rc = sj_ledger_base64_append(out, sig, sizeof sig);
    if (rc == 0)
        rc = sj_buf_putc(out, '\n');
    return rc;
}

/* ---- Parsing -----------------------------------------------------------------------------------
 */

static int bad(struct sj_err *err, const char *what)
{
    return sj_err_set(err, SJ_EFORMAT, "检查点格式不正确：%s", what);
}

/* The decimal tree size: digits, no leading zero (but "0"), at most INT64_MAX. */
static int parse_size(struct sj_str s, uint64_t *out)
{
    uint64_t v = 0;
    if (s.len == 0 || s.len > 19 || (s.len > 1 && s.ptr[0] == '0'))
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

/* The next line of s from *pos (without its newline); false at the end. */
static bool next_line(struct sj_str s, size_t *pos, struct sj_str *line)
{
    if (*pos >= s.len)
        return false;
    const char *nl = memchr(s.ptr + *pos, '\n', s.len - *pos);
    size_t end = nl ? (size_t)(nl - s.ptr) : s.len;
    *line = sj_str_make(s.ptr + *pos, end - *pos);
    *pos = end + 1;
    return true;
}

static int parse_body(struct sj_str body, struct sj_ledger_checkpoint *cp, struct sj_err *err)
{
    struct sj_str line;
    size_t pos = 0, count = 0;
    while (next_line(body, &pos, &line)) {
        if (line.len == 0)
            return bad(err, "正文中有空行");
        if (count == 0) {
            cp->origin = sj_xstrndup(line.ptr, line.len);
        } else if (count == 1) {
            if (parse_size(line, &cp->tree_size) < 0)
                return bad(err, "第 2 行应为不带前导零的十进制树大小");
        } else if (count == 2) {
            uint8_t root[SJ_LEDGER_HASH_LEN + 3];
            if (sj_ledger_base64_decode(line, root, sizeof root) != SJ_LEDGER_HASH_LEN)
                return bad(err, "第 3 行应为 32 字节根哈希的 base64");
            memcpy(cp->root.bytes, root, SJ_LEDGER_HASH_LEN);
        } else {
            cp->extension_count++;
        }
        count++;
    }
    return count >= 3 ? 0 : bad(err, "正文少于 3 行");
}

static int parse_sig_line(struct sj_str line, struct sj_ledger_note_sig *sig, struct sj_err *err)
{
    struct sj_str prefix = SJ_STR_LIT(EM_DASH_SPACE);
    if (!sj_str_has_prefix(line, prefix))
        return bad(err, "签名行应以“— ”开头");
    struct sj_str rest = sj_str_slice(line, prefix.len, line.len);
    long space = sj_str_find(rest, SJ_STR_LIT(" "));
    if (space <= 0)
        return bad(err, "签名行缺少密钥名称");
    struct sj_str name = sj_str_slice(rest, 0, (size_t)space);
    struct sj_str b64 = sj_str_slice(rest, (size_t)space + 1, rest.len);
    if (!is_key_name(name))
        return bad(err, "签名行的密钥名称不合规");
    size_t max = b64.len / 4 * 3 + 3;
    uint8_t *bin = sj_xmalloc(max);
    long n = sj_ledger_base64_decode(b64, bin, max);
    if (n < 5) {
        free(bin);
        return bad(err, "签名不是合规的 base64，或短于 5 字节");
    }
    sig->name = sj_xstrndup(name.ptr, name.len);
    sig->key_id = (uint32_t)bin[0] << 24 | (uint32_t)bin[1] << 16 | (uint32_t)bin[2] << 8 | bin[3];
    sig->sig_len = (size_t)n - 4;
    sig->sig = sj_xmalloc(sig->sig_len);
    memcpy(sig->sig, bin + 4, sig->sig_len);
    free(bin);
    return 0;
}

static int parse_sigs(struct sj_str sigs, struct sj_ledger_checkpoint *cp, struct sj_err *err)
{
    struct sj_str line;
    size_t pos = 0;
    cp->sigs = sj_xcalloc(SJ_LEDGER_NOTE_SIGS_MAX, sizeof *cp->sigs);
    while (next_line(sigs, &pos, &line)) {
        if (cp->sig_count == SJ_LEDGER_NOTE_SIGS_MAX)
            return bad(err, "签名行过多");
        int rc = parse_sig_line(line, &cp->sigs[cp->sig_count], err);
        if (rc < 0)
            return rc;
        cp->sig_count++;
    }
    return cp->sig_count > 0 ? 0 : bad(err, "没有签名行");
}

/* Whole-note rules: size, UTF-8, no control characters but newline, final newline. */
static int check_bytes(struct sj_str text, struct sj_err *err)
{
    if (text.len > SJ_LEDGER_NOTE_MAX)
        return bad(err, "过长");
    if (!sj_utf8_is_valid(text, NULL))
        return bad(err, "不是合规的 UTF-8");
    for (size_t i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.ptr[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return bad(err, "含有控制字符");
    }
    if (text.len == 0 || text.ptr[text.len - 1] != '\n')
        return bad(err, "未以换行结束");
    return 0;
}

int sj_ledger_checkpoint_parse(struct sj_str text, struct sj_ledger_checkpoint *cp,
                               struct sj_err *err)
{
    memset(cp, 0, sizeof *cp);
    int rc = check_bytes(text, err);
    if (rc < 0)
        return rc;
    /* The note text ends at the last blank line (C2SP signed-note). */
    size_t sep = 0;
    bool has_sep = false;
    for (size_t i = 1; i < text.len; i++) {
        if (text.ptr[i] == '\n' && text.ptr[i - 1] == '\n') {
            sep = i;
            has_sep = true;
        }
    }
    if (!has_sep)
        return bad(err, "正文与签名之间没有空行");
    cp->text_len = sep; /* the text keeps its final newline, not the blank line */
    rc = parse_body(sj_str_make(text.ptr, cp->text_len), cp, err);
    if (rc == 0)
        rc = parse_sigs(sj_str_slice(text, sep + 1, text.len), cp, err);
    return rc;
}

void sj_ledger_checkpoint_release(struct sj_ledger_checkpoint *cp)
{
    if (!cp)
        return;
    for (size_t i = 0; i < cp->sig_count; i++) {
        free(cp->sigs[i].name);
        free(cp->sigs[i].sig);
    }
    free(cp->sigs);
    free(cp->origin);
    memset(cp, 0, sizeof *cp);
}

int sj_ledger_checkpoint_check(const struct sj_ledger_checkpoint *cp, struct sj_str text,
                               const char *name, const uint8_t public_key[32], struct sj_err *err)
{
    uint32_t id = sj_ledger_key_id(name, public_key);
    bool is_seen = false;
    if (cp->text_len > text.len)
        return sj_err_set(err, SJ_EINVAL, "checkpoint text shorter than parsed");
    for (size_t i = 0; i < cp->sig_count; i++) {
        const struct sj_ledger_note_sig *s = &cp->sigs[i];
        if (s->key_id != id || strcmp(s->name, name) != 0)
            continue; /* another key: ignored */
        is_seen = true;
        if (s->sig_len != crypto_sign_BYTES ||
            crypto_sign_verify_detached(s->sig, (const uint8_t *)text.ptr, cp->text_len,
                                        public_key) != 0)
            return sj_err_set(err, SJ_EPERM, "检查点上密钥 %s（%08" PRIx32 "）的签名无效", name,
                              id);
    }
    if (!is_seen)
        return sj_err_set(err, SJ_ENOTFOUND, "检查点没有密钥 %s（%08" PRIx32 "）的签名", name, id);
    return 0;
}
