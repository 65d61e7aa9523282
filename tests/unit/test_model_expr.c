/*
 * test_model_expr.c - the expression language of models (model_int.h): what parses, the
 * column and parameter names it reports, and for what does not parse the byte offset of the
 * problem and the Chinese message. Offsets are counted by hand in bytes (a CJK character is
 * three bytes, a full-width one too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/expr_int.h"

static void test_valid(void **state)
{
    static const struct {
        const char *text;
        const char *columns; /* distinct, comma-separated, in order of first use */
        const char *params;
    } cases[] = {
        {"amount >= $threshold and cause in $causes", "amount,cause", "threshold,causes"},
        {"not (status = '已移送') or date between '2023-01-01' and '2023-12-31'", "status,date",
         ""},
        {"name contains '公司'", "name", ""},
        {"date >= $start + 30 days", "date", "start"},
        {"count >= 3", "count", ""},
        {"身份证号 is not empty AND 金额 > 10万元", "身份证号,金额", ""},
        {"ａｍｏｕｎｔ ＞＝ １０ and x ≠ 'a'", "amount,x", ""},
        {"a = b and b = a or cases.party_id != a", "a,b,cases.party_id", ""},
        {"x not in ['a', 'b'] and y not between 1 and 2 and z not contains 'q'", "x,y,z", ""},
        {"d - 7天 <= $d and d + $w day > '2024/1/2'", "d", "d,w"},
        {"x = -3.5 or x = -2万元", "x", ""},
        {"t = 'it''s' or t = ‘单引号’ or t = “双引号”", "t", ""},
        {"$flag", "", "flag"},
        {"x in []", "x", ""},
        {"age_at(id, incident) < $adult or sex(id) = '女'", "id,incident", "adult"},
        {"birth_date(身份证号) >= '2008-01-01' and Sex(身份证号) = '男'", "身份证号", ""},
        {"age_at(id, d + 30 days) between $lo and 17", "id,d", "lo"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_expr *e = NULL;
        size_t offset = 0;
        char message[256], got[256];
        int rc = sj_expr_parse(cases[i].text, &e, &offset, message, sizeof message);
        if (rc != 0)
            fail_msg("%s: %s (byte %zu)", cases[i].text, message, offset);
        got[0] = '\0';
        for (size_t c = 0; c < sj_expr_column_count(e); c++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", c ? "," : "",
                     sj_expr_column(e, c));
        assert_string_equal(got, cases[i].columns);
        got[0] = '\0';
        for (size_t c = 0; c < sj_expr_param_count(e); c++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", c ? "," : "",
                     sj_expr_param(e, c));
        assert_string_equal(got, cases[i].params);
        assert_null(sj_expr_column(e, 99));
        sj_expr_free(e);
    }
}

/* A function call: which function, its arguments in kid[], its offset. */
static void test_call_tree(void **state)
{
    struct sj_expr *e = NULL;
    assert_int_equal(sj_expr_parse("x = 1 or age_at(id, d + 1 days) < 18", &e, NULL, NULL, 0), 0);
    const struct sj_expr_node *call = sj_expr_root(e)->kid[1]->kid[0];
    assert_int_equal(call->kind, SJ_EX_CALL);
    assert_int_equal(call->fn, SJ_FN_AGE_AT);
    assert_int_equal(call->item_count, 2);
    assert_int_equal(call->offset, strlen("x = 1 or "));
    assert_int_equal(call->kid[0]->kind, SJ_EX_COLUMN);
    assert_int_equal(call->kid[1]->kind, SJ_EX_ADD);
    assert_true(call->kid[1]->is_days);
    sj_expr_free(e);
    assert_int_equal(sj_expr_parse("SEX(id) = '女'", &e, NULL, NULL, 0), 0);
    assert_int_equal(sj_expr_root(e)->kid[0]->fn, SJ_FN_SEX);
    sj_expr_free(e);
}

