/// How a circuit breaker decides to open, how long it stays open and how it probes for recovery.
///
/// Every key has a documented default. ``validate()`` rejects a value outside its allowed range with a
/// ``ConfigurationError`` naming the key, the value and the range; a breaker is never created with an
/// invalid configuration.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `window` | `time` | rolling window of `samplingDuration`, or the last `windowSize` calls |
/// | `samplingDuration` | 60 s | length of the time window |
/// | `windowBuckets` | 10 | buckets of the time window (memory is O(buckets)) |
/// | `windowSize` | 100 | calls kept by a count window |
/// | `minimumThroughput` | 10 | calls in the window before the breaker may trip |
/// | `failureRatio` | 0.5 | trip when failures / calls ≥ this |
/// | `slowCallDuration` | off | a call lasting ≥ this is slow |
/// | `slowCallRatio` | 1.0 | trip when slow calls / calls ≥ this |
/// | `breakDuration` | 30 s | how long the breaker stays open |
/// | `breakDurationMultiplier` | 1.0 | growth of the break on each re-open from half-open |
/// | `maxBreakDuration` | 5 min | cap of the growing break |
/// | `halfOpenPermittedCalls` | 5 | probes admitted per half-open period |
/// | `halfOpenSuccessRatio` | 0.6 | close once ceil(permitted × ratio) probes succeeded |
/// | `halfOpenMaxDuration` | 60 s | re-open if half-open has not decided by then (`nil`: never) |
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// Which calls the breaker's window remembers.
    public enum WindowKind: String, Sendable, Hashable, CaseIterable {
        /// A rolling time window of ``CircuitBreakerConfiguration/samplingDuration``.
        case time
        /// The last ``CircuitBreakerConfiguration/windowSize`` calls.
        case count
    }

    /// Whether the window is a rolling time span or the last N calls. Default: `time`.
    public var window: WindowKind
    /// The length of a time window. Default: 60 s.
    public var samplingDuration: Duration
    /// The number of buckets a time window is divided into; each is `samplingDuration / windowBuckets`
    /// wide and expires as a whole. Default: 10.
    public var windowBuckets: Int
    /// The number of calls a count window keeps. Default: 100.
    public var windowSize: Int
    /// The number of calls the window must hold before the breaker may trip; count windows use
    /// `min(minimumThroughput, windowSize)`. Default: 10.
    public var minimumThroughput: Int
    /// The breaker trips when failures / calls in the window ≥ this. In (0, 1]. Default: 0.5.
    public var failureRatio: Double
    /// A call lasting at least this long is slow; `nil` turns slow-call detection off. Default: `nil`.
    public var slowCallDuration: Duration?
    /// The breaker trips when slow calls / calls in the window ≥ this. In (0, 1]. Default: 1.0.
    public var slowCallRatio: Double
    /// How long the breaker stays open before it admits probes. Default: 30 s.
    public var breakDuration: Duration
    /// Each re-open straight from half-open multiplies the break by this (≥ 1); closing resets it.
    /// Default: 1.0.
    public var breakDurationMultiplier: Double
    /// The longest break the multiplier can reach (≥ `breakDuration`). Default: 5 min.
    public var maxBreakDuration: Duration
    /// Probes admitted in one half-open period, in total. Default: 5.
    public var halfOpenPermittedCalls: Int
    /// Half-open closes once `ceil(halfOpenPermittedCalls × halfOpenSuccessRatio)` probes succeeded, and
    /// re-opens as soon as that can no longer happen. In (0, 1]. Default: 0.6.
    public var halfOpenSuccessRatio: Double
    /// Half-open re-opens if it has not decided within this long; `nil`: it waits for its probes for as
    /// long as they take. Default: 60 s.
    public var halfOpenMaxDuration: Duration?

    /// The largest accepted `windowSize` (a count window allocates one entry per call).
    public static let maximumWindowSize = 10_000_000
    /// The largest accepted `windowBuckets`.
    public static let maximumWindowBuckets = 1_000_000
    /// Whether the breaker refuses calls (`enforce`, the default) or only counts and logs those it would
    /// have refused and lets them through (`shadow`): a call it would have rejected runs, and its
    /// outcome is not recorded (the window sees only the calls an enforcing breaker would have let
    /// through), so its states are exactly those an enforcing breaker would have had.
    public var mode: PolicyMode

    /// Creates a configuration; every parameter has the documented default.
    public init(
        window: WindowKind = .time,
        samplingDuration: Duration = .seconds(60),
        windowBuckets: Int = 10,
        windowSize: Int = 100,
        minimumThroughput: Int = 10,
        failureRatio: Double = 0.5,
        slowCallDuration: Duration? = nil,
        slowCallRatio: Double = 1.0,
        breakDuration: Duration = .seconds(30),
        breakDurationMultiplier: Double = 1.0,
        maxBreakDuration: Duration = .seconds(300),
        halfOpenPermittedCalls: Int = 5,
        halfOpenSuccessRatio: Double = 0.6,
        halfOpenMaxDuration: Duration? = .seconds(60),
        mode: PolicyMode = .enforce
    ) {
        self.window = window
        self.samplingDuration = samplingDuration
        self.windowBuckets = windowBuckets
        self.windowSize = windowSize
        self.minimumThroughput = minimumThroughput
        self.failureRatio = failureRatio
        self.slowCallDuration = slowCallDuration
        self.slowCallRatio = slowCallRatio
        self.breakDuration = breakDuration
        self.breakDurationMultiplier = breakDurationMultiplier
        self.maxBreakDuration = maxBreakDuration
        self.halfOpenPermittedCalls = halfOpenPermittedCalls
        self.halfOpenSuccessRatio = halfOpenSuccessRatio
        self.halfOpenMaxDuration = halfOpenMaxDuration
        self.mode = mode
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        _ = try ValidatedCircuitBreakerConfiguration(self)
    }
}

