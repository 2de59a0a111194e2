#!/bin/sh
# tests/postfix/compat-pattern.sh - regexp: and pcre: tables answered from
# their source: pfconsole query agrees with postmap -q on rules of every
# kind (flags, negation, if/endif nesting, a missing endif, $N forms, other
# delimiters, continuation lines) and on the rules Postfix drops (bad regex,
# unknown flag, bad $N, '$' without a name).  No running Postfix.
. "$top_srcdir/tests/lib/tap.sh"
command -v postmap >/dev/null 2>&1 || skip_all "postmap is not installed"
d=$(mktemp -d "${TMPDIR:-/tmp}/pfc-cp.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$d"' EXIT
printf 'compatibility_level = 3.6\n' >"$d/main.cf"
export MAIL_CONFIG="$d"

cat >"$d/common" <<'EOF'
# both dialects
/^User@Example\.COM$/		REJECT ci $$5
/^Strict@x$/i			REJECT case-sensitive
/^(.+)@(sub)\.example\.org$/	REJECT $2 of $1 ${1}/$(2)
!/\./				no dot here
#^hash#delimited#		OK hash delimiter
/^cont$/	REJECT continued
   on the next line
if /@example\.net$/
if !/^postmaster@/
/^/				REJECT inside if
endif
/^postmaster@/			OK postmaster
endif
endif
/^empty$/
/^bad(regex$/			never
/^flag$/q			never
/^(g)$/				out $2
/^dollar$/			costs $ 5
/^after$/			reached
if /^never-matches$/
/^tail$/			unreachable
EOF
cat >"$d/re-extra" <<'EOF'
/@qq\.com$/!/^friend@/		REJECT qq but not friend
/^a+$/x				basic RE
/^line$/m			multi
EOF
cat >"$d/pc-extra" <<'EOF'
/^b.c$/s			no dotall
/^ a b $/x			extended
/^u(.+)/U			ungreedy $1
/^anch/A			anchored
EOF
cat "$d/re-extra" "$d/common" >"$d/re"
cat "$d/pc-extra" "$d/common" >"$d/pc"

cat >"$d/keys" <<'EOF'
user@example.com
USER@EXAMPLE.COM
Strict@x
strict@x
Joe@Sub.Example.org
nodot
bob@example.net
postmaster@example.net
cont
empty
bad(regex
flag
g
dollar
after
tail
spam@qq.com
friend@qq.com
a+
aaa
first
abc
ab
uvw
anchor
b.c
EOF

for t in regexp:re pcre:pc; do
	type=${t%%:*}; f=$d/${t#*:}
	postmap -q - "$type:$f" <"$d/keys" >"$d/want" 2>"$d/want.err"
	"$PFCONSOLE" query "$type:$f" - <"$d/keys" >"$d/got" 2>"$d/got.err"
	nans=$(wc -l <"$d/want")
	check "$type: postmap answers some keys ($nans)" [ "$nans" -ge 8 ]
	if cmp -s "$d/want" "$d/got"; then
		ok "$type: pfconsole query - = postmap -q - ($nans answers)"
	else
		fail "$type: answers differ" "$(diff "$d/want" "$d/got")"
	fi
	# one key at a time: value and exit status
	bad=""
	while IFS= read -r k; do
		a=$(postmap -q "$k" "$type:$f" 2>/dev/null); ra=$?
		b=$("$PFCONSOLE" query "$type:$f" "$k" 2>/dev/null); rb=$?
		[ "$a" = "$b" ] && [ "$ra" = "$rb" ] || bad="$bad
$k: postmap [$a] $ra, pfconsole [$b] $rb"
	done <"$d/keys"
	is "$type: every single-key query agrees (value and exit status)" "$bad" ""
	# the rules postmap drops are the ones we report
	pm_lines=$(grep -o 'line [0-9]*' "$d/want.err" | sort -u | sed 's/line //' | tr '\n' ' ')
	missing=""
	for l in $pm_lines; do
		grep -q "^$f:$l:" "$d/got.err" || missing="$missing $l"
	done
	is "$type: every line postmap warns about is reported ($pm_lines)" "$missing" ""
done
tap_done
