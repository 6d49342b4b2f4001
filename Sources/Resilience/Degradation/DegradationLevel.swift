/// How much of its normal service an application should offer, from full to minimal.
///
/// Ordered `normal < degraded < critical`.
public enum DegradationLevel: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Everything is healthy: run the full variant.
    case normal
    /// Some dependencies are failing: prefer cheaper variants (cached answers, smaller models, fewer
    /// features).
    case degraded
    /// The service is in trouble: run only what is essential, in its cheapest form.
    case critical

    /// The level as a number: 0, 1, 2 (the value of the `resilience_degradation_level` gauge).
    public var severity: Int {
        switch self {
        case .normal: 0
        case .degraded: 1
        case .critical: 2
        }
    }

    public static func < (lhs: DegradationLevel, rhs: DegradationLevel) -> Bool { lhs.severity < rhs.severity }

    public var description: String { rawValue }
}

/// A change of a ``GracefulDegradation``'s level.
public struct DegradationLevelChange: Sendable, Hashable, CustomStringConvertible {
    /// The level before.
    public var from: DegradationLevel
    /// The level after.
    public var to: DegradationLevel
    /// Why: the names of the rules that matched at the new level, or `override` when the level was
    /// forced; empty when the new level is `normal` because no rule matches.
    public var reasons: [String]

    /// Creates a change.
    public init(from: DegradationLevel, to: DegradationLevel, reasons: [String]) {
        self.from = from
        self.to = to
        self.reasons = reasons
    }

    public var description: String {
        reasons.isEmpty ? "\(from) → \(to)" : "\(from) → \(to) (\(reasons.joined(separator: ", ")))"
    }
}
