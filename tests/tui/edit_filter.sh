#!/bin/sh
# tests/tui/edit_filter.sh - editing while a filter is on, in a table big
# enough (200 lines) to be re-read incrementally: after an edit that stops
# a line matching, an insert and a delete, the filtered view is exactly the
# one a fresh filter gives (the editor updates it for the lines the edit
# touched only, moving the later ones).
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
i=0
while [ $i -lt 200 ]; do
	if [ $((i % 2)) = 0 ]; then echo "u$i@keep.example REJECT"; else echo "u$i@drop.example REJECT"; fi
	i=$((i + 1))
done >"$rs"
body() { tui_screen | sed -n '3,$p'; }
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'restricted_senders'
tui_keys Enter
tui_expect "the editor" '200 entries'
tui_keys f; tui_type "keep"; tui_keys Enter
tui_expect "f filters the lines" 'filter: keep \(100 shown\)'
tui_keys j j j j
tui_expect "the fifth shown line is selected" '9 u8@keep'
# an edit that stops the line matching
tui_keys e C-u; tui_type "u8@drop.example OK"; tui_keys Enter
tui_expect "the edited line left the view" 'filter: keep \(99 shown\)'
tui_expect_not "it is not shown" 'u8@drop'
# an insert after the selected line (it matches)
tui_keys a; tui_type "new@keep.example OK"; tui_keys Enter
tui_expect "the inserted line joins the view" 'filter: keep \(100 shown\)'
tui_expect "with its line number" ' new@keep\.example OK'
# a delete further down
tui_keys j j j d
tui_expect "a deleted line leaves the view" 'filter: keep \(99 shown\)'
tui_keys Home
tui_wait_for '   1 u0@keep' || true
after=$(body)
# the same filter from scratch
tui_keys f C-u Enter
tui_expect "filter off" '200 entries'
tui_keys f; tui_type "keep"; tui_keys Enter
tui_expect "filter again" 'filter: keep \(99 shown\)'
tui_keys Home
tui_wait_for '   1 u0@keep' || true
is "the view after the edits is the one a fresh filter gives" "$after" "$(body)"
flat=$(printf '%s\n' "$after" | tr '\n' '|')
like "the lines shown are the matching ones, in file order" "$flat" \
	'\| +7 u6@keep[^|]*\| +10 new@keep[^|]*\| +12 u10@keep'
like "the deleted line is gone, the next one moved up a line" "$flat" \
	'\| +14 u12@keep[^|]*\| +17 u16@keep'
# unsaved edits: the EXIT trap's kill-server ends the console (SIGHUP)
tap_done
