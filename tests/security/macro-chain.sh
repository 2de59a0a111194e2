#!/bin/sh
# tests/security/macro-chain.sh - a main.cf chain of 40 names each used
# twice (2^40 bytes when expanded) must not hang check or explain, nor take
# all memory: the expansion stops growing far past any real value.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c '
print("compatibility_level = 3.6")
for i in range(40): print("p%d = $p%d $p%d" % (i, i + 1, i + 1))
print("p40 = x")
print("smtpd_recipient_restrictions = $p0")' >"$tmp/main.cf"
( ulimit -v 2000000; timeout -k 2 60 "$PFCONSOLE" -c "$tmp" check >/dev/null 2>&1; echo $? >"$tmp/rc1" )
( ulimit -v 2000000; timeout -k 2 60 "$PFCONSOLE" -c "$tmp" explain --client 192.0.2.1 --sender a@b.example --recipient c@d.example >/dev/null 2>&1; echo $? >"$tmp/rc2" )
is "check ends (exit 1: the chain expands to an unknown restriction)" "$(cat "$tmp/rc1")" 1
is "explain ends with an answer" "$(cat "$tmp/rc2")" 0
tap_done
