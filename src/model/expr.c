/*
 * expr.c - the expression language of models (`where`, `having`; grammar in model_int.h):
 * a tokenizer over UTF-8 and a recursive-descent parser building the tree of expr_int.h.
 *
 * Invariants: the text is untrusted. It must be valid UTF-8 and at most SJ_EXPR_TEXT_MAX
 * bytes; nesting is limited to SJ_EXPR_DEPTH_MAX so no input can exhaust the stack. Full-
 * width ASCII (Ｃ，＝，（) and the ideographic space are read as their ASCII forms, so a
 * condition typed with a Chinese input method still parses; every error reports the byte
 * offset of the original text and says, in Chinese, what was expected there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "model/expr_int.h"

struct sj_expr {
    struct sj_arena arena;
    struct sj_expr_node *root;
    const char **columns; /* distinct, in order of first use */
    size_t column_count;
    const char **params;
    size_t param_count;
};

enum tok {
    T_EOF,
    T_NAME,   /* column name or keyword */
    T_PARAM,  /* $name */
    T_TEXT,   /* 'text' */
    T_NUMBER, /* 12 or 12.5 */
    T_AMOUNT, /* 10万元 */
    T_DAYS,   /* 30天 */
    T_LPAREN,
    T_RPAREN,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_PLUS,
    T_MINUS,
    T_CMP,
};

struct token {
    enum tok type;
    size_t offset; /* first byte */
    size_t end;    /* one past the last byte */
    char *text;    /* T_NAME, T_PARAM, T_TEXT, T_NUMBER, T_AMOUNT (arena) */
    int64_t integer;
    enum sj_expr_cmp cmp;
};

struct parser {
    const char *s;
    size_t len;
    size_t pos; /* next byte to read */
    struct token tok;
    struct sj_expr *expr;
    int depth;
    size_t node_count;
    bool has_error;
    size_t error_offset;
    char *message;
    size_t message_size;
};

static void fail(struct parser *p, size_t offset, const char *fmt, ...) SJ_PRINTF(3, 4);

static void fail(struct parser *p, size_t offset, const char *fmt, ...)
{
    if (p->has_error)
        return;
    p->has_error = true;
    p->error_offset = offset;
    if (p->message && p->message_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->message, p->message_size, fmt, ap);
        va_end(ap);
    }
}

/* ---- Characters ------------------------------------------------------------------------------ */

/* Decodes the code point at byte at, folding full-width ASCII and U+3000 to ASCII. Returns
 * its length in bytes, 0 at the end, -1 for invalid UTF-8 (cannot happen after the check in
 * sj_expr_parse, but kept safe). */
