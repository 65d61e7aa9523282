/*
 * template.c - face templates at rest: the workspace's face key (DIR/keys/face.key, 32 random
 * bytes, mode 0600, outside the database), sealing a descriptor with libsodium's
 * crypto_secretbox (XSalsa20-Poly1305) and opening it again, and enrolment.
 *
 * Invariants: a sealed template binds its subject id (inside the box), so a sealed blob copied
 * to another subject's row does not open; plaintext descriptors and keys are wiped from memory
 * (sodium_memzero) when no longer needed; a key file others may read is refused, not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shujian/face.h"
#include "shujian/store.h"

_Static_assert(SJ_FACE_KEY_LEN == crypto_secretbox_KEYBYTES, "key length");
_Static_assert(SJ_FACE_NONCE_LEN == crypto_secretbox_NONCEBYTES, "nonce length");
_Static_assert(SJ_FACE_SEALED_LEN == crypto_secretbox_MACBYTES + 8 + 4 * SJ_FACE_DESCRIPTOR_LEN,
               "sealed length");

#define PLAIN_LEN (8 + 4 * SJ_FACE_DESCRIPTOR_LEN)

/* Makes DIR/keys/face.key with 32 fresh random bytes; EEXIST when another process won. */
static int create_key(const char *path, uint8_t key[SJ_FACE_KEY_LEN], struct sj_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST
                   ? SJ_EEXIST
                   : sj_err_set(err, SJ_EIO, "cannot create %s: %s", path, strerror(errno));
    randombytes_buf(key, SJ_FACE_KEY_LEN);
    int is_ok = write(fd, key, SJ_FACE_KEY_LEN) == SJ_FACE_KEY_LEN;
    is_ok = fsync(fd) == 0 && is_ok;
    is_ok = close(fd) == 0 && is_ok;
    if (!is_ok) {
        unlink(path);
        return sj_err_set(err, SJ_EIO, "cannot write %s", path);
    }
    return 0;
}

static int read_key(const char *path, uint8_t key[SJ_FACE_KEY_LEN], struct sj_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return sj_err_set(err, SJ_EIO, "cannot open %s: %s", path, strerror(errno));
    int rc = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = sj_err_set(err, SJ_EIO, "%s is not a regular file", path);
    } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        rc = sj_err_set(err, SJ_EPERM, "%s may be read by others (mode %03o): chmod 600 it", path,
                        (unsigned)(st.st_mode & 0777));
    } else if (st.st_size != SJ_FACE_KEY_LEN || read(fd, key, SJ_FACE_KEY_LEN) != SJ_FACE_KEY_LEN) {
        rc = sj_err_set(err, SJ_EFORMAT, "%s is not a face key (%d bytes expected)", path,
                        SJ_FACE_KEY_LEN);
    }
    close(fd);
    return rc;
}

int sj_face_key_load(const char *dir, uint8_t key[SJ_FACE_KEY_LEN], struct sj_err *err)
{
    char path[4096];
    if (sodium_init() < 0)
        return sj_err_set(err, SJ_EIO, "libsodium cannot start");
    snprintf(path, sizeof path, "%s/keys", dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return sj_err_set(err, SJ_EIO, "cannot create %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s", dir, SJ_FACE_KEY_FILE);
    int rc = create_key(path, key, err);
    if (rc == SJ_EEXIST)
        rc = read_key(path, key, err);
    return rc;
}

void sj_face_template_seal(const uint8_t key[SJ_FACE_KEY_LEN], int64_t subject_id,
                           const float desc[SJ_FACE_DESCRIPTOR_LEN],
                           struct sj_face_template_rec *rec)
{
    uint8_t plain[PLAIN_LEN];
    uint64_t id = (uint64_t)subject_id;
    for (int i = 0; i < 8; i++)
        plain[i] = (uint8_t)(id >> (8 * i));
    for (int k = 0; k < SJ_FACE_DESCRIPTOR_LEN; k++) {
        uint32_t bits;
        memcpy(&bits, &desc[k], 4);
        for (int i = 0; i < 4; i++)
            plain[8 + 4 * k + i] = (uint8_t)(bits >> (8 * i));
    }
    rec->subject_id = subject_id;
    randombytes_buf(rec->nonce, sizeof rec->nonce);
    crypto_secretbox_easy(rec->sealed, plain, sizeof plain, rec->nonce, key);
    sodium_memzero(plain, sizeof plain);
}

int sj_face_template_open(const uint8_t key[SJ_FACE_KEY_LEN],
                          const struct sj_face_template_rec *rec,
                          float desc[SJ_FACE_DESCRIPTOR_LEN], struct sj_err *err)
{
    uint8_t plain[PLAIN_LEN];
    uint64_t id = 0;
    int rc = 0;
    if (crypto_secretbox_open_easy(plain, rec->sealed, SJ_FACE_SEALED_LEN, rec->nonce, key) != 0)
        return sj_err_set(err, SJ_EFORMAT,
                          "the face template of subject %lld does not open with this workspace's "
                          "key (another key, or altered)",
                          (long long)rec->subject_id);
    for (int i = 0; i < 8; i++)
        id |= (uint64_t)plain[i] << (8 * i);
    if ((int64_t)id != rec->subject_id) {
        rc = sj_err_set(err, SJ_EFORMAT,
                        "the face template stored for subject %lld was sealed "
                        "for subject %lld",
                        (long long)rec->subject_id, (long long)id);
        goto out;
    }
    for (int k = 0; k < SJ_FACE_DESCRIPTOR_LEN; k++) {
        uint32_t bits = 0;
        for (int i = 0; i < 4; i++)
            bits |= (uint32_t)plain[8 + 4 * k + i] << (8 * i);
        memcpy(&desc[k], &bits, 4);
    }
out:
    sodium_memzero(plain, sizeof plain);
    return rc;
}

int sj_face_enrol(const struct sj_face_model *model, struct sj_store *store, int64_t subject_id,
                  const uint8_t *photo, size_t len, int64_t now_ms, struct sj_face_probe *probe,
                  bool *is_replaced, struct sj_err *err)
{
    uint8_t key[SJ_FACE_KEY_LEN];
    struct sj_face_template_rec rec;
    memset(&rec, 0, sizeof rec);
    int rc = sj_face_probe_jpeg(model, photo, len, probe, err);
    if (rc < 0 || probe->problem != SJ_FACE_USABLE)
        goto out;
    rc = sj_face_key_load(sj_store_dir(store), key, err);
    if (rc < 0)
        goto out;
    sj_face_template_seal(key, subject_id, probe->descriptor, &rec);
    snprintf(rec.model, sizeof rec.model, "%s", SJ_FACE_MODEL_VERSION);
    rec.face_side = probe->face_side;
    rec.sharpness = probe->sharpness;
    rec.enrolled_ms = now_ms;
    rc = sj_store_face_template_put(store, &rec, is_replaced, err);
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(probe->descriptor, sizeof probe->descriptor);
    return rc;
}
