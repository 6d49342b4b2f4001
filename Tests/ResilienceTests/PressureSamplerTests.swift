import Logging
import ServiceLifecycle
import Testing
@testable import Resilience

@Suite("Pressure: sampler")
struct PressureSamplerTests {
    /// A source whose readings come from a list, counting its reads.
    final class ScriptedSource: Sendable {
        let reads = SharedCounter()
        let values: [Double?]
        init(_ values: [Double?]) { self.values = values }
        func read() throws -> Double? {
            let index = reads.increment() - 1
            guard index < values.count else { return values.last ?? nil }
            guard let value = values[index] else { throw ProcessPressureError(path: "script", problem: "failed read \(index)") }
            return value
        }
    }

    @Test("samples at once, then at every interval on the clock; stops on cancellation and clears its gauges")
    func ticks() async throws {
        let clock = ManualClock()
        let gauge = PressureGauge(name: "cpu")
        let script = ScriptedSource([0.2, 0.4, 0.9])
        let sampler = PressureSampler(
            interval: .milliseconds(500), sources: [PressureSource(gauge: gauge) { try script.read() }], clock: clock)
        #expect(gauge.refreshInterval == .milliseconds(500))
        let run = Task { await sampler.run() }
        await eventually { clock.sleeperCount == 1 }
        #expect(script.reads.value == 1)
        #expect(gauge.reading == 0.2)
        clock.advance(by: .milliseconds(499))
        #expect(script.reads.value == 1)
        clock.advance(by: .milliseconds(1))
        await eventually { script.reads.value == 2 && clock.sleeperCount == 1 }
        #expect(gauge.reading == 0.4)
        clock.advance(by: .milliseconds(1_700))       // three ticks late: one read, the missed ticks skipped
        await eventually { script.reads.value == 3 && clock.sleeperCount == 1 }
        #expect(gauge.reading == 0.9)
        clock.advance(by: .milliseconds(299))         // the next tick is at 2.5 s, not 2.7 s
        #expect(script.reads.value == 3)
        run.cancel()
        await run.value
        #expect(gauge.reading == nil)
        #expect(clock.sleeperCount == 0)
    }

    @Test("a failing source makes its gauge unavailable and is counted; a shedder then stops shedding on it")
    func failures() async throws {
        let metrics = TestMetrics()
        let gauge = PressureGauge(name: "memory")
        let script = ScriptedSource([0.95, nil, nil, 0.5])
        let sampler = PressureSampler(
            sources: [PressureSource(gauge: gauge) { try script.read() }], clock: ManualClock(), metricsFactory: metrics)
        let shedder = LoadShedder(
            name: "s", configuration: LoadShedderConfiguration(pressure: ["memory": LoadShedThresholds(low: 0.9, normal: nil, high: nil)]),
            pressure: [gauge], clock: ManualClock())
        sampler.sampleOnce()
        #expect(metrics.gauge("resilience_pressure", [("signal", "memory")]) == 0.95)
        #expect(throws: ResilienceError.self) { try shedder.admit(priority: .low) }
        sampler.sampleOnce()
        #expect(gauge.reading == nil)
        shedder.release(try shedder.admit(priority: .low))
        sampler.sampleOnce()
        sampler.sampleOnce()
        #expect(gauge.reading == 0.5)
        #expect(metrics.counter("resilience_pressure_read_failures_total", [("signal", "memory")]) == 2)
    }

    @Test("a reading the gauge refuses counts as a failure, not as a value")
    func refusedReading() throws {
        let gauge = PressureGauge(name: "lag")
        let sampler = PressureSampler(sources: [PressureSource(gauge: gauge) { -1 }], clock: ManualClock())
        try gauge.record(0.3)
        sampler.sampleOnce()
        #expect(gauge.reading == nil)
    }

    @Test("configuration errors name interval and sources")
    func validation() {
        let gauge = PressureGauge(name: "g")
        let source = PressureSource(gauge: gauge) { 0 }
        func key(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as ConfigurationError { return error.key } catch { return "?" }
        }
        #expect(key { try PressureSampler<ManualClock>.validate(interval: .zero, sources: [source]) } == "interval")
        #expect(key { try PressureSampler<ManualClock>.validate(interval: .seconds(3_601), sources: [source]) } == "interval")
        #expect(key { try PressureSampler<ManualClock>.validate(interval: .seconds(1), sources: []) } == "sources")
        #expect(key { try PressureSampler<ManualClock>.validate(interval: .seconds(1), sources: [source, source]) } == "sources")
    }

    @Test("in a ServiceGroup, graceful shutdown stops the sampler")
    func gracefulShutdown() async throws {
        let clock = ManualClock()
        let gauge = PressureGauge(name: "cpu")
        let sampler = PressureSampler(sources: [PressureSource(gauge: gauge) { 0.5 }], clock: clock)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: sampler)], gracefulShutdownSignals: [], cancellationSignals: [],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let run = Task { try await group.run() }
        await eventually { clock.sleeperCount == 1 }
        #expect(gauge.reading == 0.5)
        await group.triggerGracefulShutdown()
        try await run.value
        #expect(gauge.reading == nil)
        #expect(clock.sleeperCount == 0)
    }
}
