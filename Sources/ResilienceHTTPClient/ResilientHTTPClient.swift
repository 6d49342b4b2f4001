import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Resilience
import Synchronization
import Tracing

/// An HTTP client over async-http-client with a resilience pipeline per host: retry ▸ circuit breaker ▸
/// timeout (as async-http-client's deadline) ▸ bulkhead, classifying responses the HTTP way.
///
/// ```swift
/// let partners = ResilientHTTPClient(
///     name: "partners",
///     configuration: HTTPHostConfiguration(timeout: HTTPTimeoutConfiguration(duration: .seconds(10))),
///     hostOverrides: ["slow.example.com:443": HTTPHostConfiguration(bulkhead: BulkheadConfiguration(maxConcurrent: 5))])
/// let response = try await partners.execute(HTTPClientRequest(url: "https://api.example.com/orders/42"))
/// for try await chunk in response.body { ... }   // streamed as it arrives
/// ```
///
/// **Per host.** The host and port of the request's URL (`api.example.com:443`) select the host's policies,
/// created on first use and named `"<name>.<host:port>"` in errors, metrics, logs and spans: a breaker
/// from ``circuitBreakers`` (a `CircuitBreakerRegistry`), a bulkhead from ``bulkheads`` (a
/// `BulkheadRegistry`), a retry with its own retry budget, and the host's timeout. At most
/// `maximumHosts` hosts are held, and a host is never forgotten (a bulkhead forgotten while requests run
/// through it would let a fresh one admit another full capacity); a request to a new host beyond the bound
/// throws ``HTTPHostLimitError`` without being sent.
///
/// **What counts as a failure** (``HTTPFailureClassifier``): connection errors, connect/read timeouts, the
/// deadline, 5xx, 408 and 429. Every other response — 404, 400, 409 ... — passes through and trips
/// nothing. Errors in the request itself (an invalid URL) are ignored.
///
/// **Retry.** Only requests ``HTTPRetryRules`` allows: idempotent methods by default (a POST only with
/// ``HTTPRequestOptions/retryable``), and never one whose streamed body cannot be sent again. Others go
/// straight to the breaker, once. A failure is retried after the retry's backoff; a 429 or 503 with a
/// valid `Retry-After` (delay-seconds or an HTTP-date, see ``RetryAfter``) after that delay instead,
/// capped by the retry's `maxDelay`; a `Retry-After` reaching past the call's deadline ends the retries at
/// once, since the server said it would refuse any retry before then. A breaker's or a bulkhead's
/// rejection is not retried. The response a retry discards has its body cancelled and its connection and
/// bulkhead slot freed before the retry's delay. When the retries end on a failed response (attempts,
/// budget or deadline exhausted, or a request that is not retried), **that last upstream response is
/// returned unchanged** — status, headers and a body still to be read — rather than thrown.
///
/// **Timeout.** Each attempt's limits (``HTTPTimeoutConfiguration``), cut short by the call's deadline
/// (`ResilienceContext.deadline`, an instant of `clock`), become async-http-client's deadline: no timer
/// task per request. Running out of time throws a `ResilienceError` with code `timedOut` (the breaker
/// counts it, the retry retries it). See ``HTTPTimeoutConfiguration`` for what is enforced where.
///
/// **Streaming.** ``execute(_:context:options:)`` returns as soon as the response head has arrived, with
/// the body still streaming: server-sent events and chunked bodies (an LLM's token stream) pass through as
/// they arrive. The policies decide on the head. The host's bulkhead slot is held until the body has been
/// read to its end, failed or been dropped. Cancelling the calling task cancels the upstream request, in
/// the head phase and while the body is read. A failure after the head — a connection reset in the middle
/// of the body, the body's `timedOut` — reaches the reader of the body; it is not retried (the response
/// was already returned) and the breaker, which recorded the attempt at its head, does not count it.
///
/// **Cost.** Beside async-http-client's own work, a call takes one lock for the host table, the
/// policies' fast paths (no lock for a closed breaker, one atomic for the retry budget), two locks for the
/// bulkhead slot, and wraps the response body: 5 allocations per call beyond async-http-client's, 3 of them
/// async-http-client's type erasure of a wrapped body (`HTTPClientResponse.Body.stream(_:)`); see the README's
/// benchmark rows.
public final class ResilientHTTPClient<C: Clock>: Sendable where C.Duration == Duration {
    /// The client's name: the prefix of each host's policy names. Keep it low-cardinality.
    public let name: String
    /// The async-http-client instance requests go through.
    public let httpClient: HTTPClient
    /// The policies of hosts without an override.
    public let configuration: HTTPHostConfiguration
    /// Per-host policies, keyed `host:port`.
    public let hostOverrides: [String: HTTPHostConfiguration]
    /// The most hosts the client holds policies for.
    public let maximumHosts: Int
    /// The hosts' circuit breakers, keyed `host:port`: read their states and stats, force or reset them.
    public let circuitBreakers: CircuitBreakerRegistry<String, C>
    /// The hosts' bulkheads, keyed `host:port`: read their stats, change their limits.
    public let bulkheads: BulkheadRegistry<String, C>

