/// What ``Tuner`` optimises.
///
/// - `goodput`: the highest mean goodput (calls that succeeded / calls made), compared in steps of
///   ``goodputResolution`` (0.1 %); within a step, the lower mean amplification (then the higher
///   exact goodput). So a policy that gains 0.003 % of goodput for 20 % more load does not win.
/// - `p99`: the lowest mean p99 latency of **all** calls (whatever their end), among the candidates
///   whose mean goodput is at least the baseline's (the default pipeline's unless one is given) minus ``goodputTolerance``.
/// - `amplification`: the lowest mean amplification (attempts the dependency received per call),
///   among the same candidates.
///
/// The goodput floor keeps `p99` and `amplification` honest: without it a 1 ms timeout (every call
/// ends at once) or a breaker that never closes (nothing reaches the dependency) would win.
public enum TuningObjective: String, Sendable, Hashable, CaseIterable {
    case goodput
    case p99
    case amplification

    /// How far below the baseline's mean goodput a candidate may fall and still compete on
    /// `p99` or `amplification`: 0.01 (one call in a hundred).
    public static let goodputTolerance = 0.01

    /// The step in which `goodput` compares goodputs: 0.001. Two mean goodputs in the same step
    /// (`⌊goodput / 0.001⌋` equal) are a tie that amplification decides.
    public static let goodputResolution = 0.001

    /// Whether the objective only admits candidates near the baseline's goodput.
    var hasGoodputFloor: Bool { self != .goodput }

    /// Whether `metrics` may compete: always for `goodput`; for the others, a mean goodput of at least
    /// `baselineGoodput − goodputTolerance`.
    func isFeasible(_ metrics: TuningMetrics, baselineGoodput: Double) -> Bool {
        !hasGoodputFloor || metrics.goodput >= baselineGoodput - Self.goodputTolerance
    }

    /// Whether `a` ranks strictly before `b` (`nil`: the objective cannot tell them apart).
    func ranks(_ a: TuningMetrics, before b: TuningMetrics, baselineGoodput: Double) -> Bool? {
        let aFeasible = isFeasible(a, baselineGoodput: baselineGoodput)
        let bFeasible = isFeasible(b, baselineGoodput: baselineGoodput)
        if aFeasible != bFeasible { return aFeasible }
        switch self {
        case .goodput:
            let aStep = (a.goodput / Self.goodputResolution).rounded(.down)
            let bStep = (b.goodput / Self.goodputResolution).rounded(.down)
            if aStep != bStep { return aStep > bStep }
            if a.amplification != b.amplification { return a.amplification < b.amplification }
            if a.goodput != b.goodput { return a.goodput > b.goodput }
        case .p99:
            if a.p99 != b.p99 { return a.p99 < b.p99 }
            if a.goodput != b.goodput { return a.goodput > b.goodput }
        case .amplification:
            if a.amplification != b.amplification { return a.amplification < b.amplification }
            if a.goodput != b.goodput { return a.goodput > b.goodput }
        }
        return nil
    }

    /// Whether one run of a candidate is no worse than the baseline's run on the same seed, on this
    /// objective's own measure (goodput ≥, p99 ≤, amplification ≤).
    func isNoWorse(_ candidate: TuningMetrics, than baselineRun: TuningMetrics) -> Bool {
        switch self {
        case .goodput: candidate.goodput >= baselineRun.goodput
        case .p99: candidate.p99 <= baselineRun.p99
        case .amplification: candidate.amplification <= baselineRun.amplification
        }
    }
}
