#!/usr/bin/env python3
"""platform.py - the platform API over real sockets on 127.0.0.1, speaking TAP: uploads
imported by jobs (multipart and raw) polled to done, dataset rows with paging and filters,
rejects, model check with a typo -> line:column, a model run job -> leads, lead status
changes with and without CSRF, the XLSX export, statistics counting a case, every write in
the ledger (which still verifies), no unmasked ID number or mobile in any answer without
reveal, and malformed JSON and oversized uploads answered 4xx while the server keeps serving.

The data are the synthetic demo files (`shujian demo-data`, seed 1).

usage: platform.py path/to/shujian
"""
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace, code_of  # noqa: E402

# Digits after a decimal point are the fraction of a number (seconds, rates), not an ID.
ID18 = re.compile(r"(?<![0-9.])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9.])1[3-9][0-9]{9}(?![0-9])")

t = Tap()
ws = Workspace(sys.argv[1])
data = os.path.join(ws.tmp, "data")
subprocess.run([ws.binary, "demo-data", data, "--seed", "1"], check=True, env=ws.env,
               capture_output=True, timeout=120)
ws.cli("import", os.path.join(data, "call_records.csv"), os.path.join(data, "victims.xlsx"),
       os.path.join(data, "bank_statements_a.csv"))
ws.office("441800", "清远市人民检察院")
ws.office("441802", "清城区人民检察院", parent="441800")
ws.user("chen", "prosecutor", "441800")
ws.user("zhao", "auditor", "441800")
srv = Server(ws)


class Seen(Client):
    """A client that remembers every answer it got without ?reveal=1, for the mask scan."""
    answers = []

    def request(self, method, path, body=None, **kw):
        status, doc = super().request(method, path, body, **kw)
        if "reveal=1" not in path:
            text = doc if isinstance(doc, (bytes, str)) else json.dumps(doc, ensure_ascii=False)
            Seen.answers.append((f"{method} {path}", text if isinstance(text, str)
                                 else text.decode("utf-8", "replace")))
        return status, doc


