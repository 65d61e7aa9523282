/*
 * xlsx_meta.c - the parts of an .xlsx workbook other than the sheet rows: the zip container
 * (checked entry by entry against zip-bomb limits before anything is inflated), the package
 * relationships that say where the workbook, its sheets, styles and shared strings live,
 * the sheet list in workbook order, the date system, which cell styles are dates, and the
 * shared strings (one capped pool). Every part is parsed with expat in 64 KiB chunks;
 * documents with a DTD are refused, so no entity can expand.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

#include "ingest/workbook.h"

/* ---- Small helpers shared with xlsx.c ------------------------------------------------------ */

const char *sj_xlsx_local_name(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

const char *sj_xlsx_attr(const char **attrs, const char *local)
{
    for (size_t i = 0; attrs[i]; i += 2) {
        if (strcmp(sj_xlsx_local_name(attrs[i]), local) == 0)
            return attrs[i + 1];
    }
    return NULL;
}

bool sj_xlsx_parse_ref(const char *ref, size_t len, uint32_t *column, uint32_t *row)
{
    size_t i = 0;
    uint32_t col = 0, r = 0;
    if (i < len && ref[i] == '$')
        i++;
    for (; i < len && ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z')); i++) {
        col = col * 26 + (uint32_t)((ref[i] | 0x20) - 'a' + 1);
        if (col > 16384)
            return false;
    }
    if (col == 0)
        return false;
    if (i < len && ref[i] == '$')
        i++;
    for (; i < len && ref[i] >= '0' && ref[i] <= '9'; i++) {
        r = r * 10 + (uint32_t)(ref[i] - '0');
        if (r > 1048576)
            return false;
    }
    if (i != len)
        return false;
    *column = col;
    *row = r;
    return true;
}

/* Appends to a malloc array that grows at powers of two: room for item count. */
static void *grow_pow2(void *array, size_t count, size_t item)
{
    if ((count & (count - 1)) == 0)
        array = sj_xrealloc(array, (count ? count * 2 : 1) * item);
    return array;
}

/* ---- The zip container ---------------------------------------------------------------------- */

static int check_entry(struct sj_xlsx_book *book, const char *name, const unz_file_info64 *info,
                       struct sj_err *err)
{
    uint64_t size = info->uncompressed_size, packed = info->compressed_size;
    if (size > SJ_XLSX_MAX_ENTRY ||
        (size > SJ_XLSX_RATIO_FLOOR && size / SJ_XLSX_MAX_RATIO > packed)) {
        sj_err_at(err, book->path, -1, -1, NULL);
        return sj_err_set(
            err, SJ_ETOOBIG,
            "压缩包内的 %s 解压后有 %llu 字节（压缩后 %llu 字节），超过安全上限"
            "（单项 2 GiB，或大于 100 MiB 且压缩比超过 %d 倍），疑似压缩炸弹，已拒绝读取",
            name, (unsigned long long)size, (unsigned long long)packed, SJ_XLSX_MAX_RATIO);
    }
    return 0;
}

static int zip_damaged(struct sj_xlsx_book *book, const char *why, struct sj_err *err)
{
    sj_err_at(err, book->path, -1, -1, NULL);
    return sj_err_set(err, SJ_EFORMAT, "不是有效的 xlsx 文件：%s（文件可能被截断或损坏）", why);
}

static int check_entries(struct sj_xlsx_book *book, struct sj_err *err)
{
    unz_global_info64 global;
    if (unzGetGlobalInfo64(book->zip, &global) != UNZ_OK)
        return zip_damaged(book, "无法读取 zip 目录", err);
    if (global.number_entry > SJ_XLSX_MAX_ENTRIES) {
        sj_err_at(err, book->path, -1, -1, NULL);
        return sj_err_set(err, SJ_ETOOBIG, "压缩包内有 %llu 项，超过上限 %d",
                          (unsigned long long)global.number_entry, SJ_XLSX_MAX_ENTRIES);
    }
    int rc = unzGoToFirstFile(book->zip);
    while (rc == UNZ_OK) {
        unz_file_info64 info;
        char name[512];
        /* minizip leaves a name that fills the buffer unterminated. */
        if (unzGetCurrentFileInfo64(book->zip, &info, name, sizeof name - 1, NULL, 0, NULL, 0) !=
            UNZ_OK)
            return zip_damaged(book, "zip 目录项无法读取", err);
        name[sizeof name - 1] = '\0';
        int bad = check_entry(book, name, &info, err);
        if (bad)
            return bad;
        rc = unzGoToNextFile(book->zip);
    }
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        return zip_damaged(book, "zip 目录不完整", err);
    return 0;
}

int sj_xlsx_zip_open(struct sj_xlsx_book *book, struct sj_err *err)
{
    FILE *f = fopen(book->path, "rb");
    if (!f) {
        int e = errno;
        sj_err_at(err, book->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EIO, "无法打开文件：%s", strerror(e));
    }
    fclose(f);
    book->zip = unzOpen64(book->path);
    if (!book->zip)
        return zip_damaged(book, "找不到完整的 zip 目录", err);
    return check_entries(book, err);
}

int sj_xlsx_entry_open(struct sj_xlsx_book *book, const char *name, struct sj_err *err)
{
    /* 2: names compare without case, as Excel does. */
    if (unzLocateFile(book->zip, name, 2) != UNZ_OK) {
        sj_err_at(err, book->path, -1, -1, NULL);
        return sj_err_set(err, SJ_ENOTFOUND, "压缩包内缺少 %s", name);
    }
    if (unzOpenCurrentFile(book->zip) != UNZ_OK) {
        sj_err_at(err, book->path, -1, -1, NULL);
        return sj_err_set(err, SJ_EFORMAT, "压缩包内的 %s 无法解压（压缩方式不支持或数据损坏）",
                          name);
    }
    return 0;
}

/* ---- Parsing one part with expat --------------------------------------------------------------
 */

/* The first member of every part's user data: where a handler records why it stopped. */
struct part_ctx {
    XML_Parser parser;
    int code;
    char message[256];
};

static void part_fail(struct part_ctx *ctx, int code, const char *fmt, ...) SJ_PRINTF(3, 4);
static void part_fail(struct part_ctx *ctx, int code, const char *fmt, ...)
{
    if (ctx->code == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
        va_end(ap);
        ctx->code = code;
    }
    XML_StopParser(ctx->parser, XML_FALSE);
}

static void XMLCALL reject_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal_subset)
{
    part_fail(data, SJ_EFORMAT, "XML 中含有 DTD（xlsx 不应有），已拒绝");
}

