import FuzzDriver
import RelaychainCore
import RelaychainImport

/// `relaychain import` on hostile files: the input is split at NUL bytes into the files an
/// installation has (rc.conf, a run script and its log/run and tcp.rules, Dovecot's fragment and
/// post-login script, the crontab line, setup, a systemd unit, a hand-written dovecot.conf).
/// Besides crashes, it checks that what import writes is always YAML the loader reads: a name or
/// value taken from a file can never break out of the spec's syntax.
@_cdecl("FuzzImport_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzImport(data, size) }
}

let names = [
    "rc.conf", "service/smtp/run", "service/smtp/log/run", "service/smtp/tcp.rules", "dovecot/relaychain-imap.conf",
    "libexec/imap-postlogin", "cron/relay-ctrl-age", "setup", "systemd/relaychain-smtp.service", "etc/dovecot.conf",
]

func fuzzImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = data ?? UnsafePointer(bitPattern: 1)!
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunks = bytes.split(separator: 0, maxSplits: names.count - 1, omittingEmptySubsequences: false)
    let files = zip(names, chunks).map { InstallationFile(path: $0, text: String(decoding: $1, as: UTF8.self)) }
    let result = Importer.importInstallation(files, specName: "fuzz.yaml")
    let checked = Relaychain.check(SourceFile(path: "fuzz.yaml", text: result.spec))
    for diagnostic in checked.diagnostics
    where [.yamlSyntax, .duplicateKey, .emptyDocument, .multipleDocuments].contains(diagnostic.code) {
        fatalError(
            "import wrote a spec the loader cannot read: \(diagnostic.code.rawValue) "
                + "\(diagnostic.message)\n\(result.spec)"
        )
    }
    return 0
}
