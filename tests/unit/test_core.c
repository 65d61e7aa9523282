/*
 * test_core.c - unit tests of src/core: error formatting, the arena, the capped buffer,
 * UTF-8 decoding and validation (cases after Markus Kuhn's UTF-8 decoder stress test),
 * NFKC and half-width folding, string views, memory helpers and the log line format.
 * Table-driven wherever a standard defines the answer; each failing row names itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shujian/core.h"

/* ---- Errors ------------------------------------------------------------------------------ */

struct err_case {
    const char *name;
    const char *file, *sheet, *field, *message;
    long row, column;
    int code;
    const char *want;
};

static const struct err_case err_cases[] = {
    {"message only", "", "", "", "bad value", 0, 0, SJ_EINVAL, "bad value"},
    {"code only", "", "", "", "", 0, 0, SJ_ETOOBIG, "too large"},
    {"file", "a.csv", "", "", "bad value", 0, 0, SJ_EINVAL, "a.csv: bad value"},
    {"file row", "a.csv", "", "", "m", 7, 0, SJ_EINVAL, "a.csv, row 7: m"},
    {"row only", "", "", "", "m", 1842, 0, SJ_EINVAL, "row 1842: m"},
    {"column only", "", "", "", "m", 0, 4, SJ_EINVAL, "column 4: m"},
    {"field only", "", "", "身份证号", "m", 0, 0, SJ_EINVAL, "column 身份证号: m"},
    {"column and field", "", "", "身份证号", "m", 0, 3, SJ_EINVAL, "column 3 (身份证号): m"},
    {"all parts", "b.xlsx", "Sheet1", "身份证号", "校验码应为X，实际为3", 1842, 3, SJ_EFORMAT,
     "b.xlsx, sheet Sheet1, row 1842, column 3 (身份证号): 校验码应为X，实际为3"},
    {"sheet and row", "", "S", "", "m", 2, 0, SJ_EINVAL, "sheet S, row 2: m"},
    {"no error", "", "", "", "", 0, 0, SJ_OK, "success"},
};

