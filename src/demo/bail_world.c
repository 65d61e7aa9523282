/*
 * bail_world.c - the people on bail of the demo and their month (src/demo/bail_int.h):
 * where they live (towns of 清远 with approximate real coordinates, WGS-84), their fences,
 * schedules and habits, and the planted events (trips, excursions, forbidden zones, silent
 * phones, mock locations, GPS glitches, someone else's face, phone changes, leave requests,
 * status changes) that make every alert kind appear. Planted events are drawn by count,
 * at least one of each, so a small run (20 subjects, 7 days) has them too.
 * Everything is a function of the seed; where a subject is at time t is a pure function of
 * the plan, so a phone's fixes can be computed whenever they are uploaded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/bail_int.h"

static const struct bd_place qingcheng[] = {
    {"凤城街道", 23.6985, 113.0420}, {"东城街道", 23.6930, 113.0790},
    {"洲心街道", 23.7260, 113.0060}, {"横荷街道", 23.6700, 113.1010},
    {"源潭镇", 23.6380, 113.2240},   {"龙塘镇", 23.6050, 113.0800},
    {"石角镇", 23.5620, 112.9660},   {"飞来峡镇", 23.7900, 113.2130}};
static const struct bd_place qingxin[] = {{"太和镇", 23.7350, 112.9900},
                                          {"太平镇", 23.7850, 112.8800},
                                          {"山塘镇", 23.8400, 112.9550},
                                          {"三坑镇", 23.6900, 112.8750}};
static const struct bd_place fogang[] = {
    {"石角镇", 23.8700, 113.5290}, {"汤塘镇", 23.7300, 113.3900}, {"龙山镇", 23.9200, 113.6400},
    {"水头镇", 24.0100, 113.6100}, {"迳头镇", 23.9100, 113.4000}, {"高岗镇", 24.0330, 113.4900}};
static const struct bd_place yingde[] = {{"英城街道", 24.1860, 113.4050},
                                         {"大站镇", 24.0600, 113.3600},
                                         {"东华镇", 24.2300, 113.4300},
                                         {"望埠镇", 24.2600, 113.3300}};
static const struct bd_place lianzhou[] = {
    {"连州镇", 24.7800, 112.3800}, {"星子镇", 24.9200, 112.4900}, {"西岸镇", 24.7200, 112.3300},
    {"保安镇", 24.7000, 112.4600}, {"九陂镇", 24.8000, 112.2900}, {"东陂镇", 24.9700, 112.3200}};

const struct bd_county bd_counties[] = {
    {"441802",
     "清城区",
     "清城",
     qingcheng,
     SJ_ARRAY_LEN(qingcheng),
     {"某棋牌室", 23.6880, 113.0600}},
    {"441803", "清新区", "清新", qingxin, SJ_ARRAY_LEN(qingxin), {"某棋牌室", 23.7400, 112.9950}},
    {"441821", "佛冈县", "佛冈", fogang, SJ_ARRAY_LEN(fogang), {"某棋牌室", 23.8760, 113.5250}},
    {"441881", "英德市", "英德", yingde, SJ_ARRAY_LEN(yingde), {"某棋牌室", 24.1900, 113.4100}},
    {"441882", "连州市", "连州", lianzhou, SJ_ARRAY_LEN(lianzhou), {"某棋牌室", 24.7850, 112.3850}},
};
const size_t bd_county_count = SJ_ARRAY_LEN(bd_counties);

const struct bd_place bd_destinations[] = {
    {"广州市天河区", 23.1291, 113.3612}, {"佛山市禅城区", 23.0218, 113.1219},
    {"韶关市浈江区", 24.8040, 113.5970}, {"深圳市福田区", 22.5410, 114.0550},
    {"长沙市芙蓉区", 28.1940, 112.9830}, {"南宁市兴宁区", 22.8190, 108.3200},
};
const size_t bd_destination_count = SJ_ARRAY_LEN(bd_destinations);

static const int city_counties[] = {0, 1, 3};

struct crime {
    const char *name;
    unsigned weight;
    unsigned zone_permille; /* chance of a personal forbidden zone */
    const char *zone;
};
static const struct crime crimes[] = {
    {"危险驾驶", 25, 0, NULL},
    {"盗窃", 14, 250, "案发商场周边"},
    {"故意伤害", 10, 400, "被害人住所周边"},
    {"帮助信息网络犯罪活动", 10, 0, NULL},
    {"诈骗", 8, 150, "被害人住所周边"},
    {"交通肇事", 6, 0, NULL},
    {"寻衅滋事", 6, 400, "案发娱乐场所周边"},
    {"开设赌场", 5, 0, NULL},
    {"赌博", 3, 0, NULL},
    {"非法占用农用地", 4, 0, NULL},
    {"掩饰、隐瞒犯罪所得", 4, 0, NULL},
    {"容留他人吸毒", 3, 500, "娱乐场所周边"},
    {"非法吸收公众存款", 2, 0, NULL},
};
static const char *const roads[] = {"人民路", "建设路", "中山路", "新城大道", "北江路",
                                    "解放路", "环城路", "文化路", "朝阳路",   "和平路"};
