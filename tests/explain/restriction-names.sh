#!/bin/sh
# check and explain know every restriction name smtpd 3.7.11 accepts, and
# nothing else.  The names and their argument kinds come from Postfix's
# source (tests/data/restrictions/smtpd-3.7.11.txt); each one is written as
# the first restriction of smtpd_recipient_restrictions, with an argument
# of its kind: check must not call it unknown or its argument bad, and
# explain must reach it without "unknown smtpd restriction".  Names smtpd
# 3.7 does not know must be reported by both (451 4.3.5 in explain).
. "$top_srcdir/tests/lib/tap.sh"
[ -x "$PFCONSOLE" ] || bail "no pfconsole binary at $PFCONSOLE"
data="$top_srcdir/tests/data/restrictions/smtpd-3.7.11.txt"
d=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$d"' EXIT
probe='{"client":"192.0.2.1,named.example","helo":"h.example","sender":"a@ok.example","recipient":"u@local.test"}'

# conf NAME ARG - a configuration directory whose recipient list starts with NAME ARG
conf() {
	rm -rf "$d/c"; mkdir "$d/c"
	printf '%s\n' 'compatibility_level = 3.6' 'mydestination = local.test' \
		'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination' \
		"smtpd_recipient_restrictions = $1 $2" >"$d/c/main.cf"
}

n=0 bad_check="" bad_explain=""
while read -r name kind; do
	case $name in '#'*|'') continue ;; esac
	case $kind in
	map) arg='inline:{x=OK}' ;;
	policy) arg='inet:127.0.0.1:9' ;;
	number) arg=0 ;;
	domain) arg=zen.example ;;
	*) arg= ;;
	esac
	n=$((n + 1))
	conf "$name" "$arg"
	out=$("$PFCONSOLE" check -c "$d/c" 2>&1)
	case $out in *unknown-restriction*|*bad-restriction-arg*|*bad-reference*)
		bad_check="$bad_check $name" ;; esac
	out=$(printf '%s\n' "$probe" | "$PFCONSOLE" explain -c "$d/c" --batch - 2>&1)
	case $out in
	*"unknown smtpd restriction"*|*"bad argument"*|*"must be followed"*|*"requires domain"*|'')
		bad_explain="$bad_explain $name" ;;
	esac
	printf '%s\n' "$out" | grep -Eq "\"smtpd_recipient_restrictions:\",\" *$name( |\")" ||
		bad_explain="$bad_explain $name(not-reached)"
done <"$data"
[ "$n" -ge 70 ] && ok "the data file lists $n names" || fail "the data file lists $n names"
is "check knows every smtpd 3.7.11 name with its argument" "$bad_check" ""
is "explain knows every smtpd 3.7.11 name with its argument" "$bad_explain" ""

# nothing else: names smtpd 3.7 does not know (later versions, typos, table results)
for name in reject_unknown_forward_client_hostname permit_mx_primary dunno reject_unknown_helo \
	check_recipient_accesss; do
	conf "$name" ""
	out=$("$PFCONSOLE" check -c "$d/c" 2>&1)
	like "check: $name is unknown" "$out" "unknown-restriction"
	out=$(printf '%s\n' "$probe" | "$PFCONSOLE" explain -c "$d/c" --batch - 2>&1)
	like "explain: $name is unknown (451 4.3.5)" "$out" '"code":451,"dsn":"4.3.5".*unknown smtpd restriction' 
done
tap_done
