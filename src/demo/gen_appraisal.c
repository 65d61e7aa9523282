/*
 * gen_appraisal.c - appraisals.xlsx (公安机关鉴定意见汇总表, a merged title row above the
 * header) and disposals.csv. Plants the leads of appraisal-not-followed-up: an appraisal of
 * type 枪支鉴定 whose opinion contains 自制, or of type 价格认定, with no disposal of the same
 * 案件编号 dated 0 to 90 days after the appraisal. Invariant: every background appraisal that
 * needs a follow-up gets a disposal 1-80 days later (written in step), so the only leads
 * are planted; opinions of other firearm appraisals never contain 自制.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

enum opinion { OP_GUN_HOMEMADE, OP_GUN_OTHER, OP_VALUE, OP_INJURY, OP_DRUG };

static const char *const gun_homemade[] = {
    "送检的1支枪形物系以火药为动力发射弹丸的自制枪支，认定为枪支。",
    "送检物品系自制气枪，枪口比动能大于1.8焦耳/平方厘米，认定为枪支。",
    "送检的枪形物为自制火药枪，具有致伤力，认定为枪支。"};
static const char *const gun_other[] = {
    "送检物品系仿真枪，枪口比动能小于1.8焦耳/平方厘米，不能认定为枪支。",
    "送检物品系玩具枪，不能认定为枪支。", "送检枪支系制式猎枪，认定为枪支。"};
static const char *const gun_objects[] = {"枪形物1支", "疑似枪支1支", "气枪1支", "火药枪1支"};
static const char *const value_objects[] = {"涉案电动自行车1辆", "被盗手机2部",
                                            "涉案黄金项链1条",   "涉案摩托车1辆",
                                            "被盗电缆300米",     "涉案笔记本电脑1台"};
static const char *const injuries[] = {"轻伤二级", "轻微伤", "重伤二级", "轻伤一级"};
static const char *const drugs[] = {"甲基苯丙胺", "氯胺酮", "海洛因"};
static const char *const units[] = {"清远市公安局清城分局刑侦大队", "清远市公安局清新分局刑侦大队",
                                    "英德市公安局刑侦大队",         "连州市公安局治安管理大队",
                                    "佛冈县公安局涉案财物管理中心", "清远市公安局涉案财物管理中心"};
static const char *const disposal_types[] = {"价格认定", "没收销毁", "发还", "移送"};

static const char *type_name(enum opinion op)
{
    switch (op) {
    case OP_GUN_HOMEMADE:
    case OP_GUN_OTHER:
        return "枪支鉴定";
    case OP_VALUE:
        return "价格认定";
    case OP_INJURY:
        return "伤情鉴定";
    default:
        return "毒品鉴定";
    }
}

static bool needs_follow_up(enum opinion op)
{
    return op == OP_GUN_HOMEMADE || op == OP_VALUE;
}

static char *new_case(struct demo_plan *plan, struct sj_arena *arena, struct demo_rng *rng,
                      int64_t day)
{
    int y, m, d;
    sj_days_to_date(day - demo_rng_between(rng, 5, 60), &y, &m, &d);
    const char *region = demo_regions[demo_rng_below(rng, demo_local_region_count)].code;
    return sj_arena_sprintf(arena, "A%s510000%04d%02d%05ld", region, y, m, ++plan->seq);
}

static char *appraisal_no(struct demo_plan *plan, struct sj_arena *arena, enum opinion op,
                          int64_t day)
{
    static const char *const prefix[] = {"清公刑技枪鉴字", "清公刑技枪鉴字", "清价认定",
                                         "清公法伤鉴字", "清公刑技毒鉴字"};
    return sj_arena_sprintf(arena, "%s〔%d〕%ld号", prefix[op], demo_year(day), ++plan->seq);
}

/* bad: -1, or 0 an impossible date, 1 an extra cell. */
static void appraisal_row(struct demo_plan *plan, struct demo_rb *rb, const char *number,
                          const char *caseno, int case_dirt, enum opinion op, int64_t day, int bad)
{
    struct demo_rng *rng = rb->rng;
    struct demo_person victim;
    struct demo_want any = demo_want_any();
    demo_rb_key(rb, number, DIRT_NONE);
    demo_rb_key(rb, caseno, case_dirt);
    demo_rb_text(rb, type_name(op));
    switch (op) {
    case OP_GUN_HOMEMADE:
    case OP_GUN_OTHER:
        demo_rb_text(rb, DEMO_PICK(rng, gun_objects));
        demo_rb_text(rb, op == OP_GUN_HOMEMADE ? DEMO_PICK(rng, gun_homemade)
                                               : DEMO_PICK(rng, gun_other));
        break;
    case OP_VALUE:
        demo_rb_text(rb, DEMO_PICK(rng, value_objects));
        demo_rb_textf(rb, "经认定，涉案物品于基准日的价格为人民币%u元。",
                      (unsigned)demo_rng_between(rng, 300, 60000));
        break;
    case OP_INJURY:
        demo_person_take(&plan->world, &any, &victim);
        demo_rb_textf(rb, "被害人%s", victim.name);
        demo_rb_textf(rb, "经鉴定，被害人%s的损伤程度为%s。", victim.name,
                      DEMO_PICK(rng, injuries));
        break;
    default: {
        unsigned grams = (unsigned)demo_rng_between(rng, 1, 300);
        demo_rb_textf(rb, "白色晶体%u.%u克", grams, (unsigned)demo_rng_below(rng, 10));
        demo_rb_textf(rb, "送检物品中检出%s成分。", DEMO_PICK(rng, drugs));
        break;
    }
    }
    if (bad == 0)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    if (bad == 1)
        demo_rb_extra_cell(rb);
}

