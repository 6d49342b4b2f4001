import Resilience
import ResilienceConfiguration

/// What drives a ``PolicyRun``: where attempts get their answers (a trace's lines, or a simulated
/// dependency) and what is recorded when a call ends. The run calls these hooks; the host keeps its
/// own state in ``PolicyRun/host`` and its per-call data in ``PolicyRun/Call/data``.
protocol PolicyRunHost {
    /// What the host keeps per call.
    associatedtype CallData

    /// The current attempt of the call at `slot` passed every policy and reaches the dependency at
    /// `now`: find its answer and report it with ``PolicyRun/answer(slot:outcome:at:)`` (now or later).
    static func runDependency(_ run: inout PolicyRun<Self>, slot: Int, at now: PolicyRun<Self>.Instant) throws(LabInputError)

    /// The current attempt of the call at `slot` ends at `now` with `end`, before the run releases what
    /// it holds, records it in the breaker or retries it (`reachedDependency`: the attempt was given to
    /// ``runDependency(_:slot:at:)``).
    static func attemptEnding(
        _ run: inout PolicyRun<Self>, slot: Int, end: AttemptEnd, reachedDependency: Bool, at now: PolicyRun<Self>.Instant)

    /// The call at `slot` ends at `now` with `end`; its slot is freed right after.
    static func callEnded(_ run: inout PolicyRun<Self>, slot: Int, end: AttemptEnd, at now: PolicyRun<Self>.Instant)

    /// An event the host scheduled with ``PolicyRun/scheduleHostEvent(at:tag:)`` is due.
    static func hostEvent(_ run: inout PolicyRun<Self>, tag: Int, at now: PolicyRun<Self>.Instant) throws(LabInputError)

    /// The circuit breaker changed state at `now`.
    static func breakerChanged(_ run: inout PolicyRun<Self>, _ transition: CircuitTransition, at now: PolicyRun<Self>.Instant)
}

/// How a call's attempt ends: with the dependency's outcome, or by a policy (`timedOut`, or a
/// rejection).
enum AttemptEnd: Equatable {
    case dependency(CallOutcome)
    case policy(ResilienceError.Code)

    var name: String {
        switch self {
        case .dependency(let outcome): outcome.rawValue
        case .policy(let code): code.description
        }
    }

    /// Whether the retry policy retries it: the library's default rule (``RetryPredicate``): a
    /// dependency's failure, or a rejection in ``RetryPredicate/defaultRetriedRejections`` (`timedOut`).
    var isRetryable: Bool {
        switch self {
        case .dependency(let outcome): RetryPredicate.retriesByDefault(outcome)
        case .policy(let code): RetryPredicate.defaultRetriedRejections.contains(code)
        }
    }

    /// What the circuit breaker records: the dependency's outcome, or for a rejection by an inner
    /// policy the default ``FailureClassifier``'s rule (a timeout is a failure; any other rejection is
    /// ignored: the dependency was not asked).
    var breakerOutcome: CallOutcome {
        switch self {
        case .dependency(let outcome): outcome
        case .policy(let code): FailureClassifier.defaultOutcome(ofRejection: code)
        }
    }

    /// What the concurrency limit learns, by the limiter's own rule from the breaker's outcome: a
    /// success is a sample, a failure or timeout a drop, an inner rejection nothing.
    var concurrencyOutcome: ConcurrencyLimiterStateMachine.Outcome {
        ConcurrencyLimiterStateMachine.Outcome(breakerOutcome)
    }
}

