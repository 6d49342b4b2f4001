import Resilience
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// A realistic hand-built suite for looking at the HTML report (no simulator involved): three built-in
/// scenarios under the four policies, second by second, with numbers shaped like real runs
/// (an outage with breakers opening and probing, a flapping dependency, a retry storm).
enum ReportSampleSuite {
    /// What happened in one second of a sample run.
    struct Second {
        var calls = 1_000
        var succeeded = 0
        var failed = 0
        var endedByPolicy = 0
        var received = 0
        var p50: Double = 20
        var p99: Double = 190
    }

    /// A deterministic wobble in `[-1, 1]` for second `t` of series `salt`.
    static func wobble(_ t: Int, _ salt: Int) -> Double {
        let x = (t &* 7_919 &+ salt &* 104_729) % 1_000
        return Double(x) / 500 - 1
    }

    static func run(
        _ scenario: ScenarioDefinition, policy: String, breakerChanges: [SimulationResult.BreakerChange] = [],
        hasBreaker: Bool = false, endedBy: String = "circuitBreaker", retries: Int = 0,
        second: (Int) -> Second
    ) -> SimulationResult {
        let seconds = Int(scenario.duration.components.seconds)
        var intervals: [SimulationResult.Interval] = []
        var totals = Second(calls: 0, p50: 0, p99: 0)
        var p50s: [Double] = []
        var p99s: [Double] = []
        for t in 0..<seconds {
            let s = second(t)
            totals.calls += s.calls
            totals.succeeded += s.succeeded
            totals.failed += s.failed
            totals.endedByPolicy += s.endedByPolicy
            totals.received += s.received
            p50s.append(s.p50)
            p99s.append(s.p99)
            let end = Duration.seconds(t + 1)
            var state: CircuitState? = nil
            if hasBreaker {
                state = breakerChanges.last { $0.at <= end }?.to ?? .closed
            }
            intervals.append(
                SimulationResult.Interval(
                    start: .seconds(t), calls: s.calls, succeeded: s.succeeded, failed: s.failed,
                    endedByPolicy: s.endedByPolicy, dependencyReceived: s.received,
                    p50: .microseconds(Int64(s.p50 * 1_000)), p99: .microseconds(Int64(s.p99 * 1_000)),
                    breakerState: state, dependencyInFlight: s.received / 30))
        }
        p50s.sort()
        p99s.sort()
        let ms = { (value: Double) in Duration.microseconds(Int64(value * 1_000)) }
        let latency = SimulationResult.Latencies(
            count: totals.calls, p50: ms(p50s[p50s.count / 2]), p90: ms(p99s[p99s.count / 2]),
            p99: ms(p99s[p99s.count * 99 / 100]), p999: ms(p99s.last! * 1.4), max: ms(p99s.last! * 2),
            mean: ms(p50s.reduce(0, +) / Double(p50s.count)))
        var dependency = DependencyCounters()
        dependency.received = totals.received
        dependency.served = totals.received
        dependency.succeeded = totals.succeeded
        dependency.failed = totals.received - totals.succeeded
        dependency.overloaded = scenario.name.hasPrefix("overload") && policy == "naive-retry" ? totals.received / 9 : 0
        dependency.busyTime = .milliseconds(totals.received * 33)
        let outage = scenario.dependency.behaviour.phases.first
        let down = outage.map { ReportNumber.seconds(of: $0.from) }
        let detect = down.flatMap { start in breakerChanges.first.map { $0.at - .seconds(start) } }
        let recovery = scenario.dependency.behaviour.phases.dropFirst().first?.from
        return SimulationResult(
            scenario: scenario.name, policy: policy, seed: scenario.seed, duration: scenario.duration,
            endedAt: scenario.duration + .milliseconds(740), calls: totals.calls, succeeded: totals.succeeded,
            failed: totals.failed, endedByPolicy: totals.endedByPolicy == 0 ? [:] : [endedBy: totals.endedByPolicy],
            attempts: totals.received, retries: retries, retriesDeniedByBudget: retries / 7, latency: latency,
            successLatency: latency, dependency: dependency, outageStart: outage?.from, outageEnd: recovery,
            timeToDetect: detect,
            timeToRecover: recovery.map { _ in .milliseconds(policy == "tuned" ? 1_420 : policy == "default" ? 4_210 : 20) },
            breakerChanges: breakerChanges, intervalWidth: .seconds(1), intervals: intervals)
    }

