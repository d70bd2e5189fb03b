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

    static func property(_ key: TopLevelKey) -> JSONValue {
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

    static var definitions: [(String, JSONValue)] {
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

    static func platformProperty(_ key: PlatformKey) -> JSONValue {
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

    static func windowProperty(_ key: WindowKey) -> JSONValue {
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
                                    + "chain. Default 200; for a replicated window's login side, 2000.",
                                ["type": .string("integer"), "minimum": .int(0)])
                        )
                    case .host: (key.rawValue, described("The host redis-server runs on, one of 'hosts'.", ref: "name"))
                    case .spiped: (key.rawValue, spipedProperty)
                    case .replication: (key.rawValue, replicationProperty)
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

    static var replicationProperty: JSONValue {
        let hosts: KeyValuePairs<String, JSONValue> = [
            "type": .string("array"), "items": ref("name"), "minItems": .int(1), "uniqueItems": .bool(true),
        ]
        let seconds: KeyValuePairs<String, JSONValue> = [
            "type": .string("string"), "pattern": .string("^([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?$"),
            "minLength": .int(2),
        ]
        let user = { (fallback: String) in
            describedText("Default \(fallback).")
        }
        return closedObject(
            "Copies of this Redis on other hosts, and the sentinels that choose the primary ('host' is the first "
                + "one). Needs 'address: \"127.0.0.1:PORT\"' (each replica takes the next port), 'spiped' and "
                + "'admin'.",
            ReplicationKey.allCases.map { key in
                switch key {
                case .replicas:
                    (key.rawValue, described("The hosts that hold a replica (every SMTP host of the window).", hosts))
                case .sentinels:
                    (key.rawValue, described("The hosts that run a sentinel: at least three.", hosts))
                case .master:
                    (key.rawValue, describedText("Sentinel's name for these servers. Default: the window's name."))
                case .quorum:
                    (
                        key.rawValue,
                        described(
                            "Sentinels that must agree the primary is down. Default: a majority.",
                            ["type": .string("integer"), "minimum": .int(1)])
                    )
                case .downAfter:
                    (
                        key.rawValue,
                        described(
                            "How long the primary may be silent before a sentinel calls it down. Default "
                                + "\(RedisReplication.defaultDownAfter).", seconds)
                    )
                case .failoverTimeout:
                    (
                        key.rawValue,
                        described(
                            "Sentinel's failover-timeout. Default \(RedisReplication.defaultFailoverTimeout).",
                            seconds)
                    )
                case .staleAfter:
                    (
                        key.rawValue,
                        described(
                            "How long a replica that lost its primary is still believed by its host's checks. "
                                + "Default \(RedisReplication.defaultStaleAfter).", seconds)
                    )
                case .wait:
                    (
                        key.rawValue,
                        described(
                            "Replicas each grant must reach before relay-ctrl-allow calls it written (WAIT). "
                                + "Default 1.", ["type": .string("integer"), "minimum": .int(0)])
                    )
                case .sentinelPort:
                    (
                        key.rawValue,
                        described(
                            "The first sentinel's loopback port; each next one takes the next. Default "
                                + "\(RedisReplication.defaultSentinelPort).",
                            ["type": .string("integer"), "minimum": .int(1), "maximum": .int(65_535)])
                    )
                case .replicationUser:
                    (key.rawValue, user("\(RedisReplication.defaultReplicationUser): replication's commands only"))
                case .sentinelUser:
                    (key.rawValue, user("\(RedisReplication.defaultSentinelUser): what Sentinel needs"))
                }
            })
    }

    static var spipedProperty: JSONValue {
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

    static func wrapperProperty(_ key: WrapperKey) -> JSONValue {
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

    static var chainEntry: JSONValue {
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
}
