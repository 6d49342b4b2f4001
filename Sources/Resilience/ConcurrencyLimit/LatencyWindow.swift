/// The samples of a latency-based limit (`Gradient2Limit`, `VegasLimit`) grouped into windows of
/// about one round trip, and the no-load latency each window is compared with, re-measured by a
/// shallow probe. Pure: no locks, no clock.
///
/// The rule, for each sample with a positive latency `rtt`, the caller's limit being `estimate`:
///
/// ```
/// not probing:
///     add rtt to the window; after max(1, ⌊estimate⌋) samples the window closes with
///     mean = the mean of its rtt, maxInFlight = the highest inFlight, dropped = any sample dropped
///     noLoad is unset: noLoad = mean                        (the first window measures it)
///     windowsSinceProbe += 1
///     a probe is due once windowsSinceProbe >= jitter × probeMultiplier
///         (jitter uniform in [0.5, 1), drawn anew for each probe)
/// probing at probeLimit (the caller's limit is probeLimit until the probe ends):
///     inFlight > probeLimit: not used                       (the call was admitted before the probe)
///     else add rtt to the probe; after probeLimit such samples:
///         noLoad = their mean; the probe ends; the window restarts empty; windowsSinceProbe = 0
/// ```
///
/// Why: one decision per window (about one round trip when the caller uses its limit: `⌊estimate⌋`
/// calls complete per latency) acts once on each consequence of the previous decision, where a
/// decision per sample acts `estimate` times on the same stale latency and overshoots. The mean of a
/// window is compared with the mean of calls that met no queue, never with the fastest single call
/// (which is lower by the spread of the service's latency and makes a queue appear where there is
/// none). A call admitted while at most `probeLimit` calls were in flight met at most `probeLimit`
/// calls in flight for its whole life, since the limiter admits no more: when `probeLimit` is below
/// what the dependency serves without queueing, their mean is the no-load latency, however loaded
/// the dependency was before. The caller picks `probeLimit` a margin below its estimate of that
/// in-flight count (see each algorithm).
struct LatencyWindow: Sendable, Hashable {
    /// A closed window.
    struct Summary: Sendable, Hashable {
        /// The mean latency of its samples, in nanoseconds.
        var meanNanoseconds: Double
        /// The highest `inFlight` of its samples.
        var maxInFlight: Int
        /// Whether any of its samples was dropped.
        var dropped: Bool
    }

    /// What a sample did.
    enum Step: Sendable, Hashable {
        /// Nothing to decide yet (the window is open, or the probe goes on or ignored the sample).
        case pending
        /// A probe ended: `LatencyWindow/noLoadNanoseconds` is its result.
        case probed
        /// A window closed.
        case closed(Summary)
    }

    /// Windows between probes, before the jitter: `probeMultiplier`.
    let probeMultiplier: Int
    /// The no-load latency in nanoseconds, or `nil` before the first window closes.
    private(set) var noLoadNanoseconds: Double?
    /// Windows closed since the last probe (or since the start).
    private(set) var windowsSinceProbe = 0
    /// The current jitter of the probe interval, in [0.5, 1).
    private(set) var probeJitter: Double = 0.75
    /// The limit of the probe under way, or `nil` when none is.
    private(set) var probeLimit: Int?

    private var count = 0
    private var sum: Double = 0
    private var maxInFlight = 0
    private var dropped = false
    private var random: SplitMix64

    /// Empty windows; `seed` seeds the probe's jitter, so the same seed and samples give the same run.
    init(probeMultiplier: Int, seed: UInt64) {
        self.probeMultiplier = probeMultiplier
        self.random = SplitMix64(seed: seed)
        self.probeJitter = nextJitter()
    }

    /// Whether the next probe is due (checked by the caller after a window closes).
    var isProbeDue: Bool { Double(windowsSinceProbe) >= probeJitter * Double(probeMultiplier) }

    /// Adds one sample of latency `rttNanoseconds` (> 0).
    /// - Parameters:
    ///   - inFlight: the calls in flight when it was admitted, itself included.
    ///   - windowSize: the samples in a window, `⌊estimate⌋` (at least 1 is used).
    mutating func add(rttNanoseconds: Double, inFlight: Int, didDrop: Bool, windowSize: Int) -> Step {
        if let probeLimit {
            guard inFlight <= probeLimit else { return .pending }
            count += 1
            sum += rttNanoseconds
            guard count >= probeLimit else { return .pending }
            noLoadNanoseconds = sum / Double(count)
            self.probeLimit = nil
            resetWindow()
            return .probed
        }
        count += 1
        sum += rttNanoseconds
        maxInFlight = max(maxInFlight, inFlight)
        dropped = dropped || didDrop
        guard count >= max(1, windowSize) else { return .pending }
        let summary = Summary(meanNanoseconds: sum / Double(count), maxInFlight: maxInFlight, dropped: dropped)
        resetWindow()
        if noLoadNanoseconds == nil { noLoadNanoseconds = summary.meanNanoseconds }
        windowsSinceProbe += 1
        return .closed(summary)
    }

    /// Starts a probe at `limit` (at least 1 is used) and draws the next jitter.
    mutating func startProbe(limit: Int) {
        probeLimit = max(1, limit)
        windowsSinceProbe = 0
        probeJitter = nextJitter()
        resetWindow()
    }

    private mutating func resetWindow() {
        count = 0
        sum = 0
        maxInFlight = 0
        dropped = false
    }

    /// A jitter uniform in [0.5, 1) from the next 53 random bits.
    private mutating func nextJitter() -> Double {
        0.5 + 0.5 * Double(random.next() >> 11) / Double(UInt64(1) << 53)
    }
}
