#!/usr/bin/env python3
"""bail_concurrency.py - check-ins under concurrency over the HTTP API, speaking TAP:
many threads post the same Idempotency-Key with the same body at the same moment -> one
check-in stored and every answer the same; the same key with a changed body -> 422 for
every thread, nothing more stored; two different bodies racing for one new key -> one wins,
the other gets 422, one row; then a phone that was offline uploads a check-in made inside
yesterday's slot: accepted, flagged late-upload, stored once. The ledger verifies at the end.

Personal data are invented; the ID numbers carry check digits computed here.

usage: bail_concurrency.py path/to/shujian
"""
import json
import os
import sqlite3
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace, code_of  # noqa: E402
from bailfix import HOME, id_number, now_ms  # noqa: E402

THREADS = 16


t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("chen", "prosecutor", "441800")
ws.cli("ledger", "init")
srv = Server(ws, threads=THREADS)
chen = Client(srv)
status, doc = chen.login("chen")
t.eq(status, 200, "the prosecutor signs in")
status, doc = chen.request("POST", "/api/v1/bail/subjects", {
    "person_name": "林小川", "id_number": id_number("44180219850312123"),
    "phone": "13800138000", "residence": "清远市清城区某路 1 号", "crime_type": "盗窃",
    "case_number": "（2026）粤1802刑初1号", "prosecutor_id": doc["user"]["id"],
    "bail_start": "2026-01-01", "bail_end": "2027-12-31"})
t.eq(status, 201, "a subject is registered")
sid = doc["subject"]["id"]
chen.request("POST", "/api/v1/bail/fences", {
    "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
    "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/schedules",
                           {"kind": "daily", "start_min": 0, "end_min": 1440})
t.eq(status, 201, "an all-day check-in schedule")
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
phone = Client(srv)
status, doc = phone.request("POST", "/api/v1/bail/devices/bind",
                            {"code": doc.get("enrol_code", ""), "install_id": "app-1"})
t.eq(status, 201, "the phone binds")
auth = {"Authorization": "Bearer " + doc.get("device_token", "")}


def body_at(fix, pos=HOME, acc=15.0):
    return {"lat": pos[0], "lon": pos[1], "accuracy_m": acc, "datum": "wgs84", "fix_ms": fix}


def post(key, body):
    """One check-in on a fresh connection: (status, parsed answer, replayed header)."""
    conn = srv.connection()
    try:
        conn.request("POST", "/api/v1/bail/device/checkins", body=json.dumps(body),
                     headers=dict(auth, **{"Idempotency-Key": key,
                                           "Content-Type": "application/json"}))
        resp = conn.getresponse()
        text = resp.read()
        return resp.status, json.loads(text) if text else None, resp.getheader(
            "Idempotent-Replayed")
    finally:
        conn.close()


def at_once(jobs):
    """Runs every (key, body) job in its own thread, all released together."""
    gate = threading.Barrier(len(jobs))
    out = [None] * len(jobs)

    def run(i, key, body):
        gate.wait()
        out[i] = post(key, body)

    threads = [threading.Thread(target=run, args=(i, k, b)) for i, (k, b) in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    return out


db_path = os.path.join(ws.dir, "workspace.db")


def stored(key):
    """Rows of the check-in table for key, read from the database file (read-only)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT id, flags, status FROM bail_checkins WHERE idem_key = ?",
                          (key,)).fetchall()
    finally:
        db.close()


# ---- One key, one body, many threads at once ---------------------------------------------------
same = body_at(now_ms() - 2000)
answers = at_once([("same-1", same)] * THREADS)
t.eq(sorted({a[0] for a in answers}), [201], f"{THREADS} threads, one key, one body: all 201")
first = [a[1] for a in answers if a[0] == 201]
t.ok(len(first) == THREADS and all(a == first[0] for a in first),
     "every answer is the same, check-in id included", answers[:2])
t.eq(sum(1 for a in answers if a[2] == "true"), THREADS - 1,
     "all but one say Idempotent-Replayed")
rows = stored("same-1")
t.eq(len(rows), 1, "exactly one check-in is stored")
t.eq(rows[0][0] if rows else None, first[0].get("checkin_id") if first else None,
     "and it is the one every answer names")

# ---- The same key with a changed body -> 422, nothing more stored --------------------------------
changed = dict(same, accuracy_m=16.0)
answers = at_once([("same-1", changed)] * THREADS)
t.eq(sorted({(a[0], code_of(a[1])) for a in answers}), [(422, "IDEMPOTENCY_KEY_REUSED")],
     "a changed body with the same key: 422 for every thread")
t.eq(len(stored("same-1")), 1, "still one check-in")
status, doc, _ = post("same-1", same)
t.eq((status, doc), (201, first[0] if first else None),
     "the first body still gets the first answer")

# ---- Two bodies racing for one new key ------------------------------------------------------------
a, b = body_at(now_ms() - 3000), body_at(now_ms() - 3000, acc=30.0)
answers = at_once([("race-1", a if i % 2 else b) for i in range(THREADS)])
winners = {json.dumps(x[1], sort_keys=True) for x in answers if x[0] == 201}
t.eq(len(winners), 1, "two bodies race for a new key: one answer wins")
t.ok(all(x[0] in (201, 422) for x in answers), "the others get 422",
     sorted({x[0] for x in answers}))
losers = sum(1 for x in answers if x[0] == 422)
t.eq(losers, THREADS // 2, "every thread with the losing body gets 422")
t.eq(len(stored("race-1")), 1, "one check-in stored for the key")

# ---- Many keys at once: each stored once ----------------------------------------------------------
jobs = [(f"many-{i}", body_at(now_ms() - 4000 - i)) for i in range(THREADS * 2)]
answers = at_once(jobs)
t.eq(sorted({x[0] for x in answers}), [201], f"{len(jobs)} different keys at once: all 201")
ids = [x[1].get("checkin_id") for x in answers]
t.eq(len(set(ids)), len(jobs), "each gets its own check-in")
t.ok(all(len(stored(k)) == 1 for k, _ in jobs), "each stored exactly once")

# ---- Late upload: a fix inside yesterday's slot, uploaded now --------------------------------------
late_fix = now_ms() - 26 * 3600 * 1000
status, doc, _ = post("late-1", body_at(late_fix))
t.eq(status, 201, "a check-in from a phone that was offline is accepted")
flags = doc.get("flags", []) if isinstance(doc, dict) else []
t.ok("late-upload" in flags, "and flagged late-upload", doc)
t.eq(doc.get("status") if isinstance(doc, dict) else None, "flagged", "its status is flagged")
rows = stored("late-1")
t.eq(len(rows), 1, "the late check-in is stored once")
t.ok(rows and rows[0][2] == "flagged" and rows[0][1] & (1 << 6),
     "stored with the late-upload flag", rows)
status, again, replayed = post("late-1", body_at(late_fix))
t.eq((status, again, replayed), (201, doc, "true"), "its retry gets the same answer")
status, doc = phone.request("POST", "/api/v1/bail/device/positions", {
    "datum": "wgs84", "fixes": [{"lat": HOME[0], "lon": HOME[1], "accuracy_m": 10,
                                 "fix_ms": late_fix + 60000 + i * 1000} for i in range(5)]},
    headers=auth)
t.eq((status, doc.get("stored") if isinstance(doc, dict) else None), (201, 5),
     "late positions (a day old) are accepted and stored")

t.eq(srv.stop(), 0, "the server stops cleanly")
res = ws.cli("ledger", "verify", check=False)
t.eq(res.returncode, 0, "the ledger verifies")
t.done()
