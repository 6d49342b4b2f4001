import Resilience
import ResilienceConfiguration

/// Produces the calls of a ``TrafficModel`` over `[0, duration)`, deterministically for a seed.
///
/// ```swift
/// var traffic = TrafficGenerator(model: model, duration: .seconds(60), seed: 42)
/// while let arrival = traffic.nextOpenLoopArrival() { calendar.schedule(arrival) }   // or one at a time
/// for arrival in traffic.startClients() { calendar.schedule(arrival) }
/// // when client c's call ends at t:
/// if let next = traffic.clientCallEnded(client: c, at: t) { calendar.schedule(next) }
/// ```
///
/// **Open loop.** ``nextOpenLoopArrival()`` returns the Poisson arrivals and the bursts' calls merged in
/// time order (at one instant: Poisson first, then bursts by index), then `nil`. The event loop may pull
/// one ahead at a time. *Poisson with a changing rate*, exactly, by time change: each gap is a
/// standard exponential `E = −ln U` (`U ∈ (0, 1]` from one draw) measured in expected arrivals, and the
/// next arrival is where the integrated rate `∫ rate(t) dt` from the previous one reaches `E` — within
/// the current rate phase that is `E / rate` seconds; at a phase's end, the unused part of `E` carries
/// into the next phase (the exponential is memoryless, so this is an exact Poisson process with a
/// piecewise-constant rate). Instants are rounded to the nanosecond. *Bursts*: `calls` uniform instants
/// in `[at, at + over)`, produced in order as successive minima: with `k` calls left after instant `p`,
/// the next is `p + (at + over − p)·(1 − U^(1/k))`. Arrivals at or after `duration` are not produced.
///
/// **Closed loop.** ``startClients()`` returns each client's first call (one think time after 0);
/// after the event loop reports the end of a client's call with ``clientCallEnded(client:at:)``, the
/// client's next call comes one think time later. A client never has two calls in flight: reporting the
/// end of a call it does not have traps.
///
/// **Randomness.** Independent ``SplitMix64`` streams, seeded from the first outputs of
/// `SplitMix64(seed: seed)`: Poisson gaps, burst instants, open-loop priorities and operations, think
/// times, closed-loop priorities and operations. So the open-loop calls are the same whatever happens
/// to them (the same seed gives every policy the same traffic), and a priority draws nothing from
/// the instants' stream. Priority then operation are drawn for each call, each only if its mix has
/// more than one entry.
public struct TrafficGenerator: Sendable {
    /// The model being generated.
    public let model: TrafficModel
    /// The end of the traffic: no call arrives at or after it.
    public let duration: Duration

    private let durationNanoseconds: Int64
    private let rateStarts: [Int64]
    private let ratesPerNanosecond: [Double]

    private var poissonRandom: SplitMix64
    private var burstRandom: SplitMix64
    private var openAttributeRandom: SplitMix64
    private var thinkRandom: SplitMix64
    private var closedAttributeRandom: SplitMix64

    // The next Poisson arrival (nil when there is none before the end) and the rate phase it is in.
    private var nextPoisson: Int64?
    private var poissonPhase = -1

    private struct BurstState: Sendable {
        var next: Int64?
        var position: Double
        var end: Double
        var remaining: Int
    }
    private var bursts: [BurstState]

    private var thinkTime: ServiceTimeSampler
    private var clientInFlight: [Bool]
    private var clientsStarted = false

    /// Open-loop calls produced so far.
    public private(set) var openLoopCalls = 0
    /// Closed-loop calls produced so far.
    public private(set) var closedLoopCalls = 0

    /// A generator of `model`'s calls over `[0, duration)`.
    public init(model: TrafficModel, duration: Duration, seed: UInt64) {
        self.model = model
        self.duration = duration
        durationNanoseconds = max(0, SimulationMath.nanoseconds(duration))
        rateStarts = model.rates.map { SimulationMath.nanoseconds($0.from) }
        ratesPerNanosecond = model.rates.map { $0.ratePerSecond / 1e9 }
        var seeds = SplitMix64(seed: seed)
        poissonRandom = SplitMix64(seed: seeds.next())
        burstRandom = SplitMix64(seed: seeds.next())
        openAttributeRandom = SplitMix64(seed: seeds.next())
        thinkRandom = SplitMix64(seed: seeds.next())
        closedAttributeRandom = SplitMix64(seed: seeds.next())
        bursts = model.bursts.map { burst in
            let at = Double(SimulationMath.nanoseconds(burst.at))
            return BurstState(
                next: nil, position: at, end: at + Double(SimulationMath.nanoseconds(burst.over)), remaining: burst.calls)
        }
        thinkTime = ServiceTimeSampler(model.closedLoop?.thinkTime ?? .constant(.zero))
        clientInFlight = Array(repeating: false, count: model.closedLoop?.clients ?? 0)
        if let first = rateStarts.first {
            nextPoisson = poissonArrival(after: first, phase: 0)
        }
        for index in bursts.indices {
            advanceBurst(index)
        }
    }