/// The policies of a ``PolicyFile`` run in virtual time over calls that overlap, in the library's
/// order (``PolicyKind/recommendedOrder``: the load shedder per call, then per attempt
/// ``PolicyKind/perAttempt`` as far as the file configures them), with the same pure logic the
/// policies use in production (``CircuitBreakerStateMachine``, ``RetrySchedule``,
/// ``RetryBudgetStateMachine``, ``LoadShedderStateMachine``, ``KeyedTokenBucketStateMachine``,
/// ``ConcurrencyLimiterStateMachine``, ``BulkheadStateMachine``). The replay (``Replayer``) and the
/// simulator (``Simulator``) both drive it; the exact rules (order of the policies, what an attempt
/// holds, what is retried, what happens at one instant) are documented on ``Replayer``.
///
/// The driver starts calls with ``startCall(data:priority:key:at:)`` in time order, calling
/// ``processEvents(upTo:)`` with the call's instant first, and ``processEvents(upTo:)`` with `nil` at
/// the end; the host answers attempts (see ``PolicyRunHost``).
struct PolicyRun<Host: PolicyRunHost>: ~Copyable {
    typealias Instant = ManualClock.Instant
    typealias Machine = CircuitBreakerStateMachine

    /// Something a call in flight (or the host) waits for. Ordered by (instant, kind, sequence), the
    /// order in which the run handles them.
    struct Event: Comparable {
        enum Kind: UInt8 {
            /// The current attempt's outcome is due (the dependency answered, or the timeout fired while
            /// it ran).
            case outcome = 0
            /// The host's own event (the simulated dependency's worker becomes free).
            case host = 1
            /// A queued attempt's wait ends: `maxWait` of the bulkhead or the concurrency limit, or the
            /// timeout while it waits for the bulkhead.
            case waitEnd = 2
            /// An attempt goes on: a retry starts, or a rate limiter's reservation is due.
            case attemptStart = 3
        }

        /// When: the instant's attoseconds from zero as two machine words (high, then low: compared
        /// without calling into `Duration`, and 8-byte aligned so that events are 40 bytes).
        var timeHigh: Int64
        var timeLow: UInt64
        /// The kind in the top 8 bits, the sequence below: admission order for outcomes, scheduling
        /// order for the rest.
        var order: UInt64
        /// The call's ``Call/phase`` when the event was scheduled: an event whose call has moved on
        /// since (a queued attempt admitted before its wait ended) is stale and skipped.
        var phase: Int
        private var slotNumber: Int32
        /// For ``Kind/waitEnd``: why the wait ends.
        var wait: WaitEnd

        init(at instant: Instant, kind: Kind, sequence: Int, slot: Int, phase: Int, wait: WaitEnd = .timeout) {
            (timeHigh, timeLow) = Self.words(instant)
            order = UInt64(kind.rawValue) << 56 | UInt64(sequence)
            self.phase = phase
            slotNumber = Int32(slot)
            self.wait = wait
        }

        /// The call's slot in ``PolicyRun/calls``; for a host event, the host's tag.
        var slot: Int { Int(slotNumber) }
        var at: Instant { Instant(offset: Duration(attoseconds: Int128(timeHigh) << 64 | Int128(timeLow))) }
        var kind: Kind { Kind(rawValue: UInt8(order >> 56))! }

        /// `instant`'s attoseconds as (high, low) words.
        @inline(__always)
        static func words(_ instant: Instant) -> (high: Int64, low: UInt64) {
            let attoseconds = instant.offset.attoseconds
            return (Int64(truncatingIfNeeded: attoseconds >> 64), UInt64(truncatingIfNeeded: attoseconds))
        }

        /// Whether the event is due after the instant whose words are `high` and `low`.
        @inline(__always)
        func isAfter(high: Int64, low: UInt64) -> Bool {
            timeHigh != high ? timeHigh > high : timeLow > low
        }

        @inline(__always)
        static func < (lhs: Event, rhs: Event) -> Bool {
            if lhs.timeHigh != rhs.timeHigh { return lhs.timeHigh < rhs.timeHigh }
            return lhs.timeLow != rhs.timeLow ? lhs.timeLow < rhs.timeLow : lhs.order < rhs.order
        }
    }

    /// Why a queued attempt stops waiting; also the number of the ``EventCalendar`` lane of its
    /// timers.
    enum WaitEnd: Int {
        /// The attempt's timeout fired while it waited for the bulkhead.
        case timeout
        /// The bulkhead's `maxWait` elapsed.
        case bulkheadMaxWait
        /// The concurrency limit's `maxWait` elapsed.
        case concurrencyMaxWait
    }

