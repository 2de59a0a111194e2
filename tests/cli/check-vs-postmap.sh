#!/bin/sh
# Differential test: for regexp and pcre files full of broken rules, the
# lines 'pfconsole check' reports as dropped or broken (syntax, bad-regex,
# no-result errors) are exactly the lines the real postmap warns about when
# it opens the same file, and the reasons agree.
. "$top_srcdir/tests/lib/tap.sh"

command -v postmap >/dev/null 2>&1 || bail "postmap not installed (apt-get install postfix)"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/pm" && : >"$work/pm/main.cf"
postconf -c "$work/pm" -m 2>/dev/null | grep -qx pcre ||
	bail "pcre tables not available (apt-get install postfix-pcre)"

cat >"$work/a.regexp" <<'EOF2'
/^(foo|bar@example\.com$/   REJECT unbalanced
/[[:alpha:]+@x\.org$/       REJECT bad bracket
/^good@/                    OK
/^nores@
/^x@/q                      REJECT unknown flag
/^a@/!/^ab@/                REJECT second pattern
/^(.*)@y\.org$/             REJECT $2 out of range
/^(.*)@z\.org$/             REJECT $0
/^(.*)@w\.org$/             REJECT $name
!/^(.*)@v\.org$/            REJECT $1 negated
endif
frobnicate this
/^empty@/
/a{2,1}/                    REJECT bad interval
if /^b/
/^c/ OK
endif extra
if /^d/
EOF2
cat >"$work/b.pcre" <<'EOF2'
/^(foo|bar@example\.com$/   REJECT unbalanced
/(?<name>x/                 REJECT
/^ok@/                      OK
/^neg@/!/x/                 REJECT pcre has no second pattern
endif
frobnicate
/^noresult@/
/x/q                        REJECT unknown flag
/(a)/                       REJECT $2
/a/s                        REJECT fine
/a**/                       REJECT
/\k/                        REJECT
if /x/
/y/ OK
ENDIF
EOF2
cp "$top_srcdir/tests/data/check/patterns/senders.regexp" "$work/c.regexp"
cp "$top_srcdir/tests/data/check/patterns/senders.pcre" "$work/d.pcre"

for f in a.regexp b.pcre c.regexp d.pcre; do
	type=${f##*.}
	# postmap: "TYPE map FILE, line N: reason" (a rule can give two lines)
	theirs=$(cd "$work" && postmap -c "$work/pm" -q probe "$type:$f" 2>&1 |
		sed -n "s/^postmap: warning: $type map $f, line \([0-9]*\): .*/\1/p" | sort -nu)
	ours=$(cd "$work" && "$PFCONSOLE" -c "$work/pm" check -t "$type" "$f" 2>&1 |
		sed -n "s/^$f:\([0-9]*\):[0-9]*: error: .*\[\(syntax\|bad-regex\|no-result\)\]\$/\1/p" | sort -nu)
	[ -n "$theirs" ] || fail "$f: postmap gave warnings" "none: is postmap working?"
	is "$f: the lines Postfix warns about" "$(echo $ours)" "$(echo $theirs)"
	# the reasons: each Postfix reason text appears in our message for that line
	bad=
	for n in $theirs; do
		reason=$(cd "$work" && postmap -c "$work/pm" -q probe "$type:$f" 2>&1 |
			sed -n "s/^postmap: warning: $type map $f, line $n: //p" | head -1 |
			sed 's/: skipping this rule$//; s/: ignoring this rule$//; s/ -- .*//')
		mine=$(cd "$work" && "$PFCONSOLE" -c "$work/pm" check -t "$type" "$f" 2>&1 | grep "^$f:$n:")
		case $mine in
		*"$reason"*) ;;
		*) bad="$bad line $n: postmap '$reason' vs ours '$mine';" ;;
		esac
	done
	is "$f: the same reasons" "$bad" ""
done
# duplicate keys: the same ones as postmap finds when building, with
# smtputf8 on (ICU folding) and off (ASCII folding, compatibility_level 0)
printf 'Foo.example OK\nfoo.example REJECT\nCAF\303\211.example OK\ncaf\303\251.example REJECT\nSTRA\303\237E.example OK\nstrasse.example REJECT\n"a b"@x OK\n"a b"@X REJECT\nuniq.example OK\nk1 v\nK1 w\nK1 x\n' >"$work/dups"
for level in 3.6 0; do
	mkdir -p "$work/l$level"
	echo "compatibility_level = $level" >"$work/l$level/main.cf"
	theirs=$(postmap -c "$work/l$level" "hash:$work/dups" 2>&1 | grep -c 'duplicate entry')
	ours=$("$PFCONSOLE" -c "$work/l$level" check -t hash "$work/dups" 2>&1 | grep -c '\[duplicate-key\]$')
	[ "$theirs" -gt 0 ] || fail "level $level: postmap found duplicates" "none: is postmap working?"
	is "compatibility_level $level: as many duplicate keys as postmap finds" "$ours" "$theirs"
done

# lines postmap skips: no value, unbalanced quotes, indented first line,
# non-UTF-8 bytes (smtputf8 on): the same lines
printf '  indented first\nlonely\n"open quote REJECT\ncaf\351.example OK\nok.example REJECT bad \377 text\ngood OK\n' >"$work/skips"
theirs=$(postmap -c "$work/l3.6" "hash:$work/skips" 2>&1 |
	sed -n 's/^postmap: warning: [^,]*, line \([0-9]*\): .*/\1/p' | sort -nu)
ours=$("$PFCONSOLE" -c "$work/l3.6" check -t hash "$work/skips" 2>&1 |
	sed -n 's/^[^:]*:\([0-9]*\):[0-9]*: error: .*\[syntax\]$/\1/p' | sort -nu)
# postmap names no line for the indented first line; we say line 1
is "the lines postmap skips (plus the indented first line)" "$(echo $ours)" "1 $(echo $theirs)"
tap_done
