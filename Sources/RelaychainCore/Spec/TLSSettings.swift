/// sslserver (ucspi-ssl) in tcpserver's place: TLS from the first byte (SMTPS on port 465), or,
/// with `starttls`, when qmail-smtpd asks for it (UCSPI-TLS, sslserver's -n). sslserver reads its
/// certificate, key and DH parameters from CERTFILE, KEYFILE and DHFILE; unset, it uses the
/// files it was compiled with.
public struct TLSSettings: Sendable, Equatable {
    public var certificate: Located<String>?
    public var key: Located<String>?
    public var dhParameters: Located<String>?
    /// sslserver -n: the server starts TLS itself (a qmail-smtpd with UCSPI-TLS support).
    public var starttls: Located<Bool>?

    public init(
        certificate: Located<String>? = nil, key: Located<String>? = nil, dhParameters: Located<String>? = nil,
        starttls: Located<Bool>? = nil
    ) {
        self.certificate = certificate
        self.key = key
        self.dhParameters = dhParameters
        self.starttls = starttls
    }

    /// The variables sslserver reads its files from, for the files the spec names.
    public var environment: [(name: String, value: Located<String>)] {
        [(TLSFile.certificate, certificate), (.key, key), (.dhParameters, dhParameters)].compactMap { file, path in
            path.map { (file.variable, $0) }
        }
    }

    /// sslserver's flags a build writes before tcpserver's own. -e is always there: without it
    /// sslserver sets SSLREMOTEIP but no TCPREMOTEIP, and relay-ctrl-check would find no client.
    public var flags: [String] {
        starttls?.value == true ? ["-e", "-n"] : ["-e"]
    }
}

/// The files of `tls:`, each with the variable sslserver reads it from.
public enum TLSFile: String, CaseIterable, Sendable {
    case certificate
    case key
    case dhParameters = "dh-parameters"

    public var variable: String {
        switch self {
        case .certificate: "CERTFILE"
        case .key: "KEYFILE"
        case .dhParameters: "DHFILE"
        }
    }
}

/// `tls: {certificate: PATH, key: PATH, dh-parameters: PATH, starttls: BOOL}`.
public enum TLSKey: String, CaseIterable, Sendable {
    case certificate
    case key
    case dhParameters = "dh-parameters"
    case starttls
}
