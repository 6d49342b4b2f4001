import Resilience
import ResilienceConfiguration

/// A recorded trace of calls, read from a `TRACE.jsonl` file: one JSON object per line, times in
/// milliseconds from the start of the trace, `at` never decreasing.
///
/// - a call: `{"at": 1500, "outcome": "success" | "failure" | "ignored", "duration": 200}` (`duration`
///   defaults to 0); a permitted call is admitted at `at` and its outcome recorded at `at + duration`.
///   Under a `retry` or `timeout` section, every attempt of such a call answers with this same outcome
///   and duration;
/// - a call with one outcome per attempt:
///   `{"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success", "duration": 50}]}`;
///   each attempt object takes exactly the `outcome` (required) and `duration` (default 0) of a
///   single-outcome line. Attempt k of the call answers with the k-th object; an attempt the circuit
///   breaker rejects needs none, and objects beyond the attempts made are not used (the output's
///   `attempts` says how many were). A line whose call executes more attempts than it lists is bad
///   input, found during the replay ("the policy makes a 3rd attempt but the line lists 2 attempts");
/// - either kind of call line may carry `"priority"` (`"low"`, `"normal"` — the default —, `"high"`,
///   `"critical"`: what load shedding and cascade prevention see) and `"key"` (a string: the client or
///   tenant whose rate-limit bucket the call draws from; calls without a key share one bucket);
/// - a control: `{"at": 2000, "control": "forceOpen" | "forceClosed" | "reset"}`;
/// - an observation: `{"at": 3000, "observe": "state"}`.
///
/// A line with both `outcome` and `attempts`, an empty `attempts` list, or an unknown field (also
/// inside an attempt, named as `attempts[0].foo`, counting from 0) is an error naming the line and the
/// field. Blank lines are skipped; line numbers are physical line numbers in the file.
public struct Trace: Sendable, Hashable {
    /// What a line asks for.
    public enum Action: Sendable, Hashable {
        /// A call with its outcome and how long it takes; every attempt of the call answers the same.
        case call(CallOutcome, duration: Duration)
        /// A call whose attempts each have their own outcome and duration, in attempt order (never
        /// empty).
        case callWithAttempts([Attempt])
        /// A manual control of the policies.
        case control(Control)
        /// Reading the state.
        case observeState
    }

    /// One execution of a call, as a line with `"attempts"` lists it.
    public struct Attempt: Sendable, Hashable {
        /// How the execution ended, had no timeout cut it short.
        public var outcome: CallOutcome
        /// How long the execution takes.
        public var duration: Duration

        /// An attempt that ends with `outcome` after `duration`.
        public init(outcome: CallOutcome, duration: Duration) {
            self.outcome = outcome
            self.duration = duration
        }
    }

    /// A manual control.
    public enum Control: String, Sendable, Hashable, CaseIterable {
        /// ``CircuitBreaker/forceOpen()``.
        case forceOpen
        /// ``CircuitBreaker/forceClosed()``.
        case forceClosed
        /// ``CircuitBreaker/reset()``.
        case reset
    }

    /// What can be observed.
    enum Observation: String, CaseIterable {
        case state
    }

    /// One line of the trace.
    public struct Entry: Sendable, Hashable {
        /// The physical line number, from 1.
        public var line: Int
        /// When, from the start of the trace.
        public var at: Duration
        /// What happens.
        public var action: Action
        /// The call's priority (``Priority/normal`` for every other line).
        public var priority: Priority = .normal
        /// The call's rate-limit key, if it has one.
        public var key: String?
    }

    /// The entries, in file order.
    public var entries: [Entry]

    /// Reads and validates the trace at `path`: a file, `-` (standard input) or any readable stream
    /// (a FIFO, `/dev/stdin`, a shell's `<(...)`).
    public static func load(path: String) throws(LabInputError) -> Trace {
        try parse(TextFile.read(path), file: TextFile.displayName(path))
    }

