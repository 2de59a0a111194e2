#!/bin/sh
# tests/tui/live-slash.sh - / on Live rejects: the list has no search, so
# / filters (as f does) instead of doing nothing while the pattern typed
# after it ran as keys ("/qq.com": q, q left the console); and the help
# lists / only where it searches (Maps, the table editor).
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
for s in bulk@qq.com other@spam.example; do
	printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <%s>: Sender address rejected: Access denied; from=<%s> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n' \
		"$(stamp)" "$s" "$s" >>"$log"
done
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "both events in Live" 'other@spam\.example'
tui_keys /
tui_expect "/ asks for a filter pattern" '^filter'
tui_type 'qq.com'; tui_keys Enter
tui_expect "the list is filtered" 'bulk@qq\.com'
tui_wait_gone 'other@spam\.example' >/dev/null
tui_expect_not "the other event is filtered out" 'other@spam\.example'
tui_expect "the console is still there" 'pfconsole \| Live rejects'
tui_quit
keys=$("$PFCONSOLE" console --keys)
is "/ is bound on Maps, the editor (search) and Live (filter) only" \
	"$(printf '%s\n' "$keys" | awk '/^Keys: /{s=$0} /^  (\/|[a-zA-Z], \/)  /{print s}' | tr '\n' ';')" \
	"Keys: Maps;Keys: Table editor;Keys: Live rejects;"
tap_done
