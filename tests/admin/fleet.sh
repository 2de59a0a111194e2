#!/bin/sh
# doc/fleet.md's example, run: doc/fleet/site.yml against localhost with
# ansible-playbook (ansible-core from Debian; ./dev.sh installs it).  The
# table sources are copied only when pfconsole check accepts them, the
# handler `pfconsole reload --json` builds the indexes (a fake postfix
# stands in for Postfix), a second run changes nothing and runs no handler,
# and a broken source never reaches the live file.
. "$top_srcdir/tests/lib/tap.sh"
command -v ansible-playbook >/dev/null 2>&1 || skip_all "ansible-playbook not installed (apt-get install ansible-core)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
conf=$work/etc
mkdir -p "$conf" "$work/files" "$work/home"
cp "$top_srcdir/doc/fleet/files/"* "$work/files/"
cat >"$conf/main.cf" <<CF
smtpd_sender_restrictions = check_sender_access hash:$conf/access_sender
smtpd_recipient_restrictions = check_recipient_access hash:$conf/access_recipient,
    permit_mynetworks, reject_unauth_destination
CF
cat >"$work/postfix" <<'SH'
#!/bin/sh
case "$3" in check) exit 0 ;; status) exit 1 ;; esac
exit 0
SH
chmod 755 "$work/postfix"
bindir=$(dirname "$PFCONSOLE")
cat >"$work/vars.json" <<J
{"target": "localhost", "pf_conf": "$conf", "pf_files": "$work/files",
 "pf_env": {"PATH": "$bindir:/usr/sbin:/usr/bin:/sbin:/bin", "PFCONSOLE_POSTFIX": "$work/postfix",
            "PFCONSOLE_POSTCONF": "builtin"}}
J
printf 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' >"$work/hosts"
play() {
	HOME=$work/home ANSIBLE_HOME=$work/home/.ansible ANSIBLE_LOCAL_TEMP=$work/home/tmp \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 \
		timeout 300 ansible-playbook -i "$work/hosts" -e "@$work/vars.json" \
		"$top_srcdir/doc/fleet/site.yml" >"$work/play.out" 2>&1
}

play; rc=$?
is "first run: ansible-playbook succeeds" "$rc" 0 || sed 's/^/# /' "$work/play.out" | tail -30
is "the table source is in place" "$(cat "$conf/access_sender")" "$(cat "$work/files/access_sender")"
like "the handler ran pfconsole reload --json" "$(cat "$work/play.out")" 'RUNNING HANDLER \[pfconsole reload\]'
check "the handler built the index" test -s "$conf/access_sender.db"
like "... and reported it changed" "$(cat "$work/play.out")" 'changed: \[localhost\]'

play; rc=$?
is "second run: succeeds" "$rc" 0
unlike "... nothing changed, so no handler" "$(cat "$work/play.out")" 'RUNNING HANDLER'

# a broken table: 250 is not a reply code smtpd can use (check: error)
printf 'spammer@example.com 250 fine\n' >"$work/files/access_sender"
before=$(cat "$conf/access_sender")
play; rc=$?
isnt_zero=$([ "$rc" -ne 0 ] && echo yes || echo no)
is "a broken source: the play fails" "$isnt_zero" yes
like "... at pfconsole's validation" "$(cat "$work/play.out")" 'failed validation|validat'
is "... and the live table is untouched" "$(cat "$conf/access_sender")" "$before"
tap_done