/* Feeds the open zip entry to parser in chunks until the end or an error. */
static int feed_entry(struct sj_xlsx_book *book, const char *entry, struct part_ctx *ctx,
                      struct sj_err *err)
{
    for (;;) {
        void *buf = XML_GetBuffer(ctx->parser, SJ_XLSX_CHUNK);
        if (!buf)
            return sj_err_set(err, SJ_EFORMAT, "%s：XML 解析器无法分配缓冲区", entry);
        int n = unzReadCurrentFile(book->zip, buf, SJ_XLSX_CHUNK);
        if (n < 0)
            return sj_err_set(err, SJ_EFORMAT, "%s 解压失败（数据损坏，错误 %d）", entry, n);
        if (XML_ParseBuffer(ctx->parser, n, n == 0) != XML_STATUS_OK) {
            if (ctx->code)
                return sj_err_set(err, ctx->code, "%s：%s", entry, ctx->message);
            return sj_err_set(err, SJ_EFORMAT, "%s 第 %lu 行 XML 有误：%s", entry,
                              (unsigned long)XML_GetCurrentLineNumber(ctx->parser),
                              XML_ErrorString(XML_GetErrorCode(ctx->parser)));
        }
        if (n == 0)
            return 0;
    }
}

/* Parses the zip entry with the handlers; ctx is the handlers' user data. SJ_ENOTFOUND
 * (with err untouched) when the entry is absent. */
