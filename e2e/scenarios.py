#!/usr/bin/env python3
"""End-to-end scenarios with real servers on loopback: Dovecot logins (imaplib, poplib) open relay
windows that the SMTP chain under tcpserver honours (smtplib), and nothing else does. The spec and
Dovecot's own configuration follow the installed Dovecot: 2.3 on Debian 12, 2.4 on Debian 13.

Usage: e2e/scenarios.py RELAYCHAIN_BIN_DIR   (run by e2e/run, which installs what it needs, and
inside the Debian 13 root by e2e/trixie/run)
Prints one line per scenario and a closing "N passed, N failed" line; exits 1 on any failure.
Every process it starts is stopped by pid and its temporary folder removed, also on failure;
logs are printed when a scenario fails.
"""
import grp
import imaplib
import json
import os
import poplib
import pwd
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import expect, run_scenarios

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = ["relay-ctrl-allow", "relay-ctrl-check", "relay-ctrl-chdir", "relay-ctrl-age", "ifrelayclient",
         "dovecot-settcpremoteip"]
PASSWORD = "correct horse"
FOREIGN = "someone@elsewhere.example"


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_for_port(host, port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on %s port %d" % (host, port))


class FromSource:
    """A client library's connection from a chosen source address, so each scenario is its own client."""
    def __init__(self, host, port, source):
        self.source = source
        super().__init__(host, port, timeout=15)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


class IMAP(FromSource, imaplib.IMAP4):
    pass


class POP3(FromSource, poplib.POP3):
    pass


GROUP = "relaychain-login"  # the spec's window group: Dovecot's post-login script runs with it


class World:
    """Everything the scenarios run against, in one temporary folder."""

    def __init__(self, bin_dir):
        self.root = tempfile.mkdtemp(prefix="relaychain-e2e-")
        os.chmod(self.root, 0o755)
        self.pids = []
        self.ipv6 = have_ipv6_loopback()
        self.bin_dir = bin_dir

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def setup(self):
        for d in ["bin", "standin", "log", "run", "state", "home"]:
            os.makedirs(self.path(d))
        os.chmod(self.path("standin"), 0o777)
        for tool in TOOLS:
            shutil.copy2(os.path.join(self.bin_dir, tool), self.path("bin", tool))
        shutil.copy2(os.path.join(REPO, "e2e", "qmail-smtpd-standin"), self.path("bin", "qmail-smtpd-standin"))

        # The spec, compiled with relaychain build; its output is used unchanged, and its setup
        # script (run as root, as an administrator would) prepares everything else.
        self.smtp4 = free_port()
        self.smtp6 = free_port(socket.AF_INET6, "::1") if self.ipv6 else free_port()
        self.dovecot_release = dovecot_release()
        self.dovecot = dovecot_version(self.dovecot_release)
        print("Dovecot %s: the spec says version \"%s\"" % (self.dovecot_release, self.dovecot), flush=True)
        with open(os.path.join(REPO, "e2e", "spec.template.yaml")) as f:
            spec = f.read().replace("@ROOT@", self.root).replace("@DOVECOT@", self.dovecot)
            spec = spec.replace("@SMTP4@", str(self.smtp4)).replace("@SMTP6@", str(self.smtp6))
        with open(self.path("spec.yaml"), "w") as f:
            f.write(spec)
        build = subprocess.run([self.relaychain, "build", self.path("spec.yaml"), "--output", self.path("gen")],
                               capture_output=True, text=True)
        if build.returncode != 0:
            raise RuntimeError("relaychain build failed:\n" + build.stderr)
        # The window names a group no account is in: setup says to make it, as an administrator then does.
        if subprocess.run(["getent", "group", GROUP], capture_output=True).returncode == 0:
            subprocess.run(["groupdel", GROUP], check=True)
        without = subprocess.run([self.path("gen", "setup")], capture_output=True, text=True)
        self.group_problem = [line for line in without.stderr.splitlines() if "no group" in line]
        if without.returncode != 1 or not self.group_problem:
            raise RuntimeError("setup without group %s (%d):\n%s%s" % (GROUP, without.returncode, without.stdout,
                                                                      without.stderr))
        subprocess.run(["groupadd", "--system", GROUP], check=True)
        self.made_group = True
        first = subprocess.run([self.path("gen", "setup")], capture_output=True, text=True)
        self.setup_output = first.stdout + first.stderr
        if first.returncode != 0:
            raise RuntimeError("setup failed (%d):\n%s" % (first.returncode, self.setup_output))
        again = subprocess.run([self.path("gen", "setup")], capture_output=True, text=True)
        if again.returncode != 0 or again.stdout != "setup: nothing to do\n":
            raise RuntimeError("a second setup run acted:\n" + again.stdout + again.stderr)

        # Dovecot: its own instance, plaintext logins on loopback only, one passwd-file user.
        nobody = pwd.getpwnam("nobody")
        for user in ["alice"] + ["load%d" % i for i in range(50)]:
            home = self.path("home", user)
            os.makedirs(home)
            os.chown(home, nobody.pw_uid, nobody.pw_gid)
        with open(self.path("passwd"), "w") as f:
            f.write("alice:{PLAIN}%s::::::\n" % PASSWORD)
            for i in range(50):
                f.write("load%d:{PLAIN}%s::::::\n" % (i, PASSWORD))
        os.chmod(self.path("passwd"), 0o644)
        self.imap = free_port()
        self.pop3 = free_port()
        listen = "127.0.0.1, ::1" if self.ipv6 else "127.0.0.1"
        with open(self.path("dovecot.conf"), "w") as f:
            f.write(DOVECOT_CONF[self.dovecot].format(root=self.root, listen=listen, imap=self.imap, pop3=self.pop3))
        check = subprocess.run(["doveconf", "-c", self.path("dovecot.conf"), "-n"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("doveconf rejects the configuration:\n" + check.stderr)
        self.start(["dovecot", "-F", "-c", self.path("dovecot.conf")], "dovecot.out")

        self.start_cron()

        # The SMTP services: daemontools' svscan watches the directory setup linked them into;
        # supervise runs each emitted run script and its log/run (multilog as qmaill).
        self.start(["svscan", self.path("svscan")], "svscan.out")
        wait_for_port("127.0.0.1", self.imap)
        wait_for_port("127.0.0.1", self.pop3)
        wait_for_port("127.0.0.1", self.smtp4)
        if self.ipv6:
            wait_for_port("::1", self.smtp6)

    def start_cron(self):
        """Debian's cron, of the test's own: in a mount namespace where /etc/cron.d is the directory
        setup installed the cron line into, and the host's crontabs and pid file are out of sight,
        so that it runs that line and nothing of the host's."""
        cron = shutil.which("cron") or "/usr/sbin/cron"
        if not os.path.exists(cron):
            raise RuntimeError("no cron (scripts/prepare installs it)")
        os.makedirs(self.path("cron-empty"), exist_ok=True)
        open(self.path("cron-empty-crontab"), "w").close()
        script = ("mount --make-rprivate / && mount --bind %s /etc/cron.d && mount --bind %s /etc/crontab && "
                  "{ [ ! -d /var/spool/cron/crontabs ] || mount --bind %s /var/spool/cron/crontabs; } && "
                  "mount -t tmpfs tmpfs /run && exec %s -f") % (
                      self.path("cron.d"), self.path("cron-empty-crontab"), self.path("cron-empty"), cron)
        self.start(["unshare", "--mount", "sh", "-c", script], "cron.out")
        self.cron = self.pids[-1]

    @property
    def relaychain(self):
        return os.path.join(self.bin_dir, "relaychain")

    def doctor(self, *extra):
        return subprocess.run([self.relaychain, "doctor", self.path("spec.yaml"), "--output", self.path("gen"),
                               "--dovecot-config", self.path("dovecot.conf")] + list(extra),
                              capture_output=True, text=True, timeout=120)

    def start(self, argv, log, cwd=None):
        out = open(self.path("log", log), "ab")
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
        self.pids.append(process.pid)

    def stop(self):
        for pid in reversed(self.pids):
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.time() + 10
        for pid in self.pids:
            while time.time() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)
        if getattr(self, "made_group", False):
            subprocess.run(["groupdel", GROUP], check=False)

    def logs(self):
        text = []
        files = [self.path("log", name) for name in sorted(os.listdir(self.path("log")))]
        for service in ["smtp", "smtp6"]:
            current = self.path("gen", "service", service, "log", "main", "current")
            if os.path.exists(current):
                files.append(current)
        for name in files:
            with open(name, errors="replace") as f:
                text.append("----- %s -----\n%s" % (name, f.read()[-6000:]))
        return "\n".join(text)

    # Clients

    def imap_login(self, source, user="alice", password=PASSWORD, host="127.0.0.1"):
        client = IMAP(host, self.imap, source)
        try:
            client.login(user, password)
            client.select("INBOX")
            return True
        except imaplib.IMAP4.error:
            return False
        finally:
            try:
                client.logout()
            except Exception:
                pass

    def pop3_login(self, source, user="alice", password=PASSWORD):
        client = POP3("127.0.0.1", self.pop3, source)
        try:
            client.user(user)
            client.pass_(password)
            client.stat()
            return True
        except poplib.error_proto:
            return False
        finally:
            try:
                client.quit()
            except Exception:
                pass

    def send(self, source, recipient=FOREIGN, host="127.0.0.1"):
        """MAIL, RCPT and (when accepted) DATA; returns (RCPT code, message, stand-in environment)."""
        port = self.smtp6 if ":" in host else self.smtp4
        before = set(os.listdir(self.path("standin")))
        client = smtplib.SMTP(host, port, source_address=(source, 0), timeout=15)
        try:
            client.ehlo("client.example")
            client.mail("alice@example.test")
            code, message = client.rcpt(recipient)
            if code == 250:
                data_code, _ = client.data(b"Subject: relaychain e2e\r\n\r\nhello\r\n")
                if data_code != 250:
                    raise AssertionError("DATA answered %d" % data_code)
        finally:
            try:
                client.quit()
            except Exception:
                pass
        new = sorted(name for name in set(os.listdir(self.path("standin"))) - before
                     if name.startswith("env.%s." % source))
        environment = None
        if new:
            with open(self.path("standin", new[-1])) as f:
                environment = json.load(f)
        return code, message.decode(errors="replace"), environment

    def grant(self, address):
        path = self.path("spool", "allow", address)
        return path if os.path.exists(path) else None


def dovecot_release():
    """The installed Dovecot's release, as `dovecot --version` says it ("2.4.1-4")."""
    return subprocess.run(["dovecot", "--version"], capture_output=True, text=True, check=True).stdout.split()[0]


def dovecot_version(release):
    """The spec's version for a release: its major.minor ("2.4.1-4" is 2.4)."""
    version = ".".join(release.split(".")[:2])
    expect(version in DOVECOT_CONF, "no configuration for Dovecot %s" % release)
    return version


# What both versions say alike: the instance, its paths and addresses (no TLS: loopback only).
INSTANCE = """\
base_dir = {root}/run/
state_dir = {root}/state/
instance_name = relaychain-e2e
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
protocols = imap pop3
listen = {listen}
ssl = no
"""

# Both versions' listeners and the fragment setup installed.
LISTENERS = """\
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
!include {root}/dovecot-conf.d/relaychain-mail.conf
"""


# The end-to-end test's own Dovecot instance, in each version's words: 2.4 renamed most settings
# (auth_allow_cleartext, passwd_file_path, userdb fields, mail_driver and mail_path, %{user}).
DOVECOT_CONF = {}
DOVECOT_CONF["2.3"] = INSTANCE + """\
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
""" + LISTENERS
DOVECOT_CONF["2.4"] = """\
dovecot_config_version = 2.4.1
dovecot_storage_version = 2.4.1
""" + INSTANCE + """\
auth_allow_cleartext = yes
auth_mechanisms = plain login
passdb passwd-file {{
  passwd_file_path = {root}/passwd
}}
userdb static {{
  fields {{
    uid = nobody
    gid = nogroup
    home = {root}/home/%{{user}}
  }}
}}
mail_driver = maildir
mail_path = ~/Maildir
""" + LISTENERS


def refused(code, message):
    return code >= 500


# Scenarios: each uses its own loopback client address.

def doctor_passes(w):
    result = w.doctor()
    expect(result.returncode == 0, "doctor failed (%d):\n%s%s" % (result.returncode, result.stdout, result.stderr))
    last = result.stdout.strip().splitlines()[-1]
    expect(last.startswith("doctor: all ") and "FAIL" not in result.stdout, result.stdout)
    relays = [line for line in result.stdout.splitlines()
              if line.startswith("ok   service '") and "relays for 192.0.2." in line]
    expect(len(relays) == (2 if w.ipv6 else 2), "the self-test should cover both SMTP services: %s" % relays)
    leftovers = [name for name in os.listdir(w.path("spool", "allow"))
                 if name.startswith("192.0.2.") or name.startswith(".relaychain")]
    expect(not leftovers, "doctor left grants behind: %s" % leftovers)
    print(result.stdout, end="")
    return last + "; setup ran once (it first asked for the group: %s), a second run had nothing to do" % (
        w.group_problem[0].replace("setup: ", ""))


def doctor_finds_an_unwritable_store(w):
    store = w.path("spool", "allow")
    mode = os.stat(store).st_mode & 0o7777
    os.chmod(store, 0o2750)  # the group (the writers') loses write
    try:
        result = w.doctor()
    finally:
        os.chmod(store, mode)
    expect(result.returncode == 1, "doctor should fail, exit %d:\n%s" % (result.returncode, result.stdout))
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    expect("FAIL dovecot can write grants in %s" % store in failed, "doctor did not name the item: %s" % failed)
    expect(w.doctor().returncode == 0, "doctor should pass again once the mode is back")
    return "exit 1, naming: %s" % "; ".join(failed)


def no_login(w):
    code, message, environment = w.send("127.0.0.11")
    expect(code == 553 and "listed" in message, "rblsmtpd should reject the listed client, got %d %s" % (code, message))
    expect(environment is None, "qmail-smtpd should not run for a rejected client")
    expect(w.grant("127.0.0.11") is None, "no login, so no grant")
    return "RCPT refused (%d %s)" % (code, message.strip())


def imap_login_relays(w):
    expect(w.imap_login("127.0.0.12"), "IMAP login failed")
    grant = w.grant("127.0.0.12")
    expect(grant is not None, "no grant after the IMAP login")
    code, message, environment = w.send("127.0.0.12")
    expect(code == 250, "relaying refused after login: %d %s" % (code, message))
    expect(environment and environment.get("RELAYCLIENT") == "", "stand-in did not see RELAYCLIENT: %s" % environment)
    expect(environment.get("USER") == "alice", "stand-in did not see USER=alice: %s" % environment)
    expect(environment.get("RBLSMTPD") == "", "rblsmtpd was not told to step aside")
    owner = pwd.getpwuid(os.stat(grant).st_uid).pw_name
    expect(owner == "dovecot",
           "the post-login script should run as dovecot (default_internal_user), grant owned by %s" % owner)
    # The window's group: the store and its parent are the group's, and Dovecot ran the script with it.
    gid = grp.getgrnam(GROUP).gr_gid
    parent = os.stat(w.path("spool"))
    store = os.stat(w.path("spool", "allow"))
    expect(parent.st_uid == 0 and parent.st_gid == gid and parent.st_mode & 0o7777 == 0o710,
           "the store's parent: uid %d gid %d mode %o" % (parent.st_uid, parent.st_gid, parent.st_mode & 0o7777))
    expect(store.st_uid == pwd.getpwnam("qmaild").pw_uid and store.st_gid == gid and store.st_mode & 0o7777 == 0o2770,
           "the store: uid %d gid %d mode %o" % (store.st_uid, store.st_gid, store.st_mode & 0o7777))
    log = w.path("gen", "service", "smtp", "log", "main", "current")
    deadline = time.time() + 5
    def logged():
        return os.path.exists(log) and "relay-ctrl-check" in open(log, errors="replace").read()
    while time.time() < deadline and not logged():
        time.sleep(0.1)
    expect(os.path.exists(log), "multilog (as qmaill) wrote no log/main/current")
    expect(pwd.getpwuid(os.stat(log).st_uid).pw_name == "qmaill", "log/main/current is not qmaill's")
    with open(log, errors="replace") as f:
        text = f.read()
    expect("relay-ctrl-check" in text and "127.0.0.12" in text, "relay-ctrl-check's line is not in multilog's log")
    return "accepted; rblsmtpd stepped aside; stand-in saw RELAYCLIENT and USER=alice; grant written by %s; " \
        "relay-ctrl-check's line in multilog's log" % owner


def pop3_login_relays(w):
    expect(w.pop3_login("127.0.0.13"), "POP3 login failed")
    code, message, environment = w.send("127.0.0.13")
    expect(code == 250, "relaying refused after POP3 login: %d %s" % (code, message))
    expect(environment.get("RELAYCLIENT") == "" and environment.get("USER") == "alice", "environment: %s" % environment)
    return "accepted after POP3 login"


def wrong_password(w):
    expect(not w.imap_login("127.0.0.14", password="wrong"), "a wrong password logged in")
    expect(w.grant("127.0.0.14") is None, "a failed login wrote a grant")
    code, message, _ = w.send("127.0.0.14")
    expect(refused(code, message), "relayed without a login: %d" % code)
    return "no grant, RCPT refused (%d)" % code


def window_expires(w):
    expect(w.imap_login("127.0.0.15"), "IMAP login failed")
    time.sleep(6.5)
    code, message, environment = w.send("127.0.0.15")
    expect(refused(code, message), "relayed after the 5s window: %d" % code)
    expect(w.grant("127.0.0.15") is None, "relay-ctrl-check should remove the expired grant")
    return "refused 6.5s after login (%d); expired grant removed" % code


def ipv6(w):
    if not w.ipv6:
        return "skipped: no IPv6 loopback on this machine"
    expect(w.imap_login("::1", host="::1"), "IMAP login over ::1 failed")
    expect(w.grant("::1") is not None, "no grant named ::1")
    code, message, environment = w.send("::1", host="::1")
    expect(code == 250, "relaying refused over IPv6: %d %s" % (code, message))
    expect(environment.get("TCPREMOTEIP") == "::1" and environment.get("RELAYCLIENT") == "",
           "environment: %s" % environment)
    return "login and relay over ::1"


def planted_grants(w):
    nobody = pwd.getpwnam("nobody")
    planted = w.path("spool", "allow", "127.0.0.17")
    with open(planted, "wb") as f:
        f.write(b"USER=mallory\0QMAILQUEUE=/tmp/evil\0LD_PRELOAD=/tmp/evil.so\0")
    os.chown(planted, nobody.pw_uid, nobody.pw_gid)
    code, message, environment = w.send("127.0.0.17")
    expect(environment is not None,
           "a grant file, even planted, still opens the window: the store's parent must be private")
    expect("QMAILQUEUE" not in environment and "LD_PRELOAD" not in environment,
           "planted variables reached qmail-smtpd: %s" % environment)
    future = w.path("spool", "allow", "127.0.0.18")
    with open(future, "wb") as f:
        f.write(b"USER=mallory\0")
    os.utime(future, (4102444800, 4102444800))  # 2100-01-01
    code, message, _ = w.send("127.0.0.18")
    expect(refused(code, message), "a future-dated grant relayed: %d" % code)
    return "QMAILQUEUE and LD_PRELOAD never reached the stand-in; future-dated grant refused (%d)" % code


def trusted_networks(w):
    """Dovecot's login_trusted_networks lets a client name its own address (IMAP ID
    x-originating-ip): a user who logs in from such a network grants the address they name. relaychain
    cannot tell a proxy from a user there, so doctor warns; the attack is performed to show why."""
    conf = w.path("dovecot.conf")
    with open(conf) as f:
        original = f.read()
    with open(conf, "w") as f:
        f.write(original.replace("ssl = no\n", "ssl = no\nlogin_trusted_networks = 127.0.0.0/8\n"))
    try:
        subprocess.run(["doveadm", "-c", conf, "reload"], check=True, capture_output=True, timeout=30)
        time.sleep(1)
        named = "198.51.100.99"
        imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))  # RFC 2971; imaplib lacks it
        client = IMAP("127.0.0.1", w.imap, "127.0.0.19")
        try:
            client._simple_command("ID", '("x-originating-ip" "%s")' % named)
            client.login("alice", PASSWORD)
        finally:
            client.logout()
        expect(w.grant(named) is not None, "the ID command did not move the grant: nothing to warn about")
        expect(w.grant("127.0.0.19") is None, "the grant went to the connection's address")
        result = w.doctor()
        expect(result.returncode == 0, "a warning must not fail doctor:\n" + result.stdout)
        warning = "WARN Dovecot lets no client name its own address (login_trusted_networks)"
        expect(warning in result.stdout, "doctor gave no warning:\n" + result.stdout)
        expect("login_trusted_networks = 127.0.0.0/8: a client connecting from there may name any address"
               in result.stdout, result.stdout)
        expect(result.stdout.strip().splitlines()[-1].endswith("items hold (1 warning)"), result.stdout)
    finally:
        with open(conf, "w") as f:
            f.write(original)
        subprocess.run(["doveadm", "-c", conf, "reload"], check=True, capture_output=True, timeout=30)
        time.sleep(1)
    quiet = w.doctor()
    expect("WARN" not in quiet.stdout, "doctor still warns without login_trusted_networks:\n" + quiet.stdout)
    return "a login from 127.0.0.19 with ID x-originating-ip %s granted %s; doctor warns, and is quiet again " \
        "once the setting is gone" % (named, named)