static int peek_cp(const struct parser *p, size_t at, uint32_t *cp)
{
    if (at >= p->len) {
        *cp = 0;
        return 0;
    }
    int n = sj_utf8_decode(p->s + at, p->len - at, cp);
    if (n < 0)
        return -1;
    if (*cp >= 0xFF01 && *cp <= 0xFF5E)
        *cp -= 0xFEE0;
    else if (*cp == 0x3000)
        *cp = ' ';
    return n;
}

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static bool is_name_start(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

static bool is_name_char(uint32_t cp)
{
    return is_name_start(cp) || is_digit(cp) || cp == '.';
}

static bool is_amount_unit(uint32_t cp)
{
    /* 元 万 亿 千 百 角 分 块 整 */
    static const uint32_t units[] = {0x5143, 0x4E07, 0x4EBF, 0x5343, 0x767E,
                                     0x89D2, 0x5206, 0x5757, 0x6574};
    for (size_t i = 0; i < SJ_ARRAY_LEN(units); i++) {
        if (cp == units[i])
            return true;
    }
    return false;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f';
}

/* Shows the source text at offset for a message: the token, or "结尾" at the end. */
static const char *show_at(const struct parser *p, size_t offset, size_t end, char *buf,
                           size_t size)
{
    if (offset >= p->len)
        return "（表达式结尾）";
    size_t n = end > offset ? end - offset : 1;
    if (n > 40)
        n = 40;
    /* Do not cut a UTF-8 sequence in half. */
    while (offset + n < p->len && ((unsigned char)p->s[offset + n] & 0xC0) == 0x80)
        n++;
    snprintf(buf, size, "“%.*s”", (int)n, p->s + offset);
    return buf;
}

/* ---- Tokens ---------------------------------------------------------------------------------- */

/* Reads name characters from p->pos into the arena, folded; returns the text. */
static char *read_name(struct parser *p)
{
    struct sj_buf out;
    sj_buf_init(&out, 0);
    uint32_t cp;
    int n;
    while ((n = peek_cp(p, p->pos, &cp)) > 0 && is_name_char(cp)) {
        char enc[4];
        sj_buf_append(&out, enc, (size_t)sj_utf8_encode(cp, enc));
        p->pos += (size_t)n;
    }
    char *text = sj_arena_strndup(&p->expr->arena, out.data ? out.data : "", out.len);
    sj_buf_release(&out);
    return text;
}

/* A quoted text: 'it''s' or ‘…’ or “…”. p->pos is at the opening quote. */
static void lex_text(struct parser *p, struct token *t, uint32_t open, int open_len)
{
    uint32_t close = open == '\'' ? '\'' : open == 0x2018 ? 0x2019 : 0x201D;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    p->pos += (size_t)open_len;
    for (;;) {
        uint32_t cp;
        int n = peek_cp(p, p->pos, &cp);
        if (n <= 0) {
            fail(p, t->offset, "文字缺少结尾的引号");
            break;
        }
        size_t at = p->pos;
        p->pos += (size_t)n;
        if (cp == close) {
            uint32_t next;
            int m = peek_cp(p, p->pos, &next);
            if (close != '\'' || m <= 0 || next != '\'')
                break;
            p->pos += (size_t)m; /* '' stands for one quote */
            sj_buf_putc(&out, '\'');
            continue;
        }
        /* Keep the original bytes: text compares as written. */
        sj_buf_append(&out, p->s + at, (size_t)n);
    }
    t->type = T_TEXT;
    t->text = sj_arena_strndup(&p->expr->arena, out.data ? out.data : "", out.len);
    sj_buf_release(&out);
}

/* A number, possibly followed by an amount unit (10万元) or a day unit (30天). */
static void lex_number(struct parser *p, struct token *t)
{
    struct sj_buf out;
    sj_buf_init(&out, 0);
    uint32_t cp;
    int n;
    bool has_dot = false;
    while ((n = peek_cp(p, p->pos, &cp)) > 0) {
        if (cp == '.' && !has_dot) {
            uint32_t next;
            if (peek_cp(p, p->pos + (size_t)n, &next) <= 0 || !is_digit(next))
                break;
            has_dot = true;
        } else if (!is_digit(cp)) {
            break;
        }
        sj_buf_putc(&out, (char)cp);
        p->pos += (size_t)n;
    }
    t->type = T_NUMBER;
    if (n > 0 && (cp == 0x5929 || cp == 0x65E5)) { /* 天 日 */
        p->pos += (size_t)n;
        t->type = T_DAYS;
        char *end = NULL;
        long long days = strtoll(out.data, &end, 10);
        if (has_dot || out.len > 6)
            fail(p, t->offset, "天数应为不超过六位的整数");
        t->integer = days;
    } else if (n > 0 && is_amount_unit(cp)) {
        while ((n = peek_cp(p, p->pos, &cp)) > 0 && is_amount_unit(cp)) {
            sj_buf_append(&out, p->s + p->pos, (size_t)n);
            p->pos += (size_t)n;
        }
        struct sj_norm_result r;
        t->type = T_AMOUNT;
        if (!sj_norm_amount(sj_buf_str(&out), &r))
            fail(p, t->offset, "金额“%s”无法识别：%s", sj_buf_cstr(&out), r.reason);
        t->integer = r.number;
    }
    t->text = sj_arena_strndup(&p->expr->arena, out.data, out.len);
    sj_buf_release(&out);
    if (peek_cp(p, p->pos, &cp) > 0 && is_name_char(cp))
        fail(p, p->pos, "数字后面应有空格或运算符");
}

/* Two-character and one-character operators; returns false if cp starts none. */
static bool lex_operator(struct parser *p, struct token *t, uint32_t cp, int n)
{
    uint32_t next = 0;
    int m = peek_cp(p, p->pos + (size_t)n, &next);
    bool has_two = m > 0 && ((cp == '<' && (next == '=' || next == '>')) ||
                             ((cp == '>' || cp == '!' || cp == '=') && next == '='));
    t->type = T_CMP;
    switch (cp) {
    case '=':
        t->cmp = SJ_CMP_EQ;
        break;
    case 0x2260:
        t->cmp = SJ_CMP_NE;
        break; /* ≠ */
    case 0x2264:
        t->cmp = SJ_CMP_LE;
        break; /* ≤ */
    case 0x2265:
        t->cmp = SJ_CMP_GE;
        break; /* ≥ */
    case '<':
        t->cmp = !has_two ? SJ_CMP_LT : next == '=' ? SJ_CMP_LE : SJ_CMP_NE;
        break;
    case '>':
        t->cmp = has_two ? SJ_CMP_GE : SJ_CMP_GT;
        break;
    case '!':
        if (!has_two)
            return false;
        t->cmp = SJ_CMP_NE;
        break;
    case '(':
        t->type = T_LPAREN;
        break;
    case ')':
        t->type = T_RPAREN;
        break;
    case '[':
        t->type = T_LBRACK;
        break;
    case ']':
        t->type = T_RBRACK;
        break;
    case ',':
    case 0x3001:
        t->type = T_COMMA;
        break; /* , 、 */
    case '+':
        t->type = T_PLUS;
        break;
    case '-':
        t->type = T_MINUS;
        break;
    default:
        return false;
    }
    p->pos += (size_t)n + (has_two ? (size_t)m : 0);
    return true;
}

/* Reads the next token into p->tok. */
static void next(struct parser *p)
{
    struct token *t = &p->tok;
    uint32_t cp;
    int n;
    while ((n = peek_cp(p, p->pos, &cp)) > 0 && is_space(cp))
        p->pos += (size_t)n;
    memset(t, 0, sizeof *t);
    t->offset = p->pos;
    if (n == 0) {
        t->type = T_EOF;
    } else if (n < 0) {
        fail(p, p->pos, "不是有效的 UTF-8 文本");
        t->type = T_EOF;
    } else if (cp == '\'' || cp == 0x2018 || cp == 0x201C) {
        lex_text(p, t, cp, n);
    } else if (is_digit(cp)) {
        lex_number(p, t);
    } else if (is_name_start(cp)) {
        t->type = T_NAME;
        t->text = read_name(p);
    } else if (cp == '$') {
        p->pos += (size_t)n;
        t->type = T_PARAM;
        if (peek_cp(p, p->pos, &cp) <= 0 || !is_name_start(cp))
            fail(p, t->offset, "$ 后面应为参数名，例如 $threshold");
        t->text = read_name(p);
    } else if (!lex_operator(p, t, cp, n)) {
        char buf[64];
        t->end = p->pos + (size_t)n;
        fail(p, p->pos, "无法识别的字符%s%s", show_at(p, p->pos, t->end, buf, sizeof buf),
             cp == '"' ? "（文字请用单引号，如 '逃税'）" : "");
        t->type = T_EOF;
    }
    t->end = p->pos;
}

static bool is_keyword(const struct token *t, const char *word)
{
    return t->type == T_NAME && strcasecmp(t->text, word) == 0;
}

static bool is_any_keyword(const char *text)
{
    static const char *const words[] = {"and",     "or", "not",   "in",  "contains",
                                        "between", "is", "empty", "day", "days"};
    for (size_t i = 0; i < SJ_ARRAY_LEN(words); i++) {
        if (strcasecmp(text, words[i]) == 0)
            return true;
    }
    return false;
}

/* Peeks at the token after the current one without consuming anything. */
static struct token peek_next(struct parser *p)
{
    size_t pos = p->pos;
    struct token saved = p->tok;
    bool had_error = p->has_error;
    next(p);
    struct token after = p->tok;
    p->tok = saved;
    p->pos = pos;
    p->has_error = had_error;
    return after;
}

/* ---- Parser ---------------------------------------------------------------------------------- */

static struct sj_expr_node *node_new(struct parser *p, enum sj_expr_kind kind, size_t offset)
{
    if (++p->node_count > SJ_EXPR_NODES_MAX)
        fail(p, offset, "表达式太复杂（最多 %d 个部分）", SJ_EXPR_NODES_MAX);
    struct sj_expr_node *node = sj_arena_alloc(&p->expr->arena, sizeof *node);
    memset(node, 0, sizeof *node);
    node->kind = kind;
    node->offset = offset;
    return node;
}

static struct sj_expr_node *binary(struct parser *p, enum sj_expr_kind kind,
                                   struct sj_expr_node *left, struct sj_expr_node *right)
{
    struct sj_expr_node *node = node_new(p, kind, left->offset);
    node->kid[0] = left;
    node->kid[1] = right;
    return node;
}

/* Remembers a name in the expression's distinct list. */
static void note_name(struct parser *p, const char ***list, size_t *count, const char *name)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*list)[i], name) == 0)
            return;
    }
    *list = sj_xrealloc(*list, (*count + 1) * sizeof **list);
    (*list)[(*count)++] = name;
}

