import Testing
@testable import Resilience

@Suite("Load shedder state machine")
struct LoadShedStateMachineTests {
    typealias Machine = LoadShedderStateMachine

    /// Admits or sheds, returning the reason label ("admitted" when admitted) and keeping the permit.
    static func decide(
        _ machine: inout Machine, _ priority: Priority, _ signals: LoadShedSignals = .none, permits: inout [Machine.Permit]
    ) -> String {
        switch machine.admit(priority: priority, signals: signals) {
        case .admitted(let permit):
            permits.append(permit)
            return "admitted"
        case .shed(let reason, _):
            return reason.label
        }
    }

    @Test("in-flight thresholds per priority: low stops at 2, normal at 3, high at 4, critical never")
    func inFlightThresholds() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 2, normal: 3, high: 4)))
        var permits: [Machine.Permit] = []
        var log: [String] = []
        for priority in [Priority.low, .low, .low, .normal, .normal, .high, .high, .critical, .critical, .low, .normal, .high] {
            log.append("\(priority):" + Self.decide(&machine, priority, permits: &permits))
        }
        #expect(log == [
            "low:admitted", "low:admitted", "low:in_flight",           // 2 in flight: low is full
            "normal:admitted", "normal:in_flight",                      // 3
            "high:admitted", "high:in_flight",                          // 4
            "critical:admitted", "critical:admitted",                   // 6: critical ignores every threshold
            "low:in_flight", "normal:in_flight", "high:in_flight",
        ])
        #expect(machine.inFlight == 6)
        #expect(machine.inFlight(.critical) == 2)
        #expect(machine.inFlight(.low) == 2)
        // Releasing the two critical calls and one low one brings the total to 3: only high fits.
        for permit in permits where permit.priority == .critical { machine.release(permit) }
        machine.release(permits[0])
        #expect(machine.inFlight == 3)
        #expect(Self.decide(&machine, .normal, permits: &permits) == "in_flight")
        #expect(Self.decide(&machine, .high, permits: &permits) == "admitted")
        let stats = machine.stats
        #expect(stats.admitted == [.low: 2, .normal: 1, .high: 2, .critical: 2])
        #expect(stats.shed == [.low: 2, .normal: 3, .high: 2, .critical: 0])
        #expect(stats.shedByReason == [.inFlight: 7])
        #expect(stats.inFlightByPriority == [.low: 1, .normal: 1, .high: 2, .critical: 0])
    }

    @Test("a rising pressure sheds low first, then normal, then high; critical is always admitted")
    func lowestFirst() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(
            pressure: ["cpu": LoadShedThresholds(low: 0.7, normal: 0.8, high: 0.9)]))
        var permits: [Machine.Permit] = []
        func row(_ cpu: Double?) -> [String] {
            let signals = LoadShedSignals(pressure: cpu.map { ["cpu": $0] } ?? [:])
            return Priority.allCases.map { Self.decide(&machine, $0, signals, permits: &permits) }
        }
        #expect(row(nil) == ["admitted", "admitted", "admitted", "admitted"])     // unknown sheds nothing
        #expect(row(0.69) == ["admitted", "admitted", "admitted", "admitted"])
        #expect(row(0.70) == ["cpu", "admitted", "admitted", "admitted"])         // at the threshold: shed
        #expect(row(0.85) == ["cpu", "cpu", "admitted", "admitted"])
        #expect(row(0.90) == ["cpu", "cpu", "cpu", "admitted"])
        #expect(row(3.5) == ["cpu", "cpu", "cpu", "admitted"])                    // over 1 is still a reading
        #expect(row(0.1) == ["admitted", "admitted", "admitted", "admitted"])     // falling back admits again
        for permit in permits { machine.release(permit) }
        #expect(machine.inFlight == 0)
        #expect(machine.stats.shedByReason == [.pressure("cpu"): 9])   // 1 + 2 + 3 + 3
    }

    @Test("a nil threshold never sheds its priority; queue depth sheds at or above its threshold")
    func queueDepthAndNil() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(
            queueDepth: LoadShedThresholds(low: 10, normal: 50, high: nil)))
        var permits: [Machine.Permit] = []
        let deep = LoadShedSignals(queueDepth: 1_000_000)
        #expect(Self.decide(&machine, .low, LoadShedSignals(queueDepth: 9), permits: &permits) == "admitted")
        #expect(Self.decide(&machine, .low, LoadShedSignals(queueDepth: 10), permits: &permits) == "queue_depth")
        #expect(Self.decide(&machine, .normal, LoadShedSignals(queueDepth: 49), permits: &permits) == "admitted")
        #expect(Self.decide(&machine, .normal, LoadShedSignals(queueDepth: 50), permits: &permits) == "queue_depth")
        #expect(Self.decide(&machine, .high, deep, permits: &permits) == "admitted")
        #expect(Self.decide(&machine, .low, .none, permits: &permits) == "admitted")   // no reading: no shedding
    }

    @Test("signals are checked in order: in-flight, queue depth, then pressure signals by name")
    func reasonOrder() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(
            inFlight: LoadShedThresholds(low: 1, normal: 1, high: 1),
            queueDepth: LoadShedThresholds(low: 1, normal: 1, high: 1),
            pressure: [
                "memory": LoadShedThresholds(low: 0.5, normal: 0.5, high: 0.5),
                "cpu": LoadShedThresholds(low: 0.5, normal: 0.5, high: 0.5),
            ]))
        #expect(machine.pressureSignalNames == ["cpu", "memory"])
        var permits: [Machine.Permit] = []
        let all = LoadShedSignals(queueDepth: 5, pressure: ["cpu": 1, "memory": 1])
        #expect(Self.decide(&machine, .low, all, permits: &permits) == "queue_depth")
        #expect(Self.decide(&machine, .low, LoadShedSignals(pressure: ["cpu": 1, "memory": 1]), permits: &permits) == "cpu")
        #expect(Self.decide(&machine, .low, LoadShedSignals(pressure: ["memory": 1]), permits: &permits) == "memory")
        #expect(Self.decide(&machine, .low, .none, permits: &permits) == "admitted")
        #expect(Self.decide(&machine, .low, all, permits: &permits) == "in_flight")
    }

    @Test("retry hint: the configured one for in-flight, the larger of it and the refresh interval for pressure")
    func retryAfter() throws {
        func hint(_ retryAfter: Duration?, refresh: Duration?, in_flight: Bool = false) throws -> Duration?? {
            var machine = try Machine(configuration: LoadShedderConfiguration(
                inFlight: LoadShedThresholds(low: 1, normal: nil, high: nil),
                pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: nil, high: nil)], retryAfter: retryAfter))
            if in_flight { _ = machine.admit(priority: .critical, signals: LoadShedSignals.none) }
            let signals = LoadShedSignals(pressure: ["cpu": 0.9], refreshIntervals: refresh.map { ["cpu": $0] } ?? [:])
            guard case .shed(_, let retryAfter) = machine.admit(priority: .low, signals: signals) else { return .none }
            return .some(retryAfter)
        }
        #expect(try hint(.seconds(1), refresh: .seconds(2)) == .some(.seconds(2)))
        #expect(try hint(.seconds(1), refresh: .milliseconds(500)) == .some(.seconds(1)))
        #expect(try hint(.seconds(1), refresh: nil) == .some(.seconds(1)))
        #expect(try hint(nil, refresh: .milliseconds(250)) == .some(.milliseconds(250)))
        #expect(try hint(nil, refresh: nil) == .some(nil))
        #expect(try hint(.seconds(3), refresh: .seconds(5), in_flight: true) == .some(.seconds(3)))
    }
}

