/*
 * world.c - the people and companies of the demo world. Person number i (and company
 * number i) is a pure function of (seed, i): name, sex, birth date, id number, phone and
 * card come from keyed bijections of i, so two different people never share a name, an
 * id number, a phone or a card, and no table of them is ever kept in memory. People are
 * handed out once each (demo_person_take), in program order, which keeps runs repeatable.
 * Names, id numbers, credit codes and cards are synthetic; check characters are computed.
 * The character tables are split into code points once (pthread_once), then only read.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

const struct demo_region demo_regions[] = {
    {"441802", "清城区", "广东省清远市", true},
    {"441803", "清新区", "广东省清远市", true},
    {"441821", "佛冈县", "广东省清远市", true},
    {"441823", "阳山县", "广东省清远市", true},
    {"441825", "连山壮族瑶族自治县", "广东省清远市", true},
    {"441826", "连南瑶族自治县", "广东省清远市", true},
    {"441881", "英德市", "广东省清远市", true},
    {"441882", "连州市", "广东省清远市", true},
    {"110105", "朝阳区", "北京市", false},
    {"440106", "天河区", "广东省广州市", false},
    {"430102", "芙蓉区", "湖南省长沙市", false},
    {"450102", "兴宁区", "广西壮族自治区南宁市", false},
};
const size_t demo_region_count = SJ_ARRAY_LEN(demo_regions);
const size_t demo_local_region_count = 8;

static const char *const towns[8][8] = {
    {"凤城街道", "东城街道", "洲心街道", "横荷街道", "源潭镇", "龙塘镇", "石角镇", "飞来峡镇"},
    {"太和镇", "太平镇", "山塘镇", "三坑镇", "龙颈镇", "禾云镇", "浸潭镇", "石潭镇"},
    {"石角镇", "汤塘镇", "龙山镇", "水头镇", "迳头镇", "石角镇", "汤塘镇", "龙山镇"},
    {"阳城镇", "七拱镇", "黎埠镇", "青莲镇", "杜步镇", "阳城镇", "七拱镇", "黎埠镇"},
    {"吉田镇", "永和镇", "太保镇", "福堂镇", "吉田镇", "永和镇", "太保镇", "福堂镇"},
    {"三江镇", "寨岗镇", "大麦山镇", "涡水镇", "三江镇", "寨岗镇", "大麦山镇", "涡水镇"},
    {"英城街道", "东华镇", "大站镇", "连江口镇", "浛洸镇", "望埠镇", "青塘镇", "英城街道"},
    {"连州镇", "星子镇", "西岸镇", "保安镇", "九陂镇", "连州镇", "星子镇", "西岸镇"},
};
static const char *const roads[] = {"人民路", "建设路", "中山路",   "新城大道", "北江路", "解放路",
                                    "环城路", "文化路", "朝阳路",   "和平路",   "广场路", "沿江路",
                                    "东风路", "府前路", "工业大道", "站前路"};
static const char *const villages[] = {"新村",   "石坑村", "大塘村", "高田村", "黄沙村",
                                       "上坪村", "下洞村", "水口村", "岗头村", "坑尾村"};

/* Single surnames; no compound surname starts with one of them, so the surname of any
 * generated name can be read back unambiguously (part of the uniqueness argument). */
static const char surnames1[] =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶"
    "程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤温赖巫植冼麦伍岑甘邝";
static const char *const surnames2[] = {"欧阳", "司马", "诸葛", "上官", "司徒"};
/* Given-name characters: male-leaning, female-leaning, neutral. Duplicates are dropped at
 * init (the first occurrence wins), so the lists may overlap without breaking uniqueness. */
static const char given_m[] = "伟强磊军勇杰涛斌超刚辉鹏飞鑫波浩凯健俊帆帅旭龙峰建国东志兵亮成德"
                              "胜祥锋坤豪振彬博毅铭泽昊睿轩哲航炜锦权福贵森岩洪松柏鸿钧栋梁威雄"
                              "武力虎耀辰凡翔宏庆彪彦琦宸逸朗晖曦";
