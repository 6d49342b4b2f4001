import AsyncHTTPClient
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Resilience
import ResilienceConfiguration
import ResilienceHTTPClient
import ResilienceHummingbird
import ServiceLifecycle

/// `resilience-proxy`: a sidecar that puts the policies of a configuration file in front of any HTTP
/// upstream, with no change to the service that calls it. Run it in a `ServiceGroup` (the executable
/// does, with `SIGTERM` as its graceful shutdown signal).
///
/// - **Routes.** A request goes to the route with the longest prefix matching its path by whole
///   segments (404 without one), and on to the route's upstream with the same path and query, its
///   method, its body (buffered, up to `proxy.maxBodyBytes`: 413 beyond) and its headers (hop-by-hop
///   ones dropped, `Host` set to the upstream's, `X-Forwarded-For` appended), through the pipeline of the
///   route's policy (none: straight). The upstream's response comes back unchanged and streamed.
/// - **Policies.** Each route's policy is a ``ConfiguredPipeline`` of `resilience.policies`, built with
///   the HTTP classification (`HTTPFailureClassifier`: 5xx, 408, 429, connection errors and timeouts are
///   failures, other answers are not), the client's key (`X-Client-Id`, else its address) as the rate
///   limiter's key, and `X-Priority` as the load shedder's priority. Every timeout runs **cooperatively**:
///   its limit is async-http-client's deadline for the response head (or `timeout.firstByte` when
///   shorter), and the rest of `duration` is checked as each chunk of the body arrives; no timer task per
///   request. Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) are retried, a
///   `Retry-After` on a 429 or 503 sets the next retry's delay, and when the retries end on a failed
///   response, that response is returned unchanged.
/// - **Rejections** are answered by the proxy (`ResilienceRejectionResponse`, as the Hummingbird
///   middleware does): 503 with `X-Resilience-Rejected: circuitOpen` and a `Retry-After`, 429 for
///   `rateLimited`, 504 for `timedOut`, 502 `upstreamUnavailable` when the upstream could not be reached.
/// - **Reloads** (on `SIGHUP`, and when the file changes): new `proxy.routes` and `resilience.policies`
///   apply to new requests, every policy keeps its state (an open breaker stays open); an invalid file is
///   rejected whole and logged. `proxy.listen`, `proxy.readTimeout` and `proxy.shutdownGracePeriod`
///   apply at the next start (a change is logged).
/// - **Its own paths:** `GET /metrics` (the Prometheus text exposition of every policy's metrics) and
///   `GET /healthz` (200). They are never forwarded.
public final class ResilienceProxy: Service {
    /// The settings the proxy started with.
    public let settings: ProxySettings
    /// The configuration file, watched for changes (`nil`: no reload).
    let file: String?
    let environment: [String: String]
    let logger: Logger
    let registry: PrometheusCollectorRegistry
    let metricsFactory: any MetricsFactory
    let policies: ResiliencePolicies<ContinuousClock>
    let responder: ProxyResponder
    let httpClient: HTTPClient
    let reloadPollInterval: Duration
    let onListening: @Sendable (ProxyListenAddress) -> Void

