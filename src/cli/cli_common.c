/*
 * cli_common.c - what the workspace commands share: parsing --workspace/--json/--limit/
 * --offset and positional arguments, opening the store (and saying why it failed), mapping
 * error codes to exit statuses, aligned text tables that measure CJK text by display
 * width, and JSON strings that survive invalid UTF-8.
 *
 * Invariants: nothing here exits the process; errors are printed once, here, and the
 * caller only returns the exit status it is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "shujian/json.h"
#include "shujian/ledger.h"
#include "shujian/store.h"

/* ---- Arguments ------------------------------------------------------------------------------ */

int sj_cli_parse_count(const char *text, int64_t *out)
{
    char *end = NULL;
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Matches "--name VALUE" and "--name=VALUE" at argv[*i]. Returns 1 (value taken, *i on the
 * last word used), 0 (not this option) or -1 (value missing). */
static int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t len = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, len) != 0)
        return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (arg[len] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

static int parse_page_option(const struct cmd *cmd, int argc, char **argv, int *i,
                             struct sj_cli_args *args)
{
    static const char *const names[2] = {"--limit", "--offset"};
    for (int k = 0; k < 2; k++) {
        const char *value = NULL;
        int took = take_value(argc, argv, i, names[k], &value);
        if (took < 0)
            return sj_cli_usage_error(cmd, "%s needs a value", names[k]);
        if (took == 0)
            continue;
        if (sj_cli_parse_count(value, k == 0 ? &args->limit : &args->offset) < 0)
            return sj_cli_usage_error(cmd, "%s wants a whole number >= 0, not '%s'", names[k],
                                      value);
        return 1;
    }
    return 0;
}

/* One option at argv[*i]: 1 when taken, 0 when not an option we know, or an exit status. */
static int parse_option(const struct cmd *cmd, int argc, char **argv, int *i, unsigned allowed,
                        struct sj_cli_args *args)
{
    int took = take_value(argc, argv, i, "--workspace", &args->workspace);
    if (took < 0)
        return sj_cli_usage_error(cmd, "--workspace needs a directory");
    if (took > 0)
        return 1;
    if ((allowed & SJ_CLI_OPT_JSON) && strcmp(argv[*i], "--json") == 0) {
        args->is_json = true;
        return 1;
    }
    if (allowed & SJ_CLI_OPT_PAGE)
        return parse_page_option(cmd, argc, argv, i, args);
    return 0;
}

int sj_cli_parse_args(const struct cmd *cmd, int argc, char **argv, unsigned allowed,
                      int positional, struct sj_cli_args *args)
{
    bool only_positional = false;
    memset(args, 0, sizeof *args);
    args->limit = 20;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_positional && strcmp(arg, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (!only_positional && arg[0] == '-' && arg[1] != '\0') {
            int rc = parse_option(cmd, argc, argv, &i, allowed, args);
            if (rc == 0)
                return sj_cli_usage_error(cmd, "unknown option '%s'", arg);
            if (rc != 1)
                return rc;
            continue;
        }
        if (args->positional_count >= positional || args->positional_count >= SJ_CLI_ARGS_MAX)
            return sj_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        args->positional[args->positional_count++] = arg;
    }
    if (args->positional_count < positional)
        return sj_cli_usage_error(cmd, "missing argument");
    return SJ_EXIT_OK;
}

static const char **positional_slot(const char **const *positional, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!*positional[i])
            return positional[i];
    }
    return NULL;
}

int sj_cli_parse_named(const struct cmd *cmd, int argc, char **argv,
                       const struct sj_cli_named *named, size_t n, const char **const *positional,
                       size_t n_positional, bool *is_json)
{
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--json") == 0) {
            *is_json = true;
            continue;
        }
        bool is_option = argv[i][0] == '-';
        for (size_t k = 0; is_option && k < n && !slot; k++)
            slot = strcmp(argv[i], named[k].name) == 0 ? named[k].value : NULL;
        if (is_option && !slot)
            return sj_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        if (!is_option)
            slot = positional_slot(positional, n_positional);
        if (!slot)
            return sj_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        if (is_option && ++i >= argc)
            return sj_cli_usage_error(cmd, "%s needs a value", argv[i - 1]);
        *slot = argv[i];
    }
    return SJ_EXIT_OK;
}

/* ---- Errors and the store ------------------------------------------------------------------- */

int sj_cli_exit_for(int code)
{
    if (code == SJ_ENOTFOUND)
        return SJ_EXIT_NEGATIVE;
    if (code == SJ_EUSAGE)
        return SJ_EXIT_USAGE;
    return code < 0 ? SJ_EXIT_FAILURE : SJ_EXIT_OK;
}

int sj_cli_fail(const struct cmd *cmd, const struct sj_err *err)
{
    char line[1024];
    sj_err_format(err, line, sizeof line);
    fprintf(stderr, "shujian %s: %s\n", cmd->name, line);
    return sj_cli_exit_for(err->code ? err->code : SJ_EDB);
}

