import Testing
@testable import Resilience

@Suite("Adaptive timeout state machine")
struct AdaptiveTimeoutStateMachineTests {
    /// A window of 100 that adapts from the 100th latency, with the given multiplier and bounds.
    func machine(
        multiplier: Double = 1.5, minimum: Duration = .milliseconds(50), maximum: Duration = .seconds(30)
    ) throws -> AdaptiveTimeoutStateMachine {
        try AdaptiveTimeoutStateMachine(configuration: AdaptiveTimeoutConfiguration(
            multiplier: multiplier, minimum: minimum, maximum: maximum, warmupCalls: 100, windowSize: 100))
    }

    func record(_ latency: Duration, times: Int, into machine: inout AdaptiveTimeoutStateMachine) {
        for _ in 0..<times { machine.record(latency: latency) }
    }

    @Test("baseTimeout until the 100th latency; from the 100th on, p99 bound × 1.5")
    func warmUp() throws {
        var machine = try AdaptiveTimeoutStateMachine()                // the defaults
        #expect(machine.currentTimeout() == .seconds(30))
        record(.milliseconds(100), times: 99, into: &machine)
        #expect(machine.isWarmingUp)
        #expect(machine.currentTimeout() == .seconds(30))
        let warmingPercentile = machine.percentile(0.99)
        #expect(warmingPercentile == nil)
        machine.record(latency: .milliseconds(100))
        #expect(!machine.isWarmingUp)
        // 100 ms is in the bin [190 · 2¹⁹, 191 · 2¹⁹) ns = [99.61472, 100.139008) ms; × 1.5 = 150.208512 ms.
        #expect(machine.currentTimeout() == .nanoseconds(150_208_512))
        let p99 = machine.percentile(0.99)
        #expect(p99 == .lessThan(.nanoseconds(100_139_008)))
    }

    @Test("the timeout is clamped to minimum and maximum")
    func clamping() throws {
        var fast = try machine()
        record(.milliseconds(1), times: 100, into: &fast)              // 1.00352 ms × 1.5 = 1.50528 ms
        #expect(fast.currentTimeout() == .milliseconds(50))
        var slow = try machine()
        record(.seconds(25), times: 100, into: &slow)                  // 25.098715136 s × 1.5 ≈ 37.6 s
        #expect(slow.currentTimeout() == .seconds(30))
        var inside = try machine()
        record(.milliseconds(100), times: 100, into: &inside)          // 100.139008 ms × 1.5
        #expect(inside.currentTimeout() == .nanoseconds(150_208_512))
    }

    @Test("the multiplier is exact: bound (whole ns) × a decimal of up to 9 places, in attoseconds")
    func exactMultiplier() throws {
        let bound: Int128 = 100_139_008                                 // the bin bound of 100 ms, in ns
        for (multiplier, attoseconds) in [
            (1.0, bound * 1_000_000_000),
            (1.1, bound * 1_100_000_000),                               // 110.1529088 ms; 1.1 is not exact in binary
            (1.333333333, bound * 1_333_333_333),
            (2.000000001, bound * 2_000_000_001),
        ] {
            var machine = try machine(multiplier: multiplier, minimum: .nanoseconds(1))
            record(.milliseconds(100), times: 100, into: &machine)
            #expect(machine.currentTimeout().attoseconds == attoseconds, "× \(multiplier)")
        }
        #expect(Int128(100_139_008) * 1_100_000_000 == 110_152_908_800_000_000)
    }

    @Test("a percentile of 1 h or more gives the maximum, whatever the multiplier would say")
    func overflow() throws {
        var capped = try machine()
        record(.seconds(7_200), times: 100, into: &capped)
        #expect(capped.currentTimeout() == .seconds(30))
        var long = try machine(maximum: .seconds(4 * 3_600))
        record(.seconds(7_200), times: 100, into: &long)
        #expect(long.currentTimeout() == .seconds(4 * 3_600))          // not 1.5 h: the percentile is unbounded
        let p = long.percentile(0.99)
        #expect(p == .atLeast(.seconds(3_600)))
    }

