#!/usr/bin/env python3
"""bail_stats.py - what the bail pages read and the reports, over HTTP, speaking TAP:
the check-in history with its judgement, the leave queue and a leave on a subject's behalf,
the roster calendar, face enrolment over HTTP (then a check-in matches it), the risk colour
turning yellow (a missed check-in) and red (a mock location) with the alerts and ledger entries
behind each point, the alert queue naming its subject (masked; revealed for a prosecutor with
?reveal=1 and recorded, never for the police), statistics with a compliance rate from a known schedule with one miss
(three spot checks, two answered), and the XLSX/CSV export (masked, revealed and recorded,
formula cells escaped). A county office sees none of the city's subjects (404).

Personal data are invented; the ID numbers carry check digits computed in bailfix.py.

usage: bail_stats.py path/to/shujian
"""
import io
import os
import re
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bailfix import (DAY_MS, bind_phone, city_workspace, home_fence, id_number,  # noqa: E402
                     now_ms, photo_bytes, subject_body)
from bailfix import checkin as checkin_at  # noqa: E402
from sjapi import Client, Server, Tap, code_of  # noqa: E402


t = Tap()
ws = city_workspace(sys.argv[1], [("root", "admin"), ("chen", "prosecutor"),
                                   ("wang", "police", "王警官"), ("zhao", "auditor")],
                    [("sun", "prosecutor")])
srv = Server(ws)
chen, wang, aud, sun, root = Client(srv), Client(srv), Client(srv), Client(srv), Client(srv)
status, doc = chen.login("chen")
chen_id = doc["user"]["id"]
city_id = doc["user"]["office_id"]
status, doc = wang.login("wang")
wang_id = doc["user"]["id"]
aud.login("zhao")
status, doc = sun.login("sun")
sun_id = doc["user"]["id"]
root.login("root")
t0 = now_ms()

# ---- A subject, its fence and phone --------------------------------------------------------------
ID1 = id_number("44180219850312123")
status, doc = chen.request("POST", "/api/v1/bail/subjects", subject_body(
    "林小川", ID1, "（2026）粤1802刑初7号", chen_id, crime_type="=1+2", police_id=wang_id))
t.eq(status, 201, "a subject is registered (its crime type looks like a spreadsheet formula)")
sid = doc["subject"]["id"] if status == 201 else 0
home_fence(chen, sid)
phone, dev, status = bind_phone(chen, srv, sid, "app-s")


def checkin(key, mock=False, pic=None):
    """A check-in at home, fixed now (inside a spot check issued just before)."""
    return checkin_at(phone, dev, key, fix=now_ms(), mock=mock, pic=pic)[0]


# ---- A known schedule with one miss: three spot checks, two answered ---------------------------------
SPOT_MS = 1500
answered = 0
for i, answer in enumerate([True, False, True]):
    status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/spot-checks",
                               {"deadline_ms": now_ms() + SPOT_MS})
    t.eq(status, 201, f"spot check {i + 1} is issued")
    if answer:
        status, doc = checkin(f"spot-{i}")
        answered += status == 201 and doc.get("slot") is not None
    time.sleep(SPOT_MS / 1000 + 0.3)
t.eq(answered, 2, "two spot checks are answered inside their windows")

range_q = f"from_ms={t0}&to_ms={now_ms() + DAY_MS}"
status, doc = aud.request("GET", f"/api/v1/bail/stats?{range_q}")
t.eq(status, 200, "an auditor reads the statistics")
row = next((s for s in doc.get("subjects", []) if s.get("subject_id") == sid), {}) \
    if status == 200 else {}
t.eq((row.get("slots_due"), row.get("slots_on_time"), row.get("missed")), (3, 2, 1),
     "three slots were due, two met, one missed")
t.ok(abs((row.get("compliance_rate") or 0) - 2 / 3) < 1e-9, "compliance rate 2/3", row)
office = next((o for o in doc.get("offices", []) if o.get("office_id") == city_id), {})
t.eq((office.get("slots_due"), office.get("subjects"), office.get("office_name")),
     (3, 1, "清远市人民检察院"), "the office row adds up its subjects")