static void test_err_format_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(err_cases); i++) {
        const struct err_case *c = &err_cases[i];
        struct sj_err err;
        char line[1024];
        sj_err_clear(&err);
        if (c->message[0])
            assert_int_equal(sj_err_set(&err, c->code, "%s", c->message), c->code);
        else
            err.code = c->code;
        snprintf(err.sheet, sizeof err.sheet, "%s", c->sheet);
        sj_err_at(&err, c->file, c->row, c->column, c->field);
        sj_err_format(&err, line, sizeof line);
        if (strcmp(line, c->want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", c->name, line, c->want);
    }
}

static void test_err_format_truncates(void **state)
{
    (void)state;
    struct sj_err err;
    sj_err_clear(&err);
    sj_err_set(&err, SJ_EINVAL, "a long message that does not fit");
    sj_err_at(&err, "file.csv", 12, -1, NULL);
    char small[10];
    memset(small, 'Z', sizeof small);
    assert_ptr_equal(sj_err_format(&err, small, sizeof small), small);
    assert_string_equal(small, "file.csv,");
    char one[1] = {'Z'};
    sj_err_format(&err, one, sizeof one);
    assert_int_equal(one[0], '\0');
    char buf[8] = "junk";
    sj_err_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static void test_err_at_and_null(void **state)
{
    (void)state;
    /* Every setter accepts NULL, and sj_err_set returns the code for `return sj_err_set()`. */
    assert_int_equal(sj_err_set(NULL, SJ_EIO, "x %d", 1), SJ_EIO);
    sj_err_at(NULL, "f", 1, 2, "g");
    sj_err_clear(NULL);

    struct sj_err err;
    sj_err_clear(&err);
    assert_int_equal(err.code, 0);
    sj_err_at(&err, "a.csv", 5, 6, "姓名");
    sj_err_at(&err, NULL, -1, -1, NULL); /* leaves everything as it was */
    assert_string_equal(err.file, "a.csv");
    assert_int_equal(err.row, 5);
    assert_int_equal(err.column, 6);
    assert_string_equal(err.field, "姓名");
    sj_err_set(&err, SJ_EFORMAT, "first");
    sj_err_set(&err, SJ_EINVAL, "second %s", "try");
    assert_int_equal(err.code, SJ_EINVAL);
    assert_string_equal(err.message, "second try");
    assert_string_equal(err.file, "a.csv"); /* location kept by sj_err_set */

    char longname[600];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    sj_err_at(&err, longname, -1, -1, longname);
    assert_int_equal(strlen(err.file), sizeof err.file - 1);
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
}

static void test_strerror(void **state)
{
    (void)state;
    static const int codes[] = {SJ_EINVAL,    SJ_ENOMEM, SJ_EIO, SJ_ETOOBIG, SJ_EFORMAT,
                                SJ_ENOTFOUND, SJ_EEXIST, SJ_EDB, SJ_EPERM,   SJ_EUSAGE};
    for (size_t i = 0; i < SJ_ARRAY_LEN(codes); i++) {
        const char *s = sj_strerror(codes[i]);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, sj_strerror(codes[j]));
    }
    assert_string_equal(sj_strerror(SJ_OK), "success");
    assert_string_equal(sj_strerror(-99), "unknown error");
    assert_string_equal(sj_strerror(SJ_EINVAL), "invalid argument");
}

/* ---- Memory ------------------------------------------------------------------------------ */

static void test_mem(void **state)
{
    (void)state;
    char *s = sj_xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = sj_xstrdup("数检");
    assert_string_equal(s, "数检");
    free(s);
    unsigned char *z = sj_xcalloc(100, 3);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(z[i], 0);
    z = sj_xrealloc(z, 5000);
    assert_int_equal(z[299], 0); /* realloc keeps the old contents */
    free(z);
    free(sj_xmalloc(0)); /* size 0 still gives a pointer that free accepts */
    void *p = sj_xmalloc(0);
    assert_non_null(p);
    free(p);
}

/* ---- Arena ------------------------------------------------------------------------------- */

static void test_arena_many_allocs(void **state)
{
    (void)state;
    enum { COUNT = 20000 };
    struct sj_arena arena;
    sj_arena_init(&arena, 1024);
    unsigned char **ptrs = sj_xcalloc(COUNT, sizeof *ptrs);
    size_t *sizes = sj_xcalloc(COUNT, sizeof *sizes);
    for (size_t i = 0; i < COUNT; i++) {
        sizes[i] = 1 + (i * 7919) % 300;
        ptrs[i] = sj_arena_alloc(&arena, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % _Alignof(max_align_t), 0);
        memset(ptrs[i], (int)(i & 0xFF), sizes[i]);
    }
    assert_true(arena.bytes_used >= COUNT);
    /* No allocation overlaps another: every byte still holds its owner's pattern. */
    for (size_t i = 0; i < COUNT; i++) {
        for (size_t j = 0; j < sizes[i]; j++) {
            if (ptrs[i][j] != (unsigned char)(i & 0xFF))
                fail_msg("allocation %zu byte %zu was overwritten", i, j);
        }
    }
    free(ptrs);
    free(sizes);
    sj_arena_release(&arena);
    assert_null(arena.head);
    assert_int_equal(arena.bytes_used, 0);
}

static void test_arena_alignment(void **state)
{
    (void)state;
    struct sj_arena arena;
    sj_arena_init(&arena, 0);
    assert_int_equal(arena.block_size, 64 << 10);
    for (size_t size = 0; size < 70; size++) {
        void *p = sj_arena_alloc(&arena, size);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        long double *ld = sj_arena_alloc(&arena, sizeof *ld);
        *ld = (long double)size; /* UBSan checks the alignment of this store */
        assert_true(*ld == (long double)size);
    }
    sj_arena_release(&arena);
}

static void test_arena_large_allocs(void **state)
{
    (void)state;
    struct sj_arena arena;
    sj_arena_init(&arena, 4096);
    char *small = sj_arena_alloc(&arena, 10);
    memcpy(small, "123456789", 10);
    size_t big_sizes[] = {4096, 4097, 100000, 1 << 20};
    for (size_t i = 0; i < SJ_ARRAY_LEN(big_sizes); i++) {
        unsigned char *big = sj_arena_alloc(&arena, big_sizes[i]);
        assert_int_equal((uintptr_t)big % _Alignof(max_align_t), 0);
        memset(big, 0xAB, big_sizes[i]);
        assert_int_equal(big[big_sizes[i] - 1], 0xAB);
    }
    char *after = sj_arena_alloc(&arena, 10);
    memcpy(after, "abcdefghi", 10);
    assert_string_equal(small, "123456789");
    assert_string_equal(after, "abcdefghi");
    assert_true(arena.bytes_used >= 4096 + 4097 + 100000 + (1 << 20) + 20);
    sj_arena_release(&arena);
}

static void test_arena_reset_release(void **state)
{
    (void)state;
    struct sj_arena arena;
    sj_arena_init(&arena, 256);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            char *s = sj_arena_sprintf(&arena, "row %d of round %d", i, round);
            char want[64];
            snprintf(want, sizeof want, "row %d of round %d", i, round);
            assert_string_equal(s, want);
        }
        assert_true(arena.bytes_used > 0);
        sj_arena_reset(&arena);
        assert_int_equal(arena.bytes_used, 0);
        assert_non_null(arena.head); /* one block kept for reuse */
    }
    /* After a reset the kept block is handed out again from its start. */
    void *first = sj_arena_alloc(&arena, 32);
    sj_arena_reset(&arena);
    assert_ptr_equal(sj_arena_alloc(&arena, 32), first);
    sj_arena_reset(&arena);
    char *dup = sj_arena_strndup(&arena, "身份证号XYZ", 12);
    assert_string_equal(dup, "身份证号");
    assert_string_equal(sj_arena_strndup(&arena, "", 0), "");
    assert_string_equal(sj_arena_sprintf(&arena, "%s", ""), "");
    sj_arena_release(&arena);
    assert_null(arena.head);
    sj_arena_release(&arena);  /* releasing twice is harmless */
    sj_arena_reset(&arena);    /* so is resetting an empty arena */
    sj_arena_init(&arena, 64); /* and it may be initialised again */
    assert_non_null(sj_arena_alloc(&arena, 1000));
    sj_arena_release(&arena);
}

