import Logging
import Metrics
import Testing
@testable import Resilience

@Suite("Load shedder")
struct LoadShedderTests {
    static func shedError(_ body: () async throws -> Void) async -> ResilienceError? {
        do {
            try await body()
            return nil
        } catch let error as ResilienceError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("a shed call throws loadShed with the retry hint and the reason, without running")
    func rejection() async throws {
        let cpu = PressureGauge(name: "cpu", refreshInterval: .seconds(2))
        let shed = Locked<[LoadShedRejection]>([])
        let shedder = LoadShedder(
            name: "api",
            configuration: LoadShedderConfiguration(pressure: ["cpu": LoadShedThresholds(low: 0.8, normal: 0.9, high: 0.95)]),
            pressure: [cpu], clock: ManualClock(), onShed: { rejection in shed.withLock { $0.append(rejection) } })
        try cpu.record(0.85)
        let ran = SharedCounter()
        let error = try #require(await Self.shedError {
            _ = try await shedder.execute(context: ResilienceContext(priority: .low)) { _ in ran.increment() }
        })
        #expect(error.code == .loadShed)
        #expect(error.policyName == "api")
        #expect(error.retryAfter == .seconds(2))      // max(1 s configured, 2 s refresh)
        let rejection = try #require(error.underlyingError as? LoadShedRejection)
        #expect(rejection == LoadShedRejection(priority: .low, reason: .pressure("cpu"), retryAfter: .seconds(2), inFlight: 0))
        #expect(shed.withLock { $0 } == [rejection])
        #expect(ran.value == 0)
        let normal = try await shedder.execute(context: ResilienceContext(priority: .normal)) { context in context.priority }
        #expect(normal == .normal)
        cpu.markUnavailable()
        let low = try await shedder.execute(priority: .low) { 7 }
        #expect(low == 7)
    }

    @Test("the place is released when the operation returns, throws, or is cancelled")
    func releaseOnEveryPath() async throws {
        struct Boom: Error {}
        let clock = ManualClock()
        let shedder = LoadShedder(
            name: "db", configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: 1, high: 1)),
            clock: clock)
        _ = try await shedder.execute(priority: .normal) { 1 }
        #expect(shedder.inFlight == 0)
        await #expect(throws: Boom.self) { try await shedder.execute(priority: .normal) { throw Boom() } }
        #expect(shedder.inFlight == 0)

        let started = Gate()
        let task = Task {
            try await shedder.execute(priority: .normal) {
                started.open()
                try await clock.sleep(until: .init(offset: .seconds(3_600)))
            }
        }
        await started.wait()
        #expect(shedder.inFlight == 1)
        let full = await Self.shedError { try await shedder.execute(priority: .high) {} }
        #expect(full?.code == .loadShed)
        #expect((full?.underlyingError as? LoadShedRejection)?.reason == .inFlight)
        #expect((full?.underlyingError as? LoadShedRejection)?.inFlight == 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(shedder.inFlight == 0)
        #expect(shedder.stats.admitted[.normal] == 3)
        #expect(shedder.stats.shed[.high] == 1)

        // admit/release by hand, for callers that cannot wrap the work in a closure.
        let permit = try shedder.admit(priority: .critical)
        #expect(shedder.inFlight == 1)
        shedder.release(permit)
        #expect(shedder.inFlight == 0)
    }

    @Test("every configured signal needs its gauge, and every gauge its thresholds")
    func gaugeWiring() throws {
        let cpu = PressureGauge(name: "cpu")
        let configuration = LoadShedderConfiguration(pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: nil, high: nil)])
        func error(_ body: () throws -> Void) -> ConfigurationError? {
            do { try body(); return nil } catch let error as ConfigurationError { return error } catch { return nil }
        }
        #expect(error { try LoadShedder<ManualClock>.validate(configuration) }?.key == "pressure.cpu")
        #expect(error {
            try LoadShedder<ManualClock>.validate(configuration, pressure: [cpu, PressureGauge(name: "memory")])
        }?.key == "pressure.memory")
        #expect(error {
            try LoadShedder<ManualClock>.validate(configuration, pressure: [cpu, PressureGauge(name: "cpu")])
        }?.value == "two gauges named \"cpu\"")
        #expect(error {
            try LoadShedder<ManualClock>.validate(configuration, queueDepth: PressureGauge(name: "q"), pressure: [cpu])
        }?.key == "queueDepth")
        #expect(error {
            try LoadShedder<ManualClock>.validate(LoadShedderConfiguration(queueDepth: LoadShedThresholds(low: 1, normal: nil, high: nil)))
        }?.key == "queueDepth")
        #expect(error { try LoadShedder<ManualClock>.validate(configuration, pressure: [cpu]) } == nil)
    }

    @Test("a queue-depth gauge fed by the user sheds by priority")
    func queueDepthGauge() async throws {
        let queue = PressureGauge(name: "bulkhead_queue")
        let shedder = LoadShedder(
            name: "q", configuration: LoadShedderConfiguration(queueDepth: LoadShedThresholds(low: 5, normal: 20, high: nil)),
            queueDepth: queue, clock: ManualClock())
        try queue.record(count: 5)
        #expect(await Self.shedError { try await shedder.execute(priority: .low) {} }?.code == .loadShed)
        #expect(try await shedder.execute(priority: .normal) { true })
        try queue.record(count: 4)
        #expect(try await shedder.execute(priority: .low) { true })
        #expect(throws: PressureReadingError.self) { try queue.record(count: -1) }
        #expect(throws: PressureReadingError.self) { try queue.record(.nan) }
        #expect(queue.reading == 4)   // a refused reading leaves the last one
    }

    @Test("metrics: shed by priority and reason, admitted by priority, in-flight gauge")
    func metrics() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let memory = PressureGauge(name: "memory")
        let shedder = LoadShedder(
            name: "m",
            configuration: LoadShedderConfiguration(
                inFlight: LoadShedThresholds(low: 1, normal: 2, high: 2),
                pressure: ["memory": LoadShedThresholds(low: 0.9, normal: nil, high: nil)]),
            pressure: [memory], clock: clock, metricsFactory: metrics)
        let hold = Gate(), started = Gate()
        let task = Task { try await shedder.execute(priority: .high) { started.open(); await hold.wait() } }
        await started.wait()
        #expect(metrics.gauge("resilience_load_shedder_in_flight", [("policy", "m")]) == 1)
        _ = await Self.shedError { try await shedder.execute(priority: .low) {} }
        try memory.record(0.95)
        _ = await Self.shedError { try await shedder.execute(priority: .low) {} }  // in-flight is checked first
        hold.open()
        try await task.value
        _ = await Self.shedError { try await shedder.execute(priority: .low) {} }
        _ = try await shedder.execute(priority: .normal) {}
        #expect(metrics.counter("resilience_load_shedder_shed_total", [("policy", "m"), ("priority", "low"), ("reason", "in_flight")]) == 2)
        #expect(metrics.counter("resilience_load_shedder_shed_total", [("policy", "m"), ("priority", "low"), ("reason", "memory")]) == 1)
        #expect(metrics.counter("resilience_load_shedder_admitted_total", [("policy", "m"), ("priority", "high")]) == 1)
        #expect(metrics.counter("resilience_load_shedder_admitted_total", [("policy", "m"), ("priority", "normal")]) == 1)
        #expect(metrics.gauge("resilience_load_shedder_in_flight", [("policy", "m")]) == 0)
    }

    @Test("inside a pipeline, the shedder reads the priority the outer policies pass in")
    func pipeline() async throws {
        let log = SharedLog()
        let shedder = LoadShedder(
            name: "p", configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: 1, high: 1)),
            clock: ManualClock())
        let pipeline = ResiliencePipeline {
            RecordingPolicy(name: "outer", log: log)
            shedder
        }
        // Hold one critical call inside, so that every other priority is shed.
        let permit = try shedder.admit(priority: .critical)
        let shed = await Self.shedError {
            _ = try await pipeline.execute(context: ResilienceContext(operationName: "op", priority: .high)) { _ in 1 }
        }
        #expect(shed?.code == .loadShed)
        #expect(log.lines == ["enter outer", "leave outer"])
        let name = try await pipeline.execute(context: ResilienceContext(operationName: "op", priority: .critical)) { $0.operationName }
        #expect(name == "op>outer")
        shedder.release(permit)
        #expect(shedder.inFlight == 0)
    }
}

