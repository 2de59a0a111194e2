#!/bin/sh
# tests/tui/edit.sh - the table editor: a validation error shown in place
# while typing (same code and words as `pfconsole check`), save refused
# while the table has an error (the file untouched), Tab completion of
# actions and class names, undo/redo, search, then a valid save (atomic,
# with a backup) and the table marked stale until it is built.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
before=$(cat "$rs")
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'restricted_senders'
tui_keys Enter
tui_expect "Enter opens the editor on the table" 'Edit hash:.*/restricted_senders'
tui_expect "the editor shows comments as in the file" '1 # We do not want mail from these folks'
tui_expect "and the entry" '3 163\.com +REJECT'

# add a line with a mistake smtpd answers 451 4.3.5 to: a misspelt action
tui_keys a
tui_expect "a opens an entry line in place" 'new >'
tui_type "qq.com REJCT"
tui_expect "the error is shown in place while typing, as check words it" \
	"restricted_senders:4:8: error: 'REJCT' is neither an smtpd"
tui_expect "with check's code" '\[undefined-class\]'
tui_expect "the status says save will be refused" 'save is refused until it is fixed'
tui_keys Enter
tui_expect "Enter keeps the line, marked with !" '4!qq\.com REJCT'
tui_expect "the header counts the error" '1 error: save refused until fixed'
tui_keys s
tui_expect "save is refused with the reason" 'not saved: 1 error in .*restricted_senders'
is "the file on disk is untouched" "$(cat "$rs")" "$before"

# fix it: edit, clear, retype with completion
tui_keys e
tui_expect "e edits the line in place" '4 >qq\.com REJCT'
tui_keys C-u
tui_type "qq.com good"
tui_keys Tab
tui_expect "Tab completes the class name from main.cf" '4 >qq\.com good_senders_only'
tui_keys C-w C-w
tui_type "qq.com REJ"
tui_keys Tab
tui_expect "Tab completes REJECT" '4 >qq\.com REJECT'
tui_expect "the line validates: ok" '^ok$'
tui_keys Enter
tui_expect "the fixed line replaces the bad one" '4 qq\.com REJECT$'
tui_expect_not "no error left" 'error'

# undo / redo
tui_keys u
tui_expect "u undoes the fix" '4!qq\.com REJCT'
tui_keys C-r
tui_expect "C-r redoes it" '4 qq\.com REJECT$'

# search
tui_keys / ; tui_type "163"; tui_keys Enter
tui_expect "/ finds 163.com (selected line shows no diagnostics)" '3 163\.com'

# UTF-8 typed into the line editor
tui_keys G a
tui_type "müller@bücher.example REJECT"
tui_expect "UTF-8 keys are shown as typed" 'new >müller@bücher\.example REJECT'
tui_keys Enter
tui_expect "and kept" '5 müller@bücher\.example REJECT'

tui_keys s
tui_expect "a valid table saves" 'saved restricted_senders \(previous version kept as restricted_senders~\)'
like "the new line is on disk" "$(cat "$rs")" '^qq\.com REJECT$'
like "the UTF-8 line is on disk as UTF-8" "$(cat "$rs")" '^müller@bücher\.example REJECT$'
is "the backup holds the previous version" "$(cat "$rs~")" "$before"
like "comments and the old entry are kept byte for byte" "$(head -3 "$rs")" '^163\.com +REJECT$'
# filter and move
tui_keys f; tui_type "qq"; tui_keys Enter
tui_expect "f filters the lines" 'filter: qq \(1 shown\)'
tui_expect_not "filtered out: 163.com" '163\.com'
tui_keys f C-u Enter
tui_expect "empty filter: all lines again" '3 163\.com'
tui_keys / ; tui_type "qq.com"; tui_keys Enter K
tui_expect "K moves the line up" '3 qq\.com REJECT$'
tui_expect "the other one below it" '4 163\.com'
tui_keys J
tui_expect "J moves it back down" '4 qq\.com REJECT$'
# a move is one step for undo and redo (it was two: u alone left the
# table without the moved line)
tui_keys u
tui_expect "u undoes the move in one step: qq.com is back on line 3" '3 qq\.com REJECT$'
tui_expect "and 163.com under it" '4 163\.com'
tui_keys C-r
tui_expect "C-r redoes the move in one step" '4 qq\.com REJECT$'
tui_expect "163.com above it again" '3 163\.com'
tui_keys s
tui_expect "saved again" 'saved restricted_senders'

tui_keys q
tui_expect "back on Maps the table's index is stale until built" 'restricted_senders +sender +3 +stale index'
# a table main.cf does not reference, opened by path: created on save
tui_keys o
tui_expect "o asks for a table" 'open table \(TYPE:PATH or PATH\)'
tui_type "hash:$TUI_DIR/etc/extra_senders"; tui_keys Enter
tui_expect "an empty table opens" '\(empty table: .a. adds an entry\)'
tui_keys a; tui_type "spam.example REJECT"; tui_keys Enter s
tui_expect "saved" 'saved extra_senders'
is "the new file holds the line" "$(cat "$TUI_DIR/etc/extra_senders")" "spam.example REJECT"

# Ctrl-C with unsaved edits asks like Q; a second Ctrl-C leaves, and the
# edits are written next to the table, not lost
tui_keys a; tui_type "unsaved.example REJECT"; tui_keys Enter
tui_expect "an unsaved line" 'unsaved\.example REJECT'
tui_keys C-c
tui_expect "Ctrl-C asks first" 'with unsaved edits: s save all and quit, d discard and quit, c cancel'
tui_keys C-c
is "a second Ctrl-C leaves (status 1: interrupted)" "$(tui_exited)" 1
is "the unsaved edits are kept in FILE.pfconsole-mine" \
	"$(cat "$TUI_DIR/etc/extra_senders.pfconsole-mine")" "spam.example REJECT
unsaved.example REJECT"
is "the table itself is untouched" "$(cat "$TUI_DIR/etc/extra_senders")" "spam.example REJECT"

# the terminal goes away (SSH dropped): SIGHUP, edits kept the same way
rm -f "$TUI_DIR/etc/extra_senders.pfconsole-mine"
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_keys o; tui_type "hash:$TUI_DIR/etc/extra_senders"; tui_keys Enter
tui_keys a; tui_type "hup.example REJECT"; tui_keys Enter
tui_expect "an unsaved line again" 'hup\.example REJECT'
kill -HUP "$(pgrep -n -f "pfconsole -c $TUI_DIR/etc console")"
is "SIGHUP: exit status 1" "$(tui_exited)" 1
like "SIGHUP: the edits are kept" "$(cat "$TUI_DIR/etc/extra_senders.pfconsole-mine")" '^hup\.example REJECT$'
tap_done
