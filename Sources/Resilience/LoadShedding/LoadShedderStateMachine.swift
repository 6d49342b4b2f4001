/// The logic of a load shedder, with no locks, no clock and no I/O: which calls to admit, by priority,
/// and an exact count of the calls in flight.
///
/// Rules, for a call of priority `p`:
/// 1. ``Priority/critical`` is always admitted (and counted in flight).
/// 2. Otherwise the signals are checked in this order, and the first one at or above `p`'s threshold
///    sheds the call with that ``LoadShedReason``: the in-flight count (before admitting this call, all
///    priorities counted), the queue depth, then each pressure signal in ``pressureSignalNames`` order.
///    A signal without thresholds, without a threshold for `p`, or with an unknown (`nil`) reading
///    sheds nothing.
/// 3. Otherwise the call is admitted; ``release(_:)`` must be called exactly once per admitted call.
///
/// Because thresholds are monotone (`low ≤ normal ≤ high`, checked by the configuration), a rising
/// signal sheds `low` first, then `normal`, then `high`; with an in-flight threshold of `L` for `p`,
/// `p` is admitted only while fewer than `L` calls are in flight, so the room between the thresholds
/// of two priorities is reserved for the higher one.
///
/// Nothing here depends on time, so no method takes an instant: a simulation drives it by calling
/// ``admit(priority:signals:)`` and ``release(_:)`` in event order with the readings of the moment.
///
/// The retry hint of a shed call: `retryAfter` of the configuration for the in-flight count and the
/// queue depth; for a pressure signal, the larger of `retryAfter` and the signal's refresh interval
/// (the reading cannot change before the next sample).
@usableFromInline package struct LoadShedderStateMachine: Sendable {
    /// An admitted call, to give back to ``release(_:)``.
    @usableFromInline package typealias Permit = LoadShedPermit

    /// What ``admit(priority:signals:)`` decided.
    @usableFromInline package enum Decision: Sendable, Hashable {
        /// The call may run; release the permit when it ends, however it ends.
        case admitted(Permit)
        /// The call is dropped because of `reason`; the caller may try again after `retryAfter`.
        case shed(LoadShedReason, retryAfter: Duration?)
    }

    /// The validated configuration.
    @usableFromInline package private(set) var configuration: LoadShedderConfiguration
    /// The pressure signals with thresholds, in the order they are checked (sorted by name).
    @usableFromInline package let pressureSignalNames: [String]

    /// In-flight thresholds of low, normal, high; `Int.max` for none.
    @usableFromInline let inFlightLimits: [Int]
    /// Queue-depth thresholds of low, normal, high (`+∞` for none), or empty when there are none.
    @usableFromInline let queueDepthLimits: [Double]
    /// Pressure thresholds, three per signal (low, normal, high) in `pressureSignalNames` order; `+∞`
    /// for none.
    @usableFromInline let pressureLimits: [Double]
    @usableFromInline let pressureReasons: [LoadShedReason]

    /// Calls in flight, indexed by priority rank.
    @usableFromInline var inFlightByRank: [Int] = [0, 0, 0, 0]
    /// All calls in flight.
    @usableFromInline var inFlightTotal = 0
    /// Calls admitted since creation, by rank.
    @usableFromInline var admittedByRank: [Int] = [0, 0, 0, 0]
    /// Calls shed since creation, indexed `reasonIndex × 3 + rank`; reason 0 is the in-flight count,
    /// 1 the queue depth, 2 + i pressure signal i.
    @usableFromInline var shedCounts: [Int]

    /// A state machine with nothing in flight.
    /// - Throws: ``ConfigurationError`` when the configuration does not validate.
    @usableFromInline package init(configuration: LoadShedderConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        let names = configuration.pressureSignalNames
        self.pressureSignalNames = names
        let sheddable: [Priority] = [.low, .normal, .high]
        inFlightLimits = sheddable.map { configuration.inFlight?[$0] ?? .max }
        queueDepthLimits = configuration.queueDepth.map { limits in
            sheddable.map { limits[$0].map(Double.init) ?? .infinity }
        } ?? []
        pressureLimits = names.flatMap { name in
            sheddable.map { configuration.pressure[name]![$0] ?? .infinity }
        }
        pressureReasons = names.map(LoadShedReason.pressure)
        shedCounts = Array(repeating: 0, count: (2 + names.count) * 3)
    }

    /// Runs with `configuration` from now on (a hot reload): the calls in flight stay counted, by
    /// priority, and the lifetime counts go on; the new thresholds decide the next admission (calls
    /// already above a lowered threshold finish; new calls of that priority are shed until the count
    /// drops below it). The signals must stay the same: the same pressure signal names, and queue-depth
    /// thresholds exactly when there were some (the gauges behind them are the shell's).
    /// - Throws: ``ConfigurationError`` naming the invalid key, or `queueDepth` / `pressure` when the
    ///   signals differ; nothing changes then.
    @usableFromInline package mutating func reconfigure(_ configuration: LoadShedderConfiguration) throws(ConfigurationError) {
        var next = try LoadShedderStateMachine(configuration: configuration)
        try ConfigurationError.check(
            next.pressureSignalNames == pressureSignalNames, "pressure", next.pressureSignalNames.joined(separator: ", "),
            "the same signals as before (\(pressureSignalNames.joined(separator: ", "))): the gauges cannot change")
        try ConfigurationError.check(
            (configuration.queueDepth == nil) == queueDepthLimits.isEmpty, "queueDepth",
            configuration.queueDepth == nil ? "no thresholds" : "thresholds",
            queueDepthLimits.isEmpty ? "none: there is no queue depth gauge" : "thresholds: the queue depth gauge stays")
        next.inFlightByRank = inFlightByRank
        next.inFlightTotal = inFlightTotal
        next.admittedByRank = admittedByRank
        next.shedCounts = shedCounts
        self = next
    }

    /// Admits a call of `priority` or sheds it, according to the readings in `signals`.
    @inlinable
    package mutating func admit(priority: Priority, signals: some LoadShedSignalSource) -> Decision {
        let rank = priority.rank
        if rank < 3 {
            if let shed = firstExceeded(rank: rank, signals: signals) {
                shedCounts[shed.index * 3 + rank] += 1
                return .shed(shed.reason, retryAfter: shed.retryAfter)
            }
        }
        inFlightByRank[rank] += 1
        inFlightTotal += 1
        admittedByRank[rank] += 1
        return .admitted(Permit(priority: priority))
    }

    /// The first signal at or above the threshold of `rank` (0...2).
    @inlinable
    func firstExceeded(
        rank: Int, signals: some LoadShedSignalSource
    ) -> (index: Int, reason: LoadShedReason, retryAfter: Duration?)? {
        if inFlightTotal >= inFlightLimits[rank] {
            return (0, .inFlight, configuration.retryAfter)
        }
        if !queueDepthLimits.isEmpty, let depth = signals.queueDepth, depth >= queueDepthLimits[rank] {
            return (1, .queueDepth, configuration.retryAfter)
        }
        for index in pressureSignalNames.indices {
            let limit = pressureLimits[index * 3 + rank]
            guard limit.isFinite else { continue }
            let name = pressureSignalNames[index]
            if let reading = signals.pressure(ofSignal: index, named: name), reading >= limit {
                return (2 + index, pressureReasons[index], pressureRetryAfter(signals.refreshInterval(ofSignal: index, named: name)))
            }
        }
        return nil
    }

    /// The larger of the configured hint and the signal's refresh interval.
    @usableFromInline
    func pressureRetryAfter(_ refreshInterval: Duration?) -> Duration? {
        switch (configuration.retryAfter, refreshInterval) {
        case (let configured?, let refresh?): max(configured, refresh)
        case (let configured, nil): configured
        case (nil, let refresh): refresh
        }
    }

    /// Ends an admitted call, whatever its outcome.
    ///
    /// - Precondition: `permit` was returned by ``admit(priority:signals:)`` of this state machine and
    ///   not released yet (a release without a call in flight of that priority stops the program: it
    ///   would make the in-flight count wrong for good).
    @inlinable
    package mutating func release(_ permit: Permit) {
        let rank = permit.priority.rank
        precondition(
            inFlightByRank[rank] > 0,
            "LoadShedderStateMachine.release: no \(permit.priority) call is in flight; a permit was released twice")
        inFlightByRank[rank] -= 1
        inFlightTotal -= 1
    }

    /// The calls admitted and not yet released, all priorities.
    @usableFromInline package var inFlight: Int { inFlightTotal }

    /// The calls of `priority` admitted and not yet released.
    @usableFromInline package func inFlight(_ priority: Priority) -> Int { inFlightByRank[priority.rank] }

    /// A snapshot of the counts.
    @usableFromInline package var stats: LoadShedderStats {
        var inFlight: [Priority: Int] = [:]
        var admitted: [Priority: Int] = [:]
        var shed: [Priority: Int] = [:]
        var byReason: [LoadShedReason: Int] = [:]
        let reasons = [LoadShedReason.inFlight, .queueDepth] + pressureReasons
        for priority in Priority.allCases {
            inFlight[priority] = inFlightByRank[priority.rank]
            admitted[priority] = admittedByRank[priority.rank]
            shed[priority] = 0
        }
        for (reasonIndex, reason) in reasons.enumerated() {
            for priority in [Priority.low, .normal, .high] {
                let count = shedCounts[reasonIndex * 3 + priority.rank]
                shed[priority, default: 0] += count
                if count > 0 { byReason[reason, default: 0] += count }
            }
        }
        return LoadShedderStats(
            inFlight: inFlightTotal, inFlightByPriority: inFlight, admitted: admitted, shed: shed,
            shedByReason: byReason)
    }
}
