#!/bin/sh
# tests/tui/readonly.sh - read-only mode: when the user cannot write the
# configuration (here: a real unprivileged user, and --read-only), a
# banner says so, everything but saving works (browse, edit, validate,
# explain), and save and apply are refused with the reason.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
before=$(cat "$rs")

# as an unprivileged user who can read but not write the configuration
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$TUI_DIR" "$TUI_DIR/etc" "$TUI_DIR/home"
	chmod 644 "$TUI_DIR"/etc/* "$TUI_DIR/mail.log"
	cmd="cd '$TUI_DIR' && HOME='$TUI_DIR/home' setpriv --reuid=65534 --regid=65534 --clear-groups '$PFCONSOLE' -c '$TUI_DIR/etc' console --log '$TUI_DIR/mail.log'; echo exit=\$?; sleep 600"
	tui_session "$cmd"
	tui_expect "nobody: the banner says read-only and why" "READ-ONLY"
	tui_expect "nobody: the reason names the directory" "read-only: cannot write $TUI_DIR/etc; everything but saving works"
	tui_keys Enter
	tui_expect "nobody: the editor opens" 'Edit hash:.*/restricted_senders'
	tui_keys a; tui_type "qq.com REJECT"; tui_keys Enter
	tui_expect "nobody: editing works" 'qq\.com REJECT'
	tui_keys s
	tui_expect "nobody: save is refused with the reason" "read-only: cannot write $TUI_DIR/etc"
	is "nobody: nothing written" "$(cat "$rs")" "$before"
	tui_keys A
	tui_expect "nobody: apply is refused" 'read-only: apply needs to write'
	tui_keys q k
	tui_expect "nobody: Maps shows the kept unsaved edits" 'restricted_senders +sender +[0-9]+ +unsaved edits'
	tui_keys Q d
	tui_expect "nobody: leaves cleanly" 'exit=0'
else
	ok "# SKIP not root or no setpriv: the unprivileged case is not run"
fi

# --read-only (for an admin who wants to look without risk)
tui_start -c "$TUI_DIR/etc" console --read-only --log "$TUI_DIR/mail.log"
tui_expect "--read-only: the banner" 'read-only: --read-only given'
tui_expect "--read-only: the title bar flag" 'Maps +READ-ONLY'
tui_keys Enter e C-u
tui_type "163.com REJECT spam"
tui_keys Enter
tui_expect "--read-only: editing works" '163\.com REJECT spam'
tui_keys s
tui_expect "--read-only: save refused" 'read-only: --read-only given'
is "--read-only: nothing written" "$(cat "$rs")" "$before"
tui_keys 3
tui_expect "--read-only: explain works" 'pfconsole \| Explain'
tui_keys Q
tui_expect "--read-only: quitting with edits asks, without offering to save" \
	'unsaved edits, read-only \(no saving\): d discard and quit, c cancel$'
tui_keys d
is "--read-only: exits 0" "$(tui_exited)" 0
tap_done
