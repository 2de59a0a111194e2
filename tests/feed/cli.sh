#!/bin/sh
# tests/feed/cli.sh - pfconsole feed options on a small fixed log: text and
# --json forms, --since (absolute and relative), --grep/--exclude, -n,
# --stats (text and JSON), sources (--log -, --log journal through a fake
# journalctl, main.cf maillog_file, the "tried" list), usage errors.
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/mail.log
cat >"$log" <<'EOT'
2026-11-02T10:00:00.000000+00:00 mx postfix/smtpd[1]: connect from a.example[192.0.2.1]
2026-11-02T10:00:01.000000+00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 554 5.7.1 <1@qq.com>: Sender address rejected: 521; from=<1@qq.com> to=<foo@bar.org> proto=ESMTP helo=<a.example>
2026-11-02T11:00:00.000000+00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from b.example[192.0.2.2]: 554 5.7.1 <2@163.com>: Sender address rejected: 521; from=<2@163.com> to=<foo@bar.org> proto=ESMTP helo=<b.example>
2026-11-02T12:00:00.000000+00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.3]: 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.3]; from=<x@ok.example> to=<bar@bar.org> proto=ESMTP helo=<c>
2026-11-02T13:00:00.000000+00:00 mx postfix/cleanup[2]: 4A3F2102458: hold: header Subject: hi from a.example[192.0.2.1]; from=<y@ok.example> to=<foo@bar.org> proto=ESMTP helo=<a.example>: held
EOT

out=$("$PFCONSOLE" feed --log "$log")
is "text: one line per event" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 4
is "text: first line" "$(printf '%s\n' "$out" | head -1)" \
	"2026-11-02T10:00:01.000000+00:00 reject RCPT a.example[192.0.2.1] 554 5.7.1 from=<1@qq.com> to=<foo@bar.org> helo=<a.example>: <1@qq.com>: Sender address rejected: 521"
is "text: header hold" "$(printf '%s\n' "$out" | tail -1)" \
	"2026-11-02T13:00:00.000000+00:00 hold header a.example[192.0.2.1] from=<y@ok.example> to=<foo@bar.org> helo=<a.example> text=\"Subject: hi\": held"
# the matched header is attacker-chosen: a quote in it cannot end text="..."
printf '%s\n' '2026-11-02T14:00:00.000000+00:00 mx postfix/cleanup[2]: 4A3F2102459: reject: header Content-Type: a; b="x" from=<ceo@b.example> from a.example[192.0.2.1]; from=<y@ok.example> to=<foo@bar.org> proto=ESMTP helo=<a.example>: 5.7.1 no' >"$tmp/q.log"
is "text: quotes inside text=\"...\" are escaped" "$("$PFCONSOLE" feed --log "$tmp/q.log")" \
	'2026-11-02T14:00:00.000000+00:00 reject header a.example[192.0.2.1] 5.7.1 from=<y@ok.example> to=<foo@bar.org> helo=<a.example> text="Content-Type: a; b=\"x\" from=<ceo@b.example>": no'
is "json: defer for 450" "$("$PFCONSOLE" feed --log "$log" --json | sed -n 3p | grep -o '"action":"[a-z]*","stage":"[A-Z]*"')" \
	'"action":"defer","stage":"RCPT"'
