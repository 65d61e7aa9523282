/*
 * gen_court.c - judgments.csv (parties of civil judgments, UTF-8 with BOM) and the planted
 * bank flows of fake-litigation-insurance (the "208" ring): plaintiffs with three or more
 * traffic-accident / insurance suits through one agent lawyer who pay that lawyer (or another
 * such plaintiff of his) within 30 days after a judgment. Invariant: a background plaintiff
 * has at most two suits, so only planted plaintiffs can reach three suits with one lawyer.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

static const struct {
    const char *code, *name;
} courts[] = {
    {"粤1802", "清远市清城区人民法院"}, {"粤1803", "清远市清新区人民法院"},
    {"粤1821", "佛冈县人民法院"},       {"粤1881", "英德市人民法院"},
    {"粤1882", "连州市人民法院"},       {"粤1802", "清远市清城区人民法院"},
};
static const char *const insurers[] = {
    "中国人民财产保险股份有限公司清远市分公司",     "中国平安财产保险股份有限公司清远中心支公司",
    "中国太平洋财产保险股份有限公司清远中心支公司", "中国人寿财产保险股份有限公司清远市中心支公司",
    "中华联合财产保险股份有限公司清远中心支公司",   "阳光财产保险股份有限公司清远中心支公司"};
static const char *const other_causes[] = {
    "民间借贷纠纷",     "买卖合同纠纷",        "劳动争议", "离婚纠纷", "物业服务合同纠纷",
    "房屋租赁合同纠纷", "建设工程施工合同纠纷"};

#define TRAFFIC "机动车交通事故责任纠纷"
#define PROPERTY_INS "财产保险合同纠纷"
#define PERSONAL_INS "人身保险合同纠纷"
#define BG_FIRMS 30

/* One suit as written: the plaintiff's row, then the defendants (and a third party). */
struct suit {
    const char *cause;
    int64_t day; /* judgment date */
    int64_t fen; /* amount claimed */
    const char *plaintiff;
    const char *lawyer; /* NULL: no agent */
    const char *firm;
    int court;
};

/* bad: -1, or 0 an extra cell, 1 an impossible judgment date. */
static void party_row(struct demo_rb *rb, const struct suit *s, const char *caseno,
                      const char *name, bool is_person, const char *role, const char *agent,
                      const char *firm, int bad)
{
    demo_rb_caseno(rb, caseno, DIRT_AUTO);
    demo_rb_text(rb, courts[s->court].name);
    demo_rb_text(rb, s->cause);
    if (is_person)
        demo_rb_name(rb, name, DIRT_AUTO);
    else
        demo_rb_text(rb, name);
    demo_rb_text(rb, role);
    if (agent)
        demo_rb_name(rb, agent, DIRT_AUTO);
    else
        demo_rb_empty(rb);
    if (firm)
        demo_rb_text(rb, firm);
    else
        demo_rb_empty(rb);
    demo_rb_amount(rb, s->fen, AMOUNT_AUTO);
    if (bad == 1)
        demo_rb_bad_date(rb, demo_year(s->day));
    else
        demo_rb_date(rb, s->day, DATE_AUTO);
    if (bad == 0)
        demo_rb_extra_cell(rb);
}

/* Builds the rows of suit s into rows[] (at most 4); returns the count. People for the
 * defendants are taken fresh; arena holds their names. */
static size_t suit_rows(struct demo_plan *plan, struct demo_rb *rb, struct sj_arena *arena,
                        const struct suit *s, struct demo_row rows[4], int bad)
{
    struct demo_rng *rng = rb->rng;
    struct demo_person p;
    struct demo_want adult = demo_want_adult();
    int year = demo_year(s->day - demo_rng_between(rng, 30, 150));
    char *caseno = demo_caseno(arena, year, courts[s->court].code, "民初", ++plan->seq);
    size_t n = 0;
    demo_rb_start(rb, &rows[n++]);
    party_row(rb, s, caseno, s->plaintiff, true, "原告", s->lawyer, s->firm, bad);
    bool is_traffic = strcmp(s->cause, TRAFFIC) == 0 || strstr(s->cause, "保险") != NULL;
    if (is_traffic) {
        demo_person_get(&plan->world, plan->agents[demo_rng_below(rng, DEMO_POOL_AGENTS)], &p);
        const char *agent = sj_arena_strndup(arena, p.name, strlen(p.name));
        demo_rb_start(rb, &rows[n++]);
        party_row(rb, s, caseno, DEMO_PICK(rng, insurers), false, "被告", agent, NULL, -1);
    }
    if (strcmp(s->cause, TRAFFIC) == 0 || !is_traffic) {
        demo_person_take(&plan->world, &adult, &p);
        const char *name = sj_arena_strndup(arena, p.name, strlen(p.name));
        demo_rb_start(rb, &rows[n++]);
        party_row(rb, s, caseno, name, true, "被告", NULL, NULL, -1);
    }
    if (demo_rng_chance(rng, 100)) {
        demo_person_take(&plan->world, &adult, &p);
        const char *name = sj_arena_strndup(arena, p.name, strlen(p.name));
        demo_rb_start(rb, &rows[n++]);
        party_row(rb, s, caseno, name, true, "第三人", NULL, NULL, -1);
    }
    for (size_t i = 1; i < n; i++)
        rows[i].joins_prev = true;
    return n;
}

