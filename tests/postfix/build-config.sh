#!/bin/sh
# tests/postfix/build-config.sh - "pfconsole build -c DIR" with no TYPE:PATH
# rebuilds exactly the stale indexed tables main.cf references, refuses to
# write anything when a table has errors, and the CLI contract (exit
# status, --json, usage errors) of build and query.  No running Postfix.
. "$top_srcdir/tests/lib/tap.sh"
d=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bc.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$d"' EXIT
cat >"$d/main.cf" <<EOF
compatibility_level = 3.6
smtpd_sender_restrictions = check_sender_access hash:$d/senders
smtpd_recipient_restrictions = check_recipient_access cdb:$d/recipients,
    permit_mynetworks, reject_unauth_destination
header_checks = regexp:$d/header_checks
EOF
printf 'spam@qq.com REJECT no\n<> DUNNO\n' >"$d/senders"
printf 'blocked@example.com REJECT gone\npostmaster@example.com OK\n' >"$d/recipients"
printf '/^Subject: viagra/ REJECT spam\n' >"$d/header_checks"

out=$("$PFCONSOLE" build -c "$d" 2>&1); rc=$?
is "first build exits 0" "$rc" 0
check "hash index built" [ -f "$d/senders.db" ]
check "cdb index built" [ -f "$d/recipients.cdb" ]
check "no index for the regexp table" [ ! -e "$d/header_checks.db" ]
like "build says what it built" "$out" "built $d/recipients.cdb"
is "query the cdb" "$("$PFCONSOLE" query "cdb:$d/recipients" BLOCKED@example.com)" "REJECT gone"
is "query the hash" "$("$PFCONSOLE" query "hash:$d/senders" '<>')" "DUNNO"

# nothing stale: nothing rebuilt
i1=$(stat -c %i "$d/senders.db"); i2=$(stat -c %i "$d/recipients.cdb")
"$PFCONSOLE" build -c "$d" >/dev/null 2>&1; rc=$?
is "second build exits 0" "$rc" 0
is "second build rebuilds nothing" "$(stat -c %i "$d/senders.db") $(stat -c %i "$d/recipients.cdb")" "$i1 $i2"

# only the stale one
sleep 1
printf 'spam@qq.com REJECT no\nham@qq.com OK\n' >"$d/senders"
"$PFCONSOLE" build -c "$d" >/dev/null 2>&1
check "the edited table was rebuilt" [ "$(stat -c %i "$d/senders.db")" != "$i1" ]
is "the other one was not" "$(stat -c %i "$d/recipients.cdb")" "$i2"
is "new entry visible" "$("$PFCONSOLE" query "hash:$d/senders" ham@qq.com)" "OK"

# an error in one table: that one is not written, the clean one is
sleep 1
printf 'blocked@example.com REJECT gone\nnew@example.com\n' >"$d/recipients"
printf 'spam@qq.com REJECT changed\n' >"$d/senders"
i1=$(stat -c %i "$d/senders.db")
out=$("$PFCONSOLE" build -c "$d" 2>&1); rc=$?
is "errors: exit 1" "$rc" 1
like "errors: reported as FILE:LINE:COL with the code" "$out" "^$d/recipients:2:1: error: .*\[syntax\]"
like "errors: the table not built is named" "$out" "cdb:$d/recipients not built: errors found in it"
check "errors: the clean stale table is built all the same" [ "$(stat -c %i "$d/senders.db")" != "$i1" ]
is "errors: cdb with the error unchanged" "$(stat -c %i "$d/recipients.cdb")" "$i2"
is "errors: the old index still answers (a key the new source dropped)" \
	"$("$PFCONSOLE" query "cdb:$d/recipients" postmaster@example.com 2>&1)" "OK"
left=$(ls -A "$d" | grep pfctmp)
is "errors: no temporary left" "$left" ""
json=$("$PFCONSOLE" build -c "$d" --json 2>/dev/null)
like "--json: one object per line" "$json" '^\{"file":".*recipients","line":2,"col":[0-9]+,"severity":"error","code":"syntax"'

