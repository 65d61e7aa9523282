/*
 * gen_bank.c - bank_statements_a.csv (甲银行: 交易日期/账号/户名/.../借贷标志) and
 * bank_statements_b.xlsx (乙银行: 交易时间/本方卡号/本方姓名/收付标志/...), the same ideas under
 * different headers, and call_records.csv. Account holders are drawn from the people of
 * the judgments (so background plaintiffs do pay their lawyers) and from a pool of their
 * own. Invariant: background rows never move money from a planted plaintiff, and no
 * background plaintiff has three suits, so the planted ring stays the only lead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#define MERCHANTS 40

static const char *const transfer_memos[] = {"转账",   "网银转账", "手机银行转账", "微信转账",
                                             "往来款", "还款",     "借款"};
static const char *const shop_memos[] = {"消费", "快捷支付", "网上支付", "POS消费"};
static const char *const platforms[] = {"支付宝（中国）网络技术有限公司", "财付通支付科技有限公司"};

void demo_bank_row(struct demo_rb *rb, bool layout_b, int64_t day, int secs, const char *self_name,
                   int name_dirt, const char *self_card, const char *other_name,
                   const char *other_card, bool is_out, int64_t fen, const char *memo, int bad)
{
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(day));
    else if (layout_b)
        demo_rb_datetime(rb, day, secs, DATE_AUTO);
    else
        demo_rb_date(rb, day, DATE_AUTO);
    if (bad == 0)
        demo_rb_bad_card(rb, self_card);
    else
        demo_rb_card(rb, self_card, DIRT_AUTO);
    demo_rb_name(rb, self_name, name_dirt);
    if (layout_b) {
        demo_rb_text(rb, is_out ? "付" : "收");
        demo_rb_amount(rb, fen, AMOUNT_AUTO);
    }
    if (other_card[0])
        demo_rb_card(rb, other_card, DIRT_AUTO);
    else
        demo_rb_empty(rb);
    if (other_name[0])
        demo_rb_name(rb, other_name, DIRT_AUTO);
    else
        demo_rb_empty(rb);
    if (!layout_b) {
        demo_rb_amount(rb, fen, AMOUNT_AUTO);
        demo_rb_text(rb, is_out ? "借" : "贷");
    }
    demo_rb_text(rb, memo);
    if (bad == 2)
        demo_rb_extra_cell(rb);
}

struct bank_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad;
    bool layout_b;
    struct demo_company merchants[MERCHANTS];
};

/* A background account holder: from the judgments' people or the bank's own pool. */
static void bank_person(struct bank_ctx *ctx, struct demo_person *p)
{
    struct demo_plan *plan = ctx->plan;
    struct demo_want adult = demo_want_adult();
    if (demo_rng_chance(&ctx->rng, 600))
        demo_plan_reuse(plan, &ctx->rng, plan->court_first, plan->court_end, &adult, p);
    else
        demo_plan_reuse(plan, &ctx->rng, plan->bank_first, plan->bank_end, &adult, p);
}

/* The other side of a background transaction; fills name/card (arena) and direction. */
static void counterpart(struct bank_ctx *ctx, const struct demo_person *self, const char **name,
                        const char **card, bool *is_out, int64_t *fen, const char **memo)
{
    struct demo_rng *rng = &ctx->rng;
    struct demo_person o;
    const struct demo_company *m;
    uint64_t r = demo_rng_below(rng, 100);
    *name = *card = "";
    if (r < 35) {
        do
            bank_person(ctx, &o);
        while (o.idx == self->idx);
        *name = sj_arena_strndup(&ctx->arena, o.name, strlen(o.name));
        *card = sj_arena_strndup(&ctx->arena, o.card, strlen(o.card));
        *is_out = demo_rng_chance(rng, 500);
        *fen = demo_rng_between(rng, 5000, 5000000);
        *memo = DEMO_PICK(rng, transfer_memos);
    } else if (r < 55) {
        m = &ctx->merchants[demo_rng_below(rng, MERCHANTS)];
        bool is_platform = demo_rng_chance(rng, 400);
        *name = is_platform ? DEMO_PICK(rng, platforms) : m->name;
        *card = is_platform ? "" : m->account;
        *is_out = true;
        *fen = demo_rng_between(rng, 2000, 500000);
        *memo = DEMO_PICK(rng, shop_memos);
    } else if (r < 65) {
        m = &ctx->merchants[demo_rng_below(rng, MERCHANTS / 4)];
        *name = m->name;
        *card = m->account;
        *is_out = false;
        *fen = demo_rng_between(rng, 3000, 15000) * 100;
        *memo = "代发工资";
    } else if (r < 75) {
        *is_out = true;
        *fen = demo_rng_between(rng, 1, 30) * 10000;
        *memo = "ATM取款";
    } else if (r < 85) {
        demo_person_get(&ctx->plan->world,
                        ctx->plan->lawyers[demo_rng_below(rng, ctx->plan->lawyer_count)], &o);
        *name = sj_arena_strndup(&ctx->arena, o.name, strlen(o.name));
        *card = sj_arena_strndup(&ctx->arena, o.card, strlen(o.card));
        *is_out = true;
        *fen = demo_rng_between(rng, 2000, 30000) * 100;
        *memo = demo_rng_chance(rng, 500) ? "律师费" : "代理费";
    } else {
        *is_out = false;
        *fen = demo_rng_between(rng, 100, 2000000);
        *memo = demo_rng_chance(rng, 700) ? "现金存入" : "结息";
    }
}

