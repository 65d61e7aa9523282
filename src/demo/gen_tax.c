/*
 * gen_tax.c - enforcement_cases.csv (两法衔接平台, GB18030) and case_system.xlsx
 * (检察业务应用系统). Plants the leads of tax-not-transferred: tax-related enforcement cases
 * of at least 100,000 yuan whose party (id number or credit code) has no row in the case
 * system. Invariant: every background tax case of 100,000 yuan or more gets a case-system
 * row for the same party (written in step, often in another spelling), so the only leads
 * are the planted ones; broken rows are never tax cases and never match anything.
 */
#include <string.h>

#include "demo/demo_int.h"

#define THRESHOLD_FEN ((int64_t)100000 * 100)

static const char *const tax_causes[] = {"逃税", "虚开增值税专用发票", "虚开发票", "骗取出口退税"};
static const char *const tax_charges[] = {"逃税罪", "虚开增值税专用发票罪", "虚开发票罪",
                                          "骗取出口退税罪"};
/* Other causes and the charge when transferred (NULL: never transferred). */
static const char *const other_causes[] = {
    "无证经营",       "非法占用农用地", "销售假冒注册商标的商品",
    "非法经营",       "非法采矿",       "生产销售不符合安全标准的食品",
    "非法捕捞水产品", "违法建设",       "虚假广告"};
static const char *const other_charges[] = {NULL,
                                            "非法占用农用地罪",
                                            "销售假冒注册商标的商品罪",
                                            "非法经营罪",
                                            "非法采矿罪",
                                            "生产、销售不符合安全标准的食品罪",
                                            "非法捕捞水产品罪",
                                            NULL,
                                            NULL};
static const char *const crime_charges[] = {"盗窃罪",
                                            "危险驾驶罪",
                                            "故意伤害罪",
                                            "诈骗罪",
                                            "帮助信息网络犯罪活动罪",
                                            "掩饰、隐瞒犯罪所得罪",
                                            "开设赌场罪",
                                            "寻衅滋事罪",
                                            "交通肇事罪",
                                            "危险驾驶罪",
                                            "盗窃罪",
                                            "帮助信息网络犯罪活动罪"};
static const char *const tax_agencies[] = {"国家税务总局清远市税务局第一稽查局",
                                           "国家税务总局清远市税务局第二稽查局",
                                           "国家税务总局英德市税务局", "国家税务总局连州市税务局"};
static const char *const offices[] = {"清城", "清新", "佛冈", "阳山",
                                      "连山", "连南", "英德", "连州"};

/* One party of a case: a person or a company. */
struct party {
    const char *name;
    const char *id; /* canonical id number or credit code */
    bool is_company;
};

static void agency_of(const char *cause, struct demo_rng *rng, const char **agency,
                      const char **prefix)
{
    for (size_t i = 0; i < SJ_ARRAY_LEN(tax_causes); i++) {
        if (strcmp(cause, tax_causes[i]) == 0) {
            *agency = DEMO_PICK(rng, tax_agencies);
            *prefix = "清税稽罚";
            return;
        }
    }
    if (strstr(cause, "农用地") || strstr(cause, "建设") || strstr(cause, "采矿")) {
        *agency = "清远市自然资源局";
        *prefix = "清自然资罚";
    } else if (strstr(cause, "捕捞")) {
        *agency = "清远市农业农村局";
        *prefix = "清农罚";
    } else {
        *agency = demo_rng_chance(rng, 500) ? "清远市市场监督管理局" : "英德市市场监督管理局";
        *prefix = "清市监罚";
    }
}

static void rb_party_name(struct demo_rb *rb, const struct party *p, int dirt)
{
    if (p->is_company)
        demo_rb_text(rb, p->name);
    else
        demo_rb_name(rb, p->name, dirt);
}

static void rb_party_id(struct demo_rb *rb, const struct party *p, int dirt)
{
    if (p->is_company)
        demo_rb_code(rb, p->id, dirt == DIRT_LOWER_X || dirt == DIRT_LEGACY15 ? DIRT_NONE : dirt);
    else
        demo_rb_idcard(rb, p->id, dirt);
}

/* bad: -1, or 0 bad id, 1 impossible date, 2 extra cell. */
static void enf_row(struct demo_plan *plan, struct demo_rb *rb, const struct party *p, int id_dirt,
                    const char *cause, int64_t fen, int amount_style, int64_t day,
                    const char *transferred, int bad)
{
    const char *agency, *prefix;
    agency_of(cause, rb->rng, &agency, &prefix);
    demo_rb_textf(rb, "%s〔%d〕%ld号", prefix, demo_year(day), ++plan->seq);
    demo_rb_text(rb, agency);
    rb_party_name(rb, p, DIRT_AUTO);
    if (bad == 0 && p->is_company)
        demo_rb_bad_code(rb, p->id);
    else if (bad == 0)
        demo_rb_bad_idcard(rb, p->id);
    else
        rb_party_id(rb, p, id_dirt);
    demo_rb_text(rb, cause);
    demo_rb_amount(rb, fen, amount_style);
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    demo_rb_text(rb, transferred);
    if (bad == 2)
        demo_rb_extra_cell(rb);
}

