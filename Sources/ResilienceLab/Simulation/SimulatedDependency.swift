import Resilience
import ResilienceConfiguration

/// A dependency (a server with workers and a queue) in virtual time: a pure state machine that an
/// event loop drives with explicit instants. No clock, no async, no allocation per call once its
/// queue has grown to its largest size.
///
/// **Protocol.** The event loop owns the clock and the calendar of events; instants passed in never
/// go backwards.
/// 1. A call reaches the dependency: ``arrive(call:at:random:)``. The answer is
///    - ``Arrival/served(answeredAt:answer:)``: a worker started on it at once and stays busy until
///      `answeredAt`. Schedule an event at `answeredAt`; then call ``serviceEnded(at:)`` *whether or
///      not the client still waits* — a client that gave up does not free the worker.
///    - ``Arrival/rejected(_:)``: answered at once (``DependencyAnswer/overloaded``,
///      ``DependencyAnswer/rateLimited(retryAfter:)`` or ``DependencyAnswer/refused``); no worker.
///    - ``Arrival/queued``: waiting, first in first out.
/// 2. At a scheduled `answeredAt`: ``serviceEnded(at:)``, then
///    `while let start = dependency.startNextWaiting(at: now, random: &random) { ... }`: each
///    ``DependencyStart`` is a queued call leaving the queue at that instant — served until its
///    `answeredAt` (schedule it like a served arrival), or refused at once because the dependency went
///    down while it waited (the worker stays free for the next one).
/// 3. A client gives up (its timeout fires) before the answer: ``abandon(call:)``. A queued call leaves
///    the queue; a call being served keeps its worker busy until its service time ends. This is what
///    makes overload emergent: timed-out calls still cost the server, and their retries add to the load.
///
/// ```swift
/// var dependency = try SimulatedDependency(DependencyModel(workers: 2, maxQueue: 1, serviceTime: .constant(.milliseconds(10))))
/// var random = SplitMix64(seed: 1)
/// dependency.arrive(call: 1, at: .zero, random: &random)   // .served(answeredAt: 10ms, answer: .success)
/// dependency.arrive(call: 2, at: .zero, random: &random)   // .served(answeredAt: 10ms, answer: .success)
/// dependency.arrive(call: 3, at: .zero, random: &random)   // .queued
/// dependency.arrive(call: 4, at: .zero, random: &random)   // .rejected(.overloaded)
/// dependency.serviceEnded(at: .milliseconds(10))
/// dependency.startNextWaiting(at: .milliseconds(10), random: &random)   // call 3, answered at 20ms
/// ```
///
/// **What is decided when** (see ``DependencyBehaviour/Condition``): at arrival, in this order: down →
/// `refused`; rate limited without a token → `rateLimited`; a free worker and nobody waiting → served;
/// room in the queue → queued; else `overloaded`. When a call starts on a worker, its service time is
/// drawn (times a brownout's multiplier, rounded to the nanosecond), then — in a failing phase — one
/// more draw decides failure (`U < fraction`, `U` uniform in `[0, 1)`). A queued call starting while the
/// dependency is down is refused at that instant.
///
/// **Randomness.** Draws come from the `random` the event loop passes in: the service-time draws
/// (``ServiceTimeDistribution``), then one draw for failure in a failing phase with `0 < fraction < 1`;
/// nothing for rejections.
public struct SimulatedDependency: Sendable {
    /// What ``arrive(call:at:random:)`` answers.
    public enum Arrival: Sendable, Hashable {
        /// A worker started on the call at once; it answers `answer` (success or failure) at
        /// `answeredAt`, when the worker becomes free (report it with ``serviceEnded(at:)``).
        case served(answeredAt: Duration, answer: DependencyAnswer)
        /// Answered at once, without a worker: overloaded, rate limited or refused.
        case rejected(DependencyAnswer)
        /// Waiting in the queue for a worker: ``startNextWaiting(at:random:)`` reports when it starts.
        case queued
    }

    private struct Waiting: Sendable {
        var call: UInt64
        var queuedAt: Duration
        var abandoned: Bool
    }

    /// The model this dependency runs.
    public let model: DependencyModel
    private var sampler: ServiceTimeSampler
    private let phases: [DependencyBehaviour.Phase]

    /// Workers serving a call right now.
    public private(set) var busyWorkers = 0
    /// Calls waiting for a worker right now.
    public private(set) var queueLength = 0
    /// What happened so far.
    public private(set) var counters = DependencyCounters()

    // The queue: `waiting[head...]`, abandoned entries marked and skipped. `positions` maps a waiting
    // call to its absolute position (index + `dropped`), for abandonment in O(1).
    private var waiting: [Waiting] = []
    private var head = 0
    private var dropped = 0
    private var positions: [UInt64: Int] = [:]

    // The phase in force at the last instant seen (−1 before the first phase), and where it starts and
    // ends in attoseconds (compared inline).
    private var phaseIndex = -1
    private var phaseStart: Int128 = 0
    private var phaseEnd: Int128 = 0

