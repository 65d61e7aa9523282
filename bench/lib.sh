# bench/lib.sh - what the wrk benchmarks (http.sh, bail.sh) share. Sourced, not run; needs
# $build set. No shebang and not executable, so bench/run-all does not run it.
#
# bench_prepare NAME: checks that $build's shujian and wrk exist, makes the scratch directory
#   $tmp (removed at exit, with the server stopped; kept when SJ_BENCH_KEEP is set), and sets
#   $shujian, $ws, and the server's environment (warnings only; the writer prints its stats
#   when it stops).
# bench_serve THREADS: starts `shujian serve` on a free loopback port with THREADS workers
#   (0: the server's default), logging to $tmp/serve.log; sets $pid and $base.
# bench_wrk NAME SCRIPT URL: runs wrk ($threads, $connections, $seconds) with the Lua SCRIPT,
#   whose done() prints "RESULT rps p50 p99 total non-2xx", and appends NAME and that line to
#   $tmp/results.
# bench_table NAME=LABEL...: prints $tmp/results as a table, each NAME under its LABEL, with
#   each rate's ratio to the run named healthz.
# bench_stop: stops the server and prints the writer's statistics from its log.

bench_prepare() {
    bench_name=$1
    shujian=$build/src/cli/shujian
    [ -x "$shujian" ] || { echo "$bench_name: $shujian is missing; build first (make release)" >&2; exit 1; }
    command -v wrk >/dev/null || { echo "$bench_name: wrk is missing (scripts/bootstrap)" >&2; exit 1; }
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/sj-bench-${bench_name%.sh}.XXXXXX")
    pid=""
    trap bench_cleanup EXIT INT TERM
    ws=$tmp/ws
    export SHUJIAN_LOG=warn
    export SHUJIAN_WRITER_STATS=1 # the writer prints where its time went when it stops
}

bench_cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ -n "${SJ_BENCH_KEEP:-}" ] || rm -rf "$tmp"
}

bench_serve() {
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    thread_flag=""
    [ "$1" -gt 0 ] && thread_flag="--threads $1"
    # shellcheck disable=SC2086 # thread_flag is empty or two words
    "$shujian" serve --listen "127.0.0.1:$port" --workspace "$ws" $thread_flag \
        >"$tmp/serve.log" 2>&1 &
    pid=$!
    base=http://127.0.0.1:$port
}

bench_wrk() {
    wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "$2" "$3" 2>&1 | sed -n 's/^RESULT //p' \
        >"$tmp/$1.out"
    read -r rps p50 p99 total bad <"$tmp/$1.out"
    echo "$1 $rps $p50 $p99 $total $bad" >>"$tmp/results"
}

bench_table() {
    health=$(sed -n 's/^healthz \([0-9]*\) .*/\1/p' "$tmp/results")
    printf '%-44s %10s %9s %9s %9s %7s %7s\n' endpoint "req/s" "p50 ms" "p99 ms" requests \
        "non-2xx" "vs hz"
    while read -r name rps p50 p99 total bad; do
        label=$name
        for pair in "$@"; do
            [ "${pair%%=*}" = "$name" ] && label=${pair#*=}
        done
        ratio=$(awk -v a="$rps" -v b="$health" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
        printf '%-44s %10s %9s %9s %9s %7s %7s\n' "$label" "$rps" "$p50" "$p99" "$total" "$bad" \
            "$ratio"
    done <"$tmp/results"
}

bench_stop() {
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
    grep '^writer:' "$tmp/serve.log" || true
}
