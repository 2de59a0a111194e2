#!/bin/sh
# The installed Postfix's defaults: a fake postconf in command_directory
# answers `postconf -d` with a different access_map_reject_code and
# mail_version; explain's answer follows it, check and the Maps screen name
# that version, and the answers are cached by the binary's identity (one
# postconf run, again after the binary changes).  PFCONSOLE_POSTCONF=builtin
# and a missing postconf fall back to the built-in 3.7.11 table.
TUI_W=160
. "$top_srcdir/tests/tui/lib.sh"
# make check sets PFCONSOLE_POSTCONF=builtin for machine-independent output
unset PFCONSOLE_POSTCONF

etc=$TUI_DIR/etc
fake=$TUI_DIR/sbin
mkdir -p "$etc" "$fake"
export XDG_CACHE_HOME="$TUI_DIR/cache"
cat >"$fake/postconf" <<SH
#!/bin/sh
# a Postfix 3.10-like postconf: logs each run, answers -d and -m
echo "\$*" >>"$TUI_DIR/postconf.runs"
case "\$1" in
-d) printf '%s\n' 'access_map_reject_code = 550' 'mail_version = 3.10.1' \
	'smtpd_reject_unlisted_recipient = yes' ;;
-m) printf '%s\n' cdb cidr hash inline lmdb pcre regexp static texthash ;;
*) exit 1 ;;
esac
SH
chmod +x "$fake/postconf"
cat >"$etc/main.cf" <<CF
command_directory = $fake
smtpd_recipient_restrictions = check_recipient_access hash:$etc/access,
    permit_mynetworks, reject_unauth_destination
CF
printf 'spam@example.com REJECT no thanks\n' >"$etc/access"
"$PFCONSOLE" -c "$etc" build >/dev/null 2>&1 || bail "build of the fixture failed"

probe() {
	"$PFCONSOLE" -c "$etc" explain --client 192.0.2.7 --helo mx.example.net \
		--sender a@example.net --recipient spam@example.com 2>&1 | head -1
}
# the built-in table: 3.7.11's access_map_reject_code = 554
is "PFCONSOLE_POSTCONF=builtin: the 3.7.11 default (554)" \
	"$(PFCONSOLE_POSTCONF=builtin probe)" "554 5.7.1 <spam@example.com>: Recipient address rejected: no thanks"
is "PFCONSOLE_POSTCONF=builtin: check says nothing on stderr" \
	"$(PFCONSOLE_POSTCONF=builtin "$PFCONSOLE" -c "$etc" check 2>&1 >/dev/null)" ""

is "the faked postconf -d default (550) changes explain's answer" "$(probe)" \
	"550 5.7.1 <spam@example.com>: Recipient address rejected: no thanks"
err=$("$PFCONSOLE" -c "$etc" check 2>&1 >/dev/null)
like "check names the installed version and where it came from" "$err" \
	"answers follow Postfix 3\.10\.1 \(defaults from $fake/postconf -d\)"
is "postconf ran once for -d and once for -m (build), then the cache answered" \
	"$(cat "$TUI_DIR/postconf.runs")" "-d
-m"
# postconf -m: lmdb listed, so an lmdb table is available; btree is not
printf 'x OK\n' >"$etc/other"
cat >>"$etc/main.cf" <<CF
smtpd_sender_restrictions = check_sender_access btree:$etc/other
CF
out=$("$PFCONSOLE" -c "$etc" check 2>&1)
like "a type missing from postconf -m is reported" "$out" 'btree'
sed -i '$d' "$etc/main.cf"

# a new binary (mtime/size change) is asked again
sleep 1
printf '# changed\n' >>"$fake/postconf"
probe >/dev/null
is "a changed postconf binary is asked again" "$(grep -c -- '-d' "$TUI_DIR/postconf.runs")" 2

# no postconf at that path: the built-in table
sed -i "s|^command_directory = .*|command_directory = $TUI_DIR/nowhere|" "$etc/main.cf"
is "no postconf in command_directory: built-in 554" "$(probe)" \
	"554 5.7.1 <spam@example.com>: Recipient address rejected: no thanks"
err=$("$PFCONSOLE" -c "$etc" check 2>&1 >/dev/null)
like "... and check names the built-in version" "$err" \
	'answers follow Postfix 3\.7\.11 \(built-in defaults; postconf not usable\)'
sed -i "s|^command_directory = .*|command_directory = $fake|" "$etc/main.cf"

# the Maps screen names the version
: >"$TUI_DIR/mail.log"
tui_start -c "$etc" console --log "$TUI_DIR/mail.log"
tui_expect "the Maps screen names the Postfix version the answers follow" \
	'Postfix 3\.10\.1 \(postconf -d\)'
tui_resize 80 24
tui_expect "... at 80x24 too (main.cf's path gives way)" \
	'^[0-9]+ tables? referenced by .*main\.cf +[0-9]+ errors?, [0-9]+ warnings? +Postfix 3\.10\.1$'
tui_keys Q
tui_exited >/dev/null

# migrate to a type the installed Postfix cannot read: refused before
# anything is planned (a postconf -m without lmdb)
etc2=$TUI_DIR/etc2 fake2=$TUI_DIR/sbin2
mkdir -p "$etc2" "$fake2"
sed '/^-m)/s/ lmdb//' "$fake/postconf" >"$fake2/postconf"
chmod +x "$fake2/postconf"
printf 'command_directory = %s\ntransport_maps = hash:%s/transport\n' "$fake2" "$etc2" >"$etc2/main.cf"
printf 'example.com smtp:[192.0.2.1]\n' >"$etc2/transport"
sum=$(md5sum <"$etc2/main.cf")
out=$("$PFCONSOLE" -c "$etc2" migrate hash lmdb 2>&1); rc=$?
is "migrate hash lmdb without lmdb in postconf -m: exit 1" "$rc" 1
like "... says why" "$out" 'this Postfix has no lmdb tables \(postconf -m does not list lmdb; Debian: install postfix-lmdb\)'
is "... main.cf untouched" "$(md5sum <"$etc2/main.cf")" "$sum"
out=$("$PFCONSOLE" -c "$etc2" migrate --dry-run hash cdb 2>&1); rc=$?
is "... while hash -> cdb (listed) plans" "$rc:$(printf '%s\n' "$out" | grep -c '^build cdb:')" "0:1"
tap_done