    /// A proxy for `settings`.
    /// - Parameters:
    ///   - settings: what ``ProxySettings/read(file:environment:)`` read.
    ///   - file: the configuration file to watch for changes; `nil`: no reload.
    ///   - environment: the environment each reload reads with the file; the process's by default.
    ///   - reloadPollInterval: how often the file is checked for changes (besides `SIGHUP`). Default: 2 s.
    ///   - registry: where the policies' metrics go, and what `GET /metrics` serves.
    ///   - logger: where the proxy and its policies log (one line per state change; nothing per request
    ///     at `info` or above).
    ///   - onListening: called once, when the proxy accepts connections, with the address as configured
    ///     and the port actually bound.
    /// - Throws: ``ConfigurationProblems`` when a policy cannot be built.
    public init(
        settings: ProxySettings,
        file: String?,
        environment: [String: String],
        reloadPollInterval: Duration = .seconds(2),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger,
        onListening: @escaping @Sendable (ProxyListenAddress) -> Void = { _ in }
    ) throws(ConfigurationProblems) {
        self.settings = settings
        self.file = file
        self.environment = environment
        self.reloadPollInterval = reloadPollInterval
        self.registry = registry
        self.logger = logger
        self.onListening = onListening
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets.merge(ResilienceMetrics.durationBuckets) { _, recommended in recommended }
        metricsFactory = factory
        policies = try ResiliencePolicies(
            settings: Self.cooperative(settings.resilience), clock: ContinuousClock(), rateLimitKey: RequestClientKey.key(of:),
            classifier: Self.classifier, logger: logger, metricsFactory: factory)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: Self.timeAmount(settings.proxy.readTimeout)),
            decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // No span per upstream request: the proxy does not trace (yet), and async-http-client's default,
        // the bootstrapped tracer, costs a no-op span per request even when none was bootstrapped.
        configuration.tracing.tracer = nil
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        responder = ProxyResponder(
            routes: try ProxyRouteTable(settings: settings, policies: policies, metricsFactory: factory),
            httpClient: httpClient, registry: registry)
    }

    /// Serves until the service group shuts down: accepts connections, forwards requests, reloads the
    /// file; on graceful shutdown stops accepting and lets the requests in flight finish.
    public func run() async throws {
        let listen = settings.proxy.listen
        let responder = self.responder
        let http = HTTP1Channel(
            responder: { request, writer, channel in try await responder.respond(to: request, writer: writer, channel: channel) },
            configuration: .init(idleTimeout: .seconds(75)))
        let onListening = self.onListening
        let server = Server(
            childChannelSetup: ProxyChannel(http: http),
            configuration: ServerConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                onListening(ProxyListenAddress(host: listen.host, port: channel.localAddress?.port ?? listen.port))
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.run() }
                if let reloader = makeReloader() {
                    group.addTask { try await reloader.run() }
                }
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// The reloader of the file: each change is read whole (the `proxy` and `resilience` sections with
    /// the environment), checked, and applied to the policies and the routes, or rejected whole.
    func makeReloader() -> ResilienceConfigurationReloader<ContinuousClock>? {
        guard let file else { return nil }
        let running = Locked(settings)
        let policies = self.policies
        let responder = self.responder
        let environment = self.environment
        let logger = self.logger
        let metricsFactory = self.metricsFactory
        let started = settings.proxy
        return ResilienceConfigurationReloader(
            policies: policies, files: [file], environment: environment, profile: nil, pollInterval: reloadPollInterval,
            logger: logger, metricsFactory: metricsFactory
        ) { (documents) throws(ConfigurationProblems) -> Bool in
            let new = try ProxySettings.read(documents: documents, environment: environment)
            guard new != running.withLock({ $0 }) else { return false }
            try policies.apply(Self.cooperative(new.resilience))
            responder.replaceRoutes(with: try ProxyRouteTable(settings: new, policies: policies, metricsFactory: metricsFactory))
            running.withLock { $0 = new }
            for (key, changed) in [
                ("proxy.listen", new.proxy.listen != started.listen), ("proxy.readTimeout", new.proxy.readTimeout != started.readTimeout),
                ("proxy.shutdownGracePeriod", new.proxy.shutdownGracePeriod != started.shutdownGracePeriod),
            ] where changed {
                logger.warning("\(key) changed: it applies at the next start")
            }
            return true
        }
    }

    /// The HTTP classification of errors (``HTTPFailureClassifier``), for the pipelines: a failed response
    /// is thrown (a `FailedResponse`), so there is no result to classify, and without a result classifier
    /// a call that succeeds costs the breaker and the retry no dynamic cast of its value.
    static let classifier = FailureClassifier(errors: { HTTPFailureClassifier.outcome(of: $0) })

    /// `settings` with every policy's timeout cooperative: the proxy's operation enforces the limit
    /// itself, through async-http-client's deadline.
    static func cooperative(_ settings: ResilienceSettings) -> ResilienceSettings {
        var settings = settings
        for (name, policy) in settings.policies where policy.timeout != nil {
            settings.policies[name]?.timeout?.enforcement = .cooperative
        }
        return settings
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(duration.attoseconds / 1_000_000_000))
    }
}
