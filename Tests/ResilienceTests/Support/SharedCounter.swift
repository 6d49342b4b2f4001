import Synchronization

/// An integer shared between tasks.
final class SharedCounter: Sendable {
    private let atomic = Atomic<Int>(0)

    var value: Int { atomic.load(ordering: .sequentiallyConsistent) }

    @discardableResult
    func increment() -> Int { atomic.add(1, ordering: .sequentiallyConsistent).newValue }

    func decrement() { atomic.subtract(1, ordering: .sequentiallyConsistent) }

    /// Raises the value to `candidate` if it is larger.
    func raise(to candidate: Int) { atomic.max(candidate, ordering: .sequentiallyConsistent) }
}