@Suite("Load shedder state machine: reconfigure")
struct LoadShedReconfigureTests {
    typealias Machine = LoadShedderStateMachine

    @Test("Calls in flight stay counted; a lowered threshold sheds new calls until the count drops below it")
    func inFlightKept() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 4, normal: 8, high: 10)))
        var permits: [Machine.Permit] = []
        for _ in 0..<3 { _ = LoadShedStateMachineTests.decide(&machine, .low, permits: &permits) }
        try machine.reconfigure(LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 2, normal: 8, high: 10)))
        #expect(machine.inFlight == 3)
        #expect(LoadShedStateMachineTests.decide(&machine, .low, permits: &permits) == "in_flight")
        #expect(LoadShedStateMachineTests.decide(&machine, .normal, permits: &permits) == "admitted")
        machine.release(permits[0])
        machine.release(permits[1])
        machine.release(permits[3])  // 1 in flight
        #expect(LoadShedStateMachineTests.decide(&machine, .low, permits: &permits) == "admitted")
        #expect(machine.stats.shed[.low] == 1)
    }

    @Test("The signals cannot change: queue-depth thresholds cannot appear without a gauge")
    func signalsFixed() throws {
        var machine = try Machine(configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 4, normal: nil, high: nil)))
        #expect(throws: ConfigurationError(key: "queueDepth", value: "thresholds", allowed: "none: there is no queue depth gauge")) {
            try machine.reconfigure(LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 4, normal: nil, high: nil), queueDepth: LoadShedThresholds(low: 10, normal: nil, high: nil)))
        }
        #expect(machine.configuration == LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 4, normal: nil, high: nil)))
    }
}
