# tests/lib/postfix.sh - throwaway real Postfix 3.7 instances for tests.
#
# Source it from a shell test (after tests/lib/tap.sh), as root:
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   . "$top_srcdir/tests/lib/postfix.sh"
#   pf_require                       # skip_all unless root + Postfix here
#   pf_instance_create               # or: pf_instance_create DIR
#   pf_postconf -e 'smtpd_recipient_restrictions = check_recipient_access cdb:$config_directory/rcpt'
#   pf_start || bail "postfix start failed"
#   pf_smtp --xclient 'ADDR=203.0.113.5 NAME=mail.example.com HELO=mail.example.com' \
#       'MAIL FROM:<a@qq.com>' 'RCPT TO:<foo@bar.org>'
#   pf_wait_log 'NOQUEUE: reject: RCPT from mail\.example\.com'
#   tap_done                         # the EXIT trap stops the instance
#
# An instance is a directory (PF_DIR) holding everything it uses:
#   etc/main.cf etc/master.cf   config_directory (PF_CONF); put test tables here
#   spool/                      queue_directory  (PF_QUEUE)
#   data/                       data_directory   (PF_DATA)
#   maillog                     maillog_file     (PF_LOG), written by postlogd
#   pf.env                      the PF_* variables, for pf_use and other programs
# smtpd listens on 127.0.0.1:PF_PORT, a free port reserved under
# ${TMPDIR:-/tmp}/pfc-ports, never 25.  Nothing is delivered: every transport
# is discard.  Mail from 127.0.0.1 is in mynetworks; give an outside client
# with XCLIENT (smtpd_authorized_xclient_hosts = 127.0.0.0/8).  Log lines
# carry the host name PF_HOST (pfcNNNNN, first label of myhostname) and the
# tag $PF_SYSLOG_NAME/PROGRAM (default "postfix", as on a real server).
#
# Several instances may run side by side (parallel make check): each has its
# own directories, port and master.  Every instance created in this shell is
# stopped and its port released by an EXIT trap, also when the test fails or
# is interrupted; its directory is removed when postfix.sh made it (or a file
# DIR/.pf-owned says so), unless PF_KEEP=1.  Sourcing this file installs that
# EXIT trap (and HUP/INT/PIPE/TERM traps that exit through it): a test that
# needs its own cleanup registers it with pf_atexit instead of replacing it.
#
# Functions (all return 0 on success, non-zero on failure, and print what
# failed on stderr):
#   pf_require                   skip_all (TAP) unless this can work here
#   pf_instance_create [DIR]     write a new instance; makes it current
#   pf_use DIR                   make another instance current
#   pf_postconf ARGS...          postconf -c PF_CONF ARGS (e.g. -e 'k = v', -h k)
#   pf_start / pf_stop           start / stop the master (pf_stop waits until
#                                every process of the instance is gone, and
#                                kills what is left after PF_TIMEOUT)
#   pf_reload                    postfix reload, waits for the master's "reload --"
#   pf_running                   0 when the master runs
#   pf_pids                      pids of every process of the instance
#   pf_postfix ARGS...           postfix -c PF_CONF ARGS
#   pf_postmap ARGS...           postmap -c PF_CONF ARGS
#   pf_smtp ARGS...              tests/lib/smtp.py --port PF_PORT ARGS
#   pf_log_mark                  remember the log's size: pf_wait_log looks after it
#   pf_wait_log REGEX [SECS]     wait (default PF_TIMEOUT=15 s) for a log line
#                                matching REGEX (grep -E) after the mark; prints it
#   pf_log_since_mark            the log after the mark
#   pf_atexit COMMAND            run COMMAND (eval) at exit, before the instances stop

: "${PF_TIMEOUT:=15}"
: "${PF_SYSLOG_NAME:=postfix}"
PF_POSTFIX=/usr/sbin/postfix
PF_POSTCONF=/usr/sbin/postconf
PF_POSTMAP=/usr/sbin/postmap
PF_PYTHON=${PF_PYTHON:-python3}
PF_SMTP_PY="$top_srcdir/tests/lib/smtp.py"
PF_PORT_DIR="${TMPDIR:-/tmp}/pfc-ports"
pf_instances=""
pf_atexit_cmds=""
PF_LOG_MARK=0

