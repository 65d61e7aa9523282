#!/bin/sh
# toolbox.sh - the built-in model toolbox (models/*.yaml) against the demo world, through the
# real binary, speaking TAP. $1 is the path of the shujian binary.
#
# For each world (seed 1 at scale 1, seed 7 at scale 2) the test writes the demo data with
# `shujian demo-data`, imports every file with a plain `shujian import` (no options: kinds,
# encodings and header rows are all detected), runs every toolbox model with
# `shujian model run --json` and requires each model's lead subjects to EQUAL the model's
# list in answers.json: every planted lead and no other (docs/DEMO-DATA.md). On the first
# world it also checks that re-running adds no lead, that every lead's evidence leads back
# to a source file and row, that a lead set to 成案 is counted by `stats`, that the script of
# `model explain --sqlite3` finds the same leads in the sqlite3 shell, and that a model file
# with a typo is refused with its line. JSON is read with python3.
set -u
BIN=${1:?usage: toolbox.sh path/to/shujian}
ROOT=${SJ_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SHUJIAN_MODELS="$ROOT/models"
export SHUJIAN_TODAY="${SHUJIAN_TODAY:-2026-11-27}"
unset SHUJIAN_WORKSPACE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; shift
    for line in "$@"; do echo "#   $line"; done
}
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
run() {
    "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
# py SCRIPT ARGS...: a helper of the python below.
py() { python3 "$tmp/helper.py" "$@"; }

cat >"$tmp/helper.py" <<'EOF'
import json, sys, unicodedata

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def runs(path):
    """The objects `model run --json` prints, one per line, by model id."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                out[o["model"]] = o
    return out

cmd = sys.argv[1]
if cmd == "models":            # the model ids of answers.json, in its order
    print("\n".join(load(sys.argv[2]).keys()))
elif cmd == "toolbox":         # the ids `model list --json` shows, sorted
    o = load(sys.argv[2])
    items = o["models"] if isinstance(o, dict) else o
    print(" ".join(sorted(m["id"] for m in items)))
elif cmd == "compare":         # answers.json MODEL run.json: "" when equal, else the difference
    want = set(load(sys.argv[2])[sys.argv[3]])
    leads = runs(sys.argv[4]).get(sys.argv[3], {"leads": []})["leads"]
    got = [l["subject"] for l in leads]
    diff = []
    if len(got) != len(set(got)):
        diff.append("duplicate subjects: %s" % sorted(s for s in set(got) if got.count(s) > 1))
    if sorted(want - set(got)):
        diff.append("missing: %s" % sorted(want - set(got)))
    if sorted(set(got) - want):
        diff.append("extra: %s" % sorted(set(got) - want))
    print("; ".join(diff))
elif cmd == "rows":            # answers.json MODEL rows.tsv: "" when its first column (the
    want = set(load(sys.argv[2])[sys.argv[3]])  # subject) holds exactly the planted leads
    with open(sys.argv[4], encoding="utf-8") as f:
        got = set(line.split("\t")[0] for line in f if line.strip())
    print("" if got == want else "missing: %s; extra: %s" % (sorted(want - got), sorted(got - want)))
elif cmd == "ids":             # run.json: every "model id" pair, sorted
    ids = [m + " " + l["id"] for m, o in runs(sys.argv[2]).items() for l in o["leads"]]
    print("\n".join(sorted(ids)))
elif cmd == "new":             # run.json: how many leads are marked new
    print(sum(1 for o in runs(sys.argv[2]).values() for l in o["leads"] if l["new"]))
elif cmd == "total":           # leads.json: total
    print(load(sys.argv[2])["total"])
elif cmd == "stat":            # stats.json SECTION KEY KEYNAME FIELD: one figure of one row
    o = load(sys.argv[2])
    rows = o[sys.argv[3]]
    row = rows if isinstance(rows, dict) else next(r for r in rows if r[sys.argv[5]] == sys.argv[4])
    v = row
    for key in sys.argv[6].split("."):
        v = v[key]
    print(v)
elif cmd == "evidence":        # lead.json DATADIR: problems with the lead's provenance
    lead = load(sys.argv[2])
    problems = []
    ev = lead.get("evidence", [])
    if not ev:
        problems.append("no evidence")
    for e in ev:
        where = "%s row %s" % (e.get("dataset"), e.get("row"))
        if not e.get("has_source") or not e.get("file") or not e.get("source_row", 0) > 0:
            problems.append(where + ": no source file and row")
            continue
        # A CSV source: the line at source_row must hold the evidence's own record. Rows of
        # the enforcement export are checked by their 行政案件编号 (case_no), which no other
        # row carries.
        if e["file"] == "enforcement_cases.csv" and "case_no" in e["values"]:
            with open(sys.argv[3] + "/" + e["file"], encoding="gb18030", newline="") as f:
                lines = f.read().split("\r\n")
            line = lines[e["source_row"] - 1] if e["source_row"] <= len(lines) else ""
            key = unicodedata.normalize("NFKC", e["values"]["case_no"]).strip()
            if key not in unicodedata.normalize("NFKC", line):
                problems.append("%s: line %d of %s lacks %s" % (where, e["source_row"],
                                                                 e["file"], key))
    print("; ".join(problems))
EOF

# world NAME SEED SCALE: writes the demo data of a world and imports every file of it.
world() {
    name=$1 dir="$tmp/$1"
    mkdir -p "$dir"
    run demo-data "$dir/data" --seed "$2" --scale "$3"
    check "$1: demo-data (seed $2, scale $3) exits 0" "$rc" 0
    set --
    for f in "$dir"/data/*; do
        case "$f" in */answers.json | */README.txt) ;; *) set -- "$@" "$f" ;; esac
    done
    SHUJIAN_WORKSPACE="$dir/ws" run import "$@"
    check "$name: plain import of all $# files exits 0" "$rc" 0
    [ "$rc" = 0 ] || printf '%s\n' "$err" | head -5 | sed 's/^/#   /'
}

# run_all NAME OUT: runs every model of the world's answers.json into OUT (one JSON a line).
run_all() {
    dir="$tmp/$1"
    : >"$2"
    status=0
    for model in $(py models "$dir/data/answers.json"); do
        SHUJIAN_WORKSPACE="$dir/ws" "$BIN" model run "$model" --json --reveal >>"$2" \
            2>"$tmp/err" || { status=$?; echo "#   $model: $(head -c 400 "$tmp/err")"; }
    done
    return $status
}

# compare_all NAME RUNS: one test per model, its subjects against answers.json.
compare_all() {
    dir="$tmp/$1"
    for model in $(py models "$dir/data/answers.json"); do
        diff=$(py compare "$dir/data/answers.json" "$model" "$2")
        if [ -z "$diff" ]; then
            ok "$1: $model finds exactly the planted leads"
        else
            not_ok "$1: $model finds exactly the planted leads" "$diff"
        fi
    done
}

# --- seed 1, scale 1 --------------------------------------------------------------------------
world s1 1 1
ws="$tmp/s1/ws"
answers="$tmp/s1/data/answers.json"

run model list --json --workspace "$ws"
check "the toolbox holds exactly the models of answers.json" "$(py toolbox "$tmp/out")" \
    "$(py models "$answers" | sort | tr '\n' ' ' | sed 's/ $//')"

run_all s1 "$tmp/run1.json"
check "s1: every model runs" "$?" 0
compare_all s1 "$tmp/run1.json"
check "s1: first run: every lead is new" "$(py new "$tmp/run1.json")" \
    "$(py ids "$tmp/run1.json" | wc -l | tr -d ' ')"

# --- the compiled query, run by hand in the sqlite3 shell --------------------------------------
# `model explain --sqlite3` prints the values and the query: the sqlite3 shell, given the
# workspace read-only, finds the same leads (subjects in the first column).
for model in $(py models "$answers"); do
    "$BIN" model explain "$model" --sqlite3 --workspace "$ws" >"$tmp/q.sql" 2>"$tmp/err" &&
        sqlite3 -readonly -batch -tabs "$ws/workspace.db" <"$tmp/q.sql" >"$tmp/q.tsv" 2>>"$tmp/err"
    diff=$(py rows "$answers" "$model" "$tmp/q.tsv")
    if [ -z "$diff" ] && [ ! -s "$tmp/err" ]; then
        ok "explain --sqlite3: the shell finds $model's planted leads"
    else
        not_ok "explain --sqlite3: the shell finds $model's planted leads" "$diff" \
            "$(head -c 300 "$tmp/err")"
    fi
done

# A list value with a quote, double quotes, a backslash and digits reaches the shell as text.
"$BIN" model explain tax-not-transferred --sqlite3 --workspace "$ws" \
    --param 'causes=逃税,它'"'"'s "引号" \ 2023' >"$tmp/q.sql"
{ grep '^\.parameter' "$tmp/q.sql"; echo 'SELECT typeof(:p_causes), :p_causes;'; } |
    sqlite3 -batch >"$tmp/q.out" 2>&1
check "explain --sqlite3: a list value with quotes and a backslash arrives intact" \
    "$(cat "$tmp/q.out")" 'text|["逃税","它'"'"'s \"引号\" \\ 2023"]'

# --- re-running adds nothing ------------------------------------------------------------------
run leads --json --limit 100000 --workspace "$ws"
total1=$(py total "$tmp/out")
run_all s1 "$tmp/run2.json"
check "re-run: same lead ids" "$(py ids "$tmp/run2.json")" "$(py ids "$tmp/run1.json")"
check "re-run: no lead is new" "$(py new "$tmp/run2.json")" 0
run leads --json --limit 100000 --workspace "$ws"
check "re-run: the number of leads is unchanged" "$(py total "$tmp/out")" "$total1"

# --- evidence leads back to the source --------------------------------------------------------
bad=""
for id in $(py ids "$tmp/run1.json" | cut -d' ' -f2); do
    run lead "$id" --json --reveal --workspace "$ws"
    if [ "$rc" != 0 ]; then
        bad="$bad $id: exit $rc;"
        continue
    fi
    problems=$(py evidence "$tmp/out" "$tmp/s1/data")
    [ -z "$problems" ] || bad="$bad $id: $problems;"
done
if [ -z "$bad" ]; then
    ok "every lead's evidence names its source file and row (CSV rows checked by content)"
else
    not_ok "every lead's evidence names its source file and row" "$bad"
fi

# --- 成案 is counted --------------------------------------------------------------------------
case_id=$(py ids "$tmp/run1.json" | grep '^tax-not-transferred ' | head -1 | cut -d' ' -f2)
run lead set "$case_id" --status 成案 --outcome 立案监督 --note "公安机关已立案侦查" \
    --actor 测试 --workspace "$ws"
check "lead set 成案 with 立案监督 exits 0" "$rc" 0
run stats --json --workspace "$ws"
cp "$tmp/out" "$tmp/stats.json"
check "stats: the model counts the case" \
    "$(py stat "$tmp/stats.json" models tax-not-transferred model cases)" 1
check "stats: criminal function counts the case as 立案监督" \
    "$(py stat "$tmp/stats.json" functions criminal function outcomes.filing)" 1
check "stats: total cases" "$(py stat "$tmp/stats.json" total - - cases)" 1
check "stats: total leads" "$(py stat "$tmp/stats.json" total - - leads)" "$total1"

# --- a typo in a model file is shown at its line -----------------------------------------------
typo="$tmp/tax-typo.yaml"
sed 's/^    filter:$/    fliter:/' "$ROOT/models/tax-not-transferred.yaml" >"$typo"
line=$(grep -n '^    fliter:$' "$typo" | head -1 | cut -d: -f1)
run model check "$typo"
check "model check, typo: exit 1" "$rc" 1
case "$out$err" in
*"$typo:$line:"*fliter*) ok "model check, typo: error at $typo:$line naming fliter" ;;
*) not_ok "model check, typo: error at line $line" "got: $(printf '%s' "$out$err" | head -c 300)" ;;
esac
typo2="$tmp/land-typo.yaml"
sed 's/kind: credit-code,/kind: credit-cod,/' "$ROOT/models/protected-land-still-occupied.yaml" \
    >"$typo2"
line=$(grep -n 'credit-cod,' "$typo2" | head -1 | cut -d: -f1)
run model check "$typo2"
case "$rc:$out$err" in
1:*"$typo2:$line:"*) ok "model check, unknown kind: exit 1 with the error at line $line" ;;
*) not_ok "model check, unknown kind: error at line $line" "exit $rc: $(printf '%s' "$out$err" | head -c 300)" ;;
esac

# --- another seed at scale 2: the rules, not one seed's numbers -----------------------------
world s7 7 2
run_all s7 "$tmp/run7.json"
check "s7: every model runs" "$?" 0
compare_all s7 "$tmp/run7.json"

echo "1..$n"
