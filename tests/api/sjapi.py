"""sjapi.py - what the API tests share: a workspace made with the real CLI, the real
server started on a free port of 127.0.0.1 (read from its "listening on" log line), a small
HTTP client over http.client that keeps the session cookie and CSRF token, raw-socket
requests for what http.client will not send, and TAP output.

Every server runs with SHUJIAN_TEST_FAST_HASH=1 (libsodium's minimum Argon2id cost, so a
login takes milliseconds); tests add the other test-only settings they need.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "correct horse 1"
_running = []  # servers started and not yet stopped: killed at exit if a test dies early


@atexit.register
def _kill_leftovers():
    for proc in _running:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Tap:
    """Numbers checks as TAP lines; the plan comes last."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {desc}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {desc}")
            if detail is not None:
                for line in str(detail).splitlines()[:20]:
                    print(f"#   {line}")
        sys.stdout.flush()
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, f"got:  {got!r}\nwant: {want!r}")

    def done(self):
        print(f"1..{self.n}")
        sys.exit(1 if self.failed else 0)


class Workspace:
    """A temporary workspace set up through the CLI."""

    def __init__(self, binary):
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix="sj-api-")
        self.dir = os.path.join(self.tmp, "ws")
        self.env = dict(os.environ)
        self.env.pop("SHUJIAN_WORKSPACE", None)
        self.env["SHUJIAN_TEST_FAST_HASH"] = "1"
        self.env.setdefault("SHUJIAN_LOG", "info")
        atexit.register(self.cleanup)

    def cli(self, *args, stdin=None, check=True):
        res = subprocess.run([self.binary, *args, "--workspace", self.dir], input=stdin,
                             capture_output=True, text=True, env=self.env, timeout=60)
        if check and res.returncode != 0:
            raise RuntimeError(f"shujian {' '.join(args)}: {res.returncode}\n{res.stderr}")
        return res

    def office(self, code, name, parent=None):
        args = ["office", "add", code, name] + (["--parent", parent] if parent else [])
        self.cli(*args)

    def user(self, name, role, office, display=None, password=PASSWORD):
        args = ["user", "add", name, "--office", office, "--role", role]
        if display:
            args += ["--display-name", display]
        self.cli(*args, stdin=password + "\n")

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class Server:
    """`shujian serve` on 127.0.0.1, port chosen by the kernel."""

    def __init__(self, ws, env=None, tls=None, threads=2):
        self.ws = ws
        self.tls = tls
        args = [ws.binary, "serve", "--listen", "127.0.0.1:0", "--workspace", ws.dir,
                "--threads", str(threads)]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        full_env = dict(ws.env)
        full_env.update(env or {})
        self.log_path = os.path.join(ws.tmp, f"serve-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=full_env)
        _running.append(self.proc)
        self.port = self._wait_port()

    def _wait_port(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = re.search(r"listening on https?://127\.0\.0\.1:(\d+)", self.read_log())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("server did not start:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def connection(self, timeout=30):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals the server (by its pid) and returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self.log.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes on a fresh socket; returns (status, body) of the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            return read_answer(s)


def read_answer(sock):
    """Reads one HTTP/1.1 answer with Content-Length (or until close)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        return None, b""
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    while length is not None and len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body


class Client:
    """Requests with the session cookie and, on state-changing ones, the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None
        self.last_headers = {}

    def request(self, method, path, body=None, csrf=True, headers=None, raw_body=None):
        conn = self.server.connection()
        h = {"Accept": "application/json"}
        data = raw_body
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
        if data is not None:
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            text = resp.read()
            self.last_headers = {k.lower(): v for k, v in resp.getheaders()}
            self._keep_cookie(resp.getheader("Set-Cookie"))
            try:
                doc = json.loads(text) if text else None
            except ValueError:
                doc = text
            return resp.status, doc
        finally:
            conn.close()

    def _keep_cookie(self, header):
        if not header:
            return
        pair = header.split(";", 1)[0]
        name, _, value = pair.partition("=")
        self.cookie = f"{name}={value}" if value else None

    def login(self, username, password=PASSWORD):
        status, doc = self.request("POST", "/api/v1/login",
                                   {"username": username, "password": password})
        if status == 200:
            self.csrf = doc["csrf_token"]
        return status, doc


def code_of(doc):
    return doc.get("code") if isinstance(doc, dict) else None


def run_in_thread(fn):
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t