static void expected(struct parser *p, const char *what)
{
    char buf[64];
    fail(p, p->tok.offset, "此处应为%s，实际为%s", what,
         show_at(p, p->tok.offset, p->tok.end, buf, sizeof buf));
}

static struct sj_expr_node *parse_or(struct parser *p);

static struct sj_expr_node *parse_literal(struct parser *p, bool is_negative, size_t offset)
{
    struct token *t = &p->tok;
    enum sj_expr_kind kind = t->type == T_TEXT     ? SJ_EX_TEXT
                             : t->type == T_NUMBER ? SJ_EX_NUMBER
                             : t->type == T_AMOUNT ? SJ_EX_AMOUNT
                                                   : SJ_EX_DAYS;
    struct sj_expr_node *node = node_new(p, kind, offset);
    node->integer = is_negative ? -t->integer : t->integer;
    if (is_negative && t->text) {
        size_t len = strlen(t->text);
        node->text = sj_arena_alloc(&p->expr->arena, len + 2);
        node->text[0] = '-';
        memcpy(node->text + 1, t->text, len + 1);
    } else {
        node->text = t->text;
    }
    next(p);
    return node;
}

static const struct {
    const char *name;
    enum sj_expr_fn fn;
    size_t arg_count;
} functions[] = {
    {"birth_date", SJ_FN_BIRTH_DATE, 1},
    {"sex", SJ_FN_SEX, 1},
    {"age_at", SJ_FN_AGE_AT, 2},
};

