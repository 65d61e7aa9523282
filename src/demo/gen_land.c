/*
 * gen_land.c - land_penalties.csv (GB18030 with GBK characters only) and
 * land_inspections.csv. Plants the leads of protected-land-still-occupied: a party
 * penalised for 非法占用耕地 or 非法占用湿地 whose plot (地块编号) is inspected after the
 * penalty date and found 仍在经营. Invariant: in the background a protected plot is never
 * found 仍在经营 after its penalty, and whenever a plot has a later 仍在经营 inspection it is
 * also its latest one, so "any later inspection" and "the latest inspection" agree.
 */
#include <string.h>

#include "demo/demo_int.h"

#define RUNNING "仍在经营"

static const char *const protected_types[] = {"非法占用耕地", "非法占用湿地"};
static const char *const other_types[] = {"非法采砂",     "非法采矿", "违法建设",
                                          "非法占用林地", "非法捕捞", "非法采砂"};
static const char *const after_protected[] = {"已恢复原状", "已停止"};
static const char *const any_status[] = {RUNNING, "已恢复原状", "已停止"};

struct land_party {
    const char *name;
    const char *code;
};

static const char *doc_prefix(const char *type)
{
    if (strstr(type, "湿地") || strstr(type, "林地"))
        return "清林罚";
    if (strstr(type, "采砂") || strstr(type, "捕捞"))
        return "清水罚";
    return "清自然资罚";
}

static char *new_plot(struct demo_plan *plan, struct sj_arena *arena, int region, int64_t day)
{
    return sj_arena_sprintf(arena, "%s%dTD%05ld", demo_regions[region].code, demo_year(day),
                            ++plan->seq);
}

/* bad: -1, or 0 bad credit code, 1 impossible date, 2 extra cell. */
static void penalty_row(struct demo_plan *plan, struct demo_rb *rb, const struct land_party *p,
                        int code_dirt, const char *type, const char *plot, int plot_dirt,
                        int64_t day, int bad)
{
    demo_rb_textf(rb, "%s〔%d〕%ld号", doc_prefix(type), demo_year(day), ++plan->seq);
    demo_rb_text(rb, p->name);
    if (bad == 0)
        demo_rb_bad_code(rb, p->code);
    else
        demo_rb_code(rb, p->code, code_dirt);
    demo_rb_text(rb, type);
    demo_rb_key(rb, plot, plot_dirt);
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    if (bad == 2)
        demo_rb_extra_cell(rb);
}

/* p may be NULL (a routine inspection of a plot without a known party). */
static void inspection_row(struct demo_rb *rb, const struct land_party *p, bool with_code,
                           const char *plot, int plot_dirt, int64_t day, const char *status,
                           int bad)
{
    if (bad == 0)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_date(rb, day, DATE_AUTO);
    demo_rb_key(rb, plot, plot_dirt);
    if (p)
        demo_rb_text(rb, p->name);
    else
        demo_rb_empty(rb);
    if (p && with_code)
        demo_rb_code(rb, p->code, DIRT_AUTO);
    else
        demo_rb_empty(rb);
    demo_rb_text(rb, status);
    if (bad == 1)
        demo_rb_extra_cell(rb);
}

/* ---- planting ---------------------------------------------------------------------------- */

enum land_who { LW_BOTH0, LW_BOTH1, LW_TAX_ONLY, LW_LAND_ONLY, LW_FIRM, LW_SHOP };

struct land_visit {
    int offset; /* days after the penalty (negative: before) */
    const char *status;
};

struct land_spec {
    enum land_who who;
    const char *type;
    int pen_plot_dirt, insp_plot_dirt;
    bool insp_has_code;
    bool other_plot; /* the visits are to another plot of the same party */
    int visit_count;
    struct land_visit visits[3];
    bool is_lead;
};

