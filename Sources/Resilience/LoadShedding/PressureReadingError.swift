/// A reading that no gauge accepts: names the gauge, the value and what is allowed.
public struct PressureReadingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The gauge's name.
    public var gauge: String
    /// The rejected value, as text.
    public var value: String
    /// What would have been accepted.
    public var allowed: String

    public var description: String { "pressure gauge '\(gauge)': \(value) is not a reading; allowed: \(allowed)" }
}
