/*
 * cmd_norm.c - `shujian norm KIND VALUE...`: normalises values of one semantic kind (or
 * detects the kind with "auto") and prints one compact JSON object per value, one per line,
 * with the keys kind, input, valid, value, parts, error in that order.
 * Invariants: every value given produces exactly one output line, in input order (so a
 * bulk check from standard input lines up with its source); output is always valid UTF-8
 * JSON, invalid input bytes being shown as U+FFFD; stdin lines have a hard length cap.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shujian/norm.h"

#define LINE_MAX_BYTES 4096 /* far above any value a parser accepts (SJ_NORM_VALUE_MAX) */

static const char usage[] =
    "usage: shujian norm KIND VALUE...\n"
    "       shujian norm KIND -          (values from standard input, one per line)\n"
    "\n"
    "Normalises each VALUE as KIND and prints one JSON object per value, one per line:\n"
    "  {\"kind\":..,\"input\":..,\"valid\":..,\"value\":..,\"parts\":{..},\"error\":..}\n"
    "value is the canonical form (a JSON number for amounts, in fen, integers and\n"
    "numbers; null when invalid); error is the reason in Chinese, null when valid.\n"
    "\n"
    "KIND is one of: text idcard name phone date datetime amount case-no credit-code\n"
    "org-code bankcard plate integer number, or auto to detect the kind of each value.\n"
    "\n"
    "Exit status: 0 when every value is valid, 1 when any is invalid, 2 on a usage error.\n"
    "\n"
    "Examples:\n"
    "  shujian norm idcard 11010519491231002X\n"
    "  shujian norm amount 人民币壹万贰仟叁佰肆拾伍元陆角柒分\n"
    "  cut -d, -f3 people.csv | shujian norm auto -\n";

/* A JSON string of bytes that may not be valid UTF-8: bad bytes become U+FFFD. */
static json_t *json_text(const char *s, size_t len)
{
    if (sj_utf8_is_valid(sj_str_make(s, len), NULL))
        return json_stringn(s, len);
    struct sj_buf clean;
    sj_buf_init(&clean, 0);
    sj_utf8_repair(sj_str_make(s, len), &clean);
    json_t *str = json_stringn(sj_buf_cstr(&clean), clean.len);
    sj_buf_release(&clean);
    return str;
}

/* The fewest significant digits (1-17) that print d so that it reads back exactly. */
static int shortest_precision(double d)
{
    char buf[40];
    for (int prec = 1; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return prec;
    }
    return 17;
}

/* Canonical text flagged as a number: a JSON integer when it is one that fits in 64 bits,
 * else a real (printed with the fewest digits that read back exactly: *precision grows to
 * what this value needs), else, when it is not a number at all, the text. */
static json_t *json_number_text(const char *s, int *precision)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s && *end == '\0' && errno == 0)
        return json_integer((json_int_t)v);
    errno = 0;
    double d = strtod(s, &end);
    if (*s && *end == '\0' && errno == 0 && d == d) {
        int prec = shortest_precision(d);
        if (prec > *precision)
            *precision = prec;
        return json_real(d);
    }
    return json_text(s, strlen(s));
}

static json_t *value_json(const struct sj_norm_result *r, int *precision)
{
    if (!r->is_valid)
        return json_null();
    if (!r->value_is_number)
        return json_text(r->value, r->value_len);
    if (r->kind == SJ_KIND_AMOUNT || r->kind == SJ_KIND_INTEGER)
        return json_integer((json_int_t)r->number); /* exact: fen, or the integer */
    return json_number_text(r->value, precision);
}

static json_t *result_json(struct sj_str in, const struct sj_norm_result *r, int *precision)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "kind", json_string(sj_kind_name(r->kind)));
    json_object_set_new(obj, "input", json_text(in.ptr, in.len));
    json_object_set_new(obj, "valid", json_boolean(r->is_valid));
    json_object_set_new(obj, "value", value_json(r, precision));
    json_t *parts = json_object();
    for (int i = 0; i < r->part_count && i < SJ_NORM_PARTS_MAX; i++) {
        const struct sj_norm_part *p = &r->parts[i];
        json_object_set_new(parts, p->key,
                            p->is_number ? json_number_text(p->value, precision)
                                         : json_text(p->value, strlen(p->value)));
    }
    json_object_set_new(obj, "parts", parts);
    json_object_set_new(obj, "error",
                        r->is_valid ? json_null() : json_text(r->reason, strlen(r->reason)));
    return obj;
}

