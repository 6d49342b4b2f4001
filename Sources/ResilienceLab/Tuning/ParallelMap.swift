import Dispatch
import Resilience
import ResilienceConfiguration

/// Runs independent jobs on every core and returns their results by job index, so the output does
/// not depend on which thread ran what, or when.
enum ParallelMap {
    /// `[body(0), body(1), …, body(count − 1)]`, computed concurrently (`DispatchQueue.concurrentPerform`).
    ///
    /// Each job is a whole simulation run, so storing its result under a lock costs nothing that
    /// matters, and needs no unchecked sendability. The lock is `Locked`, not a plain `Mutex`, so that
    /// ThreadSanitizer sees the hand-over when two jobs finish at once.
    static func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 0 else { return [] }
        let slots = Locked([Result?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = body(index)
            slots.withLock { $0[index] = result }
        }
        return slots.withLock { slots in
            slots.enumerated().map { index, value in
                guard let value else { preconditionFailure("job \(index) produced no result") }
                return value
            }
        }
    }
}