/// A configuration that passed validation, with its ratios in exact form.
@usableFromInline
struct ValidatedCircuitBreakerConfiguration: Sendable {
    @usableFromInline let raw: CircuitBreakerConfiguration
    @usableFromInline let failureRatio: ExactRatio
    @usableFromInline let slowCallRatio: ExactRatio
    /// The number of calls the window must hold before the breaker may trip.
    @usableFromInline let minimumCalls: Int
    /// S: the number of successful probes that closes a half-open breaker.
    @usableFromInline let probeSuccessThreshold: Int
    /// The durations the state machine uses, in attoseconds.
    @usableFromInline let breakAttoseconds: Int128
    @usableFromInline let maxBreakAttoseconds: Int128
    @usableFromInline let halfOpenMaxAttoseconds: Int128?
    @usableFromInline let samplingAttoseconds: Int128

    init(_ configuration: CircuitBreakerConfiguration) throws(ConfigurationError) {
        let c = configuration
        let ratio = ExactRatio.fraction
        let positive = ConfigurationError.checkPositive
        try SlidingWindow.validateTimeWindow(samplingDuration: c.samplingDuration, buckets: c.windowBuckets)
        try ConfigurationError.check(
            (1...CircuitBreakerConfiguration.maximumWindowSize).contains(c.windowSize),
            "windowSize", "\(c.windowSize)", "1...\(CircuitBreakerConfiguration.maximumWindowSize)")
        try ConfigurationError.check(c.minimumThroughput >= 1, "minimumThroughput", "\(c.minimumThroughput)", ">= 1")
        failureRatio = try ratio(c.failureRatio, "failureRatio")
        if let slow = c.slowCallDuration { try positive(slow, "slowCallDuration") }
        slowCallRatio = try ratio(c.slowCallRatio, "slowCallRatio")
        try positive(c.breakDuration, "breakDuration")
        try ConfigurationError.check(
            c.breakDurationMultiplier >= 1 && c.breakDurationMultiplier.isFinite,
            "breakDurationMultiplier", "\(c.breakDurationMultiplier)", ">= 1 and finite")
        try ConfigurationError.check(
            c.maxBreakDuration >= c.breakDuration, "maxBreakDuration", DurationText.format(c.maxBreakDuration),
            ">= breakDuration (\(DurationText.format(c.breakDuration)))")
        try ConfigurationError.check(
            c.halfOpenPermittedCalls >= 1, "halfOpenPermittedCalls", "\(c.halfOpenPermittedCalls)", ">= 1")
        let successRatio = try ratio(c.halfOpenSuccessRatio, "halfOpenSuccessRatio")
        if let maxDuration = c.halfOpenMaxDuration { try positive(maxDuration, "halfOpenMaxDuration") }

        raw = configuration
        breakAttoseconds = c.breakDuration.attoseconds
        maxBreakAttoseconds = c.maxBreakDuration.attoseconds
        halfOpenMaxAttoseconds = c.halfOpenMaxDuration?.attoseconds
        samplingAttoseconds = c.samplingDuration.attoseconds
        minimumCalls = c.window == .count ? min(c.minimumThroughput, c.windowSize) : c.minimumThroughput
        probeSuccessThreshold = successRatio.ceilOfProduct(with: c.halfOpenPermittedCalls)
    }
}

extension CircuitBreakerConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .choice("window", \.window, meaning: "a rolling window of `samplingDuration`, or the last `windowSize` calls"),
            .duration("samplingDuration", \.samplingDuration, allowed: "> 0, at least 1ns per bucket", meaning: "length of the time window"),
            .integer("windowBuckets", \.windowBuckets, allowed: "1...\(maximumWindowBuckets)", meaning: "buckets of the time window (memory is O(buckets))"),
            .integer("windowSize", \.windowSize, allowed: "1...\(maximumWindowSize)", meaning: "calls kept by a count window"),
            .integer("minimumThroughput", \.minimumThroughput, allowed: ">= 1", meaning: "calls in the window before the breaker may trip"),
            .number("failureRatio", \.failureRatio, allowed: "(0, 1]", meaning: "trip when failures / calls ≥ this"),
            .duration("slowCallDuration", \.slowCallDuration, allowed: "> 0, or null (off)", meaning: "a call lasting ≥ this is slow; null: no slow-call detection"),
            .number("slowCallRatio", \.slowCallRatio, allowed: "(0, 1]", meaning: "trip when slow calls / calls ≥ this"),
            .duration("breakDuration", \.breakDuration, allowed: "> 0", meaning: "how long the breaker stays open"),
            .number("breakDurationMultiplier", \.breakDurationMultiplier, allowed: ">= 1", meaning: "growth of the break on each re-open from half-open"),
            .duration("maxBreakDuration", \.maxBreakDuration, allowed: ">= breakDuration", meaning: "cap of the growing break"),
            .integer("halfOpenPermittedCalls", \.halfOpenPermittedCalls, allowed: ">= 1", meaning: "probes admitted per half-open period"),
            .number("halfOpenSuccessRatio", \.halfOpenSuccessRatio, allowed: "(0, 1]", meaning: "close once ceil(permitted × ratio) probes succeeded"),
            .duration("halfOpenMaxDuration", \.halfOpenMaxDuration, allowed: "> 0, or null (never)", meaning: "re-open if half-open has not decided by then; null: wait for the probes"),
            .choice("mode", \.mode, meaning: "`enforce`: refuse calls; `shadow`: count and log the calls it would refuse, and let them through"),
        ]
    }
}
