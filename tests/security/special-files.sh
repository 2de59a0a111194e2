#!/bin/sh
# tests/security/special-files.sh - user-named files that are not regular
# files: a FIFO without a writer as check FILE, as a table referenced from
# main.cf and as main.cf itself, and /dev/zero as a table, must give a clear
# error naming the file type within seconds (no hang in open(), no reading
# without bound); a rescue/save never goes through them.
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run SECONDS CMD... - run with a deadline; prints output, then "rc=N"
# (rc=124 when it had to be killed)
run() {
	t=$1; shift
	timeout -k 2 "$t" "$@" 2>&1
	echo "rc=$?"
}

mkdir "$tmp/cf" "$tmp/fifocf"
mkfifo "$tmp/fifo"
cat >"$tmp/cf/main.cf" <<CF
compatibility_level = 3.6
smtpd_sender_restrictions = check_sender_access hash:$tmp/fifo
smtpd_recipient_restrictions = check_recipient_access hash:$tmp/cf/zero, reject_unauth_destination
CF
ln -s /dev/zero "$tmp/cf/zero"
: >"$tmp/fifo.db"
: >"$tmp/cf/zero.db"

out=$(run 10 "$PFCONSOLE" -c "$tmp/cf" check "$tmp/fifo")
unlike "check FIFO: returns (no hang in open)" "$out" 'rc=124'
like "check FIFO: the error names the file type" "$out" "$tmp/fifo.*is a FIFO, not a regular file"
like "check FIFO: exit status 1" "$out" 'rc=1$'

out=$(run 10 "$PFCONSOLE" -c "$tmp/cf" check)
unlike "check main.cf naming a FIFO and /dev/zero tables: returns" "$out" 'rc=124'
like "the FIFO table is reported by type" "$out" "$tmp/fifo: is a FIFO, not a regular file"
like "the /dev/zero table is reported by type" "$out" "$tmp/cf/zero: is a character device, not a regular file"

# build: bounded memory (the 10 s run with /dev/zero took 8.5 GB before)
out=$( (ulimit -v 1000000; run 10 "$PFCONSOLE" -c "$tmp/cf" build "hash:$tmp/cf/zero") )
unlike "build /dev/zero: returns within the deadline and the memory limit" "$out" 'rc=124|rc=13[0-9]'
like "build /dev/zero: the error names the file type" "$out" "is a character device, not a regular file"
out=$(run 10 "$PFCONSOLE" -c "$tmp/cf" build "hash:$tmp/fifo")
like "build FIFO: clear error, exit 1" "$out" "is a FIFO, not a regular file"
like "build FIFO: clear error, exit 1 (exit 1)" "$out" '^rc=1$'

# main.cf itself a FIFO / a device
mkfifo "$tmp/fifocf/main.cf"
out=$(run 10 "$PFCONSOLE" -c "$tmp/fifocf" check)
like "main.cf FIFO: check answers with the type" "$out" "main.cf: is a FIFO, not a regular file"
like "main.cf FIFO: check answers with the type (exit 1)" "$out" '^rc=1$'
out=$(run 10 "$PFCONSOLE" -c "$tmp/fifocf" explain --client 192.0.2.1 --sender a@b.example --recipient c@d.example)
unlike "main.cf FIFO: explain returns" "$out" 'rc=124'
out=$(run 10 "$PFCONSOLE" -c "$tmp/fifocf" query hash:"$tmp/fifo" x)
unlike "FIFO index: query returns" "$out" 'rc=124'
rm "$tmp/fifo.db"; mkfifo "$tmp/fifo.db"
out=$(run 10 "$PFCONSOLE" -c "$tmp/cf" query hash:"$tmp/fifo" x)
like "FIFO index: query says what it is" "$out" "fifo.db: is a FIFO, not a regular file"
like "FIFO index: query says what it is (exit 1)" "$out" '^rc=1$'
rm -f "$tmp/cf/zero.db"; ln -s /dev/zero "$tmp/cf/zero.cdb"
out=$( (ulimit -v 1000000; run 10 "$PFCONSOLE" -c "$tmp/cf" query cdb:"$tmp/cf/zero" x) )
like "/dev/zero cdb index: refused by type" "$out" "is a character device, not a regular file"
like "/dev/zero cdb index: refused by type (exit 1)" "$out" '^rc=1$'
tap_done
