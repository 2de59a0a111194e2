#!/bin/sh
# The README's first command, after the build: demo/run-demo.sh opens the
# console on the demo configuration in a real terminal (tmux), the live pane
# receives new rejects while it is open, and quitting the console stops
# everything the demo started.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"

work=$(mktemp -d)
sock=pfc-demo-$$
pf_atexit "tmux -L $sock kill-server >/dev/null 2>&1; rm -rf '$work'"
export HOME="$work" TERM=screen

screen() { tmux -L "$sock" capture-pane -p -J 2>/dev/null; }
# wait_for REGEX [SECS] - poll the screen every 50 ms until REGEX (grep -E)
# matches; on timeout the screen goes to the TAP log
wait_for() {
	_end=$(( $(date +%s) + ${2:-20} ))
	while [ "$(date +%s)" -le "$_end" ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	screen | sed 's/^/# screen: /'
	return 1
}

tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
	"DEMO_DELAY=0.2 sh '$top_srcdir/demo/run-demo.sh' '$PFCONSOLE'; echo \$? >'$work/exit'; sleep 600" ||
	bail "tmux did not start"
# (the title bar names the configuration directory)
check "the console opens on the demo's Maps screen" wait_for 'pfconsole \| Maps .* /.*/pfconsole-demo\.[A-Za-z0-9]+/etc *$'
scr=$(screen)
dir=$(printf '%s\n' "$scr" | sed -n 's#.*pfconsole | Maps .* \(/[^ ]*/pfconsole-demo\.[A-Za-z0-9]*\)/etc *$#\1#p' | head -1)
like "it lists the 2019 class and its table" "$scr" 'good_senders_only'
like "it lists the 2008 transport table" "$scr" 'transport_maps'
like "the scratch copy exists while the console runs" "$dir" '^/.+/pfconsole-demo\.'
check "the demo log exists" test -s "$dir/maillog"

tmux -L "$sock" send-keys 2
check "the live pane shows the demo's rejects" wait_for '(qq|163)\.com +foo@bar\.org'
events() { screen | sed -n 's/.* \([0-9][0-9]*\) events.*/\1/p' | head -1; }
n1=$(events); n2=$n1; i=0
while [ "${n2:-0}" -le "${n1:-0}" ] && [ $i -lt 300 ]; do sleep 0.05; n2=$(events); i=$((i + 1)); done
like "the live pane counts events" "$n1" '^[0-9]+$'
check "new rejects arrive while the console is open ($n1 -> $n2 events)" test "${n2:-0}" -gt "${n1:-0}"

tmux -L "$sock" send-keys q
sleep 0.5
[ -f "$work/exit" ] || tmux -L "$sock" send-keys q
i=0
while [ ! -f "$work/exit" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
is "quitting the console ends the demo with status 0" "$(cat "$work/exit" 2>/dev/null)" 0
check "the scratch directory is removed" test ! -e "$dir"
left=$(ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -F -- "$dir/" || :)
is "no process of the demo is left" "$left" ""
tap_done
