#!/bin/sh
# leads.sh - tests of model runs and leads through the real binary, speaking TAP. $1 is the
# path of the shujian binary. Two small CSVs are imported, a small 有A无B (absent) model is
# added with `model add` and run twice: the second run must find the same leads (same ids,
# no duplicates). Then a lead is verified to 成案 with 立案监督, `stats` must count it, and
# `leads export` must write a workbook in which ID numbers are masked unless --reveal.
# JSON and the workbook's XML are read with python3 (zipfile; unzip may not be installed).
# ID numbers are synthetic with computed check digits.
. "$(dirname "$0")/lib.sh"
ws="$tmp/ws"

# lead_id SUBJECT: "L" + first 16 hex of sha256("test-absent\n" + SUBJECT), computed here.
lead_id() {
    python3 -c '
import hashlib, sys
print("L" + hashlib.sha256(("test-absent\n" + sys.argv[1]).encode()).hexdigest()[:16])' "$1"
}
# xlsx_text FILE: the shared strings and sheet XML of a workbook, one blob.
xlsx_text() {
    python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = [x for x in z.namelist() if x == "xl/sharedStrings.xml" or x.startswith("xl/worksheets/")]
print("".join(z.read(x).decode("utf-8") for x in names))' "$1" 2>&1
}

zhang=110101199003070011
li=441802198511120027
zhao=44180219900101005X

# --- data and model -----------------------------------------------------------------------
cat >"$tmp/enforcement.csv" <<EOF
当事人,身份证号,案由,涉案金额,处罚日期
张三,$zhang,逃税,15万元,2024-03-01
张三,$zhang,虚开发票,12万元,2024-05-06
李四,$li,逃税,20万元,2024-04-02
王五,441802197001010034,逃税,5万元,2024-06-01
赵六,$zhao,骗取出口退税,300000.50,2024-07-08
EOF
cat >"$tmp/cases.csv" <<EOF
姓名,身份证号码,案号
李四,$li,（2024）粤1802刑初100号
EOF
cat >"$tmp/test-absent.yaml" <<'EOF'
id: test-absent
name: 测试涉税未移送模型
function: criminal
version: 1.0.0
summary: 达到标准的涉税行政处罚案件，在案件系统中查无对应案件的，列为线索。
inputs:
  enforcement:
    label: 执法案件
    dataset: enforcement
    columns:
      party:    {kind: name,   headers: [当事人]}
      party_id: {kind: idcard, headers: [身份证号]}
      cause:    {kind: text,   headers: [案由]}
      amount:   {kind: amount, headers: [涉案金额]}
  cases:
    label: 案件系统
    dataset: cases
    columns:
      suspect_id: {kind: idcard, headers: [身份证号码]}
parameters:
  threshold: {type: amount, default: "10万元", label: 金额标准}
steps:
  - id: big
    filter:
      from: enforcement
      where: amount >= $threshold
  - id: untransferred
    absent:
      from: big
      in: cases
      on: [party_id = suspect_id]
lead:
  from: untransferred
  subject: party_id
  title: "{party}涉税案件（{cause}，涉案{amount}）未见移送"
  evidence: [party, party_id, cause, amount]
EOF

run import "$tmp/enforcement.csv" "$tmp/cases.csv" --workspace "$ws"
check "import two CSVs: exit 0" "$rc" 0
run model add "$tmp/test-absent.yaml" --workspace "$ws"
check "model add: exit 0" "$rc" 0

# --- first run ------------------------------------------------------------------------------
run model run test-absent --json --workspace "$ws"
check "first run: exit 0" "$rc" 0
check "first run: model" "$(field model)" '"test-absent"'
check "first run: run id" "$(field run)" 1
check "first run: two leads (王五 below the threshold, 李四 has a case)" \
    "$(field leads | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
ids1=$(field leads | python3 -c 'import json,sys; print(" ".join(sorted(l["id"] for l in json.load(sys.stdin))))')
want=$(printf '%s\n%s\n' "$(lead_id $zhang)" "$(lead_id $zhao)" | sort | tr '\n' ' ' | sed 's/ $//')
check "first run: ids are L + sha256(model, subject)" "$ids1" "$want"
check "first run: exactly the keys model, run, leads" \
    "$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1])).keys()))' "$tmp/out")" \
    "model,run,leads"
check "first run: both new" "$(field leads.0.new),$(field leads.1.new)" "true,true"
contains "first run: subject masked" "$out" "110101********0011"
lacks "first run: no full ID number" "$out" "$zhang"
lacks "first run: no full ID number ending in X" "$out" "$zhao"
contains "first run: amount in yuan in the title" "$out" "150000.00元"
run model run test-absent --workspace "$ws"
check "second run (text): exit 0" "$rc" 0
contains "second run: counts leads and new" "$out" "线索 2 条，其中新线索 0 条"
run model run test-absent --json --workspace "$ws"
check "third run: exit 0" "$rc" 0
ids3=$(field leads | python3 -c 'import json,sys; print(" ".join(sorted(l["id"] for l in json.load(sys.stdin))))')
check "third run: same ids" "$ids3" "$ids1"
check "third run: none new" "$(field leads.0.new),$(field leads.1.new)" "false,false"

run leads --json --limit 0 --workspace "$ws"
check "leads: exit 0" "$rc" 0
check "leads: no duplicates after three runs" "$(field total)" 2
run leads --status 成案 --json --workspace "$ws"
check "leads --status 成案: none yet" "$(field total)" 0

