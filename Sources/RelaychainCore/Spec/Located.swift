/// A value from the spec with the place it was written; `location` is nil for defaults.
public struct Located<Value> {
    public var value: Value
    public var location: SourceLocation?

    public init(_ value: Value, at location: SourceLocation?) {
        self.value = value
        self.location = location
    }

    /// A value the user did not write.
    public static func byDefault(_ value: Value) -> Located<Value> {
        Located(value, at: nil)
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
extension Located: Sendable where Value: Sendable {}

/// A value the spec wrote, so always with its place: a mapping key such as a service's name,
/// or a reference such as the window a service checks. Where a diagnostic points at one, no
/// force-unwrap stands between the type and the position.
public struct Written<Value> {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The same value as the optional-position type most of the model uses.
    public var located: Located<Value> { Located(value, at: location) }
}

extension Written: Equatable where Value: Equatable {}
extension Written: Hashable where Value: Hashable {}
extension Written: Sendable where Value: Sendable {}

extension Located {
    /// A value read from a node of the spec: at its own place, else the node's.
    func written(at fallback: SourceLocation) -> Written<Value> { Written(value, at: location ?? fallback) }
}
