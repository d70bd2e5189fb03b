/// The SMTP chain of one service run, in the model, for one client: what each program does to
/// the environment and whether the connection gets through, and relays.
public struct ChainSimulation: Sendable {
    public struct Step: Sendable {
        public var program: String
        /// What it does with this client, and the stable code of why: `explain --format json`
        /// gives both beside the sentences.
        public var decision: Decision
        public var reason: Reason
        /// What it did: "sets RELAYCLIENT=''", "steps aside (RBLSMTPD is empty)", ...
        public var effects: [String]
        /// Where the spec names it, when it does.
        public var location: SourceLocation?
    }

    /// What one program does with the client.
    public enum Decision: String, Sendable {
        /// Runs the next program, as a program that is not a filter does.
        case runsNext = "runs-next"
        /// A filter told to let this client through.
        case stepsAside = "steps-aside"
        /// A filter that slows the client down, then runs the next program.
        case delays
        /// The connection ends here.
        case refuses
        /// It never runs the rest of the chain.
        case endsChain = "ends-chain"
        /// qmail-smtpd with RELAYCLIENT set: any recipient is accepted.
        case relays
        /// qmail-smtpd without RELAYCLIENT: only recipients in rcpthosts.
        case refusesForeignRecipients = "refuses-foreign-recipients"
    }

    /// Why, as a stable code.
    public enum Reason: String, Sendable {
        /// env - empties the environment and sets relay-ctrl's and the service's variables.
        case environmentSet = "environment-set"
        /// tcpserver: the client is in a declared relay network.
        case relayNetwork = "relay-network"
        /// tcpserver: a rule denies the client.
        case ruleDenies = "rule-denies"
        /// tcpserver: a rule sets variables, or none applies.
        case ruleSets = "rule-sets"
        case noRule = "no-rule"
        /// relay-ctrl-check.
        case alreadyRelayClient = "already-relay-client"
        case freshGrant = "fresh-grant"
        case expiredGrant = "expired-grant"
        case noLoginService = "no-login-service"
        case noGrant = "no-grant"
        /// ifrelayclient, a filter honouring RELAYCLIENT, and qmail-smtpd.
        case relayClientSet = "relayclient-set"
        case relayClientNotSet = "relayclient-not-set"
        /// A wrapper that is no filter.
        case refusesNobody = "refuses-nobody"
        /// A filter's bypass variables are set as it needs, or are not.
        case bypassSet = "bypass-set"
        case bypassNotSet = "bypass-not-set"
        /// A filter that cannot be told to step aside.
        case noBypass = "no-bypass"
        /// A second setuidgid: root is gone.
        case rootAlreadyGivenUp = "root-already-given-up"
        /// A wrapper declared `chain-loader: false`.
        case notAChainLoader = "not-a-chain-loader"
    }

    public enum Outcome: Sendable, Equatable {
        /// qmail-smtpd runs with RELAYCLIENT set: any recipient is accepted.
        case relays
        /// qmail-smtpd runs without RELAYCLIENT: recipients outside rcpthosts get 553.
        case refusesForeignRecipients
        /// A filter refused the client before qmail-smtpd ran.
        case refusedBy(String)
        /// A program that does not exec the rest of the chain: qmail-smtpd never runs.
        case chainEndsAt(String)
    }

    public var service: String
    public var client: String
    public var clientClass: ClientClass
    public var steps: [Step] = []
    public var outcome: Outcome = .refusesForeignRecipients
    /// Which program set RELAYCLIENT for every client, and where, when one did.
    public var relayClientOrigin: (program: String, location: SourceLocation?)?
    /// Filters that applied to the client instead of stepping aside.
    public var blockedBy: [(name: String, location: SourceLocation?)] = []
    /// Filters that stepped aside for the client.
    public var steppedAside: [String] = []

    public var relays: Bool { outcome == .relays }

    /// What qmail-smtpd (or the chain) answers to `RCPT TO:<someone@elsewhere>`.
    public var foreignRecipientAnswer: String {
        switch outcome {
        case .relays: "250 ok: relayed"
        case .refusesForeignRecipients: "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"
        case .refusedBy(let name): "refused by \(name) before qmail-smtpd runs"
        case .chainEndsAt(let name): "no answer from qmail-smtpd: \(name) does not run it"
        }
    }
}
