#!/bin/sh
# tests/feed/rotation-stress.sh - pfconsole feed --follow while a writer
# that never waits appends (~15,000 lines a second, reopening the log
# after a SIGHUP as syslog daemons do) and the log is rotated 100 times,
# 5-25 ms apart: rename (the name missing until the writer reopens),
# create, copytruncate, and a symbolic link flipped between two files
# (every fifth rotation 2 ms after the one before).
# Every line that is in some file is printed exactly once, in order (for
# the link: in order unless it flipped there and back between two looks,
# when the order of the two files' new lines is unknowable); the
# only lines allowed to be missing are those copytruncate itself loses
# (written between its copy and its truncation: in no file), and the
# follower says on stderr that a copytruncate happened.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || bail "python3 is missing"

tmp=$(mktemp -d)
feedpid=
trap '[ -n "$feedpid" ] && kill "$feedpid" 2>/dev/null; rm -rf "$tmp"' EXIT
rotations=${ROTATIONS:-100}
marker='Nov 22 12:30:26 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 no; from=<m@x> to=<marker@bar.org> proto=ESMTP helo=<h>'

for mode in rename create copytruncate symlink; do
	d="$tmp/$mode"
	mkdir "$d"
	log="$d/mail.log"
	if [ "$mode" = symlink ]; then
		echo "$marker" >"$log.a"
		: >"$log.b"
		ln -s mail.log.a "$log"
	else
		echo "$marker" >"$log"
	fi
	"$PFCONSOLE" feed --log "$log" --follow -n 1 >"$d/out" 2>"$d/err" &
	feedpid=$!
	if ! wait_file "$d/out" 'marker@bar.org' 10; then
		fail "$mode: follower started" "$(cat "$d/err")"
		kill "$feedpid"; feedpid=
		continue
	fi
	if ! timeout -k 2 30 python3 "$top_srcdir/tests/feed/rotate_stress.py" "$log" "$mode" "$rotations"; then
		fail "$mode: the writer and the rotations ran"
	fi
	wait_file "$d/out" "end@bar.org" 20 || echo "# $mode: the last line did not arrive in 20 s"
	sleep 0.5       # a duplicate would come now
	kill "$feedpid"
	wait "$feedpid" 2>/dev/null
	feedpid=
	res=$(python3 "$top_srcdir/tests/feed/rotate_check.py" "$d" "$d/out")
	echo "# $mode: $res"
	set -- $res     # written W infiles F printed P repeated R lost L disorder D
	if [ "$mode" = symlink ]; then
		# a link flipped there and back between two looks: both files
		# grew, and which of their lines came first is not in them
		is "$mode: no line lost, none repeated" "$8 ${10}" "0 0"
	else
		is "$mode: no line lost, none repeated, none out of order" "$8 ${10} ${12}" "0 0 0"
	fi
	if [ "$mode" = copytruncate ]; then
		like "$mode: truncation noticed" "$(cat "$d/err")" "was truncated"
		like "$mode: stderr says copytruncate can lose lines" "$(cat "$d/err")" \
			'lines written between the copy and the truncation'
	else
		is "$mode: every line written is in a file" "$2" "$4"
		like "$mode: rotation noticed" "$(cat "$d/err")" 'rotated'
	fi
done
tap_done
