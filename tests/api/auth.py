#!/usr/bin/env python3
"""auth.py - API tests of signing in and out over real sockets on 127.0.0.1, speaking TAP:
health, login right and wrong, lockout, CSRF, logout, disabled users, masking and reveals
recorded in the ledger, bad requests (malformed JSON, oversized bodies, long URIs and heads)
after which the server must keep serving, and (on a second server with short test-only
timeouts) back-off, idle and absolute session expiry.

usage: auth.py path/to/shujian
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import PASSWORD, Client, Server, Tap, Workspace, code_of  # noqa: E402

t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.office("441802", "清城区人民检察院", parent="441800")
ws.user("admin", "admin", "441800", display="管理员")
for name in ("lisi", "wangwu", "zhaoliu", "sunqi"):
    ws.user(name, "prosecutor", "441802")
ws.user("maskme", "police", "441802", display="张三13800138000")
ws.user("pros", "prosecutor", "441802", display="李四13900139000")

srv = Server(ws, env={"SHUJIAN_TEST_BACKOFF_MS": "0", "SHUJIAN_TEST_LOCKOUT_MS": "1500"})


def health_ok(desc):
    status, doc = Client(srv).request("GET", "/healthz")
    t.ok(status == 200 and doc == {"status": "ok"}, desc, f"{status} {doc}")


# ---- Health and login ------------------------------------------------------------------------
c = Client(srv)
status, doc = c.request("GET", "/healthz")
t.eq((status, doc), (200, {"status": "ok"}), "GET /healthz answers ok")
t.eq(c.last_headers.get("x-content-type-options"), "nosniff", "answers carry nosniff")
t.eq(c.last_headers.get("cache-control"), "no-store", "answers are not cached")

status, doc = c.login("admin")
t.eq(status, 200, "login with the right password")
t.ok(isinstance(doc.get("csrf_token"), str) and len(doc["csrf_token"]) == 43,
     "login answers a CSRF token", doc)
cookie = c.last_headers.get("set-cookie", "")
t.ok("HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie,
     "session cookie is HttpOnly and SameSite=Strict", cookie)
t.ok("Secure" not in cookie, "no Secure flag over plain HTTP", cookie)
token = c.cookie.split("=", 1)[1]
t.ok(len(token) == 43 and token not in json.dumps(doc), "token only in the cookie", cookie)
status, doc = c.request("GET", "/api/v1/me")
t.eq((status, doc["user"]["username"]), (200, "admin"), "GET /me knows the user")
t.eq(doc.get("csrf_token"), c.csrf, "GET /me repeats the CSRF token")

bad = Client(srv)
status, doc = bad.login("admin", "wrong password")
t.eq((status, code_of(doc)), (401, "BAD_CREDENTIALS"), "wrong password is refused")
status, doc2 = bad.login("nobody", "wrong password")
t.eq((status, doc2), (401, doc), "unknown user gets the very same answer")
t.eq(bad.cookie, None, "no cookie after a failed login")
status, doc = bad.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "UNAUTHENTICATED"), "GET /me without a session is 401")
bad.cookie = "sj_session=" + "A" * 43
status, doc = bad.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "UNAUTHENTICATED"), "a made-up session token is 401")
status, doc = bad.request("POST", "/api/v1/login", {"username": "admin"})
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "login without password is 400")
status, doc = bad.request("POST", "/api/v1/login", {"username": "admin", "password": 5})
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "login with a numeric password is 400")

# ---- CSRF ------------------------------------------------------------------------------------
office = {"code": "441803", "name": "清新区人民检察院", "parent_id": 1}
status, doc = c.request("POST", "/api/v1/offices", office, csrf=False)
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "POST without X-CSRF-Token is 403")
status, doc = c.request("POST", "/api/v1/offices", office, csrf=False,
                        headers={"X-CSRF-Token": "x" * 43})
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "POST with a wrong X-CSRF-Token is 403")
status, doc = c.request("PATCH", "/api/v1/users/2", {"display_name": "改名"}, csrf=False)
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "PATCH without X-CSRF-Token is 403")
status, doc = c.request("POST", "/api/v1/logout", csrf=False)
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "logout without X-CSRF-Token is 403")
other = Client(srv)
other.login("sunqi")
status, doc = c.request("POST", "/api/v1/offices", office, csrf=False,
                        headers={"X-CSRF-Token": other.csrf})
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "another session's CSRF token is 403")
status, doc = c.request("POST", "/api/v1/offices", office)
t.eq((status, code_of(doc)), (201, None), "the same POST with the token succeeds")

# ---- Logout ----------------------------------------------------------------------------------
lo = Client(srv)
lo.login("wangwu")
old_cookie = lo.cookie
status, doc = lo.request("POST", "/api/v1/logout")
t.eq(status, 200, "logout")
t.ok("Max-Age=0" in lo.last_headers.get("set-cookie", ""), "logout clears the cookie")
lo.cookie = old_cookie
status, doc = lo.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "UNAUTHENTICATED"), "the logged-out token is dead")

# ---- Disabled users --------------------------------------------------------------------------
li = Client(srv)
li.login("lisi")
status, doc = li.request("GET", "/api/v1/me")
lisi_id = doc["user"]["id"]
status, doc = c.request("PATCH", f"/api/v1/users/{lisi_id}", {"disabled": True})
t.eq((status, doc["user"]["disabled"]), (200, True), "admin disables lisi")
status, doc = li.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "UNAUTHENTICATED"), "disabled user's session is dead")
status, doc = Client(srv).login("lisi")
t.eq((status, code_of(doc)), (403, "ACCOUNT_DISABLED"), "disabled user cannot log in")
status, doc = c.request("PATCH", f"/api/v1/users/{lisi_id}", {"disabled": False})
status, doc = li.login("lisi")
t.eq(status, 200, "enabled again, lisi logs in")
ws.cli("user", "disable", "lisi")
status, doc = li.request("GET", "/api/v1/me")
t.eq(status, 401, "`shujian user disable` kills the session of a running server too")

# ---- Lockout ---------------------------------------------------------------------------------
lk = Client(srv)
answers = [lk.login("zhaoliu", "wrong password")[0] for _ in range(4)]
t.eq(answers, [401] * 4, "four wrong passwords: 401 each")
status, doc = lk.login("zhaoliu", "wrong password")
t.eq((status, code_of(doc)), (429, "ACCOUNT_LOCKED"), "the fifth locks the name")
status, doc = lk.login("zhaoliu")
t.eq((status, code_of(doc)), (429, "ACCOUNT_LOCKED"), "locked: even the right password")
t.ok(int(lk.last_headers.get("retry-after", "0")) >= 1, "locked answer has Retry-After",
     lk.last_headers)
status, doc = Client(srv).login("sunqi")
t.eq(status, 200, "other users are not locked out")
time.sleep(1.7)
status, doc = lk.login("zhaoliu")
t.eq(status, 200, "after the lockout the right password works")

# ---- Masking and reveals ---------------------------------------------------------------------
status, doc = c.request("GET", "/api/v1/users")
shown = {u["username"]: u["display_name"] for u in doc["users"]}
t.eq(shown.get("maskme"), "张三138****8000", "phone numbers in answers are masked")
status, doc = c.request("GET", "/api/v1/users?reveal=1")
shown = {u["username"]: u["display_name"] for u in doc["users"]}
t.eq(shown.get("maskme"), "张三138****8000", "no ledger: reveal refused, still masked")
t.ok("no ledger" in srv.read_log(), "the refused reveal is logged")
ws.cli("ledger", "init")
status, doc = c.request("GET", "/api/v1/users?reveal=1")
shown = {u["username"]: u["display_name"] for u in doc["users"]}
t.eq(shown.get("maskme"), "张三13800138000", "admin with ?reveal=1 sees the value")
res = ws.cli("ledger", "show", "--json")
entries = [e for e in json.loads(res.stdout)["entries"] if e["action"] == "data.reveal"]
t.ok(len(entries) == 1 and entries[0]["actor"] == "admin", "the reveal is in the ledger",
     res.stdout)
t.ok("13800138000" not in res.stdout, "the ledger does not hold the revealed value")
police = Client(srv)
police.login("maskme")
status, doc = police.request("GET", "/api/v1/me?reveal=1")
t.eq(doc["user"]["display_name"], "张三138****8000", "police may not reveal")
pros = Client(srv)
pros.login("pros")
status, doc = pros.request("GET", "/api/v1/me?reveal=1")
t.eq(doc["user"]["display_name"], "李四13900139000", "a prosecutor may reveal")
status, doc = pros.request("GET", "/api/v1/me")
t.eq(doc["user"]["display_name"], "李四139****9000", "without ?reveal=1 it stays masked")
res = ws.cli("ledger", "show", "--json")
entries = json.loads(res.stdout)["entries"]
t.eq(len([e for e in entries if e["action"] == "data.reveal"]), 2,
     "each reveal is recorded, masked answers not")
logins = [(e["actor"], e["object_type"]) for e in entries if e["action"] == "user.login"]
t.eq(logins, [("maskme", "user"), ("pros", "user")], "logins are recorded in the ledger")

# ---- Identity changes are in the ledger --------------------------------------------------------
status, doc = c.request("POST", "/api/v1/users", {
    "username": "newbie", "display_name": "新用户", "role": "police",
    "office_id": doc["user"]["office_id"], "password": PASSWORD})
t.eq(status, 201, "admin adds a user")
newbie = doc.get("user", {}).get("id")
status, doc = c.request("PATCH", f"/api/v1/users/{newbie}",
                        {"disabled": True, "password": "another-long-password-2026"})
t.eq(status, 200, "admin disables the user and sets a password")
status, doc = pros.request("POST", "/api/v1/logout")
t.eq(status, 200, "logout")
res = ws.cli("ledger", "show", "--json")
entries = json.loads(res.stdout)["entries"]
by_action = {e["action"]: e for e in entries}
add, upd = by_action.get("user.add", {}), by_action.get("user.update", {})
t.ok(add.get("actor") == "admin" and add.get("object_id") == str(newbie)
     and add.get("payload", {}).get("role") == "police", "user.add is recorded", add)
t.ok(upd.get("payload", {}).get("disabled") is True
     and upd.get("payload", {}).get("password_changed") is True
     and "another-long" not in res.stdout, "user.update is recorded without the password", upd)
t.eq(by_action.get("user.logout", {}).get("actor"), "pros", "logout is recorded")
ws.cli("user", "disable", "wangwu")
res = ws.cli("ledger", "show", "--json")
last = json.loads(res.stdout)["entries"][-1]
t.ok(last["action"] == "user.update" and last["actor"] == "system"
     and last["from"].startswith("cli:"), "a user disabled on the command line is recorded", last)
t.eq(ws.cli("ledger", "verify", check=False).returncode, 0, "the ledger verifies")

# ---- Bad requests: the server keeps serving ----------------------------------------------------
bodies = [b'{"username":', b"[1,2]", b'{"username":"a","username":"b","password":"x"}',
          b'{"username":"\xff\xfe","password":"x"}', b"\x00\x01", b'"just a string"']
for raw in bodies:
    status, doc = Client(srv).request("POST", "/api/v1/login", raw_body=raw)
    t.eq((status, code_of(doc)), (400, "BAD_JSON"), f"malformed body {raw[:20]!r} is BAD_JSON")
status, doc = Client(srv).request("POST", "/api/v1/login", raw_body=b"username=admin",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
t.eq((status, code_of(doc)), (415, "UNSUPPORTED_MEDIA_TYPE"), "form posts are refused (415)")
health_ok("still serving after malformed bodies")

big = ("POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 17000000\r\n\r\n").encode()
status, body = srv.raw(big)
t.eq((status, code_of(json.loads(body or b"{}"))), (413, "BODY_TOO_LARGE"),
     "an announced 17 MB body is refused before it is sent")
status, doc = Client(srv).request("POST", "/api/v1/login",
                                  {"username": "admin", "password": "x" * 5000})
t.eq((status, code_of(doc)), (413, "BODY_TOO_LARGE"), "login body over its 4 KiB cap is 413")
chunk = b'{"username":"admin","password":"' + b"x" * 10000 + b'"}'
chunked = (b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk +
           b"\r\n0\r\n\r\n")
status, body = srv.raw(chunked)
t.eq(status, 413, "a chunked body over the cap is 413")
status, body = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 +
                       b"\r\n\r\n")
t.eq(status, 431, "a 40 KB request head is 431")
status, doc = Client(srv).request("GET", "/healthz?q=" + "a" * 5000)
t.eq((status, code_of(doc)), (414, "URI_TOO_LONG"), "a 5 KB URI is 414")
status, body = srv.raw(b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
t.eq(status, 414, "a 40 KB URI is 414 (from libmicrohttpd)")
status, body = srv.raw(b"BREW /healthz HTCPCP/1.0\r\n\r\n")
t.ok(status is None or status >= 400, "a garbage request line gets an error or a close",
     status)
status, doc = Client(srv).request("GET", "/api/v1/nothing")
t.eq((status, code_of(doc)), (404, "NOT_FOUND"), "unknown path is 404 in JSON")
cl = Client(srv)
status, doc = cl.request("DELETE", "/api/v1/users")
t.eq((status, code_of(doc)), (405, "METHOD_NOT_ALLOWED"), "wrong method is 405")
t.eq(cl.last_headers.get("allow"), "GET, POST", "405 says what is allowed")
status, doc = cl.request("GET", "/api/v1/users/")
t.eq(status, 404, "a trailing slash is not a route")
health_ok("still serving after oversized and malformed requests")
status, doc = Client(srv).login("sunqi")
t.eq(status, 200, "and logins still work")

t.eq(srv.stop(), 0, "SIGTERM: exit status 0")

# ---- Short timeouts and back-off (a second server) ---------------------------------------------
srv = Server(ws, env={"SHUJIAN_TEST_IDLE_MS": "2000", "SHUJIAN_TEST_ABSOLUTE_MS": "5000",
                      "SHUJIAN_TEST_BACKOFF_MS": "2000"})
th = Client(srv)
th.login("sunqi", "wrong password")
status, doc = th.login("sunqi")
t.eq((status, code_of(doc)), (429, "LOGIN_THROTTLED"), "right after a failure: throttled")
t.eq(th.last_headers.get("retry-after"), "2", "Retry-After: 2 s after the first failure")
time.sleep(2.1)
status, doc = th.login("sunqi")
t.eq(status, 200, "after the back-off the login works")

ex = Client(srv)
ex.login("admin")
time.sleep(0.5)
status, _ = ex.request("GET", "/api/v1/me")
t.eq(status, 200, "used within the idle timeout: alive")
time.sleep(2.3)
status, doc = ex.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "SESSION_EXPIRED"), "idle past the timeout: expired")
status, doc = ex.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "UNAUTHENTICATED"), "and then gone")

ab = Client(srv)
ab.login("admin")
start = time.monotonic()
alive = True
while time.monotonic() - start < 4.2:
    time.sleep(0.5)
    alive = alive and ab.request("GET", "/api/v1/me")[0] == 200
t.ok(alive, "kept busy, the session lives until the absolute timeout")
time.sleep(max(0.0, 5.3 - (time.monotonic() - start)))
status, doc = ab.request("GET", "/api/v1/me")
t.eq((status, code_of(doc)), (401, "SESSION_EXPIRED"), "past the absolute timeout: expired")
t.eq(srv.stop(signal.SIGINT), 0, "SIGINT: exit status 0")

ws.cleanup()
t.done()
