import ArgumentParser
import Foundation
import RelaychainCore

/// `relaychain doctor SPEC`: checks the live host against the spec and prints a checklist.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract:
            "Check this host against a spec: programs, accounts, store access, installed files, a live self-test.",
        discussion: """
            Run it as root on the host, after build and setup. Each item says how to fix it when \
            it fails. The store is tested with the real accounts (as they run on the host), and a \
            grant for a TEST-NET address, written the way the login side writes it, must be seen \
            by each emitted SMTP chain, run up to env(1) in place of qmail-smtpd as the SMTP user; \
            the grant is removed afterwards.

            In a cluster spec (hosts), --host says which host this is: its services and its part of \
            the output are checked; the live self-test needs both sides of a window on the host.

            Exit status: 0 when every item holds, 1 when any fails, 2 for usage errors.

            Example:
              relaychain doctor examples/debian-dovecot23-daemontools.yaml --output /etc/relaychain
            """
    )

    @Argument(help: "The spec the host was built from.")
    var spec: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The build's output directory on this host (default: generated/<spec name>); in a cluster, the build's "
                + "directory or its host's own (DIR/<host>)."))
    var output: String?

    @Option(name: .long, help: "In a cluster spec: which host this is (its part of the output is checked).")
    var host: String?

    @Option(name: .long, help: "dovecot.conf to give doveconf -c (default: Dovecot's own).")
    var dovecotConfig: String?

    @Option(name: .long, help: "The rc.conf that must hold the qmail-run variables (default /etc/rc.conf).")
    var rcConf = "/etc/rc.conf"

    @OptionGroup var printing: OutputOptions
    var format: DiagnosticFormat { printing.format }

    func validate() throws { try printing.allow([.text, .json], in: "doctor") }

    func run() throws {
        let bytes = try SpecFile.readOrExit(spec)
        let specName = spec == "-" ? "stdin.yaml" : URL(fileURLWithPath: spec).lastPathComponent
        let result = Relaychain.build(path: spec, bytes: bytes, specName: specName)
        guard !result.diagnostics.hasErrors, let checked = result.spec, let plan = result.plan else {
            printError("relaychain: \(spec) has errors; run relaychain check \(spec)")
            throw ExitCode(ExitStatus.findings)
        }
        let name = specName.hasSuffix(".yaml") ? String(specName.dropLast(5)) : specName
        var defaultRoot = "generated/\(name)"
        let here: HostPlan
        if checked.hosts.isEmpty {
            if let host {
                printError("relaychain: --host \(host): \(spec) declares no hosts")
                throw ExitCode(ExitStatus.usage)
            }
            guard let only = plan.hosts.first else { throw ExitCode(ExitStatus.findings) }
            here = only
        } else {
            let names = checked.hosts.map(\.name.value)
            guard let host, names.contains(host) else {
                printError(
                    "relaychain: \(spec) describes a cluster; say which host this is: "
                        + "--host \(names.joined(separator: "|"))"
                )
                throw ExitCode(ExitStatus.usage)
            }
            guard let planned = plan.host(named: host) else {
                print("doctor: \(spec) gives host \(host) nothing to run, and build writes nothing for it")
                return
            }
            here = planned
            defaultRoot += "/\(host)"
        }
        var root = output ?? defaultRoot
        // In a cluster, --output may name the build's directory (as build was given it): the
        // host's part is in a directory of its own there, with its own setup.
        if let host, let output, !FileSystem.isRegularFile("\(output)/setup"),
            FileSystem.isRegularFile("\(output)/\(host)/setup")
        {
            root = "\(output)/\(host)"
        }
        let absoluteRoot = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        var doctor = HostDoctor(
            spec: here.spec, specPath: spec, files: here.files, deployment: here.deployment,
            output: absoluteRoot, dovecotConfig: dovecotConfig, rcConf: rcConf)
        doctor.examine()
        switch format {
        case .text:
            for item in doctor.items {
                let label =
                    item.skipped
                    ? printing.painted("skip", "2")
                    : item.warning
                        ? printing.painted("WARN", "1;33")
                        : item.holds ? printing.painted("ok  ", "32") : printing.painted("FAIL", "1;31")
                print("\(label) \(item.what)")
                if !item.holds || item.warning {
                    if !item.detail.isEmpty { print("     \(item.detail)") }
                    print("     fix: \(item.fix.text)")
                }
            }
            let failed = doctor.items.filter { !$0.holds && !$0.skipped }.count
            let warnings = doctor.items.filter(\.warning).count
            let skipped = doctor.items.filter(\.skipped).count
            var notes = warnings == 0 ? [] : ["\(warnings) warning\(warnings == 1 ? "" : "s")"]
            if skipped > 0 { notes.append("\(skipped) skipped") }
            let warned = notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"
            print(
                failed == 0
                    ? "doctor: all \(doctor.items.count) items hold\(warned)"
                    : "doctor: \(failed) of \(doctor.items.count) items fail\(warned)")
        case .json, .github:  // validate() refuses github
            let items = doctor.items.map { item -> JSONValue in
                let fix: JSONValue =
                    item.holds && !item.warning
                    ? .null
                    : .object([
                        ("command", item.fix.command.map(JSONValue.string) ?? .null),
                        ("advice", item.fix.advice.map(JSONValue.string) ?? .null),
                    ])
                return .object([
                    ("id", .string(item.id)), ("item", .string(item.what)), ("status", .string(item.status)),
                    ("holds", .bool(item.holds)), ("warning", .bool(item.warning)), ("evidence", .string(item.detail)),
                    ("fix", fix),
                ])
            }
            print(
                JSONValue.object([("holds", .bool(doctor.items.allSatisfy(\.holds))), ("items", .array(items))])
                    .rendered)
        }
        if !doctor.items.allSatisfy(\.holds) { throw ExitCode(ExitStatus.findings) }
    }
}
