/// How a ``ConcurrencyLimiter`` moves its limit with observed latency, and what it does with the calls
/// beyond the limit.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `algorithm` | `aimd` | how the limit moves: ``Algorithm/aimd(_:)``, ``Algorithm/gradient2(_:)`` or ``Algorithm/vegas(_:)`` |
/// | `initialLimit` | 20 | the limit before the first sample |
/// | `minLimit` | 1 | the lowest limit any algorithm may set |
/// | `maxLimit` | 200 | the highest limit any algorithm may set |
/// | `maxQueued` | 0 | calls that may wait for a slot (LIFO); 0 rejects every call beyond the limit at once |
/// | `maxWait` | 100 ms | how long a queued call may wait before it is rejected |
/// | `aimd.backoffRatio` | 0.9 | the limit is multiplied by this on a drop |
/// | `aimd.timeout` | 5 s | a call slower than this counts as a drop |
/// | `gradient2.smoothing` | 0.2 | weight of each new estimate in the limit |
/// | `gradient2.rttTolerance` | 1.1 | how much slower than the no-load latency a window's mean may be before the limit shrinks |
/// | `gradient2.queueSize` | 4 | how much the limit may grow per window while no queue is seen |
/// | `gradient2.probeMultiplier` | 30 | the no-load latency is re-measured every ≈ `probeMultiplier` windows of `limit` samples |
/// | `vegas.smoothing` | 1.0 | weight of each new estimate in the limit |
/// | `vegas.alphaFactor` | 3 | below `alphaFactor × log10(limit)` estimated queued calls, the limit grows |
/// | `vegas.betaFactor` | 6 | above `betaFactor × log10(limit)` estimated queued calls, the limit shrinks |
/// | `vegas.probeMultiplier` | 30 | the no-load latency is re-measured every ≈ `probeMultiplier` windows of `limit` samples |
///
/// The algorithms and their defaults come from Netflix's concurrency-limits library (`AIMDLimit`,
/// `Gradient2Limit`, `VegasLimit`). `AIMDLimit` adds TCP's slow start and one decrease per round
/// trip, without which it does not settle; `Gradient2Limit` and `VegasLimit` decide once per
/// window of about one round trip and re-measure the no-load latency with a shallow probe, without
/// which they do not settle under a steady overload, and Gradient2's `rttTolerance` is relative to
/// that no-load latency, hence its lower default (see each type's documentation). There is one set of bounds (`initialLimit`, `minLimit`, `maxLimit`) for
/// all three where Netflix has one per algorithm (AIMD and Gradient2: min 20, max 200; Vegas: min 1,
/// max 1000). `minLimit` defaults to 1 so that a dependency that can only take a few calls at a time
/// can be limited to them.
///
/// AIMD is loss-based: its limit only shrinks on a drop (a failure, a timeout, or a call slower than
/// `aimd.timeout`). With the 5 s default it reacts to failures and hung calls only; to make it follow
/// latency, set `aimd.timeout` to the latency the service should not exceed (for example 1.5 × its
/// normal latency).
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct ConcurrencyLimitConfiguration: Sendable, Hashable {
    /// How the limit moves with the samples. See each algorithm's type for its exact update rule.
    public enum Algorithm: Sendable, Hashable {
        /// Additive increase, multiplicative decrease: `AIMDLimit`.
        case aimd(AIMDParameters = AIMDParameters())
        /// The gradient of the no-load over the current latency: `Gradient2Limit`.
        case gradient2(Gradient2Parameters = Gradient2Parameters())
        /// TCP Vegas' queue estimate from the no-load latency: `VegasLimit`.
        case vegas(VegasParameters = VegasParameters())

        /// The algorithm's name as written in configuration files: `aimd`, `gradient2` or `vegas`.
        public var name: String {
            switch self {
            case .aimd: "aimd"
            case .gradient2: "gradient2"
            case .vegas: "vegas"
            }
        }
    }

    /// The parameters of `AIMDLimit`.
    public struct AIMDParameters: Sendable, Hashable {
        /// The factor applied to the limit on a drop. In [0.5, 1), at most 9 decimal places (the product
        /// is exact). Default: 0.9.
        public var backoffRatio: Double
        /// A call that took longer than this counts as a drop. > 0. Default: 5 s.
        public var timeout: Duration

        /// Parameters with the documented defaults, changed where you pass a value.
        public init(backoffRatio: Double = 0.9, timeout: Duration = .seconds(5)) {
            self.backoffRatio = backoffRatio
            self.timeout = timeout
        }
    }

    /// The parameters of `Gradient2Limit`.
    public struct Gradient2Parameters: Sendable, Hashable {
        /// The weight of each new estimate: limit = limit × (1 − smoothing) + estimate × smoothing.
        /// In (0, 1]. Default: 0.2.
        public var smoothing: Double
        /// How many times slower than the no-load latency a window's mean latency may be before the
        /// limit shrinks; the limit settles near where the latency is this many times the no-load
        /// latency. In [1, 100]. Default: 1.1.
        public var rttTolerance: Double
        /// How much the estimate may exceed the limit while no queue is seen (the gradient is 1): the
        /// room for growth. In 0...1000. Default: 4.
        public var queueSize: Int
        /// The no-load latency is re-measured by a probe every `jitter × probeMultiplier` windows of
        /// `limit` samples, with `jitter` uniform in [0.5, 1). In 1...100_000. Default: 30.
        public var probeMultiplier: Int

        /// Parameters with the documented defaults, changed where you pass a value.
        public init(smoothing: Double = 0.2, rttTolerance: Double = 1.1, queueSize: Int = 4, probeMultiplier: Int = 30) {
            self.smoothing = smoothing
            self.rttTolerance = rttTolerance
            self.queueSize = queueSize
            self.probeMultiplier = probeMultiplier
        }
    }

    /// The parameters of `VegasLimit`.
    ///
    /// With `log = max(1, ⌊log10(limit)⌋)` (`⌊√limit⌋` from a limit of 1000 on), the thresholds are
    /// `alpha = alphaFactor × log`, `beta = betaFactor × log`, and the steps are `log` (and `beta` when no
    /// queue is seen at all).
    public struct VegasParameters: Sendable, Hashable {
        /// The weight of each new estimate: limit = limit × (1 − smoothing) + estimate × smoothing.
        /// In (0, 1]. Default: 1.0 (no smoothing).
        public var smoothing: Double
        /// Below `alphaFactor × log` estimated queued calls the limit grows. In 1...1000. Default: 3.
        public var alphaFactor: Int
        /// Above `betaFactor × log` estimated queued calls the limit shrinks. In
        /// `alphaFactor`...1000. Default: 6.
        public var betaFactor: Int
        /// The no-load latency is re-measured by a probe every `jitter × probeMultiplier` windows of
        /// `limit` samples, with `jitter` uniform in [0.5, 1). In 1...100_000. Default: 30.
        public var probeMultiplier: Int

        /// Parameters with the documented defaults, changed where you pass a value.
        public init(smoothing: Double = 1.0, alphaFactor: Int = 3, betaFactor: Int = 6, probeMultiplier: Int = 30) {
            self.smoothing = smoothing
            self.alphaFactor = alphaFactor
            self.betaFactor = betaFactor
            self.probeMultiplier = probeMultiplier
        }
    }

    /// How the limit moves. Default: ``Algorithm/aimd(_:)`` with its default parameters.
    public var algorithm: Algorithm
    /// The limit before the first sample. In `minLimit...maxLimit`. Default: 20.
    public var initialLimit: Int
    /// The lowest limit. In 1...`maxLimit`. Default: 1.
    public var minLimit: Int
    /// The highest limit. In `minLimit`...1_000_000. Default: 200.
    public var maxLimit: Int
    /// How many calls may wait for a slot when the limit is reached. The newest waiter is admitted
    /// first (LIFO); when the queue is full, the oldest waiter is rejected to make room. 0 means no
    /// queue: every call beyond the limit is rejected at once. In 0...100_000. Default: 0.
    public var maxQueued: Int
    /// How long a queued call may wait for a slot before it is rejected. In (0, 1 h]; checked also
    /// when `maxQueued` is 0. Default: 100 ms.
    public var maxWait: Duration

    /// The largest accepted `maxLimit`.
    public static let maximumLimit = 1_000_000
    /// The largest accepted `maxQueued`.
    public static let maximumQueued = 100_000
    /// Whether the limiter refuses calls (`enforce`, the default) or only counts and logs those it would
    /// have refused and lets them through (`shadow`): a call it would have rejected (or made wait)
    /// runs at once without a slot and is not a sample, so the limit moves as an enforcing limiter's
    /// would; only rejections are shadow rejections.
    public var mode: PolicyMode

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        algorithm: Algorithm = .aimd(),
        initialLimit: Int = 20,
        minLimit: Int = 1,
        maxLimit: Int = 200,
        maxQueued: Int = 0,
        maxWait: Duration = .milliseconds(100),
        mode: PolicyMode = .enforce
    ) {
        self.algorithm = algorithm
        self.initialLimit = initialLimit
        self.minLimit = minLimit
        self.maxLimit = maxLimit
        self.maxQueued = maxQueued
        self.maxWait = maxWait
        self.mode = mode
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        try validateBounds()
        try validateQueue()
        switch algorithm {
        case .aimd(let parameters): try parameters.validate()
        case .gradient2(let parameters): try parameters.validate()
        case .vegas(let parameters): try parameters.validate()
        }
    }

    func validateBounds() throws(ConfigurationError) {
        let maximum = Self.maximumLimit
        try ConfigurationError.check(minLimit >= 1 && minLimit <= maximum, "minLimit", "\(minLimit)", "1...\(maximum)")
        try ConfigurationError.check(
            maxLimit >= minLimit && maxLimit <= maximum, "maxLimit", "\(maxLimit)",
            "minLimit (\(minLimit))...\(maximum)")
        try ConfigurationError.check(
            initialLimit >= minLimit && initialLimit <= maxLimit, "initialLimit", "\(initialLimit)",
            "minLimit...maxLimit (\(minLimit)...\(maxLimit))")
    }

    func validateQueue() throws(ConfigurationError) {
        try ConfigurationError.check(
            (0...Self.maximumQueued).contains(maxQueued), "maxQueued", "\(maxQueued)", "0...\(Self.maximumQueued)")
        try ConfigurationError.check(
            maxWait > .zero && maxWait <= .seconds(3_600), "maxWait", DurationText.format(maxWait), "(0, 1h]")
    }
}

