#!/usr/bin/env python3
"""`run-by: systemd` under a real systemd: Debian 13 booted with systemd-nspawn (e2e/trixie/boot).

Inside the booted machine: builds a spec whose SMTP service systemd runs, with the debian profile
as it is (tools in /usr/local, Dovecot's stock configuration of Debian 13 with the emitted
fragment in conf.d); runs the emitted setup, which installs the unit and enables it; then logs in
with Debian's own Dovecot 2.4 (IMAP STARTTLS, POP3 STLS, as a system account through PAM), and
checks that the SMTP service relays for that client and nobody else, comes back after its main
process is killed, and logs to the journal.

Usage: e2e/trixie/systemd_host.py RELAYCHAIN_BIN_DIR   (run by e2e/trixie/run, in the booted root)
Prints one line per scenario and a closing "N passed, N failed" line; exits 1 on any failure.
The machine is thrown away afterwards (its root is a copy-on-write layer).
"""
import os
import pwd
import ssl
import sys
import time

from booted import STANDIN, active, build_and_setup, expect, install_tools, run, send, systemctl_show
from harness import run_scenarios
from scenarios import IMAP, POP3, wait_for_port

PORT = 2525
PASSWORD = "correct horse"
SPEC = """\
relaychain: 1
platform:
  profile: debian
  paths:
    qmail-smtpd: %s/bin/qmail-smtpd-standin
windows:
  relay:
    store: /var/spool/relay-ctrl/allow
    length: 10m
    log: true
services:
  mail:
    server: dovecot
    version: "2.4"
    protocols: [imap, pop3]
    grants: relay
  smtp:
    server: qmail-smtpd
    run-by: systemd
    listen: 127.0.0.1
    port: %d
    checks: relay
""" % (STANDIN, PORT)


def unverified():
    # Debian's snakeoil certificate: the test wants the login to happen, not the CA.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Machine:
    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.then = []

    def start(self):
        install_tools(self.bin_dir)
        run("useradd", "--create-home", "alice")
        run("chpasswd", input="alice:%s\n" % PASSWORD)
        self.then = build_and_setup(self.bin_dir, SPEC)
        wait_for_port("127.0.0.1", 143)
        wait_for_port("127.0.0.1", 110)
        wait_for_port("127.0.0.1", PORT)

    def stop(self):
        pass

    def logs(self):
        return run("journalctl", "-b", "--no-pager", "-n", "80", check=False).stdout

    def imap_login(self, source, password=PASSWORD):
        client = IMAP("127.0.0.1", 143, source)
        try:
            client.starttls(unverified())
            client.login("alice", password)
            client.select("INBOX")
            return True
        except IMAP.error:
            return False
        finally:
            try:
                client.logout()
            except Exception:
                pass

    def pop3_login(self, source, password=PASSWORD):
        client = POP3("127.0.0.1", 110, source)
        try:
            client.stls(unverified())
            client.user("alice")
            client.pass_(password)
            client.stat()
            return True
        except Exception:
            return False
        finally:
            try:
                client.quit()
            except Exception:
                pass

    def send(self, source):
        return send(source, "127.0.0.1", PORT)


def setup_enabled_the_unit(m):
    # The fragment went to conf.d, which Debian's dovecot.conf includes: a reload reads it.
    expect(m.then == ["doveadm reload", "systemctl daemon-reload && systemctl enable --now relaychain-smtp.service"],
           "the steps setup ran: %s" % m.then)
    expect(run("systemctl", "is-enabled", "relaychain-smtp.service").stdout.strip() == "enabled", "not enabled")
    expect(active("relaychain-smtp.service"), "not active")
    verify = run("systemd-analyze", "verify", "/etc/systemd/system/relaychain-smtp.service", check=False)
    expect(verify.returncode == 0 and not verify.stderr.strip(), "systemd-analyze verify: " + verify.stderr)
    version = run("systemctl", "--version").stdout.split("\n")[0]
    return "setup installed relaychain-smtp.service, then reloaded Dovecot and started the unit itself; " \
        "systemd-analyze verify clean under %s" % version


def no_login_refused(m):
    code, environment = m.send("127.0.0.21")
    expect(code == 553, "RCPT without a login: %d" % code)
    expect(environment is not None and "RELAYCLIENT" not in environment, "environment: %s" % environment)
    return "RCPT refused (553); no RELAYCLIENT"


