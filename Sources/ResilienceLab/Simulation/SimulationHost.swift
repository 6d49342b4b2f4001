import Resilience
import ResilienceConfiguration
import Histogram

/// The ``PolicyRunHost`` of a simulation: calls come from a ``TrafficGenerator``, attempts go to a
/// ``SimulatedDependency``, and what clients and the dependency experience is measured. ``Simulator``
/// documents the rules.
struct SimulationHost: PolicyRunHost {
    typealias Run = PolicyRun<SimulationHost>

    /// A call in flight: when it arrived, which closed-loop client made it (`-1`: open loop), and
    /// until when a worker serves its current attempt (nil when no worker does).
    struct CallData {
        var arrivedAt: Duration
        var client: Int
        var servedUntil: Run.Instant?
    }

    /// The tags of host events (``PolicyRun/scheduleHostEvent(at:tag:)``); a tag `>= 0` is the arrival
    /// of that closed-loop client's next call.
    enum Tag {
        /// A worker of the dependency finishes a call whose client gave up.
        static let workerFree = -1
        /// The next open-loop arrival is due.
        static let openLoopArrival = -2
    }

    /// The policies that end calls, in ``SimulationResult/endedByPolicy``'s names.
    enum EndingPolicy: Int, CaseIterable {
        case timeout, circuitBreaker, loadShedder, rateLimiter, concurrencyLimit, bulkhead

        var name: String {
            switch self {
            case .timeout: "timeout"
            case .circuitBreaker: "circuitBreaker"
            case .loadShedder: "loadShedder"
            case .rateLimiter: "rateLimiter"
            case .concurrencyLimit: "concurrencyLimit"
            case .bulkhead: "bulkhead"
            }
        }

        /// The policy behind `code`; `shed` tells the load shedder's `loadShed` from the concurrency
        /// limit's.
        init(code: ResilienceError.Code, shed: Bool) {
            switch code {
            case .timedOut: self = .timeout
            case .circuitOpen, .halfOpenFull: self = .circuitBreaker
            case .rateLimited: self = .rateLimiter
            case .bulkheadFull: self = .bulkhead
            default: self = shed ? .loadShedder : .concurrencyLimit
            }
        }
    }

    var traffic: TrafficGenerator
    var dependency: SimulatedDependency
    /// The dependency's draws (service times, failures).
    var dependencyRandom: SplitMix64
    /// Whether the rate limiter keys its buckets by operation (by the operation's index).
    let keyByOperation: Bool

    /// The next open-loop arrival (scheduled as a host event), and each client's next call.
    var nextOpenLoop: TrafficArrival?
    var clientNext: [TrafficArrival?]

    // Measurements.
    var calls = 0
    var succeeded = 0
    var failed = 0
    var endedByPolicy = [Int](repeating: 0, count: EndingPolicy.allCases.count)
    var latency = LatencyRecorder()
    var successLatency = LatencyRecorder()
    var lastCallEnd: Duration = .zero
    let outageStart: Duration?
    let outageEnd: Duration?
    var timeToDetect: Duration?
    var timeToRecover: Duration?
    var breakerChanges: [SimulationResult.BreakerChange] = []
    /// The interval being measured, and its latencies.
    var interval = SimulationResult.Interval(start: .zero)
    var intervalLatency = IntervalLatencies()

    init(scenario: ScenarioDefinition, seed: UInt64, dependencyRandom: SplitMix64, keyByOperation: Bool) throws(LabInputError) {
        traffic = TrafficGenerator(model: scenario.traffic, duration: scenario.duration, seed: seed)
        do throws(ConfigurationError) {
            dependency = try SimulatedDependency(scenario.dependency)
        } catch {
            throw LabInputError(file: scenario.name, message: error.prefixingKey(with: "dependency").description)
        }
        self.dependencyRandom = dependencyRandom
        self.keyByOperation = keyByOperation
        clientNext = Array(repeating: nil, count: scenario.traffic.closedLoop?.clients ?? 0)
        (outageStart, outageEnd) = Self.firstOutage(of: scenario.dependency.behaviour)
    }

    /// The first time the dependency is down (a `down` phase, or the first down part of a `flapping`
    /// one), and when it comes back.
    static func firstOutage(of behaviour: DependencyBehaviour) -> (start: Duration?, end: Duration?) {
        let phases = behaviour.phases
        for (index, phase) in phases.enumerated() {
            let next = index + 1 < phases.count ? phases[index + 1].from : nil
            switch phase.condition {
            case .down:
                return (phase.from, next)
            case .flapping(let period, let downFraction):
                let down = SimulationMath.duration(nanoseconds: Double(SimulationMath.nanoseconds(period)) * downFraction)
                guard down > .zero else { continue }
                let end = phase.from + down
                return (phase.from, next.map { Swift.min($0, end) } ?? end)
            default:
                continue
            }
        }
        return (nil, nil)
    }

    // MARK: - Arrivals

    /// Schedules the first calls: the first open-loop arrival and each client's first call.
    static func scheduleFirstArrivals(_ run: inout Run) {
        scheduleNextOpenLoopArrival(&run)
        for arrival in run.host.traffic.startClients() {
            scheduleClientArrival(arrival, in: &run)
        }
    }

    static func scheduleNextOpenLoopArrival(_ run: inout Run) {
        guard let arrival = run.host.traffic.nextOpenLoopArrival() else { return }
        run.host.nextOpenLoop = arrival
        run.scheduleHostEvent(at: Run.Instant(offset: arrival.at), tag: Tag.openLoopArrival, increasing: true)
    }

