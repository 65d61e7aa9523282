/*
 * text.c - positions in a model file's text and the words of its diagnostics: where a YAML
 * node or a byte of a scalar's value is (line:column, columns counted in characters as
 * libyaml and editors count them), YAML syntax errors in words a modeler understands,
 * "did you mean" suggestions, lists joined for hints, and which names a model may use.
 *
 * Invariant: every position returned lies within the text or is {0, 0} (unknown).
 */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "model/check_int.h"

/* ---- Lines and YAML syntax errors ------------------------------------------------------------ */

/* Line starts as libyaml counts lines: breaks are LF, CR LF, CR, NEL, LS and PS; a BOM
 * before the first line is skipped by libyaml and is not part of it. */
void sj_model_index_lines(struct sj_model_parser *p)
{
    size_t alloc = 64;
    p->lines = sj_xmalloc(alloc * sizeof *p->lines);
    p->line_count = 0;
    size_t i = p->len >= 3 && memcmp(p->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    p->lines[p->line_count++] = i;
    const unsigned char *s = (const unsigned char *)p->text;
    while (i < p->len) {
        size_t brk = 0;
        if (s[i] == '\n')
            brk = 1;
        else if (s[i] == '\r')
            brk = i + 1 < p->len && s[i + 1] == '\n' ? 2 : 1;
        else if (s[i] == 0xC2 && i + 1 < p->len && s[i + 1] == 0x85)
            brk = 2;
        else if (s[i] == 0xE2 && i + 2 < p->len && s[i + 1] == 0x80 &&
                 (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
            brk = 3;
        if (brk == 0) {
            i++;
            continue;
        }
        i += brk;
        if (p->line_count == alloc) {
            alloc *= 2;
            p->lines = sj_xrealloc(p->lines, alloc * sizeof *p->lines);
        }
        p->lines[p->line_count++] = i;
    }
}

/* Lines indented with a tab: YAML allows only spaces there. Returns how many were found. */
static int report_tabs(struct sj_model_parser *p, size_t error_line)
{
    int found = 0;
    bool on_error_line = false;
    for (size_t l = 0; l < p->line_count; l++) {
        size_t i = p->lines[l];
        while (i < p->len && p->text[i] == ' ')
            i++;
        if (i >= p->len || p->text[i] != '\t')
            continue;
        found++;
        on_error_line = on_error_line || l == error_line;
        sj_model_diag_add(p, sj_model_offset_pos(p, i), "把行首的 Tab 换成空格（通常每层两个空格）",
                          "缩进里不能用制表符（Tab），YAML 只认空格");
    }
    return on_error_line ? -found : found;
}

static const struct {
    const char *problem; /* a part of libyaml's message */
    const char *message;
    const char *hint;
} yaml_problems[] = {
    {"tab", "缩进里不能用制表符（Tab），YAML 只认空格", "把 Tab 换成空格"},
    {"mapping values are not allowed", "这里不能出现“键: 值”",
     "检查缩进是否对齐；文字里有“: ”时请用引号括起来"},
    {"did not find expected key", "缩进没有对齐，或者少了冒号", "同一层的键要对齐到同一列"},
    {"could not find expected ':'", "缺少冒号“:”", "键和值之间写“: ”（冒号后有空格）"},
    {"block sequence entries are not allowed", "这里不能出现列表项“- ”",
     "列表项要比它上面的键多缩进，或放在键的下一行"},
    {"expected ',' or ']'", "方括号列表没有闭合", "写成 [a, b, c]，项之间用英文逗号"},
    {"expected ',' or '}'", "花括号映射没有闭合", "写成 {键: 值, 键: 值}，项之间用英文逗号"},
    {"end of stream", "文件意外结束", "检查引号和括号是否成对"},
    {"undefined alias", "找不到这个别名（*名称）", "去掉“*”，或先用“&名称”定义它"},
    {"cannot start any token", "这里的字符不能作为值的开头",
     "以 @、`、%、| 等开头的文字请用引号括起来"},
    {"control characters", "文件里有控制字符", "删掉不可见的字符，另存为 UTF-8 文本"},
    {"expected node content", "这里缺少内容", "检查缩进和标点"},
    {"unknown escape character", "双引号里的转义写法不对", "改用单引号，或把 \\ 写成 \\\\"},
    {"expected <document start>", "多出来的内容", "一个文件只写一个模型；检查缩进"},
    {"comment or line break", "这一行后面多出了内容", "值里有“#”或引号时，把整个值用引号括起来"},
};

void sj_model_report_syntax(struct sj_model_parser *p, const yaml_parser_t *yp)
{
    const char *problem = yp->problem ? yp->problem : "syntax error";
    struct sj_model_pos pos = sj_model_mark_pos(p, yp->problem_mark);
    if (yp->error == YAML_READER_ERROR)
        pos = sj_model_offset_pos(p, yp->problem_offset);
    /* Negative: one of the tabs is on the line libyaml stopped at, and is the reason. */
    int tabs = report_tabs(p, (size_t)pos.line - 1);
    const char *message = "YAML 语法错误", *hint = "检查缩进、冒号和引号";
    for (size_t i = 0; i < SJ_ARRAY_LEN(yaml_problems); i++) {
        if (strstr(problem, yaml_problems[i].problem)) {
            message = yaml_problems[i].message;
            hint = yaml_problems[i].hint;
            break;
        }
    }
    if (tabs < 0 || (tabs > 0 && strstr(problem, "tab")))
        return;
    sj_model_diag_add(p, pos, hint, "%s（YAML：%s）", message, problem);
}

static bool is_continuation(unsigned char ch)
{
    return (ch & 0xC0) == 0x80;
}

struct sj_model_pos sj_model_offset_pos(const struct sj_model_parser *p, size_t offset)
{
    if (!p->lines || p->line_count == 0)
        return (struct sj_model_pos){0, 0};
    if (offset > p->len)
        offset = p->len;
    size_t lo = 0, hi = p->line_count; /* the last line starting at or before offset */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    int column = 1;
    for (size_t i = p->lines[lo]; i < offset; i++) {
        if (!is_continuation((unsigned char)p->text[i]))
            column++;
    }
    return (struct sj_model_pos){(int)lo + 1, column};
}

/* Byte offset of a libyaml mark (0-based line, column in characters). */
static size_t mark_offset(const struct sj_model_parser *p, yaml_mark_t mark)
{
    if (!p->lines || mark.line >= p->line_count)
        return p->len;
    size_t i = p->lines[mark.line];
    for (size_t col = 0; col < mark.column && i < p->len; col++) {
        i++;
        while (i < p->len && is_continuation((unsigned char)p->text[i]))
            i++;
    }
    return i;
}

struct sj_model_pos sj_model_node_pos(const struct sj_model_parser *p, int node)
{
    yaml_node_t *n =
        p->has_doc && node > 0 ? yaml_document_get_node((yaml_document_t *)&p->doc, node) : NULL;
    if (!n)
        return (struct sj_model_pos){0, 0};
    return sj_model_mark_pos(p, n->start_mark);
}

struct sj_model_pos sj_model_mark_pos(const struct sj_model_parser *p, yaml_mark_t mark)
{
    /* At the end of a text without a final line break libyaml moves to a line that is not
     * there; point at the end of the last line instead. */
    if (p->lines && mark.line >= p->line_count)
        return sj_model_offset_pos(p, p->len);
    return (struct sj_model_pos){(int)mark.line + 1, (int)mark.column + 1};
}

/* The value of a scalar is its source text less quotes, escapes, indentation and folded line
 * breaks, so walking both and skipping source bytes that do not match finds where a byte of
 * the value came from. */
struct sj_model_pos sj_model_value_pos(const struct sj_model_parser *p, int node, size_t offset)
{
    yaml_node_t *n =
        p->has_doc && node > 0 ? yaml_document_get_node((yaml_document_t *)&p->doc, node) : NULL;
    if (!n || n->type != YAML_SCALAR_NODE)
        return sj_model_node_pos(p, node);
    const char *v = (const char *)n->data.scalar.value;
    size_t vlen = n->data.scalar.length;
    size_t src = mark_offset(p, n->start_mark), end = mark_offset(p, n->end_mark);
    if (offset > vlen)
        offset = vlen;
    size_t i = 0;
    while (src < end && i < offset) {
        if (p->text[src] == v[i])
            i++;
        src++;
    }
    while (src < end && i < vlen && p->text[src] != v[i])
        src++;
    if (i < offset || src >= end)
        return sj_model_node_pos(p, node);
    return sj_model_offset_pos(p, src);
}

/* ---- Words ----------------------------------------------------------------------------------- */

#define WORD_MAX 64 /* longer words get no suggestion */

/* Code points of s, ASCII letters lower-cased; -1 when longer than WORD_MAX. */
static int to_points(const char *s, uint32_t *out)
{
    int n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp = (unsigned char)s[i];
        int used = sj_utf8_decode(s + i, len - i, &cp);
        if (used <= 0)
            used = 1;
        if (n == WORD_MAX)
            return -1;
        out[n++] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        i += (size_t)used;
    }
    return n;
}

/* Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours each cost one ("fliter" is one away from "filter"). */
static int distance(const uint32_t *a, int n, const uint32_t *b, int m)
{
    static const int W = WORD_MAX + 1;
    int d[(WORD_MAX + 1) * (WORD_MAX + 1)];
    for (int i = 0; i <= n; i++)
        d[i * W] = i;
    for (int k = 0; k <= m; k++)
        d[k] = k;
    for (int i = 1; i <= n; i++) {
        for (int k = 1; k <= m; k++) {
            int cost = a[i - 1] != b[k - 1];
            int best = d[(i - 1) * W + k] + 1;
            if (d[i * W + k - 1] + 1 < best)
                best = d[i * W + k - 1] + 1;
            if (d[(i - 1) * W + k - 1] + cost < best)
                best = d[(i - 1) * W + k - 1] + cost;
            if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] &&
                d[(i - 2) * W + k - 2] + 1 < best)
                best = d[(i - 2) * W + k - 2] + 1;
            d[i * W + k] = best;
        }
    }
    return d[n * W + m];
}