static int parse_part(struct sj_xlsx_book *book, const char *entry, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler chars,
                      struct part_ctx *ctx, struct sj_err *err)
{
    if (unzLocateFile(book->zip, entry, 2) != UNZ_OK)
        return SJ_ENOTFOUND;
    int rc = sj_xlsx_entry_open(book, entry, err);
    if (rc)
        return rc;
    ctx->parser = XML_ParserCreateNS(NULL, '|');
    if (!ctx->parser)
        abort();
    XML_SetUserData(ctx->parser, ctx);
    XML_SetElementHandler(ctx->parser, start, end);
    XML_SetCharacterDataHandler(ctx->parser, chars);
    XML_SetStartDoctypeDeclHandler(ctx->parser, reject_doctype);
    rc = feed_entry(book, entry, ctx, err);
    int closed = unzCloseCurrentFile(book->zip);
    if (rc == 0 && closed == UNZ_CRCERROR)
        rc = sj_err_set(err, SJ_EFORMAT, "%s 校验和不符（数据损坏）", entry);
    XML_ParserFree(ctx->parser);
    ctx->parser = NULL;
    if (rc)
        sj_err_at(err, book->path, -1, -1, NULL);
    return rc;
}

/* ---- Relationships ----------------------------------------------------------------------------
 */

struct rel {
    const char *id, *type, *target;
};

#define MAX_RELS (4 * SJ_XLSX_MAX_SHEETS)

struct rels_ctx {
    struct part_ctx base;
    struct sj_arena *arena;
    struct rel *rels; /* malloc */
    size_t count, alloc;
};

static void XMLCALL rels_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct rels_ctx *ctx = data;
    if (strcmp(sj_xlsx_local_name(name), "Relationship") != 0)
        return;
    const char *id = sj_xlsx_attr(attrs, "Id"), *type = sj_xlsx_attr(attrs, "Type");
    const char *target = sj_xlsx_attr(attrs, "Target"), *mode = sj_xlsx_attr(attrs, "TargetMode");
    if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
        return;
    if (ctx->count >= MAX_RELS) {
        part_fail(&ctx->base, SJ_ETOOBIG, "关系项超过 %d 个", MAX_RELS);
        return;
    }
    if (ctx->count == ctx->alloc) {
        ctx->alloc = ctx->alloc ? ctx->alloc * 2 : 16;
        ctx->rels = sj_xrealloc(ctx->rels, ctx->alloc * sizeof *ctx->rels);
    }
    struct rel *r = &ctx->rels[ctx->count++];
    r->id = sj_arena_strndup(ctx->arena, id, strlen(id));
    r->type = sj_arena_strndup(ctx->arena, type, strlen(type));
    r->target = sj_arena_strndup(ctx->arena, target, strlen(target));
}

static void XMLCALL ignore_end(void *data, const XML_Char *name)
{
}

static const struct rel *rel_by_type(const struct rels_ctx *ctx, const char *suffix)
{
    size_t n = strlen(suffix);
    for (size_t i = 0; i < ctx->count; i++) {
        size_t len = strlen(ctx->rels[i].type);
        if (len >= n && strcmp(ctx->rels[i].type + len - n, suffix) == 0)
            return &ctx->rels[i];
    }
    return NULL;
}

static const struct rel *rel_by_id(const struct rels_ctx *ctx, const char *id)
{
    for (size_t i = 0; i < ctx->count; i++) {
        if (strcmp(ctx->rels[i].id, id) == 0)
            return &ctx->rels[i];
    }
    return NULL;
}

/* The zip entry that target names, relative to the folder dir ("" for the root): "/x" is
 * absolute, "." and ".." segments are resolved. Owned by the arena. */
