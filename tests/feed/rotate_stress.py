#!/usr/bin/env python3
"""tests/feed/rotate_stress.py LOG MODE ROTATIONS - a writer that never
waits (a child process appending event lines continuously, ~15,000 a
second, reopening LOG 3 lines after each SIGHUP as a syslog daemon does)
while this process rotates LOG ROTATIONS times, 5-25 ms apart (every
fifth one 2 ms after the one before):

  rename        rename LOG to LOG.N; the name is missing until the writer
                reopens (and creates) it
  create        rename LOG to LOG.N and create a new empty LOG at once
  copytruncate  copy LOG to LOG.N, then truncate LOG (the writer goes on)
  symlink       LOG is a symbolic link flipped between LOG.a and LOG.b

Line i carries to=<rcpt-i@bar.org>; the last line to=<end@bar.org>.  Every
rotated file is kept, so that afterwards `check` can tell which lines are
in some file (a copytruncate loses the lines written between the copy and
the truncation: they are in no file).
"""
import os
import random
import shutil
import signal
import sys
import time

log, mode, rotations = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = os.path.dirname(log) or "."


def line(i, to=None):
    return ("Nov 22 12:30:27 mx postfix/smtpd[4711]: NOQUEUE: reject: RCPT from "
            "unknown[192.0.2.%d]: 554 5.7.1 <x@y>: Recipient address rejected: no; "
            "from=<s%d@qq.com> to=<%s@bar.org> proto=ESMTP helo=<h>\n"
            % (i % 250 + 1, i, to or "rcpt-%d" % i)).encode()


def openlog():
    return os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def writer():
    state = {"hup": 0, "stop": False}

    def on_hup(sig, frm):
        state["hup"] += 1

    def on_stop(sig, frm):
        state["stop"] = True

    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGUSR1, on_stop)
    fd = openlog()
    seen_hup = 0
    reopen_in = -1
    i = 0
    while True:
        stop = state["stop"]
        i += 1
        os.write(fd, line(i))
        if state["hup"] != seen_hup:
            seen_hup = state["hup"]
            reopen_in = 3
        if reopen_in > 0:
            reopen_in -= 1
            if reopen_in == 0:
                os.close(fd)
                fd = openlog()
                reopen_in = -1
        if stop:
            break
        if i % 20 == 0:
            time.sleep(0.001)
    if reopen_in > 0:
        os.close(fd)
        fd = openlog()
    os.write(fd, line(i + 1, "end"))
    os.close(fd)
    os._exit(0)


if mode == "symlink" and not os.path.islink(log):
    for f in ("a", "b"):
        open(log + "." + f, "ab").close()
    os.symlink(os.path.basename(log) + ".a", log)
pid = os.fork()
if pid == 0:
    writer()
random.seed(12)
for r in range(1, rotations + 1):
    # every 5th rotation comes 2 ms after the one before: logrotate run
    # twice, or a reader slow to look - the name held a file in between
    time.sleep(0.002 if r % 5 == 0 else random.uniform(0.005, 0.025))
    if mode == "rename":
        os.rename(log, "%s.%d" % (log, r))
    elif mode == "create":
        os.rename(log, "%s.%d" % (log, r))
        os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    elif mode == "copytruncate":
        shutil.copyfile(log, "%s.%d" % (log, r))
        os.truncate(log, 0)
    elif mode == "symlink":
        tmp = os.path.join(d, ".flip.tmp")
        os.symlink(os.path.basename(log) + (".b" if r % 2 else ".a"), tmp)
        os.rename(tmp, log)
    else:
        sys.exit("unknown mode " + mode)
    if mode != "copytruncate":
        os.kill(pid, signal.SIGHUP)
time.sleep(0.05)
os.kill(pid, signal.SIGUSR1)
_, status = os.waitpid(pid, 0)
sys.exit(0 if status == 0 else 1)
