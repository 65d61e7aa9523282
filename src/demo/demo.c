/*
 * demo.c - sj_demo_generate: the file table, the plan every domain shares (pools of
 * prosecutors, police and lawyers, the companies shared by the tax and land models, the
 * planted rows and the answers), the order of planting and writing, and answers.json and
 * README.txt. Invariant: every person and company is taken in one fixed program order,
 * so (seed, scale) alone decides every byte written.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo/demo_int.h"

/* clang-format off */
#define K(x) SJ_KIND_##x
const struct demo_file_spec demo_files[DEMO_F_COUNT] = {
    [DEMO_F_ENFORCEMENT] = {
        .name = "enforcement_cases.csv", .format = DEMO_CSV_GB18030, .crlf = true,
        .title = "清远市行政执法与刑事司法衔接平台案件导出", .date_style = DATE_SLASH, .cols = 8,
        .headers = {"行政案件编号", "执法机关", "当事人", "证件号码", "案由", "涉案金额",
                    "处罚日期", "是否移送"},
        .kinds = {K(TEXT), K(TEXT), K(NAME), K(PARTYID), K(TEXT), K(AMOUNT), K(DATE), K(TEXT)},
    },
    [DEMO_F_CASE_SYSTEM] = {
        .name = "case_system.xlsx", .format = DEMO_XLSX, .sheet = "案件信息",
        .date_style = DATE_CELL, .cols = 7,
        .headers = {"部门受案号", "案件名称", "犯罪嫌疑人", "证件号码", "案由", "受理日期",
                    "承办检察官"},
        .kinds = {K(TEXT), K(TEXT), K(NAME), K(PARTYID), K(TEXT), K(DATE), K(NAME)},
    },
    [DEMO_F_JUDGMENTS] = {
        .name = "judgments.csv", .format = DEMO_CSV_BOM, .quote_all = true,
        .date_style = DATE_CN, .cols = 9,
        .headers = {"案号", "法院", "案由", "当事人", "诉讼地位", "委托诉讼代理人", "律师事务所",
                    "标的金额", "裁判日期"},
        .kinds = {K(CASENO), K(TEXT), K(TEXT), K(NAME), K(TEXT), K(NAME), K(TEXT), K(AMOUNT),
                  K(DATE)},
    },
    [DEMO_F_BANK_A] = {
        .name = "bank_statements_a.csv", .format = DEMO_CSV_UTF8, .date_style = DATE_COMPACT,
        .cols = 8,
        .headers = {"交易日期", "账号", "户名", "对方账号", "对方户名", "交易金额", "借贷标志",
                    "摘要"},
        .kinds = {K(DATE), K(BANKCARD), K(NAME), K(BANKCARD), K(NAME), K(AMOUNT), K(TEXT),
                  K(TEXT)},
    },
    [DEMO_F_BANK_B] = {
        .name = "bank_statements_b.xlsx", .format = DEMO_XLSX, .sheet = "交易明细",
        .date_style = DATE_CELL, .cols = 8,
        .headers = {"交易时间", "本方卡号", "本方姓名", "收付标志", "金额", "对手卡号",
                    "对手姓名", "摘要"},
        .kinds = {K(DATETIME), K(BANKCARD), K(NAME), K(TEXT), K(AMOUNT), K(BANKCARD), K(NAME),
                  K(TEXT)},
    },
    [DEMO_F_APPRAISALS] = {
        .name = "appraisals.xlsx", .format = DEMO_XLSX, .sheet = "鉴定意见",
        .title = "清远市公安局鉴定意见汇总表", .date_style = DATE_CELL, .cols = 6,
        .headers = {"鉴定书编号", "案件编号", "鉴定类型", "鉴定对象", "鉴定意见", "鉴定日期"},
        .kinds = {K(TEXT), K(TEXT), K(TEXT), K(TEXT), K(TEXT), K(DATE)},
    },
    [DEMO_F_DISPOSALS] = {
        .name = "disposals.csv", .format = DEMO_CSV_UTF8, .crlf = true, .date_style = DATE_ISO,
        .cols = 4,
        .headers = {"案件编号", "处置类型", "处置日期", "经办单位"},
        .kinds = {K(TEXT), K(TEXT), K(DATE), K(TEXT)},
    },
    [DEMO_F_VICTIMS] = {
        .name = "victims.xlsx", .format = DEMO_XLSX, .sheet = "被害人信息",
        .date_style = DATE_CELL, .cols = 8,
        .headers = {"案号", "姓名", "身份证号", "性别", "残疾类别", "赔偿情况", "家庭经济困难",
                    "案发日期"},
        .kinds = {K(CASENO), K(NAME), K(IDCARD), K(TEXT), K(TEXT), K(TEXT), K(TEXT), K(DATE)},
    },
    [DEMO_F_LAND_PENALTIES] = {
        .name = "land_penalties.csv", .format = DEMO_CSV_GB18030, .crlf = true,
        .date_style = DATE_CN, .cols = 6,
        .headers = {"处罚决定书号", "当事人", "统一社会信用代码", "违法类型", "地块编号",
                    "处罚日期"},
        .kinds = {K(TEXT), K(TEXT), K(CREDITCODE), K(TEXT), K(TEXT), K(DATE)},
    },
    [DEMO_F_LAND_INSPECTIONS] = {
        .name = "land_inspections.csv", .format = DEMO_CSV_UTF8, .date_style = DATE_ISO,
        .cols = 5,
        .headers = {"巡查日期", "地块编号", "当事人", "统一社会信用代码", "现场情况"},
        .kinds = {K(DATE), K(TEXT), K(TEXT), K(CREDITCODE), K(TEXT)},
    },
    [DEMO_F_BAIL] = {
        .name = "bail_subjects.xlsx", .format = DEMO_XLSX, .sheet = "取保候审人员",
        .date_style = DATE_CELL, .cols = 10,
        .headers = {"姓名", "身份证号", "手机号", "住所地", "犯罪类型", "案号", "取保开始日期",
                    "取保结束日期", "承办检察官", "承办民警"},
        .kinds = {K(NAME), K(IDCARD), K(PHONE), K(TEXT), K(TEXT), K(TEXT), K(DATE), K(DATE),
                  K(NAME), K(NAME)},
    },
    [DEMO_F_CALLS] = {
        .name = "call_records.csv", .format = DEMO_CSV_UTF8, .date_style = DATE_ISO, .cols = 5,
        .headers = {"主叫号码", "被叫号码", "通话开始时间", "通话时长(秒)", "基站位置"},
        .kinds = {K(PHONE), K(PHONE), K(DATETIME), K(INTEGER), K(TEXT)},
    },
};
/* clang-format on */
#undef K

