#!/bin/sh
# tests/security/explain-files.sh - the files explain opens by name go
# through util/safeopen: `--batch FILE` that is a FIFO without a writer or
# /dev/zero is refused at once with its type (no hang in open(), no reading
# without bound); `--batch -` fed an endless line keeps its memory bounded
# (a per-line error); an indexed table whose source is a FIFO (read for the
# "line N" of the answer) cannot block explain.  Every run has a deadline.
. "$top_srcdir/tests/lib/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-sec-explainf.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT

# run SECONDS CMD... - with a deadline; prints output, then "rc=N" (124: killed)
run() {
	t=$1; shift
	timeout -k 2 "$t" "$@" 2>&1
	echo "rc=$?"
}

cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mydestination = bar.org
local_recipient_maps =
smtpd_recipient_restrictions = check_sender_access cdb:$T/senders, permit
CF
printf 'ok.example OK\nbad.example REJECT go away\n' >"$T/senders"
"$PFCONSOLE" -c "$T" build "cdb:$T/senders" >/dev/null 2>&1 || bail "build failed"
E="$PFCONSOLE -c $T explain"
good='{"client":"192.0.2.1","sender":"x@bad.example","recipient":"a@bar.org"}'

mkfifo "$T/batch.fifo"
out=$(run 10 $E --batch "$T/batch.fifo")
unlike "--batch FIFO: returns (no hang in open)" "$out" 'rc=124'
like "--batch FIFO: the error names the file type" "$out" "batch.fifo: is a FIFO, not a regular file"
like "--batch FIFO: exit 1" "$out" '^rc=1$'

out=$( (ulimit -v 1000000; run 10 $E --batch /dev/zero) )
unlike "--batch /dev/zero: returns within the deadline and the memory limit" "$out" 'rc=124|rc=13[0-9]'
like "--batch /dev/zero: the error names the file type" "$out" "/dev/zero: is a character device, not a regular file"
like "--batch /dev/zero: exit 1" "$out" '^rc=1$'

# standard input is a stream: an endless line is dropped, bounded, and the
# next line is still answered
out=$( (ulimit -v 400000; { head -c 3000000 /dev/zero; echo; echo "$good"; } |
	run 20 $E --batch -) )
like "--batch - with a 3 MB line of NULs: a per-line error" "$(printf '%s\n' "$out" | sed -n 1p)" \
	'^\{"error":"line 1: longer than 1048576 bytes"\}$'
like "--batch -: the next line is answered" "$(printf '%s\n' "$out" | sed -n 2p)" '"decision":"reject"'
like "--batch -: exit 1" "$out" '^rc=1$'

# the source of an indexed table is read for the answer's "line N": a FIFO
# there cannot block explain (the index still answers)
mv "$T/senders" "$T/senders.txt"
mkfifo "$T/senders"
out=$(run 10 $E --client 192.0.2.1 --sender x@bad.example --recipient a@bar.org)
unlike "table source FIFO: explain returns" "$out" 'rc=124'
like "table source FIFO: the index answers" "$out" 'REJECT'
out=$(printf '%s\n' "$good" | run 10 $E --batch -)
unlike "table source FIFO: explain --batch returns" "$out" 'rc=124'
like "table source FIFO: explain --batch answers" "$out" '"decision":"reject"'
tap_done
