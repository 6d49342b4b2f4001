import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("POLICY.json: retry and timeout sections")
struct PolicyFileTests {
    /// The error parsing `text` gives, as the command prints it after `resilience-lab: `.
    func parseError(_ text: String) -> String? {
        do {
            _ = try PolicyFile.parse(text, file: "policy.json")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("every key of both sections is read, with units")
    func everyKey() throws {
        let policy = try PolicyFile.parse("""
            {"timeout": {"duration": "1.5s"},
             "retry": {"maxAttempts": 5, "backoff": "linear", "baseDelay": "50ms", "multiplier": 1.5,
                       "maxDelay": "2m", "jitter": "decorrelated", "budgetRatio": 0.5,
                       "budgetMinPerSecond": 2.5, "budgetWindow": "30s"}}
            """, file: "policy.json")
        #expect(policy == PolicyFile(
            retry: RetryConfiguration(
                maxAttempts: 5, backoff: .linear, baseDelay: .milliseconds(50), multiplier: 1.5,
                maxDelay: .seconds(120), jitter: .decorrelated, budgetRatio: 0.5, budgetMinPerSecond: 2.5,
                budgetWindow: .seconds(30)),
            timeout: TimeoutConfiguration(duration: .milliseconds(1_500))))
    }

    @Test("empty sections take the documented defaults; absent sections stay absent")
    func defaults() throws {
        let both = try PolicyFile.parse(#"{"retry": {}, "timeout": {}}"#, file: "policy.json")
        #expect(both.retry == RetryConfiguration(
            maxAttempts: 3, backoff: .exponential, baseDelay: .milliseconds(200), multiplier: 2.0,
            maxDelay: .seconds(10), jitter: .full, budgetRatio: 0.2, budgetMinPerSecond: 10,
            budgetWindow: .seconds(10)))
        #expect(both.timeout == TimeoutConfiguration(duration: .seconds(30)))
        #expect(both.circuitBreaker == nil)
        let none = try PolicyFile.parse(#"{"circuitBreaker": {}}"#, file: "policy.json")
        #expect(none.retry == nil)
        #expect(none.timeout == nil)
        #expect(none.circuitBreaker == CircuitBreakerConfiguration())
    }

    static let retryKeys =
        "maxAttempts, backoff, baseDelay, multiplier, maxDelay, jitter, budgetRatio, budgetMinPerSecond, budgetWindow"

