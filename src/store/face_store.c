/*
 * face_store.c - SQL of face verification (shujian/face.h, migration_face): sealed templates,
 * one per subject, in face_templates, and the record of every verification in face_checks.
 * Nothing here encrypts or decrypts: src/face seals templates under a key that never enters
 * the database, and checks what it reads back. Every value goes through bound parameters.
 */
#include <stdio.h>
#include <string.h>

#include "shujian/face.h"
#include "store/store_int.h"

static int template_exists(struct sj_store *store, int64_t subject_id, bool *exists,
                           struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "SELECT 1 FROM face_templates WHERE subject_id = ?",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, subject_id);
    int step = sqlite3_step(stmt);
    *exists = step == SQLITE_ROW;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "reading a face template");
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_face_template_put(struct sj_store *store, const struct sj_face_template_rec *rec,
                               bool *is_replaced, struct sj_err *err)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO face_templates (subject_id, model, nonce, sealed, face_side, "
        "sharpness, enrolled_ms) VALUES (?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    bool exists = false;
    int rc = template_exists(store, rec->subject_id, &exists, err);
    if (rc == 0)
        rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, rec->subject_id);
    sqlite3_bind_text(stmt, 2, rec->model, -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 3, rec->nonce, SJ_FACE_NONCE_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 4, rec->sealed, SJ_FACE_SEALED_LEN, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, rec->face_side);
    sqlite3_bind_double(stmt, 6, rec->sharpness);
    sqlite3_bind_int64(stmt, 7, rec->enrolled_ms);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "storing a face template");
    sj_store_finish(store, stmt);
    if (rc == 0 && is_replaced)
        *is_replaced = exists;
    return rc;
}

int sj_store_face_template_get(struct sj_store *store, int64_t subject_id,
                               struct sj_face_template_rec *rec, struct sj_err *err)
{
    static const char sql[] = "SELECT model, nonce, sealed, face_side, sharpness, enrolled_ms "
                              "FROM face_templates WHERE subject_id = ?";
    sqlite3_stmt *stmt = NULL;
    memset(rec, 0, sizeof *rec);
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, subject_id);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_DONE) {
        rc = sj_err_set(err, SJ_ENOTFOUND, "对象 %lld 尚未登记人脸", (long long)subject_id);
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = sj_store_db_error(store, err, "reading a face template");
        goto out;
    }
    if (sqlite3_column_bytes(stmt, 1) != SJ_FACE_NONCE_LEN ||
        sqlite3_column_bytes(stmt, 2) != SJ_FACE_SEALED_LEN) {
        rc = sj_err_set(err, SJ_EFORMAT, "the face template of subject %lld is damaged",
                        (long long)subject_id);
        goto out;
    }
    rec->subject_id = subject_id;
    snprintf(rec->model, sizeof rec->model, "%s", (const char *)sqlite3_column_text(stmt, 0));
    memcpy(rec->nonce, sqlite3_column_blob(stmt, 1), SJ_FACE_NONCE_LEN);
    memcpy(rec->sealed, sqlite3_column_blob(stmt, 2), SJ_FACE_SEALED_LEN);
    rec->face_side = sqlite3_column_int(stmt, 3);
    rec->sharpness = sqlite3_column_double(stmt, 4);
    rec->enrolled_ms = sqlite3_column_int64(stmt, 5);
out:
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_face_template_delete(struct sj_store *store, int64_t subject_id, struct sj_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, "DELETE FROM face_templates WHERE subject_id = ?",
                                     &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, subject_id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "deleting a face template");
    else if (sqlite3_changes(store->db) == 0)
        rc = sj_err_set(err, SJ_ENOTFOUND, "对象 %lld 尚未登记人脸", (long long)subject_id);
    sj_store_finish(store, stmt);
    return rc;
}

int sj_store_face_check_add(struct sj_store *store, const struct sj_face_check_rec *rec,
                            int64_t *id, struct sj_err *err)
{
    static const char sql[] =
        "INSERT INTO face_checks (subject_id, checked_ms, photo_sha256, decision, problem, "
        "distance, threshold, model, face_count, face_side, sharpness, ms, kept_photo) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    int rc = sj_store_prepare_cached(store, sql, &stmt, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, rec->subject_id);
    sqlite3_bind_int64(stmt, 2, rec->checked_ms);
    sqlite3_bind_text(stmt, 3, rec->photo_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, rec->decision, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, rec->problem, -1, SQLITE_STATIC);
    if (rec->distance >= 0)
        sqlite3_bind_double(stmt, 6, rec->distance);
    sqlite3_bind_double(stmt, 7, rec->threshold);
    sqlite3_bind_text(stmt, 8, rec->model, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 9, rec->face_count);
    sqlite3_bind_int(stmt, 10, rec->face_side);
    sqlite3_bind_double(stmt, 11, rec->sharpness);
    sqlite3_bind_double(stmt, 12, rec->ms);
    if (rec->kept_photo && *rec->kept_photo)
        sqlite3_bind_text(stmt, 13, rec->kept_photo, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = sj_store_db_error(store, err, "recording a face verification");
    else if (id)
        *id = sqlite3_last_insert_rowid(store->db);
    sj_store_finish(store, stmt);
    return rc;
}