    /// Opens at `open`, probes every `breakSeconds` until `recovery`, then closes.
    static func breakerCycle(open: Double, breakSeconds: Double, recovery: Double) -> [SimulationResult.BreakerChange] {
        var changes = [SimulationResult.BreakerChange(at: .milliseconds(Int64(open * 1_000)), from: .closed, to: .open)]
        var at = open + breakSeconds
        while true {
            changes.append(.init(at: .milliseconds(Int64(at * 1_000)), from: .open, to: .halfOpen))
            if at >= recovery {
                changes.append(.init(at: .milliseconds(Int64(at * 1_000) + 60), from: .halfOpen, to: .closed))
                return changes
            }
            changes.append(.init(at: .milliseconds(Int64(at * 1_000) + 40), from: .halfOpen, to: .open))
            at += breakSeconds
        }
    }

    static func healthy(_ t: Int, salt: Int, calls: Int = 1_000) -> Second {
        let calls = calls + Int(30 * wobble(t, salt))
        return Second(
            calls: calls, succeeded: calls, received: calls, p50: 20 + 1.5 * wobble(t, salt + 1),
            p99: 185 + 25 * wobble(t, salt + 2))
    }

    static func outageResults() -> [SimulationResult] {
        let scenario = ScenarioDefinition.outageAndRecovery
        let isDown = { (t: Int) in t >= 30 && t < 70 }
        let none = run(scenario, policy: "none") { t in
            var s = healthy(t, salt: 1)
            if isDown(t) { (s.succeeded, s.failed, s.p50, s.p99) = (0, s.calls, 0.21, 0.6) }
            return s
        }
        let naive = run(scenario, policy: "naive-retry", retries: 80_000) { t in
            var s = healthy(t, salt: 1)
            if isDown(t) { (s.succeeded, s.failed, s.received, s.p50, s.p99) = (0, s.calls, s.calls * 3, 310, 720) }
            return s
        }
        let defaultChanges = breakerCycle(open: 30.8, breakSeconds: 5, recovery: 70)
        let defaultPolicy = run(scenario, policy: "default", breakerChanges: defaultChanges, hasBreaker: true, retries: 1_200) { t in
            var s = healthy(t, salt: 1)
            if t == 30 { (s.succeeded, s.failed, s.received, s.p50, s.p99) = (0, s.calls, s.calls * 2, 150, 400) }
            if t > 30 && t < 75 {
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (0, s.calls, 1, 0.012, 0.05)
                if t >= 74 { (s.succeeded, s.endedByPolicy, s.received) = (s.calls / 3, s.calls - s.calls / 3, s.calls / 3) }
            }
            return s
        }
        let tunedChanges = breakerCycle(open: 30.3, breakSeconds: 2, recovery: 70)
        let tuned = run(scenario, policy: "tuned", breakerChanges: tunedChanges, hasBreaker: true, retries: 400) { t in
            var s = healthy(t, salt: 1)
            if t == 30 { (s.succeeded, s.failed, s.endedByPolicy, s.received, s.p50, s.p99) = (0, 300, s.calls - 300, 300, 0.02, 120) }
            if t > 30 && t < 71 {
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (0, s.calls, 1, 0.011, 0.04)
                if t == 70 { (s.succeeded, s.endedByPolicy, s.received, s.p50) = (s.calls / 2, s.calls - s.calls / 2, s.calls / 2, 19) }
            }
            return s
        }
        return [none, naive, defaultPolicy, tuned]
    }

