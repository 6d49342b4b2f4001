// What a timeout costs when the operation finishes in time, and what its parts cost, to show what a
// cheaper design could save:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target TimeoutBenchmarks
//
// - "Timeout policy": the policy as shipped (operation in a child task, timer child task sleeping on
//   the clock, cancelled when the operation ends).
// - "Task group, operation child only": the floor of any design that can cancel the operation
//   without cancelling the caller's task (the operation must run in a task of its own).
// - "Task group, operation + sleeping timer child": the same structure as the policy, without the
//   policy's bookkeeping: the policy's overhead over it is its own.
// The difference between the two task-group rows is the most a shared timer (one timer task per
// policy instead of one per call) could save; it would add a lock and a heap insertion per call.

@preconcurrency import Benchmark
import Resilience

@inline(never)
nonisolated(nonsending) func trivialOperation() async throws -> Int {
    42
}

@inline(never)
@Sendable func sendableOperation() async throws -> Int {
    42
}

func measure(_ benchmark: Benchmark, _ call: () async throws -> Int) async throws {
    blackHole(try await call())
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 200_000
    )

    Benchmark("Direct call (baseline)", configuration: configuration) { benchmark in
        try await measure(benchmark) { try await trivialOperation() }
    }

    let timeout = Timeout(name: "bench", configuration: TimeoutConfiguration(duration: .seconds(30)))
    Benchmark("Timeout policy, operation finishes in time", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            try await timeout.execute(context: ResilienceContext()) { _ in try await trivialOperation() }
        }
    }

    let cooperative = Timeout(
        name: "bench", configuration: TimeoutConfiguration(duration: .seconds(30), enforcement: .cooperative))
    Benchmark("Timeout policy, cooperative, operation finishes in time", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            try await cooperative.execute(context: ResilienceContext()) { _ in try await trivialOperation() }
        }
    }

    Benchmark("Timeout policy, detached", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            try await timeout.executeDetached { _ in try await sendableOperation() }
        }
    }

    Benchmark("Task group, operation child only", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await sendableOperation() }
                return try await group.next()!
            }
        }
    }

    Benchmark("Task group, operation + sleeping timer child", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await sendableOperation() }
                group.addTask {
                    try? await ContinuousClock().sleep(for: .seconds(30))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first ?? 0
            }
        }
    }
}