    // The token bucket of a rate-limiting phase: which phase it belongs to, tokens, last refill.
    private var bucketPhase = -1
    private var bucketTokens = 0.0
    private var bucketUpdated: Duration = .zero

    /// A dependency running `model`, idle and healthy at instant zero.
    /// - Throws: ``ConfigurationError`` if the model is invalid (a model built with its initialiser
    ///   already is valid; one changed through its fields may not be).
    public init(_ model: DependencyModel) throws(ConfigurationError) {
        try model.validate()
        self.model = model
        sampler = ServiceTimeSampler(model.serviceTime)
        phases = model.behaviour.phases
        phaseEnd = phases.first?.from.attoseconds ?? Int128.max
        waiting.reserveCapacity(min(model.maxQueue, 65_536))
        positions.reserveCapacity(min(model.maxQueue, 65_536))
    }

    /// A call reaches the dependency at `now`. See the type's documentation for what is decided.
    /// - Parameter call: the event loop's identifier of this call (an attempt, for a retried call);
    ///   unique among calls waiting in the queue.
    @discardableResult
    public mutating func arrive(call: UInt64, at now: Duration, random: inout SplitMix64) -> Arrival {
        counters.received += 1
        let phase = currentPhase(at: now)
        if phase >= 0 {
            let current = phases[phase]
            if DependencyBehaviour.isDown(current, at: now) {
                counters.refused += 1
                return .rejected(.refused)
            }
            if case .rateLimiting(let capacity, let retryAfter) = current.condition,
               !takeToken(phase: phase, capacity: capacity, at: now) {
                counters.rateLimited += 1
                return .rejected(.rateLimited(retryAfter: retryAfter))
            }
        }
        if busyWorkers < model.workers && queueLength == 0 {
            let (answeredAt, answer) = serve(at: now, phase: phase, random: &random)
            return .served(answeredAt: answeredAt, answer: answer)
        }
        if queueLength < model.maxQueue {
            enqueue(call, at: now)
            return .queued
        }
        counters.overloaded += 1
        return .rejected(.overloaded)
    }

    /// A worker finished the call it was serving (at the `answeredAt` of a served arrival or a
    /// ``DependencyStart``): it becomes free. Follow with ``startNextWaiting(at:random:)`` until it
    /// returns `nil`.
    public mutating func serviceEnded(at now: Duration) {
        precondition(busyWorkers > 0, "serviceEnded(at:) without a worker serving a call")
        busyWorkers -= 1
    }

    /// Starts the oldest waiting call if a worker is free, at `now`; `nil` when no worker is free or
    /// nobody waits. A call refused because the dependency is down leaves the worker free, so call this
    /// until it returns `nil`.
    public mutating func startNextWaiting(at now: Duration, random: inout SplitMix64) -> DependencyStart? {
        guard busyWorkers < model.workers, let next = dequeue() else { return nil }
        let phase = currentPhase(at: now)
        if phase >= 0, DependencyBehaviour.isDown(phases[phase], at: now) {
            counters.refused += 1
            return DependencyStart(call: next.call, queuedAt: next.queuedAt, answeredAt: now, answer: .refused)
        }
        let (answeredAt, answer) = serve(at: now, phase: phase, random: &random)
        return DependencyStart(call: next.call, queuedAt: next.queuedAt, answeredAt: answeredAt, answer: answer)
    }

    /// The client of `call` gave up before its answer (its timeout fired).
    ///
    /// If the call waits in the queue, it leaves it (counted in ``DependencyCounters/abandonedWhileQueued``)
    /// and `true` is returned. Otherwise the call is taken to be in service — call this only for calls
    /// that reached the dependency and have no answer yet — and it goes on: its worker stays busy until
    /// its `answeredAt` (counted in ``DependencyCounters/abandonedWhileServed``), and `false` is returned.
    @discardableResult
    public mutating func abandon(call: UInt64) -> Bool {
        guard let position = positions.removeValue(forKey: call) else {
            counters.abandonedWhileServed += 1
            return false
        }
        waiting[position - dropped].abandoned = true
        queueLength -= 1
        counters.abandonedWhileQueued += 1
        return true
    }

    // MARK: - Internals

    @inline(__always)
    private mutating func serve(at now: Duration, phase: Int, random: inout SplitMix64) -> (Duration, DependencyAnswer) {
        busyWorkers += 1
        counters.served += 1
        var serviceTime = sampler.sample(&random)
        var answer = DependencyAnswer.success
        if phase >= 0 {
            switch phases[phase].condition {
            case .brownout(let multiplier):
                serviceTime = SimulationMath.duration(
                    nanoseconds: Double(SimulationMath.nanoseconds(serviceTime)) * multiplier)
            case .failing(let fraction):
                if fraction >= 1 {
                    answer = .failure
                } else if fraction > 0, SimulationMath.unitInterval(&random) < fraction {
                    answer = .failure
                }
            default:
                break
            }
        }
        if answer == .failure { counters.failed += 1 } else { counters.succeeded += 1 }
        counters.busyTime = SimulationMath.sum(counters.busyTime, serviceTime)
        return (SimulationMath.sum(now, serviceTime), answer)
    }

