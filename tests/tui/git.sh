#!/bin/sh
# tests/tui/git.sh - Apply from the console at 80x24 with the configuration
# in a git work tree (as etckeeper keeps /etc) that has other changes of
# the admin, staged and not: the Apply result screen says what was
# committed and that the other changes were left uncommitted; exactly one
# commit, the audit line as its message, only the table source Apply wrote
# (never its index); the admin's changes are as they were.  A stand-in
# postfix command (check passes, not running): no instance needed.
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"
command -v git >/dev/null 2>&1 || skip_all "git not installed"

tui_fixture
etc=$TUI_DIR/etc
cat >"$TUI_DIR/postfix" <<'SH'
#!/bin/sh
case "$3" in check) exit 0 ;; status) exit 1 ;; esac
exit 0
SH
chmod +x "$TUI_DIR/postfix"
export PFCONSOLE_POSTFIX="$TUI_DIR/postfix"

printf 'MX notes\n' >"$etc/NOTES"
printf 'v1\n' >"$etc/STAGED"
git init -q "$etc" || bail "git init"
git -C "$etc" config user.name tester
git -C "$etc" config user.email tester@example.org
# the sources in git, the indexes not (as an admin would)
git -C "$etc" add main.cf restricted_senders protected_destinations access_client NOTES STAGED &&
	git -C "$etc" commit -q -m initial || bail "git commit"
head0=$(git -C "$etc" rev-parse HEAD)
printf 'a note of the admin\n' >>"$etc/NOTES"
printf 'v2\n' >"$etc/STAGED"
git -C "$etc" add STAGED

tui_start -c "$etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps shown" 'restricted_senders'
tui_keys / ; tui_type restricted_senders; tui_keys Enter Enter
tui_expect "the editor opens on restricted_senders" 'Edit hash:.*/restricted_senders'
tui_keys a
tui_type "qq.com REJECT"
tui_expect "the new line validates" '^ok$'
tui_keys Enter
tui_expect "added (unsaved)" 'qq\.com REJECT'
tui_keys A
tui_expect "Apply is done" 'pfconsole \| Apply: done'
tui_keys End
tui_expect "the result screen has the git line" "^git: committed 1 file in $etc"
# (wrapped at 80 columns: the line read as one)
flat=$(tui_screen | sed -n '/^git: /,/^$/p' | sed 's/^ *//' | tr '\n' ' ')
like "it says what was committed, and where" "$flat" \
	"^git: committed 1 file in $etc \\([0-9a-f]+\\);"
like "... and names the admin's other changes, left uncommitted" "$flat" \
	'; 2 other changes left uncommitted: NOTES, STAGED *$'
tui_expect "the audit line is on the screen too" 'audit \(syslog, facility mail\): user='

is "exactly one commit" "$(git -C "$etc" rev-list --count "$head0"..HEAD)" 1
is "only the table source Apply wrote" "$(git -C "$etc" show --name-only --format= HEAD)" \
	"restricted_senders"
like "its message is the audit line" "$(git -C "$etc" log -1 --format=%B)" \
	"^user=root config=$etc applied: restricted_senders \\+1; built 1 table; postfix not running"
is "the index is not committed" "$(git -C "$etc" status --porcelain -- restricted_senders.db)" \
	"?? restricted_senders.db"
is "the admin's unstaged change is left as it was" \
	"$(git -C "$etc" status --porcelain -- NOTES)" " M NOTES"
is "the admin's staged change is still staged, uncommitted" \
	"$(git -C "$etc" status --porcelain -- STAGED)" "M  STAGED"
tui_keys q q
tui_quit
tap_done