static void bank_bg(void *vctx, long i)
{
    struct bank_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_row row;
    struct demo_rb rb;
    struct demo_person self;
    const char *name, *card, *memo;
    bool is_out = false;
    int64_t fen = 0;
    enum demo_file_id f = ctx->layout_b ? DEMO_F_BANK_B : DEMO_F_BANK_A;
    sj_arena_reset(&ctx->arena);
    bank_person(ctx, &self);
    counterpart(ctx, &self, &name, &card, &is_out, &fen, &memo);
    int64_t day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    int secs = (int)demo_rng_between(rng, 7 * 3600, 23 * 3600);
    demo_bg_rb(plan, f, rng, &ctx->arena, &rb, &row);
    demo_bank_row(&rb, ctx->layout_b, day, secs, self.name, DIRT_AUTO, self.card, name, card,
                  is_out, fen, memo, demo_bad_which(&ctx->bad, i));
    demo_sink_row(&plan->sinks[f], &row);
}

static void write_layout(struct demo_plan *plan, bool layout_b, long per_scale)
{
    struct bank_ctx *ctx = sj_xcalloc(1, sizeof *ctx);
    struct demo_mix mix;
    enum demo_file_id f = layout_b ? DEMO_F_BANK_B : DEMO_F_BANK_A;
    ctx->plan = plan;
    ctx->layout_b = layout_b;
    demo_rng_init(&ctx->rng, plan->world.seed, layout_b ? 205 : 204);
    sj_arena_init(&ctx->arena, 0);
    for (size_t k = 0; k < MERCHANTS; k++)
        demo_company_take(&plan->world, DEMO_CO_TRADE, &ctx->merchants[k]);
    long background = demo_plan_count(plan, per_scale);
    demo_bad_pick(&ctx->bad, &ctx->rng, background, 3);
    demo_plan_open(plan, f);
    demo_mix_init(&mix, &plan->sinks[f], &plan->planted[f], background, &ctx->rng, bank_bg, ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_release(&mix);
    demo_plan_close(plan, f);
    sj_arena_release(&ctx->arena);
    free(ctx);
}

void demo_bank_write(struct demo_plan *plan)
{
    struct demo_want adult = demo_want_adult();
    struct demo_person p;
    plan->bank_first = plan->world.next_person;
    for (long k = 0; k < demo_plan_count(plan, 100); k++)
        demo_person_take(&plan->world, &adult, &p);
    plan->bank_end = plan->world.next_person;
    write_layout(plan, false, 600);
    write_layout(plan, true, 400);
}

/* ---- call records ---------------------------------------------------------------------------- */

struct call_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad;
};

/* bad: -1, or 0 an impossible date, 1 an extra cell, 2 a number one digit short. */
static void call_row(struct demo_rb *rb, const char *from, const char *to, int64_t day, int secs,
                     int bad)
{
    static const char *const places[] = {"清城区", "清新区", "佛冈县",
                                         "阳山县", "英德市", "连州市"};
    if (bad == 2)
        demo_rb_bad_text(rb, sj_arena_sprintf(rb->arena, "%.10s", from));
    else
        demo_rb_phone(rb, from, DIRT_AUTO);
    demo_rb_phone(rb, to, DIRT_AUTO);
    if (bad == 0)
        demo_rb_bad_date(rb, demo_year(day));
    else
        demo_rb_datetime(rb, day, secs, DATE_AUTO);
    demo_rb_integer(rb, (long)demo_rng_between(rb->rng, 8, 900));
    const char *place = DEMO_PICK(rb->rng, places);
    demo_rb_textf(rb, "%s基站%04u", place, (unsigned)demo_rng_below(rb->rng, 10000));
    if (bad == 1)
        demo_rb_extra_cell(rb);
}