static void cs_row(struct demo_plan *plan, struct demo_rb *rb, const struct party *p, int id_dirt,
                   const char *charge, int64_t day, int bad)
{
    char buf[64];
    size_t charge_len = strlen(charge) - strlen("罪");
    demo_rb_textf(rb, "%s检刑受〔%d〕%ld号", DEMO_PICK(rb->rng, offices), demo_year(day),
                  ++plan->seq);
    demo_rb_textf(rb, "%s%.*s案", p->name, (int)charge_len, charge);
    rb_party_name(rb, p, DIRT_AUTO);
    if (bad == 0 && p->is_company)
        demo_rb_bad_code(rb, p->id);
    else if (bad == 0)
        demo_rb_bad_idcard(rb, p->id);
    else
        rb_party_id(rb, p, id_dirt);
    demo_rb_text(rb, charge);
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    demo_plan_prosecutor(plan, rb->rng, buf, sizeof buf);
    demo_rb_text(rb, sj_arena_strndup(rb->arena, buf, strlen(buf)));
    if (bad == 2)
        demo_rb_extra_cell(rb);
}

/* ---- planting ---------------------------------------------------------------------------- */

static struct party person_party(struct demo_plan *plan, const struct demo_want *want)
{
    struct demo_person p;
    demo_person_take(&plan->world, want, &p);
    struct party party = {sj_arena_strndup(&plan->arena, p.name, strlen(p.name)),
                          sj_arena_strndup(&plan->arena, p.id, 18), false};
    return party;
}

static struct party company_party(struct demo_plan *plan, const struct demo_company *c)
{
    struct party party = {sj_arena_strndup(&plan->arena, c->name, strlen(c->name)),
                          sj_arena_strndup(&plan->arena, c->code, 18), true};
    return party;
}

/* Who a planted case is about. */
enum who { WHO_ADULT, WHO_X, WHO_OLD, WHO_BOTH0, WHO_BOTH1, WHO_TAX_ONLY, WHO_LAND_ONLY, WHO_FIRM };

/* One planted enforcement case (and its case-system row when charge is set). Amounts in
 * fen, drawn from [lo, hi] and rounded down to a multiple of round. */
struct tax_spec {
    enum who who;
    int enf_dirt, cs_dirt;
    const char *cause;
    int64_t lo, hi, round;
    int amount_style;
    const char *transferred;
    const char *charge; /* NULL: no case-system row */
    bool is_lead;
};

#define T THRESHOLD_FEN
static const struct tax_spec tax_specs[] = {
    /* leads */
    {WHO_X, DIRT_LOWER_X, 0, "逃税", 15000000, 90000000, 100, AMOUNT_COMMA, "否", NULL, true},
    {WHO_OLD, DIRT_LEGACY15, 0, "虚开发票", 10020000, 30000000, 10000, AMOUNT_WAN, "否", NULL,
     true},
    {WHO_BOTH0, DIRT_NONE, 0, "逃税", 20000000, 300000000, 1, AMOUNT_COMMA, "否", NULL, true},
    {WHO_BOTH1, DIRT_SPACE, 0, "虚开增值税专用发票", 30000000, 200000000, 100, AMOUNT_CAPITAL, "是",
     NULL, true},
    {WHO_TAX_ONLY, DIRT_FULLWIDTH, 0, "骗取出口退税", 20000000, 90000000, 10000, AMOUNT_WAN_YUAN,
     "否", NULL, true},
    {WHO_ADULT, DIRT_FULLWIDTH, 0, "骗取出口退税", T, T, 1, AMOUNT_WAN_YUAN, "否", NULL, true},
    {WHO_ADULT, DIRT_NONE, 0, "虚开增值税专用发票", 12000000, 50000000, 100, AMOUNT_PLAIN, "", NULL,
     true},
    /* decoys */
    {WHO_ADULT, DIRT_NONE, 0, "逃税", T - 1, T - 1, 1, AMOUNT_COMMA, "否", NULL, false},
    {WHO_OLD, DIRT_NONE, DIRT_LEGACY15, "虚开发票", 20000000, 90000000, 1, AMOUNT_COMMA, "是",
     "虚开发票罪", false},
    {WHO_X, DIRT_SPACE, DIRT_LOWER_X, "逃税", 100000000, 300000000, 100, AMOUNT_YUAN, "是",
     "逃税罪", false},
    {WHO_ADULT, DIRT_FULLWIDTH, DIRT_NONE, "骗取出口退税", 15000000, 60000000, 1, AMOUNT_PLAIN,
     "是", "骗取出口退税罪", false},
    {WHO_ADULT, DIRT_NONE, DIRT_FULLWIDTH, "虚开增值税专用发票", 15000000, 60000000, 1,
     AMOUNT_COMMA, "是", "虚开增值税专用发票罪", false},
    {WHO_ADULT, DIRT_NONE, 0, "无证经营", 50000000, 90000000, 1, AMOUNT_COMMA, "否", NULL, false},
    {WHO_LAND_ONLY, DIRT_NONE, 0, "逃税", 2000000, 6000000, 100, AMOUNT_YUAN, "否", NULL, false},
    {WHO_FIRM, DIRT_SPACE, DIRT_FULLWIDTH, "逃税", 80000000, 300000000, 10000, AMOUNT_WAN, "是",
     "逃税罪", false},
};
#undef T

