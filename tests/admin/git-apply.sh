#!/bin/sh
# Apply (pfconsole reload) in a git work tree commits exactly the sources it
# put live - one commit, the audit line as its message, never the index -
# and leaves every other change (staged or not) as it was.  Outside git
# nothing changes.  A fake postfix command stands in for Postfix (not
# running), so no instance is needed.
. "$top_srcdir/tests/lib/tap.sh"
command -v git >/dev/null 2>&1 || skip_all "git not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

cat >"$work/postfix" <<'SH'
#!/bin/sh
# fake postfix: check passes, Postfix is not running
case "$3" in check) exit 0 ;; status) echo "postfix is not running"; exit 1 ;; esac
exit 0
SH
chmod +x "$work/postfix"
export PFCONSOLE_POSTFIX="$work/postfix"

mkconf() {
	mkdir -p "$1"
	cat >"$1/main.cf" <<CF
smtpd_recipient_restrictions = check_recipient_access hash:$1/access,
    permit_mynetworks, reject_unauth_destination
CF
	printf 'spam@example.com REJECT no thanks\n' >"$1/access"
	printf 'notes\n' >"$1/notes.txt"
	printf 'old\n' >"$1/staged.txt"
}

# -- a repository of its own (as etckeeper keeps /etc) ----------------------
repo=$work/etc
conf=$repo/postfix
mkconf "$conf"
git init -q "$repo"
git -C "$repo" config user.name tester
git -C "$repo" config user.email tester@example.org
git -C "$repo" add -A
git -C "$repo" commit -q -m initial
before=$(git -C "$repo" rev-parse HEAD)

# the admin's own edits: one staged, one not; then a table change
printf 'staged change\n' >"$conf/staged.txt"
git -C "$repo" add postfix/staged.txt
printf 'more notes\n' >>"$conf/notes.txt"
printf 'ham@example.com OK\n' >>"$conf/access"

out=$("$PFCONSOLE" -c "$conf" reload --no-audit 2>&1); rc=$?
is "reload exits 0" "$rc" 0
audit=$(printf '%s\n' "$out" | sed -n 's/^audit: *//p')
is "reload printed the audit line: the table counted against the index" "$audit" \
	"user=$(id -un) config=$conf applied: access +2; built 1 table; postfix not running"
is "exactly one commit was made" "$(git -C "$repo" rev-list --count "$before"..HEAD)" 1
is "its message is the audit line" "$(git -C "$repo" log -1 --format=%B | sed '/^$/d')" "$audit"
is "it holds only the table source Apply built from" \
	"$(git -C "$repo" show --name-only --format= HEAD)" "postfix/access"
is "the committed source is the new one" "$(git -C "$repo" show HEAD:postfix/access)" \
	"$(cat "$conf/access")"
test -f "$conf/access.db"; is "the index was built" "$?" 0
is "the index is not committed (still untracked)" \
	"$(git -C "$repo" status --porcelain -- postfix/access.db)" "?? postfix/access.db"
is "the admin's staged change is still staged, uncommitted" \
	"$(git -C "$repo" status --porcelain -- postfix/staged.txt)" "M  postfix/staged.txt"
is "the admin's unstaged change is untouched" \
	"$(git -C "$repo" status --porcelain -- postfix/notes.txt)" " M postfix/notes.txt"
like "the console/CLI says what it committed and what it left" "$out" \
	"^git: +committed 1 file in $repo \([0-9a-f]+\); 2 other changes left uncommitted: postfix/notes\.txt, postfix/staged\.txt\$"

# nothing changed: a second Apply makes no commit
head=$(git -C "$repo" rev-parse HEAD)
out=$("$PFCONSOLE" -c "$conf" reload --no-audit 2>&1)
is "a second Apply with nothing new commits nothing" "$(git -C "$repo" rev-parse HEAD)" "$head"

# -- not in git: nothing changes ---------------------------------------------
plain=$work/plain/postfix
mkconf "$plain"
out=$("$PFCONSOLE" -c "$plain" reload --no-audit 2>&1); rc=$?
is "outside git: reload exits 0" "$rc" 0
unlike "outside git: no git line" "$out" '^git:'
test -e "$work/plain/.git" || test -e "$plain/.git"; is "outside git: no repository created" "$?" 1
tap_done
