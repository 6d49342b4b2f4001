import Resilience
import Synchronization

/// One section's place in a ``ConfiguredPipeline``: the policy instance, created the first time a
/// configuration gives the section and kept for the pipeline's lifetime (so that its state survives
/// every reload), and whether the section is in the current configuration.
///
/// Read on every call without a lock: the instance is written once, before the slot is first
/// activated with a releasing store, and read only after an acquiring load has seen the slot active,
/// so a reader never sees a half-built instance. A section that a reload removes keeps its instance,
/// inactive: calls pass through it; a later reload that gives the section again reconfigures that
/// instance and activates it, so it resumes the state it had.
@usableFromInline
final class PolicySlot<Policy: AnyObject & Sendable>: Sendable {
    @usableFromInline let active = Atomic<Bool>(false)
    /// Set once, under the owner's lock, before the first activation; never changed after.
    @usableFromInline nonisolated(unsafe) var instance: Policy?

    init() {}

    /// The instance, when the section is in the current configuration.
    @inlinable
    var current: Policy? {
        active.load(ordering: .acquiring) ? instance : nil
    }

    /// The instance, active or not (for reconfiguring and reading); call under the owner's lock.
    var existing: Policy? { instance }

    /// Sets the instance; call under the owner's lock, once, before ``activate()``.
    func install(_ policy: Policy) {
        precondition(instance == nil, "PolicySlot.install: the slot already holds an instance")
        instance = policy
    }

    func activate() { active.store(true, ordering: .releasing) }

    func deactivate() { active.store(false, ordering: .releasing) }

}

extension PolicySlot where Policy: ResiliencePolicy {
    /// Runs `operation` through the instance when the section is configured, else as it is.
    @inlinable @inline(__always)
    nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        guard let policy = current else { return try await operation(context) }
        return try await policy.execute(context: context, operation)
    }
}