/* ---- Buffer ------------------------------------------------------------------------------ */

static void test_buf_cap(void **state)
{
    (void)state;
    struct sj_buf buf;
    sj_buf_init(&buf, 10);
    assert_int_equal(buf.max_len, 10);
    assert_string_equal(sj_buf_cstr(&buf), ""); /* before the first append */
    assert_int_equal(sj_buf_append(&buf, "12345678", 8), 0);
    /* Past the cap: SJ_ETOOBIG, and the contents are unchanged. */
    assert_int_equal(sj_buf_append(&buf, "abc", 3), SJ_ETOOBIG);
    assert_int_equal(buf.len, 8);
    assert_string_equal(sj_buf_cstr(&buf), "12345678");
    assert_int_equal(sj_buf_appendf(&buf, "%d", 123), SJ_ETOOBIG);
    assert_string_equal(sj_buf_cstr(&buf), "12345678");
    assert_int_equal(sj_buf_append_cstr(&buf, "xyz"), SJ_ETOOBIG);
    assert_int_equal(sj_buf_append_str(&buf, SJ_STR_LIT("xyz")), SJ_ETOOBIG);
    assert_string_equal(sj_buf_cstr(&buf), "12345678");
    /* Up to exactly the cap is fine; one more byte is not. */
    assert_int_equal(sj_buf_append(&buf, "9A", 2), 0);
    assert_int_equal(buf.len, 10);
    assert_int_equal(sj_buf_putc(&buf, 'B'), SJ_ETOOBIG);
    assert_int_equal(sj_buf_append(&buf, "", 0), 0);
    assert_string_equal(sj_buf_cstr(&buf), "123456789A");
    sj_buf_reset(&buf);
    assert_int_equal(buf.len, 0);
    assert_string_equal(sj_buf_cstr(&buf), "");
    assert_int_equal(sj_buf_appendf(&buf, "%s", "0123456789"), 0);
    assert_int_equal(buf.len, 10);
    sj_buf_release(&buf);

    sj_buf_init(&buf, 0);
    assert_int_equal(buf.max_len, SJ_BUF_DEFAULT_CAP);
    sj_buf_release(&buf);
}

static void test_buf_grow_appendf(void **state)
{
    (void)state;
    struct sj_buf buf;
    sj_buf_init(&buf, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sj_buf_appendf(&buf, "%04d,", i % 10000), 0);
    assert_int_equal(buf.len, 50000);
    assert_int_equal(strlen(sj_buf_cstr(&buf)), 50000);
    assert_memory_equal(sj_buf_cstr(&buf), "0000,0001,0002,", 15);
    assert_memory_equal(sj_buf_cstr(&buf) + 49995, "9999,", 5);
    sj_buf_reset(&buf);
    assert_int_equal(sj_buf_appendf(&buf, "%s=%d %.2f %c", "甲", -5, 1.5, 'x'), 0);
    assert_int_equal(sj_buf_putc(&buf, '!'), 0);
    assert_int_equal(sj_buf_append_str(&buf, sj_str_make("tail-ignored", 4)), 0);
    assert_string_equal(sj_buf_cstr(&buf), "甲=-5 1.50 x!tail");
    struct sj_str view = sj_buf_str(&buf);
    assert_int_equal(view.len, strlen("甲=-5 1.50 x!tail"));
    assert_int_equal(sj_buf_appendf(&buf, "%s", ""), 0);
    assert_int_equal(buf.len, view.len);
    /* Embedded NUL bytes are data, not terminators. */
    sj_buf_reset(&buf);
    assert_int_equal(sj_buf_append(&buf, "a\0b", 3), 0);
    assert_int_equal(buf.len, 3);
    assert_memory_equal(buf.data, "a\0b\0", 4);
    sj_buf_release(&buf);
    assert_null(buf.data);
}

