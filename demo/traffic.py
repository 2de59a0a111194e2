#!/usr/bin/env python3
"""demo/traffic.py - keep mail arriving at the demo configuration.

  traffic.py --port N [--count K] [--delay S] [--verify]
      SMTP sessions to a real smtpd on 127.0.0.1:N, each from an outside
      client given with XCLIENT: spam from qq.com and 163.com, forged
      domain.ie senders, role accounts, list bounces, third-party DSNs,
      relay attempts, and legitimate mail.  --verify compares every reply
      with the one this script expects (what the synthetic log shows) and
      exits 1 on a difference.
  traffic.py --synthetic LOGFILE [--host mx] [--count K] [--delay S]
      No Postfix: append to LOGFILE the lines smtpd and cleanup would have
      logged for the same sessions (maillog_file format).

Runs forever unless --count; stops cleanly on SIGTERM/SIGINT.  stdlib only.
"""

import argparse
import os
import random
import signal
import socket
import sys
import time

# Each scenario: weight, client (name, addr), helo, sender, recipient,
# optional message headers, and the reply expected at RCPT (or at the end of
# DATA for header checks; None = accepted).
C_QQ = "Sender address rejected: 521"
SCENARIOS = [
    (6, "unknown", "qq", "{n}@qq.com", "foo@bar.org", None,
     "554 5.7.1 <{s}>: " + C_QQ),
    (4, "unknown", "163", "{w}{n}@163.com", "foo@bar.org", None,
     "554 5.7.1 <{s}>: " + C_QQ),
    (2, "unknown", "qq", "{n}@qq.com", "info@bar.org", None, None),
    (4, "unknown", "bot", "{w}{n}@domain.ie", "{w}@domain.ie", None,
     "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "unknown", "bot", "info@{w}-deals.example", "foo@bar.org", None,
     "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "lists.{w}.example", "lists", "{w}-bounces@lists.{w}.example", "foo@bar.org", None,
     "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "unknown", "bot", "", "{w}@domain.ie", None,
     "550 5.7.1 <>: Sender address rejected: no third-party DSNs"),
    (2, "unknown", "bot", "{w}{n}@{w}.example", "{w}@elsewhere.example", None,
     "454 4.7.1 <{r}>: Relay access denied"),
    (1, "mail.{w}.example", "mail", "{w}@{w}.example", "staff@bar.org", None,
     "451 4.3.5 Server configuration error"),
    (1, "mail.{w}.example", "mail", "{w}@{w}.example", "postmaster@domain.ie", None,
     "554 5.7.1 <{r}>: Recipient address rejected: Access denied"),
    (2, "mail.{w}.example", "mail", "{w}@{w}.example", "foo@bar.org",
     "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"",
     "550 5.7.1 no third-party DSNs"),
    (5, "mail.{w}.example", "mail", "{w}@{w}.example", "foo@bar.org", None, None),
]
WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor",
         "iris", "juniper", "kestrel", "lumen", "maple", "nimbus", "opal", "pine"]
HELOS = {"qq": "[{a}]", "163": "mail{n}.163-relay.example", "bot": "{w}{n}.dyn.example.net",
         "lists": "lists.{w}.example", "mail": "mail.{w}.example"}

running = True


def stop(signum, frame):
    global running
    running = False
    raise KeyboardInterrupt()


def session_params(rng, sc):
    _, name, helo, sender, rcpt, headers, expect = sc
    v = {"w": rng.choice(WORDS), "n": str(rng.randint(10000, 999999999)),
         "a": "%s.%d" % (rng.choice(["203.0.113", "198.51.100", "192.0.2"]),
                         rng.randint(1, 254))}
    fill = lambda t: t.format(**v) if t else t
    p = {"name": fill(name), "addr": v["a"], "helo": fill(HELOS[helo].replace("{a}", v["a"])),
         "sender": fill(sender), "rcpt": fill(rcpt), "headers": headers}
    p["expect"] = expect.format(s=p["sender"], r=p["rcpt"]) if expect else None
    return p


class Smtp:
    def __init__(self, port, timeout=30):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def reply(self):
        lines = []
        while True:
            while b"\n" not in self.buf:
                d = self.s.recv(65536)
                if not d:
                    raise EOFError("connection closed")
                self.buf += d
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode("utf-8", "replace")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return line

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
            self.reply()
        except (OSError, EOFError):
            pass
        self.s.close()


