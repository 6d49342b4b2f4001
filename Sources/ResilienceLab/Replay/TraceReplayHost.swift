import Resilience
import ResilienceConfiguration

/// The ``PolicyRunHost`` of a replay: attempts get the answers their trace line lists, and each call
/// line gets its output line when the call ends (see ``Replayer`` for the format).
struct TraceReplayHost: PolicyRunHost {
    typealias Run = PolicyRun<TraceReplayHost>

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

    /// A call line: where its output goes, and its answers.
    struct CallData {
        var line: Int
        var outputIndex: Int
        var answers: Answers
    }

    /// The trace's file, named in errors about a line.
    let traceFile: String
    var result = ReplayResult(lines: [], transitions: [])
    /// The rate limiter's keys, numbered in order of first appearance.
    var keyNumbers: [String: Int] = [:]

    /// Handles one trace entry at its instant: the events due before it first.
    static func handle(_ entry: Trace.Entry, in run: inout Run) throws(LabInputError) {
        let now = Run.Instant(offset: entry.at)
        try run.processEvents(upTo: now)
        switch entry.action {
        case .call(let outcome, let duration):
            try startCall(.every(Trace.Attempt(outcome: outcome, duration: duration)), entry: entry, in: &run, at: now)
        case .callWithAttempts(let attempts):
            try startCall(.listed(attempts), entry: entry, in: &run, at: now)
        case .control(let control):
            let transitions: [CircuitTransition]? = switch control {
            case .forceOpen: run.machine?.forceOpen(now: now.machineTime)
            case .forceClosed: run.machine?.forceClosed(now: now.machineTime)
            case .reset: run.machine?.reset(now: now.machineTime)
            }
            for transition in transitions ?? [] { run.note(transition, at: now) }
            run.host.result.lines.append(json(line: entry.line, state: run.state(at: now)))
        case .observeState:
            run.host.result.lines.append(json(line: entry.line, state: run.state(at: now)))
        }
    }

    private static func startCall(_ answers: Answers, entry: Trace.Entry, in run: inout Run, at now: Run.Instant) throws(LabInputError) {
        run.host.result.calls += 1
        let data = CallData(line: entry.line, outputIndex: run.host.result.lines.count, answers: answers)
        run.host.result.lines.append("")  // filled in when the call ends
        let key = entry.key.map { key in
            if let number = run.host.keyNumbers[key] { return number }
            let number = run.host.keyNumbers.count
            run.host.keyNumbers[key] = number
            return number
        }
        try run.startCall(data: data, priority: entry.priority, key: key, at: now)
    }

    static func runDependency(_ run: inout Run, slot: Int, at now: Run.Instant) throws(LabInputError) {
        let number = run.calls[slot].executions + 1
        guard let answer = run.calls[slot].data.answers.answer(to: number) else {
            let listed = number - 1
            throw LabInputError(
                file: run.host.traceFile, line: run.calls[slot].data.line,
                message: "the policy makes a \(ordinal(number)) attempt but the line lists \(listed) attempt\(listed == 1 ? "" : "s")")
        }
        run.answer(slot: slot, outcome: answer.outcome, at: now.advanced(by: answer.duration))
    }

    static func attemptEnding(_ run: inout Run, slot: Int, end: AttemptEnd, reachedDependency: Bool, at now: Run.Instant) {}

    static func callEnded(_ run: inout Run, slot: Int, end: AttemptEnd, at now: Run.Instant) {
        let call = run.calls[slot]
        let rejectedAtOnce = call.firstRejection != nil
        if let code = call.firstRejection {
            run.host.result.rejected[code.description, default: 0] += 1
        } else {
            run.host.result.permitted += 1
            switch end {
            case .dependency(let outcome): run.host.result.outcomes[outcome, default: 0] += 1
            case .policy(let code): run.host.result.endedByPolicy[code.description, default: 0] += 1
            }
        }
        var members: [JSONWriter.Member] = [
            ("line", .integer(call.data.line)), ("decision", .string(rejectedAtOnce ? "rejected" : "permitted")),
            ("reason", rejectedAtOnce ? .string(end.name) : .null),
        ]
        if let state = run.state(at: now) { members.append(("state", .string(state.rawValue))) }
        if case .listed = call.data.answers {
            members += [("attempts", .integer(call.executions)), ("outcome", .string(end.name)), ("finishedAt", .milliseconds(now.offset))]
        }
        if let shadow = call.shadowReason { members.append(("shadowReason", .string(shadow.description))) }
        run.host.result.lines[call.data.outputIndex] = JSONWriter.text(.object(members))
    }

    static func hostEvent(_ run: inout Run, tag: Int, at now: Run.Instant) throws(LabInputError) {}

    static func breakerChanged(_ run: inout Run, _ transition: CircuitTransition, at now: Run.Instant) {
        run.host.result.transitions.append(ReplayResult.TimedTransition(at: now.offset, transition: transition))
    }

    /// `{"line": N, "state": S}`, without `state` when there is no circuit breaker.
    static func json(line: Int, state: CircuitState?) -> String {
        var members: [JSONWriter.Member] = [("line", .integer(line))]
        if let state { members.append(("state", .string(state.rawValue))) }
        return JSONWriter.text(.object(members))
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
