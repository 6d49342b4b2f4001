/// How a retry policy spaces its attempts, and how much retrying its budget allows.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `maxAttempts` | 3 | executions in total, the first included |
/// | `backoff` | `exponential` | `constant` (base), `linear` (base × n), `exponential` (base × multiplier^(n−1)) for retry n |
/// | `baseDelay` | 200 ms | base delay |
/// | `multiplier` | 2.0 | exponential growth factor |
/// | `maxDelay` | 10 s | cap of every delay, applied after jitter (and to `Retry-After` hints) |
/// | `jitter` | `full` | `none`, `full` [0, d], `equal` [d/2, d], `decorrelated` [base, previous × 3] |
/// | `budgetRatio` | 0.2 | retries allowed per first attempt in the budget's window |
/// | `budgetMinPerSecond` | 10 | retries allowed per second of the window whatever the traffic |
/// | `budgetWindow` | 10 s | the budget's rolling window |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct RetryConfiguration: Sendable, Hashable {
    /// How the delay grows from one retry to the next, before jitter.
    public enum Backoff: String, Sendable, Hashable, CaseIterable {
        /// Every retry waits `baseDelay`.
        case constant
        /// Retry n waits `baseDelay × n`.
        case linear
        /// Retry n waits `baseDelay × multiplier^(n−1)`.
        case exponential
    }

    /// How the delay is randomised, so that many clients do not retry in lockstep.
    public enum Jitter: String, Sendable, Hashable, CaseIterable {
        /// The backoff's delay d, unchanged.
        case none
        /// Uniform in [0, d].
        case full
        /// Uniform in [d/2, d].
        case equal
        /// AWS's "decorrelated jitter": uniform in [`baseDelay`, previous delay × 3], where the previous
        /// delay is `baseDelay` before the first retry. Its growth comes from the previous delay, so the
        /// `backoff` curve and `multiplier` are not used with it.
        case decorrelated
    }

    /// Executions in total, the first included (1 means no retry). In 1...1000. Default: 3.
    public var maxAttempts: Int
    /// The growth of the delay. Default: `exponential`.
    public var backoff: Backoff
    /// The base delay. ≥ 0. Default: 200 ms.
    public var baseDelay: Duration
    /// The growth factor of the exponential backoff. ≥ 1, with at most 9 decimal places. Default: 2.0.
    public var multiplier: Double
    /// The longest delay, applied after jitter and to server hints. ≥ `baseDelay` and > 0. Default: 10 s.
    public var maxDelay: Duration
    /// The randomisation of the delay. Default: `full`.
    public var jitter: Jitter
    /// Retries the budget allows per first attempt in its window. In [0, 1000], at most 9 decimal
    /// places. Default: 0.2.
    public var budgetRatio: Double
    /// Retries the budget allows per second of its window, whatever the traffic. In [0, 1_000_000],
    /// at most 9 decimal places. Default: 10.
    public var budgetMinPerSecond: Double
    /// The budget's rolling window. In [1 ms, 1 h]. Default: 10 s.
    public var budgetWindow: Duration

    /// The largest accepted `maxAttempts`.
    public static let maximumAttempts = 1_000

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        maxAttempts: Int = 3,
        backoff: Backoff = .exponential,
        baseDelay: Duration = .milliseconds(200),
        multiplier: Double = 2.0,
        maxDelay: Duration = .seconds(10),
        jitter: Jitter = .full,
        budgetRatio: Double = 0.2,
        budgetMinPerSecond: Double = 10,
        budgetWindow: Duration = .seconds(10)
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.baseDelay = baseDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.budgetRatio = budgetRatio
        self.budgetMinPerSecond = budgetMinPerSecond
        self.budgetWindow = budgetWindow
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        _ = try ValidatedRetryConfiguration(self)
    }
}

/// A retry configuration that passed validation, with its numbers in exact form.
@usableFromInline
struct ValidatedRetryConfiguration: Sendable {
    @usableFromInline let raw: RetryConfiguration
    let multiplier: ExactRatio
    let baseAttoseconds: Int128
    let maxAttoseconds: Int128
    let budget: RetryBudgetStateMachine.Limits

    init(_ configuration: RetryConfiguration) throws(ConfigurationError) {
        let c = configuration
        try ConfigurationError.check(
            (1...RetryConfiguration.maximumAttempts).contains(c.maxAttempts),
            "maxAttempts", "\(c.maxAttempts)", "1...\(RetryConfiguration.maximumAttempts)")
        try ConfigurationError.check(c.baseDelay >= .zero, "baseDelay", DurationText.format(c.baseDelay), ">= 0")
        let places = "at most \(ExactRatio.maximumDecimalPlaces) decimal places"
        guard c.multiplier >= 1, let multiplier = ExactRatio(c.multiplier) else {
            throw ConfigurationError(key: "multiplier", value: "\(c.multiplier)", allowed: ">= 1, with \(places)")
        }
        try ConfigurationError.check(
            c.maxDelay > .zero && c.maxDelay >= c.baseDelay, "maxDelay", DurationText.format(c.maxDelay),
            "> 0 and >= baseDelay (\(DurationText.format(c.baseDelay)))")
        self.raw = configuration
        self.multiplier = multiplier
        self.baseAttoseconds = c.baseDelay.attoseconds
        self.maxAttoseconds = c.maxDelay.attoseconds
        self.budget = try RetryBudgetStateMachine.Limits(
            ratio: c.budgetRatio, minPerSecond: c.budgetMinPerSecond, window: c.budgetWindow)
    }
}

extension RetryConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .integer("maxAttempts", \.maxAttempts, allowed: "1...\(maximumAttempts)", meaning: "executions in total, the first included"),
            .choice("backoff", \.backoff, meaning: "`constant` (base), `linear` (base × n), `exponential` (base × multiplier^(n−1)) for retry n"),
            .duration("baseDelay", \.baseDelay, allowed: ">= 0", meaning: "base delay"),
            .number("multiplier", \.multiplier, allowed: ">= 1", meaning: "exponential growth factor"),
            .duration("maxDelay", \.maxDelay, allowed: "> 0 and >= baseDelay", meaning: "cap of every delay, applied after jitter (and to `Retry-After` hints)"),
            .choice("jitter", \.jitter, meaning: "`none`, `full` [0, d], `equal` [d/2, d], `decorrelated` [base, previous × 3]"),
            .number("budgetRatio", \.budgetRatio, allowed: "0...1000", meaning: "retries allowed per first attempt in the budget's window"),
            .number("budgetMinPerSecond", \.budgetMinPerSecond, allowed: "0...1000000", meaning: "retries allowed per second of the window whatever the traffic"),
            .duration("budgetWindow", \.budgetWindow, allowed: "1ms...1h", meaning: "the budget's rolling window"),
        ]
    }
}
