#!/bin/sh
# demo_bail.sh - tests of `shujian demo-bail` through the real binary, speaking TAP. $1 is the
# path of the shujian binary. A small run (20 subjects, 7 days, SHUJIAN_TODAY fixed by meson)
# into a workspace with offices, officers and a ledger: alerts end in every state and of every
# kind, every subject has check-ins and a trail, an approved leave has check-ins at its
# destination, every check-in and alert has its ledger entry and `ledger verify` passes; the
# same seed gives the same bail tables (apart from the code and token hashes, random by
# design), another seed does not; bad options and a workspace without a ledger are refused.
. "$(dirname "$0")/lib.sh"
export SHUJIAN_TODAY="${SHUJIAN_TODAY:-2026-11-27}"

# q WS SQL: the first column of the first row of a query, read with Python's sqlite3.
q() {
    python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1/workspace.db" "$2"
}
# dump WS: every bail table, rows ordered by all their columns, without the hash columns.
dump() {
    python3 - "$1/workspace.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'bail%' ORDER BY name")]
for t in tables:
    cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % t)
            if r[1] not in ("enrol_hash", "token_hash")]
    order = ", ".join(str(i + 1) for i in range(len(cols)))
    for row in db.execute("SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), t, order)):
        print(t, repr(row))
EOF
}

base="$tmp/base"
"$BIN" ledger init --workspace "$base" >/dev/null
"$BIN" office add 4418 清远市人民检察院 --workspace "$base" >/dev/null
"$BIN" office add 441802 清远市清城区人民检察院 --parent 4418 --workspace "$base" >/dev/null
"$BIN" office add 441821 佛冈县人民检察院 --parent 4418 --workspace "$base" >/dev/null
for u in "chen prosecutor 4418" "li prosecutor 441802" "wang police 441802" \
    "sun prosecutor 441821"; do
    set -- $u
    echo test-pass-2026 | "$BIN" user add "$1" --role "$2" --office "$3" --workspace "$base" \
        >/dev/null
done
cp -r "$base" "$tmp/a"
cp -r "$base" "$tmp/b"
cp -r "$base" "$tmp/c"
a="$tmp/a"

# --- one run ----------------------------------------------------------------------------------
run demo-bail --subjects 20 --days 7 --seed 7 --workspace "$a"
check "run: exit 0" "$rc" 0
contains "run: reports the subjects" "$out" "20 subjects"
check "20 subjects registered" "$(q "$a" "SELECT count(*) FROM bail_subjects")" 20
for status in open acknowledged resolved; do
    got=$(q "$a" "SELECT count(*) > 0 FROM bail_alerts WHERE status = '$status'")
    check "alerts $status: some" "$got" 1
done
for kind in missed-checkin fence-breach forbidden-entry face-mismatch device-change \
    mock-location impossible-travel device-silent leave-overrun; do
    got=$(q "$a" "SELECT count(*) > 0 FROM bail_alerts WHERE kind = '$kind'")
    check "alerts $kind: some" "$got" 1
done
check "resolved alerts have notes" \
    "$(q "$a" "SELECT count(*) FROM bail_alerts WHERE status = 'resolved' AND resolution = ''")" 0
check "some alerts escalated" "$(q "$a" "SELECT count(*) > 0 FROM bail_alerts
    WHERE escalated_ms IS NOT NULL")" 1
check "every subject has check-ins" "$(q "$a" "SELECT count(*) FROM bail_subjects
    WHERE id NOT IN (SELECT subject_id FROM bail_checkins)")" 0
check "every subject has a trail" "$(q "$a" "SELECT count(*) FROM bail_subjects
    WHERE id NOT IN (SELECT subject_id FROM bail_positions)")" 0
check "most check-ins accepted" "$(q "$a" "SELECT sum(status = 'accepted') * 10 > count(*) * 7
    FROM bail_checkins")" 1
check "some check-ins rejected" "$(q "$a" "SELECT count(*) > 0 FROM bail_checkins
    WHERE status = 'rejected'")" 1
