# tests/tui/lib.sh - drive the console in a real terminal: a private tmux
# server per test (tmux -L pfc-$$), killed by the EXIT trap.
#
#   . "$top_srcdir/tests/tui/lib.sh"
#   tui_fixture                      # copy tests/tui/data/etc to $TUI_DIR/etc
#   tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
#   tui_wait_for 'Maps' || ...       # poll the screen every 50 ms to a deadline
#   tui_keys Enter j j e             # tmux send-keys
#   tui_step_until REGEX j 40        # j until REGEX shows, one screen change at a time
#   tui_expect NAME REGEX            # ok/fail (dumps the screen on failure)
#   tui_quit                         # q until it exits; checks the exit status
#
# The environment is fixed: LANG/LC_ALL C.UTF-8, TZ=UTC, TERM=screen, a
# per-test HOME, no NO_COLOR.  No fixed sleeps: everything waits for what
# it expects with a deadline (TUI_TIMEOUT seconds, default 10).
. "$top_srcdir/tests/lib/tap.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
[ -x "$PFCONSOLE" ] || bail "$PFCONSOLE is not built"

: "${TUI_TIMEOUT:=10}"
TUI_SOCK="pfc-$$"
TUI_W=${TUI_W:-100}
TUI_H=${TUI_H:-30}
TUI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pfc-tui.XXXXXX")
mkdir -p "$TUI_DIR/home"
export HOME="$TUI_DIR/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=screen
unset NO_COLOR TMUX

tui_cleanup() {
	tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
	[ "${TUI_KEEP:-0}" = 1 ] || rm -rf "$TUI_DIR"
}
# With tests/lib/postfix.sh the instance trap comes first; chain ours.
if command -v pf_atexit >/dev/null 2>&1; then
	pf_atexit tui_cleanup
else
	trap 'tui_cleanup' EXIT
fi
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# tui_fixture [SRC] - copy a configuration (default tests/tui/data/etc) to
# $TUI_DIR/etc, replacing @DIR@ by that directory; an empty mail log
tui_fixture() {
	src=${1:-$top_srcdir/tests/tui/data/etc}
	mkdir -p "$TUI_DIR/etc"
	for f in "$src"/*; do
		sed "s#@DIR@#$TUI_DIR/etc#g" "$f" >"$TUI_DIR/etc/$(basename "$f")"
	done
	: >"$TUI_DIR/mail.log"
	# build the indexes, as an installed configuration has them
	"$PFCONSOLE" -c "$TUI_DIR/etc" build >/dev/null 2>&1 || bail "pfconsole build of the fixture failed"
}

# tui_session SHELL-COMMAND - a fresh terminal (the only session of the
# private server) running SHELL-COMMAND
tui_session() {
	tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
	# the old server must be gone, or the new session would join it as it exits
	while tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1; do sleep 0.05; done
	tmux -L "$TUI_SOCK" -f /dev/null new-session -d -s pfc -x "$TUI_W" -y "$TUI_H" "$1" ||
		bail "tmux new-session failed"
	tmux -L "$TUI_SOCK" set-option -t pfc status off >/dev/null
}

# tui_start ARGS... - run pfconsole ARGS in a new terminal
tui_start() {
	cmd="cd '$TUI_DIR' && '$PFCONSOLE'"
	for a in "$@"; do cmd="$cmd '$a'"; done
	rm -f "$TUI_DIR/status"
	tui_session "$cmd; echo \$? >'$TUI_DIR/status.tmp'; mv '$TUI_DIR/status.tmp' '$TUI_DIR/status'; sleep 600"
}

# tui_keys KEYS... - tmux send-keys (key names: Enter Escape Up C-c F5 ...)
tui_keys() { tmux -L "$TUI_SOCK" send-keys -t pfc "$@"; }
# tui_type TEXT - literal text
tui_type() { tmux -L "$TUI_SOCK" send-keys -t pfc -l "$1"; }
# tui_screen - the screen as text, trailing blanks removed
tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p -J -t pfc | sed 's/[[:space:]]*$//'; }
# tui_screen_attrs - with escape sequences for attributes (colours)
tui_screen_attrs() { tmux -L "$TUI_SOCK" capture-pane -p -e -t pfc; }

tui_now_ms() { date +%s%3N; }

# tui_wait_for REGEX [SECS] - 0 once the screen matches (grep -E), 1 at the deadline
tui_wait_for() {
	deadline=$(( $(tui_now_ms) + ${2:-$TUI_TIMEOUT} * 1000 ))
	while :; do
		tui_screen | grep -Eq -- "$1" && return 0
		[ "$(tui_now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}
# tui_wait_gone REGEX [SECS] - 0 once the screen no longer matches
tui_wait_gone() {
	deadline=$(( $(tui_now_ms) + ${2:-$TUI_TIMEOUT} * 1000 ))
	while :; do
		tui_screen | grep -Eq -- "$1" || return 0
		[ "$(tui_now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}
# tui_wait_change SCREEN [SECS] - 0 once the screen differs from SCREEN
# (a key was acted on), 1 at the deadline
tui_wait_change() {
	deadline=$(( $(tui_now_ms) + ${2:-$TUI_TIMEOUT} * 1000 ))
	while [ "$(tui_screen)" = "$1" ]; do
		[ "$(tui_now_ms)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}
# tui_step_until REGEX KEY [MAX] - press KEY until the screen shows REGEX,
# waiting after each press for the screen to change (no overshoot when the
# machine is slow); 0 once it matches, 1 after MAX presses (default 200)
# or when a press changed nothing within 2 s
tui_step_until() {
	_n=0
	while :; do
		_scr=$(tui_screen)
		printf '%s\n' "$_scr" | grep -Eq -- "$1" && return 0
		[ "$_n" -ge "${3:-200}" ] && return 1
		tui_keys "$2"
		_n=$((_n + 1))
		tui_wait_change "$_scr" 2 || return 1
	done
}
# tui_dump - the screen as TAP comments
tui_dump() { tui_screen | sed 's/^/# | /'; }

# tui_expect NAME REGEX [SECS] - ok when the screen shows REGEX in time
tui_expect() {
	if tui_wait_for "$2" "${3:-}"; then ok "$1"; else fail "$1" "screen never matched: $2"; tui_dump; fi
}
# tui_expect_not NAME REGEX - ok when the screen does not show REGEX now
tui_expect_not() {
	if tui_screen | grep -Eq -- "$2"; then fail "$1" "screen shows: $2"; tui_dump; else ok "$1"; fi
}

# tui_exited [SECS] - wait for the console to exit; its status on stdout
tui_exited() {
	deadline=$(( $(tui_now_ms) + ${1:-$TUI_TIMEOUT} * 1000 ))
	while [ ! -f "$TUI_DIR/status" ]; do
		[ "$(tui_now_ms)" -ge "$deadline" ] && { echo timeout; return 1; }
		sleep 0.05
	done
	cat "$TUI_DIR/status"
}

# tui_resize W H - the terminal changes size
tui_resize() { tmux -L "$TUI_SOCK" resize-window -t pfc -x "$1" -y "$2"; }

# tui_quit - leave with Q (discarding nothing: answers no prompt) and check it exits 0
tui_quit() {
	tui_keys Q
	st=$(tui_exited)
	is "console exits with status 0" "$st" 0
}