def load(w):
    results = [None] * 50
    errors_before = os.path.getsize(w.path("log", "dovecot.log"))

    def client(i):
        source = "127.0.1.%d" % (i + 1)
        try:
            expect(w.imap_login(source, user="load%d" % i), "login failed")
            code, message, environment = w.send(source)
            expect(code == 250, "RCPT %d %s" % (code, message))
            expect(environment.get("USER") == "load%d" % i, "USER %s" % environment.get("USER"))
            # Looked at now: the window is 5 s, and relay-ctrl-age (cron, each minute) may remove
            # a grant that old before the slowest of the 50 clients is done.
            expect(w.grant(source) is not None, "grant missing")
            results[i] = "ok"
        except Exception as error:
            results[i] = "client %d: %s" % (i, error)

    start = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - start
    failures = [r for r in results if r != "ok"]
    expect(not failures, "%d of 50 failed: %s" % (len(failures), failures[:3]))
    with open(w.path("log", "dovecot.log"), errors="replace") as f:
        f.seek(errors_before)
        bad = [line for line in f if "Error:" in line or "Fatal:" in line or "Panic:" in line]
    expect(not bad, "Dovecot logged errors: %s" % bad[:3])
    return ("50 concurrent clients logged in and relayed in %.2fs (%.1f login+send per second); 50 grants"
            % (elapsed, 50 / elapsed))