    let clock: C
    let logger: Logger?
    let metricsFactory: (any MetricsFactory)?
    let tracer: (any Tracer)?
    let hosts = Mutex<[HostKey: HostPolicies<C>]>([:])

    /// Creates a client.
    /// - Parameters:
    ///   - name: a low-cardinality name, the prefix of the hosts' policy names (`"<name>.<host:port>"`).
    ///   - httpClient: the async-http-client instance to send requests with; by default the shared one.
    ///     Its own configuration still applies: connect and read timeouts, redirects, connection pool.
    ///   - configuration: the policies of every host without an override.
    ///   - hostOverrides: policies per host, keyed `host:port` (lowercase host, port always written:
    ///     `api.example.com:443`, `[::1]:8080`).
    ///   - maximumHosts: the most hosts the client holds policies for (≥ 1). Default: 100.
    ///   - clock: the clock of every policy; a context's deadline must be one of its instants.
    ///   - logger: receives the policies' logs and async-http-client's per-request logs; by default
    ///     nothing is logged.
    ///   - metricsFactory: where the policies' metrics go; by default the factory `MetricsSystem` is
    ///     bootstrapped with when a host's policies are created.
    ///   - tracer: the tracer of each call's span; by default the bootstrapped one (none: no span).
    ///
    /// An invalid configuration stops the process with a message naming the key (`default.timeout.firstByte`,
    /// `hostOverrides[api.example.com:443].retry.maxDelay`, `maximumHosts`): a configuration written in
    /// code must be valid. Check one that comes from outside the code with
    /// ``validate(configuration:hostOverrides:maximumHosts:)``, which throws.
    public init(
        name: String = "http",
        httpClient: HTTPClient = .shared,
        configuration: HTTPHostConfiguration = HTTPHostConfiguration(),
        hostOverrides: [String: HTTPHostConfiguration] = [:],
        maximumHosts: Int = 100,
        clock: C,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        ConfigurationError.required("ResilientHTTPClient \"\(name)\"") { () throws(ConfigurationError) in
            try Self.validate(configuration: configuration, hostOverrides: hostOverrides, maximumHosts: maximumHosts)
        }
        self.name = name
        self.httpClient = httpClient
        self.configuration = configuration
        self.hostOverrides = hostOverrides
        self.maximumHosts = maximumHosts
        self.clock = clock
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.tracer = tracer
        circuitBreakers = CircuitBreakerRegistry(
            name: name, defaultConfiguration: configuration.circuitBreaker,
            overrides: hostOverrides.mapValues(\.circuitBreaker), maximumBreakers: maximumHosts,
            classifier: FailureClassifier(errors: { HTTPFailureClassifier.outcome(of: $0) }), clock: clock,
            logger: logger, metricsFactory: metricsFactory)
        bulkheads = BulkheadRegistry(
            name: name, defaultConfiguration: configuration.bulkhead ?? BulkheadConfiguration(),
            overrides: hostOverrides.compactMapValues(\.bulkhead), maximumBulkheads: maximumHosts, clock: clock,
            logger: logger, metricsFactory: metricsFactory)
    }