static void disposal_row(struct demo_rb *rb, const char *caseno, int case_dirt, const char *type,
                         int64_t day, int bad)
{
    demo_rb_key(rb, caseno, case_dirt);
    demo_rb_text(rb, type);
    if (bad == 0)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    demo_rb_text(rb, DEMO_PICK(rb->rng, units));
    if (bad == 1)
        demo_rb_extra_cell(rb);
}

/* ---- planting ---------------------------------------------------------------------------- */

#define NO_DISPOSAL 9999

struct appr_spec {
    enum opinion op, second; /* second != op: another appraisal of the same case */
    int offset;              /* disposal date minus appraisal date, or NO_DISPOSAL */
    bool other_case;         /* the disposal is for another case */
    int case_dirt;           /* how the disposal writes the case number */
    bool is_lead;
};

static const struct appr_spec appr_specs[] = {
    /* leads */
    {OP_GUN_HOMEMADE, OP_GUN_HOMEMADE, NO_DISPOSAL, false, DIRT_NONE, true},
    {OP_VALUE, OP_VALUE, 91, false, DIRT_NONE, true},
    {OP_GUN_HOMEMADE, OP_GUN_HOMEMADE, 20, true, DIRT_NONE, true},
    {OP_VALUE, OP_VALUE, -10, false, DIRT_NONE, true},
    /* decoys */
    {OP_VALUE, OP_VALUE, 89, false, DIRT_NONE, false},
    {OP_GUN_HOMEMADE, OP_GUN_HOMEMADE, 90, false, DIRT_NONE, false},
    {OP_GUN_OTHER, OP_GUN_OTHER, NO_DISPOSAL, false, DIRT_NONE, false},
    {OP_INJURY, OP_INJURY, NO_DISPOSAL, false, DIRT_NONE, false},
    {OP_GUN_HOMEMADE, OP_GUN_HOMEMADE, 30, false, DIRT_FULLWIDTH, false},
    {OP_VALUE, OP_VALUE, 0, false, DIRT_SPACE, false},
    {OP_GUN_HOMEMADE, OP_VALUE, 40, false, DIRT_NONE, false},
};

static void plant_one(struct demo_plan *plan, struct demo_rng *rng, const struct appr_spec *spec,
                      int64_t day)
{
    struct demo_row row;
    struct demo_rb rb;
    char *caseno = new_case(plan, &plan->arena, rng, day);
    for (int k = 0; k < (spec->second != spec->op ? 2 : 1); k++) {
        enum opinion op = k ? spec->second : spec->op;
        char *number = appraisal_no(plan, &plan->arena, op, day);
        demo_plan_rb(plan, DEMO_F_APPRAISALS, rng, &rb, &row);
        appraisal_row(plan, &rb, number, caseno, DIRT_NONE, op, day, -1);
        demo_plan_add(plan, DEMO_F_APPRAISALS, &row);
        if (spec->is_lead)
            demo_plan_answer(plan, DEMO_M_APPRAISAL, number);
    }
    if (spec->offset == NO_DISPOSAL)
        return;
    if (spec->other_case)
        caseno = new_case(plan, &plan->arena, rng, day);
    const char *type = spec->op == OP_VALUE ? "发还" : "没收销毁";
    demo_plan_rb(plan, DEMO_F_DISPOSALS, rng, &rb, &row);
    disposal_row(&rb, caseno, spec->case_dirt, type, day + spec->offset, -1);
    demo_plan_add(plan, DEMO_F_DISPOSALS, &row);
}

void demo_appraisal_plant(struct demo_plan *plan, int group, struct demo_rng *rng)
{
    (void)group;
    int64_t base = demo_rng_between(rng, DEMO_DAY(2021, 3, 1), DEMO_DAY(2023, 12, 31));
    for (size_t i = 0; i < SJ_ARRAY_LEN(appr_specs); i++)
        plant_one(plan, rng, &appr_specs[i], base + demo_rng_between(rng, 0, 150));
}