static char *resolve_target(struct sj_arena *arena, const char *dir, const char *target)
{
    size_t cap = strlen(dir) + strlen(target) + 2, len = 0;
    char *out = sj_arena_alloc(arena, cap);
    const char *parts[2] = {target[0] == '/' ? "" : dir, target};
    for (int p = 0; p < 2; p++) {
        const char *s = parts[p];
        while (*s) {
            size_t seg = strcspn(s, "/");
            if (seg == 2 && s[0] == '.' && s[1] == '.') {
                while (len > 0 && out[len - 1] != '/')
                    len--;
                if (len > 0)
                    len--;
            } else if (seg > 0 && !(seg == 1 && s[0] == '.')) {
                if (len > 0)
                    out[len++] = '/';
                memcpy(out + len, s, seg);
                len += seg;
            }
            s += seg + (s[seg] == '/');
        }
    }
    out[len] = '\0';
    return out;
}

/* Parses the relationships part entry into ctx (left empty when absent). */
static int load_rels(struct sj_xlsx_book *book, const char *entry, struct rels_ctx *ctx,
                     struct sj_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->arena = &book->arena;
    int rc = parse_part(book, entry, rels_start, ignore_end, NULL, &ctx->base, err);
    return rc == SJ_ENOTFOUND ? 0 : rc;
}

/* ---- The workbook: sheets and the date system ------------------------------------------------ */

struct wb_sheet {
    const char *name, *rid;
};

struct wb_ctx {
    struct part_ctx base;
    struct sj_xlsx_book *book;
    struct wb_sheet *sheets; /* malloc */
    size_t count;
};

static void XMLCALL wb_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct wb_ctx *ctx = data;
    const char *local = sj_xlsx_local_name(name);
    if (strcmp(local, "workbookPr") == 0) {
        const char *v = sj_xlsx_attr(attrs, "date1904");
        ctx->book->is_1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(local, "sheet") == 0) {
        const char *sheet_name = sj_xlsx_attr(attrs, "name"), *rid = sj_xlsx_attr(attrs, "id");
        if (ctx->count >= SJ_XLSX_MAX_SHEETS) {
            part_fail(&ctx->base, SJ_ETOOBIG, "工作表超过 %d 个", SJ_XLSX_MAX_SHEETS);
            return;
        }
        ctx->sheets = grow_pow2(ctx->sheets, ctx->count, sizeof *ctx->sheets);
        struct sj_arena *a = &ctx->book->arena;
        ctx->sheets[ctx->count].name =
            sj_arena_strndup(a, sheet_name ? sheet_name : "", sheet_name ? strlen(sheet_name) : 0);
        ctx->sheets[ctx->count].rid = rid ? sj_arena_strndup(a, rid, strlen(rid)) : NULL;
        ctx->count++;
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Fills book->sheets from the workbook's sheet list, skipping chart, dialog and macro sheets
 * (they have no cells). A sheet without a relationship falls back to Excel's usual path. */
static void resolve_sheets(struct sj_xlsx_book *book, const struct wb_ctx *wb,
                           const struct rels_ctx *rels, const char *dir)
{
    book->sheets = sj_arena_alloc(&book->arena, (wb->count + 1) * sizeof *book->sheets);
    book->sheet_count = 0;
    for (size_t i = 0; i < wb->count; i++) {
        const struct rel *r = wb->sheets[i].rid ? rel_by_id(rels, wb->sheets[i].rid) : NULL;
        char *path;
        if (r && !has_suffix(r->type, "/worksheet"))
            continue;
        if (r) {
            path = resolve_target(&book->arena, dir, r->target);
        } else {
            path = sj_arena_sprintf(&book->arena, "%s%sworksheets/sheet%zu.xml", dir,
                                    dir[0] ? "/" : "", i + 1);
        }
        book->sheets[book->sheet_count].name = (char *)wb->sheets[i].name;
        book->sheets[book->sheet_count].path = path;
        book->sheet_count++;
    }
}

/* ---- Styles: which cell formats are dates -------------------------------------------------- */

/* A custom number format: its id and class. */
struct numfmt {
    unsigned id;
    uint8_t cls;
};

struct styles_ctx {
    struct part_ctx base;
    struct numfmt *fmts; /* malloc */
    size_t fmt_count;
    unsigned *xf_fmt; /* numFmtId of each cellXfs entry (malloc) */
    size_t xf_count;
    int in_cell_xfs;
};

#define MAX_NUMFMTS 65536
#define MAX_XFS 1048576

static unsigned attr_uint(const char **attrs, const char *local)
{
    const char *v = sj_xlsx_attr(attrs, local);
    unsigned long n = v ? strtoul(v, NULL, 10) : 0;
    return n > 0xFFFFFFu ? 0 : (unsigned)n;
}

static void XMLCALL styles_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct styles_ctx *ctx = data;
    const char *local = sj_xlsx_local_name(name);
    if (strcmp(local, "numFmt") == 0 && ctx->fmt_count < MAX_NUMFMTS) {
        const char *code = sj_xlsx_attr(attrs, "formatCode");
        ctx->fmts = grow_pow2(ctx->fmts, ctx->fmt_count, sizeof *ctx->fmts);
        ctx->fmts[ctx->fmt_count].id = attr_uint(attrs, "numFmtId");
        ctx->fmts[ctx->fmt_count].cls =
            (uint8_t)(code ? sj_ingest_numfmt_classify(code, strlen(code)) : SJ_NUMFMT_GENERAL);
        ctx->fmt_count++;
    } else if (strcmp(local, "cellXfs") == 0) {
        ctx->in_cell_xfs = 1;
    } else if (strcmp(local, "xf") == 0 && ctx->in_cell_xfs && ctx->xf_count < MAX_XFS) {
        ctx->xf_fmt = grow_pow2(ctx->xf_fmt, ctx->xf_count, sizeof *ctx->xf_fmt);
        ctx->xf_fmt[ctx->xf_count++] = attr_uint(attrs, "numFmtId");
    }
}

