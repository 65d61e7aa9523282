#!/usr/bin/env python3
"""bail_face.py - check-ins carry real face verification over the HTTP API, speaking TAP:
a subject's face is enrolled (`shujian face enrol`), then the phone checks in with another
photo of the same person (match), with someone else (mismatch: flagged, face-mismatch alert)
and with no photo ("unverified", never a pass). Photos are tests/data/face (public-domain
portraits); the subject's other data are invented.

usage: bail_face.py path/to/shujian
"""
import base64
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace  # noqa: E402

HOME = (23.6820, 113.0560)
PHOTOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "face")


def id_number(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights))
    return body17 + "10X98765432"[total % 11]


def photo(name):
    with open(os.path.join(PHOTOS, name), "rb") as f:
        return base64.b64encode(f.read()).decode()


t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("chen", "prosecutor", "441800")
ws.cli("ledger", "init")
srv = Server(ws)
chen = Client(srv)
status, doc = chen.login("chen")
t.eq(status, 200, "the prosecutor signs in")
status, doc = chen.request("POST", "/api/v1/bail/subjects", {
    "person_name": "林小川", "id_number": id_number("44180219850312123"), "phone": "13800138000",
    "residence": "清远市清城区某路 1 号", "crime_type": "盗窃", "case_number": "（2026）粤1802刑初9号",
    "prosecutor_id": doc["user"]["id"], "bail_start": "2026-01-01", "bail_end": "2027-12-31"})
t.eq(status, 201, "a subject is registered")
sid = doc["subject"]["id"] if status == 201 else 0
chen.request("POST", "/api/v1/bail/fences", {
    "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
    "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})
status, doc = chen.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
phone = Client(srv)
status, doc = phone.request("POST", "/api/v1/bail/devices/bind",
                            {"code": doc.get("enrol_code", ""), "install_id": "app-f"})
t.eq(status, 201, "the phone binds")
dev = {"Authorization": "Bearer " + doc.get("device_token", "")}
res = ws.cli("face", "enrol", os.path.join(PHOTOS, "collins.jpg"), "--subject", str(sid), "--json",
             check=False)
t.ok(res.returncode == 0, "the subject's face is enrolled", res.stderr)


def checkin(key, pic=None):
    body = {"lat": HOME[0], "lon": HOME[1], "accuracy_m": 20.0, "datum": "wgs84",
            "fix_ms": int(time.time() * 1000) - 1000}
    if pic:
        body["photo"] = photo(pic)
    h = dict(dev, **{"Idempotency-Key": key})
    return phone.request("POST", "/api/v1/bail/device/checkins", body, headers=h)


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
                             "fix_ms": int(time.time() * 1000), "photo": "not base64!"},
                            headers=dict(dev, **{"Idempotency-Key": "f-5"}))
t.eq(status, 400, "a photo that is not base64 is 400")
srv.stop()
ws.cleanup()
t.done()
