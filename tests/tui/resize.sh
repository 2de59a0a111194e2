#!/bin/sh
# tests/tui/resize.sh - the console in a real terminal: first screen, help,
# resize at any time (larger, 80x24, too small and back), the tab keys, and
# a clean exit on Ctrl-C that leaves the terminal usable.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps is the first screen" 'pfconsole \| Maps'
tui_expect "it lists the class's table under the class" 'good_senders_only +\(restriction class\)'
tui_expect "and the table with its role and entry count" 'hash:.*/restricted_senders +sender +1 '
tui_expect "key line shows Help, Apply and Quit" '\? Help A Apply q Quit'

tui_keys '?'
tui_expect "? opens the help" 'pfconsole \| Help'
tui_expect "help lists the Maps keys from the keymap" 'Enter e +open +open the selected item'
tui_expect "help lists Apply on every screen" 'A F5 +apply +validate all'
tui_keys q
tui_expect "q returns from help" 'pfconsole \| Maps'

tui_resize 120 40
tui_expect "wider: the config path moves to the right edge" "^ pfconsole \| Maps {60,}$TUI_DIR/etc\$"
tui_resize 80 24
tui_expect "80x24 still shows the tables" 'hash:.*/protected_destinations'
tui_expect "80x24 keeps the key line" '\? Help A Apply q Quit'
tui_resize 70 20
tui_expect "too small says so" 'terminal too small: 70x20'
tui_resize 100 30
tui_expect "back to 100x30 redraws the Maps" 'pfconsole \| Maps'

tui_keys 2
tui_expect "2 opens Live rejects" 'pfconsole \| Live rejects'
tui_keys 3
tui_expect "3 opens Explain" 'pfconsole \| Explain'
tui_keys Tab
tui_expect "Tab cycles to Maps" 'pfconsole \| Maps'

# colours: roles in colour by default, attributes only with NO_COLOR
like "colours are used by default" "$(tui_screen_attrs)" '\[(3[0-7]|4[0-7])(;|m)'
tui_keys C-c
st=$(tui_exited)
is "Ctrl-C ends the console with status 0" "$st" 0
tui_expect "the terminal is back to the shell's screen (curses left)" '^$'
tui_expect_not "no curses screen is left over" 'pfconsole \| Maps'

# NO_COLOR: no colour, the selection and bars still visible (reverse)
tui_session "NO_COLOR=1 '$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'; sleep 600"
tui_expect "NO_COLOR: the console runs" 'pfconsole \| Maps'
unlike "NO_COLOR: no colour escapes" "$(tui_screen_attrs)" '\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m'
like "NO_COLOR: reverse video marks the bars" "$(tui_screen_attrs)" '\[([0-9;]*;)?7(;[0-9;]*)?m'
tui_keys C-c

# a monochrome terminal (vt100 has no colours): attributes only
tui_session "TERM=vt100 '$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'; sleep 600"
tui_expect "vt100: the console runs" 'pfconsole \| Maps'
unlike "vt100: no colour escapes" "$(tui_screen_attrs)" '\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m'
like "vt100: reverse video marks the bars" "$(tui_screen_attrs)" '\[([0-9;]*;)?7(;[0-9;]*)?m'
tui_keys C-c

# Ctrl-Z under a shell with job control: stopped, the shell's prompt
# back, `fg` repaints the console
tui_session "PS1='shell\$ ' bash --norc --noprofile -i"
tui_expect "an interactive shell" '^shell\$'
tui_type "'$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'"
tui_keys Enter
tui_expect "the console from the shell" 'pfconsole \| Maps'
pid=$(pgrep -n -f "pfconsole -c $TUI_DIR/etc console")
tui_keys C-z
tui_expect "Ctrl-Z: the shell reports the console stopped" 'Stopped'
is "Ctrl-Z: the process is stopped" "$(awk '{print $3}' "/proc/$pid/stat")" T
tui_expect_not "Ctrl-Z: no console screen left" 'pfconsole \| Maps'
tui_type "fg"; tui_keys Enter
tui_expect "fg: the console repaints" 'pfconsole \| Maps'
tui_keys j
tui_expect "and takes keys again" 'access_client'
tui_keys Q
tui_expect "Q leaves to the shell" '^shell\$ *$'
tui_type 'echo "status=$?"'; tui_keys Enter
tui_expect "with status 0" '^status=0'

# TERM that terminfo does not know: a clear message, exit 1
out=$(TERM=no-such-terminal "$PFCONSOLE" -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log" </dev/null 2>&1)
st=$?
is "no terminal: exit status 1" "$st" 1
like "no terminal: a clear message" "$out" 'needs a terminal|not known'
cmd="TERM=no-such-terminal '$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'"
tui_session "$cmd; echo exit=\$?; sleep 60"
tui_expect "unknown TERM: the message names the problem" "TERM 'no-such-terminal' is not known"
tui_expect "unknown TERM: exit status 1" 'exit=1'
tap_done
