#!/usr/bin/env python3
"""shutdown.py - graceful stop of `shujian serve`, speaking TAP: a request in flight when
SIGTERM arrives (its body only half sent) still gets its answer and the server then exits 0;
an idle keep-alive connection does not hold the stop up; a second signal stops at once.

usage: shutdown.py path/to/shujian
"""
import json
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import PASSWORD, Server, Tap, Workspace, read_answer  # noqa: E402

t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("admin", "admin", "441800")


def half_sent_login(srv):
    """Opens a login whose body is half sent; returns (socket, rest of the body)."""
    body = json.dumps({"username": "admin", "password": PASSWORD}).encode()
    head = (f"POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    half = len(body) // 2
    s.sendall(head + body[:half])
    time.sleep(0.5)  # the server has read the head and is waiting for the rest
    return s, body[half:]


# ---- A slow request in flight --------------------------------------------------------------------
srv = Server(ws)
s, rest = half_sent_login(srv)
srv.proc.send_signal(signal.SIGTERM)
time.sleep(0.7)
t.ok(srv.proc.poll() is None, "after SIGTERM the server waits for the request in flight")
try:
    socket.create_connection(("127.0.0.1", srv.port), timeout=5).close()
    refused = False
except OSError:
    refused = True
t.ok(refused, "while it waits, new connections are refused")
s.sendall(rest)
status, body = read_answer(s)
s.close()
t.eq(status, 200, "the request in flight completes (login 200)")
t.ok(b"csrf_token" in body, "with its whole answer", body[:200])
try:
    code = srv.proc.wait(timeout=15)
except Exception:  # noqa: BLE001 - report, then clean up below
    code = None
t.eq(code, 0, "then the server exits 0")
log = srv.read_log()
t.ok("no new connections" in log and "stopped" in log, "the log tells the stop", log[-600:])
srv.stop()

# ---- An idle keep-alive connection does not hold the stop up ----------------------------------------
srv = Server(ws)
k = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
k.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
status, _ = read_answer(k)
t.eq(status, 200, "a keep-alive request is answered")
start = time.monotonic()
code = srv.stop(signal.SIGTERM, timeout=20)
t.eq(code, 0, "SIGTERM with an idle keep-alive connection: exit 0")
t.ok(time.monotonic() - start < 5, "and promptly", time.monotonic() - start)
k.close()

# ---- A second signal cuts the wait short ---------------------------------------------------------------
srv = Server(ws)
s, rest = half_sent_login(srv)
srv.proc.send_signal(signal.SIGTERM)
time.sleep(0.5)
start = time.monotonic()
code = srv.stop(signal.SIGINT, timeout=20)
t.eq(code, 0, "SIGTERM then SIGINT with a stalled request: exit 0")
t.ok(time.monotonic() - start < 5, "without waiting for the stalled request",
     time.monotonic() - start)
s.close()

ws.cleanup()
t.done()
