import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// Replays trace text through policy text with `seed` and returns the whole result.
func replayResult(policy: String, trace: String, seed: UInt64 = 0) throws -> ReplayResult {
    try ReplayCommand.run(
        policyPath: temporaryFile("policy.json", policy), tracePath: temporaryFile("trace.jsonl", trace), seed: seed
    ).result
}

/// A breaker too large to trip in these scenarios: it only adds the `state` field.
let quietBreaker = #""circuitBreaker": {"window": "count", "windowSize": 100, "minimumThroughput": 100}"#

@Suite("resilience-lab replay: retry, timeout and per-attempt outcomes")
struct RetryReplayTests {
    @Test("a retry succeeds on the 2nd attempt, after the backoff delay")
    func succeedsOnSecondAttempt() throws {
        let policy = #"{"retry": {"maxAttempts": 3, "baseDelay": "100ms", "jitter": "none"}, \#(quietBreaker)}"#
        let trace = #"{"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success", "duration": 50}]}"#
        let result = try replayResult(policy: policy, trace: trace)
        // Attempt 1: 0–100 failure; retry 1 waits 100 ms; attempt 2: 200–250 success.
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 2, "outcome": "success", "finishedAt": 250}"#,
        ])
        #expect(result.executions == 2)
        #expect(result.retries == 1)
        #expect(result.outcomes == [.success: 1])
    }

    @Test("the issue's example: no delay, no breaker")
    func issueExample() throws {
        let policy = #"{"retry": {"baseDelay": "0ms", "jitter": "none"}}"#
        let trace = #"{"at": 0, "attempts": [{"outcome":"failure","duration":100},{"outcome":"success","duration":50}]}"#
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 150}"#,
        ])
    }

    @Test("attempts exhausted: the call ends with the last failure; extra listed attempts are not used")
    func attemptsExhausted() throws {
        let policy = #"{"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "100ms", "jitter": "none"}}"#
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 10}, {"outcome": "failure", "duration": 20}, \
            {"outcome": "failure", "duration": 30}, {"outcome": "success", "duration": 5}]}
            """
        // 0–10, 110–130, 230–260: three failures, then maxAttempts stops.
        let result = try replayResult(policy: policy, trace: trace)
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 3, "outcome": "failure", "finishedAt": 260}"#,
        ])
        #expect(result.outcomes == [.failure: 1])
        #expect(result.retriesDeniedByBudget == 0)
    }

    @Test("a tiny budget grants one retry per window; a denial ends the call with its last outcome")
    func budgetDenial() throws {
        // ⌊0 × first attempts⌋ + ⌊0.1/s × 10 s⌋ = 1 retry per 10 s window.
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "100ms", "jitter": "none",
                       "budgetRatio": 0, "budgetMinPerSecond": 0.1, "budgetWindow": "10s"}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 10}, {"outcome": "failure", "duration": 10}, {"outcome": "success"}]}
            {"at": 5, "attempts": [{"outcome": "failure", "duration": 10}, {"outcome": "success"}]}
            {"at": 20000, "attempts": [{"outcome": "failure", "duration": 10}, {"outcome": "success", "duration": 10}]}
            """
        // At 10 line 1's retry takes the only one; at 15 line 2's is denied; at 120 line 1's second retry
        // is denied. By 20010 the first retry has left the window: line 3 retries.
        let result = try replayResult(policy: policy, trace: trace)
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "failure", "finishedAt": 120}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "failure", "finishedAt": 15}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 20120}"#,
        ])
        #expect(result.retries == 2)
        #expect(result.retriesDeniedByBudget == 2)
        let summary = ReplaySummary.render(
            result, trace: try Trace.parse(trace, file: "trace.jsonl"), tracePath: "trace.jsonl", policyPath: "policy.json")
        #expect(summary.contains("3 let through (1 succeeded, 2 failed, 0 ignored), 0 rejected at once."))
        #expect(summary.contains("Attempts: 5 executed; 2 retries made, 2 denied by the retry budget."))
    }

    @Test("a retry the budget denies draws no delay from the random source")
    func deniedRetryDrawsNothing() throws {
        let policy = #"{"retry": {"budgetRatio": 0, "budgetMinPerSecond": 0.1, "budgetWindow": "10s"}}"#
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success"}]}
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success"}]}
            {"at": 20000, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success"}]}
            """
        // Full jitter over [0, 200 ms] from SplitMix64(seed: 0): line 1 takes the first draw
        // (176.662161642728537 ms); line 2 is denied and draws nothing, so line 3 takes the second
        // (86.305599409702011 ms; see ScheduleTests, constant backoff).
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 276.662161642728537}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "failure", "finishedAt": 100}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 20186.305599409702011}"#,
        ])
    }

    @Test("a timeout ends a slow attempt as timedOut at s + t, and the retry retries it")
    func timeoutRetried() throws {
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "100ms", "jitter": "none"},
             "timeout": {"duration": "200ms"}, \(quietBreaker)}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 500}, {"outcome": "success", "duration": 200}, {"outcome": "success", "duration": 199.5}]}
            {"at": 1000, "outcome": "success", "duration": 250}
            {"at": 2000, "attempts": [{"outcome": "failure", "duration": 300}]}
            """
        // Line 1: 0–200 timedOut (500 ≥ 200); 300–500 timedOut (200 ≥ 200); 600–799.5 success.
        // Line 2: every attempt takes 250 ms, so all three time out: 1000–1200, 1300–1500, 1600–1800.
        // Line 3: timedOut at 2200, retried, but the line lists one attempt.
        let error = try replayError(policy: policy, trace: trace)
        #expect(error == "trace.jsonl:3: the policy makes a 2nd attempt but the line lists 1 attempt")
        let result = try replayResult(policy: policy, trace: trace.components(separatedBy: "\n").dropLast().joined(separator: "\n"))
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 3, "outcome": "success", "finishedAt": 799.5}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "closed"}"#,
        ])
        #expect(result.executions == 6)
        #expect(result.endedByPolicy == ["timedOut": 1])
        #expect(result.outcomes == [.success: 1])
    }

    @Test("a timeout without retry: the attempt ends timedOut, which the breaker counts as a failure")
    func timeoutCountsAsFailure() throws {
        let policy = """
            {"timeout": {"duration": "1s"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "failureRatio": 1}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 5000}]}
            {"at": 100, "outcome": "success", "duration": 5000}
            {"at": 1200, "outcome": "success"}
            """
        // Both calls would succeed after 5 s; they time out at 1000 and 1100, two failures of two.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 1, "outcome": "timedOut", "finishedAt": 1000}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "decision": "rejected", "reason": "circuitOpen", "state": "open"}"#,
        ])
    }

    @Test("a timed-out attempt lasts t for the breaker's slow-call rule, not its listed duration")
    func timeoutDuration() throws {
        // Slow means ≥ 2 s; the timeout cuts the 5 s attempt at 1 s, so no call is slow.
        let policy = """
            {"timeout": {"duration": "1s"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "failureRatio": 1,
                                "slowCallDuration": "2s", "slowCallRatio": 0.5}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 5000}]}
            {"at": 100, "outcome": "success", "duration": 999}
            {"at": 6000, "observe": "state"}
            """
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 1, "outcome": "timedOut", "finishedAt": 1000}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 3, "state": "closed"}"#,
        ])
        // Control: with the attempt's own 5 s, the same window would be half slow and open.
        let untimed = policy.replacingOccurrences(of: #""timeout": {"duration": "1s"},"#, with: "")
        #expect(try replay(policy: untimed, trace: trace).last == #"{"line": 3, "state": "open"}"#)
    }

    @Test("the breaker opens while a call waits to retry: the retry is rejected and not retried")
    func breakerOpensMidRetry() throws {
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "100ms", "jitter": "none"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "breakDuration": "1s"}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 10}]}
            {"at": 5, "outcome": "failure", "duration": 10}
            {"at": 115, "observe": "state"}
            """
        // Failures end at 10 and 15; the second trips the breaker. The retries at 110 and 115 are
        // rejected, so line 1 needs no second attempt listed: a rejected attempt is not executed.
        let result = try replayResult(policy: policy, trace: trace)
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "open", "attempts": 1, "outcome": "circuitOpen", "finishedAt": 110}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "state": "open"}"#,
        ])
        #expect(result.permitted == 2)
        #expect(result.rejected.isEmpty)
        #expect(result.endedByPolicy == ["circuitOpen": 2])
        #expect(result.retries == 2)
        let summary = ReplaySummary.render(
            result, trace: try Trace.parse(trace, file: "trace.jsonl"), tracePath: "trace.jsonl", policyPath: "policy.json")
        #expect(summary.contains("2 let through (0 succeeded, 0 failed, 0 ignored, 2 ended circuitOpen), 0 rejected at once."))
    }

    @Test("a call rejected at once makes no attempt and is not retried")
    func rejectedAtOnce() throws {
        let policy = #"{"retry": {"jitter": "none"}, "circuitBreaker": {}}"#
        let trace = """
            {"at": 0, "control": "forceOpen"}
            {"at": 1.25, "attempts": [{"outcome": "success"}]}
            """
        let result = try replayResult(policy: policy, trace: trace)
        #expect(result.lines == [
            #"{"line": 1, "state": "forcedOpen"}"#,
            #"{"line": 2, "decision": "rejected", "reason": "circuitOpen", "state": "forcedOpen", "attempts": 0, "outcome": "circuitOpen", "finishedAt": 1.25}"#,
        ])
        #expect(result.rejected == ["circuitOpen": 1])
        #expect(result.executions == 0)
    }

    @Test("same instant: due outcomes, then due retries, then the line")
    func sameInstantOrder() throws {
        let policy = """
            {"retry": {"maxAttempts": 2, "backoff": "constant", "baseDelay": "100ms", "jitter": "none"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "breakDuration": "1s",
                                "halfOpenPermittedCalls": 1, "halfOpenSuccessRatio": 1}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success"}]}
            {"at": 150, "outcome": "failure", "duration": 50}
            {"at": 160, "attempts": [{"outcome": "failure", "duration": 940}, {"outcome": "success", "duration": 10}]}
            {"at": 200, "observe": "state"}
            {"at": 1200, "outcome": "success"}
            """
        // At 200: line 2's failure is recorded first and trips the breaker, so line 1's retry, due at
        // 200 too, is rejected. Line 3's failure (admitted before the trip) ends at 1100 and is retried
        // at 1200, when the break has elapsed: the retry takes the only probe before line 5 is handled.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "open", "attempts": 1, "outcome": "circuitOpen", "finishedAt": 200}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "state": "closed", "attempts": 2, "outcome": "success", "finishedAt": 1210}"#,
            #"{"line": 4, "state": "open"}"#,
            #"{"line": 5, "decision": "rejected", "reason": "halfOpenFull", "state": "halfOpen"}"#,
        ])
    }

    @Test("retries due at one instant start in the order they were scheduled")
    func retriesInSchedulingOrder() throws {
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "linear", "baseDelay": "100ms", "jitter": "none"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2, "breakDuration": "200ms",
                                "halfOpenPermittedCalls": 1, "halfOpenSuccessRatio": 1}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 700}, {"outcome": "failure", "duration": 50}, {"outcome": "success", "duration": 7}]}
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 950}, {"outcome": "success", "duration": 9}]}
            """
        // Line 1 fails at 700 and, retried at 800, at 850: the breaker opens until 1050, and line 1's
        // second retry (200 ms) is scheduled for 1050. Line 2 fails at 950 (admitted before the
        // break, so not counted); its first retry (100 ms) is scheduled for 1050 too, but later. At
        // 1050 line 1's retry starts first and takes the only probe; line 2's finds it taken.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 3, "outcome": "success", "finishedAt": 1057}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "halfOpen", "attempts": 1, "outcome": "halfOpenFull", "finishedAt": 1050}"#,
        ])
    }

    @Test("a single-outcome line under a retry policy: every attempt answers the same; the output keeps its four fields")
    func singleOutcomeLineRetried() throws {
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "100ms", "jitter": "none"},
             "circuitBreaker": {"window": "count", "windowSize": 10, "minimumThroughput": 3, "failureRatio": 1}}
            """
        let trace = """
            {"at": 0, "outcome": "failure", "duration": 10}
            {"at": 229, "observe": "state"}
            {"at": 230, "observe": "state"}
            """
        // Attempts 0–10, 110–120, 220–230: the third failure opens the breaker at 230.
        let result = try replayResult(policy: policy, trace: trace)
        #expect(result.lines == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 2, "state": "closed"}"#,
            #"{"line": 3, "state": "open"}"#,
        ])
        #expect(result.executions == 3)
        #expect(result.outcomes == [.failure: 1])
    }

    @Test("the policy making more attempts than a line lists is bad input naming the line")
    func tooFewAttempts() throws {
        let policy = #"{"retry": {"maxAttempts": 5, "baseDelay": "1ms", "jitter": "none"}}"#
        let trace = """
            {"at": 0, "outcome": "success"}

            {"at": 1, "attempts": [{"outcome": "failure"}, {"outcome": "failure"}]}
            """
        #expect(try replayError(policy: policy, trace: trace)
            == "trace.jsonl:3: the policy makes a 3rd attempt but the line lists 2 attempts")
    }

    @Test("jitter comes from the seed: exact with seed 0, repeatable, and different with another seed")
    func seededJitter() throws {
        let policy = #"{"retry": {}}"#
        let trace = #"{"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success", "duration": 50}]}"#
        // Full jitter over [0, 200 ms]: seed 0 draws 176.662161642728537 ms (see ScheduleTests).
        let zero = try replayResult(policy: policy, trace: trace, seed: 0).lines
        #expect(zero == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 326.662161642728537}"#,
        ])
        #expect(try replayResult(policy: policy, trace: trace, seed: 0).lines == zero)
        #expect(try replayResult(policy: policy, trace: trace, seed: 1).lines != zero)
    }

    @Test("without retry or timeout, an attempts line uses its first attempt")
    func attemptsWithoutRetry() throws {
        let trace = """
            {"at": 0, "attempts": [{"outcome": "ignored", "duration": 12.5}, {"outcome": "success"}]}
            {"at": 1, "attempts": [{"outcome": "failure"}]}
            """
        #expect(try replay(policy: "{}", trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "ignored", "finishedAt": 12.5}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "failure", "finishedAt": 1}"#,
        ])
    }

    static let traceErrors: [(trace: String, message: String)] = [
        (#"{"at": 1, "outcome": "success", "attempts": [{"outcome": "success"}]}"#,
         #"trace.jsonl:1: a line has both "outcome" and "attempts"; give either one outcome for every attempt or the list of attempts"#),
        (#"{"at": 1, "attempts": []}"#, "trace.jsonl:1: attempts must list at least one attempt, got an empty array"),
        (#"{"at": 1, "attempts": {"outcome": "success"}}"#,
         #"trace.jsonl:1: attempts must be an array of attempts such as [{"outcome": "failure", "duration": 100}], got an object"#),
        (#"{"at": 1, "attempts": ["success"]}"#,
         #"trace.jsonl:1: attempts[0] must be an object such as {"outcome": "failure", "duration": 100}, got a string"#),
        (#"{"at": 1, "attempts": [{"outcome": "success"}], "duration": 5}"#,
         #"trace.jsonl:1: unknown field "duration"; known: at, attempts, priority, key"#),
        (#"{"at": 1, "attempts": [{"outcome": "success", "at": 5}]}"#,
         #"trace.jsonl:1: unknown field "attempts[0].at"; known: outcome, duration"#),
        (#"{"at": 1, "attempts": [{"outcome": "failure"}, {"outcome": "timedOut"}]}"#,
         #"trace.jsonl:1: attempts[1].outcome must be one of "success", "failure", "ignored", got "timedOut""#),
        (#"{"at": 1, "attempts": [{"duration": 5}]}"#,
         #"trace.jsonl:1: missing "attempts[0].outcome" (one of "success", "failure", "ignored")"#),
        (#"{"at": 1, "attempts": [{"outcome": "failure", "duration": -5}]}"#,
         "trace.jsonl:1: attempts[0].duration must not be negative, got -5.0"),
        (#"{"at": 1, "attempts": [{"outcome": "failure", "duration": "5ms"}]}"#,
         "trace.jsonl:1: attempts[0].duration must be a number, got a string"),
        (#"{"at": 1, "attempts": [{"outcome": "failure", "duration": 1e13}]}"#,
         #"trace.jsonl:1: "attempts[0].duration" is 10000000000000 ms, more than the maximum of 1000000000000"#),
        (#"{"at": 1, "attempts": [{"outcome": "failure"}], "control": "reset"}"#,
         #"trace.jsonl:1: a line with "attempts" is a call and must not also have "control""#),
        (#"{"attempts": [{"outcome": "failure"}]}"#, #"trace.jsonl:1: missing "at" (milliseconds from the start of the trace)"#),
    ]

    @Test("every attempts-line error names the line and the field", arguments: traceErrors.indices)
    func traceError(_ index: Int) throws {
        let (trace, message) = Self.traceErrors[index]
        #expect(try replayError(policy: #"{"retry": {}}"#, trace: trace) == message)
    }

    @Test("a long trace with retries replays in one pass")
    func longTrace() throws {
        var trace = ""
        for index in 0..<20_000 {
            let at = Double(index) * 0.5
            trace += index % 2 == 0
                ? #"{"at": \#(at), "outcome": "failure", "duration": 30}"# + "\n"
                : #"{"at": \#(at), "attempts": [{"outcome": "failure", "duration": 40}, {"outcome": "success", "duration": 5}, {"outcome": "success"}]}"# + "\n"
        }
        let result = try replayResult(policy: #"{"retry": {"jitter": "equal"}, \#(quietBreaker)}"#, trace: trace)
        #expect(result.lines.count == 20_000)
        #expect(result.lines.allSatisfy { !$0.isEmpty })
        #expect(result.calls == 20_000)
        #expect(result.retries + result.retriesDeniedByBudget > 0)
    }
}
