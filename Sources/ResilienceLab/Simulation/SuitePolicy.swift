import Resilience
import ResilienceConfiguration

/// The policies the built-in suite compares, by name: `none`, `naive-retry`, `default` (and `tuned`,
/// which ``Tuner`` finds per scenario).
public enum SuitePolicy {
    /// `none`: no protection at all — one attempt, no timeout: the client waits for whatever the
    /// dependency answers.
    public static let none = PolicyFile()

    /// `naive-retry`: the retry loop written by hand — up to 3 attempts, retried 10 ms after a
    /// failure or a timeout, no jitter, no retry budget (a ratio of 1000 and 1,000,000 per second
    /// never deny), with a 1 s timeout per attempt; no breaker.
    public static let naiveRetry = PolicyFile(
        retry: RetryConfiguration(
            maxAttempts: 3, backoff: .constant, baseDelay: .milliseconds(10), jitter: .none, budgetRatio: 1_000,
            budgetMinPerSecond: 1_000_000),
        timeout: TimeoutConfiguration(duration: .seconds(1)))

    /// `default`: the library's default pipeline — retry ▸ circuit breaker ▸ timeout, each with its
    /// documented defaults (``RetryConfiguration``: 3 attempts, exponential backoff from 200 ms with
    /// full jitter, a 20 % retry budget; ``CircuitBreakerConfiguration``: 50 % failures over a 60 s
    /// window, 30 s break; ``TimeoutConfiguration``: 30 s).
    public static let defaultPipeline = PolicyFile(
        retry: RetryConfiguration(), circuitBreaker: CircuitBreakerConfiguration(), timeout: TimeoutConfiguration())

    /// The fixed policies by name, in the suite's order.
    public static let fixed: [(name: String, policy: PolicyFile)] = [
        ("none", none), ("naive-retry", naiveRetry), ("default", defaultPipeline),
    ]

    /// The fixed policy named `name`, if any.
    public static func named(_ name: String) -> PolicyFile? {
        fixed.first { $0.name == name }?.policy
    }
}
