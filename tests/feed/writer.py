#!/usr/bin/env python3
"""tests/feed/writer.py LOG MODE COUNT - append COUNT event lines to LOG,
rotating it every 40 lines the way MODE says, like a syslog daemon and
logrotate would:

  rename        rename LOG to LOG.N and create a new LOG; the writer keeps
                appending to the old file for 3 more lines before it
                "reopens" (as a daemon does until it gets its signal)
  copytruncate  copy LOG to LOG.1 and truncate LOG (the writer appends)
  delete        unlink LOG; 2 more lines go to the deleted file, then a new
                LOG is created later
  mixed         all three in turn

Every 7th line is written in two pieces with a pause between them.  Line i
carries to=<rcpt-i@bar.org>, so a reader can check order and uniqueness.
"""
import os
import shutil
import sys
import time

log, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
modes = ["rename", "copytruncate", "delete"] if mode == "mixed" else [mode]


def line(i):
    return ("Nov 22 12:30:27 mx postfix/smtpd[4711]: NOQUEUE: reject: RCPT from "
            "unknown[192.0.2.%d]: 554 5.7.1 <rcpt-%d@bar.org>: Recipient address rejected: "
            "no; from=<s%d@qq.com> to=<rcpt-%d@bar.org> proto=ESMTP helo=<h%d>\n"
            % (i % 250 + 1, i, i, i, i)).encode()


def openlog():
    return os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


fd = openlog()
pending_reopen = 0     # lines still to write to the old file
rot = 0
for i in range(1, count + 1):
    data = line(i)
    if i % 7 == 0:
        os.write(fd, data[:40])
        time.sleep(0.004)
        os.write(fd, data[40:])
    else:
        os.write(fd, data)
    time.sleep(0.001)
    if pending_reopen:
        pending_reopen -= 1
        if pending_reopen == 0:
            os.close(fd)
            if not os.path.exists(log):
                time.sleep(0.05)       # the name stays missing for a while
            fd = openlog()
    if i % 40 == 0 and i < count:
        m = modes[rot % len(modes)]
        rot += 1
        if m == "rename":
            os.rename(log, "%s.%d" % (log, rot))
            os.close(os.open(log, os.O_WRONLY | os.O_CREAT, 0o644))
            pending_reopen = 3
        elif m == "copytruncate":
            shutil.copyfile(log, log + ".1")
            os.truncate(log, 0)
        elif m == "delete":
            os.unlink(log)
            pending_reopen = 2
        # rotations are rare in real life: give a busy machine's reader the
        # time to look once between two of them (a second copytruncate
        # would overwrite LOG.1 before the reader took its unread lines)
        time.sleep(0.15)
os.close(fd)
