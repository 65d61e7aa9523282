#!/bin/sh
# bail.sh - bail supervision write benchmark (docs/PERFORMANCE.md, "bail"). Makes a workspace
# with a ledger, one office and a prosecutor, starts `shujian serve` on 127.0.0.1, registers
# SUBJECTS subjects over the HTTP API (each with a 3 km allowed fence at home and an all-day
# check-in schedule) and binds one phone to each (enrolment code -> device token, as
# tests/api/bail.py does), then drives the phones' endpoints with wrk for SECONDS each:
#   1. GET /healthz                         - the server's floor, in the same run
#   2. POST /api/v1/bail/device/checkins    - a durable, ledgered check-in (no photo), each
#                                             with its own Idempotency-Key, round robin
#                                             over the phones
#   3. POST /api/v1/bail/device/positions   - a batch of FIXES position fixes per request
#                                             (positions/s = batches/s x FIXES)
# printing requests/s, p50 and p99, non-2xx answers and each ratio to /healthz; then the
# writer's own account of its time (SHUJIAN_WRITER_STATS) and `shujian ledger verify`.
# Every fix is at the subject's home, 1 ms after the phone's previous one: no alerts, so
# what is measured is the write path (judge, store, fence states, ledger, commit).
# Usage: bench/bail.sh [BUILD_DIR] [--seconds N] [--connections N] [--threads N]
#                      [--subjects N] [--fixes N] [--server-threads N] [--no-positions]
#   BUILD_DIR defaults to build/release; --threads is wrk's. The server runs with its default
#   thread count unless --server-threads N says otherwise (-1: as many as wrk has
#   connections): a request thread waits while its write is committed, and libmicrohttpd spreads
#   connections unevenly over its threads, so with fewer threads than connections a few busy
#   threads bound how many writes one group commit gathers. --no-positions skips run 3, so
#   the writer's account is of check-ins alone. Everything runs on loopback and stops by
#   itself. SHUJIAN_WRITER_WAIT_US in the environment reaches the server (src/http/writer.c).
set -eu

build=build/release
seconds=10
connections=64
threads=2
subjects=64
fixes=100
server_threads=0
positions=1
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --subjects) subjects=$2; shift 2 ;;
    --fixes) fixes=$2; shift 2 ;;
    --server-threads) server_threads=$2; shift 2 ;;
    --no-positions) positions=0; shift ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "bail.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
    esac
done

. "$(dirname "$0")/lib.sh"
bench_prepare bail.sh

# ---- The workspace and the server -------------------------------------------------------------
"$shujian" ledger init --workspace "$ws" >/dev/null
"$shujian" office add 441800 清远市人民检察院 --workspace "$ws" >/dev/null
echo "bench-password-1" | "$shujian" user add bench --role prosecutor --office 441800 \
    --workspace "$ws" >/dev/null
[ "$server_threads" -lt 0 ] && server_threads=$connections
bench_serve "$server_threads"
python3 - "$base" "$subjects" "$tmp/tokens" <<'EOF'
"""Signs in, registers the subjects (ID numbers with computed check digits, invented names),
gives each a fence and an all-day schedule, and binds a phone to each; writes the device
tokens, one a line."""
import json, sys, time, urllib.request

base, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1).read()
        break
    except OSError:
        time.sleep(0.1)
cookie, csrf = None, None


def call(method, path, body=None, headers=None):
    h = {"Content-Type": "application/json"}
    if cookie:
        h.update({"Cookie": cookie, "X-CSRF-Token": csrf})
    h.update(headers or {})
    req = urllib.request.Request(base + path, method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers, json.loads(resp.read() or b"null")


headers, doc = call("POST", "/api/v1/login", {"username": "bench", "password": "bench-password-1"})
cookie, csrf = headers["Set-Cookie"].split(";", 1)[0], doc["csrf_token"]
me = doc["user"]["id"]
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
given = "小川一舟子明文静海燕建国秀英"
tokens = []
for i in range(count):
    body17 = "4418021985%02d%02d%03d" % (1 + i % 12, 1 + i % 28, i % 1000)
    idn = body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]
    name = "林" + given[i % len(given)] + given[(i // len(given)) % len(given)]
    _, doc = call("POST", "/api/v1/bail/subjects", {
        "person_name": name, "id_number": idn, "phone": "13800138000",
        "residence": "清远市清城区某路 %d 号" % (i + 1), "crime_type": "盗窃",
        "case_number": "（2026）粤1802刑初%d号" % (i + 1), "prosecutor_id": me,
        "bail_start": "2026-01-01", "bail_end": "2027-12-31"})
    sid = doc["subject"]["id"]
    call("POST", "/api/v1/bail/fences", {
        "subject_id": sid, "kind": "allowed", "name": "住所周边", "datum": "wgs84",
        "geometry": {"type": "Point", "coordinates": [113.0560, 23.6820], "radius": 3000}})
    call("POST", "/api/v1/bail/subjects/%d/schedules" % sid,
         {"kind": "daily", "start_min": 0, "end_min": 1440})
    _, doc = call("POST", "/api/v1/bail/subjects/%d/devices" % sid)
    saved = cookie
    cookie = None
    _, doc = call("POST", "/api/v1/bail/devices/bind",
                  {"code": doc["enrol_code"], "install_id": "bench-%d" % i})
    cookie = saved
    tokens.append(doc["device_token"])
with open(out, "w") as f:
    f.write("\n".join(tokens) + "\n")
EOF

# ---- wrk scripts -----------------------------------------------------------------------------
cat >"$tmp/report.lua" <<'EOF'
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read +
              summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n", summary.requests / s,
           latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, bad))
