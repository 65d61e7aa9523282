/*
 * partyid.c - the "party-id" kind (证件号码): the identifier column of exports that list
 * people and organisations together, as enforcement platforms and court systems do. A value
 * is a citizen id number, a unified social credit code or an organisation code, whichever
 * it validly is; the canonical value is that kind's canonical value, so a person's id
 * matches an idcard column and a company's code matches a credit-code column.
 */
#include <ctype.h>

#include "norm_int.h"

enum shape { SHAPE_IDCARD, SHAPE_CREDITCODE, SHAPE_ORGCODE, SHAPE_OTHER };

/* Which kind an invalid value most looks like, so its reason is the one a clerk needs:
 * 15 digits, or 17 digits and a check character, read as an id number. */
static enum shape shape_of(struct sj_str in)
{
    char folded[SJ_NORM_INPUT_MAX];
    char compact[SJ_NORM_INPUT_MAX];
    long n = sj_fold_halfwidth_to(in, folded, sizeof folded);
    if (n < 0)
        return SHAPE_OTHER;
    size_t len = 0, digits = 0;
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)folded[i];
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        compact[len++] = (char)c;
    }
    for (size_t i = 0; i < len && i < 17; i++)
        digits += isdigit((unsigned char)compact[i]) != 0;
    if ((len == 15 && digits == 15) || (len == 18 && digits == 17))
        return SHAPE_IDCARD;
    if (len == 18)
        return SHAPE_CREDITCODE;
    if (len == 9)
        return SHAPE_ORGCODE;
    return SHAPE_OTHER;
}

static void name_type(struct sj_norm_result *out, const char *type)
{
    out->kind = SJ_KIND_PARTYID;
    sj_norm_add_part(out, "type", type, strlen(type), false);
}

bool sj_norm_partyid(struct sj_str in, struct sj_norm_result *out)
{
    if (sj_norm_idcard(in, out)) {
        name_type(out, "idcard");
        return true;
    }
    if (sj_norm_creditcode(in, out)) {
        name_type(out, "credit-code");
        return true;
    }
    if (sj_norm_orgcode(in, out)) {
        name_type(out, "org-code");
        return true;
    }
    switch (shape_of(in)) {
    case SHAPE_IDCARD:
        sj_norm_idcard(in, out);
        break;
    case SHAPE_CREDITCODE:
        sj_norm_creditcode(in, out);
        break;
    case SHAPE_ORGCODE:
        break; /* out already holds the org-code reason */
    case SHAPE_OTHER:
        sj_norm_fail(out, "不是有效的身份证号、统一社会信用代码或组织机构代码");
        break;
    }
    out->kind = SJ_KIND_PARTYID;
    return false;
}
