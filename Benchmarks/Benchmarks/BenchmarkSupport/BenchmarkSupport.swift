// What the benchmark targets of cheap calls share: their configuration and their measuring loop.

@preconcurrency import Benchmark

/// The configuration of a benchmark of cheap calls: a thousand per sample, so the times printed are
/// per call. `allocationFree` adds the gate: 0 allocations at p90 per sample of a thousand calls over
/// the reference in `Thresholds/`, checked by `benchmark thresholds check`. (The markdown tables divide
/// counts by the thousand, so a gate can fail on 2 allocations per sample that a table prints as 0.)
public func callConfiguration(allocationFree: Bool) -> Benchmark.Configuration {
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
/// call this deep grows the task's allocator with a `malloc` or two (one for a bulkhead, two for a
/// configured pipeline's nested stages); that is paid once per task, not per call, so it belongs to
/// the harness, and without this call the allocation gates would read 1 or 2 per sample.
///
/// Inlined, and `nonisolated(nonsending)` like the policies, so that it adds no call and no executor
/// hop to what it measures: the policies measure the same through it as in a plain loop (bulkhead
/// 67–68 ns, AIMD limiter 139–142 ns, token bucket 62–63 ns best sample, A/B on 2026-11-24). The
/// baselines still call the operation in a plain loop: the bare call measured 9 ns more through this
/// helper (22 vs 13 ns best sample), a difference the policies' calls do not show.
@inlinable @inline(__always)
public nonisolated(nonsending) func measureCalls<Value>(
    _ benchmark: Benchmark, _ call: nonisolated(nonsending) () async throws -> Value
) async throws {
    blackHole(try await call())
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}
