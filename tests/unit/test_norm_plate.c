/*
 * test_norm_plate.c - sj_norm_plate against GA 36-2018 plate formats: standard 7-character
 * plates written with middle dots, spaces, dashes, lower case and full-width characters;
 * 8-character new-energy plates (small: D/F third, large: D/F last); suffix plates
 * (挂 学 警 港 澳 领); embassy plates (使); the letters I and O; bad provinces and lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shujian/norm.h"
#include "test_util.h"

#define STD_PARTS "province=粤;type=standard"

static const struct tu_norm_case cases[] = {
    {"粤A12345", "粤A12345", STD_PARTS},
    {"粤A·12345", "粤A12345", STD_PARTS},
    {"粤a 12345", "粤A12345", STD_PARTS},
    {"粤A-12345", "粤A12345", STD_PARTS},
    {"粤A•12345", "粤A12345", STD_PARTS},
    {"粤A・12345", "粤A12345", STD_PARTS},
    {"粤A．12345", "粤A12345", STD_PARTS},
    {"粤A.12345", "粤A12345", STD_PARTS},
    {"粤Ａ１２３４５", "粤A12345", STD_PARTS},
    {"粤ａ·１２３４５", "粤A12345", STD_PARTS},
    {" 粤A 123 45\xe3\x80\x80", "粤A12345", STD_PARTS},
    {"粤b5x2y8", "粤B5X2Y8", "province=粤;type=standard"},
    {"京N12345", "京N12345", "province=京;type=standard"},
    {"新A12345", "新A12345", "province=新;type=standard"},
    /* new energy */
    {"粤AD12345", "粤AD12345", "province=粤;type=new-energy"},
    {"粤AF12345", "粤AF12345", "province=粤;type=new-energy"},
    {"粤A·D12345", "粤AD12345", "province=粤;type=new-energy"},
    {"沪ADA1234", "沪ADA1234", "province=沪;type=new-energy"},
    {"粤A12345D", "粤A12345D", "province=粤;type=new-energy"},
    {"粤a12345f", "粤A12345F", "province=粤;type=new-energy"},
    /* special */
    {"粤A1234学", "粤A1234学", "province=粤;type=special;suffix=学"},
    {"粤A1234挂", "粤A1234挂", "province=粤;type=special;suffix=挂"},
    {"粤A·1234警", "粤A1234警", "province=粤;type=special;suffix=警"},
    {"粤O1234警", "粤O1234警", "province=粤;type=special;suffix=警"},
    {"粤Z1234港", "粤Z1234港", "province=粤;type=special;suffix=港"},
    {"粤Z1234澳", "粤Z1234澳", "province=粤;type=special;suffix=澳"},
    {"沪A1234领", "沪A1234领", "province=沪;type=special;suffix=领"},
    {"使014123", "使014123", "type=special"},
    {"使 014·123", "使014123", "type=special"},
    /* rejected */
    {"", NULL, "车牌号为空"},
    {" · ", NULL, "车牌号为空"},
    {"粤A1234I", NULL, "车牌号不使用字母I和O"},
    {"粤AO2345", NULL, "车牌号不使用字母I和O"},
    {"粤I12345", NULL, "车牌号不使用字母I和O"},
    {"粤O12345", NULL, "车牌号不使用字母I和O"},
    {"粤A1234", NULL, "车牌号长度不符：普通车牌为7位，新能源车牌为8位"},
    {"粤A1234567", NULL, "车牌号长度不符：普通车牌为7位，新能源车牌为8位"},
    {"粤A123456", NULL, "新能源车牌格式不符：小型车第3位为D或F，大型车末位为D或F"},
    {"粤AD12B45", NULL, "新能源车牌格式不符：小型车第3位为D或F，大型车末位为D或F"},
    {"粤A1234D5", NULL, "新能源车牌格式不符：小型车第3位为D或F，大型车末位为D或F"},
    {"粤A123学4", NULL, "车牌号含有无法识别的字符"},
    {"粤A12345学", NULL, "车牌号含有无法识别的字符"},
    {"粤A12#45", NULL, "车牌号含有无法识别的字符"},
    {"港A12345", NULL, "无法识别的省份简称"},
    {"AB12345", NULL, "无法识别的省份简称"},
    {"粤12345", NULL, "省份简称后应为发牌机关字母"},
    {"粤", NULL, "省份简称后应为发牌机关字母"},
    {"使01412", NULL, "使馆车牌应为“使”加6位数字"},
    {"使A14123", NULL, "使馆车牌应为“使”加6位数字"},
    {"粤A12345678901", NULL, "无法识别的车牌号"},
    {"粤A\xff"
     "2345",
     NULL, "无法识别的车牌号"},
};

static const struct tu_norm_table plate_norm = {.kind = SJ_KIND_PLATE, .fn = sj_norm_plate};

static void test_plate_table(void **state)
{
    (void)state;
    tu_norm_run(&plate_norm, cases, SJ_ARRAY_LEN(cases));
}

/* Every province abbreviation is accepted in first place. */
static void test_plate_provinces(void **state)
{
    (void)state;
    static const char provinces[] =
        "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";
    struct sj_norm_result r;
    char plate[32];
    for (const char *p = provinces; *p; p += 3) {
        snprintf(plate, sizeof plate, "%.3sB12345", p);
        if (!sj_norm_plate(sj_str_from_cstr(plate), &r))
            fail_msg("%s rejected: %s", plate, r.reason);
        assert_int_equal(memcmp(r.parts[0].value, p, 3), 0);
    }
}

/* Long inputs are rejected without overrunning a buffer. */
static void test_plate_long_input(void **state)
{
    (void)state;
    tu_norm_long_input(&plate_norm, 'A', "无法识别的车牌号", "粤", "内容过长，不是车牌号");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plate_table),
        cmocka_unit_test(test_plate_provinces),
        cmocka_unit_test(test_plate_long_input),
    };
    return cmocka_run_group_tests_name("norm_plate", tests, NULL, NULL);
}
