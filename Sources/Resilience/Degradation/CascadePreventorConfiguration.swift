/// The thresholds of a ``CascadePreventor``.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `samplingDuration` | 10 s | the rolling window over which the group's error rate is measured |
/// | `windowBuckets` | 10 | the window is a ring of this many buckets (as a circuit breaker's time window) |
/// | `minimumThroughput` | 20 | calls the window must hold before the rate may switch on fast-fail |
/// | `failureRatio` | 0.5 | switch to fast-fail when failures / calls in the window ≥ this |
/// | `coolDown` | 30 s | how long fast-fail lasts before the rate is checked again |
/// | `minimumAdmittedPriority` | `critical` | in fast-fail mode, calls below this priority are rejected |
public struct CascadePreventorConfiguration: Sendable, Hashable {
    /// The length of the rolling window. Default: 10 s.
    public var samplingDuration: Duration
    /// The number of buckets the window is divided into. Default: 10.
    public var windowBuckets: Int
    /// The calls (successes and failures, across the group) the window must hold before fast-fail may
    /// start. Default: 20.
    public var minimumThroughput: Int
    /// The error rate, failures / calls, at or above which fast-fail starts. Default: 0.5.
    public var failureRatio: Double
    /// How long fast-fail lasts before the window is checked again. Default: 30 s.
    public var coolDown: Duration
    /// The lowest priority still admitted in fast-fail mode. Default: ``Priority/critical``, so only
    /// critical calls reach the group's dependencies while it is failing.
    public var minimumAdmittedPriority: Priority

    /// A configuration; every value is checked by ``validate()`` (and when a preventor is created).
    public init(
        samplingDuration: Duration = .seconds(10),
        windowBuckets: Int = 10,
        minimumThroughput: Int = 20,
        failureRatio: Double = 0.5,
        coolDown: Duration = .seconds(30),
        minimumAdmittedPriority: Priority = .critical
    ) {
        self.samplingDuration = samplingDuration
        self.windowBuckets = windowBuckets
        self.minimumThroughput = minimumThroughput
        self.failureRatio = failureRatio
        self.coolDown = coolDown
        self.minimumAdmittedPriority = minimumAdmittedPriority
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        _ = try ValidatedCascadePreventorConfiguration(self)
    }
}

/// A cascade preventor configuration that passed validation, with its ratio and durations in exact form.
struct ValidatedCascadePreventorConfiguration: Sendable {
    let raw: CascadePreventorConfiguration
    let failureRatio: ExactRatio
    let samplingAttoseconds: Int128
    let coolDownAttoseconds: Int128

    init(_ configuration: CascadePreventorConfiguration) throws(ConfigurationError) {
        let c = configuration
        try SlidingWindow.validateTimeWindow(samplingDuration: c.samplingDuration, buckets: c.windowBuckets)
        try ConfigurationError.check(c.minimumThroughput >= 1, "minimumThroughput", "\(c.minimumThroughput)", ">= 1")
        failureRatio = try ExactRatio.fraction(c.failureRatio, key: "failureRatio")
        try ConfigurationError.checkPositive(c.coolDown, "coolDown")
        raw = configuration
        samplingAttoseconds = c.samplingDuration.attoseconds
        coolDownAttoseconds = c.coolDown.attoseconds
    }
}

extension CascadePreventorConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .duration("samplingDuration", \.samplingDuration, allowed: "> 0, at least 1ns per bucket", meaning: "the window the failure rate is measured over"),
            .integer("windowBuckets", \.windowBuckets, allowed: "1...\(CircuitBreakerConfiguration.maximumWindowBuckets)", meaning: "buckets of the window"),
            .integer("minimumThroughput", \.minimumThroughput, allowed: ">= 1", meaning: "calls in the window before fast-fail may start"),
            .number("failureRatio", \.failureRatio, allowed: "(0, 1]", meaning: "fast-fail starts when failures / calls ≥ this"),
            .duration("coolDown", \.coolDown, allowed: "> 0", meaning: "how long fast-fail lasts before the rate is checked again"),
            .choice("minimumAdmittedPriority", \.minimumAdmittedPriority, meaning: "in fast-fail, calls below this priority are rejected"),
        ]
    }
}
