"""bailfix.py - what the bail API tests (tests/api/bail*.py) share: invented ID numbers with
the check digit computed here, the clock, the test photos (tests/data/face), a subject's
register body, its allowed fence around HOME, an enrolled and bound phone, and a check-in.
Personal data are invented; phone numbers are 138 0013 8000 style.
"""
import base64
import os
import time

from sjapi import Client, Workspace

DAY_MS = 24 * 3600 * 1000
HOME = (23.6820, 113.0560)  # WGS-84, a point in 清远
PHOTOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "face")


def id_number(body17):
    """An 18-digit ID number: body17 and its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights))
    return body17 + "10X98765432"[total % 11]


def now_ms():
    return int(time.time() * 1000)


def photo_bytes(name):
    with open(os.path.join(PHOTOS, name), "rb") as f:
        return f.read()


def subject_body(name, idn, case, prosecutor_id, **more):
    """The body of POST /api/v1/bail/subjects; more adds or overrides members."""
    body = {"person_name": name, "id_number": idn, "phone": "13800138000",
            "residence": "清远市清城区某路 1 号", "crime_type": "盗窃", "case_number": case,
            "prosecutor_id": prosecutor_id, "bail_start": "2026-01-01",
            "bail_end": "2027-12-31"}
    body.update(more)
    return body


def home_fence(officer, sid):
    """Adds the allowed fence (a 3 km circle around HOME) of subject sid: (status, doc)."""
    return officer.request("POST", "/api/v1/bail/fences", {
        "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
        "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})


def bind_phone(officer, srv, sid, install_id):
    """Enrols a phone for subject sid and binds it: (phone client, auth headers, bind status)."""
    status, doc = officer.request("POST", f"/api/v1/bail/subjects/{sid}/devices")
    phone = Client(srv)
    status, doc = phone.request("POST", "/api/v1/bail/devices/bind",
                                {"code": doc.get("enrol_code", ""), "install_id": install_id})
    return phone, {"Authorization": "Bearer " + doc.get("device_token", "")}, status


def checkin(phone, headers, key, pos=HOME, acc=20.0, fix=None, mock=False, pic=None):
    """A check-in at pos (fix time default: a second ago), with Idempotency-Key key unless
    None and the photo file pic if given: ((status, doc), body)."""
    h = dict(headers)
    if key:
        h["Idempotency-Key"] = key
    body = {"lat": pos[0], "lon": pos[1], "accuracy_m": acc, "datum": "wgs84",
            "fix_ms": fix if fix is not None else now_ms() - 1000, "mock": mock}
    if pic:
        body["photo"] = base64.b64encode(photo_bytes(pic)).decode()
    return phone.request("POST", "/api/v1/bail/device/checkins", body, headers=h), body


def city_workspace(binary, users, county_users=()):
    """A workspace (sjapi.Workspace) with the city office 441800 清远市人民检察院 and its users,
    the county office 441802 清城区人民检察院 below it with county_users (when any), and the
    ledger initialised. Users are (name, role) or (name, role, display name)."""
    ws = Workspace(binary)
    ws.office("441800", "清远市人民检察院")
    for u in users:
        ws.user(u[0], u[1], "441800", display=u[2] if len(u) > 2 else None)
    if county_users:
        ws.office("441802", "清城区人民检察院", parent="441800")
        for u in county_users:
            ws.user(u[0], u[1], "441802", display=u[2] if len(u) > 2 else None)
    ws.cli("ledger", "init")
    return ws
