/*
 * fuzz_checkpoint.c - fuzz target for sj_ledger_checkpoint_parse (a signed C2SP checkpoint
 * given to `shujian ledger verify --checkpoint`): any bytes must parse or be refused cleanly.
 * Checks: a parsed checkpoint is canonical - printing its origin, size and root gives the
 * start of the note text, and printing its signature lines gives exactly the bytes after
 * the blank line; the text is a prefix of the input; the signature check of an unrelated key
 * never succeeds.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shujian/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void append_base64(struct sj_buf *out, const uint8_t *bin, size_t len)
{
    size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(need);
    if (!b64)
        abort();
    sodium_bin2base64(b64, need, bin, len, sodium_base64_VARIANT_ORIGINAL);
    sj_buf_append_cstr(out, b64);
    free(b64);
}

static void check_canonical(const struct sj_ledger_checkpoint *cp, struct sj_str in)
{
    struct sj_buf head, sigs;
    sj_buf_init(&head, 0);
    sj_buf_init(&sigs, 0);
    sj_buf_appendf(&head, "%s\n%" PRIu64 "\n", cp->origin, cp->tree_size);
    append_base64(&head, cp->root.bytes, SJ_LEDGER_HASH_LEN);
    sj_buf_putc(&head, '\n');
    if (cp->text_len < head.len || cp->text_len + 1 >= in.len ||
        memcmp(in.ptr, head.data, head.len) != 0 || in.ptr[cp->text_len] != '\n')
        abort();
    if (cp->sig_count == 0 || cp->sig_count > SJ_LEDGER_NOTE_SIGS_MAX)
        abort();
    for (size_t i = 0; i < cp->sig_count; i++) {
        const struct sj_ledger_note_sig *s = &cp->sigs[i];
        uint8_t *bin = malloc(4 + s->sig_len);
        if (!bin || s->sig_len == 0)
            abort();
        bin[0] = (uint8_t)(s->key_id >> 24);
        bin[1] = (uint8_t)(s->key_id >> 16);
        bin[2] = (uint8_t)(s->key_id >> 8);
        bin[3] = (uint8_t)s->key_id;
        memcpy(bin + 4, s->sig, s->sig_len);
        sj_buf_appendf(&sigs, "\xe2\x80\x94 %s ", s->name);
        append_base64(&sigs, bin, 4 + s->sig_len);
        sj_buf_putc(&sigs, '\n');
        free(bin);
    }
    struct sj_str tail = sj_str_slice(in, cp->text_len + 1, in.len);
    if (!sj_str_eq(tail, sj_buf_str(&sigs)))
        abort();
    sj_buf_release(&head);
    sj_buf_release(&sigs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t some_key[32] = {1, 2, 3};
    struct sj_ledger_checkpoint cp;
    struct sj_err err;
    struct sj_str in = sj_str_make((const char *)data, size);
    if (sodium_init() < 0)
        abort();
    int rc = sj_ledger_checkpoint_parse(in, &cp, &err);
    if (rc != 0 && rc != SJ_EFORMAT)
        abort();
    if (rc == 0) {
        check_canonical(&cp, in);
        if (sj_ledger_checkpoint_check(&cp, in, "fuzz.example/log", some_key, &err) == 0)
            abort();
    } else if (err.message[0] == '\0') {
        abort(); /* a refused note says why */
    }
    sj_ledger_checkpoint_release(&cp);
    return 0;
}