static struct party spec_party(struct demo_plan *plan, const struct demo_shared *sh, enum who who)
{
    struct demo_want want = demo_want_adult();
    struct demo_company firm;
    switch (who) {
    case WHO_X:
        want.check_x = true;
        return person_party(plan, &want);
    case WHO_OLD:
        want.born_max = DEMO_DAY(1989, 12, 31);
        return person_party(plan, &want);
    case WHO_BOTH0:
        return company_party(plan, &sh->both[0]);
    case WHO_BOTH1:
        return company_party(plan, &sh->both[1]);
    case WHO_TAX_ONLY:
        return company_party(plan, &sh->tax_only);
    case WHO_LAND_ONLY:
        return company_party(plan, &sh->land_only);
    case WHO_FIRM:
        demo_company_take(&plan->world, DEMO_CO_TRADE, &firm);
        return company_party(plan, &firm);
    default:
        return person_party(plan, &want);
    }
}

static void plant_case(struct demo_plan *plan, struct demo_rng *rng, const struct tax_spec *spec,
                       const struct party *party, int64_t day)
{
    struct demo_row row;
    struct demo_rb rb;
    int64_t fen = demo_rng_between(rng, spec->lo, spec->hi);
    fen -= fen % spec->round;
    demo_plan_rb(plan, DEMO_F_ENFORCEMENT, rng, &rb, &row);
    enf_row(plan, &rb, party, spec->enf_dirt, spec->cause, fen, spec->amount_style, day,
            spec->transferred, -1);
    demo_plan_add(plan, DEMO_F_ENFORCEMENT, &row);
    if (spec->charge) {
        demo_plan_rb(plan, DEMO_F_CASE_SYSTEM, rng, &rb, &row);
        cs_row(plan, &rb, party, spec->cs_dirt, spec->charge, day + demo_rng_between(rng, 20, 90),
               -1);
        demo_plan_add(plan, DEMO_F_CASE_SYSTEM, &row);
    }
    if (spec->is_lead)
        demo_plan_answer(plan, DEMO_M_TAX, party->id);
}

void demo_tax_plant(struct demo_plan *plan, int group, struct demo_rng *rng)
{
    int64_t base = demo_rng_between(rng, DEMO_DAY(2021, 3, 1), DEMO_DAY(2023, 10, 31));
    for (size_t i = 0; i < SJ_ARRAY_LEN(tax_specs); i++) {
        struct party party = spec_party(plan, &plan->shared[group], tax_specs[i].who);
        plant_case(plan, rng, &tax_specs[i], &party, base + demo_rng_between(rng, 0, 200));
    }
}

/* ---- background ---------------------------------------------------------------------------- */

struct tax_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena, cs_arena;
    struct demo_bad bad, cs_bad;
    struct demo_mix cs_mix;
    long background;
};

static struct party bg_party(struct tax_ctx *ctx)
{
    struct demo_plan *plan = ctx->plan;
    struct demo_want adult = demo_want_adult();
    if (demo_rng_chance(&ctx->rng, 300)) {
        struct demo_company c;
        demo_company_take(&plan->world, DEMO_CO_TRADE, &c);
        struct party p = {sj_arena_strndup(&ctx->arena, c.name, strlen(c.name)),
                          sj_arena_strndup(&ctx->arena, c.code, 18), true};
        return p;
    }
    struct demo_person person;
    demo_person_take(&plan->world, &adult, &person);
    struct party p = {sj_arena_strndup(&ctx->arena, person.name, strlen(person.name)),
                      sj_arena_strndup(&ctx->arena, person.id, 18), false};
    return p;
}

/* Dirt for a key that must still match: none most of the time, else any harmless kind. */
static int match_dirt(struct demo_rng *rng)
{
    static const int kinds[] = {DIRT_SPACE, DIRT_FULLWIDTH, DIRT_LOWER_X, DIRT_LEGACY15};
    return demo_rng_chance(rng, 650) ? DIRT_NONE : DEMO_PICK(rng, kinds);
}

