#!/bin/sh
# tests/explain/restriction-args.sh - restriction arguments smtpd 3.7 cannot
# use, against a real smtpd (tests/lib/postfix.sh, root).  For each broken
# configuration of tests/explain/e2e.py (arg_*): 'pfconsole check' reports
# the error, and the real smtpd does what explain predicts (exits at startup,
# 451 4.3.5, or skips the rule).  Then the configuration fixed as check's
# message says (arg_*_fixed): check no longer reports it, a real smtpd
# starts and answers the probe as explain predicts.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
[ -x "$PFCONSOLE" ] || bail "no pfconsole binary at $PFCONSOLE"
E2E="$top_srcdir/tests/explain/e2e.py"
export PFCONSOLE
pf_instance_create || bail "cannot create a Postfix instance"
export PF_CONF PF_PORT

# configure NAME - the instance's main.cf for e2e.py configuration NAME
configure() {
	edits=$("$PF_PYTHON" "$E2E" setup "$1") || return 1
	keys=$(printf '%s\n' "$edits" | sed -n 's/^X //p')
	# shellcheck disable=SC2086
	pf_postconf -X $keys 2>/dev/null
	printf '%s\n' "$edits" | sed -n 's/^E //p' | while IFS= read -r line; do
		pf_postconf -e "$line"
	done
}

# name:the code check must report:what real smtpd does
for c in "arg_policy_fatal:bad-restriction-arg:fatal: need service transport:endpoint" \
	"arg_policy_missing:bad-restriction-arg:must be followed by transport:server" \
	"arg_rbl_nodomain:bad-restriction-arg:requires domain name argument" \
	"arg_map_missing:bad-reference:need maptype:mapname" \
	"arg_unknown_name:unknown-restriction:unknown smtpd restriction" \
	"arg_sleep_nonum:bad-restriction-arg:must be followed by number"; do
	name=${c%%:*}; rest=${c#*:}; code=${rest%%:*}; logmsg=${rest#*:}
	for v in "$name" "${name}_fixed"; do
		configure "$v" || { fail "$v: setup"; continue; }
		out=$("$PFCONSOLE" check -c "$PF_CONF" 2>&1)
		if [ "$v" = "$name" ]; then
			like "$v: check reports $code" "$out" "main.cf:[0-9]+:[0-9]+: error: .*\\[$code\\]"
		else
			unlike "$v: check no longer reports $code" "$out" "\\[$code\\]"
		fi
		pf_running && pf_stop
		pf_start || { fail "$v: postfix start" "$(tail -5 "$PF_LOG")"; continue; }
		pf_log_mark
		res=$("$PF_PYTHON" "$E2E" run "$v" 2>&1)
		case $res in
		PASS*) ok "$v: real smtpd and explain agree (${res#PASS })" ;;
		*) fail "$v: real smtpd and explain agree" "$res" ;;
		esac
		log=$(pf_log_since_mark)
		if [ "$v" = "$name" ]; then
			like "$v: smtpd logged '$logmsg'" "$log" "$logmsg"
		else
			unlike "$v: smtpd logged no '$logmsg'" "$log" "$logmsg|fatal:"
		fi
	done
done
# explain says the daemon exits instead of predicting a reply
configure arg_policy_fatal
out=$(printf '%s\n' '{"client":"127.0.0.1","helo":"h.example","sender":"a@ok.example","recipient":"v"}' |
	"$PFCONSOLE" explain -c "$PF_CONF" --batch -)
like "explain: smtpd cannot start, no reply" "$out" \
	'"decision":"unknown","code":null.*"depends":"fatal: need service transport:endpoint instead of \\"inet:\\""'
# the same restriction given as a master.cf -o override of the smtpd
# service: check reports it at the -o line with the service, explain
# --service says smtpd cannot start, and the real smtpd of that service
# exits at its first connection
configure arg_policy_fatal_fixed
pf_running && pf_stop
cp "$PF_CONF/master.cf" "$PF_CONF/master.cf.orig"
awk -v p="127.0.0.1:$PF_PORT" '{ print } $1 == p { print "  -o smtpd_client_restrictions=check_policy_service,inet:" }' \
	"$PF_CONF/master.cf.orig" >"$PF_CONF/master.cf"
line=$(grep -n '^  -o smtpd_client_restrictions=check_policy_service,inet:' "$PF_CONF/master.cf" | cut -d: -f1)
out=$("$PFCONSOLE" check -c "$PF_CONF" 2>&1)
like "-o override: check reports it at the -o line" "$out" \
	"master\\.cf:$line:6: error: service 127\\.0\\.0\\.1:$PF_PORT/inet, -o smtpd_client_restrictions: check_policy_service \"inet:\": smtpd exits at startup.*\\[bad-restriction-arg\\]"
out=$("$PFCONSOLE" explain -c "$PF_CONF" --service "127.0.0.1:$PF_PORT" --client 127.0.0.1 \
	--helo h.example --sender a@ok.example --recipient v 2>&1)
like "-o override: explain --service says smtpd cannot start" "$out" \
	'smtpd cannot start, no reply .*fatal: need service transport:endpoint instead of "inet:"'
pf_start || fail "-o override: postfix start" "$(tail -5 "$PF_LOG")"
pf_log_mark
res=$(timeout 30 "$PF_PYTHON" "$PF_SMTP_PY" --port "$PF_PORT" --timeout 10 "MAIL FROM:<a@ok.example>" 2>&1)
unlike "-o override: the real smtpd gives no 250 (it exits)" "$res" 'S: 250 2\.1\.0'
if pf_wait_log 'fatal: need service transport:endpoint instead of "inet:"' 20 >/dev/null; then
	ok "-o override: the real smtpd logged the fatal"
else
	fail "-o override: the real smtpd logged the fatal"
fi
pf_stop
cp "$PF_CONF/master.cf.orig" "$PF_CONF/master.cf"
tap_done
