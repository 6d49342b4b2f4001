// observability-demo: a fake dependency behind a named pipeline of retry ▸ circuit breaker ▸ timeout ▸
// bulkhead, with the pipeline's and the policies' metrics served in Prometheus' text format. See Examples/observability-demo/README.md.
//
//   GET /metrics                                  the Prometheus exposition of every policy's metrics
//   GET /call?outcome=success|failure[&latency=ms] one call of the fake dependency through the pipeline
//
// The metrics go to a registry of this program's own, passed to each policy as its `metricsFactory`:
// nothing bootstraps the global MetricsSystem.

import Foundation
import Hummingbird
import Prometheus
import Resilience

/// What the fake dependency throws for `outcome=failure`.
struct DependencyFailure: Error {}

/// The port from `--port N`, else the `PORT` environment variable, else 8080.
func listeningPort() -> Int {
    let arguments = CommandLine.arguments
    if let index = arguments.firstIndex(of: "--port") {
        guard index + 1 < arguments.count, let port = Int(arguments[index + 1]), (1...65_535).contains(port) else {
            fatalError("--port takes a port number (1...65535)")
        }
        return port
    }
    if let value = ProcessInfo.processInfo.environment["PORT"] {
        guard let port = Int(value), (1...65_535).contains(port) else { fatalError("PORT must be a port number (1...65535)") }
        return port
    }
    return 8080
}

/// The demo's pipeline, named `demo` like every policy in it, recording into `registry` (with the
/// library's recommended histogram buckets): each call's duration by outcome, and each policy's metrics.
func makePipeline(registry: PrometheusCollectorRegistry) -> some ResiliencePolicy {
    var metrics = PrometheusMetricsFactory(registry: registry)
    metrics.durationHistogramBuckets.merge(ResilienceMetrics.durationBuckets) { _, recommended in recommended }
    // Short delays, so that a failed call answers quickly: 3 attempts, 10 ms then 20 ms (before jitter).
    let retry = Retry(
        name: "demo", configuration: RetryConfiguration(maxAttempts: 3, baseDelay: .milliseconds(10)),
        metricsFactory: metrics)
    // A count window of the last 20 attempts that may trip from 10 on: ten failed attempts open it (the
    // fourth failed call, with the retries). The 10-minute break keeps it open while someone looks.
    let breaker = CircuitBreaker(
        name: "demo",
        configuration: CircuitBreakerConfiguration(
            window: .count, windowSize: 20, minimumThroughput: 10, failureRatio: 0.5,
            breakDuration: .seconds(600), maxBreakDuration: .seconds(600)),
        metricsFactory: metrics)
    let timeout = Timeout(name: "demo", configuration: TimeoutConfiguration(duration: .seconds(1)), metricsFactory: metrics)
    let bulkhead = Bulkhead(name: "demo", maxConcurrent: 10, metricsFactory: metrics)
    return ResiliencePipeline(name: "demo", metricsFactory: metrics) {
        retry      // outermost: an open breaker ends the retries
        breaker    // counts every attempt
        timeout    // bounds each attempt
        bulkhead   // at most 10 attempts in flight
    }
}

/// A plain-text response.
func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
    Response(
        status: status, headers: [.contentType: "text/plain; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
}

@main
struct ObservabilityDemo {
    static func main() async throws {
        let registry = PrometheusCollectorRegistry()
        let pipeline = makePipeline(registry: registry)

        let router = Router()
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("call") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            let outcome = parameters.get("outcome") ?? "success"
            guard outcome == "success" || outcome == "failure" else {
                return text(.badRequest, "outcome must be success or failure")
            }
            let latency = parameters.get("latency").map { Int($0) } ?? 0
            guard let latency, (0...10_000).contains(latency) else {
                return text(.badRequest, "latency must be a number of milliseconds in 0...10000")
            }
            do {
                let answer = try await pipeline.execute(operationName: "demo.call") {
                    if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
                    if outcome == "failure" { throw DependencyFailure() }
                    return "success"
                }
                return text(.ok, answer)
            } catch let error as ResilienceError {
                // A policy refused the call (circuitOpen, halfOpenFull, bulkheadFull) or gave up on it (timedOut).
                return text(error.code == .timedOut ? .gatewayTimeout : .serviceUnavailable, error.code.description)
            } catch is DependencyFailure {
                return text(.badGateway, "failure")
            }
        }

        let port = listeningPort()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
