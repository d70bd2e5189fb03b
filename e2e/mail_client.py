#!/usr/bin/env python3
"""A mail client from given source addresses, for the shell end-to-end runs (run it inside the
client host's namespace, so that each source is one of its addresses):

  mail_client.py login SERVER SOURCE USER PASSWORD   IMAP LOGIN, then LOGOUT; exit 0 when accepted,
                                                      1 when refused
  mail_client.py logins PARALLEL EVERY SERVER USER PASSWORD SOURCE...
                                                      a login from each SOURCE, PARALLEL at a time,
                                                      one started at most every EVERY ms; prints
                                                      "MILLISECONDS SOURCE accepted|refused|failed:
                                                      WHY" for each
  mail_client.py rcpt SERVER RECIPIENT SOURCE...     SMTP up to RCPT TO from each SOURCE, 10 at a
                                                      time; prints "SOURCE CODE", RCPT's reply code,
                                                      or "SOURCE failed: WHY"

Any other failure (no connection, a greeting that is not one) exits 2 with one line on stderr.
"""
import concurrent.futures
import imaplib
import socket
import sys
import time

TIMEOUT = 15


class SourcedIMAP(imaplib.IMAP4):
    def __init__(self, server, source):
        self.source = source
        super().__init__(server, 143, timeout=TIMEOUT)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


def login(server, source, user, password):
    client = SourcedIMAP(server, source)
    try:
        client.login(user, password)
        return 0
    except imaplib.IMAP4.error:
        return 1
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def timed_login(server, user, password, source):
    started = time.monotonic()
    try:
        outcome = "refused" if login(server, source, user, password) else "accepted"
    except OSError as error:
        outcome = "failed: %s" % error
    return "%d %s %s" % ((time.monotonic() - started) * 1000, source, outcome)


def logins(parallel, every, server, user, password, *sources):
    with concurrent.futures.ThreadPoolExecutor(int(parallel)) as pool:
        started = []
        for source in sources:
            started.append(pool.submit(timed_login, server, user, password, source))
            time.sleep(int(every) / 1000)
        for login in started:
            print(login.result())
    return 0


def rcpt_line(server, recipient, source):
    try:
        return rcpt(server, recipient, source)
    except OSError as error:
        return "%s failed: %s" % (source, error)


def rcpt(server, recipient, source):
    with socket.create_connection((server, 25), TIMEOUT, source_address=(source, 0)) as sock:
        replies = sock.makefile("rb")

        def reply():
            while True:
                line = replies.readline()
                if len(line) < 4:
                    raise OSError("the server closed the connection")
                if line[3:4] != b"-":
                    return int(line[:3])

        if reply() != 220:
            raise OSError("no 220 greeting")
        for command in ["EHLO client.example", "MAIL FROM:<alice@example.test>", "RCPT TO:<%s>" % recipient]:
            sock.sendall(command.encode() + b"\r\n")
            code = reply()
        sock.sendall(b"QUIT\r\n")
        return "%s %d" % (source, code)


def main(argv):
    try:
        if len(argv) == 6 and argv[1] == "login":
            return login(*argv[2:])
        if len(argv) >= 8 and argv[1] == "logins":
            return logins(*argv[2:])
        if len(argv) >= 5 and argv[1] == "rcpt":
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                for line in pool.map(lambda source: rcpt_line(argv[2], argv[3], source), argv[4:]):
                    print(line)
            return 0
        sys.stderr.write(__doc__)
        return 2
    except OSError as error:
        sys.stderr.write("mail_client.py: %s: %s\n" % (" ".join(argv[1:4]), error))
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
