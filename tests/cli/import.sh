#!/bin/sh
# import.sh - tests of `shujian import` through the real binary, speaking TAP. $1 is the
# path of the shujian binary. Files are written into a temporary directory (GB18030 and
# UTF-16 bytes with iconv); results are read back with `shujian show` and `shujian rejects`.
# JSON is read with python3 (meson needs it, so it is always there); ID numbers are
# synthetic with computed check digits.
. "$(dirname "$0")/lib.sh"
ws="$tmp/ws"

# --- a bank statement with a title row, a bad row and a flagged cell ----------------------
cat >"$tmp/银行流水.csv" <<'EOF'
XX银行账户交易明细表
户名,身份证号,交易时间,交易金额（元）,备注
张三,11010519491231002X,2023-01-02 10:00:00,"1,234.50",工资
李四,441802198506120031,2023-01-03 11:30:00,200,转账
王五,441803197611051227,2023-01-04 09:15:00,300,房租,多余
赵六,441802198506120030,2023-01-05 16:45:00,-50.00,"退款
（部分）"
EOF
run import "$tmp/银行流水.csv" --workspace "$ws" --json
check "import --json: exit 0" "$rc" 0
check "import --json: one line" "$(lines)" 1
check "dataset named after the file" "$(line_field 0 dataset)" '"银行流水"'
check "rows_read" "$(line_field 0 rows_read)" 4
check "rows_imported" "$(line_field 0 rows_imported)" 3
check "rows_rejected" "$(line_field 0 rows_rejected)" 1
check "cells_flagged" "$(line_field 0 cells_flagged)" 1
check "already_imported false" "$(line_field 0 already_imported)" false
check "sheet of a text file" "$(line_field 0 sheet)" '""'
check "columns and kinds" "$(line_field 0 columns)" \
    '[{"name":"户名","kind":"name"},{"name":"身份证号","kind":"idcard"},{"name":"交易时间","kind":"datetime"},{"name":"交易金额（元）","kind":"amount"},{"name":"备注","kind":"text"}]'
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if isinstance(o["seconds"], float) else 1)' "$tmp/out" \
    && ok "seconds is a number" || not_ok "seconds is a number" "$out"

run show 银行流水 --workspace "$ws" --json
check "show: three rows" "$(field total_rows)" 3
check "show: source rows skip the title and the bad row" \
    "$(python3 -c 'import json,sys; print([r["source_row"] for r in json.load(open(sys.argv[1]))["rows"]])' "$tmp/out")" \
    "[3, 4, 6]"
check "show: amount in fen" "$(field rows.0.cells.3.norm)" 123450
check "show: quoted newline kept" "$(field rows.2.cells.4.raw)" '"退款\n（部分）"'
check "show: flagged id kept raw without a norm" "$(field rows.1.cells.1)" '{"raw":"441802198506120031","norm":null}'

run rejects 银行流水 --workspace "$ws" --json
check "rejects: a row and a cell" "$(field count)" 2
check "rejects: the row" "$(python3 -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["rejects"] if x["type"] == "row"][0]
print(r["row"], r["column"], "多于表头" in r["reason"], "多余" in r["raw"])' "$tmp/out")" "5 0 True True"

# --- importing the same file again changes nothing ---------------------------------------
run import "$tmp/银行流水.csv" --workspace "$ws" --json
check "re-import: exit 0" "$rc" 0
check "re-import: already_imported" "$(line_field 0 already_imported)" true
check "re-import: nothing read" "$(line_field 0 rows_read)" 0
run show 银行流水 --workspace "$ws" --json
check "re-import: still three rows" "$(field total_rows)" 3
run import "$tmp/银行流水.csv" --workspace "$ws"
contains "re-import: human summary says so" "$out" "already imported"

