import Resilience

extension Replayer {
    /// Something a call in flight waits for. Ordered by (instant, kind, sequence), the order in which
    /// the replay handles them.
    struct Event: Comparable {
        enum Kind: UInt8 {
            /// The current attempt's outcome is due (the dependency answered, or the timeout fired while
            /// it ran).
            case outcome = 0
            /// A queued attempt's wait ends: `maxWait` of the bulkhead or the concurrency limit, or the
            /// timeout while it waits for the bulkhead.
            case waitEnd = 1
            /// An attempt goes on: a retry starts, or a rate limiter's reservation is due.
            case attemptStart = 2
        }

        var at: Instant
        var kind: Kind
        /// Increases with every event scheduled: admission order for outcomes, scheduling order for
        /// the rest.
        var sequence: Int
        /// The call's slot in ``Run/calls``.
        var slot: Int
        /// The call's ``Call/phase`` when the event was scheduled: an event whose call has moved on
        /// since (a queued attempt admitted before its wait ended) is stale and skipped.
        var phase: Int
        /// For ``Kind/waitEnd``: why the wait ends.
        var wait: WaitEnd = .timeout

        static func < (lhs: Event, rhs: Event) -> Bool {
            if lhs.at != rhs.at { return lhs.at < rhs.at }
            if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
            return lhs.sequence < rhs.sequence
        }
    }

    /// Why a queued attempt stops waiting.
    enum WaitEnd {
        /// The attempt's timeout fired while it waited for the bulkhead.
        case timeout
        /// The bulkhead's `maxWait` elapsed.
        case bulkheadMaxWait
        /// The concurrency limit's `maxWait` elapsed.
        case concurrencyMaxWait
    }

    /// How a call's attempt ends: with the dependency's outcome, or by a policy (`timedOut`, or the
    /// breaker's rejection of a retry).
    enum AttemptEnd: Equatable {
        case dependency(CallOutcome)
        case policy(ResilienceError.Code)

        var name: String {
            switch self {
            case .dependency(let outcome): outcome.rawValue
            case .policy(let code): code.description
            }
        }

        /// Whether a retry policy retries it: failures and timeouts.
        var isRetryable: Bool {
            self == .dependency(.failure) || self == .policy(.timedOut)
        }

        /// What the circuit breaker records: the dependency's outcome; a timeout is a failure; an inner
        /// policy's rejection is ignored (the dependency was not asked), as the default
        /// ``FailureClassifier`` does.
        var breakerOutcome: CallOutcome {
            switch self {
            case .dependency(let outcome): outcome
            case .policy(let code): code == .timedOut ? .failure : .ignored
            }
        }

        /// What the concurrency limit learns: a success is a sample, a failure or timeout a drop, an
        /// inner rejection nothing.
        var concurrencyOutcome: ConcurrencyLimiterStateMachine<Instant>.Outcome {
            switch breakerOutcome {
            case .success: .success
            case .failure: .dropped
            case .ignored: .ignored
            }
        }
    }

    /// What a call's attempts answer: the same for all (a single-outcome line), or one each.
    enum Answers {
        case every(Trace.Attempt)
        case listed([Trace.Attempt])

        /// The answer of attempt `number` (from 1), or nil when the line lists fewer attempts.
        func answer(to number: Int) -> Trace.Attempt? {
            switch self {
            case .every(let attempt): attempt
            case .listed(let attempts): number <= attempts.count ? attempts[number - 1] : nil
            }
        }
    }

