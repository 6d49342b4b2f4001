import InMemoryTracing
import Metrics
import Testing
import Tracing
@testable import Resilience

/// The duration histogram and the span of a named pipeline, with the policies' span events.
@Suite("Pipeline telemetry")
struct PipelineTelemetryTests {
    static let duration = "resilience_operation_duration_seconds"

    static func durations(_ metrics: TestMetrics, _ outcome: String, policy: String = "payments") -> [Duration] {
        metrics.timer(duration, [("policy", policy), ("outcome", outcome)])
    }

    /// The value of attribute `key` of `attributes`.
    static func attribute(_ attributes: SpanAttributes, _ key: String) -> SpanAttribute? { attributes.get(key) }

    // MARK: - Durations

    @Test("a named pipeline records each call's duration under its outcome: success, failure, the rejection code")
    func durationsByOutcome() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let breaker = try makeBreaker(clock: clock, windowSize: 2)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, metricsFactory: metrics) { breaker }
        #expect(pipeline.name == "payments")
        _ = try await pipeline.execute { clock.advance(by: .milliseconds(250)) }
        for _ in 0..<2 {
            await #expect(throws: Boom.self) {
                try await pipeline.execute { clock.advance(by: .seconds(1)); throw Boom() }
            }
        }
        clock.advance(by: .milliseconds(10))
        await #expect(throws: ResilienceError.self) { try await pipeline.execute { 1 } }  // open: rejected at once
        #expect(Self.durations(metrics, "success") == [.milliseconds(250)])
        #expect(Self.durations(metrics, "failure") == [.seconds(1), .seconds(1)])
        #expect(Self.durations(metrics, "circuitOpen") == [.zero])
        #expect(Self.durations(metrics, "timedOut").isEmpty)
    }

    @Test("the duration includes the policies' waits: a retry's delays count")
    func durationIncludesRetryDelays() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let retry = try makeRetry(clock: clock)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, metricsFactory: metrics) { retry }
        let call = Task {
            try await pipeline.execute(context: ResilienceContext()) { context in
                if context.attempt < 3 { throw Boom(id: context.attempt) }
                return context.attempt
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        #expect(try await call.value == 3)
        #expect(Self.durations(metrics, "success") == [.milliseconds(600)])
    }

    @Test("an unnamed pipeline, and a named one without a metrics backend, record nothing and keep no timers")
    func nothingWithoutNameOrBackend() async throws {
        let unnamed = ResiliencePipeline { PassThroughPolicy() }
        #expect(unnamed.name == nil)
        #expect(unnamed.telemetry == nil)
        let noBackend = ResiliencePipeline(name: "quiet", metricsFactory: NOOPMetricsHandler.instance) { PassThroughPolicy() }
        #expect(noBackend.name == "quiet")
        #expect(noBackend.telemetry == nil)  // nothing bootstrapped: the no-op tracer; no backend: nothing kept
        #expect(try await noBackend.execute { 7 } == 7)
    }

    @Test("a fallback around a named pipeline is measured with it: a served fallback is the caller's success")
    func fallbackInsideTheMeasurement() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, metricsFactory: metrics) { PassThroughPolicy() }
            .withFallback(Fallback<Int>(name: "payments", .value(0)))
        let value = try await pipeline.execute(context: ResilienceContext()) { _ -> Int in
            clock.advance(by: .milliseconds(30))
            throw Boom()
        }
        #expect(value == 0)
        #expect(Self.durations(metrics, "success") == [.milliseconds(30)])
        #expect(Self.durations(metrics, "failure").isEmpty)
    }

    // MARK: - Spans

    @Test("one client span per call, named after the operation, with the attempts, the retry delay and the outcome")
    func spanOfRetriedCall() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let retry = try makeRetry(clock: clock)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, tracer: tracer) { retry }
        let call = Task {
            try await pipeline.execute(context: ResilienceContext(operationName: "charge")) { context in
                if context.attempt == 1 { throw ResilienceError(code: .timedOut, policyName: "inner") }
                return context.attempt
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        #expect(try await call.value == 2)
        let spans = tracer.finishedSpans
        try #require(spans.count == 1)
        let span = spans[0]
        #expect(span.operationName == "charge")
        #expect(span.kind == .client)
        #expect(Self.attribute(span.attributes, "resilience.policy") == .string("payments"))
        #expect(Self.attribute(span.attributes, "resilience.attempt") == .int64(2))
        #expect(Self.attribute(span.attributes, "resilience.outcome") == .string("success"))
        #expect(span.errors.isEmpty)
        #expect(span.events.map(\.name) == ["resilience.attempt", "resilience.retry_delay", "resilience.attempt"])
        let first = span.events[0].attributes
        #expect(Self.attribute(first, "resilience.policy") == .string("test"))
        #expect(Self.attribute(first, "resilience.attempt") == .int64(1))
        #expect(Self.attribute(first, "resilience.outcome") == .string("timedOut"))
        let delay = span.events[1].attributes
        #expect(Self.attribute(delay, "resilience.attempt") == .int64(2))
        #expect(Self.attribute(delay, "resilience.delay_seconds") == .double(0.2))
        #expect(Self.attribute(span.events[2].attributes, "resilience.outcome") == .string("success"))
    }

    @Test("a failed call records its error and the error status; giving up is an event")
    func spanOfFailedCall() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let retry = try makeRetry(clock: clock, maxAttempts: 2)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, tracer: tracer) { retry }
        let call = Task {
            try await pipeline.execute(context: ResilienceContext()) { context -> Int in throw Boom(id: context.attempt) }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        await #expect(throws: Boom(id: 2)) { try await call.value }
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.operationName == "payments")  // the operation has no name: the pipeline's
        #expect(Self.attribute(span.attributes, "resilience.outcome") == .string("failure"))
        #expect(span.errors.count == 1)
        #expect(span.errors.first?.error as? Boom == Boom(id: 2))
        #expect(span.status?.code == .error)
        #expect(span.events.map(\.name) == [
            "resilience.attempt", "resilience.retry_delay", "resilience.attempt", "resilience.retry_gave_up",
        ])
        #expect(Self.attribute(span.events[3].attributes, "resilience.reason") == .string("attemptsExhausted"))
    }

    @Test("a breaker's trip is a state-change event of the call that tripped it; the next call's rejection an event with its code")
    func breakerEvents() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let breaker = try makeBreaker(clock: clock, windowSize: 2)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, tracer: tracer) { breaker }
        await breaker.fail()  // outside the pipeline: no span
        await #expect(throws: Boom.self) { try await pipeline.execute { throw Boom() } }
        await #expect(throws: ResilienceError.self) { try await pipeline.execute { 1 } }
        let spans = tracer.finishedSpans
        try #require(spans.count == 2)
        #expect(spans[0].events.map(\.name) == ["resilience.state_change"])
        let change = spans[0].events[0].attributes
        #expect(Self.attribute(change, "resilience.policy") == .string("test"))
        #expect(Self.attribute(change, "resilience.from") == .string("closed"))
        #expect(Self.attribute(change, "resilience.to") == .string("open"))
        #expect(spans[1].events.map(\.name) == ["resilience.rejection"])
        #expect(Self.attribute(spans[1].events[0].attributes, "resilience.rejection") == .string("circuitOpen"))
        #expect(Self.attribute(spans[1].attributes, "resilience.outcome") == .string("circuitOpen"))
        #expect(spans[1].status?.code == .error)
    }

    @Test("a timeout is an event with its limit")
    func timeoutEvent() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let timeout = try makeTimeout(clock: clock)
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, tracer: tracer) { timeout }
        let call = Task {
            try await pipeline.execute(context: ResilienceContext()) { _ in
                try await clock.sleep(for: .seconds(10))
                return 1
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(2))
        await expectTimedOut(call)
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.events.map(\.name) == ["resilience.timeout"])
        #expect(Self.attribute(span.events[0].attributes, "resilience.timeout_seconds") == .double(2))
        #expect(Self.attribute(span.attributes, "resilience.outcome") == .string("timedOut"))
    }

    @Test("a bulkhead's and a rate limiter's rejections are events with their codes")
    func otherRejections() async throws {
        let tracer = InMemoryTracer()
        let bulkhead = Bulkhead(name: "pool", maxConcurrent: 1, maxQueued: 0)
        let limiter = RateLimiter(name: "partner", permitsPerSecond: 1, burst: 1)
        let pipeline = ResiliencePipeline(name: "payments", tracer: tracer) {
            limiter
            bulkhead
        }
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.stats.inFlight == 1 }
        await #expect(throws: ResilienceError.self) { try await pipeline.execute { 1 } }  // the bulkhead is full
        await #expect(throws: ResilienceError.self) { try await pipeline.execute { 1 } }  // no permit left
        gate.open()
        try await holder.value
        let rejections = tracer.finishedSpans.flatMap(\.events).filter { $0.name == "resilience.rejection" }
        #expect(rejections.map { Self.attribute($0.attributes, "resilience.rejection") } == [
            .string("bulkheadFull"), .string("rateLimited"),
        ])
        #expect(rejections.map { Self.attribute($0.attributes, "resilience.policy") } == [.string("pool"), .string("partner")])
    }

    @Test("a fallback around a named pipeline is inside its span, as an event")
    func fallbackEvent() async throws {
        let tracer = InMemoryTracer()
        let pipeline = ResiliencePipeline(name: "payments", tracer: tracer) { PassThroughPolicy() }
            .withFallback(Fallback<Int>(name: "cached", .value(0)))
        #expect(try await pipeline.execute(context: ResilienceContext()) { _ -> Int in throw Boom() } == 0)
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.events.map(\.name) == ["resilience.fallback"])
        #expect(Self.attribute(span.events[0].attributes, "resilience.policy") == .string("cached"))
        #expect(Self.attribute(span.events[0].attributes, "resilience.outcome") == .string("served"))
        #expect(Self.attribute(span.attributes, "resilience.outcome") == .string("success"))
    }

    @Test("a hedge run inside a named pipeline is an event; the operation's own spans are the call span's children")
    func hedgeEventAndChildSpans() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let hedging = try makeHedging(clock: clock)
        let pipeline = ResiliencePipeline(name: "search", clock: clock, tracer: tracer) { PassThroughPolicy() }
        let call = Task {
            try await pipeline.execute(context: ResilienceContext(operationName: "search.query")) { _ in
                try await hedging.execute { context in
                    let attempt = context.metadata[HedgedAttemptKey.self] ?? 0
                    return try await tracer.withSpan("backend") { _ in
                        if attempt == 1 { try await clock.sleep(for: .seconds(60)) }
                        return attempt
                    }
                }
            }
        }
        await eventually { clock.sleeperCount == 2 }  // the first attempt and the hedging delay
        clock.advance(by: .seconds(2))
        #expect(try await call.value == 2)
        let spans = tracer.finishedSpans
        let parent = try #require(spans.first { $0.operationName == "search.query" })
        let children = spans.filter { $0.operationName == "backend" }
        #expect(children.count == 2)
        #expect(children.allSatisfy { $0.parentSpanID == parent.spanID && $0.traceID == parent.traceID })
        #expect(parent.events.map(\.name) == ["resilience.hedge"])
        #expect(Self.attribute(parent.events[0].attributes, "resilience.attempt") == .int64(2))
    }
}
