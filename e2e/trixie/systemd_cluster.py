#!/usr/bin/env python3
"""A cluster spec's spiped units under a real systemd: two Debian 13 machines booted side by side
(e2e/trixie/enter --boot-pair), 'store' (192.0.2.30: Debian's redis-server under systemd, the
ACL users its setup sets, the store end of spiped) and 'mx' (192.0.2.21: the SMTP service and the
client end of spiped, both units). Each runs its own part of one build and its own setup, which
runs systemd's daemon-reload and enable --now itself. The store's setup gives Redis its users (no
password typed: their hashes go into the aclfile, which Debian's redis account owns, and into the
running server), and they outlive a restart of redis-server. A grant that relay-ctrl-allow writes
on the store is honoured by the SMTP service on mx, through both spiped
units; an address without one is refused.

Usage: e2e/trixie/systemd_cluster.py RELAYCHAIN_BIN_DIR store|mx   (run on each machine)
The machines hand over through /run-relaychain-shared: the store writes the spiped key and the
ACL users' passwords there, then 'ready'; mx writes 'done' when its checks are over. Every wait
is bounded. Prints one line per scenario and "N passed, N failed"; exits 1 on any failure.
"""
import os
import pwd
import secrets
import sys
import time

from booted import STANDIN, active, build_and_setup, expect, install_tools, run, send
from harness import run_scenarios
from scenarios import wait_for_port

SHARED = "/run-relaychain-shared"
PORT = 2525
GRANTED, STRANGER = "198.51.100.77", "198.51.100.78"
ADMIN = "relaychain-test-admin"
SPEC = """\
relaychain: 1
platform:
  profile: debian
  paths:
    qmail-smtpd: %s/bin/qmail-smtpd-standin
hosts:
  imap: { address: 192.0.2.10 }
  mx: { address: 192.0.2.21 }
  store: { address: 192.0.2.30 }
windows:
  relay:
    redis:
      address: "127.0.0.1:6379"
      host: store
      admin: %s
      spiped: { run-by: systemd, port: 8380 }
    length: 20m
    log: true
services:
  mail: { server: dovecot, version: "2.4", protocols: [imap], grants: relay, host: imap }
  smtp: { server: qmail-smtpd, run-by: systemd, listen: 192.0.2.21, port: %d, checks: relay, host: mx }
""" % (STANDIN, ADMIN, PORT)
KEY = "/etc/relaychain/spiped/relay.key"
PASSWORDS = "/etc/relaychain/redis"


def wait_for(path, seconds=90):
    deadline = time.time() + seconds
    while not os.path.exists(path):
        expect(time.time() < deadline, "%s did not appear within %d s" % (path, seconds))
        time.sleep(0.2)


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def redis(*words, user=ADMIN, password=None):
    password = password or open(os.path.join(SHARED, "admin.password")).read().strip()
    return run("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "--user", user, "--pass", password,
               *words).stdout.strip()


class Store:
    def __init__(self, bin_dir):
        self.bin_dir = bin_dir

    def start(self):
        install_tools(self.bin_dir)
        # The administrator's part: one spiped key for every host, a password per ACL user.
        key = secrets.token_bytes(32)
        os.makedirs(os.path.dirname(KEY), exist_ok=True)
        with open(KEY, "wb") as f:
            f.write(key)
        os.chmod(KEY, 0o600)
        passwords = {user: secrets.token_hex(16) for user in ["relay-writer", "relay-reader", ADMIN]}
        # The administrator's Redis: an aclfile of theirs (their own user, the default user off),
        # named by redis.conf, in Debian's /etc/redis, which the redis account owns.
        self.admin_acl = "user default off\nuser %s on >%s ~* &* +@all\n" % (ADMIN, passwords[ADMIN])
        write("/etc/redis/users.acl", self.admin_acl, 0o640)
        run("chown", "redis:redis", "/etc/redis/users.acl")
        with open("/etc/redis/redis.conf", "a") as f:
            f.write("aclfile /etc/redis/users.acl\n")
        write(os.path.join(SHARED, "admin.password"), passwords[ADMIN] + "\n")
        run("systemctl", "enable", "--now", "redis-server.service")
        wait_for_port("127.0.0.1", 6379)
        # The passwords the administrator hands the Redis host: setup turns them into its users.
        for user, password in passwords.items():
            write(os.path.join(PASSWORDS, user + ".password"), password + "\n")
        self.then = build_and_setup(self.bin_dir, SPEC, "store")
        self.setup_output = open("/root/relaychain/setup.out").read()
        # A restart reads the users from the aclfile alone.
        run("systemctl", "restart", "redis-server.service")
        wait_for_port("127.0.0.1", 6379)
        # A login's grant, written by relay-ctrl-allow with the writer's words.
        environment = dict(os.environ, TCPREMOTEIP=GRANTED, USER="alice", RELAY_CTRL_EXPIRY="1200",
                           RELAY_CTRL_REDIS="redis://relay-writer@127.0.0.1:6379/0",
                           RELAY_CTRL_REDIS_PASSWORD_FILE=os.path.join(PASSWORDS, "relay-writer.password"))
        allow = __import__("subprocess").run(["/usr/local/bin/relay-ctrl-allow", "true"], env=environment,
                                             capture_output=True, text=True, timeout=30)
        expect(allow.returncode == 0, "relay-ctrl-allow: %d %s" % (allow.returncode, allow.stderr))
        with open(os.path.join(SHARED, "relay.key"), "wb") as f:
            f.write(key)
        write(os.path.join(SHARED, "relay-reader.password"), passwords["relay-reader"] + "\n")
        write(os.path.join(SHARED, "ready"), "")

    def stop(self):
        # mx's checks go through this machine: it stays up until they are over.
        wait_for(os.path.join(SHARED, "done"), 180)

    def logs(self):
        return run("journalctl", "-b", "--no-pager", "-n", "60", check=False).stdout


