#!/bin/sh
# The bash completion (doc/bash-completion/pfconsole) against the built
# binary: every command of --help completes (impact, hits, migrate too), a
# command's options come from its --help, migrate's types.  The installed
# copy is tested by tests/pkg/deb.sh.
. "$top_srcdir/tests/lib/tap.sh"
[ -f /usr/share/bash-completion/bash_completion ] || skip_all "bash-completion is not installed"
command -v bash >/dev/null 2>&1 || skip_all "bash is not installed"
bindir=$(dirname "$PFCONSOLE")
comp() {
	PATH=$bindir:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_pfconsole pfconsole "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' comp \
		"$top_srcdir/doc/bash-completion/pfconsole" "$@"
}
cmds=$("$PFCONSOLE" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' | sort | tr '\n' ' ')
like "--help lists the commands" "$cmds" 'check .*hits .*impact .*migrate '
is "'pfconsole ' completes every command of --help" "$(comp pfconsole '')" "$cmds"
is "'pfconsole hi' -> hits" "$(comp pfconsole hi)" "hits "
is "'pfconsole i' -> impact" "$(comp pfconsole i)" "impact "
is "'pfconsole migrate --r' -> --remove-old (from migrate --help)" "$(comp pfconsole migrate --r)" "--remove-old "
is "'pfconsole migrate hash l' -> lmdb" "$(comp pfconsole migrate hash l)" "lmdb "
is "'pfconsole -c /etc/postfix re' -> reload" "$(comp pfconsole -c /etc/postfix re)" "reload "
tap_done
