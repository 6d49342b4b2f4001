import Synchronization

/// `resilience.enabled`, shared by every pipeline of one ``ResiliencePolicies``: read on every call
/// (a relaxed atomic load), changed by a reload or ``ResiliencePolicies/setEnabled(_:)``.
@usableFromInline
final class KillSwitch: Sendable {
    @usableFromInline let enabled: Atomic<Bool>

    init(enabled: Bool) {
        self.enabled = Atomic(enabled)
    }

    /// Whether the policies run (`false`: every configured pipeline is a pass-through).
    @inlinable
    var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    func set(_ isEnabled: Bool) { enabled.store(isEnabled, ordering: .relaxed) }
}
