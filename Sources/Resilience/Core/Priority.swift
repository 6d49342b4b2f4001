/// How important a call is, used by load shedding to drop the least important work first.
///
/// Ordered from least to most important: `low < normal < high < critical`.
public enum Priority: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Work that can be dropped first (prefetching, analytics).
    case low
    /// Ordinary work; the default.
    case normal
    /// Work a user is waiting for.
    case high
    /// Work that must never be shed (health checks, payments in flight).
    case critical

    @usableFromInline
    var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
