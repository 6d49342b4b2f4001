/// One rule of a ``GracefulDegradation``: when its condition holds on a ``DegradationSnapshot``, the
/// level is at least the rule's ``level``. The level is the highest level of the rules that hold, or
/// `normal` when none does.
///
/// ```swift
/// let rules: [DegradationRule] = [
///     .openBreakers(atLeast: 1, level: .degraded),
///     .breakerOpen("llm", level: .degraded),
///     .openBreakers(atLeast: 3, level: .critical),
///     .cascadeFastFail(level: .critical),
/// ]
/// ```
public struct DegradationRule: Sendable, CustomStringConvertible {
    /// The rule's name, reported as the reason of a level change (for example `openBreakers>=1`).
    public let name: String
    /// The level the rule asks for when it holds.
    public let level: DegradationLevel
    /// Whether the rule holds.
    public let condition: @Sendable (DegradationSnapshot) -> Bool

    /// A rule named `name` that asks for `level` when `condition` holds.
    public init(name: String, level: DegradationLevel, condition: @escaping @Sendable (DegradationSnapshot) -> Bool) {
        self.name = name
        self.level = level
        self.condition = condition
    }

    /// Holds when at least `count` watched breakers are open, half-open or forced open.
    /// `count` must be at least 1 (checked when the ``GracefulDegradation`` is created).
    public static func openBreakers(atLeast count: Int, level: DegradationLevel) -> DegradationRule {
        DegradationRule(name: "openBreakers>=\(count)", level: level) { $0.rejectingBreakerCount >= count }
            .requiring(count >= 1, key: "openBreakers.atLeast", value: "\(count)", allowed: ">= 1")
    }

    /// Holds when the watched breaker named `breaker` is open, half-open or forced open.
    public static func breakerOpen(_ breaker: String, level: DegradationLevel) -> DegradationRule {
        DegradationRule(name: "breakerOpen(\(breaker))", level: level) { snapshot in
            snapshot.breakers[breaker].map(DegradationSnapshot.isRejecting) ?? false
        }.naming(breaker: breaker)
    }

    /// Holds when a watched cascade preventor is in fast-fail mode: the one named `preventor`, or any
    /// when `preventor` is `nil`.
    public static func cascadeFastFail(_ preventor: String? = nil, level: DegradationLevel) -> DegradationRule {
        guard let preventor else {
            return DegradationRule(name: "cascadeFastFail", level: level) { snapshot in
                snapshot.cascades.values.contains(.fastFail)
            }
        }
        return DegradationRule(name: "cascadeFastFail(\(preventor))", level: level) { snapshot in
            snapshot.cascades[preventor] == .fastFail
        }.naming(cascade: preventor)
    }

    /// The rules a ``GracefulDegradation`` uses unless told otherwise: `degraded` when any watched
    /// breaker is open (or half-open, or forced open), `critical` when more than half of them are (with
    /// at least two watched: one breaker of one is `degraded`), or when a watched cascade preventor
    /// fails fast.
    public static let defaults: [DegradationRule] = [
        .openBreakers(atLeast: 1, level: .degraded),
        DegradationRule(name: "openBreakers>half", level: .critical) { snapshot in
            snapshot.breakers.count >= 2 && snapshot.rejectingBreakerCount * 2 > snapshot.breakers.count
        },
        .cascadeFastFail(level: .critical),
    ]

    public var description: String { "\(name) → \(level)" }

    // MARK: - Validation

    /// A problem found when the rule was made, reported when the ``GracefulDegradation`` is created.
    var problem: ConfigurationError?
    /// The breaker or cascade preventor the rule names, which must be watched.
    var watchedBreaker: String?
    var watchedCascade: String?

    func requiring(_ ok: Bool, key: String, value: String, allowed: String) -> DegradationRule {
        var rule = self
        if !ok { rule.problem = ConfigurationError(key: key, value: value, allowed: allowed) }
        return rule
    }

    func naming(breaker: String) -> DegradationRule {
        var rule = self
        rule.watchedBreaker = breaker
        return rule
    }

    func naming(cascade: String) -> DegradationRule {
        var rule = self
        rule.watchedCascade = cascade
        return rule
    }
}
