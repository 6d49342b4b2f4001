// What admission control costs on its fast path (issue 4's bar: ≤ 100 ns median, 0 allocations when
// the call is admitted):
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// Each policy registers its own benchmarks from its own file.

@preconcurrency import Benchmark
import BenchmarkSupport

/// The protected operation of every admission benchmark: as cheap as an async call can be, and not
/// inlinable, so that each baseline measures one real async call. `nonisolated(nonsending)`, like the
/// policies' `execute`, so it runs on the caller's executor.
@inline(never)
nonisolated(nonsending) func admittedOperation() async throws -> Int {
    42
}

let benchmarks: @Sendable () -> Void = {
    registerBulkheadBenchmarks()
    registerRateLimiterBenchmarks()
    registerConcurrencyLimiterBenchmarks()
}