/* ---- planting: the ring, the decoys and their money --------------------------------------- */

struct who {
    const char *name, *card;
};

static struct who take_who(struct demo_plan *plan, int64_t born_min, int64_t born_max,
                           uint64_t *idx)
{
    struct demo_person p;
    struct demo_want want = demo_want_adult();
    want.born_min = born_min;
    want.born_max = born_max;
    uint64_t i = demo_person_take(&plan->world, &want, &p);
    if (idx)
        *idx = i;
    struct who w = {sj_arena_strndup(&plan->arena, p.name, strlen(p.name)),
                    sj_arena_strndup(&plan->arena, p.card, strlen(p.card))};
    return w;
}

/* A transfer from `from` to `to`, seen from `from`'s account (is_out) or from `to`'s account
 * (!is_out), in layout A or B. */
static void plant_flow(struct demo_plan *plan, struct demo_rng *rng, bool layout_b,
                       const struct who *self, const struct who *other, bool is_out, int64_t day,
                       int64_t fen, const char *memo, int name_dirt)
{
    struct demo_row row;
    struct demo_rb rb;
    enum demo_file_id f = layout_b ? DEMO_F_BANK_B : DEMO_F_BANK_A;
    int secs = (int)demo_rng_between(rng, 8 * 3600, 21 * 3600);
    demo_plan_rb(plan, f, rng, &rb, &row);
    demo_bank_row(&rb, layout_b, day, secs, self->name, name_dirt, self->card, other->name,
                  other->card, is_out, fen, memo, -1);
    demo_plan_add(plan, f, &row);
}

/* An insurer with its (synthetic, Luhn-valid) settlement account. */
static struct who insurer_who(struct demo_plan *plan, struct demo_rng *rng)
{
    size_t k = (size_t)demo_rng_below(rng, SJ_ARRAY_LEN(insurers));
    char card[24];
    snprintf(card, sizeof card, "440500009900000%03u", (unsigned)k);
    card[18] = sj_demo_luhn_check(card, 18);
    card[19] = '\0';
    struct who w = {insurers[k], sj_arena_strndup(&plan->arena, card, 19)};
    return w;
}

static void plant_suit(struct demo_plan *plan, struct demo_rng *rng, const struct suit *s)
{
    struct demo_row rows[4];
    struct demo_rb rb;
    demo_plan_rb(plan, DEMO_F_JUDGMENTS, rng, &rb, &rows[0]);
    size_t n = suit_rows(plan, &rb, &plan->arena, s, rows, -1);
    for (size_t i = 0; i < n; i++)
        demo_plan_add(plan, DEMO_F_JUDGMENTS, &rows[i]);
}

/* Plants count suits of plaintiff p with lawyer (firm) from day `start`, 75-110 days apart;
 * days[] gets the judgment dates. The insurer pays each claim 3-10 days after judgment. */
static void plant_suits(struct demo_plan *plan, struct demo_rng *rng, const struct who *p,
                        const struct who *lawyer, const char *firm, int64_t start, int count,
                        int64_t days[4])
{
    int64_t day = start;
    for (int j = 0; j < count; j++) {
        struct suit s = {TRAFFIC, day, 0, p->name, lawyer ? lawyer->name : NULL, firm, 0};
        if (j == 1 && demo_rng_chance(rng, 400))
            s.cause = PROPERTY_INS;
        s.fen = demo_rng_between(rng, 2000000, 15000000);
        s.court = (int)demo_rng_below(rng, 5);
        plant_suit(plan, rng, &s);
        days[j] = day;
        struct who insurer = insurer_who(plan, rng);
        bool layout_b = demo_rng_chance(rng, 500);
        int64_t paid = day + demo_rng_between(rng, 3, 10);
        plant_flow(plan, rng, layout_b, p, &insurer, false, paid, s.fen / 2, "保险理赔款",
                   DIRT_AUTO);
        day += demo_rng_between(rng, 75, 110);
    }
}

