/// The whole logic of a circuit breaker, with no locks, no clock and no concurrency.
///
/// Every method takes the current instant `now` explicitly, as a ``ClockOffset`` (attoseconds since the
/// driver's origin: the shell's ``ClockReader``, the lab's zero; a time window's buckets are counted from
/// offset 0), and returns its decision together with the state transition it caused, if any. ``CircuitBreaker`` wraps it in a lock and reads the clock;
/// `resilience-lab` drives it in virtual time. The rules, all comparisons being "≥":
///
/// 1. **Closed** records every permitted call's outcome in the window unless it is ignored. A failure that
///    is also slow counts as both.
/// 2. After each recorded failure or slow call (never after a fast success): when the window holds at
///    least the minimum number of calls and the failure ratio or the slow-call ratio reaches its
///    threshold, the breaker **opens**.
/// 3. **Open** rejects with ``ResilienceError/Code/circuitOpen`` and a `retryAfter` of the time left.
///    Once the break has elapsed, the next acquire, outcome or state read moves it to **half-open**.
/// 4. **Half-open** admits at most `halfOpenPermittedCalls` probes per period and rejects the rest with
///    ``ResilienceError/Code/halfOpenFull``. With S = ceil(permitted × `halfOpenSuccessRatio`), it closes
///    once S probes succeeded and re-opens as soon as S can no longer be reached. A slow probe is a failed
///    probe; an ignored probe gives its slot back. After `halfOpenMaxDuration` without a decision it
///    re-opens. Each re-open from half-open multiplies the break by `breakDurationMultiplier`, up to
///    `maxBreakDuration`; closing resets it.
///
///    Time-driven transitions need no timer: they are applied by the first acquire, outcome or state read
///    at or after their due instant, and take effect as of that moment.
/// 5. Every permit carries the generation it was issued in. The generation changes on every state change
///    and on every ``reset(now:)``, ``forceOpen(now:)`` and ``forceClosed(now:)``. An outcome of an older
///    generation changes no state; it still shows in the lifetime outcome counters.
/// 6. The window is cleared on entering closed and half-open; while open it keeps the calls that tripped it.
/// 7. ``forceOpen(now:)`` rejects everything until another manual call; ``forceClosed(now:)`` admits and
///    records everything and never trips; ``reset(now:)`` closes with an empty window. A manual call
///    that leaves the state as it was reports no transition.
@usableFromInline
package struct CircuitBreakerStateMachine: Sendable {
    /// Proof that a call was admitted, to be handed back with its outcome.
    @usableFromInline package struct Permit: Sendable, Hashable {
        /// The generation the permit was issued in.
        @usableFromInline package let generation: UInt32

        @inlinable
        init(generation: UInt32) { self.generation = generation }
    }

    /// Where successes of the current generation land in the window, for a shell that counts them
    /// without its lock and hands them over later with ``recordSuccesses(_:in:)``. See ``successBatch``.
    @usableFromInline package struct SuccessBatch: Sendable, Hashable {
        /// The generation whose permits the successes belong to.
        @usableFromInline package let generation: UInt32
        /// A time window's newest bucket (0 for a count window).
        @usableFromInline package let bucket: Int128
        /// A time window's newest bucket ends this long after offset 0; a
        /// success recorded at or after this instant belongs to a later bucket. `nil` for a count window.
        @usableFromInline package let bucketEnd: Duration?

        @usableFromInline
        init(generation: UInt32, bucket: Int128, bucketEnd: Duration?) {
            self.generation = generation
            self.bucket = bucket
            self.bucketEnd = bucketEnd
        }
    }

    /// Whether a call may go ahead.
    @usableFromInline package enum Decision: Sendable, Hashable {
        /// Go ahead; report the outcome with this permit.
        case permitted(Permit)
        /// Rejected with `code`, and how long until trying again makes sense, when known.
        case rejected(ResilienceError.Code, retryAfter: Duration?)
    }

    /// The result of ``recordWithoutTime(_:of:)``.
    @usableFromInline package enum TimelessRecord: Sendable, Hashable {
        /// The outcome was recorded; nothing more to do.
        case recorded
        /// Recording this outcome needs the current instant: call ``record(_:of:duration:now:)``.
        case needsTime
    }

    @usableFromInline
    struct ProbeTally: Sendable, Hashable {
        @usableFromInline var admitted = 0
        @usableFromInline var succeeded = 0
        @usableFromInline var failed = 0
        @inlinable init() {}
    }

    @usableFromInline
    enum Phase: Sendable {
        case closed
        case open(until: Int128)
        case halfOpen(ProbeTally)
        case forcedOpen
        case forcedClosed
    }

    @usableFromInline var settings: ValidatedCircuitBreakerConfiguration
    @usableFromInline var phase: Phase = .closed
    @usableFromInline var window: SlidingWindow
    /// When the current state was entered, as attoseconds (an offset).
    @usableFromInline var stateEnteredAt: Int128 = 0
    /// How long the breaker stayed in `open` the last time it left it, in attoseconds, until taken by
    /// ``takeOpenPeriod()``: from the trip to the end of the break, or to the manual change that ended
    /// it earlier (a half-open state noticed late does not count the wait for the next call).
    @usableFromInline var lastOpenPeriod: Int128?
    /// The break an open breaker serves (or will serve after its next trip), in attoseconds.
    @usableFromInline var currentBreak: Int128

    /// The current generation; see rule 5. It wraps around after 2³² changes, so that a shell can
    /// publish it in one atomic word together with other facts.
    @usableFromInline package private(set) var generation: UInt32 = 0

    // Lifetime counters, stale outcomes included.
    @usableFromInline var successfulCalls = 0
    @usableFromInline var failedCalls = 0
    @usableFromInline var ignoredCalls = 0
    @usableFromInline var slowCalls = 0
    @usableFromInline var rejectedCalls = 0

    /// The configuration the machine runs with.
    @usableFromInline package var configuration: CircuitBreakerConfiguration { settings.raw }

    /// Creates a closed breaker at offset zero; a time window's buckets are counted from there.
    /// - Throws: ``ConfigurationError`` when `configuration` is invalid.
    @usableFromInline package init(configuration: CircuitBreakerConfiguration) throws(ConfigurationError) {
        self.init(validated: try ValidatedCircuitBreakerConfiguration(configuration))
    }

    /// Creates a closed breaker from a configuration that already passed validation.
    init(validated: ValidatedCircuitBreakerConfiguration) {
        settings = validated
        window = Self.emptyWindow(validated)
        currentBreak = validated.breakAttoseconds
    }

    /// An empty window of the shape `validated` configures.
    static func emptyWindow(_ validated: ValidatedCircuitBreakerConfiguration) -> SlidingWindow {
        switch validated.raw.window {
        case .count: SlidingWindow(size: validated.raw.windowSize)
        case .time: SlidingWindow(spanAttoseconds: validated.samplingAttoseconds, buckets: validated.raw.windowBuckets)
        }
    }

    // MARK: - Reconfiguring

    /// Runs with `configuration` from `now` on, keeping the breaker's state (a hot reload; the public
    /// `CircuitBreaker.reconfigure(_:)` documents the same rules for users). After any
    /// time-driven transition due at `now`:
    /// - **The state stays**: an open breaker stays open until the end of the break it is serving (a new
    ///   `breakDuration` applies from its next trip); a forced state stays forced. Permits already
    ///   issued stay valid: the generation does not change.
    /// - **The window keeps its calls where the shapes allow**: a count window keeps its newest
    ///   `windowSize` calls (all of them when it grows); a time window whose `samplingDuration` or
    ///   `windowBuckets` change re-counts each live bucket's calls as if they had happened at the
    ///   instant that bucket started, so a call leaves the window no later than it would have (possibly
    ///   earlier, by less than one old bucket plus one new bucket), and calls older than the new
    ///   `samplingDuration` are dropped; a change of `window` (count ↔ time) starts an empty window,
    ///   since a count window does not know when its calls happened nor a time window their order.
    ///   Calls keep the failure and slow marks they were recorded with.
    /// - **New thresholds apply from the next event**: in closed state, `minimumThroughput`,
    ///   `failureRatio` and `slowCallRatio` are checked at the next recorded failure or slow call, as
    ///   always (reconfiguring never trips a breaker by itself). In half-open state the probes
    ///   decided so far are checked at once against the new `halfOpenPermittedCalls` and
    ///   `halfOpenSuccessRatio`, since no further probe may come to decide them: the breaker closes or
    ///   re-opens here when they already decide it. `halfOpenMaxDuration` counts from when half-open
    ///   was entered.
    /// - **The growing break** is kept within the new bounds: at least `breakDuration`, at most
    ///   `maxBreakDuration`; in closed state it is the new `breakDuration`.
    ///
    /// Returns the transitions: a due one first, then one the half-open check caused.
    @usableFromInline package mutating func reconfigure(
        _ configuration: CircuitBreakerConfiguration, now: ClockOffset
    ) throws(ConfigurationError) -> [CircuitTransition] {
        let validated = try ValidatedCircuitBreakerConfiguration(configuration)
        return reconfigure(validated: validated, now: now)
    }

    /// ``reconfigure(_:now:)`` with a configuration that already passed validation.
    mutating func reconfigure(validated: ValidatedCircuitBreakerConfiguration, now offset: ClockOffset) -> [CircuitTransition] {
        let now = offset.attoseconds
        var transitions: [CircuitTransition] = []
        if let due = applyDueTransition(now: now) { transitions.append(due) }
        let old = settings.raw
        let new = validated.raw
        settings = validated
        let sameShape = old.window == new.window
            && (new.window == .count ? old.windowSize == new.windowSize
                : old.samplingDuration == new.samplingDuration && old.windowBuckets == new.windowBuckets)
        if !sameShape { window = window.carried(into: Self.emptyWindow(validated), now: now) }
        switch phase {
        case .closed, .forcedClosed:
            currentBreak = validated.breakAttoseconds
        case .open, .halfOpen, .forcedOpen:
            currentBreak = min(max(currentBreak, validated.breakAttoseconds), validated.maxBreakAttoseconds)
        }
        if case .halfOpen(let tally) = phase {
            let needed = validated.probeSuccessThreshold
            if tally.succeeded >= needed {
                transitions.append(close(now: now, from: .halfOpen, reason: .probesSucceeded))
            } else if tally.failed > new.halfOpenPermittedCalls - needed {
                transitions.append(reopenFromHalfOpen(now: now, reason: .probesFailed))
            }
        }
        return transitions
    }

    // MARK: - Admission

    /// The permit a call gets in a state whose admission does not depend on time (closed and forced
    /// closed), without changing anything; `nil` in every other state, where ``acquire(now:)`` is needed.
    ///
    /// Admission in these states changes nothing, so a shell may publish this value (e.g. in an atomic)
    /// and admit calls without taking its lock.
    @inlinable
    package var timeIndependentPermit: Permit? {
        admitsWithoutTime ? Permit(generation: generation) : nil
    }

    /// Decides whether a call may go ahead at `now`, after applying any time-driven transition due.
    @inlinable
    package mutating func acquire(now: ClockOffset) -> (decision: Decision, transition: CircuitTransition?) {
        if let permit = timeIndependentPermit { return (.permitted(permit), nil) }
        let now = now.attoseconds
        let transition = applyDueTransition(now: now)
        switch phase {
        case .closed, .forcedClosed:
            return (.permitted(Permit(generation: generation)), transition)
        case .open(let until):
            rejectedCalls += 1
            return (.rejected(.circuitOpen, retryAfter: Duration(attoseconds: until - now)), transition)
        case .halfOpen(var tally):
            guard tally.admitted < settings.raw.halfOpenPermittedCalls else {
                rejectedCalls += 1
                return (.rejected(.halfOpenFull, retryAfter: nil), transition)
            }
            tally.admitted += 1
            phase = .halfOpen(tally)
            return (.permitted(Permit(generation: generation)), transition)
        case .forcedOpen:
            rejectedCalls += 1
            return (.rejected(.circuitOpen, retryAfter: nil), transition)
        }
    }

    // MARK: - Outcomes

    /// Records the outcome of a call admitted with `permit`, which lasted `duration` and ended at `now`.
    ///
    /// `duration` is only used for slow-call detection. Returns the transition the outcome (or a
    /// time-driven transition due at `now`) caused.
    @inlinable
    package mutating func record(
        _ outcome: CallOutcome, of permit: Permit, duration: Duration, now: ClockOffset
    ) -> CircuitTransition? {
        let slow = outcome != .ignored && isSlow(duration)
        countLifetime(outcome, slow: slow)
        // Closed and forced closed have no time-driven transition: a call of the current generation
        // needs the time only for a time window or to trip.
        if permit.generation == generation && admitsWithoutTime {
            guard recordInClosedState(outcome, slow: slow, now: window.isTimeBased ? now.attoseconds : nil)
            else { return nil }
            return tripIfThresholdReached(now: now.attoseconds)
        }
        let now = now.attoseconds
        let due = applyDueTransition(now: now)
        guard permit.generation == generation else { return due }
        switch phase {
        case .closed, .forcedClosed:
            guard recordInClosedState(outcome, slow: slow, now: now) else { return nil }
            return tripIfThresholdReached(now: now)
        case .halfOpen(var tally):
            if outcome == .ignored {
                tally.admitted -= 1
                phase = .halfOpen(tally)
                return nil
            }
            window.record(failure: outcome == .failure, slow: slow, now: now)
            if outcome == .success && !slow { tally.succeeded += 1 } else { tally.failed += 1 }
            let needed = settings.probeSuccessThreshold
            if tally.succeeded >= needed {
                return close(now: now, from: .halfOpen, reason: .probesSucceeded)
            }
            if tally.failed > settings.raw.halfOpenPermittedCalls - needed {
                return reopenFromHalfOpen(now: now, reason: .probesFailed)
            }
            phase = .halfOpen(tally)
            return nil
        case .open, .forcedOpen:
            // No permit of the current generation exists in these states.
            return nil
        }
    }

    /// Records an outcome without the current instant when that gives exactly the same result as
    /// ``record(_:of:duration:now:)``: a success or ignored outcome of the current generation, in closed
    /// or forced-closed state, with a count window and slow-call detection off. Otherwise changes nothing
    /// and returns ``TimelessRecord/needsTime``.
    ///
    /// Reading a clock costs more than everything else a closed breaker does per call, so a shell tries
    /// this first.
    @inlinable
    package mutating func recordWithoutTime(_ outcome: CallOutcome, of permit: Permit) -> TimelessRecord {
        guard outcome != .failure, permit.generation == generation, admitsWithoutTime,
              settings.raw.slowCallDuration == nil, !window.isTimeBased
        else { return .needsTime }
        countLifetime(outcome, slow: false)
        _ = recordInClosedState(outcome, slow: false, now: nil)  // a success never trips
        return .recorded
    }

    /// Where a success of the current generation would be recorded, when it would only be counted: in
    /// closed and forced-closed state (where a success never trips). `nil` in every other state.
    ///
    /// A shell may publish this value and count successes of `generation` that end before `bucketEnd`
    /// without its lock, then hand them over with ``recordSuccesses(_:in:)`` before anything else touches
    /// the machine. The result is exactly that of recording each one with ``record(_:of:duration:now:)``.
    @inlinable
    package var successBatch: SuccessBatch? {
        guard admitsWithoutTime else { return nil }
        guard window.isTimeBased else { return SuccessBatch(generation: generation, bucket: 0, bucketEnd: nil) }
        return SuccessBatch(
            generation: generation, bucket: window.newestBucket,
            bucketEnd: Duration(attoseconds: window.newestBucketEnd))
    }

    /// Records `count` successful, not slow, calls counted for `batch` (a value ``successBatch`` had).
    ///
    /// Successes of an older generation change nothing but the lifetime counters (rule 5). In a time
    /// window, successes of a bucket that is no longer the newest land in the newest bucket, as a late
    /// ``record(_:of:duration:now:)`` would.
    @usableFromInline package mutating func recordSuccesses(_ count: Int, in batch: SuccessBatch) {
        precondition(count >= 0, "recordSuccesses: count must not be negative, got \(count)")
        successfulCalls += count
        guard batch.generation == generation, admitsWithoutTime else { return }
        window.recordSuccesses(count)
    }

    /// Rule 1 in closed and forced-closed state, for an outcome of the current generation; returns
    /// whether rule 2's trip condition must now be evaluated. `now` may be `nil` for a count window,
    /// which ignores time.
    @inlinable @inline(__always)
    mutating func recordInClosedState(_ outcome: CallOutcome, slow: Bool, now: Int128?) -> Bool {
        guard outcome != .ignored else { return false }
        let failure = outcome == .failure
        if let now {
            window.record(failure: failure, slow: slow, now: now)
        } else {
            window.recordInCountMode(failure: failure, slow: slow)
        }
        guard case .closed = phase else { return false }
        return failure || slow
    }

    /// Whether the state admits calls without looking at the time (closed and forced closed).
    @inlinable
    var admitsWithoutTime: Bool {
        switch phase {
        case .closed, .forcedClosed: true
        case .open, .halfOpen, .forcedOpen: false
        }
    }

    // MARK: - Reading

    /// The state at `now`, after applying any time-driven transition due (nobody observes a stale open).
    @inlinable
    package mutating func state(now: ClockOffset) -> (state: CircuitState, transition: CircuitTransition?) {
        let now = now.attoseconds
        let transition = applyDueTransition(now: now)
        return (currentState, transition)
    }

    /// The failure ratio and the slow-call ratio of the window at `now` (0 for an empty window).
    package mutating func windowRatios(now: ClockOffset) -> (failure: Double, slowCall: Double) {
        let counts = window.counts(now: now.attoseconds)
        guard counts.calls > 0 else { return (0, 0) }
        return (Double(counts.failures) / Double(counts.calls), Double(counts.slowCalls) / Double(counts.calls))
    }

    /// A snapshot of the breaker at `now`, after applying any time-driven transition due.
    @usableFromInline package mutating func stats(now: ClockOffset) -> (stats: CircuitBreakerStats, transition: CircuitTransition?) {
        let now = now.attoseconds
        let transition = applyDueTransition(now: now)
        let counts = window.counts(now: now)
        var tally = ProbeTally()
        var retryAfter: Duration?
        switch phase {
        case .halfOpen(let current): tally = current
        case .open(let until): retryAfter = Duration(attoseconds: until - now)
        case .closed, .forcedOpen, .forcedClosed: break
        }
        let stats = CircuitBreakerStats(
            state: currentState,
            windowCalls: counts.calls,
            windowFailures: counts.failures,
            windowSlowCalls: counts.slowCalls,
            successfulCalls: successfulCalls,
            failedCalls: failedCalls,
            ignoredCalls: ignoredCalls,
            slowCalls: slowCalls,
            rejectedCalls: rejectedCalls,
            timeInState: Duration(attoseconds: max(0, now - stateEnteredAt)),
            currentBreakDuration: Duration(attoseconds: currentBreak),
            retryAfter: retryAfter,
            probesAdmitted: tally.admitted,
            probesSucceeded: tally.succeeded,
            probesFailed: tally.failed
        )
        return (stats, transition)
    }

    // MARK: - Manual control

    /// Opens the breaker until the next manual call: every call is rejected with `circuitOpen` and no
    /// `retryAfter`. Returns the transitions, including a time-driven one that was due first.
    @usableFromInline package mutating func forceOpen(now: ClockOffset) -> [CircuitTransition] {
        manual(now: now.attoseconds, to: .forcedOpen, reason: .forcedOpen) { _ in }
    }

    /// Closes the breaker until the next manual call: every call is admitted and recorded in the window,
    /// and it never trips. The growing break is reset.
    @usableFromInline package mutating func forceClosed(now: ClockOffset) -> [CircuitTransition] {
        manual(now: now.attoseconds, to: .forcedClosed, reason: .forcedClosed) { machine in
            machine.currentBreak = machine.settings.breakAttoseconds
        }
    }

    /// Returns to closed with an empty window and the initial break duration.
    @usableFromInline package mutating func reset(now: ClockOffset) -> [CircuitTransition] {
        let now = now.attoseconds
        return manual(now: now, to: .closed, reason: .reset) { machine in
            machine.currentBreak = machine.settings.breakAttoseconds
            machine.window.clear(now: now)
        }
    }

    // MARK: - Internals

    /// The state of the current phase, as stored (without applying due transitions).
    @inlinable
    var currentState: CircuitState {
        switch phase {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        case .forcedOpen: .forcedOpen
        case .forcedClosed: .forcedClosed
        }
    }

    @inlinable
    func isSlow(_ duration: Duration) -> Bool {
        guard let threshold = settings.raw.slowCallDuration else { return false }
        return duration >= threshold
    }

    @inlinable @inline(__always)
    mutating func countLifetime(_ outcome: CallOutcome, slow: Bool) {
        switch outcome {
        case .success: successfulCalls += 1
        case .failure: failedCalls += 1
        case .ignored: ignoredCalls += 1
        }
        if slow { slowCalls += 1 }
    }

    /// Applies the time-driven transition due at `now`, if any: open → half-open once the break has
    /// elapsed; half-open → open once `halfOpenMaxDuration` has elapsed.
    @inlinable
    mutating func applyDueTransition(now: Int128) -> CircuitTransition? {
        switch phase {
        case .open(let until) where now >= until:
            return enterHalfOpen(now: now)
        case .halfOpen:
            guard let limit = settings.halfOpenMaxAttoseconds, now >= stateEnteredAt &+ limit
            else { return nil }
            return reopenFromHalfOpen(now: now, reason: .halfOpenTimedOut)
        case .closed, .open, .forcedOpen, .forcedClosed:
            return nil
        }
    }

    @inlinable
    mutating func tripIfThresholdReached(now: Int128) -> CircuitTransition? {
        let counts = window.counts(now: now)
        guard counts.calls >= settings.minimumCalls else { return nil }
        let reason: CircuitTransitionReason
        if settings.failureRatio.isReached(by: counts.failures, of: counts.calls) {
            reason = .failureRatioReached
        } else if settings.raw.slowCallDuration != nil,
                  settings.slowCallRatio.isReached(by: counts.slowCalls, of: counts.calls) {
            reason = .slowCallRatioReached
        } else {
            return nil
        }
        currentBreak = settings.breakAttoseconds
        return enter(.open(until: now &+ currentBreak), now: now, from: .closed, reason: reason)
    }

    @usableFromInline
    mutating func enterHalfOpen(now: Int128) -> CircuitTransition {
        noteLeavingOpen(now: now)
        window.clear(now: now)
        return enter(.halfOpen(ProbeTally()), now: now, from: .open, reason: .breakElapsed)
    }

    @usableFromInline
    mutating func reopenFromHalfOpen(now: Int128, reason: CircuitTransitionReason) -> CircuitTransition {
        let grown = Double(currentBreak) * settings.raw.breakDurationMultiplier
        let cap = settings.maxBreakAttoseconds
        currentBreak = grown >= Double(cap) ? cap : min(Int128(grown), cap)
        return enter(.open(until: now &+ currentBreak), now: now, from: .halfOpen, reason: reason)
    }

    @usableFromInline
    mutating func close(now: Int128, from: CircuitState, reason: CircuitTransitionReason) -> CircuitTransition {
        currentBreak = settings.breakAttoseconds
        window.clear(now: now)
        return enter(.closed, now: now, from: from, reason: reason)
    }

    @usableFromInline
    mutating func enter(
        _ newPhase: Phase, now: Int128, from: CircuitState, reason: CircuitTransitionReason
    ) -> CircuitTransition {
        phase = newPhase
        generation &+= 1
        stateEnteredAt = now
        return CircuitTransition(from: from, to: currentState, reason: reason)
    }

    /// Keeps the open period that ends at `now`, if the breaker is open (see ``lastOpenPeriod``).
    mutating func noteLeavingOpen(now: Int128) {
        guard case .open(let until) = phase else { return }
        lastOpenPeriod = max(0, min(now, until) - stateEnteredAt)
    }

    /// The open period kept since the last call, once.
    package mutating func takeOpenPeriod() -> Duration? {
        defer { lastOpenPeriod = nil }
        return lastOpenPeriod.map { Duration(attoseconds: $0) }
    }

    mutating func manual(
        now: Int128, to target: Phase, reason: CircuitTransitionReason,
        _ adjust: (inout CircuitBreakerStateMachine) -> Void
    ) -> [CircuitTransition] {
        var transitions: [CircuitTransition] = []
        if let due = applyDueTransition(now: now) { transitions.append(due) }
        let before = currentState
        if case .open = target {} else { noteLeavingOpen(now: now) }
        phase = target
        generation &+= 1
        adjust(&self)
        if before != currentState {
            stateEnteredAt = now
            transitions.append(CircuitTransition(from: before, to: currentState, reason: reason))
        }
        return transitions
    }
}
