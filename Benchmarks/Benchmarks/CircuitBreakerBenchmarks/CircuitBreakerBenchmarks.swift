// Micro-benchmarks of the circuit breaker's hot paths.
//
//     cd Benchmarks && swift package --disable-sandbox benchmark
//
// Every benchmark runs `scaledIterations` calls per sample, so the times printed are per call.
// Only wall clock and allocations are measured: instruction counters are not available on every
// machine this runs on.
//
// The closed-execute benchmarks carry a zero-tolerance threshold on `mallocCountTotal`, checked
// against the static thresholds in `Benchmarks/Thresholds/` by
//
//     swift package --disable-sandbox benchmark thresholds check
//
// which exits non-zero if the p90 of allocations per sample is above 0.

@preconcurrency import Benchmark
import BenchmarkSupport
@_spi(Benchmarks) import Resilience

// MARK: - The operation under protection

/// The protected operation: as cheap as an async call can be, and not inlinable, so the baseline
/// measures one real async call. `nonisolated(nonsending)`, like `CircuitBreaker.execute`, so that it
/// runs on its caller's executor: a `@MainActor` caller does not hop off the main actor to call it.
@inline(never)
nonisolated(nonsending) func trivialOperation() async throws -> Int {
    42
}

/// The error the open-state benchmark's breaker is tripped with.
struct TripFailure: Error {}

// MARK: - Main-actor callers

/// Calls `call` `scaledIterations` times on the main actor and measures only those calls: the hop to
/// the main actor and back happens outside the measured region.
///
/// One unmeasured call goes first. The framework runs each sample in a new task, and a task's first
/// call this deep grows the task's allocator with one `malloc`; that belongs to the harness, not to
/// the calls measured.
@MainActor
func measureOnMain<Value>(_ benchmark: Benchmark, _ call: @MainActor () async throws -> Value) async throws {
    blackHole(try await call())
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}

/// The baseline of the main-actor benchmarks: the operation called directly from the main actor.
@MainActor
func directCallsOnMain(_ benchmark: Benchmark) async throws {
    try await measureOnMain(benchmark) { try await trivialOperation() }
}

