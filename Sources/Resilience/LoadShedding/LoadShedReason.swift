/// Which threshold shed a call: the shedder's in-flight count, the queue depth, or a named pressure
/// signal (`cpu`, `memory`, or one of your own).
///
/// ``label`` is the stable, low-cardinality text used as the `reason` metric label and in logs.
public struct LoadShedReason: Sendable, Hashable, CustomStringConvertible {
    /// The kind of signal that shed the call.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The calls in flight through the shedder.
        case inFlight
        /// The queue-depth gauge.
        case queueDepth
        /// A pressure gauge; ``LoadShedReason/signal`` names it.
        case pressure
    }

    /// The kind of signal that shed the call.
    public let kind: Kind
    /// The pressure signal's name for ``Kind/pressure``, else `nil`.
    public let signal: String?

    /// Too many calls in flight through the shedder.
    public static let inFlight = LoadShedReason(kind: .inFlight, signal: nil)
    /// The queue-depth gauge read too high.
    public static let queueDepth = LoadShedReason(kind: .queueDepth, signal: nil)
    /// The pressure gauge `signal` read too high.
    public static func pressure(_ signal: String) -> LoadShedReason { LoadShedReason(kind: .pressure, signal: signal) }

    /// `in_flight`, `queue_depth`, or the pressure signal's name (`cpu`, `memory`, ...).
    public var label: String {
        switch kind {
        case .inFlight: "in_flight"
        case .queueDepth: "queue_depth"
        case .pressure: signal ?? ""
        }
    }

    public var description: String { label }
}
