import Metrics
import Synchronization

/// A budget of retries shared by every retry policy that calls one downstream, against retry storms:
/// retries may be at most `ratio` of the recent first attempts plus `minPerSecond` (see
/// `RetryBudgetStateMachine` for the exact rule). A retry the budget denies is not made; the caller
/// gets the last outcome at once.
///
/// ```swift
/// let paymentsBudget = RetryBudget()                     // 20 % + 10/s over 10 s
/// let charge = Retry(name: "charge", budget: .shared(paymentsBudget))
/// let refund = Retry(name: "refund", budget: .shared(paymentsBudget))
/// ```
///
/// Cost: a first attempt is counted with one atomic increment, without lock or clock. Counted first
/// attempts enter the window the next time the budget takes its lock (a retry, or every 1,024 first
/// attempts), dated at the previous time it took its lock. A first attempt therefore never counts for
/// longer than it should; after a quiet spell without retries it may count for less, which only ever
/// makes the budget stricter.
public final class RetryBudget<C: Clock>: Sendable where C.Duration == Duration {
    struct State: ~Copyable {
        var machine: RetryBudgetStateMachine
        /// When the lock was last taken: the date given to pending first attempts.
        var lastSeen = ClockOffset.zero
    }

    /// First attempts between two hand-overs to the window, at most.
    @usableFromInline static var handOverInterval: Int { 1_024 }

    @usableFromInline let pendingFirstAttempts = Atomic<Int>(0)
    let state: Locked<State>
    let reader: ClockReader<C>
    /// `resilience_retry_budget_remaining{policy}`: the retries the budget would grant, recorded each time
    /// it takes its lock; `nil` without a metrics backend.
    let remainingGauge: Gauge?

    /// A budget allowing `ratio` retries per first attempt plus `minPerSecond` retries per second over
    /// a rolling `window`, on `clock`. `name` labels its gauge `resilience_retry_budget_remaining`
    /// (`policy` label), recorded through `metricsFactory` (by default the bootstrapped one).
    ///
    /// An invalid limit stops the process with a message naming `budgetRatio`, `budgetMinPerSecond` or
    /// `budgetWindow`: limits written in code must be valid (see ``ConfigurationError``).
    public convenience init(
        name: String = "retry-budget", ratio: Double = 0.2, minPerSecond: Double = 10, window: Duration = .seconds(10),
        clock: C = ContinuousClock(), metricsFactory: (any MetricsFactory)? = nil
    ) {
        let limits = ConfigurationError.required("RetryBudget") { () throws(ConfigurationError) in
            try RetryBudgetStateMachine.Limits(ratio: ratio, minPerSecond: minPerSecond, window: window)
        }
        self.init(
            name: name, limits: limits, clock: clock, sinks: TelemetrySinks(logger: nil, metricsFactory: metricsFactory))
    }

    init(name: String, limits: RetryBudgetStateMachine.Limits, clock: C, sinks: TelemetrySinks) {
        reader = ClockReader(clock: clock)
        let machine = RetryBudgetStateMachine(limits: limits)
        self.state = Locked(State(machine: machine))
        if sinks.recordsMetrics {
            let gauge = Gauge(label: "resilience_retry_budget_remaining", dimensions: [("policy", name)], factory: sinks.factory)
            var initial = machine
            gauge.record(initial.remainingRetries(now: .zero))
            remainingGauge = gauge
        } else {
            remainingGauge = nil
        }
    }

    /// Counts a first attempt (not a retry).
    @inlinable
    public func recordFirstAttempt() {
        let pending = pendingFirstAttempts.wrappingAdd(1, ordering: .relaxed).newValue
        if pending == Self.handOverInterval { withMachine { _, _ in } }
    }

    /// Grants a retry if the budget allows one now, and counts it.
    public func tryRetry() -> Bool {
        withMachine { machine, now in machine.tryRetry(now: now) }
    }

    /// The retries the budget would grant now.
    public var remainingRetries: Int {
        withMachine { machine, now in machine.remainingRetries(now: now) }
    }

    /// Runs with new limits from now on (a hot reload): the first attempts and retries already counted
    /// stay counted. A new `window` re-counts each bucket's events as if they had happened when their
    /// bucket started: an event leaves the window no later than it would have, and events older than
    /// the new window are dropped. The new `ratio` and floor decide the next retry.
    /// - Throws: ``ConfigurationError`` naming `budgetRatio`, `budgetMinPerSecond` or `budgetWindow`;
    ///   the budget is then unchanged.
    public func reconfigure(ratio: Double, minPerSecond: Double, window: Duration) throws(ConfigurationError) {
        let limits = try RetryBudgetStateMachine.Limits(ratio: ratio, minPerSecond: minPerSecond, window: window)
        withMachine { machine, now in machine.reconfigure(limits, now: now) }
    }

    /// ``reconfigure(ratio:minPerSecond:window:)`` with limits that already passed validation.
    func reconfigure(_ limits: RetryBudgetStateMachine.Limits) {
        withMachine { machine, now in machine.reconfigure(limits, now: now) }
    }

    /// Hands the pending first attempts to the state machine, then runs `body` at the current time.
    @usableFromInline
    func withMachine<Value>(_ body: (inout RetryBudgetStateMachine, ClockOffset) -> Value) -> Value {
        let now = reader.offsetNow
        return state.withLock { state in
            let pending = pendingFirstAttempts.exchange(0, ordering: .relaxed)
            state.machine.recordFirstAttempts(pending, now: state.lastSeen)
            state.lastSeen = max(state.lastSeen, now)
            let value = body(&state.machine, state.lastSeen)
            remainingGauge?.record(state.machine.remainingRetries(now: state.lastSeen))
            return value
        }
    }
}
