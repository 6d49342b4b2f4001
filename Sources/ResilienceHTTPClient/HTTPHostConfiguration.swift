import Resilience

/// The policies a ``ResilientHTTPClient`` runs for each host: circuit breaker, retry, timeout and bulkhead.
///
/// | section | default | see |
/// |---|---|---|
/// | `circuitBreaker` | the library's defaults (50 % failures over 60 s, 30 s break) | `CircuitBreakerConfiguration` |
/// | `retry` | 3 attempts, exponential backoff from 200 ms with full jitter, `maxDelay` 10 s, a retry budget | `RetryConfiguration` |
/// | `timeout` | 30 s for the whole exchange of an attempt | ``HTTPTimeoutConfiguration`` |
/// | `bulkhead` | 25 requests in flight to the host, none queued | `BulkheadConfiguration`; `nil` for no bulkhead |
///
/// With the default bulkhead the 26th concurrent request to one host is rejected at once with
/// `bulkheadFull` (the library's bulkhead default: a queue adds latency to every request that waits in
/// it). A request holds its place until its response body has been read to the end, cancelled or dropped.
///
/// ``validate()`` rejects a value outside its allowed range with a `ConfigurationError` naming the key,
/// prefixed with its section (`circuitBreaker.failureRatio`, `timeout.firstByte`); nothing is clamped.
public struct HTTPHostConfiguration: Sendable, Hashable {
    /// The host's circuit breaker. Default: the library's defaults.
    public var circuitBreaker: CircuitBreakerConfiguration
    /// Retries of idempotent requests (see ``HTTPRetryRules``). Its `maxDelay` also caps a `Retry-After`
    /// hint. Default: the library's defaults.
    public var retry: RetryConfiguration
    /// How long each attempt may take. Default: 30 s for the whole exchange.
    public var timeout: HTTPTimeoutConfiguration
    /// How many requests may be in flight to the host at once, and how many may wait; `nil` for no bulkhead.
    /// Default: `BulkheadConfiguration()` (25 in flight, none waiting).
    public var bulkhead: BulkheadConfiguration?

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        circuitBreaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        retry: RetryConfiguration = RetryConfiguration(),
        timeout: HTTPTimeoutConfiguration = HTTPTimeoutConfiguration(),
        bulkhead: BulkheadConfiguration? = BulkheadConfiguration()
    ) {
        self.circuitBreaker = circuitBreaker
        self.retry = retry
        self.timeout = timeout
        self.bulkhead = bulkhead
    }

    /// Checks every section.
    /// - Throws: `ConfigurationError` for the first invalid key, prefixed with its section
    ///   (`circuitBreaker.`, `retry.`, `timeout.`, `bulkhead.`).
    public func validate() throws(ConfigurationError) {
        do throws(ConfigurationError) { try circuitBreaker.validate() } catch { throw error.prefixingKey(with: "circuitBreaker") }
        do throws(ConfigurationError) { try retry.validate() } catch { throw error.prefixingKey(with: "retry") }
        do throws(ConfigurationError) { try timeout.validate() } catch { throw error.prefixingKey(with: "timeout") }
        do throws(ConfigurationError) { try bulkhead?.validate() } catch { throw error.prefixingKey(with: "bulkhead") }
    }
}