bool sj_expr_fn_find(const char *name, enum sj_expr_fn *fn, size_t *arg_count)
{
    for (size_t i = 0; i < SJ_ARRAY_LEN(functions); i++) {
        if (strcasecmp(name, functions[i].name) == 0) {
            *fn = functions[i].fn;
            *arg_count = functions[i].arg_count;
            return true;
        }
    }
    return false;
}

const char *sj_expr_fn_list(void)
{
    return "birth_date(身份证号)、sex(身份证号)、age_at(身份证号, 日期)";
}

static struct sj_expr_node *parse_sum(struct parser *p);

/* function '(' sum (',' sum)* ')': the current token is the name, the next one '('. */
static struct sj_expr_node *parse_call(struct parser *p)
{
    struct token *t = &p->tok;
    size_t offset = t->offset, want = 0;
    struct sj_expr_node *node = node_new(p, SJ_EX_CALL, offset);
    node->text = t->text;
    if (!sj_expr_fn_find(t->text, &node->fn, &want)) {
        char buf[64];
        fail(p, offset, "没有函数%s；可用的函数有 %s", show_at(p, offset, t->end, buf, sizeof buf),
             sj_expr_fn_list());
        return NULL;
    }
    next(p); /* the name */
    next(p); /* '(' */
    while (!p->has_error && node->item_count < SJ_ARRAY_LEN(node->kid)) {
        struct sj_expr_node *arg = parse_sum(p);
        if (!arg)
            return NULL;
        node->kid[node->item_count++] = arg;
        if (p->tok.type != T_COMMA)
            break;
        next(p);
    }
    if (!p->has_error && p->tok.type != T_RPAREN)
        expected(p, node->item_count < want ? "逗号和下一个参数" : "右括号“)”");
    else if (!p->has_error && node->item_count != want)
        fail(p, offset, "函数 %s 要 %zu 个参数，这里有 %zu 个（可用的函数有 %s）", node->text, want,
             node->item_count, sj_expr_fn_list());
    if (p->has_error)
        return NULL;
    next(p); /* ')' */
    return node;
}

