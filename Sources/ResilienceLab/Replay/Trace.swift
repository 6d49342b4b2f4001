import Resilience

/// A recorded trace of calls, read from a `TRACE.jsonl` file: one JSON object per line, times in
/// milliseconds from the start of the trace, `at` never decreasing.
///
/// - a call: `{"at": 1500, "outcome": "success" | "failure" | "ignored", "duration": 200}` (`duration`
///   defaults to 0); a permitted call is admitted at `at` and its outcome recorded at `at + duration`;
/// - a control: `{"at": 2000, "control": "forceOpen" | "forceClosed" | "reset"}`;
/// - an observation: `{"at": 3000, "observe": "state"}`.
///
/// Blank lines are skipped; line numbers are physical line numbers in the file.
public struct Trace: Sendable, Hashable {
    /// What a line asks for.
    public enum Action: Sendable, Hashable {
        /// A call with its outcome and how long it takes.
        case call(CallOutcome, duration: Duration)
        /// A manual control of the policies.
        case control(Control)
        /// Reading the state.
        case observeState
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
    }

    /// The entries, in file order.
    public var entries: [Entry]

    /// Reads and validates the trace at `path`.
    public static func load(path: String) throws(LabInputError) -> Trace {
        try parse(TextFile.read(path), file: path)
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
                let (atMs, action) = try parseLine(String(Substring(line)))
                guard atMs >= previousAt else {
                    throw FieldError(message: "\"at\" is \(format(atMs)), earlier than the previous line's \(format(previousAt)); times must not decrease")
                }
                previousAt = atMs
                entries.append(Entry(line: lineNumber, at: milliseconds(atMs), action: action))
            } catch {
                throw LabInputError(file: file, line: lineNumber, message: error.message)
            }
        }
        return Trace(entries: entries)
    }

    static func parseLine(_ line: String) throws(FieldError) -> (at: Double, action: Action) {
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
        guard kinds.count == 1, let kind = kinds.first else {
            let found = kinds.isEmpty ? "none" : kinds.map { jsonQuoted($0) }.joined(separator: " and ")
            throw FieldError(message: "a line needs exactly one of \"outcome\", \"control\" or \"observe\", found \(found)")
        }
        guard let at = try millisecondsField("at", reader) else {
            throw FieldError(message: "missing \"at\" (milliseconds from the start of the trace)")
        }
        switch kind {
        case "outcome":
            try reader.rejectUnknownKeys(known: ["at", "outcome", "duration"], what: "field")
            let outcome = try reader.choice("outcome", of: CallOutcome.self) ?? .success
            let duration = try millisecondsField("duration", reader) ?? 0
            return (at, .call(outcome, duration: milliseconds(duration)))
        case "control":
            try reader.rejectUnknownKeys(known: ["at", "control"], what: "field")
            return (at, .control(try reader.choice("control", of: Control.self) ?? .reset))
        default:
            try reader.rejectUnknownKeys(known: ["at", "observe"], what: "field")
            _ = try reader.choice("observe", of: Observation.self)
            return (at, .observeState)
        }
    }

    /// The largest time a trace may name: about 31 years, far inside `Duration`'s nanosecond range.
    static let maximumMilliseconds: Double = 1e12

    /// A non-negative number of milliseconds, at most ``maximumMilliseconds``.
    static func millisecondsField(_ key: String, _ reader: FieldReader) throws(FieldError) -> Double? {
        guard let value = try reader.nonNegativeNumber(key) else { return nil }
        guard value <= maximumMilliseconds else {
            throw FieldError(message: "\(jsonQuoted(key)) is \(format(value)) ms, more than the maximum of \(format(maximumMilliseconds))")
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
