#!/bin/sh
# import.sh - end-to-end import benchmark (docs/PERFORMANCE.md, "import"). Generates a
# deterministic synthetic CSV (default 1,000,000 rows x 10 columns: name, ID number,
# phone, date, amount, card number, counterpart name, two text columns, a count) and XLSX
# (default 200,000 rows, written by libxlsxwriter in constant_memory mode), then measures
#   - `shujian import` of the CSV and of the XLSX, each into a fresh workspace (the CSV
#     import and the peer's take turns, so that both meet the same load);
#   - the first and the second run of bench/import-model.yaml (a lookup by ID number matched
#     with the counterpart-name column) over the imported CSV: the first also builds the
#     key-column index its join needs (src/store/plan.c), the second finds it;
#   - the peer: sqlite3's own `.import --csv` of the same CSV into a plain table of a fresh
#     database in WAL mode, and the same followed by CREATE INDEX on the five key columns
#     that shujian indexes (names, ID number, phone, card number), for reference;
# printing wall time, CPU time, rows/s and peak RSS (getrusage of the child) of each, and
# the ratio shujian / sqlite3 for the CSV. Temporary files go to a fresh directory under
# $TMPDIR (default /tmp), removed at the end.
# Usage: bench/import.sh [BUILD_DIR] [--rows N] [--xlsx-rows N] [--repeat K] [--big-rows M]
#   BUILD_DIR defaults to build/release (needs src/cli/shujian and bench/gen_import_*);
#   with --repeat K every measurement runs K times and the fastest run is reported;
#   --big-rows M also imports an M-row CSV once, to show that peak RSS does not grow with
#   the file (e.g. 3000000: 350 MB of CSV and about 1 GB of workspace on disk).
set -eu

build=build/release
rows=1000000
xlsx_rows=200000
repeat=1
big_rows=0
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) rows=$2; shift 2 ;;
    --xlsx-rows) xlsx_rows=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --big-rows) big_rows=$2; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "import.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
    esac
done

shujian=$build/src/cli/shujian
for exe in "$shujian" "$build/bench/gen_import_csv" "$build/bench/gen_import_xlsx"; do
    if [ ! -x "$exe" ]; then
        echo "import.sh: $exe is missing; build first (make release)" >&2
        exit 1
    fi
done
command -v sqlite3 >/dev/null || { echo "import.sh: sqlite3 is missing (scripts/bootstrap)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sj-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# measure LABEL ROWS CMD...: runs CMD and prints one line: wall seconds, CPU seconds
# (user + sys), rows/s and peak RSS; leaves "WALL CPU" in $work/wall. Each run is its own
# python3 process, so RUSAGE_CHILDREN covers this child alone.
measure() {
    python3 - "$work/wall" "$@" <<'EOF'
import resource, subprocess, sys, time
wall_file, label, rows, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
start = time.monotonic()
proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - start
if proc.returncode != 0:
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    sys.exit("%s: exit status %d" % (label, proc.returncode))
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%-30s %7.2f s wall %6.2f s cpu %9.0f rows/s %6.1f MB peak RSS"
      % (label, wall, ru.ru_utime + ru.ru_stime, rows / wall if wall > 0 else 0,
         ru.ru_maxrss / 1024.0), flush=True)
with open(wall_file, "w") as f:
    f.write("%.3f %.3f\n" % (wall, ru.ru_utime + ru.ru_stime))
EOF
}

# lower A B: the smaller of two numbers, either of which may be empty.
lower() {
    python3 -c "import sys; print(min(float(x) for x in sys.argv[1:] if x))" "$1" "$2"
}

