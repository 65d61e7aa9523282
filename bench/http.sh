#!/bin/sh
# http.sh - HTTP API benchmark (docs/PERFORMANCE.md, "http"). Builds a workspace from the
# synthetic demo data (`shujian demo-data --scale 8`, the toolbox models run over it so
# there are leads), starts `shujian serve` on 127.0.0.1 with a prosecutor signed in, and
# drives it with wrk (Debian package wrk) for SECONDS each:
#   1. GET /healthz                      - the server's floor: no session, no store
#   2. GET /api/v1/me                    - the cheapest authenticated read (the session)
#   3. GET /api/v1/leads/{id}            - an authenticated read of data (session, scope,
#                                          lead with evidence and history, masking)
#   4. PATCH /api/v1/leads/{id}          - a durable write: the status change, then its
#                                          ledger entry committed with synchronous=FULL
#                                          (group commit) before the answer
# printing requests/s, p50 and p99 latency, non-2xx answers, and each ratio to /healthz
# in the same run, then the writer's account of where its time went (SHUJIAN_WRITER_STATS:
# batches, writes per batch, per-write and per-batch times). The writes cycle each lead verifying -> no-case -> verifying ..., each
# wrk thread over its own leads, a lead's next change sent only after the answer to its
# last one, so every change is one the workflow allows.
# The server runs with its default thread count unless --server-threads N says otherwise: a
# request thread waits while its write is committed, so the threads bound how many writes
# one group commit can gather.
# Usage: bench/http.sh [BUILD_DIR] [--seconds N] [--connections N] [--threads N]
#                      [--server-threads N]
#   BUILD_DIR defaults to build/release; --threads is wrk's. Everything runs on loopback
#   and stops by itself.
set -eu

build=build/release
seconds=10
connections=64
threads=2
server_threads=0
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --server-threads) server_threads=$2; shift 2 ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) echo "http.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
    esac
done

. "$(dirname "$0")/lib.sh"
bench_prepare http.sh
command -v curl >/dev/null || { echo "http.sh: curl is missing (scripts/bootstrap)" >&2; exit 1; }

# ---- The workspace ------------------------------------------------------------------------------
"$shujian" demo-data "$tmp/data" --scale 8 --seed 1 >/dev/null
"$shujian" import "$tmp"/data/*.csv "$tmp"/data/*.xlsx --workspace "$ws" >/dev/null
"$shujian" ledger init --workspace "$ws" >/dev/null
"$shujian" office add 4418 清远市人民检察院 --workspace "$ws" >/dev/null
echo "bench-password-1" | "$shujian" user add bench --role prosecutor --office 4418 \
    --workspace "$ws" >/dev/null
for model in "$(dirname "$0")"/../models/*.yaml; do
    "$shujian" model run "$(basename "$model" .yaml)" --workspace "$ws" >/dev/null 2>&1 || true
done

# ---- The server -------------------------------------------------------------------------------------
# A free port from the kernel; the server logs warnings only (no line per request).
bench_serve "$server_threads"
for _ in $(seq 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "$base/healthz" >/dev/null || { echo "http.sh: the server did not start" >&2; cat "$tmp/serve.log" >&2; exit 1; }
login=$(curl -s -D "$tmp/headers" -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"bench-password-1"}' "$base/api/v1/login")
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$tmp/headers")
csrf=$(echo "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
curl -s -H "Cookie: $cookie" "$base/api/v1/leads?limit=1000&sort=created&order=asc" |
    python3 -c 'import json,sys; print("\n".join(l["id"] for l in json.load(sys.stdin)["leads"]))' \
    >"$tmp/leads"
lead_count=$(wc -l <"$tmp/leads")
read_lead=$(head -n 1 "$tmp/leads")

# ---- wrk scripts --------------------------------------------------------------------------------------
cat >"$tmp/report.lua" <<'EOF'
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read +
              summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n", summary.requests / s,
           latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, bad))
end
EOF
{
    echo "wrk.headers[\"Cookie\"] = \"$cookie\""
    cat "$tmp/report.lua"
} >"$tmp/read.lua"
{
    echo "local cookie, csrf, file = \"$cookie\", \"$csrf\", \"$tmp/leads\""
    echo "local nthreads = $threads"
    cat <<'EOF'
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
-- Leads ready for their next change: a lead goes back in only when the answer to its last
-- change has come, so no two changes of one lead are ever in flight together.
local ready, head, tail = {}, 1, 0
local function put(id, status)
  tail = tail + 1
  ready[tail] = {id, status}
end
function init(args)
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then put(line, "verifying") end
    i = i + 1
  end
end
function request()
  local item = ready[head]
  ready[head] = nil
  head = head + 1
  return wrk.format("PATCH", "/api/v1/leads/" .. item[1], {
    ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json"},
    '{"status":"' .. item[2] .. '","note":"bench"}')
end
function response(status, headers, body)
  local id = string.match(body, '"id":"(L%x+)"')
  local now = string.match(body, '"status":"([%a%-]+)"')
  if id then put(id, now == "verifying" and "no-case" or "verifying") end
end
EOF
    cat "$tmp/report.lua"
} >"$tmp/write.lua"

# ---- Runs -------------------------------------------------------------------------------------------------
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections" \
    "-d${seconds}s; server threads ${thread_flag:-(default)}; $lead_count leads"
: >"$tmp/results"
bench_wrk healthz "$tmp/report.lua" "$base/healthz"
bench_wrk me "$tmp/read.lua" "$base/api/v1/me"
bench_wrk read "$tmp/read.lua" "$base/api/v1/leads/$read_lead"
bench_wrk write "$tmp/write.lua" "$base"
bench_table "healthz=GET /healthz" "me=GET /api/v1/me" "read=GET /api/v1/leads/{id}" \
    "write=PATCH /api/v1/leads/{id} (durable)"
# Every durable write is one ledger entry; the ledger must still verify.
bench_stop
"$shujian" ledger verify --workspace "$ws" | tail -n 1
