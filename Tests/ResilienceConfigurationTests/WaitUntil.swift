import Foundation
import Testing

/// Waits, polling every 10 ms, until `condition` holds; fails the test once `seconds` have passed
/// **and** it has polled at least `polls` times. The second bound matters when the whole suite runs:
/// CPU-bound simulation tests can hold both cooperative threads for tens of seconds on a loaded
/// 2-core machine, and then neither the provider's poll nor this loop runs; a wall-clock bound alone
/// failed such runs although the reload was merely waiting for a thread.
func waitUntil(seconds: Double = 60, polls: Int = 3_000, _ what: String, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    var count = 0
    while !condition() {
        guard Date() < deadline || count < polls else {
            Issue.record("timed out waiting until \(what) (\(count) polls)")
            return
        }
        count += 1
        try await Task.sleep(for: .milliseconds(10))
    }
}
