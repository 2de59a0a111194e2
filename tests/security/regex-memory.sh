#!/bin/sh
# tests/security/regex-memory.sh - a regexp: rule whose repetitions multiply
# ("a" and 30 '+': glibc's regcomp copies what each '+' repeats, 2^31 nodes)
# is refused before regcomp with bad-regex, in little memory and time, by
# check, query and explain; a heavy but reasonable rule still compiles and
# matches.  (libFuzzer found the first one: regcomp took over 2 GB.)
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plus=$(printf '+%.0s' $(seq 30))
cat >"$tmp/hc.regexp" <<EOF
/^Subject$plus:.*/i REJECT stacked
/^(To|Cc):.*(a{1,100}){1,100}/ HOLD heavy but fine
/^X-Spam: yes/ DISCARD plain
EOF
printf 'compatibility_level = 3.6\nheader_checks = regexp:%s/hc.regexp\n' "$tmp" >"$tmp/main.cf"
( ulimit -v 1000000; timeout -k 2 30 "$PFCONSOLE" check "regexp:$tmp/hc.regexp" >"$tmp/out" 2>&1; echo $? >"$tmp/rc" )
is "check ends with exit 1 (an error) within 30 s and 1 GB" "$(cat "$tmp/rc")" 1
like "the stacked rule is bad-regex at its line, saying why" "$(cat "$tmp/out")" \
	"^$tmp/hc.regexp:1:2: error: regexp: needs hundreds of megabytes to compile.*\\[bad-regex\\]"
is "the other rules are fine" "$(grep -c 'hc.regexp:[23]:' "$tmp/out")" 0
( ulimit -v 1000000; timeout -k 2 30 "$PFCONSOLE" query "regexp:$tmp/hc.regexp" "To: aaaa" >"$tmp/q" 2>/dev/null; echo $? >"$tmp/rc" )
is "query still answers from the rules that compile" "$(cat "$tmp/rc") $(cat "$tmp/q")" "0 HOLD heavy but fine"
( ulimit -v 1000000; timeout -k 2 30 "$PFCONSOLE" query "regexp:$tmp/hc.regexp" "X-Spam: yes" >"$tmp/q" 2>/dev/null; echo $? >"$tmp/rc" )
is "query: the rule after them" "$(cat "$tmp/rc") $(cat "$tmp/q")" "0 DISCARD plain"
tap_done
