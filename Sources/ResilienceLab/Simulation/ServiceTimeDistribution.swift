import Resilience
import ResilienceConfiguration

/// How long the dependency works on one call: the time a worker is busy with it.
///
/// ```swift
/// let serviceTime = ServiceTimeDistribution.logNormal(median: .milliseconds(20), p99: .milliseconds(200))
/// var random = SplitMix64(seed: 7)
/// let first = serviceTime.sample(using: &random)   // the same for seed 7, every run, every platform
/// ```
///
/// **Transforms** (all draw from ``SplitMix64``; nothing from Foundation or the system):
/// - ``constant(_:)`` draws nothing.
/// - ``logNormal(median:p99:)``: `exp(μ + σ·Z)` nanoseconds with `μ = ln(median)`,
///   `σ = ln(p99 / median) / 2.3263478740408408` (the standard normal's 99th percentile) and `Z` a
///   standard normal from the Box–Muller transform (cosine branch): `Z = √(−2 ln U₁) · cos(2π U₂)`,
///   `U₁ = (⌊x₁ / 2¹¹⌋ + 1) / 2⁵³ ∈ (0, 1]` and `U₂ = ⌊x₂ / 2¹¹⌋ / 2⁵³ ∈ [0, 1)` from two draws
///   `x₁`, `x₂`. `|Z| ≤ 8.57`, so a sample is at most `median · (p99 / median)^3.69`. Rounded to the
///   nearest nanosecond.
/// - ``empirical(_:)``: one recorded duration, chosen uniformly by Lemire's multiply-shift
///   (`index = ⌊x · count / 2⁶⁴⌋` from one draw `x`).
public enum ServiceTimeDistribution: Sendable, Hashable {
    /// Every call takes exactly this long.
    case constant(Duration)
    /// Log-normal, given by the two numbers people know about their dependency: its median and its
    /// 99th percentile (`0 < median < p99 <= 1h`, `p99 <= 1000 × median`; ``validate()`` checks, and every model holding a
    /// distribution validates it when created).
    case logNormal(median: Duration, p99: Duration)
    /// One of these recorded service times, each equally likely (repeat a value to weight it).
    case empirical([Duration])

    /// The standard normal distribution's 99th percentile, `Φ⁻¹(0.99)`.
    static let normalQuantile99 = 2.3263478740408408

    /// Checks the parameters (limits in ``ScenarioLimits``): a constant in `[0s, 1h]`, a log-normal
    /// with `median` in `(0s, 1h]` and `p99 > median`, `p99 <= 1h` and `p99 <= 1000 × median`, an empirical
    /// list that is not empty and holds durations in `[0s, 1h]`.
    /// - Throws: ``ConfigurationError`` naming the parameter (`logNormal.p99`, `empirical[3]`, ...).
    public func validate() throws(ConfigurationError) {
        let max = ScenarioLimits.maxServiceTime
        switch self {
        case .constant(let duration):
            try SimulationCheck.that(duration >= .zero && duration <= max, "constant", DurationText.format(duration), "[0s, 1h]")
        case .logNormal(let median, let p99):
            try SimulationCheck.that(
                median > .zero && median <= max, "logNormal.median", DurationText.format(median), "(0s, 1h]")
            try SimulationCheck.that(
                p99 > median && p99 <= max, "logNormal.p99", DurationText.format(p99),
                "> median (\(DurationText.format(median))) and <= 1h")
            let spread = Double(SimulationMath.nanoseconds(p99)) / Double(SimulationMath.nanoseconds(median))
            try SimulationCheck.that(
                spread <= ScenarioLimits.maxLogNormalSpread, "logNormal.p99", DurationText.format(p99),
                "<= 1000 × median (\(DurationText.format(median)))")
        case .empirical(let durations):
            try SimulationCheck.that(!durations.isEmpty, "empirical", "[]", "at least one duration")
            for (index, duration) in durations.enumerated() {
                try SimulationCheck.that(
                    duration >= .zero && duration <= max, "empirical[\(index)]", DurationText.format(duration), "[0s, 1h]")
            }
        }
    }

    /// One service time, drawn from `random` as the type's documentation describes.
    ///
    /// For many samples, the simulator prepares the distribution once (``SimulatedDependency`` does);
    /// this convenience recomputes the log-normal's parameters on each call.
    public func sample(using random: inout SplitMix64) -> Duration {
        var sampler = ServiceTimeSampler(self)
        return sampler.sample(&random)
    }

    /// The mean: the constant; `median · exp(σ² / 2)` for the log-normal; the average of the list for
    /// an empirical distribution. Useful to size a dependency: `workers / mean` calls per second keep
    /// every worker busy.
    public var mean: Duration {
        switch self {
        case .constant(let duration):
            return duration
        case .logNormal(let median, _):
            let sampler = ServiceTimeSampler(self)
            let medianNanoseconds = Double(SimulationMath.nanoseconds(median))
            return SimulationMath.duration(
                nanoseconds: medianNanoseconds * SimulationMath.exponential(sampler.sigma * sampler.sigma / 2))
        case .empirical(let durations):
            guard !durations.isEmpty else { return .zero }
            var total: Int128 = 0
            for duration in durations { total += Int128(SimulationMath.nanoseconds(duration)) }
            let count = Int128(durations.count)
            return .nanoseconds(Int64((total + count / 2) / count))
        }
    }
}

/// A ``ServiceTimeDistribution`` prepared for sampling many times: the log-normal's `μ` and `σ`
/// computed once, the empirical list in nanoseconds.
struct ServiceTimeSampler: Sendable {
    private enum Kind: Sendable {
        case constant(Duration)
        case logNormal
        case empirical([Duration])
    }

    private let kind: Kind
    /// `ln(median in ns)` for the log-normal.
    let mu: Double
    /// `ln(p99 / median) / Φ⁻¹(0.99)` for the log-normal.
    let sigma: Double

    init(_ distribution: ServiceTimeDistribution) {
        switch distribution {
        case .constant(let duration):
            kind = .constant(duration)
            mu = 0
            sigma = 0
        case .logNormal(let median, let p99):
            kind = .logNormal
            let medianNanoseconds = Double(SimulationMath.nanoseconds(median))
            let p99Nanoseconds = Double(SimulationMath.nanoseconds(p99))
            mu = SimulationMath.naturalLog(medianNanoseconds)
            sigma = SimulationMath.naturalLog(p99Nanoseconds / medianNanoseconds) / ServiceTimeDistribution.normalQuantile99
        case .empirical(let durations):
            kind = .empirical(durations)
            mu = 0
            sigma = 0
        }
    }

    @inline(__always)
    mutating func sample(_ random: inout SplitMix64) -> Duration {
        switch kind {
        case .constant(let duration):
            return duration
        case .logNormal:
            let z = SimulationMath.standardNormal(&random)
            return SimulationMath.duration(nanoseconds: SimulationMath.exponential(mu + sigma * z))
        case .empirical(let durations):
            return durations[SimulationMath.index(below: durations.count, &random)]
        }
    }
}

/// The one validation step of the simulation's models, like the core's `ConfigurationError.check`.
enum SimulationCheck {
    static func that(_ ok: Bool, _ key: String, _ value: String, _ allowed: String) throws(ConfigurationError) {
        if !ok { throw ConfigurationError(key: key, value: value, allowed: allowed) }
    }

    /// A number as configuration files write it: `2` rather than `2.0`.
    static func text(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }
}