static const char *const villages[] = {"新村", "石坑村", "大塘村", "高田村", "黄沙村", "水口村"};

int64_t bd_at(int64_t day, int minute)
{
    return sj_bail_day_start(day) + (int64_t)minute * BD_MIN_MS;
}

int bd_minute_of(int64_t t_ms)
{
    return (int)((t_ms - sj_bail_day_start(sj_bail_local_day(t_ms))) / BD_MIN_MS);
}

/* The point d metres from p on bearing b (radians); flat earth, fine for tens of km. */
static struct sj_geo_point offset(struct sj_geo_point p, double d, double b)
{
    const double m_per_deg = 111320.0;
    struct sj_geo_point q = {p.lat + d * cos(b) / m_per_deg,
                             p.lon + d * sin(b) / (m_per_deg * cos(p.lat * M_PI / 180.0))};
    return q;
}

static double bearing(struct demo_rng *rng)
{
    return (double)demo_rng_below(rng, 3600) * M_PI / 1800.0;
}

/* A deterministic displacement of up to r metres for (key, t). */
static struct sj_geo_point jitter(uint64_t key, int64_t t, struct sj_geo_point p, double r)
{
    uint64_t h = demo_hash(key, (uint64_t)t);
    double d = r * (double)(h % 1000) / 1000.0;
    return offset(p, d, (double)((h >> 20) % 3600) * M_PI / 1800.0);
}

static int pick_office(struct bd_sim *sim, struct demo_rng *rng)
{
    unsigned total = 0;
    for (int i = 0; i < sim->office_count; i++)
        total += sim->offices[i].weight;
    unsigned x = (unsigned)demo_rng_below(rng, total);
    for (int i = 0; i < sim->office_count; i++) {
        if (x < sim->offices[i].weight)
            return i;
        x -= sim->offices[i].weight;
    }
    return 0;
}

static const struct crime *pick_crime(struct demo_rng *rng)
{
    unsigned total = 0;
    for (size_t i = 0; i < SJ_ARRAY_LEN(crimes); i++)
        total += crimes[i].weight;
    unsigned x = (unsigned)demo_rng_below(rng, total);
    for (size_t i = 0; i < SJ_ARRAY_LEN(crimes); i++) {
        if (x < crimes[i].weight)
            return &crimes[i];
        x -= crimes[i].weight;
    }
    return &crimes[0];
}

static void place_home(struct bd_sim *sim, struct bd_subject *s, struct demo_rng *rng)
{
    const struct bd_office *o = &sim->offices[s->office];
    s->county = o->county >= 0 ? o->county : DEMO_PICK(rng, city_counties);
    const struct bd_county *c = &bd_counties[s->county];
    s->town = (int)demo_rng_below(rng, c->town_count);
    const struct bd_place *t = &c->towns[s->town];
    struct sj_geo_point centre = {t->lat, t->lon};
    s->home = offset(centre, (double)demo_rng_between(rng, 100, 1500), bearing(rng));
    s->fence_r = (double)demo_rng_between(rng, 30, 60) * 100.0;
    s->has_work = demo_rng_chance(rng, 650);
    s->work =
        offset(s->home, s->fence_r * (double)demo_rng_between(rng, 20, 50) / 100.0, bearing(rng));
    s->market = offset(s->home, (double)demo_rng_between(rng, 300, 700), bearing(rng));
    if (demo_rng_chance(rng, 330))
        snprintf(s->residence, sizeof s->residence, "广东省清远市%s%s%s%d号", c->name, t->name,
                 DEMO_PICK(rng, villages), (int)demo_rng_between(rng, 1, 80));
    else
        snprintf(s->residence, sizeof s->residence, "广东省清远市%s%s%s%d号", c->name, t->name,
                 DEMO_PICK(rng, roads), (int)demo_rng_between(rng, 1, 300));
}

