#!/bin/sh
# tests/explain/e2e.sh - pfconsole explain against a real smtpd (Postfix 3.7)
#
# For each configuration of tests/explain/e2e.py: write its tables, set its
# main.cf parameters in a throwaway instance (tests/lib/postfix.sh), restart
# it, send every probe through a real SMTP session (XCLIENT, EHLO, MAIL,
# RCPT) and through 'pfconsole explain --batch', and compare decision, code,
# DSN and text.  One TAP line per configuration with its agreement; any
# difference fails it.  E2E_ONLY="name ..." runs a subset.  E2E_RECORD=DIR
# also records every configuration with the real answers (tests/explain/
# recorded/, replayed without Postfix by tests/explain/recorded.sh).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
. "$top_srcdir/tests/lib/e2e.sh"
pf_require
[ -x "$PFCONSOLE" ] || bail "no pfconsole binary at $PFCONSOLE"
E2E="$top_srcdir/tests/explain/e2e.py"
export PFCONSOLE

pf_instance_create || bail "cannot create a Postfix instance"
export PF_CONF PF_DIR PF_PORT
for name in ${E2E_ONLY:-$("$PF_PYTHON" "$E2E" list)}; do
	edits=$("$PF_PYTHON" "$E2E" setup "$name") || { fail "$name: setup"; continue; }
	keys=$(printf '%s\n' "$edits" | sed -n 's/^X //p')
	# shellcheck disable=SC2086
	pf_postconf -X $keys 2>/dev/null
	printf '%s\n' "$edits" | sed -n 's/^E //p' | while IFS= read -r line; do
		pf_postconf -e "$line"
	done
	# master.cf -o overrides of the smtpd service (configuration "service")
	pxkeys=$(printf '%s\n' "$edits" | sed -n 's/^PX //p')
	# shellcheck disable=SC2086
	[ -n "$pxkeys" ] && pf_postconf -PX $pxkeys 2>/dev/null
	printf '%s\n' "$edits" | sed -n 's/^P //p' | while IFS= read -r line; do
		pf_postconf -P "$line"
	done
	pf_running && pf_stop
	if ! pf_start; then
		fail "$name: postfix start" "$(tail -5 "$PF_LOG")"
		continue
	fi
	e2e_tally "" "$("$PF_PYTHON" "$E2E" run "$name" 2>&1)"
done
echo "# total: $e2e_agree/$e2e_total probes agree with the real smtpd"
[ "$e2e_total" -ge 1000 ] && ok "at least 1000 probes ($e2e_total)" || fail "at least 1000 probes ($e2e_total)"
tap_done
