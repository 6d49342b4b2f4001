/// The logic of a ``CascadePreventor``, without locks or clocks: it takes `now` and returns decisions
/// and mode changes.
///
/// **Rules.**
/// - Outcomes of calls to any dependency of the group go into one rolling time window (as a circuit
///   breaker's: `samplingDuration` in `windowBuckets` buckets). Successes and failures count;
///   ignored outcomes do not.
/// - In `normal` mode every call is admitted. When a failure is recorded and the window holds at least
///   `minimumThroughput` calls of which the failures are at least `failureRatio`, the mode becomes
///   `fastFail` until `now + coolDown`, and the window is cleared.
/// - In `fastFail` mode a call below `minimumAdmittedPriority` is rejected (the rejection carries the
///   cool-down's remaining time); calls at or above it are admitted and their outcomes recorded.
/// - The first admission, record or query at or after the cool-down's end checks the window, which
///   then holds only what happened during the cool-down: with at least `minimumThroughput` calls and
///   the ratio still reached, fast-fail goes on until that instant + `coolDown` (the window is cleared
///   again); otherwise the mode is back to `normal`. Too few calls to tell counts as recovered: the
///   preventor never keeps a group in fast-fail without evidence.
/// - Rejections are never recorded: they are not the dependencies' outcomes.
@usableFromInline package struct CascadePreventorStateMachine: Sendable {
    /// Whether a call may go on.
    @usableFromInline package enum Decision: Sendable, Hashable {
        /// The call may go on.
        case admitted
        /// The call fails fast; the cool-down ends after `retryAfter`.
        case rejected(retryAfter: Duration)
    }

    let configuration: ValidatedCascadePreventorConfiguration
    var window: SlidingWindow
    /// The current mode.
    @usableFromInline package private(set) var mode: CascadeMode = .normal
    /// In fast-fail mode: when the cool-down ends, in attoseconds.
    var coolDownEnd: Int128 = 0
    var rejectedCalls = 0
    var fastFailCount = 0

    /// A machine in `normal` mode at offset zero (the window counts time from there).
    /// - Throws: ``ConfigurationError`` naming the invalid key.
    @usableFromInline package init(configuration: CascadePreventorConfiguration) throws(ConfigurationError) {
        self.init(validated: try ValidatedCascadePreventorConfiguration(configuration))
    }

    init(validated: ValidatedCascadePreventorConfiguration) {
        configuration = validated
        window = SlidingWindow(spanAttoseconds: validated.samplingAttoseconds, buckets: validated.raw.windowBuckets)
    }

    /// Decides whether a call of `priority` may go on at `now`.
    @usableFromInline package mutating func admit(priority: Priority, now: ClockOffset) -> (decision: Decision, change: CascadeModeChange?) {
        let elapsed = now.attoseconds
        let change = endCoolDownIfDue(at: elapsed)
        guard mode == .fastFail, priority < configuration.raw.minimumAdmittedPriority else {
            return (.admitted, change)
        }
        rejectedCalls += 1
        return (.rejected(retryAfter: Duration(attoseconds: coolDownEnd - elapsed)), change)
    }

    /// Records the outcome of an admitted call that ended at `now`.
    @usableFromInline package mutating func record(_ outcome: CallOutcome, now: ClockOffset) -> CascadeModeChange? {
        let elapsed = now.attoseconds
        let change = endCoolDownIfDue(at: elapsed)
        guard outcome != .ignored else { return change }
        window.record(failure: outcome == .failure, slow: false, now: elapsed)
        guard outcome == .failure, mode == .normal, rateIsReached(at: elapsed) != nil else { return change }
        let counts = startFastFail(at: elapsed)
        return CascadeModeChange(kind: .fastFailStarted, calls: counts.calls, failures: counts.failures)
    }

    /// The mode at `now`, ending a cool-down that is due.
    @usableFromInline package mutating func mode(now: ClockOffset) -> (mode: CascadeMode, change: CascadeModeChange?) {
        let change = endCoolDownIfDue(at: now.attoseconds)
        return (mode, change)
    }

    /// A snapshot at `now`, ending a cool-down that is due.
    @usableFromInline package mutating func stats(now: ClockOffset) -> (stats: CascadePreventorStats, change: CascadeModeChange?) {
        let elapsed = now.attoseconds
        let change = endCoolDownIfDue(at: elapsed)
        let counts = window.counts(now: elapsed)
        let stats = CascadePreventorStats(
            mode: mode, callsInWindow: counts.calls, failuresInWindow: counts.failures,
            rejectedCalls: rejectedCalls, fastFailCount: fastFailCount)
        return (stats, change)
    }

    // MARK: - Rules

    /// The window's counts when they reach the thresholds, or `nil`.
    mutating func rateIsReached(at elapsed: Int128) -> SlidingWindow.Counts? {
        let counts = window.counts(now: elapsed)
        guard counts.calls >= configuration.raw.minimumThroughput,
            configuration.failureRatio.isReached(by: counts.failures, of: counts.calls)
        else { return nil }
        return counts
    }

    /// Enters (or stays in) fast-fail for one cool-down from `elapsed`; returns the counts that caused it.
    mutating func startFastFail(at elapsed: Int128) -> SlidingWindow.Counts {
        let counts = window.counts(now: elapsed)
        if mode == .normal { fastFailCount += 1 }
        mode = .fastFail
        coolDownEnd = elapsed + configuration.coolDownAttoseconds
        window.clear(now: elapsed)
        return counts
    }

    /// At the first instant at or after a cool-down's end: extends fast-fail or recovers.
    mutating func endCoolDownIfDue(at elapsed: Int128) -> CascadeModeChange? {
        guard mode == .fastFail, elapsed >= coolDownEnd else { return nil }
        if rateIsReached(at: elapsed) != nil {
            let counts = startFastFail(at: elapsed)
            return CascadeModeChange(kind: .fastFailExtended, calls: counts.calls, failures: counts.failures)
        }
        let counts = window.counts(now: elapsed)
        mode = .normal
        return CascadeModeChange(kind: .recovered, calls: counts.calls, failures: counts.failures)
    }
}
