import Resilience
import Synchronization
import Testing

/// An error the tests inject.
struct Injected: Error, Equatable {}

/// An error the operation throws.
struct OperationFailure: Error, Equatable {}

/// Counts the calls that reached the operation, and remembers their numbers.
final class Reached: Sendable {
    private let calls = Mutex<[Int]>([])
    func record(_ call: Int) { calls.withLock { $0.append(call) } }
    var numbers: [Int] { calls.withLock { $0 } }
    var count: Int { numbers.count }
}

/// Waits until `clock` has `count` sleepers (a task reached its sleep), yielding in between; fails
/// the test when it takes more than 10,000 yields.
func waitForSleepers(_ clock: ManualClock, _ count: Int = 1) async {
    for _ in 0..<10_000 {
        if clock.sleeperCount >= count { return }
        await Task.yield()
    }
    Issue.record("no task started sleeping on the clock")
}

/// The numbers (from 1) of the calls among `1...calls` that `policy` injected into: those whose
/// operation did not run, or whose result was not the operation's.
func injectedCalls(_ policy: some ResiliencePolicy, calls: Int) async -> [Int] {
    var injected: [Int] = []
    for call in 1...calls {
        let value = try? await policy.execute(operationName: "test") { call }
        if value != call { injected.append(call) }
    }
    return injected
}

/// Checks that `error` is a `timedOut` of the policy `name`.
func expectTimedOut(by name: String, _ error: ResilienceError?, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(error?.code == .timedOut, sourceLocation: sourceLocation)
    #expect(error?.policyName == name, sourceLocation: sourceLocation)
}
