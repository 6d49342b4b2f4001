import Resilience
import ResilienceConfiguration

/// How a simulated dependency behaves over time: a timeline of phases, each in force from its instant
/// until the next phase's instant (the last one until the end). Before the first phase it is healthy.
///
/// ```swift
/// let outage = try DependencyBehaviour(phases: [
///     .init(from: .seconds(30), condition: .down),
///     .init(from: .seconds(60), condition: .healthy),
/// ])
/// outage.condition(at: .seconds(45))   // .down
/// ```
///
/// Instants are offsets from the start of the simulation. Validation (``init(phases:)``): instants are
/// `>= 0` and strictly increasing; each condition's parameters are in range (see ``Condition``).
public struct DependencyBehaviour: Sendable, Hashable {
    /// What the dependency does to calls while a phase lasts.
    ///
    /// When it applies: the admission conditions (``down``, ``rateLimiting(capacityPerSecond:retryAfter:)``,
    /// and the down half of ``flapping(period:downFraction:)``) are decided when a call arrives, and
    /// again when a queued call is about to start on a worker (a call waiting in the queue when the
    /// dependency goes down is refused when its turn comes; the rate limit is only checked at arrival).
    /// The service conditions (``failing(fraction:)``, ``brownout(latencyMultiplier:)``) are decided
    /// when the call starts on a worker: a call keeps the answer and service time drawn then, even if
    /// the phase changes while it is served.
    public enum Condition: Sendable, Hashable {
        /// Every call is served and succeeds after its service time.
        case healthy
        /// Each served call fails with probability `fraction` (in `[0, 1]`), answering
        /// ``DependencyAnswer/failure`` after its full service time (a 500, not a refused connection).
        case failing(fraction: Double)
        /// Every service time is multiplied by `latencyMultiplier` (in `[1, 1000]`): the same workers serve
        /// fewer calls per second, so queues grow when traffic stays the same.
        case brownout(latencyMultiplier: Double)
        /// Every call is answered ``DependencyAnswer/refused`` at once, without a worker or service
        /// time (connection refused).
        case down
        /// Down for the first `downFraction` (in `[0, 1]`) of each `period` (in `[1ms, 24h]`), counted from the
        /// phase's start, healthy for the rest: down during `[start + k·period, start + k·period +
        /// downFraction·period)`, rounded to the nanosecond.
        case flapping(period: Duration, downFraction: Double)
        /// A token bucket holding up to `max(1, capacityPerSecond)` tokens, full when the phase starts
        /// and refilled at `capacityPerSecond` (in `[0.01, 1e9]`) tokens per second: an arriving call takes a
        /// token, or is answered ``DependencyAnswer/rateLimited(retryAfter:)`` at once with the
        /// `retryAfter` (in `[0s, 1h]`; 0 means "retry at once", as `Retry-After: 0` does in HTTP) hint when there is none.
        case rateLimiting(capacityPerSecond: Double, retryAfter: Duration)

        /// Checks the parameters.
        /// - Throws: ``ConfigurationError`` naming the parameter (`fraction`, `latencyMultiplier`,
        ///   `period`, `downFraction`, `capacityPerSecond`, `retryAfter`).
        public func validate() throws(ConfigurationError) {
            switch self {
            case .healthy, .down:
                break
            case .failing(let fraction):
                try SimulationCheck.that(fraction >= 0 && fraction <= 1, "fraction", SimulationCheck.text(fraction), "[0, 1]")
            case .brownout(let multiplier):
                try SimulationCheck.that(
                    multiplier >= 1 && multiplier <= ScenarioLimits.maxLatencyMultiplier, "latencyMultiplier",
                    SimulationCheck.text(multiplier), "[1, 1000]")
            case .flapping(let period, let downFraction):
                try SimulationCheck.that(
                    period >= ScenarioLimits.minFlappingPeriod && period <= ScenarioLimits.maxFlappingPeriod, "period",
                    DurationText.format(period), "[1ms, 24h]")
                try SimulationCheck.that(
                    downFraction >= 0 && downFraction <= 1, "downFraction", SimulationCheck.text(downFraction), "[0, 1]")
            case .rateLimiting(let capacity, let retryAfter):
                try SimulationCheck.that(
                    capacity >= ScenarioLimits.minRateLimitCapacity && capacity <= ScenarioLimits.maxRateLimitCapacity,
                    "capacityPerSecond", SimulationCheck.text(capacity), "[0.01, 1000000000]")
                try SimulationCheck.that(
                    retryAfter >= .zero && retryAfter <= ScenarioLimits.maxRetryAfter, "retryAfter",
                    DurationText.format(retryAfter), "[0s, 1h]")
            }
        }
    }

