#!/bin/sh
# tests/tui/audit.sh - the audit line reaches the system log: in a private
# mount namespace (the machine's /dev is untouched) a datagram socket at
# /dev/log stands for syslogd; `pfconsole reload` (the Apply pipeline, with
# a stand-in postfix command) builds a stale index and must log one line,
# facility mail, tag pfconsole, saying who, which configuration, what the
# build put live (per table: keys added/removed/changed against the index it
# replaced, also for changes saved before this run) and that Postfix was
# not reloaded; the exact line is compared.  --no-audit logs nothing.
. "$top_srcdir/tests/lib/tap.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root for a private mount namespace"
command -v unshare >/dev/null 2>&1 || skip_all "unshare (util-linux) is missing"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"

dir=$(mktemp -d "${TMPDIR:-/tmp}/pfc-audit.XXXXXX")
# (the mounts live only in the namespaces: on the host the mount points
# are empty directories under $dir)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/etc"
for f in "$top_srcdir"/tests/tui/data/etc/*; do
	sed "s#@DIR@#$dir/etc#g" "$f" >"$dir/etc/$(basename "$f")"
done
cat >"$dir/postfix" <<'EOF2'
#!/bin/sh
# stand-in postfix: check passes, status says "not running"
case "$3" in check) exit 0 ;; status) exit 1 ;; *) exit 0 ;; esac
EOF2
chmod +x "$dir/postfix"

# ns.sh RUN... - in a new mount namespace: an overlay on /dev, a listener
# on /dev/log writing what it receives to $dir/syslog, then RUN
cat >"$dir/ns.sh" <<'EOF2'
set -e
# /dev as an overlay on the real one (device nodes kept, new names go to a
# tmpfs), the terminals bound back in
old=$AUDIT_DIR/olddev up=$AUDIT_DIR/upper
rm -f "$AUDIT_OUT.ready"   # this run's listener, not an earlier one
mkdir -p "$old" "$up"
mount --rbind /dev "$old"
mount -t tmpfs none "$up"
mkdir "$up/up" "$up/work"
mount -t overlay overlay -o "lowerdir=$old,upperdir=$up/up,workdir=$up/work" /dev
mount --rbind "$old/pts" /dev/pts
python3 - "$AUDIT_OUT" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
PY
lpid=$!
while [ ! -e "$AUDIT_OUT.ready" ]; do sleep 0.05; done
set +e
"$@"
rc=$?
sleep 0.3
kill $lpid
exit $rc
EOF2

export AUDIT_OUT="$dir/syslog" AUDIT_DIR="$dir" PFCONSOLE_POSTFIX="$dir/postfix"
out=$(unshare -m sh "$dir/ns.sh" "$PFCONSOLE" -c "$dir/etc" reload 2>&1); rc=$?
is "reload exits 0" "$rc" 0
like "the indexes were built" "$out" "built hash:$dir/etc/restricted_senders"
log=$(cat "$dir/syslog" 2>/dev/null)
like "one audit line reached /dev/log, facility mail, notice" "$log" '^<21>'
like "tagged pfconsole with its pid" "$log" 'pfconsole\[[0-9]+\]: user=root '
is "the exact line: who, the configuration, every table new, what was built" \
	"$(sed 's/^.*pfconsole\[[0-9]*\]: //' "$dir/syslog")" \
	"user=root config=$dir/etc applied: restricted_senders +1, access_client +1, protected_destinations +1; built 3 tables; postfix not running"
is "exactly one line" "$(grep -c 'user=root' "$dir/syslog")" 1
is "the host's /dev was not touched" "$(ls /dev/log 2>/dev/null)" ""

# changes saved earlier (by hand here: no session), put live by this build:
# counted against the index being replaced; under sudo, the person is named
: >"$dir/syslog"
sleep 1.1   # the sources newer than their indexes
printf '# senders\n163.com OK\nqq.com REJECT\nspam.example REJECT\n' >"$dir/etc/restricted_senders"
printf '# clients\n' >"$dir/etc/access_client"
out=$(SUDO_USER=alice unshare -m sh "$dir/ns.sh" "$PFCONSOLE" -c "$dir/etc" reload 2>&1); rc=$?
is "second reload exits 0" "$rc" 0
is "the exact line: +2 ~1 and -1 against the previous indexes, sudo's user" \
	"$(sed 's/^.*pfconsole\[[0-9]*\]: //' "$dir/syslog")" \
	"user=root (sudo: alice) config=$dir/etc applied: restricted_senders +2 ~1, access_client -1; built 2 tables; postfix not running"
like "reload prints the same line" "$out" \
	"^audit: +user=root \\(sudo: alice\\) config=$dir/etc applied: restricted_senders \\+2 ~1, access_client -1; built 2 tables"
unlike "no session dump" "$(cat "$dir/syslog")" 'changes:'
is "the host's /dev was not touched" "$(ls /dev/log 2>/dev/null)" ""

: >"$dir/syslog"
rm -f "$dir"/etc/*.db
out=$(unshare -m sh "$dir/ns.sh" "$PFCONSOLE" -c "$dir/etc" reload --no-audit 2>&1); rc=$?
is "--no-audit: exit 0" "$rc" 0
is "--no-audit: nothing logged" "$(cat "$dir/syslog")" ""

# nothing built, nothing reloaded: no audit line
: >"$dir/syslog"
out=$(unshare -m sh "$dir/ns.sh" "$PFCONSOLE" -c "$dir/etc" reload 2>&1)
is "nothing to do: nothing logged" "$(cat "$dir/syslog")" ""
tap_done