static const struct land_spec land_specs[] = {
    /* leads */
    {LW_BOTH0,
     "非法占用耕地",
     DIRT_NONE,
     DIRT_NONE,
     true,
     false,
     2,
     {{-20, RUNNING}, {45, RUNNING}},
     true},
    {LW_BOTH1,
     "非法占用湿地",
     DIRT_NONE,
     DIRT_NONE,
     true,
     false,
     2,
     {{30, "已停止"}, {150, RUNNING}},
     true},
    {LW_FIRM, "非法占用耕地", DIRT_FULLWIDTH, DIRT_SPACE, true, false, 1, {{120, RUNNING}}, true},
    {LW_SHOP, "非法占用湿地", DIRT_NONE, DIRT_NONE, false, false, 1, {{75, RUNNING}}, true},
    {LW_LAND_ONLY, "非法占用耕地", DIRT_SPACE, DIRT_NONE, true, false, 1, {{200, RUNNING}}, true},
    /* decoys */
    {LW_TAX_ONLY,
     "非法占用耕地",
     DIRT_NONE,
     DIRT_NONE,
     true,
     false,
     2,
     {{-15, RUNNING}, {40, "已恢复原状"}},
     false},
    {LW_FIRM, "非法采砂", DIRT_NONE, DIRT_NONE, true, false, 1, {{50, RUNNING}}, false},
    {LW_FIRM,
     "非法占用耕地",
     DIRT_NONE,
     DIRT_NONE,
     true,
     false,
     2,
     {{-30, RUNNING}, {60, "已停止"}},
     false},
    {LW_FIRM, "非法占用湿地", DIRT_NONE, DIRT_NONE, true, false, 1, {{0, RUNNING}}, false},
    {LW_FIRM, "非法占用耕地", DIRT_NONE, DIRT_NONE, true, true, 1, {{80, RUNNING}}, false},
    {LW_FIRM, "非法占用林地", DIRT_NONE, DIRT_NONE, true, false, 1, {{30, RUNNING}}, false},
};

static struct land_party spec_party(struct demo_plan *plan, int group, enum land_who who)
{
    const struct demo_shared *sh = &plan->shared[group];
    struct demo_company c;
    switch (who) {
    case LW_BOTH0:
        c = sh->both[0];
        break;
    case LW_BOTH1:
        c = sh->both[1];
        break;
    case LW_TAX_ONLY:
        c = sh->tax_only;
        break;
    case LW_LAND_ONLY:
        c = sh->land_only;
        break;
    case LW_SHOP:
        demo_company_take(&plan->world, DEMO_CO_SHOP, &c);
        break;
    default:
        demo_company_take(&plan->world, DEMO_CO_LAND, &c);
        break;
    }
    struct land_party p = {sj_arena_strndup(&plan->arena, c.name, strlen(c.name)),
                           sj_arena_strndup(&plan->arena, c.code, 18)};
    return p;
}

static void plant_one(struct demo_plan *plan, struct demo_rng *rng, const struct land_spec *spec,
                      const struct land_party *p, int64_t day)
{
    struct demo_row row;
    struct demo_rb rb;
    int region = (int)demo_rng_below(rng, demo_local_region_count);
    char *plot = new_plot(plan, &plan->arena, region, day);
    demo_plan_rb(plan, DEMO_F_LAND_PENALTIES, rng, &rb, &row);
    penalty_row(plan, &rb, p, DIRT_AUTO, spec->type, plot, spec->pen_plot_dirt, day, -1);
    demo_plan_add(plan, DEMO_F_LAND_PENALTIES, &row);
    if (spec->other_plot) {
        /* The same party's other plot: restored here, still running over there. */
        demo_plan_rb(plan, DEMO_F_LAND_INSPECTIONS, rng, &rb, &row);
        inspection_row(&rb, p, true, plot, DIRT_NONE, day + 40, "已恢复原状", -1);
        demo_plan_add(plan, DEMO_F_LAND_INSPECTIONS, &row);
        plot = new_plot(plan, &plan->arena, region, day);
    }
    for (int v = 0; v < spec->visit_count; v++) {
        demo_plan_rb(plan, DEMO_F_LAND_INSPECTIONS, rng, &rb, &row);
        inspection_row(&rb, p, spec->insp_has_code, plot, spec->insp_plot_dirt,
                       day + spec->visits[v].offset, spec->visits[v].status, -1);
        demo_plan_add(plan, DEMO_F_LAND_INSPECTIONS, &row);
    }
    if (spec->is_lead)
        demo_plan_answer(plan, DEMO_M_LAND, p->code);
}

void demo_land_plant(struct demo_plan *plan, int group, struct demo_rng *rng)
{
    int64_t base = demo_rng_between(rng, DEMO_DAY(2021, 3, 1), DEMO_DAY(2023, 6, 30));
    for (size_t i = 0; i < SJ_ARRAY_LEN(land_specs); i++) {
        struct land_party p = spec_party(plan, group, land_specs[i].who);
        plant_one(plan, rng, &land_specs[i], &p, base + demo_rng_between(rng, 0, 300));
    }
}

/* ---- background ---------------------------------------------------------------------------- */

struct land_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad, insp_bad;
    struct demo_mix insp_mix;
    long background;
};