# --- one lead ---------------------------------------------------------------------------------
zid=$(lead_id $zhang)
run lead "$zid" --json --workspace "$ws"
check "lead: exit 0" "$rc" 0
check "lead: seen three times" "$(field seen_count)" 3
check "lead: two evidence rows (two tax cases)" \
    "$(field evidence | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
check "lead: evidence file" "$(field evidence.0.file)" '"enforcement.csv"'
check "lead: evidence source rows" "$(field evidence.0.source_row),$(field evidence.1.source_row)" "2,3"
check "lead: evidence dataset" "$(field evidence.0.dataset)" '"enforcement"'
check "lead: evidence amount in yuan" "$(field evidence.1.values.amount)" '"120000.00元"'
check "lead: evidence ID masked" "$(field evidence.0.values.party_id)" '"110101********0011"'
check "lead: history found, seen-again x2" \
    "$(field history | python3 -c 'import json,sys; print(",".join(h["action"] for h in json.load(sys.stdin)))')" \
    "found,seen-again,seen-again"
run lead "$zid" --json --reveal --workspace "$ws"
check "lead --reveal: full subject" "$(field subject)" "\"$zhang\""
run lead "$zid" --workspace "$ws"
contains "lead (text): source file and sheet-less source" "$out" "enforcement.csv"
lacks "lead (text): masked" "$out" "$zhang"
run lead Lffffffffffffffff --workspace "$ws"
check "lead: unknown id exits 1" "$rc" 1

# --- status changes ---------------------------------------------------------------------------
run lead set "$zid" --status 成案 --outcome 立案监督 --workspace "$ws"
check "lead set without --note: usage error" "$rc" 2
run lead set "$zid" --status 成案 --note "已核实" --workspace "$ws"
check "lead set 成案 without outcome: refused" "$rc" 1
contains "lead set 成案 without outcome: says why" "$err" "处理结果"
run lead set "$zid" --status 成案 --outcome 立案监督 --note "公安机关已立案侦查" --actor 王检察官 \
    --workspace "$ws"
check "lead set 成案 立案监督: exit 0" "$rc" 0
run lead set "$zid" --status 不成案 --note "改判" --workspace "$ws"
check "lead set 成案 -> 不成案 directly: refused" "$rc" 1
run lead "$zid" --json --workspace "$ws"
check "lead: status case" "$(field status)" '"case"'
check "lead: outcome filing" "$(field outcome)" '"filing"'
check "lead: history records the change" "$(field history.3.to),$(field history.3.actor),$(field history.3.note)" \
    '"case","王检察官","公安机关已立案侦查"'

# --- stats -----------------------------------------------------------------------------------
run stats --json --workspace "$ws"
check "stats: exit 0" "$rc" 0
check "stats: model" "$(field models.0.model)" '"test-absent"'
check "stats: leads" "$(field models.0.leads)" 2
check "stats: one case" "$(field models.0.cases)" 1
check "stats: verified" "$(field models.0.verified)" 1
check "stats: by outcome" "$(field models.0.outcomes.filing)" 1
check "stats: conversion rate" "$(field models.0.conversion_rate)" 0.5
check "stats: runs" "$(field models.0.runs)" 3
check "stats: criminal function" "$(field functions.0.function),$(field functions.0.cases)" '"criminal",1'
check "stats: civil without leads" "$(field functions.1.leads),$(field functions.1.conversion_rate)" "0,null"
check "stats: total cases" "$(field total.cases)" 1
run stats --workspace "$ws"
contains "stats (text): conversion as percent" "$out" "50.0%"

# --- export -----------------------------------------------------------------------------------
run leads export "$tmp/leads.xlsx" --workspace "$ws"
check "export: exit 0" "$rc" 0
if [ -s "$tmp/leads.xlsx" ]; then ok "export: workbook written"; else not_ok "export: workbook written"; fi
xml=$(xlsx_text "$tmp/leads.xlsx")
contains "export: Chinese headers" "$xml" "线索编号"
contains "export: source file of the evidence" "$xml" "enforcement.csv"
contains "export: masked ID number" "$xml" "110101********0011"
lacks "export: no unmasked 18-digit ID" "$xml" "$zhang"
lacks "export: no unmasked ID ending in X" "$xml" "$zhao"
run leads export "$tmp/revealed.xlsx" --reveal --workspace "$ws"
check "export --reveal: exit 0" "$rc" 0
xml=$(xlsx_text "$tmp/revealed.xlsx")
contains "export --reveal: full ID number" "$xml" "$zhang"
run leads export "$tmp/cases.xlsx" --status case --workspace "$ws"
xml=$(xlsx_text "$tmp/cases.xlsx")
lacks "export --status case: only the case" "$xml" "赵六"
run leads export "$tmp/no-such-dir/x.xlsx" --workspace "$ws"
check "export into a missing directory fails" "$rc" 3

# --- a run that fails leaves nothing ---------------------------------------------------------
run model run test-absent --input cases=no_such_dataset --workspace "$ws"
if [ "$rc" -ne 0 ]; then ok "run with a missing dataset fails"; else not_ok "run with a missing dataset fails"; fi
run stats --json --workspace "$ws"
check "failed run is not recorded" "$(field models.0.runs)" 3

plan