    /// A call that has not ended yet.
    struct Call {
        /// The host's data about the call.
        var data: Host.CallData
        var priority: Priority
        /// The rate limiter's bucket: the host's number for the call's key (nil: the keyless bucket).
        var key: Int?
        /// Changes whenever the call moves on (see ``Event/phase``); unique over the whole run.
        var phase = 0
        /// Attempts executed so far (attempts that never reached the dependency are not executed).
        var executions = 0
        /// Whether the current attempt was given to the dependency and has not ended yet.
        var atDependency = false
        /// The code that rejected the first attempt, when one did: the call then ends rejected.
        var firstRejection: ResilienceError.Code?
        /// Whether the load shedder shed the call (its `loadShed` is the shedder's, not the
        /// concurrency limit's).
        var shed = false
        /// The load shedder's permit, held for the whole call.
        var shedPermit: LoadShedderStateMachine.Permit?
        /// The breaker's permit for the current attempt, and when the breaker admitted it.
        var permit: Machine.Permit?
        var admittedByBreakerAt = Instant.zero
        /// The current attempt waits for a rate limiter's reservation, then goes on at the stage after
        /// the rate limiter (rather than starting over at the first stage).
        var resumesAfterRateLimiter = false
        /// The concurrency limit's token for the current attempt, or its place in that queue.
        var concurrencyToken: ConcurrencyLimiterStateMachine.Token?
        var concurrencyTicket: ConcurrencyLimiterStateMachine.Ticket?
        /// The current attempt's place in the bulkhead's queue, or whether it holds a slot.
        var bulkheadTicket: BulkheadStateMachine.Ticket?
        var holdsBulkheadSlot = false
        /// When the current attempt's timeout fires, if there is a timeout.
        var deadline: Instant?
        /// How the current attempt ends, once it reached the dependency.
        var end = AttemptEnd.dependency(.success)
        /// The server's `Retry-After` hint on the current attempt's answer, if any.
        var retryAfter: Duration?
        /// Whether the call has retried: its delays are then in ``PolicyRun/retrySchedules`` (kept out
        /// of the call, which every event copies from and writes to, since few calls retry).
        var hasRetried = false
        /// The code of the first refusal a section in shadow mode computed for the call (which went on).
        var shadowReason: ResilienceError.Code?
        /// When the current attempt's shadow timeout would have fired.
        var shadowDeadline: Instant?
    }

    var host: Host
    /// The stages of every attempt: ``PolicyKind/perAttempt``, the library's order, as far as the
    /// policy file configures them.
    let stages: [PolicyKind]
    var machine: Machine?
    let timeout: Duration?
    /// 1 without a retry policy.
    let maxAttempts: Int
    var budget: RetryBudgetStateMachine?
    /// A fresh schedule, copied for each call that retries.
    let freshSchedule: RetrySchedule?
    /// The delays of the calls that retried, by slot.
    var retrySchedules: [Int: RetrySchedule] = [:]
    var shedder: LoadShedderStateMachine?
    /// Keyed by the host's numbers for keys (a number copies without reference counting).
    var rateLimiter: KeyedTokenBucketStateMachine<Int?>?
    var concurrencyLimiter: ConcurrencyLimiterStateMachine?
    var bulkhead: BulkheadStateMachine?
    let bulkheadMaxWait: Duration?
    /// The jitter of retry delays.
    var random: SplitMix64
    let policyFile: String
    /// The sections in shadow mode (``PolicyMode/shadow``): they decide, and the call goes on.
    let shadowSections: Set<PolicyKind>

    /// Lanes 0...2 for the timers of each ``WaitEnd``, the last for the host's increasing events.
    var events = EventCalendar<Event>(lanes: hostLane + 1)
    static var hostLane: Int { 3 }
    var sequence = 0
    /// Calls in flight, by slot; slots of ended calls are reused.
    var calls = CallTable<Call>()
    var freeSlots: [Int] = []
    /// The calls waiting in the bulkhead's and the concurrency limit's queues, by ticket.
    var bulkheadWaiters: [UInt64: Int] = [:]
    var concurrencyWaiters: [UInt64: Int] = [:]