static const char *const model_ids[DEMO_M_COUNT] = {
    "tax-not-transferred",    "fake-litigation-insurance",     "appraisal-not-followed-up",
    "judicial-aid-screening", "protected-land-still-occupied", "tax-and-land",
};

size_t sj_demo_model_count(void)
{
    return DEMO_M_COUNT;
}

const char *sj_demo_model_id(size_t i)
{
    return i < DEMO_M_COUNT ? model_ids[i] : NULL;
}

/* ---- plan helpers ------------------------------------------------------------------------ */

static void rb_setup(struct demo_plan *plan, enum demo_file_id f, struct demo_rng *rng,
                     struct sj_arena *arena, struct demo_rb *rb, struct demo_row *row)
{
    rb->arena = arena;
    rb->rng = rng;
    rb->is_xlsx = demo_files[f].format == DEMO_XLSX;
    rb->want_canon = plan->opts->observe != NULL;
    rb->date_style = demo_files[f].date_style;
    rb->dirt = 80;
    demo_rb_start(rb, row);
}

void demo_plan_rb(struct demo_plan *plan, enum demo_file_id f, struct demo_rng *rng,
                  struct demo_rb *rb, struct demo_row *row)
{
    rb_setup(plan, f, rng, &plan->arena, rb, row);
}

void demo_bg_rb(struct demo_plan *plan, enum demo_file_id f, struct demo_rng *rng,
                struct sj_arena *arena, struct demo_rb *rb, struct demo_row *row)
{
    rb_setup(plan, f, rng, arena, rb, row);
}

void demo_plan_add(struct demo_plan *plan, enum demo_file_id f, const struct demo_row *row)
{
    demo_list_push(&plan->planted[f], row);
}