def doctor_finds_a_dovecot_not_reloaded(w):
    """Dovecot running a configuration from before the fragment: its files include it, the running
    instance has no post-login service. doctor fails that item alone, with the reload as its fix."""
    conf = w.path("dovecot.conf")
    with open(conf) as f:
        original = f.read()
    include = "!include %s/dovecot-conf.d/relaychain-mail.conf\n" % w.root
    expect(include in original, "dovecot.conf does not include the fragment")
    try:
        with open(conf, "w") as f:
            f.write(original.replace(include, ""))
        subprocess.run(["doveadm", "-c", conf, "reload"], check=True, capture_output=True, timeout=30)
        time.sleep(1)
    finally:
        # The files as setup left them; the running Dovecot still without the fragment.
        with open(conf, "w") as f:
            f.write(original)
    result = w.doctor()
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    expect(result.returncode == 1 and failed == ["FAIL the running Dovecot has loaded the post-login service "
                                                 "(relaychain-postlogin)"], "doctor:\n" + result.stdout)
    expect("fix: reload Dovecot (setup does, when it installs the fragment): doveadm -c %s reload" % conf
           in result.stdout, "doctor's fix:\n" + result.stdout)
    subprocess.run(["doveadm", "-c", conf, "reload"], check=True, capture_output=True, timeout=30)
    time.sleep(1)
    again = w.doctor()
    expect(again.returncode == 0, "doctor after the reload:\n" + again.stdout)
    return "exit 1, naming only the live post-login service, fix 'doveadm -c ... reload'; holds after it"


