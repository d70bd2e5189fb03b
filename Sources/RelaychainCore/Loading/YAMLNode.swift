import Yams

/// A composed YAML node with the position it was written at. Our own type rather than Yams'
/// `Node`, whose positions only Yams' composer can set (see `YAMLComposer`).
indirect enum YAMLNode: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence([YAMLNode], at: SourceLocation)

    struct Scalar: Sendable {
        enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

        var string: String
        var style: Style
        /// A tag written in the text (`!!str`); quoted scalars are `str` implicitly.
        var explicitTag: String?
        var location: SourceLocation
    }

    /// Key/value pairs in written order; a later duplicate key has already been reported and dropped.
    struct Mapping: RandomAccessCollection, Sendable {
        var pairs: [(YAMLNode, YAMLNode)]
        var location: SourceLocation

        var startIndex: Int { pairs.startIndex }
        var endIndex: Int { pairs.endIndex }
        subscript(position: Int) -> (YAMLNode, YAMLNode) { pairs[position] }

        /// The value of the first plain-text key `name`.
        subscript(name: String) -> YAMLNode? {
            pairs.first { $0.0.scalar?.string == name }?.1
        }
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { scalar } else { nil }
    }

    /// Where the node was written (an alias: where its anchor was).
    var location: SourceLocation {
        switch self {
        case .scalar(let scalar): scalar.location
        case .mapping(let mapping): mapping.location
        case .sequence(_, let location): location
        }
    }

    /// The YAML 1.1 type of the node: `.bool` for a plain `yes`, `.str` once quoted.
    ///
    /// Only plain scalars are resolved, and only when their first character could begin a
    /// non-string, with Yams' default (regular-expression) rules.
    var tagName: Tag.Name {
        switch self {
        case .mapping: return .map
        case .sequence: return .seq
        case .scalar(let scalar):
            if let tag = scalar.explicitTag { return Tag.Name(rawValue: tag) }
            guard scalar.style == .plain else { return .str }
            guard let first = scalar.string.unicodeScalars.first else { return .null }
            guard Self.nonStringStarts.contains(first) else { return .str }
            return Resolver.default.resolveTag(of: Node(scalar.string))
        }
    }

    /// First characters of bool, int, float, null, timestamp, merge and value scalars.
    private static let nonStringStarts = Set("0123456789+-.~<=yYnNtTfFoO".unicodeScalars)
}