def imap_login_relays(m):
    expect(m.imap_login("127.0.0.22"), "IMAP login (STARTTLS, PAM) failed")
    expect(os.path.exists("/var/spool/relay-ctrl/allow/127.0.0.22"), "no grant after the IMAP login")
    code, environment = m.send("127.0.0.22")
    expect(code == 250, "RCPT after the login: %d" % code)
    expect(environment.get("RELAYCLIENT") == "" and environment.get("USER") == "alice", "env: %s" % environment)
    owner = pwd.getpwuid(os.stat("/var/spool/relay-ctrl/allow/127.0.0.22").st_uid).pw_name
    return "relayed after Dovecot %s's IMAP login; the grant is %s's" % (
        run("dovecot", "--version").stdout.split()[0], owner)


def pop3_login_relays(m):
    expect(m.pop3_login("127.0.0.23"), "POP3 login (STLS, PAM) failed")
    code, environment = m.send("127.0.0.23")
    expect(code == 250 and environment.get("USER") == "alice", "RCPT %d, env %s" % (code, environment))
    return "relayed after a POP3 login"


def wrong_password(m):
    expect(not m.imap_login("127.0.0.24", password="wrong"), "a wrong password logged in")
    expect(not os.path.exists("/var/spool/relay-ctrl/allow/127.0.0.24"), "a failed login left a grant")
    code, _ = m.send("127.0.0.24")
    expect(code == 553, "RCPT after a failed login: %d" % code)
    return "no grant, RCPT refused (553)"


def restarts_when_killed(m):
    unit = "relaychain-smtp.service"
    first = systemctl_show(unit, "MainPID")
    restarts = int(systemctl_show(unit, "NRestarts"))
    os.kill(int(first), 9)
    deadline = time.time() + 15
    while time.time() < deadline:
        pid = systemctl_show(unit, "MainPID")
        if pid not in ("0", first) and systemctl_show(unit, "ActiveState") == "active":
            break
        time.sleep(0.2)
    else:
        raise AssertionError("%s did not come back within 15 s" % unit)
    wait_for_port("127.0.0.1", PORT)
    expect(int(systemctl_show(unit, "NRestarts")) == restarts + 1, "NRestarts did not count the restart")
    code, _ = m.send("127.0.0.22")
    expect(code == 250, "RCPT after the restart: %d" % code)
    return "SIGKILL to tcpserver %s: systemd restarted it as %s, and it relays as before" % (first, pid)


def logs_to_the_journal(m):
    text = run("journalctl", "-u", "relaychain-smtp.service", "--no-pager", "-o", "cat").stdout
    lines = [line for line in text.splitlines() if "relay-ctrl-check" in line and "127.0.0.22" in line]
    expect(lines, "no line of relay-ctrl-check about 127.0.0.22 in the journal:\n" + text[-2000:])
    identifier = run("journalctl", "-u", "relaychain-smtp.service", "--no-pager", "-o", "verbose",
                     "SYSLOG_IDENTIFIER=relaychain-smtp").stdout
    expect("relay-ctrl-check" in identifier, "the unit's lines do not carry SyslogIdentifier=relaychain-smtp")
    return "journal: %s" % lines[0].strip()


def cron_runs_the_age_line(m):
    expect(active("cron.service"), "cron is not running")
    installed = [name for name in os.listdir("/etc/cron.d") if name.startswith("relaychain-")]
    expect(installed, "setup installed no cron.d file")
    return "cron.service active; /etc/cron.d/%s installed" % installed[0]


SCENARIOS = [
    ("setup installs and enables the unit", setup_enabled_the_unit),
    ("no login: refused", no_login_refused),
    ("IMAP login through Debian's Dovecot, then relay", imap_login_relays),
    ("POP3 login relays too", pop3_login_relays),
    ("wrong password: no grant, no relay", wrong_password),
    ("systemd restarts the service after its main process is killed", restarts_when_killed),
    ("the service logs to the journal", logs_to_the_journal),
    ("cron runs relay-ctrl-age", cron_runs_the_age_line),
]


def main():
    machine = Machine(sys.argv[1])
    return run_scenarios(SCENARIOS, machine, machine.start, machine.stop)


if __name__ == "__main__":
    sys.exit(main())