static void test_buf_detach(void **state)
{
    (void)state;
    struct sj_buf buf;
    sj_buf_init(&buf, 100);
    sj_buf_append_cstr(&buf, "owned by the caller");
    size_t len = 0;
    char *data = sj_buf_detach(&buf, &len);
    assert_int_equal(len, 19);
    assert_string_equal(data, "owned by the caller");
    free(data);
    /* The buffer is empty, usable, and keeps its cap. */
    assert_int_equal(buf.len, 0);
    assert_null(buf.data);
    assert_string_equal(sj_buf_cstr(&buf), "");
    assert_int_equal(buf.max_len, 100);
    assert_int_equal(sj_buf_append_cstr(&buf, "again"), 0);
    assert_string_equal(sj_buf_cstr(&buf), "again");
    sj_buf_release(&buf);
    /* Detaching a buffer that never held data still gives a string to free. */
    sj_buf_init(&buf, 0);
    data = sj_buf_detach(&buf, NULL);
    assert_string_equal(data, "");
    free(data);
}

/* ---- UTF-8 ------------------------------------------------------------------------------- */

struct utf8_case {
    const char *name;
    const char *bytes;
    size_t len;
    int want_n; /* sj_utf8_decode's return */
    uint32_t want_cp;
};

#define U8(name, lit, n, cp)                                                                       \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, n, cp                                                          \
    }

static const struct utf8_case utf8_cases[] = {
    /* Kuhn 2.1 / 2.2: first and last sequence of each length. */
    U8("U+0000", "\x00", 1, 0x0),
    U8("U+007F", "\x7F", 1, 0x7F),
    U8("U+0080", "\xC2\x80", 2, 0x80),
    U8("U+07FF", "\xDF\xBF", 2, 0x7FF),
    U8("U+0800", "\xE0\xA0\x80", 3, 0x800),
    U8("U+FFFF", "\xEF\xBF\xBF", 3, 0xFFFF),
    U8("U+10000", "\xF0\x90\x80\x80", 4, 0x10000),
    U8("U+10FFFF", "\xF4\x8F\xBF\xBF", 4, 0x10FFFF),
    /* Kuhn 2.3: other boundaries. */
    U8("U+D7FF", "\xED\x9F\xBF", 3, 0xD7FF),
    U8("U+E000", "\xEE\x80\x80", 3, 0xE000),
    U8("U+FFFD", "\xEF\xBF\xBD", 3, 0xFFFD),
    U8("U+FFFE noncharacter is still UTF-8", "\xEF\xBF\xBE", 3, 0xFFFE),
    U8("中 U+4E2D", "\xE4\xB8\xAD", 3, 0x4E2D),
    U8("decode stops after one", "\xE4\xB8\xAD\xE6\x96\x87", 3, 0x4E2D),
    U8("ASCII then more", "ab", 1, 'a'),
    /* Kuhn 3.1: unexpected continuation bytes. */
    U8("lone 80", "\x80", -1, 0),
    U8("lone BF", "\xBF", -1, 0),
    U8("80 BF", "\x80\xBF", -1, 0),
    /* Kuhn 3.2: lonely start characters. */
    U8("C0 space", "\xC0\x20", -1, 0),
    U8("E0 space", "\xE0\x20", -1, 0),
    U8("F0 space", "\xF0\x20", -1, 0),
    U8("E4 B8 then ASCII", "\xE4\xB8\x41", -1, 0),
    /* Kuhn 3.3: sequences with the last continuation byte missing. */
    U8("truncated 2", "\xC2", -1, 0),
    U8("truncated 3 of 3", "\xE0\xA0", -1, 0),
    U8("truncated 2 of 3", "\xE4", -1, 0),
    U8("truncated 4", "\xF0\x90\x80", -1, 0),
    U8("truncated 4 of 4", "\xF4\x8F\xBF", -1, 0),
    /* Kuhn 3.5: impossible bytes. */
    U8("FE", "\xFE", -1, 0),
    U8("FF", "\xFF", -1, 0),
    U8("FE FE FF FF", "\xFE\xFE\xFF\xFF", -1, 0),
    /* Kuhn 4: overlong forms. */
    U8("overlong / C0 AF", "\xC0\xAF", -1, 0),
    U8("overlong / E0 80 AF", "\xE0\x80\xAF", -1, 0),
    U8("overlong / F0 80 80 AF", "\xF0\x80\x80\xAF", -1, 0),
    U8("overlong / F8 80 80 80 AF", "\xF8\x80\x80\x80\xAF", -1, 0),
    U8("max overlong C1 BF", "\xC1\xBF", -1, 0),
    U8("max overlong E0 9F BF", "\xE0\x9F\xBF", -1, 0),
    U8("max overlong F0 8F BF BF", "\xF0\x8F\xBF\xBF", -1, 0),
    U8("overlong NUL C0 80", "\xC0\x80", -1, 0),
    U8("overlong NUL E0 80 80", "\xE0\x80\x80", -1, 0),
    U8("overlong NUL F0 80 80 80", "\xF0\x80\x80\x80", -1, 0),
    /* Kuhn 5: UTF-16 surrogates. */
    U8("U+D800", "\xED\xA0\x80", -1, 0),
    U8("U+DB7F", "\xED\xAD\xBF", -1, 0),
    U8("U+DC00", "\xED\xB0\x80", -1, 0),
    U8("U+DFFF", "\xED\xBF\xBF", -1, 0),
    U8("surrogate pair", "\xED\xA0\x80\xED\xB0\x80", -1, 0),
    /* Above U+10FFFF. */
    U8("U+110000", "\xF4\x90\x80\x80", -1, 0),
    U8("F5 lead", "\xF5\x80\x80\x80", -1, 0),
    U8("F7 BF BF BF", "\xF7\xBF\xBF\xBF", -1, 0),
    U8("5-byte form", "\xF8\x88\x80\x80\x80", -1, 0),
    U8("6-byte form", "\xFC\x84\x80\x80\x80\x80", -1, 0),
    /* A continuation byte replaced by a lead byte. */
    U8("E4 C2 80", "\xE4\xC2\x80", -1, 0),
    {"empty", "", 0, 0, 0},
};

