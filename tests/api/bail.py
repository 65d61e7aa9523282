#!/usr/bin/env python3
"""bail.py - the life of a bail subject over the HTTP API (/api/v1/bail), speaking TAP:
register (masked list) -> fence and daily schedule -> enrolment code -> the phone binds ->
a scheduled check-in is accepted -> an idempotent retry gets the first answer, a changed
body 422 -> the operator's sweep finds a missed check-in -> alert acknowledged and resolved
-> leave approved -> check-ins at the destination raise no breach -> back home -> ended,
after which the device is refused. A device token cannot act for another subject, an
auditor reads but cannot write, and every change is in the ledger (which still verifies).

Personal data are invented; the ID numbers carry check digits computed in bailfix.py.

usage: bail.py path/to/shujian
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bailfix import DAY_MS, HOME, checkin, city_workspace, id_number, now_ms  # noqa: E402
from bailfix import subject_body as fix_subject_body  # noqa: E402
from sjapi import Client, Server, Tap, code_of  # noqa: E402

AWAY = (23.1291, 113.2644)    # about 70 km from HOME
ID18 = re.compile(r"(?<![0-9.])[0-9]{17}[0-9Xx](?![0-9])")


t = Tap()
ws = city_workspace(sys.argv[1], [("root", "admin"), ("chen", "prosecutor"), ("zhao", "auditor")],
                    [("sun", "prosecutor")])
srv = Server(ws)

chen = Client(srv)
status, doc = chen.login("chen")
t.eq(status, 200, "the prosecutor signs in")
chen_id = doc["user"]["id"]
aud = Client(srv)
aud.login("zhao")
root = Client(srv)
root.login("root")

# ---- Register -------------------------------------------------------------------------------------
ID1 = id_number("44180219850312123")
ID2 = id_number("44180219900101456")


def subject_body(name, idn, case):
    return fix_subject_body(name, idn, case, chen_id)


status, doc = chen.request("POST", "/api/v1/bail/subjects",
                           subject_body("林小川", ID1, "（2026）粤1802刑初1号"))
t.eq(status, 201, "a prosecutor registers a subject")
sid = doc["subject"]["id"] if status == 201 else 0
status, doc = chen.request("POST", "/api/v1/bail/subjects",
                           subject_body("何一舟", ID2, "（2026）粤1802刑初2号"))
sid2 = doc["subject"]["id"] if status == 201 else 0
status, doc = chen.request("POST", "/api/v1/bail/subjects",
                           dict(subject_body("林小川", ID1, "（2026）粤1802刑初1号")))
t.eq((status, code_of(doc)), (409, "BAIL_SUBJECT_EXISTS"), "the same person and case twice: 409")
status, doc = chen.request("POST", "/api/v1/bail/subjects",
                           dict(subject_body("林小川", ID1[:-1] + "0"
                                             if ID1[-1] != "0" else ID1[:-1] + "1", "案 3")))
t.eq((status, code_of(doc)), (400, "BAIL_INVALID"), "a wrong ID check digit: 400, in Chinese")
t.ok(isinstance(doc, dict) and re.search(r"[\u4e00-\u9fff]", doc.get("message", "")),
     "the error message is Chinese", doc)

status, doc = aud.request("GET", "/api/v1/bail/subjects")
t.eq(status, 200, "an auditor reads the register")
text = str(doc)
t.ok(ID1 not in text and "13800138000" not in text and not ID18.search(text),
     "the register is masked (no ID number, no mobile)", text[:300])
t.ok(all(x.get("home", 0) is None for x in doc.get("subjects", [])),
     "a subject without an allowed circle fence has home null", text[:300])
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}?reveal=1")
t.eq(doc.get("subject", {}).get("id_number") if isinstance(doc, dict) else None, ID1,
     "a prosecutor may reveal the ID number (recorded)")
status, doc = aud.request("GET", f"/api/v1/bail/subjects/{sid}?reveal=1")
t.ok(ID1 not in str(doc), "an auditor's reveal=1 stays masked", doc)
sun = Client(srv)
sun.login("sun")
status, doc = sun.request("GET", f"/api/v1/bail/subjects/{sid}")
t.eq((status, code_of(doc)), (404, "BAIL_SUBJECT_NOT_FOUND"),
     "a county prosecutor cannot see a city office's subject")
status, doc = sun.request("GET", "/api/v1/bail/subjects")
t.eq(doc.get("subjects") if isinstance(doc, dict) else None, [],
     "nor does it appear in the county's register")
status, doc = sun.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
t.eq(status, 404, "nor can the county prosecutor enrol its phone")
status, doc = aud.request("POST", "/api/v1/bail/subjects",
                          subject_body("王五", id_number("44180219700101789"), "案 4"))
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "an auditor cannot register a subject")

# ---- Fence, schedule ---------------------------------------------------------------------------------
status, doc = chen.request("POST", "/api/v1/bail/fences", {
    "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
    "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})
t.eq(status, 201, "an allowed fence (GeoJSON circle) is added")
fence_id = doc["fence"]["id"] if status == 201 else 0
t.eq(doc.get("fence", {}).get("geometry", {}).get("type"), "Point",
     "the fence comes back as GeoJSON")
status, doc = chen.request("POST", "/api/v1/bail/fences", {
    "subject_id": sid, "kind": "allowed", "name": "坏", "geometry": {"type": "Polygon"}})
t.eq((status, code_of(doc)), (400, "BAIL_BAD_GEOMETRY"), "a broken GeoJSON polygon is 400")
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/fences")
t.eq([f["id"] for f in doc.get("fences", [])], [fence_id], "the subject's fences list it")
status, doc = aud.request("GET", "/api/v1/bail/subjects")
home = next((x.get("home") for x in doc.get("subjects", []) if x["id"] == sid), None) or {}
t.ok(abs(home.get("lat", 0) - HOME[0]) < 1e-9 and abs(home.get("lon", 0) - HOME[1]) < 1e-9
     and home.get("radius_m") == 3000,
     "the register gives the home point: the centre of the subject's allowed circle", home)
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/schedules",
                           {"kind": "daily", "start_min": 0, "end_min": 1440})
t.eq(status, 201, "a daily check-in schedule is added")

# ---- Enrol and bind ------------------------------------------------------------------------------------
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
t.eq(status, 201, "the officer gets a one-time enrolment code")
code = doc.get("enrol_code", "")
phone = Client(srv)
status, doc = phone.request("POST", "/api/v1/bail/devices/bind",
                            {"code": code.lower(), "install_id": "app-1", "label": "测试手机"})
t.eq(status, 201, "the phone binds with the code (any case)")
token = doc.get("device_token", "")
status, doc = phone.request("POST", "/api/v1/bail/devices/bind",
                            {"code": code, "install_id": "app-1"})
t.eq((status, code_of(doc)), (403, "ENROL_CODE_INVALID"), "the code works once only")
dev = {"Authorization": "Bearer " + token}

status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid2}/devices")
phone2 = Client(srv)
status, doc = phone2.request("POST", "/api/v1/bail/devices/bind",
                             {"code": doc.get("enrol_code", ""), "install_id": "app-2"})
dev2 = {"Authorization": "Bearer " + doc.get("device_token", "")}

status, doc = phone.request("GET", f"/api/v1/bail/device/subjects/{sid}", headers=dev)
t.eq((status, doc.get("subject", {}).get("id") if isinstance(doc, dict) else None), (200, sid),
     "the device reads its own subject")
status, doc = phone.request("GET", f"/api/v1/bail/device/subjects/{sid2}", headers=dev)
t.eq((status, code_of(doc)), (403, "DEVICE_SUBJECT_FORBIDDEN"),
     "the device cannot read another subject")
status, doc = phone.request("GET", f"/api/v1/bail/subjects/{sid2}", headers=dev)
t.ok(status in (401, 403, 404), "a device token opens no officer route", status)
status, doc = phone.request("GET", f"/api/v1/bail/device/subjects/{sid}",
                            headers={"Authorization": "Bearer nonsense"})
t.eq((status, code_of(doc)), (401, "DEVICE_UNAUTHENTICATED"), "an unknown token is 401")

# ---- Check-ins -------------------------------------------------------------------------------------------
(status, first), body = checkin(phone, dev, "k-1", HOME)
t.eq(status, 201, "a scheduled check-in at home is taken")
t.ok(isinstance(first, dict) and first.get("status") in ("accepted", "flagged")
     and first.get("slot") and "outside" not in first.get("flags", []),
     "it counts for today's slot, inside the fence", first)
cid = first.get("checkin_id") if isinstance(first, dict) else None
h = dict(dev, **{"Idempotency-Key": "k-1"})
status, again = phone.request("POST", "/api/v1/bail/device/checkins", body, headers=h)
t.eq((status, again), (201, first), "the same key and body again: the first answer")
t.eq(phone.last_headers.get("idempotent-replayed"), "true", "the repeat says it is one")
changed = dict(body, accuracy_m=35.0)
status, doc = phone.request("POST", "/api/v1/bail/device/checkins", changed, headers=h)
t.eq((status, code_of(doc)), (422, "IDEMPOTENCY_KEY_REUSED"), "same key, changed body: 422")
(status, doc), _ = checkin(phone, dev, None, HOME)
t.eq((status, code_of(doc)), (400, "IDEMPOTENCY_KEY_MISSING"), "no Idempotency-Key: 400")
(status, doc), _ = checkin(phone2, dev2, "k-1", HOME)
t.eq(status, 201, "another device may use the same key for its own subject")

status, doc = phone.request("POST", "/api/v1/bail/device/positions", {
    "datum": "wgs84", "fixes": [{"lat": HOME[0], "lon": HOME[1], "accuracy_m": 15,
                                 "fix_ms": now_ms() - 60000 + i * 10000} for i in range(3)]},
    headers=dev)
t.eq((status, doc.get("stored") if isinstance(doc, dict) else None), (201, 3),
     "a batch of positions is stored")
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/trail?from_ms="
                           f"{now_ms() - 3600000}&to_ms={now_ms() + 60000}")
t.ok(status == 200 and len(doc.get("fixes", [])) >= 4, "the trail has the check-in and batch",
     doc)

# ---- A missed check-in, found by the sweep ----------------------------------------------------------------
# Three days on: the first whole local day after the subject was registered (its slot is the
# first that counts) has then ended more than the grace period before. Two days were not
# enough when the subject was registered in the first minutes after midnight (16:00 UTC).
status, doc = chen.request("POST", "/api/v1/bail/sweep", {"at_ms": now_ms() + 3 * DAY_MS})
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "the sweep is for operators (admins) only")
status, doc = root.request("POST", "/api/v1/bail/sweep", {"at_ms": now_ms() + 3 * DAY_MS})
t.ok(status == 200 and doc.get("missed", 0) >= 1, "the sweep three days on finds a missed slot",
     doc)
status, doc = chen.request("GET", f"/api/v1/bail/alerts?status=open&subject_id={sid}")
missed = [a for a in doc.get("alerts", []) if a["kind"] == "missed-checkin"]
t.ok(status == 200 and missed, "a missed-checkin alert is open", doc)
aid = missed[0]["id"] if missed else 0
status, doc = aud.request("POST", f"/api/v1/bail/alerts/{aid}/acknowledge", {})
t.eq(status, 403, "an auditor cannot acknowledge")
status, doc = chen.request("POST", f"/api/v1/bail/alerts/{aid}/resolve", {"note": "已核实"})
t.eq((status, code_of(doc)), (409, "BAIL_ALERT_STATE"), "an open alert cannot be resolved yet")
status, doc = chen.request("POST", f"/api/v1/bail/alerts/{aid}/acknowledge", {"note": "已电话联系"})
t.eq((status, doc.get("alert", {}).get("status")), (200, "acknowledged"), "acknowledged")
status, doc = chen.request("POST", f"/api/v1/bail/alerts/{aid}/resolve", {})
t.eq(status, 400, "resolving needs a note")
status, doc = chen.request("POST", f"/api/v1/bail/alerts/{aid}/resolve",
                           {"note": "本人手机故障，已补报"})
t.eq((status, doc.get("alert", {}).get("status")), (200, "resolved"), "resolved with a note")

# ---- Leave ------------------------------------------------------------------------------------------------
start = now_ms() - 60000
status, doc = phone.request("POST", f"/api/v1/bail/device/subjects/{sid2}/leaves", {
    "destination": "广州", "reason": "就医", "lat": AWAY[0], "lon": AWAY[1], "datum": "wgs84",
    "start_ms": start, "end_ms": start + 4 * 3600000}, headers=dev)
t.eq((status, code_of(doc)), (403, "DEVICE_SUBJECT_FORBIDDEN"),
     "a device cannot ask leave for another subject")
status, doc = phone.request("POST", f"/api/v1/bail/device/subjects/{sid}/leaves", {
    "destination": "广州市第一人民医院", "reason": "复诊", "lat": AWAY[0], "lon": AWAY[1],
    "datum": "wgs84", "start_ms": start, "end_ms": start + 4 * 3600000}, headers=dev)
t.ok(status == 201, "the subject asks for leave", doc)
lid = doc.get("leave", {}).get("id", 0) if isinstance(doc, dict) else 0
status, doc = chen.request("POST", f"/api/v1/bail/leaves/{lid}/decision",
                           {"approved": True, "note": "同意，按时返回"})
t.eq((status, doc.get("leave", {}).get("status")), (200, "approved"), "the prosecutor approves")
status, doc = chen.request("POST", f"/api/v1/bail/leaves/{lid}/decision",
                           {"approved": False, "note": "再议"})
t.eq(status, 400, "a leave is decided once")

status, doc = phone.request("POST", "/api/v1/bail/device/positions", {
    "datum": "wgs84", "fixes": [{"lat": AWAY[0], "lon": AWAY[1], "accuracy_m": 15,
                                 "fix_ms": now_ms() - 20000 + i * 4000} for i in range(4)]},
    headers=dev)
t.eq(status, 201, "positions at the destination are stored")
(status, doc), _ = checkin(phone, dev, "k-away", AWAY)
t.ok(status == 201 and "on-leave" in doc.get("flags", []) and doc.get("status") != "rejected",
     "a check-in at the destination counts, on leave", doc)
status, doc = chen.request("GET", f"/api/v1/bail/alerts?subject_id={sid}")
kinds = sorted({a["kind"] for a in doc.get("alerts", [])})
t.ok("fence-breach" not in kinds, "no fence-breach alert while on approved leave", kinds)

# The control: the other subject, with the same home fence and no leave, does raise one.
chen.request("POST", "/api/v1/bail/fences", {
    "subject_id": sid2, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
    "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})
for where, offset in ((HOME, 120000), (AWAY, 40000)):
    phone2.request("POST", "/api/v1/bail/device/positions", {
        "datum": "wgs84", "fixes": [{"lat": where[0], "lon": where[1], "accuracy_m": 15,
                                     "fix_ms": now_ms() - offset + i * 5000}
                                    for i in range(4)]}, headers=dev2)
status, doc = chen.request("GET", f"/api/v1/bail/alerts?subject_id={sid2}")
kinds2 = sorted({a["kind"] for a in doc.get("alerts", [])})
t.ok("fence-breach" in kinds2, "without leave the same trip raises a fence-breach", kinds2)

(status, doc), _ = checkin(phone, dev, "k-home", HOME)
t.ok(status == 201 and doc.get("place") == "inside" and doc.get("status") != "rejected",
     "back home: the check-in is inside again", doc)

# ---- Review, roster -----------------------------------------------------------------------------------------
status, doc = chen.request("POST", "/api/v1/bail/roster",
                           {"user_id": chen_id, "start_ms": now_ms() - 3600000,
                            "end_ms": now_ms() + 3600000})
t.eq(status, 201, "a duty shift is added")
status, doc = chen.request("GET", "/api/v1/bail/roster/on-duty")
t.eq(doc.get("user_id") if isinstance(doc, dict) else None, chen_id, "the officer is on duty")
status, doc = chen.request("GET", "/api/v1/bail/review")
t.ok(status == 200 and any(i["kind"] == "checkin" and i["id"] == cid for i in doc.get("items", [])),
     "today's review queue lists the check-in", doc)
status, doc = chen.request("POST", "/api/v1/bail/review/signoff", {})
t.eq((status, code_of(doc)), (409, "BAIL_REVIEW_UNHANDLED"), "no sign-off with items unhandled")
items = chen.request("GET", "/api/v1/bail/review")[1].get("items", [])
ids = [i["id"] for i in items if i["kind"] == "checkin" and not i["handled"]]
status, doc = chen.request("POST", "/api/v1/bail/review/checkins", {"ids": ids})
t.eq(status, 200, "the officer marks the day's check-ins reviewed")
for i in items:
    if i["kind"] == "alert" and not i["handled"]:
        chen.request("POST", f"/api/v1/bail/alerts/{i['id']}/acknowledge", {})
status, doc = chen.request("GET", "/api/v1/bail/review")
t.eq(doc.get("unhandled") if isinstance(doc, dict) else None, 0, "nothing left unhandled")
t.eq((doc.get("signed_off"), doc.get("signoff", 0)), (False, None),
     "the review says the day is not signed off yet")
status, doc = chen.request("POST", "/api/v1/bail/review/signoff", {})
t.eq((status, doc.get("signed_off") if isinstance(doc, dict) else None), (200, True),
     "the day is signed off")
status, doc = chen.request("GET", "/api/v1/bail/review")
so = doc.get("signoff") or {}
t.ok(doc.get("signed_off") is True and so.get("user_id") == chen_id and so.get("display_name")
     and 0 < now_ms() - so.get("signed_at_ms", 0) < 600000 and so.get("items", 0) >= 1,
     "the review then says by whom and when the day was signed off", doc)
status, doc = chen.request("POST", "/api/v1/bail/review/signoff", {})
t.eq((status, code_of(doc)), (409, "BAIL_ALREADY_SIGNED_OFF"), "a day is signed off once")

# ---- End --------------------------------------------------------------------------------------------------
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/status", {"status": "ended"})
t.eq(status, 400, "ending needs a note")
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/status",
                           {"status": "ended", "note": "取保候审期满，依法解除"})
t.eq((status, doc.get("subject", {}).get("status")), (200, "ended"), "the subject's bail ends")
(status, doc), _ = checkin(phone, dev, "k-after", HOME)
t.eq((status, code_of(doc)), (401, "DEVICE_UNAUTHENTICATED"), "the device is refused after the end")

# ---- The ledger -------------------------------------------------------------------------------------------
srv.stop()
res = ws.cli("ledger", "verify", check=False)
t.eq(res.returncode, 0, "the ledger still verifies")
t.done()