# pf_err MESSAGE - a diagnostic on stderr (TAP comment on stdout is up to the test)
pf_err() { echo "postfix.sh: $*" >&2; }

pf_require() {
	[ "$(id -u)" -eq 0 ] || skip_all "real Postfix tests need root (postfix start is reserved for the superuser)"
	[ -x "$PF_POSTFIX" ] && [ -x "$PF_POSTCONF" ] || skip_all "Postfix is not installed"
	[ -x "$(pf_daemon_dir)/master" ] || skip_all "no Postfix master program"
	command -v "$PF_PYTHON" >/dev/null 2>&1 || skip_all "python3 is missing"
}

# Postfix's daemon_directory from the built-in defaults (never reads /etc/postfix/main.cf)
pf_daemon_dir() { "$PF_POSTCONF" -dh daemon_directory 2>/dev/null || echo /usr/lib/postfix/sbin; }

pf_atexit() { pf_atexit_cmds="$pf_atexit_cmds
$1"; }

pf_cleanup_all() {
	_pf_rc=$?
	trap - EXIT INT TERM HUP PIPE
	if [ -n "$pf_atexit_cmds" ]; then
		_pf_cmds=$pf_atexit_cmds; pf_atexit_cmds=""
		eval "$_pf_cmds" || :
	fi
	for _pf_d in $pf_instances; do
		pf_use "$_pf_d" 2>/dev/null || continue
		pf_stop >/dev/null 2>&1 || pf_err "could not stop the instance in $_pf_d"
		pf_port_release "$PF_PORT"
		if [ "${PF_KEEP:-0}" != 1 ] && [ -f "$_pf_d/.pf-owned" ]; then
			rm -rf "$_pf_d"
		fi
	done
	pf_instances=""
	exit "$_pf_rc"
}

# pf_reap_orphans - a test killed before its trap ran (SIGKILL) leaves its
# reservation, maybe a running master and its directory: stop and remove them
pf_reap_orphans() {
	for _pf_l in "$PF_PORT_DIR"/*; do
		[ -d "$_pf_l" ] || continue
		_pf_owner=$(cat "$_pf_l/pid" 2>/dev/null)
		[ -n "$_pf_owner" ] && kill -0 "$_pf_owner" 2>/dev/null && continue
		[ -z "$_pf_owner" ] && [ -n "$(find "$_pf_l" -maxdepth 0 -mmin -1)" ] && continue
		_pf_orphan=$(cat "$_pf_l/dir" 2>/dev/null)
		if [ -n "$_pf_orphan" ] && [ -f "$_pf_orphan/pf.env" ]; then
			( pf_use "$_pf_orphan" && pf_stop ) >/dev/null 2>&1
			[ -f "$_pf_orphan/.pf-owned" ] && rm -rf "$_pf_orphan"
		fi
		pf_port_busy "${_pf_l##*/}" || rm -rf "$_pf_l"
	done
}

# pf_port_reserve - print a free loopback port, reserved until pf_port_release
pf_port_reserve() {
	mkdir -p "$PF_PORT_DIR" 2>/dev/null; chmod 1777 "$PF_PORT_DIR" 2>/dev/null
	pf_reap_orphans
	_pf_try=0
	while [ $_pf_try -lt 200 ]; do
		_pf_try=$((_pf_try + 1))
		_pf_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
		mkdir "$PF_PORT_DIR/$_pf_p" 2>/dev/null || continue
		echo $$ >"$PF_PORT_DIR/$_pf_p/pid"
		if pf_port_busy "$_pf_p"; then
			rm -rf "$PF_PORT_DIR/$_pf_p"
			continue
		fi
		echo "$_pf_p"
		return 0
	done
	pf_err "no free loopback port found"
	return 1
}
pf_port_release() { [ -n "${1:-}" ] && rm -rf "$PF_PORT_DIR/$1"; return 0; }
# pf_port_busy PORT - 0 when a listener holds 127.0.0.1:PORT (TIME_WAIT
# connections don't count: the master binds with SO_REUSEADDR)
pf_port_busy() {
	"$PF_PYTHON" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the master does
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"
}

