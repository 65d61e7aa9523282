/*
 * gen_victims.c - victims.xlsx (criminal case victims, for judicial-aid-screening) and
 * bail_subjects.xlsx (people on bail, no model yet). A victim is a lead when 赔偿情况 is
 * 未赔偿, 家庭经济困难 is 是, and the victim is a minor on 案发日期 (birth date from the id
 * number), or 残疾类别 is not blank, or female (sex from the id number, not the 性别 column).
 * Invariant: a background victim who is 未赔偿 and 是 is always an adult man without a
 * disability, so the only leads are planted; broken rows are always 已赔偿.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

static const char *const disabilities[] = {"肢体", "视力", "听力", "言语", "智力", "精神", "多重"};
static const char *const courts[] = {"粤1802", "粤1803", "粤1821", "粤1881", "粤1882", "粤18"};

/* The day a person born on `birth` turns `years` (Feb 29 births: Mar 1 in common years). */
static int64_t birthday(int64_t birth, int years)
{
    int y, m, d;
    sj_days_to_date(birth, &y, &m, &d);
    if (m == 2 && d == 29 && !sj_date_is_valid(y + years, 2, 29))
        return DEMO_DAY(y + years, 3, 1);
    return DEMO_DAY(y + years, m, d);
}

/* bad: -1, or 0 a bad id check digit, 1 an impossible date, 2 an extra cell. */
static void victim_row(struct demo_plan *plan, struct demo_rb *rb, const struct demo_person *p,
                       int id_dirt, const char *sex, const char *disability, const char *paid,
                       const char *hardship, int64_t day, int bad)
{
    const char *court = DEMO_PICK(rb->rng, courts);
    demo_rb_caseno(rb, demo_caseno(rb->arena, demo_year(day + 60), court, "刑初", ++plan->seq),
                   DIRT_AUTO);
    demo_rb_name(rb, p->name, DIRT_AUTO);
    if (bad == 0)
        demo_rb_bad_idcard(rb, p->id);
    else
        demo_rb_idcard(rb, p->id, id_dirt);
    demo_rb_text(rb, sex ? sex : p->is_female ? "女" : "男");
    demo_rb_text(rb, disability);
    demo_rb_text(rb, paid);
    demo_rb_text(rb, hardship);
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    if (bad == 2)
        demo_rb_extra_cell(rb);
}

/* ---- planting ---------------------------------------------------------------------------- */

enum victim_age {
    AGE_ADULT,     /* born 1960-1995 */
    AGE_OLD,       /* born 1955-1985 (15-digit id possible) */
    AGE_MINOR,     /* 15 years and some days old on the day */
    AGE_ALMOST_18, /* the day before the 18th birthday */
    AGE_EXACTLY_18 /* the 18th birthday */
};

struct victim_spec {
    enum victim_age age;
    char sex; /* of the id number */
    bool check_x;
    int id_dirt;
    const char *sex_col; /* NULL: as the id number says */
    const char *disability, *paid, *hardship;
    bool is_lead;
};

static const struct victim_spec victim_specs[] = {
    /* leads */
    {AGE_MINOR, 'M', false, DIRT_NONE, NULL, "", "未赔偿", "是", true},
    {AGE_ADULT, 'F', false, DIRT_NONE, NULL, "", "未赔偿", "是", true},
    {AGE_ADULT, 'M', false, DIRT_FULLWIDTH, NULL, "肢体", "未赔偿", "是", true},
    {AGE_OLD, 'F', false, DIRT_LEGACY15, NULL, "", "未赔偿", "是", true},
    {AGE_ALMOST_18, 'M', false, DIRT_NONE, NULL, "", "未赔偿", "是", true},
    {AGE_ADULT, 'F', true, DIRT_LOWER_X, NULL, "", "未赔偿", "是", true},
    /* decoys */
    {AGE_EXACTLY_18, 'M', false, DIRT_NONE, NULL, "", "未赔偿", "是", false},
    {AGE_ADULT, 'F', false, DIRT_NONE, NULL, "", "部分赔偿", "是", false},
    {AGE_ADULT, 'F', false, DIRT_NONE, NULL, "", "未赔偿", "否", false},
    {AGE_ADULT, 'M', false, DIRT_NONE, "女", "", "未赔偿", "是", false},
    {AGE_ADULT, 'M', false, DIRT_NONE, NULL, " ", "未赔偿", "是", false},
    {AGE_MINOR, 'M', false, DIRT_NONE, NULL, "", "已赔偿", "是", false},
};