static void XMLCALL styles_end(void *data, const XML_Char *name)
{
    struct styles_ctx *ctx = data;
    if (strcmp(sj_xlsx_local_name(name), "cellXfs") == 0)
        ctx->in_cell_xfs = 0;
}

static int compare_numfmt(const void *a, const void *b)
{
    unsigned x = ((const struct numfmt *)a)->id, y = ((const struct numfmt *)b)->id;
    return (x > y) - (x < y);
}

/* Class of each cellXfs entry: a format the file defines wins over the built-in meaning
 * of its id. */
static void classify_xfs(struct sj_xlsx_book *book, struct styles_ctx *ctx)
{
    if (ctx->fmt_count)
        qsort(ctx->fmts, ctx->fmt_count, sizeof *ctx->fmts, compare_numfmt);
    book->xf_class = sj_xcalloc(ctx->xf_count + 1, 1);
    book->xf_count = ctx->xf_count;
    for (size_t i = 0; i < ctx->xf_count; i++) {
        struct numfmt key = {ctx->xf_fmt[i], 0};
        const struct numfmt *f =
            ctx->fmt_count ? bsearch(&key, ctx->fmts, ctx->fmt_count, sizeof key, compare_numfmt)
                           : NULL;
        book->xf_class[i] = f ? f->cls : (uint8_t)sj_ingest_numfmt_builtin(ctx->xf_fmt[i]);
    }
}

static int load_styles(struct sj_xlsx_book *book, const char *entry, struct sj_err *err)
{
    struct styles_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    int rc = parse_part(book, entry, styles_start, styles_end, NULL, &ctx.base, err);
    if (rc == 0)
        classify_xfs(book, &ctx);
    free(ctx.fmts);
    free(ctx.xf_fmt);
    return rc == SJ_ENOTFOUND ? 0 : rc;
}

/* ---- Shared strings ------------------------------------------------------------------------- */

struct sst_ctx {
    struct part_ctx base;
    struct sj_xlsx_book *book;
    int in_si, in_t, in_rph;
    size_t si_start;
};

static void sst_push(struct sst_ctx *ctx, size_t start)
{
    struct sj_xlsx_strings *sst = &ctx->book->sst;
    if (sst->count + 2 > sst->alloc) {
        sst->alloc = sst->alloc ? sst->alloc * 2 : 1024;
        sst->starts = sj_xrealloc(sst->starts, sst->alloc * sizeof *sst->starts);
    }
    sst->starts[sst->count++] = start;
}