def real_session(port, p):
    """Returns the reply that decided the session (rejection or final 250)."""
    c = Smtp(port)
    try:
        c.reply()
        c.cmd("EHLO demo-traffic.example")
        c.cmd("XCLIENT NAME=%s ADDR=%s HELO=%s PROTO=ESMTP" % (p["name"], p["addr"], p["helo"]))
        r = c.cmd("MAIL FROM:<%s>" % p["sender"])
        if not r.startswith("250"):
            return r
        r = c.cmd("RCPT TO:<%s>" % p["rcpt"])
        if not r.startswith("250"):
            return r
        r = c.cmd("DATA")
        if not r.startswith("354"):
            return r
        msg = "From: <%s>\r\nTo: <%s>\r\nSubject: demo %s\r\n" % (p["sender"], p["rcpt"], p["name"])
        if p["headers"]:
            msg += p["headers"].replace("\n", "\r\n") + "\r\n"
        msg += "\r\nHello from the pfconsole demo.\r\n.\r\n"
        c.s.sendall(msg.encode())
        r = c.reply()
        return None if r.startswith("250") else r
    finally:
        c.close()


def synthetic_session(log, host, p, rng):
    """Append what Postfix would log for session P."""
    pid = rng.randint(2000, 65000)
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime())  # as Postfix does
    pre = "%s %s postfix/smtpd[%d]: " % (stamp, host, pid)
    client = "%s[%s]" % (p["name"], p["addr"])
    out = [pre + "connect from " + client]
    tail = "from=<%s> to=<%s> proto=ESMTP helo=<%s>" % (p["sender"], p["rcpt"], p["helo"])
    qid = "%05X%06X" % (rng.randint(0, 0xFFFFF), rng.randint(0, 0xFFFFFF))
    exp = p["expect"]
    if exp and not p["headers"]:
        out.append(pre + "NOQUEUE: reject: RCPT from %s: %s; %s" % (client, exp, tail))
        out.append(pre + "disconnect from %s ehlo=1 xclient=0/1 mail=1 rcpt=0/1 quit=1 commands=3/5"
                   % client)
    else:
        out.append(pre + "%s: client=%s" % (qid, client))
        cl = "%s %s postfix/cleanup[%d]: " % (stamp, host, pid + 1)
        if exp:
            hdr = p["headers"].split("\n")[0]
            out.append(cl + "%s: reject: header %s from %s; %s: %s"
                       % (qid, hdr, client, tail, exp[4:]))
        else:
            out.append(cl + "%s: message-id=<%s@%s>" % (qid, qid, host))
            out.append("%s %s postfix/qmgr[%d]: %s: from=<%s>, size=400, nrcpt=1 (queue active)"
                       % (stamp, host, pid + 2, qid, p["sender"]))
        out.append(pre + "disconnect from %s ehlo=1 xclient=0/1 mail=1 rcpt=1 data=%s quit=1 commands=%s"
                   % (client, "0/1" if exp else "1", "4/6" if exp else "5/6"))
    with open(log, "a") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--synthetic", metavar="LOGFILE")
    ap.add_argument("--host", default="mx")
    ap.add_argument("--count", type=int, default=0, help="sessions, 0 = forever")
    ap.add_argument("--delay", type=float, default=1.0, help="mean pause between sessions (s)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--verify", action="store_true")
    opts = ap.parse_args()
    if bool(opts.port) == bool(opts.synthetic):
        ap.error("give --port or --synthetic")
    signal.signal(signal.SIGTERM, stop)
    rng = random.Random(opts.seed)
    weights = [s[0] for s in SCENARIOS]
    bad = 0
    n = 0
    try:
        while running and (opts.count == 0 or n < opts.count):
            sc = rng.choices(SCENARIOS, weights)[0] if not opts.verify else SCENARIOS[n % len(SCENARIOS)]
            p = session_params(rng, sc)
            if opts.synthetic:
                synthetic_session(opts.synthetic, opts.host, p, rng)
            else:
                try:
                    got = real_session(opts.port, p)
                except (OSError, EOFError) as e:
                    print("traffic.py: %s" % e, file=sys.stderr)
                    got = "(error: %s)" % e
                if opts.verify and got != p["expect"]:
                    bad += 1
                    print("traffic.py: %s -> %s: got %r, want %r"
                          % (p["sender"], p["rcpt"], got, p["expect"]), file=sys.stderr)
            n += 1
            if opts.delay > 0 and (opts.count == 0 or n < opts.count):
                time.sleep(rng.uniform(0.2, 1.8) * opts.delay)
    except KeyboardInterrupt:
        pass
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
