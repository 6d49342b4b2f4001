// The rate limiters' hot paths (issue bar: ≤ 100 ns median and 0 allocations for an admitted call).
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// Every benchmark runs `scaledIterations` (1000 per sample) calls, so the times printed are per call.
// The limiters are configured so that every call is admitted (10⁹ permits per second with a burst of
// 10⁹: a call every few tens of nanoseconds never empties the bucket): this is the admitted path, the
// one every call pays. Names start with "Rate limiter" so that they do not collide with the other
// admission benchmarks of this target.

@preconcurrency import Benchmark
import BenchmarkSupport
@_spi(Benchmarks) import Resilience

/// Registers the RateLimiter benchmarks (written with the RateLimiter policy).
func registerRateLimiterBenchmarks() {
    let plain = callConfiguration(allocationFree: false)
    let allocationFree = callConfiguration(allocationFree: true)
    let unlimited = RateLimiterConfiguration(permitsPerSecond: 1_000_000_000, burst: 1_000_000_000)

    Benchmark("Rate limiter: direct call (baseline)", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await admittedOperation())
        }
    }

    let tokenBucket = RateLimiter(name: "bench", configuration: unlimited)
    Benchmark("Rate limiter: token bucket, admitted, execute", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await tokenBucket.execute { try await admittedOperation() } }
    }

    let inPipeline = ResiliencePipeline { RateLimiter(name: "bench", configuration: unlimited) }
    let context = ResilienceContext(operationName: "bench")
    Benchmark("Rate limiter: token bucket, admitted, in a pipeline with a context", configuration: allocationFree) {
        benchmark in
        try await measureCalls(benchmark) {
            try await inPipeline.execute(context: context) { _ in try await admittedOperation() }
        }
    }

    let keyed = KeyedRateLimiter<String, ContinuousClock>(
        name: "bench",
        configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1_000_000_000, burst: 1_000_000_000),
        key: { $0.operationName })
    let tenant = "tenant-42"
    Benchmark("Rate limiter: keyed (String key), admitted, execute(key:)", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) {
            try await keyed.execute(key: tenant) { try await admittedOperation() }
        }
    }

    let window = SlidingWindowRateLimiter(
        name: "bench", configuration: SlidingWindowRateLimiterConfiguration(limit: 10_000_000, window: .microseconds(100)))
    Benchmark("Rate limiter: sliding window, admitted, execute", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await window.execute { try await admittedOperation() } }
    }

    Benchmark("Rate limiter: token bucket state machine alone (no lock, no clock)", configuration: plain) {
        benchmark in
        var now = Duration.zero
        var machine = try StateMachineBenchmarks.TokenBucket(configuration: unlimited)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now += .nanoseconds(1)
            blackHole(try machine.acquire(at: now))
        }
    }

    Benchmark("Rate limiter: sliding window state machine alone (no lock, no clock)", configuration: plain) {
        benchmark in
        var now = Duration.zero
        var machine = try StateMachineBenchmarks.SlidingWindow(
            configuration: SlidingWindowRateLimiterConfiguration(limit: 10_000_000, window: .microseconds(1)))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now += .nanoseconds(1)
            blackHole(try machine.acquire(at: now))
        }
    }

    let empty = RateLimiter(
        name: "bench", configuration: RateLimiterConfiguration(permitsPerSecond: 0.000000001, burst: 1))
    Benchmark("Rate limiter: token bucket, rejected", configuration: plain) { benchmark in
        var rejected = 0
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try await empty.execute { try await admittedOperation() })
            } catch let error as ResilienceError {
                blackHole(error.retryAfter)
                rejected += 1
            }
        }
        if rejected != benchmark.scaledIterations.count {
            benchmark.error("the empty bucket admitted \(benchmark.scaledIterations.count - rejected) calls")
        }
    } setup: {
        _ = try? await empty.acquire()
    }
}