static void test_utf8_decode_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(utf8_cases); i++) {
        const struct utf8_case *c = &utf8_cases[i];
        uint32_t cp = 0xDEADBEEF;
        int n = sj_utf8_decode(c->bytes, c->len, &cp);
        if (n != c->want_n || (n > 0 && cp != c->want_cp))
            fail_msg("%s: got %d U+%04X, want %d U+%04X", c->name, n, (unsigned)cp, c->want_n,
                     (unsigned)c->want_cp);
        /* The validator agrees with the decoder on a single sequence. */
        size_t bad = 999;
        bool is_valid = sj_utf8_is_valid(sj_str_make(c->bytes, c->len), &bad);
        bool want_valid = c->want_n >= 0; /* every valid row is valid as a whole */
        if (is_valid != want_valid || (!is_valid && bad != 0))
            fail_msg("%s: is_valid %d (bad offset %zu), want %d at 0", c->name, is_valid, bad,
                     want_valid);
    }
}

struct valid_case {
    const char *name;
    const char *bytes;
    size_t len;
    bool is_valid;
    size_t bad_offset;
};

#define V8(name, lit, ok, off)                                                                     \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, ok, off                                                        \
    }

static const struct valid_case valid_cases[] = {
    V8("empty", "", true, 0),
    V8("ascii", "hello, world", true, 0),
    V8("chinese", "数检：公民身份号码", true, 0),
    V8("mixed 1-4 bytes", "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80z", true, 0),
    V8("NUL inside", "a\0b", true, 0),
    V8("bad continuation later", "ab\x80", false, 2),
    V8("surrogate after CJK", "中\xED\xA0\x80", false, 3),
    V8("truncated at the end", "中文\xE4\xB8", false, 6),
    V8("overlong in the middle",
       "abc\xC0\xAF"
       "def",
       false, 3),
    V8("above U+10FFFF", "x\xF4\x90\x80\x80", false, 1),
    V8("latin-1 byte", "caf\xE9", false, 3),
    V8("GBK bytes", "\xD6\xD0\xCE\xC4", false, 0),
};

static void test_utf8_is_valid_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < SJ_ARRAY_LEN(valid_cases); i++) {
        const struct valid_case *c = &valid_cases[i];
        size_t bad = 12345;
        bool is_valid = sj_utf8_is_valid(sj_str_make(c->bytes, c->len), &bad);
        if (is_valid != c->is_valid || (!is_valid && bad != c->bad_offset))
            fail_msg("%s: got %d at %zu, want %d at %zu", c->name, is_valid, bad, c->is_valid,
                     c->bad_offset);
    }
    assert_false(sj_utf8_is_valid(SJ_STR_LIT("\xFF"), NULL)); /* bad_offset may be NULL */
}

static void test_utf8_encode_count(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0,      0x41,   0x7F,   0x80,   0x7FF,   0x800,   0x4E2D,
                                   0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    static const int lens[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4};
    for (size_t i = 0; i < SJ_ARRAY_LEN(cps); i++) {
        char out[4];
        uint32_t back = 0;
        int n = sj_utf8_encode(cps[i], out);
        if (n != lens[i] || sj_utf8_decode(out, (size_t)n, &back) != n || back != cps[i])
            fail_msg("U+%04X: encoded to %d bytes, decoded to U+%04X", (unsigned)cps[i], n,
                     (unsigned)back);
    }
    char out[4];
    assert_int_equal(sj_utf8_encode(0xD800, out), 0);
    assert_int_equal(sj_utf8_encode(0xDFFF, out), 0);
    assert_int_equal(sj_utf8_encode(0x110000, out), 0);
    assert_int_equal(sj_utf8_encode(0xFFFFFFFF, out), 0);
    assert_int_equal(sj_utf8_encode(0x4E2D, out), 3);
    assert_memory_equal(out, "中", 3);

    assert_int_equal(sj_utf8_count(SJ_STR_LIT("")), 0);
    assert_int_equal(sj_utf8_count(SJ_STR_LIT("abc")), 3);
    assert_int_equal(sj_utf8_count(SJ_STR_LIT("中文abc")), 5);
    assert_int_equal(sj_utf8_count(SJ_STR_LIT("\xF0\x9F\x98\x80")), 1);
    assert_int_equal(sj_utf8_count(SJ_STR_LIT("a\x80\x80"
                                              "b")),
                     4); /* invalid bytes: one each */
    assert_int_equal(sj_utf8_count(SJ_STR_LIT("中\xE4\xB8")), 3);
}

