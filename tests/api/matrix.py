#!/usr/bin/env python3
"""matrix.py - the authorisation matrix of the API over real sockets, speaking TAP: every
endpoint x every role (in a county office, acting on its own office), then office scope
(a county admin, a city admin, another city's admin; own office, parent office, sibling,
another city) -> the expected 2xx / 403 / 404, and what lists contain. The platform API
(datasets, imports, models, leads, stats, jobs) and bail supervision (/api/v1/bail) get the
same: every endpoint x every role on its own office's records and on another office's, then
the city/county/other-city scope. Anonymous callers and phones (device tokens) are roles too.

The routes come from the route tables in src/http/*.c (SJ_SOURCE_ROOT, else this file's
repository): a route without a row for every role (and, for a route on one record, a row on
another office's record) fails the test, so a new endpoint cannot land without its rows.

Offices: city A (441800) with county A1 (441802); city B (440100) with county B1 (440103).

usage: matrix.py path/to/shujian
"""
import itertools
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bailfix import HOME, id_number, now_ms, photo_bytes, subject_body  # noqa: E402
from sjapi import PASSWORD, Client, Server, Tap, Workspace, code_of  # noqa: E402

ROLES = ["admin", "prosecutor", "police", "auditor", "device"]
ALL_ROLES = ROLES + ["anonymous"]
SOURCE = os.environ.get("SJ_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
ROUTE_RE = re.compile(r'\{"(GET|POST|PATCH|PUT|DELETE)",\s*"(/[^"]*)",\s*([^,]+),')
# Routes on one record that have no office: models are the workspace's toolbox, shared by its
# offices (docs/API.md "What belongs to an office"); a phone acts for the subject of its token.
NO_OTHER_OFFICE = {("GET", "/api/v1/models/{id}"), ("GET", "/api/v1/models/{id}/runs"),
                   ("POST", "/api/v1/models/{id}/runs")}


def read_routes():
    """(method, path template) -> the role expression of every route table in src/http."""
    routes = {}
    folder = os.path.join(SOURCE, "src", "http")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".c"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for method, path, roles in ROUTE_RE.findall(f.read()):
                    routes[(method, path)] = roles.strip()
    return routes


ROUTES = read_routes()
MATCHERS = sorted(((m, p, re.compile("^" + re.sub(r"\\\{id\\\}", "[^/]+", re.escape(p)) + "$"))
                   for m, p in ROUTES), key=lambda r: r[1].count("{"))
covered = {}   # (method, template) -> {role}
scoped = set()  # (method, template) checked on another office's record


def record(role, method, path, scope=None):
    """Notes a row of the matrix: role called method path (scope "other": another office's)."""
    bare = path.split("?", 1)[0]
    for m, p, rx in MATCHERS:
        if m == method and rx.match(bare):
            covered.setdefault((m, p), set()).add(role)
            if scope == "other":
                scoped.add((m, p))
            return


t = Tap()
t.ok(len(ROUTES) > 60, f"the route tables of {SOURCE}/src/http are read", len(ROUTES))
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.office("441802", "清城区人民检察院", parent="441800")
ws.office("440100", "广州市人民检察院")
ws.office("440103", "荔湾区人民检察院", parent="440100")
A, A1, B, B1 = 1, 2, 3, 4
for role in ROLES:
    ws.user(f"{role}_a1", role, "441802")
ws.user("admin_a", "admin", "441800")
ws.user("admin_b1", "admin", "440103")
for name, office in (("t_a", "441800"), ("t_a1", "441802"), ("t_b1", "440103")):
    ws.user(name, "prosecutor", office)
ws.user("p_b1", "prosecutor", "440103")
srv = Server(ws)
fresh = itertools.count(1)

clients = {"anonymous": Client(srv)}
for name in [f"{r}_a1" for r in ROLES] + ["admin_a", "admin_b1", "p_b1"]:
    clients[name] = Client(srv)
    status, _ = clients[name].login(name)
    t.eq(status, 200, f"{name} logs in")
ids = {u["username"]: u["id"]
       for u in clients["admin_a"].request("GET", "/api/v1/users")[1]["users"]}
ids.update({u["username"]: u["id"]
            for u in clients["admin_b1"].request("GET", "/api/v1/users")[1]["users"]})


def role_of(actor):
    return "anonymous" if actor == "anonymous" else "prosecutor" if actor in ("p_b1", "t_a") \
        else actor.split("_", 1)[0]


def new_user(office):
    n = next(fresh)
    return {"username": f"new{n}", "display_name": "新用户", "role": "police",
            "office_id": office, "password": "correct horse 1"}


def new_office(parent):
    n = next(fresh)
    return {"code": f"X{n:04d}", "name": f"新院{n}", "parent_id": parent}


def check(actor, method, path, body, want_status, want_code=None, scope=None, **kw):
    """actor calls method path; want_status is a status or a set of them (e.g. {201, 503})."""
    status, doc = clients[actor].request(method, path, body, **kw)
    record(role_of(actor), method, path, scope)
    wants = want_status if isinstance(want_status, set) else {want_status}
    got = (status, code_of(doc) if want_code else None)
    t.ok(status in wants and got[1] == want_code,
         f"{actor}: {method} {path} -> {want_status}" + (f" {want_code}" if want_code else ""),
         {"got": got, "doc": doc if not isinstance(doc, bytes) else doc[:80]})
    return doc


# ---- Every endpoint x every role (own county office) ------------------------------------------
STAFF = {"admin", "prosecutor", "police", "auditor"}
for role in ROLES:
    actor = f"{role}_a1"
    is_admin = role == "admin"
    check(actor, "GET", "/api/v1/me", None, 200)
    check(actor, "GET", "/api/v1/users", None, 200 if is_admin else 403,
          None if is_admin else "FORBIDDEN")
    check(actor, "POST", "/api/v1/users", new_user(A1), 201 if is_admin else 403,
          None if is_admin else "FORBIDDEN")
    check(actor, "PATCH", f"/api/v1/users/{ids['t_a1']}", {"display_name": f"改{role}"},
          200 if is_admin else 403, None if is_admin else "FORBIDDEN")
    check(actor, "GET", "/api/v1/offices", None, 200 if role in STAFF else 403,
          None if role in STAFF else "FORBIDDEN")
    # A county office cannot have offices under it, so even its admin gets 400 here.
    check(actor, "POST", "/api/v1/offices", new_office(A1), 400 if is_admin else 403,
          "INVALID_FIELD" if is_admin else "FORBIDDEN")

# ---- Office scope ---------------------------------------------------------------------------------
scope = [
    # actor, target user, expected PATCH status
    ("admin_a1", "t_a1", 200), ("admin_a1", "t_a", 404), ("admin_a1", "t_b1", 404),
    ("admin_a", "t_a1", 200), ("admin_a", "t_a", 200), ("admin_a", "t_b1", 404),
    ("admin_b1", "t_b1", 200), ("admin_b1", "t_a1", 404), ("admin_b1", "t_a", 404),
]
for actor, target, want in scope:
    check(actor, "PATCH", f"/api/v1/users/{ids[target]}", {"display_name": "改名"}, want,
          None if want == 200 else "NOT_FOUND", scope="other" if want == 404 else None)
for path in ("/api/v1/users/99999", "/api/v1/users/abc", "/api/v1/users/0"):
    check("admin_a", "PATCH", path, {"display_name": "改名"}, 404, "NOT_FOUND")

create_users = [
    ("admin_a1", A1, 201), ("admin_a1", A, 403), ("admin_a1", B1, 403),
    ("admin_a", A, 201), ("admin_a", A1, 201), ("admin_a", B, 403), ("admin_a", B1, 403),
    ("admin_b1", B1, 201), ("admin_b1", A1, 403), ("admin_a", 99999, 403),
]
for actor, office, want in create_users:
    check(actor, "POST", "/api/v1/users", new_user(office), want,
          None if want == 201 else "OFFICE_FORBIDDEN")

create_offices = [
    ("admin_a", A, 201, None), ("admin_a", B, 403, "OFFICE_FORBIDDEN"),
    ("admin_a", A1, 400, "INVALID_FIELD"), ("admin_a1", A, 403, "OFFICE_FORBIDDEN"),
    ("admin_b1", B, 403, "OFFICE_FORBIDDEN"), ("admin_b1", B1, 400, "INVALID_FIELD"),
]
for actor, parent, want, code in create_offices:
    check(actor, "POST", "/api/v1/offices", new_office(parent), want, code)
check("admin_a", "POST", "/api/v1/offices", {"code": "C1", "name": "新市院"}, 400,
      "INVALID_FIELD")
check("admin_a", "POST", "/api/v1/offices", {"code": "441802", "name": "重复", "parent_id": A},
      409, "OFFICE_CODE_TAKEN")
check("admin_a", "POST", "/api/v1/users", dict(new_user(A), username="t_a1"), 409,
      "USERNAME_TAKEN")

# ---- What lists contain ----------------------------------------------------------------------------
users = {}
for actor in ("admin_a1", "admin_a", "admin_b1"):
    doc = check(actor, "GET", "/api/v1/users", None, 200)
    users[actor] = {u["office_id"] for u in doc["users"]}
t.eq(users["admin_a1"], {A1}, "a county admin lists its own office's users only")
t.eq(users["admin_a"], {A, A1}, "a city admin lists its own and its counties' users")
t.eq(users["admin_b1"], {B1}, "another city's county admin sees none of city A")
offices = {}
for actor in ("prosecutor_a1", "police_a1", "auditor_a1", "admin_a", "admin_b1"):
    doc = check(actor, "GET", "/api/v1/offices", None, 200)
    offices[actor] = {o["id"] for o in doc["offices"]}
for actor in ("prosecutor_a1", "police_a1", "auditor_a1"):
    t.eq(offices[actor], {A1}, f"{actor} sees only its county office")
t.ok({A, A1} <= offices["admin_a"] and not offices["admin_a"] & {B, B1},
     "the city admin sees city A and its counties, nothing of B", offices["admin_a"])
t.eq(offices["admin_b1"], {B1}, "county B1 sees only itself")

# ---- Changing users: rules -----------------------------------------------------------------------
me = clients["admin_a1"].request("GET", "/api/v1/me")[1]["user"]["id"]
check("admin_a1", "PATCH", f"/api/v1/users/{me}", {"disabled": True}, 409, "CANNOT_CHANGE_SELF")
check("admin_a1", "PATCH", f"/api/v1/users/{me}", {"role": "police"}, 409, "CANNOT_CHANGE_SELF")
check("admin_a1", "PATCH", f"/api/v1/users/{me}", {"display_name": "新名字"}, 200)
check("admin_a1", "PATCH", f"/api/v1/users/{ids['t_a1']}", {"role": "root"}, 400,
      "INVALID_FIELD")
check("admin_a1", "PATCH", f"/api/v1/users/{ids['t_a1']}", {"office_id": B1}, 400,
      "INVALID_FIELD")
check("admin_a1", "PATCH", f"/api/v1/users/{ids['t_a1']}", {}, 400, "INVALID_FIELD")
check("admin_a1", "PATCH", f"/api/v1/users/{ids['t_a1']}", {"disabled": "yes"}, 400,
      "INVALID_FIELD")
doc = check("admin_a1", "PATCH", f"/api/v1/users/{ids['t_a1']}", {"role": "auditor"}, 200)
t.eq(doc["user"]["role"], "auditor", "the answer shows the new role")
check("admin_a1", "POST", "/api/v1/users", dict(new_user(A1), password="short"), 400,
      "INVALID_FIELD")
check("admin_a1", "POST", "/api/v1/users", dict(new_user(A1), username="bad name"), 400,
      "INVALID_FIELD")
check("admin_a1", "POST", "/api/v1/users", dict(new_user(A1), extra=1), 400, "INVALID_FIELD")

# A user made over the API can log in, and a role change applies to live sessions.
made = new_user(A1)
check("admin_a1", "POST", "/api/v1/users", made, 201)
newbie = Client(srv)
t.eq(newbie.login(made["username"])[0], 200, "a user added over the API logs in")
t.eq(newbie.request("GET", "/api/v1/offices")[0], 200, "as police it may list offices")
nid = newbie.request("GET", "/api/v1/me")[1]["user"]["id"]
check("admin_a1", "PATCH", f"/api/v1/users/{nid}", {"role": "device"}, 200)
t.eq(newbie.request("GET", "/api/v1/offices")[0], 403, "demoted to device: at once 403")

# ---- The platform API: every endpoint x every role, own office and another ----------------------
# County A1's prosecutor uploads two files and runs a model: datasets, a job and leads of A1.
# A command-line import belongs to the workspace's own office, city A (the lowest id); so do
# the leads of a model the city's admin adds and runs. B1 sees none of it.
data = os.path.join(ws.tmp, "data")
subprocess.run([ws.binary, "demo-data", data, "--seed", "1"], check=True, env=ws.env,
               capture_output=True, timeout=120)
ws.cli("ledger", "init")
ws.cli("import", os.path.join(data, "judgments.csv"))
WRITERS = {"admin", "prosecutor"}


def upload(actor, name, path, dataset=None):
    with open(path, "rb") as f:
        payload = f.read()
    query = urllib.parse.urlencode({"filename": name, **({"dataset": dataset} if dataset else {})})
    return clients[actor].request("POST", f"/api/v1/imports?{query}", raw_body=payload,
                                  headers={"Content-Type": "application/octet-stream"})


def wait_job(actor, job_id):
    for _ in range(600):
        status, doc = clients[actor].request("GET", f"/api/v1/jobs/{job_id}")
        if status != 200 or doc["job"]["state"] in ("done", "failed"):
            return doc["job"] if status == 200 else None
        time.sleep(0.05)
    return None


for name in ("appraisals.xlsx", "disposals.csv"):
    status, doc = upload("prosecutor_a1", name, os.path.join(data, name))
    t.eq(wait_job("prosecutor_a1", doc["job"]["id"])["state"], "done", f"A1 imports {name}")
status, doc = clients["prosecutor_a1"].request(
    "POST", "/api/v1/models/appraisal-not-followed-up/runs", {})
job_a1 = doc["job"]["id"]
t.eq(wait_job("prosecutor_a1", job_a1)["state"], "done", "A1 runs a model")
yaml = clients["admin_a"].request("GET", "/api/v1/models/appraisal-not-followed-up")[1]["model"][
    "yaml"].replace("id: appraisal-not-followed-up", "id: appraisal-city", 1)
check("admin_a", "POST", "/api/v1/models", {"yaml": yaml}, 201)
doc = check("admin_a", "POST", "/api/v1/models/appraisal-city/runs", {}, 202)
job_a = doc["job"]["id"]
t.eq(wait_job("admin_a", job_a)["state"], "done", "the city runs a model over its county's data")
ds = {d["name"]: d for d in clients["admin_a"].request("GET", "/api/v1/datasets")[1]["datasets"]}
ds_a1, ds_a = ds["appraisals"]["id"], ds["judgments"]["id"]
t.eq((ds["appraisals"]["office_id"], ds["judgments"]["office_id"]), (A1, A),
     "an upload belongs to the uploader's office, a command-line import to the workspace's")
leads_a1 = [x["id"] for x in clients["prosecutor_a1"].request(
    "GET", "/api/v1/leads?model=appraisal-not-followed-up&limit=100")[1]["leads"]]
lead_a = clients["admin_a"].request("GET", "/api/v1/leads?model=appraisal-city&limit=1")[1][
    "leads"][0]
t.eq(lead_a["office_id"], A, "the city's run's leads are the city's")
lead_a = lead_a["id"]
lead_a1 = leads_a1[0]
model = "appraisal-not-followed-up"
reads = [
    # path, own office (A1) or another (A)
    ("/api/v1/datasets", True), (f"/api/v1/datasets/{ds_a1}", True),
    (f"/api/v1/datasets/{ds_a1}/columns", True), (f"/api/v1/datasets/{ds_a1}/rows", True),
    (f"/api/v1/datasets/{ds_a1}/rejects", True), (f"/api/v1/datasets/{ds_a}", False),
    (f"/api/v1/datasets/{ds_a}/columns", False),
    (f"/api/v1/datasets/{ds_a}/rows", False), (f"/api/v1/datasets/{ds_a}/rejects", False),
    ("/api/v1/models", True), (f"/api/v1/models/{model}", True),
    (f"/api/v1/models/{model}/runs", True), ("/api/v1/leads", True),
    (f"/api/v1/leads/{lead_a1}", True), (f"/api/v1/leads/{lead_a}", False),
    ("/api/v1/leads/export", True), ("/api/v1/stats", True), ("/api/v1/jobs", True),
    (f"/api/v1/jobs/{job_a1}", True), (f"/api/v1/jobs/{job_a}", False),
]
next_status = {"admin": "verifying", "prosecutor": "no-case"}
for role in ROLES:
    actor = f"{role}_a1"
    for path, is_own in reads:
        want = 403 if role not in STAFF else (200 if is_own else 404)
        check(actor, "GET", path, None, want,
              {403: "FORBIDDEN", 404: "NOT_FOUND"}.get(want), scope=None if is_own else "other")
    check(actor, "GET", f"/api/v1/stats?office_id={A}", None, 403,
          "FORBIDDEN" if role not in STAFF else "OFFICE_FORBIDDEN")
    is_writer = role in WRITERS
    writes = [
        ("POST", "/api/v1/models/check", {"yaml": yaml}, 200),
        ("POST", "/api/v1/models/preview", {"yaml": yaml, "limit": 2}, 200),
        ("POST", "/api/v1/models", {"yaml": yaml.replace("id: appraisal-city", f"id: m-{role}")},
         201),
        ("POST", f"/api/v1/models/{model}/runs", {}, 202),
        ("PATCH", f"/api/v1/leads/{lead_a1}", {"status": next_status.get(role, "case"),
                                              "note": "核查"}, 200),
        ("PATCH", f"/api/v1/leads/{lead_a}", {"status": "verifying", "note": "核查"}, 404),
    ]
    for method, path, body, want in writes:
        scope = "other" if want == 404 else None
        want = want if is_writer else 403
        check(actor, method, path, body, want, {403: "FORBIDDEN", 404: "NOT_FOUND"}.get(want),
              scope=scope)
    status, doc = upload(actor, f"{role}.csv", os.path.join(data, "disposals.csv"),
                         dataset=f"disposals_{role}")
    record(role, "POST", "/api/v1/imports")
    t.eq((status, code_of(doc)), (202, None) if is_writer else (403, "FORBIDDEN"),
         f"{actor}: POST /api/v1/imports -> {202 if is_writer else 403}")

# The city sees its county's records and may act on them; another city's county may not.
for path in (f"/api/v1/datasets/{ds_a1}", f"/api/v1/leads/{lead_a1}", f"/api/v1/jobs/{job_a1}",
             f"/api/v1/datasets/{ds_a}", f"/api/v1/leads/{lead_a}", f"/api/v1/jobs/{job_a}"):
    check("admin_a", "GET", path, None, 200)
    check("admin_b1", "GET", path, None, 404, "NOT_FOUND")
check("admin_a", "PATCH", f"/api/v1/leads/{lead_a1}", {"status": "verifying", "note": "复查"}, 200)
check("admin_b1", "PATCH", f"/api/v1/leads/{lead_a1}", {"status": "case", "note": "x"}, 404,
      "NOT_FOUND")
check("admin_a", "GET", f"/api/v1/stats?office_id={A1}", None, 200)
check("admin_a", "GET", f"/api/v1/stats?office_id={B1}", None, 403, "OFFICE_FORBIDDEN")
check("admin_b1", "GET", f"/api/v1/leads?office_id={A1}", None, 403, "OFFICE_FORBIDDEN")
lists = {}
for actor in ("prosecutor_a1", "admin_a", "admin_b1"):
    lists[actor] = (
        {d["office_id"] for d in clients[actor].request("GET", "/api/v1/datasets")[1]["datasets"]},
        {x["office_id"] for x in clients[actor].request("GET", "/api/v1/leads?limit=1000")[1][
            "leads"]},
        {j["office_id"] for j in clients[actor].request("GET", "/api/v1/jobs")[1]["jobs"]},
        clients[actor].request("GET", "/api/v1/stats")[1]["total"]["leads"])
t.eq(lists["prosecutor_a1"][:3], ({A1}, {A1}, {A1}), "A1 lists only A1's datasets, leads, jobs")
t.eq(lists["admin_a"][:3], ({A, A1}, {A, A1}, {A, A1}), "city A lists its own and its county's")
t.eq(lists["admin_b1"], (set(), set(), set(), 0), "B1 lists nothing of city A, and counts none")
t.ok(0 < lists["prosecutor_a1"][3] < lists["admin_a"][3],
     "stats count the leads in scope only", [v[3] for v in lists.values()])
status, doc = upload("admin_b1", "appraisals.xlsx", os.path.join(data, "appraisals.xlsx"))
t.eq((status, code_of(doc)), (409, "DATASET_NAME_TAKEN"),
     "B1 cannot import into A1's dataset (a name taken elsewhere: 409)")
status, doc = clients["admin_b1"].request("POST", f"/api/v1/models/{model}/runs", {})
job = wait_job("admin_b1", doc["job"]["id"])
t.ok(job["state"] == "failed" and "可见范围" in job["error"]["message"],
     "B1's run of a model over A1's datasets fails: not in its scope", job["error"])
check("admin_b1", "POST", "/api/v1/models/preview", {"yaml": yaml, "limit": 2}, 403,
      "FORBIDDEN")

# ---- Bail supervision: every route x every role, own office (A1) and another (B1) -------------
# Officers (prosecutor, police) write in their scope, auditors read, the admin only sweeps
# (docs/API.md "Bail"); a phone acts with its device token for its own subject only.
OFFICERS = {"prosecutor", "police"}
BAIL_READERS = OFFICERS | {"auditor"}
serial = itertools.count(100)
LEAVE_AT = now_ms() + 3600000


def cn_name(n):
    """An invented name without digits (the register refuses them)."""
    g = "甲乙丙丁戊己庚辛壬癸"
    return "测" + g[n // 100 % 10] + g[n // 10 % 10] + g[n % 10]


def new_subject(actor, office_code, prosecutor, police=None):
    n = next(serial)
    body = subject_body(cn_name(n), id_number(f"{office_code}19800101{n % 1000:03d}"),
                        f"（2026）测{n}号", ids[prosecutor])
    if police:
        body["police_id"] = ids[police]
    status, doc = clients[actor].request("POST", "/api/v1/bail/subjects", body)
    if status != 201:
        t.ok(False, f"{actor} registers a bail subject", doc)
        sys.exit(t.done())
    return doc["subject"]["id"]


def leave_body():
    return {"destination": "广州", "reason": "就医", "lat": 23.1291, "lon": 113.2644,
            "datum": "wgs84", "start_ms": LEAVE_AT, "end_ms": LEAVE_AT + 4 * 3600000}


def bind(actor, sid, install):
    """Enrols and binds a phone of subject sid: (bearer headers, device id)."""
    code = clients[actor].request("POST", f"/api/v1/bail/subjects/{sid}/devices")[1]["enrol_code"]
    status, doc = Client(srv).request("POST", "/api/v1/bail/devices/bind",
                                      {"code": code, "install_id": install})
    if status != 201:
        t.ok(False, f"a phone of subject {sid} binds", doc)
        sys.exit(t.done())
    return {"Authorization": "Bearer " + doc["device_token"]}, doc["device"]["id"]


def fixture(actor, office_code, prosecutor, police=None):
    """A subject of actor's office with a fence, a schedule, a leave, a bound phone, an open
    alert (a phone changed) and a check-in: a dict of their ids."""
    c = clients[actor]
    sid = new_subject(actor, office_code, prosecutor, police)
    fx = {"sid": sid, "fence": c.request("POST", "/api/v1/bail/fences", {
        "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
        "geometry": {"type": "Point", "coordinates": [HOME[1], HOME[0]], "radius": 3000}})[1][
        "fence"]["id"]}
    c.request("POST", f"/api/v1/bail/subjects/{sid}/schedules",
              {"kind": "daily", "start_min": 0, "end_min": 1440})
    fx["leave"] = c.request("POST", f"/api/v1/bail/subjects/{sid}/leaves", leave_body())[1][
        "leave"]["id"]
    bind(actor, sid, f"{actor}-{sid}-1")
    fx["phone"], fx["device"] = bind(actor, sid, f"{actor}-{sid}-2")
    fx["alert"] = c.request("GET", f"/api/v1/bail/alerts?subject_id={sid}")[1]["alerts"][0]["id"]
    h = dict(fx["phone"], **{"Idempotency-Key": f"fx-{sid}"})
    status, doc = Client(srv).request("POST", "/api/v1/bail/device/checkins", {
        "lat": HOME[0], "lon": HOME[1], "accuracy_m": 20, "datum": "wgs84",
        "fix_ms": now_ms() - 1000}, headers=h)
    fx["checkin"] = doc["checkin_id"]
    return fx


own = fixture("prosecutor_a1", "441802", "prosecutor_a1", "police_a1")
other = fixture("p_b1", "440103", "p_b1")
t.ok(own["alert"] and other["alert"] and own["checkin"] and other["checkin"],
     "the bail fixtures of A1 and B1 are made", (own, other))
sid, osid = own["sid"], other["sid"]

# The phone (a device token) on its routes; every session role and anonymous get 401 there.
phone = Client(srv)
device_rows = [
    ("GET", f"/api/v1/bail/device/subjects/{sid}", None, 200, None, None),
    ("GET", f"/api/v1/bail/device/subjects/{osid}", None, 403, "DEVICE_SUBJECT_FORBIDDEN",
     "other"),
    ("POST", f"/api/v1/bail/device/subjects/{sid}/leaves", leave_body(), 201, None, None),
    ("POST", f"/api/v1/bail/device/subjects/{osid}/leaves", leave_body(), 403,
     "DEVICE_SUBJECT_FORBIDDEN", "other"),
    ("POST", "/api/v1/bail/device/positions", {"datum": "wgs84", "fixes": [
        {"lat": HOME[0], "lon": HOME[1], "accuracy_m": 15, "fix_ms": now_ms() - 5000}]}, 201,
     None, None),
    ("POST", "/api/v1/bail/device/checkins", {"lat": HOME[0], "lon": HOME[1], "accuracy_m": 20,
                                               "datum": "wgs84", "fix_ms": now_ms() - 2000},
     201, None, None),
]
for n, (method, path, body, want, code, scope) in enumerate(device_rows):
    status, doc = phone.request(method, path, body,
                                headers=dict(own["phone"], **{"Idempotency-Key": f"row-{n}"}))
    record("device", method, path, scope)
    t.eq((status, code_of(doc) if code else None), (want, code),
         f"phone of A1's subject: {method} {path} -> {want}")
for actor in [f"{r}_a1" for r in ROLES] + ["anonymous"]:
    for method, path, body, _, _, _ in device_rows:
        check(actor, method, path, body, 401, "DEVICE_UNAUTHENTICATED",
              headers={"Idempotency-Key": "k"})
    check(actor, "POST", "/api/v1/bail/devices/bind", {"code": "AAAA-BBBB", "install_id": "x"},
          403, "ENROL_CODE_INVALID")


def read_rows(fx):
    """The reads of bail as (method, path, body, expected status for a reader, scope): on A1's
    records, and on B1's (404, or 403 OFFICE_FORBIDDEN for ?office_id of another office)."""
    s, o = fx["sid"], other["sid"]
    reads = [
        "/api/v1/bail/subjects", f"/api/v1/bail/subjects/{s}", f"/api/v1/bail/subjects/{s}/slots",
        f"/api/v1/bail/subjects/{s}/trail", f"/api/v1/bail/subjects/{s}/fences",
        f"/api/v1/bail/subjects/{s}/checkins", f"/api/v1/bail/subjects/{s}/face",
        f"/api/v1/bail/subjects/{s}/risk", f"/api/v1/bail/fences/{fx['fence']}",
        f"/api/v1/bail/leaves/{fx['leave']}", "/api/v1/bail/leaves", "/api/v1/bail/alerts",
        f"/api/v1/bail/alerts/{fx['alert']}", "/api/v1/bail/roster", "/api/v1/bail/roster/on-duty",
        "/api/v1/bail/officers", "/api/v1/bail/stats", "/api/v1/bail/stats/export?format=csv"]
    other_reads = [
        f"/api/v1/bail/subjects/{o}", f"/api/v1/bail/subjects/{o}/slots",
        f"/api/v1/bail/subjects/{o}/trail", f"/api/v1/bail/subjects/{o}/fences",
        f"/api/v1/bail/subjects/{o}/checkins", f"/api/v1/bail/subjects/{o}/face",
        f"/api/v1/bail/subjects/{o}/risk", f"/api/v1/bail/fences/{other['fence']}",
        f"/api/v1/bail/leaves/{other['leave']}", f"/api/v1/bail/alerts/{other['alert']}"]
    office_reads = ["/api/v1/bail/roster", "/api/v1/bail/roster/on-duty",
                    "/api/v1/bail/officers", "/api/v1/bail/stats",
                    "/api/v1/bail/stats/export?format=csv"]
    rows = [("GET", p, None, 200, None) for p in reads]
    rows += [("GET", p, None, 404, "other") for p in other_reads]
    rows += [("GET", p + ("&" if "?" in p else "?") + f"office_id={B1}", None, 403, "other")
             for p in office_reads]
    return rows


def role_writes(role, fx):
    """Writes by role on A1's records (fx: fresh ones) and on B1's."""
    s, o = fx["sid"], other["sid"]
    n = next(serial)
    uid = ids.get(f"{role}_a1", 0)
    return [
        ("GET", "/api/v1/bail/review", None, 200, None),
        ("POST", "/api/v1/bail/subjects", subject_body(
            cn_name(n), id_number(f"44180219900201{n % 1000:03d}"), f"案{n}",
            ids["prosecutor_a1"]),
         201, None),
        ("POST", "/api/v1/bail/subjects", subject_body(
            cn_name(n), id_number(f"44010319900201{n % 1000:03d}"), f"案{n}", ids["p_b1"],
            office_id=B1), 403, "other"),
        ("POST", f"/api/v1/bail/subjects/{s}/schedules",
         {"kind": "daily", "start_min": 600, "end_min": 660}, 201, None),
        ("POST", f"/api/v1/bail/subjects/{o}/schedules",
         {"kind": "daily", "start_min": 600, "end_min": 660}, 404, "other"),
        ("POST", f"/api/v1/bail/subjects/{s}/spot-checks", {}, 201, None),
        ("POST", f"/api/v1/bail/subjects/{o}/spot-checks", {}, 404, "other"),
        ("POST", f"/api/v1/bail/subjects/{s}/devices", None, 201, None),
        ("POST", f"/api/v1/bail/subjects/{o}/devices", None, 404, "other"),
        ("POST", f"/api/v1/bail/subjects/{s}/leaves", leave_body(), 201, None),
        ("POST", f"/api/v1/bail/subjects/{o}/leaves", leave_body(), 404, "other"),
        ("POST", "/api/v1/bail/fences", {"subject_id": o, "kind": "forbidden", "name": "禁区",
                                         "geometry": {"type": "Point", "coordinates": [
                                             HOME[1], HOME[0]], "radius": 100}}, 404, "other"),
        ("DELETE", f"/api/v1/bail/fences/{fx['fence']}", None, 200, None),
        ("DELETE", f"/api/v1/bail/fences/{other['fence']}", None, 404, "other"),
        ("POST", f"/api/v1/bail/leaves/{fx['leave']}/decision",
         {"approved": False, "note": "不同意"}, 200, None),
        ("POST", f"/api/v1/bail/leaves/{other['leave']}/decision",
         {"approved": False, "note": "不同意"}, 404, "other"),
        ("POST", f"/api/v1/bail/alerts/{fx['alert']}/acknowledge", {"note": "已知悉"}, 200,
         None),
        ("POST", f"/api/v1/bail/alerts/{fx['alert']}/resolve", {"note": "已处理"}, 200, None),
        ("POST", f"/api/v1/bail/alerts/{other['alert']}/acknowledge", {"note": "x"}, 404, "other"),
        ("POST", f"/api/v1/bail/alerts/{other['alert']}/resolve", {"note": "x"}, 404, "other"),
        ("DELETE", f"/api/v1/bail/devices/{fx['device']}", None, 204, None),
        ("DELETE", f"/api/v1/bail/devices/{other['device']}", None, 404, "other"),
        ("POST", "/api/v1/bail/roster", {"user_id": uid, "start_ms": LEAVE_AT + n * 60000,
                                         "end_ms": LEAVE_AT + n * 60000 + 3600000}, 201, None),
        ("POST", "/api/v1/bail/roster", {"user_id": ids["p_b1"], "office_id": B1,
                                         "start_ms": LEAVE_AT, "end_ms": LEAVE_AT + 3600000},
         403, "other"),
        ("POST", "/api/v1/bail/review/checkins", {"ids": [fx["checkin"]]}, 200, None),
        ("POST", "/api/v1/bail/review/signoff", {"day": "2026-11-01"}, 200, None),
        ("POST", f"/api/v1/bail/subjects/{o}/face", None, 404, "other"),
        ("POST", f"/api/v1/bail/subjects/{o}/status", {"status": "suspended", "note": "x"}, 404,
         "other"),
        ("POST", f"/api/v1/bail/subjects/{s}/status", {"status": "ended", "note": "期满"}, 200,
         None),
    ]


def fresh_records():
    """Fresh A1 records an allowed role may consume: a subject with a fence, a leave, an open
    alert, a bound device and a check-in."""
    return fixture("prosecutor_a1", "441802", "prosecutor_a1", "police_a1")


codes = {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}
for role in ALL_ROLES:
    actor = "anonymous" if role == "anonymous" else f"{role}_a1"
    deny = 401 if role == "anonymous" else 403
    for method, path, body, want, scope in read_rows(own):
        code = "OFFICE_FORBIDDEN" if want == 403 else None
        if role not in BAIL_READERS:
            want, code = deny, codes[deny]
        check(actor, method, path, body, want, code, scope=scope)
    fx = fresh_records() if role in OFFICERS else own
    # The face: the JPEG as the body; 503 when the server has no face model installed.
    status, doc = clients[actor].request(
        "POST", f"/api/v1/bail/subjects/{fx['sid']}/face",
        raw_body=photo_bytes("collins-crop.jpg"), headers={"Content-Type": "image/jpeg"})
    record(role, "POST", "/api/v1/bail/subjects/{id}/face")
    want = {201, 503} if role in OFFICERS else {deny}
    t.ok(status in want,
         f"{actor}: POST /api/v1/bail/subjects/{{id}}/face -> {status} (of {sorted(want)})",
         (status, doc))
    for method, path, body, want, scope in role_writes(role, fx):
        want = want if role in OFFICERS else deny
        code = codes.get(want)
        if role in OFFICERS and want == 403:
            code = "OFFICE_FORBIDDEN"
        check(actor, method, path, body, want, code if want in (401, 403) else None, scope=scope)
    check(actor, "POST", "/api/v1/bail/sweep", {"at_ms": now_ms()},
          200 if role == "admin" else deny, None if role == "admin" else codes[deny])

# What bail lists contain: A1 sees none of B1's subjects, leaves or alerts, and B1 none of A1's.
for actor, mine, theirs in (("prosecutor_a1", own, other), ("p_b1", other, own)):
    got = (
        {x["id"] for x in clients[actor].request("GET", "/api/v1/bail/subjects")[1]["subjects"]},
        {x["id"] for x in clients[actor].request("GET", "/api/v1/bail/leaves")[1]["leaves"]},
        {x["id"] for x in clients[actor].request("GET", "/api/v1/bail/alerts")[1]["alerts"]})
    t.ok(mine["sid"] in got[0] and theirs["sid"] not in got[0] and mine["leave"] in got[1]
         and theirs["leave"] not in got[1] and mine["alert"] in got[2]
         and theirs["alert"] not in got[2], f"{actor}'s bail lists hold its office's only", got)
check("admin_a", "GET", f"/api/v1/bail/subjects/{sid}", None, 403, "FORBIDDEN")
# A city office's officer sees its county's subjects, and not another city's.
clients["t_a"] = Client(srv)
t.eq(clients["t_a"].login("t_a")[0], 200, "the city's prosecutor logs in")
check("t_a", "GET", f"/api/v1/bail/subjects/{sid}", None, 200)
check("t_a", "GET", f"/api/v1/bail/subjects/{sid}/risk", None, 200)
check("t_a", "GET", f"/api/v1/bail/subjects/{osid}", None, 404, scope="other")
check("t_a", "GET", f"/api/v1/bail/stats?office_id={A1}", None, 200)
check("t_a", "GET", f"/api/v1/bail/stats?office_id={B1}", None, 403, "OFFICE_FORBIDDEN",
      scope="other")
# A leave is decided by the subject's own prosecutor or police officer, not any officer.
lone = new_subject("prosecutor_a1", "441802", "prosecutor_a1")
doc = check("prosecutor_a1", "POST", f"/api/v1/bail/subjects/{lone}/leaves", leave_body(), 201)
lone_leave = doc.get("leave", {}).get("id", 0) if isinstance(doc, dict) else 0
check("police_a1", "POST", f"/api/v1/bail/leaves/{lone_leave}/decision",
      {"approved": True, "note": "同意"}, 403, "BAIL_FORBIDDEN")

# ---- Anonymous: every route that needs a session answers 401 ------------------------------------
for (method, path), roles in sorted(ROUTES.items()):
    if roles != "0" and "anonymous" not in covered.get((method, path), set()):
        check("anonymous", method, path.replace("{id}", "1"), {} if method != "GET" else None,
              401, "UNAUTHENTICATED")

res = ws.cli("ledger", "verify")
t.eq(res.returncode, 0, "the ledger verifies after every write of the matrix")

# ---- Public routes, then logout ------------------------------------------------------------------
for actor in [f"{r}_a1" for r in ROLES] + ["anonymous"]:
    check(actor, "GET", "/healthz", None, 200)
check("anonymous", "POST", "/api/v1/login", {"username": "nobody", "password": "wrong pass 1"},
      401)
for role in ROLES:
    check(f"{role}_a1", "POST", "/api/v1/login", {"username": f"{role}_a1",
                                                  "password": PASSWORD}, 200)
    clients[f"{role}_a1"].login(f"{role}_a1")
for role in ROLES:
    check(f"{role}_a1", "POST", "/api/v1/logout", None, 200)
    check(f"{role}_a1", "GET", "/api/v1/me", None, 401, "UNAUTHENTICATED")
check("anonymous", "POST", "/api/v1/logout", None, 401, "UNAUTHENTICATED")
check("anonymous", "GET", "/api/v1/me", None, 401, "UNAUTHENTICATED")

# ---- Every route of every route table has its rows -----------------------------------------------
for (method, path) in sorted(ROUTES):
    missing = [r for r in ALL_ROLES if r not in covered.get((method, path), set())]
    if "{id}" in path and (method, path) not in NO_OTHER_OFFICE \
            and (method, path) not in scoped:
        missing.append("another office's record")
    t.ok(not missing, f"the matrix has every row of {method} {path}", missing)

t.eq(srv.stop(), 0, "SIGTERM: exit status 0")
ws.cleanup()
t.done()
