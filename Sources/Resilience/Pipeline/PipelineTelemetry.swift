import Metrics
import Tracing

/// What a named pipeline records for each execution: how long it took, by outcome, and a span.
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_operation_duration_seconds` | timer (histogram) | `policy` (the pipeline's name), `outcome`: `success`, `failure` or a rejection code |
///
/// The duration runs from the pipeline's entry to its exit, so it includes the policies' waits
/// (a retry's delays, a queue in a bulkhead) — what the caller waited. The outcome is `success` when the
/// call returned, the rejection code of a ``ResilienceError`` that reached the pipeline (whichever
/// policy threw it), `failure` for any other error, a cancellation included.
///
/// The span is started with the tracer given to the pipeline, or the one swift-distributed-tracing
/// was bootstrapped with when the pipeline was created; with no tracer (the no-op tracer) there is no
/// span and no task-local binding at all. See ``ResiliencePipeline/init(name:clock:metricsFactory:tracer:_:)``.
@usableFromInline
package final class PipelineTelemetry: Sendable {
    /// The pipeline's name: the `policy` label and the span's `resilience.policy` attribute.
    @usableFromInline let name: String
    /// The tracer to start spans with; `nil` for the no-op tracer.
    @usableFromInline let tracer: (any Tracer)?
    /// The duration timers, `nil` without a metrics backend.
    @usableFromInline let durations: OutcomeTimers?
    /// The time elapsed on the pipeline's clock since an arbitrary origin.
    @usableFromInline let elapsed: @Sendable () -> Duration

    /// Telemetry for the pipeline `name`; `tracer: nil` takes the bootstrapped one.
    package init<C: Clock>(name: String, clock: C, sinks: TelemetrySinks, tracer: (any Tracer)?)
    where C.Duration == Duration {
        self.name = name
        let chosen = tracer ?? InstrumentationSystem.tracer
        self.tracer = chosen is NoOpTracer ? nil : chosen
        if self.tracer != nil { ResilienceSpan.enable() }
        durations = sinks.recordsMetrics ? OutcomeTimers(policyName: name, factory: sinks.factory) : nil
        let reader = ClockReader(clock: clock)
        elapsed = { Duration(attoseconds: reader.elapsed()) }
    }

    /// Whether there is anything to record: a metrics backend or a tracer. A pipeline keeps no
    /// telemetry that is not active, so that its calls cost what an unnamed pipeline's do.
    package var isActive: Bool { tracer != nil || durations != nil }

    /// Runs `body` with `context`, timed and traced.
    @inlinable
    package nonisolated(nonsending) func run<Value>(
        context: ResilienceContext,
        _ body: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if let tracer { return try await runTraced(tracer, context: context, body) }
        guard let durations else { return try await body(context) }
        let start = elapsed()
        do {
            let value = try await body(context)
            durations.success.recordNanoseconds((elapsed() - start).clampedNanoseconds)
            return value
        } catch {
            durations.record(error, elapsed() - start)
            throw error
        }
    }

    /// ``run(context:_:)`` in a span of kind client, named after the operation (the pipeline when the
    /// operation has no name), bound to the task for the policies' events and for the operation's own
    /// spans, which become its children.
    @usableFromInline
    nonisolated(nonsending) func runTraced<Value>(
        _ tracer: any Tracer,
        context: ResilienceContext,
        _ body: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let span: any Span = tracer.startSpan(
            context.operationName.isEmpty ? name : context.operationName,
            context: InstrumentationContext.current ?? .topLevel, ofKind: .client, at: DefaultTracerClock.now,
            function: #function, file: #fileID, line: #line)
        span.updateAttributes { attributes in
            attributes[ResilienceSpan.AttributeKey.policy] = name
            attributes[ResilienceSpan.AttributeKey.attempt] = context.attempt
        }
        defer { span.end() }
        let start = elapsed()
        do {
            let value = try await InstrumentationContext.$current.withValue(span.context) {
                try await ResilienceSpan.$current.withValue(span) { try await body(context) }
            }
            span.attributes[ResilienceSpan.AttributeKey.outcome] = "success"
            durations?.success.recordNanoseconds((elapsed() - start).clampedNanoseconds)
            return value
        } catch {
            span.attributes[ResilienceSpan.AttributeKey.outcome] = ResilienceSpan.outcome(of: error)
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            durations?.record(error, elapsed() - start)
            throw error
        }
    }

    /// The duration timers of one pipeline, one per outcome, made once.
    @usableFromInline
    final class OutcomeTimers: Sendable {
        @usableFromInline let success: Timer
        let failure: Timer
        let rejections: [ResilienceError.Code: Timer]

        init(policyName: String, factory: any MetricsFactory) {
            func timer(_ outcome: String) -> Timer {
                Timer(
                    label: "resilience_operation_duration_seconds",
                    dimensions: [("policy", policyName), ("outcome", outcome)], factory: factory)
            }
            success = timer("success")
            failure = timer("failure")
            rejections = Dictionary(uniqueKeysWithValues: ResilienceError.Code.allCodes.map { ($0, timer($0.description)) })
        }

        /// Records `duration` under the outcome of `error`.
        @usableFromInline
        func record(_ error: any Error, _ duration: Duration) {
            let timer = (error as? ResilienceError).flatMap { rejections[$0.code] } ?? failure
            timer.recordNanoseconds(duration.clampedNanoseconds)
        }
    }
}
