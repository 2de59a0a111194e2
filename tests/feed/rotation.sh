#!/bin/sh
# tests/feed/rotation.sh - pfconsole feed --follow while a writer appends and
# the log is rotated (rename + create, copytruncate, delete + recreate, all
# mixed), with lines written in pieces: every line arrives exactly once, in
# order.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || bail "python3 is missing"

tmp=$(mktemp -d)
feedpid=
trap '[ -n "$feedpid" ] && kill "$feedpid" 2>/dev/null; rm -rf "$tmp"' EXIT
count=300

for mode in rename copytruncate delete mixed; do
	d="$tmp/$mode"
	mkdir "$d"
	log="$d/mail.log"
	# a marker event, so we know the follower runs before the writer starts
	echo 'Nov 22 12:30:26 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 no; from=<m@x> to=<marker@bar.org> proto=ESMTP helo=<h>' >"$log"
	"$PFCONSOLE" feed --log "$log" --follow -n 1 --json >"$d/out" 2>"$d/err" &
	feedpid=$!
	if ! wait_file "$d/out" 'marker@bar.org' 10; then
		fail "$mode: follower started" "$(cat "$d/err")"
		kill "$feedpid"; feedpid=
		continue
	fi
	python3 "$top_srcdir/tests/feed/writer.py" "$log" "$mode" "$count"
	wait_file "$d/out" "rcpt-$count@" 15
	sleep 0.3       # a duplicate would come now
	kill "$feedpid"
	wait "$feedpid" 2>/dev/null
	feedpid=
	got=$(grep -o '"to":"rcpt-[0-9]*@' "$d/out" | tr -dc '0-9\n' | tr '\n' ' ')
	want=$(seq 1 "$count" | tr '\n' ' ')
	is "$mode: every line exactly once, in order" "$got" "$want"
	case $mode in
	copytruncate) like "$mode: truncation noticed" "$(cat "$d/err")" 'truncated' ;;
	*) like "$mode: rotation noticed" "$(cat "$d/err")" 'rotated' ;;
	esac
done
tap_done