# best LABEL ROWS SETUP CMD...: runs SETUP (a shell command that makes the target fresh)
# and then measures CMD, repeat times; prints every run and leaves the fastest wall time
# in $best_wall and the smallest CPU time in $best_cpu.
best() {
    label=$1 count=$2 setup=$3
    shift 3
    best_wall="" best_cpu=""
    i=0
    while [ "$i" -lt "$repeat" ]; do
        sh -c "$setup"
        measure "$label" "$count" "$@"
        best_wall=$(lower "$(cut -d' ' -f1 "$work/wall")" "$best_wall")
        best_cpu=$(lower "$(cut -d' ' -f2 "$work/wall")" "$best_cpu")
        i=$((i + 1))
    done
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
     "$(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before generating)"
echo "sqlite3: $(sqlite3 --version | cut -d' ' -f1)"

csv=$work/bench.csv
xlsx=$work/bench.xlsx
"$build/bench/gen_import_csv" "$rows" "$csv"
"$build/bench/gen_import_xlsx" "$xlsx_rows" "$xlsx"
echo "files:   $rows-row CSV ($(($(wc -c <"$csv") / 1048576)) MB)," \
     "$xlsx_rows-row XLSX ($(($(wc -c <"$xlsx") / 1048576)) MB)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before measuring)"
cat "$csv" "$xlsx" >/dev/null # both in the page cache for every contender

ws=$work/ws
db=$work/peer.db
# The CSV and the peer take turns, so that both see the same load (the machine is shared).
ours="" ours_cpu="" peer="" peer_cpu=""
round=0
while [ "$round" -lt "$repeat" ]; do
    rm -rf "$ws"
    measure "shujian import (csv)" "$rows" "$shujian" import --workspace "$ws" "$csv"
    ours=$(lower "$(cut -d' ' -f1 "$work/wall")" "$ours")
    ours_cpu=$(lower "$(cut -d' ' -f2 "$work/wall")" "$ours_cpu")
    rm -f "$db" "$db-wal" "$db-shm"
    measure "sqlite3 .import --csv (WAL)" "$rows" \
        sqlite3 "$db" "PRAGMA journal_mode=WAL;" ".import --csv $csv t"
    peer=$(lower "$(cut -d' ' -f1 "$work/wall")" "$peer")
    peer_cpu=$(lower "$(cut -d' ' -f2 "$work/wall")" "$peer_cpu")
    round=$((round + 1))
done
imported=$(sqlite3 "$ws/workspace.db" "SELECT rows_imported FROM import_runs")
[ "$imported" = "$rows" ] || { echo "import.sh: imported $imported of $rows rows" >&2; exit 1; }
"$shujian" model add "$(dirname "$0")/import-model.yaml" --workspace "$ws" >/dev/null
measure "first model run (+ index)" "$rows" \
    "$shujian" model run bench-import-lookup --workspace "$ws"
measure "second model run" "$rows" "$shujian" model run bench-import-lookup --workspace "$ws"

best "shujian import (xlsx)" "$xlsx_rows" "rm -rf '$ws'" \
    "$shujian" import --workspace "$ws" "$xlsx"
imported=$(sqlite3 "$ws/workspace.db" "SELECT rows_imported FROM import_runs")
[ "$imported" = "$xlsx_rows" ] || { echo "import.sh: imported $imported of $xlsx_rows rows" >&2; exit 1; }
rm -rf "$ws"

best "sqlite3 .import + 5 indexes" "$rows" "rm -f '$db' '$db-wal' '$db-shm'" \
    sqlite3 "$db" "PRAGMA journal_mode=WAL;" "BEGIN;" ".import --csv $csv t" \
    "CREATE INDEX t1 ON t(\"姓名\");" "CREATE INDEX t2 ON t(\"身份证号\");" \
    "CREATE INDEX t3 ON t(\"手机号\");" "CREATE INDEX t6 ON t(\"银行卡号\");" \
    "CREATE INDEX t7 ON t(\"对方户名\");" "COMMIT;"
peer_indexed=$best_wall
rm -f "$db" "$db-wal" "$db-shm"

python3 - "$ours" "$peer" "$peer_indexed" "$ours_cpu" "$peer_cpu" <<'EOF'
import sys
ours, peer, peer_indexed, ours_cpu, peer_cpu = (float(x) for x in sys.argv[1:])
print("ratio:   shujian / sqlite3 .import = %.2f by wall (target <= 1.5), %.2f by CPU; "
      "shujian / sqlite3 .import + indexes = %.2f by wall"
      % (ours / peer, ours_cpu / peer_cpu, ours / peer_indexed))
EOF
if [ "$big_rows" -gt 0 ]; then
    rm -f "$csv" "$xlsx"
    "$build/bench/gen_import_csv" "$big_rows" "$csv"
    repeat=1
    best "shujian import ($big_rows rows)" "$big_rows" "rm -rf '$ws'" \
        "$shujian" import --workspace "$ws" "$csv"
    rm -rf "$ws"
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
