#!/bin/sh
# tests/tui/explain.sh - the Explain dialog: the reply and the deciding
# line against the built tables, the saved sources and the unsaved edits;
# the probe survives switching screens; g opens the deciding line.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps" 'pfconsole \| Maps'
tui_keys 3
tui_expect "the Explain dialog" 'pfconsole \| Explain'
tui_expect "against the built tables first" 'against the built tables \(in use now\)'
tui_keys Enter; tui_type 203.0.113.5; tui_keys Enter
tui_keys Enter; tui_keys Enter
tui_keys Enter; tui_type 1@163.com; tui_keys Enter
tui_keys Enter; tui_type foo@bar.org; tui_keys Enter
tui_expect "163.com is rejected through the class" '^reply +reject +554 5\.7\.1 <1@163\.com>: Sender address rejected: Access denied'
tui_expect "the deciding line is named" "^rule +$rs:3 +163\\.com REJECT"
tui_expect "with the trail" 'trail'

# qq.com: accepted now; blocked in an unsaved edit
tui_keys k Enter C-u; tui_type 1@qq.com; tui_keys Enter
tui_expect "qq.com is accepted by the built tables" '^reply +accept'
tui_keys 1
tui_keys / ; tui_type restricted; tui_keys Enter Enter
tui_keys a; tui_type "qq.com REJECT go away"; tui_keys Enter
tui_expect "the unsaved block" '4 qq\.com REJECT go away'
tui_keys 3
tui_expect "the probe is kept across screens" 'sender +1@qq\.com'
tui_expect "still accepted by the built tables" '^reply +accept'
tui_keys s
tui_expect "s: the saved sources" 'against the saved sources \(after Apply\)'
tui_expect "saved sources: still accepted" '^reply +accept'
tui_keys s
tui_expect "s: the unsaved edits" 'against your unsaved edits'
tui_expect "unsaved edits: rejected with the new text" '^reply +reject +554 5\.7\.1 <1@qq\.com>: Sender address rejected: go away'
tui_expect "the rule names the real file, not a scratch copy" "^rule +$rs:4 +qq\\.com REJECT go away"
left=$(ls -d "${TMPDIR:-/tmp}"/pfconsole-unsaved-* 2>/dev/null)
is "the scratch copy is removed" "$left" ""
tui_keys g
tui_expect "g opens the deciding line in the editor" 'Edit hash:.*/restricted_senders'
tui_expect "on that line" '4 qq\.com REJECT go away'
unlike "nothing was saved" "$(cat "$rs")" 'qq\.com'
tui_keys q k Q d
is "exit status" "$(tui_exited)" 0
tap_done
