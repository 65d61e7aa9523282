/*
 * kind.c - names and Chinese labels of the semantic kinds. The English names are stable
 * identifiers (model files, the workspace catalog, the API); keep the order of the table
 * in step with enum sj_kind.
 */
#include <string.h>

#include "shujian/norm.h"

struct kind_entry {
    const char *name;
    const char *label;
};

static const struct kind_entry kinds[SJ_KIND_COUNT] = {
    [SJ_KIND_TEXT] = {"text", "文本"},
    [SJ_KIND_IDCARD] = {"idcard", "身份证号"},
    [SJ_KIND_NAME] = {"name", "姓名"},
    [SJ_KIND_PHONE] = {"phone", "电话号码"},
    [SJ_KIND_DATE] = {"date", "日期"},
    [SJ_KIND_DATETIME] = {"datetime", "日期时间"},
    [SJ_KIND_AMOUNT] = {"amount", "金额"},
    [SJ_KIND_CASENO] = {"case-no", "案号"},
    [SJ_KIND_CREDITCODE] = {"credit-code", "统一社会信用代码"},
    [SJ_KIND_ORGCODE] = {"org-code", "组织机构代码"},
    [SJ_KIND_BANKCARD] = {"bankcard", "银行卡号"},
    [SJ_KIND_PLATE] = {"plate", "车牌号"},
    [SJ_KIND_INTEGER] = {"integer", "整数"},
    [SJ_KIND_NUMBER] = {"number", "数值"},
    [SJ_KIND_PARTYID] = {"party-id", "证件号码"},
    [SJ_KIND_CODE] = {"code", "编号"},
    [SJ_KIND_AUTO] = {"auto", "自动识别"},
};

/* Spellings people also write; they map onto the stable names above. */
static const struct {
    const char *alias;
    enum sj_kind kind;
} aliases[] = {
    {"caseno", SJ_KIND_CASENO},       {"case_no", SJ_KIND_CASENO},
    {"creditcode", SJ_KIND_CREDITCODE}, {"credit_code", SJ_KIND_CREDITCODE},
    {"orgcode", SJ_KIND_ORGCODE},     {"org_code", SJ_KIND_ORGCODE},
    {"id", SJ_KIND_IDCARD},           {"id-card", SJ_KIND_IDCARD},
    {"bank-card", SJ_KIND_BANKCARD},  {"partyid", SJ_KIND_PARTYID},
    {"party_id", SJ_KIND_PARTYID},  {"int", SJ_KIND_INTEGER},
};

const char *sj_kind_name(enum sj_kind kind)
{
    if ((int)kind < 0 || kind >= SJ_KIND_COUNT)
        return "text";
    return kinds[kind].name;
}

const char *sj_kind_label(enum sj_kind kind)
{
    if ((int)kind < 0 || kind >= SJ_KIND_COUNT)
        return kinds[SJ_KIND_TEXT].label;
    return kinds[kind].label;
}

int sj_kind_parse(const char *name, enum sj_kind *kind)
{
    if (!name)
        return SJ_EINVAL;
    for (int i = 0; i < SJ_KIND_COUNT; i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *kind = (enum sj_kind)i;
            return 0;
        }
    }
    for (size_t i = 0; i < SJ_ARRAY_LEN(aliases); i++) {
        if (strcmp(aliases[i].alias, name) == 0) {
            *kind = aliases[i].kind;
            return 0;
        }
    }
    return SJ_EINVAL;
}
