#!/usr/bin/env python3
"""tls.py - `shujian serve --tls-cert --tls-key` over real sockets, speaking TAP: HTTPS
answers, the session cookie becomes Secure with the __Host- prefix, HSTS is sent, plain
HTTP on the TLS port gets nothing useful, and bad TLS options are refused at start. The
self-signed certificate is made with the openssl command; without it the tests are skipped.

usage: tls.py path/to/shujian
"""
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace  # noqa: E402

t = Tap()
if not shutil.which("openssl"):
    print("1..0 # SKIP the openssl command is not installed")
    sys.exit(0)

ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("admin", "admin", "441800")
cert, key = os.path.join(ws.tmp, "cert.pem"), os.path.join(ws.tmp, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                "/CN=127.0.0.1", "-keyout", key, "-out", cert],
               check=True, capture_output=True, timeout=60)

srv = Server(ws, tls=(cert, key))
t.ok("listening on https://" in srv.read_log(), "the log says https")
c = Client(srv)
status, doc = c.request("GET", "/healthz")
t.eq((status, doc), (200, {"status": "ok"}), "GET /healthz over TLS")
t.ok(c.last_headers.get("strict-transport-security", "").startswith("max-age="),
     "HSTS is sent over TLS", c.last_headers)
status, doc = c.login("admin")
t.eq(status, 200, "login over TLS")
cookie = c.last_headers.get("set-cookie", "")
t.ok(cookie.startswith("__Host-sj_session=") and "; Secure" in cookie,
     "the cookie is Secure with the __Host- prefix", cookie)
status, doc = c.request("GET", "/api/v1/me")
t.eq(status, 200, "the Secure cookie carries the session")
plain = Client(srv)
plain.cookie = "sj_session=" + c.cookie.split("=", 1)[1]
t.eq(plain.request("GET", "/api/v1/me")[0], 401, "the plain cookie name is not accepted")

with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        data = s.recv(4096)
    except OSError:
        data = b""
t.ok(not data.startswith(b"HTTP/1.1 200"), "plain HTTP to the TLS port is not served", data)
t.eq(c.request("GET", "/healthz")[0], 200, "still serving TLS after that")
t.eq(srv.stop(), 0, "SIGTERM: exit status 0")

res = subprocess.run([ws.binary, "serve", "--listen", "127.0.0.1:0", "--workspace", ws.dir,
                      "--tls-cert", cert], capture_output=True, text=True, env=ws.env,
                     timeout=30)
t.eq(res.returncode, 2, "--tls-cert without --tls-key is a usage error")
res = subprocess.run([ws.binary, "serve", "--listen", "127.0.0.1:0", "--workspace", ws.dir,
                      "--tls-cert", cert, "--tls-key", os.path.join(ws.tmp, "missing.pem")],
                     capture_output=True, text=True, env=ws.env, timeout=30)
t.ok(res.returncode == 3 and "missing.pem" in res.stderr, "a missing key file is refused",
     res.stderr)
res = subprocess.run([ws.binary, "serve", "--listen", "127.0.0.1:0", "--workspace", ws.dir,
                      "--tls-cert", cert, "--tls-key", cert], capture_output=True, text=True,
                     env=ws.env, timeout=30)
t.ok(res.returncode == 3, "a certificate given as key is refused at start", res.stderr)
res = subprocess.run([ws.binary, "serve", "--listen", "localhost", "--workspace", ws.dir],
                     capture_output=True, text=True, env=ws.env, timeout=30)
t.eq(res.returncode, 2, "--listen without a port is a usage error")

ws.cleanup()
t.done()
