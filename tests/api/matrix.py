#!/usr/bin/env python3
"""matrix.py - the authorisation matrix of the API over real sockets, speaking TAP: every
endpoint x every role (in a county office, acting on its own office), then office scope
(a county admin, a city admin, another city's admin; own office, parent office, sibling,
another city) -> the expected 2xx / 403 / 404, and what lists contain. The platform API
(datasets, imports, models, leads, stats, jobs) gets the same: every endpoint x every role on
its own office's records and on another office's, then the city/county/other-city scope.

Offices: city A (441800) with county A1 (441802); city B (440100) with county B1 (440103).

usage: matrix.py path/to/shujian
"""
import itertools
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace, code_of  # noqa: E402

ROLES = ["admin", "prosecutor", "police", "auditor", "device"]
t = Tap()
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
srv = Server(ws)
fresh = itertools.count(1)

clients = {}
for name in [f"{r}_a1" for r in ROLES] + ["admin_a", "admin_b1"]:
    clients[name] = Client(srv)
    status, _ = clients[name].login(name)
    t.eq(status, 200, f"{name} logs in")
ids = {u["username"]: u["id"]
       for u in clients["admin_a"].request("GET", "/api/v1/users")[1]["users"]}
ids.update({u["username"]: u["id"]
            for u in clients["admin_b1"].request("GET", "/api/v1/users")[1]["users"]})


def new_user(office):
    n = next(fresh)
    return {"username": f"new{n}", "display_name": "新用户", "role": "police",
            "office_id": office, "password": "correct horse 1"}


def new_office(parent):
    n = next(fresh)
    return {"code": f"X{n:04d}", "name": f"新院{n}", "parent_id": parent}


def check(actor, method, path, body, want_status, want_code=None):
    status, doc = clients[actor].request(method, path, body)
    got = (status, code_of(doc) if want_code else None)
    t.eq(got, (want_status, want_code), f"{actor}: {method} {path} -> {want_status}"
         + (f" {want_code}" if want_code else ""))
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
          None if want == 200 else "NOT_FOUND")
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
              {403: "FORBIDDEN", 404: "NOT_FOUND"}.get(want))
    check(actor, "GET", f"/api/v1/stats?office_id={A}", None, 403,
          "FORBIDDEN" if role not in STAFF else "OFFICE_FORBIDDEN")
    is_writer = role in WRITERS
    writes = [
        ("POST", "/api/v1/models/check", {"yaml": yaml}, 200),
        ("POST", "/api/v1/models", {"yaml": yaml.replace("id: appraisal-city", f"id: m-{role}")},
         201),
        ("POST", f"/api/v1/models/{model}/runs", {}, 202),
        ("PATCH", f"/api/v1/leads/{lead_a1}", {"status": next_status.get(role, "case"),
                                              "note": "核查"}, 200),
        ("PATCH", f"/api/v1/leads/{lead_a}", {"status": "verifying", "note": "核查"}, 404),
    ]
    for method, path, body, want in writes:
        want = want if is_writer else 403
        check(actor, method, path, body, want, {403: "FORBIDDEN", 404: "NOT_FOUND"}.get(want))
    status, doc = upload(actor, f"{role}.csv", os.path.join(data, "disposals.csv"),
                         dataset=f"disposals_{role}")
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
res = ws.cli("ledger", "verify")
t.eq(res.returncode, 0, "the ledger verifies after every write of the matrix")

for role in ROLES:
    check(f"{role}_a1", "POST", "/api/v1/logout", None, 200)
    check(f"{role}_a1", "GET", "/api/v1/me", None, 401, "UNAUTHENTICATED")

t.eq(srv.stop(), 0, "SIGTERM: exit status 0")
ws.cleanup()
t.done()
