#!/bin/sh
# cli.sh - tests of `shujian face` through the real binary, speaking TAP. $1 is the path of
# the shujian binary. compare tells Collins from Collins (another framing, recompressed) and
# from Hopper, with the JSON fields the API promises; enrol seals a template under a key file
# made 0600 on first use, and nothing of the descriptor is readable in the database; verify
# records match and mismatch; unusable photos and usage errors exit 1 and 2.
. "$(dirname "$0")/../cli/lib.sh"
photos="$(cd "$(dirname "$0")/../data/face" && pwd)"
ws="$tmp/ws"

# --- compare ------------------------------------------------------------------------------------
run face compare "$photos/collins.jpg" "$photos/collins-crop.jpg" --json
check "compare, same person: exit 0" "$rc" 0
check "compare, same person: same" "$(field same)" "true"
check "compare: threshold" "$(field threshold)" "0.6"
check "compare: distance under the threshold" \
    "$(python3 -c "import sys; print(0 <= $(field distance) < 0.6)")" "True"
check "compare: ms is a positive number" "$(python3 -c "print($(field ms) > 0)")" "True"
run face compare "$photos/collins-crop.jpg" "$photos/hopper.jpg" --json
check "compare, different people: exit 1" "$rc" 1
check "compare, different people: not same" "$(field same)" "false"
check "compare, different people: distance over the threshold" \
    "$(python3 -c "print($(field distance) >= 0.6)")" "True"
run face compare "$photos/collins.jpg" "$photos/hopper.jpg"
contains "compare, text: says different people" "$out" "different people"
printf 'not a jpeg' >"$tmp/bad.jpg"
run face compare "$photos/collins.jpg" "$tmp/bad.jpg"
check "compare, not a JPEG: exit 1" "$rc" 1
contains "compare, not a JPEG: says why" "$err" "bad-photo"

# --- enrol, verify, forget ----------------------------------------------------------------------
run face enrol "$photos/collins.jpg" --subject 12 --workspace "$ws" --json
check "enrol: exit 0" "$rc" 0
check "enrol: a new template" "$(field replaced)" "false"
check "enrol: key file is private" "$(stat -c %a "$ws/keys/face.key")" "600"
check "enrol: key directory is private" "$(stat -c %a "$ws/keys")" "700"
check "enrol: template stored apart, sealed" "$(python3 - "$ws/workspace.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT subject_id, model, length(nonce), length(sealed) FROM face_templates").fetchall()
print(rows)
PY
)" "[(12, 'face-api-1.7.15/face_recognition_model', 24, 536)]"
run face enrol "$photos/collins-crop.jpg" --subject 12 --workspace "$ws" --json
check "enrol again: replaces" "$(field replaced)" "true"
run face verify "$photos/collins.jpg" --subject 12 --workspace "$ws" --json
check "verify, same person: exit 0" "$rc" 0
check "verify, same person: match" "$(field decision)" '"match"'
check "verify: model version" "$(field model)" '"face-api-1.7.15/face_recognition_model"'
check "verify: photo not kept" "$(field kept_photo)" "null"
run face verify "$photos/hopper.jpg" --subject 12 --workspace "$ws" --json
check "verify, someone else: exit 1" "$rc" 1
check "verify, someone else: mismatch" "$(field decision)" '"mismatch"'
check "verify: both verdicts recorded" "$(python3 - "$ws/workspace.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT group_concat(decision || ':' || (distance < threshold), ',') FROM "
                 "(SELECT * FROM face_checks ORDER BY id)").fetchone()[0])
PY
)" "match:1,mismatch:0"
check "verify: no photo directory" "$(test -e "$ws/face-photos" && echo yes || echo no)" "no"
run face verify "$tmp/bad.jpg" --subject 12 --workspace "$ws"
check "verify, not a JPEG: exit 1" "$rc" 1
contains "verify, not a JPEG: rejected" "$out" "rejected"
run face verify "$photos/collins.jpg" --subject 13 --workspace "$ws"
check "verify, subject not enrolled: exit 1" "$rc" 1
contains "verify, subject not enrolled: says so" "$err" "尚未登记人脸"
run face forget --subject 12 --workspace "$ws"
check "forget: exit 0" "$rc" 0
run face forget --subject 12 --workspace "$ws"
check "forget twice: exit 1" "$rc" 1

# --- usage --------------------------------------------------------------------------------------
run face
check "no subcommand: exit 2" "$rc" 2
run face compare "$photos/collins.jpg"
check "compare with one photo: exit 2" "$rc" 2
run face enrol "$photos/collins.jpg"
check "enrol without --subject: exit 2" "$rc" 2
run face verify "$photos/collins.jpg" --subject x
check "bad --subject: exit 2" "$rc" 2
run face frobnicate
check "unknown subcommand: exit 2" "$rc" 2
run face --help
check "help: exit 0" "$rc" 0
contains "help: names compare" "$out" "shujian face compare"
plan
