#!/bin/sh
# An index that exists but cannot be read as Postfix reads it (truncated,
# garbage, another format) is an unreadable-map error at the reference, with
# the command that rebuilds it; never a crash.  The real postmap cannot read
# it either; 'pfconsole build -c DIR' rebuilds it and check is clean again.
. "$top_srcdir/tests/lib/tap.sh"
command -v postmap >/dev/null 2>&1 || skip_all "postmap not installed"

d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
: >"$d/pm.cf"
cat >"$d/main.cf" <<EOF2
compatibility_level = 3.6
smtpd_recipient_restrictions = check_recipient_access hash:$d/rcpt, check_sender_access cdb:$d/snd, reject_unauth_destination
EOF2
printf 'a@example.com OK\n' >"$d/rcpt"
printf 'b@example.com REJECT\n' >"$d/snd"
postmap -c "$d" "hash:$d/rcpt" && postmap -c "$d" "cdb:$d/snd" || bail "postmap failed"
is "built by postmap: check is clean" "$("$PFCONSOLE" -c "$d" check 2>/dev/null)" ""

for kind in truncated garbage cdb-for-hash; do
	case $kind in
	truncated) head -c 100 "$d/rcpt.db" >"$d/x" && mv "$d/x" "$d/rcpt.db" ;;
	garbage) printf 'not a database at all\n' >"$d/rcpt.db" ;;
	cdb-for-hash) cp "$d/snd.cdb" "$d/rcpt.db" ;;
	esac
	touch "$d/rcpt.db"
	out=$("$PFCONSOLE" -c "$d" check 2>/dev/null); rc=$?
	is "$kind: check exits 1" "$rc" 1
	like "$kind: unreadable-map at the reference, with the rebuild command" "$out" \
		"main.cf:2:[0-9]+: error: $d/rcpt\\.db exists but cannot be read as a hash table .*rebuild it: pfconsole build hash:$d/rcpt \\[unreadable-map\\]\$"
	postmap -c "$d" -q a@example.com "hash:$d/rcpt" >/dev/null 2>&1; prc=$?
	check "$kind: the real postmap cannot read it either (exit $prc)" [ "$prc" -ne 0 ]
	"$PFCONSOLE" -c "$d" build >/dev/null 2>&1; rc=$?
	is "$kind: build rebuilds it (exit 0)" "$rc" 0
	is "$kind: the real postmap reads the rebuilt index" "$(postmap -c "$d" -q a@example.com "hash:$d/rcpt")" "OK"
	is "$kind: check is clean again" "$("$PFCONSOLE" -c "$d" check 2>/dev/null)" ""
done
printf 'garbage' >"$d/snd.cdb"; touch "$d/snd.cdb"
like "a garbage cdb too" "$("$PFCONSOLE" -c "$d" check 2>/dev/null)" "snd\\.cdb exists but cannot be read as a cdb table .*\\[unreadable-map\\]"
tap_done
