import DequeModule

/// The logic of a ``ConcurrencyLimiter``: admission against an adaptive limit, a short LIFO queue, and
/// the limit's update from each finished call. Pure: no locks, no clock, no async; every method takes
/// `now`, so tests and the lab's replay can drive it in virtual time.
///
/// Rules:
/// - A call is admitted when fewer than ``limit`` calls are in flight. It gets a ``Token`` holding its
///   start instant and the number of calls in flight with it (itself included).
/// - Otherwise, with `maxQueued > 0`, it waits in the queue (``Ticket``); with a full queue, the oldest
///   waiter is evicted to make room (LIFO: the newest waiter is served first, the oldest are the first
///   to be dropped). With `maxQueued == 0` it is rejected.
/// - ``release(_:outcome:now:)`` ends a call. A `success` or `dropped` call is a sample: its latency
///   (`now` − start) updates the limit through the configured algorithm. An `ignored` call (cancelled,
///   not the dependency's fault) frees its slot without being a sample. Then waiters past their
///   deadline are expired, and the newest waiters are admitted while fewer than ``limit`` calls are in
///   flight.
/// - A waiter leaves the queue when admitted, evicted, cancelled (``cancel(_:)``) or expired
///   (``expire(_:now:)``, ``expireWaiters(now:)``) once `maxWait` has passed since it was queued.
/// - Rejections carry no `retryAfter`: the limiter cannot know when a call in flight will end, and a
///   guess would be dishonest.
///
/// Invariants: ``inFlight`` counts exactly the tokens given and not yet released; a waiter is in the
/// queue only while ``inFlight`` ≥ ``limit`` (a release admits waiters before it returns).
@usableFromInline
package struct ConcurrencyLimiterStateMachine: Sendable {
    /// A call admitted: give it back with `ConcurrencyLimiterStateMachine/release(_:outcome:now:)`
    /// exactly once.
    @usableFromInline package struct Token: Sendable, Hashable {
        /// When the call was admitted; its latency is measured from here.
        @usableFromInline package let startedAt: ClockOffset
        /// Calls in flight when it was admitted, itself included.
        @usableFromInline package let inFlightAtAdmission: Int

        @inlinable
        init(startedAt: ClockOffset, inFlightAtAdmission: Int) {
            self.startedAt = startedAt
            self.inFlightAtAdmission = inFlightAtAdmission
        }
    }

    /// A call waiting in the queue.
    @usableFromInline package struct Ticket: Sendable, Hashable {
        /// Identifies the waiter; increasing in the order of arrival.
        @usableFromInline package let id: UInt64
        /// When the call was queued.
        @usableFromInline package let enqueuedAt: ClockOffset
        /// When it expires: `enqueuedAt + maxWait`.
        @usableFromInline package let deadline: ClockOffset
    }

    /// How a call ended, as far as the limit is concerned.
    @usableFromInline package enum Outcome: Sendable, Hashable {
        /// A sample: the call succeeded.
        case success
        /// A sample with a drop: the call failed or timed out.
        case dropped
        /// Not a sample: the call was cancelled or its outcome says nothing about the dependency.
        case ignored

        /// The sample a call classified as `outcome` makes: a success is a sample, a failure a drop,
        /// an ignored outcome nothing. The shell and `resilience-lab` both sample by this rule.
        @inlinable
        package init(_ outcome: CallOutcome) {
            switch outcome {
            case .success: self = .success
            case .failure: self = .dropped
            case .ignored: self = .ignored
            }
        }
    }

    /// What `ConcurrencyLimiterStateMachine/acquire(now:)` decided.
    @usableFromInline package enum AcquireDecision: Sendable, Hashable {
        /// The call may run now.
        case admitted(Token)
        /// The call waits; `evicted` is the oldest waiter, removed to make room, to be rejected.
        case enqueued(Ticket, evicted: Ticket?)
        /// The call is rejected: the limit is reached and there is no queue.
        case rejected(retryAfter: Duration?)
    }

    /// A waiter admitted by a release.
    @usableFromInline package struct Admission: Sendable, Hashable {
        /// The waiter.
        @usableFromInline package let ticket: Ticket
        /// Its token, started at the release's instant.
        @usableFromInline package let token: Token
    }

    /// What a release did.
    @usableFromInline package struct ReleaseResult: Sendable, Hashable {
        /// The limit after the sample.
        @usableFromInline package var limit: Int
        /// Whether the sample changed the limit.
        @usableFromInline package var limitChanged: Bool
        /// Waiters admitted, newest first.
        @usableFromInline package var admitted: [Admission]
        /// Waiters that had passed their deadline, oldest first; reject them.
        @usableFromInline package var expired: [Ticket]
        /// Waiters a shorter queue left no room for (only ``reconfigure(_:now:)``), oldest first; reject
        /// them as a full queue would.
        @usableFromInline package var evicted: [Ticket]

        @inlinable
        init(limit: Int, limitChanged: Bool, admitted: [Admission], expired: [Ticket], evicted: [Ticket] = []) {
            self.limit = limit
            self.limitChanged = limitChanged
            self.admitted = admitted
            self.expired = expired
            self.evicted = evicted
        }
    }

    /// The algorithm with its state, as an enum rather than an existential: no allocation, no dynamic
    /// dispatch.
    @usableFromInline
    enum Algorithm: Sendable, Hashable {
        case aimd(AIMDLimit)
        case gradient2(Gradient2Limit)
        case vegas(VegasLimit)

        var limit: Int {
            switch self {
            case .aimd(let algorithm): algorithm.limit
            case .gradient2(let algorithm): algorithm.limit
            case .vegas(let algorithm): algorithm.limit
            }
        }

        @inlinable
        mutating func update(rtt: Duration, inFlight: Int, didDrop: Bool, now: ClockOffset) -> Int {
            switch self {
            case .aimd(var algorithm):
                let limit = algorithm.update(rtt: rtt, inFlight: inFlight, didDrop: didDrop, now: now)
                self = .aimd(algorithm)
                return limit
            case .gradient2(var algorithm):
                let limit = algorithm.update(rtt: rtt, inFlight: inFlight, didDrop: didDrop, now: now)
                self = .gradient2(algorithm)
                return limit
            case .vegas(var algorithm):
                let limit = algorithm.update(rtt: rtt, inFlight: inFlight, didDrop: didDrop, now: now)
                self = .vegas(algorithm)
                return limit
            }
        }
    }

    /// The validated configuration.
    @usableFromInline package private(set) var configuration: ConcurrencyLimitConfiguration
    /// Seeds the probe jitter of the algorithm, and of the one a reconfiguration starts.
    let randomSeed: UInt64
    /// The current limit.
    @usableFromInline package var limit: Int { currentLimit }
    /// Calls admitted and not yet released.
    @usableFromInline package var inFlight: Int { currentInFlight }

    @usableFromInline var currentLimit: Int
    @usableFromInline var currentInFlight = 0
    @usableFromInline var algorithm: Algorithm
    /// Oldest first; the newest waiter is at the back.
    @usableFromInline var waiters: Deque<Ticket> = []
    @usableFromInline var nextTicketID: UInt64 = 0

    /// Calls waiting in the queue.
    @usableFromInline package var queued: Int { waiters.count }

    /// The earliest deadline of a waiter (the oldest's), or `nil` with an empty queue. A driver in
    /// virtual time calls ``expireWaiters(now:)`` at this instant.
    @usableFromInline package var nextExpiry: ClockOffset? { waiters.first?.deadline }

    /// A limiter at `configuration.initialLimit` with nothing in flight.
    /// - Parameter randomSeed: seeds the jitter of Gradient2's and Vegas' probe (unused by AIMD).
    /// - Throws: ``ConfigurationError`` naming the first invalid key.
    @usableFromInline package init(configuration: ConcurrencyLimitConfiguration, randomSeed: UInt64 = 0) throws(ConfigurationError) {
        try configuration.validate()
        algorithm = try Self.algorithm(configuration, startingAt: configuration.initialLimit, randomSeed: randomSeed)
        self.configuration = configuration
        self.randomSeed = randomSeed
        self.currentLimit = algorithm.limit
    }

    /// The algorithm `configuration` chooses, at `limit`, with its bounds.
    static func algorithm(
        _ configuration: ConcurrencyLimitConfiguration, startingAt limit: Int, randomSeed: UInt64
    ) throws(ConfigurationError) -> Algorithm {
        let c = configuration
        switch c.algorithm {
        case .aimd(let parameters):
            return .aimd(AIMDLimit(
                parameters: parameters, backoff: try parameters.exactBackoffRatio(), initialLimit: limit,
                minLimit: c.minLimit, maxLimit: c.maxLimit))
        case .gradient2(let parameters):
            return .gradient2(Gradient2Limit(
                validated: parameters, initialLimit: limit, minLimit: c.minLimit, maxLimit: c.maxLimit,
                probeSeed: randomSeed))
        case .vegas(let parameters):
            return .vegas(VegasLimit(
                validated: parameters, initialLimit: limit, minLimit: c.minLimit, maxLimit: c.maxLimit,
                probeSeed: randomSeed))
        }
    }

    /// Runs with `configuration` from `now` on, keeping the calls and what was learnt (a hot reload):
    /// - **The limit** stays where the algorithm took it, moved into the new `minLimit...maxLimit`
    ///   (`initialLimit` applies only to a new limiter). The algorithm starts afresh at that limit
    ///   with the new parameters: its latency estimates (Gradient2's averages, Vegas' no-load latency)
    ///   are learnt again from the next samples.
    /// - **Calls in flight** keep their slots, and their samples count when they end.
    /// - **Waiters** keep their deadlines: those past it at `now` expire; then the newest are admitted
    ///   while the limit has room; then the oldest beyond a shorter `maxQueued` are evicted (all that
    ///   are left when the queue is turned off), as a full queue would evict them.
    /// - Returns: the waiters admitted, expired and evicted, and the limit.
    /// - Throws: ``ConfigurationError`` naming the invalid key; nothing changes then.
    @usableFromInline package mutating func reconfigure(
        _ configuration: ConcurrencyLimitConfiguration, now: ClockOffset
    ) throws(ConfigurationError) -> ReleaseResult {
        try configuration.validate()
        let kept = min(max(currentLimit, configuration.minLimit), configuration.maxLimit)
        algorithm = try Self.algorithm(configuration, startingAt: kept, randomSeed: randomSeed)
        self.configuration = configuration
        let previous = currentLimit
        currentLimit = algorithm.limit
        var result = ReleaseResult(limit: currentLimit, limitChanged: currentLimit != previous, admitted: [], expired: [])
        if !waiters.isEmpty { settleWaiters(into: &result, now: now) }
        while waiters.count > configuration.maxQueued { result.evicted.append(waiters.removeFirst()) }
        return result
    }

    /// Admits a call, queues it, or rejects it.
    @inlinable
    package mutating func acquire(now: ClockOffset) -> AcquireDecision {
        guard currentInFlight < currentLimit else { return acquireBeyondLimit(now: now) }
        assert(waiters.isEmpty, "a waiter was left queued below the limit")
        currentInFlight += 1
        return .admitted(Token(startedAt: now, inFlightAtAdmission: currentInFlight))
    }

    /// ``acquire(now:)`` when the limit is reached: queue or reject.
    @usableFromInline
    mutating func acquireBeyondLimit(now: ClockOffset) -> AcquireDecision {
        guard configuration.maxQueued > 0 else { return .rejected(retryAfter: nil) }
        let evicted = waiters.count >= configuration.maxQueued ? waiters.removeFirst() : nil
        nextTicketID += 1
        let ticket = Ticket(id: nextTicketID, enqueuedAt: now, deadline: now.advanced(by: configuration.maxWait))
        waiters.append(ticket)
        return .enqueued(ticket, evicted: evicted)
    }

    /// Ends an admitted call: updates the limit from its sample (unless `ignored`), expires the waiters
    /// past their deadline, and admits the newest waiters the new limit has room for.
    /// - Precondition: `token` was given by this state machine and not released yet.
    @inlinable
    package mutating func release(_ token: Token, outcome: Outcome, now: ClockOffset) -> ReleaseResult {
        precondition(currentInFlight > 0, "ConcurrencyLimiterStateMachine.release: no call is in flight")
        currentInFlight -= 1
        let previous = currentLimit
        if outcome != .ignored {
            currentLimit = algorithm.update(
                rtt: token.startedAt.duration(to: now), inFlight: token.inFlightAtAdmission,
                didDrop: outcome == .dropped, now: now)
        }
        var result = ReleaseResult(limit: currentLimit, limitChanged: currentLimit != previous, admitted: [], expired: [])
        if !waiters.isEmpty { settleWaiters(into: &result, now: now) }
        return result
    }

    /// Expires the waiters past their deadline, then admits the newest while there is room.
    @usableFromInline
    mutating func settleWaiters(into result: inout ReleaseResult, now: ClockOffset) {
        result.expired += expireWaiters(now: now)
        while currentInFlight < currentLimit, let ticket = waiters.popLast() {
            currentInFlight += 1
            result.admitted.append(
                Admission(ticket: ticket, token: Token(startedAt: now, inFlightAtAdmission: currentInFlight)))
        }
    }

    /// Removes a waiter that gives up (its task was cancelled).
    /// - Returns: whether it was still queued (`false` when it was already admitted, evicted or expired).
    @discardableResult
    @usableFromInline package mutating func cancel(_ ticket: Ticket) -> Bool {
        guard let index = index(of: ticket) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Removes `ticket` if it is still queued and its deadline is at or before `now`.
    /// - Returns: whether it was removed (reject it).
    @discardableResult
    @usableFromInline package mutating func expire(_ ticket: Ticket, now: ClockOffset) -> Bool {
        guard ticket.deadline <= now, let index = index(of: ticket) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Removes every waiter whose deadline is at or before `now`.
    /// - Returns: the expired waiters, oldest first; reject them.
    @usableFromInline package mutating func expireWaiters(now: ClockOffset) -> [Ticket] {
        var expired: [Ticket] = []
        while let oldest = waiters.first, oldest.deadline <= now {
            expired.append(waiters.removeFirst())
        }
        return expired
    }

    /// The position of `ticket` in the queue: a binary search, since ids increase from front to back.
    private func index(of ticket: Ticket) -> Int? {
        var low = waiters.startIndex
        var high = waiters.endIndex
        while low < high {
            let middle = (low + high) / 2
            if waiters[middle].id < ticket.id { low = middle + 1 } else { high = middle }
        }
        return low < waiters.endIndex && waiters[low].id == ticket.id ? low : nil
    }
}