# explicit targets and usage errors
"$PFCONSOLE" build "nosuchtype:$d/x" >/dev/null 2>&1
is "unknown type: exit 1" "$?" 1
out=$("$PFCONSOLE" build "regexp:$d/header_checks" 2>&1)
like "a pattern type has no index to build" "$out" 'bulk-mode creation'
"$PFCONSOLE" build --nosuchoption >/dev/null 2>&1
is "build: bad option exits 2" "$?" 2
"$PFCONSOLE" query "cdb:$d/recipients" >/dev/null 2>&1
is "query: no key exits 2" "$?" 2
"$PFCONSOLE" query nocolon key >/dev/null 2>&1
is "query: no TYPE: exits 2" "$?" 2
printf 'blocked@example.com REJECT gone\npostmaster@example.com OK\n' >"$d/recipients"
"$PFCONSOLE" build "cdb:$d/recipients" 2>/dev/null
out=$("$PFCONSOLE" query "cdb:$d/recipients" blocked@example.com nobody@x postmaster@EXAMPLE.com)
is "query: several keys print key<TAB>value" "$out" "$(printf 'blocked@example.com\tREJECT gone\npostmaster@EXAMPLE.com\tOK')"
out=$("$PFCONSOLE" query "regexp:$d/header_checks" 'SUBJECT: Viagra now')
is "query: regexp from the source, case-insensitive by default" "$out" "REJECT spam"
"$PFCONSOLE" query "regexp:$d/nosuch" x >/dev/null 2>&1
is "query: missing pattern file exits 1" "$?" 1

# a new index gets the owner and mode postmap gives it (root: the source's owner)
mkdir "$d/own"; chmod 755 "$d"
[ "$(id -u)" -eq 0 ] && chown 12345:23456 "$d/own"
modes=""
for m in 600 640 604 664 755; do
	printf 'a b\n' >"$d/own/s$m"; chmod $m "$d/own/s$m"
	[ "$(id -u)" -eq 0 ] && chown 12345:23456 "$d/own/s$m"
	MAIL_CONFIG=$d postmap "cdb:$d/own/s$m" "hash:$d/own/s$m" 2>/dev/null
	want=$(stat -c '%a %u:%g' "$d/own/s$m.cdb" "$d/own/s$m.db" | tr '\n' ' ')
	rm -f "$d/own/s$m.cdb" "$d/own/s$m.db"
	"$PFCONSOLE" build -c "$d" "cdb:$d/own/s$m" "hash:$d/own/s$m" 2>/dev/null
	got=$(stat -c '%a %u:%g' "$d/own/s$m.cdb" "$d/own/s$m.db" | tr '\n' ' ')
	[ "$got" = "$want" ] || modes="$modes
source $m: postmap $want, pfconsole $got"
	# a rebuild keeps what the old index had
	chmod 600 "$d/own/s$m.cdb"
	"$PFCONSOLE" build -c "$d" "cdb:$d/own/s$m" 2>/dev/null
	[ "$(stat -c %a "$d/own/s$m.cdb")" = 600 ] || modes="$modes
source $m: rebuild did not keep mode 600"
done
is "new indexes: owner and mode as postmap; rebuilds keep the old index's" "$modes" ""

# query warns, as postmap does, about an index older than its source
touch -d '-1 hour' "$d/recipients.cdb"; touch -d '-10 min' "$d/recipients"
out=$("$PFCONSOLE" query "cdb:$d/recipients" blocked@example.com 2>&1 >/dev/null)
like "query: stale index warned about like postmap" "$out" "warning: database $d/recipients.cdb is older than source file $d/recipients"

# other indexed types go through the real postmap (btree here)
printf 'Key.Example OK\nbücher.example REJECT b\nkey.example REJECT dup\n' >"$d/bt"
out=$("$PFCONSOLE" build -c "$d" "btree:$d/bt" 2>&1); rc=$?
is "btree: built through postmap (exit 0)" "$rc" 0
check "btree: index in place" [ -f "$d/bt.db" ]
is "btree: postmap reads it, first duplicate wins" "$(MAIL_CONFIG=$d postmap -q KEY.example "btree:$d/bt")" "OK"
is "btree: pfconsole query reads it" "$("$PFCONSOLE" -c "$d" query "btree:$d/bt" BÜCHER.example)" "REJECT b"
left=$(ls -A "$d" | grep pfctmp)
is "btree: no temporary left" "$left" ""
tap_done
