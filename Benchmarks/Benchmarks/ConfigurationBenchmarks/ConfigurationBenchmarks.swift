// Policies built from configuration, against the same policies built in code: reading configuration
// happens once, when ResiliencePolicies is built, so a section costs what the same policy built in code
// costs; a configured pipeline adds its kill switch and one check per section.
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target ConfigurationBenchmarks
//
// The closed-execute rows carry the zero-allocation threshold of Thresholds/ (see CircuitBreakerBenchmarks),
// each measured after one unmeasured call in the sample's new task (see measureCalls).

@preconcurrency import Benchmark
import BenchmarkSupport
import Resilience
import ResilienceConfiguration

/// The protected operation: as cheap as an async call can be, and not inlinable.
@inline(never)
nonisolated(nonsending) func trivialOperation() async throws -> Int {
    42
}

let benchmarks: @Sendable () -> Void = {
    let allocationFree = callConfiguration(allocationFree: true)
    let plain = callConfiguration(allocationFree: false)

    let countWindow = CircuitBreakerConfiguration(window: .count)
    let settings = ResilienceSettings(policies: [
        "payments": PolicyConfiguration(circuitBreaker: countWindow),
        "off": PolicyConfiguration(circuitBreaker: countWindow),
    ])
    let policies = try! ResiliencePolicies(settings: settings, clock: ContinuousClock())
    let disabled = try! ResiliencePolicies(settings: ResilienceSettings(isEnabled: false, policies: settings.policies), clock: ContinuousClock())
    let context = ResilienceContext(operationName: "charge")

    Benchmark("Direct call (baseline)", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await trivialOperation())
        }
    }

    let inCode = CircuitBreaker(name: "payments", configuration: countWindow)
    Benchmark("Closed execute, count window, built in code", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await inCode.execute { try await trivialOperation() } }
    }

    let fromConfiguration = policies.circuitBreaker(named: "payments")!
    Benchmark("Closed execute, count window, built from configuration", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await fromConfiguration.execute { try await trivialOperation() } }
    }

    Benchmark("Closed execute, count window, built in code, with a context", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await inCode.execute(context: context) { _ in try await trivialOperation() } }
    }

    let pipeline = try! policies.pipeline(named: "payments")
    Benchmark("Closed execute, count window, configured pipeline", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await pipeline.execute(context: context) { _ in try await trivialOperation() } }
    }

    let switchedOff = try! disabled.pipeline(named: "off")
    Benchmark("Configured pipeline, kill switch off", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await switchedOff.execute(context: context) { _ in try await trivialOperation() } }
    }
}
