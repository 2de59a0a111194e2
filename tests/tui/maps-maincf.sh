#!/bin/sh
# tests/tui/maps-maincf.sh - at 80x24 on the demo, the Maps screen's main.cf
# row (its counts and first finding) ends with an ellipsis when the finding
# is longer than the row, as the table names do; it was cut mid-word with
# no sign that there was more.  The finding shown is the first in the file
# (the unused class on line 14, not the stale index on line 29).
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

sh "$top_srcdir/demo/setup.sh" "$TUI_DIR/etc" >/dev/null 2>&1 || bail "demo/setup.sh failed"
: >"$TUI_DIR/mail.log"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps at 80x24" 'pfconsole \| Maps'
tui_expect "the main.cf row with its counts and its first finding, cut with an ellipsis" \
	'^  main\.cf 0 errors, 2 warnings  line 14: restriction class insiders_only .*…$'
row=$(tui_screen | grep '^  main\.cf [0-9]')
is "the row fills the 80 columns, no more" "$(printf '%s' "$row" | wc -m)" 80
tui_quit

# a finding in no listed table and not in main.cf (a built table nothing
# references): the header counted it, but no row showed it
cp "$TUI_DIR/etc/null_sender" "$TUI_DIR/etc/leftover"
"$PFCONSOLE" -c "$TUI_DIR/etc" build "hash:$TUI_DIR/etc/leftover" >/dev/null 2>&1 || bail "build failed"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "the header counts the unused index" '4 errors, 7 warnings'
tui_expect "and a row shows it" '^  other files 0 errors, 1 warning  leftover\.db: /.*…$'
tui_quit
tap_done