/* atom := column | $param | 'text' | number | amount | days | '-' number | '(' expr ')'
 *       | function '(' arguments ')' */
static struct sj_expr_node *parse_atom(struct parser *p)
{
    struct token *t = &p->tok;
    size_t offset = t->offset;
    struct sj_expr_node *node = NULL;
    if (t->type == T_NAME && !is_any_keyword(t->text) && peek_next(p).type == T_LPAREN) {
        if (++p->depth > SJ_EXPR_DEPTH_MAX) {
            fail(p, offset, "表达式嵌套太深（最多 %d 层）", SJ_EXPR_DEPTH_MAX);
            return NULL;
        }
        node = parse_call(p);
        p->depth--;
    } else if (t->type == T_NAME && !is_any_keyword(t->text)) {
        node = node_new(p, SJ_EX_COLUMN, offset);
        node->text = t->text;
        note_name(p, &p->expr->columns, &p->expr->column_count, t->text);
        next(p);
    } else if (t->type == T_PARAM) {
        node = node_new(p, SJ_EX_PARAM, offset);
        node->text = t->text;
        note_name(p, &p->expr->params, &p->expr->param_count, t->text);
        next(p);
    } else if (t->type == T_TEXT || t->type == T_NUMBER || t->type == T_AMOUNT ||
               t->type == T_DAYS) {
        node = parse_literal(p, false, offset);
    } else if (t->type == T_MINUS) {
        next(p);
        if (t->type != T_NUMBER && t->type != T_AMOUNT && t->type != T_DAYS) {
            expected(p, "负号后面的数字");
            return NULL;
        }
        node = parse_literal(p, true, offset);
    } else if (t->type == T_LPAREN) {
        next(p);
        node = parse_or(p);
        if (node && t->type != T_RPAREN) {
            expected(p, "右括号“)”");
            return NULL;
        }
        next(p);
    } else if (t->type == T_NAME) {
        char buf[64];
        fail(p, offset, "%s是关键字，此处应为列名、参数（$名称）、文字（'…'）或数字",
             show_at(p, offset, t->end, buf, sizeof buf));
    } else {
        expected(p, "列名、参数（$名称）、文字（'…'）或数字");
    }
    return p->has_error ? NULL : node;
}

/* sum := atom (('+' | '-') atom ('days' | 'day')?)* */
static struct sj_expr_node *parse_sum(struct parser *p)
{
    struct sj_expr_node *left = parse_atom(p);
    int terms = 1;
    while (left && (p->tok.type == T_PLUS || p->tok.type == T_MINUS)) {
        if (++terms > SJ_EXPR_TERMS_MAX) {
            fail(p, p->tok.offset, "加减运算太长（最多 %d 项）", SJ_EXPR_TERMS_MAX);
            return NULL;
        }
        enum sj_expr_kind kind = p->tok.type == T_PLUS ? SJ_EX_ADD : SJ_EX_SUB;
        next(p);
        struct sj_expr_node *right = parse_atom(p);
        if (!right)
            return NULL;
        left = binary(p, kind, left, right);
        left->is_days = right->kind == SJ_EX_DAYS;
        if (is_keyword(&p->tok, "days") || is_keyword(&p->tok, "day")) {
            if (left->is_days) {
                expected(p, "运算符（“30天”已表示天数）");
                return NULL;
            }
            left->is_days = true;
            next(p);
        }
    }
    return left;
}