    /// A call that has not ended yet.
    struct Call {
        var line: Int
        var outputIndex: Int
        var answers: Answers
        var priority: Priority
        var key: String?
        /// Changes whenever the call moves on (see ``Event/phase``); unique over the whole replay.
        var phase = 0
        /// Attempts executed so far (attempts that never reached the dependency are not executed).
        var executions = 0
        /// The code that rejected the first attempt, when one did: the call then ends rejected.
        var firstRejection: ResilienceError.Code?
        /// The load shedder's permit, held for the whole call.
        var shedPermit: LoadShedderStateMachine.Permit?
        /// The breaker's permit for the current attempt, and when the breaker admitted it.
        var permit: Machine.Permit?
        var admittedByBreakerAt = Instant.zero
        /// The current attempt waits for a rate limiter's reservation, then goes on to the
        /// concurrency limit (rather than starting over at the breaker).
        var resumesAfterRateLimiter = false
        /// The concurrency limit's token for the current attempt, or its place in that queue.
        var concurrencyToken: ConcurrencyLimiterStateMachine<Instant>.Token?
        var concurrencyTicket: ConcurrencyLimiterStateMachine<Instant>.Ticket?
        /// The current attempt's place in the bulkhead's queue, or whether it holds a slot.
        var bulkheadTicket: BulkheadStateMachine.Ticket?
        var holdsBulkheadSlot = false
        /// When the current attempt's timeout fires, if there is a timeout.
        var deadline: Instant?
        /// How the current attempt ends, once it reached the dependency.
        var end = AttemptEnd.dependency(.success)
        /// The call's delays, from its first retry on.
        var schedule: RetrySchedule?
    }

    /// The state of one replay: the policies' state machines and the calls in flight.
    struct Run {
        var machine: Machine?
        let timeout: Duration?
        /// 1 without a retry policy.
        let maxAttempts: Int
        var budget: RetryBudgetStateMachine?
        /// A fresh schedule, copied for each call that retries.
        let freshSchedule: RetrySchedule?
        var shedder: LoadShedderStateMachine?
        var rateLimiter: KeyedTokenBucketStateMachine<String?, Instant>?
        var concurrencyLimiter: ConcurrencyLimiterStateMachine<Instant>?
        var bulkhead: BulkheadStateMachine?
        let bulkheadMaxWait: Duration?
        var random: SplitMix64
        let policyFile: String
        let traceFile: String

        var events = MinimumHeap<Event>()
        var sequence = 0
        /// Calls in flight, by slot; slots of ended calls are reused.
        var calls: [Call] = []
        var freeSlots: [Int] = []
        /// The calls waiting in the bulkhead's and the concurrency limit's queues, by ticket.
        var bulkheadWaiters: [UInt64: Int] = [:]
        var concurrencyWaiters: [UInt64: Int] = [:]
        var result = ReplayResult(lines: [], transitions: [])

        init(policy: PolicyFile, policyFile: String, traceFile: String, seed: UInt64) throws(LabInputError) {
            func invalid(_ error: ConfigurationError, in section: String) -> LabInputError {
                LabInputError(file: policyFile, message: error.prefixingKey(with: section).description)
            }
            self.policyFile = policyFile
            self.traceFile = traceFile
            random = SplitMix64(seed: seed)
            do throws(ConfigurationError) {
                machine = try policy.circuitBreaker.map { c throws(ConfigurationError) in try Machine(configuration: c, now: .zero) }
            } catch {
                throw invalid(error, in: "circuitBreaker")
            }
            if let configuration = policy.timeout {
                do throws(ConfigurationError) {
                    try configuration.validate()
                } catch {
                    throw invalid(error, in: "timeout")
                }
                timeout = configuration.duration
            } else {
                timeout = nil
            }
            if let configuration = policy.retry {
                do throws(ConfigurationError) {
                    freshSchedule = try RetrySchedule(configuration: configuration)
                    budget = try RetryBudgetStateMachine(
                        ratio: configuration.budgetRatio, minPerSecond: configuration.budgetMinPerSecond,
                        window: configuration.budgetWindow)
                } catch {
                    throw invalid(error, in: "retry")
                }
                maxAttempts = configuration.maxAttempts
            } else {
                freshSchedule = nil
                maxAttempts = 1
            }
            do throws(ConfigurationError) {
                shedder = try policy.loadShedder.map { c throws(ConfigurationError) in try LoadShedderStateMachine(configuration: c) }
            } catch {
                throw invalid(error, in: "loadShedder")
            }
            do throws(ConfigurationError) {
                rateLimiter = try policy.rateLimiter.map { c throws(ConfigurationError) in
                    try KeyedTokenBucketStateMachine(configuration: c, now: .zero)
                }
            } catch {
                throw invalid(error, in: "rateLimiter")
            }
            do throws(ConfigurationError) {
                concurrencyLimiter = try policy.concurrencyLimit.map { c throws(ConfigurationError) in
                    try ConcurrencyLimiterStateMachine(configuration: c)
                }
            } catch {
                throw invalid(error, in: "concurrencyLimit")
            }
            do throws(ConfigurationError) {
                bulkhead = try policy.bulkhead.map { c throws(ConfigurationError) in try BulkheadStateMachine(configuration: c) }
            } catch {
                throw invalid(error, in: "bulkhead")
            }
            bulkheadMaxWait = policy.bulkhead?.maxWait
        }