const char *sj_model_suggest(const char *word, const char *const *candidates, size_t count)
{
    uint32_t a[WORD_MAX], b[WORD_MAX];
    int n = to_points(word, a);
    if (n <= 0)
        return NULL;
    const char *best = NULL;
    int best_d = 3; /* at most two edits, and fewer than half the word */
    for (size_t i = 0; i < count; i++) {
        int m = candidates[i] ? to_points(candidates[i], b) : -1;
        if (m < 0)
            continue;
        int d = distance(a, n, b, m);
        if (d < best_d && d * 2 <= n) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

const char *sj_model_join(const char *const *items, size_t count, char *buf, size_t size)
{
    static const char sep[] = "、", more[] = "…";
    size_t len = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        size_t need = strlen(items[i]) + (i ? strlen(sep) : 0);
        if (len + need + strlen(more) + 1 > size) {
            if (len + strlen(more) + 1 <= size)
                memcpy(buf + len, more, strlen(more) + 1);
            break;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "", items[i]);
    }
    return buf;
}

/* Cuts a string that snprintf may have cut inside a UTF-8 sequence back to whole characters. */
void sj_model_trim_utf8(char *s)
{
    size_t n = strlen(s), bad = 0;
    while (n > 0 && !sj_utf8_is_valid(sj_str_make(s, n), &bad))
        n = bad;
    s[n] = '\0';
}

bool sj_model_is_name(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        int used = sj_utf8_decode(s + i, len - i, &cp);
        if (used <= 0)
            return false;
        bool ok;
        if (cp < 0x80) {
            ok = cp == '_' || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                 (i > 0 && cp >= '0' && cp <= '9');
        } else {
            utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
            ok = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
                 cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LM ||
                 cat == UTF8PROC_CATEGORY_LO ||
                 (i > 0 && (cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_MN ||
                            cat == UTF8PROC_CATEGORY_MC));
        }
        if (!ok)
            return false;
        i += (size_t)used;
    }
    return true;
}