t.eq(doc.get("total", {}).get("slots_on_time"), 2, "and so does the total")
t.ok(row.get("person_name") not in (None, "林小川") and ID1 not in str(doc),
     "names and ID numbers are masked in the statistics", row)
status, doc = chen.request("GET", f"/api/v1/bail/stats?{range_q}&reveal=1")
row = next((s for s in doc.get("subjects", []) if s.get("subject_id") == sid), {})
t.eq(row.get("id_number"), ID1, "a prosecutor may reveal them (recorded)")
status, doc = chen.request("GET", f"/api/v1/bail/stats?from_ms={t0}&to_ms={t0 - 1}")
t.eq((status, code_of(doc)), (400, "INVALID_QUERY"), "a reversed range is 400")

# ---- Risk: green, then yellow (a missed check-in), then red (mock location) ------------------------
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/risk")
t.eq((status, doc.get("risk", {}).get("colour")), (200, "green"), "no alerts yet: green")
status, doc = root.request("POST", "/api/v1/bail/sweep", {"at_ms": now_ms() + 20 * 60000})
t.ok(status == 200 and doc.get("missed") == 1, "the sweep finds the one missed spot check", doc)
status, doc = chen.request("GET", f"/api/v1/bail/alerts?subject_id={sid}")
missed = [a for a in doc.get("alerts", []) if a.get("kind") == "missed-checkin"]
missed_id = missed[0]["id"] if missed else 0
t.eq({a.get("subject_name") for a in doc.get("alerts", [])}, {"林**"},
     "the alert queue names the subject, masked (the surname kept)")
status, doc = chen.request("GET", f"/api/v1/bail/alerts?subject_id={sid}&reveal=1")
t.eq({a.get("subject_name") for a in doc.get("alerts", [])}, {"林小川"},
     "a prosecutor may reveal the name with ?reveal=1")
res = ws.cli("ledger", "show", "--limit", "1000", "--json", check=False)
t.ok("GET /api/v1/bail/alerts" in res.stdout, "and that reveal is recorded in the ledger")
status, doc = wang.request("GET", f"/api/v1/bail/alerts?subject_id={sid}&reveal=1")
t.eq((status, {a.get("subject_name") for a in doc.get("alerts", [])}), (200, {"林**"}),
     "the police never see it revealed")
status, doc = chen.request("GET", f"/api/v1/bail/alerts/{missed_id}")
t.eq((status, doc.get("alert", {}).get("subject_name")), (200, "林**"),
     "the alert's detail names the subject, masked")
status, doc = chen.request("GET", f"/api/v1/bail/alerts/{missed_id}?reveal=1")
t.eq(doc.get("alert", {}).get("subject_name"), "林小川", "and revealed on request")
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/risk")
risk = doc.get("risk", {}) if status == 200 else {}
t.eq((risk.get("colour"), risk.get("score")), ("yellow", 15), "an open missed check-in: yellow")
r0 = (risk.get("reasons") or [{}])[0]
t.eq((r0.get("rule"), r0.get("alert_id"), r0.get("ledger_index")),
     ("alert-open", missed_id, missed[0].get("ledger_index") if missed else -2),
     "the point names its rule, the alert and the ledger entry that raised it")
t.ok(re.search(r"[\u4e00-\u9fff]", r0.get("text", "")), "the reason is in Chinese", r0)
status, doc = aud.request("GET", "/api/v1/bail/subjects")
mine = [s for s in doc.get("subjects", []) if s.get("id") == sid]
t.eq(mine[0].get("risk_colour") if mine else None, "yellow", "the register shows the colour")

status, doc = checkin("mock-1", mock=True)
t.eq((status, doc.get("status")), (201, "rejected"), "a mocked location is rejected")
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/risk")
risk = doc.get("risk", {})
rules = [(r.get("rule"), r.get("kind")) for r in risk.get("reasons", [])]
t.eq((risk.get("colour"), risk.get("score")), ("red", 55), "and a mock-location alert: red")
t.eq(rules[0] if rules else None, ("alert-open", "mock-location"), "the high alert comes first")

status, doc = phone.request("GET", f"/api/v1/bail/device/subjects/{sid}", headers=dev)
t.eq((status, doc.get("risk", {}).get("colour") if isinstance(doc, dict) else None),
     (200, "red"), "the phone shows its subject the same colour")
