/// How many calls a ``Bulkhead`` runs at once, how many it lets wait, and for how long.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `maxConcurrent` | 25 | calls running at once; 1...1 000 000 |
/// | `maxQueued` | 0 | calls waiting for a slot, first in first out; 0...1 000 000 (0: never wait, reject at once) |
/// | `maxWait` | none | how long a queued call waits before it gives up with `bulkheadFull`; none: until a slot frees or the call is cancelled |
///
/// With the defaults a bulkhead never queues: the 26th concurrent call is rejected at once with
/// ``ResilienceError/Code/bulkheadFull``. (Polly's and resilience4j's users were surprised by the same
/// default; it is the safe one: a queue adds latency to every call that waits in it.)
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped. `maxWait` is refused when `maxQueued` is 0,
/// because no call would ever wait and the setting would be silently ignored.
///
/// ```swift
/// let llm = BulkheadConfiguration(maxConcurrent: 10, maxQueued: 50, maxWait: .seconds(2))
/// ```
public struct BulkheadConfiguration: Sendable, Hashable {
    /// The most calls running at once. In 1...``maximumConcurrent``. Default: 25.
    public var maxConcurrent: Int
    /// The most calls waiting for a slot, served first in first out. In 0...``maximumQueued``; 0 means
    /// a call that finds every slot taken is rejected at once. Default: 0.
    public var maxQueued: Int
    /// How long a queued call waits for a slot before it is rejected with
    /// ``ResilienceError/Code/bulkheadFull``; `nil`: until a slot frees or the call is cancelled.
    /// In (0, ``maximumWait``], and only when `maxQueued` > 0. Default: `nil`.
    public var maxWait: Duration?

    /// The largest accepted `maxConcurrent`.
    public static let maximumConcurrent = 1_000_000
    /// The largest accepted `maxQueued` (a bound that also keeps `maxConcurrent + maxQueued` far from
    /// overflow, unlike Polly's `int.MaxValue` queues).
    public static let maximumQueued = 1_000_000
    /// The longest accepted `maxWait`: one day. A deadline is computed by adding it to the clock's
    /// `now`, which must not overflow; nobody should queue longer than that anyway.
    public static let maximumWait = Duration.seconds(86_400)
    /// Whether the bulkhead refuses calls (`enforce`, the default) or only counts and logs those it would
    /// have refused and lets them through (`shadow`): a call that finds every slot taken runs at once without a
    /// slot (it neither waits in the queue nor counts as in flight), so the bulkhead's occupancy is that
    /// of an enforcing bulkhead; the calls it would have rejected are counted. A call it would have
    /// queued runs at once too, uncounted: only rejections are shadow rejections.
    public var mode: PolicyMode

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(maxConcurrent: Int = 25, maxQueued: Int = 0, maxWait: Duration? = nil, mode: PolicyMode = .enforce) {
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.maxWait = maxWait
        self.mode = mode
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        try Self.checkMaxConcurrent(maxConcurrent)
        try Self.checkMaxQueued(maxQueued)
        if let maxWait {
            try ConfigurationError.check(
                maxWait > .zero && maxWait <= Self.maximumWait, "maxWait", DurationText.format(maxWait),
                "(0, \(DurationText.format(Self.maximumWait))], or none")
            try ConfigurationError.check(
                maxQueued > 0, "maxWait", DurationText.format(maxWait),
                "none when maxQueued is 0 (no call ever waits)")
        }
    }

    static func checkMaxConcurrent(_ value: Int) throws(ConfigurationError) {
        try ConfigurationError.check(
            (1...maximumConcurrent).contains(value), "maxConcurrent", "\(value)", "1...\(maximumConcurrent)")
    }

    static func checkMaxQueued(_ value: Int) throws(ConfigurationError) {
        try ConfigurationError.check(
            (0...maximumQueued).contains(value), "maxQueued", "\(value)", "0...\(maximumQueued)")
    }
}

extension BulkheadConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .integer("maxConcurrent", \.maxConcurrent, allowed: "1...\(maximumConcurrent)", meaning: "calls running at once"),
            .integer("maxQueued", \.maxQueued, allowed: "0...\(maximumQueued)", meaning: "calls waiting for a slot, first in first out (0: never wait, reject at once)"),
            .duration("maxWait", \.maxWait, allowed: "(0, \(DurationText.format(maximumWait))], or null (no limit); null when maxQueued is 0", meaning: "how long a queued call waits before it gives up with `bulkheadFull`; null: until a slot frees or the call is cancelled"),
            .choice("mode", \.mode, meaning: "`enforce`: refuse calls; `shadow`: count and log the calls it would refuse, and let them through"),
        ]
    }
}