        mutating func handle(_ entry: Trace.Entry) throws(LabInputError) {
            let now = Instant(offset: entry.at)
            try processEvents(upTo: now)
            switch entry.action {
            case .call(let outcome, let duration):
                let answers = Answers.every(Trace.Attempt(outcome: outcome, duration: duration))
                try startCall(answers, entry: entry, now: now)
            case .callWithAttempts(let attempts):
                try startCall(.listed(attempts), entry: entry, now: now)
            case .control(let control):
                let transitions: [CircuitTransition]? = switch control {
                case .forceOpen: machine?.forceOpen(now: now)
                case .forceClosed: machine?.forceClosed(now: now)
                case .reset: machine?.reset(now: now)
                }
                for transition in transitions ?? [] { note(transition, at: now) }
                result.lines.append(Self.json(line: entry.line, state: state(at: now)))
            case .observeState:
                result.lines.append(Self.json(line: entry.line, state: state(at: now)))
            }
        }

        /// Handles every event due at or before `limit` (all of them when `limit` is nil), in order,
        /// including those that handling them schedules. Stale events are skipped.
        mutating func processEvents(upTo limit: Instant?) throws(LabInputError) {
            while let next = events.minimum {
                if let limit, next.at > limit { break }
                _ = events.removeMinimum()
                guard calls[next.slot].phase == next.phase else { continue }
                switch next.kind {
                case .outcome:
                    try endAttempt(slot: next.slot, with: calls[next.slot].end, at: next.at)
                case .waitEnd:
                    try waitEnded(slot: next.slot, because: next.wait, at: next.at)
                case .attemptStart:
                    if calls[next.slot].resumesAfterRateLimiter {
                        calls[next.slot].resumesAfterRateLimiter = false
                        try enterConcurrencyLimit(slot: next.slot, at: next.at)
                    } else {
                        try startAttempt(slot: next.slot, at: next.at)
                    }
                }
            }
        }

        /// A call line: the load shedder decides for the whole call, then its first attempt starts.
        mutating func startCall(_ answers: Answers, entry: Trace.Entry, now: Instant) throws(LabInputError) {
            result.calls += 1
            budget?.recordFirstAttempts(1, at: now.offset)
            let call = Call(
                line: entry.line, outputIndex: result.lines.count, answers: answers, priority: entry.priority,
                key: entry.key)
            result.lines.append("")  // filled in when the call ends
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
                switch shedder!.admit(priority: entry.priority, signals: LoadShedSignals(queueDepth: queued)) {
                case .admitted(let permit):
                    calls[slot].shedPermit = permit
                case .shed:
                    return try endAttempt(slot: slot, with: .policy(.loadShed), at: now)
                }
            }
            try startAttempt(slot: slot, at: now)
        }

        /// The breaker decides the attempt, then the rate limiter.
        mutating func startAttempt(slot: Int, at now: Instant) throws(LabInputError) {
            if let (decision, transition) = machine?.acquire(now: now) {
                note(transition, at: now)
                switch decision {
                case .permitted(let permit):
                    calls[slot].permit = permit
                    calls[slot].admittedByBreakerAt = now
                case .rejected(let code, _):
                    return try endAttempt(slot: slot, with: .policy(code), at: now)
                }
            }
            try enterRateLimiter(slot: slot, at: now)
        }

