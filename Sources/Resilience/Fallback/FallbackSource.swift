/// Where a value returned through a fallback came from.
public enum FallbackSource: Sendable, Hashable, CustomStringConvertible {
    /// The operation itself: no fallback was needed.
    case primary
    /// The fallback's strategy (a static value, a computed one, a per-call handler).
    case fallback
    /// A cached value stored after an earlier success, still within its time to live.
    case cache(age: Duration)
    /// A cached value past its time to live: served because nothing fresher could be had.
    case stale(age: Duration)

    /// Whether the value is a cached one past its time to live.
    public var isStale: Bool {
        if case .stale = self { return true }
        return false
    }

    /// The age of a cached value, or `nil` when the value was not cached.
    public var age: Duration? {
        switch self {
        case .cache(let age), .stale(let age): age
        case .primary, .fallback: nil
        }
    }

    /// `primary`, `fallback`, `cache` or `stale`: the value of the `source` log field.
    public var name: String {
        switch self {
        case .primary: "primary"
        case .fallback: "fallback"
        case .cache: "cache"
        case .stale: "stale"
        }
    }

    public var description: String {
        guard let age else { return name }
        return "\(name)(age: \(DurationText.format(age)))"
    }
}
