import Logging
import Testing
@testable import Resilience

/// Every fallback event as one line: "<cause> served <source>", "<cause> declined", "<cause> failed <error>".
final class SharedFallbackEvents: Sendable {
    private let storage = Locked<[String]>([])

    func append(_ event: FallbackEvent) {
        let line = switch event.outcome {
        case .served(let source): "\(event.cause.label) served \(source)"
        case .declined: "\(event.cause.label) declined"
        case .failed(let error): "\(event.cause.label) failed \(error)"
        }
        storage.withLock { $0.append(line) }
    }

    var lines: [String] { storage.withLock { $0 } }
}

/// A log handler that writes "<level> <message> key=value ..." lines (metadata sorted) into a log.
struct RecordingLogHandler: LogHandler {
    let log: SharedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        log.append((["\(event.level)", "\(event.message)"] + fields).joined(separator: " "))
    }
}

struct HandlerBroke: Error, Equatable {}
enum TenantKey: ResilienceContextKey { typealias Value = String }

func tenantContext(_ tenant: String?) -> ResilienceContext {
    var context = ResilienceContext(operationName: "prices")
    if let tenant { context.metadata[TenantKey.self] = tenant }
    return context
}

@Suite("Fallback")
struct FallbackTests {
    // MARK: - Static and computed

