#!/bin/sh
# tests/security/rescue.sh - the rescue file FILE.pfconsole-mine written as
# root when the console is stopped with unsaved edits (SIGHUP, SIGTERM): a
# planted symlink at that name is never followed (its target stays as it
# was), an earlier rescue file is never overwritten, and the edits land in
# a new file (FILE.pfconsole-mine.N) named on stderr.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
t="$TUI_DIR/etc/extra_senders"
echo "victim content" >"$TUI_DIR/victim"
ln -s "$TUI_DIR/victim" "$t.pfconsole-mine"
echo "earlier rescue" >"$t.pfconsole-mine.1"

# stop_with SIG LINE - open the table, type LINE unsaved, send SIG
stop_with() {
	tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
	tui_keys o; tui_type "hash:$t"; tui_keys Enter
	tui_keys a; tui_type "$2"; tui_keys Enter
	tui_expect "$1: an unsaved line" "$(printf '%s' "$2" | sed 's/\./\\./g')"
	kill -"$1" "$(pgrep -n -f "pfconsole -c $TUI_DIR/etc console")"
	is "$1: exit status 1" "$(tui_exited)" 1
}

stop_with HUP "hup.example REJECT"
is "the planted link's target is untouched" "$(cat "$TUI_DIR/victim")" "victim content"
[ -L "$t.pfconsole-mine" ] && ok "the link is still a link" || fail "the link is still a link"
is "the earlier rescue file is untouched" "$(cat "$t.pfconsole-mine.1")" "earlier rescue"
like "the edits are in a new file" "$(cat "$t.pfconsole-mine.2" 2>&1)" '^hup\.example REJECT$'
is "the new file is private (0600)" "$(stat -c %a "$t.pfconsole-mine.2" 2>&1)" 600

stop_with TERM "term.example REJECT"
like "SIGTERM: the next free name" "$(cat "$t.pfconsole-mine.3" 2>&1)" '^term\.example REJECT$'
is "SIGTERM: the earlier one is kept" "$(cat "$t.pfconsole-mine.2" 2>&1)" "hup.example REJECT"
is "the link's target is still untouched" "$(cat "$TUI_DIR/victim")" "victim content"
tap_done
