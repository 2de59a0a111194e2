#!/bin/sh
# tests/tui/merge.sh - at 80x24: a table changed on disk while it has
# unsaved edits: m merges the version loaded, theirs and mine (changes on
# different lines merge by themselves, the same line changed on both sides
# is shown for a choice); k (keep mine) says that their changes would be
# dropped before anything is written.
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'restricted_senders'
tui_keys / ; tui_type restricted; tui_keys Enter Enter
tui_expect "the editor" '3 163\.com +REJECT'

# 1. different lines: merged by themselves
tui_keys G a; tui_type "qq.com REJECT"; tui_keys Enter
tui_expect "our unsaved line" '4 qq\.com REJECT'
sed -i 's/^163\.com .*/163.com         REJECT spam from 163/' "$rs"
tui_expect "the choice offers a merge" 'changed on disk under your edits: m merge, k keep'
tui_keys m
tui_expect "merged without a question" 'merged: 1 change from disk, 1 of yours'
tui_expect "their change is in the buffer" '3 163\.com +REJECT spam from 163'
tui_expect "and ours" '4 qq\.com REJECT'
tui_expect "not saved yet" 'unsaved'
unlike "the file still is theirs only" "$(cat "$rs")" 'qq\.com'
tui_keys s
tui_expect "s saves the merge" 'saved restricted_senders'
like "their line on disk" "$(cat "$rs")" '^163\.com +REJECT spam from 163$'
like "our line on disk" "$(cat "$rs")" '^qq\.com REJECT$'

# 2. the same line on both sides: a choice, here both
tui_keys k e C-u; tui_type "163.com REJECT mine"; tui_keys Enter
tui_expect "our unsaved change of line 3" '3 163\.com REJECT mine'
sed -i 's/^163\.com .*/163.com REJECT theirs/' "$rs"
tui_expect "the choice again" 'changed on disk under your edits: m merge'
tui_keys m
tui_expect "the conflict is shown" 'pfconsole \| Merge: conflict 1 of 1'
tui_expect "with their version" '^- 163\.com REJECT theirs'
tui_expect "and mine" '^\+ 163\.com REJECT mine'
tui_expect "and the version loaded" '^  163\.com +REJECT spam from 163'
tui_expect "the question" 'conflict 1 of 1: m mine, t theirs, b both'
tui_keys b
tui_expect "both kept, theirs first" '3 163\.com REJECT theirs'
tui_expect "then mine (marked: the same key twice)" '4.163\.com REJECT mine'
tui_expect "the status counts the conflict" 'merged: .*1 conflict chosen'

# 3. keep mine: never drops theirs without saying so
sed -i 's/^qq\.com .*/qq.com REJECT changed on disk/' "$rs"
tui_expect "the choice once more" 'changed on disk under your edits: m merge'
before=$(cat "$rs")
tui_keys k
tui_expect "k says their change would be dropped, where it would be" 'their 1 change would only be in restricted_senders~'
tui_expect "and what to do" 'y drop, m merge, else back'
is "nothing was written yet" "$(cat "$rs")" "$before"
tui_keys x
tui_expect "another key goes back to the question" 'under your edits: m merge, k keep'
tui_keys m
tui_expect "merged instead" 'merged: 1 change from disk'
tui_expect "their change kept" 'qq\.com REJECT changed on disk'
tui_keys s
tui_expect "saved" 'saved restricted_senders'
like "on disk: their change" "$(cat "$rs")" '^qq\.com REJECT changed on disk$'
like "and ours" "$(cat "$rs")" '^163\.com REJECT mine$'
tui_keys q
tui_quit
tap_done