    static func scheduleClientArrival(_ arrival: TrafficArrival, in run: inout Run) {
        guard case .client(let client) = arrival.source else { return }
        run.host.clientNext[client] = arrival
        run.scheduleHostEvent(at: Run.Instant(offset: arrival.at), tag: client)
    }

    static func start(_ arrival: TrafficArrival, client: Int, in run: inout Run, at now: Run.Instant) throws(LabInputError) {
        run.host.calls += 1
        run.host.interval.calls += 1
        let key = run.host.keyByOperation ? arrival.operation : nil
        try run.startCall(data: CallData(arrivedAt: arrival.at, client: client, servedUntil: nil), priority: arrival.priority, key: key, at: now)
    }

    // MARK: - PolicyRunHost

    static func hostEvent(_ run: inout Run, tag: Int, at now: Run.Instant) throws(LabInputError) {
        switch tag {
        case Tag.workerFree:
            freeWorker(&run, at: now)
        case Tag.openLoopArrival:
            guard let arrival = run.host.nextOpenLoop else { return }
            run.host.nextOpenLoop = nil
            scheduleNextOpenLoopArrival(&run)
            try start(arrival, client: -1, in: &run, at: now)
        default:
            guard let arrival = run.host.clientNext[tag] else { return }
            run.host.clientNext[tag] = nil
            try start(arrival, client: tag, in: &run, at: now)
        }
    }

    static func runDependency(_ run: inout Run, slot: Int, at now: Run.Instant) throws(LabInputError) {
        run.host.interval.dependencyReceived += 1
        let arrival = run.host.dependency.arrive(call: UInt64(slot), at: now.offset, random: &run.host.dependencyRandom)
        switch arrival {
        case .served(let answeredAt, let answer):
            let at = Run.Instant(offset: answeredAt)
            run.calls[slot].data.servedUntil = at
            run.answer(slot: slot, outcome: answer.wasServedSuccessfully ? .success : .failure, at: at)
        case .rejected(let answer):
            if case .rateLimited(let retryAfter) = answer { run.calls[slot].retryAfter = retryAfter }
            run.answer(slot: slot, outcome: .failure, at: now)
        case .queued:
            run.awaitAnswer(slot: slot)
        }
    }

    /// A served attempt's worker becomes free when its answer is due — at once when the client gets
    /// the answer, or (through a host event) at the end of its service time when the client gave up
    /// first: a worker serving a call goes on whether or not its client still waits. A client that
    /// gives up while its attempt is queued leaves the queue.
    static func attemptEnding(_ run: inout Run, slot: Int, end: AttemptEnd, reachedDependency: Bool, at now: Run.Instant) {
        guard reachedDependency else { return }
        let servedUntil = run.calls[slot].data.servedUntil
        run.calls[slot].data.servedUntil = nil
        if end == .policy(.timedOut) {
            run.host.dependency.abandon(call: UInt64(slot))
            if let servedUntil { run.scheduleHostEvent(at: servedUntil, tag: Tag.workerFree) }
        } else if servedUntil != nil {
            freeWorker(&run, at: now)
        }
    }

    /// A worker finished its call at `now`: the calls waiting in the queue start on the free workers.
    static func freeWorker(_ run: inout Run, at now: Run.Instant) {
        run.host.dependency.serviceEnded(at: now.offset)
        while let start = run.host.dependency.startNextWaiting(at: now.offset, random: &run.host.dependencyRandom) {
            let slot = Int(start.call)
            let at = Run.Instant(offset: start.answeredAt)
            if start.holdsWorker { run.calls[slot].data.servedUntil = at }
            run.answer(slot: slot, outcome: start.answer.wasServedSuccessfully ? .success : .failure, at: at)
        }
    }

    static func callEnded(_ run: inout Run, slot: Int, end: AttemptEnd, at now: Run.Instant) {
        let data = run.calls[slot].data
        let latency = SimulationMath.nanoseconds(attoseconds: now.offset.attoseconds - data.arrivedAt.attoseconds)
        run.host.intervalLatency.record(microseconds: run.host.latency.record(nanoseconds: latency))
        run.host.lastCallEnd = now.offset
        switch end {
        case .dependency(.success):
            run.host.succeeded += 1
            run.host.interval.succeeded += 1
            run.host.successLatency.record(nanoseconds: latency)
            if run.host.timeToRecover == nil, let outageEnd = run.host.outageEnd, now.offset >= outageEnd {
                run.host.timeToRecover = now.offset - outageEnd
            }
        case .dependency:
            run.host.failed += 1
            run.host.interval.failed += 1
        case .policy(let code):
            run.host.endedByPolicy[EndingPolicy(code: code, shed: run.calls[slot].shed).rawValue] += 1
            run.host.interval.endedByPolicy += 1
            if code != .timedOut, run.host.timeToDetect == nil, let outageStart = run.host.outageStart,
               now.offset >= outageStart {
                run.host.timeToDetect = now.offset - outageStart
            }
        }
        if data.client >= 0, let next = run.host.traffic.clientCallEnded(client: data.client, at: now.offset) {
            scheduleClientArrival(next, in: &run)
        }
    }

    static func breakerChanged(_ run: inout Run, _ transition: CircuitTransition, at now: Run.Instant) {
        run.host.breakerChanges.append(.init(at: now.offset, from: transition.from, to: transition.to))
    }
}

extension DependencyAnswer {
    /// Whether the client gets a successful answer.
    var wasServedSuccessfully: Bool { self == .success }
}