/* list := '[' (atom (',' atom)*)? ']' */
static bool parse_list(struct parser *p, struct sj_expr_node *in)
{
    next(p); /* '[' */
    size_t alloc = 0;
    while (p->tok.type != T_RBRACK) {
        if (in->item_count > 0) {
            if (p->tok.type != T_COMMA) {
                expected(p, "逗号或右方括号“]”");
                return false;
            }
            next(p);
        }
        struct sj_expr_node *item = parse_sum(p);
        if (!item)
            return false;
        if (in->item_count == alloc) {
            alloc = alloc ? alloc * 2 : 8;
            struct sj_expr_node **items = sj_arena_alloc(&p->expr->arena, alloc * sizeof *items);
            if (in->item_count)
                memcpy(items, in->items, in->item_count * sizeof *items);
            in->items = items;
        }
        in->items[in->item_count++] = item;
    }
    next(p); /* ']' */
    return true;
}

/* The part of cmp after its left side; left is already parsed. */
static struct sj_expr_node *parse_predicate(struct parser *p, struct sj_expr_node *left)
{
    struct sj_expr_node *node = NULL;
    if (p->tok.type == T_CMP) {
        enum sj_expr_cmp cmp = p->tok.cmp;
        next(p);
        struct sj_expr_node *right = parse_sum(p);
        if (right) {
            node = binary(p, SJ_EX_CMP, left, right);
            node->cmp = cmp;
        }
    } else if (is_keyword(&p->tok, "in")) {
        next(p);
        node = binary(p, SJ_EX_IN, left, NULL);
        if (p->tok.type == T_PARAM)
            node->kid[1] = parse_atom(p);
        else if (p->tok.type == T_LBRACK)
            parse_list(p, node);
        else
            expected(p, "列表参数（$名称）或 ['甲', '乙'] 形式的列表");
    } else if (is_keyword(&p->tok, "contains")) {
        next(p);
        struct sj_expr_node *right = parse_sum(p);
        if (right)
            node = binary(p, SJ_EX_CONTAINS, left, right);
    } else if (is_keyword(&p->tok, "between")) {
        next(p);
        node = binary(p, SJ_EX_BETWEEN, left, parse_sum(p));
        if (!p->has_error && !is_keyword(&p->tok, "and"))
            expected(p, "between 上下限之间的 and");
        else if (!p->has_error)
            next(p);
        node->kid[2] = p->has_error ? NULL : parse_sum(p);
    } else { /* is [not] empty */
        next(p);
        node = binary(p, SJ_EX_EMPTY, left, NULL);
        if (is_keyword(&p->tok, "not")) {
            node->is_negated = true;
            next(p);
        }
        if (!is_keyword(&p->tok, "empty"))
            expected(p, "empty 或 not empty（“is empty” 表示为空）");
        else
            next(p);
    }
    return p->has_error ? NULL : node;
}

/* cmp := sum (op sum | 'in' … | 'contains' sum | 'between' sum 'and' sum | 'is' 'not'?
 * 'empty')?, and the negated forms "not in", "not contains", "not between". */
static struct sj_expr_node *parse_cmp(struct parser *p)
{
    struct sj_expr_node *left = parse_sum(p);
    if (!left)
        return NULL;
    bool is_negated = false;
    size_t not_offset = p->tok.offset;
    if (is_keyword(&p->tok, "not")) {
        struct token after = peek_next(p);
        if (!is_keyword(&after, "in") && !is_keyword(&after, "contains") &&
            !is_keyword(&after, "between"))
            return left;
        is_negated = true;
        next(p);
    }
    if (p->tok.type != T_CMP && !is_keyword(&p->tok, "in") && !is_keyword(&p->tok, "contains") &&
        !is_keyword(&p->tok, "between") && !is_keyword(&p->tok, "is"))
        return left;
    struct sj_expr_node *node = parse_predicate(p, left);
    if (node && is_negated) {
        struct sj_expr_node *not_node = node_new(p, SJ_EX_NOT, not_offset);
        not_node->kid[0] = node;
        node = not_node;
    }
    return node;
}