t.ok(all(set(r) == {"rule", "text", "points"} for r in doc.get("risk", {}).get("reasons", [])),
     "with the reasons' text and points, no record ids", doc.get("risk"))
t.ok("next_slot" in doc.get("subject", {}) and isinstance(doc["subject"].get("slots"), list),
     "and its coming check-in windows", doc.get("subject"))

# ---- Acknowledging shows in the statistics ---------------------------------------------------------
status, doc = chen.request("POST", f"/api/v1/bail/alerts/{missed_id}/acknowledge", {"note": "已联系"})
t.eq(status, 200, "the missed check-in is acknowledged")
status, doc = chen.request("GET", f"/api/v1/bail/stats?from_ms={t0}&to_ms={now_ms() + DAY_MS}")
row = next((s for s in doc.get("subjects", []) if s.get("subject_id") == sid), {})
t.eq((row.get("alerts", {}).get("by_kind", {}).get("missed-checkin"),
      row.get("alerts", {}).get("by_kind", {}).get("mock-location"),
      row.get("ack", {}).get("count")), (1, 1, 1), "alerts by kind and acknowledgements")
t.ok(isinstance(row.get("ack", {}).get("p90_ms"), int), "time to acknowledge has a p90", row)
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/risk")
t.eq(doc.get("risk", {}).get("score"), 48, "acknowledged, it counts 8 instead of 15")

# ---- Check-in history --------------------------------------------------------------------------------
status, doc = aud.request("GET", f"/api/v1/bail/subjects/{sid}/checkins")
cs = doc.get("checkins", []) if status == 200 else []
t.eq(len(cs), 3, "the history has the three check-ins")
t.ok(cs and cs[0]["status"] == "rejected" and "mock-location" in cs[0]["flags"]
     and cs[0]["fix_ms"] >= cs[-1]["fix_ms"], "newest first, with the verdict and flags", cs[:1])
t.ok(all(c.get("face") == "unverified" and c.get("is_late") is False and "place" in c
         for c in cs), "each carries face, lateness and place", cs)
t.ok(cs and cs[-1].get("slot", {}).get("kind") == "spot", "the slot it satisfied", cs[-1:])
status, doc = aud.request("GET", f"/api/v1/bail/subjects/{sid}/checkins?limit=1")
t.eq(len(doc.get("checkins", [])), 1, "limit is kept")
status, doc = aud.request("GET", f"/api/v1/bail/subjects/{sid}/checkins?limit=0")
t.eq((status, code_of(doc)), (400, "INVALID_QUERY"), "a limit of 0 is 400")

# ---- Leaves: on the subject's behalf, and the queue -------------------------------------------------
leave = {"destination": "广州市越秀区", "reason": "就医复查", "lat": 23.1291, "lon": 113.2644,
         "datum": "wgs84", "start_ms": now_ms() + DAY_MS, "end_ms": now_ms() + 2 * DAY_MS}
status, doc = wang.request("POST", f"/api/v1/bail/subjects/{sid}/leaves", leave)
t.eq(status, 201, "a police officer submits a leave request for the subject")
leave_id = doc.get("leave", {}).get("id", 0)
status, doc = wang.request("POST", f"/api/v1/bail/subjects/{sid}/leaves",
                           dict(leave, end_ms=leave["start_ms"] - 1))
t.eq((status, code_of(doc)), (400, "BAIL_INVALID"), "the same rules as the phone: 400")
status, doc = aud.request("POST", f"/api/v1/bail/subjects/{sid}/leaves", leave)
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "an auditor cannot submit one")
status, doc = aud.request("GET", "/api/v1/bail/leaves?status=submitted")
ls = doc.get("leaves", []) if status == 200 else []
t.eq([x.get("id") for x in ls], [leave_id], "the queue of submitted leaves lists it")
t.ok(ls and ls[0].get("subject_name") not in (None, "林小川"), "with the name masked", ls)
t.eq((ls[0].get("prosecutor_id"), ls[0].get("police_id")) if ls else None, (chen_id, wang_id),
     "and who may decide it")
