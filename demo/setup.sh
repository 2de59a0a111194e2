#!/bin/sh
# demo/setup.sh CONFDIR [MAILLOG] - install the demo configuration into CONFDIR.
#
# Copies demo/etc/* to CONFDIR, rewriting /etc/postfix/ in main.cf to CONFDIR/,
# and Postfix's master.cf.dist as master.cf when CONFDIR has none.
# When CONFDIR/main.cf exists already (a throwaway instance's, from
# tests/lib/postfix.sh), the demo's parameters replace the ones it sets there
# and the rest (queue, ports, logging, transports) is kept.  MAILLOG, when
# given, becomes maillog_file.  The hash: tables are built with the real
# postmap (when it is installed), then transport.db is made older than its
# source so that `check` reports a stale index, as if the admin had edited
# transport and forgotten postmap.
set -eu
src=$(cd "$(dirname "$0")/etc" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 CONFDIR [MAILLOG]" >&2; exit 2; }
conf=$1 log=${2:-}
mkdir -p "$conf"
conf=$(cd "$conf" && pwd)
postconf=/usr/sbin/postconf postmap=/usr/sbin/postmap

for f in "$src"/*; do
	[ "${f##*/}" = main.cf ] || cp "$f" "$conf/"
done
# postfix check (Apply's third step) needs a master.cf: a throwaway
# instance has its own; the synthetic demo gets the distribution's
dist=/usr/share/postfix/master.cf.dist
[ -f "$conf/master.cf" ] || [ ! -f "$dist" ] || cp "$dist" "$conf/master.cf"
demo_main=$(sed "s|/etc/postfix/|$conf/|g" "$src/main.cf")
if [ -f "$conf/main.cf" ]; then
	# drop what the demo sets, then append the demo's lines as written
	names=$(printf '%s\n' "$demo_main" | sed -n 's/^\([a-z_][a-z0-9_]*\)[[:space:]]*=.*/\1/p')
	if [ -x "$postconf" ]; then
		# shellcheck disable=SC2086
		"$postconf" -c "$conf" -X $names
	else
		for n in $names; do sed -i "/^$n[[:space:]]*=/d" "$conf/main.cf"; done
	fi
	printf '\n' >>"$conf/main.cf"
fi
printf '%s\n' "$demo_main" >>"$conf/main.cf"
if [ -n "$log" ]; then
	[ -x "$postconf" ] && "$postconf" -c "$conf" -X maillog_file maillog_file_prefixes 2>/dev/null || :
	printf 'maillog_file = %s\nmaillog_file_prefixes = %s\n' "$log" "$(dirname "$log")" >>"$conf/main.cf"
fi

if [ -x "$postmap" ]; then
	for t in restricted_senders protected_destinations access_recipient access_sender \
	         null_sender transport; do
		"$postmap" -c "$conf" "hash:$conf/$t" 2>/dev/null  # duplicate-key warnings: on purpose
	done
	touch -d '1 hour ago' "$conf/transport.db"
fi
