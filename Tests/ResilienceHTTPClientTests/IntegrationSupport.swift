import AsyncHTTPClient
import MisbehavingUpstream
import NIOCore
import Resilience
import ResilienceHTTPClient
import Testing

/// Runs `body` with a fresh ``MisbehavingUpstream`` on loopback and an async-http-client of its own (no
/// connection shared with another test), and shuts both down afterwards, also when `body` throws.
func withUpstream(
    defaultBehaviour: UpstreamBehaviour = .healthy, routes: [String: UpstreamBehaviour] = [:],
    _ body: (MisbehavingUpstream, HTTPClient) async throws -> Void
) async throws {
    let upstream = try await MisbehavingUpstream.start(defaultBehaviour: defaultBehaviour, routes: routes)
    let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init())
    do {
        try await body(upstream, httpClient)
    } catch {
        try? await httpClient.shutdown()
        try? await upstream.shutdown()
        throw error
    }
    try await httpClient.shutdown()
    try await upstream.shutdown()
}

/// A host configuration for tests: no retry delay worth waiting for unless asked, the other policies as
/// given.
func hostConfiguration(
    maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(10), maxDelay: Duration = .seconds(10),
    circuitBreaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
    timeout: HTTPTimeoutConfiguration = HTTPTimeoutConfiguration(duration: .seconds(5)),
    bulkhead: BulkheadConfiguration? = BulkheadConfiguration()
) -> HTTPHostConfiguration {
    HTTPHostConfiguration(
        circuitBreaker: circuitBreaker,
        retry: RetryConfiguration(maxAttempts: maxAttempts, backoff: .constant, baseDelay: baseDelay, maxDelay: maxDelay, jitter: .none),
        timeout: timeout, bulkhead: bulkhead)
}

/// A breaker that trips after `calls` calls of which half fail (a count window of that size), and stays
/// open `breakDuration`.
func trippingBreaker(calls: Int = 4, breakDuration: Duration = .seconds(60)) -> CircuitBreakerConfiguration {
    CircuitBreakerConfiguration(
        window: .count, windowSize: calls, minimumThroughput: calls, failureRatio: 0.5, breakDuration: breakDuration,
        halfOpenPermittedCalls: 1, halfOpenSuccessRatio: 1)
}

/// A GET of `url`.
func get(_ url: String) -> HTTPClientRequest {
    HTTPClientRequest(url: url)
}

/// The whole body of `response`, as text.
func text(of response: HTTPClientResponse) async throws -> String {
    String(buffer: try await response.body.collect(upTo: 1 << 20))
}

/// Expects `call` to throw a ``ResilienceError`` with `code`, and returns it.
@discardableResult
func expectRejection<T>(
    _ code: ResilienceError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> T
) async -> ResilienceError? {
    do {
        let value = try await call()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as ResilienceError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

extension Duration {
    /// Seconds as a `Double`, for messages.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
