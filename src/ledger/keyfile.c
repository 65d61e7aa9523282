/*
 * keyfile.c - the ledger's Ed25519 signing key on disk, outside the database:
 * <workspace>/keys/ledger.key, one line in the golang.org/x/mod/sumdb/note form
 * "PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>". The directory is
 * created 0700 and the file 0600 with O_EXCL, so a key is never overwritten; reading checks
 * the name and key ID before the seed is used. Secret bytes are wiped after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger_int.h"

#define KEY_PREFIX "PRIVATE+KEY+"
#define KEY_FILE_MAX 1024

void sj_ledger_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t len = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm); /* 19 bytes until year 9999 */
    snprintf(out + len, 32 - len, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

char *sj_ledger_key_path(const char *dir)
{
    size_t len = strlen(dir) + 1 + strlen(SJ_LEDGER_KEY_FILE) + 1;
    char *path = sj_xmalloc(len);
    snprintf(path, len, "%s/%s", dir, SJ_LEDGER_KEY_FILE);
    return path;
}

/* Creates the directory holding path (one level: the workspace exists) with mode 0700. */
static int make_key_dir(const char *path, struct sj_err *err)
{
    char *dir = sj_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = sj_err_set(err, SJ_EIO, "无法创建密钥目录 %s：%s", dir, strerror(errno));
    }
    free(dir);
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The key line for (name, seed) into line. */
static int format_key(const char *name, const uint8_t sk[SJ_LEDGER_SK_LEN], struct sj_buf *line)
{
    uint8_t body[1 + 32];
    body[0] = 0x01;
    memcpy(body + 1, sk, 32); /* the seed is the first half of a libsodium secret key */
    int rc =
        sj_buf_appendf(line, KEY_PREFIX "%s+%08" PRIx32 "+", name, sj_ledger_key_id(name, sk + 32));
    if (rc == 0)
        rc = sj_ledger_base64_append(line, body, sizeof body);
    if (rc == 0)
        rc = sj_buf_putc(line, '\n');
    sodium_memzero(body, sizeof body);
    return rc;
}

int sj_ledger_key_write(const char *path, const char *name, const uint8_t sk[SJ_LEDGER_SK_LEN],
                        struct sj_err *err)
{
    struct sj_buf line;
    sj_buf_init(&line, KEY_FILE_MAX);
    int rc = make_key_dir(path, err);
    if (rc == 0 && format_key(name, sk, &line) < 0)
        rc = sj_err_set(err, SJ_EINVAL, "账本名称过长");
    int fd = rc == 0 ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    if (rc == 0 && fd < 0)
        rc = sj_err_set(err, errno == EEXIST ? SJ_EEXIST : SJ_EIO, "无法创建账本密钥文件 %s：%s",
                        path, errno == EEXIST ? "文件已存在，不会覆盖" : strerror(errno));
    if (fd >= 0) {
        if (write_all(fd, line.data, line.len) < 0 || fsync(fd) != 0)
            rc = sj_err_set(err, SJ_EIO, "无法写入账本密钥文件 %s：%s", path, strerror(errno));
        close(fd);
        if (rc < 0)
            unlink(path);
    }
    if (line.data)
        sodium_memzero(line.data, line.alloc);
    sj_buf_release(&line);
    return rc;
}

/* Reads at most KEY_FILE_MAX bytes of path into buf (NUL-terminated), *len bytes. */
static int read_key_file(const char *path, char *buf, size_t *len, struct sj_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sj_err_set(err, errno == ENOENT ? SJ_ENOTFOUND : SJ_EIO,
                          "无法读取账本密钥文件 %s：%s", path, strerror(errno));
    ssize_t n;
    *len = 0;
    while ((n = read(fd, buf + *len, KEY_FILE_MAX - *len)) > 0)
        *len += (size_t)n;
    close(fd);
    if (n < 0)
        return sj_err_set(err, SJ_EIO, "无法读取账本密钥文件 %s：%s", path, strerror(errno));
    buf[*len] = '\0';
    return 0;
}

/* Checks "PRIVATE+KEY+<name>+<id>+<b64>\n" against name and rebuilds sk from the seed. */
static int parse_key(struct sj_str text, const char *name, uint8_t sk[SJ_LEDGER_SK_LEN])
{
    char head[SJ_LEDGER_ORIGIN_MAX + 32];
    uint8_t body[1 + 32 + 2];
    uint8_t pk[SJ_LEDGER_PK_LEN];
    int n = snprintf(head, sizeof head, KEY_PREFIX "%s+", name);
    if (n < 0 || (size_t)n >= sizeof head || !sj_str_has_prefix(text, sj_str_make(head, (size_t)n)))
        return -1;
    struct sj_str rest = sj_str_slice(text, (size_t)n, text.len);
    if (!sj_str_has_suffix(rest, SJ_STR_LIT("\n")) || rest.len < 10 || rest.ptr[8] != '+')
        return -1;
    uint32_t id = 0;
    for (int i = 0; i < 8; i++) {
        char c = rest.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -1;
        id = id << 4 | (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    struct sj_str b64 = sj_str_slice(rest, 9, rest.len - 10);
    int rc = -1;
    if (sj_ledger_base64_decode(b64, body, sizeof body) == 33 && body[0] == 0x01) {
        crypto_sign_seed_keypair(pk, sk, body + 1);
        rc = sj_ledger_key_id(name, pk) == id ? 0 : -1;
    }
    sodium_memzero(body, sizeof body);
    return rc;
}

int sj_ledger_key_read(const char *path, const char *name, uint8_t sk[SJ_LEDGER_SK_LEN],
                       struct sj_err *err)
{
    char *buf = sodium_malloc(KEY_FILE_MAX + 1);
    size_t len = 0;
    if (!buf)
        return sj_err_set(err, SJ_EIO, "cannot allocate secure memory for the ledger key");
    int rc = read_key_file(path, buf, &len, err);
    if (rc == 0 && parse_key(sj_str_make(buf, len), name, sk) < 0)
        rc = sj_err_set(err, SJ_EFORMAT, "账本密钥文件 %s 格式不正确，或不属于账本 %s", path, name);
    sodium_free(buf);
    return rc;
}