/* ---- Folding ----------------------------------------------------------------------------- */

struct fold_case {
    const char *name;
    const char *in;
    const char *want;
};

static const struct fold_case nfkc_cases[] = {
    {"circled one", "①", "1"},
    {"circled twenty", "⑳", "20"},
    {"fi ligature", "ﬁ", "fi"},
    {"full-width letters and digits", "ＡＢＣ１２３", "ABC123"},
    {"full-width punctuation", "（２０２３）", "(2023)"},
    {"ideographic space", "a　b", "a b"},
    {"half-width katakana", "ｶﾀｶﾅ", "カタカナ"},
    {"half-width voiced mark composes", "ｶﾞｷﾞ", "ガギ"},
    {"parenthesised ideograph", "㈱", "(株)"},
    {"square era name", "㍻", "平成"},
    {"combining acute composes", "e\xCC\x81", "\xC3\xA9"},
    {"superscript two", "x²", "x2"},
    {"roman numeral", "Ⅻ", "XII"},
    {"CJK kept", "身份证号码", "身份证号码"},
    {"CJK compatibility ideograph", "\xEF\xA4\x80", "\xE8\xB1\x88"}, /* U+F900 -> U+8C48 */
    {"ascii unchanged", "Hello, 2023!", "Hello, 2023!"},
    {"empty", "", ""},
};