    /// Calls started.
    var callsStarted = 0
    /// Calls started and not ended yet.
    var callsInFlight: Int { calls.count - freeSlots.count }
    /// Attempts executed, over all calls (a rejected attempt is not executed).
    var executions = 0
    /// Retries the retry policy decided on (each then started, possibly to be rejected by the breaker).
    var retries = 0
    /// Retries the retry budget denied (each ended its call).
    var retriesDeniedByBudget = 0

    /// A run of `policy`'s policies, with retry jitter drawn from ``SplitMix64`` seeded with `seed`.
    /// - Throws: ``LabInputError`` naming `policyFile` and the section when a configuration is rejected.
    init(policy: PolicyFile, policyFile: String, seed: UInt64, host: Host) throws(LabInputError) {
        func invalid(_ error: ConfigurationError, in section: String) -> LabInputError {
            LabInputError(file: policyFile, message: error.prefixingKey(with: section).description)
        }
        // Every check comes before the first stored property is set: a run cannot be copied, and
        // Swift cannot give up on such a value half initialized.
        let machine: Machine?
        do throws(ConfigurationError) {
            machine = try policy.circuitBreaker.map { c throws(ConfigurationError) in try Machine(configuration: c) }
        } catch {
            throw invalid(error, in: "circuitBreaker")
        }
        do throws(ConfigurationError) {
            try policy.timeout?.validate()
        } catch {
            throw invalid(error, in: "timeout")
        }
        var freshSchedule: RetrySchedule?
        var budget: RetryBudgetStateMachine?
        if let configuration = policy.retry {
            do throws(ConfigurationError) {
                freshSchedule = try RetrySchedule(configuration: configuration)
                budget = try RetryBudgetStateMachine(
                    ratio: configuration.budgetRatio, minPerSecond: configuration.budgetMinPerSecond,
                    window: configuration.budgetWindow)
            } catch {
                throw invalid(error, in: "retry")
            }
        }
        let shedder: LoadShedderStateMachine?
        do throws(ConfigurationError) {
            shedder = try policy.loadShedder.map { c throws(ConfigurationError) in try LoadShedderStateMachine(configuration: c) }
        } catch {
            throw invalid(error, in: "loadShedder")
        }
        let rateLimiter: KeyedTokenBucketStateMachine<Int?>?
        do throws(ConfigurationError) {
            rateLimiter = try policy.rateLimiter.map { c throws(ConfigurationError) in
                try KeyedTokenBucketStateMachine(configuration: c)
            }
        } catch {
            throw invalid(error, in: "rateLimiter")
        }
        let concurrencyLimiter: ConcurrencyLimiterStateMachine?
        do throws(ConfigurationError) {
            concurrencyLimiter = try policy.concurrencyLimit.map { c throws(ConfigurationError) in
                try ConcurrencyLimiterStateMachine(configuration: c)
            }
        } catch {
            throw invalid(error, in: "concurrencyLimit")
        }
        let bulkhead: BulkheadStateMachine?
        do throws(ConfigurationError) {
            bulkhead = try policy.bulkhead.map { c throws(ConfigurationError) in try BulkheadStateMachine(configuration: c) }
        } catch {
            throw invalid(error, in: "bulkhead")
        }
        stages = PolicyKind.perAttempt.filter { kind in
            switch kind {
            case .circuitBreaker: machine != nil
            case .rateLimiter: rateLimiter != nil
            case .concurrencyLimit: concurrencyLimiter != nil
            case .timeout: policy.timeout != nil
            case .bulkhead: bulkhead != nil
            case .fallback, .loadShedder, .retry: false  // not per attempt
            case .cascade, .hedging, .adaptiveTimeout, .chaos: false  // not simulated (named on stderr by the command)
            }
        }
        self.host = host
        self.policyFile = policyFile
        random = SplitMix64(seed: seed)
        self.machine = machine
        timeout = policy.timeout?.duration
        maxAttempts = policy.retry?.maxAttempts ?? 1
        self.freshSchedule = freshSchedule
        self.budget = budget
        self.shedder = shedder
        self.rateLimiter = rateLimiter
        self.concurrencyLimiter = concurrencyLimiter
        self.bulkhead = bulkhead
        bulkheadMaxWait = policy.bulkhead?.maxWait
        shadowSections = Set([
            (PolicyKind.circuitBreaker, policy.circuitBreaker?.mode), (.loadShedder, policy.loadShedder?.mode),
            (.rateLimiter, policy.rateLimiter?.mode), (.concurrencyLimit, policy.concurrencyLimit?.mode),
            (.timeout, policy.timeout?.mode), (.bulkhead, policy.bulkhead?.mode),
        ].compactMap { $0.1 == .shadow ? $0.0 : nil })
    }

