/// When a ``LoadShedder`` drops calls, by priority.
///
/// Three kinds of signal, each with its own ``LoadShedThresholds`` per priority; a call is shed as soon
/// as one signal is at or above its priority's threshold. ``Priority/critical`` calls are never shed.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `inFlight.{low,normal,high}` | off | shed when the shedder's own calls in flight (all priorities) ≥ this; each ≥ 1 |
/// | `queueDepth.{low,normal,high}` | off | shed when the queue-depth gauge's reading ≥ this; each ≥ 1 |
/// | `pressure.<signal>.{low,normal,high}` | none | shed when the pressure gauge `<signal>`'s reading ≥ this; each in (0, 1] |
/// | `retryAfter` | 1 s | the hint put in the rejection's `retryAfter`; `nil` for none; in (0, 1 h] |
///
/// Signal names (`cpu`, `memory`, or your own, like `eventLoopLag`) are metric label values: 1 to 64
/// characters among `A-Z a-z 0-9 _ . -`, and not `in_flight` or `queue_depth`, which name the other
/// reasons.
///
/// The hint in a rejection (``ResilienceError/retryAfter``): for `inFlight` and `queueDepth`,
/// `retryAfter` as configured; for a pressure signal, the larger of `retryAfter` and the gauge's
/// ``PressureGauge/refreshInterval`` (a ``PressureSampler`` sets it to its sampling interval): the
/// reading that shed the call cannot change before the next sample, so an earlier retry would be shed
/// again.
///
/// ``validate()`` rejects a value outside its allowed range, and thresholds that are not monotone
/// (`low ≤ normal ≤ high`), with a ``ConfigurationError`` naming the key, the value and what is allowed.
///
/// ```swift
/// let configuration = LoadShedderConfiguration(
///     inFlight: LoadShedThresholds(low: 200, normal: 400, high: 600),
///     pressure: [
///         "cpu": LoadShedThresholds(low: 0.75, normal: 0.90, high: 0.97),
///         "memory": LoadShedThresholds(low: 0.85, normal: 0.92, high: nil),
///     ])
/// ```
public struct LoadShedderConfiguration: Sendable, Hashable {
    /// Thresholds on the number of calls this shedder has admitted and not yet released, all priorities
    /// counted (critical ones too). `nil`: in-flight count sheds nothing. Each threshold ≥ 1.
    public var inFlight: LoadShedThresholds<Int>?
    /// Thresholds on the reading of the queue-depth gauge given to the shedder (for example a
    /// bulkhead's waiting calls). `nil`: queue depth sheds nothing. Each threshold ≥ 1.
    public var queueDepth: LoadShedThresholds<Int>?
    /// Thresholds on pressure gauges, by signal name; each threshold in (0, 1]. Default: none.
    public var pressure: [String: LoadShedThresholds<Double>]
    /// The retry hint of a rejection; see the type's documentation. `nil`: no hint for in-flight and
    /// queue-depth rejections, the gauge's refresh interval for pressure ones. In (0, 1 h]. Default: 1 s.
    public var retryAfter: Duration?

    /// The longest accepted `retryAfter`.
    public static let maximumRetryAfter = Duration.seconds(3_600)
    /// The longest accepted signal name.
    public static let maximumSignalNameLength = 64
    /// Signal names that are taken by the other shedding reasons.
    public static let reservedSignalNames: Set<String> = [LoadShedReason.inFlight.label, LoadShedReason.queueDepth.label]
    /// Whether the load shedder refuses calls (`enforce`, the default) or only counts and logs those it would
    /// have refused and lets them through (`shadow`): a call it would have shed runs, and does
    /// not count as in flight, so its decisions are those of an enforcing shedder.
    public var mode: PolicyMode

    /// A configuration with the documented defaults, changed where you pass a value. The defaults shed
    /// nothing: give at least one kind of threshold.
    public init(
        inFlight: LoadShedThresholds<Int>? = nil,
        queueDepth: LoadShedThresholds<Int>? = nil,
        pressure: [String: LoadShedThresholds<Double>] = [:],
        retryAfter: Duration? = .seconds(1),
        mode: PolicyMode = .enforce
    ) {
        self.inFlight = inFlight
        self.queueDepth = queueDepth
        self.pressure = pressure
        self.retryAfter = retryAfter
        self.mode = mode
    }