static bool far_from_life(const struct bd_subject *s, struct sj_geo_point p, double d)
{
    return sj_geo_distance_m(p, s->home) >= d && sj_geo_distance_m(p, s->market) >= d &&
           (!s->has_work || sj_geo_distance_m(p, s->work) >= d);
}

static void place_zone(struct bd_subject *s, const struct crime *c, struct demo_rng *rng)
{
    const struct bd_place *h = &bd_counties[s->county].hotspot;
    struct sj_geo_point hot = {h->lat, h->lon};
    bool is_gambling = strcmp(c->name, "开设赌场") == 0 || strcmp(c->name, "赌博") == 0;
    s->in_group = is_gambling && far_from_life(s, hot, 1500.0);
    if (!c->zone || !demo_rng_chance(rng, c->zone_permille))
        return;
    for (int i = 0; i < 8 && !s->has_zone; i++) {
        struct sj_geo_point z =
            offset(s->home, (double)demo_rng_between(rng, 1200, 2000), bearing(rng));
        if (far_from_life(s, z, 900.0)) {
            s->zone = z;
            s->zone_name = c->zone;
            s->has_zone = true;
        }
    }
}

static void habits(struct bd_subject *s, struct demo_rng *rng)
{
    unsigned x = (unsigned)demo_rng_below(rng, 100);
    s->window_start = x < 80 ? 480 : x < 95 ? 420 : 540;
    s->window_end = x < 80 ? 1200 : x < 95 ? 1320 : 1080;
    s->habit_min = s->window_start + (int)demo_rng_between(rng, 10, 150);
    s->has_weekly = demo_rng_chance(rng, 200);
    s->weekly_start = 1140;
    s->weekly_end = 1320;
    s->weekdays = demo_rng_chance(rng, 500) ? SJ_BAIL_WEEKDAY_BIT(3) | SJ_BAIL_WEEKDAY_BIT(6)
                                            : SJ_BAIL_WEEKDAY_BIT(1) | SJ_BAIL_WEEKDAY_BIT(4);
    s->fix_offset_s = (int)demo_rng_between(rng, 60, 3000);
    x = (unsigned)demo_rng_below(rng, 100);
    s->datum = x < 78 ? SJ_DATUM_GCJ02 : x < 95 ? SJ_DATUM_WGS84 : SJ_DATUM_BD09;
}

/* When the subject is registered: most in the first days (the office entering the people it
 * already supervised), the rest as new cases come in. */
static void registration(struct bd_sim *sim, struct bd_subject *s, struct demo_rng *rng)
{
    int64_t days = sim->last_day - sim->first_day + 1;
    int64_t first_span = days >= 9 ? 3 : days >= 3 ? 2 : 1;
    int64_t day = sim->first_day + demo_rng_between(rng, 0, first_span - 1);
    bool is_new = days > 3 && demo_rng_chance(rng, 150);
    if (is_new)
        day = sim->first_day + demo_rng_between(rng, first_span, days - 1);
    s->reg_ms = bd_at(day, (int)demo_rng_between(rng, 540, 1020));
    if (s->reg_ms > sim->end_ms - 2 * BD_HOUR_MS)
        s->reg_ms = bd_at(sim->first_day, (int)demo_rng_between(rng, 540, 1020));
    day = sj_bail_local_day(s->reg_ms);
    s->bail_start_day =
        is_new ? day - demo_rng_between(rng, 0, 3) : day - demo_rng_between(rng, 5, 300);
}

static void case_number(struct bd_subject *s, const struct bd_sim *sim, struct demo_rng *rng)
{
    int y, m, d;
    sj_days_to_date(s->bail_start_day, &y, &m, &d);
    const char *abbr = sim->offices[s->office].county >= 0 ? bd_counties[s->county].abbr : "清";
    snprintf(s->case_number, sizeof s->case_number, "%s公刑字〔%d〕%d号", abbr, y,
             (int)demo_rng_between(rng, 12, 1999));
}