static void test_fold_nfkc_table(void **state)
{
    (void)state;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    for (size_t i = 0; i < SJ_ARRAY_LEN(nfkc_cases); i++) {
        const struct fold_case *c = &nfkc_cases[i];
        sj_buf_reset(&out);
        sj_buf_append_cstr(&out, "<");
        int rc = sj_fold_nfkc(sj_str_from_cstr(c->in), &out);
        char want[128];
        snprintf(want, sizeof want, "<%s", c->want);
        if (rc != 0 || strcmp(sj_buf_cstr(&out), want) != 0)
            fail_msg("%s: rc %d, got \"%s\", want \"%s\"", c->name, rc, sj_buf_cstr(&out), want);
    }
    sj_buf_reset(&out);
    assert_int_equal(sj_fold_nfkc(SJ_STR_LIT("ab\xC0\xAF"), &out), SJ_EFORMAT);
    assert_int_equal(sj_fold_nfkc(SJ_STR_LIT("\xED\xA0\x80"), &out), SJ_EFORMAT);
    assert_int_equal(out.len, 0);
    /* Only len bytes are read: the view need not be NUL-terminated. */
    assert_int_equal(sj_fold_nfkc(sj_str_make("①②③", 6), &out), 0);
    assert_string_equal(sj_buf_cstr(&out), "12");
    sj_buf_release(&out);

    sj_buf_init(&out, 4);
    assert_int_equal(sj_fold_nfkc(SJ_STR_LIT("ＡＢＣ１２３"), &out), SJ_ETOOBIG);
    assert_int_equal(sj_fold_nfkc(SJ_STR_LIT("abcdef"), &out), SJ_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_int_equal(sj_fold_nfkc(SJ_STR_LIT("①②③④"), &out), 0);
    assert_string_equal(sj_buf_cstr(&out), "1234");
    sj_buf_release(&out);
}

static const struct fold_case halfwidth_cases[] = {
    {"ideographic space", "　", " "},
    {"spaces around", "　张三　", " 张三 "},
    {"exclamation (first)", "！", "!"},
    {"tilde (last)", "～", "~"},
    {"full-width letters and digits", "ＡＢＣ１２３ａｂｃ", "ABC123abc"},
    {"brackets", "（２０２３）［１］｛ｘ｝", "(2023)[1]{x}"},
    {"low line and grave", "＿｀", "_`"},
    {"case number", "（２０２３）粤１８０２民初１２３４号", "(2023)粤1802民初1234号"},
    {"CJK kept", "身份证号码", "身份证号码"},
    {"CJK punctuation kept", "、。「」〔〕【】", "、。「」〔〕【】"},
    {"white parens U+FF5F kept", "｟｠", "｟｠"},
    {"full-width yen U+FFE5 kept", "￥", "￥"},
    {"half-width katakana kept", "ｶﾀｶﾅ", "ｶﾀｶﾅ"},
    {"ascii unchanged", "abc 123", "abc 123"},
    {"invalid bytes copied",
     "\xFF\xEF\xBC"
     "a",
     "\xFF\xEF\xBC"
     "a"},
    {"truncated full-width at the end", "Ａ\xEF\xBC", "A\xEF\xBC"},
    {"empty", "", ""},
};

static void test_fold_halfwidth_table(void **state)
{
    (void)state;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    for (size_t i = 0; i < SJ_ARRAY_LEN(halfwidth_cases); i++) {
        const struct fold_case *c = &halfwidth_cases[i];
        struct sj_str in = sj_str_from_cstr(c->in);
        sj_buf_reset(&out);
        int rc = sj_fold_halfwidth(in, &out);
        if (rc != 0 || strcmp(sj_buf_cstr(&out), c->want) != 0)
            fail_msg("%s: rc %d, got \"%s\", want \"%s\"", c->name, rc, sj_buf_cstr(&out), c->want);
        char fixed[128];
        long n = sj_fold_halfwidth_to(in, fixed, sizeof fixed);
        if (n != (long)strlen(c->want) || strcmp(fixed, c->want) != 0)
            fail_msg("%s (_to): %ld \"%s\", want \"%s\"", c->name, n, fixed, c->want);
        /* Exactly enough room works; one byte less does not. */
        size_t need = strlen(c->want) + 1;
        if (sj_fold_halfwidth_to(in, fixed, need) != (long)need - 1 ||
            sj_fold_halfwidth_to(in, fixed, need - 1) != -1)
            fail_msg("%s (_to): wrong answer at the size limit %zu", c->name, need);
    }
    sj_buf_release(&out);
}

static void test_fold_halfwidth_limits(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(sj_fold_halfwidth_to(SJ_STR_LIT("ＡＢＣ"), out, 0), -1);
    assert_int_equal(sj_fold_halfwidth_to(SJ_STR_LIT(""), out, 1), 0);
    assert_string_equal(out, "");
    /* Nine full-width digits fold to nine bytes: one more than fits in 8 with the NUL. */
    assert_int_equal(sj_fold_halfwidth_to(SJ_STR_LIT("１２３４５６７８９"), out, sizeof out), -1);
    assert_int_equal(sj_fold_halfwidth_to(SJ_STR_LIT("１２３４５６７"), out, sizeof out), 7);
    assert_string_equal(out, "1234567");
    /* Only len bytes of the view are read. */
    assert_int_equal(sj_fold_halfwidth_to(sj_str_make("１２３", 6), out, sizeof out), 2);
    assert_string_equal(out, "12");

    struct sj_buf buf;
    sj_buf_init(&buf, 3);
    assert_int_equal(sj_fold_halfwidth(SJ_STR_LIT("１２３"), &buf), 0);
    assert_string_equal(sj_buf_cstr(&buf), "123");
    sj_buf_reset(&buf);
    assert_int_equal(sj_fold_halfwidth(SJ_STR_LIT("１２３４"), &buf), SJ_ETOOBIG);
    sj_buf_release(&buf);
}

/* ---- Strings ----------------------------------------------------------------------------- */

struct trim_case {
    const char *in, *want;
};

static void test_str_trim_table(void **state)
{
    (void)state;
    static const struct trim_case cases[] = {
        {"", ""},
        {"   ", ""},
        {"a", "a"},
        {"  a b  ", "a b"},
        {"\t\r\n\v\fx\f\v\n\r\t", "x"},
        {"　中　", "　中　"}, /* U+3000 is not ASCII white space */
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++) {
        struct sj_str t = sj_str_trim(sj_str_from_cstr(cases[i].in));
        if (!sj_str_eq_cstr(t, cases[i].want))
            fail_msg("trim(\"%s\") = \"" SJ_STR_FMT "\", want \"%s\"", cases[i].in, SJ_STR_ARG(t),
                     cases[i].want);
    }
}

static void test_str_helpers(void **state)
{
    (void)state;
    struct sj_str s = SJ_STR_LIT("（2023）粤1802民初1234号");
    assert_true(sj_str_eq(s, sj_str_from_cstr("（2023）粤1802民初1234号")));
    assert_false(sj_str_eq(s, SJ_STR_LIT("（2023）")));
    assert_true(sj_str_eq(sj_str_make(NULL, 0), SJ_STR_LIT("")));
    assert_true(sj_str_eq_cstr(sj_str_from_cstr(NULL), ""));
    assert_int_equal(sj_str_from_cstr(NULL).len, 0);
    assert_false(sj_str_eq_cstr(SJ_STR_LIT("ab"), "abc"));
    assert_true(sj_str_has_prefix(s, SJ_STR_LIT("（2023）")));
    assert_true(sj_str_has_prefix(s, SJ_STR_LIT("")));
    assert_false(sj_str_has_prefix(SJ_STR_LIT("ab"), SJ_STR_LIT("abc")));
    assert_true(sj_str_has_suffix(s, SJ_STR_LIT("1234号")));
    assert_false(sj_str_has_suffix(s, SJ_STR_LIT("1234")));
    assert_false(sj_str_has_suffix(SJ_STR_LIT("c"), SJ_STR_LIT("abc")));

    assert_true(sj_str_eq_cstr(sj_str_slice(SJ_STR_LIT("abcdef"), 2, 3), "cde"));
    assert_true(sj_str_eq_cstr(sj_str_slice(SJ_STR_LIT("abcdef"), 4, 100), "ef"));
    assert_true(sj_str_eq_cstr(sj_str_slice(SJ_STR_LIT("abcdef"), 100, 2), ""));
    assert_true(sj_str_eq_cstr(sj_str_slice(SJ_STR_LIT("abcdef"), 0, (size_t)-1), "abcdef"));

    assert_int_equal(sj_str_find(s, SJ_STR_LIT("民初")), strlen("（2023）粤1802"));
    assert_int_equal(sj_str_find(s, SJ_STR_LIT("刑终")), -1);
    assert_int_equal(sj_str_find(s, SJ_STR_LIT("")), 0);
    assert_int_equal(sj_str_find(SJ_STR_LIT("aaab"), SJ_STR_LIT("aab")), 1);
    assert_int_equal(sj_str_find(SJ_STR_LIT("ab"), SJ_STR_LIT("abc")), -1);
    assert_int_equal(sj_str_find(SJ_STR_LIT("xyz"), SJ_STR_LIT("z")), 2);
    /* The view's bytes past len are not part of it. */
    assert_int_equal(sj_str_find(sj_str_make("abcd", 3), SJ_STR_LIT("cd")), -1);
    assert_true(sj_str_eq(sj_str_make("abX", 2), sj_str_make("abY", 2)));
}

/* ---- Logging ----------------------------------------------------------------------------- */

/* Runs the log calls with stderr redirected to a temporary file and returns its text. */
static void capture_log(char *text, size_t size)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 2) >= 0);
    sj_log_set_level(SJ_LOG_INFO);
    SJ_DEBUG("dropped %d", 1);
    SJ_INFO("imported %d rows", 42);
    SJ_WARN("%s", "身份证号校验失败");
    sj_log_set_level(SJ_LOG_ERROR);
    SJ_WARN("dropped too");
    SJ_ERROR("disk full");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(text, 1, size - 1, tmp);
    text[n] = '\0';
    fclose(tmp);
}

