#!/bin/sh
# tests/postfix/false-alarms.sh - configurations that work with Postfix 3.7
# raise no false alarm in 'pfconsole check', and the real postconf/postmap
# show what Postfix does with each reproducer (issue section D):
#   REPLACE $1 in header checks, Postfix-maintained caches in
#   proxy_write_maps, $data_directory unset, parameters renamed in 3.6,
#   aliases reached first through proxy_read_maps, local(8) and smtpd
#   variables ($EXTENSION, $home, $client_address), a numeric nexthop;
# and the misses it reports: a parameter for a service master.cf does not
# define, "*" in sender_dependent_relayhost_maps, a bare "all" access key;
# and main.cf macro loops / runaway nesting (an error, fast, never a hang);
# reject_unknown_address in sender and recipient restrictions (known to
# check, run by explain on the sender as smtpd 3.7 does).
. "$top_srcdir/tests/lib/tap.sh"
command -v postconf >/dev/null 2>&1 && command -v postmap >/dev/null 2>&1 ||
	skip_all "Postfix (postconf, postmap) is not installed"

d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
cat >"$d/main.cf" <<EOF2
compatibility_level = 3.6
proxy_read_maps = \$local_recipient_maps \$alias_maps \$transport_maps
header_checks = pcre:$d/hc.pcre
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
address_verify_map = proxy:btree:\$data_directory/verify_cache
proxy_write_maps = \$address_verify_map \$postscreen_cache_map \$smtp_sasl_auth_cache_name
postscreen_cache_map = btree:\$data_directory/postscreen_cache
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
smtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache
lmtp_tls_session_cache_database = btree:\$queue_directory/lmtp_scache
smtp_sasl_auth_cache_name = proxy:btree:\$data_directory/sasl_auth_cache
postscreen_dnsbl_whitelist_threshold = 2
postscreen_blacklist_action = drop
postscreen_dnsbl_ttl = 1h
postscreen_whitelist_interfaces = static:all
smtpd_per_record_deadline = yes
smtp_per_record_deadline = no
lmtp_per_record_deadline = no
alias_maps = hash:$d/aliases
alias_database = hash:$d/aliases
mailbox_command = /usr/bin/procmail -a "\$EXTENSION"
forward_path = \$home/.forward\${recipient_delimiter}\${extension}, \$home/.forward
luser_relay = \$user@other.example
smtpd_reject_footer = \\c For assistance call 800-555-0101 with the time (\$localtime), client (\$client_address) and server (\$server_name).
transport_maps = hash:$d/transport
policyd-spf_time_limit = 3600
EOF2
cat >"$d/master.cf" <<'EOF2'
smtp      inet  n       -       y       -       -       smtpd
policyd-spf  unix  -    n       n       -       0       spawn
  user=nobody argv=/usr/bin/policyd-spf
EOF2
printf '/^\\s*(Mime-Version:\\s*[0-9\\.]+)\\s.+/  REPLACE $1\n' >"$d/hc.pcre"
printf 'root: admin@example.com\npostmaster: root\n' >"$d/aliases"
printf 'example.com smtp:127.0.0.1:1025\n' >"$d/transport"
postalias -c "$d" "hash:$d/aliases" && postmap -c "$d" "hash:$d/transport" || bail "postalias/postmap failed"

out=$("$PFCONSOLE" -c "$d" check 2>&1); rc=$?
is "the working configuration: exit 0 (no error)" "$rc" 0
unlike "REPLACE \$1: no bad-action" "$out" 'hc\.pcre.*bad-action'
is "REPLACE \$1: cleanup gets a header after substitution (postmap -q)" \
	"$(postmap -c "$d" -q 'Mime-Version: 1.0 (Generated)' "pcre:$d/hc.pcre")" "REPLACE Mime-Version: 1.0"
unlike "caches Postfix creates itself: no missing-map" "$out" 'missing-map'
unlike "\$data_directory unset: no undefined-parameter" "$out" 'data_directory'
is "postconf expands \$data_directory to its default, as check does" \
	"$(postconf -c "$d" -xh address_verify_map 2>/dev/null)" "proxy:btree:$(postconf -dh data_directory)/verify_cache"