/// The breaker called from the main actor. Before measuring, checks that the operation runs on the
/// main actor, i.e. that `execute` did not move the call to another executor.
@MainActor
func breakerCallsOnMain(_ benchmark: Benchmark, _ breaker: CircuitBreaker<ContinuousClock>) async throws {
    try await breaker.execute {
        MainActor.preconditionIsolated("CircuitBreaker.execute left the main actor")
    }
    try await measureOnMain(benchmark) {
        try await breaker.execute { try await trivialOperation() }
    }
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let seconds = 4

    /// Calls are cheap (tens of nanoseconds), so each sample runs a thousand of them: the times
    /// printed are per call, resolvable to fractions of a nanosecond.
    func configuration(
        thresholds: [BenchmarkMetric: BenchmarkThresholds]? = nil
    ) -> Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            timeUnits: .nanoseconds,
            warmupIterations: 100,
            scalingFactor: .kilo,
            maxDuration: .seconds(seconds),
            maxIterations: 1_000_000,
            thresholds: thresholds
        )
    }

    /// For the closed execute: no allocation at all. The tolerance is absolute and zero; the reference
    /// value (0 at p90) is in `Thresholds/`, checked by `benchmark thresholds check`.
    let allocationFree = configuration(thresholds: [
        .mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0]),
    ])
    let plain = configuration()

    let countWindow = CircuitBreakerConfiguration(window: .count)
    let timeWindow = CircuitBreakerConfiguration()  // the default: a 60 s time window

    // MARK: Baseline and closed execute

    Benchmark("Direct call (baseline)", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await trivialOperation())
        }
    }

    let closedTime = CircuitBreaker(name: "bench")
    Benchmark("Closed execute, time window (default)", configuration: allocationFree) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await closedTime.execute { try await trivialOperation() })
        }
    }

    let closedCount = CircuitBreaker(name: "bench", configuration: countWindow)
    Benchmark("Closed execute, count window", configuration: allocationFree) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await closedCount.execute { try await trivialOperation() })
        }
    }

    // MARK: Observed (issue 18): state observers keep the fast path; observers of every event do not

    let stateObserved = CircuitBreaker(name: "bench", configuration: countWindow)
    stateObserved.addStateObserver { transition in blackHole(transition) }
    Benchmark("Closed execute, count window, with a state-change observer", configuration: allocationFree) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await stateObserved.execute { try await trivialOperation() })
        }
    }

    let eventObserved = CircuitBreaker(name: "bench", configuration: countWindow)
    eventObserved.addObserver { event in blackHole(event) }
    Benchmark("Closed execute, count window, observing every event", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await eventObserved.execute { try await trivialOperation() })
        }
    }

    // MARK: A stored pipeline (issue 18): its concrete type, `some`, or `any ResiliencePolicy`

    let concrete = ResiliencePipeline {
        Retry(name: "bench")
        CircuitBreaker(name: "bench", configuration: countWindow)
    }
    Benchmark("Pipeline retry+breaker, stored as its concrete type", configuration: allocationFree) { benchmark in
        // After one unmeasured call: a pipeline's first call in the sample's new task grows its allocator.
        try await measureCalls(benchmark) { try await concrete.execute { try await trivialOperation() } }
    }

    let opaque: some ResiliencePolicy = ResiliencePipeline {
        Retry(name: "bench")
        CircuitBreaker(name: "bench", configuration: countWindow)
    }
    Benchmark("Pipeline retry+breaker, stored as some ResiliencePolicy", configuration: allocationFree) { benchmark in
        // After one unmeasured call: a pipeline's first call in the sample's new task grows its allocator.
        try await measureCalls(benchmark) { try await opaque.execute { try await trivialOperation() } }
    }

    let existential: any ResiliencePolicy = ResiliencePipeline {
        Retry(name: "bench")
        CircuitBreaker(name: "bench", configuration: countWindow)
    }
    Benchmark("Pipeline retry+breaker, stored as any ResiliencePolicy", configuration: plain) { benchmark in
        // After one unmeasured call: a pipeline's first call in the sample's new task grows its allocator.
        try await measureCalls(benchmark) { try await existential.execute { try await trivialOperation() } }
    }

    // MARK: A named pipeline (issue 19): its duration histogram and span cost nothing without a backend and a tracer

    let named = ResiliencePipeline(name: "bench") {
        Retry(name: "bench")
        CircuitBreaker(name: "bench", configuration: countWindow)
    }
    Benchmark("Named pipeline retry+breaker, no metrics backend, no tracer", configuration: allocationFree) { benchmark in
        // After one unmeasured call: a pipeline's first call in the sample's new task grows its allocator.
        try await measureCalls(benchmark) { try await named.execute { try await trivialOperation() } }
    }

    // MARK: From the main actor

    Benchmark("Direct call from @MainActor (baseline)", configuration: plain) { benchmark in
        try await directCallsOnMain(benchmark)
    }

    let mainCount = CircuitBreaker(name: "bench", configuration: countWindow)
    Benchmark("Closed execute from @MainActor, count window", configuration: allocationFree) { benchmark in
        try await breakerCallsOnMain(benchmark, mainCount)
    }

    let mainTime = CircuitBreaker(name: "bench", configuration: timeWindow)
    Benchmark("Closed execute from @MainActor, time window", configuration: allocationFree) { benchmark in
        try await breakerCallsOnMain(benchmark, mainTime)
    }

    // MARK: The state machine alone, with a precomputed instant (no clock read)

    Benchmark("State machine acquire+record, count window", configuration: plain) { benchmark in
        var machine = try StateMachineBenchmarks.CircuitBreaker(configuration: countWindow)
        let now = Duration.seconds(1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            guard machine.acquireAndRecord(.success, at: now) else { fatalError("a closed breaker rejected a call") }
        }
        blackHole(machine)
    }

    Benchmark("State machine acquire+record, time window", configuration: plain) { benchmark in
        var machine = try StateMachineBenchmarks.CircuitBreaker(configuration: timeWindow)
        let now = Duration.seconds(1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            guard machine.acquireAndRecord(.success, at: now) else { fatalError("a closed breaker rejected a call") }
        }
        blackHole(machine)
    }

    // MARK: Rejections

    let open = CircuitBreaker(
        name: "bench",
        configuration: CircuitBreakerConfiguration(
            window: .count, windowSize: 1, minimumThroughput: 1,
            breakDuration: .seconds(3600), maxBreakDuration: .seconds(3600)))  // must be >= breakDuration
    Benchmark("Open-state rejection", configuration: plain) { benchmark in
        var rejected = 0
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try await open.execute { try await trivialOperation() })
            } catch let error as ResilienceError {
                blackHole(error.code)
                rejected += 1
            }
        }
        if rejected != benchmark.scaledIterations.count {
            benchmark.error("the open breaker admitted \(benchmark.scaledIterations.count - rejected) calls")
        }
    } setup: {
        _ = try? await open.execute { () async throws -> Int in throw TripFailure() }
        guard open.state == .open else { fatalError("the breaker did not trip: \(open.state)") }
    }

    let forcedOpen = CircuitBreaker(name: "bench")
    forcedOpen.forceOpen()
    Benchmark("Forced-open rejection", configuration: plain) { benchmark in
        var rejected = 0
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try await forcedOpen.execute { try await trivialOperation() })
            } catch let error as ResilienceError {
                blackHole(error.code)
                rejected += 1
            }
        }
        if rejected != benchmark.scaledIterations.count {
            benchmark.error("the forced-open breaker admitted \(benchmark.scaledIterations.count - rejected) calls")
        }
    }

    // MARK: Registry

    let registry = CircuitBreakerRegistry<String, ContinuousClock>(name: "bench", clock: ContinuousClock())
    for index in 0..<100 {
        _ = try! registry.breaker(for: "key-\(index)")
    }
    Benchmark("Registry lookup", configuration: plain) { benchmark in
        let key = "key-17"
        for _ in benchmark.scaledIterations {
            blackHole(try registry.breaker(for: key))
        }
    }
}
