import Resilience

/// Replays a ``Trace`` through the policies of a ``PolicyFile`` in virtual time, with the same state
/// machines the policies use in production.
///
/// At one instant, the outcomes that are due are recorded first (in due order, then admission order),
/// then the line itself. The output line of a permitted call shows the state right after its outcome
/// was recorded; every other line shows the state right after it was handled.
public enum Replayer {
    typealias Instant = ManualClock.Instant
    typealias Machine = CircuitBreakerStateMachine<Instant>

    /// A permitted call whose outcome is not recorded yet.
    struct PendingOutcome {
        var due: Instant
        var admission: Int
        var permit: Machine.Permit
        var outcome: CallOutcome
        var duration: Duration
        var outputIndex: Int
        var line: Int
    }

    /// Replays `trace` through `policy`.
    /// - Throws: ``LabInputError`` naming `policyFile` if the policy's configuration is rejected.
    public static func replay(_ trace: Trace, policy: PolicyFile, policyFile: String) throws(LabInputError) -> ReplayResult {
        var machine: Machine?
        if let configuration = policy.circuitBreaker {
            do {
                machine = try Machine(configuration: configuration, now: .zero)
            } catch {
                throw LabInputError(file: policyFile, message: error.prefixingKey(with: "circuitBreaker").description)
            }
        }
        var run = Run(machine: machine)
        for entry in trace.entries {
            run.handle(entry)
        }
        run.recordDueOutcomes(upTo: nil)
        return run.result
    }

    struct Run {
        var machine: Machine?
        var pending: [PendingOutcome] = []  // sorted by (due, admission)
        var admissions = 0
        var result = ReplayResult(lines: [], transitions: [])

        init(machine: Machine?) { self.machine = machine }

        mutating func handle(_ entry: Trace.Entry) {
            let now = Instant(offset: entry.at)
            recordDueOutcomes(upTo: now)
            switch entry.action {
            case .call(let outcome, let duration):
                result.calls += 1
                admit(outcome, duration: duration, line: entry.line, now: now)
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

        mutating func admit(_ outcome: CallOutcome, duration: Duration, line: Int, now: Instant) {
            guard let (decision, transition) = machine?.acquire(now: now) else {
                result.permitted += 1
                result.outcomes[outcome, default: 0] += 1
                result.lines.append(Self.json(line: line, decision: "permitted", reason: nil, state: nil))
                return
            }
            note(transition, at: now)
            switch decision {
            case .permitted(let permit):
                admissions += 1
                result.permitted += 1
                result.outcomes[outcome, default: 0] += 1
                let call = PendingOutcome(
                    due: now.advanced(by: duration), admission: admissions, permit: permit, outcome: outcome,
                    duration: duration, outputIndex: result.lines.count, line: line)
                result.lines.append("")  // filled in when the outcome is recorded
                let index = pending.partitioningIndex { ($0.due, $0.admission) > (call.due, call.admission) }
                pending.insert(call, at: index)
            case .rejected(let code, _):
                result.rejected[code.description, default: 0] += 1
                result.lines.append(
                    Self.json(line: line, decision: "rejected", reason: code.description, state: state(at: now)))
            }
        }

        /// Records every pending outcome due at or before `now` (all of them when `now` is nil).
        mutating func recordDueOutcomes(upTo now: Instant?) {
            var recorded = 0
            for call in pending {
                if let now, call.due > now { break }
                recorded += 1
                let transition = machine?.record(call.outcome, of: call.permit, duration: call.duration, now: call.due)
                note(transition, at: call.due)
                result.lines[call.outputIndex] = Self.json(
                    line: call.line, decision: "permitted", reason: nil, state: state(at: call.due))
            }
            pending.removeFirst(recorded)
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

        static func json(line: Int, decision: String, reason: String?, state: CircuitState?) -> String {
            var text = "{\"line\": \(line), \"decision\": \(jsonQuoted(decision)), \"reason\": "
            text += reason.map(jsonQuoted) ?? "null"
            if let state { text += ", \"state\": \(jsonQuoted(state.rawValue))" }
            return text + "}"
        }

        static func json(line: Int, state: CircuitState?) -> String {
            guard let state else { return "{\"line\": \(line)}" }
            return "{\"line\": \(line), \"state\": \(jsonQuoted(state.rawValue))}"
        }
    }
}

extension Array {
    /// The index of the first element for which `belongsToSecondPartition` is true, assuming the array
    /// is partitioned by it (binary search).
    func partitioningIndex(where belongsToSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsToSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
