#!/usr/bin/env python3
"""tests/replay/replay_check.py LOG1 LOG2 PRED.json - compare a prediction of
'pfconsole impact --json' (made on LOG1) with what Postfix logged in LOG2
for the same traffic.  The logs are parsed here, independently of pfconsole:
NOQUEUE/QID reject lines give rejected recipients with their reply; smtpd
client=, qmgr from= and delivery to= lines give accepted ones.  A
transaction is (client address, sender, recipient).

For every transaction of LOG1: if the prediction lists it as changed, LOG2
must show the pending answer (decision, code, text); if not decidable, it
is reported with its reason and not compared; otherwise LOG2 must show what
LOG1 showed (and the prediction says the live tables answer as LOG1 shows).
Prints one line per finding; exit 1 on any mismatch."""
import json
import re
import sys

REJ = re.compile(r"postfix/smtpd\[\d+\]: (?:NOQUEUE|\w+): reject: RCPT from [^\[]*\[([^\]]+)\]: "
                 r"(\d\d\d) (\d\.\d+\.\d+) (.*?); from=<([^>]*)> to=<([^>]*)>")
CLI = re.compile(r"postfix/smtpd\[\d+\]: (\w+): client=[^\[]*\[([^\]]+)\]")
QMG = re.compile(r"postfix/qmgr\[\d+\]: (\w+): from=<([^>]*)>")
DLV = re.compile(r"postfix/\w+\[\d+\]: (\w+): to=<([^>]*)>(?:, orig_to=<([^>]*)>)?")


def outcomes(path):
    res = {}
    qc, qs = {}, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = REJ.search(line)
        if m:
            ip, code, dsn, text, s, r = m.groups()
            dec = "defer" if code.startswith("4") else "reject"
            res[(ip, s, r)] = (dec, "%s %s %s" % (code, dsn, text))
            continue
        m = CLI.search(line)
        if m:
            qc[m.group(1)] = m.group(2)
            continue
        m = QMG.search(line)
        if m:
            qs[m.group(1)] = m.group(2)
            continue
        m = DLV.search(line)
        if m and m.group(1) in qc and m.group(1) in qs:
            r = m.group(3) or m.group(2)
            res[(qc[m.group(1)], qs[m.group(1)], r)] = ("accept", "")
    return res


def main():
    log1, log2 = outcomes(sys.argv[1]), outcomes(sys.argv[2])
    summary, changed, undecided = None, {}, {}
    for line in open(sys.argv[3]):
        o = json.loads(line)
        if "summary" in o:
            summary = o["summary"]
            continue
        key = (o["client_ip"], o["sender"], o["recipient"])
        if "not_decidable" in o:
            undecided[key] = o["not_decidable"]
        else:
            changed[key] = o
    bad = 0
    if summary is None:
        print("no summary in the prediction")
        return 1
    if summary["live_differs_from_log"] != 0:
        print("the live tables do not answer as LOG1 shows: %d" % summary["live_differs_from_log"])
        bad += 1
    if summary["replayed"] != len(log1):
        print("replayed %d transactions, LOG1 holds %d" % (summary["replayed"], len(log1)))
        bad += 1
    nchanged = 0
    for key, was in sorted(log1.items()):
        got = log2.get(key)
        label = "%s -> %s" % (key[1], key[2])
        if got is None:
            print("missing in LOG2: %s" % label)
            bad += 1
            continue
        if key in undecided:
            print("not decidable: %s: %s (LOG2: %s %s)" % (label, undecided[key], got[0], got[1]))
            continue
        if key in changed:
            p = changed[key]["pending"]
            want = (p["decision"], "" if p["decision"] == "accept" else p["reply"])
            nchanged += 1
        else:
            want = was
        if got != want:
            print("MISMATCH %s: predicted %r, LOG2 shows %r" % (label, want, got))
            bad += 1
        else:
            print("ok %s: %s %s" % (label, got[0], got[1]))
    print("changed predicted: %d" % nchanged)
    if nchanged != len(changed):
        print("the prediction lists %d changes, %d found in LOG1" % (len(changed), nchanged))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
