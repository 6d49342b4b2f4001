// What a bulkhead costs a call it admits at once (issue bar: ≤ 100 ns median, 0 allocations), and
// what its parts cost:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target AdmissionBenchmarks
//
// - "Bulkhead: direct call (baseline)": the operation called directly.
// - "Bulkhead: admitted execute": the policy as shipped, never full: one lock to enter, one to leave.
// - "Bulkhead: admitted execute through a pipeline": the same through `execute(context:_:)`, as a
//   `ResiliencePipeline` calls it.
// - "Bulkhead: state machine acquire + release": the logic alone, without lock or async call.
// - "Bulkhead: rejected at once": the cost of a rejection when every slot is taken and there is no
//   queue (allocates: a thrown error is boxed).
//
// Every sample runs a thousand calls, so the times printed are per call.

@preconcurrency import Benchmark
import BenchmarkSupport
@_spi(Benchmarks) import Resilience

/// Registers the Bulkhead benchmarks.
func registerBulkheadBenchmarks() {
    let allocationFree = callConfiguration(allocationFree: true)
    let plain = callConfiguration(allocationFree: false)

    Benchmark("Bulkhead: direct call (baseline)", configuration: plain) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await admittedOperation())
        }
    }

    let bulkhead = Bulkhead(name: "bench")  // defaults: 25 slots, no queue
    Benchmark("Bulkhead: admitted execute", configuration: allocationFree) { benchmark in
        try await measureCalls(benchmark) { try await bulkhead.execute { try await admittedOperation() } }
    }

    let pipeline = ResiliencePipeline { bulkhead }
    Benchmark("Bulkhead: admitted execute through a pipeline", configuration: allocationFree) { benchmark in
        let context = ResilienceContext(operationName: "bench")
        try await measureCalls(benchmark) {
            try await pipeline.execute(context: context) { _ in try await admittedOperation() }
        }
    }

    Benchmark("Bulkhead: state machine acquire + release", configuration: allocationFree) { benchmark in
        var machine = try StateMachineBenchmarks.Bulkhead()
        for _ in benchmark.scaledIterations {
            blackHole(machine.acquireAndRelease())
        }
    }

    let full = Bulkhead(name: "bench-full", configuration: BulkheadConfiguration(maxConcurrent: 1))
    Benchmark("Bulkhead: rejected at once", configuration: plain) { benchmark in
        // One call holds the only slot for the whole sample; every measured call is rejected.
        try await full.execute {
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try await full.execute { try await admittedOperation() })
                } catch {
                    blackHole(error)
                }
            }
        }
    }
}