is "--since absolute" "$("$PFCONSOLE" feed --log "$log" --since 2026-11-02T11:00:00Z | wc -l | tr -d ' ')" 3
is "--since with an offset" "$("$PFCONSOLE" feed --log "$log" --since 2026-11-02T12:30+01:00 | wc -l | tr -d ' ')" 2
is "--since relative (-1h: none of 2026-11-02)" "$("$PFCONSOLE" feed --log "$log" --since -1h | wc -l | tr -d ' ')" 0
is "--exclude 'qq\\.com|163\\.com'" "$("$PFCONSOLE" feed --log "$log" --exclude 'qq\.com|163\.com' | wc -l | tr -d ' ')" 2
is "--grep twice: either matches" "$("$PFCONSOLE" feed --log "$log" --grep 'qq\.com' --grep 'Subject' | wc -l | tr -d ' ')" 2
is "-n 2: the last two" "$("$PFCONSOLE" feed --log "$log" -n 2 --json | grep -o '"from":"[^"]*"' | tr '\n' ' ')" \
	'"from":"x@ok.example" "from":"y@ok.example" '
is "-n 1 with --grep: the last matching" "$("$PFCONSOLE" feed --log "$log" -n 1 --grep 521 --json | grep -o '"from":"[^"]*"')" \
	'"from":"2@163.com"'
stats=$("$PFCONSOLE" feed --log "$log" --stats)
like "--stats: total" "$stats" '^4 events'
like "--stats: action and stage" "$stats" '2  reject RCPT'
like "--stats: reason without the address" "$stats" '2  Sender address rejected: 521'
like "--stats: sender domain" "$stats" '1  qq\.com'
like "--stats: client" "$stats" '2  a\.example\[192\.0\.2\.1\]'
like "--stats: recipient" "$stats" '3  foo@bar\.org'
is "--stats --json total" "$("$PFCONSOLE" feed --log "$log" --stats --json | grep -o '"total":[0-9]*')" '"total":4'
is "--stats --since" "$("$PFCONSOLE" feed --log "$log" --stats --json --since 2026-11-02T12:00Z | grep -o '"total":[0-9]*')" '"total":2'

# sources
is "--log - reads standard input" "$("$PFCONSOLE" feed --log - <"$log" | wc -l | tr -d ' ')" 4
mkdir "$tmp/bin"
cat >"$tmp/bin/journalctl" <<EOT
#!/bin/sh
echo "\$*" >"$tmp/journalctl.args"
cat "$log"
EOT
chmod +x "$tmp/bin/journalctl"
is "--log journal runs journalctl" "$(PFCONSOLE_JOURNALCTL=$tmp/bin/journalctl "$PFCONSOLE" feed --log journal | wc -l | tr -d ' ')" 4
like "journalctl arguments" "$(cat "$tmp/journalctl.args")" '-o short-iso-precise SYSLOG_FACILITY=2'
mkdir "$tmp/nobin"
ln -s "$(command -v sh)" "$tmp/nobin/sh"
err=$(PFCONSOLE_JOURNALCTL=$tmp/nobin/journalctl "$PFCONSOLE" feed --log journal 2>&1); rc=$?
is "--log journal without journalctl: exit 1" "$rc" 1
like "--log journal without journalctl: says so" "$err" 'journalctl: command not found'
printf '#!/bin/sh\necho "Failed to open journal" >&2\nexit 1\n' >"$tmp/bin/journalctl"
err=$(PFCONSOLE_JOURNALCTL=$tmp/bin/journalctl "$PFCONSOLE" feed --log journal 2>&1); rc=$?
is "failing journalctl: exit 1" "$rc" 1
like "failing journalctl: its status" "$err" 'journalctl failed \(exit status 1\)'
mkdir "$tmp/etc"
printf 'myhostname = x\nmaillog_file = %s\n' "$log" >"$tmp/etc/main.cf"
is "main.cf maillog_file is found" "$(PFCONSOLE_LOG_ROOT=$tmp/none "$PFCONSOLE" feed -c "$tmp/etc" | wc -l | tr -d ' ')" 4
printf 'maillog_file = %s/missing.log\n' "$tmp" >"$tmp/etc/main.cf"
err=$(PFCONSOLE_LOG_ROOT=$tmp/none "$PFCONSOLE" -c "$tmp/etc" feed 2>&1); rc=$?
is "no source: exit 1" "$rc" 1
like "no source: maillog_file tried" "$err" "missing\.log: No such file or directory \(maillog_file in main\.cf\)"
like "no source: /var/log/mail.log tried" "$err" '/var/log/mail\.log: No such file or directory'
like "no source: /var/log/maillog tried" "$err" '/var/log/maillog: No such file or directory'
like "no source: journal tried" "$err" 'systemd journal: '

# usage errors
"$PFCONSOLE" feed --log "$log" --since yesterdayish >/dev/null 2>&1
is "bad --since: exit 2" "$?" 2
err=$("$PFCONSOLE" feed --log "$log" --grep '(' 2>&1)
is "bad --grep: exit 2" "$?" 2
like "bad --grep: PCRE2 says why" "$err" "--grep '\(': missing closing parenthesis"
"$PFCONSOLE" feed --log "$log" --stats --follow >/dev/null 2>&1
is "--stats --follow: exit 2" "$?" 2
"$PFCONSOLE" feed --log "$tmp/nonexistent" >/dev/null 2>&1
is "unreadable --log: exit 1" "$?" 1
like "--help" "$("$PFCONSOLE" feed --help)" '^usage: pfconsole feed'
tap_done
