#!/bin/sh
# tests/explain/hashlock.sh - explain --batch and a hash table rebuilt by the
# real postmap IN PLACE while the batch runs: fed through a pipe, the batch
# holds no lock while it waits for input (postmap finishes at once) and the
# next probe sees the new table (no stale Berkeley DB pages); from and to
# regular files the answers are those of the table the batch started with.
. "$top_srcdir/tests/lib/tap.sh"
[ -x "$PFCONSOLE" ] || bail "no pfconsole binary at $PFCONSOLE"
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-explain-hashlock.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mydestination = local.test
local_recipient_maps =
smtpd_sender_restrictions = check_sender_access hash:$T/senders
smtpd_recipient_restrictions = permit_auth_destination, reject
CF
gen() {
	i=0
	while [ $i -lt 2000 ]; do
		echo "user$i@example.net $1 $i"
		i=$((i + 1))
	done >"$T/senders"
	/usr/sbin/postmap -c "$T" "hash:$T/senders" 2>/dev/null
}
gen "REJECT old" || skip_all "postmap cannot build hash tables here"
ino=$(stat -c %i "$T/senders.db")
probe() { printf '{"client":"192.0.2.1","sender":"user%s@example.net","recipient":"u@local.test"}\n' "$1"; }

mkfifo "$T/in" || bail "mkfifo"
"$PFCONSOLE" -c "$T" explain --batch - <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"
probe 7 >&3
# the table is opened at the first lookup (stdout is buffered: look at the fds)
n=0
while ! ls -l /proc/$pid/fd 2>/dev/null | grep -q 'senders\.db' && [ $n -lt 200 ]; do
	sleep 0.1
	n=$((n + 1))
done
sleep 0.5
# the batch is waiting for input now: postmap must get its lock at once
gen "REJECT new" &
g=$!
n=0
while kill -0 $g 2>/dev/null && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 $g 2>/dev/null; then
	fail "postmap rewrote the table while the batch waited for input" "postmap still blocked after 15 s"
	kill $g
else
	wait $g
	is "postmap rewrote the table while the batch waited for input" "$?" 0
fi
is "postmap rewrote it in place (same inode)" "$(stat -c %i "$T/senders.db")" "$ino"
probe 7 >&3
probe 8 >&3
probe 1999 >&3
exec 3>&-
wait $pid
is "batch exit status" "$?" 0
like "first answer from the table as it was" "$(sed -n 1p "$T/out")" 'rejected: old 7"'
like "the same key again: the new table, not a cached page" "$(sed -n 2p "$T/out")" 'rejected: new 7"'
like "next probe sees the new table" "$(sed -n 3p "$T/out")" 'rejected: new 8"'
like "and the last one" "$(sed -n 4p "$T/out")" 'rejected: new 1999"'

# regular files: the lock is kept across probes (released every 64); the
# batch still ends with every answer from one table and exits 0
i=0
while [ $i -lt 500 ]; do probe $i; i=$((i + 1)); done >"$T/probes"
"$PFCONSOLE" -c "$T" explain --batch "$T/probes" >"$T/out2" 2>"$T/err2"
is "batch from a file: exit status" "$?" 0
is "batch from a file: every probe answered from the table" \
	"$(grep -c 'Sender address rejected: new ' "$T/out2")" 500
tap_done
