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
# damaged inside: it opens, but the first item of bucket page 1 points
# outside its page (0xffff) - Postfix's lookups there read out of place
python3 - "$d/rcpt.db" <<'PY' || bail "python3 failed"
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
ps = struct.unpack("<I", b[20:24])[0]
b[ps + 26:ps + 28] = b"\xff\xff"
open(p, "wb").write(b)
PY
out=$("$PFCONSOLE" -c "$d" check 2>/dev/null); rc=$?
is "damaged page: check exits 1" "$rc" 1
like "damaged page: unreadable-map saying what is damaged, with the rebuild command" "$out" \
	"main.cf:2:[0-9]+: error: $d/rcpt\\.db is damaged: page 1, item 0 is out of place: .*rebuild it: pfconsole build hash:$d/rcpt \\[unreadable-map\\]\$"
"$PFCONSOLE" -c "$d" query "hash:$d/rcpt" a@example.com >/dev/null 2>&1; rc=$?
check "damaged page: query does not crash (exit $rc)" [ "$rc" -le 1 ]
"$PFCONSOLE" -c "$d" build >/dev/null 2>&1; rc=$?
is "damaged page: build rebuilds it (exit 0)" "$rc" 0
is "damaged page: check is clean again" "$("$PFCONSOLE" -c "$d" check 2>/dev/null)" ""
# a chain of bucket pages cut short (a damaged page link): every page left
# looks sound, but records that postmap -q finds no more are gone; the
# incremental adds and deletes make Postfix's own overflow chains
mkdir "$d/inc"
printf 'compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access hash:%s/inc/t\n' "$d" >"$d/inc/main.cf"
: >"$d/inc/t"
postmap -c "$d/inc" "hash:$d/inc/t"
python3 -c 'for i in range(30000): print("k%d@x.example OK %s" % (i, "v" * (i % 200)))' |
	postmap -c "$d/inc" -i "hash:$d/inc/t"
python3 -c 'for i in range(0, 30000, 2): print("k%d@x.example" % i)' | postmap -c "$d/inc" -d - "hash:$d/inc/t"
is "incremental postmap -i / -d: a sound index, no finding about it" \
	"$("$PFCONSOLE" -c "$d/inc" check 2>/dev/null | grep -c 'damaged')" 0
cut=$(python3 - "$d/inc/t.db" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
ps = struct.unpack("<I", b[20:24])[0]
for o in range(ps, len(b), ps):
    if b[o + 25] == 13 and struct.unpack("<I", b[o + 16:o + 20])[0] != 0:
        b[o + 16:o + 20] = b"\0\0\0\0"
        print(o // ps)
        break
open(p, "wb").write(b)
PY
)
check "a chained bucket page was found and cut (page $cut)" [ -n "$cut" ]
like "a cut chain: unreadable-map, the records no bucket reaches" "$("$PFCONSOLE" -c "$d/inc" check 2>/dev/null)" \
	"t\.db is damaged: page [0-9]+ holds [0-9]+ items that no bucket reaches .*\[unreadable-map\]"
printf 'garbage' >"$d/snd.cdb"; touch "$d/snd.cdb"
like "a garbage cdb too" "$("$PFCONSOLE" -c "$d" check 2>/dev/null)" "snd\\.cdb exists but cannot be read as a cdb table .*\\[unreadable-map\\]"
tap_done