def doctor_finds_no_cron_daemon(w):
    """With the cron daemon stopped, the installed cron line expires nothing: doctor fails, naming
    the command that starts one; with it running again, doctor holds."""
    os.killpg(w.cron, signal.SIGTERM)
    os.waitpid(w.cron, 0)
    w.pids.remove(w.cron)
    try:
        result = w.doctor()
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
        expect(result.returncode == 1 and failed == ["FAIL a cron daemon runs (relay-ctrl-age expires grants only "
                                                     "while one does)"], "doctor without cron:\n" + result.stdout)
        expect("fix: start the host's cron daemon (Debian: apt-get install cron): service cron start"
               in result.stdout, "doctor's fix:\n" + result.stdout)
    finally:
        w.start_cron()
    time.sleep(0.5)
    again = w.doctor()
    expect(again.returncode == 0, "doctor with cron running again:\n" + again.stdout)
    return "exit 1, naming only the cron daemon, fix 'service cron start'; holds again once cron runs"


def rebuild_reaches_running_service(w):
    """A longer window, built and set up, reaches the running tcpserver with no hand restart:
    setup restarts what it started with other run scripts, and says so."""
    with open(w.path("spec.yaml")) as f:
        spec = f.read()
    expect("length: 5s" in spec, "the spec's window is not 5s")
    # And one word of smtp's tcpserver: a backlog (-b), which no environment shows.
    listen = "    listen: 127.0.0.1\n"
    expect(listen in spec, "the spec's smtp listens elsewhere")
    with open(w.path("spec.yaml"), "w") as f:
        f.write(spec.replace("length: 5s", "length: 20s").replace(listen, listen + "    backlog: 64\n"))
    build = subprocess.run([w.relaychain, "build", w.path("spec.yaml"), "--output", w.path("gen")],
                           capture_output=True, text=True)
    expect(build.returncode == 0, "build failed: " + build.stderr)
    # Built, not yet set up: doctor sees the running chains still hold the old window.
    stale = w.doctor()
    old = [line for line in stale.stdout.splitlines() if line.startswith("FAIL the running smtp ")]
    expect(stale.returncode == 1 and old, "doctor did not see the old chain running:\n" + stale.stdout)
    expect("fix: restart it (setup does, when it runs after a build): /usr/bin/svc -t " in stale.stdout,
           "doctor's fix is not the restart:\n" + stale.stdout)
    words = [line for line in stale.stdout.splitlines() if line.startswith("FAIL the running smtp runs the words")]
    expect(words and "-b 64" in stale.stdout.split(words[0], 1)[1].split("\n")[1],
           "doctor did not name the running smtp's old words:\n" + stale.stdout)
    setup = subprocess.run([w.path("gen", "setup")], capture_output=True, text=True)
    expect(setup.returncode == 0, "setup failed: %s%s" % (setup.stdout, setup.stderr))
    restarted = [line for line in setup.stdout.splitlines() if line.startswith("setup: restart ")]
    services = ["smtp", "smtp6"]
    expect(sorted(line.split()[2].rsplit("/", 1)[1].rstrip(":") for line in restarted) == services,
           "setup restarted %s, not %s:\n%s" % (restarted, services, setup.stdout))
    again = subprocess.run([w.path("gen", "setup")], capture_output=True, text=True)
    expect(again.stdout == "setup: nothing to do\n", "a second setup run acted:\n" + again.stdout)
    wait_for_port("127.0.0.1", w.smtp4)
    # The old chain (a 5 s window) refuses a client 7 s after its login; the new one relays it.
    expect(w.imap_login("127.0.0.31"), "IMAP login failed")
    time.sleep(7)
    code, message, environment = w.send("127.0.0.31")
    expect(code == 250, "7 s after the login, the rebuilt 20 s window refused: %d %s" % (code, message))
    fresh = w.doctor()
    expect(fresh.returncode == 0, "doctor after setup:\n" + fresh.stdout)
    return ("before setup doctor named the old chain (%s) and smtp's old words (no -b 64); setup restarted %s "
            "(%s); a client relays 7 s after its login; doctor holds again") % (
                old[0][5:], ", ".join(services), restarted[0].split(": ", 2)[-1])


SCENARIOS = [
    ("doctor: every item holds after build and setup", doctor_passes),
    ("no login: rblsmtpd rejects the listed client, RCPT refused", no_login),
    ("IMAP login, then SMTP from the same address relays", imap_login_relays),
    ("POP3 login relays too", pop3_login_relays),
    ("wrong password: no grant, no relay", wrong_password),
    ("after the window: refused again", window_expires),
    ("IPv6 loopback: login and relay", ipv6),
    ("planted and future-dated grant files", planted_grants),
    ("login_trusted_networks: the client names the address, doctor warns", trusted_networks),
    ("load: 50 concurrent clients", load),
    ("doctor names a store the login user cannot write", doctor_finds_an_unwritable_store),
    ("doctor names a cron daemon that does not run", doctor_finds_no_cron_daemon),
    ("doctor names a Dovecot that has not loaded the fragment", doctor_finds_a_dovecot_not_reloaded),
    ("a rebuild reaches the running services", rebuild_reaches_running_service),
]


def main():
    world = World(sys.argv[1])

    def stop():
        world.stop()
        world.remove()
    return run_scenarios(SCENARIOS, world, world.setup, stop)


if __name__ == "__main__":
    sys.exit(main())