class MX:
    def __init__(self, bin_dir):
        self.bin_dir = bin_dir

    def start(self):
        install_tools(self.bin_dir)
        # The clients, on this machine's loopback: their addresses are the relay's to judge.
        for address in [GRANTED, STRANGER]:
            run("ip", "address", "add", address + "/32", "dev", "lo")
        wait_for(os.path.join(SHARED, "ready"))
        os.makedirs(os.path.dirname(KEY), exist_ok=True)
        with open(os.path.join(SHARED, "relay.key"), "rb") as source, open(KEY, "wb") as f:
            f.write(source.read())
        os.chmod(KEY, 0o600)
        with open(os.path.join(SHARED, "relay-reader.password")) as f:
            write(os.path.join(PASSWORDS, "relay-reader.password"), f.read())
        self.then = build_and_setup(self.bin_dir, SPEC, "mx")
        wait_for_port("192.0.2.21", PORT)

    def stop(self):
        write(os.path.join(SHARED, "done"), "")

    def logs(self):
        return run("journalctl", "-b", "--no-pager", "-n", "60", check=False).stdout


def store_sets_the_redis_users(s):
    for user in ["relay-writer", "relay-reader"]:
        expect("setup: set Redis user %s in the running server (ACL SETUSER)" % user in s.setup_output,
               "setup did not set %s:\n%s" % (user, s.setup_output))
    with open("/etc/redis/users.acl") as f:
        acl = f.read()
    expect(acl.startswith(s.admin_acl) and acl.count("\nuser relay-") == 2 and ">" not in acl[len(s.admin_acl):],
           "the aclfile after setup:\n" + acl)
    status = os.stat("/etc/redis/users.acl")
    expect(status.st_uid == pwd.getpwnam("redis").pw_uid, "the aclfile is no longer the redis account's")
    return ("setup set both users in the running Redis and in the redis account's aclfile (the administrator's "
            "lines first, as they were; ours with hashes); after systemctl restart redis-server the writer's grant "
            "was accepted")


def store_runs_its_units(s):
    expect(s.then == ["systemctl daemon-reload && systemctl enable --now relaychain-spiped-relay.service"],
           "the steps setup ran: %s" % s.then)
    expect(active("relaychain-spiped-relay.service"), "the store end of spiped is not active")
    listening = run("ss", "-Hltn", "sport = :8380").stdout
    expect("192.0.2.30:8380" in listening, "nothing listens on 192.0.2.30:8380: %r" % listening)
    expect(redis("TTL", "relay-ctrl:" + GRANTED).isdigit(), "relay-ctrl-allow wrote no key with a TTL")
    # The unit loaded its firewall table before spiped: only mx may reach the port.
    table = run("nft", "list", "table", "inet", "relaychain-spiped-relay").stdout
    expect("ip saddr { 192.0.2.10, 192.0.2.21 } accept" in table and "tcp dport 8380 drop" in table,
           "the table:\n" + table)
    return ("relaychain-spiped-relay.service active on 192.0.2.30:8380 behind its nft table (imap and mx alone); "
            "Redis holds the grant for " + GRANTED)


def mx_runs_its_units(m):
    unit = "relaychain-spiped-relay-reader.service"
    expect(sorted(m.then) == ["systemctl daemon-reload && systemctl enable --now relaychain-smtp.service",
                              "systemctl daemon-reload && systemctl enable --now " + unit],
           "the steps setup ran: %s" % m.then)
    for name in [unit, "relaychain-smtp.service"]:
        expect(active(name), name + " is not active")
    # spiped makes its socket a moment after systemd has started it.
    wait_for("/var/run/relaychain/relay-reader/redis.sock", 10)
    status = os.stat("/var/run/relaychain/relay-reader")
    expect(status.st_uid == pwd.getpwnam("qmaild").pw_uid and status.st_mode & 0o7777 == 0o700,
           "the reader's socket directory: uid %d mode %o" % (status.st_uid, status.st_mode & 0o7777))
    parent = os.stat("/var/run/relaychain")
    expect(parent.st_mode & 0o7777 == 0o755, "/var/run/relaychain: mode %o" % (parent.st_mode & 0o7777))
    return "%s (its socket's directory qmaild's 0700) and relaychain-smtp.service active" % unit


def mx_relays_for_the_grant(m):
    code, environment = send(GRANTED, "192.0.2.21", PORT)
    expect(code == 250, "RCPT for the address the store granted: %d" % code)
    expect(environment.get("RELAYCLIENT") == "" and environment.get("USER") == "alice", "env: %s" % environment)
    return "relayed for %s through spiped on both machines (USER=alice carried)" % GRANTED


def mx_refuses_a_stranger(m):
    code, environment = send(STRANGER, "192.0.2.21", PORT)
    expect(code == 553 and "RELAYCLIENT" not in (environment or {}), "RCPT for a stranger: %d" % code)
    return "refused %s (553)" % STRANGER


SCENARIOS = {
    "store": [("the store's setup sets the Redis users", store_sets_the_redis_users),
              ("the store's spiped unit and Redis", store_runs_its_units)],
    "mx": [("mx's spiped and SMTP units", mx_runs_its_units),
           ("a grant on the store relays on mx", mx_relays_for_the_grant),
           ("no grant: refused", mx_refuses_a_stranger)],
}


def main():
    bin_dir, role = sys.argv[1], sys.argv[2]
    machine = Store(bin_dir) if role == "store" else MX(bin_dir)
    return run_scenarios(SCENARIOS[role], machine, machine.start, machine.stop)


if __name__ == "__main__":
    sys.exit(main())
