import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// Exact replays of the admission-control sections: overlapping calls, queues, priorities and keys.
@Suite("resilience-lab replay: admission control")
struct AdmissionReplayTests {
    @Test("bulkhead: a full queue rejects at once, maxWait rejects later, a waiter gets the freed slot")
    func bulkhead() throws {
        let policy = #"{"bulkhead": {"maxConcurrent": 1, "maxQueued": 1, "maxWait": "50ms"}}"#
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 100}]}
            {"at": 10, "attempts": [{"outcome": "success", "duration": 20}]}
            {"at": 20, "attempts": [{"outcome": "success", "duration": 10}]}
            {"at": 70, "attempts": [{"outcome": "failure", "duration": 10}]}
            {"at": 75, "outcome": "success", "duration": 1}
            """
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 100}"#,
            #"{"line": 2, "decision": "rejected", "reason": "bulkheadFull", "attempts": 0, "outcome": "bulkheadFull", "finishedAt": 60}"#,
            #"{"line": 3, "decision": "rejected", "reason": "bulkheadFull", "attempts": 0, "outcome": "bulkheadFull", "finishedAt": 20}"#,
            #"{"line": 4, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "failure", "finishedAt": 110}"#,
            #"{"line": 5, "decision": "rejected", "reason": "bulkheadFull"}"#,
        ])
    }

    @Test("token bucket: exact refill, a reservation within maxWait, separate buckets per key")
    func rateLimiter() throws {
        let policy = #"{"rateLimiter": {"permitsPerSecond": 10, "burst": 2, "maxWait": "50ms"}}"#
        let trace = """
            {"at": 0, "outcome": "success"}
            {"at": 0, "outcome": "success"}
            {"at": 0, "attempts": [{"outcome": "success", "duration": 5}]}
            {"at": 0, "outcome": "success", "key": "tenant-b"}
            {"at": 60, "attempts": [{"outcome": "success", "duration": 5}]}
            {"at": 150, "outcome": "success"}
            {"at": 250, "outcome": "success"}
            """
        // Bucket of the unkeyed calls: 2 at 0; the 3rd would wait 100 ms > 50 ms. At 60 it holds 0.6
        // permits: a reservation for 100 ms, within 50 ms? No, 40 ms: it goes at 100 and ends at 105.
        // At 150 it holds 0.5: wait 50 ms, reserved. At 250 it holds 0.5 again (the 150 call's permit
        // was counted at 200): reserved for 300.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null}"#,
            #"{"line": 2, "decision": "permitted", "reason": null}"#,
            #"{"line": 3, "decision": "rejected", "reason": "rateLimited", "attempts": 0, "outcome": "rateLimited", "finishedAt": 0}"#,
            #"{"line": 4, "decision": "permitted", "reason": null}"#,
            #"{"line": 5, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 105}"#,
            #"{"line": 6, "decision": "permitted", "reason": null}"#,
            #"{"line": 7, "decision": "permitted", "reason": null}"#,
        ])
    }

    @Test("load shedder: lowest priority first by in-flight calls; critical always passes")
    func loadShedder() throws {
        let policy = #"{"loadShedder": {"inFlight": {"low": 1, "normal": 2}, "retryAfter": "1s"}}"#
        let trace = """
            {"at": 0, "outcome": "success", "duration": 100, "priority": "low"}
            {"at": 10, "outcome": "success", "duration": 100, "priority": "low"}
            {"at": 20, "outcome": "success", "duration": 100}
            {"at": 30, "outcome": "success", "duration": 100}
            {"at": 40, "outcome": "success", "duration": 100, "priority": "high"}
            {"at": 50, "outcome": "success", "duration": 100, "priority": "critical"}
            {"at": 120, "outcome": "success", "priority": "low"}
            """
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null}"#,
            #"{"line": 2, "decision": "rejected", "reason": "loadShed"}"#,
            #"{"line": 3, "decision": "permitted", "reason": null}"#,
            #"{"line": 4, "decision": "rejected", "reason": "loadShed"}"#,
            #"{"line": 5, "decision": "permitted", "reason": null}"#,
            #"{"line": 6, "decision": "permitted", "reason": null}"#,
            // At 120 the calls of lines 1 and 3 have ended; 5 and 6 are in flight (2 ≥ 1).
            #"{"line": 7, "decision": "rejected", "reason": "loadShed"}"#,
        ])
    }

    @Test("concurrency limit: a fixed limit of 1 with a LIFO queue of 2, newest first, maxWait")
    func concurrencyLimitQueue() throws {
        let policy = """
            {"concurrencyLimit": {"initialLimit": 1, "minLimit": 1, "maxLimit": 1, "maxQueued": 2, "maxWait": "150ms"}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 100}]}
            {"at": 10, "attempts": [{"outcome": "success", "duration": 100}]}
            {"at": 20, "attempts": [{"outcome": "success", "duration": 10}]}
            {"at": 30, "attempts": [{"outcome": "success", "duration": 10}]}
            """
        // At 30 the queue (10, 20) is full: the oldest (line 2) is evicted. At 100 line 1 ends and the
        // newest waiter (line 4) goes first, then line 3 at 110.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 100}"#,
            #"{"line": 2, "decision": "rejected", "reason": "loadShed", "attempts": 0, "outcome": "loadShed", "finishedAt": 30}"#,
            #"{"line": 3, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 120}"#,
            #"{"line": 4, "decision": "permitted", "reason": null, "attempts": 1, "outcome": "success", "finishedAt": 110}"#,
        ])
    }

    @Test("the documented order decides who rejects: an open breaker takes no rate-limit permit")
    func order() throws {
        let policy = """
            {"circuitBreaker": {"window": "count", "windowSize": 1, "minimumThroughput": 1, "breakDuration": "1s"},
             "rateLimiter": {"permitsPerSecond": 1, "burst": 1},
             "bulkhead": {"maxConcurrent": 1}}
            """
        let trace = """
            {"at": 0, "control": "forceOpen"}
            {"at": 1, "outcome": "success"}
            {"at": 2, "control": "reset"}
            {"at": 3, "outcome": "success", "duration": 10}
            {"at": 4, "outcome": "success"}
            """
        // Line 2 is refused by the breaker and leaves the bucket full for line 4; line 5 finds the
        // bucket empty before it could reach the full bulkhead.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "state": "forcedOpen"}"#,
            #"{"line": 2, "decision": "rejected", "reason": "circuitOpen", "state": "forcedOpen"}"#,
            #"{"line": 3, "state": "closed"}"#,
            #"{"line": 4, "decision": "permitted", "reason": null, "state": "closed"}"#,
            #"{"line": 5, "decision": "rejected", "reason": "rateLimited", "state": "closed"}"#,
        ])
    }

    @Test("inner rejections are not breaker failures; retries stop at a rejection")
    func innerRejections() throws {
        let policy = """
            {"retry": {"maxAttempts": 3, "backoff": "constant", "baseDelay": "10ms", "jitter": "none"},
             "circuitBreaker": {"window": "count", "windowSize": 2, "minimumThroughput": 2},
             "bulkhead": {"maxConcurrent": 1}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "success", "duration": 100}]}
            {"at": 1, "attempts": [{"outcome": "success"}]}
            {"at": 2, "attempts": [{"outcome": "failure", "duration": 0}, {"outcome": "success", "duration": 0}]}
            """
        // Line 3's first attempt is refused (bulkheadFull): not retried, not a failure for the breaker,
        // which stays closed although two of its calls were refused.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "state": "closed", "attempts": 1, "outcome": "success", "finishedAt": 100}"#,
            #"{"line": 2, "decision": "rejected", "reason": "bulkheadFull", "state": "closed", "attempts": 0, "outcome": "bulkheadFull", "finishedAt": 1}"#,
            #"{"line": 3, "decision": "rejected", "reason": "bulkheadFull", "state": "closed", "attempts": 0, "outcome": "bulkheadFull", "finishedAt": 2}"#,
        ])
    }

    @Test("the timeout starts before the bulkhead's queue; a retry waits in the queue behind a running call")
    func retryQueuedBehindTimeout() throws {
        let policy = """
            {"retry": {"maxAttempts": 2, "backoff": "constant", "baseDelay": "10ms", "jitter": "none"},
             "timeout": {"duration": "50ms"},
             "bulkhead": {"maxConcurrent": 1, "maxQueued": 5}}
            """
        let trace = """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 5}, {"outcome": "success", "duration": 5}]}
            {"at": 1, "attempts": [{"outcome": "success", "duration": 200}, {"outcome": "success", "duration": 1}]}
            """
        // Line 2 waits from 1 to 5 for line 1's slot; its timeout started at 1, so it times out at 51.
        // Line 1's retry (due at 15) waits behind it and runs from 51 to 56; line 2's retry from 61 to 62.
        #expect(try replay(policy: policy, trace: trace) == [
            #"{"line": 1, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 56}"#,
            #"{"line": 2, "decision": "permitted", "reason": null, "attempts": 2, "outcome": "success", "finishedAt": 62}"#,
        ])
    }

    static let policyErrors: [(policy: String, message: String)] = [
        (#"{"bulkhead": {"maxConcurrent": 0}}"#, "policy.json: bulkhead.maxConcurrent: 0 is not allowed; allowed: 1...1000000"),
        (#"{"bulkhead": {"maxWait": "1s"}}"#, "policy.json: bulkhead.maxWait"),
        (#"{"rateLimiter": {}}"#, #"policy.json: missing "rateLimiter.permitsPerSecond" (a rate limiter has no default rate)"#),
        (#"{"rateLimiter": {"permitsPerSecond": 0}}"#, "policy.json: rateLimiter.permitsPerSecond: 0"),
        (#"{"loadShedder": {"inFlight": {"low": 5, "normal": 3}}}"#, "policy.json: loadShedder.inFlight"),
        (#"{"loadShedder": {"pressure": {}}}"#, #"policy.json: unknown key "loadShedder.pressure"; known: inFlight, queueDepth, retryAfter"#),
        (#"{"loadShedder": {"inFlight": {"urgent": 1}}}"#, #"policy.json: unknown key "loadShedder.inFlight.urgent"; known: low, normal, high"#),
        (#"{"concurrencyLimit": {"algorithm": "tcp"}}"#,
         #"policy.json: concurrencyLimit.algorithm must be one of "aimd", "gradient2", "vegas", got "tcp""#),
        (#"{"concurrencyLimit": {"algorithm": "vegas", "aimd": {"timeout": "1s"}}}"#,
         #"policy.json: concurrencyLimit.aimd: parameters is not allowed; allowed: only when algorithm is "aimd" (it is "vegas")"#),
        (#"{"concurrencyLimit": {"aimd": {"backoffRatio": 2}}}"#, "policy.json: concurrencyLimit.aimd.backoffRatio: 2.0"),
        (#"{"concurrencyLimit": {"algorithm": "gradient2", "gradient2": {"probeMultiplier": 0}}}"#,
         "policy.json: concurrencyLimit.gradient2.probeMultiplier: 0 is not allowed; allowed: 1...100000"),
        (#"{"concurrencyLimit": {"algorithm": "gradient2", "gradient2": {"longWindow": 600}}}"#,
         #"policy.json: unknown key "concurrencyLimit.gradient2.longWindow"; known: smoothing, rttTolerance, queueSize, probeMultiplier"#),
        (#"{"concurrencyLimit": {"algorithm": "vegas", "vegas": {"probeMultiplier": 100001}}}"#,
         "policy.json: concurrencyLimit.vegas.probeMultiplier: 100001 is not allowed; allowed: 1...100000"),
    ]

    @Test("every admission-control policy error names the file and key", arguments: policyErrors.indices)
    func policyError(_ index: Int) throws {
        let (policy, message) = Self.policyErrors[index]
        let error = try replayError(policy: policy, trace: "{\"at\": 0, \"outcome\": \"success\"}")
        #expect(error?.hasPrefix(message) == true, "\(error ?? "no error")")
    }
}
