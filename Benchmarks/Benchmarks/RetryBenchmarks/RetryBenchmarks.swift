// Micro-benchmarks of the retry policy's hot path: a first attempt that succeeds.
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target RetryBenchmarks
//
// Times are per call (`scaledIterations` calls per sample). The first-attempt benchmarks carry a
// zero-tolerance threshold on `mallocCountTotal`, checked by `benchmark thresholds check`.

@preconcurrency import Benchmark
import Resilience

/// The protected operation: as cheap as an async call can be, and not inlinable.
@inline(never)
nonisolated(nonsending) func trivialOperation() async throws -> Int {
    42
}

/// The least any policy's `execute` can cost: a `nonisolated(nonsending)` function that only forwards
/// the call. Its `await` is its last statement, so Swift 6.3 emits no hop back to the caller's
/// executor for it, and it costs what the direct call costs. A policy that runs code after the
/// operation's `await` (a retry's `catch`, a breaker's recording) pays one more `swift_task_switch`
/// per call, even on the success path and even when inlined (seen in the disassembly).
@inline(__always)
nonisolated(nonsending) func forward<Value>(_ operation: nonisolated(nonsending) () async throws -> Value) async throws -> Value {
    try await operation()
}

/// Calls `call` `scaledIterations` times and measures only those calls. One unmeasured call goes
/// first: the framework runs each sample in a new task, and a task's first call this deep grows the
/// task's allocator with one `malloc`, which belongs to the harness, not to the calls measured.
func measure(_ benchmark: Benchmark, _ call: () async throws -> Int) async throws {
    blackHole(try await call())
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    func configuration(thresholds: [BenchmarkMetric: BenchmarkThresholds]? = nil) -> Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            timeUnits: .nanoseconds,
            warmupIterations: 100,
            scalingFactor: .kilo,
            maxDuration: .seconds(4),
            maxIterations: 1_000_000,
            thresholds: thresholds
        )
    }
    let allocationFree = configuration(thresholds: [.mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0])])

    Benchmark("Direct call through the same harness (baseline)", configuration: configuration()) { benchmark in
        try await measure(benchmark) { try await trivialOperation() }
    }

    Benchmark("A wrapper that only forwards the call (the floor for any policy)", configuration: allocationFree) { benchmark in
        try await measure(benchmark) { try await forward { try await trivialOperation() } }
    }

    let withBudget = Retry(name: "bench")
    Benchmark("First attempt succeeds, with a budget (default)", configuration: allocationFree) { benchmark in
        try await measure(benchmark) { try await withBudget.execute { try await trivialOperation() } }
    }

    let withoutBudget = Retry(name: "bench", budget: .unlimited)
    Benchmark("First attempt succeeds, without a budget", configuration: allocationFree) { benchmark in
        try await measure(benchmark) { try await withoutBudget.execute { try await trivialOperation() } }
    }
}
