public enum Severity: String, Sendable, Comparable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A secondary message attached to a diagnostic, optionally pointing elsewhere in the spec.
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// One finding about a spec: what is wrong, where, and how to fix it.
public struct Diagnostic: Hashable, Sendable {
    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    public var location: SourceLocation
    public var notes: [DiagnosticNote]
    /// A concrete change that would fix the problem, phrased for the user ("did you mean 'store'?").
    public var fix: String?

    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation,
        notes: [DiagnosticNote] = [], fix: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.notes = notes
        self.fix = fix
    }

    public static func error(
        _ code: DiagnosticCode, _ message: String, at location: SourceLocation,
        notes: [DiagnosticNote] = [], fix: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, code, message, at: location, notes: notes, fix: fix)
    }

    public static func warning(
        _ code: DiagnosticCode, _ message: String, at location: SourceLocation,
        notes: [DiagnosticNote] = [], fix: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, code, message, at: location, notes: notes, fix: fix)
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Appends unless `SpecLimits.maxDiagnostics` are already kept; the first one past the limit
    /// is replaced by a single RC008 at its position, and later ones are dropped, so a spec of a
    /// million unknown keys costs a thousand diagnostics, not a million.
    mutating func appendWithinLimit(_ diagnostic: Diagnostic) {
        if count < SpecLimits.maxDiagnostics {
            append(diagnostic)
        } else if last?.code != .tooManyDiagnostics {
            append(
                .error(
                    .tooManyDiagnostics, "more than \(SpecLimits.maxDiagnostics) problems; the rest are not listed",
                    at: diagnostic.location, fix: "fix the problems above and check again"))
        }
    }

    /// The first `SpecLimits.maxDiagnostics` in source order and, when there were more, one
    /// RC008 where the listing stops (whichever stage produced them: each stage is bounded on its
    /// own by `appendWithinLimit`, the whole here).
    func limitedInSourceOrder() -> [Diagnostic] {
        var sorted = sortedByLocation().filter { $0.code != .tooManyDiagnostics }
        let stageStop = first { $0.code == .tooManyDiagnostics }?.location
        guard sorted.count > SpecLimits.maxDiagnostics || stageStop != nil else { return sortedByLocation() }
        guard
            let stop = sorted.count > SpecLimits.maxDiagnostics ? sorted[SpecLimits.maxDiagnostics].location : stageStop
        else { return sortedByLocation() }
        sorted = Array(sorted.prefix(SpecLimits.maxDiagnostics))
        sorted.append(
            .error(
                .tooManyDiagnostics, "more than \(SpecLimits.maxDiagnostics) problems; the rest are not listed",
                at: stop, fix: "fix the problems above and check again"))
        return sorted
    }

    /// Source order; ties keep the order in which they were found.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            a.element.location != b.element.location
                ? a.element.location < b.element.location : a.offset < b.offset
        }.map(\.element)
    }
}