    @Test("a dependency that hangs: recording each timeout as the latency drives the timeout up to maximum")
    func censoredTimeouts() throws {
        for multiplier in [1.5, 1.0] {
            var machine = try machine(multiplier: multiplier)
            record(.milliseconds(100), times: 100, into: &machine)
            var previous = machine.currentTimeout()
            var records = 0
            while previous < .seconds(30), records < 10_000 {
                machine.record(latency: previous)                       // the attempt timed out after `previous`
                records += 1
                let next = machine.currentTimeout()
                #expect(next >= previous, "× \(multiplier): \(previous) → \(next)")
                previous = next
            }
            #expect(previous == .seconds(30), "× \(multiplier)")
            // From 150 ms: with × 1.5 every second censored sample multiplies it by ≥ 1.5 (13 steps to 30 s);
            // with × 1 it still climbs one bin (≤ 1/128) at a time.
            #expect(records <= (multiplier == 1.5 ? 30 : 3_000), "× \(multiplier): \(records) records")
            machine.record(latency: .seconds(30))
            #expect(machine.currentTimeout() == .seconds(30))
        }
    }

    @Test("recording the current timeout as a latency never lowers the timeout", arguments: 0..<200)
    func censoringNeverLowers(seed: Int) throws {
        var random = SeededGenerator(state: UInt64(seed))
        let windowSize = Int.random(in: 1...300, using: &random)
        let minimum = Duration.milliseconds(Int64.random(in: 1...500, using: &random))
        let maximum = minimum + .milliseconds(Int64.random(in: 0...20_000, using: &random))
        var machine = try AdaptiveTimeoutStateMachine(configuration: AdaptiveTimeoutConfiguration(
            multiplier: [1, 1.1, 1.5, 2, 3.75].randomElement(using: &random)!, minimum: minimum, maximum: maximum,
            warmupCalls: Int.random(in: 1...windowSize, using: &random), windowSize: windowSize))
        for _ in 0..<Int.random(in: 0...(3 * windowSize), using: &random) {
            let milliseconds = Int64.random(in: 0...Int64.random(in: 1...60_000, using: &random), using: &random)
            machine.record(latency: .milliseconds(milliseconds))
            if !machine.isWarmingUp, Int.random(in: 0..<3, using: &random) == 0 {
                let timeout = machine.currentTimeout()
                machine.record(latency: timeout)
                let after = machine.currentTimeout()
                #expect(after >= timeout, "seed \(seed): \(timeout) → \(after)")
            }
        }
    }

    @Test("stats: counts, timeout, p50 and p99, also during warm-up")
    func stats() throws {
        var machine = try machine()
        for milliseconds in 1...60 { machine.record(latency: .milliseconds(Int64(milliseconds))) }
        let warming = machine.stats()
        #expect(warming == AdaptiveTimeoutStats(
            recordedCalls: 60, windowCalls: 60, isWarmingUp: true, timeout: .seconds(30),
            p50: .lessThan(.nanoseconds(30_015_488)),                     // 30 ms in [29.884416, 30.015488) ms
            p99: .lessThan(.nanoseconds(60_030_976))))                   // 60 ms in [59.768832, 60.030976) ms
        for milliseconds in 61...150 { machine.record(latency: .milliseconds(Int64(milliseconds))) }
        let warm = machine.stats()
        #expect(warm.recordedCalls == 150)
        #expect(warm.windowCalls == 100)
        #expect(!warm.isWarmingUp)
        // Window 51...150 ms: p99 is 149 ms, in [148.897792, 149.946368) ms.
        #expect(warm.p99 == .lessThan(.nanoseconds(149_946_368)))
        #expect(warm.timeout == .nanoseconds(149_946_368 * 3 / 2))
    }
}
