#!/bin/sh
# Each diagnostic code's severity in core/diag_codes.h is the one the man
# page's severity table gives it ("(error) why" / "(warning; error when ...)":
# the first word is the default severity), so the page cannot say warning
# for a code pfconsole reports as an error.  The parser is first run on
# planted input so it cannot pass by finding nothing.
. "$top_srcdir/tests/lib/tap.sh"

# sevs DIAG_CODES_H - "code severity" lines (severity: error|warning)
sevs() {
	sed -n 's/^[[:space:]]*DIAG_CODE([^,]*,[[:space:]]*"\([^"]*\)",[[:space:]]*DIAG_\([A-Z]*\),.*/\1 \2/p' "$1" |
		tr 'A-Z' 'a-z'
}
# mansev MANPAGE CODE - the first word in parentheses of the line after ".B CODE"
mansev() {
	_c=$(printf '%s' "$2" | sed 's/-/\\\\-/g')
	sed -n "/^\\.B $_c\$/{n;s/^(\\([a-z]*\\).*/\\1/p;q}" "$1"
}

fake=$(mktemp -d); trap 'rm -rf "$fake"' EXIT
cat >"$fake/codes.h" <<'EOF2'
/* DIAG_CODE(X, "in-comment", DIAG_ERROR, "not a code") */
DIAG_CODE(A, "missing-map", DIAG_ERROR, "x")
DIAG_CODE(B, "stale-index", DIAG_WARNING, "y")
EOF2
cat >"$fake/page.1" <<'EOF2'
.TP
.B missing\-map
(warning) wrong on purpose
.TP
.B stale\-index
(warning; error when absent) why
EOF2
is "the parser reads codes and severities" "$(sevs "$fake/codes.h" | tr '\n' ' ')" "missing-map error stale-index warning "
is "the parser reads the page's severity" "$(mansev "$fake/page.1" missing-map) $(mansev "$fake/page.1" stale-index)" "warning warning"

h=$top_srcdir/core/diag_codes.h man=$top_srcdir/doc/pfconsole.1
[ -f "$h" ] && [ -f "$man" ] || bail "missing $h or $man"
n=0
while read -r code sev; do
	n=$((n + 1))
	got=$(mansev "$man" "$code")
	is "$code: the man page says $sev" "$got" "$sev"
done <<EOF2
$(sevs "$h")
EOF2
check "codes found ($n)" [ "$n" -ge 25 ]
# the severity rule itself is written down
like "the man page states the severity rule" "$(sed 's/\\-/-/g' "$man")" 'Severity rule'
like "doc/design.md states the severity rule" "$(cat "$top_srcdir/doc/design.md")" 'Severity rule'
tap_done
