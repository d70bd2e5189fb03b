/// The schema of each kind of service: its keys as the loader reads them.
extension SpecSchema {
    static func serviceDefinitionName(_ kind: ServerKind) -> String {
        switch kind {
        case .dovecot: "dovecotService"
        case .qmailPOP3D: "qmailPop3dService"
        case .qmailSMTPD: "qmailSmtpdService"
        }
    }

    static func service(_ kind: ServerKind) -> JSONValue {
        let keys = [ServiceKey.server] + kind.keys
        return closedObject(
            nil, keys.map { ($0.rawValue, serviceProperty($0, kind)) },
            required: [ServiceKey.server.rawValue] + kind.requiredKeys.map(\.rawValue))
    }

    static func serviceProperty(_ key: ServiceKey, _ kind: ServerKind) -> JSONValue {
        switch key {
        case .server: described("What runs this service.", ["const": .string(kind.rawValue)])
        case .version:
            described(
                "The Dovecot release line, quoted: \"1.1\", \"2.3\", \"2.4.4\".",
                ["type": .string("string"), "pattern": .string("^(1\\.[0-2]|2\\.[0-4])(\\.[0-9]{1,3})?$")])
        case .protocols:
            described(
                "Which logins grant a window.",
                [
                    "type": .string("array"), "minItems": .int(1), "uniqueItems": .bool(true),
                    "items": .object([("enum", .array(MailProtocol.allCases.map { .string($0.rawValue) }))]),
                ])
        case .grants: described("The window a successful login opens.", ref: "name")
        case .postLoginUser:
            described(
                "The user Dovecot 2's post-login script runs as; it must be able to write the store. Default: "
                    + "Dovecot's default_internal_user.",
                ["type": .string("string"), "pattern": .string("^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}$")])
        case .runBy: described("What starts it.", ["enum": .array(Supervisor.allCases.map { .string($0.rawValue) })])
        case .listen:
            described(
                "The IPv4 or IPv6 address tcpserver listens on. Default: every address.",
                ["type": .string("string"), "minLength": .int(2)])
        case .port:
            described(
                kind == .qmailPOP3D ? "TCP port. Default 110." : "TCP port. Default 25.",
                ["type": .string("integer"), "minimum": .int(1), "maximum": .int(65535)])
        case .checks: described("The window whose grants let a client relay.", ref: "name")
        case .chain:
            described(
                "The wrappers between relay-ctrl-check and qmail-smtpd, in order.",
                ["type": .string("array"), "items": ref("chainEntry")])
        case .relayNetworks:
            described(
                "tcprules prefixes that already relay, such as \"127.\".",
                ["type": .string("array"), "items": .object([("type", .string("string")), ("minLength", .int(1))])])
        case .environment:
            described(
                "Variables for the whole SMTP chain, for every client (QMAILQUEUE, DATABYTES...): qmail-run's "
                    + "qmailsmtpd_postenv, or the run script's env.",
                [
                    "type": .string("object"), "propertyNames": ref("variableName"),
                    "additionalProperties": ref("argument"),
                ])
        case .relayClientEnvironment:
            described(
                "What ifrelayclient also sets for clients that logged in, beside what the chain's wrappers ask for "
                    + "(e.g. RBLSMTPD for an rblsmtpd outside this chain).",
                [
                    "type": .string("object"), "propertyNames": ref("variableName"),
                    "additionalProperties": ref("argument"),
                ])
        case .rules:
            described(
                "tcpserver's access rules after the relay networks, first match wins: from (an address prefix, \"\" "
                    + "for every client), deny, set (variables for matching clients, e.g. RBLSMTPD).",
                [
                    "type": .string("array"),
                    "items": closedObject(
                        nil,
                        RuleKey.allCases.map { key in
                            switch key {
                            case .from:
                                (
                                    key.rawValue,
                                    described(
                                        "tcprules address prefix; \"\" matches every client.",
                                        ["type": .string("string")])
                                )
                            case .deny:
                                (
                                    key.rawValue,
                                    described("Refuse the connection. Default false.", ["type": .string("boolean")])
                                )
                            case .set:
                                (
                                    key.rawValue,
                                    described(
                                        "Variables tcpserver sets for matching clients.",
                                        [
                                            "type": .string("object"), "propertyNames": ref("variableName"),
                                            "additionalProperties": ref("argument"),
                                        ])
                                )
                            }
                        }, required: [RuleKey.from.rawValue]),
                ])
        case .datalimit:
            described(
                "Bytes of memory for the server (softlimit -m before tcpserver; qmail-run's qmailsmtpd_datalimit).",
                ["type": .string("integer"), "minimum": .int(1)])
        case .concurrency:
            described(
                "Connections at once (tcpserver -c): a count, or contents-of a file read when the service starts "
                    + "(a run script's $(cat FILE)). qmail-run has no variable for it.",
                [
                    "oneOf": .array([
                        .object([("type", .string("integer")), ("minimum", .int(1))]),
                        closedObject(
                            nil, [(ConcurrencyKey.contentsOf.rawValue, ref("absolutePath"))],
                            required: [ConcurrencyKey.contentsOf.rawValue]),
                    ])
                ])
        case .localName:
            described(
                "tcpserver's local host name (-l, TCPLOCALHOST), which qmail-smtpd greets with and writes in Received "
                    + "lines: a name, the first-line-of a file when the service starts (control/me), host-name: "
                    + "true for the host's name then, or dns: true for no -l (tcpserver looks its address up in DNS "
                    + "for each connection). Default: the host's name (uname -n at start; systemd's %H); qmail-run "
                    + "keeps its own -l0.",
                [
                    "oneOf": .array([
                        .object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9.-]+$"))]),
                        closedObject(
                            nil, [(LocalNameKey.firstLineOf.rawValue, ref("absolutePath"))],
                            required: [LocalNameKey.firstLineOf.rawValue]),
                        closedObject(
                            nil, [(LocalNameKey.hostName.rawValue, .object([("const", .bool(true))]))],
                            required: [LocalNameKey.hostName.rawValue]),
                        closedObject(
                            nil, [(LocalNameKey.dns.rawValue, .object([("const", .bool(true))]))],
                            required: [LocalNameKey.dns.rawValue]),
                    ])
                ])
        case .rulesCDB:
            described(
                "Where setup compiles the service's rules (tcprules NAME.cdb NAME.tmp) and tcpserver -x reads them, "
                    + "e.g. /etc/tcp.smtp.cdb. Default tcp.cdb in the service's directory.",
                ["type": .string("string"), "pattern": .string("^/[^\\u0000-\\u001f]*\\.cdb$")])
        case .tls:
            closedObject(
                "sslserver (ucspi-ssl) in tcpserver's place, always with -e so that relay-ctrl-check finds "
                    + "TCPREMOTEIP: its certificate (CERTFILE), key (KEYFILE) and DH parameters (DHFILE), default "
                    + "those it was compiled with; starttls: true for -n (a qmail-smtpd with UCSPI-TLS starts TLS). "
                    + "Default: tcpserver, no TLS.",
                TLSKey.allCases.map { key in
                    (key.rawValue, key == .starttls ? .object([("type", .string("boolean"))]) : ref("absolutePath"))
                })
        case .backlog:
            described(
                "Connections the kernel holds for tcpserver before it accepts them (-b). Default tcpserver's, 20.",
                ["type": .string("integer"), "minimum": .int(1)])
        case .remoteHost:
            described(
                "Whether tcpserver looks the client's name up for TCPREMOTEHOST: lookup (its default, -h), skip (-H) "
                    + "or paranoid (-p). Default lookup.",
                ["enum": .array(RemoteHostLookup.allCases.map { .string($0.rawValue) })])
        case .remoteInfo:
            described(
                "Whether tcpserver asks the client's ident server who connected (TCPREMOTEINFO): skip (-R), lookup "
                    + "(-r, its default, waiting 26 s), or {timeout: SECONDS} (-r -t). Default skip.",
                [
                    "oneOf": .array([
                        .object([("enum", .array(RemoteInfoChoice.allCases.map { .string($0.rawValue) }))]),
                        closedObject(
                            nil,
                            [
                                (
                                    RemoteInfoKey.timeout.rawValue,
                                    .object([("type", .string("integer")), ("minimum", .int(1))])
                                )
                            ],
                            required: [RemoteInfoKey.timeout.rawValue]),
                    ])
                ])
        case .smtpdArgs:
            described(
                "Words after qmail-smtpd (qmail-run's qmailsmtpd_postsmtpd), e.g. an SMTP AUTH patch's.",
                ["oneOf": .array([ref("text"), .object([("type", .string("array")), ("items", ref("argument"))])])])
        case .logCommand:
            described(
                "What logs the service's output instead of multilog or svlogd (qmail-run's qmailsmtpd_logcmd).",
                ["oneOf": .array([ref("text"), .object([("type", .string("array")), ("items", ref("argument"))])])])
        case .checkpassword:
            described(
                "checkpassword, nbcheckpassword, or an absolute path. Default nbcheckpassword under qmail-run, else "
                    + "checkpassword.",
                ["type": .string("string")])
        case .hostname: described("The host name qmail-popup announces.", ref: "text")
        case .host: described("The host it runs on, one of 'hosts' (in a spec with hosts).", ref: "name")
        case .maildir:
            described(
                "The maildir qmail-pop3d serves, relative to the home directory. Default Maildir (as qmail-run).",
                ref: "text")
        }
    }
}
