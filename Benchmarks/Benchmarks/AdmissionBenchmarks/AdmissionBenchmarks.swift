// What admission control costs on its fast path (issue 4's bar: ≤ 100 ns median, 0 allocations when
// the call is admitted):
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// Each policy registers its own benchmarks from its own file.

@preconcurrency import Benchmark

let benchmarks: @Sendable () -> Void = {
    registerBulkheadBenchmarks()
    registerRateLimiterBenchmarks()
    registerConcurrencyLimiterBenchmarks()
}