status, doc = aud.request("GET", "/api/v1/bail/leaves?status=approved")
t.eq(doc.get("leaves"), [], "none approved")
status, doc = aud.request("GET", "/api/v1/bail/leaves?status=maybe")
t.eq((status, code_of(doc)), (400, "INVALID_QUERY"), "an unknown status is 400")

# ---- Roster calendar ------------------------------------------------------------------------------------
start = now_ms() + 3600000
status, doc = chen.request("POST", "/api/v1/bail/roster",
                           {"user_id": wang_id, "start_ms": start, "end_ms": start + 8 * 3600000})
t.eq(status, 201, "a duty shift is added")
status, doc = aud.request("GET", f"/api/v1/bail/roster?from_ms={t0}&to_ms={t0 + 7 * DAY_MS}")
shifts = doc.get("shifts", []) if status == 200 else []
t.eq([(s.get("user_id"), s.get("display_name"), s.get("start_ms")) for s in shifts],
     [(wang_id, "王警官", start)], "the calendar shows it with the officer's name")
status, doc = aud.request("GET", f"/api/v1/bail/roster?from_ms={start + 9 * 3600000}"
                          f"&to_ms={start + 10 * 3600000}")
t.eq(doc.get("shifts"), [], "a range after it shows nothing")

status, doc = aud.request("GET", "/api/v1/bail/officers")
t.eq(sorted((o.get("id"), o.get("role")) for o in doc.get("officers", [])),
     sorted([(chen_id, "prosecutor"), (wang_id, "police"), (sun_id, "prosecutor")]),
     "the officers of the scope (the city's and its county's), no auditor or admin")
status, doc = sun.request("GET", "/api/v1/bail/officers")
t.eq([o.get("id") for o in doc.get("officers", [])], [sun_id], "county: only its own officers")

# ---- Face enrolment over HTTP ------------------------------------------------------------------------
status, doc = chen.request("GET", f"/api/v1/bail/subjects/{sid}/face")
t.eq(doc.get("face", {}).get("enrolled") if status == 200 else None, False, "no face enrolled yet")
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/face",
                           raw_body=b"\xff\xd8 not really", headers={"Content-Type": "image/jpeg"})
t.eq((status, code_of(doc), doc.get("problem") if isinstance(doc, dict) else None),
     (422, "FACE_UNUSABLE", "bad-photo"), "a broken JPEG is 422 with the problem")
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/face",
                           raw_body=photo_bytes("collins.jpg"),
                           headers={"Content-Type": "image/jpeg"})
t.eq(status, 201, "the subject's face is enrolled from a JPEG body")
face = doc.get("face", {}) if status == 201 else {}
t.ok(face.get("enrolled") is True and face.get("replaced") is False and
     not ({"descriptor", "template", "sealed"} & set(face)), "the template is never returned", face)
boundary = "sjb0undary"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
        f"Content-Type: image/jpeg\r\n\r\n").encode() + photo_bytes("collins.jpg") + \
    f"\r\n--{boundary}--\r\n".encode()
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/face", raw_body=form,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
t.eq((status, doc.get("face", {}).get("replaced") if status == 201 else None), (201, True),
     "a multipart upload replaces it")
status, doc = aud.request("POST", f"/api/v1/bail/subjects/{sid}/face",
                          raw_body=photo_bytes("collins.jpg"), headers={"Content-Type": "image/jpeg"})
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "an auditor cannot enrol a face")
status, doc = checkin("face-1", pic="collins-crop.jpg")
t.eq(doc.get("face") if isinstance(doc, dict) else None, "match",
     "a check-in with another photo of the same person matches the enrolment")
res = ws.cli("ledger", "show", "--limit", "1000", "--json", check=False)
t.eq(res.stdout.count("bail.face.enrol"), 2, "both enrolments are in the ledger")
t.ok("descriptor" not in res.stdout, "the ledger holds no template")

# ---- Another office sees none of it ----------------------------------------------------------------------
for method, path in [("GET", f"/api/v1/bail/subjects/{sid}/checkins"),
                     ("GET", f"/api/v1/bail/subjects/{sid}/risk"),
                     ("GET", f"/api/v1/bail/subjects/{sid}/face"),
                     ("POST", f"/api/v1/bail/subjects/{sid}/leaves")]:
    status, doc = sun.request(method, path, leave if method == "POST" else None)
    t.eq((status, code_of(doc)), (404, "BAIL_SUBJECT_NOT_FOUND"), f"county: {method} {path} is 404")
