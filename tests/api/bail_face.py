#!/usr/bin/env python3
"""bail_face.py - check-ins carry real face verification over the HTTP API, speaking TAP:
a subject's face is enrolled (`shujian face enrol`), then the phone checks in with another
photo of the same person (match), with someone else (mismatch: flagged, face-mismatch alert)
and with no photo ("unverified", never a pass). Photos are tests/data/face (public-domain
portraits); the subject's other data are invented.

usage: bail_face.py path/to/shujian
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bailfix import (HOME, PHOTOS, bind_phone, city_workspace, home_fence,  # noqa: E402
                     id_number, now_ms, subject_body)
from bailfix import checkin as checkin_at  # noqa: E402
from sjapi import Client, Server, Tap  # noqa: E402

t = Tap()
ws = city_workspace(sys.argv[1], [("chen", "prosecutor")])
srv = Server(ws)
chen = Client(srv)
status, doc = chen.login("chen")
t.eq(status, 200, "the prosecutor signs in")
status, doc = chen.request("POST", "/api/v1/bail/subjects", subject_body(
    "林小川", id_number("44180219850312123"), "（2026）粤1802刑初9号", doc["user"]["id"]))
t.eq(status, 201, "a subject is registered")
sid = doc["subject"]["id"] if status == 201 else 0
home_fence(chen, sid)
phone, dev, status = bind_phone(chen, srv, sid, "app-f")
t.eq(status, 201, "the phone binds")
res = ws.cli("face", "enrol", os.path.join(PHOTOS, "collins.jpg"), "--subject", str(sid), "--json",
             check=False)
t.ok(res.returncode == 0, "the subject's face is enrolled", res.stderr)


def checkin(key, pic=None):
    return checkin_at(phone, dev, key, pic=pic)[0]


status, doc = checkin("f-1", "collins-crop.jpg")
t.eq((status, doc.get("face")), (201, "match"), "another photo of the same person: match")
t.ok("face-mismatch" not in doc.get("flags", []), "a match raises no face flag", doc)
status, doc = checkin("f-2", "hopper.jpg")
t.eq((status, doc.get("face")), (201, "mismatch"), "someone else's face: mismatch")
t.ok("face-mismatch" in doc.get("flags", []) and doc.get("status") != "accepted",
     "the mismatch is flagged", doc)
status, doc = checkin("f-3")
t.eq((status, doc.get("face")), (201, "unverified"), "no photo: unverified, never a pass")
status, doc = chen.request("GET", f"/api/v1/bail/alerts?subject_id={sid}")
kinds = [a.get("kind") for a in doc.get("alerts", [])] if isinstance(doc, dict) else []
t.ok("face-mismatch" in kinds, "the officer sees a face-mismatch alert", doc)
status, doc = phone.request("POST", "/api/v1/bail/device/checkins",
                            {"lat": HOME[0], "lon": HOME[1], "accuracy_m": 20.0,
                             "fix_ms": now_ms(), "photo": "not base64!"},
                            headers=dict(dev, **{"Idempotency-Key": "f-5"}))
t.eq(status, 400, "a photo that is not base64 is 400")
srv.stop()
ws.cleanup()
t.done()