    /// The names of the pressure signals, in the order the shedder checks them (sorted).
    public var pressureSignalNames: [String] { pressure.keys.sorted() }

    /// Checks every key against its allowed range and every set of thresholds for monotonicity.
    /// - Throws: ``ConfigurationError`` for the first bad key (keys are checked in a fixed order:
    ///   `inFlight`, `queueDepth`, `pressure.<signal>` by name, `retryAfter`).
    public func validate() throws(ConfigurationError) {
        try inFlight?.validate(key: "inFlight", allowed: ">= 1") { $0 >= 1 }
        try queueDepth?.validate(key: "queueDepth", allowed: ">= 1") { $0 >= 1 }
        for name in pressureSignalNames {
            try Self.validateSignalName(name, key: "pressure")
            try pressure[name]!.validate(key: "pressure.\(name)", allowed: "(0, 1]") { $0 > 0 && $0 <= 1 }
        }
        if let retryAfter {
            try ConfigurationError.check(
                retryAfter > .zero && retryAfter <= Self.maximumRetryAfter, "retryAfter",
                DurationText.format(retryAfter), "(0, 1h], or nil for no hint")
        }
    }

    /// Checks that `name` can name a pressure signal (and be a metric label value).
    static func validateSignalName(_ name: String, key: String) throws(ConfigurationError) {
        let allowed =
            "1 to \(maximumSignalNameLength) characters among A-Z a-z 0-9 _ . -, not \(reservedSignalNames.sorted().joined(separator: " or "))"
        let valid = !name.isEmpty && name.utf8.count <= maximumSignalNameLength
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2E || byte == 0x2D
            }
            && !reservedSignalNames.contains(name)
        try ConfigurationError.check(valid, key, "\"\(name)\"", allowed)
    }
}

extension LoadShedderConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    /// `pressure` is not a key: pressure signals come from gauges the service provides, not from a file.
    package static var keys: [ConfigurationKey<Self>] {
        [
            thresholds("inFlight", \.inFlight, meaning: "calls in flight at which each priority is shed"),
            thresholds("queueDepth", \.queueDepth, meaning: "queue depth at which each priority is shed"),
            .duration("retryAfter", \.retryAfter, allowed: ">= 0, or null", meaning: "the retry hint of a shed call"),
            .choice("mode", \.mode, meaning: "`enforce`: refuse calls; `shadow`: count and log the calls it would refuse, and let them through"),
        ]
    }

    /// `{"low": 50, "normal": 80, "high": null}`: an object whose absence means the signal is not used,
    /// and in which a missing or `null` priority is never shed.
    private static func thresholds(
        _ name: String, _ path: any WritableKeyPath<Self, LoadShedThresholds<Int>?> & Sendable, meaning: String
    ) -> ConfigurationKey<Self> {
        func priority(
            _ priority: String, _ field: any WritableKeyPath<LoadShedThresholds<Int>, Int?> & Sendable
        ) -> ConfigurationKey<Self> {
            ConfigurationKey(
                priority, .integer, canBeOff: true, allowed: ">= 1, or null (never)",
                meaning: "shed \(priority) calls from this level",
                value: { configuration in configuration[keyPath: path].map { $0[keyPath: field].map(ConfigurationValue.integer) ?? .off } }
            ) { configuration, value throws(ConfigurationError) in
                switch value {
                case .integer(let level): configuration[keyPath: path]?[keyPath: field] = level
                case .off: configuration[keyPath: path]?[keyPath: field] = nil
                case .number, .boolean, .duration, .string, .object: break
                }
            }
        }
        return ConfigurationKey(
            name, .object([priority("low", \.low), priority("normal", \.normal), priority("high", \.high)]),
            canBeOff: true, allowed: "low ≤ normal ≤ high, each >= 1", meaning: meaning,
            value: { $0[keyPath: path] == nil ? nil : .object }
        ) { configuration, value throws(ConfigurationError) in
            switch value {
            case .off: configuration[keyPath: path] = nil
            default:
                if configuration[keyPath: path] == nil {
                    configuration[keyPath: path] = LoadShedThresholds(low: nil, normal: nil, high: nil)
                }
            }
        }
    }
}
