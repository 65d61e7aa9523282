#!/bin/sh
# norm.sh - tests of `shujian norm` through the real binary, speaking TAP. $1 is the path
# of the shujian binary. Fields of the JSON lines are read with python3 (meson needs it, so
# it is always there); all ID numbers are synthetic with computed check digits.
set -u
BIN=${1:?usage: norm.sh path/to/shujian}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; shift
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
# check DESCRIPTION GOT WANT
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
# run ARGS...: sets $out (stdout), $err (stderr) and $rc (exit status).
run() {
    "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
# field LINE PATH: the JSON (compact, UTF-8) of a dotted path in output line LINE (0-based).
field() {
    python3 -c '
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
    o = json.loads(lines[int(sys.argv[2])])
    for key in filter(None, sys.argv[3].split(".")):
        o = o[key]
    print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
except Exception as e:
    print("<no %s in line %s: %r>" % (sys.argv[3], sys.argv[2], e))' "$tmp/out" "$1" "$2"
}
lines() { if [ -s "$tmp/out" ]; then wc -l <"$tmp/out" | tr -d ' '; else echo 0; fi; }

# --- idcard -----------------------------------------------------------------------------
run norm idcard 11010519491231002X
check "idcard: exit 0 when valid" "$rc" 0
check "idcard: one line" "$(lines)" 1
check "idcard: kind" "$(field 0 kind)" '"idcard"'
check "idcard: valid" "$(field 0 valid)" true
check "idcard: value" "$(field 0 value)" '"11010519491231002X"'
check "idcard: birth" "$(field 0 parts.birth)" '"1949-12-31"'
check "idcard: sex" "$(field 0 parts.sex)" '"F"'
check "idcard: error is null" "$(field 0 error)" null
check "idcard: keys in order" "$(field 0 '' | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)))')" \
    "kind,input,valid,value,parts,error"
check "idcard: compact output" "$(head -c 17 "$tmp/out")" '{"kind":"idcard",'

run norm idcard 110105194912310021
check "idcard wrong check digit: exit 1" "$rc" 1
check "idcard wrong check digit: invalid" "$(field 0 valid)" false
check "idcard wrong check digit: value null" "$(field 0 value)" null
case $(field 0 error) in
*校验*) ok "idcard wrong check digit: reason names the check digit" ;;
*) not_ok "idcard wrong check digit: reason names the check digit" "got: $(field 0 error)" ;;
esac
check "idcard wrong check digit: input echoed" "$(field 0 input)" '"110105194912310021"'

# --- amount, case-no, date --------------------------------------------------------------
run norm amount 人民币壹万贰仟叁佰肆拾伍元陆角柒分
check "amount: exit 0" "$rc" 0
check "amount: value in fen, a JSON number" "$(field 0 value)" 1234567
grep -q '"input":"人民币壹万贰仟叁佰肆拾伍元陆角柒分"' "$tmp/out" &&
    ok "amount: UTF-8 written unescaped" || not_ok "amount: UTF-8 written unescaped" "$out"

run norm case-no '〔2023〕粤1802民初1234号' '【2023】粤1802民初1234号' '(2023)粤1802民初1234号'
check "case-no: exit 0" "$rc" 0
check "case-no: three lines" "$(lines)" 3
check "case-no 〔〕: canonical" "$(field 0 value)" '"（2023）粤1802民初1234号"'
check "case-no 【】: canonical" "$(field 1 value)" '"（2023）粤1802民初1234号"'
check "case-no (): canonical" "$(field 2 value)" '"（2023）粤1802民初1234号"'
check "case-no: lines in input order" "$(field 1 input)" '"【2023】粤1802民初1234号"'

run norm date 二〇二三年一月二日
check "date in Chinese numerals: exit 0" "$rc" 0
check "date in Chinese numerals: value" "$(field 0 value)" '"2023-01-02"'

run norm date 2023-02-29
check "date 2023-02-29: exit 1" "$rc" 1
check "date 2023-02-29: invalid" "$(field 0 valid)" false
check "date 2023-02-29: has a reason" "$(field 0 error | grep -c '^"..*"$')" 1

run norm date 2023-01-02 2023-02-29 2024-02-29
check "dates: any invalid gives exit 1" "$rc" 1
check "dates: one line per value" "$(lines)" 3
check "dates: third still processed" "$(field 2 value)" '"2024-02-29"'

# --- usage errors -----------------------------------------------------------------------
run norm
check "usage: no arguments exits 2" "$rc" 2
run norm idcard
check "usage: kind without a value exits 2" "$rc" 2
run norm shoesize 42
check "usage: unknown kind exits 2" "$rc" 2
case $err in
*idcard*case-no*auto*) ok "usage: unknown kind lists the kinds" ;;
*) not_ok "usage: unknown kind lists the kinds" "stderr: $err" ;;
esac
check "usage: nothing on stdout" "$out" ""
run norm --help
check "help: exit 0" "$rc" 0
case $out in
*"usage: shujian norm"*) ok "help: prints the usage" ;;
*) not_ok "help: prints the usage" "$out" ;;
esac

# --- auto -------------------------------------------------------------------------------
run norm auto 11010519491231002X 13800138000 2023-01-02 '¥12.50' '（2023）粤1802民初1234号' \
    张三 12345 见附件说明材料
check "auto: exit 0" "$rc" 0
check "auto: ID number" "$(field 0 kind)" '"idcard"'
check "auto: phone" "$(field 1 kind)" '"phone"'
check "auto: date" "$(field 2 kind)" '"date"'
check "auto: amount" "$(field 3 kind)" '"amount"'
check "auto: amount value" "$(field 3 value)" 1250
check "auto: case number" "$(field 4 kind)" '"case-no"'
check "auto: name" "$(field 5 kind)" '"name"'
check "auto: integer" "$(field 6 kind)" '"integer"'
check "auto: integer is a number" "$(field 6 value)" 12345
check "auto: text" "$(field 7 kind)" '"text"'

# --- standard input ---------------------------------------------------------------------
printf '\357\273\2772023-01-02\r\n2023/1/2\n\n2023-13-01\n' | "$BIN" norm date - >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin: exit 1 when a line is invalid" "$rc" 1
check "stdin: one line per input line, blank included" "$(lines)" 4
check "stdin: BOM and CR removed" "$(field 0 input)" '"2023-01-02"'
check "stdin: second line" "$(field 1 value)" '"2023-01-02"'
check "stdin: blank line invalid" "$(field 2 valid)" false
check "stdin: month 13 invalid" "$(field 3 valid)" false

printf 'ab\377cd\n' | "$BIN" norm text - >"$tmp/out" 2>"$tmp/err"
check "stdin: invalid UTF-8 shown as U+FFFD" "$(field 0 input)" '"ab�cd"'

python3 -c 'print("1" * 5000)' | "$BIN" norm integer - >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin: an over-long line is invalid" "$rc$(field 0 valid)" 1false

printf '11010519491231002X\n' | "$BIN" norm idcard 110105194912310021 - >"$tmp/out" 2>"$tmp/err"
check "arguments and stdin mix in order" "$(field 0 valid),$(field 1 valid)" "false,true"

echo "1..$n"
