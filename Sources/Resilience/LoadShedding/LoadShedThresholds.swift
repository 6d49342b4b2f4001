/// The level of one signal at which a load shedder starts shedding each priority.
///
/// A call of priority `p` is shed when the signal is **at or above** the threshold of `p`; `nil` means
/// the signal never sheds that priority. ``Priority/critical`` has no threshold: it is never shed.
///
/// Thresholds must be monotone, `low ≤ normal ≤ high` (a missing threshold counts as +∞): a lower
/// priority is shed no later than a higher one, so as a signal rises, `low` goes first, then `normal`,
/// then `high`.
///
/// ```swift
/// // Shed low at 70 % CPU, normal at 85 %, high at 95 %.
/// let cpu = LoadShedThresholds(low: 0.70, normal: 0.85, high: 0.95)
/// // Shed only low calls when 100 calls are in flight; never shed normal or high for it.
/// let inFlight = LoadShedThresholds<Int>(low: 100, normal: nil, high: nil)
/// ```
public struct LoadShedThresholds<Value: Comparable & Sendable & Hashable>: Sendable, Hashable {
    /// Where ``Priority/low`` calls start being shed, or `nil` for never.
    public var low: Value?
    /// Where ``Priority/normal`` calls start being shed, or `nil` for never.
    public var normal: Value?
    /// Where ``Priority/high`` calls start being shed, or `nil` for never.
    public var high: Value?

    /// Thresholds for the three sheddable priorities.
    public init(low: Value?, normal: Value?, high: Value?) {
        self.low = low
        self.normal = normal
        self.high = high
    }

    /// The threshold of `priority`; always `nil` for ``Priority/critical``.
    public subscript(priority: Priority) -> Value? {
        switch priority {
        case .low: low
        case .normal: normal
        case .high: high
        case .critical: nil
        }
    }

    /// Checks each threshold with `isAllowed` and the order `low ≤ normal ≤ high`.
    /// - Parameters:
    ///   - key: the configuration key of these thresholds, such as `inFlight` or `pressure.cpu`.
    ///   - allowed: the text that describes the allowed range of one threshold, such as `>= 1`.
    /// - Throws: ``ConfigurationError`` naming `key.low`, `key.normal` or `key.high`.
    func validate(
        key: String, allowed: String, isAllowed: (Value) -> Bool
    ) throws(ConfigurationError) {
        let named: [(String, Value?)] = [("low", low), ("normal", normal), ("high", high)]
        for (name, value) in named {
            if let value { try ConfigurationError.check(isAllowed(value), "\(key).\(name)", "\(value)", allowed) }
        }
        // nil is +∞: once a priority has no threshold, the higher ones may not have one either.
        for index in 1..<named.count {
            let (lowerName, lower) = named[index - 1]
            let (higherName, higher) = named[index]
            let lowerText = lower.map { "\($0)" } ?? "nil (never)"
            switch (lower, higher) {
            case (nil, .some(let higher)):
                throw ConfigurationError(
                    key: "\(key).\(higherName)", value: "\(higher)",
                    allowed: "nil, as \(key).\(lowerName) is nil: a lower priority must be shed no later than a higher one (low ≤ normal ≤ high)")
            case (.some(let lower), .some(let higher)) where higher < lower:
                throw ConfigurationError(
                    key: "\(key).\(higherName)", value: "\(higher)",
                    allowed: ">= \(key).\(lowerName) (\(lowerText)), or nil: a lower priority must be shed no later than a higher one (low ≤ normal ≤ high)")
            default:
                break
            }
        }
    }
}
