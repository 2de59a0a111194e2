#!/bin/sh
# tests/bench/tui.sh [BUILDDIR] - console benchmark (on demand, not in make check).
#
# With a 1,000,000-entry hash table in the configuration, in a real terminal
# (tmux): time to the first screen, to open the table in the editor, a
# keystroke in it (median), save + build against editing the file in place
# + postmap; the live pane with 1,000 new log lines a second (the console's
# CPU share of one core); peak memory.  Figures come from the console's own
# PFCONSOLE_TIMING log (a key read to its screen drawn) and, for the first
# screen, also from outside (tmux polled every 10 ms).
# Prints a report; doc/performance.md records a run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
pfc=$build/pfconsole
[ -x "$pfc" ] || { echo "tui.sh: $pfc is not built" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tui.sh: tmux is needed" >&2; exit 2; }
N=${BENCH_ENTRIES:-1000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench.XXXXXX")
sock=pfc-bench-$$
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$dir"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=screen
mkdir -p "$dir/etc"
ms() { date +%s%3N; }

python3 - "$dir/etc/big" "$N" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("# a big sender table\n")
    for i in range(n):
        f.write("user%d@spam%d.example REJECT\n" % (i, i % 5000))
PY
printf 'compatibility_level = 3.6\nsmtpd_sender_restrictions = check_sender_access hash:%s/etc/big\n' "$dir" >"$dir/etc/main.cf"
: >"$dir/mail.log"
t0=$(ms); "$pfc" -c "$dir/etc" build >/dev/null 2>&1; t1=$(ms)
echo "table: $N entries, $(wc -c <"$dir/etc/big") bytes; initial pfconsole build: $((t1 - t0)) ms"

screen() { tmux -L "$sock" capture-pane -p -t b; }
wait_for() { # REGEX [SECS]
	end=$(( $(ms) + ${2:-30} * 1000 ))
	until screen | grep -Eq -- "$1"; do
		[ "$(ms)" -ge "$end" ] && { echo "timeout waiting for $1" >&2; screen >&2; return 1; }
		sleep 0.01
	done
}
mkdir -p "$dir/t"; timing=$dir/t/timing   # not beside mail.log: its directory is watched
t0=$(ms)
tmux -L "$sock" -f /dev/null new-session -d -s b -x 100 -y 30 \
	"PFCONSOLE_TIMING=$timing '$pfc' -c '$dir/etc' console --log '$dir/mail.log'; sleep 600" || exit 1
wait_for 'pfconsole \| Maps' || exit 1
t1=$(ms)
pid=$(pgrep -n -f "pfconsole -c $dir/etc console")
echo "first screen: $((t1 - t0)) ms from tmux start (includes starting tmux); the console's own: $(sed -n 's/^first-screen //p' "$timing" | head -1) ms"
wait_for ' ok ' 60
echo "every table checked (background): $(( $(ms) - t0 )) ms after start"

: >"$timing"
tmux -L "$sock" send-keys -t b Enter
wait_for 'entries, role'
sleep 0.5
echo "open the table in the editor: $(awk '/^key/ {print int($2/1000); exit}' "$timing") ms (key to screen)"
wait_for 'entries, role sender *$' 60

# keystrokes: moving, and typing in the line editor
: >"$timing"
i=0
while [ $i -lt 40 ]; do tmux -L "$sock" send-keys -t b j; sleep 0.05; i=$((i + 1)); done
tmux -L "$sock" send-keys -t b e; sleep 0.1
i=0
while [ $i -lt 20 ]; do tmux -L "$sock" send-keys -t b x; sleep 0.05; tmux -L "$sock" send-keys -t b BSpace; sleep 0.05; i=$((i + 1)); done
sleep 0.3
awk '/^key/ {print $2}' "$timing" | sort -n | awk '{v[NR]=$1} END {
	printf "keystroke (n=%d: move, type, erase): median %.1f ms, p90 %.1f ms, max %.1f ms\n", NR, v[int((NR+1)/2)]/1000, v[int(NR*0.9)]/1000, v[NR]/1000 }'

# commit the line (Enter): the document re-reads itself, validation in the background
tmux -L "$sock" send-keys -t b C-u; sleep 0.05
tmux -L "$sock" send-keys -t b -l "new@spam.example REJECT"; sleep 0.2
: >"$timing"
tmux -L "$sock" send-keys -t b Enter
wait_for 'unsaved edits'
sleep 0.2
echo "commit an edited line (Enter): $(awk '/^key/ {printf "%.1f ms wall, %.1f ms CPU", $2/1000, $4/1000; exit}' "$timing"); load average $(cut -d' ' -f1 /proc/loadavg)"
end=$(( $(ms) + 60000 ))
while screen | grep -q 'validating' && [ "$(ms)" -lt "$end" ]; do sleep 0.05; done

# a series of commits (COMMITS of each: edit a line, insert one, delete
# one), one key at a time, 0.3 s apart (a background validation of the
# whole table runs meanwhile, as it does for a user); the figure of each is
# the committing key's line in the timing log: wall and the loop thread's CPU
C=${COMMITS:-20}
one_key() { # KEY...: send, wait for its screen, print "WALL_US CPU_US"
	: >"$timing"
	tmux -L "$sock" send-keys -t b "$@"
	end=$(( $(ms) + 10000 ))
	until grep -q '^key' "$timing" 2>/dev/null || [ "$(ms)" -ge "$end" ]; do sleep 0.01; done
	awk '/^key/ {print $2, $4; exit}' "$timing"
}
stats() { # NAME FILE: median and p95 of wall and CPU
	sort -n "$2" | awk -v name="$1" '{w[NR]=$1} END {printf "%s (n=%d): wall median %.1f ms, p95 %.1f ms, max %.1f ms", name, NR, w[int((NR+1)/2)]/1000, w[int(NR*0.95+0.5)]/1000, w[NR]/1000}'
	sort -n -k2 "$2" | awk '{c[NR]=$2} END {printf "; CPU median %.1f ms, p95 %.1f ms, max %.1f ms\n", c[int((NR+1)/2)]/1000, c[int(NR*0.95+0.5)]/1000, c[NR]/1000}'
}
for kind in edit insert delete; do
	: >"$dir/commits.$kind"
	i=0
	while [ $i -lt "$C" ]; do
		case $kind in
		edit) tmux -L "$sock" send-keys -t b e; sleep 0.05; tmux -L "$sock" send-keys -t b C-u; sleep 0.05
			tmux -L "$sock" send-keys -t b -l "edit$i@spam.example REJECT"; sleep 0.1
			one_key Enter >>"$dir/commits.$kind" ;;
		insert) tmux -L "$sock" send-keys -t b a; sleep 0.05
			tmux -L "$sock" send-keys -t b -l "ins$i@spam.example REJECT"; sleep 0.1
			one_key Enter >>"$dir/commits.$kind" ;;
		delete) one_key d >>"$dir/commits.$kind" ;;
		esac
		sleep 0.3
		i=$((i + 1))
	done
	stats "commit: $kind a line" "$dir/commits.$kind"
