#!/bin/sh
# ledger.sh - tests of `shujian ledger` through the real binary, speaking TAP. $1 is the
# path of the shujian binary. A fresh ledger verifies; entries appended with the hidden
# `append` are hashed and signed; an independent Python reading of the database (hashlib,
# sqlite3) recomputes every leaf hash and the tree head of the signed checkpoint; one byte
# changed with the sqlite3 shell makes verify exit 1 naming the entry; a checkpoint saved
# earlier is checked for consistency; usage errors exit 2.
. "$(dirname "$0")/lib.sh"

# independent WS CHECKPOINT_FILE: recomputes the leaf hashes and the tree head with Python
# from the stored fields (docs/LEDGER.md) and prints "<entries> <leaves ok> <root ok>".
independent() {
    python3 - "$1/workspace.db" "$2" <<'EOF'
import base64, hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT idx, at, actor, office, action, object_type, object_id, from_addr,"
                  " payload, record_hash FROM ledger_entries ORDER BY idx").fetchall()
def ns(b): return b"%d:%s," % (len(b), b)
def h(b): return hashlib.sha256(b).digest()
leaves, good = [], 0
for r in rows:
    fields = [b"shujian-ledger-entry/1", str(r[0]).encode()] + [x.encode() for x in r[1:9]]
    leaf = h(b"\x00" + b"".join(ns(f) for f in fields))
    good += leaf == r[9]
    leaves.append(leaf)
def mth(d):
    if not d: return h(b"")
    if len(d) == 1: return d[0]
    k = 1
    while k * 2 < len(d): k *= 2
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
print(len(rows), good == len(rows), mth(leaves[:size]) == root)
EOF
}

ws="$tmp/ws"

# --- no ledger yet ----------------------------------------------------------------------------
run ledger verify --workspace "$tmp/missing"
check "verify, missing workspace: exit 1" "$rc" 1
mkdir "$ws" && : >"$ws/workspace.db"
run ledger verify --workspace "$ws"
check "verify, no ledger: exit 1" "$rc" 1
contains "verify, no ledger: says so" "$err" "审计账本"

# --- a fresh ledger -----------------------------------------------------------------------------
run ledger init --workspace "$ws" --origin spp.example.cn/ledger
check "init: exit 0" "$rc" 0
contains "init: names the key file" "$out" "$ws/keys/ledger.key"
check "init: key file is private" "$(stat -c %a "$ws/keys/ledger.key")" "600"
run ledger init --workspace "$ws"
check "init twice: refused" "$rc" 3
run ledger verify --workspace "$ws"
check "verify, fresh ledger: exit 0" "$rc" 0
contains "verify, fresh ledger: OK" "$out" "OK"
run ledger checkpoint --workspace "$ws"
check "checkpoint of the empty tree" "$(printf '%s\n' "$out" | head -3 | tr '\n' ' ')" \
    "spp.example.cn/ledger 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= "

# --- appending --------------------------------------------------------------------------------
for i in 0 1 2 3 4; do
    "$BIN" ledger append --workspace "$ws" --actor 张伟 --office 某市人民检察院 \
        --action lead.status --object "lead:L000$i" --from 127.0.0.1 \
        --payload "{\"n\":$i,\"to\":\"verifying\"}" >"$tmp/out" 2>"$tmp/err"
    check "append $i: prints its index" "$(cat "$tmp/out")" "$i"
done
run ledger verify --workspace "$ws" --json
check "verify after appends: exit 0" "$rc" 0
check "verify --json: ok" "$(field ok)" "true"
check "verify --json: entries" "$(field entries_checked)" "5"
check "verify --json: key file checked" "$(field key_file_checked)" "true"
run ledger show --workspace "$ws" --json --from 1 --limit 2
check "show --json: from 1, 2 entries" "$(field entries.0.index),$(field entries.1.index)" "1,2"
check "show --json: canonical payload" "$(field entries.0.payload)" '{"n":1,"to":"verifying"}'
check "show --json: actor" "$(field entries.1.actor)" '"张伟"'
run ledger show --workspace "$ws"
contains "show: a table" "$out" "lead:L0004"
"$BIN" ledger checkpoint --workspace "$ws" >"$tmp/cp5"
check "checkpoint: size 5" "$(sed -n 2p "$tmp/cp5")" "5"
check "independent recomputation: leaves and root" "$(independent "$ws" "$tmp/cp5")" \
    "5 True True"
