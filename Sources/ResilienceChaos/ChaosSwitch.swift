import Synchronization

/// Whether chaos strategies inject anything: one switch, read on every call and changed at run time,
/// shared by every strategy it is given to.
///
/// ```swift
/// let staging = ChaosSwitch(false)                        // off until someone turns it on
/// let fault = ChaosFault(name: "payments", rate: 0.1, enabled: staging, error: PaymentsUnavailable())
/// let slow = ChaosLatency(name: "payments", rate: 0.2, enabled: staging, latency: .fixed(.milliseconds(500)))
/// staging.set(true)                                       // both inject from the next call on
/// ```
///
/// A strategy that is off costs one relaxed atomic load per call, draws no random number and touches
/// no telemetry. A boolean literal makes a switch of its own: `enabled: true` in a test.
///
/// Every chaos strategy takes its switch as a required argument: chaos is never on because a default
/// said so, and never silently off either. A configured `chaos` section owns its switch
/// (`ChaosInjection/enabled`), which a configuration reload flips; hand that switch to strategies
/// built in code (an injected outcome, a behaviour) to put them under the same `enabled` key.
public final class ChaosSwitch: Sendable, ExpressibleByBooleanLiteral, CustomStringConvertible {
    @usableFromInline let state: Atomic<Bool>

    /// A switch that is on when `isOn`.
    public init(_ isOn: Bool) {
        state = Atomic(isOn)
    }

    /// A switch of its own from a literal: `enabled: true`.
    public convenience init(booleanLiteral value: Bool) {
        self.init(value)
    }

    /// Whether the strategies given this switch inject now.
    @inlinable
    public var isOn: Bool { state.load(ordering: .relaxed) }

    /// Turns the switch on or off; strategies see the change at their next call (a call already past
    /// its decision keeps it).
    public func set(_ isOn: Bool) {
        state.store(isOn, ordering: .relaxed)
    }

    /// `on` or `off`.
    public var description: String { isOn ? "on" : "off" }
}
