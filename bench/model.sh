#!/bin/sh
# model.sh - the model benchmark: for each scale, writes the demo world into a temporary
# directory (`shujian demo-data --scale N`), imports it, and for each toolbox model measures
# the wall time and peak memory (maximum resident set) of `shujian model run ID`, of the
# same rule written by hand as one SQL query (bench/model-sql/ID.sql) run by the sqlite3
# shell on the same workspace, and of the query the model compiles to run by the same shell
# (`shujian model explain ID --sqlite3`), then prints a table with the ratios: model run ÷
# hand-written ("ratio", by wall time; "cpu r" by CPU time) and compiled query ÷
# hand-written ("q r"). All three must find the leads of answers.json; the table says
# whether they did. The first run of a model on a fresh import also builds the indexes of
# the key columns its joins and lookups use (src/store/plan.c); it is measured on its own
# ("1st s"). The ratios compare later runs on the same workspace: same indexes, same page
# cache.
#
# Usage: bench/model.sh [BUILD_DIR] [SCALE...]   (default: build/release, scales 1 and 100;
#        add 1000 for the 4.5-million-row world, which takes minutes to write and import)
# Environment: BENCH_TIMEOUT (seconds per command, default 900), BENCH_KEEP=1 keeps the
# temporary directories (their path is printed), BENCH_PLAN=1 prints EXPLAIN QUERY PLAN of
# the hand-written query of each model, BENCH_FROM=DIR measures a world written and imported before
# (DIR/data from demo-data, DIR/ws from import, no model run on it yet; one scale) instead of
# writing one, on a copy of its workspace. BENCH_MODELS="a b" measures only those models.
# BENCH_REPEAT=N runs the model and the two queries N times each, in turns, and reports the
# median time of each. Needs python3 and the sqlite3 shell; uses GNU time
# (/usr/bin/time, Debian package `time`) when present, else a python3 resource wrapper.
# Targets (docs/PERFORMANCE.md, "model"): ratio <= 1.1, and < 10 s per model at scale 1000.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build/release}
[ $# -gt 0 ] && shift
scales=${*:-1 100}
bin="$build/src/cli/shujian"
timeout=${BENCH_TIMEOUT:-900}
[ -x "$bin" ] || { echo "model.sh: no $bin; build first (make release)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "model.sh: needs the sqlite3 shell" >&2; exit 1; }
command -v python3 >/dev/null || { echo "model.sh: needs python3" >&2; exit 1; }
export SHUJIAN_MODELS="${SHUJIAN_MODELS:-$here/../models}"
unset SHUJIAN_WORKSPACE

helper=$(mktemp)
trap 'rm -f "$helper"' EXIT
cat >"$helper" <<'EOF'
import json, os, re, resource, sqlite3, subprocess, sys, time

cmd = sys.argv[1]
if cmd == "measure":            # OUT CMD...: runs CMD, writes "seconds maxrss_kb exit cpu" to OUT
    t = time.monotonic()
    try:
        rc = subprocess.run(sys.argv[3:]).returncode
    except KeyboardInterrupt:
        rc = 130
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    open(sys.argv[2], "w").write("%.3f %d %d %.2f\n" % (time.monotonic() - t, ru.ru_maxrss, rc,
                                                      ru.ru_utime + ru.ru_stime))
elif cmd == "fill":             # DB SQL_IN SQL_OUT: placeholders from the catalog
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
    ids = {name: (i, table) for i, name, table in db.execute("SELECT id, name, table_name FROM datasets")}
    cols = {}
    for ds, pos, name, sql in db.execute(
            "SELECT d.name, c.position, c.name, c.sql_name FROM dataset_columns c "
            "JOIN datasets d ON d.id = c.dataset_id"):
        cols[(ds, name)] = sql
    def sub(m):
        ds, header, is_id = m.group(1), m.group(2), m.group(3)
        if ds not in ids:
            sys.exit("fill: the workspace has no dataset %s" % ds)
        if is_id:
            return str(ids[ds][0])
        if header is None:
            return ids[ds][1]
        if (ds, header) not in cols:
            sys.exit("fill: dataset %s has no column %s" % (ds, header))
        return cols[(ds, header)]
    text = open(sys.argv[3], encoding="utf-8").read()
    text = re.sub(r"\{([a-z0-9_]+)(?::([^}]+)|(#))?\}", sub, text)
    open(sys.argv[4], "w", encoding="utf-8").write(text)
elif cmd == "median":           # OUT IN...: median seconds, largest memory, worst exit
    runs = [open(f).read().split() for f in sys.argv[3:]]
    secs = sorted(float(r[0]) for r in runs)
    cpu = sorted(float(r[3]) for r in runs)
    open(sys.argv[2], "w").write("%.3f %d %d %.2f\n" % (secs[len(secs) // 2], max(int(r[1]) for r in runs),
                                                       max(int(r[2]) for r in runs), cpu[len(cpu) // 2]))
elif cmd == "models":           # answers.json: model ids in order
    print("\n".join(json.load(open(sys.argv[2], encoding="utf-8"))))
elif cmd == "check":            # answers.json MODEL run.json TSV...: "model/query/sql" verdicts
    want = sorted(set(json.load(open(sys.argv[2], encoding="utf-8"))[sys.argv[3]]))
    got = []
    try:
        for line in open(sys.argv[4], encoding="utf-8"):
            if line.strip():
                got = sorted(set(l["subject"] for l in json.loads(line)["leads"]))
    except (OSError, ValueError, KeyError):
        got = None
    found = [got]
    for tsv in sys.argv[5:]:
        try:
            found.append(sorted(set(l.split("\t")[0] for l in open(tsv, encoding="utf-8")
                                    if l.strip())))
        except OSError:
            found.append(None)
    word = lambda x: "-" if x is None else ("ok" if x == want else "DIFF(%d)" % len(x))
    print("%d %s" % (len(want), "/".join(word(x) for x in found)))
EOF

# measure OUT CMD...: wall seconds, peak resident KB, exit status and CPU seconds (user +
# system) of CMD into OUT ("s kb rc cpu"); GNU time gives memory and CPU, the clock around it
# the wall time (to the millisecond). CPU time hardly moves with the machine's load.
measure() {
    out=$1
    shift
    if [ -x /usr/bin/time ]; then
        rc=0
        t0=$(date +%s%N)
        /usr/bin/time -f '%M %U %S' -o "$out.t" timeout "$timeout" "$@" || rc=$?
        t1=$(date +%s%N)
        read -r m_kb m_user m_sys <<EOT
$(tail -1 "$out.t")
EOT
        echo "$(( (t1 - t0) / 1000000000 )).$(printf '%03d' $(( (t1 - t0) / 1000000 % 1000 ))) $m_kb $rc $(python3 -c "print('%.2f' % ($m_user + $m_sys))")" >"$out"
    else
        python3 "$helper" measure "$out" timeout "$timeout" "$@" || true
    fi
}

# measure_turns MODEL_OUT SQL_OUT QUERY_OUT: `model run $model`, the hand-written query
# ($dir/$model.sql) and the compiled query in the sqlite3 shell ($dir/$model.q.sql, from
# `model explain --sqlite3`) on $ws, BENCH_REPEAT times each (default 1; odd numbers make
# sense), taken in turns so that a change in the shared machine's load falls on all three;
# each OUT gets the median time.
measure_turns() {
    mt_i=0
    mt_model=
    mt_sql=
    mt_query=
    while [ "$mt_i" -lt "${BENCH_REPEAT:-1}" ]; do
        mt_i=$((mt_i + 1))
        measure "$1.$mt_i" "$bin" model run "$model" --json --reveal --workspace "$ws" \
            >"$dir/$model.json" 2>"$dir/$model.err"
        measure "$2.$mt_i" sqlite3 -readonly -batch -tabs "$ws/workspace.db" \
            ".read $dir/$model.sql" >"$dir/$model.tsv" 2>"$dir/$model.sqlerr"
        measure "$3.$mt_i" sqlite3 -readonly -batch -tabs "$ws/workspace.db" \
            ".read $dir/$model.q.sql" >"$dir/$model.q.tsv" 2>"$dir/$model.qerr"
        mt_model="$mt_model $1.$mt_i"
        mt_sql="$mt_sql $2.$mt_i"
        mt_query="$mt_query $3.$mt_i"
    done
    python3 "$helper" median "$1" $mt_model
    python3 "$helper" median "$2" $mt_sql
    python3 "$helper" median "$3" $mt_query
}

# div A B: A / B to two decimals, "-" when B is 0 (a time under the clock's resolution).
div() {
    python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b > 0 else '-')" "$1" "$2"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(sqlite3 --version | cut -d' ' -f1) (sqlite3 shell)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "timer:   $([ -x /usr/bin/time ] && echo 'GNU time' || echo 'python3 resource'); timeout ${timeout}s per command"
for scale in $scales; do
    dir=$(mktemp -d)
    ws="$dir/ws"
    start=$(date +%s)
    if [ -n "${BENCH_FROM:-}" ]; then
        # a world written and imported before (BENCH_FROM/data, BENCH_FROM/ws, never run):
        # copied, so that the models still build their indexes on a fresh workspace
        mkdir -p "$ws"
        cp "$BENCH_FROM/ws/workspace.db" "$ws/"
        # a WAL left by a command that did not close cleanly belongs with the database
        [ ! -f "$BENCH_FROM/ws/workspace.db-wal" ] || cp "$BENCH_FROM/ws/workspace.db-wal" "$ws/"
        ln -s "$BENCH_FROM/data" "$dir/data"
        echo "scale ?: copied from $BENCH_FROM in $(( $(date +%s) - start )) s; load $(cut -d' ' -f1 /proc/loadavg)"
    else
        "$bin" demo-data "$dir/data" --scale "$scale" --seed 1 | tail -1
        set --
        for f in "$dir"/data/*; do
            case "$f" in *.csv | *.xlsx | *.xls) set -- "$@" "$f" ;; esac
        done
        measure "$dir/import.m" "$bin" import "$@" --workspace "$ws" >"$dir/import.out"
        read -r s kb rc icpu <"$dir/import.m"
        echo "scale $scale: written in $(( $(date +%s) - start - ${s%.*} )) s, imported in $s s (peak $((kb / 1024)) MB, exit $rc); load $(cut -d' ' -f1 /proc/loadavg)"
    fi
    printf '%-30s %7s %8s %6s %4s %8s %6s %4s %7s %6s %6s %6s  %s\n' model "1st s" "model s" \
        cpu MB "sql s" cpu MB "query s" ratio "cpu r" "q r" "leads model/sql/query"
    for model in ${BENCH_MODELS:-$(python3 "$helper" models "$dir/data/answers.json")}; do
        python3 "$helper" fill "$ws/workspace.db" "$here/model-sql/$model.sql" "$dir/$model.sql"
        measure "$dir/$model.first" "$bin" model run "$model" --json --reveal --workspace "$ws" \
            >/dev/null 2>&1
        "$bin" model explain "$model" --sqlite3 --workspace "$ws" >"$dir/$model.q.sql"
        measure_turns "$dir/$model.model" "$dir/$model.sqlm" "$dir/$model.qm"
        read -r fs fkb frc fcpu <"$dir/$model.first"
        read -r ms mkb mrc mcpu <"$dir/$model.model"
        read -r ss skb src scpu <"$dir/$model.sqlm"
        read -r qs qkb qrc qcpu <"$dir/$model.qm"
        verdict=$(python3 "$helper" check "$dir/data/answers.json" "$model" "$dir/$model.json" \
            "$dir/$model.tsv" "$dir/$model.q.tsv")
        [ "$mrc" = 0 ] || verdict="$verdict model-exit-$mrc"
        [ "$src" = 0 ] || verdict="$verdict sql-exit-$src"
        [ "$qrc" = 0 ] || verdict="$verdict query-exit-$qrc"
        [ "$frc" = 0 ] || verdict="$verdict first-exit-$frc"
        ratio=$(div "$ms" "$ss")
        cratio=$(div "$mcpu" "$scpu")
        qratio=$(div "$qs" "$ss")
        printf '%-30s %7s %8s %6s %4d %8s %6s %4d %7s %6s %6s %6s  %s\n' "$model" "$fs" "$ms" \
            "$mcpu" $((mkb / 1024)) "$ss" "$scpu" $((skb / 1024)) "$qs" "$ratio" "$cratio" \
            "$qratio" "$verdict"
        if [ "${BENCH_PLAN:-0}" = 1 ]; then
            echo "-- plan of the hand-written query"
            sqlite3 -readonly "$ws/workspace.db" "EXPLAIN QUERY PLAN $(cat "$dir/$model.sql")" | sed 's/^/   /'
            echo "-- plan of the compiled query: shujian model explain $model --workspace $ws"
        fi
    done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept: $dir"; else rm -rf "$dir"; fi
done