static void test_log_lines(void **state)
{
    (void)state;
    char text[1024];
    capture_log(text, sizeof text);
    static const char *const want[] = {"INFO imported 42 rows", "WARN 身份证号校验失败",
                                       "ERROR disk full"};
    char *line = text;
    for (size_t i = 0; i < SJ_ARRAY_LEN(want); i++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        /* "YYYY-MM-DDTHH:MM:SSZ " then the level and the message. */
        assert_true(strlen(line) > 21);
        assert_int_equal(line[4], '-');
        assert_int_equal(line[10], 'T');
        assert_int_equal(line[19], 'Z');
        assert_int_equal(line[20], ' ');
        assert_string_equal(line + 21, want[i]);
        line = nl + 1;
    }
    assert_string_equal(line, ""); /* nothing else: the dropped messages are gone */
    sj_log_set_level(SJ_LOG_INFO);
}

/* Invalid bytes become U+FFFD one for one; valid text around them is kept. */
static void test_utf8_repair(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } rows[] = {
        {"abc", 3, "abc"},
        {"\xE5\xBC\xA0\xFF\xE4\xB8\x89", 7, "\xE5\xBC\xA0\xEF\xBF\xBD\xE4\xB8\x89"},
        {"\xC0\x80", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xE5\xBC", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"", 0, ""},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(rows); i++) {
        struct sj_buf out;
        sj_buf_init(&out, 0);
        assert_int_equal(sj_utf8_repair(sj_str_make(rows[i].in, rows[i].len), &out), 0);
        assert_string_equal(sj_buf_cstr(&out), rows[i].want);
        assert_true(sj_utf8_is_valid(sj_buf_str(&out), NULL));
        sj_buf_release(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_err_format_table),
        cmocka_unit_test(test_err_format_truncates),
        cmocka_unit_test(test_err_at_and_null),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_mem),
        cmocka_unit_test(test_arena_many_allocs),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_large_allocs),
        cmocka_unit_test(test_arena_reset_release),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_grow_appendf),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_utf8_decode_table),
        cmocka_unit_test(test_utf8_is_valid_table),
        cmocka_unit_test(test_utf8_encode_count),
        cmocka_unit_test(test_fold_nfkc_table),
        cmocka_unit_test(test_fold_halfwidth_table),
        cmocka_unit_test(test_fold_halfwidth_limits),
        cmocka_unit_test(test_str_trim_table),
        cmocka_unit_test(test_str_helpers),
        cmocka_unit_test(test_log_lines),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