void demo_plan_answer(struct demo_plan *plan, enum demo_model_id m, const char *subject)
{
    struct demo_subjects *s = &plan->answers[m];
    if (s->count == s->alloc) {
        s->alloc = s->alloc ? s->alloc * 2 : 16;
        s->items = sj_xrealloc(s->items, s->alloc * sizeof *s->items);
    }
    s->items[s->count++] = sj_arena_strndup(&plan->arena, subject, strlen(subject));
}

uint64_t demo_plan_reuse(struct demo_plan *plan, struct demo_rng *rng, uint64_t first, uint64_t end,
                         const struct demo_want *want, struct demo_person *p)
{
    for (int tries = 0; end > first && tries < 64; tries++) {
        uint64_t idx = first + demo_rng_below(rng, end - first);
        demo_person_get(&plan->world, idx, p);
        if (!want || demo_person_fits(p, want))
            return idx;
    }
    return demo_person_take(&plan->world, want, p);
}

static const char *pool_name(struct demo_plan *plan, const uint64_t *pool, size_t n,
                             struct demo_rng *rng, char *buf, size_t size)
{
    struct demo_person p;
    demo_person_get(&plan->world, pool[demo_rng_below(rng, n)], &p);
    snprintf(buf, size, "%s", p.name);
    return buf;
}

const char *demo_plan_prosecutor(struct demo_plan *plan, struct demo_rng *rng, char *buf,
                                 size_t size)
{
    return pool_name(plan, plan->prosecutors, DEMO_POOL_PROSECUTORS, rng, buf, size);
}

const char *demo_plan_police(struct demo_plan *plan, struct demo_rng *rng, char *buf, size_t size)
{
    return pool_name(plan, plan->police, DEMO_POOL_POLICE, rng, buf, size);
}

long demo_plan_count(const struct demo_plan *plan, long per_scale)
{
    return per_scale * plan->scale;
}

struct demo_sink *demo_plan_open(struct demo_plan *plan, enum demo_file_id f)
{
    struct sj_err err;
    sj_err_clear(&err);
    int rc = demo_sink_open(&plan->sinks[f], plan->dir, &demo_files[f], plan->opts, &err);
    if (rc && !plan->rc) {
        plan->rc = rc;
        if (plan->err)
            *plan->err = err;
    }
    return &plan->sinks[f];
}

void demo_plan_close(struct demo_plan *plan, enum demo_file_id f)
{
    struct sj_err err;
    sj_err_clear(&err);
    int rc = demo_sink_close(&plan->sinks[f], &err);
    if (rc && !plan->rc) {
        plan->rc = rc;
        if (plan->err)
            *plan->err = err;
    }
}

/* ---- planting ---------------------------------------------------------------------------- */

static void take_pool(struct demo_world *w, uint64_t *pool, size_t n, int64_t born_min,
                      int64_t born_max)
{
    struct demo_want want = demo_want_adult();
    struct demo_person p;
    want.born_min = born_min;
    want.born_max = born_max;
    for (size_t i = 0; i < n; i++)
        pool[i] = demo_person_take(w, &want, &p);
}

