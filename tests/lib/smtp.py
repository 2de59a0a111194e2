#!/usr/bin/env python3
"""tests/lib/smtp.py - a socket-level SMTP client for tests (stdlib only).

usage: smtp.py [--host H] --port N [--xclient 'ADDR=.. NAME=.. HELO=..']
               [--helo NAME] [--json] [--timeout S] [--no-quit] [COMMAND...]

Connects, reads the banner, sends EHLO (--helo, default client.example),
then XCLIENT when given, then each COMMAND in turn, then QUIT.  COMMANDs come
from the arguments, or one per line from stdin when there are none (blank
lines and lines starting with '#' are skipped).  Every reply is read whole
(all continuation lines), so tests see exactly what smtpd sent.

XCLIENT: after a 220 answer smtpd starts over as if the named client had
connected.  When the XCLIENT attributes include HELO, no EHLO is sent after
it (so the session keeps that HELO name; PROTO=ESMTP is added unless given);
otherwise EHLO is sent again.

Special commands:
  DATA [TEXT]   DATA, then (on 354) a message: TEXT with \\n as line breaks,
                or a small default message; dot-stuffed, ended with CRLF.CRLF.
  EHLO/HELO/RSET/MAIL/RCPT/VRFY/NOOP/anything else: sent as is.

Output, one block per command (default):
  C: MAIL FROM:<a@qq.com>
  S: 250 2.1.0 Ok
The banner is "C: (connect)", a closed connection "S: (closed)".
--json prints one object per command instead:
  {"cmd": "RCPT TO:<x@y>", "code": 554, "reply": ["554 5.7.1 ..."]}
(code null and reply [] when the server closed the connection).

Exit status: 0 when the script ran (whatever the reply codes; a server that
closes the connection, e.g. after a 521, ends the script early and still
exits 0), 1 on a connection error or timeout, 2 on usage errors.
"""

import argparse
import json
import socket
import sys


class Closed(Exception):
    pass


class Session:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def readline(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Closed()
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "backslashreplace")

    def reply(self):
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                break
        code = int(lines[-1][:3]) if lines[-1][:3].isdigit() else None
        return code, lines

    def send(self, text):
        self.sock.sendall(text.encode("utf-8", "surrogateescape") + b"\r\n")


def message_text(arg, mail_from, rcpts):
    if arg is not None:
        text = arg.replace("\\n", "\n")
    else:
        text = ("From: <%s>\nTo: %s\nSubject: pfconsole test\n\ntest message\n"
                % (mail_from or "", ", ".join("<%s>" % r for r in rcpts) or "<>"))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "\r\n".join("." + l if l.startswith(".") else l for l in lines) + "\r\n."


def addr_of(cmd):
    lt, gt = cmd.find("<"), cmd.rfind(">")
    return cmd[lt + 1:gt] if 0 <= lt < gt else ""


def main():
    ap = argparse.ArgumentParser(description="SMTP client for tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--helo", default="client.example")
    ap.add_argument("--xclient", help="XCLIENT attributes, e.g. 'ADDR=192.0.2.1 NAME=x.example HELO=x.example'")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--no-quit", action="store_true")
    ap.add_argument("--no-ehlo", action="store_true", help="send no EHLO of our own at all")
    ap.add_argument("commands", nargs="*")
    opts = ap.parse_args()

    cmds = opts.commands
    if not cmds:
        cmds = [l.rstrip("\r\n") for l in sys.stdin]
        cmds = [l for l in cmds if l.strip() and not l.lstrip().startswith("#")]

    def show(cmd, code, lines):
        if opts.json:
            print(json.dumps({"cmd": cmd, "code": code, "reply": lines}), flush=True)
        else:
            print("C: " + cmd)
            for l in lines:
                print("S: " + l)
            if code is None:
                print("S: (closed)")
            sys.stdout.flush()

    try:
        s = Session(opts.host, opts.port, opts.timeout)
    except OSError as e:
        print("smtp.py: connect %s:%d: %s" % (opts.host, opts.port, e), file=sys.stderr)
        return 1

    mail_from, rcpts = None, []

    def do(cmd, data=None):
        try:
            s.send(cmd)
            code, lines = s.reply()
            if data is not None and code == 354:
                show(cmd, code, lines)
                s.send(data)
                cmd = "(message)"
                code, lines = s.reply()
        except (Closed, BrokenPipeError, ConnectionResetError):
            # the server closed the connection (after a 421/521 ...): a
            # command sent after that fails on send or on read
            show(cmd, None, [])
            raise Closed()
        show(cmd, code, lines)
        return code

    try:
        try:
            code, lines = s.reply()
        except Closed:
            show("(connect)", None, [])
            return 0
        show("(connect)", code, lines)
        xattrs = opts.xclient.split() if opts.xclient else []
        if not opts.no_ehlo:
            do("EHLO " + opts.helo)
        if xattrs:
            if any(a.upper().startswith("HELO=") for a in xattrs) and \
                    not any(a.upper().startswith("PROTO=") for a in xattrs):
                xattrs.append("PROTO=ESMTP")
            do("XCLIENT " + " ".join(xattrs))
            if not opts.no_ehlo and not any(a.upper().startswith("HELO=") for a in xattrs):
                do("EHLO " + opts.helo)
        for cmd in cmds:
            verb = cmd.split(" ", 1)[0].upper()
            if verb.startswith("MAIL"):
                mail_from, rcpts = addr_of(cmd), []
            elif verb.startswith("RCPT"):
                rcpts.append(addr_of(cmd))
            elif verb == "RSET":
                mail_from, rcpts = None, []
            if verb == "DATA":
                rest = cmd[5:] if len(cmd) > 5 else None
                do("DATA", message_text(rest, mail_from, rcpts))
                mail_from, rcpts = None, []
            else:
                do(cmd)
        if not opts.no_quit:
            do("QUIT")
    except Closed:
        return 0
    except OSError as e:
        print("smtp.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
