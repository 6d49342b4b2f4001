/// What a ``GracefulDegradation`` derives its level from: the states of the breakers and the modes of
/// the cascade preventors it watches, by name.
public struct DegradationSnapshot: Sendable, Hashable {
    /// The state of each watched circuit breaker.
    public var breakers: [String: CircuitState]
    /// The mode of each watched cascade preventor.
    public var cascades: [String: CascadeMode]

    /// Creates a snapshot.
    public init(breakers: [String: CircuitState] = [:], cascades: [String: CascadeMode] = [:]) {
        self.breakers = breakers
        self.cascades = cascades
    }

    /// Whether a breaker in `state` is keeping calls from its dependency: open, half-open (only probes
    /// pass) or forced open.
    public static func isRejecting(_ state: CircuitState) -> Bool {
        switch state {
        case .open, .halfOpen, .forcedOpen: true
        case .closed, .forcedClosed: false
        }
    }

    /// The number of watched breakers that are open, half-open or forced open.
    public var rejectingBreakerCount: Int {
        breakers.values.count(where: Self.isRejecting)
    }
}