        /// The dependency starts the current attempt at `now`: its outcome is due after the line's
        /// duration, or when the timeout fires if that is sooner.
        mutating func runDependency(slot: Int, at now: Instant) throws(LabInputError) {
            let number = calls[slot].executions + 1
            guard let answer = calls[slot].answers.answer(to: number) else {
                let listed = number - 1
                throw LabInputError(
                    file: traceFile, line: calls[slot].line,
                    message: "the policy makes a \(Self.ordinal(number)) attempt but the line lists \(listed) attempt\(listed == 1 ? "" : "s")")
            }
            calls[slot].executions = number
            result.executions += 1
            var end = now.advanced(by: answer.duration)
            if let deadline = calls[slot].deadline, end >= deadline {
                end = deadline
                calls[slot].end = .policy(.timedOut)
            } else {
                calls[slot].end = .dependency(answer.outcome)
            }
            schedule(.outcome, at: end, slot: slot)
        }

        /// Ends the current attempt at `now` with `end`: gives back what it holds, records it in the
        /// breaker, then retries the call or ends it.
        mutating func endAttempt(slot: Int, with end: AttemptEnd, at now: Instant) throws(LabInputError) {
            calls[slot].phase = nextPhase()
            try releaseAdmission(slot: slot, end: end, at: now)
            if let permit = calls[slot].permit {
                calls[slot].permit = nil
                let duration = calls[slot].admittedByBreakerAt.duration(to: now)
                note(machine?.record(end.breakerOutcome, of: permit, duration: duration, now: now), at: now)
            }
            if calls[slot].executions == 0, case .policy(let code) = end, code != .timedOut {
                calls[slot].firstRejection = code
            }
            if end.isRetryable, calls[slot].executions < maxAttempts, budget != nil {
                if budget!.tryRetry(at: now.offset) {
                    result.retries += 1
                    var schedule = calls[slot].schedule ?? freshSchedule!
                    let delay = schedule.next(using: &random).delay
                    calls[slot].schedule = schedule
                    self.schedule(.attemptStart, at: now.advanced(by: delay), slot: slot)
                    return
                }
                result.retriesDeniedByBudget += 1
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

        /// Ends the call at `now` with `end`: gives back the load shedder's permit, writes its output
        /// line and frees its slot.
        mutating func finish(slot: Int, with end: AttemptEnd, at now: Instant) {
            let call = calls[slot]
            if let permit = call.shedPermit { shedder?.release(permit) }
            let rejectedAtOnce = call.firstRejection != nil
            if let code = call.firstRejection {
                result.rejected[code.description, default: 0] += 1
            } else {
                result.permitted += 1
                switch end {
                case .dependency(let outcome): result.outcomes[outcome, default: 0] += 1
                case .policy(let code): result.endedByPolicy[code.description, default: 0] += 1
                }
            }
            var text = "{\"line\": \(call.line), \"decision\": "
            text += rejectedAtOnce ? "\"rejected\", \"reason\": \(jsonQuoted(end.name))" : "\"permitted\", \"reason\": null"
            if let state = state(at: now) { text += ", \"state\": \(jsonQuoted(state.rawValue))" }
            if case .listed = call.answers {
                text += ", \"attempts\": \(call.executions), \"outcome\": \(jsonQuoted(end.name))"
                text += ", \"finishedAt\": \(MillisecondsText.format(now.offset))"
            }
            result.lines[call.outputIndex] = text + "}"
            calls[slot].schedule = nil
            calls[slot].shedPermit = nil
            freeSlots.append(slot)
        }

        /// The state at `now` (applying any due time-driven transition), or nil without a breaker.
        mutating func state(at now: Instant) -> CircuitState? {
            guard let (state, transition) = machine?.state(now: now) else { return nil }
            note(transition, at: now)
            return state
        }

        mutating func note(_ transition: CircuitTransition?, at now: Instant) {
            guard let transition else { return }
            result.transitions.append(ReplayResult.TimedTransition(at: now.offset, transition: transition))
        }

        static func json(line: Int, state: CircuitState?) -> String {
            guard let state else { return "{\"line\": \(line)}" }
            return "{\"line\": \(line), \"state\": \(jsonQuoted(state.rawValue))}"
        }

        /// `1st`, `2nd`, `3rd`, `4th`, ..., `11th`, `12th`, `13th`, ..., `21st`, ...
        static func ordinal(_ number: Int) -> String {
            let suffix = switch (number % 10, number % 100) {
            case (_, 11...13): "th"
            case (1, _): "st"
            case (2, _): "nd"
            case (3, _): "rd"
            default: "th"
            }
            return "\(number)\(suffix)"
        }
    }
}