    /// The index of the phase in force at `now`, from the cached one when `now` is still inside it.
    @inline(__always)
    private mutating func currentPhase(at now: Duration) -> Int {
        let attoseconds = now.attoseconds
        if attoseconds >= phaseStart && attoseconds < phaseEnd { return phaseIndex }
        phaseIndex = model.behaviour.phaseIndex(at: now)
        phaseStart = phaseIndex < 0 ? 0 : phases[phaseIndex].from.attoseconds
        let next = phaseIndex + 1
        phaseEnd = next < phases.count ? phases[next].from.attoseconds : Int128.max
        return phaseIndex
    }

    private mutating func takeToken(phase: Int, capacity: Double, at now: Duration) -> Bool {
        let size = max(1, capacity)
        if bucketPhase != phase {
            bucketPhase = phase
            bucketTokens = size
            bucketUpdated = phases[phase].from
        }
        if now > bucketUpdated {
            let elapsed = Double(SimulationMath.nanoseconds(now - bucketUpdated)) / 1e9
            bucketTokens = min(size, bucketTokens + elapsed * capacity)
            bucketUpdated = now
        }
        guard bucketTokens >= 1 else { return false }
        bucketTokens -= 1
        return true
    }

    private mutating func enqueue(_ call: UInt64, at now: Duration) {
        positions[call] = waiting.count + dropped
        waiting.append(Waiting(call: call, queuedAt: now, abandoned: false))
        queueLength += 1
        if queueLength > counters.maxQueueLength { counters.maxQueueLength = queueLength }
    }

    private mutating func dequeue() -> Waiting? {
        guard queueLength > 0 else { return nil }
        while waiting[head].abandoned { head += 1 }
        let next = waiting[head]
        head += 1
        queueLength -= 1
        positions.removeValue(forKey: next.call)
        if head >= 4_096 && head * 2 >= waiting.count {
            dropped += head
            waiting.removeFirst(head)
            head = 0
        }
        return next
    }
}

/// A queued call leaving the queue: see ``SimulatedDependency/startNextWaiting(at:random:)``.
public struct DependencyStart: Sendable, Hashable {
    /// The call, as named to ``SimulatedDependency/arrive(call:at:random:)``.
    public var call: UInt64
    /// When it joined the queue.
    public var queuedAt: Duration
    /// When it is answered: the end of its service time, or the instant it left the queue when
    /// refused.
    public var answeredAt: Duration
    /// Success or failure when served; ``DependencyAnswer/refused`` when the dependency went down while
    /// it waited.
    public var answer: DependencyAnswer

    /// Creates a start.
    public init(call: UInt64, queuedAt: Duration, answeredAt: Duration, answer: DependencyAnswer) {
        self.call = call
        self.queuedAt = queuedAt
        self.answeredAt = answeredAt
        self.answer = answer
    }

    /// Whether a worker serves the call until ``answeredAt`` (then report ``SimulatedDependency/serviceEnded(at:)``).
    public var holdsWorker: Bool { answer.wasServed }
}

/// What a ``SimulatedDependency`` did so far.
///
/// Conservation: `received = served + overloaded + rateLimited + refused + abandonedWhileQueued +`
/// the queue's current length (`refused` includes queued calls refused when their turn came).
public struct DependencyCounters: Sendable, Hashable {
    /// Calls that reached the dependency.
    public var received = 0
    /// Calls a worker started on (``succeeded`` + ``failed``).
    public var served = 0
    /// Served calls that succeeded.
    public var succeeded = 0
    /// Served calls that failed after their service time.
    public var failed = 0
    /// Calls answered 503 at once: every worker busy and the queue full.
    public var overloaded = 0
    /// Calls answered 429 at once by a rate-limiting phase.
    public var rateLimited = 0
    /// Calls refused because the dependency was down (at arrival, or when their turn in the queue came).
    public var refused = 0
    /// Calls whose client gave up while they waited in the queue; they left it.
    public var abandonedWhileQueued = 0
    /// Calls whose client gave up while a worker served them; the worker went on to the end.
    public var abandonedWhileServed = 0
    /// The longest the queue has been.
    public var maxQueueLength = 0
    /// The sum of the service times of every started call: busy-worker time (divide by workers × the
    /// elapsed time for the utilisation). Counted in full when the call starts.
    public var busyTime: Duration = .zero

    /// Creates counters, all zero.
    public init() {}

    /// Calls rejected at once by the dependency's own protection: ``overloaded`` (503) plus
    /// ``rateLimited`` (429).
    public var rejected: Int { overloaded + rateLimited }

    /// Calls whose client gave up: ``abandonedWhileQueued`` plus ``abandonedWhileServed``.
    public var abandoned: Int { abandonedWhileQueued + abandonedWhileServed }
}