/// A log handler that keeps every message.
struct CapturingLogHandler: LogHandler {
    let lines: SharedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let shed = event.metadata?["shed"].map { " shed=\($0)" } ?? ""
        lines.append("\(event.level) \(event.message)\(shed)")
    }
}

@Suite("Load shedder logs")
struct LoadShedderLogTests {
    @Test("the first shed call is logged at once, then at most one summary per 10 s of the clock")
    func spacing() async throws {
        let clock = ManualClock()
        let lines = SharedLog()
        let shedder = LoadShedder(
            name: "l", configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: nil, high: nil)),
            clock: clock, logger: Logger(label: "t", factory: { _ in CapturingLogHandler(lines: lines) }))
        let permit = try shedder.admit(priority: .critical)
        func shedLow(_ times: Int) { for _ in 0..<times { _ = try? shedder.admit(priority: .low) } }
        shedLow(3)
        clock.advance(by: .milliseconds(9_999))
        shedLow(1)
        clock.advance(by: .milliseconds(1))
        shedLow(2)
        shedder.release(permit)
        let logged = lines.lines
        #expect(logged.count == 2)
        #expect(logged.first == "notice load shedding started shed=1")
        #expect(logged.last?.hasSuffix("shed=4") == true)    // 2 + 1 before the line, and the one that wrote it
    }
}