extension ConcurrencyLimitConfiguration.AIMDParameters {
    /// Checks every parameter against its allowed range.
    /// - Throws: ``ConfigurationError`` with keys `aimd.backoffRatio` and `aimd.timeout`.
    public func validate() throws(ConfigurationError) {
        _ = try exactBackoffRatio()
    }

    /// The validated `backoffRatio` as an exact decimal fraction.
    func exactBackoffRatio() throws(ConfigurationError) -> ExactRatio {
        let allowed = "[0.5, 1), with at most \(ExactRatio.maximumDecimalPlaces) decimal places"
        guard backoffRatio >= 0.5, backoffRatio < 1, let exact = ExactRatio(backoffRatio) else {
            throw ConfigurationError(key: "aimd.backoffRatio", value: "\(backoffRatio)", allowed: allowed)
        }
        try ConfigurationError.check(timeout > .zero, "aimd.timeout", DurationText.format(timeout), "> 0")
        return exact
    }
}

extension ConcurrencyLimitConfiguration.Gradient2Parameters {
    /// Checks every parameter against its allowed range.
    /// - Throws: ``ConfigurationError`` with keys `gradient2.smoothing`, `gradient2.rttTolerance`,
    ///   `gradient2.queueSize` and `gradient2.probeMultiplier`.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(smoothing > 0 && smoothing <= 1, "gradient2.smoothing", "\(smoothing)", "(0, 1]")
        try ConfigurationError.check(
            rttTolerance >= 1 && rttTolerance <= 100, "gradient2.rttTolerance", "\(rttTolerance)", "[1, 100]")
        try ConfigurationError.check((0...1_000).contains(queueSize), "gradient2.queueSize", "\(queueSize)", "0...1000")
        try ConfigurationError.check(
            (1...100_000).contains(probeMultiplier), "gradient2.probeMultiplier", "\(probeMultiplier)", "1...100000")
    }
}