static void firm_name(struct demo_plan *plan, uint64_t j, char **out)
{
    char buf[96];
    demo_firm_name(&plan->world, j, buf, sizeof buf);
    *out = sj_arena_strndup(&plan->arena, buf, strlen(buf));
}

/* The ring: R0 has 4 suits, R1-R4 have 3, all through lawyer A; each pays within the
 * window (R2 pays R0, the organiser). */
static void plant_ring(struct demo_plan *plan, struct demo_rng *rng, struct demo_ring *ring,
                       const struct who *lawyer, const char *firm, int64_t base)
{
    struct who r[5];
    int64_t days[5][4];
    for (int k = 0; k < 5; k++) {
        r[k] = take_who(plan, DEMO_DAY(1968, 1, 1), DEMO_DAY(1998, 12, 31), &ring->members[k]);
        plant_suits(plan, rng, &r[k], lawyer, firm, base + k * 9 + demo_rng_between(rng, 0, 20),
                    k == 0 ? 4 : 3, days[k]);
        demo_plan_answer(plan, DEMO_M_LITIGATION, r[k].name);
    }
    ring->member_count = 5;
    ring->last_day = days[0][3];
    plant_flow(plan, rng, false, &r[0], lawyer, true, days[0][1] + 5,
               demo_rng_between(rng, 800000, 3000000), "转账", DIRT_AUTO);
    plant_flow(plan, rng, true, &r[1], lawyer, true, days[1][2] + 30,
               demo_rng_between(rng, 800000, 3000000), "往来款", DIRT_AUTO);
    plant_flow(plan, rng, false, &r[2], &r[0], true, days[2][0] + 12,
               demo_rng_between(rng, 500000, 2000000), "还款", DIRT_AUTO);
    int64_t fen = demo_rng_between(rng, 800000, 3000000);
    plant_flow(plan, rng, true, &r[3], lawyer, true, days[3][2], fen, "转账", DIRT_AUTO);
    plant_flow(plan, rng, true, lawyer, &r[3], false, days[3][2], fen, "转账", DIRT_AUTO);
    plant_flow(plan, rng, false, &r[4], lawyer, true, days[4][1] + 20,
               demo_rng_between(rng, 800000, 3000000), "转账", DIRT_INNER);
}

/* Decoys around lawyer A (late, too few suits, before the judgment, suits split between
 * two lawyers) and lawyer B (many suits, money only flowing the wrong way). */
static void plant_decoys(struct demo_plan *plan, struct demo_rng *rng, struct demo_ring *ring,
                         const struct who *a, const char *firm_a, const struct who *b,
                         const char *firm_b, int64_t base)
{
    int64_t days[4], more[4];
    struct who q;
    q = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1998, 12, 31), NULL);
    plant_suits(plan, rng, &q, a, firm_a, base + 40, 3, days);
    plant_flow(plan, rng, false, &q, a, true, days[2] + 31, 1500000, "转账", DIRT_AUTO);
    q = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1998, 12, 31), NULL);
    plant_suits(plan, rng, &q, a, firm_a, base + 50, 2, days);
    plant_flow(plan, rng, true, &q, a, true, days[1] + 3, 1200000, "转账", DIRT_AUTO);
    q = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1998, 12, 31), NULL);
    plant_suits(plan, rng, &q, a, firm_a, base + 60, 3, days);
    plant_flow(plan, rng, false, &q, a, true, days[1] - 10, 900000, "转账", DIRT_AUTO);
    q = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1998, 12, 31), NULL);
    plant_suits(plan, rng, &q, a, firm_a, base + 70, 2, days);
    plant_suits(plan, rng, &q, b, firm_b, days[1] + 90, 1, more);
    plant_flow(plan, rng, false, &q, a, true, days[0] + 7, 1000000, "转账", DIRT_AUTO);
    for (int k = 0; k < 4; k++) {
        q = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1998, 12, 31), &ring->decoys[k]);
        plant_suits(plan, rng, &q, b, firm_b, base + 15 + k * 11, 3, days);
        if (k == 0) { /* the lawyer hands over compensation: money in, not out */
            plant_flow(plan, rng, false, b, &q, true, days[2] + 8, 2500000, "代付赔偿款",
                       DIRT_AUTO);
            plant_flow(plan, rng, false, &q, b, false, days[2] + 8, 2500000, "代付赔偿款",
                       DIRT_AUTO);
        } else if (k == 1) { /* pays somebody who is no plaintiff of B */
            struct who x = take_who(plan, DEMO_DAY(1955, 1, 1), DEMO_DAY(2000, 12, 31), NULL);
            plant_flow(plan, rng, true, &q, &x, true, days[0] + 5, 600000, "转账", DIRT_AUTO);
        }
    }
    ring->decoy_count = 4;
}

