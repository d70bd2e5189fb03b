#!/usr/bin/env python3
"""The ACL file that `relaychain build` emits for a Redis window, used as Redis uses it: as the
server's `aclfile`, loaded at start and again by ACL LOAD. Run with each server there is: Debian
12's Redis 7 (scripts/test), Debian 13's Redis 8 and Valkey 8 (e2e/trixie/run).

Usage: e2e/redis_aclfile.py RELAYCHAIN_BIN_DIR SERVER   (SERVER: redis-server or valkey-server)
Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure. The
server runs on a Unix socket in a temporary folder, and is stopped and the folder removed, also
on failure.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from harness import expect

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "Tests", "RelaychainCoreTests", "Fixtures")
SPEC = os.path.join(FIXTURES, "emit", "redis-window.yaml")
# Two windows on one Redis: kept apart by prefix (RC420's clean case), or only by db (its trigger).
APART = os.path.join(FIXTURES, "analysis", "rc420-clean.yaml")
OVERLAPPING = os.path.join(FIXTURES, "analysis", "rc420-triggers.yaml")
# The administrator's lines a real aclfile keeps beside ours: their own user, and the default user
# turned off (the emitted file leaves that to them).
ADMIN = "user default off\nuser relaychain-test-admin on >test-only-password ~* &* +@all\n"


def encode(*words):
    out = b"*%d\r\n" % len(words)
    for word in words:
        data = word.encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


def read_reply(stream):
    """One RESP2 reply: a string for simple and bulk strings, an Error for errors, a list for arrays."""
    line = stream.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:].decode(errors="replace")
    if kind == b"+":
        return rest
    if kind == b"-":
        return Error(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        if int(rest) < 0:
            return None
        data = stream.read(int(rest) + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        return [read_reply(stream) for _ in range(int(rest))]
    raise RuntimeError("not a RESP reply: %r" % line)


class Error(str):
    pass


class Connection:
    def __init__(self, path):
        self.socket = socket.socket(socket.AF_UNIX)
        self.socket.settimeout(10)
        self.socket.connect(path)
        self.stream = self.socket.makefile("rb")

    def call(self, *words):
        self.socket.sendall(encode(*words))
        return read_reply(self.stream)

    def close(self):
        self.stream.close()
        self.socket.close()


class Server:
    def __init__(self, binary, folder, aclfile):
        self.socket = os.path.join(folder, "redis.sock")
        self.log = os.path.join(folder, "server.log")
        argv = [binary, "--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700",
                "--aclfile", aclfile, "--save", "", "--appendonly", "no", "--dir", folder,
                "--logfile", self.log]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(self.socket):
            if self.process.poll() is not None:
                raise AssertionError("%s exited (%d) with the emitted aclfile:\n%s"
                                     % (binary, self.process.returncode, self.logs()))
            expect(time.time() < deadline, "%s made no socket in 10 s:\n%s" % (binary, self.logs()))
            time.sleep(0.05)

    def logs(self):
        if not os.path.exists(self.log):
            return ""
        with open(self.log, errors="replace") as f:
            return f.read()[-3000:]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main():
    bin_dir, binary = sys.argv[1], shutil.which(sys.argv[2]) or sys.argv[2]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    print("%s: %s" % (sys.argv[2], " ".join(version[:3])), flush=True)
    folder = tempfile.mkdtemp(prefix="relaychain-aclfile-")
    servers = []
    passed = failed = 0

    def check(name, run):
        nonlocal passed, failed
        try:
            detail = run()
            passed += 1
            print("ok %s: %s" % (name, detail), flush=True)
        except Exception as error:
            failed += 1
            print("FAIL %s: %s" % (name, error), flush=True)
            for server in servers:
                print(server.logs(), flush=True)

    try:
        out = os.path.join(folder, "gen")
        build = subprocess.run([os.path.join(bin_dir, "relaychain"), "build", SPEC, "--output", out],
                               capture_output=True, text=True)
        expect(build.returncode == 0, "relaychain build failed:\n" + build.stderr)
        emitted = os.path.join(out, "redis", "relay.acl")
        with open(emitted) as f:
            lines = f.read().splitlines()

        def loads_as_it_is():
            server = Server(binary, folder, emitted)
            servers.append(server)
            try:
                anonymous = Connection(server.socket)
                # The default user is the administrator's to keep or turn off: the file leaves it be.
                reply = anonymous.call("PING")
                expect(reply == "PONG", "PING without a user: %r (the file changed the default user)" % reply)
                reply = anonymous.call("AUTH", "relay-writer", "guess")
                expect(isinstance(reply, Error) and reply.startswith("WRONGPASS"),
                       "AUTH as the writer with no password set: %r" % reply)
                anonymous.close()
            finally:
                server.stop()
                servers.remove(server)
            return ("started with aclfile %s (%d lines); the default user as Redis makes it; the writer has no "
                    "password until setup gives it one" % (emitted, len(lines)))

        def reloads_with_acl_load():
            # An administrator of the test's own, as a real aclfile keeps one beside our users.
            aclfile = os.path.join(folder, "users.acl")
            with open(aclfile, "w") as f:
                f.write(ADMIN)
            server = Server(binary, folder, aclfile)
            servers.append(server)
            try:
                admin = Connection(server.socket)
                expect(admin.call("AUTH", "relaychain-test-admin", "test-only-password") == "OK", "admin AUTH")
                with open(aclfile, "w") as f:
                    f.write(ADMIN + "\n".join(lines) + "\n")
                reply = admin.call("ACL", "LOAD")
                expect(reply == "OK", "ACL LOAD of the emitted lines: %r" % reply)
                # ACL LOAD makes every user anew, so it may close the connections of them all.
                admin.close()
                admin = Connection(server.socket)
                expect(admin.call("AUTH", "relaychain-test-admin", "test-only-password") == "OK", "admin AUTH again")
                users = sorted(admin.call("ACL", "USERS"))
                expect(users == ["default", "relay-auditor", "relay-reader", "relay-writer", "relaychain-test-admin"],
                       "users after ACL LOAD: %s" % users)
                allowed = {
                    ("relay-writer", "SETEX", "relay:192.0.2.1", "60", "x"): True,
                    ("relay-writer", "SELECT", "2"): True,
                    # SET's GET option would read a grant: the writer has no SET at all.
                    ("relay-writer", "SET", "relay:192.0.2.1", "x", "NX", "GET"): False,
                    ("relay-writer", "SET", "relay:192.0.2.1", "x"): False,
                    ("relay-writer", "GET", "relay:192.0.2.1"): False,
                    ("relay-writer", "SETEX", "other:192.0.2.1", "60", "x"): False,
                    ("relay-writer", "KEYS", "*"): False,
                    ("relay-reader", "GET", "relay:192.0.2.1"): True,
                    ("relay-reader", "SET", "relay:192.0.2.1", "x"): False,
                    ("relay-reader", "SETEX", "relay:192.0.2.1", "60", "x"): False,
                    ("relay-reader", "DEL", "relay:192.0.2.1"): False,
                    ("relay-reader", "GET", "other:192.0.2.1"): False,
                    ("default", "GET", "relay:192.0.2.1"): False,
                    # relaychain grants lists and reads; it can neither write, remove nor read other keys.
                    ("relay-auditor", "SCAN", "0", "MATCH", "relay:*"): True,
                    ("relay-auditor", "GET", "relay:192.0.2.1"): True,
                    ("relay-auditor", "SELECT", "2"): True,
                    ("relay-auditor", "SETEX", "relay:192.0.2.1", "60", "x"): False,
                    ("relay-auditor", "DEL", "relay:192.0.2.1"): False,
                    ("relay-auditor", "GET", "other:192.0.2.1"): False,
                    ("relay-auditor", "KEYS", "*"): False,
                }
                wrong = []
                for words, expected in allowed.items():
                    reply = admin.call("ACL", "DRYRUN", *words)
                    if (reply == "OK") != expected:
                        wrong.append("%s: %r" % (" ".join(words), reply))
                expect(not wrong, "ACL DRYRUN disagrees with least privilege: %s" % wrong)
                admin.close()
            finally:
                server.stop()
                servers.remove(server)
            return "ACL LOAD took the emitted lines; ACL DRYRUN: %d commands allowed or refused as meant" % len(allowed)

        def windows_stay_apart():
            # A window separated only by db: build refuses it, naming RC420.
            refused = subprocess.run([os.path.join(bin_dir, "relaychain"), "build", OVERLAPPING, "--output",
                                      os.path.join(folder, "overlapping")], capture_output=True, text=True)
            expect(refused.returncode == 1 and "error[RC420]" in refused.stderr,
                   "build of windows apart only by db: %d %s" % (refused.returncode, refused.stderr))
            apart = os.path.join(folder, "apart")
            built = subprocess.run([os.path.join(bin_dir, "relaychain"), "build", APART, "--output", apart],
                                   capture_output=True, text=True)
            expect(built.returncode == 0, "relaychain build failed:\n" + built.stderr)
            users = []
            for name in ["pop", "imap"]:
                with open(os.path.join(apart, "redis", name + ".acl")) as f:
                    users += [line for line in f.read().splitlines() if line not in users]
            aclfile = os.path.join(folder, "two.acl")
            with open(aclfile, "w") as f:
                f.write(ADMIN + "\n".join(users) + "\n")
            server = Server(binary, folder, aclfile)
            servers.append(server)
            try:
                admin = Connection(server.socket)
                expect(admin.call("AUTH", "relaychain-test-admin", "test-only-password") == "OK", "admin AUTH")
                # The attack: one window's writer grants in the other's key space, in any database.
                attempts = {("imap-w", "SETEX", "pop:192.0.2.9", "60", "x"): False,
                            ("pop-w", "SETEX", "imap:192.0.2.9", "60", "x"): False,
                            ("imap-w", "SETEX", "imap:192.0.2.9", "60", "x"): True,
                            ("pop-w", "SETEX", "pop:192.0.2.9", "60", "x"): True}
                wrong = ["%s: %r" % (" ".join(words), reply) for words, expected in attempts.items()
                         for reply in [admin.call("ACL", "DRYRUN", *words)] if (reply == "OK") != expected]
                expect(not wrong, "one window's writer reaches the other's keys: %s" % wrong)
                admin.close()
            finally:
                server.stop()
                servers.remove(server)
            return "build refuses windows apart only by db (RC420); with prefixes of their own, neither " \
                "window's writer may write the other's grants"

        check("the emitted file is the server's aclfile", loads_as_it_is)
        check("ACL LOAD reloads it", reloads_with_acl_load)
        check("windows on one Redis stay apart", windows_stay_apart)
    except Exception as error:
        failed += 1
        print("FAIL setup: %s" % error, flush=True)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
