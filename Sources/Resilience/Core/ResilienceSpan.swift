import Synchronization
import Tracing

/// The span of the named pipeline's execution that the current task is running, and the span events
/// the policies add to it.
///
/// A named ``ResiliencePipeline`` (or a configured pipeline) with a tracer binds its span here for the
/// duration of a call; the policies inside add their decisions to it as events, from the task that
/// makes the decision (a rejection, a state change, a timeout...). Child tasks (hedged attempts, a
/// timeout's operation) inherit the binding. A policy used outside a traced pipeline adds nothing.
///
/// **Cost without tracing.** Until a pipeline with a tracer other than the no-op tracer has been
/// created in the process, ``isTracing`` is `false` and a policy does not even read the task-local:
/// one relaxed atomic load, no allocation (the benchmark rows of the breaker and the retry are gated
/// at 0 allocations).
@usableFromInline
package enum ResilienceSpan {
    /// The span of the pipeline execution running in this task, if a traced pipeline bound one.
    @TaskLocal package static var current: (any Span)?

    /// Set once, when the first pipeline with a real tracer is created.
    private static let anyPipelineTraces = Atomic<Bool>(false)

    /// Whether some pipeline of the process traces: when `false`, no span is ever bound.
    @inlinable
    package static var isTracing: Bool { tracingFlag() }

    @usableFromInline
    static func tracingFlag() -> Bool { anyPipelineTraces.load(ordering: .relaxed) }

    /// Records that a pipeline traces from now on.
    static func enable() { anyPipelineTraces.store(true, ordering: .relaxed) }

    /// Adds the event `name` to the current span, with `attributes` evaluated only when there is one.
    @inlinable
    package static func addEvent(_ name: @autoclosure () -> String, _ attributes: @autoclosure () -> SpanAttributes) {
        guard isTracing else { return }
        add(name(), attributes())
    }

    @usableFromInline
    static func add(_ name: String, _ attributes: SpanAttributes) {
        current?.addEvent(SpanEvent(name: name, attributes: attributes))
    }

    /// Adds the event for the end of an attempt of `policy` (`resilience.attempt`), and sets the span's
    /// `resilience.attempt` attribute to the attempt number.
    @inlinable
    package static func attemptEnded(policy: String, attempt: Int, outcome: @autoclosure () -> String) {
        guard isTracing else { return }
        addAttempt(policy: policy, attempt: attempt, outcome: outcome())
    }

    @usableFromInline
    static func addAttempt(policy: String, attempt: Int, outcome: String) {
        guard let span = current else { return }
        span.addEvent(SpanEvent(name: EventName.attempt, attributes: [
            AttributeKey.policy: .string(policy), AttributeKey.attempt: .int64(Int64(attempt)),
            AttributeKey.outcome: .string(outcome),
        ]))
        span.attributes[AttributeKey.attempt] = attempt
    }

    /// Adds the `resilience.rejection` event: `policy` rejects the current call with `code`. Called by
    /// the rejecting policy in the rejected call's task.
    @usableFromInline
    package static func rejected(policy: String, code: ResilienceError.Code) {
        guard isTracing else { return }
        add(EventName.rejection, [
            AttributeKey.policy: .string(policy), AttributeKey.rejection: .string(code.description),
        ])
    }

    /// Adds the `resilience.chaos` event: the chaos strategy `policy` injected `kind` (`fault`,
    /// `latency`, `outcome`, `behavior`) into the current call; `delay` is an injected latency's
    /// duration. Called by the strategy in the call's task.
    package static func chaosInjected(policy: String, kind: String, delay: Duration? = nil) {
        guard isTracing else { return }
        var attributes: SpanAttributes = [AttributeKey.policy: .string(policy), AttributeKey.kind: .string(kind)]
        if let delay { attributes[AttributeKey.delaySeconds] = delay.seconds }
        add(EventName.chaos, attributes)
    }

    /// The outcome of a call or an attempt that ended with `error`, as the `outcome` label and the
    /// `resilience.outcome` attribute show it: the rejection code of a ``ResilienceError``, `failure`
    /// for any other error (cancellation included).
    @usableFromInline
    package static func outcome(of error: any Error) -> String {
        (error as? ResilienceError)?.code.description ?? "failure"
    }

    /// The names of the span events the policies add.
    package enum EventName {
        /// An attempt ended (`resilience.policy`, `resilience.attempt`, `resilience.outcome`).
        package static let attempt = "resilience.attempt"
        /// A retry will run after a delay (`resilience.policy`, `resilience.attempt` of the next attempt,
        /// `resilience.delay_seconds`).
        package static let retryDelay = "resilience.retry_delay"
        /// A retry stopped retrying (`resilience.policy`, `resilience.reason`, `resilience.attempt`).
        package static let retryGaveUp = "resilience.retry_gave_up"
        /// A policy rejected the call (`resilience.policy`, `resilience.rejection`: the code).
        package static let rejection = "resilience.rejection"
        /// A breaker changed state during the call (`resilience.policy`, `resilience.from`, `resilience.to`).
        package static let stateChange = "resilience.state_change"
        /// A timeout elapsed (`resilience.policy`, `resilience.timeout_seconds`).
        package static let timeout = "resilience.timeout"
        /// A hedged attempt started (`resilience.policy`, `resilience.attempt`).
        package static let hedge = "resilience.hedge"
        /// A fallback handled the call (`resilience.policy`, `resilience.reason`: the cause,
        /// `resilience.outcome`: what it served).
        package static let fallback = "resilience.fallback"
        /// A chaos strategy injected its fault, latency, outcome or behaviour into the call
        /// (`resilience.policy`, `resilience.kind`; a latency also `resilience.delay_seconds`).
        package static let chaos = "resilience.chaos"
    }

    /// The attribute keys of the pipeline's span and of its events.
    package enum AttributeKey {
        /// The pipeline's name on the span; the name of the policy that acted on an event.
        package static let policy = "resilience.policy"
        /// The attempt number (1 for the first).
        package static let attempt = "resilience.attempt"
        /// `success`, `failure` or a rejection code.
        package static let outcome = "resilience.outcome"
        /// A rejection code.
        package static let rejection = "resilience.rejection"
        /// Why a retry gave up or a fallback was used.
        package static let reason = "resilience.reason"
        /// A retry's delay, in seconds.
        package static let delaySeconds = "resilience.delay_seconds"
        /// A timeout's limit, in seconds.
        package static let timeoutSeconds = "resilience.timeout_seconds"
        /// The state a breaker left.
        package static let from = "resilience.from"
        /// The state a breaker entered.
        package static let to = "resilience.to"
        /// What a chaos strategy injected: `fault`, `latency`, `outcome` or `behavior`.
        package static let kind = "resilience.kind"
    }
}

extension Duration {
    /// This duration in seconds, as a `Double`: for span attributes.
    var seconds: Double { Double(attoseconds) / 1e18 }
}