    /// The next open-loop call in time order, or `nil` when there are no more before ``duration``.
    public mutating func nextOpenLoopArrival() -> TrafficArrival? {
        var instant = nextPoisson ?? Int64.max
        var source = TrafficArrival.Source.poisson
        for index in bursts.indices {
            if let next = bursts[index].next, next < instant {
                instant = next
                source = .burst(index)
            }
        }
        guard instant < durationNanoseconds else { return nil }
        switch source {
        case .poisson:
            nextPoisson = poissonArrival(after: instant, phase: poissonPhase)
        case .burst(let index):
            advanceBurst(index)
        case .client:
            break
        }
        openLoopCalls += 1
        return arrival(at: instant, source: source, random: &openAttributeRandom)
    }

    /// Each closed-loop client's first call, one think time after the start (clients whose first call
    /// would come at or after ``duration`` make none). Call once.
    public mutating func startClients() -> [TrafficArrival] {
        precondition(!clientsStarted, "startClients() called twice")
        clientsStarted = true
        var arrivals: [TrafficArrival] = []
        for client in clientInFlight.indices {
            if let arrival = nextClientCall(client: client, after: 0) { arrivals.append(arrival) }
        }
        return arrivals
    }

    /// Client `client`'s call ended at `now`; returns its next call, one think time later, or `nil` if
    /// that is at or after ``duration``.
    public mutating func clientCallEnded(client: Int, at now: Duration) -> TrafficArrival? {
        precondition(clientInFlight.indices.contains(client) && clientInFlight[client],
                     "clientCallEnded(client: \(client)) for a client without a call in flight")
        clientInFlight[client] = false
        return nextClientCall(client: client, after: SimulationMath.nanoseconds(now))
    }

    /// Whether closed-loop client `client` has a call in flight.
    public func hasCallInFlight(client: Int) -> Bool { clientInFlight[client] }

    // MARK: - Internals

    private mutating func nextClientCall(client: Int, after instant: Int64) -> TrafficArrival? {
        let think = SimulationMath.nanoseconds(thinkTime.sample(&thinkRandom))
        let (at, overflow) = instant.addingReportingOverflow(think)
        guard !overflow, at < durationNanoseconds else { return nil }
        clientInFlight[client] = true
        closedLoopCalls += 1
        return arrival(at: at, source: .client(client), random: &closedAttributeRandom)
    }

    @inline(__always)
    private func arrival(at instant: Int64, source: TrafficArrival.Source, random: inout SplitMix64) -> TrafficArrival {
        let priority = model.priorities.pick(&random)
        let operation = model.operations.pickIndex(&random)
        return TrafficArrival(at: .nanoseconds(instant), priority: priority, operation: operation, source: source)
    }

    /// The Poisson arrival after `instant`, which lies in rate phase `phase` (see the type's
    /// documentation); updates ``poissonPhase``.
    private mutating func poissonArrival(after instant: Int64, phase: Int) -> Int64? {
        var remaining = SimulationMath.standardExponential(&poissonRandom)
        var position = instant
        var phase = phase
        while position < durationNanoseconds {
            let next = phase + 1
            let end = min(next < rateStarts.count ? rateStarts[next] : Int64.max, durationNanoseconds)
            let rate = ratesPerNanosecond[phase]
            if rate > 0 {
                let expected = Double(end - position) * rate
                if remaining <= expected {
                    poissonPhase = phase
                    let gap = SimulationMath.nearestInteger(remaining / rate)
                    return position + gap
                }
                remaining -= expected
            }
            position = end
            phase = next
            if phase >= rateStarts.count { break }
        }
        poissonPhase = phase
        return nil
    }

    private mutating func advanceBurst(_ index: Int) {
        var burst = bursts[index]
        guard burst.remaining > 0 else {
            bursts[index].next = nil
            return
        }
        if burst.end > burst.position {
            let u = SimulationMath.openClosedUnitInterval(&burstRandom)
            let step = 1 - SimulationMath.power(u, 1 / Double(burst.remaining))
            burst.position += (burst.end - burst.position) * step
        }
        burst.remaining -= 1
        burst.next = Int64(burst.position.rounded(.down))
        bursts[index] = burst
    }
}

/// One call of simulated traffic.
public struct TrafficArrival: Sendable, Hashable {
    /// Where a call comes from.
    public enum Source: Sendable, Hashable {
        /// The open-loop Poisson process.
        case poisson
        /// Burst number `index` of ``TrafficModel/bursts``.
        case burst(Int)
        /// Closed-loop client number `index` (report the call's end to
        /// ``TrafficGenerator/clientCallEnded(client:at:)``).
        case client(Int)
    }

    /// When the call is made.
    public var at: Duration
    /// Its priority.
    public var priority: Priority
    /// Its operation type: an index into ``TrafficModel/operations``' entries (an integer rather than a
    /// string on the per-call path).
    public var operation: Int
    /// Where it comes from.
    public var source: Source

    /// Creates an arrival.
    public init(at: Duration, priority: Priority, operation: Int, source: Source) {
        self.at = at
        self.priority = priority
        self.operation = operation
        self.source = source
    }
}