static void profile(struct bd_sim *sim, struct bd_subject *s, int i)
{
    struct demo_rng rng;
    struct demo_want want = demo_want_adult();
    demo_rng_init(&rng, sim->opts->seed, 0xBA110000u + (uint64_t)i);
    s->index = i;
    demo_person_take(&sim->world, &want, &s->person);
    snprintf(s->phone, sizeof s->phone, "138%s", s->person.phone + 3);
    s->office = pick_office(sim, &rng);
    const struct bd_office *o = &sim->offices[s->office];
    s->prosecutor = o->prosecutors[demo_rng_below(&rng, (uint64_t)o->prosecutor_count)];
    s->police = o->police_count ? o->police[demo_rng_below(&rng, (uint64_t)o->police_count)] : -1;
    place_home(sim, s, &rng);
    const struct crime *c = pick_crime(&rng);
    snprintf(s->crime, sizeof s->crime, "%s", c->name);
    place_zone(s, c, &rng);
    habits(s, &rng);
    registration(sim, s, &rng);
    case_number(s, sim, &rng);
    s->busy = sj_xcalloc((size_t)(sim->last_day - sim->first_day + 1), 1);
    s->busy[sj_bail_local_day(s->reg_ms) - sim->first_day] = 1;
    s->is_active = false;
}

/* ---- planted events ------------------------------------------------------------------------ */

static int64_t reg_day(const struct bd_subject *s)
{
    return sj_bail_local_day(s->reg_ms);
}

static bool is_free(const struct bd_sim *sim, const struct bd_subject *s, int64_t day)
{
    return day > reg_day(s) && day <= sim->last_day && !s->busy[day - sim->first_day] &&
           s->episode_count < BD_EPISODES_MAX &&
           (!s->status_ms || day < sj_bail_local_day(s->status_ms));
}

static void mark(const struct bd_sim *sim, struct bd_subject *s, int64_t from_day, int64_t to_day)
{
    for (int64_t d = from_day; d <= to_day; d++) {
        if (d >= sim->first_day && d <= sim->last_day)
            s->busy[d - sim->first_day] = 1;
    }
}

static void add_episode(struct bd_subject *s, enum bd_episode_kind kind, int64_t start, int64_t end,
                        struct sj_geo_point at)
{
    struct bd_episode *e = &s->episodes[s->episode_count++];
    e->kind = kind;
    e->start_ms = start;
    e->end_ms = end;
    e->at = at;
}

/* The trip of an approved leave: start to end days inside the run, back before its end. */
static bool try_trip(struct bd_sim *sim, struct bd_subject *s, struct demo_rng *rng, bool is_late)
{
    struct bd_leave_plan *l = &s->leave;
    int64_t dur = demo_rng_between(rng, 1, 3), late = demo_rng_between(rng, 10, 20) * BD_HOUR_MS;
    int64_t lo = reg_day(s) + 1, hi = sim->last_day - dur - (is_late ? 1 : 0);
    if (hi < lo || s->change_ms || s->status_ms)
        return false;
    int64_t sd = demo_rng_between(rng, lo, hi);
    for (int64_t d = sd - 1; d <= sd + dur; d++) {
        if (d > reg_day(s) && d <= sim->last_day && s->busy[d - sim->first_day])
            return false;
    }
    l->start_ms = bd_at(sd, (int)demo_rng_between(rng, 480, 600));
    l->end_ms = bd_at(sd + dur - 1, 1080);
    int64_t back = is_late ? l->end_ms + late : l->end_ms - BD_HOUR_MS;
    if (back + 3 * BD_HOUR_MS > sim->end_ms)
        return false;
    l->submit_ms = l->start_ms - demo_rng_between(rng, 20, 40) * BD_HOUR_MS;
    if (l->submit_ms < s->reg_ms + 30 * BD_MIN_MS)
        l->submit_ms = s->reg_ms + 30 * BD_MIN_MS;
    l->decide_ms = l->submit_ms + demo_rng_between(rng, 30, 240) * BD_MIN_MS;
    if (l->decide_ms >= l->start_ms)
        return false;
    l->destination = (int)demo_rng_below(rng, bd_destination_count);
    const struct bd_place *p = &bd_destinations[l->destination];
    struct sj_geo_point at = offset((struct sj_geo_point){p->lat, p->lon},
                                    (double)demo_rng_between(rng, 0, 800), bearing(rng));
    add_episode(s, BD_EP_TRIP, l->start_ms + 30 * BD_MIN_MS, back, at);
    mark(sim, s, sd - 1, sd + dur);
    return true;
}

