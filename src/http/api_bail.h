/*
 * api_bail.h - internal to src/http/api_bail*.c: the bail supervision API (docs/API.md
 * "Bail") over shujian/bail_ops.h. api_bail.c holds the route table and the shared helpers
 * (the ledger env, actors, error answers, JSON shapes); the other files hold handlers.
 * Invariant: every handler checks the office scope of the subject it touches
 * (sj_http_office_visible) or, for a device, that the subject is the device's own.
 */
#ifndef SHUJIAN_HTTP_API_BAIL_H
#define SHUJIAN_HTTP_API_BAIL_H

#include "http/http_int.h"
#include "shujian/bail_ops.h"
#include "shujian/bail_store.h"

struct sj_face_model;

#define SJ_BAIL_OFFICERS (SJ_ROLE_BIT(SJ_ROLE_PROSECUTOR) | SJ_ROLE_BIT(SJ_ROLE_POLICE))
#define SJ_BAIL_READERS (SJ_BAIL_OFFICERS | SJ_ROLE_BIT(SJ_ROLE_AUDITOR))

/* Fills env (with the request store's ledger; 503 LEDGER_MISSING when none) and, for a
 * signed-in user, who (office code, now). Returns 0 or replies and returns < 0. */
int sj_http_bail_env(struct sj_http_ctx *ctx, struct sj_bail_env *env, struct sj_bail_actor *who);
/* Replies for a failed bail operation: the library's Chinese message with a stable code. */
int sj_http_bail_fail(struct sj_http_ctx *ctx, const struct sj_err *err);
/* Reads the subject of path param "id" into *out when it exists and is in the user's scope;
 * else replies 404 BAIL_SUBJECT_NOT_FOUND. Release *out on success. */
int sj_http_bail_subject(struct sj_http_ctx *ctx, struct sj_bail_subject *out);
/* Like sj_http_bail_subject, but only the id: *id is the subject of path param "id" when it
 * exists and is in the user's scope; else replies 404 BAIL_SUBJECT_NOT_FOUND. */
int sj_http_bail_subject_id(struct sj_http_ctx *ctx, int64_t *id);
/* Whether subject id is in the signed-in user's scope (false also when it does not exist). */
bool sj_http_bail_subject_visible(struct sj_http_ctx *ctx, int64_t subject_id);
/* The device of the request's "Authorization: Bearer" token; replies 401 otherwise. */
int sj_http_bail_device(struct sj_http_ctx *ctx, struct sj_bail_device *out);
/* Optional whole-number body member (*out unchanged when absent); 400 when not a number. */
int sj_http_bail_body_int(struct sj_http_ctx *ctx, const char *key, bool is_required, int64_t *out);
/* Optional number body member (*out unchanged when absent). */
int sj_http_bail_body_real(struct sj_http_ctx *ctx, const char *key, bool is_required, double *out);
/* A query parameter as a whole number (dflt when absent); 400 when malformed. */
int sj_http_bail_query_int(struct sj_http_ctx *ctx, const char *key, int64_t dflt, int64_t *out);
/* ?from_ms and ?to_ms (def_from, def_to when absent) into *from, *to; 400 INVALID_QUERY when
 * malformed, when to_ms <= from_ms or when the range is wider than 400 days. */
int sj_http_bail_query_range(struct sj_http_ctx *ctx, int64_t def_from, int64_t def_to,
                             int64_t *from, int64_t *to);

json_t *sj_http_bail_subject_json(const struct sj_bail_subject *s);
json_t *sj_http_bail_alert_json(const struct sj_bail_alert *a);
json_t *sj_http_bail_leave_json(const struct sj_bail_leave *l);
/* Submits req for subject_id (env and who from sj_http_bail_env) and answers 201 {leave}.
 * Returns 0, or replies and returns < 0. */
int sj_http_bail_submit_leave(struct sj_http_ctx *ctx, const struct sj_bail_env *env,
                              const struct sj_bail_actor *who, int64_t subject_id,
                              const struct sj_bail_leave_request *req);
json_t *sj_http_bail_device_json(const struct sj_bail_device *d);