    static func flappingResults() -> [SimulationResult] {
        let scenario = ScenarioDefinition.flappingDependency
        let isDown = { (t: Int) in t >= 30 && t < 90 && (t - 30) % 10 < 3 }
        let none = run(scenario, policy: "none") { t in
            var s = healthy(t, salt: 5)
            if isDown(t) { (s.succeeded, s.failed, s.p50, s.p99) = (0, s.calls, 0.2, 0.5) }
            return s
        }
        let naive = run(scenario, policy: "naive-retry", retries: 30_000) { t in
            var s = healthy(t, salt: 5)
            if isDown(t) { (s.succeeded, s.failed, s.received, s.p50, s.p99) = (0, s.calls, s.calls * 3, 300, 700) }
            return s
        }
        var defaultChanges: [SimulationResult.BreakerChange] = []
        var tunedChanges: [SimulationResult.BreakerChange] = []
        for window in stride(from: 30.0, to: 90, by: 10) {
            // The default breaker opens late and stays open 5 s: it misses part of each healthy window.
            defaultChanges += breakerCycle(open: window + 0.8, breakSeconds: 5, recovery: window + 3)
            tunedChanges += breakerCycle(open: window + 0.3, breakSeconds: 1.5, recovery: window + 3)
        }
        let defaultPolicy = run(scenario, policy: "default", breakerChanges: defaultChanges, hasBreaker: true, retries: 900) { t in
            var s = healthy(t, salt: 5)
            let phase = (t - 30) % 10
            if t >= 30 && t < 90 && phase < 6 {
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (0, s.calls, 2, 0.012, 0.05)
                if phase == 0 { (s.failed, s.endedByPolicy, s.received, s.p50, s.p99) = (800, s.calls - 800, 800, 0.3, 0.9) }
            }
            return s
        }
        let tuned = run(scenario, policy: "tuned", breakerChanges: tunedChanges, hasBreaker: true, retries: 300) { t in
            var s = healthy(t, salt: 5)
            let phase = (t - 30) % 10
            if t >= 30 && t < 90 && phase < 3 {
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (0, s.calls, 2, 0.011, 0.04)
                if phase == 0 { (s.failed, s.endedByPolicy, s.received, s.p50, s.p99) = (300, s.calls - 300, 300, 0.02, 0.6) }
            }
            if t >= 30 && t < 90 && phase == 3 { (s.succeeded, s.endedByPolicy, s.received) = (s.calls / 2, s.calls - s.calls / 2, s.calls / 2) }
            return s
        }
        return [none, naive, defaultPolicy, tuned]
    }

    static func overloadResults() -> [SimulationResult] {
        let scenario = ScenarioDefinition.overloadWithNaiveRetries
        let burst = { (t: Int) in t == 20 ? 3_000 : 0 }
        let none = run(scenario, policy: "none", endedBy: "timeout") { t in
            var s = healthy(t, salt: 9, calls: 1_380 + burst(t))
            if t >= 20 && t < 26 {
                let late = [1_900, 700, 420, 260, 120, 40][t - 20]
                (s.succeeded, s.endedByPolicy, s.p50, s.p99) = (s.calls - late, late, 60 + 40 * Double(26 - t), 1_000)
            }
            return s
        }
        let naive = run(scenario, policy: "naive-retry", endedBy: "timeout", retries: 70_000) { t in
            var s = healthy(t, salt: 9, calls: 1_380 + burst(t))
            if t >= 20 {
                let ok = 640 + Int(60 * wobble(t, 3))
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (ok, s.calls - ok, s.calls * 5 / 2, 900, 2_950)
            }
            return s
        }
        let defaultPolicy = run(scenario, policy: "default", endedBy: "timeout", retries: 2_500) { t in
            var s = healthy(t, salt: 9, calls: 1_380 + burst(t))
            if t >= 20 && t < 27 {
                let late = [1_800, 650, 380, 230, 110, 40, 10][t - 20]
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (s.calls - late, late, s.calls + late / 5, 55 + 30 * Double(27 - t), 1_000)
            }
            return s
        }
        let tuned = run(scenario, policy: "tuned", endedBy: "concurrencyLimit", retries: 800) { t in
            var s = healthy(t, salt: 9, calls: 1_380 + burst(t))
            if t >= 20 && t < 23 {
                let shed = [2_400, 200, 20][t - 20]
                (s.succeeded, s.endedByPolicy, s.received, s.p50, s.p99) = (s.calls - shed, shed, s.calls - shed, 24, 260)
            }
            return s
        }
        return [none, naive, defaultPolicy, tuned]
    }

    /// The sample report: outage and recovery, flapping dependency, overload with naive retries.
    static func report() -> SimulationReport {
        SimulationReport(sections: [
            .init(scenario: .outageAndRecovery, results: outageResults(),
                  notes: "{\n  \"circuitBreaker\": {\"failureRatio\": 0.3, \"breakDuration\": \"2s\"}\n}", notesTitle: "Tuned policy"),
            .init(scenario: .flappingDependency, results: flappingResults()),
            .init(scenario: .overloadWithNaiveRetries, results: overloadResults()),
        ])
    }
}