# ON_LEAVE is flag bit 3 (shujian/bail.h).
check "an approved leave with check-ins at its destination" "$(q "$a" "SELECT count(*) > 0
    FROM bail_leaves l JOIN bail_checkins c ON c.subject_id = l.subject_id
    WHERE l.status = 'approved' AND c.flags & 8 AND c.fix_ms >= l.start_ms
    AND c.fix_ms < l.end_ms")" 1
for status in submitted approved; do
    check "leaves $status: some" \
        "$(q "$a" "SELECT count(*) > 0 FROM bail_leaves WHERE status = '$status'")" 1
done
check "roster: two shifts a day per office, past and next week" "$(q "$a" "SELECT
    count(*) >= 7 * 2 * 3 FROM bail_roster")" 1
check "some days signed off" "$(q "$a" "SELECT count(*) > 0 FROM bail_signoffs")" 1
check "subjects in several offices" "$(q "$a" "SELECT count(DISTINCT office_id) FROM bail_subjects")" 3
check "the history ends at SHUJIAN_TODAY 16:00 China time" \
    "$(q "$a" "SELECT datetime(max(fix_ms) / 1000, 'unixepoch', '+8 hours') <= '$SHUJIAN_TODAY 16:00:00'
     AND datetime(max(fix_ms) / 1000, 'unixepoch', '+8 hours') >= '$SHUJIAN_TODAY 00:00:00'
     FROM bail_checkins")" 1

# --- the ledger holds every change ----------------------------------------------------------------
check "a ledger entry per check-in" "$(q "$a" "SELECT (SELECT count(*) FROM ledger_entries
    WHERE action = 'bail.checkin') = (SELECT count(*) FROM bail_checkins)")" 1
check "a ledger entry per alert" "$(q "$a" "SELECT (SELECT count(*) FROM ledger_entries
    WHERE action = 'bail.alert.raise') = (SELECT count(*) FROM bail_alerts)")" 1
check "a ledger entry per resolution" "$(q "$a" "SELECT (SELECT count(*) FROM ledger_entries
    WHERE action = 'bail.alert.resolve') = (SELECT count(*) FROM bail_alerts
    WHERE status = 'resolved')")" 1
run ledger verify --workspace "$a"
check "ledger verify: exit 0" "$rc" 0

# --- determinism ------------------------------------------------------------------------------------
run demo-bail --subjects 20 --days 7 --seed 7 --workspace "$tmp/b"
check "second run: exit 0" "$rc" 0
dump "$a" >"$tmp/dump.a"
dump "$tmp/b" >"$tmp/dump.b"
if cmp -s "$tmp/dump.a" "$tmp/dump.b"; then
    ok "same seed: same bail tables ($(wc -l <"$tmp/dump.a" | tr -d ' ') rows)"
else
    not_ok "same seed: same bail tables" "$(diff "$tmp/dump.a" "$tmp/dump.b" | head -5)"
fi
run demo-bail --subjects 20 --days 7 --seed 8 --workspace "$tmp/c"
dump "$tmp/c" >"$tmp/dump.c"
if cmp -s "$tmp/dump.a" "$tmp/dump.c"; then
    not_ok "another seed: other tables"
else
    ok "another seed: other tables"
fi

# --- refusals ---------------------------------------------------------------------------------------
run demo-bail --subjects 0 --workspace "$a"
check "--subjects 0: usage error" "$rc" 2
run demo-bail --days 91 --workspace "$a"
check "--days 91: usage error" "$rc" 2
run demo-bail --end 2026-13-01 --workspace "$a"
check "--end with a bad date: usage error" "$rc" 2
run demo-bail --office 9999 --workspace "$tmp/c"
check "unknown office: exit 1" "$rc" 1
mkdir "$tmp/noledger"
"$BIN" office add 4418 清远市人民检察院 --workspace "$tmp/noledger" >/dev/null
run demo-bail --workspace "$tmp/noledger"
check "no ledger: exit 1" "$rc" 1
plan