static void XMLCALL sst_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct sst_ctx *ctx = data;
    const char *local = sj_xlsx_local_name(name);
    if (strcmp(local, "si") == 0) {
        if (ctx->book->sst.count >= SJ_XLSX_MAX_SST_COUNT) {
            part_fail(&ctx->base, SJ_ETOOBIG, "共享字符串超过 %zu 条", SJ_XLSX_MAX_SST_COUNT);
            return;
        }
        ctx->in_si = 1;
        ctx->si_start = ctx->book->sst.pool.len;
    } else if (strcmp(local, "rPh") == 0) {
        ctx->in_rph++;
    } else if (strcmp(local, "t") == 0 && ctx->in_si && !ctx->in_rph) {
        ctx->in_t = 1;
    }
}

static void XMLCALL sst_end(void *data, const XML_Char *name)
{
    struct sst_ctx *ctx = data;
    const char *local = sj_xlsx_local_name(name);
    struct sj_buf *pool = &ctx->book->sst.pool;
    if (strcmp(local, "t") == 0) {
        ctx->in_t = 0;
    } else if (strcmp(local, "rPh") == 0) {
        ctx->in_rph--;
    } else if (strcmp(local, "si") == 0 && ctx->in_si) {
        ctx->in_si = 0;
        if (pool->len > ctx->si_start) {
            size_t n =
                sj_ingest_unescape_ooxml(pool->data + ctx->si_start, pool->len - ctx->si_start);
            pool->len = ctx->si_start + n;
            pool->data[pool->len] = '\0';
        }
        sst_push(ctx, ctx->si_start);
    }
}

static void XMLCALL sst_chars(void *data, const XML_Char *s, int len)
{
    struct sst_ctx *ctx = data;
    struct sj_buf *pool = &ctx->book->sst.pool;
    if (!ctx->in_t || ctx->base.code)
        return;
    if (pool->len - ctx->si_start + (size_t)len > ctx->book->max_cell) {
        part_fail(&ctx->base, SJ_ETOOBIG, "第 %zu 条共享字符串超过单元格上限 %zu 字节",
                  ctx->book->sst.count + 1, ctx->book->max_cell);
    } else if (sj_buf_append(pool, s, (size_t)len) != 0) {
        part_fail(&ctx->base, SJ_ETOOBIG, "共享字符串合计超过 %zu MiB 上限",
                  SJ_XLSX_MAX_SST_BYTES >> 20);
    }
}

static int load_strings(struct sj_xlsx_book *book, const char *entry, struct sj_err *err)
{
    struct sst_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.book = book;
    sj_buf_init(&book->sst.pool, SJ_XLSX_MAX_SST_BYTES);
    int rc = parse_part(book, entry, sst_start, sst_end, sst_chars, &ctx.base, err);
    sst_push(&ctx, book->sst.pool.len); /* the end of the last string */
    book->sst.count--;
    return rc == SJ_ENOTFOUND ? 0 : rc;
}

/* ---- The whole book -------------------------------------------------------------------------- */

/* The folder of a zip entry ("xl" for "xl/workbook.xml", "" at the root). Arena-owned. */
static char *entry_dir(struct sj_arena *arena, const char *entry)
{
    const char *slash = strrchr(entry, '/');
    return sj_arena_strndup(arena, entry, slash ? (size_t)(slash - entry) : 0);
}

/* The entry of the part that the relationship of this type names, else dir/fallback. */
static char *part_path(struct sj_xlsx_book *book, const struct rels_ctx *rels, const char *type,
                       const char *dir, const char *fallback)
{
    const struct rel *r = rel_by_type(rels, type);
    return resolve_target(&book->arena, dir, r ? r->target : fallback);
}

