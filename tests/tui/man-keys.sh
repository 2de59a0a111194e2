#!/bin/sh
# tests/tui/man-keys.sh - the man page's key list is the keymap: the text
# between the keys-begin and keys-end markers of doc/pfconsole.1 is exactly
# what `pfconsole console --keys` prints from the binding table (which the
# help screen also uses), and every action has a key somewhere.
. "$top_srcdir/tests/lib/tap.sh"

man="$top_srcdir/doc/pfconsole.1"
got=$(sed -n '/^\.\\" keys-begin/,/^\.\\" keys-end/p' "$man" | sed '1d;$d')
want=$("$PFCONSOLE" console --keys=roff)
is "pfconsole.1 lists the bindings of the keymap" "$got" "$want"
like "every screen has its section" "$want" 'Keys: Table editor'
for a in quit help apply save undo redo pause filter exclude block-sender block-domain \
	block-client allow-sender allow-domain allow-client explain-source jump; do
	like "action $a has a key" "$want" "^$a: "
done
# --keys: a readable table from the same bindings, no roff
txt=$("$PFCONSOLE" console --keys)
unlike "console --keys prints no roff" "$txt" '^\.(SS|TP|B) '
like "it has a section per screen" "$txt" '^Keys: Table editor$'
like "keys and what they do on one line" "$txt" '^  q, Esc +quit: go back'
is "one line per binding of the roff list" "$(printf '%s\n' "$txt" | grep -c '^  ')" \
	"$(printf '%s\n' "$want" | grep -c '^\.TP')"
out=$("$PFCONSOLE" console -k | head -3)
like "-k is --keys" "$out" 'Keys: every screen'
tap_done
