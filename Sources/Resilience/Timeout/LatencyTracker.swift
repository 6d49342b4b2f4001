/// The latencies of the last `windowSize` calls, with percentiles accurate to 1/128 (0.79 %) and bounded
/// memory. Pure: no locks, no clock.
///
/// ```swift
/// var tracker = try LatencyTracker(windowSize: 1_000)
/// tracker.record(.milliseconds(42))
/// tracker.percentile(0.99)             // .lessThan(42.25 ms): the p99 is in [42 ms, 42.25 ms)
/// ```
///
/// ## Bins
///
/// A latency is counted in a log-linear bin (as in HdrHistogram), by its whole number of nanoseconds `n`
/// (the attoseconds below a nanosecond are dropped, which keeps every bin a half-open interval
/// `[lower, upper)` of whole nanoseconds):
///
/// - `n < 128`: bin `[n ns, n + 1 ns)`, 1 ns wide;
/// - `2^e ≤ n < 2^(e+1)` with `e ≥ 7`: 128 bins of width `2^(e−7)` ns, so a bin is at most 1/128 of its
///   lower bound wide;
/// - the bin holding 1 h is cut at exactly 1 h, and every latency of 1 h or more is counted in one
///   **overflow bin**, reported as ``LatencyPercentile/atLeast(_:)`` ``overflowThreshold``.
///
/// ## Percentiles (nearest rank)
///
/// ``percentile(_:)`` with `p` and `count` samples in the window finds the rank `r = ⌈p × count⌉`
/// (computed exactly from `p` as written in decimal) and reports the **upper bound of the smallest bin
/// whose cumulative count reaches `r`**: the bin that holds the `r`-th smallest sample `v`. So the
/// reported bound `R` is always above the true nearest-rank percentile, and
///
/// - for `v ≥ 128 ns` (in particular over 1 µs ... 1 h): `v < R ≤ v × 129/128`, a relative error of at
///   most 1/128 = 0.78125 %;
/// - for `v < 128 ns`: `v < R ≤ v + 1 ns`;
/// - for `v ≥ 1 h`: ``LatencyPercentile/atLeast(_:)`` 1 h.
///
/// ## Costs
///
/// Memory is bounded: a ring of `windowSize` 2-byte bin numbers (grown as the window fills) plus 512
/// bytes per octave of latencies actually seen (36 octaves at most: 18 KB), allocated the first time a
/// latency lands in the octave. ``record(_:)`` is O(1) and allocation-free once the window is full and
/// its octaves were seen: a shift and a multiplication to find the bin (no 128-bit division), the ring
/// write, two counter updates for the new sample and two for the one it evicts, and one comparison per
/// cached percentile — about 240 instructions in a release build.
///
/// ``percentile(_:)`` is incremental. For each of the last ``maximumCachedPercentiles`` percentiles
/// asked, the tracker keeps the bin of its last answer and the number of samples below that bin exact on
/// every record, so the next answer walks from there: nothing to walk while the answer stays in its bin,
/// otherwise a few bins, skipping whole empty octaves in one step (about 140 instructions per query on
/// a p99 asked after every record, against about 1500 to rescan the octave totals from the bottom).
@usableFromInline package struct LatencyTracker: Sendable {
    /// A percentile, as precise as the bins allow.
    @usableFromInline package typealias Percentile = LatencyPercentile

    /// Latencies of this length or longer are counted in one overflow bin: 1 h.
    @usableFromInline package static let overflowThreshold: Duration = .seconds(3_600)
    /// The largest accepted `windowSize`.
    @usableFromInline package static let maximumWindowSize = 1_000_000

    /// The number of most recent samples that count.
    @usableFromInline package let windowSize: Int
    /// The samples in the window: `min(recordedCount, windowSize)`.
    @usableFromInline package private(set) var count = 0
    /// The samples recorded since creation, including those that have left the window.
    @usableFromInline package private(set) var recordedCount = 0

    /// The bin of each sample in the window, oldest at `nextSlot` once the window is full.
    private var ring: [UInt16] = []
    /// Where the next sample goes once the ring is full.
    private var nextSlot = 0
    /// Per block (octave) of 128 bins: where its counts start in `binCounts` (-1 before its first sample),
    /// and the samples in it.
    private var blocks: [Block]
    /// The counts of the blocks seen so far, 128 per block, in the order they were first seen.
    private var binCounts: [UInt32] = []
    /// For each of the last few percentiles asked (at most ``maximumCachedPercentiles``): the bin of its
    /// last answer and the number of samples in lower bins, kept exact on every record, so that its next
    /// answer starts from there.
    private var anchors: [Anchor] = []
    /// The anchor a new percentile takes over when all are in use (round robin).
    private var nextAnchorToReuse = 0

    /// One block's place in `binCounts` and its number of samples.
    private struct Block: Sendable {
        var start: Int32 = -1
        var count: UInt32 = 0
    }

    /// A percentile's cached position; see ``anchors``.
    private struct Anchor: Sendable {
        var percentile: ExactRatio
        var bin: Int
        /// The samples in bins below `bin`.
        var below: Int
    }

    /// How many distinct percentiles keep their cached position: enough for a timeout's percentile, a
    /// hedging delay's, and the p50 and p99 of stats. Each costs one comparison per record.
    @usableFromInline package static let maximumCachedPercentiles = 4

    /// An empty tracker of the last `windowSize` latencies.
    /// - Throws: ``ConfigurationError`` for `windowSize` outside 1...1000000.
    @usableFromInline package init(windowSize: Int = 1_000) throws(ConfigurationError) {
        try ConfigurationError.check(
            (1...Self.maximumWindowSize).contains(windowSize), "windowSize", "\(windowSize)",
            "1...\(Self.maximumWindowSize)")
        self.init(validatedWindowSize: windowSize)
    }

    /// A tracker whose window size was validated already (by an adaptive timeout's configuration).
    init(validatedWindowSize windowSize: Int) {
        self.windowSize = windowSize
        blocks = Array(repeating: Block(), count: Bins.blockCount)
    }

    /// Records one latency; once the window is full, the oldest sample stops counting.
    /// - Precondition: `latency` is not negative (a latency measured backwards is a bug in the caller).
    @usableFromInline package mutating func record(_ latency: Duration) {
        let attoseconds = latency.attoseconds
        precondition(attoseconds >= 0, "LatencyTracker.record: a latency cannot be negative, got \(latency)")
        let bin = Bins.bin(ofAttoseconds: attoseconds)
        if count < windowSize {
            ring.append(UInt16(truncatingIfNeeded: bin))
            count += 1
        } else {
            remove(Int(ring[nextSlot]))
            ring[nextSlot] = UInt16(truncatingIfNeeded: bin)
            nextSlot += 1
            if nextSlot == windowSize { nextSlot = 0 }
        }
        add(bin)
        recordedCount &+= 1
    }

    /// The `p` percentile of the window (nearest rank, see `LatencyTracker`), or `nil` when the window is
    /// empty. Updates the cached position, hence `mutating`.
    /// - Precondition: `p` is in (0, 1] and has at most 9 decimal places (0.99, 0.999, 0.5).
    @usableFromInline package mutating func percentile(_ p: Double) -> Percentile? {
        percentile(Self.exactPercentile(p))
    }

    /// ``percentile(_:)`` with `p` already exact.
    mutating func percentile(_ p: ExactRatio) -> Percentile? {
        guard let bin = percentileBin(p) else { return nil }
        if let upper = Bins.upperBoundNanoseconds(ofBin: bin) {
            return .lessThan(.nanoseconds(upper))
        }
        return .atLeast(Self.overflowThreshold)
    }

    /// The bin holding the `⌈p × count⌉`-th smallest sample, or `nil` when the window is empty.
    mutating func percentileBin(_ p: ExactRatio) -> Int? {
        guard count > 0 else { return nil }
        // p ≤ 1 and at most 9 decimal places, count ≤ 10⁶: the product stays below 10¹⁵.
        let product = Int64(count) * p.numerator
        let rank = Int((product + p.denominator - 1) / p.denominator)
        return locate(rank: max(rank, 1), of: p)
    }

    /// `p` as an exact decimal, checked.
    static func exactPercentile(_ p: Double) -> ExactRatio {
        guard p > 0, p <= 1, let exact = ExactRatio(p) else {
            preconditionFailure(
                "percentile: p must be in (0, 1] with at most \(ExactRatio.maximumDecimalPlaces) decimal places, got \(p)")
        }
        return exact
    }

    /// The blocks (octaves) that have their counters, for tests of the memory bound.
    var allocatedBlocks: Int { binCounts.count / Bins.subBinCount }

    // MARK: - Counting

    private func samples(inBin bin: Int) -> Int {
        let start = blocks[bin >> Bins.subBinBits].start
        return start < 0 ? 0 : Int(binCounts[Int(start) + bin & Bins.subBinMask])
    }

    @inline(__always)
    private mutating func add(_ bin: Int) {
        let block = bin >> Bins.subBinBits
        var start = Int(blocks[block].start)
        if start < 0 {
            // First sample in this octave: give it its 128 counters (at most 36 times per tracker).
            start = binCounts.count
            binCounts.append(contentsOf: repeatElement(0, count: Bins.subBinCount))
            blocks[block].start = Int32(start)
        }
        binCounts[start + bin & Bins.subBinMask] += 1
        blocks[block].count += 1
        for index in anchors.indices where bin < anchors[index].bin { anchors[index].below += 1 }
    }

    @inline(__always)
    private mutating func remove(_ bin: Int) {
        let block = bin >> Bins.subBinBits
        binCounts[Int(blocks[block].start) + bin & Bins.subBinMask] -= 1
        blocks[block].count -= 1
        for index in anchors.indices where bin < anchors[index].bin { anchors[index].below -= 1 }
    }

    /// The smallest bin whose cumulative count reaches `rank` (1 ≤ rank ≤ count), walking from the last
    /// answer and skipping whole blocks whose count shows that the answer is not in them.
    private mutating func locate(rank: Int, of p: ExactRatio) -> Int {
        let anchor = anchorIndex(for: p)
        var bin = anchors[anchor].bin
        var below = anchors[anchor].below
        // Up: while this bin and everything under it hold fewer than `rank` samples.
        while below + samples(inBin: bin) < rank {
            below += samples(inBin: bin)
            bin += 1
            while bin & Bins.subBinMask == 0, below + Int(blocks[bin >> Bins.subBinBits].count) < rank {
                below += Int(blocks[bin >> Bins.subBinBits].count)
                bin += Bins.subBinCount
            }
        }
        // Down: while the bins under this one already hold `rank` samples.
        while below >= rank {
            while bin & Bins.subBinMask == 0, bin > 0, below - Int(blocks[(bin >> Bins.subBinBits) - 1].count) >= rank {
                below -= Int(blocks[(bin >> Bins.subBinBits) - 1].count)
                bin -= Bins.subBinCount
            }
            bin -= 1
            below -= samples(inBin: bin)
        }
        anchors[anchor].bin = bin
        anchors[anchor].below = below
        return bin
    }

    /// The anchor of `p`: its own, a new one, or (when all are in use) the next in turn, whose position
    /// is a valid starting point for any percentile.
    private mutating func anchorIndex(for p: ExactRatio) -> Int {
        if let index = anchors.firstIndex(where: { $0.percentile == p }) { return index }
        if anchors.count < Self.maximumCachedPercentiles {
            // Bin 0 with nothing below it is a valid position.
            anchors.append(Anchor(percentile: p, bin: 0, below: 0))
            return anchors.count - 1
        }
        let index = nextAnchorToReuse
        nextAnchorToReuse = (nextAnchorToReuse + 1) % Self.maximumCachedPercentiles
        anchors[index].percentile = p
        return index
    }
}

