#!/bin/sh
# 'pfconsole build -c DIR' on the 2019 configuration (tests/data/check/seed2019,
# seeds/002) unchanged: REJECT 521 is advice (a warning), so both tables
# are built (exit 0, the warnings printed) and the real postmap reads them;
# --strict builds neither and exits 3; an error in one table never keeps the
# clean one from being built (exit 1, the broken one named on stderr).
. "$top_srcdir/tests/lib/tap.sh"
command -v postmap >/dev/null 2>&1 || skip_all "postmap not installed"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$top_srcdir"/tests/data/check/seed2019/main.cf "$top_srcdir"/tests/data/check/seed2019/protected_destinations \
	"$top_srcdir"/tests/data/check/seed2019/restricted_senders "$work/"
sed -i "s|@DIR@|$work|g" "$work/main.cf"
: >"$work/pm.cf"   # postmap -c: an empty configuration

"$PFCONSOLE" -c "$work" build --strict >"$work/out" 2>"$work/err"; rc=$?
is "--strict: warnings only exit 3" "$rc" 3
check "--strict: restricted_senders (with the warnings) is not built" [ ! -e "$work/restricted_senders.db" ]
like "--strict: stderr says why" "$(cat "$work/err")" "restricted_senders not built: errors or warnings \\(--strict\\)"
rm -f "$work"/*.db

"$PFCONSOLE" -c "$work" build >"$work/out" 2>"$work/err"; rc=$?
is "unchanged seed: build exits 0" "$rc" 0
like "the 521 lines are printed as warnings" "$(cat "$work/out")" \
	"^$work/restricted_senders:3:24: warning: .*\\[reject-text-looks-like-code\\]\$"
is "only warnings are printed" "$(grep -c ': error: ' "$work/out")" 0
like "protected_destinations was built" "$(cat "$work/err")" "built $work/protected_destinations.db"
like "its one entry is counted in the singular" "$(cat "$work/err")" \
	"built $work/protected_destinations.db from hash:$work/protected_destinations \\(1 entry\\)\$"
like "two entries in the plural" "$(cat "$work/err")" "restricted_senders \\(2 entries\\)\$"
like "restricted_senders was built" "$(cat "$work/err")" "built $work/restricted_senders.db"
is "the real postmap reads restricted_senders" "$(postmap -c "$work" -q qq.com "hash:$work/restricted_senders" 2>/dev/null)" "REJECT  521"
is "the real postmap reads protected_destinations" \
	"$(postmap -c "$work" -q foo@bar.org "hash:$work/protected_destinations" 2>/dev/null)" "good_senders_only"
# small tables leave a bucket page never written (all zero): an empty
# bucket, not a damaged index (check said "page 1: its 0 items do not
# reach its free-space offset 0")
out=$("$PFCONSOLE" -c "$work" check 2>&1)
unlike "check after build: no index is reported damaged" "$out" 'damaged|unreadable-map'
postmap -c "$work" "hash:$work/restricted_senders" "hash:$work/protected_destinations" 2>/dev/null
out=$("$PFCONSOLE" -c "$work" check 2>&1)
unlike "the same with postmap's indexes" "$out" 'damaged|unreadable-map'

# an error in one table: the other is still built
rm -f "$work"/*.db
printf 'broken.example\n' >>"$work/protected_destinations"
"$PFCONSOLE" -c "$work" build >"$work/out" 2>"$work/err"; rc=$?
is "an error in one table: exit 1" "$rc" 1
like "the error is printed" "$(cat "$work/out")" "^$work/protected_destinations:5:1: error: .*\\[syntax\\]\$"
check "the broken table is not built" [ ! -e "$work/protected_destinations.db" ]
like "and stderr names it" "$(cat "$work/err")" "hash:$work/protected_destinations not built: errors found in it"
like "the clean table is built" "$(cat "$work/err")" "built $work/restricted_senders.db"
is "the real postmap reads it" "$(postmap -c "$work" -q 163.com "hash:$work/restricted_senders" 2>/dev/null)" "REJECT  521"
tap_done