static void plant_call(struct demo_plan *plan, struct demo_rng *rng, uint64_t a, uint64_t b,
                       int64_t first, int64_t last)
{
    struct demo_person pa, pb;
    struct demo_row row;
    struct demo_rb rb;
    demo_person_get(&plan->world, a, &pa);
    demo_person_get(&plan->world, b, &pb);
    int64_t day = demo_rng_between(rng, first, last);
    int secs = (int)demo_rng_between(rng, 8 * 3600, 23 * 3600);
    demo_plan_rb(plan, DEMO_F_CALLS, rng, &rb, &row);
    call_row(&rb, pa.phone, pb.phone, day, secs, -1);
    demo_plan_add(plan, DEMO_F_CALLS, &row);
}

/* Ring members call their lawyer often (and he calls the organiser back); the decoy
 * lawyer's clients call him once or twice. */
static void plant_calls(struct demo_plan *plan, struct demo_rng *rng)
{
    for (int g = 0; g < plan->groups; g++) {
        const struct demo_ring *ring = &plan->rings[g];
        int64_t first = ring->first_day, last = ring->last_day + 40;
        for (size_t k = 0; k < ring->member_count; k++) {
            int calls = (int)demo_rng_between(rng, 6, 10);
            for (int c = 0; c < calls; c++)
                plant_call(plan, rng, ring->members[k], ring->lawyer, first, last);
        }
        for (int c = 0; c < 4; c++)
            plant_call(plan, rng, ring->lawyer, ring->members[0], first, last);
        for (size_t k = 0; k < ring->decoy_count; k++) {
            int calls = (int)demo_rng_between(rng, 1, 2);
            for (int c = 0; c < calls; c++)
                plant_call(plan, rng, ring->decoys[k], ring->decoy_lawyer, first, last);
        }
    }
}

static void call_person(struct call_ctx *ctx, struct demo_person *p)
{
    struct demo_plan *plan = ctx->plan;
    uint64_t r = demo_rng_below(&ctx->rng, 3);
    if (r == 0)
        demo_plan_reuse(plan, &ctx->rng, plan->bail_first, plan->bail_end, NULL, p);
    else if (r == 1)
        demo_plan_reuse(plan, &ctx->rng, plan->court_first, plan->court_end, NULL, p);
    else
        demo_plan_reuse(plan, &ctx->rng, plan->bank_first, plan->bank_end, NULL, p);
}

static void call_bg(void *vctx, long i)
{
    struct call_ctx *ctx = vctx;
    struct demo_person a, b;
    struct demo_row row;
    struct demo_rb rb;
    sj_arena_reset(&ctx->arena);
    call_person(ctx, &a);
    do
        call_person(ctx, &b);
    while (b.idx == a.idx);
    int64_t day = demo_rng_between(&ctx->rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    int secs = (int)demo_rng_between(&ctx->rng, 6 * 3600, 23 * 3600 + 3599);
    demo_bg_rb(ctx->plan, DEMO_F_CALLS, &ctx->rng, &ctx->arena, &rb, &row);
    call_row(&rb, a.phone, b.phone, day, secs, demo_bad_which(&ctx->bad, i));
    demo_sink_row(&ctx->plan->sinks[DEMO_F_CALLS], &row);
}

void demo_calls_write(struct demo_plan *plan)
{
    struct call_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, 206);
    sj_arena_init(&ctx.arena, 0);
    plant_calls(plan, &ctx.rng);
    long background = demo_plan_count(plan, 1000);
    demo_bad_pick(&ctx.bad, &ctx.rng, background, 3);
    demo_plan_open(plan, DEMO_F_CALLS);
    demo_mix_init(&mix, &plan->sinks[DEMO_F_CALLS], &plan->planted[DEMO_F_CALLS], background,
                  &ctx.rng, call_bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    demo_mix_release(&mix);
    demo_plan_close(plan, DEMO_F_CALLS);
    sj_arena_release(&ctx.arena);
}