void demo_court_plant(struct demo_plan *plan, int group, struct demo_rng *rng)
{
    struct demo_ring *ring = &plan->rings[group];
    char *firm_a, *firm_b;
    int64_t base = demo_rng_between(rng, DEMO_DAY(2021, 2, 1), DEMO_DAY(2022, 10, 31));
    struct who a = take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1992, 12, 31), &ring->lawyer);
    struct who b =
        take_who(plan, DEMO_DAY(1965, 1, 1), DEMO_DAY(1992, 12, 31), &ring->decoy_lawyer);
    firm_name(plan, BG_FIRMS + 2 * (uint64_t)group, &firm_a);
    firm_name(plan, BG_FIRMS + 2 * (uint64_t)group + 1, &firm_b);
    ring->first_day = base;
    plant_ring(plan, rng, ring, &a, firm_a, base);
    plant_decoys(plan, rng, ring, &a, firm_a, &b, firm_b, base);
}

/* ---- background ---------------------------------------------------------------------------- */

struct court_ctx {
    struct demo_plan *plan;
    struct demo_rng rng;
    struct sj_arena arena;
    struct demo_bad bad;
    struct demo_person last; /* the plaintiff of the previous suit, for a second suit */
    bool last_reusable;
};

static void court_bg(void *vctx, long i)
{
    struct court_ctx *ctx = vctx;
    struct demo_plan *plan = ctx->plan;
    struct demo_rng *rng = &ctx->rng;
    struct demo_row rows[4];
    struct demo_rb rb;
    struct demo_person p, lawyer;
    struct demo_want adult = demo_want_adult();
    char firm[96];
    sj_arena_reset(&ctx->arena);
    if (ctx->last_reusable && demo_rng_chance(rng, 100)) {
        p = ctx->last; /* a second suit, never a third */
        ctx->last_reusable = false;
    } else {
        demo_person_take(&plan->world, &adult, &p);
        ctx->last = p;
        ctx->last_reusable = true;
    }
    struct suit s = {TRAFFIC, 0, 0, p.name, NULL, NULL, 0};
    uint64_t r = demo_rng_below(rng, 100);
    s.cause = r < 60   ? TRAFFIC
              : r < 70 ? PROPERTY_INS
              : r < 75 ? PERSONAL_INS
                       : DEMO_PICK(rng, other_causes);
    s.day = demo_rng_between(rng, DEMO_FIRST_DAY, DEMO_LAST_DAY);
    s.fen = demo_rng_between(rng, 500000, 30000000);
    s.court = (int)demo_rng_below(rng, SJ_ARRAY_LEN(courts));
    if (demo_rng_chance(rng, 800)) {
        uint64_t j = demo_rng_below(rng, plan->lawyer_count);
        demo_person_get(&plan->world, plan->lawyers[j], &lawyer);
        demo_firm_name(&plan->world, j % BG_FIRMS, firm, sizeof firm);
        s.lawyer = lawyer.name;
        s.firm = firm;
    }
    demo_bg_rb(plan, DEMO_F_JUDGMENTS, rng, &ctx->arena, &rb, &rows[0]);
    size_t n = suit_rows(plan, &rb, &ctx->arena, &s, rows, demo_bad_which(&ctx->bad, i));
    for (size_t k = 0; k < n; k++)
        demo_sink_row(&plan->sinks[DEMO_F_JUDGMENTS], &rows[k]);
}

void demo_court_write(struct demo_plan *plan)
{
    struct court_ctx ctx = {.plan = plan};
    struct demo_mix mix;
    demo_rng_init(&ctx.rng, plan->world.seed, 203);
    sj_arena_init(&ctx.arena, 0);
    long background = demo_plan_count(plan, 180);
    demo_bad_pick(&ctx.bad, &ctx.rng, background, 2);
    demo_plan_open(plan, DEMO_F_JUDGMENTS);
    plan->court_first = plan->world.next_person;
    demo_mix_init(&mix, &plan->sinks[DEMO_F_JUDGMENTS], &plan->planted[DEMO_F_JUDGMENTS],
                  background, &ctx.rng, court_bg, &ctx);
    while (!demo_mix_done(&mix))
        demo_mix_step(&mix);
    plan->court_end = plan->world.next_person;
    demo_mix_release(&mix);
    demo_plan_close(plan, DEMO_F_JUDGMENTS);
    sj_arena_release(&ctx.arena);
}
