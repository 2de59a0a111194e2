#!/bin/sh
# tests/tui/feed_memory.sh - the Live pane keeps at most 32 MiB of event
# lines: 1,500 rejects of 60 KiB each (lines are read whole up to 64 KiB)
# arriving while the console runs leave it well under 10,000 x 64 KiB
# (its resident size stays below 70 MB: 40 MB measured; keeping them all
# took 95 MB).
. "$top_srcdir/tests/tui/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"

sh "$top_srcdir/demo/setup.sh" "$TUI_DIR/etc" >/dev/null 2>&1 || bail "demo/setup.sh failed"
log="$TUI_DIR/mail.log"
: >"$log"
tui_start -c "$TUI_DIR/etc" --log "$log"
tui_keys 2
tui_expect "Live is shown" 'Live rejects'
python3 - "$log" <<'PY' || bail "python3 failed"
import sys, time
stamp = time.strftime("%b %d %H:%M:%S", time.gmtime()).replace(" 0", "  ")
with open(sys.argv[1], "a") as f:
    for i in range(1500):
        f.write(stamp + " mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: "
                "554 5.7.1 <%s>: Sender address rejected: no; from=<s%d@spam.example> "
                "to=<u@bar.org> proto=ESMTP helo=<h>\n" % ("x" * 60000, i))
PY
tui_expect "all 1,500 arrived" ' 1500 events' 30
pid=$(pgrep -n -f "^$PFCONSOLE -c $TUI_DIR/etc")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
echo "# console resident size: ${rss:-?} KiB"
if [ -n "$rss" ] && [ "$rss" -lt 70000 ]; then
	ok "the console's memory stays bounded (${rss} KiB)"
else
	fail "the console's memory stays bounded" "VmRSS ${rss:-unknown} KiB"
fi
tui_quit
tap_done
