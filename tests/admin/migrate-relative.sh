#!/bin/sh
# tests/admin/migrate-relative.sh - 'pfconsole -c DIR migrate' with a
# relative DIR: postfix is given the absolute directory (the real one
# refuses "-c etc": "fatal: -c requires absolute pathname", and migrate
# then restored main.cf and failed).  A fake postfix (PFCONSOLE_POSTFIX)
# records its arguments and, like the real one, refuses a relative -c;
# Postfix is "not running", so nothing is reloaded.  When postfix check
# fails, main.cf is restored and the new indexes the run built are removed
# (they were left behind, built tables nothing references).
. "$top_srcdir/tests/lib/tap.sh"
command -v postmap >/dev/null 2>&1 || skip_all "postmap not installed"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/etc"
for f in main.cf protected_destinations restricted_senders; do
	sed "s|@DIR@|$work/etc|g" "$top_srcdir/tests/data/check/seed2019/$f" >"$work/etc/$f"
done
: >"$work/etc/master.cf"
postconf -c "$work/etc" -m 2>/dev/null | grep -qx cdb || skip_all "Postfix has no cdb support (postfix-cdb)"
"$PFCONSOLE" -c "$work/etc" build >/dev/null 2>&1 || bail "pfconsole build failed"
cat >"$work/fakepostfix" <<EOT
#!/bin/sh
echo "\$*" >>"$work/postfix.args"
case \$2 in /*) ;; *) echo "postfix: fatal: -c requires absolute pathname" >&2; exit 1 ;; esac
case \$3 in check) exit 0 ;; *) exit 1 ;; esac
EOT
chmod +x "$work/fakepostfix"

# a stale index: the plan says the new index changes what Postfix answers
touch -d '1 hour ago' "$work/etc/restricted_senders.db"
out=$("$PFCONSOLE" -c "$work/etc" migrate --dry-run hash cdb 2>&1)
like "--dry-run notes the stale index" "$out" \
	"^  note: $work/etc/restricted_senders\.db is older than its source: the new index holds the source's entries"
unlike "and only that one" "$out" "note: $work/etc/protected_destinations"
"$PFCONSOLE" -c "$work/etc" build >/dev/null 2>&1 || bail "pfconsole build failed"

out=$(cd "$work" && PFCONSOLE_POSTFIX="$work/fakepostfix" "$PFCONSOLE" -c etc migrate --no-audit hash cdb 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
is "migrate with -c etc (relative) succeeds" "$rc" 0
is "postfix check was given the absolute directory" "$(grep ' check$' "$work/postfix.args")" "-c $work/etc check"
like "main.cf now names cdb tables" "$(cat "$work/etc/main.cf")" "check_sender_access cdb:$work/etc/restricted_senders"
check "the cdb index was built" test -f "$work/etc/restricted_senders.cdb"

# back to hash; postfix check fails: nothing of the run is left
cp "$work/etc/main.cf~" "$work/etc/main.cf"
rm -f "$work/etc"/*.cdb
: >"$work/etc/restricted_senders.cdb"   # there before the run: it stays
cat >"$work/badpostfix" <<EOT
#!/bin/sh
echo "postfix: fatal: something is wrong" >&2
exit 1
EOT
chmod +x "$work/badpostfix"
cp "$work/etc/main.cf" "$work/main.cf.before"
out=$(PFCONSOLE_POSTFIX="$work/badpostfix" "$PFCONSOLE" -c "$work/etc" migrate --no-audit hash cdb 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
is "postfix check fails: exit 1" "$rc" 1
check "main.cf is restored" cmp -s "$work/etc/main.cf" "$work/main.cf.before"
check "the new index is removed" test ! -e "$work/etc/protected_destinations.cdb"
like "and the output says so" "$out" "removed the new index $work/etc/protected_destinations\.cdb"
check "an index that was there before the run stays" test -e "$work/etc/restricted_senders.cdb"
check "the old hash indexes stay" test -f "$work/etc/restricted_senders.db"
tap_done
