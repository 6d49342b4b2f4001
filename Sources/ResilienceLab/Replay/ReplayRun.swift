import Resilience

extension Replayer {
    /// Something a call in flight waits for: the end of its current attempt, or the start of its next
    /// one. Ordered by (instant, kind, sequence), the order in which the replay handles them.
    struct Event: Comparable {
        enum Kind: UInt8 {
            /// The current attempt's outcome is due.
            case outcome = 0
            /// A retry is due to start.
            case attemptStart = 1
        }

        var at: Instant
        var kind: Kind
        /// Increases with every event scheduled: admission order for outcomes, scheduling order for
        /// starts.
        var sequence: Int
        /// The call's slot in ``Run/calls``.
        var slot: Int

        static func < (lhs: Event, rhs: Event) -> Bool {
            if lhs.at != rhs.at { return lhs.at < rhs.at }
            if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
            return lhs.sequence < rhs.sequence
        }
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
        /// Attempts executed so far (rejected ones are not executed).
        var executions = 0
        /// The breaker's permit for the current attempt.
        var permit: Machine.Permit?
        /// How the current attempt ends, and the duration the breaker records for it.
        var end = AttemptEnd.dependency(.success)
        var recordedDuration = Duration.zero
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
        var random: SplitMix64
        let traceFile: String

        var events = MinimumHeap<Event>()
        var sequence = 0
        /// Calls in flight, by slot; slots of ended calls are reused.
        var calls: [Call] = []
        var freeSlots: [Int] = []
        var result = ReplayResult(lines: [], transitions: [])

        init(policy: PolicyFile, policyFile: String, traceFile: String, seed: UInt64) throws(LabInputError) {
            func invalid(_ error: ConfigurationError, in section: String) -> LabInputError {
                LabInputError(file: policyFile, message: error.prefixingKey(with: section).description)
            }
            self.traceFile = traceFile
            random = SplitMix64(seed: seed)
            if let configuration = policy.circuitBreaker {
                do throws(ConfigurationError) {
                    machine = try Machine(configuration: configuration, now: .zero)
                } catch {
                    throw invalid(error, in: "circuitBreaker")
                }
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
        }

        mutating func handle(_ entry: Trace.Entry) throws(LabInputError) {
            let now = Instant(offset: entry.at)
            try processEvents(upTo: now)
            switch entry.action {
            case .call(let outcome, let duration):
                try startCall(.every(Trace.Attempt(outcome: outcome, duration: duration)), line: entry.line, now: now)
            case .callWithAttempts(let attempts):
                try startCall(.listed(attempts), line: entry.line, now: now)
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
        /// including those that handling them schedules.
        mutating func processEvents(upTo limit: Instant?) throws(LabInputError) {
            while let next = events.minimum {
                if let limit, next.at > limit { break }
                _ = events.removeMinimum()
                switch next.kind {
                case .outcome: attemptEnded(slot: next.slot, at: next.at)
                case .attemptStart: try startAttempt(slot: next.slot, at: next.at)
                }
            }
        }

        mutating func startCall(_ answers: Answers, line: Int, now: Instant) throws(LabInputError) {
            result.calls += 1
            budget?.recordFirstAttempts(1, at: now.offset)
            let call = Call(line: line, outputIndex: result.lines.count, answers: answers)
            result.lines.append("")  // filled in when the call ends
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
                calls[slot] = call
            } else {
                slot = calls.count
                calls.append(call)
            }
            try startAttempt(slot: slot, at: now)
        }

        /// Asks the breaker, then runs the call's next attempt until its end (or its timeout).
        mutating func startAttempt(slot: Int, at now: Instant) throws(LabInputError) {
            let isFirst = calls[slot].executions == 0
            if let (decision, transition) = machine?.acquire(now: now) {
                note(transition, at: now)
                switch decision {
                case .permitted(let permit):
                    calls[slot].permit = permit
                case .rejected(let code, _):
                    if isFirst { result.rejected[code.description, default: 0] += 1 }
                    finish(slot: slot, with: .policy(code), at: now)
                    return
                }
            }
            if isFirst { result.permitted += 1 }
            let number = calls[slot].executions + 1
            guard let answer = calls[slot].answers.answer(to: number) else {
                let listed = number - 1
                throw LabInputError(
                    file: traceFile, line: calls[slot].line,
                    message: "the policy makes a \(Self.ordinal(number)) attempt but the line lists \(listed) attempt\(listed == 1 ? "" : "s")")
            }
            calls[slot].executions = number
            result.executions += 1
            if let timeout, answer.duration >= timeout {
                calls[slot].end = .policy(.timedOut)
                calls[slot].recordedDuration = timeout
            } else {
                calls[slot].end = .dependency(answer.outcome)
                calls[slot].recordedDuration = answer.duration
            }
            schedule(.outcome, at: now.advanced(by: calls[slot].recordedDuration), slot: slot)
        }

        /// Records the attempt's outcome in the breaker, then retries the call or ends it.
        mutating func attemptEnded(slot: Int, at now: Instant) {
            let end = calls[slot].end
            if let permit = calls[slot].permit {
                let recorded: CallOutcome = if case .dependency(let outcome) = end { outcome } else { .failure }
                let transition = machine?.record(recorded, of: permit, duration: calls[slot].recordedDuration, now: now)
                note(transition, at: now)
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

        mutating func schedule(_ kind: Event.Kind, at instant: Instant, slot: Int) {
            sequence += 1
            events.insert(Event(at: instant, kind: kind, sequence: sequence, slot: slot))
        }

        /// Ends the call at `now` with `end`: writes its output line and frees its slot.
        mutating func finish(slot: Int, with end: AttemptEnd, at now: Instant) {
            let call = calls[slot]
            let rejectedAtOnce = call.executions == 0
            if !rejectedAtOnce {
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
