"""What the scenarios in a booted Debian 13 machine share (e2e/trixie/boot runs them): commands,
systemd's view of a unit, relaychain's tools and the qmail-smtpd stand-in in place, and an SMTP
client that reports what the stand-in saw."""
import json
import os
import shutil
import smtplib
import subprocess
import sys

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, E2E)
from harness import expect  # noqa: E402
from scenarios import FOREIGN, TOOLS  # noqa: E402

REPO = os.path.dirname(os.path.abspath(E2E))
STANDIN = "/srv/relaychain-test"


def run(*argv, check=True, input=None):
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, input=input)
    if check and result.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(argv), result.returncode, result.stdout, result.stderr))
    return result


def systemctl_show(unit, prop):
    return run("systemctl", "show", "-P", prop, unit).stdout.strip()


def active(unit):
    return run("systemctl", "is-active", unit, check=False).stdout.strip() == "active"


def install_tools(bin_dir):
    """relaychain's runtime tools where the debian profile puts them, the stand-in for qmail-smtpd
    (which records its environment in STANDIN/standin), and the accounts of a qmail installation."""
    for tool in TOOLS:
        shutil.copy2(os.path.join(bin_dir, tool), "/usr/local/bin/" + tool)
    os.makedirs(STANDIN + "/bin")
    os.makedirs(STANDIN + "/standin")
    os.chmod(STANDIN + "/standin", 0o777)
    shutil.copy2(os.path.join(REPO, "e2e", "qmail-smtpd-standin"), STANDIN + "/bin/qmail-smtpd-standin")
    for account in ["qmaild", "qmaill", "spiped"]:
        run("sh", "-c", "id %s >/dev/null 2>&1 || useradd --system --no-create-home "
            "--shell /usr/sbin/nologin %s" % (account, account))


def build_and_setup(bin_dir, spec, part=""):
    """relaychain build of SPEC, then the emitted setup (of host PART in a cluster), which runs the
    steps that bring its files to the running services itself on a booted machine (Dovecot's
    reload, systemd's daemon-reload and enable --now); returns those it ran ("setup: ran ...").
    It names none for an administrator to run ("then: ...")."""
    os.makedirs("/root/relaychain", exist_ok=True)
    with open("/root/relaychain/spec.yaml", "w") as f:
        f.write(spec)
    run(os.path.join(bin_dir, "relaychain"), "build", "/root/relaychain/spec.yaml", "--output", "/root/relaychain/gen")
    output = run(os.path.join("/root/relaychain/gen", part, "setup")).stdout
    with open("/root/relaychain/setup.out", "w") as f:
        f.write(output)
    then = [line for line in output.splitlines() if line.startswith("then: ")]
    expect(not then, "setup left steps to an administrator on a booted machine:\n" + output)
    ran = [line[len("setup: ran "):] for line in output.splitlines() if line.startswith("setup: ran ")]
    expect(ran, "setup ran no step of its own:\n" + output)
    return ran


def send(source, host, port):
    """MAIL and RCPT to a foreign recipient; returns (RCPT code, the stand-in's environment)."""
    before = set(os.listdir(STANDIN + "/standin"))
    client = smtplib.SMTP(host, port, source_address=(source, 0), timeout=15)
    try:
        client.ehlo("client.example")
        client.mail("alice@example.test")
        code, _ = client.rcpt(FOREIGN)
    finally:
        try:
            client.quit()
        except Exception:
            pass
    new = sorted(name for name in set(os.listdir(STANDIN + "/standin")) - before if name.startswith("env.%s." % source))
    environment = None
    if new:
        with open(os.path.join(STANDIN, "standin", new[-1])) as f:
            environment = json.load(f)
    return code, environment