    /// Whether the section `kind` is in shadow mode; when it is, notes `code` as the call's shadow
    /// reason (the first one wins) and the caller lets the call go on.
    mutating func shadows(_ kind: PolicyKind, _ code: ResilienceError.Code, slot: Int) -> Bool {
        guard shadowSections.contains(kind) else { return false }
        if calls[slot].shadowReason == nil { calls[slot].shadowReason = code }
        return true
    }

    /// Handles every event due at or before `limit` (all of them when `limit` is nil), in order,
    /// including those that handling them schedules. Stale events are skipped.
    mutating func processEvents(upTo limit: Instant?) throws(LabInputError) {
        var limitWords = (high: Int64.max, low: UInt64.max)
        if let limit { limitWords = Event.words(limit) }
        while let next = events.minimum {
            if next.isAfter(high: limitWords.high, low: limitWords.low) { break }
            _ = events.removeMinimum()
            let kind = next.kind
            if kind == .host {
                try Host.hostEvent(&self, tag: next.slot, at: next.at)
                continue
            }
            guard calls[next.slot].phase == next.phase else { continue }
            let now = next.at
            switch kind {
            case .outcome:
                try endAttempt(slot: next.slot, with: calls[next.slot].end, at: now)
            case .waitEnd:
                try waitEnded(slot: next.slot, because: next.wait, at: now)
            case .attemptStart:
                if calls[next.slot].resumesAfterRateLimiter {
                    calls[next.slot].resumesAfterRateLimiter = false
                    try enterStage(after: .rateLimiter, slot: next.slot, at: now)
                } else {
                    try startAttempt(slot: next.slot, at: now)
                }
            case .host:
                break
            }
        }
    }

