#!/usr/bin/env python3
"""matrix.py - the authorisation matrix of the API over real sockets, speaking TAP: every
endpoint x every role (in a county office, acting on its own office), then office scope
(a county admin, a city admin, another city's admin; own office, parent office, sibling,
another city) -> the expected 2xx / 403 / 404, and what lists contain.

Offices: city A (441800) with county A1 (441802); city B (440100) with county B1 (440103).

usage: matrix.py path/to/shujian
"""
import itertools
import os
import sys

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

for role in ROLES:
    check(f"{role}_a1", "POST", "/api/v1/logout", None, 200)
    check(f"{role}_a1", "GET", "/api/v1/me", None, 401, "UNAUTHENTICATED")

t.eq(srv.stop(), 0, "SIGTERM: exit status 0")
ws.cleanup()
t.done()
