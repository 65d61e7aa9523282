/*
 * bail_int.h - internal to src/bail: what the module's files share. The pure core (geo.c,
 * fence*.c, schedule.c, judge.c) needs nothing from here; the operations (*_ops.c) share the
 * transaction and ledger helpers, field checks and the raising of alerts.
 */
#ifndef SHUJIAN_BAIL_INT_H
#define SHUJIAN_BAIL_INT_H

#include "shujian/bail.h"
#include "shujian/geo.h"

#include <jansson.h>

#include "shujian/bail_ops.h"
#include "shujian/bail_store.h"

/* The parameters of env, or the defaults written into *buf. */
const struct sj_bail_params *sj_bail_env_params(const struct sj_bail_env *env,
                                                struct sj_bail_params *buf);

/* Starts the transaction of an operation (checking env first). */
int sj_bail_tx_begin(const struct sj_bail_env *env, bool *is_own, struct sj_err *err);
/* Ends it: commits when rc is 0, else rolls back. Returns rc, or the commit's error. */
int sj_bail_tx_end(const struct sj_bail_env *env, bool is_own, int rc, struct sj_err *err);

/* Appends one ledger entry for an operation: actor from who (user name, "device:<id>" or
 * "system"), object "<object_type>" / object_id, payload (taken: its reference is stolen;
 * NULL means {}). *index (may be NULL) gets the entry's index. */
int sj_bail_record(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                   const char *action, const char *object_type, int64_t object_id, json_t *payload,
                   int64_t *index, struct sj_err *err);

/* Valid UTF-8 of min..max code points without control characters (newlines allowed when
 * is_multiline). SJ_EINVAL naming what in Chinese. */
int sj_bail_check_text(const char *text, size_t min, size_t max, bool is_multiline,
                       const char *what, struct sj_err *err);

/* Raises an alert about subject s unless one with dedupe_key exists: assignee from the roster
 * (else the police officer, else the prosecutor), escalation time from the parameters, ledger
 * "bail.alert.raise" with the entry's index kept on the alert. *is_new (may be NULL) says
 * whether it was raised now. Runs inside the caller's transaction. */
int sj_bail_raise(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                  const struct sj_bail_subject *s, enum sj_bail_alert_kind kind, const char *detail,
                  const char *source, const char *dedupe_key, bool *is_new, struct sj_err *err);

/* Feeds fixes[0..count) of subject s (WGS-84, not mocked, in time order) into its fence state
 * machines: the union of its allowed fences (with approved leave destinations during their
 * windows) and each forbidden fence, as in force at each fix's time. Confirmed events raise
 * alerts, except an exit during an approved leave. *raised (may be NULL) is increased by the
 * number of new alerts. Inside the caller's transaction. */
int sj_bail_feed_fences(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject *s, const struct sj_bail_fix *fixes,
                        size_t count, size_t *raised, struct sj_err *err);

/* Parses stored fences into geometry (f->id, f->kind set), skipping any that no longer parse. */
void sj_bail_fences_parse(const struct sj_store_bail_fence *rows, size_t count,
                          struct sj_fence **fences, size_t *parsed);

/* Checks the actor may act for subject s: a device only for its own subject and only while
 * active; an officer needs a user id (the office scope is the API's). SJ_EPERM. */
int sj_bail_check_actor(const struct sj_bail_env *env, const struct sj_bail_actor *who,
                        const struct sj_bail_subject *s, struct sj_err *err);

/* Re-reads device inside the caller's transaction: SJ_EPERM unless it is still active and
 * still its subject's (it may have been revoked since the request was authenticated). */
int sj_bail_device_check(const struct sj_bail_env *env, const struct sj_bail_device *device,
                         struct sj_err *err);

/* A circle fence for an approved leave's destination (id = the leave's fence id). */
void sj_bail_leave_fence(const struct sj_bail_leave *l, struct sj_fence *out);

#endif
