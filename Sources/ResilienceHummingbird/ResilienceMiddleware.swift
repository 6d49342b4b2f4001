import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Resilience

/// Router middleware that runs each request through a resilience policy or pipeline, and answers a
/// rejection with an HTTP response (``ResilienceRejectionResponse``): 429 for `rateLimited`, 503 for
/// `bulkheadFull`, `loadShed`, `circuitOpen` and `halfOpenFull`, 504 for `timedOut`, each with
/// `Retry-After` when the policy knows when to come back. Never a dropped connection.
///
/// ```swift
/// let router = Router()
/// let api = router.group("api")
///     .add(middleware: ResilienceMiddleware(name: "api", ResiliencePipeline {
///         LoadShedder(name: "api", configuration: LoadShedderConfiguration(
///             inFlight: LoadShedThresholds(low: 100, normal: 200, high: 300)))   // X-Priority
///         KeyedRateLimiter(name: "api", configuration: KeyedRateLimiterConfiguration(
///             permitsPerSecond: 50, burst: 100), key: RequestClientKey.key(of:))  // X-Client-Id
///         ConcurrencyLimiter(name: "api")                                         // adaptive
///         Timeout(name: "api", duration: .seconds(5))                             // 504
///         Bulkhead(name: "api", maxConcurrent: 64, maxQueued: 64)                 // this route group
///     }))
/// ```
///
/// Each request's ``ResilienceContext`` comes from a ``RequestResilienceMapping``: its route as the
/// operation name, `X-Priority` as its priority, `X-Client-Id` (or the remote address) as its client key.
/// Errors the handler throws pass through unchanged (Hummingbird turns them into responses as usual).
///
/// **Scope.** The policies hold the request from its arrival until the handler returns the response:
/// its head and a body Hummingbird has in hand. A handler that returns a streamed body (server-sent
/// events, a proxied token stream) has released its bulkhead slot and concurrency permit when the body
/// starts streaming; `resilience-proxy` keeps them for the whole exchange instead.
///
/// **Cost.** The mapping (a route name string, two header reads) and the policies' own costs; a
/// rejection builds one small response. No allocation per request beyond Hummingbird's own, except the
/// route name when it is longer than 15 bytes (`GET /api/users/{id}`: one); see the README's
/// "Performance".
public struct ResilienceMiddleware<Policy: ResiliencePolicy, Context: RequestContext>: RouterMiddleware {
    /// The policy or pipeline each request runs through.
    public let policy: Policy
    /// How a request becomes its resilience context.
    public let mapping: RequestResilienceMapping<Context>
    let unrecognizedPriorities: Counter

    /// Middleware named `name` (the `policy` label of its own metric) running every request through
    /// `policy`.
    /// - Parameters:
    ///   - name: the `policy` label of `resilience_http_unrecognized_priority_total`.
    ///   - policy: the policy or pipeline.
    ///   - mapping: how a request becomes its context; the documented defaults by default.
    ///   - metricsFactory: where the middleware's metric goes; by default the bootstrapped factory.
    public init(
        name: String,
        _ policy: Policy,
        mapping: RequestResilienceMapping<Context> = RequestResilienceMapping(),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.policy = policy
        self.mapping = mapping
        unrecognizedPriorities = Counter(
            label: "resilience_http_unrecognized_priority_total", dimensions: [("policy", name)],
            factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// Runs the request through the policy; a rejection becomes its response.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await policy.execute(context: resilienceContext(of: request, context)) { _ in
                try await next(request, context)
            }
        } catch let rejection as ResilienceError {
            return ResilienceRejectionResponse.response(for: rejection)
        }
    }

    /// The context of `request`, with its unrecognized priority counted.
    func resilienceContext(of request: Request, _ context: Context) -> ResilienceContext {
        let priority = mapping.priority(request, context) ?? {
            unrecognizedPriorities.increment()
            return .normal
        }()
        var resilienceContext = ResilienceContext(operationName: mapping.operationName(request, context), priority: priority)
        resilienceContext.metadata[RequestClientKey.self] = mapping.clientKey(request, context)
        return resilienceContext
    }
}