static void plant_all(struct demo_plan *plan)
{
    struct demo_world *w = &plan->world;
    struct demo_rng rng;
    take_pool(w, plan->prosecutors, DEMO_POOL_PROSECUTORS, DEMO_DAY(1965, 1, 1),
              DEMO_DAY(1994, 12, 31));
    take_pool(w, plan->police, DEMO_POOL_POLICE, DEMO_DAY(1968, 1, 1), DEMO_DAY(1998, 12, 31));
    take_pool(w, plan->agents, DEMO_POOL_AGENTS, DEMO_DAY(1970, 1, 1), DEMO_DAY(1998, 12, 31));
    plan->lawyer_count = (size_t)(20 + 2 * plan->scale);
    plan->lawyers = sj_xcalloc(plan->lawyer_count, sizeof *plan->lawyers);
    take_pool(w, plan->lawyers, plan->lawyer_count, DEMO_DAY(1962, 1, 1), DEMO_DAY(1996, 12, 31));
    for (int g = 0; g < plan->groups; g++) {
        struct demo_shared *s = &plan->shared[g];
        demo_company_take(w, DEMO_CO_LAND, &s->both[0]);
        demo_company_take(w, DEMO_CO_LAND, &s->both[1]);
        demo_company_take(w, DEMO_CO_LAND, &s->tax_only);
        demo_company_take(w, DEMO_CO_LAND, &s->land_only);
        demo_plan_answer(plan, DEMO_M_TAX_LAND, s->both[0].code);
        demo_plan_answer(plan, DEMO_M_TAX_LAND, s->both[1].code);
    }
    demo_rng_init(&rng, w->seed, 101);
    for (int g = 0; g < plan->groups; g++)
        demo_tax_plant(plan, g, &rng);
    demo_rng_init(&rng, w->seed, 102);
    for (int g = 0; g < plan->groups; g++)
        demo_land_plant(plan, g, &rng);
    demo_rng_init(&rng, w->seed, 103);
    for (int g = 0; g < plan->groups; g++)
        demo_court_plant(plan, g, &rng);
    demo_rng_init(&rng, w->seed, 104);
    for (int g = 0; g < plan->groups; g++)
        demo_appraisal_plant(plan, g, &rng);
    demo_rng_init(&rng, w->seed, 105);
    for (int g = 0; g < plan->groups; g++)
        demo_victims_plant(plan, g, &rng);
}

/* ---- answers.json and README.txt ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_answers(struct demo_plan *plan, const char *path)
{
    json_t *root = json_object();
    for (size_t m = 0; m < DEMO_M_COUNT; m++) {
        struct demo_subjects *s = &plan->answers[m];
        json_t *list = json_array();
        if (s->count)
            qsort(s->items, s->count, sizeof *s->items, cmp_str);
        for (size_t i = 0; i < s->count; i++) {
            if (i == 0 || strcmp(s->items[i], s->items[i - 1]) != 0)
                json_array_append_new(list, json_string(s->items[i]));
        }
        json_object_set_new(root, model_ids[m], list);
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    FILE *fp = fopen(path, "wb");
    int rc = text && fp && fputs(text, fp) >= 0 && fputc('\n', fp) != EOF ? 0 : SJ_EIO;
    if (fp && fclose(fp) != 0)
        rc = SJ_EIO;
    free(text);
    return rc;
}

static const char *const readme[] = {
    "enforcement_cases.csv：行政执法与刑事司法衔接平台案件导出，GB18030 编码，首行为标题"
    "“清远市行政执法与刑事司法衔接平台案件导出”，第二行为表头。证件号码为身份证号或统一社会信用代码"
    "，"
    "涉案金额写法不一（1,234.00、12.5万、人民币壹万元整等）。",
    "case_system."
    "xlsx：检察业务应用系统案件导出，每名犯罪嫌疑人一行；单位犯罪的证件号码一栏填写统一"
    "社会信用代码。部分号码为15位旧号、全角数字或小写x。",
    "judgments.csv：裁判文书当事人表（UTF-8 带 "
    "BOM），每个案件每名当事人一行，含委托诉讼代理人与律师"
    "事务所。",
    "bank_statements_a.csv：甲银行交易流水（UTF-8），借贷标志“借”为支出、“贷”为收入。",
    "bank_statements_b.xlsx：乙银行交易流水，表头与甲银行不同（本方/对手），收付标志“付”为支出、"
    "“收”为收入。",
    "appraisals.xlsx：公安机关鉴定意见汇总表，首行为合并单元格标题“清远市公安局鉴定意见汇总表”。",
    "disposals.csv：涉案财物处置记录，按案件编号与鉴定意见关联。",
    "victims.xlsx：刑事案件被害人信息，用于司法救助线索筛查。",
    "land_penalties.csv：自然资源、林业、水利部门行政处罚记录，GB18030 编码。",
    "land_inspections.csv：处罚地块的巡查记录。",
    "bail_subjects.xlsx：取保候审人员信息（供取保候审监管功能使用，暂无模型）。",
    "call_records.csv：通话记录（暂无模型），含虚假诉讼团伙成员与代理律师之间的频繁通话。",
    "每个文件另有少量故意损坏的行（校验位错误、不存在的日期如2月30日、多出一列），用于检验导入时的"
    "数据质量提示；这些行不构成也不掩盖任何线索。",
};

static int write_readme(struct demo_plan *plan, const char *path)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return SJ_EIO;
    fprintf(fp,
            "本目录由 shujian demo-data 生成，全部为虚构的演示数据（姓名、公民身份号码、统一社会"
            "信用代码、银行卡号、手机号码均为随机生成，校验位经计算），与任何真实人员、单位无关。"
            "种子 %llu，规模 %d。answers.json 列出每个内置模型应当查出的线索主体（已排序），规则与"
            "参数见 docs/DEMO-DATA.md。\n\n",
            (unsigned long long)plan->world.seed, plan->scale);
    for (size_t i = 0; i < SJ_ARRAY_LEN(readme); i++) {
        fputs(readme[i], fp);
        fputs("\n\n", fp);
    }
    return fclose(fp) == 0 ? 0 : SJ_EIO;
}

/* ---- the whole run ------------------------------------------------------------------------ */