static void plant_one(struct demo_plan *plan, struct demo_rng *rng, const struct victim_spec *spec,
                      int64_t day)
{
    struct demo_person p;
    struct demo_want want = demo_want_adult();
    struct demo_row row;
    struct demo_rb rb;
    want.sex = spec->sex;
    want.check_x = spec->check_x;
    want.born_min = DEMO_DAY(1960, 1, 1);
    want.born_max = DEMO_DAY(1995, 12, 31);
    if (spec->age == AGE_OLD) {
        want.born_min = DEMO_DAY(1955, 1, 1);
        want.born_max = DEMO_DAY(1985, 12, 31);
    } else if (spec->age == AGE_MINOR) {
        want.born_min = DEMO_DAY(2006, 1, 1);
        want.born_max = DEMO_DAY(2008, 6, 30);
    } else if (spec->age != AGE_ADULT) {
        want.born_min = DEMO_DAY(2003, 3, 1); /* no Feb 29 birthdays near the boundary */
        want.born_max = DEMO_DAY(2006, 2, 27);
    }
    demo_person_take(&plan->world, &want, &p);
    if (spec->age == AGE_MINOR)
        day = birthday(p.birth, 15) + demo_rng_between(rng, 0, 300);
    else if (spec->age == AGE_ALMOST_18)
        day = birthday(p.birth, 18) - 1;
    else if (spec->age == AGE_EXACTLY_18)
        day = birthday(p.birth, 18);
    demo_plan_rb(plan, DEMO_F_VICTIMS, rng, &rb, &row);
    victim_row(plan, &rb, &p, spec->id_dirt, spec->sex_col, spec->disability, spec->paid,
               spec->hardship, day, -1);
    demo_plan_add(plan, DEMO_F_VICTIMS, &row);
    if (spec->is_lead)
        demo_plan_answer(plan, DEMO_M_AID, p.id);
}

void demo_victims_plant(struct demo_plan *plan, int group, struct demo_rng *rng)
{
    (void)group;
    for (size_t i = 0; i < SJ_ARRAY_LEN(victim_specs); i++) {
        int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
        plant_one(plan, rng, &victim_specs[i], day);
    }
}

/* ---- background ---------------------------------------------------------------------------- */

struct people_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad;
};

static void victim_bg(void *vctx, long i)
{
    struct people_ctx *ctx = vctx;
    struct demo_rng *rng = &ctx->rng;
    struct demo_person p;
    struct demo_want want = demo_want_any();
    struct demo_row row;
    struct demo_rb rb;
    sj_arena_reset(&ctx->arena);
    int bad = demo_bad_which(&ctx->bad, i);
    uint64_t r = demo_rng_below(rng, 100);
    const char *paid = bad >= 0 || r < 40 ? "已赔偿" : r < 65 ? "部分赔偿" : "未赔偿";
    const char *hardship = demo_rng_chance(rng, 300) ? "是" : "否";
    const char *disability = "";
    bool is_aid_case = strcmp(paid, "未赔偿") == 0 && strcmp(hardship, "是") == 0;
    if (is_aid_case) { /* never a lead: an adult man without a disability */
        want = demo_want_adult();
        want.sex = 'M';
    } else if (demo_rng_chance(rng, 60)) {
        disability = DEMO_PICK(rng, disabilities);
    }
    want.born_max = DEMO_DAY(2015, 12, 31);
    if (is_aid_case)
        want.born_max = DEMO_DAY(2002, 12, 31);
    demo_person_take(&ctx->plan->world, &want, &p);
    int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    demo_bg_rb(ctx->plan, DEMO_F_VICTIMS, rng, &ctx->arena, &rb, &row);
    victim_row(ctx->plan, &rb, &p, DIRT_AUTO, NULL, disability, paid, hardship, day, bad);
    demo_sink_row(&ctx->plan->sinks[DEMO_F_VICTIMS], &row);
}