static bool plan_trip(struct bd_sim *sim, struct bd_subject *s, struct demo_rng *rng, bool is_late)
{
    for (int tries = 0; tries < 8; tries++) {
        if (try_trip(sim, s, rng, is_late))
            return true;
    }
    return false;
}

static void plan_leave(struct bd_sim *sim, struct bd_subject *s, enum bd_leave_kind kind,
                       struct demo_rng *rng)
{
    struct bd_leave_plan *l = &s->leave;
    l->kind = kind;
    if (kind == BD_LEAVE_TRIP || kind == BD_LEAVE_OVERRUN)
        return;
    l->destination = (int)demo_rng_below(rng, bd_destination_count);
    int64_t from = s->reg_ms + BD_HOUR_MS, span = sim->end_ms - 3 * BD_HOUR_MS - from;
    if (span < BD_HOUR_MS)
        span = BD_HOUR_MS;
    if (kind == BD_LEAVE_PENDING)
        l->submit_ms = sim->end_ms - demo_rng_between(rng, 2, 30) * BD_HOUR_MS;
    else if (kind == BD_LEAVE_FUTURE)
        l->submit_ms = from + span * 2 / 3 + (int64_t)demo_rng_below(rng, (uint64_t)span / 3);
    else
        l->submit_ms = from + (int64_t)demo_rng_below(rng, (uint64_t)span);
    /* People write their requests in the daytime. */
    int m = bd_minute_of(l->submit_ms);
    if (m < 480 || m >= 1260)
        l->submit_ms = bd_at(sj_bail_local_day(l->submit_ms) - (m < 480), 480 + m % 780);
    if (l->submit_ms < from)
        l->submit_ms = from;
    if (l->submit_ms > sim->end_ms - BD_HOUR_MS)
        l->submit_ms = sim->end_ms - BD_HOUR_MS;
    l->start_ms = bd_at(sj_bail_local_day(l->submit_ms) + demo_rng_between(rng, 2, 8), 540);
    if (kind == BD_LEAVE_FUTURE && l->start_ms < sim->end_ms)
        l->start_ms = bd_at(sj_bail_local_day(sim->end_ms) + demo_rng_between(rng, 2, 8), 540);
    l->end_ms = l->start_ms + demo_rng_between(rng, 1, 4) * SJ_BAIL_DAY_MS;
    l->decide_ms =
        kind == BD_LEAVE_PENDING ? 0 : l->submit_ms + demo_rng_between(rng, 60, 300) * BD_MIN_MS;
}

static const enum bd_leave_kind leave_cycle[] = {
    BD_LEAVE_TRIP, BD_LEAVE_OVERRUN,  BD_LEAVE_PENDING, BD_LEAVE_REJECTED, BD_LEAVE_FUTURE,
    BD_LEAVE_TRIP, BD_LEAVE_REJECTED, BD_LEAVE_TRIP,    BD_LEAVE_FUTURE,   BD_LEAVE_PENDING};

static void plant_leaves(struct bd_sim *sim, struct demo_rng *rng)
{
    int n = sim->subject_count, count = n / 10 > 3 ? n / 10 : (n < 3 ? n : 3);
    for (int k = 0; k < count; k++) {
        enum bd_leave_kind kind = leave_cycle[k % SJ_ARRAY_LEN(leave_cycle)];
        bool is_trip = kind == BD_LEAVE_TRIP || kind == BD_LEAVE_OVERRUN;
        for (int tries = 0; tries < 40; tries++) {
            struct bd_subject *s = &sim->subjects[demo_rng_below(rng, (uint64_t)n)];
            if (s->leave.kind != BD_LEAVE_NONE)
                continue;
            if (is_trip && tries < 39 && !plan_trip(sim, s, rng, kind == BD_LEAVE_OVERRUN))
                continue;
            plan_leave(sim, s, is_trip && tries == 39 ? BD_LEAVE_FUTURE : kind, rng);
            break;
        }
    }
}

struct plant_rule {
    enum bd_episode_kind kind;
    long per; /* one per this many subject-days, at least one */
};
static const struct plant_rule plant_rules[] = {
    {BD_EP_EXCURSION, 300}, {BD_EP_FORBIDDEN, 700}, {BD_EP_SILENT, 1000}, {BD_EP_MOCK, 1000},
    {BD_EP_GLITCH, 700},    {BD_EP_MISMATCH, 900},  {BD_EP_NOFACE, 600},
};