static const char given_f[] = "芳娜敏静丽艳娟霞秀英玲燕萍红琴梅莉兰凤洁琳素莲环雪爱妹香月媛婷慧"
                              "倩颖露瑶怡欣悦蕾琪晶妍茜雯璐婧菲薇蓉丹彤岚雅姗嫣娇翠珍珠琼玉桂巧"
                              "美淑惠婉莎蓓菊萱娥馨瑾璇婵娴霏黛绮";
static const char given_n[] = "晓春秋文明小金永海新子思宇雨一之晴安乐诗可艺若千亦心华平林阳宁江"
                              "山光天清家佳嘉立正世云星冬夏冰洋灵舟远泉望晗芸";
static const char *const minority_m[] = {"买买提", "艾力",   "吐尔逊", "库尔班", "阿迪力",
                                         "热合曼", "努尔兰", "亚森",   "塔依尔", "肉孜",
                                         "吾买尔", "阿里木", "卡德尔", "麦麦提", "依明",
                                         "玉素甫", "艾尔肯", "阿布都", "克里木", "沙吾提"};
static const char *const minority_f[] = {
    "阿依古丽", "热依拉", "帕提古丽", "努尔古丽",   "迪丽努尔", "米日古丽", "祖丽菲亚",
    "阿娜尔",   "再娜甫", "茹仙古丽", "古丽巴哈尔", "阿依努尔", "萨拉",     "古丽娜",
    "玛依拉",   "阿依夏", "布维",     "海尼",       "托合提汗", "排孜"};
/* Trade-name characters of companies and law firms. */
static const char zihao_chars[] =
    "宏达盛鑫隆兴华源恒通泰丰瑞祥福安康顺利永昌宝金银鼎信诚和合众联创新科业嘉俊豪骏腾飞"
    "龙凤麒麟锦绣天地人海山川江河湖泊森林峰岭东南西北中正大明光辉远航宇宙星辰日月晟昊"
    "晖旭升腾骅骐骏驰铭鸿鹏程万里千百佳美好景德润泽沛霖雨露春夏秋冬青蓝紫红绿黄白朗逸"
    "凯旋胜利群英才俊杰贤良善仁义礼智诚实惠民生众益广博厚载物致远航运亨通盈富贵吉祥如"
    "意盛世华章耀荣兴邦国强富民乐安居业精工匠心志高远图鼎力同舟共济合力创辉煌威雄伟壮"
    "阔开拓进取奋发图强卓越领先锐捷迅敏聪颖慧灵秀丽雅致尚品优质高端恒久长青松柏竹梅兰";
static const char *const company_prefixes[] = {"清远市", "英德市", "连州市", "佛冈县",
                                               "阳山县", "连山县", "连南县", "广东"};
static const char *const trade_industries[] = {
    "贸易有限公司", "商贸有限公司",       "实业有限公司",     "科技有限公司",
    "物流有限公司", "建材有限公司",       "电子科技有限公司", "五金制品有限公司",
    "化工有限公司", "供应链管理有限公司", "进出口有限公司",   "陶瓷有限公司"};
static const char *const land_industries[] = {
    "农业科技有限公司", "生态农业发展有限公司", "砂石有限公司",     "石材有限公司",
    "矿业有限公司",     "养殖有限公司",         "林业开发有限公司", "旅游开发有限公司",
    "建筑工程有限公司", "水产养殖有限公司"};
static const char *const shop_kinds[] = {"养殖场", "农场",   "砂场", "石场",
                                         "种植场", "经营部", "农庄"};
static const char *const mobile_prefixes[] = {"138", "139", "135", "136", "137", "150", "151",
                                              "152", "158", "159", "182", "187", "188", "130",
                                              "131", "132", "155", "156", "185", "186", "133",
                                              "153", "180", "189", "177", "199", "166"};
static const char *const card_bins[] = {"622848", "621700", "622202", "621226", "623058",
                                        "622588", "621483", "622188", "621799", "625965"};

#define BIRTH_FIRST DEMO_DAY(1950, 1, 1)
#define BIRTH_DAYS (DEMO_DAY(2015, 12, 31) - BIRTH_FIRST + 1)
#define REGION_SLOTS 20 /* each local region twice, each other region once */
#define SEQ_PER_SLOT 250
#define MINORITY_EVERY 53
#define CHAR_MAX_COUNT 512