    static let errors: [(policy: String, message: String)] = [
        (#"{"bogus": {}}"#, #"policy.json: unknown section "bogus"; known: fallback, loadShedder, cascade, hedging, retry, circuitBreaker, rateLimiter, concurrencyLimit, timeout, adaptiveTimeout, bulkhead, chaos"#),
        (#"{"retry": {"maxRetries": 3}}"#, #"policy.json: unknown key "retry.maxRetries"; known: \#(retryKeys)"#),
        (#"{"retry": []}"#, "policy.json: retry must be an object, got an array"),
        (#"{"retry": {"maxAttempts": 0}}"#, "policy.json: retry.maxAttempts: 0 is not allowed; allowed: 1...1000"),
        (#"{"retry": {"maxAttempts": 1001}}"#, "policy.json: retry.maxAttempts: 1001 is not allowed; allowed: 1...1000"),
        (#"{"retry": {"maxAttempts": 2.5}}"#, "policy.json: retry.maxAttempts must be an integer, got a number"),
        (#"{"retry": {"maxAttempts": "3"}}"#, "policy.json: retry.maxAttempts must be an integer, got a string"),
        (#"{"retry": {"backoff": "fibonacci"}}"#,
         #"policy.json: retry.backoff must be one of "constant", "linear", "exponential", got "fibonacci""#),
        (#"{"retry": {"jitter": "half"}}"#,
         #"policy.json: retry.jitter must be one of "none", "full", "equal", "decorrelated", got "half""#),
        (#"{"retry": {"jitter": null}}"#, "policy.json: retry.jitter must be a string, got null"),
        (#"{"retry": {"baseDelay": 200}}"#,
         #"policy.json: retry.baseDelay must be a duration string with a unit such as "250ms", got a number"#),
        (#"{"retry": {"baseDelay": "200"}}"#,
         #"policy.json: retry.baseDelay: "200" is not a duration; write a number and a unit: ns, us, ms, s, m or h (e.g. "250ms", "1.5s", "2m")"#),
        (#"{"retry": {"multiplier": 0.5}}"#,
         "policy.json: retry.multiplier: 0.5 is not allowed; allowed: >= 1, with at most 9 decimal places"),
        (#"{"retry": {"multiplier": 1.0000000001}}"#,
         "policy.json: retry.multiplier: 1.0000000001 is not allowed; allowed: >= 1, with at most 9 decimal places"),
        (#"{"retry": {"maxDelay": "100ms"}}"#,
         "policy.json: retry.maxDelay: 100ms is not allowed; allowed: > 0 and >= baseDelay (200ms)"),
        (#"{"retry": {"baseDelay": "0s", "maxDelay": "0s"}}"#,
         "policy.json: retry.maxDelay: 0s is not allowed; allowed: > 0 and >= baseDelay (0s)"),
        (#"{"retry": {"budgetRatio": 1001}}"#,
         "policy.json: retry.budgetRatio: 1001.0 is not allowed; allowed: 0...1000, with at most 9 decimal places"),
        (#"{"retry": {"budgetMinPerSecond": -1}}"#,
         "policy.json: retry.budgetMinPerSecond: -1.0 is not allowed; allowed: 0...1000000, with at most 9 decimal places"),
        (#"{"retry": {"budgetWindow": "2h"}}"#, "policy.json: retry.budgetWindow: 2h is not allowed; allowed: 1ms...1h"),
        (#"{"retry": {"budgetWindow": "500us"}}"#, "policy.json: retry.budgetWindow: 500us is not allowed; allowed: 1ms...1h"),
        (#"{"timeout": {"duration": "0s"}}"#, "policy.json: timeout.duration: 0s is not allowed; allowed: > 0"),
        (#"{"timeout": {"duration": 30}}"#,
         #"policy.json: timeout.duration must be a duration string with a unit such as "250ms", got a number"#),
        (#"{"timeout": {"duration": "-1s"}}"#,
         #"policy.json: timeout.duration: "-1s" is not a duration; write a number and a unit: ns, us, ms, s, m or h (e.g. "250ms", "1.5s", "2m")"#),
        (#"{"timeout": {"seconds": 30}}"#, #"policy.json: unknown key "timeout.seconds"; known: duration, firstByte, mode, enforcement"#),
        (#"{"timeout": null}"#, "policy.json: timeout must be an object, got null"),
        (#"{"timeout": "30s"}"#, "policy.json: timeout must be an object, got a string"),
    ]

    @Test("every error names the file and the key, and what is allowed", arguments: errors.indices)
    func error(_ index: Int) {
        let (policy, message) = Self.errors[index]
        #expect(parseError(policy) == message)
    }

    @Test("a configuration built in code is validated by the replay too")
    func replayValidates() throws {
        let trace = try Trace.parse(#"{"at": 0, "outcome": "success"}"#, file: "trace.jsonl")
        #expect(throws: LabInputError(file: "policy.json", message: "retry.maxAttempts: 0 is not allowed; allowed: 1...1000")) {
            try Replayer.replay(
                trace, policy: PolicyFile(retry: RetryConfiguration(maxAttempts: 0)), policyFile: "policy.json",
                traceFile: "trace.jsonl")
        }
        #expect(throws: LabInputError(file: "policy.json", message: "timeout.duration: 0s is not allowed; allowed: > 0")) {
            try Replayer.replay(
                trace, policy: PolicyFile(timeout: TimeoutConfiguration(duration: .zero)), policyFile: "policy.json",
                traceFile: "trace.jsonl")
        }
    }
}