/* Fills in the episode's times on day; false when it would not end before the run does. */
static bool episode_on(const struct bd_sim *sim, struct bd_subject *s, enum bd_episode_kind kind,
                       int64_t day, struct demo_rng *rng)
{
    int64_t start, end;
    struct sj_geo_point at = s->home;
    switch (kind) {
    case BD_EP_EXCURSION:
        start = bd_at(day, demo_rng_chance(rng, 500) ? s->habit_min - 60
                                                     : (int)demo_rng_between(rng, 600, 900));
        end = start + demo_rng_between(rng, 3, 7) * BD_HOUR_MS;
        at = offset(s->home, s->fence_r * (double)demo_rng_between(rng, 17, 30) / 10.0,
                    bearing(rng));
        break;
    case BD_EP_FORBIDDEN: {
        const struct bd_place *h = &bd_counties[s->county].hotspot;
        struct sj_geo_point z = s->has_zone ? s->zone : (struct sj_geo_point){h->lat, h->lon};
        if (!s->has_zone && !s->in_group)
            return false;
        start = bd_at(day, (int)demo_rng_between(rng, 1140, 1230));
        end = start + demo_rng_between(rng, 45, 90) * BD_MIN_MS;
        at = offset(z, (double)demo_rng_between(rng, 0, 80), bearing(rng));
        break;
    }
    case BD_EP_SILENT:
        start = bd_at(day, (int)demo_rng_between(rng, 420, 720));
        end = start + demo_rng_between(rng, 8, 13) * BD_HOUR_MS;
        break;
    case BD_EP_MOCK:
        start = bd_at(day, (int)demo_rng_between(rng, 600, 960));
        end = start + 90 * BD_MIN_MS;
        break;
    case BD_EP_GLITCH:
        start = bd_at(day, (int)demo_rng_between(rng, 10, 19) * 60) +
                (int64_t)s->fix_offset_s * 1000 + 180 * 1000;
        end = start + 1;
        at = offset(s->home, (double)demo_rng_between(rng, 40, 90) * 1000.0, bearing(rng));
        break;
    default: /* the day's check-in */
        start = bd_at(day, s->habit_min);
        end = start + 1;
        break;
    }
    if (end + 2 * BD_HOUR_MS > sim->end_ms)
        return false;
    add_episode(s, kind, start, end, at);
    return true;
}

static void plant_episodes(struct bd_sim *sim, struct demo_rng *rng)
{
    long subject_days = (long)sim->subject_count * (sim->last_day - sim->first_day + 1);
    for (size_t r = 0; r < SJ_ARRAY_LEN(plant_rules); r++) {
        long count = (subject_days + plant_rules[r].per / 2) / plant_rules[r].per;
        for (long k = 0; k < (count > 0 ? count : 1); k++) {
            for (int tries = 0; tries < 60; tries++) {
                struct bd_subject *s =
                    &sim->subjects[demo_rng_below(rng, (uint64_t)sim->subject_count)];
                int64_t day = demo_rng_between(rng, sim->first_day + 1, sim->last_day);
                if (!is_free(sim, s, day) || !episode_on(sim, s, plant_rules[r].kind, day, rng))
                    continue;
                mark(sim, s, day, day);
                break;
            }
        }
    }
}

/* Phone changes and the end (or suspension) of some supervisions. */
static void plant_changes(struct bd_sim *sim, struct demo_rng *rng)
{
    int n = sim->subject_count;
    int changes = n / 50 > 1 ? n / 50 : 1, ends = n / 100 > 1 ? n / 100 : 1, suspends = 1;
    for (int k = 0; k < changes + ends + suspends; k++) {
        for (int tries = 0; tries < 60; tries++) {
            struct bd_subject *s = &sim->subjects[demo_rng_below(rng, (uint64_t)n)];
            int64_t day = demo_rng_between(rng, sim->first_day + 1, sim->last_day);
            int64_t at = bd_at(day, (int)demo_rng_between(rng, 600, 960));
            if (!is_free(sim, s, day) || s->change_ms || at + BD_HOUR_MS > sim->end_ms)
                continue;
            if (k < changes) {
                s->change_ms = at;
                mark(sim, s, day, day);
            } else {
                if (s->leave.kind != BD_LEAVE_NONE || s->episode_count)
                    continue;
                s->status_ms = at;
                s->status_to = k < changes + ends ? SJ_BAIL_ENDED : SJ_BAIL_SUSPENDED;
                mark(sim, s, day, sim->last_day);
            }
            break;
        }
    }
}