done
echo "(commits on line 42 of $N entries; load average $(cut -d' ' -f1 /proc/loadavg))"
end=$(( $(ms) + 60000 ))
while screen | grep -q 'validating' && [ "$(ms)" -lt "$end" ]; do sleep 0.05; done
# off the key's path: the whole table validated again in the background
# ("validating..." in the header until its findings are in)
tmux -L "$sock" send-keys -t b e; sleep 0.05; tmux -L "$sock" send-keys -t b C-u; sleep 0.05
tmux -L "$sock" send-keys -t b -l "last@spam.example REJECT"; sleep 0.1
t0=$(ms)
: >"$timing"
tmux -L "$sock" send-keys -t b Enter
wait_for 'validating' 1 >/dev/null 2>&1
end=$(( $(ms) + 60000 ))
while screen | grep -q 'validating' && [ "$(ms)" -lt "$end" ]; do sleep 0.01; done
echo "after a commit, the background validation of the whole table: findings in $(( $(ms) - t0 )) ms after Enter;" \
	"the loop thread's share after the draw (copying the text for it, taking its result):" \
	"$(awk '/^source/ {w += $2; c += $4} END {printf "%.1f ms wall, %.1f ms CPU", w/1000, c/1000}' "$timing")"

# save + build in the console, against sed -i + postmap
t0=$(ms)
tmux -L "$sock" send-keys -t b s
wait_for 'saved big'
t1=$(ms)
"$pfc" -c "$dir/etc" build >/dev/null 2>&1
t2=$(ms)
echo "console save: $((t1 - t0)) ms; then pfconsole build: $((t2 - t1)) ms; total $((t2 - t0)) ms"
t0=$(ms)
sed -i 's/^user7@spam7.example REJECT$/user7@spam7.example OK/' "$dir/etc/big"
t1=$(ms)
/usr/sbin/postmap -c "$dir/etc" "hash:$dir/etc/big" 2>/dev/null
t2=$(ms)
echo "in place: sed -i $((t1 - t0)) ms; postmap $((t2 - t1)) ms; total $((t2 - t0)) ms"
tmux -L "$sock" send-keys -t b q
# the console notices both external changes (reloads the document, checks
# again in the background); let that settle before measuring the feed
sleep 1
wait_for ' ok ' 60
sleep 3

# the live pane at 1,000 lines a second for 10 s
tmux -L "$sock" send-keys -t b 2
wait_for 'Live rejects'
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ticks); t0=$(ms)
python3 - "$dir/mail.log" <<'PY'
import sys, time
path = sys.argv[1]
line = ("%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.%d]: "
        "554 5.7.1 <u%d@qq.com>: Sender address rejected: Access denied; "
        "from=<u%d@qq.com> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n")
with open(path, "a", buffering=1) as f:
    start = time.time()
    n = 0
    while time.time() - start < 10:
        stamp = time.strftime("%b %d %H:%M:%S", time.gmtime())
        for _ in range(10):
            f.write(line % (stamp, n % 250, n, n))
            n += 1
        f.flush()
        time.sleep(max(0, start + n / 1000.0 - time.time()))
PY
c1=$(ticks); t1=$(ms)
sleep 0.5
echo "live pane, 1000 lines/s for $(( (t1 - t0) / 1000 )) s: console CPU $(awk -v c=$((c1 - c0)) -v hz="$hz" -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", 100 * c / hz / (t / 1000) }')% of one core; $(screen | sed -n 's/.* \([0-9]*\) events.*/\1/p') events counted; newest on screen: $(screen | grep -o 'u[0-9]*@qq.com' | head -1)"
echo "peak memory (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
tmux -L "$sock" send-keys -t b Q
sleep 0.3
tmux -L "$sock" send-keys -t b d