    /// Checks a configuration as the initializer does, for one that comes from outside the code.
    /// - Throws: `ConfigurationError` naming `maximumHosts`, `default.<section>.<key>`,
    ///   `hostOverrides[<host:port>].<section>.<key>`, or an override key `hostOverrides[<key>]` that is not
    ///   `host:port` with a lowercase host and a port in 1...65535.
    public static func validate(
        configuration: HTTPHostConfiguration = HTTPHostConfiguration(),
        hostOverrides: [String: HTTPHostConfiguration] = [:], maximumHosts: Int = 100
    ) throws(ConfigurationError) {
        guard maximumHosts >= 1 else {
            throw ConfigurationError(key: "maximumHosts", value: "\(maximumHosts)", allowed: ">= 1")
        }
        do throws(ConfigurationError) { try configuration.validate() } catch { throw error.prefixingKey(with: "default") }
        for (key, override) in hostOverrides.sorted(by: { $0.key < $1.key }) {
            guard HostKey(overrideKey: key) != nil else {
                throw ConfigurationError(
                    key: "hostOverrides[\(key)]", value: "\"\(key)\"",
                    allowed: "host:port, with a lowercase host (an IPv6 address in brackets) and a port in 1...65535")
            }
            do throws(ConfigurationError) { try override.validate() } catch {
                throw error.prefixingKey(with: "hostOverrides[\(key)]")
            }
        }
    }

    /// Sends `request` through its host's pipeline and returns the response as soon as its head has
    /// arrived, its body still streaming.
    ///
    /// - Parameters:
    ///   - request: the request; its URL's host and port select the host's policies.
    ///   - context: the call's name (the span's name; keep it low-cardinality), priority, metadata and
    ///     deadline (an instant of the client's clock): no attempt and no retry delay runs past it.
    ///   - options: per-request choices, such as whether a non-idempotent request may be retried.
    /// - Returns: the upstream's response: a success, a 4xx other than 408 and 429, or the last failed
    ///   response (5xx, 408, 429) when the retries ended on one. Read or drop its body: the host's bulkhead
    ///   slot is held until then.
    /// - Throws: `ResilienceError` — `circuitOpen` or `halfOpenFull` (the host's breaker refused; nothing
    ///   was sent), `bulkheadFull`, `timedOut` (an attempt, or the call's deadline, ran out of time); the
    ///   last connection error (async-http-client's `HTTPClientError`, or SwiftNIO's) when the retries
    ///   ended on one; `HTTPClientError.invalidURL` or `.emptyHost` for a URL without a host;
    ///   ``HTTPHostLimitError`` for a new host beyond `maximumHosts`; `CancellationError` or
    ///   `HTTPClientError.cancelled` (async-http-client's) when the task is cancelled.
    public nonisolated(nonsending) func execute(
        _ request: HTTPClientRequest,
        context: ResilienceContext = ResilienceContext(),
        options: HTTPRequestOptions = HTTPRequestOptions()
    ) async throws -> HTTPClientResponse {
        let host = try policies(for: request.url)
        let retryable = HTTPRetryRules.isRetryable(request, retryable: options.retryable)
        do {
            return try await host.telemetry.execute(context: context) { context in
                guard retryable else {
                    return try await host.breaker.execute(context: context) { context in
                        try await self.attempt(request, host: host, context: context)
                    }
                }
                return try await host.retry.execute(context: context) { context in
                    try await host.breaker.execute(context: context) { context in
                        try await self.attempt(request, host: host, context: context)
                    }
                }
            }
        } catch let failed as FailedResponse {
            guard let response = failed.takeResponse() else { throw failed }
            return response
        }
    }

