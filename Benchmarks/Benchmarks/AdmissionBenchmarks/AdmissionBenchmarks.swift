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

/// Makes `call` `scaledIterations` times and measures only those calls.
///
/// One unmeasured call goes first. The framework runs each sample in a new task, and a task's first
/// call this deep grows the task's allocator with one `malloc`; that belongs to the harness, not to
/// the calls measured, and without this call the allocation gates would read 1 per sample.
///
/// Inlined, and `nonisolated(nonsending)` like the policies, so that it adds no call and no executor
/// hop to what it measures: the policies measure the same through it as in a plain loop (bulkhead
/// 67–68 ns, AIMD limiter 139–142 ns, token bucket 62–63 ns best sample, A/B on 2026-11-24). The
/// baselines still call the operation in a plain loop: the bare call measured 9 ns more through this
/// helper (22 vs 13 ns best sample), a difference the policies' calls do not show.
@inline(__always)
nonisolated(nonsending) func measureCalls<Value>(
    _ benchmark: Benchmark, _ call: nonisolated(nonsending) () async throws -> Value
) async throws {
    blackHole(try await call())
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    registerBulkheadBenchmarks()
    registerRateLimiterBenchmarks()
    registerConcurrencyLimiterBenchmarks()
}
