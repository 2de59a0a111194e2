#!/bin/sh
# Every diagnostic code in core/diag_codes.h is documented in doc/pfconsole.1
# (roff escapes such as \- \fB \(hy are removed before matching whole words).
# The checker is first run on planted input so it cannot pass by finding nothing.
. "$top_srcdir/tests/lib/tap.sh"

# codes DIAG_CODES_H - the code strings, one a line
codes() { sed -n 's/^[[:space:]]*DIAG_CODE([^,]*,[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }
# mantext MANPAGE - the page's text with roff escapes removed
mantext() {
	sed -e 's/\\(hy/-/g' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' \
	    -e 's/\\[&%]//g' "$1"
}
# undocumented DIAG_CODES_H MANPAGE - codes missing from the page
undocumented() {
	_text=$(mantext "$2")
	codes "$1" | while read -r c; do
		printf '%s\n' "$_text" | grep -Eq "(^|[^a-z0-9-])$c([^a-z0-9-]|\$)" || echo "$c"
	done
}

fake=$(mktemp -d); trap 'rm -rf "$fake"' EXIT
cat >"$fake/codes.h" <<'EOF'
/* DIAG_CODE(COMMENT, "not-a-code", ...) in a comment line is not a code */
DIAG_CODE(A, "missing-map", DIAG_ERROR, "x")
DIAG_CODE(B, "stale-index", DIAG_WARNING, "y")
DIAG_CODE(C, "bad-code", DIAG_ERROR, "z")
DIAG_CODE(D, "map", DIAG_ERROR, "only inside other words")
EOF
cat >"$fake/page.1" <<'EOF'
.TP
.B missing\-map
A table is missing.
.TP
\fBstale\(hyindex\fR
An index is stale.
bad-code-ish is not bad code; bad-codes neither.
EOF
is "the checker reads the codes" "$(codes "$fake/codes.h" | tr '\n' ' ')" "missing-map stale-index bad-code map "
is "the checker finds the undocumented codes" "$(undocumented "$fake/codes.h" "$fake/page.1" | tr '\n' ' ')" "bad-code map "

h=$top_srcdir/core/diag_codes.h man=$top_srcdir/doc/pfconsole.1
[ -f "$h" ] && [ -f "$man" ] || bail "missing $h or $man"
n=$(codes "$h" | wc -l)
like "core/diag_codes.h has codes" "$n" '^[1-9]'
missing=$(undocumented "$h" "$man")
for c in $(codes "$h"); do
	if [ -z "$(printf '%s\n' "$missing" | grep -Fx -- "$c")" ]; then
		ok "doc/pfconsole.1 documents $c"
	else
		fail "doc/pfconsole.1 documents $c" "add '$c' with its meaning to the DIAGNOSTICS section"
	fi
done
tap_done
