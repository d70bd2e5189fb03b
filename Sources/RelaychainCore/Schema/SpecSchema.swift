/// The JSON Schema (draft 2020-12) of spec language version 1, for editors and CI. Built from
/// the loader's own key lists: each switch below is exhaustive, so a key cannot exist in one
/// and not the other.
public enum SpecSchema {
    public static var document: JSONValue {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("relaychain.schema.json")),
            ("title", .string("relaychain spec, language version 1")),
            (
                "description",
                .string(
                    "POP/IMAP-before-SMTP relay windows for qmail-style chains beside Dovecot. Check with `relaychain "
                        + "check`."
                )
            ),
            ("type", .string("object")),
            ("required", .array(["relaychain", "windows", "services"].map(JSONValue.string))),
            ("additionalProperties", .bool(false)),
            ("properties", .object(TopLevelKey.allCases.map { ($0.rawValue, property($0)) })),
            ("$defs", .object(definitions)),
        ])
    }

    private static func property(_ key: TopLevelKey) -> JSONValue {
        switch key {
        case .relaychain: described("The spec language version.", ["const": .int(1)])
        case .platform:
            described("Where programs, configuration and accounts live on the target system.", ref: "platform")
        case .hosts:
            namedMap(
                "The machines of a cluster by name; build writes each one's files into a directory of its own.",
                of: closedObject(
                    nil,
                    HostKey.allCases.map { key in
                        switch key {
                        case .address:
                            (
                                key.rawValue,
                                described(
                                    "The host's IP address as the other hosts reach it (spiped connects to it).",
                                    ["type": .string("string")])
                            )
                        }
                    }),
                minProperties: 1)
        case .windows: namedMap("Relay windows by name.", of: ref("window"), minProperties: 1)
        case .wrappers:
            namedMap(
                "Your own chain programs by name, beside the built-in catalog.", of: ref("wrapper"), minProperties: 0)
        case .services:
            namedMap(
                "Services by name: login services grant windows, SMTP services check them.", of: ref("service"),
                minProperties: 1)
        }
    }

    private static var definitions: [(String, JSONValue)] {
        [
            ("name", object(["type": .string("string"), "pattern": .string("^[a-z0-9_][a-z0-9._-]{0,63}$")])),
            ("absolutePath", object(["type": .string("string"), "pattern": .string("^/[^\\u0000-\\u001f]*$")])),
            ("text", object(["type": .string("string"), "pattern": .string("^[^\\u0000-\\u001f]*$")])),
            ("argument", object(["type": .array([.string("string"), .string("number")])])),
            ("variableName", object(["type": .string("string"), "pattern": .string("^[A-Za-z_][A-Za-z0-9_]*$")])),
            (
                "platform",
                closedObject(
                    "Where programs live on the target system.",
                    PlatformKey.allCases.map { ($0.rawValue, platformProperty($0)) })
            ),
            (
                "window",
                oneOfRequired(
                    closedObject(
                        "A relay window: where grants are kept and how long they last.",
                        WindowKey.allCases.map { ($0.rawValue, windowProperty($0)) }),
                    ["store", "redis"])
            ),
            (
                "wrapper",
                closedObject(
                    "A program you add for use in chains.",
                    WrapperKey.allCases.map { ($0.rawValue, wrapperProperty($0)) }, required: ["path", "bypass"])
            ),
            ("chainEntry", chainEntry),
            ("service", .object([("oneOf", .array(ServerKind.allCases.map { ref(serviceDefinitionName($0)) }))])),
        ] + ServerKind.allCases.map { (serviceDefinitionName($0), service($0)) }
    }

    private static func platformProperty(_ key: PlatformKey) -> JSONValue {
        switch key {
        case .profile:
            described(
                "The operating system's layout: where its packages put each program, Dovecot's files, cron.d and the "
                    + "service directory.",
                ["enum": .array(PlatformProfile.allCases.map { .string($0.rawValue) })])
        case .prefix:
            described(
                "Installation prefix of relaychain's tools and of programs the profile does not place "
                    + "(<prefix>/bin/NAME). Default: the profile's (/usr/local without one).", ref: "absolutePath")
        case .dovecotConfD:
            described(
                "The directory dovecot.conf includes conf.d/*.conf from; setup installs Dovecot 2 fragments there. "
                    + "Default: the profile's.", ref: "absolutePath")
        case .cronD:
            described(
                "Where cron reads crontab fragments with a user field; setup installs relay-ctrl-age's line there. "
                    + "Default: the profile's (none on NetBSD).", ref: "absolutePath")
        case .smtpUser:
            described(
                "The account tcpserver runs qmail-smtpd as (-u, -g; envuidgid under systemd); it reads and removes "
                    + "grants. vpopmail for sites whose chain runs vchkpw. Default qmaild.", ref: "name")
        case .serviceDirectory:
            described(
                "The directory svscan or runsvdir watches; setup links each service there. Default: the profile's.",
                ref: "absolutePath")
        case .env: described("The env program used where no shell runs. Default /usr/bin/env.", ref: "absolutePath")
        case .dovecotLibexec:
            described(
                "Where Dovecot 1.x keeps its imap and pop3 executables. Default <prefix>/libexec/dovecot.",
                ref: "absolutePath")
        case .libexec:
            described(
                "Where generated scripts such as the Dovecot 2 post-login script are installed. Default "
                    + "<prefix>/libexec/relaychain.",
                ref: "absolutePath")
        case .paths:
            described(
                "Paths of catalog programs that are not where the profile (or <prefix>/bin/NAME) puts them.",
                [
                    "type": .string("object"),
                    "propertyNames": .object([("enum", .array(Catalog.programs.map { .string($0.name) }))]),
                    "additionalProperties": ref("absolutePath"),
                ])
        }
    }

    private static func windowProperty(_ key: WindowKey) -> JSONValue {
        switch key {
        case .store: described("The grant directory (RELAY_CTRL_DIR).", ref: "absolutePath")
        case .redis:
            closedObject(
                "Grants in Redis, shared by hosts: address (IP:port) or socket, db, prefix, the ACL users writer "
                    + "(SET only) and reader (GET only), password-dir (<user>.password on each host), timeout (ms).",
                RedisKey.allCases.map { key in
                    switch key {
                    case .address:
                        (key.rawValue, describedText("redis-server's IP:port, as the host with 'host' sees it."))
                    case .prefix:
                        (
                            key.rawValue,
                            describedText("What every grant key starts with. Default \(RedisStore.defaultPrefix).")
                        )
                    case .writer:
                        (
                            key.rawValue,
                            describedText(
                                "The ACL user the login side writes grants as (SET only). Default "
                                    + "\(RedisStore.defaultWriter).")
                        )
                    case .reader:
                        (
                            key.rawValue,
                            describedText(
                                "The ACL user the SMTP side reads grants as (GET only). Default "
                                    + "\(RedisStore.defaultReader).")
                        )
                    case .auditor:
                        (
                            key.rawValue,
                            describedText(
                                "An ACL user that may only list and read the keys (SCAN and GET), for relaychain "
                                    + "grants; its password file is root's. Default: none.")
                        )
                    case .admin:
                        (
                            key.rawValue,
                            describedText(
                                "The Redis user setup sets the window's users as, on the Redis host (its password "
                                    + "in <password-dir>/<admin>.password there, root's). Default: Redis's default "
                                    + "user.")
                        )
                    case .config:
                        (
                            key.rawValue,
                            described(
                                "The Redis host's redis.conf: setup merges the users into its aclfile, or into it "
                                    + "when it names none. Default: the profile's (/etc/redis/redis.conf on Debian).",
                                ref: "absolutePath")
                        )
                    case .socket: (key.rawValue, described("redis-server's Unix socket.", ref: "absolutePath"))
                    case .passwordDirectory:
                        (
                            key.rawValue,
                            described(
                                "Where each host keeps <user>.password, read by the account that runs the tool. "
                                    + "Default \(RedisStore.defaultPasswordDirectory).",
                                ref: "absolutePath")
                        )
                    case .db:
                        (
                            key.rawValue,
                            described(
                                "The Redis database number. Default 0.",
                                ["type": .string("integer"), "minimum": .int(0)])
                        )
                    case .timeout:
                        (
                            key.rawValue,
                            described(
                                "Milliseconds each tool waits for Redis before it grants nothing and runs the "
                                    + "chain. Default 200.",
                                ["type": .string("integer"), "minimum": .int(0)])
                        )
                    case .host: (key.rawValue, described("The host redis-server runs on, one of 'hosts'.", ref: "name"))
                    case .spiped: (key.rawValue, spipedProperty)
                    }
                })
        case .length:
            described(
                "How long a login allows relaying: 900s, 15m, 1h. Default 15m.",
                [
                    "type": .string("string"), "pattern": .string("^([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?$"),
                    "minLength": .int(2),
                ])
        case .relayclient:
            described(
                "The value of RELAYCLIENT, appended by qmail-smtpd to each recipient. Default empty.",
                ["type": .string("string"), "pattern": .string("^[^\\s<>\"\\\\]*$")])
        case .log:
            described("Log each relay decision (RELAY_CTRL_LOG_IPS). Default false.", ["type": .string("boolean")])
        case .carry:
            described(
                "Login variables recorded with a grant and passed to the SMTP chain. Default [USER, DOMAIN].",
                ["type": .string("array"), "items": ref("variableName"), "uniqueItems": .bool(true)])
        case .group:
            described(
                "A directory store's group, with no account in it: Dovecot 2's post-login scripts run with it "
                    + "and it alone passes the store's private parent. Default: the post-login user's own group.",
                ["type": .string("string"), "pattern": .string("^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}$")])
        }
    }

    private static var spipedProperty: JSONValue {
        closedObject(
            "How the other hosts reach Redis: spiped, encrypted and authenticated with a shared key; each host's "
                + "tools use a local socket. Needs 'host'.",
            SpipedKey.allCases.map { key in
                switch key {
                case .port:
                    (
                        key.rawValue,
                        described(
                            "The port spiped listens on at the Redis host's address. Default \(Spiped.defaultPort).",
                            ["type": .string("integer"), "minimum": .int(1), "maximum": .int(65_535)])
                    )
                case .keyFile:
                    (
                        key.rawValue,
                        described(
                            "The shared key file, the same on every host. Default /etc/relaychain/spiped/<window>.key.",
                            ref: "absolutePath")
                    )
                case .user:
                    (
                        key.rawValue,
                        described("The account spiped drops to. Default \(Spiped.defaultUser).", ref: "name")
                    )
                case .runBy:
                    (
                        key.rawValue,
                        described(
                            "The supervisor that runs spiped on each host: daemontools (default), runit or systemd.",
                            [
                                "enum": .array(
                                    [Supervisor.daemontools, .runit, .systemd].map { .string($0.rawValue) })
                            ])
                    )
                }
            })
    }

    private static func wrapperProperty(_ key: WrapperKey) -> JSONValue {
        switch key {
        case .path: described("Absolute path of the program.", ref: "absolutePath")
        case .args:
            described(
                "Arguments it always takes before the rest of the chain.",
                ["type": .string("array"), "items": ref("argument")])
        case .sets:
            described(
                "Variables it sets for the rest of the chain, for every client (for the analysis).",
                [
                    "type": .string("object"), "propertyNames": ref("variableName"),
                    "additionalProperties": ref("argument"),
                ])
        case .bypass:
            described(
                "How it lets a client that has logged in through.",
                [
                    "oneOf": .array([
                        .object([("enum", .array(BypassKeyword.allCases.map { .string($0.rawValue) }))]),
                        closedObject(
                            "Variables ifrelayclient sets so that it steps aside.",
                            BypassKey.allCases.map { key in
                                switch key {
                                case .env:
                                    (
                                        key.rawValue,
                                        JSONValue.object([
                                            (
                                                "description",
                                                .string("Each variable and the value that makes it step aside.")
                                            ),
                                            ("type", .string("object")), ("minProperties", .int(1)),
                                            ("propertyNames", ref("variableName")),
                                            ("additionalProperties", ref("argument")),
                                        ])
                                    )
                                }
                            }, required: ["env"]),
                    ])
                ])
        case .chainLoader:
            described("Whether it execs the rest of its arguments. Default true.", ["type": .string("boolean")])
        case .grammar:
            closedObject(
                "How it reads its arguments, so that chain entries using it are checked (omit it to leave them "
                    + "unchecked).",
                GrammarKey.allCases.map { key in
                    switch key {
                    case .options:
                        (
                            key.rawValue,
                            described(
                                "A getopt option string: each option letter, followed by ':' when it takes a value.",
                                ["type": .string("string"), "pattern": .string("^([A-Za-z0-9]:?)*$")])
                        )
                    case .operands:
                        (
                            key.rawValue,
                            described(
                                "How many words it reads after its options, before the program it runs.",
                                ["type": .string("integer"), "minimum": .int(0), "maximum": .int(8)])
                        )
                    }
                })
        }
    }

    private static var chainEntry: JSONValue {
        .object([
            (
                "oneOf",
                .array([
                    described(
                        "A program and its arguments, separated by spaces: \"rblsmtpd -r zen.spamhaus.org\".",
                        ["type": .string("string"), "minLength": .int(1)]),
                    closedObject(
                        "A program and its arguments as a list.",
                        ChainEntryKey.allCases.map { key in
                            switch key {
                            case .use:
                                (key.rawValue, described("A catalog program or a wrapper of 'wrappers'.", ref: "text"))
                            case .args:
                                (
                                    key.rawValue,
                                    described(
                                        "Its arguments, each one word however it is spelt.",
                                        ["type": .string("array"), "items": ref("argument")])
                                )
                            }
                        }, required: ["use"]),
                ])
            )
        ])
    }

    static func serviceDefinitionName(_ kind: ServerKind) -> String {
        switch kind {
        case .dovecot: "dovecotService"
        case .qmailPOP3D: "qmailPop3dService"
        case .qmailSMTPD: "qmailSmtpdService"
        }
    }

    private static func service(_ kind: ServerKind) -> JSONValue {
        let keys = [ServiceKey.server] + kind.keys
        return closedObject(
            nil, keys.map { ($0.rawValue, serviceProperty($0, kind)) },
            required: [ServiceKey.server.rawValue] + kind.requiredKeys.map(\.rawValue))
    }

    private static func serviceProperty(_ key: ServiceKey, _ kind: ServerKind) -> JSONValue {
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

    // MARK: Building blocks

    private static func ref(_ name: String) -> JSONValue {
        .object([("$ref", .string("#/$defs/\(name)"))])
    }

    private static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(members.map { ($0.key, $0.value) })
    }

    private static func described(_ description: String, _ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object([("description", .string(description))] + members.map { ($0.key, $0.value) })
    }

    private static func describedText(_ description: String) -> JSONValue {
        described(description, ["type": .string("string"), "minLength": .int(1)])
    }

    private static func described(_ description: String, ref name: String) -> JSONValue {
        .object([("description", .string(description)), ("$ref", .string("#/$defs/\(name)"))])
    }

    private static func namedMap(_ description: String, of value: JSONValue, minProperties: Int) -> JSONValue {
        .object([
            ("description", .string(description)), ("type", .string("object")), ("minProperties", .int(minProperties)),
            ("propertyNames", ref("name")), ("additionalProperties", value),
        ])
    }

    /// Exactly one of `keys` must be there (a window's grants live in a directory or in Redis).
    private static func oneOfRequired(_ object: JSONValue, _ keys: [String]) -> JSONValue {
        guard case .object(let members) = object else { return object }
        let forms = keys.map { JSONValue.object([("required", .array([.string($0)]))]) }
        return .object(members + [("oneOf", .array(forms))])
    }

    private static func closedObject(
        _ description: String?, _ properties: [(String, JSONValue)], required: [String] = []
    ) -> JSONValue {
        var members: [(String, JSONValue)] = description.map { [("description", .string($0))] } ?? []
        members += [("type", .string("object"))]
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members += [("additionalProperties", .bool(false)), ("properties", .object(properties))]
        return .object(members)
    }
}