    /// One attempt: the deadline, the bulkhead slot, async-http-client, the classification.
    nonisolated(nonsending) func attempt(
        _ request: HTTPClientRequest, host: HostPolicies<C>, context: ResilienceContext
    ) async throws -> HTTPClientResponse {
        let start = clock.now
        let callDeadline = try context.deadline(on: clock)
        let headDeadline = Self.earliest(start.advanced(by: host.headLimit), callDeadline)
        let bodyDeadline = Self.earliest(start.advanced(by: host.duration), callDeadline)
        let headLimit = start.duration(to: headDeadline)
        guard headLimit > .zero else { throw host.timedOut(after: .zero, underlyingError: nil) }
        var slot: Bulkhead<C>?
        if let bulkhead = host.bulkhead {
            switch try await bulkhead.acquireSlot(until: headDeadline) {
            case .acquired: slot = bulkhead
            case .notTaken: break
            case .deadlineReached: throw host.timedOut(after: headLimit, underlyingError: nil)
            }
        }
        let response: HTTPClientResponse
        do {
            let remaining = clock.now.duration(to: headDeadline)
            guard remaining > .zero else { throw host.timedOut(after: headLimit, underlyingError: nil) }
            response = try await httpClient.execute(
                request, deadline: .fromNow(remaining), logger: logger)
        } catch {
            slot?.releaseSlot()
            if let error = error as? HTTPClientError, error == .deadlineExceeded {
                throw host.timedOut(after: headLimit, underlyingError: error)
            }
            throw error
        }
        let lease = GuardedResponseBody<C>.Lease(
            body: response.body, bulkhead: slot, deadline: bodyDeadline, limit: start.duration(to: bodyDeadline),
            clock: clock, host: host)
        let guarded = HTTPClientResponse(
            version: response.version, status: response.status, headers: response.headers,
            body: .stream(GuardedResponseBody(lease: lease)), history: response.history)
        guard HTTPFailureClassifier.isFailure(guarded.status) else { return guarded }
        throw FailedResponse(guarded, decision: retryDecision(for: guarded, callDeadline: callDeadline))
    }

    /// How the retry treats a failed response: after its `Retry-After` (429 and 503 only), not at all when
    /// that hint reaches the call's deadline, else after the backoff.
    func retryDecision(for response: HTTPClientResponse, callDeadline: C.Instant?) -> RetryDecision {
        guard let hint = FailedResponse.retryHint(of: response) else { return .retry }
        if let callDeadline, clock.now.advanced(by: hint) >= callDeadline {
            logger?.debug(
                "Retry-After reaches past the call's deadline: not retried",
                metadata: ["policy": "\(name)", "retryAfter": "\(hint)"])
            return .doNotRetry
        }
        return .retryAfter(hint)
    }

    /// The policies of the host `url` points at, created on first use.
    func policies(for url: String) throws -> HostPolicies<C> {
        let key = try HostKey(url: url)
        if let known = hosts.withLock({ $0[key] }) { return known }
        return try hosts.withLock { (hosts) throws -> HostPolicies<C> in
            if let known = hosts[key] { return known }  // another task was first
            guard hosts.count < maximumHosts else {
                throw HTTPHostLimitError(clientName: name, maximumHosts: maximumHosts, host: key.text)
            }
            let text = key.text
            let configuration = hostOverrides[text] ?? self.configuration
            let policies = HostPolicies(
                name: "\(name).\(text)", configuration: configuration, breaker: try circuitBreakers.breaker(for: text),
                bulkhead: try configuration.bulkhead.map { _ in try bulkheads.bulkhead(for: text) }, clock: clock,
                logger: logger, metricsFactory: metricsFactory, tracer: tracer)
            // Keep the key's own copy of the host, not a slice of this request's whole URL.
            hosts[HostKey(host: Substring(String(key.host)), port: key.port)] = policies
            return policies
        }
    }

    static func earliest(_ instant: C.Instant, _ other: C.Instant?) -> C.Instant {
        guard let other else { return instant }
        return min(instant, other)
    }
}

extension ResilientHTTPClient where C == ContinuousClock {
    /// Creates a client on the continuous clock; see
    /// ``init(name:httpClient:configuration:hostOverrides:maximumHosts:clock:logger:metricsFactory:tracer:)``.
    public convenience init(
        name: String = "http",
        httpClient: HTTPClient = .shared,
        configuration: HTTPHostConfiguration = HTTPHostConfiguration(),
        hostOverrides: [String: HTTPHostConfiguration] = [:],
        maximumHosts: Int = 100,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        self.init(
            name: name, httpClient: httpClient, configuration: configuration, hostOverrides: hostOverrides,
            maximumHosts: maximumHosts, clock: ContinuousClock(), logger: logger, metricsFactory: metricsFactory,
            tracer: tracer)
    }
}
