import Resilience
import ResilienceConfiguration

/// The calls clients make: open-loop arrivals (a Poisson process whose rate changes over time, plus
/// bursts) and closed-loop clients, each call with a priority and an operation type.
/// ``TrafficGenerator`` produces the calls.
///
/// ```swift
/// let traffic = try TrafficModel(
///     rates: [.init(from: .zero, ratePerSecond: 1_000), .init(from: .seconds(30), ratePerSecond: 1_500)],
///     bursts: [.init(at: .seconds(20), calls: 3_000, over: .seconds(1))],
///     priorities: WeightedMix([(.normal, 0.8), (.high, 0.2)]),
///     operations: WeightedMix([("read", 0.9), ("write", 0.1)]))
/// ```
///
/// - **Open loop** (arrivals that do not wait for answers, like users on the internet): a Poisson
///   process whose rate is piecewise constant — ``rates``, each rate in force from its instant until the
///   next one; no arrivals before the first — plus ``bursts``.
/// - **Closed loop** (a fixed set of clients that wait for each answer, like workers draining a
///   queue): ``closedLoop``.
public struct TrafficModel: Sendable, Hashable {
    /// An open-loop rate from an instant on.
    public struct RatePhase: Sendable, Hashable {
        /// When this rate starts, from the start of the simulation.
        public var from: Duration
        /// Mean arrivals per second (in `0...1000000000`; 0 is a quiet period).
        public var ratePerSecond: Double

        /// Creates a rate phase.
        public init(from: Duration, ratePerSecond: Double) {
            self.from = from
            self.ratePerSecond = ratePerSecond
        }
    }

    /// Extra open-loop calls: exactly `calls` arrivals at instants drawn uniformly in
    /// `[at, at + over)` (all at `at` when `over` is 0).
    public struct Burst: Sendable, Hashable {
        /// When the burst starts.
        public var at: Duration
        /// How many calls it adds (`>= 1`).
        public var calls: Int
        /// How long it lasts (`>= 0`).
        public var over: Duration

        /// Creates a burst.
        public init(at: Duration, calls: Int, over: Duration) {
            self.at = at
            self.calls = calls
            self.over = over
        }
    }

    /// Clients that each make one call at a time: a client makes its first call one think time after
    /// the start, and each next call one think time after its previous call ended (answered, failed,
    /// rejected or given up — whatever the event loop reports to
    /// ``TrafficGenerator/clientCallEnded(client:at:)``).
    public struct ClosedLoop: Sendable, Hashable {
        /// How many clients (`>= 1`).
        public var clients: Int
        /// The pause between the end of a client's call and its next call.
        public var thinkTime: ServiceTimeDistribution

        /// Creates closed-loop clients.
        public init(clients: Int, thinkTime: ServiceTimeDistribution) {
            self.clients = clients
            self.thinkTime = thinkTime
        }
    }

    /// The open-loop Poisson rate over time, by strictly increasing `from`.
    public var rates: [RatePhase]
    /// Open-loop bursts on top of the Poisson arrivals.
    public var bursts: [Burst]
    /// Closed-loop clients, if any.
    public var closedLoop: ClosedLoop?
    /// The priority of each call.
    public var priorities: WeightedMix<Priority>
    /// The operation type of each call (a low-cardinality name such as `"read"`).
    public var operations: WeightedMix<String>

    /// Creates and validates a traffic model.
    /// - Throws: ``ConfigurationError`` naming the field: `rates[i].from`, `rates[i].ratePerSecond`,
    ///   `bursts[i].calls`, `bursts[i].at`, `bursts[i].over`, `closedLoop.clients`,
    ///   `closedLoop.thinkTime.<parameter>`.
    public init(
        rates: [RatePhase] = [], bursts: [Burst] = [], closedLoop: ClosedLoop? = nil,
        priorities: WeightedMix<Priority> = .only(.normal), operations: WeightedMix<String> = .only("call")
    ) throws(ConfigurationError) {
        self.rates = rates
        self.bursts = bursts
        self.closedLoop = closedLoop
        self.priorities = priorities
        self.operations = operations
        try validate()
    }

