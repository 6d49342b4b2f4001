@testable import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// The lab runs the production state machines, but the shells decide what an outcome means to each
/// policy (what a breaker records, what a retry retries, what a concurrency limit samples) and in which
/// order the policies act. These tests fail if the lab and the library disagree on any of it: every
/// rejection code and every dependency outcome goes through the real shells and through the lab's
/// `AttemptEnd`, and the lab's replays must reject in the library's order.
@Suite("resilience-lab follows the library's rules")
struct LibraryRulesTests {
    struct DependencyFailed: Error {}
    struct NotFound: NotADependencyFailure {}

    /// Each way an attempt can end in the lab, with the error a real operation (or inner policy) throws
    /// for it; `nil` for a success.
    static let endings: [(end: AttemptEnd, error: (any Error)?)] =
        [(AttemptEnd.dependency(.success), nil), (.dependency(.failure), DependencyFailed()), (.dependency(.ignored), NotFound())]
        + ResilienceError.Code.allCodes.map { code in (.policy(code), ResilienceError(code: code, policyName: "inner")) }

    /// Runs `ending` once through `operation`: throws its error, or returns a value.
    static func outcome(_ ending: (end: AttemptEnd, error: (any Error)?)) throws -> Int {
        if let error = ending.error { throw error }
        return 1
    }

    @Test("a breaker records what the lab records, for every rejection code and dependency outcome")
    func breakerOutcome() async throws {
        for ending in Self.endings {
            let breaker = CircuitBreaker(name: "rules", clock: ManualClock())
            _ = try? await breaker.execute { try Self.outcome(ending) }
            let stats = breaker.stats
            let recorded: CallOutcome? = stats.successfulCalls == 1 ? .success
                : stats.failedCalls == 1 ? .failure : stats.ignoredCalls == 1 ? .ignored : nil
            #expect(recorded == ending.end.breakerOutcome, "\(ending.end)")
        }
    }

    @Test("a retry policy retries exactly what the lab retries")
    func retried() async throws {
        for ending in Self.endings {
            let retry = Retry(
                name: "rules",
                configuration: RetryConfiguration(maxAttempts: 2, backoff: .constant, baseDelay: .zero, jitter: .none),
                clock: ManualClock())
            let attempts = Locked(0)
            _ = try? await retry.execute { () async throws -> Int in
                let attempt = attempts.withLock { count in
                    count += 1
                    return count
                }
                return attempt == 1 ? try Self.outcome(ending) : 2
            }
            #expect(attempts.withLock { $0 } == (ending.end.isRetryable ? 2 : 1), "\(ending.end)")
        }
    }

    @Test("a concurrency limiter samples what the lab samples")
    func concurrencySample() throws {
        let limiter = ConcurrencyLimiter(name: "rules", clock: ManualClock())
        for ending in Self.endings {
            let sample = ending.error.map { limiter.outcome(of: $0) }
                ?? .init(limiter.classifier.classify(result: 1))
            #expect(sample == ending.end.concurrencyOutcome, "\(ending.end)")
        }
    }

    @Test("the lab's attempts pass the policies in the library's order: the first that refuses names the reason")
    func order() throws {
        // After the first call (1 s long) every stage refuses the second: the breaker is forced open,
        // the only rate-limit permit is taken, and the concurrency limit and the bulkhead are full.
        let sections: [PolicyKind: (json: String, code: String)] = [
            .circuitBreaker: (#""circuitBreaker": {}"#, "circuitOpen"),
            .rateLimiter: (#""rateLimiter": {"permitsPerSecond": 0.001, "burst": 1}"#, "rateLimited"),
            .concurrencyLimit: (#""concurrencyLimit": {"initialLimit": 1, "minLimit": 1, "maxLimit": 1}"#, "loadShed"),
            .bulkhead: (#""bulkhead": {"maxConcurrent": 1}"#, "bulkheadFull"),
        ]
        let order = PolicyKind.perAttempt.filter { sections[$0] != nil }
        #expect(order == [.circuitBreaker, .rateLimiter, .concurrencyLimit, .bulkhead])
        let trace = """
            {"at": 0, "outcome": "success", "duration": 1000}
            {"at": 10, "control": "forceOpen"}
            {"at": 20, "outcome": "success"}
            """
        for first in order.indices {
            let configured = order[first...]
            let policy = "{" + configured.compactMap { sections[$0]?.json }.joined(separator: ", ") + "}"
            let reason = try #require(replay(policy: policy, trace: trace).last)
            let expected = try #require(sections[configured[first]]).code
            #expect(reason.contains(#""reason": "\#(expected)""#), "\(configured): \(reason)")
        }
    }

    @Test("the load shedder decides once per call, before the retry loop, as in the library's order")
    func loadShedderIsPerCall() {
        #expect(PolicyKind.perCall.contains(.loadShedder))
        #expect(!PolicyKind.perAttempt.contains(.loadShedder))
    }
}