    /// Parses and validates trace text; `file` names it in errors. Fails on the first bad line.
    public static func parse(_ text: String, file: String) throws(LabInputError) -> Trace {
        var entries: [Entry] = []
        var previousAt: Double = 0
        var lineNumber = 0
        // Split on bytes: a Swift `Character` joins "\r\n", so splitting on "\n" would miss CRLF lines.
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            do throws(FieldError) {
                let (atMs, action, priority, key) = try parseLine(String(Substring(line)))
                guard atMs >= previousAt else {
                    throw FieldError(message: "\"at\" is \(format(atMs)), earlier than the previous line's \(format(previousAt)); times must not decrease")
                }
                previousAt = atMs
                entries.append(Entry(line: lineNumber, at: milliseconds(atMs), action: action, priority: priority, key: key))
            } catch {
                throw LabInputError(file: file, line: lineNumber, message: error.message)
            }
        }
        return Trace(entries: entries)
    }

    static func parseLine(
        _ line: String
    ) throws(FieldError) -> (at: Double, action: Action, priority: Priority, key: String?) {
        let value: JSONValue
        do {
            value = try JSONReader.parse(line)
        } catch {
            throw FieldError(message: "column \(error.column): \(error.message)")
        }
        guard case .object(let object) = value else {
            throw FieldError(message: "each line must be a JSON object, got \(value.kindDescription)")
        }
        let reader = FieldReader(object)
        let kinds = ["outcome", "control", "observe"].filter { object[$0] != nil }
        if object["attempts"] != nil {
            if kinds.contains("outcome") {
                throw FieldError(message: "a line has both \"outcome\" and \"attempts\"; give either one outcome for every attempt or the list of attempts")
            }
            if !kinds.isEmpty {
                let found = kinds.map { jsonQuoted($0) }.joined(separator: " and ")
                throw FieldError(message: "a line with \"attempts\" is a call and must not also have \(found)")
            }
        } else if kinds.count != 1 {
            let found = kinds.isEmpty ? "none" : kinds.map { jsonQuoted($0) }.joined(separator: " and ")
            throw FieldError(message: "a line needs exactly one of \"outcome\", \"attempts\", \"control\" or \"observe\", found \(found)")
        }
        guard let at = try millisecondsField("at", reader) else {
            throw FieldError(message: "missing \"at\" (milliseconds from the start of the trace)")
        }
        let callFields = ["priority", "key"]
        switch kinds.first ?? "attempts" {
        case "attempts":
            try reader.rejectUnknownKeys(known: ["at", "attempts"] + callFields, what: "field")
            let action = Action.callWithAttempts(try attempts(reader))
            return (at, action, try reader.choice("priority", of: Priority.self) ?? .normal, try reader.string("key"))
        case "outcome":
            try reader.rejectUnknownKeys(known: ["at", "outcome", "duration"] + callFields, what: "field")
            let outcome = try reader.choice("outcome", of: CallOutcome.self) ?? .success
            let duration = try millisecondsField("duration", reader) ?? 0
            let action = Action.call(outcome, duration: milliseconds(duration))
            return (at, action, try reader.choice("priority", of: Priority.self) ?? .normal, try reader.string("key"))
        case "control":
            try reader.rejectUnknownKeys(known: ["at", "control"], what: "field")
            return (at, .control(try reader.choice("control", of: Control.self) ?? .reset), .normal, nil)
        default:
            try reader.rejectUnknownKeys(known: ["at", "observe"], what: "field")
            _ = try reader.choice("observe", of: Observation.self)
            return (at, .observeState, .normal, nil)
        }
    }

    /// The `attempts` list of a call line: a non-empty array of objects with the `outcome` (required)
    /// and `duration` (default 0) of a single-outcome line, named `attempts[i]` in errors.
    static func attempts(_ reader: FieldReader) throws(FieldError) -> [Attempt] {
        guard let value = reader.object["attempts"] else { return [] }
        guard case .array(let elements) = value else {
            throw reader.typeError(
                "attempts", expected: "an array of attempts such as [{\"outcome\": \"failure\", \"duration\": 100}]",
                got: value)
        }
        guard !elements.isEmpty else {
            throw FieldError(message: "attempts must list at least one attempt, got an empty array")
        }
        var attempts: [Attempt] = []
        attempts.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let key = "attempts[\(index)]"
            guard case .object(let object) = element else {
                throw reader.typeError(key, expected: "an object such as {\"outcome\": \"failure\", \"duration\": 100}", got: element)
            }
            let attempt = FieldReader(object, path: key)
            try attempt.rejectUnknownKeys(known: ["outcome", "duration"], what: "field")
            guard let outcome = try attempt.choice("outcome", of: CallOutcome.self) else {
                let allowed = CallOutcome.allCases.map { jsonQuoted($0.rawValue) }.joined(separator: ", ")
                throw FieldError(message: "missing \(jsonQuoted(attempt.name("outcome"))) (one of \(allowed))")
            }
            let duration = try millisecondsField("duration", attempt) ?? 0
            attempts.append(Attempt(outcome: outcome, duration: milliseconds(duration)))
        }
        return attempts
    }

    /// The largest time a trace may name: about 31 years, far inside `Duration`'s nanosecond range.
    static let maximumMilliseconds: Double = 1e12

    /// A non-negative number of milliseconds, at most ``maximumMilliseconds``.
    static func millisecondsField(_ key: String, _ reader: FieldReader) throws(FieldError) -> Double? {
        guard let value = try reader.nonNegativeNumber(key) else { return nil }
        guard value <= maximumMilliseconds else {
            throw FieldError(message: "\(jsonQuoted(reader.name(key))) is \(format(value)) ms, more than the maximum of \(format(maximumMilliseconds))")
        }
        return value
    }

    /// Milliseconds as a duration, exact to the nanosecond.
    static func milliseconds(_ value: Double) -> Duration {
        .nanoseconds(Int64((value * 1_000_000).rounded()))
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
