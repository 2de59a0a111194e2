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
tui_expect "the conflict choice appears" 'restricted_senders changed on disk, you have unsaved edits: k keep mine, t take theirs, d difference'
tui_keys d
tui_expect "d shows the difference: our line" '^\+ qq\.com REJECT'
tui_expect "and theirs" '^- other\.example REJECT'
tui_keys k
tui_expect "k keeps ours and saves it" 'kept your edits and saved them; the other version is in .*restricted_senders~'
like "our line is on disk" "$(cat "$rs")" '^qq\.com REJECT$'
like "theirs is kept in the backup" "$(cat "$rs~")" '^other\.example REJECT$'

# 3. again, and take theirs: ours is written next to it
tui_keys a
tui_type "mine.example REJECT"
tui_keys Enter
tui_expect "another unsaved line" 'mine\.example REJECT'
echo "theirs.example REJECT" >>"$rs"
tui_expect "the conflict choice appears again" 'changed on disk, you have unsaved edits'
tui_keys t
tui_expect "t takes theirs" 'took the version on disk; yours is in .*restricted_senders\.pfconsole-mine'
tui_expect "their line is shown" 'theirs\.example REJECT'
tui_expect_not "ours is no longer in the buffer" 'mine\.example'
like "ours is kept in FILE.pfconsole-mine" "$(cat "$rs.pfconsole-mine")" '^mine\.example REJECT$'
tui_expect_not "nothing unsaved now" 'unsaved edits'
tui_quit
tap_done