# --- the human summary adds up, in English and Chinese ------------------------------------
printf '姓名,电话\n张三,13800138000\n李四,13900139000,x\n' >"$tmp/people.csv"
run import "$tmp/people.csv" --workspace "$ws"
check "human: exit 0" "$rc" 0
contains "human: rows read = imported + rejected" "$out" "rows read 2 = imported 1 + rejected 1"
contains "human: in Chinese" "$out" "读取 2 行 = 导入 1 行 + 拒绝 1 行"
contains "human: names the dataset" "$out" "dataset people"
contains "human: lists kinds" "$out" "电话 (phone)"

# --- encodings and delimiters ---------------------------------------------------------------
printf '姓名\t电话\n王五\t13700137000\n' | iconv -f UTF-8 -t GB18030 >"$tmp/gbk.tsv"
run import "$tmp/gbk.tsv" --workspace "$ws" --json
check "gb18030 tab file: exit 0" "$rc" 0
check "gb18030 tab file: columns" "$(line_field 0 columns.0.name)" '"姓名"'
run show gbk --workspace "$ws" --json
check "gb18030 tab file: value decoded" "$(field rows.0.cells.0.raw)" '"王五"'
{ printf '\377\376'; printf '姓名;电话\r\n孙八;13600136000\r\n' | iconv -f UTF-8 -t UTF-16LE; } >"$tmp/u16.csv"
run import "$tmp/u16.csv" --workspace "$ws" --json
check "utf-16le semicolon file: imported" "$(line_field 0 rows_imported)" 1
printf 'a,b\n1,2\n' >"$tmp/forced.csv"
run import "$tmp/forced.csv" --workspace "$ws" --json --delimiter ';' --dataset forced_semicolon
check "--delimiter: one column" "$(line_field 0 columns)" '[{"name":"a,b","kind":"text"}]'

# --- options: dataset, mapping ----------------------------------------------------------------
printf '编号,联系电话\n11010519491231002X,13800138000\n' >"$tmp/m.csv"
printf '# kinds\n编号 = idcard\n联系电话: text\n' >"$tmp/m.map"
run import "$tmp/m.csv" --workspace "$ws" --json --mapping "$tmp/m.map" --dataset=人员
check "--dataset=NAME" "$(line_field 0 dataset)" '"人员"'
check "--mapping sets kinds" "$(line_field 0 columns)" '[{"name":"编号","kind":"idcard"},{"name":"联系电话","kind":"text"}]'
printf '编号 = nonsense\n' >"$tmp/bad.map"
run import "$tmp/m.csv" --workspace "$ws" --mapping "$tmp/bad.map" --dataset other
check "bad mapping: exit 1" "$rc" 1
contains "bad mapping: names the line" "$err" "row 1"

# --- failures and usage -------------------------------------------------------------------------
run import "$tmp/absent.csv" "$tmp/people.csv" --workspace "$ws" --json
check "missing file: exit 1" "$rc" 1
contains "missing file: says which" "$err" "absent.csv"
check "missing file: the other file still reported" "$(line_field 1 already_imported)" true
check "missing file: error object in --json" "$(line_field 0 file)" "\"$tmp/absent.csv\""
: >"$tmp/empty.csv"
run import "$tmp/empty.csv" --workspace "$ws"
check "empty file: exit 1" "$rc" 1
run import --workspace "$ws"
check "no file: exit 2" "$rc" 2
run import "$tmp/people.csv" --sheet a --all-sheets --workspace "$ws"
check "--sheet with --all-sheets: exit 2" "$rc" 2
run import "$tmp/people.csv" --bogus --workspace "$ws"
check "unknown option: exit 2" "$rc" 2
contains "unknown option: named" "$err" "--bogus"
run import "$tmp/people.csv" --delimiter x --workspace "$ws"
check "bad delimiter: exit 2" "$rc" 2
run import "$tmp/people.csv" --encoding
check "option without value: exit 2" "$rc" 2
run import --help
check "--help: exit 0" "$rc" 0
contains "--help: usage" "$out" "usage: shujian import"
run help
contains "help lists import" "$out" "  import "

plan