    /// A traffic model that is not validated: for the built-in scenarios only, whose tests call
    /// ``validate()``.
    init(
        unchecked rates: [RatePhase], bursts: [Burst] = [], closedLoop: ClosedLoop? = nil,
        priorities: WeightedMix<Priority> = .only(.normal), operations: WeightedMix<String> = .only("call")
    ) {
        self.rates = rates
        self.bursts = bursts
        self.closedLoop = closedLoop
        self.priorities = priorities
        self.operations = operations
    }

    /// Checks every field (see ``init(rates:bursts:closedLoop:priorities:operations:)``), the mixes
    /// included (``WeightedMix/validate()``, keys `priorities[i].weight`, `operations[i]`, ...).
    public func validate() throws(ConfigurationError) {
        for (index, rate) in rates.enumerated() {
            let key = "rates[\(index)]"
            if index == 0 {
                try SimulationCheck.that(rate.from >= .zero, "\(key).from", DurationText.format(rate.from), ">= 0")
            } else {
                let previous = rates[index - 1].from
                try SimulationCheck.that(
                    rate.from > previous, "\(key).from", DurationText.format(rate.from),
                    "> \(DurationText.format(previous)) (rates[\(index - 1)].from)")
            }
            try SimulationCheck.that(
                rate.ratePerSecond >= 0 && rate.ratePerSecond <= 1e9, "\(key).ratePerSecond",
                SimulationCheck.text(rate.ratePerSecond), "0...1000000000")
        }
        for (index, burst) in bursts.enumerated() {
            let key = "bursts[\(index)]"
            try SimulationCheck.that(burst.at >= .zero, "\(key).at", DurationText.format(burst.at), ">= 0")
            try SimulationCheck.that(burst.calls >= 1 && burst.calls <= 100_000_000, "\(key).calls", String(burst.calls), "1...100000000")
            try SimulationCheck.that(burst.over >= .zero, "\(key).over", DurationText.format(burst.over), ">= 0")
        }
        if let closedLoop {
            try SimulationCheck.that(
                closedLoop.clients >= 1 && closedLoop.clients <= 1_000_000, "closedLoop.clients", String(closedLoop.clients),
                "1...1000000")
            do {
                try closedLoop.thinkTime.validate()
            } catch {
                throw error.prefixingKey(with: "closedLoop.thinkTime")
            }
            // A client that never pauses, against a dependency that answers at once, would call forever
            // at one instant.
            try SimulationCheck.that(
                closedLoop.thinkTime.mean > .zero, "closedLoop.thinkTime", "a mean of 0s", "a mean > 0")
        }
        do {
            try priorities.validate()
        } catch {
            throw Self.key(error, in: "priorities")
        }
        do {
            try operations.validate()
        } catch {
            throw Self.key(error, in: "operations")
        }
    }

    /// How many calls the traffic is expected to make in `[0, duration)`: each rate times how long it
    /// lasts before `duration`, every burst's calls, and for closed-loop clients `clients × duration /
    /// mean think time` (an upper bound: a client's calls also wait for their answers). Infinite when
    /// a think time's mean is 0.
    public func expectedCalls(over duration: Duration) -> Double {
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var calls = 0.0
        for (index, rate) in rates.enumerated() where rate.from < duration {
            let end = index + 1 < rates.count ? Swift.min(rates[index + 1].from, duration) : duration
            calls += rate.ratePerSecond * seconds(end - rate.from)
        }
        for burst in bursts { calls += Double(burst.calls) }
        if let closedLoop {
            let mean = seconds(closedLoop.thinkTime.mean)
            calls += mean > 0 ? Double(closedLoop.clients) * seconds(duration) / mean : .infinity
        }
        return calls
    }

    /// A mix's error with the mix's name in front of its key: `priorities` for the mix itself (key
    /// `""`), `priorities[1].weight` for an entry.
    private static func key(_ error: ConfigurationError, in mix: String) -> ConfigurationError {
        let key = error.key.isEmpty || error.key.hasPrefix("[") ? mix + error.key : "\(mix).\(error.key)"
        return ConfigurationError(key: key, value: error.value, allowed: error.allowed)
    }
}