status, doc = sun.request("POST", f"/api/v1/bail/subjects/{sid}/face",
                          raw_body=photo_bytes("collins.jpg"), headers={"Content-Type": "image/jpeg"})
t.eq(status, 404, "county: enrolling the city's subject's face is 404")
status, doc = sun.request("GET", "/api/v1/bail/leaves")
t.eq(doc.get("leaves"), [], "county: the leave queue is empty")
status, doc = sun.request("GET", f"/api/v1/bail/roster?from_ms={t0}&to_ms={t0 + 7 * DAY_MS}")
t.eq(doc.get("shifts"), [], "county: the roster shows no city shift")
status, doc = sun.request("GET", f"/api/v1/bail/roster?office_id={city_id}")
t.eq((status, code_of(doc)), (403, "OFFICE_FORBIDDEN"), "county: asking for the city's is 403")
status, doc = sun.request("GET", f"/api/v1/bail/stats?{range_q}")
t.ok(status == 200 and doc.get("subjects") == [] and doc.get("total", {}).get("slots_due") == 0,
     "county: its statistics hold none of the city's subjects", doc)
status, doc = sun.request("GET", f"/api/v1/bail/stats?office_id={city_id}")
t.eq((status, code_of(doc)), (403, "OFFICE_FORBIDDEN"), "county: the city's statistics are 403")
status, doc = sun.request("GET", f"/api/v1/bail/stats/export?format=csv&office_id={city_id}")
t.eq((status, code_of(doc)), (403, "OFFICE_FORBIDDEN"), "and so is their export")

# ---- Export ------------------------------------------------------------------------------------------------
status, body = aud.request("GET", f"/api/v1/bail/stats/export?format=csv&{range_q}")
t.eq(status, 200, "the statistics export as CSV")
raw = body if isinstance(body, bytes) else (str(body).encode() if body is not None else b"")
t.ok(raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark")
t.ok("text/csv" in aud.last_headers.get("content-type", "")
     and "attachment" in aud.last_headers.get("content-disposition", ""), "as an attachment")
text = raw.decode("utf-8", "replace")
t.ok(",'=1+2," in text and ",=1+2," not in text, "a formula-looking cell gets a leading '",
     text[:400])
t.ok(ID1 not in text and "林小川" not in text, "names and ID numbers are masked", text[:400])
lines = text.strip("\ufeff").split("\r\n")
t.ok(lines[0].startswith("类别,编号,姓名,身份证号") and any(x.startswith("合计,") for x in lines),
     "Chinese headers, and a total row", lines[:2])
status, body = chen.request("GET", f"/api/v1/bail/stats/export?format=csv&reveal=1&{range_q}")
text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
t.ok(ID1 in text, "a prosecutor's reveal=1 export has the ID number")
res = ws.cli("ledger", "show", "--limit", "1000", "--json", check=False)
t.ok("/api/v1/bail/stats/export" in res.stdout, "and the reveal is recorded in the ledger")
status, body = aud.request("GET", f"/api/v1/bail/stats/export?format=xlsx&{range_q}")
t.ok(status == 200 and isinstance(body, bytes) and body[:2] == b"PK"
     and "spreadsheetml" in aud.last_headers.get("content-type", ""), "XLSX is a workbook")
try:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        book = z.read("xl/workbook.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
except (zipfile.BadZipFile, KeyError, TypeError) as e:
    book, strings = "", str(e)
t.ok(all(f'name="{n}"' in book for n in ("按检察院", "按被监管人", "说明")),
     "with the sheets by office, by subject and the notes", book[:300])
t.ok("=1+2" in strings and ID1 not in strings and "林小川" not in strings,
     "cells are text (never formulas) and masked", strings[:300])
status, doc = aud.request("GET", f"/api/v1/bail/stats/export?format=pdf&{range_q}")
t.eq((status, code_of(doc)), (400, "INVALID_QUERY"), "an unknown format is 400")

res = ws.cli("ledger", "verify", check=False)
t.eq(res.returncode, 0, "the ledger still verifies")
srv.stop()
ws.cleanup()
t.done()
