#!/bin/sh
# tests/tui/external.sh - a table changed by someone else: reloaded without
# a word when there are no unsaved edits; with unsaved edits a conflict
# choice (keep mine, take theirs, show the difference) where nothing is
# lost either way; a save never overwrites another save unseen.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'restricted_senders'
tui_keys Enter
tui_expect "editor open" '3 163\.com +REJECT'

# 1. no unsaved edits: silent reload
echo "evil.example REJECT" >>"$rs"
tui_expect "an external append shows up without a question" '4 evil\.example REJECT'
tui_expect_not "no conflict prompt" 'changed on disk'

# 2. unsaved edits, then an external change: the choice
tui_keys G a
tui_type "qq.com REJECT"
tui_keys Enter
tui_expect "our unsaved line" '5 qq\.com REJECT'
echo "other.example REJECT" >>"$rs"
tui_expect "the conflict choice appears" 'restricted_senders changed on disk under your edits: m merge, k keep mine, t theirs, d diff'
tui_keys d
tui_expect "d shows the difference: our line" '^\+ qq\.com REJECT'
tui_expect "and theirs" '^- other\.example REJECT'
tui_keys k
tui_expect "k first says that their line would be dropped" 'their 1 change would only be in restricted_senders~'
tui_keys y
tui_expect "y keeps ours and saves it" 'kept your edits and saved them; the other version \(not live\) is in /'
like "our line is on disk" "$(cat "$rs")" '^qq\.com REJECT$'
like "theirs is kept in the backup" "$(cat "$rs~")" '^other\.example REJECT$'

# 3. again, and take theirs: ours is written next to it
tui_keys a
tui_type "mine.example REJECT"
tui_keys Enter
tui_expect "another unsaved line" 'mine\.example REJECT'
echo "theirs.example REJECT" >>"$rs"
tui_expect "the conflict choice appears again" 'changed on disk under your edits'
tui_keys t
tui_expect "t takes theirs" 'took the version on disk; yours is in .*restricted_senders\.pfconsole-mine'
tui_expect "their line is shown" 'theirs\.example REJECT'
tui_expect_not "ours is no longer in the buffer" 'mine\.example'
like "ours is kept in FILE.pfconsole-mine" "$(cat "$rs.pfconsole-mine")" '^mine\.example REJECT$'
tui_expect_not "nothing unsaved now" 'unsaved edits'

# 4. two consoles on the same table: B's save does not overwrite A's unseen
tmux -L "$TUI_SOCK" new-window -d -t pfc:9 "cd '$TUI_DIR' && '$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'; sleep 600"
b_keys() { tmux -L "$TUI_SOCK" send-keys -t pfc:9 "$@"; }
b_type() { tmux -L "$TUI_SOCK" send-keys -t pfc:9 -l "$1"; }
b_wait() {
	deadline=$(( $(tui_now_ms) + TUI_TIMEOUT * 1000 ))
	until tmux -L "$TUI_SOCK" capture-pane -p -t pfc:9 | grep -Eq -- "$1"; do
		[ "$(tui_now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}
b_wait 'restricted_senders' && ok "console B is up" || fail "console B is up"
b_keys / ; b_type restricted_senders; b_keys Enter Enter G a
b_type "b.example REJECT"; b_keys Enter
b_wait 'b\.example REJECT' && ok "B has an unsaved line" || fail "B has an unsaved line"
tui_keys G a; tui_type "a.example REJECT"; tui_keys Enter s
tui_expect "A saves first" 'saved restricted_senders'
b_wait 'changed on disk under your edits' && ok "B is asked, not overwritten" ||
	fail "B is asked, not overwritten" "$(tmux -L "$TUI_SOCK" capture-pane -p -t pfc:9)"
like "A's line is on disk" "$(cat "$rs")" '^a\.example REJECT$'
unlike "B's is not (yet)" "$(cat "$rs")" 'b\.example'
b_keys k
b_wait 'their 1 change would only be in restricted_senders~' && ok "B is told A's line would be dropped" ||
	fail "B is told A's line would be dropped"
b_keys y
b_wait 'kept your edits and saved them' && ok "B chose to keep its edits" || fail "B chose to keep its edits"
like "B's version is on disk" "$(cat "$rs")" '^b\.example REJECT$'
like "A's version is in the backup" "$(cat "$rs~")" '^a\.example REJECT$'
b_keys Q
tui_expect "A hears of B's save and reloads silently (no unsaved edits)" 'b\.example REJECT'
tui_quit
tap_done