/* Distinct characters of the tables, built once (the tables are constant). */
struct chars {
    char ch[CHAR_MAX_COUNT][4]; /* NUL-terminated UTF-8 of one code point */
    char sex[CHAR_MAX_COUNT];   /* 'M', 'F' or 0 */
    size_t count;
};
static struct chars given, zihao, single;

static void chars_add(struct chars *set, const char *table, char sex)
{
    size_t len = strlen(table);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = sj_utf8_decode(table + i, len - i, &cp);
        if (n <= 0)
            break;
        bool seen = false;
        for (size_t j = 0; j < set->count && !seen; j++)
            seen = strncmp(set->ch[j], table + i, (size_t)n) == 0 && set->ch[j][n] == '\0';
        if (!seen && set->count < CHAR_MAX_COUNT) {
            memcpy(set->ch[set->count], table + i, (size_t)n);
            set->ch[set->count][n] = '\0';
            set->sex[set->count++] = sex;
        }
        i += (size_t)n;
    }
}

static pthread_once_t chars_once = PTHREAD_ONCE_INIT;

static void chars_build(void)
{
    chars_add(&given, given_m, 'M');
    chars_add(&given, given_f, 'F');
    chars_add(&given, given_n, 0);
    chars_add(&zihao, zihao_chars, 0);
    chars_add(&single, surnames1, 0);
}

void demo_world_init(struct demo_world *w, uint64_t seed)
{
    pthread_once(&chars_once, chars_build);
    memset(w, 0, sizeof *w);
    w->seed = seed;
    uint64_t g = given.count;
    w->name_space = (single.count + SJ_ARRAY_LEN(surnames2)) * (g + g * g);
    w->co_name_space = SJ_ARRAY_LEN(company_prefixes) * zihao.count * zihao.count;
    demo_perm_init(&w->name_perm, w->name_space, seed, 1);
    demo_perm_init(&w->id_perm, (uint64_t)REGION_SLOTS * BIRTH_DAYS * SEQ_PER_SLOT, seed, 2);
    demo_perm_init(&w->phone_perm, 100000000u, seed, 3);
    demo_perm_init(&w->card_perm, 1000000000u, seed, 4);
    demo_perm_init(&w->co_name_perm, w->co_name_space, seed, 5);
    demo_perm_init(&w->org_num_perm, 100000000u, seed, 6);
    demo_perm_init(&w->org_ma_perm, 31u * 31 * 31 * 31 * 31, seed, 7);
    demo_perm_init(&w->firm_perm, zihao.count * zihao.count, seed, 8);
}

int demo_year(int64_t day)
{
    int y, m, d;
    sj_days_to_date(day, &y, &m, &d);
    return y;
}

/* ---- check characters ------------------------------------------------------------------- */

char sj_demo_idcard_check(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return '\0';
        sum += (first17[i] - '0') * weights[i];
    }
    return "10X98765432"[sum % 11];
}

static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

char sj_demo_creditcode_check(const char *first17)
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *p = first17[i] ? strchr(credit_alphabet, first17[i]) : NULL;
        if (!p)
            return '\0';
        sum += (int)(p - credit_alphabet) * weights[i];
    }
    return credit_alphabet[(31 - sum % 31) % 31];
}

char sj_demo_orgcode_check(const char *first8)
{
    static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = first8[i];
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        else
            return '\0';
        sum += v * weights[i];
    }
    int check = 11 - sum % 11;
    return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}

