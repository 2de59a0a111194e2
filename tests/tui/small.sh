#!/bin/sh
# tests/tui/small.sh - at 80x24 (the SSH default): every text view reaches
# its last line (the Apply result on the demo, all its planted mistakes
# present, wraps to more lines than fit); while the terminal is too small
# no key acts on the hidden screen, only resizing, redrawing and quitting.
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

sh "$top_srcdir/demo/setup.sh" "$TUI_DIR/etc" >/dev/null 2>&1 || bail "demo/setup.sh failed"
: >"$TUI_DIR/mail.log"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown at 80x24" 'good_senders_only'
tui_expect "Maps: the ROLE column is not cut (header_checks)" '/header_checks +header_checks +[0-9]+ '
tui_expect "Maps: a state with warnings says how many" ' ok, [0-9]+ warnings? '
tui_keys A
tui_expect "Apply is refused on the demo" 'Apply: REFUSED'
tui_expect_not "the end is below the screen at first" 'Apply refused: fix the errors above'
for k in End G; do
	tui_keys Home
	tui_expect "Home: the top" 'FAILED +validate'
	tui_keys "$k"
	tui_expect "$k scrolls to the last line" 'Apply refused: fix the errors above'
	last=$(tui_screen | grep -n 'reloaded\.$' | cut -d: -f1)
	is "$k: the last (wrapped) line sits on the last body line, not above it" "$last" 22
	[ "$last" = 22 ] || tui_dump
done
# home - Home, and the screen is back at the top (the end not shown)
home() {
	tui_keys Home
	tui_wait_for 'FAILED +validate' && tui_wait_gone 'Apply refused: fix the errors above'
}
home || fail "Home goes back to the top"
tui_step_until 'Apply refused: fix the errors above' PageDown 30
tui_expect "PageDown pages to the last line" 'Apply refused: fix the errors above'
home || fail "Home goes back to the top"
tui_step_until 'Apply refused: fix the errors above' j 200
tui_expect "j steps to the last line" 'Apply refused: fix the errors above'
codes=$("$PFCONSOLE" -c "$TUI_DIR/etc" check | sed -n 's/.*: error: .*\[\([a-z-]*\)\]$/\1/p' | sort -u)
[ "$(printf '%s\n' "$codes" | wc -l)" -ge 3 ] || fail "the demo has several planted errors" "$codes"
for code in $codes; do
	home || fail "Home goes back to the top"
	tui_step_until "\\[$code\\]" j 40
	tui_expect "each refusal can be scrolled to: $code" "\\[$code\\]"
done
tui_keys q

# too small: Apply (A), screen switches, q do nothing visible or hidden
tui_resize 60 20
tui_expect "too small is shown" 'terminal too small: 60x20'
tui_expect "and what still works" 'only Q \(quit\) and Ctrl-L'
tui_keys A 2 3 q Enter
sleep 0.3
tui_expect "still too small" 'terminal too small: 60x20'
tui_resize 80 24
tui_expect "at 80x24 again the Maps screen is back" 'good_senders_only'
tui_expect_not "A did not run an Apply while hidden" 'Apply:'
tui_expect_not "the Live tab was not opened" 'pfconsole \| Live'
tui_resize 60 20
tui_expect "too small again" 'terminal too small'
tui_keys Q
st=$(tui_exited)
is "Q leaves while too small" "$st" 0
tap_done
