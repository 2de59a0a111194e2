#!/bin/sh
# pfconsole's lmdb build path (maps/map_postmap.c: keys folded by
# pfconsole, then "postmap -f lmdb:" on a private copy, renamed into place)
# gives the index `postmap lmdb:` itself makes: the same entries
# (`postmap -s`) and the same answer from `postmap -q` for every key, as
# written and upper-cased, on the demo's clean tables and on a table with
# the awkward cases (mixed case, continued lines, duplicates, IPv6,
# UTF-8, spaces in the value).  Afterwards check sees the index as current
# and no temporary file is left.  No Postfix instance: postmap only.
. "$top_srcdir/tests/lib/tap.sh"
postmap=/usr/sbin/postmap
[ -x "$postmap" ] || skip_all "postmap not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/pfc" "$work/ref"
printf 'compatibility_level = 3.6\n' >"$work/ref/main.cf"
/usr/sbin/postconf -c "$work/ref" -m 2>/dev/null | grep -qx lmdb || skip_all "Postfix has no lmdb support (postfix-lmdb)"

sh "$top_srcdir/demo/setup.sh" "$work/demo" >/dev/null 2>&1 || bail "demo/setup.sh failed"
tables="access_sender null_sender restricted_senders access_recipient awkward"
for t in access_sender null_sender restricted_senders access_recipient; do
	cp "$work/demo/$t" "$work/pfc/$t"
done
cat >"$work/pfc/awkward" <<'T'
# comments and blank lines are not entries

Spam@Example.COM       REJECT   spaced   out   text
example.net            OK
MIXED.case.example     DUNNO
continued.example      REJECT first part
    and the continuation
2001:DB8::1            REJECT v6 client
192.0.2.7              REJECT v4 client
Müller@Beispiel.DE     REJECT utf-8 key
@example.org           DISCARD
example.net            REJECT the duplicate: postmap keeps the first
T
{
	printf 'compatibility_level = 3.6\n'
	printf 'smtpd_restriction_classes =\n'
	printf 'smtpd_sender_restrictions ='
	for t in $tables; do printf ' check_sender_access lmdb:%s/pfc/%s' "$work" "$t"; done
	printf '\n'
} >"$work/pfc/main.cf"
for t in $tables; do cp "$work/pfc/$t" "$work/ref/$t"; done

for t in $tables; do
	"$PFCONSOLE" -c "$work/pfc" build "lmdb:$work/pfc/$t" >"$work/build.out" 2>&1
	check "pfconsole build lmdb:$t writes $t.lmdb" test -s "$work/pfc/$t.lmdb" ||
		sed 's/^/# /' "$work/build.out"
	"$postmap" -c "$work/ref" "lmdb:$work/ref/$t" 2>/dev/null
	test -s "$work/ref/$t.lmdb" || bail "postmap lmdb:$t failed"
	is "$t: the same entries as postmap's own index (postmap -s)" \
		"$("$postmap" -c "$work/ref" -s "lmdb:$work/pfc/$t" | LC_ALL=C sort)" \
		"$("$postmap" -c "$work/ref" -s "lmdb:$work/ref/$t" | LC_ALL=C sort)"
	keys=$(sed -n 's/^\([^#[:space:]][^[:space:]]*\).*/\1/p' "$work/pfc/$t")
	keys=$(printf '%s\n%s\nnot-there.example\n' "$keys" "$(printf '%s\n' "$keys" | tr a-z A-Z)")
	[ "$t" = awkward ] && like "the awkward table has its keys" "$keys" '^Müller@Beispiel\.DE$'
	is "$t: postmap -q answers every key the same" \
		"$(printf '%s\n' "$keys" | "$postmap" -c "$work/ref" -q - "lmdb:$work/pfc/$t")" \
		"$(printf '%s\n' "$keys" | "$postmap" -c "$work/ref" -q - "lmdb:$work/ref/$t")"
done
is "the duplicate: the first entry wins, as in postmap" \
	"$("$postmap" -c "$work/ref" -q example.net "lmdb:$work/pfc/awkward")" "OK"
like "a continued line is one value" \
	"$("$postmap" -c "$work/ref" -q continued.example "lmdb:$work/pfc/awkward")" \
	'^REJECT first part +and the continuation$'
is "upper-case lookup of a mixed-case key (folded)" \
	"$("$postmap" -c "$work/ref" -q MIXED.CASE.EXAMPLE "lmdb:$work/pfc/awkward")" "DUNNO"
unlike "check: the lmdb indexes are current (no stale-index)" \
	"$("$PFCONSOLE" -c "$work/pfc" check 2>&1)" 'stale-index'
is "no temporary file left next to the tables" \
	"$(ls -A "$work/pfc" | grep -v -e '\.lmdb$' -e '^main\.cf$' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' $tables | sort | tr '\n' ' ')"
tap_done