static void enf_bg(void *vctx, long i)
{
    struct tax_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_row row;
    struct demo_rb rb;
    sj_arena_reset(&ctx->arena);
    demo_bg_rb(plan, DEMO_F_ENFORCEMENT, rng, &ctx->arena, &rb, &row);
    int bad = demo_bad_which(&ctx->bad, i);
    struct party p = bg_party(ctx);
    int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY), fen;
    const char *cause, *charge = NULL;
    size_t k;
    if (bad < 0 && demo_rng_chance(rng, 450)) {
        k = demo_rng_below(rng, SJ_ARRAY_LEN(tax_causes));
        cause = tax_causes[k];
        bool is_above = demo_rng_chance(rng, 500);
        fen = is_above ? demo_rng_between(rng, THRESHOLD_FEN, 500000000)
                       : demo_rng_between(rng, 100000, THRESHOLD_FEN - 1);
        if (demo_rng_chance(rng, 400))
            fen -= fen % 10000;
        charge = fen >= THRESHOLD_FEN ? tax_charges[k] : NULL;
    } else {
        k = demo_rng_below(rng, SJ_ARRAY_LEN(other_causes));
        cause = other_causes[k];
        fen = demo_rng_between(rng, 50000, 200000000);
        if (bad < 0 && other_charges[k] && demo_rng_chance(rng, 150))
            charge = other_charges[k];
    }
    const char *transferred = "否";
    if (charge)
        transferred = demo_rng_chance(rng, 950) ? "是" : "";
    int dirt = match_dirt(rng);
    enf_row(plan, &rb, &p, dirt, cause, fen, AMOUNT_AUTO, day, transferred, bad);
    demo_sink_row(&plan->sinks[DEMO_F_ENFORCEMENT], &row);
    if (charge) {
        demo_bg_rb(plan, DEMO_F_CASE_SYSTEM, rng, &ctx->arena, &rb, &row);
        dirt = match_dirt(rng);
        day += demo_rng_between(rng, 10, 150);
        cs_row(plan, &rb, &p, dirt, charge, day, -1);
        demo_sink_row(&plan->sinks[DEMO_F_CASE_SYSTEM], &row);
    }
    demo_mix_follow(&ctx->cs_mix, (size_t)i + 1, (size_t)ctx->background);
}

static void cs_bg(void *vctx, long i)
{
    struct tax_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_row row;
    struct demo_rb rb;
    struct demo_person person;
    struct demo_want adult = demo_want_adult();
    sj_arena_reset(&ctx->cs_arena);
    demo_bg_rb(plan, DEMO_F_CASE_SYSTEM, &ctx->rng, &ctx->cs_arena, &rb, &row);
    demo_person_take(&plan->world, &adult, &person);
    struct party p = {person.name, person.id, false};
    const char *charge = DEMO_PICK(&ctx->rng, crime_charges);
    int64_t day = demo_rng_between(&ctx->rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    cs_row(plan, &rb, &p, DIRT_AUTO, charge, day, demo_bad_which(&ctx->cs_bad, i));
    demo_sink_row(&plan->sinks[DEMO_F_CASE_SYSTEM], &row);
}

void demo_tax_write(struct demo_plan *plan)
{
    struct tax_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, 201);
    sj_arena_init(&ctx.arena, 0);
    sj_arena_init(&ctx.cs_arena, 0);
    ctx.background = demo_plan_count(plan, 400);
    demo_bad_pick(&ctx.bad, &ctx.rng, ctx.background, 3);
    demo_bad_pick(&ctx.cs_bad, &ctx.rng, demo_plan_count(plan, 250), 3);
    demo_plan_open(plan, DEMO_F_ENFORCEMENT);
    demo_plan_open(plan, DEMO_F_CASE_SYSTEM);
    demo_mix_init(&ctx.cs_mix, &plan->sinks[DEMO_F_CASE_SYSTEM], &plan->planted[DEMO_F_CASE_SYSTEM],
                  demo_plan_count(plan, 250), &ctx.rng, cs_bg, &ctx);
    demo_mix_init(&mix, &plan->sinks[DEMO_F_ENFORCEMENT], &plan->planted[DEMO_F_ENFORCEMENT],
                  ctx.background, &ctx.rng, enf_bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_follow(&ctx.cs_mix, 1, 1);
    demo_mix_release(&mix);
    demo_mix_release(&ctx.cs_mix);
    demo_plan_close(plan, DEMO_F_ENFORCEMENT);
    demo_plan_close(plan, DEMO_F_CASE_SYSTEM);
    sj_arena_release(&ctx.arena);
    sj_arena_release(&ctx.cs_arena);
}