extension ConcurrencyLimitConfiguration.VegasParameters {
    /// Checks every parameter against its allowed range.
    /// - Throws: ``ConfigurationError`` with keys `vegas.smoothing`, `vegas.alphaFactor`,
    ///   `vegas.betaFactor` and `vegas.probeMultiplier`.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(smoothing > 0 && smoothing <= 1, "vegas.smoothing", "\(smoothing)", "(0, 1]")
        try ConfigurationError.check((1...1_000).contains(alphaFactor), "vegas.alphaFactor", "\(alphaFactor)", "1...1000")
        try ConfigurationError.check(
            betaFactor >= alphaFactor && betaFactor <= 1_000, "vegas.betaFactor", "\(betaFactor)",
            "alphaFactor (\(alphaFactor))...1000")
        try ConfigurationError.check(
            (1...100_000).contains(probeMultiplier), "vegas.probeMultiplier", "\(probeMultiplier)", "1...100000")
    }
}

extension ConcurrencyLimitConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    /// The algorithm's name, then the bounds and the queue, then the parameters of the chosen algorithm
    /// in an object named after it (only that one: another algorithm's parameters are an error).
    package static var keys: [ConfigurationKey<Self>] {
        [
            ConfigurationKey(
                "algorithm", .choice(["aimd", "gradient2", "vegas"]), allowed: "aimd, gradient2, vegas",
                meaning: "how the limit moves", value: { .string($0.algorithm.name) }
            ) { configuration, value throws(ConfigurationError) in
                guard case .string(let name) = value, name != configuration.algorithm.name else { return }
                switch name {
                case "aimd": configuration.algorithm = .aimd()
                case "gradient2": configuration.algorithm = .gradient2()
                case "vegas": configuration.algorithm = .vegas()
                default: break
                }
            },
            .integer("initialLimit", \.initialLimit, allowed: "minLimit...maxLimit", meaning: "the limit before the first sample"),
            .integer("minLimit", \.minLimit, allowed: "1...maxLimit", meaning: "the lowest limit"),
            .integer("maxLimit", \.maxLimit, allowed: "minLimit...\(maximumLimit)", meaning: "the highest limit"),
            .integer("maxQueued", \.maxQueued, allowed: "0...\(maximumQueued)", meaning: "calls that may wait for a slot (LIFO); 0 rejects every call beyond the limit at once"),
            .duration("maxWait", \.maxWait, allowed: "(0, 1h]", meaning: "how long a queued call may wait for a slot"),
            parameters("aimd", of: \.algorithm.aimd, defaults: AIMDParameters(), [
                .number("backoffRatio", \.backoffRatio, allowed: "[0.5, 1)", meaning: "the limit is multiplied by this on a drop or a call slower than `timeout`"),
                .duration("timeout", \.timeout, allowed: "> 0", meaning: "a call slower than this counts as a drop"),
            ]),
            parameters("gradient2", of: \.algorithm.gradient2, defaults: Gradient2Parameters(), [
                .number("smoothing", \.smoothing, allowed: "(0, 1]", meaning: "the weight of each new estimate"),
                .number("rttTolerance", \.rttTolerance, allowed: ">= 1", meaning: "latency above no-load × this counts as queueing"),
                .integer("queueSize", \.queueSize, allowed: "0...1000", meaning: "growth allowed when there is no queueing"),
                .integer("probeMultiplier", \.probeMultiplier, allowed: "1...100000", meaning: "windows between two probes of the no-load latency"),
            ]),
            parameters("vegas", of: \.algorithm.vegas, defaults: VegasParameters(), [
                .number("smoothing", \.smoothing, allowed: "(0, 1]", meaning: "the weight of each new estimate"),
                .integer("alphaFactor", \.alphaFactor, allowed: "1...1000", meaning: "below alphaFactor × log estimated queued calls the limit grows"),
                .integer("betaFactor", \.betaFactor, allowed: "alphaFactor...1000", meaning: "above betaFactor × log estimated queued calls the limit shrinks"),
                .integer("probeMultiplier", \.probeMultiplier, allowed: "1...100000", meaning: "windows between two probes of the no-load latency"),
            ]),
            .choice("mode", \.mode, meaning: "`enforce`: refuse calls; `shadow`: count and log the calls it would refuse, and let them through"),
        ]
    }

    /// The object of one algorithm's parameters: present only when `algorithm` names it.
    private static func parameters<Parameters: Sendable>(
        _ name: String, of path: any WritableKeyPath<Self, Parameters?> & Sendable, defaults: Parameters,
        _ keys: [ConfigurationKey<Parameters>]
    ) -> ConfigurationKey<Self> {
        ConfigurationKey(
            name, .object(keys.map { $0.lifted(to: path, defaults: defaults) }), allowed: "only with algorithm \(name)",
            meaning: "the parameters of \(name)", value: { $0[keyPath: path] == nil ? nil : .object }
        ) { configuration, value throws(ConfigurationError) in
            guard case .object = value, configuration[keyPath: path] == nil else { return }
            throw ConfigurationError(
                key: name, value: "parameters",
                allowed: "only when algorithm is \"\(name)\" (it is \"\(configuration.algorithm.name)\")")
        }
    }
}

extension ConcurrencyLimitConfiguration.Algorithm {
    /// The AIMD parameters, when the algorithm is AIMD (setting them makes it AIMD).
    var aimd: ConcurrencyLimitConfiguration.AIMDParameters? {
        get { if case .aimd(let parameters) = self { parameters } else { nil } }
        set { if let newValue { self = .aimd(newValue) } }
    }

    /// The Gradient2 parameters, when the algorithm is Gradient2.
    var gradient2: ConcurrencyLimitConfiguration.Gradient2Parameters? {
        get { if case .gradient2(let parameters) = self { parameters } else { nil } }
        set { if let newValue { self = .gradient2(newValue) } }
    }

    /// The Vegas parameters, when the algorithm is Vegas.
    var vegas: ConcurrencyLimitConfiguration.VegasParameters? {
        get { if case .vegas(let parameters) = self { parameters } else { nil } }
        set { if let newValue { self = .vegas(newValue) } }
    }
}
