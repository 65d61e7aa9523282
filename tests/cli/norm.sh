#!/bin/sh
# norm.sh - tests of `shujian norm` through the real binary, speaking TAP. $1 is the path
# of the shujian binary. Fields of the JSON lines are read with python3 (meson needs it, so
# it is always there); all ID numbers are synthetic with computed check digits.
. "$(dirname "$0")/lib.sh"

# --- idcard -----------------------------------------------------------------------------
run norm idcard 11010519491231002X
check "idcard: exit 0 when valid" "$rc" 0
check "idcard: one line" "$(lines)" 1
check "idcard: kind" "$(line_field 0 kind)" '"idcard"'
check "idcard: valid" "$(line_field 0 valid)" true
check "idcard: value" "$(line_field 0 value)" '"11010519491231002X"'
check "idcard: birth" "$(line_field 0 parts.birth)" '"1949-12-31"'
check "idcard: sex" "$(line_field 0 parts.sex)" '"F"'
check "idcard: error is null" "$(line_field 0 error)" null
check "idcard: keys in order" "$(line_field 0 '' | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)))')" \
    "kind,input,valid,value,parts,error"
check "idcard: compact output" "$(head -c 17 "$tmp/out")" '{"kind":"idcard",'

run norm idcard 110105194912310021
check "idcard wrong check digit: exit 1" "$rc" 1
check "idcard wrong check digit: invalid" "$(line_field 0 valid)" false
check "idcard wrong check digit: value null" "$(line_field 0 value)" null
case $(line_field 0 error) in
*校验*) ok "idcard wrong check digit: reason names the check digit" ;;
*) not_ok "idcard wrong check digit: reason names the check digit" "got: $(line_field 0 error)" ;;
esac
check "idcard wrong check digit: input echoed" "$(line_field 0 input)" '"110105194912310021"'

# --- name: the binary loads OpenCC at run time (dlopen, src/norm/name.c) -----------------
run norm name 張偉 王芳
check "name traditional: converted to simplified" "$(line_field 0 value),$(line_field 0 parts.converted)" '"张伟","true"'
check "name simplified: unchanged" "$(line_field 1 value)" '"王芳"'
check "name: OpenCC loaded without a warning" "$(grep -c opencc "$tmp/err")" 0

# --- amount, case-no, date --------------------------------------------------------------
run norm amount 人民币壹万贰仟叁佰肆拾伍元陆角柒分
check "amount: exit 0" "$rc" 0
check "amount: value in fen, a JSON number" "$(line_field 0 value)" 1234567
grep -q '"input":"人民币壹万贰仟叁佰肆拾伍元陆角柒分"' "$tmp/out" &&
    ok "amount: UTF-8 written unescaped" || not_ok "amount: UTF-8 written unescaped" "$out"

run norm case-no '〔2023〕粤1802民初1234号' '【2023】粤1802民初1234号' '(2023)粤1802民初1234号'
check "case-no: exit 0" "$rc" 0
check "case-no: three lines" "$(lines)" 3
check "case-no 〔〕: canonical" "$(line_field 0 value)" '"（2023）粤1802民初1234号"'
check "case-no 【】: canonical" "$(line_field 1 value)" '"（2023）粤1802民初1234号"'
check "case-no (): canonical" "$(line_field 2 value)" '"（2023）粤1802民初1234号"'
check "case-no: lines in input order" "$(line_field 1 input)" '"【2023】粤1802民初1234号"'

run norm date 二〇二三年一月二日
check "date in Chinese numerals: exit 0" "$rc" 0
check "date in Chinese numerals: value" "$(line_field 0 value)" '"2023-01-02"'

run norm date 2023-02-29
check "date 2023-02-29: exit 1" "$rc" 1
check "date 2023-02-29: invalid" "$(line_field 0 valid)" false
check "date 2023-02-29: has a reason" "$(line_field 0 error | grep -c '^"..*"$')" 1

run norm date 2023-01-02 2023-02-29 2024-02-29
check "dates: any invalid gives exit 1" "$rc" 1
check "dates: one line per value" "$(lines)" 3
check "dates: third still processed" "$(line_field 2 value)" '"2024-02-29"'

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
check "auto: ID number" "$(line_field 0 kind)" '"idcard"'
check "auto: phone" "$(line_field 1 kind)" '"phone"'
check "auto: date" "$(line_field 2 kind)" '"date"'
check "auto: amount" "$(line_field 3 kind)" '"amount"'
check "auto: amount value" "$(line_field 3 value)" 1250
check "auto: case number" "$(line_field 4 kind)" '"case-no"'
check "auto: name" "$(line_field 5 kind)" '"name"'
check "auto: integer" "$(line_field 6 kind)" '"integer"'
check "auto: integer is a number" "$(line_field 6 value)" 12345
check "auto: text" "$(line_field 7 kind)" '"text"'

# --- standard input ---------------------------------------------------------------------
printf '\357\273\2772023-01-02\r\n2023/1/2\n\n2023-13-01\n' | "$BIN" norm date - >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin: exit 1 when a line is invalid" "$rc" 1
check "stdin: one line per input line, blank included" "$(lines)" 4
check "stdin: BOM and CR removed" "$(line_field 0 input)" '"2023-01-02"'
check "stdin: second line" "$(line_field 1 value)" '"2023-01-02"'
check "stdin: blank line invalid" "$(line_field 2 valid)" false
check "stdin: month 13 invalid" "$(line_field 3 valid)" false

printf 'ab\377cd\n' | "$BIN" norm text - >"$tmp/out" 2>"$tmp/err"
check "stdin: invalid UTF-8 shown as U+FFFD" "$(line_field 0 input)" '"ab�cd"'

python3 -c 'print("1" * 5000)' | "$BIN" norm integer - >"$tmp/out" 2>"$tmp/err"
rc=$?
check "stdin: an over-long line is invalid" "$rc$(line_field 0 valid)" 1false

printf '11010519491231002X\n' | "$BIN" norm idcard 110105194912310021 - >"$tmp/out" 2>"$tmp/err"
check "arguments and stdin mix in order" "$(line_field 0 valid),$(line_field 1 valid)" "false,true"

plan