/* not := 'not' not | cmp */
static struct sj_expr_node *parse_not(struct parser *p)
{
    if (!is_keyword(&p->tok, "not"))
        return parse_cmp(p);
    size_t offset = p->tok.offset;
    if (++p->depth > SJ_EXPR_DEPTH_MAX) {
        fail(p, offset, "表达式嵌套太深（最多 %d 层）", SJ_EXPR_DEPTH_MAX);
        return NULL;
    }
    next(p);
    struct sj_expr_node *kid = parse_not(p);
    p->depth--;
    if (!kid)
        return NULL;
    struct sj_expr_node *node = node_new(p, SJ_EX_NOT, offset);
    node->kid[0] = kid;
    return node;
}

/* and := not ('and' not)* */
static struct sj_expr_node *parse_and(struct parser *p)
{
    struct sj_expr_node *left = parse_not(p);
    while (left && is_keyword(&p->tok, "and")) {
        next(p);
        struct sj_expr_node *right = parse_not(p);
        left = right ? binary(p, SJ_EX_AND, left, right) : NULL;
    }
    return left;
}

/* or := and ('or' and)*; also the entry for parentheses, which is where depth grows. */
static struct sj_expr_node *parse_or(struct parser *p)
{
    if (++p->depth > SJ_EXPR_DEPTH_MAX) {
        fail(p, p->tok.offset, "表达式嵌套太深（最多 %d 层）", SJ_EXPR_DEPTH_MAX);
        return NULL;
    }
    struct sj_expr_node *left = parse_and(p);
    while (left && is_keyword(&p->tok, "or")) {
        next(p);
        struct sj_expr_node *right = parse_and(p);
        left = right ? binary(p, SJ_EX_OR, left, right) : NULL;
    }
    p->depth--;
    return left;
}

/* ---- Public functions ------------------------------------------------------------------------ */

void sj_expr_free(struct sj_expr *expr)
{
    if (!expr)
        return;
    free(expr->columns);
    free(expr->params);
    sj_arena_release(&expr->arena);
    free(expr);
}

static int check_text(struct parser *p, const char *text)
{
    if (!text) {
        fail(p, 0, "表达式为空");
        return SJ_EFORMAT;
    }
    size_t bad = 0;
    if (p->len > SJ_EXPR_TEXT_MAX)
        fail(p, SJ_EXPR_TEXT_MAX, "表达式太长（最多 %d 字节）", SJ_EXPR_TEXT_MAX);
    else if (!sj_utf8_is_valid(sj_str_make(text, p->len), &bad))
        fail(p, bad, "不是有效的 UTF-8 文本");
    return p->has_error ? SJ_EFORMAT : 0;
}

int sj_expr_parse(const char *text, struct sj_expr **out, size_t *error_offset, char *message,
                  size_t message_size)
{
    struct parser p = {.s = text,
                       .len = text ? strlen(text) : 0,
                       .message = message,
                       .message_size = message_size};
    *out = NULL;
    if (message && message_size)
        message[0] = '\0';
    p.expr = sj_xcalloc(1, sizeof *p.expr);
    sj_arena_init(&p.expr->arena, 4096);
    if (check_text(&p, text) == 0) {
        next(&p);
        if (p.tok.type == T_EOF && !p.has_error)
            fail(&p, 0, "表达式为空");
        else
            p.expr->root = parse_or(&p);
    }
    if (!p.has_error && p.tok.type != T_EOF)
        expected(&p, p.tok.type == T_NAME || p.tok.type == T_PARAM || p.tok.type == T_TEXT
                         ? "and 或 or（两个条件之间要用 and 或 or 连接）"
                         : "and、or 或表达式结尾");
    if (p.has_error) {
        if (error_offset)
            *error_offset = p.error_offset;
        sj_expr_free(p.expr);
        return SJ_EFORMAT;
    }
    *out = p.expr;
    return 0;
}

const struct sj_expr_node *sj_expr_root(const struct sj_expr *expr)
{
    return expr->root;
}

size_t sj_expr_column_count(const struct sj_expr *expr)
{
    return expr->column_count;
}

const char *sj_expr_column(const struct sj_expr *expr, size_t index)
{
    return index < expr->column_count ? expr->columns[index] : NULL;
}

size_t sj_expr_param_count(const struct sj_expr *expr)
{
    return expr->param_count;
}

const char *sj_expr_param(const struct sj_expr *expr, size_t index)
{
    return index < expr->param_count ? expr->params[index] : NULL;
}
