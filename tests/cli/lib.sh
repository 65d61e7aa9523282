# lib.sh - TAP helpers shared by the CLI tests, sourced as `. "$(dirname "$0")/lib.sh"`
# right after a test's header comment. It sets BIN from the test's $1 (the path of the
# shujian binary), makes a temporary directory $tmp that is removed on exit, and unsets
# SHUJIAN_WORKSPACE so that no test reads a workspace of the environment. Each check prints
# one "ok N - ..." or "not ok N - ..." line with "#"-prefixed diagnostics; a test ends with
# `plan`, which prints "1..N": a script that dies before it has no plan and so fails.
# JSON is read with python3 (meson needs it, so it is always there).
set -u
BIN=${1:?usage: $(basename "$0") path/to/shujian}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
unset SHUJIAN_WORKSPACE

ok() { n=$((n + 1)); echo "ok $n - $1"; }
# not_ok DESCRIPTION [DIAGNOSTIC...]: every line of a diagnostic is prefixed with "#".
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; shift
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
# check DESCRIPTION GOT WANT: GOT and WANT are the same string.
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
# brief TEXT: at most the first 300 bytes of TEXT, for diagnostics of long outputs.
brief() { printf '%s' "$1" | head -c 300; }
# contains DESCRIPTION TEXT NEEDLE: NEEDLE occurs in TEXT.
contains() {
    case "$2" in
    *"$3"*) ok "$1" ;;
    *) not_ok "$1" "text: $(brief "$2")" "lacks: $3" ;;
    esac
}
# lacks DESCRIPTION TEXT NEEDLE: NEEDLE does not occur in TEXT.
lacks() {
    case "$2" in
    *"$3"*) not_ok "$1" "text: $(brief "$2")" "should not contain: $3" ;;
    *) ok "$1" ;;
    esac
}
# run ARGS...: runs the binary; sets $out (stdout), $err (stderr) and $rc (exit status).
# The whole of stdout also stays in "$tmp/out" for field, line_field and lines.
run() {
    "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
# json_at LINE PATH: the compact UTF-8 JSON at a dotted path (numbers index lists; "" is the
# whole) of stdout, read as one JSON document when LINE is "", else of its line LINE
# (0-based). On any failure it prints a "<no ...>" note, which no check expects.
json_at() {
    python3 -c '
import json, sys
try:
    text = open(sys.argv[1], encoding="utf-8").read()
    if sys.argv[2]:
        text = text.splitlines()[int(sys.argv[2])]
    o = json.loads(text)
    for key in filter(None, sys.argv[3].split(".")):
        o = o[int(key)] if isinstance(o, list) else o[key]
    print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
except Exception as e:
    print("<no %s in %s: %r>" % (sys.argv[3], sys.argv[2] or "stdout", e))' "$tmp/out" "$1" "$2"
}
# field PATH: the JSON at a dotted path of the whole of stdout (one JSON document).
field() { json_at "" "$1"; }
# line_field LINE PATH: the JSON at a dotted path of stdout line LINE (0-based), for
# commands that print one JSON object a line (`norm`, `import --json`).
line_field() { json_at "$1" "$2"; }
# lines: how many lines stdout had.
lines() { if [ -s "$tmp/out" ]; then wc -l <"$tmp/out" | tr -d ' '; else echo 0; fi; }
# plan: the closing TAP plan line; call it once, last.
plan() { echo "1..$n"; }