def poll(client, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, doc = client.request("GET", f"/api/v1/jobs/{job_id}")
        if status != 200 or doc["job"]["state"] in ("done", "failed"):
            return status, doc
        time.sleep(0.05)
    return None, None


def multipart(field, filename, payload, boundary="sjBoundary7MA4YWxk"):
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n备注\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


chen, zhao = Seen(srv), Seen(srv)
t.eq(chen.login("chen")[0], 200, "a prosecutor logs in")
t.eq(zhao.login("zhao")[0], 200, "an auditor logs in")

# ---- Without a ledger, writes are refused ---------------------------------------------------------
with open(os.path.join(data, "disposals.csv"), "rb") as f:
    disposals = f.read()
status, doc = chen.request("POST", "/api/v1/imports?filename=disposals.csv", raw_body=disposals,
                           headers={"Content-Type": "text/csv"})
t.eq((status, code_of(doc)), (503, "LEDGER_MISSING"), "no ledger: an upload is refused (503)")
ws.cli("ledger", "init")
ledger_writes = 0

# ---- Uploads imported by jobs ---------------------------------------------------------------------
status, doc = chen.request("POST", "/api/v1/imports?filename=disposals.csv", raw_body=disposals,
                           headers={"Content-Type": "text/csv"})
t.eq(status, 202, "a raw upload with ?filename= is accepted as a job (202)")
job = doc["job"]
t.ok(job["kind"] == "import" and job["state"] in ("queued", "running", "done"),
     "the answer is the job", job)
status, doc = poll(chen, job["id"])
t.eq((status, doc["job"]["state"]), (200, "done"), "the import job is polled to done")
summary = doc["job"]["result"]["imports"][0]
t.eq((summary["dataset"], summary["file_name"]), ("disposals", "disposals.csv"),
     "its summary names the dataset and the file (not the server's path)")
t.ok(summary["rows_imported"] > 100 and summary["rows_read"] == doc["job"]["rows"],
     "the job's rows are the rows read", summary)
ledger_writes += 1

# A few MB of synthetic transfers, so that a poll is likely to catch the job half way; only the
# final value and that percent never goes back are asserted, not that a middle value was seen.
NAMES = ["林晓峰", "周雨桐", "郑文博", "何思远", "罗嘉怡", "梁志诚", "宋佳琪", "唐明哲"]
lines = ["序号,付款人,收款人,金额,交易日期,备注"]
for i in range(60000):
    lines.append(f"{i + 1},{NAMES[i % 8]},{NAMES[(i * 3 + 1) % 8]},{(i * 37) % 100000 / 100:.2f},"
                 f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d},第{i % 97}笔往来款")
transfers = ("\n".join(lines) + "\n").encode()
status, doc = chen.request("POST", "/api/v1/imports?filename=transfers.csv", raw_body=transfers,
                           headers={"Content-Type": "text/csv"})
snapshots = [doc["job"]] if status == 202 else []
deadline = time.monotonic() + 120
while snapshots and snapshots[-1]["state"] not in ("done", "failed") and time.monotonic() < deadline:
    time.sleep(0.05)
    status, doc = chen.request("GET", f"/api/v1/jobs/{snapshots[0]['id']}")
    snapshots.append(doc["job"] if status == 200 else {"state": "failed"})
last = snapshots[-1] if snapshots else {}
t.ok(all({"bytes_done", "bytes_total", "percent"} <= set(s) for s in snapshots) and
     last.get("state") == "done", "an import job has bytes_done, bytes_total and percent",
     snapshots[-1:])
percents = [s.get("percent") for s in snapshots if s.get("percent") is not None]
t.ok(all(isinstance(p, int) and 0 <= p <= 100 for p in percents) and
     percents == sorted(percents), "percent is an integer 0-100 that never goes back",
     [(s.get("state"), s.get("bytes_done"), s.get("percent")) for s in snapshots])
t.ok(all(s.get("percent") != 100 for s in snapshots if s.get("state") != "done"),
     "percent is 100 only once the job is done", [s.get("percent") for s in snapshots])
t.ok(all(s.get("bytes_total") == len(transfers) for s in snapshots) and last.get("bytes_done") == len(transfers) and last.get("percent") == 100,
     f"bytes_total is the upload's size ({len(transfers)}); at the end all read, 100 %",
     {k: last.get(k) for k in ("bytes_done", "bytes_total", "percent", "rows")})
t.eq(last.get("rows"), 60000, "the job's rows are the file's rows")
print(f"# {len(snapshots)} polls of the import job, percent seen: {sorted(set(percents))}")
ledger_writes += 1

with open(os.path.join(data, "appraisals.xlsx"), "rb") as f:
    body, ctype = multipart("file", "鉴定/appraisals.xlsx", f.read())
status, doc = chen.request("POST", "/api/v1/imports", raw_body=body,
                           headers={"Content-Type": ctype})
t.eq(status, 202, "a multipart/form-data upload is accepted")
status, doc = poll(chen, doc["job"]["id"])
res = doc["job"]["result"]["imports"][0] if doc["job"]["result"] else {}
t.eq((doc["job"]["state"], res.get("dataset"), res.get("file_name")),
     ("done", "appraisals", "appraisals.xlsx"),
     "the workbook is imported under its own name (path parts dropped)")
t.ok(doc["job"]["percent"] == 100 and doc["job"]["bytes_done"] == doc["job"]["bytes_total"] > 0,
     "a workbook's job ends at 100 % too", doc["job"])
ledger_writes += 1

status, doc = chen.request("POST", "/api/v1/imports?filename=disposals.csv", raw_body=disposals,
                           headers={"Content-Type": "text/csv"})
status, doc = poll(chen, doc["job"]["id"])
t.eq(doc["job"]["result"]["imports"][0]["already_imported"], True,
     "the same file again: already imported, nothing added")
t.eq((doc["job"]["bytes_done"], doc["job"]["percent"]), (len(disposals), 100),
     "a file imported before: its job ends at 100 % as well")
ledger_writes += 1

status, doc = chen.request("POST", "/api/v1/imports", raw_body=b"a,b\n1,2\n",
                           headers={"Content-Type": "text/csv"})
t.eq((status, code_of(doc)), (400, "BAD_UPLOAD"), "an upload without a file name: 400")
status, doc = chen.request("POST", "/api/v1/imports?filename=..", raw_body=b"a,b\n1,2\n",
                           headers={"Content-Type": "text/csv"})
t.eq((status, code_of(doc)), (400, "BAD_UPLOAD"), "a file name of '..': 400")
body, ctype = multipart("file", "x.csv", b"a,b\n1,2\n")
status, doc = chen.request("POST", "/api/v1/imports", raw_body=body[:-20],
                           headers={"Content-Type": ctype})
t.eq((status, code_of(doc)), (400, "BAD_UPLOAD"), "a cut-off multipart body: 400")
status, doc = zhao.request("POST", "/api/v1/imports?filename=x.csv", raw_body=b"a,b\n1,2\n",
                           headers={"Content-Type": "text/csv"})
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "an auditor may not upload")

