#!/bin/sh
# Several MX hosts: feed reads several sources at once (--log more than
# once, a directory of per-host files as rsyslog writes them, journal-remote
# files through journalctl --directory/--file), merges them in time order,
# names each event's host, and --host keeps one host's events.
. "$top_srcdir/tests/lib/tap.sh"
work=$(mktemp -d)
trap 'kill $fpid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
fpid=

# mk STAMP HOST N - a reject line as rsyslog (RFC 3339 stamps) writes it
mk() {
	echo "$1 $2 postfix/smtpd[$3]: NOQUEUE: reject: RCPT from c$3.example[192.0.2.$3]: 554 5.7.1 <u$3@spam.example>: Sender address rejected: no; from=<u$3@spam.example> to=<foo@bar.org> proto=ESMTP helo=<c$3.example>"
}
mkdir -p "$work/remote/mx2"
{ mk 2026-11-02T10:00:01.000000+00:00 mx1 11
  mk 2026-11-02T10:00:03.000000+00:00 mx1 13
  mk 2026-11-02T10:00:05.000000+00:00 mx1 15; } >"$work/remote/mx1.log"
# mx2 logs in another zone: 11:00:02+01:00 is 10:00:02 UTC
{ mk 2026-11-02T11:00:02.000000+01:00 mx2 22
  mk 2026-11-02T11:00:04.000000+01:00 mx2 24; } >"$work/remote/mx2/mail.log"

# host and client of each event, in output order
order() { python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["host"], d["client_ip"])'; }
want="mx1 192.0.2.11
mx2 192.0.2.22
mx1 192.0.2.13
mx2 192.0.2.24
mx1 192.0.2.15"
got=$("$PFCONSOLE" feed --log "$work/remote/mx1.log" --log "$work/remote/mx2/mail.log" --json | order)
is "two --log files: merged in time order, each event with its host" "$got" "$want"
got=$("$PFCONSOLE" feed --log "$work/remote/mx2/mail.log" --log "$work/remote/mx1.log" --json | order)
is "... whatever the order of the --log options" "$got" "$want"
got=$("$PFCONSOLE" feed --log "$work/remote" --json | order)
is "a directory of per-host files (and per-host subdirectories)" "$got" "$want"
text=$("$PFCONSOLE" feed --log "$work/remote" | awk '{print $2, $5}')
is "text output names the host after the time" "$text" "mx1 c11.example[192.0.2.11]
mx2 c22.example[192.0.2.22]
mx1 c13.example[192.0.2.13]
mx2 c24.example[192.0.2.24]
mx1 c15.example[192.0.2.15]"
got=$("$PFCONSOLE" feed --log "$work/remote" --host mx2 --json | order)
is "--host mx2: only mx2's events" "$got" "mx2 192.0.2.22
mx2 192.0.2.24"
got=$("$PFCONSOLE" feed --log "$work/remote/mx1.log" --host MX2 --json | order)
is "--host on one source (case-insensitive): none of mx1's" "$got" ""
got=$("$PFCONSOLE" feed --log "$work/remote" -n 2 --json | order)
is "-n 2 over several sources: the last two of the merge" "$got" "mx2 192.0.2.24
mx1 192.0.2.15"
got=$("$PFCONSOLE" feed --log "$work/remote" --stats --host mx1 --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>&1)
is "--stats --host mx1 counts mx1's three" "$got" 3

# journal-remote: journalctl --directory / --file (a fake journalctl prints
# its arguments' source and one line per host)
cat >"$work/journalctl" <<SH
#!/bin/sh
for a in "\$@"; do case "\$a" in --directory=*|--file=*) echo "\$a" >>"$work/jargs" ;; esac; done
echo "2026-11-02T10:00:06.000000+00:00 mx3 postfix/smtpd[36]: NOQUEUE: reject: RCPT from c36.example[192.0.2.36]: 554 5.7.1 <u36@spam.example>: Sender address rejected: no; from=<u36@spam.example> to=<foo@bar.org> proto=ESMTP helo=<c36.example>"
SH
chmod 755 "$work/journalctl"
mkdir -p "$work/journal"
got=$(PFCONSOLE_JOURNALCTL=$work/journalctl "$PFCONSOLE" feed --log "$work/remote/mx1.log" \
	--log "journal-dir:$work/journal" --json | order)
is "journal-dir: merged with a file" "$got" "mx1 192.0.2.11
mx1 192.0.2.13
mx1 192.0.2.15
mx3 192.0.2.36"
is "... journalctl ran with --directory" "$(cat "$work/jargs")" "--directory=$work/journal"

# --follow: new lines on both hosts arrive, each with its host
"$PFCONSOLE" feed --log "$work/remote" --follow -n 0 --json >"$work/follow.out" 2>&1 &
fpid=$!
sleep 1
mk 2026-11-02T10:00:07.000000+00:00 mx1 17 >>"$work/remote/mx1.log"
mk 2026-11-02T11:00:08.000000+01:00 mx2 28 >>"$work/remote/mx2/mail.log"
i=0
while [ "$(grep -c . "$work/follow.out")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null; fpid=
is "--follow over a directory: new lines of both hosts, with their hosts" \
	"$(order <"$work/follow.out")" "mx1 192.0.2.17
mx2 192.0.2.28"
tap_done
