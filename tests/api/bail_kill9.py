#!/usr/bin/env python3
"""bail_kill9.py - a crash in the middle of check-ins loses no acknowledged one, speaking TAP.
PHONES phones each send their share of 1,000 check-ins (unique Idempotency-Keys) from their
own thread; when about a third have been answered the server is killed with SIGKILL. After a
restart on the same workspace: every check-in that got a 2xx answer is stored exactly once
with the id the answer gave, none twice; retrying every key that got no answer stores each
exactly once too (a committed one gets its first answer back); and `shujian ledger verify`
passes. A 2xx answer comes only after the group commit (synchronous=FULL), so this is what a
phone may rely on.

Personal data are invented; the ID numbers carry check digits computed here.

usage: bail_kill9.py path/to/shujian
"""
import http.client
import json
import os
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace  # noqa: E402
from bailfix import HOME, id_number, now_ms  # noqa: E402

PHONES = 20
TOTAL = 1000
KILL_AFTER = TOTAL // 3


t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("chen", "prosecutor", "441800")
ws.cli("ledger", "init")
srv = Server(ws, threads=16)
chen = Client(srv)
status, doc = chen.login("chen")
t.eq(status, 200, "the prosecutor signs in")
me = doc["user"]["id"]
tokens = []
for i in range(PHONES):
    status, doc = chen.request("POST", "/api/v1/bail/subjects", {
        "person_name": "林" + "小川一舟子明文静海燕建国秀英春夏秋冬"[i % 18] + "生",
        "id_number": id_number("4418021985%02d%02d%03d" % (1 + i % 12, 1 + i % 28, i)),
        "phone": "13800138000", "residence": f"清远市清城区某路 {i + 1} 号",
        "crime_type": "盗窃", "case_number": f"（2026）粤1802刑初{i + 1}号",
        "prosecutor_id": me, "bail_start": "2026-01-01", "bail_end": "2027-12-31"})
    sid = doc["subject"]["id"]
    chen.request("POST", f"/api/v1/bail/subjects/{sid}/schedules",
                 {"kind": "daily", "start_min": 0, "end_min": 1440})
    status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
    status, doc = Client(srv).request("POST", "/api/v1/bail/devices/bind",
                                      {"code": doc.get("enrol_code", ""),
                                       "install_id": f"app-{i}"})
    tokens.append(doc.get("device_token", ""))
t.eq(sum(1 for x in tokens if x), PHONES, f"{PHONES} subjects with a bound phone each")

base_fix = now_ms() - 60000
lock = threading.Lock()
acked = {}       # key -> check-in id from a 2xx answer
unanswered = []  # (phone, key, body) that got no answer
answered = threading.Event()


def body_of(phone, n):
    return {"lat": HOME[0], "lon": HOME[1], "accuracy_m": 15.0, "datum": "wgs84",
            "fix_ms": base_fix + n * 10}


def post(server, phone, key, body):
    conn = server.connection(timeout=30)
    try:
        conn.request("POST", "/api/v1/bail/device/checkins", body=json.dumps(body),
                     headers={"Authorization": "Bearer " + tokens[phone],
                              "Idempotency-Key": key, "Content-Type": "application/json"})
        resp = conn.getresponse()
        text = resp.read()
        return resp.status, json.loads(text) if text else None
    finally:
        conn.close()


def phone_main(phone):
    for n in range(phone, TOTAL, PHONES):
        key, body = f"k9-{phone}-{n}", body_of(phone, n)
        try:
            status, doc = post(srv, phone, key, body)
        except (OSError, ValueError, http.client.HTTPException):
            status, doc = None, None
        with lock:
            if status is not None and 200 <= status < 300 and isinstance(doc, dict):
                acked[key] = doc.get("checkin_id")
                if len(acked) >= KILL_AFTER:
                    answered.set()
            else:
                unanswered.append((phone, key, body))


threads = [threading.Thread(target=phone_main, args=(p,)) for p in range(PHONES)]
started = time.monotonic()
for th in threads:
    th.start()
answered.wait(120)
srv.proc.send_signal(signal.SIGKILL)  # in the middle: requests are in flight
srv.proc.wait()
for th in threads:
    th.join(120)
with lock:
    n_acked, n_lost = len(acked), len(unanswered)
t.ok(n_acked >= KILL_AFTER and n_lost > 0,
     f"killed mid-run: {n_acked} answered, {n_lost} not", (n_acked, n_lost))
t.eq(n_acked + n_lost, TOTAL, "every check-in was either answered or failed")

srv2 = Server(ws, threads=16)
db = sqlite3.connect(f"file:{os.path.join(ws.dir, 'workspace.db')}?mode=ro", uri=True,
                     timeout=30)
rows = db.execute("SELECT idem_key, id FROM bail_checkins WHERE idem_key LIKE 'k9-%'").fetchall()
db.close()
stored = {}
for key, cid in rows:
    stored.setdefault(key, []).append(cid)
t.ok(all(len(v) == 1 for v in stored.values()), "no check-in is stored twice",
     [k for k, v in stored.items() if len(v) > 1][:5])
missing = [k for k in acked if k not in stored]
t.eq(missing[:5], [], "every acknowledged check-in survived the kill")
wrong = [k for k, cid in acked.items() if k in stored and stored[k] != [cid]]
t.eq(wrong[:5], [], "each with the id its answer gave")
t.ok(len(stored) >= n_acked, "stored: at least the acknowledged ones",
     (len(stored), n_acked))

# The phones retry what got no answer: each key ends up stored exactly once.
retried, replayed = 0, 0
for phone, key, body in unanswered:
    status, doc = post(srv2, phone, key, body)
    retried += 200 <= status < 300
    replayed += key in stored and isinstance(doc, dict) and doc.get("checkin_id") == stored[key][0]
t.eq(retried, n_lost, "every unanswered check-in is accepted on retry")
t.eq(replayed, sum(1 for _, k, _ in unanswered if k in stored),
     "a retry of one committed before the kill gets its first check-in back")
db = sqlite3.connect(f"file:{os.path.join(ws.dir, 'workspace.db')}?mode=ro", uri=True,
                     timeout=30)
counts = db.execute("SELECT count(*), count(DISTINCT idem_key) FROM bail_checkins "
                    "WHERE idem_key LIKE 'k9-%'").fetchone()
db.close()
t.eq(counts, (TOTAL, TOTAL), f"after the retries: {TOTAL} check-ins, each key once")
t.eq(srv2.stop(), 0, "the restarted server stops cleanly")
res = ws.cli("ledger", "verify", check=False)
t.eq(res.returncode, 0, "the ledger verifies after the kill")
if res.returncode != 0:
    print("# " + (res.stdout + res.stderr).replace("\n", "\n# "))
print(f"# {time.monotonic() - started:.1f} s from the first check-in")
t.done()
