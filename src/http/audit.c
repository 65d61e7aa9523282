/*
 * audit.c - identity events in the ledger: logins, logouts, users and offices added or
 * changed. The identity store commits these itself (a password is hashed before its write
 * lock), so each is recorded right after, as a ledger-only entry through the group-commit
 * writer, and the request is answered only once that entry is durable. Invariant: a 2xx
 * answer to an identity change means its ledger entry exists (when the workspace has a ledger).
 */
#include <inttypes.h>
#include <stdio.h>

#include "http/http_int.h"
#include "http/platform_int.h"

int sj_http_audit(struct sj_http_ctx *ctx, const struct sj_user *user, const char *action,
                  const char *object_type, int64_t object_id, json_t *payload)
{
    char id[24];
    if (!sj_http_writer_has_ledger(sj_http_platform_of(ctx)->writer)) {
        json_decref(payload);
        return 0;
    }
    snprintf(id, sizeof id, "%" PRId64, object_id);
    struct sj_http_write w = {.apply = NULL};
    if (sj_http_record_as(ctx, user, action, object_type, id, payload, &w.record) < 0)
        return SJ_EINVAL;
    int rc = sj_http_writer_submit(sj_http_platform_of(ctx)->writer, &w);
    if (rc < 0) {
        SJ_ERROR("%s %s: the change was made but its ledger entry failed: %s", ctx->req->method,
                 ctx->req->path, w.err.message);
        sj_http_error(ctx, 500, "LEDGER_FAILED",
                      "操作已执行，但写入审计账本失败，请联系管理员检查账本");
    }
    return rc;
}
