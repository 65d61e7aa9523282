#!/bin/sh
# store.sh - tests of the workspace commands (`shujian datasets`, `show`, `rejects`, `drop`)
# through the real binary, speaking TAP. $1 is the path of the shujian binary. Rows cannot
# be created from the shell until `shujian import` exists, so this covers workspaces that
# are missing or empty, datasets that do not exist, option parsing and exit statuses.
# JSON is read with python3 (meson needs it, so it is always there).
. "$(dirname "$0")/lib.sh"

# --- a workspace that does not exist ----------------------------------------------------
missing="$tmp/no-such-workspace"
run datasets --workspace "$missing"
check "datasets, missing workspace: exit 1" "$rc" 1
contains "datasets, missing workspace: names the directory" "$err" "$missing"
check "datasets, missing workspace: nothing on stdout" "$out" ""
if [ -e "$missing" ]; then not_ok "datasets does not create a workspace"; else
    ok "datasets does not create a workspace"; fi
for cmd in show rejects drop; do
    run "$cmd" 人员 --workspace "$missing"
    check "$cmd, missing workspace: exit 1" "$rc" 1
done

# --- an empty workspace (an empty file is an empty SQLite database) ------------------------
ws="$tmp/ws"
mkdir "$ws" && : >"$ws/workspace.db"
run datasets --workspace "$ws"
check "datasets, empty workspace: exit 0" "$rc" 0
check "datasets, empty workspace: says so" "$out" "No datasets in workspace $ws."
check "datasets, empty workspace: no error" "$err" ""
run datasets --workspace="$ws" --json
check "datasets --json: exit 0" "$rc" 0
check "datasets --json: empty list" "$(field datasets)" "[]"
check "datasets --json: workspace" "$(field workspace)" "\"$ws\""
# The schema version grows with every migration; a migrated workspace has the newest (>= 1).
schema=$(field schema_version)
case "$schema" in
[1-9] | [1-9][0-9]) ok "datasets --json: schema migrated (version $schema)" ;;
*) not_ok "datasets --json: schema migrated" "got: $schema" ;;
esac

# --- the workspace from $SHUJIAN_WORKSPACE, else ./shujian-data ----------------------------
SHUJIAN_WORKSPACE="$ws" run datasets --json
check "\$SHUJIAN_WORKSPACE picks the workspace" "$(field workspace)" "\"$ws\""
SHUJIAN_WORKSPACE="$tmp/elsewhere" run datasets --json --workspace "$ws"
check "--workspace wins over \$SHUJIAN_WORKSPACE" "$(field workspace)" "\"$ws\""
mkdir "$tmp/cwd" "$tmp/cwd/shujian-data" && : >"$tmp/cwd/shujian-data/workspace.db"
out=$(cd "$tmp/cwd" && "$BIN" datasets --json 2>&1)
check "default workspace is ./shujian-data" "$out" "$(printf '{\n  "workspace": "./shujian-data",\n  "schema_version": %s,\n  "datasets": []\n}' "$schema")"

# --- datasets that do not exist ------------------------------------------------------------
for cmd in show rejects drop; do
    run "$cmd" 人员 --workspace "$ws"
    check "$cmd, no such dataset: exit 1" "$rc" 1
    contains "$cmd, no such dataset: names it" "$err" "“人员”"
done
run show 人员 --workspace "$ws" --json --limit 5
check "show --json, no such dataset: nothing on stdout" "$out" ""

# --- usage ---------------------------------------------------------------------------------
run show --workspace "$ws"
check "show without DATASET: exit 2" "$rc" 2
run show a b --workspace "$ws"
check "show with two datasets: exit 2" "$rc" 2
run show a --limit x --workspace "$ws"
check "show --limit x: exit 2" "$rc" 2
contains "show --limit x: says why" "$err" "--limit"
run show a --limit 0 --workspace "$ws"
check "show --limit 0: exit 2" "$rc" 2
run show a --offset -1 --workspace "$ws"
check "show --offset -1: exit 2" "$rc" 2
run datasets --bogus
check "datasets --bogus: exit 2" "$rc" 2
contains "datasets --bogus: names the option" "$err" "--bogus"
run datasets --workspace
check "--workspace without a value: exit 2" "$rc" 2
run datasets extra --workspace "$ws"
check "datasets takes no argument: exit 2" "$rc" 2
run drop --json a --workspace "$ws"
check "drop has no --json: exit 2" "$rc" 2
for cmd in datasets show rejects drop; do
    run "$cmd" --help
    check "$cmd --help: exit 0" "$rc" 0
    contains "$cmd --help: usage" "$out" "usage: shujian $cmd"
done
run help
for cmd in datasets show rejects drop; do
    contains "help lists $cmd" "$out" "  $cmd "
done

plan