extension LatencyTracker {
    /// The bin layout: bin numbers, bounds, and the mapping of a latency to its bin.
    enum Bins {
        // Literals rather than computed constants, so that the hot path needs no lazy-global check;
        // `LatencyTrackerTests` derives them.
        static var subBinBits: Int { 7 }
        /// Bins per block; a block above the first is one octave.
        static var subBinCount: Int { 128 }
        static var subBinMask: Int { 127 }
        /// 1 h in nanoseconds.
        static var overflowNanoseconds: UInt64 { 3_600_000_000_000 }
        /// 1 h in attoseconds.
        static var overflowAttoseconds: Int128 { 3_600_000_000_000_000_000_000 }
        /// The bin of latencies ≥ 1 h: the one after the bin holding 1 h (4561, `[209·2³⁴ ns, 1 h)`), which
        /// is cut at 1 h.
        static var overflowBin: Int { 4_562 }
        /// Blocks of 128 bins up to and including the overflow bin.
        static var blockCount: Int { 36 }

        /// The bin of a non-negative latency in attoseconds.
        @inline(__always)
        static func bin(ofAttoseconds attoseconds: Int128) -> Int {
            if attoseconds >= overflowAttoseconds { return overflowBin }
            // ⌊a / 10⁹⌋ = ⌊⌊a / 2⁹⌋ / 1953125⌋; a < 3.6·10²¹ < 2⁷², so a / 2⁹ fits 64 bits and the division
            // by a constant compiles to a multiplication (no 128-bit division).
            let nanoseconds = UInt64(truncatingIfNeeded: attoseconds >> 9) / 1_953_125
            return regularBin(ofNanoseconds: nanoseconds)
        }

