import Synchronization
@testable import Resilience

/// Holds tasks until it is opened; tasks arriving after that pass straight through.
final class Gate: Sendable {
    private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let passNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if passNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Waits, yielding, until `condition` holds; fails the test after `maxYields` yields instead of hanging.
func eventually(
    maxYields: Int = 1_000_000, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
) async {
    for _ in 0..<maxYields {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("condition not reached", sourceLocation: sourceLocation)
}

import Testing
