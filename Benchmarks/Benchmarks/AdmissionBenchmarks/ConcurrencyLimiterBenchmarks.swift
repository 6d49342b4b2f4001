// What an adaptive concurrency limiter costs a call it admits at once, per algorithm, and what its
// parts cost:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// - "Concurrency limiter: direct call (baseline)": the operation called directly.
// - "Concurrency limiter: admitted execute, <algorithm>": the policy as shipped, far below its limit:
//   one lock and one clock read to enter, one clock read and one lock to leave, where the algorithm
//   takes the latency sample.
// - "Concurrency limiter: state machine acquire + release, <algorithm>": the logic alone, with a fixed
//   instant (no lock, no clock, no async call).
//
// Every sample runs a thousand calls, so the times printed are per call. The admitted executes are
// held at 0 allocations per sample by the thresholds in `Thresholds/`.

@preconcurrency import Benchmark
import BenchmarkSupport
@_spi(Benchmarks) import Resilience

/// Registers the concurrency limiter benchmarks.
func registerConcurrencyLimiterBenchmarks() {
    let plain = callConfiguration(allocationFree: false)
    let allocationFree = callConfiguration(allocationFree: true)

    Benchmark("Concurrency limiter: direct call (baseline)", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await admittedOperation())
        }
    }

    let algorithms: [(String, ConcurrencyLimitConfiguration.Algorithm)] = [
        ("AIMD", .aimd()), ("Gradient2", .gradient2()), ("Vegas", .vegas()),
    ]
    for (name, algorithm) in algorithms {
        let configuration = ConcurrencyLimitConfiguration(algorithm: algorithm)
        let limiter = ConcurrencyLimiter(name: "bench", configuration: configuration)
        Benchmark("Concurrency limiter: admitted execute, \(name)", configuration: allocationFree) { benchmark in
            try await measureCalls(benchmark) { try await limiter.execute { try await admittedOperation() } }
        }

        Benchmark("Concurrency limiter: state machine acquire + release, \(name)", configuration: plain) { benchmark in
            var machine = try StateMachineBenchmarks.ConcurrencyLimiter(configuration: configuration, randomSeed: 1)
            let now = Duration.seconds(1)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                guard let limit = machine.acquireAndRelease(at: now) else {
                    fatalError("a limiter far below its limit did not admit a call")
                }
                blackHole(limit)
            }
            benchmark.stopMeasurement()
        }
    }
}
