#!/bin/sh
# Golden tests for 'pfconsole check': each directory tests/data/check/CASE
# holds a configuration (main.cf and master.cf with @DIR@ for its own
# directory, table sources), optional files
#   postmap.list  TYPE:NAME lines built with the real postmap before the run
#   args          arguments after 'check' (@DIR@ replaced), default none
#   touch.list    files whose mtime is set 1 hour ahead after building (stale)
# and the expected text output in 'expected' (paths as @DIR@) with the exit
# status in 'rc'.  The --json output is checked to be one valid object per
# text line, with the same codes.
. "$top_srcdir/tests/lib/tap.sh"

data=$top_srcdir/tests/data/check
command -v postmap >/dev/null 2>&1 || bail "postmap not installed (apt-get install postfix)"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/.pm" && : >"$work/.pm/main.cf"

for dir in "$data"/*/; do
	case=$(basename "$dir")
	[ -f "$dir/expected" ] || continue
	t=$work/$case
	mkdir -p "$t"
	cp -R "$dir". "$t/"
	rm -f "$t/expected" "$t/rc" "$t/postmap.list" "$t/args" "$t/touch.list"
	for f in main.cf master.cf; do
		[ -f "$t/$f" ] && sed -i "s|@DIR@|$t|g" "$t/$f"
	done
	if [ -f "$dir/postmap.list" ]; then
		while read -r ref; do
			[ -n "$ref" ] || continue
			postmap -c "$work/.pm" "${ref%%:*}:$t/${ref#*:}" 2>/dev/null ||
				bail "$case: postmap $ref failed"
		done <"$dir/postmap.list"
	fi
	if [ -f "$dir/touch.list" ]; then
		while read -r f; do touch -d '+1 hour' "$t/$f"; done <"$dir/touch.list"
	fi
	args=
	[ -f "$dir/args" ] && args=$(sed "s|@DIR@|$t|g" "$dir/args")
	# shellcheck disable=SC2086
	got=$(cd "$t" && "$PFCONSOLE" -c "$t" check $args 2>&1); rc=$?
	got=$(printf '%s\n' "$got" | sed "s|$t|@DIR@|g")
	want=$(cat "$dir/expected")
	is "$case: output" "$got" "$want"
	is "$case: exit status" "$rc" "$(cat "$dir/rc" 2>/dev/null || echo 0)"
	# shellcheck disable=SC2086
	json=$(cd "$t" && "$PFCONSOLE" -c "$t" check --json $args 2>/dev/null)
	jcodes=$(printf '%s\n' "$json" | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line:
        o = json.loads(line)
        assert set(o) == {"file", "line", "col", "severity", "code", "message"}, o
        print(o["code"])
' 2>&1)
	tcodes=$(printf '%s\n' "$want" | sed -n 's/.*\[\([a-z-]*\)\]$/\1/p')
	is "$case: --json gives the same codes" "$jcodes" "$tcodes"
done
[ "$tap_n" -gt 0 ] || bail "no cases found in $data"
tap_done