    /// A call starts at `now`: the load shedder decides for the whole call, then its first attempt
    /// starts. Returns the call's slot.
    @discardableResult
    mutating func startCall(data: Host.CallData, priority: Priority, key: Int?, at now: Instant) throws(LabInputError) -> Int {
        callsStarted += 1
        budget?.recordFirstAttempts(1, now: now.machineTime)
        var call = Call(data: data, priority: priority, key: key)
        // A phase no event of the slot's previous calls carries: their stale events must not match.
        call.phase = nextPhase()
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            calls[slot] = call
        } else {
            slot = calls.count
            calls.append(call)
        }
        if shedder != nil {
            let queued = (bulkhead?.queued ?? 0) + (concurrencyLimiter?.queued ?? 0)
            switch shedder!.admit(priority: priority, signals: LoadShedSignals(queueDepth: queued)) {
            case .admitted(let permit):
                calls[slot].shedPermit = permit
            case .shed:
                // Shadow: the call goes on, not counted in flight.
                if !shadows(.loadShedder, .loadShed, slot: slot) {
                    calls[slot].shed = true
                    try endAttempt(slot: slot, with: .policy(.loadShed), at: now)
                    return slot
                }
            }
        }
        try startAttempt(slot: slot, at: now)
        return slot
    }

    /// A new attempt enters its first stage.
    mutating func startAttempt(slot: Int, at now: Instant) throws(LabInputError) {
        calls[slot].retryAfter = nil
        try enterStage(0, slot: slot, at: now)
    }

    /// The current attempt enters ``stages``[`index`]; past the last stage, it reaches the dependency.
    mutating func enterStage(_ index: Int, slot: Int, at now: Instant) throws(LabInputError) {
        guard index < stages.count else { return try runDependency(slot: slot, at: now) }
        switch stages[index] {
        case .circuitBreaker: try enterBreaker(slot: slot, at: now, stage: index)
        case .rateLimiter: try enterRateLimiter(slot: slot, at: now, stage: index)
        case .concurrencyLimit: try enterConcurrencyLimit(slot: slot, at: now, stage: index)
        case .timeout: try startTimeout(slot: slot, at: now, stage: index)
        case .bulkhead: try enterBulkhead(slot: slot, at: now, stage: index)
        case .fallback, .loadShedder, .retry, .cascade, .hedging, .adaptiveTimeout, .chaos:
            try enterStage(index + 1, slot: slot, at: now)  // never a stage
        }
    }

    /// The current attempt goes on after `kind`'s stage (it waited there, and is admitted now).
    mutating func enterStage(after kind: PolicyKind, slot: Int, at now: Instant) throws(LabInputError) {
        try enterStage((stages.firstIndex(of: kind) ?? stages.count) + 1, slot: slot, at: now)
    }

    /// The breaker admits the attempt or rejects it (`circuitOpen`, `halfOpenFull`).
    mutating func enterBreaker(slot: Int, at now: Instant, stage: Int) throws(LabInputError) {
        guard machine != nil else { return try enterStage(stage + 1, slot: slot, at: now) }
        let (decision, transition) = machine!.acquire(now: now.machineTime)
        note(transition, at: now)
        switch decision {
        case .permitted(let permit):
            calls[slot].permit = permit
            calls[slot].admittedByBreakerAt = now
            try enterStage(stage + 1, slot: slot, at: now)
        case .rejected(let code, _):
            // Shadow: the attempt goes on without a permit, so its outcome is not recorded.
            if shadows(.circuitBreaker, code, slot: slot) { return try enterStage(stage + 1, slot: slot, at: now) }
            try endAttempt(slot: slot, with: .policy(code), at: now)
        }
    }

    /// The current attempt passed every policy at `now`: it is executed, and the host finds its answer.
    mutating func runDependency(slot: Int, at now: Instant) throws(LabInputError) {
        calls[slot].atDependency = true
        try Host.runDependency(&self, slot: slot, at: now)
    }

    /// The dependency answers the current attempt `outcome` at `instant` (a new phase of the call, so
    /// that an event scheduled for it before is stale): its end is due then, or when its timeout fires
    /// if that is sooner (it then ends `timedOut`).
    mutating func answer(slot: Int, outcome: CallOutcome, at instant: Instant) {
        calls[slot].phase = nextPhase()
        if let shadowDeadline = calls[slot].shadowDeadline, instant >= shadowDeadline {
            _ = shadows(.timeout, .timedOut, slot: slot)
        }
        if let deadline = calls[slot].deadline, instant >= deadline {
            calls[slot].end = .policy(.timedOut)
            scheduleTimer(.outcome, at: deadline, slot: slot)
        } else {
            calls[slot].end = .dependency(outcome)
            schedule(.outcome, at: instant, slot: slot)
        }
    }

    /// The current attempt waits at the dependency without an answer yet: it ends `timedOut` when its
    /// timeout fires, unless ``answer(slot:outcome:at:)`` comes first.
    mutating func awaitAnswer(slot: Int) {
        guard let deadline = calls[slot].deadline else { return }
        calls[slot].end = .policy(.timedOut)
        scheduleTimer(.outcome, at: deadline, slot: slot)
    }

    /// Ends the current attempt at `now` with `end`: gives back what it holds, records it in the
    /// breaker, then retries the call or ends it.
    mutating func endAttempt(slot: Int, with end: AttemptEnd, at now: Instant) throws(LabInputError) {
        calls[slot].phase = nextPhase()
        Host.attemptEnding(&self, slot: slot, end: end, reachedDependency: calls[slot].atDependency, at: now)
        if calls[slot].atDependency {
            calls[slot].atDependency = false
            calls[slot].executions += 1
            executions += 1
        }
        try releaseAdmission(slot: slot, end: end, at: now)
        if let permit = calls[slot].permit {
            calls[slot].permit = nil
            let duration = calls[slot].admittedByBreakerAt.duration(to: now)
            note(machine?.record(end.breakerOutcome, of: permit, duration: duration, now: now.machineTime), at: now)
        }
        if calls[slot].executions == 0, case .policy(let code) = end, code != .timedOut {
            calls[slot].firstRejection = code
        }
        if end.isRetryable, calls[slot].executions < maxAttempts, budget != nil {
            if budget!.tryRetry(now: now.machineTime) {
                retries += 1
                var schedule = retrySchedules[slot] ?? freshSchedule!
                let delay = schedule.next(hint: calls[slot].retryAfter, using: &random).delay
                retrySchedules[slot] = schedule
                calls[slot].hasRetried = true
                self.schedule(.attemptStart, at: now.advanced(by: delay), slot: slot)
                return
            }
            retriesDeniedByBudget += 1
        }
        finish(slot: slot, with: end, at: now)
    }

    /// A new phase for a call that moves on; see ``Event/phase``.
    mutating func nextPhase() -> Int {
        sequence += 1
        return sequence
    }

    mutating func schedule(_ kind: Event.Kind, at instant: Instant, slot: Int, wait: WaitEnd = .timeout) {
        sequence += 1
        events.insert(Event(at: instant, kind: kind, sequence: sequence, slot: slot, phase: calls[slot].phase, wait: wait))
    }

    /// Like ``schedule(_:at:slot:wait:)``, for a timer of a fixed length (the timeout, or the `maxWait`
    /// that `wait` names): the same order, scheduled more cheaply in the timer's lane of
    /// ``EventCalendar``.
    mutating func scheduleTimer(_ kind: Event.Kind, at instant: Instant, slot: Int, wait: WaitEnd = .timeout) {
        sequence += 1
        let event = Event(at: instant, kind: kind, sequence: sequence, slot: slot, phase: calls[slot].phase, wait: wait)
        events.insert(event, lane: wait.rawValue)
    }

    /// Schedules a ``PolicyRunHost/hostEvent(_:tag:at:)`` with `tag` at `instant`. `increasing`: the
    /// event belongs to the host's one stream of events scheduled in increasing order (the simulator's
    /// open-loop arrivals), which has a lane of its own in ``EventCalendar``; the order is the same.
    mutating func scheduleHostEvent(at instant: Instant, tag: Int, increasing: Bool = false) {
        sequence += 1
        let event = Event(at: instant, kind: .host, sequence: sequence, slot: tag, phase: 0)
        if increasing {
            events.insert(event, lane: Self.hostLane)
        } else {
            events.insert(event)
        }
    }

    /// Ends the call at `now` with `end`: gives back the load shedder's permit, lets the host record
    /// it and frees its slot.
    mutating func finish(slot: Int, with end: AttemptEnd, at now: Instant) {
        if let permit = calls[slot].shedPermit { shedder?.release(permit) }
        Host.callEnded(&self, slot: slot, end: end, at: now)
        if calls[slot].hasRetried { retrySchedules[slot] = nil }
        calls[slot].shedPermit = nil
        freeSlots.append(slot)
    }

    /// The state at `now` (applying any due time-driven transition), or nil without a breaker.
    mutating func state(at now: Instant) -> CircuitState? {
        guard let (state, transition) = machine?.state(now: now.machineTime) else { return nil }
        note(transition, at: now)
        return state
    }

    mutating func note(_ transition: CircuitTransition?, at now: Instant) {
        guard let transition else { return }
        Host.breakerChanged(&self, transition, at: now)
    }
}

extension ManualClock.Instant {
    /// This instant as the state machines take it: a ``ClockOffset`` from the run's zero.
    var machineTime: ClockOffset { ClockOffset(offset) }
}
