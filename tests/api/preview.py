#!/usr/bin/env python3
"""preview.py - POST /api/v1/models/preview over real sockets, speaking TAP: a model that is
not saved, sent as YAML and as the same JSON object, previews the would-be leads of a small
synthetic dataset (total, first N, titles, evidence counts, masked subjects) with parameters
changing the answer; nothing is recorded (no run, no lead, no ledger entry, no job); a typo
is 422 MODEL_INVALID with line:column; an unknown dataset is 422 MODEL_FAILED in Chinese;
a model that would run for ever is stopped by the time limit (422 PREVIEW_TIMEOUT) and the
server keeps answering; police and auditors get 403, a missing CSRF token 403.

usage: preview.py path/to/shujian
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjapi import Client, Server, Tap, Workspace, code_of  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idcard(seq):
    """A synthetic 18-digit ID number (region 441802, born 1980-01-01) with its check digit."""
    body = f"44180219800101{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    return body + "10X98765432"[total % 11]


t = Tap()
ws = Workspace(sys.argv[1])
ws.office("441800", "清远市人民检察院")
ws.user("chen", "prosecutor", "441800")
ws.user("wang", "police", "441800")
ws.user("zhao", "auditor", "441800")
ws.cli("ledger", "init")

# Person i appears i times (1..5): with min_times 2, persons 2..5 are leads.
csv = os.path.join(ws.tmp, "付款记录.csv")
with open(csv, "w", encoding="utf-8") as f:
    f.write("身份证号,姓名,金额\n")
    for i in range(1, 6):
        for k in range(i):
            f.write(f"{idcard(i)},测试人{i},{100 * (k + 1)}.00\n")
ws.cli("import", csv, "--dataset", "payments")

YAML = """id: preview-demo
name: 预览测试模型
function: criminal
version: 1.0.0
summary: 同一人多次付款
inputs:
  pay:
    label: 付款记录
    dataset: payments
    columns:
      person: {kind: idcard, headers: [身份证号]}
      money: {kind: amount, headers: [金额]}
parameters:
  min_times: {type: integer, default: 2, label: 最少次数}
steps:
  - id: many
    count:
      from: pay
      by: [person]
      having: count >= $min_times
lead:
  from: many
  subject: person
  title: "{person}付款{count}次"
  evidence: [person, count]