# ---- Datasets, rows, rejects ----------------------------------------------------------------------
status, doc = chen.request("GET", "/api/v1/datasets")
by_name = {d["name"]: d for d in doc["datasets"]}
t.ok(status == 200 and {"disposals", "appraisals", "call_records"} <= set(by_name),
     "the datasets list has the uploads and the command-line imports", sorted(by_name))
calls = by_name["call_records"]
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}")
cols = doc["dataset"]["columns"]
t.ok(status == 200 and any(c["kind"] == "phone" for c in cols),
     "a dataset shows its columns and kinds", cols)
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/columns")
t.eq([c["name"] for c in doc["columns"]], [c["name"] for c in cols], "/columns: the same columns")

pages, seen_rows = [], set()
for offset in (0, 7, 14):
    status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?limit=7&offset={offset}")
    pages.append([r["row_id"] for r in doc["rows"]])
t.ok(all(len(p) == 7 for p in pages) and len({r for p in pages for r in p}) == 21,
     "three pages of 7 rows: 21 different rows", pages)
t.ok(pages[0] < pages[1] < pages[2], "pages follow the import order", pages)
t.eq(doc["total"], calls["row_count"], "total is the dataset's row count")
row = doc["rows"][0]
t.ok(row["file_name"] == "call_records.csv" and row["source_row"] > 1 and "raw" in row and
     "norm" in row, "each row has its source file and row, raw and normalised values", row)
text_col = next(c for c in cols if c["kind"] == "text")
sample = next(r["raw"][text_col["name"]] for r in doc["rows"] if r["raw"][text_col["name"]])
q = urllib.parse.urlencode({"column": text_col["name"], "value": sample, "limit": 1000})
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?{q}")
t.ok(status == 200 and doc["total"] >= 1 and
     all(r["raw"][text_col["name"]].strip() == sample.strip() for r in doc["rows"]),
     f"filter {text_col['name']} = value: only matching rows", doc.get("total"))
q = urllib.parse.urlencode({"column": text_col["name"], "op": "contains", "value": sample[:1]})
status, doc2 = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?{q}")
t.ok(status == 200 and doc2["total"] >= doc["total"], "filter contains: at least as many rows",
     (doc2.get("total"), doc.get("total")))
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?column=nope&value=1")
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "filter on an unknown column: 400")
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?limit=0")
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "limit=0: 400")
status, doc = chen.request("GET", "/api/v1/datasets/99999/rows")
t.eq((status, code_of(doc)), (404, "NOT_FOUND"), "rows of a dataset that does not exist: 404")

bank = by_name["bank_statements_a"]
status, doc = chen.request("GET", f"/api/v1/datasets/{bank['id']}/rejects")
t.ok(status == 200 and doc["total"] == bank["reject_count"] + bank["flagged_cells"] and
     all("reason" in r and "source_row" in r for r in doc["rejects"]),
     "rejects list every rejected row and flagged cell with a reason", doc.get("total"))

# ---- Models: list, show, check, add ------------------------------------------------------------------
status, doc = chen.request("GET", "/api/v1/models")
groups = {g["function"]: g["models"] for g in doc["functions"]}
t.ok(status == 200 and "appraisal-not-followed-up" in groups.get("criminal", []),
     "models are listed grouped by function", groups)
status, doc = chen.request("GET", "/api/v1/models/appraisal-not-followed-up")
yaml = doc["model"]["yaml"]
t.ok(status == 200 and yaml.startswith("#") and doc["model"]["steps"],
     "a model shows its steps and its YAML", list(doc["model"]))
