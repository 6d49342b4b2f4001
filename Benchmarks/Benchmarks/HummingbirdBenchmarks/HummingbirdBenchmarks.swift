// What ResilienceMiddleware adds to a request through a Hummingbird router, with no network:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target HummingbirdBenchmarks
//
// Each call is `responder.respond(to:context:)` on the responder `Router.buildResponder()` makes, for a
// GET whose handler answers `ok`, then the response's body written to a writer that drops it: what the
// server does with a request once its head is parsed, without the channel. The request (its head and
// an empty body) and its context are made once and reused, as in Hummingbird's own router benchmarks;
// a server makes both per request, in every row alike. Every row's request carries `X-Client-Id`.
//
// The times and counts are per call (a thousand calls per sample). No CPU time: this machine counts it
// in 10 ms ticks, and a sample of a thousand requests lasts about 2 ms (it read 0 or 10 ms). The malloc
// counter counts the whole process, so a row's count includes Hummingbird's own allocations; the
// difference to the plain router of the same route is what the middleware adds. The rows at the plain
// router's count are gated (`Thresholds/`, checked by hand: CI does not build Hummingbird in release).
//
// - "plain router": the route alone.
// - "pass-through": behind `ResilienceMiddleware` with the empty pipeline: the mapping (route name,
//   X-Priority, X-Client-Id into the context's metadata) and the middleware's call, no policy.
// - "breaker + bulkhead": a closed CircuitBreaker (default, time window) ▸ Bulkhead(64).
// - "keyed rate limiter": a KeyedRateLimiter keyed by RequestClientKey.key(of:), never limiting.
// - "X-Priority": the pass-through with `X-Priority: high` on the request (the header is parsed).
// - the two "/api/users/{id}" rows: a route whose operation name, `GET /api/users/{id}`, is longer
//   than 15 bytes (a String that no longer fits inline: one allocation, not gated).

@preconcurrency import Benchmark
import BenchmarkSupport
import Hummingbird
import Logging
import Resilience
import ResilienceHummingbird

/// A request context that needs no channel: what Hummingbird needs and nothing else (as in its own
/// benchmarks). `BasicRequestContext` needs a `Channel` to be made.
struct BenchmarkContext: RequestContext {
    typealias Source = BenchmarkContextSource
    var coreContext: CoreRequestContextStorage
    init(source: BenchmarkContextSource) { coreContext = CoreRequestContextStorage(source: source) }
}

struct BenchmarkContextSource: RequestContextSource {
    let logger = Logger(label: "bench")
}

/// Drops what it is given: the response body is produced but goes nowhere.
struct DroppingBodyWriter: ResponseBodyWriter {
    func write(_ buffer: ByteBuffer) async throws {}
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A GET of `path` with an empty body.
func request(_ path: String, _ extraFields: HTTPFields = [:]) -> Request {
    var fields: HTTPFields = [RequestResilienceMapping<BenchmarkContext>.clientKeyHeader: "client-42"]
    fields.append(contentsOf: extraFields)
    let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: path, headerFields: fields)
    return Request(head: head, body: RequestBody(buffer: ByteBuffer()))
}

/// A router with the routes `/hello` and `/api/users/{id}`.
func router() -> Router<BenchmarkContext> {
    let router = Router(context: BenchmarkContext.self)
    router.get("hello") { _, _ in "ok" }
    router.get("api/users/{id}") { _, _ in "ok" }
    return router
}

/// The same routes behind `middleware` (its concrete type, as an application adds it).
func router(_ middleware: some RouterMiddleware<BenchmarkContext>) -> Router<BenchmarkContext> {
    let router = Router(context: BenchmarkContext.self)
    router.add(middleware: middleware)
    router.get("hello") { _, _ in "ok" }
    router.get("api/users/{id}") { _, _ in "ok" }
    return router
}

/// Registers a benchmark of `request` through `router`'s responder, checking first that it answers 200.
/// `gated`: its allocations are checked against its reference in `Thresholds/` (the plain router's count:
/// the middleware adds none).
func benchmark(_ name: String, _ router: Router<BenchmarkContext>, _ request: Request, gated: Bool = false) {
    let responder = router.buildResponder()
    let context = BenchmarkContext(source: BenchmarkContextSource())
    Benchmark(name, configuration: callConfiguration(allocationFree: gated)) { benchmark in
        let response = try await responder.respond(to: request, context: context)
        precondition(response.status == .ok, "\(name): \(response.status)")
        try await measureCalls(benchmark) {
            let response = try await responder.respond(to: request, context: context)
            try await response.body.write(DroppingBodyWriter())
            return response.status.code
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    let hello = request("/hello")
    let unlimited = KeyedRateLimiterConfiguration(permitsPerSecond: 1_000_000_000, burst: 1_000_000_000)

    benchmark("Hummingbird: plain router", router(), hello)
    benchmark(
        "Hummingbird: ResilienceMiddleware, pass-through",
        router(ResilienceMiddleware(name: "bench", ResiliencePipeline(PassThroughPolicy()))), hello, gated: true)
    benchmark(
        "Hummingbird: ResilienceMiddleware, breaker + bulkhead",
        router(ResilienceMiddleware(name: "bench", ResiliencePipeline {
            CircuitBreaker(name: "bench")
            Bulkhead(name: "bench", maxConcurrent: 64)
        })), hello, gated: true)
    benchmark(
        "Hummingbird: ResilienceMiddleware, keyed rate limiter (X-Client-Id)",
        router(ResilienceMiddleware(name: "bench", KeyedRateLimiter(
            name: "bench", configuration: unlimited, key: RequestClientKey.key(of:)))), hello, gated: true)
    benchmark(
        "Hummingbird: ResilienceMiddleware, pass-through, X-Priority: high",
        router(ResilienceMiddleware(name: "bench", ResiliencePipeline(PassThroughPolicy()))),
        request("/hello", [RequestResilienceMapping<BenchmarkContext>.priorityHeader: "high"]), gated: true)

    let user = request("/api/users/42")
    benchmark("Hummingbird: plain router, /api/users/{id}", router(), user)
    benchmark(
        "Hummingbird: ResilienceMiddleware, pass-through, /api/users/{id}",
        router(ResilienceMiddleware(name: "bench", ResiliencePipeline(PassThroughPolicy()))), user)
}
