/// A policy whose state a ``GracefulDegradation`` watches: a circuit breaker or a cascade preventor.
public struct DegradationInput: Sendable {
    enum Kind: Sendable {
        case breaker(read: @Sendable () -> CircuitState)
        case cascade(read: @Sendable () -> CascadeMode)
    }

    /// The policy's name, as rules refer to it.
    public let name: String
    let kind: Kind
    /// Registers a callback for every change of the policy's state.
    let subscribe: @Sendable (@escaping @Sendable () -> Void) -> Void

    /// Watches `breaker`, under its name.
    public static func breaker<C>(_ breaker: CircuitBreaker<C>) -> DegradationInput {
        DegradationInput(name: breaker.name, kind: .breaker(read: { breaker.state })) { changed in
            // State changes only: the breaker keeps its lock-free fast path.
            breaker.addStateObserver { _ in changed() }
        }
    }

    /// Watches `preventor`, under its name.
    public static func cascade<C>(_ preventor: CascadePreventor<C>) -> DegradationInput {
        DegradationInput(name: preventor.name, kind: .cascade(read: { preventor.mode })) { changed in
            preventor.addObserver { event in
                if case .modeChanged = event { changed() }
            }
        }
    }
}