lines = yaml.split("\n")
bad_line = next(i for i, l in enumerate(lines) if l.startswith("summary:"))
typo = "\n".join(lines[:bad_line] + [lines[bad_line].replace("summary:", "sumary:")] +
                 lines[bad_line + 1:])
status, doc = chen.request("POST", "/api/v1/models/check", {"yaml": typo})
diags = doc.get("diagnostics", [])
t.ok(status == 200 and doc["ok"] is False and diags, "check: a typo gives diagnostics", doc)
t.ok(any(d["line"] == bad_line + 1 and d["column"] == 1 and "summary" in d["hint"] for d in diags),
     f"the typo is reported at line {bad_line + 1}, column 1, suggesting summary", diags)
t.ok(any(d["text"].startswith(f"{bad_line + 1}:1:") for d in diags), "as LINE:COLUMN: text",
     diags)
status, doc = chen.request("POST", "/api/v1/models/check", {"yaml": yaml})
t.eq((status, doc["ok"], doc["diagnostics"]), (200, True, []), "check: the model as shipped is ok")
status, doc = chen.request("POST", "/api/v1/models", {"yaml": typo})
t.eq((status, code_of(doc)), (422, "MODEL_INVALID"), "adding a model with a typo: 422")
mine = yaml.replace("id: appraisal-not-followed-up", "id: appraisal-copy", 1)
status, doc = chen.request("POST", "/api/v1/models", {"yaml": mine})
t.eq((status, doc.get("model", {}).get("id")), (201, "appraisal-copy"), "adding a model: 201")
ledger_writes += 1
status, doc = chen.request("GET", "/api/v1/models/appraisal-copy")
t.eq(status, 200, "the added model is in the toolbox")
status, doc = zhao.request("POST", "/api/v1/models/check", {"yaml": yaml})
t.eq(status, 403, "an auditor may not use the model writer's tools")

# ---- Running a model as a job -> leads ---------------------------------------------------------------
status, doc = chen.request("POST", "/api/v1/models/appraisal-not-followed-up/runs",
                           {"params": {"window_days": 90}})
t.eq(status, 202, "a model run is accepted as a job")
status, doc = poll(chen, doc["job"]["id"])
result = doc["job"]["result"] or {}
t.ok(doc["job"]["state"] == "done" and result.get("lead_count", 0) > 0 and result["run_id"] > 0,
     "the run job finishes with leads", doc["job"])
t.eq([doc["job"].get(k, "absent") for k in ("bytes_done", "bytes_total", "percent")],
     [None, None, None], "a model run has no byte counts: bytes_done, bytes_total, percent null")
ledger_writes += 1
run_id = result.get("run_id")
status, doc = chen.request("GET", "/api/v1/models/appraisal-not-followed-up/runs")
t.ok(status == 200 and doc["runs"] and doc["runs"][0]["id"] == run_id and
     doc["runs"][0]["lead_count"] == result["lead_count"], "the run is in the model's history",
     doc.get("runs", [])[:1])
status, doc = chen.request("POST", "/api/v1/models/no-such-model/runs", {})
t.eq(status, 404, "running a model that does not exist: 404")
status, doc = chen.request("POST", "/api/v1/models/appraisal-not-followed-up/runs",
                           {"inputs": {"appraisals": "no_such_dataset"}})
status, doc = poll(chen, doc["job"]["id"])
t.ok(doc["job"]["state"] == "failed" and "no_such_dataset" in doc["job"]["error"]["message"],
     "a run over a dataset that does not exist fails, saying which", doc["job"]["error"])

# ---- Leads ---------------------------------------------------------------------------------------
status, doc = chen.request("GET", "/api/v1/leads?model=appraisal-not-followed-up&limit=2")
t.ok(status == 200 and doc["total"] == result["lead_count"] >= 3 and len(doc["leads"]) == 2,
     "leads are listed by model with a total and a page", doc.get("total"))
page2 = chen.request("GET", "/api/v1/leads?model=appraisal-not-followed-up&limit=2&offset=2")[1]
t.ok(not {l["id"] for l in doc["leads"]} & {l["id"] for l in page2["leads"]},
     "the second page has other leads")
status, doc = chen.request("GET", "/api/v1/leads?sort=seen&order=asc&status=pending&"
                           "function=criminal&from=2000-01-01&to=2999-12-31")
