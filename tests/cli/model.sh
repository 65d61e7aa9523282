#!/bin/sh
# model.sh - tests of `shujian model` (list, show, check, add) through the real binary,
# speaking TAP. $1 is the path of the shujian binary. Model files come from
# tests/data/models/; the built-in toolbox is pointed at an empty directory so that only
# what the tests add is listed. JSON is read with python3 (meson needs it).
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/models" && pwd)
mkdir "$tmp/builtin"
export SHUJIAN_MODELS="$tmp/builtin"

good="$DATA/tax-example.yaml"
typo="$DATA/typo-operation.yaml"
ws="$tmp/ws"

# --- check ------------------------------------------------------------------------------------
run model check "$good"
check "check, good file: exit 0" "$rc" 0
contains "check, good file: OK" "$out" "OK"
run model check "$typo"
check "check, typo'd operation: exit 1" "$rc" 1
contains "check, typo'd operation: FILE:LINE:COL and the suggestion" "$out" \
    "$typo:33:5: 未知的操作“fliter”，是否应为“filter”？"
run model check "$good" "$typo"
check "check, good and bad files: exit 1" "$rc" 1
contains "check, good and bad files: the good one is OK" "$out" "$good: OK"
run model check --json "$typo"
check "check --json: exit 1" "$rc" 1
check "check --json: line" "$(field files.0.problems.0.line)" 33
check "check --json: column" "$(field files.0.problems.0.column)" 5
run model check "$tmp/no-such.yaml"
check "check, missing file: exit 3" "$rc" 3
contains "check, missing file: says so" "$err" "no-such.yaml"
run model check
check "check without a file: usage error" "$rc" 2

# --- add, list, show --------------------------------------------------------------------------
run model list --workspace "$ws"
check "list, empty toolbox: exit 0" "$rc" 0
contains "list, empty toolbox: says so" "$out" "No models"
run model add "$typo" --workspace "$ws"
check "add, invalid file: exit 1" "$rc" 1
contains "add, invalid file: the problem" "$out" "33:5"
if [ -e "$ws/models/tax-not-transferred.yaml" ]; then not_ok "add, invalid file: nothing written"
else ok "add, invalid file: nothing written"; fi
run model add "$good" --workspace "$ws"
check "add: exit 0" "$rc" 0
contains "add: names the model" "$out" "tax-not-transferred"
if cmp -s "$good" "$ws/models/tax-not-transferred.yaml"; then ok "add: copied byte for byte"
else not_ok "add: copied byte for byte"; fi
run model add "$good" --workspace "$ws"
contains "add again: replaced" "$out" "Replaced"
run model list --workspace "$ws"
check "list: exit 0" "$rc" 0
contains "list: grouped under 刑事检察" "$out" "刑事检察"
contains "list: shows the added model" "$out" "tax-not-transferred"
contains "list: shows its name" "$out" "涉税案件未移送监督模型"
cp "$typo" "$ws/models/broken.yaml"
run model list --workspace "$ws" --json
check "list --json: exit 0" "$rc" 0
check "list --json: the model" "$(field models.0.id)" '"tax-not-transferred"'
check "list --json: its function" "$(field models.0.function)" '"criminal"'
check "list --json: workspace model" "$(field models.0.builtin)" false
contains "list --json: the broken file is a problem" "$(field problems.0.message)" "broken.yaml:33:5:"
run model list --workspace "$ws"
contains "list: problems at the end" "$out" "broken.yaml:33:5: 未知的操作“fliter”"
run model show tax-not-transferred --workspace "$ws"
check "show: exit 0" "$rc" 0
contains "show: the input and its headers" "$out" "身份证号码、身份证号"
contains "show: the parameter default" "$out" "10万元"
contains "show: the absent step in words" "$out" "有A无B"
contains "show: the lead title" "$out" "{party}涉税案件"
run model show tax-not-transferred --workspace "$ws" --json
check "show --json: step ops" "$(field steps.1.op)" '"absent"'
check "show --json: key pair" "$(field steps.1.on.0)" '{"left":"party_id","right":"suspect_id"}'
check "show --json: list default" "$(field parameters.1.default.0)" '"逃税"'
fake="$(cd "$(dirname "$0")/../../models" && pwd)/fake-litigation-insurance.yaml"
run model show "$fake"
contains "show: an exists step in words" "$out" "有A有B：“suits”中在“pairs”里找得到"
contains "show: a count distinct step in words" "$out" "数 case_no 有几个不同的值"
run model show "$fake" --json
check "show --json: an exists step is named exists" "$(field steps.2.op)" '"exists"'
run model show "$good"
check "show FILE: exit 0" "$rc" 0
run model show no-such-model --workspace "$ws"
check "show, unknown id: exit 1" "$rc" 1
contains "show, unknown id: says so" "$err" "no-such-model"

# --- the built-in toolbox and the workspace ----------------------------------------------------
sed 's/^version: 1.0.0/version: 0.9.0/' "$good" >"$tmp/builtin/tax.yaml"
rm "$ws/models/broken.yaml"
run model list --workspace "$ws" --json
check "workspace model replaces the built-in one" "$(field models.0.version)" '"1.0.0"'
run model list --workspace "$tmp/other" --json
check "another workspace sees the built-in one" "$(field models.0.version)" '"0.9.0"'
check "built-in flag" "$(field models.0.builtin)" true
run model frobnicate
check "unknown subcommand: usage error" "$rc" 2
run model
check "no subcommand: usage error" "$rc" 2
run model --help
check "help: exit 0" "$rc" 0
lacks "help: no error" "$err" "usage error"

# --- the memory cap of a run ------------------------------------------------------------------
# big-distinct's temporary index (~30 MB) outgrows a 16 MB cap: the run is rolled back and
# run again with temporary files, and finds its lead all the same.
mem="$tmp/mem"
printf '姓名\n张三\n' >"$tmp/people.csv"
run import "$tmp/people.csv" --dataset people --workspace "$mem"
check "memory cap: import exits 0" "$rc" 0
cp "$DATA/big-distinct.yaml" "$tmp/builtin/"
SHUJIAN_LOG=info SHUJIAN_SCAN_MEMORY_MB=16 run model run big-distinct --json --workspace "$mem"
check "memory cap: the run exits 0" "$rc" 0
contains "memory cap: it says it ran again with temporary files" "$err" \
    "running it again with temporary files"
contains "memory cap: the lead is found" "$(field leads.0.subject)" "00299999"
check "memory cap: one run is recorded, the rolled-back one is not" "$(field run)" 1
run model run big-distinct --json --workspace "$mem"
check "no cap given: a quarter of the memory is enough" "$rc" 0
lacks "no cap given: no second attempt" "$err" "again with temporary files"
check "no cap given: the same lead, seen again" "$(field leads.0.new)" false
SHUJIAN_SCAN_MEMORY_MB=lots run model run big-distinct --json --workspace "$mem"
check "a cap that is not a number: the run still exits 0" "$rc" 0
contains "a cap that is not a number: a warning names it" "$err" "SHUJIAN_SCAN_MEMORY_MB=lots"

plan