int sj_cli_open_store(const struct cmd *cmd, const char *workspace, bool create,
                      struct sj_store **store)
{
    struct sj_err err;
    sj_err_clear(&err);
    const char *dir = sj_store_default_dir(workspace);
    if (sj_store_open(dir, create, store, &err) < 0)
        return sj_cli_fail(cmd, &err);
    return SJ_EXIT_OK;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

json_t *sj_cli_json_string(const char *s)
{
    return sj_json_string(s);
}

int sj_cli_print_json(json_t *root)
{
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    fputc('\n', stdout);
    return rc == 0 ? SJ_EXIT_OK : SJ_EXIT_FAILURE;
}

/* ---- Text tables ---------------------------------------------------------------------------- */

/* Appends cell to out with control characters made visible (a newline inside a cell
 * must not break the table) and cut to max_width display columns; returns the width. */
static size_t sanitize_cell(const char *cell, size_t max_width, struct sj_buf *out)
{
    size_t width = 0, len = strlen(cell);
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0xFFFD;
        int n = sj_utf8_decode(cell + i, len - i, &cp);
        char piece[8];
        size_t piece_len, piece_width;
        if (n <= 0 || cp < 0x20 || cp == 0x7f) {
            unsigned char b = (unsigned char)cell[i];
            if (b == '\n' || b == '\t')
                piece_len = (size_t)snprintf(piece, sizeof piece, "\\%c", b == '\n' ? 'n' : 't');
            else
                piece_len = (size_t)snprintf(piece, sizeof piece, "\\x%02x", b);
            piece_width = piece_len;
            n = 1;
        } else {
            memcpy(piece, cell + i, (size_t)n);
            piece_len = (size_t)n;
            int w = utf8proc_charwidth((utf8proc_int32_t)cp);
            piece_width = w > 0 ? (size_t)w : 0;
        }
        if (width + piece_width > max_width - 1 && i + (size_t)n < len) {
            sj_buf_append_cstr(out, "\xE2\x80\xA6"); /* … */
            return width + 1;
        }
        sj_buf_append(out, piece, piece_len);
        width += piece_width;
        i += (size_t)n;
    }
    return width;
}

void sj_cli_table_init(struct sj_cli_table *t, size_t column_count)
{
    memset(t, 0, sizeof *t);
    t->column_count = column_count;
    t->widths = sj_xcalloc(column_count ? column_count : 1, sizeof *t->widths);
    t->is_right = sj_xcalloc(column_count ? column_count : 1, sizeof *t->is_right);
}

void sj_cli_table_align_right(struct sj_cli_table *t, size_t column)
{
    if (column < t->column_count)
        t->is_right[column] = true;
}

void sj_cli_table_add_row(struct sj_cli_table *t, const char *const *cells)
{
    t->cells = sj_xrealloc(t->cells, (t->row_count + 1) * t->column_count * sizeof *t->cells);
    t->cell_widths =
        sj_xrealloc(t->cell_widths, (t->row_count + 1) * t->column_count * sizeof *t->cell_widths);
    for (size_t c = 0; c < t->column_count; c++) {
        struct sj_buf buf;
        sj_buf_init(&buf, 0);
        size_t w = sanitize_cell(cells[c] ? cells[c] : "", SJ_CLI_CELL_WIDTH_MAX, &buf);
        size_t at = t->row_count * t->column_count + c;
        t->cells[at] = buf.data ? sj_buf_detach(&buf, NULL) : sj_xstrdup("");
        t->cell_widths[at] = w;
        if (w > t->widths[c])
            t->widths[c] = w;
        sj_buf_release(&buf);
    }
    t->row_count++;
}

static void pad(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

void sj_cli_table_print(const struct sj_cli_table *t, FILE *out)
{
    for (size_t r = 0; r < t->row_count; r++) {
        for (size_t c = 0; c < t->column_count; c++) {
            size_t at = r * t->column_count + c;
            size_t gap = t->widths[c] - t->cell_widths[at];
            bool is_last = c + 1 == t->column_count;
            if (t->is_right[c])
                pad(out, gap);
            fputs(t->cells[at], out);
            if (!t->is_right[c] && !is_last)
                pad(out, gap);
            if (!is_last)
                fputs("  ", out);
        }
        fputc('\n', out);
    }
}

void sj_cli_table_release(struct sj_cli_table *t)
{
    for (size_t i = 0; i < t->row_count * t->column_count; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->cell_widths);
    free(t->widths);
    free(t->is_right);
    memset(t, 0, sizeof *t);
}

/* ---- Ledger ------------------------------------------------------------------------------- */

void sj_cli_print_listing(json_t *list, struct sj_cli_table *t, bool is_json)
{
    if (is_json) {
        sj_cli_print_json(list);
    } else {
        sj_cli_table_print(t, stdout);
        json_decref(list);
    }
    sj_cli_table_release(t);
}

int sj_cli_audit(struct sj_store *store, const char *action, const char *object_type,
                 int64_t object_id, json_t *payload, struct sj_err *err)
{
    struct sj_ledger *ledger = NULL;
    char id[24], from[96];
    char *text = NULL;
    int rc = sj_ledger_open(store, &ledger, err);
    if (rc == SJ_ENOTFOUND) {
        sj_err_clear(err);
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    const char *login = getlogin();
    if (!login)
        login = getenv("USER");
    snprintf(id, sizeof id, "%" PRId64, object_id);
    snprintf(from, sizeof from, "cli:%s", login && *login ? login : "?");
    text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct sj_ledger_record rec = {.actor = "system",
                                   .office = "",
                                   .action = action,
                                   .object_type = object_type,
                                   .object_id = id,
                                   .from = from,
                                   .payload_json = text ? text : "{}"};
    rc = sj_ledger_append(ledger, &rec, NULL, err);
out:
    free(text);
    json_decref(payload);
    sj_ledger_close(ledger);
    return rc;
}