static void emit_inspection(struct land_ctx *ctx, const struct land_party *p, const char *plot,
                            int64_t day, const char *status, int bad)
{
    struct demo_row row;
    struct demo_rb rb;
    demo_bg_rb(ctx->plan, DEMO_F_LAND_INSPECTIONS, &ctx->rng, &ctx->arena, &rb, &row);
    bool with_code = demo_rng_chance(&ctx->rng, 800);
    inspection_row(&rb, p, with_code, plot, DIRT_AUTO, day, status, bad);
    demo_sink_row(&ctx->plan->sinks[DEMO_F_LAND_INSPECTIONS], &row);
}

static void inspections_of(struct land_ctx *ctx, const struct land_party *p, const char *plot,
                           bool is_protected, int64_t day)
{
    struct demo_rng *rng = &ctx->rng;
    if (demo_rng_chance(rng, 300)) {
        int64_t before = day - demo_rng_between(rng, 5, 90);
        emit_inspection(ctx, p, plot, before, DEMO_PICK(rng, any_status), -1);
    }
    int after = (int)demo_rng_below(rng, 3);
    int64_t at = day;
    for (int k = 0; k < after; k++) {
        at += demo_rng_between(rng, 1, 180);
        if (at > DEMO_END_DAY)
            break;
        const char *status =
            is_protected ? DEMO_PICK(rng, after_protected) : DEMO_PICK(rng, any_status);
        emit_inspection(ctx, p, plot, at, status, -1);
    }
}

static void land_bg(void *vctx, long i)
{
    struct land_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_row row;
    struct demo_rb rb;
    struct demo_company c;
    sj_arena_reset(&ctx->arena);
    int bad = demo_bad_which(&ctx->bad, i);
    bool is_shop = demo_rng_chance(rng, 200);
    demo_company_take(&plan->world, is_shop ? DEMO_CO_SHOP : DEMO_CO_LAND, &c);
    struct land_party p = {c.name, c.code};
    bool is_protected = bad < 0 && demo_rng_chance(rng, 450);
    const char *type = is_protected ? DEMO_PICK(rng, protected_types) : DEMO_PICK(rng, other_types);
    int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    char *plot = new_plot(plan, &ctx->arena, c.region, day);
    demo_bg_rb(plan, DEMO_F_LAND_PENALTIES, rng, &ctx->arena, &rb, &row);
    penalty_row(plan, &rb, &p, DIRT_AUTO, type, plot, DIRT_AUTO, day, bad);
    demo_sink_row(&plan->sinks[DEMO_F_LAND_PENALTIES], &row);
    if (bad < 0)
        inspections_of(ctx, &p, plot, is_protected, day);
    int insp_bad = demo_bad_which(&ctx->insp_bad, i);
    if (insp_bad >= 0 || demo_rng_chance(rng, 100)) {
        /* A routine inspection of a plot nobody was penalised for. */
        char *routine = new_plot(plan, &ctx->arena, c.region, day);
        const char *status = DEMO_PICK(rng, any_status);
        emit_inspection(ctx, NULL, routine, day + demo_rng_between(rng, 1, 90), status, insp_bad);
    }
    demo_mix_follow(&ctx->insp_mix, (size_t)i + 1, (size_t)ctx->background);
}

static void no_bg(void *ctx, long i)
{
    (void)ctx;
    (void)i;
}

void demo_land_write(struct demo_plan *plan)
{
    struct land_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, 202);
    sj_arena_init(&ctx.arena, 0);
    ctx.background = demo_plan_count(plan, 150);
    demo_bad_pick(&ctx.bad, &ctx.rng, ctx.background, 3);
    demo_bad_pick(&ctx.insp_bad, &ctx.rng, ctx.background, 2);
    demo_plan_open(plan, DEMO_F_LAND_PENALTIES);
    demo_plan_open(plan, DEMO_F_LAND_INSPECTIONS);
    demo_mix_init(&ctx.insp_mix, &plan->sinks[DEMO_F_LAND_INSPECTIONS],
                  &plan->planted[DEMO_F_LAND_INSPECTIONS], 0, &ctx.rng, no_bg, &ctx);
    demo_mix_init(&mix, &plan->sinks[DEMO_F_LAND_PENALTIES], &plan->planted[DEMO_F_LAND_PENALTIES],
                  ctx.background, &ctx.rng, land_bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_follow(&ctx.insp_mix, 1, 1);
    demo_mix_release(&mix);
    demo_mix_release(&ctx.insp_mix);
    demo_plan_close(plan, DEMO_F_LAND_PENALTIES);
    demo_plan_close(plan, DEMO_F_LAND_INSPECTIONS);
    sj_arena_release(&ctx.arena);
}