static int write_extras(struct demo_plan *plan)
{
    size_t len = strlen(plan->dir) + 32;
    char *path = sj_xmalloc(len);
    snprintf(path, len, "%s/answers.json", plan->dir);
    int rc = write_answers(plan, path);
    if (!rc) {
        snprintf(path, len, "%s/README.txt", plan->dir);
        rc = write_readme(plan, path);
    }
    if (rc) {
        sj_err_at(plan->err, path, -1, -1, NULL);
        sj_err_set(plan->err, rc, "writing the file failed");
    }
    free(path);
    return rc;
}

static void plan_free(struct demo_plan *plan)
{
    for (size_t f = 0; f < DEMO_F_COUNT; f++) {
        demo_plan_close(plan, (enum demo_file_id)f);
        demo_list_free(&plan->planted[f]);
    }
    for (size_t m = 0; m < DEMO_M_COUNT; m++)
        free(plan->answers[m].items);
    free(plan->lawyers);
    free(plan->rings);
    free(plan->shared);
    sj_arena_release(&plan->arena);
    free(plan);
}

static void fill_stats(const struct demo_plan *plan, struct sj_demo_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    for (size_t f = 0; f < DEMO_F_COUNT; f++) {
        stats->files[f].name = demo_files[f].name;
        stats->files[f].rows = plan->sinks[f].rows;
        stats->total_rows += plan->sinks[f].rows;
    }
    stats->file_count = DEMO_F_COUNT;
}

static int groups_for(int scale)
{
    int groups = 1;
    while (scale >= 2) {
        groups++;
        scale /= 2;
    }
    return groups;
}

int sj_demo_generate(const char *dir, const struct sj_demo_opts *opts, struct sj_demo_stats *stats,
                     struct sj_err *err)
{
    if (!dir || !opts || opts->scale < 1 || opts->scale > SJ_DEMO_SCALE_MAX)
        return sj_err_set(err, SJ_EINVAL, "scale must be between 1 and %d", SJ_DEMO_SCALE_MAX);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        sj_err_at(err, dir, -1, -1, NULL);
        return sj_err_set(err, SJ_EIO, "cannot create the directory: %s", strerror(errno));
    }
    struct demo_plan *plan = sj_xcalloc(1, sizeof *plan);
    plan->opts = opts;
    plan->dir = dir;
    plan->err = err;
    plan->scale = opts->scale;
    plan->groups = groups_for(opts->scale);
    plan->rings = sj_xcalloc((size_t)plan->groups, sizeof *plan->rings);
    plan->shared = sj_xcalloc((size_t)plan->groups, sizeof *plan->shared);
    sj_arena_init(&plan->arena, 0);
    demo_world_init(&plan->world, opts->seed);
    plant_all(plan);
    demo_tax_write(plan);
    demo_land_write(plan);
    demo_court_write(plan);
    demo_bank_write(plan);
    demo_appraisal_write(plan);
    demo_victims_write(plan);
    demo_bail_write(plan);
    demo_calls_write(plan);
    if (!plan->rc && plan->world.is_exhausted)
        plan->rc = sj_err_set(err, SJ_EINVAL, "the demo world ran out of distinct names");
    if (!plan->rc)
        plan->rc = write_extras(plan);
    if (stats)
        fill_stats(plan, stats);
    int rc = plan->rc;
    plan_free(plan);
    return rc;
}
