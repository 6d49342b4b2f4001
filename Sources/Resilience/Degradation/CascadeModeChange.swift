/// Whether a ``CascadePreventor`` lets non-critical calls through.
public enum CascadeMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Every call is admitted; outcomes are watched.
    case normal
    /// Calls below the configured priority fail fast with ``ResilienceError/Code/loadShed``.
    case fastFail

    public var description: String { rawValue }
}

/// A change of a ``CascadePreventor``'s mode, with the window's counts that caused it.
public struct CascadeModeChange: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The group's error rate reached the threshold: fast-fail started.
        case fastFailStarted
        /// The cool-down ended with the rate still at or above the threshold: fast-fail goes on for
        /// another cool-down.
        case fastFailExtended
        /// The cool-down ended with the rate below the threshold (or too few calls to tell): back to
        /// normal.
        case recovered
    }

    /// What happened.
    public var kind: Kind
    /// Calls (successes and failures) in the window when the decision was made.
    public var calls: Int
    /// Failures among them.
    public var failures: Int

    /// Creates a change.
    public init(kind: Kind, calls: Int, failures: Int) {
        self.kind = kind
        self.calls = calls
        self.failures = failures
    }

    /// The mode after the change.
    public var mode: CascadeMode { kind == .recovered ? .normal : .fastFail }

    public var description: String { "\(kind.rawValue) (\(failures) failures of \(calls) calls)" }
}
