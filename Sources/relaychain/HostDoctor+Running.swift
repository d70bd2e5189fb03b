import Foundation
import RelaychainCore

/// What doctor checks of each running supervised service: the environment and the words its
/// run script gives it, which a rebuild reaches only through a restart.
extension HostDoctor {
    mutating func checkRunningServices() {
        for service in deployment.services where !service.environment.isEmpty {
            let restart =
                service.supervisor == .runit
                ? "\(service.control) restart \(service.link)" : "\(service.control) -t \(service.link)"
            let what = "the running \(service.name) has the environment its run script gives it"
            guard let pid = runningPID(service) else {
                add(
                    "running:\(service.name)", what, false, "not running (\(service.link) has no process up)",
                    fix: .run("\(output)/setup", "run setup, which links it, and start the supervisor"))
                continue
            }
            let found = Set(
                (FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data())
                    .split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            let missing = service.environment.filter { !found.contains($0) }
            add(
                "running:\(service.name)", what, missing.isEmpty,
                "process \(pid) lacks \(missing.joined(separator: " ")): it started before the last build",
                fix: .run(restart, "restart it (setup does, when it runs after a build)"))
            checkRunningWords(service, pid: pid, restart: restart)
        }
    }

    /// The words the process runs (tcpserver's or sslserver's, after the programs before it
    /// exec'd it) against those its run script execs, as the shell gives them now: the same
    /// script with its last exec printing its words instead (the accounts' IDs, the local name
    /// and concurrency read at start come out as the service would get them).
    private mutating func checkRunningWords(_ service: Deployment.SupervisedService, pid: Int, restart: String) {
        let what = "the running \(service.name) runs the words of its run script"
        // The run script as build writes it from the spec, never the file on disk: doctor runs it as
        // root, and an output someone else could change must not choose what root runs.
        let script = files.first { $0.path == "\(service.directory)/run" }?.contents ?? ""
        let printed = HostCommand.run(
            ["/bin/sh", "-c", RunScriptWords.printing(script)],
            environment: ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 10)
        let wanted = RunScriptWords.words(printed: printed.output)
        let running = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
            .split(separator: 0, omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: $0, as: UTF8.self) }
        guard printed.status == 0, let server = running.first,
            let start = wanted.firstIndex(of: server)
        else {
            add(
                "running-words:\(service.name)", what, false,
                printed.status != 0
                    ? "its run script does not give its words (exit \(printed.status))"
                    : "process \(pid) runs \(running.first ?? "nothing"), which its run script does not exec",
                fix: .run(restart, "restart it (setup does, when it runs after a build)"))
            return
        }
        let same = Array(wanted[start...]) == running
        add(
            "running-words:\(service.name)", what, same,
            "process \(pid) runs '\(running.joined(separator: " "))', the run script '"
                + "\(wanted[start...].joined(separator: " "))': it started before the last build",
            fix: .run(restart, "restart it (setup does, when it runs after a build)"))
    }

    /// The supervised process of a service, from svstat (`LINK: up (pid 123) 4 seconds`) or
    /// runit's sv status (`run: LINK: (pid 123) 4s`).
    private func runningPID(_ service: Deployment.SupervisedService) -> Int? {
        let arguments =
            service.supervisor == .runit ? [service.status, "status", service.link] : [service.status, service.link]
        let result = HostCommand.run(arguments, timeout: 10)
        guard result.status == 0, let open = result.output.range(of: "(pid ") else { return nil }
        let digits = result.output[open.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

}