# pf_instance_create [DIR] - write a new instance and make it current
pf_instance_create() {
	_pf_owned=""
	if [ $# -ge 1 ] && [ -n "$1" ]; then
		PF_DIR=$1
		mkdir -p "$PF_DIR" || return 1
	else
		PF_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pfc-pf.XXXXXX") || return 1
		_pf_owned=1
	fi
	PF_DIR=$(cd "$PF_DIR" && pwd) || return 1
	[ -n "$_pf_owned" ] && : >"$PF_DIR/.pf-owned"
	[ -z "$pf_instances" ] && trap pf_cleanup_all EXIT
	trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM
	pf_instances="$pf_instances $PF_DIR"

	PF_CONF=$PF_DIR/etc
	PF_QUEUE=$PF_DIR/spool
	PF_DATA=$PF_DIR/data
	PF_LOG=$PF_DIR/maillog
	PF_PORT=$(pf_port_reserve) || return 1
	echo "$PF_DIR" >"$PF_PORT_DIR/$PF_PORT/dir"
	PF_HOST=pfc$PF_PORT
	PF_LOG_MARK=0
	# The daemons run as postfix and chdir into the queue directory: every
	# directory on the way must be searchable by them.
	chmod 755 "$PF_DIR" || return 1
	mkdir -p "$PF_CONF" "$PF_QUEUE" "$PF_DATA" || return 1
	chmod 755 "$PF_CONF" "$PF_QUEUE"
	chown postfix "$PF_DATA" 2>/dev/null
	: >"$PF_LOG"
	cat >"$PF_DIR/pf.env" <<EOF
PF_DIR='$PF_DIR'
PF_CONF='$PF_CONF'
PF_QUEUE='$PF_QUEUE'
PF_DATA='$PF_DATA'
PF_LOG='$PF_LOG'
PF_PORT='$PF_PORT'
PF_HOST='$PF_HOST'
EOF
	cat >"$PF_CONF/main.cf" <<EOF
# Throwaway Postfix instance written by tests/lib/postfix.sh.
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
mail_owner = postfix
setgid_group = postdrop
myhostname = $PF_HOST.test.example
mydomain = test.example
myorigin = \$myhostname
mydestination = \$myhostname, localhost
relay_domains =
mynetworks = 127.0.0.0/8
inet_interfaces = loopback-only
inet_protocols = ipv4
smtpd_authorized_xclient_hosts = 127.0.0.0/8
# logging: its own file through postlogd; time stamps in the caller's TZ
# (tests/lib/tap.sh exports TZ=UTC; the demo keeps the user's local time)
maillog_file = $PF_LOG
maillog_file_prefixes = $PF_DIR
syslog_name = $PF_SYSLOG_NAME
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME
# nothing leaves this machine, nothing is delivered
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard
alias_maps =
alias_database =
local_recipient_maps =
biff = no
# many probes in one session: no error delays, no junk-command limit
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 100000
in_flow_delay = 0
smtpd_peername_lookup = no
EOF
	cat >"$PF_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	return 0
}

# pf_use DIR - make the instance in DIR current
pf_use() {
	[ -f "$1/pf.env" ] || { pf_err "$1 is not an instance"; return 1; }
	. "$1/pf.env"
	PF_LOG_MARK=0
}

pf_postconf() { "$PF_POSTCONF" -c "$PF_CONF" "$@"; }
pf_postfix() { "$PF_POSTFIX" -c "$PF_CONF" "$@"; }
pf_postmap() { "$PF_POSTMAP" -c "$PF_CONF" "$@"; }
pf_smtp() { "$PF_PYTHON" "$PF_SMTP_PY" --port "$PF_PORT" "$@"; }

# pf_alive PID - the process exists and is not a zombie
pf_alive() {
	_pf_st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$_pf_st" ] && [ "$_pf_st" != Z ]
}
pf_master_pid() {
	_pf_mp=$(sed -n '1s/[^0-9]//gp' "$PF_QUEUE/pid/master.pid" 2>/dev/null)
	[ -n "$_pf_mp" ] && pf_alive "$_pf_mp" && echo "$_pf_mp"
}
pf_running() { [ -n "$(pf_master_pid)" ]; }
# pf_pids - every live process of the instance: the master's session (the
# master calls setsid), plus anything whose cwd is in the queue directory
# (postsuper started by reload).  Zombies waiting for their reaper don't count.
pf_pids() {
	_pf_mp=$(sed -n '1s/[^0-9]//gp' "$PF_QUEUE/pid/master.pid" 2>/dev/null)
	{
		[ -n "$_pf_mp" ] && ps -e -o pid=,sid= | awk -v s="$_pf_mp" '$2 == s { print $1 }'
		ls -l /proc/[0-9]*/cwd 2>/dev/null | awk -v q="$PF_QUEUE" '
			$NF == q || index($NF, q "/") == 1 { split($(NF-2), a, "/"); print a[3] }'
	} | sort -un | while read -r _pf_p; do
		pf_alive "$_pf_p" && echo "$_pf_p"
	done
}

# pf_start - start the master; waits until smtpd's port accepts connections
pf_start() {
	pf_running && { pf_err "instance in $PF_DIR already running"; return 1; }
	_pf_out=$(pf_postfix start 2>&1) || {
		pf_err "postfix -c $PF_CONF start failed:"
		printf '%s\n' "$_pf_out" >&2
		tail -20 "$PF_LOG" >&2
		return 1
	}
	_pf_t=0
	while ! pf_port_busy "$PF_PORT"; do
		_pf_t=$((_pf_t + 1))
		[ $_pf_t -gt $((PF_TIMEOUT * 10)) ] && { pf_err "smtpd never listened on $PF_PORT"; return 1; }
		sleep 0.1
	done
	return 0
}

# pf_stop - stop the master and wait until no process of the instance is left
pf_stop() {
	[ -n "${PF_QUEUE:-}" ] || return 0
	# what "postfix stop" does, without its one-second polling: SIGTERM to
	# the master, which terminates its children
	_pf_mp=$(pf_master_pid) && kill -TERM "$_pf_mp" 2>/dev/null
	_pf_t=0
	while [ -n "$(pf_pids)" ]; do
		_pf_t=$((_pf_t + 1))
		if [ $_pf_t -eq $((PF_TIMEOUT * 10)) ]; then
			pf_err "processes left, killing: $(pf_pids | tr '\n' ' ')"
			for _pf_p in $(pf_pids); do kill -9 "$_pf_p" 2>/dev/null; done
		elif [ $_pf_t -gt $((PF_TIMEOUT * 10 + 50)) ]; then
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# pf_reload - postfix reload; waits until the master logs "reload --"
pf_reload() {
	_pf_n=$(grep -c 'postfix[^ ]*/master\[[0-9]*\]: reload -- ' "$PF_LOG" 2>/dev/null)
	_pf_out=$(pf_postfix reload 2>&1) || {
		pf_err "postfix reload failed: $_pf_out"
		tail -5 "$PF_LOG" >&2
		return 1
	}
	_pf_t=0
	while [ "$(grep -c 'postfix[^ ]*/master\[[0-9]*\]: reload -- ' "$PF_LOG" 2>/dev/null)" -le "$_pf_n" ]; do
		_pf_t=$((_pf_t + 1))
		[ $_pf_t -gt $((PF_TIMEOUT * 10)) ] && { pf_err "no 'reload --' in $PF_LOG"; return 1; }
		sleep 0.1
	done
	return 0
}

pf_log_mark() { PF_LOG_MARK=$(wc -c <"$PF_LOG"); }
pf_log_since_mark() { tail -c +$((PF_LOG_MARK + 1)) "$PF_LOG"; }

# pf_wait_log REGEX [SECS] - poll the log after the mark for REGEX (grep -E);
# prints the first matching line; 1 on timeout (the log's tail goes to stderr)
pf_wait_log() {
	_pf_deadline=$(( $(date +%s) + ${2:-$PF_TIMEOUT} ))
	while :; do
		_pf_line=$(pf_log_since_mark | grep -E -m1 -- "$1") && {
			printf '%s\n' "$_pf_line"
			return 0
		}
		[ "$(date +%s)" -ge "$_pf_deadline" ] && break
		sleep 0.1
	done
	pf_err "timeout waiting for /$1/ in $PF_LOG; its end:"
	pf_log_since_mark | tail -5 >&2
	return 1
}

# Cleanup runs at exit even when no instance gets created (pf_atexit users).
trap pf_cleanup_all EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM
