import Testing
@testable import Resilience

@Suite("GracefulDegradationStateMachine")
struct GracefulDegradationStateMachineTests {
    let breakersOnly = DegradationSnapshot(breakers: ["a": .closed, "b": .closed, "c": .closed])

    @Test("the default rules: one rejecting breaker degrades, more than half is critical, so is a cascade")
    func defaults() {
        var machine = GracefulDegradationStateMachine(rules: DegradationRule.defaults)
        var snapshot = breakersOnly
        #expect(machine.evaluate(snapshot) == nil)
        snapshot.breakers["a"] = .halfOpen
        #expect(machine.evaluate(snapshot) == DegradationLevelChange(from: .normal, to: .degraded, reasons: ["openBreakers>=1"]))
        snapshot.breakers["b"] = .forcedOpen  // 2 of 3
        #expect(machine.evaluate(snapshot) == DegradationLevelChange(from: .degraded, to: .critical, reasons: ["openBreakers>half"]))
        snapshot.breakers = ["a": .closed, "b": .forcedClosed, "c": .closed]
        snapshot.cascades = ["storage": .fastFail]
        #expect(machine.evaluate(snapshot) == nil)  // still critical, now because of the cascade
        #expect(machine.derive(from: snapshot).reasons == ["cascadeFastFail"])
        snapshot.cascades["storage"] = .normal
        #expect(machine.evaluate(snapshot) == DegradationLevelChange(from: .critical, to: .normal, reasons: []))
    }

    @Test("one breaker of one, or one of two, is degraded under the defaults, not critical")
    func singleBreaker() {
        var machine = GracefulDegradationStateMachine(rules: DegradationRule.defaults)
        #expect(machine.evaluate(DegradationSnapshot(breakers: ["only": .open]))?.to == .degraded)
        #expect(machine.evaluate(DegradationSnapshot(breakers: ["a": .open, "b": .closed])) == nil)
        #expect(machine.evaluate(DegradationSnapshot(breakers: ["a": .open, "b": .halfOpen]))?.to == .critical)
    }

    @Test("the highest level among the rules that hold wins; reasons list those at that level in order")
    func highestWins() {
        let rules: [DegradationRule] = [
            .breakerOpen("llm", level: .degraded),
            .openBreakers(atLeast: 2, level: .critical),
            .breakerOpen("db", level: .critical),
        ]
        var machine = GracefulDegradationStateMachine(rules: rules)
        let snapshot = DegradationSnapshot(breakers: ["llm": .open, "db": .open])
        #expect(machine.evaluate(snapshot) == DegradationLevelChange(
            from: .normal, to: .critical, reasons: ["openBreakers>=2", "breakerOpen(db)"]))
    }

    @Test("an override replaces the derived level until cleared")
    func override() {
        var machine = GracefulDegradationStateMachine(rules: DegradationRule.defaults)
        #expect(machine.override(.critical, snapshot: breakersOnly) == DegradationLevelChange(
            from: .normal, to: .critical, reasons: ["override"]))
        #expect(machine.evaluate(DegradationSnapshot(breakers: ["a": .open])) == nil)
        #expect(machine.override(nil, snapshot: DegradationSnapshot(breakers: ["a": .open])) == DegradationLevelChange(
            from: .critical, to: .degraded, reasons: ["openBreakers>=1"]))
    }
}

@Suite("GracefulDegradation")
struct GracefulDegradationTests {
    func breaker(_ name: String, clock: ManualClock) throws -> CircuitBreaker<ManualClock> {
        CircuitBreaker(
            name: name, configuration: countConfig(size: 2, minimum: 2, breakMs: 1_000, permitted: 1, successRatio: 1),
            clock: clock)
    }

    func trip(_ breaker: CircuitBreaker<ManualClock>) async {
        for _ in 0..<2 { _ = try? await breaker.execute { () async throws -> Int in throw Boom() } }
    }

    @Test("follows breaker state changes as events, and sees an elapsed break when read")
    func followsBreakers() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let llm = try breaker("llm", clock: clock)
        let search = try breaker("search", clock: clock)
        let degradation = GracefulDegradation(
            name: "checkout", inputs: [.breaker(llm), .breaker(search)], metricsFactory: metrics)
        let changes = EventLog<DegradationLevelChange>()
        degradation.addObserver { changes.append($0) }
        #expect(degradation.level == .normal)

        await trip(llm)
        // Delivered by the breaker's own event, without anyone reading the level.
        #expect(changes.entries == [DegradationLevelChange(from: .normal, to: .degraded, reasons: ["openBreakers>=1"])])
        #expect(metrics.gauge("resilience_degradation_level", [("policy", "checkout")]) == 1)
        await trip(search)
        #expect(changes.entries.last == DegradationLevelChange(from: .degraded, to: .critical, reasons: ["openBreakers>half"]))

        // The breaks elapse: both are half-open, still rejecting most calls, so still critical.
        clock.advance(by: .seconds(1))
        #expect(degradation.level == .critical)
        // A successful probe closes the llm breaker.
        _ = try await llm.execute { 1 }
        #expect(llm.state == .closed)
        #expect(changes.entries.last == DegradationLevelChange(from: .critical, to: .degraded, reasons: ["openBreakers>=1"]))
        #expect(metrics.counter("resilience_degradation_changes_total", [("policy", "checkout"), ("level", "degraded")]) == 2)
    }

    @Test("runs the variant for the level, falling back to the nearest better one")
    func variants() async throws {
        let clock = ManualClock()
        let llm = try breaker("llm", clock: clock)
        let degradation = GracefulDegradation(
            name: "summary", inputs: [.breaker(llm)],
            rules: [.breakerOpen("llm", level: .degraded)])
        func summary() async throws -> String {
            try await degradation.execute(normal: { "llm" }, degraded: { "template" })
        }
        #expect(try await summary() == "llm")
        await trip(llm)
        #expect(try await summary() == "template")
        degradation.override(.critical)
        #expect(try await summary() == "template")  // no critical variant: the degraded one
        #expect(try await degradation.execute(normal: { 1 }, critical: { 3 }) == 3)
        degradation.override(nil)
        #expect(try await degradation.execute(normal: { 1 }, critical: { 3 }) == 1)  // degraded without a variant: normal
    }

    @Test("a cascade preventor's fast-fail makes the level critical")
    func followsCascade() async throws {
        let clock = ManualClock()
        let storage = CascadePreventor(name: "storage", configuration: cascadeConfig(), clock: clock)
        let degradation = GracefulDegradation(name: "app", inputs: [.cascade(storage)])
        for _ in 0..<4 { storage.record(.failure) }
        #expect(degradation.level == .critical)
        clock.advance(by: .seconds(5))
        #expect(degradation.level == .normal)
    }

    @Test("bad rules and inputs are rejected with the reason")
    func validation() throws {
        let clock = ManualClock()
        let llm = try breaker("llm", clock: clock)
        let cases: [([DegradationInput], [DegradationRule], String)] = [
            ([.breaker(llm)], [], "rules"),
            ([.breaker(llm)], [.openBreakers(atLeast: 0, level: .degraded)], "rules.openBreakers.atLeast"),
            ([.breaker(llm)], [.breakerOpen("lm", level: .degraded)], "rules"),
            ([.breaker(llm)], [.cascadeFastFail("storage", level: .critical)], "rules"),
            ([.breaker(llm), .breaker(llm)], DegradationRule.defaults, "inputs"),
        ]
        for (inputs, rules, key) in cases {
            #expect(throws: ConfigurationError.self) { try GracefulDegradation.validate(inputs: inputs, rules: rules) }
            do throws(ConfigurationError) {
                try GracefulDegradation.validate(inputs: inputs, rules: rules)
            } catch {
                #expect(error.key == key)
            }
        }
    }

    @Test("many tasks tripping and closing breakers concurrently leave the level matching the breakers")
    func concurrentEvaluations() async throws {
        let clock = ManualClock()
        let breakers = try (0..<8).map { try breaker("b\($0)", clock: clock) }
        let degradation = GracefulDegradation(name: "many", inputs: breakers.map { .breaker($0) })
        await withTaskGroup(of: Void.self) { group in
            for (index, breaker) in breakers.enumerated() {
                group.addTask {
                    for round in 0..<50 {
                        if (round + index) % 3 == 0 { breaker.forceOpen() } else { breaker.reset() }
                        _ = degradation.level
                    }
                }
            }
        }
        let rejecting = breakers.filter { DegradationSnapshot.isRejecting($0.state) }.count
        let expected: DegradationLevel = rejecting * 2 > 8 ? .critical : rejecting >= 1 ? .degraded : .normal
        // The last evaluation of every task ran after its last change, so no further read is needed.
        #expect(degradation.shared.withLock { $0.machine.level } == expected)
    }
}