t.ok(status == 200 and doc["total"] == result["lead_count"], "filters by status/function/date",
     doc.get("total"))
status, doc = chen.request("GET", "/api/v1/leads?from=2999-01-01")
t.eq((status, doc["total"]), (200, 0), "found after a future date: none")
status, doc = chen.request("GET", "/api/v1/leads?sort=bogus")
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "an unknown sort: 400")
lead_id = chen.request("GET", "/api/v1/leads?limit=1")[1]["leads"][0]["id"]
status, doc = chen.request("GET", f"/api/v1/leads/{lead_id}")
ev = doc["evidence"][0] if doc.get("evidence") else {}
t.ok(status == 200 and ev.get("has_source") and ev.get("file_name") in
     ("appraisals.xlsx", "disposals.csv") and ev.get("source_row", 0) > 1 and ev.get("values"),
     "a lead's evidence rows carry their provenance (file, row)", ev)
t.ok(doc["history"] and doc["history"][0]["action"] == "found", "and its history")

change = {"status": "verifying", "note": "开始核查"}
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", change, csrf=False)
t.eq((status, code_of(doc)), (403, "CSRF_FAILED"), "a status change without the CSRF token: 403")
status, doc = zhao.request("PATCH", f"/api/v1/leads/{lead_id}", change)
t.eq((status, code_of(doc)), (403, "FORBIDDEN"), "an auditor may not change a lead")
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", change)
t.ok(status == 200 and doc["lead"]["status"] == "verifying" and doc["ledger_index"] >= 0,
     "with the token: the lead is being verified", doc)
ledger_writes += 1
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", {"status": "pending", "note": "x"})
t.eq((status, code_of(doc)), (409, "STATUS_CONFLICT"), "back to pending is not allowed: 409")
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", {"status": "case", "note": "成案"})
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "case without an outcome: 400")
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", {"status": "case"})
t.eq((status, code_of(doc)), (400, "INVALID_FIELD"), "no note: 400")
status, doc = chen.request("PATCH", "/api/v1/leads/L0000000000000000", change)
t.eq((status, code_of(doc)), (404, "NOT_FOUND"), "a lead that does not exist: 404")

stats0 = chen.request("GET", "/api/v1/stats")[1]
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}",
                           {"status": "case", "outcome": "recommendation", "note": "发出检察建议"})
t.eq((status, doc["lead"]["status"], doc["lead"]["outcome"]), (200, "case", "recommendation"),
     "the lead becomes a case with an outcome")
ledger_writes += 1
status, stats = chen.request("GET", "/api/v1/stats")
t.eq(stats["total"]["cases"], stats0["total"]["cases"] + 1, "stats: the case is counted")
row = next(m for m in stats["models"] if m["model"] == "appraisal-not-followed-up")
t.ok(row["cases"] == 1 and row["outcomes"]["recommendation"] == 1 and row["runs"] >= 1 and
     abs(row["conversion_rate"] - 1 / row["leads"]) < 1e-9,
     "per model: runs, cases, outcome and conversion rate", row)
month = time.strftime("%Y-%m", time.gmtime())
t.ok(any(m["month"] == month and m["cases"] >= 1 and m["leads"] >= 1 for m in stats["months"]),
     "over time: this month has the leads and the case", stats["months"])
t.ok(any(f["function"] == "criminal" and f["cases"] == 1 for f in stats["functions"]),
     "per function: criminal has the case")
status, doc = chen.request("GET", "/api/v1/stats?from=2999-01-01")
t.eq((status, doc["total"]["leads"]), (200, 0), "stats from a future date: nothing")