/* ---- background ---------------------------------------------------------------------------- */

struct appr_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad, disp_bad;
    struct demo_mix disp_mix;
    long background;
    char last_case[64];
};

static void emit_disposal(struct appr_ctx *ctx, const char *caseno, const char *type, int64_t day,
                          int bad)
{
    struct demo_row row;
    struct demo_rb rb;
    demo_bg_rb(ctx->plan, DEMO_F_DISPOSALS, &ctx->rng, &ctx->arena, &rb, &row);
    disposal_row(&rb, caseno, DIRT_AUTO, type, day, bad);
    demo_sink_row(&ctx->plan->sinks[DEMO_F_DISPOSALS], &row);
}

static enum opinion bg_opinion(struct demo_rng *rng, int bad)
{
    uint64_t r = demo_rng_below(rng, 100);
    if (bad >= 0)
        return OP_INJURY;
    if (r < 40)
        return OP_VALUE;
    if (r < 60)
        return r < 50 ? OP_GUN_HOMEMADE : OP_GUN_OTHER;
    return r < 85 ? OP_INJURY : OP_DRUG;
}

static void appraisal_bg(void *vctx, long i)
{
    struct appr_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_row row;
    struct demo_rb rb;
    sj_arena_reset(&ctx->arena);
    int bad = demo_bad_which(&ctx->bad, i);
    enum opinion op = bg_opinion(rng, bad);
    int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    char *caseno = new_case(plan, &ctx->arena, rng, day);
    if (ctx->last_case[0] && bad < 0 && demo_rng_chance(rng, 200))
        caseno = sj_arena_strndup(&ctx->arena, ctx->last_case, strlen(ctx->last_case));
    snprintf(ctx->last_case, sizeof ctx->last_case, "%s", caseno);
    demo_bg_rb(plan, DEMO_F_APPRAISALS, rng, &ctx->arena, &rb, &row);
    appraisal_row(plan, &rb, appraisal_no(plan, &ctx->arena, op, day), caseno, DIRT_AUTO, op, day,
                  bad);
    demo_sink_row(&plan->sinks[DEMO_F_APPRAISALS], &row);
    if (bad < 0 && needs_follow_up(op)) {
        const char *type = op == OP_VALUE ? DEMO_PICK(rng, disposal_types)
                                          : (demo_rng_chance(rng, 700) ? "没收销毁" : "移送");
        emit_disposal(ctx, caseno, type, day + demo_rng_between(rng, 1, 80), -1);
    } else if (bad < 0 && demo_rng_chance(rng, 500)) {
        const char *type = DEMO_PICK(rng, disposal_types);
        emit_disposal(ctx, caseno, type, day + demo_rng_between(rng, -30, 200), -1);
    }
    int disp_bad = demo_bad_which(&ctx->disp_bad, i);
    if (disp_bad >= 0 || demo_rng_chance(rng, 50)) { /* a case that had no appraisal */
        char *other = new_case(plan, &ctx->arena, rng, day);
        emit_disposal(ctx, other, DEMO_PICK(rng, disposal_types), day, disp_bad);
    }
    demo_mix_follow(&ctx->disp_mix, (size_t)i + 1, (size_t)ctx->background);
}

static void no_bg(void *ctx, long i)
{
    (void)ctx;
    (void)i;
}

void demo_appraisal_write(struct demo_plan *plan)
{
    struct appr_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, 207);
    sj_arena_init(&ctx.arena, 0);
    ctx.background = demo_plan_count(plan, 200);
    demo_bad_pick(&ctx.bad, &ctx.rng, ctx.background, 2);
    demo_bad_pick(&ctx.disp_bad, &ctx.rng, ctx.background, 2);
    demo_plan_open(plan, DEMO_F_APPRAISALS);
    demo_plan_open(plan, DEMO_F_DISPOSALS);
    demo_mix_init(&ctx.disp_mix, &plan->sinks[DEMO_F_DISPOSALS], &plan->planted[DEMO_F_DISPOSALS],
                  0, &ctx.rng, no_bg, &ctx);
    demo_mix_init(&mix, &plan->sinks[DEMO_F_APPRAISALS], &plan->planted[DEMO_F_APPRAISALS],
                  ctx.background, &ctx.rng, appraisal_bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_follow(&ctx.disp_mix, 1, 1);
    demo_mix_release(&mix);
    demo_mix_release(&ctx.disp_mix);
    demo_plan_close(plan, DEMO_F_APPRAISALS);
    demo_plan_close(plan, DEMO_F_DISPOSALS);
    sj_arena_release(&ctx.arena);
}
