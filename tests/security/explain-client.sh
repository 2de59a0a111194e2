#!/bin/sh
# tests/security/explain-client.sh - explain sees the client address as
# smtpd does: invalid addresses (999.1.1.1, foo, 1.2.3, fe80::1%eth0) are
# refused (exit 2; a per-line error in --batch); ::ffff:1.2.3.4 is the IPv4
# address 1.2.3.4 (an IPv6 rule does not match it, the IPv4 entry does);
# 2001:db9:0::1 is canonicalised to 2001:db9::1 (the table entry is found).
# A PCRE match-limit error (an attacker's HELO against /^(a+)+$/) is what
# Postfix makes of it: a warning, and the next rule - in explain and query.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-sec-client.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mynetworks =
mydestination = d.example
local_recipient_maps =
smtpd_recipient_restrictions = check_client_access texthash:$T/c, check_client_access cidr:$T/c.cidr, check_helo_access pcre:$T/h.pcre, permit
CF
printf '2001:db9::1 REJECT v6 exact\n1.2.3.4 REJECT v4 exact\n' >"$T/c"
printf '::/0 REJECT any v6\n' >"$T/c.cidr"
printf '/^(a+)+$/ REJECT bad helo\n/!$/ REJECT second rule\n' >"$T/h.pcre"
E="$PFCONSOLE -c $T explain --sender a@b.example --recipient c@d.example"

for a in 999.1.1.1 foo 1.2.3 'fe80::1%eth0' '::ffff:999.1.1.1'; do
	err=$($E --client "$a" 2>&1 >/dev/null); rc=$?
	is "--client $a: refused (exit 2)" "$rc" 2
	like "--client $a: says why" "$err" 'not an IPv4 or IPv6 address as smtpd sees one'
done
out=$($E --client ::ffff:1.2.3.4)
like "::ffff:1.2.3.4 is 1.2.3.4 for smtpd: the IPv4 entry decides" "$out" '^rule: .*/c:2: 1\.2\.3\.4 REJECT'
unlike "... and the IPv6 rule does not" "$out" 'any v6'
out=$($E --client 2001:db9:0::1)
like "2001:db9:0::1 is 2001:db9::1: the table entry is found" "$out" '^rule: .*/c:1: 2001:db9::1 REJECT'
like "the reply names the canonical form" "$out" 'unknown\[2001:db9::1\]'

printf '%s\n' '{"client":"999.1.1.1","sender":"a@b.example","recipient":"c@d.example"}' \
	'{"client":"[2001:db9:0::1]","sender":"a@b.example","recipient":"c@d.example"}' >"$T/batch"
out=$($E --batch "$T/batch"; echo "rc=$?")
like "batch: a bad client is a per-line error" "$(printf '%s\n' "$out" | sed -n 1p)" \
	'^\{"error":"line 1: the client address is not an IPv4 or IPv6 address as smtpd sees one","client":"999\.1\.1\.1"\}$'
like "batch: the next line is answered" "$(printf '%s\n' "$out" | sed -n 2p)" '"decision":"reject"'
is "batch: exit 1" "$(printf '%s\n' "$out" | tail -1)" "rc=1"

helo=$(python3 -c 'print("a" * 40 + "!")')
out=$($E --client 192.0.2.1 --helo "$helo"; echo "rc=$?")
like "PCRE match limit: explain notes Postfix's warning" "$out" 'warning: pcre map .*h\.pcre, rule 1: .*match limit exceeded; rule skipped'
like "... and goes on with the next rule (not 451 4.3.5)" "$out" '^554 5\.7\.1 .*second rule'
out=$("$PFCONSOLE" -c "$T" query "pcre:$T/h.pcre" "$helo" 2>"$T/err"; echo "rc=$?")
is "query: the next rule answers, exit 0 (as postmap -q)" "$out" "REJECT second rule
rc=0"
like "query: the warning on stderr" "$(cat "$T/err")" '^pfconsole: warning: pcre map .*rule 1: .*match limit exceeded'
tap_done