# ---- Export ----------------------------------------------------------------------------------------
status, xlsx = chen.request("GET", "/api/v1/leads/export?model=appraisal-not-followed-up")
t.eq(status, 200, "the export answers 200")
t.ok(chen.last_headers.get("content-type", "").startswith(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") and
     "attachment" in chen.last_headers.get("content-disposition", ""),
     "as an XLSX attachment", chen.last_headers)
try:
    book = zipfile.ZipFile(io.BytesIO(xlsx))
    shared = book.read("xl/sharedStrings.xml").decode()
    names = book.namelist()
except (zipfile.BadZipFile, KeyError, TypeError) as e:
    shared, names = "", [str(e)]
t.ok("xl/worksheets/sheet3.xml" in names and "线索编号" in shared and lead_id in shared,
     "the workbook has the three sheets and the lead", names)
Seen.answers.append(("GET export (sharedStrings)", shared))

# ---- Masking -------------------------------------------------------------------------------------------
for name in ("victims", "call_records"):
    d = by_name.get(name)
    if d:
        chen.request("GET", f"/api/v1/datasets/{d['id']}/rows?limit=200")
        chen.request("GET", f"/api/v1/datasets/{d['id']}/rejects")
status, doc = chen.request("GET", f"/api/v1/datasets/{calls['id']}/rows?limit=200&reveal=1")
raw = json.dumps(doc, ensure_ascii=False)
t.ok(status == 200 and MOBILE.search(raw), "a prosecutor asking reveal=1 sees whole numbers")
leaks = [(where, m.group(0)) for where, text in Seen.answers
         for m in list(ID18.finditer(text)) + list(MOBILE.finditer(text))]
t.ok(len(Seen.answers) > 50 and not leaks,
     f"no unmasked ID number or mobile in {len(Seen.answers)} answers without reveal", leaks[:5])
status, doc = zhao.request("GET", f"/api/v1/datasets/{calls['id']}/rows?limit=50&reveal=1")
raw = json.dumps(doc, ensure_ascii=False)
t.ok(status == 200 and not MOBILE.search(raw), "an auditor asking reveal=1 still sees masks")

# ---- Bad requests; the server keeps serving ------------------------------------------------------------
status, doc = chen.request("PATCH", f"/api/v1/leads/{lead_id}", raw_body=b'{"status": "verif',
                           headers={"Content-Type": "application/json"})
t.eq((status, code_of(doc)), (400, "BAD_JSON"), "malformed JSON: 400 BAD_JSON")
status, doc = chen.request("POST", "/api/v1/models/check", raw_body=b"[1, 2]",
                           headers={"Content-Type": "application/json"})
t.eq((status, code_of(doc)), (400, "BAD_JSON"), "a JSON array body: 400")
big = (f"POST /api/v1/imports?filename=big.csv HTTP/1.1\r\nHost: x\r\nCookie: {chen.cookie}\r\n"
       f"X-CSRF-Token: {chen.csrf}\r\nContent-Type: text/csv\r\nContent-Length: {300 << 20}\r\n"
       "\r\n").encode() + b"a,b\n" * 1000
status, body = srv.raw(big)
t.eq(status, 413, "an upload over 256 MiB is refused before it is read: 413")
status, doc = Client(srv).request("GET", "/healthz")
t.eq((status, doc), (200, {"status": "ok"}), "the server still answers")
t.eq(chen.request("GET", "/api/v1/datasets")[0], 200, "and the session still works")

# ---- The ledger ----------------------------------------------------------------------------------------
res = ws.cli("ledger", "verify", "--json")
report = json.loads(res.stdout)
t.ok(report.get("ok") is True, "the ledger verifies after all the writes", res.stdout[:300])
shown = json.loads(ws.cli("ledger", "show", "--limit", "1000", "--json").stdout)["entries"]
writes = [e for e in shown if e["action"] != "data.reveal"]
t.eq(len(writes), ledger_writes, f"it holds exactly the {ledger_writes} writes made (and reveals)")
t.eq(sorted({e["action"] for e in writes}),
     ["dataset.import", "lead.status", "model.add", "model.run"], "of the four kinds")
t.ok(all(e["actor"] == "chen" and e["office"] == "441800" and e["from"] == "127.0.0.1"
         for e in writes), "each saying who, from which office and from where", writes[:2])
status_entry = next(e for e in writes if e["action"] == "lead.status")
t.ok(status_entry["object_id"] == lead_id and len(status_entry["payload"]["change_sha256"]) == 64
     and "开始核查" not in json.dumps(status_entry, ensure_ascii=False),
     "a status change is pinned by its hash, without the note's text", status_entry)
t.ok(any(e["action"] == "data.reveal" for e in shown), "the reveal was recorded too")

t.eq(srv.stop(), 0, "SIGTERM: exit status 0")
ws.cleanup()
t.done()