    @Test("a static value answers a failure; a success returns the operation's value; one count per cause")
    func staticValue() async throws {
        let metrics = TestMetrics()
        let events = SharedFallbackEvents()
        let fallback = Fallback<Int>(name: "count", .value(-1), metricsFactory: metrics, onFallback: events.append)
        #expect(try await fallback.execute { 5 } == 5)
        #expect(try await fallback.execute { () async throws -> Int in throw Boom() } == -1)
        #expect(try await fallback.execute {
            () async throws -> Int in throw ResilienceError(code: .timedOut, policyName: "t")
        } == -1)
        #expect(events.lines == ["failure served fallback", "timedOut served fallback"])
        #expect(metrics.counter("resilience_fallback_total", [("policy", "count"), ("cause", "failure")]) == 1)
        #expect(metrics.counter("resilience_fallback_total", [("policy", "count"), ("cause", "timedOut")]) == 1)
        #expect(metrics.counter("resilience_fallback_total", [("policy", "count"), ("cause", "circuitOpen")]) == 0)
    }

    @Test("the handler sees a real breaker's circuitOpen rejection, and the operation's own error before it")
    func rejectionCodeVisible() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock)   // opens after 2 failures
        let metrics = TestMetrics()
        let seen = SharedLog()
        let fallback = Fallback<String>(name: "status", .computed { cause in
            seen.append("\(cause.label) \(cause.context.operationName)")
            if case .rejection(let rejection) = cause.kind {
                return .value("rejected by \(rejection.policyName): \(rejection.code)")
            }
            return .value("failed: \(cause.error)")
        }, metricsFactory: metrics)
        let guarded = ResiliencePipeline { breaker }.withFallback(fallback)
        for id in 1...2 {
            let answer = try await guarded.execute(operationName: "status.get") { () async throws -> String in
                throw Boom(id: id)
            }
            #expect(answer == "failed: Boom(id: \(id))")
        }
        let rejected = try await guarded.execute(operationName: "status.get") { "not called" }
        #expect(rejected == "rejected by test: circuitOpen")
        #expect(seen.lines == ["failure status.get", "failure status.get", "circuitOpen status.get"])
        #expect(metrics.counter("resilience_fallback_total", [("policy", "status"), ("cause", "circuitOpen")]) == 1)
        #expect(metrics.counter("resilience_fallback_total", [("policy", "status"), ("cause", "failure")]) == 2)
    }

    @Test("a declining handler gives the caller the original error, unchanged")
    func declines() async throws {
        let events = SharedFallbackEvents()
        let fallback = Fallback<Int>(name: "d", .computed { cause in
            cause.rejectionCode == .circuitOpen ? .value(0) : .decline
        }, onFallback: events.append)
        await #expect(throws: Boom(id: 7)) {
            try await fallback.execute { () async throws -> Int in throw Boom(id: 7) }
        }
        do {
            _ = try await fallback.execute { () async throws -> Int in
                throw ResilienceError(code: .timedOut, policyName: "deadline", retryAfter: .seconds(2))
            }
            Issue.record("expected the rejection")
        } catch let error as ResilienceError {
            #expect(error.code == .timedOut)
            #expect(error.policyName == "deadline")
            #expect(error.retryAfter == .seconds(2))
        }
        #expect(events.lines == ["failure declined", "timedOut declined"])
    }

    @Test("cancellation is never handled: a thrown CancellationError, or any error of a cancelled task")
    func cancellationNeverHandled() async throws {
        let calls = SharedCounter()
        let fallback = Fallback<Int>(name: "c", .computed { _ in
            calls.increment()
            return .value(0)
        }, handling: FallbackPredicate { _ in true })
        await #expect(throws: CancellationError.self) {
            try await fallback.execute { () async throws -> Int in throw CancellationError() }
        }
        let cancelled = Task {
            try await fallback.execute { () async throws -> Int in
                withUnsafeCurrentTask { $0?.cancel() }
                throw Boom(id: 3)
            }
        }
        await #expect(throws: Boom(id: 3)) { try await cancelled.value }
        #expect(calls.value == 0)
        // The same fallback does handle the error when the task is not cancelled.
        #expect(try await fallback.execute { () async throws -> Int in throw Boom(id: 3) } == 0)
        #expect(calls.value == 1)
    }

    @Test("errors the classifier ignores (not found, bad input) reach the caller unless a classifier says otherwise")
    func ignoredErrorsNotHandled() async throws {
        let events = SharedFallbackEvents()
        let fallback = Fallback<Int>(name: "i", .value(0), onFallback: events.append)
        await #expect(throws: NotFound.self) {
            try await fallback.execute { () async throws -> Int in throw NotFound() }
        }
        #expect(events.lines.isEmpty)
        let everything = Fallback<Int>(
            name: "all", .value(0), handling: FallbackPredicate(classifier: FailureClassifier { _ in .failure }))
        #expect(try await everything.execute { () async throws -> Int in throw NotFound() } == 0)
    }

    @Test("a predicate can limit the rejection codes handled")
    func onlyListedRejections() async throws {
        let fallback = Fallback<Int>(name: "o", .value(0), handling: FallbackPredicate(handlingRejections: [.circuitOpen]))
        #expect(try await fallback.execute { () async throws -> Int in
            throw ResilienceError(code: .circuitOpen, policyName: "b")
        } == 0)
        await #expect(throws: ResilienceError.self) {
            try await fallback.execute { () async throws -> Int in throw ResilienceError(code: .timedOut, policyName: "t") }
        }
        #expect(try await fallback.execute { () async throws -> Int in throw Boom() } == 0)
    }

    @Test("a throwing handler gives the caller its own error, and nothing is counted as served")
    func handlerThrows() async throws {
        let metrics = TestMetrics()
        let events = SharedFallbackEvents()
        let fallback = Fallback<Int>(
            name: "t", .computed { _ in throw HandlerBroke() }, metricsFactory: metrics, onFallback: events.append)
        await #expect(throws: HandlerBroke()) {
            try await fallback.execute { () async throws -> Int in throw Boom() }
        }
        #expect(events.lines == ["failure failed HandlerBroke()"])
        #expect(metrics.counter("resilience_fallback_total", [("policy", "t"), ("cause", "failure")]) == 0)
    }

    @Test("fail-open is true, fail-closed is false, empty is an empty array, string, set or dictionary")
    func helpers() async throws {
        let failing: @Sendable () async throws -> Void = { throw Boom() }
        #expect(try await Fallback<Bool>(name: "flag", .failOpen).execute { try await failing(); return false } == true)
        #expect(try await Fallback<Bool>(name: "authz", .failClosed).execute { try await failing(); return true } == false)
        #expect(try await Fallback<[Int]>(name: "a", .empty).execute { try await failing(); return [1] } == [])
        #expect(try await Fallback<String>(name: "s", .empty).execute { try await failing(); return "x" } == "")
        #expect(try await Fallback<Set<Int>>(name: "set", .empty).execute { try await failing(); return [1] } == [])
        #expect(try await Fallback<[String: Int]>(name: "d", .empty).execute { try await failing(); return ["a": 1] } == [:])
    }

    @Test("without a strategy a fallback declines; a per-call handler answers with the call's own values")
    func perCallHandler() async throws {
        let fallback = Fallback<String>(name: "translate")
        await #expect(throws: Boom(id: 1)) {
            try await fallback.execute { () async throws -> String in throw Boom(id: 1) }
        }
        let original = "bonjour"
        let answer = try await fallback.execute(context: ResilienceContext(operationName: "translate")) { _ in
            throw Boom(id: 2)
        } otherwise: { cause in
            .value("\(original) (untranslated, \(cause.label))")
        }
        #expect(answer == "bonjour (untranslated, failure)")
        let withStrategy = Fallback<String>(name: "both", .value("strategy"))
        let perCallWins = try await withStrategy.execute(context: ResilienceContext()) { _ in
            throw Boom()
        } otherwise: { _ in .value("per call") }
        #expect(perCallWins == "per call")
    }

    @Test("outermost around a pipeline, the fallback sees the final outcome after the retries")
    func aroundRetries() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock)   // 3 attempts, 200 ms then 400 ms
        let breaker = try makeBreaker(clock: clock, windowSize: 10)
        let guarded = ResiliencePipeline {
            retry
            breaker
        }.withFallback(Fallback<Int>(name: "f", .computed { cause in
            guard case .failure(let error as Boom) = cause.kind else { return .decline }
            return .value(-error.id)
        }))
        let attempts = SharedCounter()
        let call = Task {
            try await guarded.execute(context: ResilienceContext()) { context -> Int in
                attempts.increment()
                throw Boom(id: context.attempt)
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        #expect(try await call.value == -3)
        #expect(attempts.value == 3)
    }

    @Test("a handled call is logged at debug with its cause, never with the error's description")
    func logging() async throws {
        let log = SharedLog()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(log: log) }
        struct Leaky: Error, CustomStringConvertible { var description: String { "secret 4111-1111" } }
        let fallback = Fallback<Int>(name: "l", .computed { cause in
            cause.context.operationName == "declined" ? .decline : .value(0)
        }, logger: logger)
        _ = try await fallback.execute(operationName: "served") { () async throws -> Int in throw Leaky() }
        _ = try? await fallback.execute(operationName: "declined") { () async throws -> Int in throw Leaky() }
        #expect(log.lines == [
            "debug fallback served cause=failure errorType=Leaky operation=served policy=l source=fallback",
            "debug fallback declined cause=failure errorType=Leaky operation=declined policy=l",
        ])
    }

    // MARK: - Cached last good value

    @Test("a cached value answers while age < timeToLive; at age == timeToLive it has expired")
    func cachedTimeToLive() async throws {
        let clock = ManualClock()
        let events = SharedFallbackEvents()
        let metrics = TestMetrics()
        let cache = CachedFallback<Int, ManualClock>(
            name: "rates", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)), clock: clock,
            metricsFactory: metrics, onFallback: events.append)
        #expect(try await cache.execute { 1 } == 1)             // stored at 0 s
        clock.advance(by: .seconds(3))
        #expect(try await cache.execute { 2 } == 2)             // replaced at 3 s
        clock.advance(by: .seconds(10) - .nanoseconds(1))
        #expect(try await cache.execute { () async throws -> Int in throw Boom() } == 2)
        clock.advance(by: .nanoseconds(1))                      // age exactly 10 s
        await #expect(throws: Boom(id: 9)) {
            try await cache.execute { () async throws -> Int in throw Boom(id: 9) }
        }
        #expect(events.lines == ["failure served cache(age: 9999999.999us)", "failure declined"])
        #expect(metrics.counter("resilience_fallback_total", [("policy", "rates"), ("cause", "failure")]) == 1)
        #expect(cache.cachedKeyCount == 0)                      // the expired value was dropped
    }

    @Test("without a fresh value the otherwise strategy answers; a per-call handler replaces it")
    func cachedOtherwise() async throws {
        let clock = ManualClock()
        let events = SharedFallbackEvents()
        let cache = CachedFallback<String, ManualClock>(
            name: "c", configuration: FallbackCacheConfiguration(timeToLive: .seconds(1)), otherwise: .value("default"),
            clock: clock, onFallback: events.append)
        #expect(try await cache.execute { () async throws -> String in throw Boom() } == "default")
        _ = try await cache.execute { "good" }
        #expect(try await cache.execute { () async throws -> String in throw Boom() } == "good")
        clock.advance(by: .seconds(1))
        let perCall = try await cache.execute(context: ResilienceContext()) { _ in throw Boom() } otherwise: { _ in
            .value("per call")
        }
        #expect(perCall == "per call")
        #expect(events.lines == ["failure served fallback", "failure served cache(age: 0s)", "failure served fallback"])
    }

    @Test("keyed by a metadata value: one cached value per tenant; a call without a tenant is not cached")
    func cachedPerMetadataKey() async throws {
        let cache = CachedFallback<Int, ManualClock>(
            name: "prices", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)),
            keyedBy: .metadata(TenantKey.self), clock: ManualClock())
        _ = try await cache.execute(context: tenantContext("acme")) { _ in 1 }
        _ = try await cache.execute(context: tenantContext("globex")) { _ in 2 }
        _ = try await cache.execute(context: tenantContext(nil)) { _ in 3 }
        #expect(cache.cachedKeyCount == 2)
        #expect(try await cache.execute(context: tenantContext("acme")) { _ in throw Boom() } == 1)
        #expect(try await cache.execute(context: tenantContext("globex")) { _ in throw Boom() } == 2)
        await #expect(throws: Boom(id: 4)) {
            try await cache.execute(context: tenantContext("initech")) { _ in throw Boom(id: 4) }
        }
        await #expect(throws: Boom(id: 5)) {
            try await cache.execute(context: tenantContext(nil)) { _ in throw Boom(id: 5) }
        }
    }

    @Test("String and Int keys are kept as such (no AnyHashable); other key types still cache per value")
    func keyKinds() async throws {
        struct Region: Hashable, Sendable { var code: String }
        #expect(FallbackCacheKeying.shared.key(for: ResilienceContext()) == .shared)
        #expect(FallbackCacheKeying.operationName.key(for: ResilienceContext(operationName: "a")) == .string("a"))
        #expect(FallbackCacheKeying.metadata(TenantKey.self).key(for: tenantContext("acme")) == .string("acme"))
        #expect(FallbackCacheKeying.custom { $0.attempt }.key(for: ResilienceContext(attempt: 7)) == .integer(7))
        let byRegion = FallbackCacheKeying.custom { Region(code: $0.operationName) }
        #expect(byRegion.key(for: ResilienceContext(operationName: "eu")) == .other(AnyHashable(Region(code: "eu"))))
        let cache = CachedFallback<Int, ManualClock>(
            name: "regions", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)), keyedBy: byRegion,
            clock: ManualClock())
        _ = try await cache.execute(operationName: "eu") { 1 }
        _ = try await cache.execute(operationName: "us") { 2 }
        #expect(try await cache.execute(operationName: "eu") { () async throws -> Int in throw Boom() } == 1)
        #expect(try await cache.execute(operationName: "us") { () async throws -> Int in throw Boom() } == 2)
    }

    @Test("keyed by operation name with 2 keys at most: a third key evicts the one stored longest ago")
    func cachedEviction() async throws {
        let clock = ManualClock()
        let cache = CachedFallback<String, ManualClock>(
            name: "ops", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10), maximumKeys: 2),
            keyedBy: .operationName, clock: clock)
        for name in ["x", "y", "x", "z"] {
            _ = try await cache.execute(operationName: name) { "\(name) at \(clock.now.offset)" }
            clock.advance(by: .seconds(1))
        }
        #expect(cache.cachedKeyCount == 2)
        await #expect(throws: Boom.self) { try await cache.execute(operationName: "y") { () async throws -> String in throw Boom() } }
        #expect(try await cache.execute(operationName: "x") { () async throws -> String in throw Boom() } == "x at 2.0 seconds")
        #expect(try await cache.execute(operationName: "z") { () async throws -> String in throw Boom() } == "z at 3.0 seconds")
    }

    @Test("a returned value the classifier counts as a failure is returned but not cached")
    func failedResultsNotCached() async throws {
        let classifier = FailureClassifier.default.classifyingResults { (response: HTTPResponse) in
            response.status >= 500 ? .failure : .success
        }
        let cache = CachedFallback<HTTPResponse, ManualClock>(
            name: "http", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)),
            handling: FallbackPredicate(classifier: classifier), clock: ManualClock())
        #expect(try await cache.execute { HTTPResponse(status: 200) }.status == 200)
        #expect(try await cache.execute { HTTPResponse(status: 503) }.status == 503)
        #expect(try await cache.execute { () async throws -> HTTPResponse in throw Boom() }.status == 200)
    }

    @Test("invalid cache configurations are rejected with the key, the value and what is allowed")
    func configurationErrors() throws {
        #expect(throws: ConfigurationError(key: "timeToLive", value: "0s", allowed: "> 0")) {
            try FallbackCacheConfiguration(timeToLive: .zero).validate()
        }
        #expect(throws: ConfigurationError(key: "timeToLive", value: "-1s", allowed: "> 0")) {
            try StaleDataFallback<Int, ManualClock>.validate(FallbackCacheConfiguration(timeToLive: .seconds(-1)), maximumAge: nil)
        }
        #expect(throws: ConfigurationError(key: "maximumKeys", value: "0", allowed: "1...1000000")) {
            try FallbackCacheConfiguration(timeToLive: .seconds(1), maximumKeys: 0).validate()
        }
        #expect(throws: ConfigurationError(
            key: "maximumAge", value: "10s", allowed: "> timeToLive (10s), or none for any age")
        ) {
            try StaleDataFallback<Int, ManualClock>.validate(
                FallbackCacheConfiguration(timeToLive: .seconds(10)), maximumAge: .seconds(10))
        }
    }

    // MARK: - Stale data

    @Test("stale data: fresh as cache(age:), expired as stale(age:) until maximumAge, then the strategy")
    func staleData() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let catalog = StaleDataFallback<String, ManualClock>(
            name: "catalog", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)),
            maximumAge: .seconds(60), otherwise: .value("placeholder"), clock: clock, metricsFactory: metrics)
        let failing: @Sendable () async throws -> String = { throw Boom() }
        #expect(try await catalog.execute { "v1" } == FallbackResult(value: "v1", source: .primary))
        clock.advance(by: .seconds(5))
        #expect(try await catalog.execute(failing) == FallbackResult(value: "v1", source: .cache(age: .seconds(5))))
        clock.advance(by: .seconds(5))
        let stale = try await catalog.execute(failing)
        #expect(stale == FallbackResult(value: "v1", source: .stale(age: .seconds(10))))
        #expect(stale.isStale && stale.isFallback)
        clock.advance(by: .seconds(50))
        #expect(try await catalog.execute(failing) == FallbackResult(value: "placeholder", source: .fallback))
        #expect(try await catalog.execute { "v2" } == FallbackResult(value: "v2", source: .primary))
        #expect(try await catalog.execute(failing) == FallbackResult(value: "v2", source: .cache(age: .zero)))
        #expect(metrics.counter("resilience_fallback_total", [("policy", "catalog"), ("cause", "failure")]) == 4)
    }

    @Test("stale data without maximumAge serves a day-old value, marked stale with its age")
    func staleWithoutLimit() async throws {
        let clock = ManualClock()
        let catalog = StaleDataFallback<Int, ManualClock>(
            name: "c", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10)), clock: clock)
        _ = try await catalog.execute { 1 }
        clock.advance(by: .seconds(86_400))
        let result = try await catalog.execute { () async throws -> Int in throw Boom() }
        #expect(result.source.age == .seconds(86_400))
        #expect(result.isStale)
    }

    // MARK: - Concurrency

    @Test("many tasks storing and reading one cache: every answer belongs to its key")
    func concurrentCache() async throws {
        let clock = ManualClock()
        let cache = CachedFallback<String, ManualClock>(
            name: "conc", configuration: FallbackCacheConfiguration(timeToLive: .seconds(10), maximumKeys: 3),
            keyedBy: .operationName, otherwise: .value("none"), clock: clock)
        let wrong = SharedCounter()
        let fromCache = SharedCounter()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for step in 0..<400 {
                        let key = "op\((task + step) % 4)"
                        let fails = step % 3 == 0
                        if task == 0 { clock.advance(by: .milliseconds(1)) }
                        let answer = try? await cache.execute(operationName: key) { () async throws -> String in
                            if fails { throw Boom() }
                            return "\(key)#\(task).\(step)"
                        }
                        if fails {
                            if answer?.hasPrefix("\(key)#") == true {
                                fromCache.increment()
                            } else if answer != "none" {
                                wrong.increment()
                            }
                        } else if answer != "\(key)#\(task).\(step)" {
                            wrong.increment()
                        }
                    }
                }
            }
        }
        #expect(wrong.value == 0)
        #expect(fromCache.value > 0)
        #expect(cache.cachedKeyCount == 3)
    }

    // MARK: - The model: a privacy redaction step

    struct RedactedMessage: Sendable, Equatable {
        var text: String
        var mayPersist: Bool
    }

    /// A careless error that quotes its input, as real ones do.
    struct RedactorUnavailable: Error, CustomStringConvertible {
        var input: String
        var description: String { "redactor unavailable while redacting '\(input)'" }
    }

    final class FakeRedactor: Sendable {
        private let available = Locked<Bool>(true)
        let calls = SharedCounter()

        func setAvailable(_ value: Bool) { available.withLock { $0 = value } }

        func redact(_ text: String) throws -> String {
            calls.increment()
            guard available.withLock({ $0 }) else { throw RedactorUnavailable(input: text) }
            return text.replacing(#/\d{3}-\d{4}/#, with: "[PHONE]")
        }
    }

    /// Stores every text it is given: it must never be given an unredacted one.
    final class FakeMessageStore: Sendable {
        private let saved = Locked<[String]>([])
        func save(_ text: String) { saved.withLock { $0.append(text) } }
        var all: [String] { saved.withLock { $0 } }
    }

    @Test("when redaction cannot run, the user gets the unredacted message marked do-not-persist; the store never sees it")
    func privacyRedaction() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, permitted: 1, successRatio: 1)   // opens after 2 failures, for 1 s
        let pipeline = ResiliencePipeline { breaker }
        let metrics = TestMetrics()
        let log = SharedLog()
        let redaction = Fallback<RedactedMessage>(
            name: "redaction", logger: Logger(label: "test") { _ in RecordingLogHandler(log: log) },
            metricsFactory: metrics)
        let redactor = FakeRedactor()
        let store = FakeMessageStore()

        // The application: redact, fall back to the original marked do-not-persist, store what may be stored.
        func receive(_ text: String) async throws -> RedactedMessage {
            let message = try await redaction.execute(context: ResilienceContext(operationName: "chat.redact")) { context in
                try await pipeline.execute(context: context) { _ in
                    RedactedMessage(text: try redactor.redact(text), mayPersist: true)
                }
            } otherwise: { _ in
                .value(RedactedMessage(text: text, mayPersist: false))
            }
            if message.mayPersist { store.save(message.text) }
            return message
        }

        #expect(try await receive("call me at 555-0100") == RedactedMessage(text: "call me at [PHONE]", mayPersist: true))
        redactor.setAvailable(false)
        #expect(try await receive("my number is 555-0199") == RedactedMessage(text: "my number is 555-0199", mayPersist: false))
        #expect(try await receive("or 555-0142") == RedactedMessage(text: "or 555-0142", mayPersist: false))
        #expect(breaker.state == .open)
        #expect(try await receive("urgent: 555-0123") == RedactedMessage(text: "urgent: 555-0123", mayPersist: false))
        #expect(redactor.calls.value == 3)                      // the open breaker did not call it
        redactor.setAvailable(true)
        clock.advance(by: .seconds(1))
        #expect(try await receive("text me at 555-0111") == RedactedMessage(text: "text me at [PHONE]", mayPersist: true))

        #expect(store.all == ["call me at [PHONE]", "text me at [PHONE]"])
        #expect(metrics.counter("resilience_fallback_total", [("policy", "redaction"), ("cause", "failure")]) == 2)
        #expect(metrics.counter("resilience_fallback_total", [("policy", "redaction"), ("cause", "circuitOpen")]) == 1)
        #expect(log.lines.count == 3)
        #expect(!log.lines.contains { $0.contains("555") })     // nor do the logs quote the message
    }
}
