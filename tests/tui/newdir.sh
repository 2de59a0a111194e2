#!/bin/sh
# tests/tui/newdir.sh - saving a new table whose directory does not exist:
# the console offers to create the directory (or to open the file of that
# name in the configuration directory) instead of a bare "No such file".
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps" 'pfconsole \| Maps'
tui_keys o; tui_type "hash:$TUI_DIR/etc/maps/restricted_senders"; tui_keys Enter
tui_expect "a new, empty table in the editor" 'Edit hash:.*/maps/restricted_senders'
tui_keys a; tui_type "spam.example REJECT"; tui_keys Enter
tui_keys s
tui_expect "the missing directory is named, with both ways out" \
	"no maps/: c creates it and saves, o opens the config dir's restricted_senders"
check "nothing was created yet" test ! -e "$TUI_DIR/etc/maps"
tui_keys c
tui_expect "c creates it and saves" 'created .*etc/maps; saved restricted_senders'
like "the table is written there" "$(cat "$TUI_DIR/etc/maps/restricted_senders")" '^spam\.example REJECT$'
tui_keys a; tui_type "other.example REJECT"; tui_keys Enter
tui_keys q
tui_quit_any() { tui_keys Q; tui_expect "unsaved: asked" 'unsaved'; tui_keys d; }
tui_quit_any
tap_done
