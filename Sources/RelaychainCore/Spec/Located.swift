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
