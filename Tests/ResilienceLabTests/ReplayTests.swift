import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// Writes `contents` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ contents: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appending(path: "replay-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appending(path: name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Replays trace text through policy text and returns the output lines.
func replay(policy: String, trace: String) throws -> [String] {
    try ReplayCommand.run(
        policyPath: temporaryFile("policy.json", policy), tracePath: temporaryFile("trace.jsonl", trace)
    ).result.lines
}

/// The error replaying trace text through policy text gives, with the temporary paths replaced by
/// `policy.json` and `trace.jsonl`.
func replayError(policy: String, trace: String) throws -> String? {
    let policyPath = try temporaryFile("policy.json", policy)
    let tracePath = try temporaryFile("trace.jsonl", trace)
    do {
        _ = try ReplayCommand.run(policyPath: policyPath, tracePath: tracePath)
        return nil
    } catch {
        return error.description
            .replacingOccurrences(of: policyPath, with: "policy.json")
            .replacingOccurrences(of: tracePath, with: "trace.jsonl")
    }
}

let smallBreaker = """
    {"circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "breakDuration": "1s",
                        "halfOpenPermittedCalls": 1, "halfOpenSuccessRatio": 1}}
    """

@Suite("resilience-lab replay")
struct ReplayTests {
    @Test("every line type, with the state after each call's outcome")
    func everyLineType() throws {
        let trace = """
            {"at": 0, "outcome": "failure"}

            {"at": 10, "outcome": "failure", "duration": 5}
            {"at": 20, "outcome": "success"}
            {"at": 1015, "observe": "state"}
            {"at": 1015, "outcome": "success", "duration": 100}
            {"at": 1020, "outcome": "success"}
            {"at": 1200, "outcome": "ignored"}
            {"at": 2000, "control": "forceOpen"}
            {"at": 2001, "outcome": "success"}
            {"at": 2002, "control": "forceClosed"}
            {"at": 2003, "control": "reset"}
            """
        #expect(try replay(policy: smallBreaker, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 4, "decision": "rejected", "reason": "circuitOpen", "state": "open"}"#,
            #"{"line": 5, "state": "halfOpen"}"#,
            #"{"line": 6, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 7, "decision": "rejected", "reason": "halfOpenFull", "state": "halfOpen"}"#,
            #"{"line": 8, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 9, "state": "forcedOpen"}"#,
            #"{"line": 10, "decision": "rejected", "reason": "circuitOpen", "state": "forcedOpen"}"#,
            #"{"line": 11, "state": "forcedClosed"}"#,
            #"{"line": 12, "state": "closed"}"#,
        ])
    }

    @Test("a policy with no sections is a pass-through without states")
    func passThrough() throws {
        let trace = """
            {"at": 0, "outcome": "failure"}
            {"at": 1, "control": "forceOpen"}
            {"at": 2, "outcome": "success"}
            {"at": 3, "observe": "state"}
            """
        #expect(try replay(policy: "{}", trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null}"#,
            #"{"line": 2}"#,
            #"{"line": 3, "decision": "permitted", "reason": null}"#,
            #"{"line": 4}"#,
        ])
    }

    @Test("outcomes due at an instant are recorded first, in admission order, then the line")
    func dueOutcomesFirst() throws {
        // A (admitted at 0) and B (admitted at 50) both end at 100: A is recorded first, B trips.
        let trace = """
            {"at": 0, "outcome": "failure", "duration": 100}
            {"at": 50, "outcome": "failure", "duration": 50}
            {"at": 100, "observe": "state"}
            {"at": 100, "outcome": "success"}
            """
        #expect(try replay(policy: smallBreaker, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "state": "open"}"#,
            #"{"line": 4, "decision": "rejected", "reason": "circuitOpen", "state": "open"}"#,
        ])
    }

    @Test("an outcome that lands after a reset belongs to the old generation and changes nothing")
    func lateOutcomeAfterReset() throws {
        let trace = """
            {"at": 0, "outcome": "failure", "duration": 1000}
            {"at": 10, "outcome": "failure", "duration": 1000}
            {"at": 500, "control": "reset"}
            {"at": 2000, "observe": "state"}
            """
        #expect(try replay(policy: smallBreaker, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 3, "state": "closed"}"#,
            #"{"line": 4, "state": "closed"}"#,
        ])
    }

    @Test("a time window, fractional milliseconds, CRLF line ends and blank lines")
    func timeWindowAndFormatting() throws {
        let policy = """
            {"circuitBreaker": {"samplingDuration": "1s", "windowBuckets": 10, "minimumThroughput": 2,
             "failureRatio": 1, "breakDuration": "0.5s", "slowCallDuration": null, "halfOpenMaxDuration": null}}
            """
        // The first failure (bucket 0) has expired by 1000.5 ms; the next two trip the breaker.
        let trace = "{\"at\": 0.5, \"outcome\": \"failure\"}\r\n\r\n  \n{\"at\": 1000.5, \"outcome\": \"failure\"}\r\n"
            + "{\"at\": 1000.75, \"observe\": \"state\"}\n{\"at\": 1000.75, \"outcome\": \"failure\"}\n"
            + "{\"at\": 1500.75, \"observe\": \"state\"}\n"
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 4, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 5, "state": "closed"}"#,
            #"{"line": 6, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 7, "state": "halfOpen"}"#,
        ])
    }

    static let traceErrors: [(trace: String, message: String)] = [
        ("{\"at\": 5, \"outcome\": \"success\"}\n{\"at\": 4, \"outcome\": \"success\"}",
         #"trace.jsonl:2: "at" is 4, earlier than the previous line's 5; times must not decrease"#),
        ("{\"at\": 1, \"outcome\": \"success\", \"extra\": 1}",
         #"trace.jsonl:1: unknown field "extra"; known: at, outcome, duration, priority, key"#),
        ("{\"at\": 1, \"outcome\": \"success\", \"priority\": \"urgent\"}",
         #"trace.jsonl:1: priority must be one of "low", "normal", "high", "critical", got "urgent""#),
        ("{\"at\": 1, \"attempts\": [{\"outcome\": \"success\"}], \"key\": 7}",
         "trace.jsonl:1: key must be a string, got a number"),
        ("{\"at\": 1, \"control\": \"reset\", \"priority\": \"low\"}",
         #"trace.jsonl:1: unknown field "priority"; known: at, control"#),
        ("\n{\"at\": 1, \"outcome\": \"succes\"}",
         #"trace.jsonl:2: outcome must be one of "success", "failure", "ignored", got "succes""#),
        ("{\"at\": 1, \"control\": \"open\"}",
         #"trace.jsonl:1: control must be one of "forceOpen", "forceClosed", "reset", got "open""#),
        ("{\"at\": 1, \"observe\": \"stats\"}", #"trace.jsonl:1: observe must be one of "state", got "stats""#),
        ("{\"at\": 1, \"control\": \"reset\", \"duration\": 5}",
         #"trace.jsonl:1: unknown field "duration"; known: at, control"#),
        ("{\"at\": 1, \"outcome\": \"success\", \"control\": \"reset\"}",
         #"trace.jsonl:1: a line needs exactly one of "outcome", "attempts", "control" or "observe", found "outcome" and "control""#),
        ("{\"at\": 1}", #"trace.jsonl:1: a line needs exactly one of "outcome", "attempts", "control" or "observe", found none"#),
        ("{\"outcome\": \"success\"}", #"trace.jsonl:1: missing "at" (milliseconds from the start of the trace)"#),
        ("{\"at\": -1, \"outcome\": \"success\"}", "trace.jsonl:1: at must not be negative, got -1.0"),
        ("{\"at\": \"1\", \"outcome\": \"success\"}", "trace.jsonl:1: at must be a number, got a string"),
        ("{\"at\": 1, \"outcome\": \"success\", \"duration\": -5}", "trace.jsonl:1: duration must not be negative, got -5.0"),
        ("{\"at\": 1e13, \"outcome\": \"success\"}",
         #"trace.jsonl:1: "at" is 10000000000000 ms, more than the maximum of 1000000000000"#),
        ("{\"at\": 1, \"outcome\": \"success\"", "trace.jsonl:1: column 31: expected ',' or '}' after object member"),
        ("[1]", "trace.jsonl:1: each line must be a JSON object, got an array"),
    ]

    @Test("every trace error names the file and line, and nothing is produced", arguments: traceErrors.indices)
    func traceError(_ index: Int) throws {
        let (trace, message) = Self.traceErrors[index]
        #expect(try replayError(policy: smallBreaker, trace: trace) == message)
    }

    static let policyErrors: [(policy: String, message: String)] = [
        (#"{"bogus": {}}"#, #"policy.json: unknown section "bogus"; known: fallback, loadShedder, cascade, hedging, retry, circuitBreaker, rateLimiter, concurrencyLimit, timeout, adaptiveTimeout, bulkhead, chaos"#),
        (#"{"circuitBreaker": {"foo": 1}}"#,
         #"policy.json: unknown key "circuitBreaker.foo"; known: window, samplingDuration, windowBuckets, windowSize, minimumThroughput, failureRatio, slowCallDuration, slowCallRatio, breakDuration, breakDurationMultiplier, maxBreakDuration, halfOpenPermittedCalls, halfOpenSuccessRatio, halfOpenMaxDuration, mode"#),
        (#"{"circuitBreaker": {"failureRatio": 1.5}}"#,
         "policy.json: circuitBreaker.failureRatio: 1.5 is not allowed; allowed: (0, 1] with at most 9 decimal places"),
        (#"{"circuitBreaker": {"failureRatio": "0.5"}}"#, "policy.json: circuitBreaker.failureRatio must be a number, got a string"),
        (#"{"circuitBreaker": {"windowSize": 2.5}}"#, "policy.json: circuitBreaker.windowSize must be an integer, got a number"),
        (#"{"circuitBreaker": {"windowSize": 0}}"#, "policy.json: circuitBreaker.windowSize: 0 is not allowed; allowed: 1...10000000"),
        (#"{"circuitBreaker": {"breakDuration": 30}}"#,
         #"policy.json: circuitBreaker.breakDuration must be a duration string with a unit such as "250ms", got a number"#),
        (#"{"circuitBreaker": {"breakDuration": "30"}}"#,
         #"policy.json: circuitBreaker.breakDuration: "30" is not a duration; write a number and a unit: ns, us, ms, s, m or h (e.g. "250ms", "1.5s", "2m")"#),
        (#"{"circuitBreaker": {"breakDuration": null}}"#,
         #"policy.json: circuitBreaker.breakDuration must be a duration string with a unit such as "250ms", got null"#),
        (#"{"circuitBreaker": {"window": "sliding"}}"#, #"policy.json: circuitBreaker.window must be one of "time", "count", got "sliding""#),
        (#"{"circuitBreaker": {"breakDuration": "10m"}}"#,
         "policy.json: circuitBreaker.maxBreakDuration: 5m is not allowed; allowed: >= breakDuration (10m)"),
        (#"{"circuitBreaker": []}"#, "policy.json: circuitBreaker must be an object, got an array"),
        (#"[]"#, "policy.json: the policy must be a JSON object, got an array"),
        ("{\n  \"circuitBreaker\": {,}\n}", "policy.json:2: column 22: expected string key or '}'"),
    ]

    @Test("every policy error names the file and key", arguments: policyErrors.indices)
    func policyError(_ index: Int) throws {
        let (policy, message) = Self.policyErrors[index]
        #expect(try replayError(policy: policy, trace: "{\"at\": 0, \"outcome\": \"success\"}") == message)
    }

    @Test("a missing trace or policy file is named")
    func missingFile() {
        #expect(throws: LabInputError(file: "/nonexistent/trace.jsonl", message: "cannot read the file (no such file)")) {
            try ReplayCommand.run(policyPath: temporaryFile("p.json", "{}"), tracePath: "/nonexistent/trace.jsonl")
        }
        #expect(throws: LabInputError(file: "/nonexistent/policy.json", message: "cannot read the file (no such file)")) {
            try ReplayCommand.run(
                policyPath: "/nonexistent/policy.json",
                tracePath: temporaryFile("t.jsonl", "{\"at\": 0, \"outcome\": \"success\"}"))
        }
    }

    @Test("a file that is not UTF-8 text is named")
    func notUTF8() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "replay-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appending(path: "latin1.jsonl").path
        try Data([0x7B, 0x22, 0xE9, 0x22, 0x7D, 0x0A]).write(to: URL(filePath: path))  // {"é"} in Latin-1
        #expect(throws: LabInputError(file: path, message: "the file is not valid UTF-8 text")) {
            try ReplayCommand.run(policyPath: temporaryFile("p.json", "{}"), tracePath: path)
        }
    }
}