/* A subject tries a mock-location app shortly before the end: at end - 30 min it makes an
 * alert nobody has looked at yet, at end - 5 h one acknowledged but not yet resolved. */
static void plant_final(struct bd_sim *sim, struct demo_rng *rng, int64_t at)
{
    for (int tries = 0; tries < 200; tries++) {
        struct bd_subject *s = &sim->subjects[demo_rng_below(rng, (uint64_t)sim->subject_count)];
        /* The registration day is marked busy too; that does not stop this. */
        bool is_busy = s->busy[sim->last_day - sim->first_day] && reg_day(s) != sim->last_day;
        if (s->reg_ms + BD_HOUR_MS > at || s->status_ms || s->final_ms || is_busy ||
            s->episode_count >= BD_EPISODES_MAX)
            continue;
        s->final_ms = at;
        add_episode(s, BD_EP_MOCK, at - 15 * BD_MIN_MS, at + BD_HOUR_MS, s->home);
        mark(sim, s, sim->last_day, sim->last_day);
        return;
    }
}

void bd_world_plan(struct bd_sim *sim)
{
    struct demo_rng rng;
    demo_world_init(&sim->world, sim->opts->seed);
    sim->world.next_person = BD_PERSON_BASE;
    sim->subjects = sj_xcalloc((size_t)sim->subject_count, sizeof *sim->subjects);
    for (int i = 0; i < sim->subject_count; i++)
        profile(sim, &sim->subjects[i], i);
    demo_rng_init(&rng, sim->opts->seed, 0xBA11F1A7u);
    plant_leaves(sim, &rng);
    plant_changes(sim, &rng);
    plant_episodes(sim, &rng);
    plant_final(sim, &rng, sim->end_ms - 30 * BD_MIN_MS);
    plant_final(sim, &rng, sim->end_ms - 5 * BD_HOUR_MS);
}

void bd_world_release(struct bd_sim *sim)
{
    for (int i = 0; i < sim->subject_count; i++) {
        free(sim->subjects[i].busy);
        if (sim->subjects[i].has_device)
            sj_bail_device_release(&sim->subjects[i].device);
    }
    free(sim->subjects);
    sim->subjects = NULL;
}

/* ---- where the subject is ------------------------------------------------------------------ */

const struct bd_episode *bd_episode_at(const struct bd_subject *s, enum bd_episode_kind kind,
                                       int64_t t)
{
    for (int i = 0; i < s->episode_count; i++) {
        const struct bd_episode *e = &s->episodes[i];
        if (e->kind == kind && t >= e->start_ms && t < e->end_ms)
            return e;
    }
    return NULL;
}

int64_t bd_transit_ms(const struct bd_subject *s, const struct bd_episode *e)
{
    /* 150 km/h door to door (high-speed rail and a taxi): 24 ms per metre. */
    int64_t t = (int64_t)(sj_geo_distance_m(s->home, e->at) * 24.0);
    int64_t cap = (e->end_ms - e->start_ms) / 4;
    t = t < 30 * BD_MIN_MS ? 30 * BD_MIN_MS : t;
    return t > cap ? cap : t;
}

static struct sj_geo_point between(struct sj_geo_point a, struct sj_geo_point b, double f)
{
    struct sj_geo_point p = {a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f};
    return p;
}

/* On a trip: travelling out, at the destination, travelling back. */
static struct sj_geo_point on_trip(const struct bd_subject *s, const struct bd_episode *e,
                                   int64_t t)
{
    int64_t tr = bd_transit_ms(s, e);
    if (t < e->start_ms + tr)
        return between(s->home, e->at, (double)(t - e->start_ms) / (double)tr);
    if (t >= e->end_ms - tr)
        return between(s->home, e->at, (double)(e->end_ms - t) / (double)tr);
    return e->at;
}

