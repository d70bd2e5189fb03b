#!/usr/bin/env python3
"""Writes a large synthetic relaychain spec: N qmail-smtpd services with 4 chain entries each,
plus a Dovecot login service and a few windows and wrappers. Usage: generate-spec.py N > spec.yaml"""
import sys

services = int(sys.argv[1])
out = sys.stdout
out.write("relaychain: 1\nplatform:\n  prefix: /usr/pkg\n  paths: { tcpserver: /usr/bin/tcpserver }\n")
out.write("windows:\n")
for w in range(8):
    out.write(f"  window-{w}:\n    store: /var/spool/relay-ctrl/w{w}\n    length: {5 + w}m\n"
              "    carry: [USER, DOMAIN]\n")
out.write("wrappers:\n")
for w in range(4):
    out.write(f"  custom-{w}:\n    path: /usr/local/bin/custom-{w}\n    args: [--level, {w}]\n"
              f"    bypass:\n      env: {{ CUSTOM_{w}: \"\" }}\n")
out.write("services:\n")
for w in range(8):
    out.write(f"  imap-{w}:\n    server: dovecot\n    version: \"2.3\"\n    protocols: [imap, pop3]\n"
              f"    grants: window-{w}\n")
for s in range(services):
    out.write(
        f"  smtp-{s}:\n"
        f"    server: qmail-smtpd\n"
        f"    run-by: daemontools\n"
        f"    port: {1024 + s}\n"
        f"    checks: window-{s % 8}\n"
        f"    relay-networks: [\"127.\", \"10.{s % 256}.\"]\n"
        f"    chain:\n"
        f"      - greetdelay\n"
        f"      - rblsmtpd -r zen.spamhaus.org\n"
        f"      - {{ use: custom-{s % 4}, args: [--zone, \"z{s}.example.org\"] }}\n"
        f"      - qgreylist\n"
    )
