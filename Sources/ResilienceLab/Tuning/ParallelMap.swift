import Dispatch

/// Runs independent jobs on every core and returns their results by job index, so the output does
/// not depend on which thread ran what, or when.
enum ParallelMap {
    /// `[body(0), body(1), …, body(count − 1)]`, computed concurrently (`DispatchQueue.concurrentPerform`).
    static func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 0 else { return [] }
        let slots = Slots<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            slots.store(body(index), at: index)
        }
        // concurrentPerform returns after every iteration has finished: their writes happen before this.
        return slots.take()
    }

    /// One slot per job; job `i` writes slot `i` only, exactly once, so no two threads touch the same
    /// memory and no lock is needed (the barrier is `concurrentPerform`'s return).
    private final class Slots<Value>: @unchecked Sendable {
        private let storage: UnsafeMutablePointer<Value?>
        private let count: Int

        init(count: Int) {
            self.count = count
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil, count: count)
        }

        func store(_ value: Value, at index: Int) {
            precondition((0..<count).contains(index))
            storage[index] = value
        }

        func take() -> [Value] {
            (0..<count).map { index in
                guard let value = storage[index] else { preconditionFailure("job \(index) produced no result") }
                return value
            }
        }

        deinit {
            storage.deinitialize(count: count)
            storage.deallocate()
        }
    }
}