/* api_bail_device.c: enrolment, binding and what the phone sends. */
int sj_http_bail_post_enrol(struct sj_http_ctx *ctx);
int sj_http_bail_post_bind(struct sj_http_ctx *ctx);
int sj_http_bail_delete_device(struct sj_http_ctx *ctx);
int sj_http_bail_post_checkin(struct sj_http_ctx *ctx);
int sj_http_bail_post_positions(struct sj_http_ctx *ctx);
int sj_http_bail_device_subject(struct sj_http_ctx *ctx);
int sj_http_bail_device_leave(struct sj_http_ctx *ctx);
/* Reads a leave request body (destination, reason, lat, lon, datum?, radius_m?, start_ms,
 * end_ms) into *req; replies 400 and returns < 0 when it is malformed. */
int sj_http_bail_read_leave(struct sj_http_ctx *ctx, struct sj_bail_leave_request *req);
/* The face model, loaded once per process; NULL when it cannot be loaded (logged). */
const struct sj_face_model *sj_http_bail_face_model(void);

/* api_bail_lists.c: the lists the UI reads, leaves on a subject's behalf, face enrolment and
 * the risk colour. */
int sj_http_bail_get_leaves(struct sj_http_ctx *ctx);
int sj_http_bail_get_roster(struct sj_http_ctx *ctx);
int sj_http_bail_get_checkins(struct sj_http_ctx *ctx);
int sj_http_bail_post_leave(struct sj_http_ctx *ctx);
#define SJ_BAIL_FACE_BODY_MAX ((size_t)12 << 20) /* a face photo, JPEG or multipart */
int sj_http_bail_post_face(struct sj_http_ctx *ctx);
int sj_http_bail_get_face(struct sj_http_ctx *ctx);
int sj_http_bail_get_risk(struct sj_http_ctx *ctx);
int sj_http_bail_get_officers(struct sj_http_ctx *ctx);
/* Adds to a device's answer about its own subject (body {subject: {...}}) the coming check-in
 * windows (subject.next_slot, subject.slots) and its risk (body.risk: colour, score, reasons
 * with rule, text, points). Returns 0; what cannot be read is left out. */
int sj_http_bail_device_extras(struct sj_http_ctx *ctx, int64_t subject_id, json_t *body);
/* Adds "risk_colour" and "risk_score" to each subject object of subjects (a JSON array of
 * sj_http_bail_subject_json objects), from one query over the alerts. 0 or < 0 (replied). */
int sj_http_bail_add_risk(struct sj_http_ctx *ctx, json_t *subjects);

/* api_bail_stats.c: statistics and their export (the CSV/XLSX writing is export.c's). */
int sj_http_bail_get_stats(struct sj_http_ctx *ctx);
int sj_http_bail_get_stats_export(struct sj_http_ctx *ctx);

/* api_bail_fence.c: fences, schedules, slots and the trail. */
int sj_http_bail_post_fence(struct sj_http_ctx *ctx);
int sj_http_bail_get_fences(struct sj_http_ctx *ctx);
int sj_http_bail_get_fence(struct sj_http_ctx *ctx);
int sj_http_bail_delete_fence(struct sj_http_ctx *ctx);
int sj_http_bail_post_schedule(struct sj_http_ctx *ctx);
int sj_http_bail_post_spot(struct sj_http_ctx *ctx);
int sj_http_bail_get_slots(struct sj_http_ctx *ctx);
int sj_http_bail_get_trail(struct sj_http_ctx *ctx);

/* api_bail_alert.c: leaves, alerts, roster, review and the sweep. */
int sj_http_bail_get_leave(struct sj_http_ctx *ctx);
int sj_http_bail_post_decision(struct sj_http_ctx *ctx);
int sj_http_bail_get_alerts(struct sj_http_ctx *ctx);
int sj_http_bail_get_alert(struct sj_http_ctx *ctx);
int sj_http_bail_post_ack(struct sj_http_ctx *ctx);
int sj_http_bail_post_resolve(struct sj_http_ctx *ctx);
int sj_http_bail_post_roster(struct sj_http_ctx *ctx);
int sj_http_bail_get_on_duty(struct sj_http_ctx *ctx);
int sj_http_bail_get_review(struct sj_http_ctx *ctx);
int sj_http_bail_post_review_checkins(struct sj_http_ctx *ctx);
int sj_http_bail_post_signoff(struct sj_http_ctx *ctx);
int sj_http_bail_post_sweep(struct sj_http_ctx *ctx);

#endif