static int load_workbook(struct sj_xlsx_book *book, const char *wb_path, struct sj_err *err)
{
    char *dir = entry_dir(&book->arena, wb_path);
    const char *base = strrchr(wb_path, '/') ? strrchr(wb_path, '/') + 1 : wb_path;
    char *rels_path =
        sj_arena_sprintf(&book->arena, "%s%s_rels/%s.rels", dir, dir[0] ? "/" : "", base);
    struct rels_ctx rels;
    struct wb_ctx wb;
    memset(&wb, 0, sizeof wb);
    wb.book = book;
    int rc = load_rels(book, rels_path, &rels, err);
    if (rc == 0) {
        rc = parse_part(book, wb_path, wb_start, ignore_end, NULL, &wb.base, err);
        if (rc == SJ_ENOTFOUND)
            rc = zip_damaged(book, "缺少工作簿 workbook.xml，不是 Excel 工作簿", err);
    }
    if (rc == 0) {
        resolve_sheets(book, &wb, &rels, dir);
        rc = load_styles(book, part_path(book, &rels, "/styles", dir, "styles.xml"), err);
    }
    if (rc == 0) {
        rc = load_strings(book, part_path(book, &rels, "/sharedStrings", dir, "sharedStrings.xml"),
                          err);
    }
    free(rels.rels);
    free(wb.sheets);
    return rc;
}

int sj_xlsx_book_load(struct sj_xlsx_book *book, struct sj_err *err)
{
    struct rels_ctx root;
    int rc = load_rels(book, "_rels/.rels", &root, err);
    if (rc == 0) {
        char *wb_path = part_path(book, &root, "/officeDocument", "", "xl/workbook.xml");
        rc = load_workbook(book, wb_path, err);
    }
    free(root.rels);
    if (rc == 0 && book->sheet_count == 0) {
        sj_err_at(err, book->path, -1, -1, NULL);
        rc = sj_err_set(err, SJ_EFORMAT, "工作簿中没有工作表");
    }
    return rc;
}

void sj_xlsx_book_release(struct sj_xlsx_book *book)
{
    if (book->zip)
        unzClose(book->zip);
    book->zip = NULL;
    sj_arena_release(&book->arena);
    free(book->xf_class);
    book->xf_class = NULL;
    sj_buf_release(&book->sst.pool);
    free(book->sst.starts);
    book->sst.starts = NULL;
    book->sst.count = book->sst.alloc = 0;
}

/* ---- Merged ranges ----------------------------------------------------------------------------
 */

#define SCAN_KEEP 1024 /* a mergeCell tag is far shorter; a longer one is skipped */
#define SCAN_TAIL 64   /* bytes kept between chunks so that a split name is found */

struct merge_scan {
    struct sj_xlsx_merge *merges; /* malloc */
    size_t count;
    bool done; /* </mergeCells> seen */
};

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses the ref="A1:C3" attribute of the tag text tag[0..len) into m. */
static bool parse_merge_tag(const char *tag, size_t len, struct sj_xlsx_merge *m)
{
    for (size_t i = 1; i + 3 < len; i++) {
        if (memcmp(tag + i, "ref", 3) != 0 || !is_xml_space(tag[i - 1]))
            continue;
        size_t j = i + 3;
        while (j < len && is_xml_space(tag[j]))
            j++;
        if (j >= len || tag[j++] != '=')
            continue;
        while (j < len && is_xml_space(tag[j]))
            j++;
        if (j >= len || (tag[j] != '"' && tag[j] != '\''))
            continue;
        const char *v = tag + j + 1, *end = memchr(v, tag[j], len - j - 1);
        const char *colon = end ? memchr(v, ':', (size_t)(end - v)) : NULL;
        if (!colon)
            return false;
        return sj_xlsx_parse_ref(v, (size_t)(colon - v), &m->c1, &m->r1) &&
               sj_xlsx_parse_ref(colon + 1, (size_t)(end - colon - 1), &m->c2, &m->r2) &&
               m->r1 >= 1 && m->r2 >= m->r1 && m->c2 >= m->c1;
    }
    return false;
}

/* Start of the tag whose (maybe prefixed) name starts at buf[at], or SIZE_MAX when the name
 * is not in a tag; *is_end tells an end tag. */
