#!/usr/bin/env python3
"""tests/feed/rotate_check.py DIR OUT - compare what the follower printed
(OUT, feed text) with the lines the files of DIR hold (every rotated file is
kept): prints "written W infiles F printed P repeated R lost L disorder D"
where lost = lines in some file the follower did not print and R the lines
printed more than once; W - F lines are in no file (copytruncate's race)."""
import os
import re
import sys

d, out = sys.argv[1], sys.argv[2]
rx = re.compile(rb"to=<rcpt-(\d+)@bar\.org>")
infiles = set()
written = 0
for f in os.listdir(d):
    p = os.path.join(d, f)
    if os.path.islink(p) or not os.path.isfile(p) or not f.startswith("mail.log"):
        continue
    data = open(p, "rb").read()
    for m in rx.finditer(data):
        infiles.add(int(m.group(1)))
    m = re.search(rb"from=<s(\d+)@qq\.com> to=<end@", data)
    if m:
        written = int(m.group(1)) - 1
got = [int(m.group(1)) for m in rx.finditer(open(out, "rb").read())]
seen = set()
rep = 0
for g in got:
    if g in seen:
        rep += 1
    seen.add(g)
lost = len(infiles - seen)
disorder = sum(1 for a, b in zip(got, got[1:]) if b < a)
print("written %d infiles %d printed %d repeated %d lost %d disorder %d"
      % (written, len(infiles), len(got), rep, lost, disorder))
