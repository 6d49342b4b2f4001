@preconcurrency import Benchmark
import Resilience

/// Registers the RateLimiter benchmarks (written with the RateLimiter policy).
func registerRateLimiterBenchmarks() {}