static size_t tag_start(const char *buf, size_t at, size_t from, bool *is_end)
{
    size_t i = at;
    if (i > from && buf[i - 1] == ':') {
        i--;
        while (i > from && at - i < 32 && buf[i - 1] != '<' && buf[i - 1] != '/' &&
               !is_xml_space(buf[i - 1]) && buf[i - 1] != '>')
            i--;
    }
    *is_end = i > from + 1 && buf[i - 1] == '/' && buf[i - 2] == '<';
    if (*is_end)
        return i - 2;
    return i > from && buf[i - 1] == '<' ? i - 1 : SIZE_MAX;
}

static void push_merge(struct merge_scan *sc, const struct sj_xlsx_merge *m)
{
    if (sc->count >= SJ_XLSX_MAX_MERGES)
        return;
    sc->merges = grow_pow2(sc->merges, sc->count, sizeof *sc->merges);
    sc->merges[sc->count++] = *m;
}

/* Scans buf[0..len) for mergeCell tags and returns how many bytes are done with; the rest
 * (an unfinished tag, or a tail that may hold part of a name) is kept for the next chunk. */
static size_t scan_chunk(struct merge_scan *sc, const char *buf, size_t len, bool is_final)
{
    size_t pos = 0;
    while (!sc->done) {
        const char *hit = memmem(buf + pos, len - pos, "mergeCell", 9);
        if (!hit)
            break;
        size_t at = (size_t)(hit - buf), after = at + 9;
        bool is_end;
        size_t start = tag_start(buf, at, pos, &is_end);
        if (after >= len && !is_final)
            return start != SIZE_MAX ? start : at >= pos + 40 ? at - 40 : pos;
        char next = after < len ? buf[after] : '>';
        if (start == SIZE_MAX ||
            (next != 's' && next != '>' && next != '/' && !is_xml_space(next))) {
            pos = after;
            continue;
        }
        if (next == 's') {
            sc->done = is_end;
            pos = after;
            continue;
        }
        const char *gt = memchr(buf + after, '>', len - after);
        if (!gt && !is_final && len - start <= SCAN_KEEP)
            return start;
        struct sj_xlsx_merge m;
        if (gt && !is_end && parse_merge_tag(buf + start, (size_t)(gt - buf) - start, &m))
            push_merge(sc, &m);
        pos = gt ? (size_t)(gt - buf) + 1 : len;
    }
    if (sc->done || is_final || len - pos <= SCAN_TAIL)
        return sc->done || is_final ? len : pos;
    return len - SCAN_TAIL;
}

static int compare_merge(const void *a, const void *b)
{
    const struct sj_xlsx_merge *x = a, *y = b;
    if (x->r1 != y->r1)
        return x->r1 < y->r1 ? -1 : 1;
    return (x->c1 > y->c1) - (x->c1 < y->c1);
}

int sj_xlsx_scan_merges(struct sj_xlsx_book *book, const char *entry, struct sj_xlsx_merge **merges,
                        size_t *count, struct sj_err *err)
{
    struct merge_scan sc = {NULL, 0, false};
    int rc = sj_xlsx_entry_open(book, entry, err);
    if (rc)
        return rc;
    char *buf = sj_xmalloc(SJ_XLSX_CHUNK + SCAN_KEEP);
    size_t have = 0;
    while (!sc.done) {
        int n = unzReadCurrentFile(book->zip, buf + have, SJ_XLSX_CHUNK);
        if (n < 0) {
            sj_err_at(err, book->path, -1, -1, NULL);
            rc = sj_err_set(err, SJ_EFORMAT, "%s 解压失败（数据损坏，错误 %d）", entry, n);
            break;
        }
        have += (size_t)n;
        size_t used = scan_chunk(&sc, buf, have, n == 0);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (n == 0)
            break;
    }
    unzCloseCurrentFile(book->zip);
    free(buf);
    if (sc.count)
        qsort(sc.merges, sc.count, sizeof *sc.merges, compare_merge);
    *merges = sc.merges;
    *count = sc.count;
    return rc;
}