struct sj_geo_point bd_where(const struct bd_sim *sim, const struct bd_subject *s, int64_t t)
{
    static const enum bd_episode_kind away[] = {BD_EP_TRIP, BD_EP_EXCURSION, BD_EP_FORBIDDEN};
    uint64_t key = demo_hash(sim->opts->seed, 0xB0000000u + (uint64_t)s->index);
    for (size_t i = 0; i < SJ_ARRAY_LEN(away); i++) {
        const struct bd_episode *e = bd_episode_at(s, away[i], t);
        if (e && away[i] == BD_EP_TRIP)
            return jitter(key, t, on_trip(s, e, t), 150.0);
        if (e)
            return jitter(key, t, e->at, away[i] == BD_EP_FORBIDDEN ? 40.0 : 150.0);
    }
    int m = bd_minute_of(t), wd = sj_bail_weekday(sj_bail_local_day(t));
    struct sj_geo_point p = s->home;
    if (s->has_work && wd <= 5 && m >= 540 && m < 1080)
        p = s->work;
    else if (m >= 600 && m < 690 && (!s->has_work || wd > 5))
        p = s->market;
    return jitter(key, t, p, 25.0);
}

/* A fix at t: the true place moved by part of the reported accuracy, in the phone's datum. */
static struct sj_bail_fix make_fix(const struct bd_sim *sim, const struct bd_subject *s, int64_t t,
                                   struct sj_geo_point truth, bool is_network)
{
    uint64_t h = demo_hash(sim->opts->seed ^ 0xF1C5u, (uint64_t)s->index * 1000003u + (uint64_t)t);
    struct sj_bail_fix f = {.fix_ms = t};
    f.accuracy_m = is_network ? (double)(150 + h % 300) : (double)(6 + h % 30);
    f.pos = jitter(h, t, truth, f.accuracy_m * 0.5);
    f.is_mock = bd_episode_at(s, BD_EP_MOCK, t) != NULL;
    if (f.is_mock) {
        f.pos = s->home;
        f.accuracy_m = 5.0;
    }
    struct sj_geo_point out = f.pos;
    if (sj_geo_convert(SJ_DATUM_WGS84, s->datum, f.pos, &out) == 0)
        f.pos = out;
    return f;
}

struct sj_bail_fix bd_checkin_fix(const struct bd_sim *sim, const struct bd_subject *s, int64_t t)
{
    return make_fix(sim, s, t, bd_where(sim, s, t), false);
}

static int cmp_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

#define BD_TIMES_MAX 512

/* The times of the fixes in (from, to]: hourly, every 15 minutes while away, the glitch. */
static size_t fix_times(const struct bd_subject *s, int64_t from, int64_t to, int64_t *t)
{
    size_t n = 0;
    int64_t h0 = from - from % BD_HOUR_MS - BD_HOUR_MS;
    for (int64_t h = h0; h <= to && n < BD_TIMES_MAX; h += BD_HOUR_MS) {
        int64_t x = h + (int64_t)s->fix_offset_s * 1000;
        if (x > from && x <= to)
            t[n++] = x;
    }
    for (int i = 0; i < s->episode_count; i++) {
        const struct bd_episode *e = &s->episodes[i];
        bool is_dense = e->kind == BD_EP_EXCURSION || e->kind == BD_EP_FORBIDDEN;
        for (int64_t x = e->start_ms + 5 * BD_MIN_MS; is_dense && x < e->end_ms;
             x += 15 * BD_MIN_MS)
            if (x > from && x <= to && n < BD_TIMES_MAX)
                t[n++] = x;
        if (e->kind == BD_EP_GLITCH && e->start_ms > from && e->start_ms <= to && n < BD_TIMES_MAX)
            t[n++] = e->start_ms;
    }
    qsort(t, n, sizeof *t, cmp_time);
    return n;
}

size_t bd_fixes(const struct bd_sim *sim, const struct bd_subject *s, int64_t from_ms,
                int64_t to_ms, struct sj_bail_fix *out, size_t max)
{
    int64_t t[BD_TIMES_MAX];
    size_t n = fix_times(s, from_ms, to_ms, t), count = 0;
    for (size_t i = 0; i < n && count < max; i++) {
        if ((i > 0 && t[i] == t[i - 1]) || bd_episode_at(s, BD_EP_SILENT, t[i]))
            continue;
        const struct bd_episode *g = NULL;
        for (int k = 0; k < s->episode_count && !g; k++) {
            if (s->episodes[k].kind == BD_EP_GLITCH && s->episodes[k].start_ms == t[i])
                g = &s->episodes[k];
        }
        uint64_t h = demo_hash(sim->opts->seed ^ 0x4E7u, (uint64_t)t[i]);
        bool is_away = bd_episode_at(s, BD_EP_FORBIDDEN, t[i]) || g;
        out[count++] =
            make_fix(sim, s, t[i], g ? g->at : bd_where(sim, s, t[i]), !is_away && h % 100 < 12);
    }
    return count;
}
