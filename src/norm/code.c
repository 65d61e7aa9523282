/*
 * code.c - the "code" kind (编号): record numbers that are not court case numbers — a police
 * case number, an appraisal report number, a land plot number, a decision number. They are
 * typed by hand with full-width letters and digits, stray spaces and either letter case, so
 * the canonical form is the text kind's (trimmed, NFKC) with every space removed and ASCII
 * letters upper-cased: "ａ４４１８ ２０２３" and "A44182023" are the same code.
 * Invariant: valid when the text is valid and non-empty after removing spaces.
 */
#include <ctype.h>

#include "norm/norm_int.h"

bool sj_norm_code(struct sj_str in, struct sj_norm_result *out)
{
    struct sj_norm_result text;
    sj_norm_begin(out, SJ_KIND_CODE);
    if (!sj_norm_text(in, &text)) {
        snprintf(out->reason, sizeof out->reason, "%s", text.reason);
        return false;
    }
    char value[SJ_NORM_VALUE_MAX];
    size_t len = 0;
    for (size_t i = 0; i < text.value_len; i++) {
        unsigned char c = (unsigned char)text.value[i];
        if (c == ' ' || c == '\t')
            continue;
        value[len++] = (char)toupper(c);
    }
    if (len == 0)
        return sj_norm_fail(out, "编号为空");
    return sj_norm_accept(out, value, len);
}