static void run_file(struct demo_plan *plan, enum demo_file_id f, long background, int bad_count,
                     uint64_t stream, demo_bg_fn bg)
{
    struct people_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, stream);
    sj_arena_init(&ctx.arena, 0);
    demo_bad_pick(&ctx.bad, &ctx.rng, background, bad_count);
    demo_plan_open(plan, f);
    demo_mix_init(&mix, &plan->sinks[f], &plan->planted[f], background, &ctx.rng, bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_release(&mix);
    demo_plan_close(plan, f);
    sj_arena_release(&ctx.arena);
}

void demo_victims_write(struct demo_plan *plan)
{
    run_file(plan, DEMO_F_VICTIMS, demo_plan_count(plan, 200), 3, 208, victim_bg);
}

/* ---- bail subjects ----------------------------------------------------------------------------
 */

static const char *const bail_crimes[] = {
    "危险驾驶", "危险驾驶", "危险驾驶", "盗窃",
    "盗窃",     "故意伤害", "帮信",     "帮助信息网络犯罪活动",
    "诈骗",     "寻衅滋事", "交通肇事", "开设赌场"};
static const char *const offices[] = {"清城", "清新", "佛冈", "阳山",
                                      "连山", "连南", "英德", "连州"};

static void bail_bg(void *vctx, long i)
{
    struct people_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_person p;
    struct demo_want want = demo_want_adult();
    struct demo_row row;
    struct demo_rb rb;
    char address[192], name[64];
    sj_arena_reset(&ctx->arena);
    int bad = demo_bad_which(&ctx->bad, i);
    demo_person_take(&plan->world, &want, &p);
    demo_person_address(&plan->world, &p, address, sizeof address);
    int64_t start = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    int64_t end = start + (demo_rng_chance(rng, 700) ? 365 : 180) - 1;
    demo_bg_rb(plan, DEMO_F_BAIL, rng, &ctx->arena, &rb, &row);
    demo_rb_name(&rb, p.name, DIRT_AUTO);
    if (bad == 0)
        demo_rb_bad_idcard(&rb, p.id);
    else
        demo_rb_idcard(&rb, p.id, DIRT_AUTO);
    demo_rb_phone(&rb, p.phone, DIRT_AUTO);
    demo_rb_text(&rb, sj_arena_strndup(&ctx->arena, address, strlen(address)));
    demo_rb_text(&rb, DEMO_PICK(rng, bail_crimes));
    demo_rb_textf(&rb, "%s检刑诉〔%d〕%ld号", DEMO_PICK(rng, offices), demo_year(start),
                  ++plan->seq);
    demo_rb_date(&rb, start, DATE_AUTO);
    if (bad == 1)
        demo_rb_bad_date(&rb, demo_year(end));
    else
        demo_rb_date(&rb, end, DATE_AUTO);
    demo_plan_prosecutor(plan, rng, name, sizeof name);
    demo_rb_name(&rb, sj_arena_strndup(&ctx->arena, name, strlen(name)), DIRT_NONE);
    demo_plan_police(plan, rng, name, sizeof name);
    demo_rb_name(&rb, sj_arena_strndup(&ctx->arena, name, strlen(name)), DIRT_NONE);
    if (bad == 2)
        demo_rb_extra_cell(&rb);
    demo_sink_row(&plan->sinks[DEMO_F_BAIL], &row);
}

void demo_bail_write(struct demo_plan *plan)
{
    plan->bail_first = plan->world.next_person;
    run_file(plan, DEMO_F_BAIL, demo_plan_count(plan, 300), 3, 209, bail_bg);
    plan->bail_end = plan->world.next_person;
}