/* Prints the JSON line for one value; returns whether it was valid. */
static bool print_result(struct sj_str in, const struct sj_norm_result *r)
{
    int precision = 1;
    json_t *obj = result_json(in, r, &precision);
    json_dumpf(obj, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(precision));
    putchar('\n');
    json_decref(obj);
    return r->is_valid;
}

static bool norm_one(enum sj_kind kind, struct sj_str in)
{
    struct sj_norm_result r;
    sj_norm(kind, in, &r);
    return print_result(in, &r);
}

/* Reads one line without its "\n" or "\r\n" into line. Returns false at the end of input.
 * Bytes past the cap are skipped and *is_cut set. */
static bool read_line(FILE *in, struct sj_buf *line, bool *is_cut)
{
    bool has_line = false;
    int c;
    sj_buf_reset(line);
    *is_cut = false;
    while ((c = getc_unlocked(in)) != EOF) {
        has_line = true;
        if (c == '\n')
            break;
        if (sj_buf_putc(line, (char)c) != 0)
            *is_cut = true;
    }
    if (line->len > 0 && line->data[line->len - 1] == '\r')
        line->data[--line->len] = '\0';
    return has_line;
}

/* One value per line of standard input; a UTF-8 byte-order mark (Excel) is skipped. */
static bool norm_stdin(enum sj_kind kind)
{
    bool all_valid = true, is_cut;
    struct sj_buf line;
    sj_buf_init(&line, LINE_MAX_BYTES);
    for (long n = 0; read_line(stdin, &line, &is_cut); n++) {
        struct sj_str s = sj_buf_str(&line);
        if (n == 0 && sj_str_has_prefix(s, SJ_STR_LIT("\xEF\xBB\xBF")))
            s = sj_str_slice(s, 3, s.len);
        if (is_cut) {
            struct sj_norm_result r;
            memset(&r, 0, sizeof r);
            r.kind = kind == SJ_KIND_AUTO ? SJ_KIND_TEXT : kind;
            snprintf(r.reason, sizeof r.reason, "内容过长（超过%d字节）", LINE_MAX_BYTES);
            all_valid = false;
            print_result(s, &r);
            continue;
        }
        all_valid &= norm_one(kind, s);
    }
    sj_buf_release(&line);
    return all_valid;
}

static int unknown_kind(const char *name)
{
    fprintf(stderr, "shujian norm: unknown kind '%s'\nkinds:", name);
    for (int k = 0; k < SJ_KIND_COUNT; k++)
        fprintf(stderr, " %s", sj_kind_name((enum sj_kind)k));
    fputc('\n', stderr);
    return SJ_EXIT_USAGE;
}

static int run(int argc, char **argv)
{
    if (sj_cli_wants_help(&sj_cmd_norm, argc, argv))
        return SJ_EXIT_OK;
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0)
        first++;
    if (argc - first < 2)
        return sj_cli_usage_error(&sj_cmd_norm, "expected a KIND and at least one VALUE");
    enum sj_kind kind;
    if (sj_kind_parse(argv[first], &kind) != 0)
        return unknown_kind(argv[first]);
    bool all_valid = true;
    for (int i = first + 1; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0)
            all_valid &= norm_stdin(kind);
        else
            all_valid &= norm_one(kind, sj_str_from_cstr(argv[i]));
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "shujian norm: cannot write the output: %s\n", strerror(errno));
        return SJ_EXIT_FAILURE;
    }
    return all_valid ? SJ_EXIT_OK : SJ_EXIT_NEGATIVE;
}

const struct cmd sj_cmd_norm = {
    .name = "norm",
    .summary = "normalise and check values (ID numbers, dates, amounts, ...)",
    .usage = usage,
    .run = run,
};
