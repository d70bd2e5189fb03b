/// What a run script does when it starts, as far as it can be known without running it: the
/// command it becomes (by `exec`, or its last command), what it exports, where its error output
/// goes, and each line it could not follow.
struct ShellRun: Equatable, Sendable {
    struct Command: Equatable, Sendable {
        var words: [ShellText]
        /// `VAR=value` before the command: set in its environment only.
        var assignments: [Setting] = []
        var line: Int
        /// Replaced the shell (`exec`), or ran as its last command with the shell waiting.
        var byExec = true
    }

    struct Setting: Equatable, Sendable {
        var name: String
        var value: ShellText
    }

    struct Problem: Equatable, Sendable {
        var line: Int
        var reason: String
    }

    var command: Command?
    /// Exported variables when the command starts, in the order they were first exported.
    var exported: [Setting] = []
    /// `exec 2>&1`, or `2>&1` on the command: its errors go to its output (the log).
    var errorsToOutput = false
    var workingDirectory: ShellText?
    var problems: [Problem] = []

    /// The environment the command starts with that the script gives it: exports, then its own
    /// assignments (which win).
    var environment: [Setting] {
        var settings = exported
        for setting in command?.assignments ?? [] {
            settings.removeAll { $0.name == setting.name }
            settings.append(setting)
        }
        return settings
    }
}