end
EOF
now_ms=$(python3 -c 'import time; print(int(time.time() * 1000))')
# Shared by both scripts: the tokens, this wrk thread's number, a request counter.
cat >"$tmp/common.lua" <<EOF
local file, nthreads, fixes = "$tmp/tokens", $threads, $fixes
local start_ms = $now_ms - 20000
EOF
cat >>"$tmp/common.lua" <<'EOF'
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local tokens, n = {}, 0
function init(args)
  for line in io.lines(file) do tokens[#tokens + 1] = line end
end
EOF
{
    cat "$tmp/common.lua"
    cat <<'EOF'
function request()
  n = n + 1
  local seq = n * nthreads + tid
  local token = tokens[seq % #tokens + 1]
  local fix = os.time() * 1000 - 2000
  return wrk.format("POST", "/api/v1/bail/device/checkins", {
    ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. tid .. "-" .. n},
    string.format('{"lat":23.682,"lon":113.056,"accuracy_m":15,"datum":"wgs84","fix_ms":%d}', fix))
end
EOF
    cat "$tmp/report.lua"
} >"$tmp/checkin.lua"
{
    cat "$tmp/common.lua"
    cat <<'EOF'
-- Phone d's k-th batch has fixes start_ms + (k * fixes + i) * 1 ms: unique per phone, all at
-- home, so each fix is new and none raises an alert.
function request()
  n = n + 1
  local seq = n * nthreads + tid
  local d, k = seq % #tokens, math.floor(seq / #tokens)
  local parts = {}
  for i = 0, fixes - 1 do
    parts[#parts + 1] = string.format(
      '{"lat":23.682,"lon":113.056,"accuracy_m":12,"fix_ms":%d}', start_ms + k * fixes + i)
  end
  return wrk.format("POST", "/api/v1/bail/device/positions", {
    ["Authorization"] = "Bearer " .. tokens[d + 1], ["Content-Type"] = "application/json"},
    '{"datum":"wgs84","fixes":[' .. table.concat(parts, ",") .. ']}')
end
EOF
    cat "$tmp/report.lua"
} >"$tmp/positions.lua"

# ---- Runs --------------------------------------------------------------------------------------
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections" \
    "-d${seconds}s; server threads ${thread_flag:-(default)}; $subjects phones; $fixes fixes a batch"
: >"$tmp/results"
bench_wrk healthz "$tmp/report.lua" "$base/healthz"
bench_wrk checkin "$tmp/checkin.lua" "$base"
[ "$positions" = 1 ] && bench_wrk positions "$tmp/positions.lua" "$base"
bench_table "healthz=GET /healthz" "checkin=POST .../device/checkins (durable)" \
    "positions=POST .../device/positions (x$fixes fixes)"
rps=$(sed -n 's/^positions \([0-9]*\) .*/\1/p' "$tmp/results")
[ "$positions" = 1 ] && echo "positions/s: $((rps * fixes))"
bench_stop
sqlite3 -readonly "$ws/workspace.db" \
    "SELECT 'stored: ' || (SELECT count(*) FROM bail_checkins) || ' check-ins, ' ||
            (SELECT count(*) FROM bail_positions) || ' positions, ' ||
            (SELECT count(*) FROM bail_alerts) || ' alerts'" 2>/dev/null || true
"$shujian" ledger verify --workspace "$ws" | tail -n 1