/* The tree keeps what the compiler needs: amounts in fen, days, negation, offsets. */
static void test_tree(void **state)
{
    struct sj_expr *e = NULL;
    assert_int_equal(sj_expr_parse("金额 >= 1.5万元 and d + 30天 > $s", &e, NULL, NULL, 0), 0);
    const struct sj_expr_node *root = sj_expr_root(e);
    assert_int_equal(root->kind, SJ_EX_AND);
    const struct sj_expr_node *cmp = root->kid[0];
    assert_int_equal(cmp->kind, SJ_EX_CMP);
    assert_int_equal(cmp->cmp, SJ_CMP_GE);
    assert_int_equal(cmp->kid[1]->kind, SJ_EX_AMOUNT);
    assert_int_equal(cmp->kid[1]->integer, 1500000);
    const struct sj_expr_node *add = root->kid[1]->kid[0];
    assert_int_equal(add->kind, SJ_EX_ADD);
    assert_true(add->is_days);
    assert_int_equal(add->kid[1]->integer, 30);
    assert_int_equal(root->kid[1]->offset, strlen("金额 >= 1.5万元 and "));
    sj_expr_free(e);
}

static void test_errors(void **state)
{
    static const struct {
        const char *text;
        size_t offset;
        const char *word; /* in the message */
    } cases[] = {
        {"", 0, "为空"},
        {"   ", 0, "为空"},
        {"amount >=", 9, "列名、参数"},
        {"amount >= 10 cause = 'x'", 13, "and 或 or"},
        {"(a = 1", 6, "右括号"},
        {"a = 'abc", 4, "引号"},
        {"a in 'x'", 5, "列表参数"},
        {"a between 1 or 2", 12, "between"},
        {"a is full", 5, "empty"},
        {"a = $", 4, "参数名"},
        {"a = \"x\"", 4, "单引号"},
        {"a = 10abc", 6, "数字后面"},
        {"a = 3万亿亿", 4, "金额"},
        {"and = 1", 0, "关键字"},
        {"a = d + 2天 days", 13, "运算符"},
        {"a in [1, 2", 10, "逗号或右方括号"},
        {"金额 ＞ ＠", 11, "无法识别"},
        {"a = 1.5天", 4, "天数"},
        {"agee(id) < 18", 0, "没有函数“agee”"},
        {"x = 1 or age_at(id) < 18", 9, "要 2 个参数"},
        {"sex(id, d) = '女'", 0, "要 1 个参数"},
        {"sex(id", 6, "右括号"},
        {"age_at(id d) < 1", 10, "逗号"},
        {"sex() = 'x'", 4, "列名"},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_expr *e = (struct sj_expr *)1;
        size_t offset = 12345;
        char message[256];
        int rc = sj_expr_parse(cases[i].text, &e, &offset, message, sizeof message);
        if (rc != SJ_EFORMAT)
            fail_msg("'%s' parsed", cases[i].text);
        assert_null(e);
        if (offset != cases[i].offset || !strstr(message, cases[i].word))
            fail_msg("'%s': byte %zu \"%s\", expected byte %zu with \"%s\"", cases[i].text, offset,
                     message, cases[i].offset, cases[i].word);
    }
}

static void test_limits(void **state)
{
    char text[SJ_EXPR_TEXT_MAX + 64];
    struct sj_expr *e = NULL;
    size_t offset = 0;
    char message[256];
    /* Nesting deeper than the limit is refused, not a stack overflow. */
    size_t n = 0;
    for (int i = 0; i < SJ_EXPR_DEPTH_MAX + 1; i++)
        text[n++] = '(';
    memcpy(text + n, "a", 2);
    assert_int_equal(sj_expr_parse(text, &e, &offset, message, sizeof message), SJ_EFORMAT);
    assert_non_null(strstr(message, "嵌套太深"));
    /* Too many terms in one sum. */
    strcpy(text, "a");
    for (int i = 0; i < SJ_EXPR_TERMS_MAX; i++)
        strcat(text, " + 1");
    assert_int_equal(sj_expr_parse(text, &e, &offset, message, sizeof message), SJ_EFORMAT);
    assert_non_null(strstr(message, "最多"));
    /* Too long, and invalid UTF-8. */
    memset(text, ' ', SJ_EXPR_TEXT_MAX + 1);
    text[SJ_EXPR_TEXT_MAX + 1] = '\0';
    assert_int_equal(sj_expr_parse(text, &e, &offset, message, sizeof message), SJ_EFORMAT);
    assert_non_null(strstr(message, "太长"));
    assert_int_equal(sj_expr_parse("a = '\xff'", &e, &offset, message, sizeof message), SJ_EFORMAT);
    assert_int_equal(offset, 5);
    assert_non_null(strstr(message, "UTF-8"));
    assert_int_equal(sj_expr_parse(NULL, &e, &offset, message, sizeof message), SJ_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),     cmocka_unit_test(test_tree),
        cmocka_unit_test(test_call_tree), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("model_expr", tests, NULL, NULL);
}
