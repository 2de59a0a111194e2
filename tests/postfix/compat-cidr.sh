#!/bin/sh
# tests/postfix/compat-cidr.sh - cidr: tables (maps/map_cidr.c) against the
# real postmap: pfconsole query gives postmap -q's answer (value and exit
# status) for thousands of addresses on a table with IPv4 and IPv6 networks,
# bare addresses, '!' negation, IF/ENDIF, [v6]/len, continuation lines and
# the lines Postfix skips (host bits, bad mask value/length, bad address, no
# result, ENDIF without IF); check reports exactly the lines postmap warns
# about, with postmap's reason, at the right line and column.  No running
# Postfix.
. "$top_srcdir/tests/lib/tap.sh"
command -v postmap >/dev/null 2>&1 || skip_all "postmap is not installed"
d=$(mktemp -d "${TMPDIR:-/tmp}/pfc-cidr.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$d"' EXIT
printf 'compatibility_level = 3.6\n' >"$d/main.cf"
export MAIL_CONFIG="$d"

f=$d/clients.cidr
cat >"$f" <<'EOF'
# networks, in file order: the first match wins
192.0.2.0/25		REJECT low half
192.0.2.0/24		OK whole
192.0.2.77		REJECT shadowed host
198.51.100.7		REJECT single host
10.1.2.3/8		OK host bits: skipped
10.0.0.0/8		REJECT ten
10.0.0.0/33		OK bad mask length
10.0.0.0/x		OK bad mask value
10.0.0.0/		OK empty mask
300.1.2.0/24		OK bad network value
1.2.3		OK bad address
172.16.0.0/12
!203.0.113.0/24		DUNNO not 203.0.113/24
[2001:db8::]/32		REJECT v6 doc
[2001:db8:1::/48]	OK never reached
2001:db8:1:2::5/64	OK v6 host bits
fe80::/10	REJECT
  link local continued
IF 100.64.0.0/10
100.64.1.0/24		OK inside if
! ! 100.64.2.0/24	REJECT double negation
!100.64.3.0/24		DUNNO negated inside if
endif
ENDIF
::ffff:0:0/96		REJECT mapped
0.0.0.0/0		OK catch-all v4
IF !2001:db8::/32
::/0			DUNNO other v6
ENDIF
1.2.3.0/264		REJECT mask wraps to /8
[192.0.2.1		OK missing bracket
[192.0.2.1]x		OK garbage
!  10.0.0.1/8		OK negated, host bits
IF 10.0.0.1/8
10.128.0.0/265		REJECT mask wraps to /9
EOF

# addresses: around every network edge, plus a fixed pseudo-random spread
awk 'BEGIN {
	srand(20261203)
	split("192.0.2 198.51.100 10.1.2 10.255.255 172.16.0 172.31.255 203.0.113 203.0.114 100.64.1 100.64.2 100.64.3 100.127.255 100.128.0 1.2.3 9.9.9", n, " ")
	for (i in n) for (h = 0; h < 256; h += 7) print n[i] "." h
	for (i in n) { print n[i] ".0"; print n[i] ".255"; print n[i] ".127"; print n[i] ".128" }
	for (i = 0; i < 1500; i++)
		printf "%d.%d.%d.%d\n", int(rand() * 256), int(rand() * 256), int(rand() * 256), int(rand() * 256)
	for (i = 0; i < 300; i++)
		printf "2001:db8:%x::%x\n", int(rand() * 65536), int(rand() * 65536)
	for (i = 0; i < 200; i++)
		printf "%x:%x::%x\n", int(rand() * 65536), int(rand() * 65536), int(rand() * 65536)
	print "2001:db8::"; print "2001:db9::1"; print "2001:db7:ffff::1"
	print "fe80::1"; print "febf::1"; print "fec0::1"; print "::1"; print "::"
	print "::ffff:192.0.2.1"; print "::ffff:1.2.3.4"; print "2001:DB8::1"
	print "[192.0.2.1]"; print "192.0.2.1 "; print "999.1.1.1"; print "1.2.3"
	print "mail.example.com"; print "fe80::1%eth0"; print "0.0.0.0"; print "255.255.255.255"
}' >"$d/keys"
nkeys=$(wc -l <"$d/keys")

postmap -q - "cidr:$f" <"$d/keys" >"$d/want" 2>"$d/want.err"
"$PFCONSOLE" query "cidr:$f" - <"$d/keys" >"$d/got" 2>"$d/got.err"
nans=$(wc -l <"$d/want")
check "postmap answers most of the $nkeys keys ($nans)" [ "$nans" -ge 2000 ]
if cmp -s "$d/want" "$d/got"; then
	ok "pfconsole query - = postmap -q - ($nans answers for $nkeys keys)"
else
	fail "answers differ" "$(diff "$d/want" "$d/got" | head -20)"
fi
# every distinct answer appears (the table is exercised, not just its catch-all)
is "distinct answers" "$(cut -f2 "$d/want" | sort -u | wc -l | tr -d ' ')" \
	"$(cut -f2 "$d/got" | sort -u | wc -l | tr -d ' ')"
check "at least 10 distinct answers" [ "$(cut -f2 "$d/want" | sort -u | wc -l)" -ge 10 ]

# one key at a time: value and exit status (found 0, not found 1)
bad=""
for k in 192.0.2.5 192.0.2.200 192.0.2.77 10.1.2.3 10.0.0.1 172.16.1.1 203.0.113.9 \
	2001:db8:1::1 2001:db8:1:2::5 fe80::9 100.64.1.1 100.64.2.2 100.64.3.3 \
	100.65.0.1 ::ffff:192.0.2.1 1.2.3.4 8.8.8.8 2001:db9::1 '[192.0.2.5]' \
	999.1.1.1 1.2.3 mail.example.com 'fe80::1%eth0' ''; do
	a=$(postmap -q "$k" "cidr:$f" 2>/dev/null); ra=$?
	b=$("$PFCONSOLE" query "cidr:$f" "$k" 2>/dev/null); rb=$?
	[ "$a" = "$b" ] && [ "$ra" = "$rb" ] || bad="$bad
[$k]: postmap [$a] $ra, pfconsole [$b] $rb"
done
is "every single-key query agrees (value and exit status)" "$bad" ""

# a prefix length over 255 is read modulo 256 and the rule kept (/264 = /8)
printf '%s\n' '10.0.0.0/264 REJECT wrapped' '!192.0.2.0/280 OK not 192.0.2/24' >"$d/wrap.cidr"
bad=""
for k in 10.9.9.9 11.0.0.1 192.0.2.9 192.0.3.9; do
	a=$(postmap -q "$k" "cidr:$d/wrap.cidr" 2>&1); ra=$?
	b=$("$PFCONSOLE" query "cidr:$d/wrap.cidr" "$k" 2>&1); rb=$?
	[ "$a" = "$b" ] && [ "$ra" = "$rb" ] || bad="$bad [$k]: [$a] $ra vs [$b] $rb"
done
is "a wrapped prefix length: the answers and messages of postmap -q" "$bad" ""
is "postmap: 10.9.9.9 is in the wrapped /8" "$(postmap -q 10.9.9.9 "cidr:$d/wrap.cidr")" "REJECT wrapped"

# the inline form, and its syntax error
for t in 'cidr:{ {192.0.2.0/24 OK inline}, { !10.0.0.0/8 REJECT not ten } }' 'cidr:{ 192.0.2.0/24 OK }'; do
	bad=""
	for k in 192.0.2.1 10.0.0.1 8.8.8.8; do
		a=$(postmap -q "$k" "$t" 2>/dev/null); ra=$?
		b=$("$PFCONSOLE" query "$t" "$k" 2>/dev/null); rb=$?
		[ "$a" = "$b" ] && [ "$ra" = "$rb" ] || bad="$bad [$k]: [$a] $ra vs [$b] $rb"
	done
	is "inline $t: same answers" "$bad" ""
done
"$PFCONSOLE" query "cidr:$d/none" 1.2.3.4 >/dev/null 2>"$d/err"
is "a missing table: exit 1 as postmap" "$?" 1
grep -q "fatal: open $d/none: No such file or directory" "$d/err" && ok "a missing table: postmap's message" ||
	fail "a missing table: postmap's message" "$(cat "$d/err")"

# the lines Postfix skips: check reports exactly those, with postmap's reason
theirs=$(sed -n 's/^postmap: warning: cidr map [^,]*, line \([0-9]*\): .*/\1/p' "$d/want.err" | sort -nu)
check "postmap warns about skipped lines" [ -n "$theirs" ]
"$PFCONSOLE" -c "$d" check "cidr:$f" >"$d/check.out" 2>&1
is "check exits 1 (errors)" "$?" 1
ours=$(sed -n 's/^[^:]*:\([0-9]*\):[0-9]*: error: .*\[syntax\]$/\1/p' "$d/check.out" | sort -nu)
is "check: the lines Postfix warns about" "$(echo $ours)" "$(echo $theirs)"
bad=""
for n in $theirs; do
	reason=$(sed -n "s/^postmap: warning: cidr map [^,]*, line $n: //p" "$d/want.err" | head -1 |
		sed 's/: skipping this rule$//')
	grep "^$f:$n:" "$d/check.out" | grep -qF "$reason" || bad="$bad line $n: '$reason';"
done
is "check: postmap's reason on each line" "$bad" ""
# columns: the pattern after '!' / IF, the end of a line without result
for want in "$f:6:1: error: cidr: non-null host address bits in \"10.1.2.3/8\", perhaps you should use \"10.0.0.0/8\" instead" \
	"$f:12:1: error: cidr: bad address pattern: \"1.2.3\"" \
	"$f:13:14: error: cidr: no lookup result" \
	"$f:25:1: error: cidr: ENDIF without IF" \
	"$f:34:4: error: cidr: non-null host address bits in \"10.0.0.1/8\"" \
	"$f:35:4: error: cidr: non-null host address bits in \"10.0.0.1/8\"" \
	"$f:36:1: warning: cidr: prefix length /265 is read as /9 (Postfix keeps its low 8 bits): this rule matches 10.128.0.0/9 [wrapped-mask]"; do
	grep -qF "$want" "$d/check.out" && ok "check: ${want#"$f":}" ||
		fail "check: ${want#"$f":}" "$(cat "$d/check.out")"
done
# a bad result is checked as an access action, at its column
printf '192.0.2.0/24\tREJEKT x\n!10.0.0.0/8   OK\n' >"$d/client_access.cidr"
"$PFCONSOLE" -c "$d" check "cidr:$d/client_access.cidr" >"$d/check2.out" 2>&1
grep -q "^$d/client_access.cidr:1:14: error: 'REJEKT'" "$d/check2.out" &&
	ok "check: a cidr result is an access action (line 1 col 14)" ||
	fail "check: a cidr result is an access action (line 1 col 14)" "$(cat "$d/check2.out")"
# referenced from main.cf (file and inline): the same errors, the file's at
# its own line, the inline rule's at its reference (main.cf line 3, col 29)
cat >>"$d/main.cf" <<EOF
smtpd_client_restrictions = check_client_access cidr:$d/client_access.cidr,
	check_client_access cidr:{ {192.0.2.0/24 OK}, {10.0.0.1/8 REJECT} }
EOF
"$PFCONSOLE" -c "$d" check >"$d/check3.out" 2>&1
is "main.cf check: exit 1 (errors)" "$?" 1
grep -q "^$d/client_access.cidr:1:14: error: 'REJEKT'" "$d/check3.out" &&
	ok "main.cf check: the file's bad result at its line and column" ||
	fail "main.cf check: the file's bad result at its line and column" "$(cat "$d/check3.out")"
grep -qF "$d/main.cf:3:29:" "$d/check3.out" && grep "$d/main.cf:3:29:" "$d/check3.out" |
	grep -qF 'error: inline cidr rule 2: cidr: non-null host address bits in "10.0.0.1/8"' &&
	ok "main.cf check: the inline rule Postfix skips, at its reference" ||
	fail "main.cf check: the inline rule Postfix skips, at its reference" "$(cat "$d/check3.out")"
unlike "main.cf check: no missing-map for an existing cidr file" "$(cat "$d/check3.out")" 'missing-map|cannot read'
tap_done
