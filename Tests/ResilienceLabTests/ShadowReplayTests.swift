import Testing
@testable import ResilienceLab

@Suite("resilience-lab replay: sections in shadow mode")
struct ShadowReplayTests {
    @Test("A shadow breaker opens as it would, and the calls it would reject go through, each naming why")
    func breaker() throws {
        let trace = """
            {"at": 0, "outcome": "failure"}
            {"at": 1, "outcome": "failure"}
            {"at": 2, "outcome": "success"}
            {"at": 3, "outcome": "failure"}
            {"at": 1002, "outcome": "success"}
            """
        let breaker = #""window": "count", "windowSize": 2, "minimumThroughput": 2, "breakDuration": "1s""#
        #expect(try replay(policy: "{\"circuitBreaker\": {\(breaker), \"mode\": \"shadow\"}}", trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "state": "open", "shadowReason": "circuitOpen"}"#,
            #"{"line": 4, "decision": "permitted", "reason": null, "state": "open", "shadowReason": "circuitOpen"}"#,
            #"{"line": 5, "decision": "permitted", "reason": null, "state": "halfOpen"}"#,
        ])
        // Enforced, the same trace is rejected where the shadow said it would be.
        #expect(try replay(policy: "{\"circuitBreaker\": {\(breaker)}}", trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "state": "open"}"#,
            #"{"line": 3, "decision": "rejected", "reason": "circuitOpen", "state": "open"}"#,
            #"{"line": 4, "decision": "rejected", "reason": "circuitOpen", "state": "open"}"#,
            #"{"line": 5, "decision": "permitted", "reason": null, "state": "halfOpen"}"#,
        ])
    }

    @Test("A shadow timeout does not cut the attempt, and notes the one that ran past it")
    func timeout() throws {
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 300}]}
            {"at": 1000, "attempts": [{"outcome": "success", "duration": 100}]}
            """
        #expect(try replay(policy: #"{"timeout": {"duration": "200ms", "mode": "shadow"}}"#, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 300, "shadowReason": "timedOut"}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 1100}"#,
        ])
    }

    @Test("Shadow admission control: the bulkhead, the rate limiter and the shedder let their refusals through")
    func admission() throws {
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 100}], "priority": "low", "key": "a"}
            {"at": 10, "attempts": [{"outcome": "success", "duration": 10}], "priority": "low", "key": "b"}
            {"at": 20, "attempts": [{"outcome": "success", "duration": 10}], "key": "a"}
            """
        let policy = """
            {"loadShedder": {"inFlight": {"low": 1}, "mode": "shadow"},
             "rateLimiter": {"permitsPerSecond": 10, "burst": 1, "mode": "shadow"},
             "bulkhead": {"maxConcurrent": 1, "mode": "shadow"}}
            """
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 100}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 20, "shadowReason": "loadShed"}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 30, "shadowReason": "rateLimited"}"#,
        ])
    }
}
