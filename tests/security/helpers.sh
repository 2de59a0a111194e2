#!/bin/sh
# tests/security/helpers.sh - helpers run as root by absolute path with a
# clean environment: a postmap or journalctl earlier in PATH is never run;
# postmap and postfix come from main.cf's command_directory, and a
# command_directory (or program) that anyone but root could change is
# refused, with the reason - so `-c DIR` under sudo cannot make root run a
# user's program.
. "$top_srcdir/tests/lib/tap.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (the rules are about running as root)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir "$tmp/bin" "$tmp/etc"
for p in postmap postfix journalctl; do
	printf '#!/bin/sh\ntouch %s/ran-%s\nexit 0\n' "$tmp" "$p" >"$tmp/bin/$p"
	chmod 755 "$tmp/bin/$p"
done
printf 'compatibility_level = 3.6\n' >"$tmp/etc/main.cf"
printf 'k v\n' >"$tmp/etc/t"
/usr/sbin/postmap -c "$tmp/etc" "lmdb:$tmp/etc/t" 2>/dev/null || skip_all "postmap cannot build lmdb here"

# PATH is never searched
out=$(PATH="$tmp/bin:$PATH" "$PFCONSOLE" -c "$tmp/etc" query "lmdb:$tmp/etc/t" k 2>&1)
is "query lmdb answers through the real postmap" "$out" "v"
[ -e "$tmp/ran-postmap" ] && fail "a postmap in PATH is not run" || ok "a postmap in PATH is not run"
PATH="$tmp/bin:$PATH" timeout 10 "$PFCONSOLE" feed --log journal -n 1 >/dev/null 2>&1
[ -e "$tmp/ran-journalctl" ] && fail "a journalctl in PATH is not run" || ok "a journalctl in PATH is not run"

# command_directory from main.cf: root's own directory is used
printf 'compatibility_level = 3.6\ncommand_directory = %s/bin\n' "$tmp" >"$tmp/etc/main.cf"
"$PFCONSOLE" -c "$tmp/etc" query "lmdb:$tmp/etc/t" k >/dev/null 2>&1
[ -e "$tmp/ran-postmap" ] && ok "main.cf's command_directory/postmap is the one run" ||
	fail "main.cf's command_directory/postmap is the one run"
rm -f "$tmp/ran-postmap"

# ... but not when someone else could have put the program there
chmod 775 "$tmp/bin"
out=$("$PFCONSOLE" -c "$tmp/etc" query "lmdb:$tmp/etc/t" k 2>&1; echo "rc=$?")
like "group-writable command_directory: refused" "$out" "refusing to run $tmp/bin/postmap: directory $tmp/bin is not root's alone"
[ -e "$tmp/ran-postmap" ] && fail "... and not run" || ok "... and not run"
out=$("$PFCONSOLE" -c "$tmp/etc" reload 2>&1; echo "rc=$?")
like "reload: postfix from such a directory is refused" "$out" "refusing to run $tmp/bin/postfix"
[ -e "$tmp/ran-postfix" ] && fail "... and not run" || ok "... and not run"
chmod 755 "$tmp/bin"
chown 65534 "$tmp/bin/postfix"
out=$("$PFCONSOLE" -c "$tmp/etc" reload 2>&1; echo "rc=$?")
like "a postfix owned by another user is refused" "$out" "refusing to run $tmp/bin/postfix: owned by another user than root"
chown 0 "$tmp/bin/postfix"
chmod 757 "$tmp/bin/journalctl"
out=$(PFCONSOLE_JOURNALCTL=$tmp/bin/journalctl timeout 10 "$PFCONSOLE" feed --log journal 2>&1)
like "a world-writable journalctl is refused" "$out" "refusing to run $tmp/bin/journalctl: writable by group or others"
[ -e "$tmp/ran-journalctl" ] && fail "... and not run" || ok "... and not run"
tap_done