        /// The bin of a latency of `nanoseconds` (< 1 h): `n` below 128, else `(e − 7) · 128 + ⌊n / 2^(e−7)⌋`
        /// with `e = ⌊log₂ n⌋` — continuous, since `⌊n / 2^(e−7)⌋` is in 128..<256.
        @inline(__always)
        static func regularBin(ofNanoseconds nanoseconds: UInt64) -> Int {
            if nanoseconds < UInt64(subBinCount) { return Int(nanoseconds) }
            let shift = (63 - nanoseconds.leadingZeroBitCount) - subBinBits
            return shift << subBinBits + Int(nanoseconds >> UInt64(shift))
        }

        /// The inclusive lower bound of a bin, in nanoseconds.
        static func lowerBoundNanoseconds(ofBin bin: Int) -> UInt64 {
            if bin == overflowBin { return overflowNanoseconds }
            if bin < subBinCount { return UInt64(bin) }
            let shift = (bin >> subBinBits) - 1
            return UInt64(bin & subBinMask + subBinCount) << UInt64(shift)
        }

        /// The exclusive upper bound of a bin, in nanoseconds; `nil` for the overflow bin.
        static func upperBoundNanoseconds(ofBin bin: Int) -> Int64? {
            if bin == overflowBin { return nil }
            if bin < subBinCount { return Int64(bin + 1) }
            let shift = (bin >> subBinBits) - 1
            let upper = UInt64(bin & subBinMask + subBinCount + 1) << UInt64(shift)
            return Int64(min(upper, overflowNanoseconds))
        }
    }
}
