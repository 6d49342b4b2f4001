// What admission control costs on its fast path (issue 4's bar: ≤ 100 ns median, 0 allocations when
// the call is admitted):
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// Each policy registers its own benchmarks from its own file.

@preconcurrency import Benchmark

/// The protected operation of every admission benchmark: as cheap as an async call can be, and not
/// inlinable, so that each baseline measures one real async call. `nonisolated(nonsending)`, like the
/// policies' `execute`, so it runs on the caller's executor.
@inline(never)
nonisolated(nonsending) func admittedOperation() async throws -> Int {
    42
}

/// The configuration of every admission benchmark: cheap calls, a thousand per sample, so the times
/// printed are per call. `allocationFree` adds the gate: 0 allocations at p90 over the reference in
/// `Thresholds/`, checked by `benchmark thresholds check`.
func admissionConfiguration(allocationFree: Bool) -> Benchmark.Configuration {
    .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 100,
        scalingFactor: .kilo,
        maxDuration: .seconds(4),
        maxIterations: 1_000_000,
        thresholds: allocationFree ? [.mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0])] : nil
    )
}

let benchmarks: @Sendable () -> Void = {
    registerBulkheadBenchmarks()
    registerRateLimiterBenchmarks()
    registerConcurrencyLimiterBenchmarks()
}