run ledger key --workspace "$ws"
keyid=$(printf '%s' "$out" | cut -d+ -f2)
sigid=$(tail -1 "$tmp/cp5" | cut -d' ' -f3 | base64 -d | head -c4 | od -An -tx1 | tr -d ' \n')
check "key ID of the verifier key signs the checkpoint" "$sigid" "$keyid"
run ledger checkpoint --workspace "$ws" --json
check "checkpoint --json: tree size" "$(field tree_size)" "5"

# --- a checkpoint saved earlier ----------------------------------------------------------------
"$BIN" ledger append --workspace "$ws" --actor 王芳 --action user.login --object user:wf >/dev/null
run ledger verify --workspace "$ws" --checkpoint "$tmp/cp5"
check "verify --checkpoint: exit 0" "$rc" 0
contains "verify --checkpoint: consistent" "$out" "checkpoint file: consistent"
printf 'not a checkpoint\n' >"$tmp/junk"
run ledger verify --workspace "$ws" --checkpoint "$tmp/junk"
check "verify --checkpoint junk: exit 3" "$rc" 3
run ledger verify --workspace "$ws" --checkpoint "$tmp/none"
check "verify --checkpoint missing file: exit 3" "$rc" 3

# --- one byte changed with the sqlite3 shell -----------------------------------------------------
cp -r "$ws" "$tmp/bad"
sqlite3 "$tmp/bad/workspace.db" "UPDATE ledger_entries SET actor = 'x' WHERE idx = 1" 2>"$tmp/err"
contains "the guard trigger refuses updates" "$(cat "$tmp/err")" "append-only"
sqlite3 "$tmp/bad/workspace.db" "DROP TRIGGER ledger_entries_no_update;
  UPDATE ledger_entries SET payload = replace(payload, '\"n\":3', '\"n\":4') WHERE idx = 3"
run ledger verify --workspace "$tmp/bad"
check "verify, one byte changed: exit 1" "$rc" 1
contains "verify, one byte changed: names the entry" "$out" "FAILED at entry 3 (entry-hash)"
run ledger verify --workspace "$tmp/bad" --json
check "verify --json: first bad index" "$(field first_bad_index)" "3"
check "verify --json: problem" "$(field problem)" '"entry-hash"'
check "independent recomputation sees it too" "$(independent "$tmp/bad" "$tmp/cp5")" \
    "6 False False"
cp -r "$ws" "$tmp/gone"
sqlite3 "$tmp/gone/workspace.db" "DROP TRIGGER ledger_entries_no_delete;
  DELETE FROM ledger_entries WHERE idx = 2"
run ledger verify --workspace "$tmp/gone"
check "verify, entry deleted: exit 1" "$rc" 1
contains "verify, entry deleted: names it" "$out" "FAILED at entry 2 (entry-missing)"

# --- SM3 -----------------------------------------------------------------------------------------
run ledger init --workspace "$tmp/sm3" --hash sm3
check "init --hash sm3: exit 0" "$rc" 0
"$BIN" ledger append --workspace "$tmp/sm3" --actor 李娜 --action a --object t:1 >/dev/null
run ledger verify --workspace "$tmp/sm3" --json
check "sm3 ledger verifies" "$(field ok),$(field hash)" "true,\"sm3\""

# --- usage ---------------------------------------------------------------------------------------
run ledger --help
check "ledger --help: exit 0" "$rc" 0
lacks "ledger --help: append is not advertised" "$out" "  append"
run ledger
check "ledger without subcommand: exit 2" "$rc" 2
run ledger frobnicate --workspace "$ws"
check "unknown subcommand: exit 2" "$rc" 2
run ledger show --from x --workspace "$ws"
check "show --from x: exit 2" "$rc" 2
run ledger init --hash md5 --workspace "$tmp/md5"
check "init --hash md5: exit 2" "$rc" 2
run ledger append --workspace "$ws" --actor a
check "append without --action/--object: exit 2" "$rc" 2
run help
contains "help lists ledger" "$out" "  ledger "

plan