for old in postscreen_dnsbl_whitelist_threshold:postscreen_dnsbl_allowlist_threshold \
	postscreen_blacklist_action:postscreen_denylist_action postscreen_dnsbl_ttl:postscreen_dnsbl_max_ttl \
	postscreen_whitelist_interfaces:postscreen_allowlist_interfaces \
	smtpd_per_record_deadline:smtpd_per_request_deadline smtp_per_record_deadline:smtp_per_request_deadline \
	lmtp_per_record_deadline:lmtp_per_request_deadline; do
	o=${old%%:*} n=${old#*:}
	like "$o: 'renamed to $n in 3.6'" "$out" "$o was renamed to $n in Postfix 3\\.6 .*\\[unknown-parameter\\]"
	line=$(printf '%s\n' "$out" | grep "main.cf:[0-9]*:[0-9]*: [a-z]*: $o ")
	unlike "$o: never 'not a Postfix parameter' or 'ignores'" "$line" 'not a Postfix parameter|ignores'
	like "$o: postconf -d: $n defaults to the old name" "$(postconf -dh "$n")" "\\\$\\{?$o"
done
unlike "aliases reached first through proxy_read_maps: not read as a postmap table" "$out" 'key: value'
unlike "\$EXTENSION, \$home, \$user, \$client_address...: no undefined-parameter" "$out" 'undefined-parameter'
unlike "smtp:127.0.0.1:1025: no nexthop finding" "$out" 'bad-nexthop|MX'
unlike "policyd-spf_time_limit with a policyd-spf service: nothing said" "$out" 'policyd-spf_time_limit'
is "and postconf says nothing either" "$(postconf -c "$d" -n 2>&1 >/dev/null | grep -c policyd-spf_time_limit)" 0

# the misses
sed -i '/^policyd-spf/,/argv=/d' "$d/master.cf"
out=$("$PFCONSOLE" -c "$d" check 2>&1)
like "a parameter for a service master.cf does not define: unknown-parameter" "$out" \
	"main.cf:[0-9]+:1: warning: policyd-spf_time_limit is for a service \"policyd-spf\" that master.cf does not define.*\\[unknown-parameter\\]"
like "postconf says so too" "$(postconf -c "$d" -n 2>&1 >/dev/null)" 'unused parameter: policyd-spf_time_limit'
printf '* [relay.example]\nuser@example.com [relay2.example]\n' >"$d/sdrh"
printf 'all REJECT\nfoo@example.com OK\n' >"$d/rcpt"
postmap -c "$d" "hash:$d/sdrh" && postmap -c "$d" "hash:$d/rcpt" || bail "postmap failed"
printf 'sender_dependent_relayhost_maps = hash:%s/sdrh\nsmtpd_relay_restrictions = check_recipient_access hash:%s/rcpt, reject_unauth_destination\n' "$d" "$d" >>"$d/main.cf"
out=$("$PFCONSOLE" -c "$d" check 2>&1)
like "* in sender_dependent_relayhost_maps is never looked up" "$out" "sdrh:1:1: warning: \"\\*\" is never looked up in sender_dependent_relayhost_maps.*\\[unreachable-key\\]"
like "a bare all key in a recipient access table is not a wildcard" "$out" "rcpt:1:1: warning: \"all\" is not a wildcard.*\\[unreachable-key\\]"

# macro loops and runaway nesting: an error as postconf reports it, fast
m=$d/macro; mkdir "$m"
printf 'a = $b\nb = $a\nmyhostname = $a\n' >"$m/main.cf"
out=$(timeout 10 "$PFCONSOLE" -c "$m" check 2>&1); rc=$?
is "a = \$b, b = \$a: exit 1" "$rc" 1
like "reported as macro-nesting at the parameter Postfix expands" "$out" \
	'main.cf:3:1: error: myhostname = \$a: unreasonable macro call nesting: \$name loop \$a -> \$b -> \$a.*\[macro-nesting\]'
pc=$(timeout 10 postconf -c "$m" -h myhostname 2>&1)
like "postconf stops on it the same way" "$pc" 'warning: unreasonable macro call nesting'
like "postconf: fatal" "$pc" 'fatal: dictionary mail_dict: macro processing error'
python3 -c '
for i in range(150): print("p%d = $p%d" % (i, i + 1))
print("p150 = end\nmyhostname = $p0\nmydomain = $p60")' >"$m/main.cf"
out=$(timeout 10 "$PFCONSOLE" -c "$m" check 2>&1)
like "150 nested levels: past Postfix's 100" "$out" 'main.cf:152:1: error: myhostname = \$p0: unreasonable macro call nesting: more than 100 levels'
unlike "90 levels are fine" "$out" 'mydomain'
like "postconf agrees" "$(timeout 10 postconf -c "$m" -h myhostname 2>&1)" 'unreasonable macro call nesting'
sed -i '/^myhostname/d' "$m/main.cf"
is "and takes 90 levels" "$(timeout 10 postconf -c "$m" -xh mydomain 2>/dev/null)" "end"
python3 -c '
for i in range(40): print("p%d = $p%d $p%d" % (i, i + 1, i + 1))
print("p40 = end\nmyhostname = $p0")' >"$m/main.cf"
start=$(date +%s)
out=$(timeout 20 "$PFCONSOLE" -c "$m" check 2>&1); rc=$?
took=$(( $(date +%s) - start ))
is "a 40-level doubling chain: exit 1, not a hang (timeout)" "$rc" 1
check "in under 5 seconds (took ${took}s)" [ "$took" -lt 5 ]
like "reported as macro-nesting" "$out" 'main.cf:42:1: error: myhostname = \$p0: expanding \$p0 takes more than .*hang.*\[macro-nesting\]'
# reject_unknown_address: smtpd 3.7 knows it (no finding), and runs it as
# reject_unknown_sender_domain wherever it is listed: smtpd_check.c tests
# state->sender, in smtpd_sender_restrictions and in
# smtpd_recipient_restrictions alike, never the recipient
u=$d/rua; mkdir "$u"
cat >"$u/main.cf" <<'EOF2'
compatibility_level = 3.6
mydestination = bar.org
mynetworks = 127.0.0.0/8
local_recipient_maps =
smtpd_relay_restrictions =
smtpd_sender_restrictions = reject_unknown_address
smtpd_recipient_restrictions = reject_unknown_address, permit_mynetworks, reject_unauth_destination
EOF2
out=$("$PFCONSOLE" -c "$u" check 2>&1); rc=$?
is "reject_unknown_address in sender and recipient restrictions: exit 0" "$rc" 0
unlike "reject_unknown_address: no finding" "$out" 'reject_unknown_address'
check "smtpd 3.7.11 lists the name (tests/data/restrictions)" \
	grep -qx "reject_unknown_address none" "$top_srcdir/tests/data/restrictions/smtpd-3.7.11.txt"
E="$PFCONSOLE -c $u explain"
out=$($E --client 203.0.113.5 --sender a@sender-dom.invalid --recipient foo@bar.org)
like "smtpd_sender_restrictions: the sender's domain (DNS) decides" "$out" \
	'^unknown: depends on DNS A/AAAA/MX records of sender-dom\.invalid'
like "... in smtpd_sender_restrictions" "$out" 'smtpd_sender_restrictions: unknown'
sed -i 's/^smtpd_sender_restrictions = .*/smtpd_sender_restrictions =/' "$u/main.cf"
out=$($E --client 203.0.113.5 --sender a@sender-dom.invalid --recipient foo@rcpt-dom.invalid)
like "smtpd_recipient_restrictions: still the sender's domain" "$out" \
	'^unknown: depends on DNS A/AAAA/MX records of sender-dom\.invalid'
like "... in smtpd_recipient_restrictions" "$out" 'smtpd_recipient_restrictions: unknown'
out=$($E --client 127.0.0.1 --sender '<>' --recipient foo@rcpt-dom.invalid)
like "null sender: nothing to check, whatever the recipient's domain" "$out" '^250 '
unlike "the recipient's domain is never looked up" "$out" 'records of rcpt-dom'
# master.cf -o restriction lists: checked as main.cf's lists are (names,
# arguments, tables), reported at the -o line with the service; the stock
# master.cf and the usual submission overrides raise nothing
o=$d/ovr; mkdir "$o"
cat >"$o/main.cf" <<'EOF2'
compatibility_level = 3.6
mydestination = local.test
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
mua_client_restrictions = permit_sasl_authenticated, reject
mua_recipient_restrictions = permit_sasl_authenticated,
    reject_rbl_client
EOF2
if [ -r /usr/share/postfix/master.cf.dist ]; then
	cp /usr/share/postfix/master.cf.dist "$o/master.cf"
else
	printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$o/master.cf"
fi
cat >>"$o/master.cf" <<'EOF2'
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
smtps     inet  n       -       y       -       -       smtpd
  -o smtpd_client_restrictions=$mua_client_restrictions
EOF2
out=$("$PFCONSOLE" -c "$o" check 2>&1); rc=$?
is "stock master.cf + submission overrides: exit 0" "$rc" 0
unlike "... no restriction finding" "$out" '\[(unknown-restriction|bad-restriction-arg|bad-reference)\]'
n=$(wc -l <"$o/master.cf")
cat >>"$o/master.cf" <<'EOF2'
bad       inet  n       -       y       -       -       smtpd
  -o smtpd_client_restrictions=check_policy_service,inet:
  -o smtpd_sender_restrictions=check_sender_access
  -o smtpd_recipient_restrictions=bogus_restriction,permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=$mua_recipient_restrictions
EOF2
out=$("$PFCONSOLE" -c "$o" check 2>&1); rc=$?
is "broken -o restriction lists: exit 1" "$rc" 1
like "-o check_policy_service inet: (smtpd exits)" "$out" \
	"master\\.cf:$((n + 2)):6: error: service bad/inet, -o smtpd_client_restrictions: check_policy_service \"inet:\": smtpd exits at startup .*\\[bad-restriction-arg\\]"
like "-o check_sender_access without a table" "$out" \
	"master\\.cf:$((n + 3)):6: error: service bad/inet, -o smtpd_sender_restrictions: check_sender_access needs a type:name argument.*\\[bad-reference\\]"
like "-o unknown restriction" "$out" \
	"master\\.cf:$((n + 4)):6: error: service bad/inet, -o smtpd_recipient_restrictions: unknown restriction \"bogus_restriction\".*\\[unknown-restriction\\]"
like "-o \$mua_recipient_restrictions: checked at its main.cf line" "$out" \
	"main\\.cf:6:5: error: service bad/inet, -o smtpd_relay_restrictions: reject_rbl_client needs a DNS list domain.*\\[bad-restriction-arg\\]"
is "four findings, no more" "$(printf '%s\n' "$out" | grep -c ': error: ')" 4
out=$("$PFCONSOLE" -c "$o" explain --service bad --client 127.0.0.1 --sender a@b.example --recipient x@local.test 2>&1)
like "explain --service bad: smtpd cannot start" "$out" \
	'smtpd cannot start, no reply .*fatal: need service transport:endpoint instead of "inet:"'
tap_done
