@preconcurrency import Benchmark
import Resilience

/// Registers the Bulkhead benchmarks (written with the Bulkhead policy).
func registerBulkheadBenchmarks() {}