    /// One phase: `condition` from the instant `from` until the next phase starts.
    public struct Phase: Sendable, Hashable {
        /// When the phase starts, from the start of the simulation.
        public var from: Duration
        /// What the dependency does meanwhile.
        public var condition: Condition

        /// Creates a phase.
        public init(from: Duration, condition: Condition) {
            self.from = from
            self.condition = condition
        }
    }

    /// The phases, in time order.
    public let phases: [Phase]

    /// A dependency that is healthy all the time.
    public static let alwaysHealthy = DependencyBehaviour(unchecked: [])

    /// A timeline of `phases`.
    /// - Throws: ``ConfigurationError`` naming `phases[i].from` when instants are negative or not
    ///   strictly increasing, or `phases[i].<parameter>` when a condition's parameter is out of range
    ///   (`phases[2].fraction: 1.5 is not allowed; allowed: [0, 1]`).
    public init(phases: [Phase]) throws(ConfigurationError) {
        self.phases = phases
        try validate()
    }

    /// A timeline of `phases`, not validated: for the built-in scenarios only, whose tests call
    /// ``ScenarioDefinition/validate()`` (which checks the phases through ``validate()``).
    init(unchecked phases: [Phase]) {
        self.phases = phases
    }

    /// Checks the phases, as ``init(phases:)`` does.
    /// - Throws: ``ConfigurationError`` naming `phases[i].from` or `phases[i].<parameter>`.
    public func validate() throws(ConfigurationError) {
        for (index, phase) in phases.enumerated() {
            let key = "phases[\(index)]"
            if index == 0 {
                try SimulationCheck.that(phase.from >= .zero, "\(key).from", DurationText.format(phase.from), ">= 0")
            } else {
                let previous = phases[index - 1].from
                try SimulationCheck.that(
                    phase.from > previous, "\(key).from", DurationText.format(phase.from),
                    "> \(DurationText.format(previous)) (phases[\(index - 1)].from)")
            }
            do {
                try phase.condition.validate()
            } catch {
                throw error.prefixingKey(with: key)
            }
        }
    }

    /// The condition in force at `instant` (``Condition/healthy`` before the first phase). A
    /// ``Condition/flapping(period:downFraction:)`` phase is returned as it is; see
    /// ``isDown(at:)`` for which half of the period an instant falls in.
    public func condition(at instant: Duration) -> Condition {
        let index = phaseIndex(at: instant)
        return index < 0 ? .healthy : phases[index].condition
    }

    /// Whether every call arriving at `instant` is refused: in a ``Condition/down`` phase, or in the
    /// down part of a ``Condition/flapping(period:downFraction:)`` period.
    public func isDown(at instant: Duration) -> Bool {
        let index = phaseIndex(at: instant)
        guard index >= 0 else { return false }
        return Self.isDown(phases[index], at: instant)
    }

    /// The index of the phase in force at `instant`, or −1 before the first one (binary search).
    func phaseIndex(at instant: Duration) -> Int {
        var low = 0
        var high = phases.count
        while low < high {
            let middle = (low + high) / 2
            if phases[middle].from <= instant { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    @inline(__always)
    static func isDown(_ phase: Phase, at instant: Duration) -> Bool {
        switch phase.condition {
        case .down:
            return true
        case .flapping(let period, let downFraction):
            let periodNanoseconds = SimulationMath.nanoseconds(period)
            let intoPeriod = SimulationMath.nanoseconds(instant - phase.from) % periodNanoseconds
            let downNanoseconds = Int64((Double(periodNanoseconds) * downFraction).rounded())
            return intoPeriod < downNanoseconds
        default:
            return false
        }
    }
}
