import Resilience
import ResilienceConfiguration

/// The shape of a simulated dependency: how many calls it serves at once, how many wait, how long each
/// takes and how it behaves over time. ``SimulatedDependency`` runs it.
///
/// ```swift
/// let database = try DependencyModel(
///     workers: 50, maxQueue: 100,
///     serviceTime: .logNormal(median: .milliseconds(20), p99: .milliseconds(200)),
///     behaviour: DependencyBehaviour(phases: [.init(from: .seconds(30), condition: .down),
///                                             .init(from: .seconds(60), condition: .healthy)]))
/// ```
///
/// With a log-normal service time, the dependency serves about `workers / serviceTime.mean` calls per
/// second while healthy (50 workers at 20 ms median, 200 ms p99: 50 / 32.6 ms ≈ 1,530 calls/s).
public struct DependencyModel: Sendable, Hashable {
    /// Calls served at the same time (`>= 1`).
    public var workers: Int
    /// Calls that may wait, first in first out, when every worker is busy (`>= 0`); one more is
    /// answered ``DependencyAnswer/overloaded`` at once.
    public var maxQueue: Int
    /// How long a worker works on a call (before a brownout's multiplier).
    public var serviceTime: ServiceTimeDistribution
    /// How the dependency behaves over time.
    public var behaviour: DependencyBehaviour

    /// Creates a model and validates it.
    /// - Throws: ``ConfigurationError`` naming `workers`, `maxQueue` or `serviceTime.<parameter>`.
    public init(
        workers: Int, maxQueue: Int, serviceTime: ServiceTimeDistribution,
        behaviour: DependencyBehaviour = .alwaysHealthy
    ) throws(ConfigurationError) {
        self.workers = workers
        self.maxQueue = maxQueue
        self.serviceTime = serviceTime
        self.behaviour = behaviour
        try validate()
    }

    /// A model that is not validated: for the built-in scenarios only, whose tests call ``validate()``.
    init(
        unchecked workers: Int, maxQueue: Int, serviceTime: ServiceTimeDistribution,
        behaviour: DependencyBehaviour = .alwaysHealthy
    ) {
        self.workers = workers
        self.maxQueue = maxQueue
        self.serviceTime = serviceTime
        self.behaviour = behaviour
    }

    /// Checks every field, the behaviour's phases included (``DependencyBehaviour/validate()``).
    /// - Throws: ``ConfigurationError`` naming `workers`, `maxQueue`, `serviceTime.<parameter>`,
    ///   `phases[i].from` or `phases[i].<parameter>`.
    public func validate() throws(ConfigurationError) {
        try SimulationCheck.that(workers >= 1 && workers <= 1_000_000, "workers", String(workers), "1...1000000")
        try SimulationCheck.that(maxQueue >= 0 && maxQueue <= 10_000_000, "maxQueue", String(maxQueue), "0...10000000")
        do {
            try serviceTime.validate()
        } catch {
            throw error.prefixingKey(with: "serviceTime")
        }
        try behaviour.validate()
    }
}