char sj_demo_luhn_check(const char *digits, size_t len)
{
    int sum = 0;
    for (size_t i = 0; i < len; i++) {
        char c = digits[len - 1 - i];
        if (c < '0' || c > '9')
            return '\0';
        int d = c - '0';
        if (i % 2 == 0) { /* doubled: these are the odd positions counted with the check */
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* ---- people ------------------------------------------------------------------------------ */

/* Name of person idx; *sex gets 'M'/'F' when the name leans one way, else 0. */
static void person_name(const struct demo_world *w, uint64_t idx, char *out, size_t size, char *sex)
{
    uint64_t m = idx / MINORITY_EVERY;
    uint64_t nm = SJ_ARRAY_LEN(minority_m), nf = SJ_ARRAY_LEN(minority_f);
    if (idx % MINORITY_EVERY == 17 && m < (nm + nf) * nm) {
        uint64_t first = m / nm, father = m % nm;
        bool is_female = first >= nm;
        snprintf(out, size, "%s·%s", is_female ? minority_f[first - nm] : minority_m[first],
                 minority_m[father]);
        *sex = is_female ? 'F' : 'M';
        return;
    }
    uint64_t g = given.count, per = g + g * g;
    uint64_t v = demo_perm_map(&w->name_perm, idx % w->name_space);
    uint64_t s = v / per, r = v % per;
    const char *sur = s < single.count ? single.ch[s] : surnames2[s - single.count];
    size_t last;
    if (r < g) {
        snprintf(out, size, "%s%s", sur, given.ch[r]);
        last = r;
    } else {
        r -= g;
        snprintf(out, size, "%s%s%s", sur, given.ch[r / g], given.ch[r % g]);
        last = r % g;
    }
    *sex = given.sex[last];
}

void demo_person_get(const struct demo_world *w, uint64_t idx, struct demo_person *p)
{
    char sex;
    uint64_t h = demo_hash(w->seed, idx);
    p->idx = idx;
    person_name(w, idx, p->name, sizeof p->name, &sex);
    p->is_female = sex ? sex == 'F' : (h >> 11) & 1;

    uint64_t v = demo_perm_map(&w->id_perm, idx % w->id_perm.n);
    unsigned seq = (unsigned)(v % SEQ_PER_SLOT);
    v /= SEQ_PER_SLOT;
    p->birth = BIRTH_FIRST + (int64_t)(v % BIRTH_DAYS);
    unsigned slot = (unsigned)(v / BIRTH_DAYS);
    unsigned half = slot >= 16 ? 0 : slot % 2; /* a local region's second slot */
    p->region = slot >= 16 ? (int)(8 + slot - 16) : (int)(slot / 2);
    seq = (half * SEQ_PER_SLOT + seq) * 2 + (p->is_female ? 0 : 1);
    int y, mo, d;
    sj_days_to_date(p->birth, &y, &mo, &d);
    snprintf(p->id, sizeof p->id, "%s%04d%02d%02d%03u", demo_regions[p->region].code, y, mo, d,
             seq);
    p->id[17] = sj_demo_idcard_check(p->id);
    p->id[18] = '\0';

    unsigned long long body = demo_perm_map(&w->phone_perm, idx % 100000000u);
    snprintf(p->phone, sizeof p->phone, "%s%08llu",
             mobile_prefixes[(h >> 20) % SJ_ARRAY_LEN(mobile_prefixes)], body);
    body = demo_perm_map(&w->card_perm, idx % 1000000000u);
    const char *bin = card_bins[(h >> 28) % SJ_ARRAY_LEN(card_bins)];
    int len = (h >> 36) % 3 == 0 ? 15 : 18; /* digits before the check: 16- or 19-digit cards */
    snprintf(p->card, sizeof p->card, "%s%0*llu", bin, len - 6, body);
    p->card[len] = sj_demo_luhn_check(p->card, (size_t)len);
    p->card[len + 1] = '\0';
}

struct demo_want demo_want_any(void)
{
    struct demo_want want = {0, BIRTH_FIRST, BIRTH_FIRST + BIRTH_DAYS, false, false};
    return want;
}

struct demo_want demo_want_adult(void)
{
    struct demo_want want = demo_want_any();
    want.born_min = DEMO_DAY(1955, 1, 1);
    want.born_max = DEMO_DAY(2002, 12, 31);
    return want;
}

bool demo_person_fits(const struct demo_person *p, const struct demo_want *want)
{
    if (want->sex && (want->sex == 'F') != p->is_female)
        return false;
    if (p->birth < want->born_min || p->birth > want->born_max)
        return false;
    if (want->check_x && p->id[17] != 'X')
        return false;
    if (want->minority && !strstr(p->name, "·"))
        return false;
    return true;
}

uint64_t demo_person_take(struct demo_world *w, const struct demo_want *want, struct demo_person *p)
{
    for (;;) {
        uint64_t idx = w->next_person++;
        if (idx >= w->name_space)
            w->is_exhausted = true;
        demo_person_get(w, idx, p);
        if (!want || demo_person_fits(p, want) || w->is_exhausted)
            return idx;
    }
}

void demo_person_address(const struct demo_world *w, const struct demo_person *p, char *out,
                         size_t size)
{
    uint64_t h = demo_hash(w->seed ^ 0xADD7E55u, p->idx);
    size_t r = demo_regions[p->region].is_local ? (size_t)p->region : h % 8;
    const char *town = towns[r][(h >> 8) % 8];
    if ((h >> 16) % 3 == 0)
        snprintf(out, size, "广东省清远市%s%s%s%u号", demo_regions[r].name, town,
                 villages[(h >> 20) % SJ_ARRAY_LEN(villages)], (unsigned)((h >> 28) % 80 + 1));
    else
        snprintf(out, size, "广东省清远市%s%s%s%u号", demo_regions[r].name, town,
                 roads[(h >> 20) % SJ_ARRAY_LEN(roads)], (unsigned)((h >> 28) % 300 + 1));
}

/* ---- companies --------------------------------------------------------------------------- */

/* The 9-character GB 11714 organisation code of company idx: 8 digits, or MA4 and five
 * characters of the credit-code alphabet (as newer registrations have). */
static void org_code(const struct demo_world *w, uint64_t idx, uint64_t h, char out[10])
{
    if (h & 1) {
        snprintf(out, 10, "%08llu",
                 (unsigned long long)demo_perm_map(&w->org_num_perm, idx % 100000000u));
    } else {
        uint64_t v = demo_perm_map(&w->org_ma_perm, idx % w->org_ma_perm.n);
        memcpy(out, "MA4", 3);
        for (int i = 7; i >= 3; i--) {
            out[i] = credit_alphabet[v % 31];
            v /= 31;
        }
    }
    out[8] = sj_demo_orgcode_check(out);
    out[9] = '\0';
}

static void company_code(const struct demo_world *w, struct demo_company *c, const char *type)
{
    char org[10];
    uint64_t h = demo_hash(w->seed ^ 0xC0DEu, c->idx);
    org_code(w, c->idx, h, org);
    snprintf(c->code, sizeof c->code, "%s%s%s", type, demo_regions[c->region].code, org);
    c->code[17] = sj_demo_creditcode_check(c->code);
    c->code[18] = '\0';
    snprintf(c->account, sizeof c->account, "4405%014llu",
             (unsigned long long)(c->idx * 7919u + 1000003u));
    c->account[18] = sj_demo_luhn_check(c->account, 18);
    c->account[19] = '\0';
}

void demo_company_take(struct demo_world *w, enum demo_company_kind kind, struct demo_company *c)
{
    c->idx = w->next_company++;
    if (c->idx >= w->co_name_space)
        w->is_exhausted = true;
    uint64_t h = demo_hash(w->seed ^ 0xC0u, c->idx);
    c->region = (int)(h % demo_local_region_count);
    if (kind == DEMO_CO_SHOP) {
        struct demo_person owner;
        struct demo_want want = demo_want_adult();
        demo_person_take(w, &want, &owner);
        snprintf(c->name, sizeof c->name, "%s%s%s", demo_regions[c->region].name, owner.name,
                 shop_kinds[(h >> 8) % SJ_ARRAY_LEN(shop_kinds)]);
        company_code(w, c, "92");
        return;
    }
    uint64_t z = zihao.count;
    uint64_t v = demo_perm_map(&w->co_name_perm, c->idx % w->co_name_space);
    const char *industry = kind == DEMO_CO_LAND
                               ? land_industries[(h >> 8) % SJ_ARRAY_LEN(land_industries)]
                               : trade_industries[(h >> 8) % SJ_ARRAY_LEN(trade_industries)];
    snprintf(c->name, sizeof c->name, "%s%s%s%s", company_prefixes[v / (z * z)],
             zihao.ch[v / z % z], zihao.ch[v % z], industry);
    company_code(w, c, "91");
}

void demo_firm_name(const struct demo_world *w, uint64_t j, char *out, size_t size)
{
    uint64_t z = zihao.count;
    uint64_t v = demo_perm_map(&w->firm_perm, j % (z * z));
    snprintf(out, size, "广东%s%s律师事务所", zihao.ch[v / z], zihao.ch[v % z]);
}