"""

srv = Server(ws)
chen = Client(srv)
t.eq(chen.login("chen")[0], 200, "a prosecutor logs in")


def preview(client, body, **kw):
    return client.request("POST", "/api/v1/models/preview", body, **kw)


def counts():
    _, runs = chen.request("GET", "/api/v1/models/preview-demo/runs")
    _, leads = chen.request("GET", "/api/v1/leads")
    _, jobs = chen.request("GET", "/api/v1/jobs")
    return (len(runs.get("runs", [])) if isinstance(runs, dict) else -1, leads.get("total"),
            len(jobs.get("jobs", [])))


before = counts()
ledger_before = ws.cli("ledger", "verify", check=False).stdout

status, doc = preview(chen, {"yaml": YAML, "limit": 3})
t.eq(status, 200, "a YAML model previews")
t.eq(doc.get("total"), 4, "the total counts every subject with at least 2 payments")
t.eq(doc.get("shown"), 3, "limit caps the leads shown")
t.eq(len(doc.get("leads", [])), 3, "three leads are listed")
first = doc["leads"][0] if doc.get("leads") else {}
t.ok("付款" in first.get("title", "") and "次" in first.get("title", ""),
     "a title is filled from the template", first)
t.ok(all(ld.get("evidence_count", 0) >= 2 for ld in doc.get("leads", [])),
     "each lead carries its evidence rows (one per payment)", doc.get("leads"))
t.ok(all(idcard(i) not in json.dumps(doc, ensure_ascii=False) for i in range(1, 6)),
     "no ID number is sent unmasked")
t.ok(all("*" in ld.get("subject", "") for ld in doc.get("leads", [])), "subjects are masked")

BY_NAME = YAML.replace("      money: {kind: amount, headers: [金额]}",
                       "      money: {kind: amount, headers: [金额]}\n"
                       "      who: {kind: name, headers: [姓名]}").replace(
    "by: [person]", "by: [who]").replace("subject: person", "subject: who").replace(
    "{person}付款", "{who}付款").replace("evidence: [person, count]", "evidence: [who, count]")
status, doc = preview(chen, {"yaml": BY_NAME})
t.eq(status, 200, "a model whose subject is a name previews", )
t.ok(doc.get("leads") and all(ld["subject"].startswith("测") and ld["subject"].endswith("**")
                              for ld in doc["leads"]),
     "a name subject is masked by its kind (surname kept)", doc.get("leads"))

status, doc = preview(chen, {"yaml": YAML, "params": {"min_times": 4}})
t.eq((status, doc.get("total")), (200, 2), "a parameter changes the preview (4 times: 2 leads)")

as_json = {
    "id": "preview-demo", "name": "预览测试模型", "function": "criminal", "version": "1.0.0",
    "summary": "同一人多次付款",
    "inputs": {"pay": {"label": "付款记录", "dataset": "payments", "columns": {
        "person": {"kind": "idcard", "headers": ["身份证号"]},
        "money": {"kind": "amount", "headers": ["金额"]}}}},
    "parameters": {"min_times": {"type": "integer", "default": 5, "label": "最少次数"}},
    "steps": [{"id": "many", "count": {"from": "pay", "by": ["person"],
                                       "having": "count >= $min_times"}}],
    "lead": {"from": "many", "subject": "person", "title": "{person}付款{count}次",
             "evidence": ["person", "count"]},
}
status, doc = preview(chen, {"model": as_json})
t.eq((status, doc.get("total")), (200, 1), "the same model as a JSON object previews (default 5)")

after = counts()
t.eq(after, before, "nothing recorded: no run, no lead, no job")
t.eq(ws.cli("ledger", "verify", check=False).stdout, ledger_before, "the ledger did not grow")

status, doc = preview(chen, {"yaml": YAML.replace("having:", "havng:")})
t.eq((status, code_of(doc)), (422, "MODEL_INVALID"), "a typo is 422 MODEL_INVALID")
t.ok("20:7" in doc.get("message", "") and "having" in doc.get("message", ""),
     "the message names line:column and the right key", doc.get("message"))
t.ok(doc.get("diagnostics") and doc["diagnostics"][0].get("line") == 20,
     "the diagnostics carry the line", doc.get("diagnostics"))

status, doc = preview(chen, {"yaml": YAML.replace("dataset: payments", "dataset: nothing")})
t.eq((status, code_of(doc)), (422, "MODEL_FAILED"), "an unknown dataset is 422 MODEL_FAILED")
t.ok("nothing" in doc.get("message", ""), "the message names the dataset", doc.get("message"))

SLOW = YAML.replace("""  - id: many
    count:
      from: pay
      by: [person]
      having: count >= $min_times
""", """  - id: many
    sql:
      query: |
        WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
        SELECT person, count(*) AS count, _ev FROM pay, r GROUP BY person
""")
t0 = time.monotonic()
status, doc = preview(chen, {"yaml": SLOW, "time_limit_ms": 500})
took = time.monotonic() - t0
t.eq((status, code_of(doc)), (422, "PREVIEW_TIMEOUT"), "an endless query is stopped",)
t.ok(took < 5, f"within the time limit ({took:.2f} s)")
t.ok("秒" in doc.get("message", ""), "the message says it took too long", doc.get("message"))
t.eq(preview(chen, {"yaml": YAML})[0], 200, "the connection serves the next preview")

t.eq(preview(chen, {"yaml": YAML, "time_limit_ms": 60000})[0], 400, "a longer limit is refused")
t.eq(preview(chen, {"yaml": YAML, "extra": 1})[0], 400, "an unknown member is refused")
t.eq(preview(chen, {"params": {}})[0], 400, "no model is refused")
t.eq(preview(chen, {"yaml": YAML}, csrf=False)[0], 403, "no CSRF token: 403")
for name in ("wang", "zhao"):
    other = Client(srv)
    other.login(name)
    t.eq(preview(other, {"yaml": YAML})[0], 403, f"{name} may not preview")

srv.stop()
t.done()
