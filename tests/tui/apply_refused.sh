#!/bin/sh
# tests/tui/apply_refused.sh - Apply refused on an undefined restriction
# class: in the editor (unsaved) and on disk (the validate step), with the
# list of errors, nothing saved, built or reloaded; g jumps to the line.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
pd="$TUI_DIR/etc/protected_destinations"
before=$(cat "$pd")
db_before=$(stat -c %Y.%i "$pd.db")
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'protected_destinations'
tui_keys / ; tui_type protected; tui_keys Enter Enter
tui_expect "the editor opens on protected_destinations" 'Edit hash:.*/protected_destinations'
tui_expect "on its entry" '2 foo@bar\.org +good_senders_only'
tui_keys e C-u
tui_type "foo@bar.org good_sender_only"
tui_expect "a misspelt class is an error while typing" '\[undefined-class\]'
tui_keys Enter
tui_expect "the line is kept, marked" '2!foo@bar\.org good_sender_only'
tui_keys A
tui_expect "Apply refuses" 'Apply refused: 1 error in unsaved tables; nothing'
tui_expect "and lists the error with check's code" 'protected_destinations:2:[0-9]+: error: .*good_sender_only.*'
tui_expect "the code is shown" '\[undefined-class\]'
is "nothing was saved" "$(cat "$pd")" "$before"
is "nothing was built" "$(stat -c %Y.%i "$pd.db")" "$db_before"
tui_keys q
tui_expect "q returns to the editor" '2!foo@bar\.org good_sender_only'
tui_keys u
tui_expect "undo restores the class" '2 foo@bar\.org +good_senders_only'
tui_keys q

# the same mistake made on disk by someone else: the validate step refuses
printf '# not everyone can send to these destinations\nfoo@bar.org     insiders_only\n' >"$pd"
tui_expect "the external change is picked up silently (no unsaved edits)" \
	'protected_destinations +recipient +1 +1 error'
tui_keys A
tui_expect "Apply: the validate step fails" 'FAILED +validate'
tui_expect "the title says refused" 'pfconsole \| Apply: REFUSED \(errors listed below\)'
tui_expect "with the undefined class listed" 'protected_destinations:2:[0-9]+: error: .*insiders_only'
tui_expect "nothing after it ran" 'Apply refused: fix the errors above'
tui_expect_not "no build step ran" '(ok|FAILED) +build'
is "the index was not rebuilt" "$(stat -c %Y.%i "$pd.db")" "$db_before"
tui_keys g
tui_expect "g opens the erroneous line in the editor" 'Edit hash:.*/protected_destinations'
tui_expect "the line is selected with its diagnostic" 'protected_destinations:2:[0-9]+: error'
tui_keys q q
tui_quit
tap_done
